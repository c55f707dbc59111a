//! Reading a truck event log: one CSV row per milestone, streamed into
//! compact rows.
//!
//! The log is read record by record through the `csv` crate over a file
//! opened by [`source`] (regular files only, never blocking); only the
//! compact [`Row`]s are kept (ids and seconds, 24 bytes a row), so memory
//! grows with the number of rows but not with the text of the file. At
//! the end the rows are sorted by truck, time and event, the order the
//! reconstruction (and the forecast's state) walks them in.
//!
//! Every mistake is located (file, row, column, the row shown) and the
//! reading goes on, so one run reports the first [`error::MAX_SHOWN`]
//! mistakes and counts the rest; a log with any mistake gives no rows.
//! Values of a code column that the map does not list are not mistakes:
//! an extract holds operations that are not milestones, so they are
//! counted and reported once as a warning.
//!
//! The layout (`map`), the header (`columns`), the times (`time`) and the
//! rows (`row`) each have their module.

pub mod columns;
pub mod error;
pub mod map;
pub mod row;
pub mod source;
pub mod time;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use columns::{Columns, EventColumn};
pub use error::{LogError, RowProblem};
pub use map::Layout;
pub use row::{Event, NONE, Names, Row};

use crate::scenario::toml_file::{one_of, suggest};
use error::MAX_SHOWN;

/// Stages a scenario may hold.
pub const MAX_STAGES: usize = 64;
/// Classes a scenario may hold.
pub const MAX_CLASSES: usize = 64;
/// The event a trace writes for a booked truck that did not come: read,
/// counted and left out (the truck never reached the port).
pub const NO_SHOW: &str = "no_show";
/// Distinct unknown codes remembered by name (the rest are counted).
const MAX_CODES_NAMED: usize = 1000;

/// A log read into memory as compact rows.
#[derive(Clone, Debug)]
pub struct Log {
    /// The file.
    pub path: PathBuf,
    /// The rows used, sorted by [`Row::key`].
    pub rows: Vec<Row>,
    /// Truck identifiers.
    pub trucks: Names,
    /// Stage names, in the order first seen.
    pub stages: Names,
    /// Lane names.
    pub lanes: Names,
    /// Class names.
    pub classes: Names,
    /// Whether the log has a lane column.
    pub has_lane: bool,
    /// Whether the log has a class column (with any value in it).
    pub has_class: bool,
    /// The time resolution, seconds: 60 when every time is on a whole
    /// minute, else 1.
    pub resolution_s: i64,
    /// Data rows read (the header not counted).
    pub rows_read: u64,
    /// Rows whose code the map does not list, by code.
    pub unknown_codes: BTreeMap<String, u64>,
    /// Rows with an unknown code in all (including codes not named).
    pub unknown_code_rows: u64,
    /// `no_show` rows (a booked truck that did not come, as `run --trace`
    /// writes them): not a milestone at the port, counted and left out.
    pub no_show_rows: u64,
}

impl Log {
    /// The first row's time.
    pub fn start(&self) -> i64 {
        self.rows.iter().map(|r| r.time).min().unwrap_or(0)
    }

    /// The last row's time: when the log closes.
    pub fn end(&self) -> i64 {
        self.rows.iter().map(|r| r.time).max().unwrap_or(0)
    }

    /// What a reader should know (codes that are not milestones).
    pub fn warnings(&self) -> Vec<String> {
        if self.unknown_code_rows == 0 {
            return Vec::new();
        }
        let mut codes: Vec<(&String, &u64)> = self.unknown_codes.iter().collect();
        codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = codes
            .iter()
            .take(8)
            .map(|(c, n)| format!("`{c}` ({n})"))
            .collect();
        let more = if codes.len() > 8 {
            format!(" and {} more", codes.len() - 8)
        } else {
            String::new()
        };
        vec![format!(
            "{} row(s) of `{}` have a code the map does not list and were ignored: {}{more}",
            self.unknown_code_rows,
            self.path.display(),
            shown.join(", ")
        )]
    }
}

/// Reads the log at `path` in `layout`.
pub fn read(path: &Path, layout: &Layout) -> Result<Log, LogError> {
    let file = source::open(path).map_err(|source| LogError::Open {
        path: path.to_owned(),
        source,
    })?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    read_from(path, reader, layout)
}

/// Reads a log from `input` (named `path` in messages).
pub fn read_from(path: &Path, input: impl std::io::Read, layout: &Layout) -> Result<Log, LogError> {
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let csv_error = |e: csv::Error| {
        let row = e.position().map_or(0, |p| p.line());
        LogError::Csv {
            path: path.to_owned(),
            row,
            message: match e.kind() {
                csv::ErrorKind::Utf8 { .. } => {
                    "the row is not valid UTF-8 text; save the log as UTF-8".to_owned()
                }
                _ => e.to_string(),
            },
        }
    };
    let mut record = csv::StringRecord::new();
    if !csv.read_record(&mut record).map_err(csv_error)? {
        return Err(LogError::Empty {
            path: path.to_owned(),
            message: "the file is empty; a log starts with a header row".into(),
        });
    }
    let header: Vec<String> = record
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let columns = columns::resolve(path, &header, layout)?;
    let mut reader = Reader {
        layout,
        columns,
        header,
        log: Log {
            path: path.to_owned(),
            rows: Vec::new(),
            trucks: Names::default(),
            stages: Names::default(),
            lanes: Names::default(),
            classes: Names::default(),
            has_lane: columns.lane.is_some(),
            has_class: false,
            resolution_s: 60,
            rows_read: 0,
            unknown_codes: BTreeMap::new(),
            unknown_code_rows: 0,
            no_show_rows: 0,
        },
        problems: Vec::new(),
        total: 0,
        any_second: false,
    };
    while csv.read_record(&mut record).map_err(csv_error)? {
        let row = record.position().map_or(0, |p| p.line());
        reader.log.rows_read += 1;
        reader.row(row, &record);
    }
    reader.finish()
}

struct Reader<'a> {
    layout: &'a Layout,
    columns: Columns,
    header: Vec<String>,
    log: Log,
    problems: Vec<RowProblem>,
    total: u64,
    any_second: bool,
}

/// A mistake found in a field, before it is located.
struct Problem {
    column: usize,
    message: String,
    label: Option<String>,
    help: Option<String>,
}

fn problem(column: usize, message: String) -> Problem {
    Problem {
        column,
        message,
        label: None,
        help: None,
    }
}

impl Reader<'_> {
    fn row(&mut self, line: u64, record: &csv::StringRecord) {
        match self.parse(record) {
            Ok(Some(row)) => self.log.rows.push(row),
            Ok(None) => {}
            Err(p) => {
                self.total += 1;
                if self.problems.len() < MAX_SHOWN {
                    self.problems.push(RowProblem {
                        row: line,
                        column: p.column + 1,
                        column_name: self.header.get(p.column).cloned().unwrap_or_default(),
                        message: p.message,
                        fields: record.iter().map(str::to_owned).collect(),
                        label: p.label,
                        help: p.help,
                    });
                }
            }
        }
    }

    fn field<'r>(&self, record: &'r csv::StringRecord, column: usize) -> Result<&'r str, Problem> {
        record.get(column).map(str::trim).ok_or_else(|| {
            problem(
                column,
                format!(
                    "the row has {} field(s), so column {} is missing",
                    record.len(),
                    column + 1
                ),
            )
        })
    }

    /// The row as ids, `None` for a row to ignore (an unknown code).
    fn parse(&mut self, record: &csv::StringRecord) -> Result<Option<Row>, Problem> {
        let c = self.columns;
        let (event, code_stage) = match c.event {
            EventColumn::Event(i) => {
                let text = self.field(record, i)?;
                match Event::parse(text) {
                    Some(e) => (e, None),
                    None if text.eq_ignore_ascii_case(NO_SHOW) => {
                        self.log.no_show_rows += 1;
                        return Ok(None);
                    }
                    None => return Err(unknown_event(i, text)),
                }
            }
            EventColumn::Code(i) => {
                let text = self.field(record, i)?;
                match self.layout.codes.get(text) {
                    Some(code) => (code.event, code.stage.clone()),
                    None => {
                        self.log.unknown_code_rows += 1;
                        if self.log.unknown_codes.len() < MAX_CODES_NAMED
                            || self.log.unknown_codes.contains_key(text)
                        {
                            *self.log.unknown_codes.entry(text.to_owned()).or_insert(0) += 1;
                        }
                        return Ok(None);
                    }
                }
            }
        };
        let truck = self.field(record, c.truck)?;
        if truck.is_empty() {
            return Err(problem(
                c.truck,
                "the truck is empty; every row names its truck".into(),
            ));
        }
        let time_text = self.field(record, c.time)?;
        let Some(time) = self.layout.time.parse(time_text) else {
            return Err(self.bad_time(c.time, time_text));
        };
        let stage = if event.at_stage() {
            let name = match (code_stage, c.stage) {
                (Some(s), _) => s,
                (None, Some(i)) => self.field(record, i)?.to_owned(),
                (None, None) => {
                    return Err(problem(
                        c.event_index(),
                        format!(
                            "a `{}` row needs a stage: the map's code gives none and the log has no stage column",
                            event.name()
                        ),
                    ));
                }
            };
            if name.is_empty() {
                return Err(problem(
                    c.stage.unwrap_or(c.event_index()),
                    format!(
                        "the stage is empty; a `{}` row names its stage",
                        event.name()
                    ),
                ));
            }
            self.log.stages.intern(&name)
        } else {
            NONE
        };
        let optional = |names: &mut Names, column: Option<usize>| -> u32 {
            match column.and_then(|i| record.get(i)).map(str::trim) {
                Some(t) if !t.is_empty() => names.intern(t),
                _ => NONE,
            }
        };
        let lane = optional(&mut self.log.lanes, c.lane);
        let class = optional(&mut self.log.classes, c.class);
        self.any_second |= time.rem_euclid(60) != 0;
        Ok(Some(Row {
            time,
            truck: self.log.trucks.intern(truck),
            stage,
            lane,
            class: u16::try_from(class).unwrap_or(u16::MAX),
            event,
        }))
    }

    fn bad_time(&self, column: usize, text: &str) -> Problem {
        let mut p = problem(
            column,
            format!("`{text}` is not {}", self.layout.time.expected()),
        );
        if self.layout.map.is_none() {
            p.help = Some(if text.contains('/') || text.contains('.') {
                "a log in another time format needs `--map MAP.toml` with `[time]` and, for this one, something like `format = \"%d/%m/%Y %H:%M\"` (chrono's strftime syntax)".to_owned()
            } else {
                "write times as `2025-03-10T08:15` or `2025-03-10 08:15:00`, or give their format in a map file (`--map`, `[time] format`)".to_owned()
            });
        }
        p
    }

    fn finish(mut self) -> Result<Log, LogError> {
        let path = self.log.path.clone();
        if self.total > 0 {
            return Err(LogError::Rows {
                path,
                delimiter: char::from(self.layout.delimiter),
                problems: self.problems,
                total: self.total,
            });
        }
        if self.log.rows.is_empty() {
            let message = if self.log.unknown_code_rows > 0 {
                format!(
                    "none of its {} row(s) has a code the map lists as a milestone",
                    self.log.rows_read
                )
            } else {
                "it has a header but no rows".to_owned()
            };
            return Err(LogError::Empty { path, message });
        }
        if self.log.stages.len() > MAX_STAGES || self.log.classes.len() > MAX_CLASSES {
            return Err(LogError::Empty {
                path,
                message: format!(
                    "it names {} stages and {} classes; a scenario holds at most {MAX_STAGES} of each",
                    self.log.stages.len(),
                    self.log.classes.len()
                ),
            });
        }
        self.log.has_class = !self.log.classes.is_empty();
        self.log.resolution_s = if self.any_second { 1 } else { 60 };
        self.log.rows.sort_unstable_by_key(Row::key);
        Ok(self.log)
    }
}

impl Columns {
    fn event_index(&self) -> usize {
        match self.event {
            EventColumn::Event(i) | EventColumn::Code(i) => i,
        }
    }
}

fn unknown_event(column: usize, text: &str) -> Problem {
    let names = Event::names();
    let mut p = problem(column, format!("unknown event `{text}`"));
    p.help = Some(format!("an event is one of {}", one_of(&names)));
    p.label = suggest(&text.to_ascii_lowercase(), &names).map(|s| format!("did you mean `{s}`?"));
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Log, String> {
        read_from(Path::new("log.csv"), text.as_bytes(), &Layout::plain())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn rows_are_interned_sorted_and_the_resolution_found() {
        let log = read_text(
            "truck,time,event,stage,lane\nB,2025-03-10T08:20,start,docs,d1\nA,2025-03-10T08:15,arrive,,\nA,2025-03-10 08:16,start,docs,d2\n",
        )
        .unwrap();
        assert_eq!(log.rows_read, 3);
        assert_eq!(log.rows.len(), 3);
        // Sorted by truck (ids in the order first seen: B, A), then time.
        assert_eq!(log.trucks.name(log.rows[0].truck), "B");
        assert_eq!(log.trucks.name(log.rows[1].truck), "A");
        assert_eq!(log.rows[1].event, Event::Arrive);
        assert_eq!(log.rows[1].stage, NONE);
        assert_eq!(log.rows[2].event, Event::Start);
        assert_eq!(log.stages.len(), 1);
        assert_eq!(log.lanes.len(), 2);
        assert!(log.has_lane && !log.has_class);
        assert_eq!(log.resolution_s, 60);
        let log = read_text("truck,time,event,stage\nA,2025-03-10T08:15:07,arrive,\n").unwrap();
        assert_eq!(log.resolution_s, 1);
    }

    #[test]
    fn every_mistake_is_located() {
        let e = read_text(
            "truck,time,event,stage\nA,2025-03-10T08:15,strat,docs\nB,10/03/2025 08:15,arrive,\nC,2025-03-10T08:15,start,\n,2025-03-10T08:15,arrive,\n",
        )
        .unwrap_err();
        assert!(
            e.contains("row 2, column 3 (`event`): unknown event `strat`"),
            "{e}"
        );
        assert!(e.contains("did you mean `start`?"), "{e}");
        assert!(
            e.contains("row 3, column 2 (`time`): `10/03/2025 08:15` is not an ISO 8601"),
            "{e}"
        );
        assert!(
            e.contains("format = \\\"%d/%m/%Y %H:%M\\\"")
                || e.contains("format = \"%d/%m/%Y %H:%M\""),
            "{e}"
        );
        assert!(
            e.contains("row 4, column 4 (`stage`): the stage is empty"),
            "{e}"
        );
        assert!(e.contains("row 5, column 1 (`truck`)"), "{e}");
        assert!(e.contains("has 4 mistake(s)"), "{e}");
    }

    #[test]
    fn empty_logs_are_refused() {
        assert!(read_text("").unwrap_err().contains("empty"));
        assert!(
            read_text("truck,time,event,stage\n")
                .unwrap_err()
                .contains("no rows")
        );
    }
}
