//! Values a study gives a key: ranges of integers, numbers or durations,
//! their grids and the points inside them.
//!
//! A range is written `[lo, hi]` with two integers (lanes, counts), two
//! numbers (shares, money), two durations (`["150s", "170s"]`) or two
//! rates (`["1000/d", "1300/d"]`). A grid
//! steps through it (`step`, 1 by default for integers); a Latin
//! hypercube or a screening design picks points inside it. Generated
//! values are written back the way a scenario file would write them:
//! integers as integers, numbers rounded to nine decimals, durations as a
//! whole count of the largest unit that divides them (`"2m"`, `"155s"`,
//! `"1500ms"`), rates per day (`"1150/d"`), so that every generated value reads back as itself and a
//! point's overrides are as readable as hand-written ones.

use crate::engine::time::{DAY, HOUR, MINUTE, SECOND, Span};
use crate::scenario::{compact, parse_duration, parse_rate};

use super::limits::MAX_VALUES;

/// What a range ranges over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Whole numbers.
    Integer,
    /// Any finite numbers.
    Number,
    /// Durations, in whole milliseconds.
    Duration,
    /// Rates, in trucks per day.
    Rate,
}

/// A range's end or step as written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quantity {
    /// An integer.
    Integer(i64),
    /// A finite number.
    Number(f64),
    /// A duration in ticks (ms).
    Duration(Span),
    /// A rate in trucks per day.
    Rate(f64),
}

impl Quantity {
    /// Reads an integer, a number or a duration string.
    pub fn read(v: &toml::Value) -> Result<Quantity, String> {
        match v {
            toml::Value::Integer(i) => Ok(Quantity::Integer(*i)),
            toml::Value::Float(x) if x.is_finite() => Ok(Quantity::Number(*x)),
            toml::Value::Float(x) => {
                Err(format!("expected a finite number, found {}", compact(*x)))
            }
            toml::Value::String(s) if s.contains('/') => parse_rate(s).map(Quantity::Rate),
            toml::Value::String(s) => parse_duration(s).map(Quantity::Duration),
            other => Err(format!(
                "expected a number, a duration like \"150s\" or a rate like \"1200/d\", found {}",
                other.type_str()
            )),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Quantity::Integer(_) => Kind::Integer,
            Quantity::Number(_) => Kind::Number,
            Quantity::Duration(_) => Kind::Duration,
            Quantity::Rate(_) => Kind::Rate,
        }
    }

    fn value(&self) -> f64 {
        match *self {
            Quantity::Integer(i) => i as f64,
            Quantity::Number(x) => x,
            Quantity::Duration(t) => t as f64,
            Quantity::Rate(r) => r,
        }
    }
}

/// A checked range: `lo <= hi`, both of one kind (an integer and a number
/// make a range of numbers).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    kind: Kind,
    lo: f64,
    hi: f64,
}

impl Range {
    /// The range from `lo` to `hi`.
    pub fn new(lo: Quantity, hi: Quantity) -> Result<Range, String> {
        let kind = match (lo.kind(), hi.kind()) {
            (a, b) if a == b => a,
            (Kind::Integer | Kind::Number, Kind::Integer | Kind::Number) => Kind::Number,
            _ => {
                return Err(
                    "the two ends are of different kinds; write both as numbers, both as durations like \"150s\" or both as rates like \"1200/d\"".to_owned(),
                );
            }
        };
        let (lo, hi) = (lo.value(), hi.value());
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(format!(
                "the range's ends must be finite numbers, found {} and {}",
                show(kind, lo),
                show(kind, hi)
            ));
        }
        if lo > hi {
            return Err(format!(
                "the range's low end is above its high end ({} > {})",
                show(kind, lo),
                show(kind, hi)
            ));
        }
        Ok(Range { kind, lo, hi })
    }

    /// What it ranges over.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The values from `lo` to `hi` by `step` (1 by default for integers;
    /// required otherwise), at most [`MAX_VALUES`] of them.
    pub fn grid(&self, step: Option<Quantity>) -> Result<Vec<toml::Value>, String> {
        let step = match (step, self.kind) {
            (None, Kind::Integer) => 1.0,
            (None, _) => {
                return Err(
                    "a range of numbers or durations needs a `step` (or a top-level `lhs = N` to sample it)"
                        .to_owned(),
                );
            }
            (Some(s), _) => {
                match (self.kind, s.kind()) {
                    (Kind::Integer, Kind::Integer)
                    | (Kind::Number, Kind::Integer | Kind::Number)
                    | (Kind::Duration, Kind::Duration)
                    | (Kind::Rate, Kind::Rate) => {}
                    (Kind::Integer, _) => {
                        return Err("a range of integers needs an integer step".to_owned());
                    }
                    (Kind::Duration, _) => {
                        return Err(
                            "the range is of durations, so the step must be one too, like \"5s\""
                                .to_owned(),
                        );
                    }
                    (Kind::Rate, _) => {
                        return Err(
                            "the range is of rates, so the step must be one too, like \"50/d\""
                                .to_owned(),
                        );
                    }
                    (Kind::Number, _) => {
                        return Err("the step must be a number like the range".to_owned());
                    }
                }
                s.value()
            }
        };
        if !step.is_finite() || step <= 0.0 {
            return Err(format!(
                "the step must be a finite number above zero, found {}",
                show(self.kind, step)
            ));
        }
        let width = self.hi - self.lo;
        // Ends near the largest numbers can be further apart than a number
        // holds: then the width is counted in steps from each end.
        let steps = if width.is_finite() {
            width / step
        } else {
            self.hi / step - self.lo / step
        };
        let count = (steps + 1e-9).floor() + 1.0;
        // A NaN is refused too.
        if count.is_nan() || count < 1.0 {
            return Err(format!(
                "the range from {} to {} by {} gives no values; a range runs from its low end up to its high end",
                show(self.kind, self.lo),
                show(self.kind, self.hi),
                show(self.kind, step)
            ));
        }
        if count > MAX_VALUES as f64 {
            let n = if count.is_finite() {
                format!("{} values", compact(count))
            } else {
                "more values than a number can count".to_owned()
            };
            return Err(format!(
                "the range has {n} at this step, more than the limit of {MAX_VALUES}"
            ));
        }
        Ok((0..count as usize)
            .map(|i| self.value(self.lo + i as f64 * step))
            .collect())
    }

    /// The value at `u` in [0, 1] of the way from `lo` to `hi`; integers
    /// take `u` over `hi − lo + 1` equal cells, so each is as likely.
    pub fn at(&self, u: f64) -> toml::Value {
        let u = u.clamp(0.0, 1.0);
        match self.kind {
            Kind::Integer => {
                let cells = self.hi - self.lo + 1.0;
                self.value((self.lo + (u * cells).floor()).min(self.hi))
            }
            _ => self.value(self.lo + u * (self.hi - self.lo)),
        }
    }

    /// The value `u` in [0, 1] of the way from `lo` to `hi`, integers
    /// rounded to the nearest (for screening designs).
    pub fn lerp(&self, u: f64) -> toml::Value {
        self.value(self.lo + u.clamp(0.0, 1.0) * (self.hi - self.lo))
    }

    /// The low end.
    pub fn low(&self) -> toml::Value {
        self.value(self.lo)
    }

    /// The high end.
    pub fn high(&self) -> toml::Value {
        self.value(self.hi)
    }

    /// `x` (in the range's units) as a value a scenario would write.
    fn value(&self, x: f64) -> toml::Value {
        match self.kind {
            Kind::Integer => toml::Value::Integer(x.round() as i64),
            Kind::Number => toml::Value::Float((x * 1e9).round() / 1e9),
            Kind::Duration => toml::Value::String(format_span(x.round().max(0.0) as Span)),
            Kind::Rate => toml::Value::String(format!("{}/d", (x * 1e6).round() / 1e6)),
        }
    }
}

/// A duration as a whole count of the largest unit that divides it.
pub fn format_span(t: Span) -> String {
    for (unit, name) in [(DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (SECOND, "s")] {
        if t > 0 && t.is_multiple_of(unit) {
            return format!("{}{name}", t / unit);
        }
    }
    format!("{t}ms")
}

fn show(kind: Kind, x: f64) -> String {
    match kind {
        Kind::Duration => format_span(x.max(0.0) as Span),
        Kind::Rate => format!("{}/d", compact(x)),
        _ => compact(x),
    }
}

/// A value as a number for charts: numbers as they are, durations in
/// seconds, rates in trucks per day, anything else `None`.
pub fn numeric(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) if x.is_finite() => Some(*x),
        toml::Value::String(s) if s.contains('/') => parse_rate(s).ok(),
        toml::Value::String(s) => parse_duration(s).ok().map(|t| t as f64 / SECOND as f64),
        _ => None,
    }
}

/// A value as a table cell: strings without quotes, others as TOML.
pub fn cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        Quantity::read(&text.parse::<toml::Value>().expect("toml")).expect("quantity")
    }

    #[test]
    fn grids_of_integers_numbers_and_durations() {
        let r = Range::new(q("4"), q("8")).expect("valid");
        let ints: Vec<String> = r
            .grid(None)
            .expect("grid")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(ints, ["4", "5", "6", "7", "8"]);
        assert_eq!(r.grid(Some(q("3"))).expect("grid").len(), 2);
        let r = Range::new(q("0.1"), q("0.3")).expect("valid");
        let nums: Vec<String> = r
            .grid(Some(q("0.1")))
            .expect("grid")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(nums, ["0.1", "0.2", "0.3"]);
        let r = Range::new(q("\"150s\""), q("\"170s\"")).expect("valid");
        let d: Vec<String> = r
            .grid(Some(q("\"10s\"")))
            .expect("grid")
            .iter()
            .map(cell)
            .collect();
        assert_eq!(d, ["150s", "160s", "170s"]);
        assert_eq!(format_span(120_000), "2m");
        assert_eq!(format_span(1_500), "1500ms");
        assert_eq!(format_span(0), "0ms");
        assert_eq!(numeric(&toml::Value::String("2m".into())), Some(120.0));
    }

    #[test]
    fn bad_ranges_and_steps_say_why() {
        assert!(
            Range::new(q("5"), q("4"))
                .unwrap_err()
                .contains("above its high end")
        );
        assert!(
            Range::new(q("5"), q("\"4s\""))
                .unwrap_err()
                .contains("different kinds")
        );
        let rates = Range::new(q("\"1000/d\""), q("\"50/h\"")).expect("rates");
        let r: Vec<String> = rates
            .grid(Some(q("\"100/d\"")))
            .expect("grid")
            .iter()
            .map(cell)
            .collect();
        assert_eq!(r, ["1000/d", "1100/d", "1200/d"]);
        let r = Range::new(q("0.0"), q("1.0")).expect("valid");
        assert!(r.grid(None).unwrap_err().contains("needs a `step`"));
        assert!(r.grid(Some(q("0"))).unwrap_err().contains("above zero"));
        // Ends and steps beyond any number (a rate of 1e308/h is more
        // than f64 holds per day) never make a grid of no values.
        assert!(
            Quantity::read(&toml::Value::String("1e308/h".into()))
                .is_err_and(|e| e.contains("more trucks per day than a number can hold"))
        );
        let huge = Range::new(q("-1e308"), q("1e308")).expect("finite ends");
        assert!(huge.grid(Some(q("1e308"))).is_ok_and(|v| v.len() == 3));
        let e = huge.grid(Some(q("1e-300"))).unwrap_err();
        assert!(e.contains("more values than a number can count"), "{e}");
        assert!(
            Range::new(q("1.0"), q("1.0"))
                .is_ok_and(|r| r.grid(Some(q("1e308"))).is_ok_and(|v| v.len() == 1))
        );
        assert!(r.grid(Some(q("1e-9"))).unwrap_err().contains("limit"));
        let ints = Range::new(q("1"), q("3")).expect("valid");
        assert!(
            ints.grid(Some(q("0.5")))
                .unwrap_err()
                .contains("integer step")
        );
        assert!(Quantity::read(&toml::Value::Boolean(true)).is_err());
    }

    #[test]
    fn points_inside_a_range() {
        let r = Range::new(q("1"), q("3")).expect("valid");
        let cells: Vec<String> = [0.0, 0.34, 0.67, 1.0]
            .iter()
            .map(|&u| r.at(u).to_string())
            .collect();
        assert_eq!(cells, ["1", "2", "3", "3"]);
        let d = Range::new(q("\"1m\""), q("\"2m\"")).expect("valid");
        assert_eq!(cell(&d.at(0.5)), "90s");
        assert_eq!(
            (cell(&d.low()), cell(&d.high())),
            ("1m".to_owned(), "2m".to_owned())
        );
    }
}
