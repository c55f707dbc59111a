//! `--map MAP.toml`: how a log in another layout is read.
//!
//! Customs and gate extracts rarely have portsim's column names. A map
//! file says which of the log's columns hold the truck, the time, the
//! event and the stage, the delimiter, the time format, and, for extracts
//! with one operation-code column, which codes are which milestones. The
//! keys are fixed (the issue and `docs/event-log.md` list them); a key
//! left out keeps the plain layout's name. Every mistake in the file is
//! reported with its line and column, like a scenario's.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_spanned::Spanned;

use super::row::Event;
use super::time::TimeFormat;
use crate::scenario::toml_file::{TomlFile, one_of, suggest};
use crate::scenario::{Diagnostic, ScenarioError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    csv: Option<RawCsv>,
    columns: Option<RawColumns>,
    time: Option<RawTime>,
    codes: Option<BTreeMap<String, Spanned<RawCode>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCsv {
    delimiter: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumns {
    truck: Option<Spanned<String>>,
    time: Option<Spanned<String>>,
    event: Option<Spanned<String>>,
    stage: Option<Spanned<String>>,
    code: Option<Spanned<String>>,
    lane: Option<Spanned<String>>,
    class: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTime {
    format: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    event: Spanned<String>,
    stage: Option<Spanned<String>>,
}

/// What one value of the code column stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    /// The event.
    pub event: Event,
    /// The stage, when the code names one (otherwise the `stage` column
    /// gives it).
    pub stage: Option<String>,
}

/// The column names of a layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnNames {
    /// The truck column.
    pub truck: String,
    /// The time column.
    pub time: String,
    /// The event column (`None` when a code column names events).
    pub event: Option<String>,
    /// The stage column.
    pub stage: String,
    /// The code column, mapped by `[codes]`.
    pub code: Option<String>,
    /// The lane column (optional in the log).
    pub lane: String,
    /// The class column (optional in the log).
    pub class: String,
}

impl Default for ColumnNames {
    fn default() -> Self {
        ColumnNames {
            truck: "truck".into(),
            time: "time".into(),
            event: Some("event".into()),
            stage: "stage".into(),
            code: None,
            lane: "lane".into(),
            class: "class".into(),
        }
    }
}

/// A layout: the plain one, or what a map file says.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The map file, if any.
    pub map: Option<std::path::PathBuf>,
    /// The field delimiter.
    pub delimiter: u8,
    /// Column names.
    pub columns: ColumnNames,
    /// The time format.
    pub time: TimeFormat,
    /// Codes (trimmed) → milestones, in map mode with a code column.
    pub codes: BTreeMap<String, Code>,
}

impl Layout {
    /// The plain layout of `docs/event-log.md`.
    pub fn plain() -> Layout {
        Layout {
            map: None,
            delimiter: b',',
            columns: ColumnNames::default(),
            time: TimeFormat::Iso,
            codes: BTreeMap::new(),
        }
    }

    /// Reads a map file.
    pub fn read(path: &Path) -> Result<Layout, ScenarioError> {
        let file = TomlFile::read(path)?;
        let raw: RawMap = file.decode()?;
        let mut errors = Vec::new();
        let layout = build(&file, raw, &mut errors);
        if errors.is_empty() {
            Ok(layout)
        } else {
            Err(ScenarioError::Invalid(errors))
        }
    }
}

fn build(file: &TomlFile, raw: RawMap, errors: &mut Vec<Diagnostic>) -> Layout {
    let mut layout = Layout::plain();
    layout.map = Some(file.path.clone());
    let at = |v: &Spanned<String>, msg: String, help: Option<String>| Diagnostic {
        help,
        ..file.error(Some(v.span()), msg)
    };
    if let Some(d) = raw.csv.and_then(|c| c.delimiter) {
        match delimiter(d.get_ref()) {
            Some(b) => layout.delimiter = b,
            None => errors.push(at(
                &d,
                format!("invalid delimiter `{}`", d.get_ref()),
                Some("the delimiter is one character, such as \",\", \";\", \"|\" or \"\\t\" (a tab)".into()),
            )),
        }
    }
    let mut code_span = None;
    if let Some(c) = raw.columns {
        let take = |v: Option<Spanned<String>>, into: &mut String| {
            if let Some(v) = v {
                *into = v.into_inner().trim().to_owned();
            }
        };
        take(c.truck, &mut layout.columns.truck);
        take(c.time, &mut layout.columns.time);
        take(c.stage, &mut layout.columns.stage);
        take(c.lane, &mut layout.columns.lane);
        take(c.class, &mut layout.columns.class);
        if let Some(e) = c.event {
            layout.columns.event = Some(e.into_inner().trim().to_owned());
        }
        if let Some(code) = c.code {
            code_span = Some(code.span());
            layout.columns.code = Some(code.get_ref().trim().to_owned());
            if layout.columns.event.as_deref() == Some("event") {
                // The code column names events; an `event` key was not given.
                layout.columns.event = None;
            }
        }
    }
    if let Some(f) = raw.time.and_then(|t| t.format) {
        match TimeFormat::strftime(f.get_ref()) {
            Ok(t) => layout.time = t,
            Err(m) => errors.push(at(
                &f,
                m,
                Some("chrono's strftime syntax: `%Y-%m-%d %H:%M:%S`, `%d/%m/%Y %H:%M`, …".into()),
            )),
        }
    }
    match (raw.codes, code_span) {
        (Some(codes), Some(_)) => {
            for (name, code) in codes {
                let span = code.span();
                let code = code.into_inner();
                let Some(event) = Event::parse(code.event.get_ref()) else {
                    let names = Event::names();
                    let mut d = at(
                        &code.event,
                        format!("unknown event `{}` for code `{name}`", code.event.get_ref()),
                        Some(format!("an event is one of {}", one_of(&names))),
                    );
                    d.label = suggest(code.event.get_ref(), &names)
                        .map(|s| format!("did you mean `{s}`?"));
                    errors.push(d);
                    continue;
                };
                let stage = code.stage.map(|s| s.into_inner().trim().to_owned());
                if stage.is_some() && !event.at_stage() {
                    errors.push(file.error(
                        Some(span),
                        format!(
                            "code `{name}` gives a stage to `{}`, which happens at no stage",
                            event.name()
                        ),
                    ));
                    continue;
                }
                layout
                    .codes
                    .insert(name.trim().to_owned(), Code { event, stage });
            }
        }
        (Some(_), None) => errors.push(file.error(
            None,
            "`[codes]` is given but `[columns]` names no `code` column".to_owned(),
        )),
        (None, Some(span)) => errors.push(Diagnostic {
            help: Some(
                "list the codes that are milestones, e.g. `GATE_IN = { event = \"arrive\" }`"
                    .into(),
            ),
            ..file.error(
                Some(span),
                "a `code` column needs a `[codes]` table".to_owned(),
            )
        }),
        (None, None) => {}
    }
    layout
}

/// A one-character delimiter (`\t` and `tab` for a tab).
fn delimiter(text: &str) -> Option<u8> {
    match text {
        "\\t" | "tab" | "\t" => Some(b'\t'),
        t if t.len() == 1 && t.is_ascii() && t != "\"" && t != "\n" && t != "\r" => {
            t.bytes().next()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Layout, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("map.toml");
        std::fs::write(&path, text).unwrap();
        Layout::read(&path).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_map_is_read() {
        let l = read(
            "[csv]\ndelimiter = \";\"\n[columns]\ntruck = \"VEHICLE\"\ntime = \"T\"\ncode = \"OP\"\nlane = \"DESK\"\n[time]\nformat = \"%d/%m/%Y %H:%M\"\n[codes]\nGATE_IN = { event = \"arrive\" }\nDOC = { event = \"start\", stage = \"documents\" }\n",
        )
        .unwrap();
        assert_eq!(l.delimiter, b';');
        assert_eq!(l.columns.truck, "VEHICLE");
        assert_eq!(l.columns.event, None);
        assert_eq!(l.columns.code.as_deref(), Some("OP"));
        assert_eq!(l.codes["DOC"].stage.as_deref(), Some("documents"));
        assert_eq!(l.codes["GATE_IN"].event, Event::Arrive);
    }

    #[test]
    fn mistakes_are_located() {
        let e = read("[csv]\ndelimiter = \";;\"\n[time]\nformat = \"%d/%m/%Y\"\n").unwrap_err();
        assert!(e.contains("invalid delimiter `;;`"), "{e}");
        assert!(e.contains("map.toml:2:13"), "{e}");
        assert!(e.contains("date and a time of day"), "{e}");
        let e = read("[columns]\ncode = \"OP\"\n[codes]\nX = { event = \"strat\" }\n").unwrap_err();
        assert!(e.contains("unknown event `strat`"), "{e}");
        assert!(e.contains("did you mean `start`?"), "{e}");
        let e = read("[colums]\n").unwrap_err();
        assert!(e.contains("did you mean `columns`?"), "{e}");
        let e = read("[columns]\ncode = \"OP\"\n").unwrap_err();
        assert!(e.contains("needs a `[codes]` table"), "{e}");
    }
}
