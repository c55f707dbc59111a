//! The reports of `portsim calibrate`: JSON for programs, a table for
//! people, an HTML page with the charts, saying the same things.
//!
//! Calibration produces data only ([`Calibration`]); these turn it into
//! text. The JSON keys are fixed by the issue (independent checks depend
//! on them) and listed in `docs/event-log.md`.

pub mod html;
pub mod json;
pub mod table;

pub use json::calibration as json;
pub use table::calibration as table;

use crate::calibrate::Calibration;

/// The file names of a `calibrate --out DIR` set, in order (the manifest
/// comes last, written by the set).
pub const SET: &[&str] = &[
    "calibrated.toml",
    "calibration.json",
    "calibration.txt",
    "calibrate.html",
];

/// The files of the `--out` set.
pub fn set_files(cal: &Calibration) -> Vec<(&'static str, Vec<u8>)> {
    let json = serde_json::to_string_pretty(&json::calibration(cal)).unwrap_or_default() + "\n";
    vec![
        ("calibrated.toml", cal.scenario_text.clone().into_bytes()),
        ("calibration.json", json.into_bytes()),
        ("calibration.txt", table::calibration(cal).into_bytes()),
        ("calibrate.html", html::page(cal).into_bytes()),
    ]
}

/// A stage's opening hours in words: "round the clock", or its `open`
/// ranges ("all day" without) followed by `on` and its days joined by
/// `sep`; the table and the page differ only in those two.
fn hours_words(h: &crate::calibrate::hours::Hours, on: &str, sep: &str) -> String {
    match (&h.open, &h.days) {
        (None, None) => "round the clock".to_owned(),
        (open, days) => {
            let o = open
                .as_ref()
                .map_or_else(|| "all day".to_owned(), |o| o.join(" "));
            match days {
                Some(d) => format!("{o}{on}{}", d.join(sep)),
                None => o,
            }
        }
    }
}
