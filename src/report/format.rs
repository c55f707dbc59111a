//! Numbers for people: durations in the unit that reads best, counts with
//! thousands separators, and "n/a" instead of a misleading number.
//!
//! A single value reads best in its own unit ([`value`]); values that are
//! read against each other (a row of a comparison, a column of a table,
//! the terms of an attribution) share one [`Scale`], chosen once from a
//! reference value, so that "2.1 h" never stands above "120.0 min".
//!
//! One rule for signs, everywhere a number is shown to people: a value
//! that shows as zero at the precision shown has no sign (`0.0%`, never
//! `-0.0%` or `+0.0%`), and a signed value otherwise carries `+` or `-`
//! ([`fixed`], [`signed_fixed`], [`sign`]).

use crate::experiment::estimate::Estimate;
use crate::experiment::summary::Unit;

/// Whether a number as shown reads as zero (no digit but `0`).
fn shows_zero(text: &str) -> bool {
    !text.chars().any(|c| c.is_ascii_digit() && c != '0')
}

/// `text`, the shown form of `x`, under the sign rule: without a sign
/// when it shows as zero, with `+` when `x` is positive.
pub fn sign(text: String, x: f64) -> String {
    if shows_zero(&text) {
        match text.strip_prefix(['-', '+']) {
            Some(rest) => rest.to_owned(),
            None => text,
        }
    } else if x > 0.0 && !text.starts_with('+') {
        format!("+{text}")
    } else {
        text
    }
}

/// `x` with `decimals` decimals; a value that rounds to zero is shown as
/// zero without a sign (`0.0`, never `-0.0`).
pub fn fixed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    if shows_zero(&text) && x.is_finite() {
        text.trim_start_matches('-').to_owned()
    } else {
        text
    }
}

/// `x` with `decimals` decimals and its sign (`+1.2`, `-0.3`), none for a
/// value that shows as zero.
pub fn signed_fixed(x: f64, decimals: usize) -> String {
    sign(fixed(x, decimals), x)
}

/// A duration in seconds, in the unit that reads best for its size.
pub fn duration(seconds: f64) -> String {
    let (value, unit) = duration_unit(seconds);
    format!("{} {unit}", fixed(seconds / value, 1))
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
            format!("[{}, {}] {label}", fixed(lo / div, 1), fixed(hi / div, 1))
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

/// A change's 95% interval with signs, both ends in the unit `run` would
/// choose for the wider one (`[+42.6 h, +46.3 h]`, `[-3 CNY, +1 CNY]`):
/// the one form of a change's interval in `check`'s table and messages.
pub fn change_interval(ci: [f64; 2], unit: Unit, currency: &str) -> String {
    Scale::fit(unit, ci, currency).signed_interval(Some(ci))
}

/// One unit for values that are read together: for durations the unit
/// that reads best for a reference value, for the other units their usual
/// form (see [`value`]).
#[derive(Clone, Copy, Debug)]
pub struct Scale<'a> {
    unit: Unit,
    currency: &'a str,
    div: f64,
    label: &'static str,
}

impl<'a> Scale<'a> {
    /// The scale for values of `unit` that read like `reference` (for
    /// durations: the unit that reads best for it, in seconds).
    pub fn new(unit: Unit, reference: f64, currency: &'a str) -> Scale<'a> {
        let (div, label) = if reference.is_finite() {
            duration_unit(reference)
        } else {
            (1.0, "s")
        };
        Scale {
            unit,
            currency,
            div,
            label,
        }
    }

    /// The scale that reads best for the largest of `values` (in size).
    pub fn fit(unit: Unit, values: impl IntoIterator<Item = f64>, currency: &'a str) -> Self {
        let top = values
            .into_iter()
            .filter(|x| x.is_finite())
            .map(f64::abs)
            .fold(f64::NAN, f64::max);
        Scale::new(unit, top, currency)
    }

    /// The unit's label as shown after a number (`h`, `/day`, `CNY`, or
    /// empty for counts and steps).
    pub fn label(&self) -> &str {
        match self.unit {
            Unit::Seconds => self.label,
            Unit::TrucksPerDay => "/day",
            Unit::Currency => self.currency,
            Unit::Steps | Unit::Trucks => "",
        }
    }

    /// `x` in this scale, with its unit.
    pub fn value(&self, x: f64) -> String {
        if !x.is_finite() {
            return "n/a".to_owned();
        }
        match self.unit {
            Unit::Seconds => format!("{} {}", fixed(x / self.div, 1), self.label),
            _ => value(x, self.unit, self.currency),
        }
    }

    /// `x` with a sign (`+` for a positive number; none for one that
    /// shows as zero).
    pub fn signed(&self, x: f64) -> String {
        sign(self.value(x), x)
    }

    /// Whether `x` shows as zero in this scale.
    pub fn shows_zero(&self, x: f64) -> bool {
        x.is_finite() && shows_zero(&self.value(x))
    }

    /// An interval `[lo, hi]` with signs, or "n/a".
    pub fn signed_interval(&self, ci: Option<[f64; 2]>) -> String {
        ci.map_or("n/a".to_owned(), |[lo, hi]| {
            format!("[{}, {}]", self.signed(lo), self.signed(hi))
        })
    }

    /// An estimate's interval in this scale, or why there is none.
    pub fn interval(&self, e: &Estimate) -> String {
        match e.ci95 {
            Some([lo, hi]) if self.unit == Unit::Seconds => format!(
                "[{}, {}] {}",
                fixed(lo / self.div, 1),
                fixed(hi / self.div, 1),
                self.label
            ),
            Some([lo, hi]) => format!("[{}, {}]", self.value(lo), self.value(hi)),
            None if e.n == 0 => "no samples".to_owned(),
            None => "too few samples for a CI".to_owned(),
        }
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
    fn a_scale_keeps_one_unit_for_values_read_together() {
        let s = Scale::new(Unit::Seconds, 7560.0, "");
        assert_eq!(s.value(7199.0), "2.0 h");
        assert_eq!(s.value(600.0), "0.2 h");
        assert_eq!(s.signed(-3600.0), "-1.0 h");
        assert_eq!(s.signed(1800.0), "+0.5 h");
        assert_eq!(
            (s.signed(1.0), s.signed(-1.0)),
            ("0.0 h".into(), "0.0 h".into())
        );
        assert_eq!(s.signed_interval(Some([-3600.0, 0.0])), "[-1.0 h, 0.0 h]");
        let e = Estimate::from_samples(&[3600.0, 7200.0]);
        assert!(s.interval(&e).ends_with(" h"), "{}", s.interval(&e));
        let fit = Scale::fit(Unit::Seconds, [100.0, f64::NAN, -9000.0], "");
        assert_eq!((fit.label(), fit.value(90.0)), ("h", "0.0 h".to_owned()));
        let money = Scale::new(Unit::Currency, 10.0, "CNY");
        assert_eq!(
            (money.signed(12.0), money.label()),
            ("+12 CNY".into(), "CNY")
        );
        assert_eq!(Scale::new(Unit::Trucks, 1.0, "").value(f64::NAN), "n/a");
    }

    /// Issue 28: attribution tables printed `-0.0%`. No number shown to
    /// people carries a sign when it shows as zero.
    #[test]
    fn zero_is_shown_without_a_sign() {
        assert_eq!(fixed(-0.0, 1), "0.0");
        assert_eq!(fixed(-0.0004, 1), "0.0");
        assert_eq!(fixed(-0.05, 1), "-0.1");
        assert_eq!(fixed(f64::NAN, 1), "NaN");
        assert_eq!(signed_fixed(-0.0004, 1), "0.0");
        assert_eq!(signed_fixed(0.0004, 2), "0.00");
        assert_eq!(signed_fixed(0.06, 1), "+0.1");
        assert_eq!(signed_fixed(-1.25, 1), "-1.2");
        assert_eq!(sign("-0 CNY".into(), -0.2), "0 CNY");
        assert_eq!(sign("+0.0%".into(), 0.0), "0.0%");
        assert_eq!(sign("3 CNY".into(), 3.0), "+3 CNY");
        assert_eq!(duration(-1.0), "-1.0 s");
        assert_eq!(duration(-0.01), "0.0 s");
        let s = Scale::new(Unit::Seconds, 7200.0, "");
        assert_eq!(s.value(-60.0), "0.0 h");
        assert!(s.shows_zero(-60.0) && !s.shows_zero(-600.0));
        let e = Estimate {
            mean: 0.0,
            ci95: Some([-60.0, 60.0]),
            n: 3,
        };
        assert_eq!(s.interval(&e), "[0.0, 0.0] h");
    }

    #[test]
    fn numbers_group_thousands() {
        assert_eq!(number(1234567.891, 1), "1,234,567.9");
        assert_eq!(number(-1200.0, 0), "-1,200");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(f64::NAN, 1), "n/a");
    }
}
