//! The header of a log: which column holds what.
//!
//! The plain layout's names are fixed (`truck`, `time`, `event`, `stage`,
//! optionally `lane` and `class`); a map renames them or replaces `event`
//! by a code column. Other columns are ignored. A header that does not
//! have what the layout needs is refused with the columns it does have
//! and a did-you-mean; a header that reads as one column holding `;`, tabs
//! or `|` is a file split by another delimiter, and the message says which
//! and how to read it (`--map` with `[csv] delimiter`).

use super::error::LogError;
use super::map::Layout;
use crate::scenario::toml_file::suggest;

/// Where the events come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventColumn {
    /// An `event` column with the plain names.
    Event(usize),
    /// A code column mapped by `[codes]`.
    Code(usize),
}

/// Column indices (0-based) of a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    /// Truck.
    pub truck: usize,
    /// Time.
    pub time: usize,
    /// Event or code.
    pub event: EventColumn,
    /// Stage, when present (required in the plain layout).
    pub stage: Option<usize>,
    /// Lane, when present.
    pub lane: Option<usize>,
    /// Class, when present.
    pub class: Option<usize>,
}

/// The delimiter a one-column header seems to use instead.
fn other_delimiter(header: &[String], delimiter: u8) -> Option<char> {
    let [only] = header else {
        return None;
    };
    [';', '\t', '|', ',']
        .into_iter()
        .filter(|&c| c as u32 != u32::from(delimiter))
        .find(|&c| only.contains(c))
}

fn show_delimiter(c: char) -> String {
    match c {
        '\t' => "\\t".to_owned(),
        c => c.to_string(),
    }
}

/// Resolves `header` against `layout`.
pub fn resolve(
    path: &std::path::Path,
    header: &[String],
    layout: &Layout,
) -> Result<Columns, LogError> {
    let fail = |message: String, help: Option<String>| LogError::Header {
        path: path.to_owned(),
        message,
        header: header.to_vec(),
        help,
    };
    if let Some(c) = other_delimiter(header, layout.delimiter) {
        let shown = show_delimiter(c);
        let read_with = show_delimiter(char::from(layout.delimiter));
        return Err(fail(
            format!(
                "the header is one column, `{}`: the file looks `{shown}`-separated, but it was read with `{read_with}`",
                header.join("")
            ),
            Some(format!(
                "give a map file, `--map MAP.toml`, holding `[csv]` and `delimiter = \"{shown}\"`"
            )),
        ));
    }
    let names: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    let find = |name: &str| names.iter().position(|h| *h == name);
    let need = |name: &str, key: &str| -> Result<usize, LogError> {
        find(name).ok_or_else(|| {
            let what = if layout.map.is_some() {
                format!("column `{name}` (the map's `{key}`)")
            } else {
                format!("column `{name}`")
            };
            let near = suggest(name, &names)
                .or_else(|| names.iter().copied().find(|h| h.eq_ignore_ascii_case(name)));
            let help = match near {
                Some(n) => format!("did you mean `{n}`? Column names are matched exactly"),
                None if layout.map.is_none() => "a log's header names `truck`, `time`, `event` and `stage` (and optionally `lane` and `class`); for other names give `--map MAP.toml` with a `[columns]` table (docs/event-log.md)".to_owned(),
                None => format!("the header has {}", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
            };
            fail(format!("the header has no {what}"), Some(help))
        })
    };
    let c = &layout.columns;
    let truck = need(&c.truck, "truck")?;
    let time = need(&c.time, "time")?;
    let event = match (&c.code, &c.event) {
        (Some(code), _) => EventColumn::Code(need(code, "code")?),
        (None, Some(event)) => EventColumn::Event(need(event, "event")?),
        (None, None) => EventColumn::Event(need("event", "event")?),
    };
    let stage = match event {
        // Codes may name the stage themselves; a stage column is needed
        // only by codes that do not (checked per row).
        EventColumn::Code(_) => find(&c.stage),
        EventColumn::Event(_) => Some(need(&c.stage, "stage")?),
    };
    Ok(Columns {
        truck,
        time,
        event,
        stage,
        lane: find(&c.lane),
        class: find(&c.class),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text: &str, delimiter: char) -> Vec<String> {
        text.split(delimiter).map(str::to_owned).collect()
    }

    #[test]
    fn the_plain_header_in_any_order_with_extra_columns() {
        let h = header("office,event,time,truck,stage,lane", ',');
        let c = resolve(std::path::Path::new("l.csv"), &h, &Layout::plain()).unwrap();
        assert_eq!(
            (c.truck, c.time, c.stage, c.lane, c.class),
            (3, 2, Some(4), Some(5), None)
        );
        assert_eq!(c.event, EventColumn::Event(1));
    }

    #[test]
    fn a_semicolon_file_read_with_commas_is_named() {
        let h = header("truck;time;event;stage", ',');
        let e = resolve(std::path::Path::new("l.csv"), &h, &Layout::plain())
            .unwrap_err()
            .to_string();
        assert!(e.contains("`;`-separated"), "{e}");
        assert!(e.contains("delimiter = \";\""), "{e}");
        assert!(e.contains("row 1"), "{e}");
    }

    #[test]
    fn a_missing_column_gets_a_suggestion() {
        let h = header("truck,time,evnt,stage", ',');
        let e = resolve(std::path::Path::new("l.csv"), &h, &Layout::plain())
            .unwrap_err()
            .to_string();
        assert!(e.contains("the header has no column `event`"), "{e}");
        assert!(e.contains("did you mean `evnt`?"), "{e}");
    }
}
