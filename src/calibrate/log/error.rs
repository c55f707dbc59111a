//! What is wrong with a log, said with its file, row and column.
//!
//! Every mistake names the log, the row (counting the header as row 1, as
//! a spreadsheet shows it), the column by number and by name, what was
//! expected and, where it helps, a suggestion; the row's own text is shown
//! with a caret under the field. Up to [`MAX_SHOWN`] mistakes are shown at
//! once, so a planner fixing an extract sees its pattern, and the rest are
//! counted.

use std::fmt;
use std::path::PathBuf;

use crate::scenario::ScenarioError;
use crate::store::read::ReadError;

/// Mistakes shown in full; the others are counted.
pub const MAX_SHOWN: usize = 20;

/// One mistake in one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based row (the header is row 1).
    pub row: u64,
    /// 1-based column.
    pub column: usize,
    /// The column's name in the header.
    pub column_name: String,
    /// What is wrong, in lower case.
    pub message: String,
    /// The row's fields, to show it.
    pub fields: Vec<String>,
    /// A note under the caret (a did-you-mean).
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

/// Why a log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The log cannot be opened or is not a regular file.
    #[error("error: cannot read the log `{}`: {source}", path.display())]
    Open {
        /// The log.
        path: PathBuf,
        /// Why.
        source: ReadError,
    },
    /// The map file is wrong.
    #[error("{0}")]
    Map(ScenarioError),
    /// The file is not CSV as configured (a quote left open, a row that is
    /// not UTF-8, a read error).
    #[error("error: `{}`, row {row}: {message}", path.display())]
    Csv {
        /// The log.
        path: PathBuf,
        /// The row.
        row: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// The header lacks what the layout needs.
    #[error("{}", render_header(path, message, header, help.as_deref()))]
    Header {
        /// The log.
        path: PathBuf,
        /// What is missing.
        message: String,
        /// The header's fields.
        header: Vec<String>,
        /// A suggestion.
        help: Option<String>,
    },
    /// Rows with mistakes.
    #[error("{}", render_rows(path, problems, *total, *delimiter))]
    Rows {
        /// The log.
        path: PathBuf,
        /// Its delimiter, to show rows as written.
        delimiter: char,
        /// The first mistakes.
        problems: Vec<RowProblem>,
        /// How many in all.
        total: u64,
    },
    /// The log has no row to calibrate from, or nothing usable.
    #[error("error: `{}`: {message}", path.display())]
    Empty {
        /// The log.
        path: PathBuf,
        /// What is missing.
        message: String,
    },
}

fn render_header(
    path: &std::path::Path,
    message: &str,
    header: &[String],
    help: Option<&str>,
) -> String {
    let line = header.join(",");
    let mut out = format!(
        "error: `{}`, row 1 (the header): {message}\n  |\n1 | {}\n",
        path.display(),
        clip(&line)
    );
    if let Some(h) = help {
        out.push_str(&format!("  = help: {h}\n"));
    }
    out.trim_end().to_owned()
}

/// At most 200 characters of a row.
fn clip(text: &str) -> String {
    if text.chars().count() > 200 {
        let mut s: String = text.chars().take(200).collect();
        s.push('…');
        s
    } else {
        text.to_owned()
    }
}

impl RowProblem {
    fn render(&self, path: &std::path::Path, delimiter: char) -> String {
        let mut out = format!(
            "error: `{}`, row {}, column {} (`{}`): {}\n",
            path.display(),
            self.row,
            self.column,
            self.column_name,
            self.message
        );
        let number = self.row.to_string();
        let pad = " ".repeat(number.len());
        let mut line = String::new();
        let mut caret = (0, 1);
        for (i, f) in self.fields.iter().enumerate() {
            if i > 0 {
                line.push(delimiter);
            }
            if i + 1 == self.column {
                caret = (line.chars().count(), f.chars().count().max(1));
            }
            line.push_str(f);
        }
        let shown = clip(&line);
        out.push_str(&format!("{pad} |\n{number} | {shown}\n"));
        if caret.0 < 200 {
            out.push_str(&format!(
                "{pad} | {}{}",
                " ".repeat(caret.0),
                "^".repeat(caret.1.min(200 - caret.0))
            ));
            if let Some(label) = &self.label {
                out.push(' ');
                out.push_str(label);
            }
            out.push('\n');
        }
        if let Some(h) = &self.help {
            out.push_str(&format!("{pad} = help: {h}\n"));
        }
        out
    }
}

fn render_rows(
    path: &std::path::Path,
    problems: &[RowProblem],
    total: u64,
    delimiter: char,
) -> String {
    let mut out: Vec<String> = problems.iter().map(|p| p.render(path, delimiter)).collect();
    let shown = problems.len() as u64;
    if total > shown {
        out.push(format!(
            "… and {} more mistake(s) in other rows\n",
            total - shown
        ));
    }
    out.push(format!(
        "error: the log `{}` has {total} mistake(s); nothing was calibrated",
        path.display()
    ));
    out.join("\n")
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}, column {}: {}",
            self.row, self.column, self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_problem_points_at_its_field() {
        let p = RowProblem {
            row: 5,
            column: 3,
            column_name: "event".into(),
            message: "unknown event `strat`".into(),
            fields: vec![
                "T1".into(),
                "2025-03-10T08:15".into(),
                "strat".into(),
                "docs".into(),
            ],
            label: Some("did you mean `start`?".into()),
            help: None,
        };
        let text = render_rows(std::path::Path::new("log.csv"), &[p], 3, ',');
        let expected = "error: `log.csv`, row 5, column 3 (`event`): unknown event `strat`
  |
5 | T1,2025-03-10T08:15,strat,docs
  |                     ^^^^^ did you mean `start`?

… and 2 more mistake(s) in other rows

error: the log `log.csv` has 3 mistake(s); nothing was calibrated";
        assert_eq!(text, expected);
    }
}
