//! The regression gate's notes in words: `experiment::gate` decides and
//! keeps the numbers behind each decision (`Note`); this file says them,
//! amounts in the units `run` shows (the table once read `4.2 d` while
//! the note said `[+153500, +166700] s`). Every format of `check` (table,
//! JSON, JUnit, GitHub annotations, the step summary) prints this text.

use std::fmt;

use crate::experiment::gate::Note;

use super::format::change_interval;

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::None => Ok(()),
            Note::Unchanged => f.write_str("unchanged"),
            Note::NoSamplesHere => f.write_str("no samples in this run"),
            Note::NoSamplesInBaseline => f.write_str("no samples in the baseline"),
            Note::NoPairedSamples => f.write_str("no paired samples"),
            Note::NotFinite { what, value } => write!(
                f,
                "cannot be decided: {what} is {value}, not a finite number; failing closed"
            ),
            Note::Beyond {
                worse,
                tolerance,
                ci,
                unit,
                currency,
            } => {
                let ci = ci.map(|ci| change_interval(ci, *unit, currency));
                write!(
                    f,
                    "{} (tolerance {tolerance}); the 95% CI of the change, {}, excludes zero",
                    direction(*worse),
                    ci.unwrap_or_default()
                )
            }
            Note::Within { worse, tolerance } => {
                write!(f, "{} within the {tolerance} tolerance", direction(*worse))
            }
            Note::NotSignificant {
                worse,
                ci,
                unit,
                currency,
            } => {
                let ci = ci.map(|ci| change_interval(ci, *unit, currency));
                write!(
                    f,
                    "{}, not significant: the 95% CI of the change, {}, includes zero",
                    direction(*worse),
                    ci.unwrap_or_default()
                )
            }
        }
    }
}

fn pct(fraction: f64) -> String {
    if fraction.is_infinite() {
        "more than any tolerance (the baseline is zero)".to_owned()
    } else {
        format!("{:.1}%", fraction * 100.0)
    }
}

fn direction(worse: f64) -> String {
    if worse > 0.0 {
        format!("worse by {}", pct(worse))
    } else if worse < 0.0 {
        format!("better by {}", pct(-worse))
    } else {
        "no change".to_owned()
    }
}
