//! Terminal tables of decision studies.

use std::fmt::Write;

use crate::decide::precision;
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
        let half = m
            .estimate
            .half_width()
            .map_or("no interval".to_owned(), |h| format!("±{}", value(h, m.key.unit(), currency)));
        let rel = m.relative.map_or(String::new(), |x| format!(" ({})", pct(x)));
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
