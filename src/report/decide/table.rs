//! Terminal tables of decision studies.

use std::fmt::Write;

use crate::decide::metrics::MetricKey;
use crate::decide::points::{Outcome, Samples};
use crate::decide::precision;
use crate::decide::sweep::Sweep;
use crate::decide::values::cell;
use crate::experiment::estimate::Estimate;
use crate::report::format::value;

/// The lines `run --precision` adds under the run's table.
pub fn precision(r: &precision::Report, currency: &str) -> String {
    let mut out = String::new();
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    let _ = writeln!(
        out,
        "\nprecision: {} after {} replications (target ±{} of the mean, cap {}; rounds {})",
        if r.reached { "reached" } else { "NOT reached" },
        r.replications,
        pct(r.target.fraction()),
        r.cap,
        r.rounds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" → ")
    );
    for m in &r.metrics {
        let half = m.estimate.half_width().map_or("no interval".to_owned(), |h| {
            format!("±{}", value(h, m.key.unit(), currency))
        });
        let rel = m
            .relative
            .map_or(String::new(), |x| format!(" ({})", pct(x)));
        let _ = writeln!(
            out,
            "  {:<26} {:>12}{:<10} allowed ±{:<12} {}",
            m.key.label(),
            half,
            rel,
            value(m.allowed, m.key.unit(), currency),
            if m.met { "met" } else { "not met" }
        );
    }
    out
}

/// "4.0 h ±0.2 h": a mean and its half-width in the metric's unit.
pub fn with_half_width(e: &Estimate, key: &MetricKey, currency: &str) -> String {
    if e.n == 0 {
        return "n/a".to_owned();
    }
    let mean = value(e.mean, key.unit(), currency);
    match e.half_width() {
        Some(h) => format!("{mean} ±{}", value(h, key.unit(), currency)),
        None => mean,
    }
}

/// Lays out rows of cells in columns (left-aligned first `left` columns).
pub fn columns(rows: &[Vec<String>], left: usize) -> String {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|c| rows.iter().map(|r| r.get(c).map_or(0, |x| x.chars().count())).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        out.push_str(" ");
        for (c, text) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(text.chars().count());
            if c < left {
                let _ = write!(out, " {text}{}", " ".repeat(pad));
            } else {
                let _ = write!(out, "  {}{text}", " ".repeat(pad));
            }
        }
        out = out.trim_end().to_owned();
        out.push('\n');
    }
    out
}

fn metric_cells(s: Option<&Samples>, keys: &[MetricKey], currency: &str) -> Vec<String> {
    keys.iter()
        .map(|k| match s {
            Some(s) => with_half_width(&s.estimate(k), k, currency),
            None => "not run".to_owned(),
        })
        .collect()
}

/// The table of `portsim sweep`.
pub fn sweep(sw: &Sweep, outcome: &Outcome) -> String {
    let cur = &sw.base.costs.currency;
    let mut out = String::new();
    let design = match sw.lhs {
        Some(n) => format!("a Latin hypercube of {n} points"),
        None => format!("{} points", sw.points.len()),
    };
    let _ = writeln!(
        out,
        "sweep of {} ({}): {design}, {} replications each, seed {}, common random numbers\n",
        sw.base.name,
        sw.study.scenario.display(),
        sw.base.replications,
        sw.base.seed
    );
    let mut header: Vec<String> = sw.factors.iter().map(|f| f.key.clone()).collect();
    header.extend(sw.metrics.iter().map(|k| format!("{} (±95% CI)", k.label())));
    let mut rows = vec![header];
    for (p, r) in sw.points.iter().zip(&outcome.results) {
        let mut row: Vec<String> = p.set.iter().map(|o| cell(o.value())).collect();
        row.extend(metric_cells(r.as_ref(), &sw.metrics, cur));
        rows.push(row);
    }
    out.push_str(&columns(&rows, sw.factors.len()));
    let runaway: usize = outcome
        .results
        .iter()
        .flatten()
        .filter(|s| !s.runaways.is_empty())
        .count();
    if runaway > 0 {
        let _ = writeln!(
            out,
            "\nnote: {runaway} point(s) had replications stopped as runaways (demand beyond capacity); their metrics cover the run until then"
        );
    }
    out
}
