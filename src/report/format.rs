//! Numbers for people: durations in the unit that reads best, counts with
//! thousands separators, and "n/a" instead of a misleading number.

use crate::experiment::estimate::Estimate;
use crate::experiment::summary::Unit;

/// A duration in seconds, in the unit that reads best for its size.
pub fn duration(seconds: f64) -> String {
    let (value, unit) = duration_unit(seconds);
    format!("{:.1} {unit}", seconds / value)
}

/// The divisor and label of the unit that reads best for `seconds`.
pub fn duration_unit(seconds: f64) -> (f64, &'static str) {
    let a = seconds.abs();
    if a < 120.0 {
        (1.0, "s")
    } else if a < 2.0 * 3600.0 {
        (60.0, "min")
    } else if a < 72.0 * 3600.0 {
        (3600.0, "h")
    } else {
        (86_400.0, "d")
    }
}

/// A number with thousands separators and `decimals` decimals.
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && text.chars().any(|c| c != '0' && c != '.') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A value in a metric's unit, for tables.
pub fn value(x: f64, unit: Unit, currency: &str) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    match unit {
        Unit::Seconds => duration(x),
        Unit::TrucksPerDay => format!("{} /day", number(x, 1)),
        Unit::Steps => number(x, 2),
        Unit::Currency => format!("{} {currency}", number(x, 0)),
        Unit::Trucks => number(x, 1),
    }
}

/// An estimate's 95% interval in a metric's unit, or why there is none.
pub fn interval(e: &Estimate, unit: Unit, currency: &str) -> String {
    match e.ci95 {
        Some([lo, hi]) if unit == Unit::Seconds => {
            let (div, label) = duration_unit(e.mean);
            format!("[{:.1}, {:.1}] {label}", lo / div, hi / div)
        }
        Some([lo, hi]) => format!(
            "[{}, {}]",
            value(lo, unit, currency),
            value(hi, unit, currency)
        ),
        None if e.n == 0 => "no samples".to_owned(),
        None => "too few samples for a CI".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_readable_units() {
        assert_eq!(duration(90.0), "90.0 s");
        assert_eq!(duration(600.0), "10.0 min");
        assert_eq!(duration(6.0 * 3600.0), "6.0 h");
        assert_eq!(duration(3.0 * 86_400.0), "3.0 d");
    }

    #[test]
    fn numbers_group_thousands() {
        assert_eq!(number(1234567.891, 1), "1,234,567.9");
        assert_eq!(number(-1200.0, 0), "-1,200");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(f64::NAN, 1), "n/a");
    }
}
