//! CSV of a sweep: one row per point, one column per factor and per
//! metric (its mean over replications; empty where there is none, or the
//! point did not finish). Intervals are in the JSON.

use crate::decide::points::Outcome;
use crate::decide::sweep::Sweep;
use crate::decide::values::cell;

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// The sweep's table.
pub fn sweep(sw: &Sweep, outcome: &Outcome) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = sw.factors.iter().map(|f| f.key.clone()).collect();
    header.extend(sw.metrics.iter().map(ToString::to_string));
    // Writing to memory cannot fail.
    let _ = w.write_record(&header);
    for (p, result) in sw.points.iter().zip(&outcome.results) {
        let mut row: Vec<String> = p.set.iter().map(|o| cell(o.value())).collect();
        for key in &sw.metrics {
            row.push(match result {
                Some(s) => {
                    let e = s.estimate(key);
                    if e.n == 0 { String::new() } else { num(e.mean) }
                }
                None => String::new(),
            });
        }
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}
