//! Collecting problems, and the checks every scenario value goes through.
//!
//! Validation never stops at the first mistake: each check records an
//! [`Issue`] (a span in the merged document and a message) and returns
//! `None`, and the caller carries on with the other keys. Only at the end
//! are issues mapped back to the file they came from. The helpers here are
//! the value-level checks shared by every table: required keys, fractions,
//! non-negative numbers, integer ranges, durations, time ranges, weekdays.

use std::ops::Range;

use super::error::compact;
use super::raw::{DurationText, Int, RangeText, RawDays, S, WeekdayText};
use super::units::{self, TimeRange};
use crate::engine::time::Span;

/// `x` percent as a fraction, the way a scenario would write it: 30 →
/// `0.30`, 12.5 → `0.125`.
fn percent_as_fraction(x: f64) -> String {
    let f = x / 100.0;
    let short = format!("{f:.2}");
    if short.parse::<f64>() == Ok(f) {
        short
    } else {
        format!("{f}")
    }
}

/// One problem, located in the merged document.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Issue {
    /// Byte range in the merged document, if known.
    pub span: Option<Range<usize>>,
    /// What is wrong.
    pub message: String,
    /// Printed under the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Issue {
    /// Sets the note under the caret.
    pub fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
}

/// Issues found so far.
#[derive(Debug, Default)]
pub(super) struct Issues {
    /// In the order found.
    pub list: Vec<Issue>,
}

impl Issues {
    /// Records a problem at `span`.
    pub fn push(&mut self, span: Option<Range<usize>>, message: impl Into<String>) -> &mut Issue {
        self.list.push(Issue {
            span,
            message: message.into(),
            label: None,
            help: None,
        });
        let last = self.list.len() - 1;
        &mut self.list[last]
    }

    /// Records a problem with the value `v`.
    pub fn at<T>(&mut self, v: &S<T>, message: impl Into<String>) -> &mut Issue {
        self.push(Some(v.span()), message)
    }

    /// The value of a required key, or an issue at `table` (the span of
    /// the enclosing table, if any) saying it is missing.
    pub fn required<'a, T>(
        &mut self,
        value: &'a Option<S<T>>,
        key: &str,
        place: &str,
        table: Option<Range<usize>>,
    ) -> Option<&'a S<T>> {
        if value.is_none() {
            self.push(table, format!("missing key `{key}` {place}"));
        }
        value.as_ref()
    }

    /// A number in [0, 1].
    pub fn fraction(&mut self, v: &S<f64>, key: &str) -> Option<f64> {
        let x = *v.get_ref();
        if x.is_finite() && (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            let issue = self.at(
                v,
                format!("`{key}` must be between 0 and 1, found {}", compact(x)),
            );
            if x > 1.0 && x <= 100.0 {
                issue.label(format!(
                    "did you mean {}? (a share is a fraction: {x}% is {})",
                    percent_as_fraction(x),
                    percent_as_fraction(x)
                ));
            }
            None
        }
    }

    /// A finite number, zero or more.
    pub fn non_negative(&mut self, v: &S<f64>, key: &str) -> Option<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x >= 0.0 {
            Some(x)
        } else {
            self.at(
                v,
                format!(
                    "`{key}` must be a number of at least 0, found {}",
                    compact(x)
                ),
            );
            None
        }
    }

    /// A finite amount of money in `[0, MAX_MONEY]`.
    pub fn money(&mut self, v: &S<f64>, key: &str) -> Option<f64> {
        let x = *v.get_ref();
        let max = super::limits::MAX_MONEY;
        if x.is_finite() && (0.0..=max).contains(&x) {
            Some(x)
        } else {
            self.at(
                v,
                format!(
                    "`{key}` must be an amount between 0 and {max:e} (1,000,000,000), found {}",
                    compact(x)
                ),
            );
            None
        }
    }

    /// An integer in `[min, max]`.
    pub fn int(&mut self, v: &S<Int>, key: &str, min: i128, max: i128) -> Option<i128> {
        let x = v.get_ref().0;
        if x < min {
            self.at(v, format!("`{key}` must be at least {min}, found {x}"));
            None
        } else if x > max {
            self.at(v, format!("`{key}` must be at most {max}, found {x}"));
            None
        } else {
            Some(x)
        }
    }

    /// An integer that fits a `u32` and is at least `min`.
    pub fn count(&mut self, v: &S<Int>, key: &str, min: u32) -> Option<u32> {
        let x = self.int(v, key, i128::from(min), i128::from(u32::MAX))?;
        u32::try_from(x).ok()
    }

    /// A duration of zero or more, in ticks.
    pub fn duration(&mut self, v: &S<DurationText>, key: &str) -> Option<Span> {
        let text = &v.get_ref().0;
        match units::span(text) {
            Ok(ticks) => Some(ticks),
            Err(message) => {
                let label = match units::text_hint(text, key) {
                    Some(hint) => format!("`{key}`: {hint}"),
                    None => format!("`{key}`"),
                };
                self.at(v, message).label(label);
                None
            }
        }
    }

    /// A duration longer than zero, in ticks.
    pub fn positive_duration(&mut self, v: &S<DurationText>, key: &str) -> Option<Span> {
        let ticks = self.duration(v, key)?;
        if ticks == 0 {
            let text = &v.get_ref().0;
            self.at(
                v,
                format!("`{key}` must be longer than zero, found \"{text}\""),
            );
            return None;
        }
        Some(ticks)
    }

    /// A time range "HH:MM-HH:MM".
    pub fn range(&mut self, v: &S<RangeText>) -> Option<TimeRange> {
        units::time_range(&v.get_ref().0)
            .map_err(|message| self.at(v, message))
            .ok()
    }

    /// A weekday, Monday = 0.
    pub fn weekday(&mut self, v: &S<WeekdayText>) -> Option<u8> {
        let text = &v.get_ref().0;
        match units::weekday(text) {
            Ok(day) => Some(day),
            Err(message) => {
                let issue = self.at(v, message);
                if let Some(near) = super::error::did_you_mean(text, &units::WEEKDAYS) {
                    issue.label(format!("did you mean \"{near}\"?"));
                }
                None
            }
        }
    }

    /// A list of weekdays as a mask, Monday first.
    pub fn days(&mut self, v: &RawDays) -> Option<[bool; 7]> {
        let mut mask = [false; 7];
        let mut ok = true;
        for day in v.get_ref() {
            match self.weekday(day) {
                Some(d) => mask[usize::from(d)] = true,
                None => ok = false,
            }
        }
        if ok && !mask.contains(&true) {
            self.at(
                v,
                "the list of days is empty; expected weekdays like [\"mon\", \"tue\"]",
            );
            return None;
        }
        ok.then_some(mask)
    }

    /// A list of time ranges.
    pub fn ranges(&mut self, v: &S<Vec<S<RangeText>>>) -> Option<Vec<TimeRange>> {
        let parsed: Vec<Option<TimeRange>> = v.get_ref().iter().map(|r| self.range(r)).collect();
        let ranges: Option<Vec<TimeRange>> = parsed.into_iter().collect();
        let ranges = ranges?;
        if ranges.is_empty() {
            self.at(
                v,
                "the list of hours is empty; expected time ranges like [\"08:00-20:00\"]",
            );
            return None;
        }
        Some(ranges)
    }
}

/// An optional integer key: `Some(None)` when absent, `None` when invalid.
pub(super) fn optional_count(
    issues: &mut Issues,
    v: &Option<S<Int>>,
    key: &str,
    min: u32,
) -> Option<Option<u32>> {
    match v {
        None => Some(None),
        Some(v) => issues.count(v, key, min).map(Some),
    }
}
