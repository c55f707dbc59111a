//! What went wrong reading a scenario, said the way cargo says it.
//!
//! A [`ScenarioError`] carries every problem found, not just the first: a
//! planner fixing a file should see all its mistakes in one run. Each
//! [`Diagnostic`] knows its file (which, with `extends`, may be a base file
//! rather than the one named on the command line), that file's text and the
//! byte span of the offending key or value, so it renders with the line,
//! the column and a caret under the culprit (the line itself only for a
//! file whose name ends in `.toml`: another file may not be a scenario,
//! and echoing it could print anything). Rendering uses
//! annotate-snippets without colour so messages are stable in tests.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub path: PathBuf,
    /// That file's text.
    pub source: Arc<str>,
    /// Byte range of the offending key or value in `source`, if known.
    pub span: Option<Range<usize>>,
    /// What is wrong: lower case, no trailing period.
    pub message: String,
    /// A short note printed under the caret (for example a did-you-mean).
    pub label: Option<String>,
    /// How to fix it, printed as `= help: …`.
    pub help: Option<String>,
}

impl Diagnostic {
    /// The 1-based line and column of the start of the span, if any.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let start = self.span.as_ref()?.start.min(self.source.len());
        let before = self.source.get(..start)?;
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Some((line, column))
    }

    /// Renders like cargo (plain text, no colour).
    pub fn render(&self) -> String {
        let path = self.path.display().to_string();
        let title = Level::ERROR.primary_title(self.message.as_str());
        // A `--set` argument is the user's own text, and safe to echo.
        let echo = super::origins::is_toml(&self.path)
            || self.path.as_os_str() == super::origins::COMMAND_LINE;
        let mut group = match self.snippet_span() {
            // A file whose name does not end in `.toml` (a main file named
            // by hand) is located but never echoed: it may not be a
            // scenario at all, and its lines could be anyone's secrets.
            Some(_) if !echo => {
                let (line, column) = self.line_col().unwrap_or((1, 1));
                title
                    .element(Origin::path(path.as_str()).line(line).char_column(column))
                    .element(Level::NOTE.message(
                        "the line is not shown because the file's name does not end in `.toml`",
                    ))
            }
            Some(span) => {
                let annotation = AnnotationKind::Primary
                    .span(span)
                    .label(self.label.as_deref());
                title.element(
                    Snippet::source(&*self.source)
                        .path(path.as_str())
                        .annotation(annotation),
                )
            }
            None => title.element(Origin::path(path.as_str())),
        };
        if self.span.is_none()
            && let Some(label) = &self.label
        {
            group = group.element(Level::NOTE.message(label.as_str()));
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        Renderer::plain().render(&[group])
    }

    /// The span clamped to the text and to character boundaries.
    fn snippet_span(&self) -> Option<Range<usize>> {
        let span = self.span.as_ref()?;
        let len = self.source.len();
        let mut start = span.start.min(len);
        let mut end = span.end.clamp(start, len);
        while !self.source.is_char_boundary(start) {
            start -= 1;
        }
        while !self.source.is_char_boundary(end) {
            end += 1;
        }
        Some(start..end)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Why a scenario could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file named could not be read at all.
    #[error("error: cannot read scenario file `{}`: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why: the operating system's reason, not a regular file, too
        /// large, not UTF-8.
        error: crate::store::read::ReadError,
    },
    /// An intervention (or base) that is not a `.toml` file: refused
    /// before it is opened, so that no other kind of file is ever read or
    /// echoed in a message.
    #[error("error: {what} must be a scenario file ending in `.toml`, found `{}`", path.display())]
    NotToml {
        /// The file.
        path: PathBuf,
        /// "an intervention".
        what: &'static str,
    },
    /// The file was read but has mistakes: at least one diagnostic.
    #[error("{}", render_all(.0))]
    Invalid(Vec<Diagnostic>),
}

impl ScenarioError {
    /// The diagnostics (empty for an I/O error).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ScenarioError::Io { .. } | ScenarioError::NotToml { .. } => &[],
            ScenarioError::Invalid(list) => list,
        }
    }
}

/// Every diagnostic, then a closing line that counts them, so a long list
/// is never mistaken for the first of its errors.
fn render_all(diagnostics: &[Diagnostic]) -> String {
    render_counted(diagnostics, "the scenario has")
}

/// Every diagnostic, then the closing line `error: {whose} N errors;
/// nothing was run`, where `whose` names what has them ("the scenario
/// has", "the study file has").
pub fn render_counted(diagnostics: &[Diagnostic], whose: &str) -> String {
    let rendered: Vec<String> = diagnostics.iter().map(Diagnostic::render).collect();
    let n = diagnostics.len();
    let count = if n == 1 {
        "1 error".to_owned()
    } else {
        format!("{n} errors")
    };
    format!(
        "{}\n\nerror: {whose} {count}; nothing was run",
        rendered.join("\n\n")
    )
}

/// The allowed word closest to `word`, if it is close enough to be a
/// likely misspelling (Jaro-Winkler for longer words, Damerau-Levenshtein
/// for short ones, where swapped letters defeat Jaro-Winkler).
pub(super) fn did_you_mean<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    allowed
        .iter()
        .filter_map(|a| {
            let a_lower = a.to_ascii_lowercase();
            let jw = strsim::jaro_winkler(&lower, &a_lower);
            let dl = strsim::normalized_damerau_levenshtein(&lower, &a_lower);
            (jw >= 0.8 || dl >= 0.6).then_some((jw + dl, *a))
        })
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, a)| a)
}

/// A user's number as a message shows it: as written for everyday sizes
/// (`0.35`, `150`, `-1`), in exponent form beyond them (`1e308`,
/// `2.5e-9`), so that a mistyped `1e308` is not echoed as 309 digits.
pub fn compact(x: f64) -> String {
    let a = x.abs();
    if a.is_finite() && a != 0.0 && !(1e-6..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// "`a`, `b` or `c`", for messages.
pub(super) fn one_of(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_and_tiny_numbers_are_shown_in_exponent_form() {
        let shown: Vec<String> = [
            1e308,
            -1e308,
            1.5e15,
            999_999_999_999_999.0,
            150.0,
            0.35,
            -1.0,
            0.0,
            2.5e-9,
            f64::INFINITY,
            f64::NAN,
        ]
        .into_iter()
        .map(compact)
        .collect();
        assert_eq!(
            shown,
            [
                "1e308",
                "-1e308",
                "1.5e15",
                "999999999999999",
                "150",
                "0.35",
                "-1",
                "0",
                "2.5e-9",
                "inf",
                "NaN"
            ]
        );
    }

    fn diagnostic(span: Option<Range<usize>>) -> Diagnostic {
        Diagnostic {
            path: PathBuf::from("scenarios/demo.toml"),
            source: Arc::from("name = \"x\"\nlanse = 4\n"),
            span,
            message: "unknown key `lanse`".to_owned(),
            label: Some("did you mean `lanes`?".to_owned()),
            help: None,
        }
    }

    #[test]
    fn renders_like_cargo() {
        let text = diagnostic(Some(11..16)).render();
        let expected = "\
error: unknown key `lanse`
 --> scenarios/demo.toml:2:1
  |
2 | lanse = 4
  | ^^^^^ did you mean `lanes`?";
        assert_eq!(text.trim_end(), expected, "\n{text}");
        assert_eq!(diagnostic(Some(11..16)).line_col(), Some((2, 1)));
    }

    #[test]
    fn renders_without_a_span() {
        let text = diagnostic(None).render();
        assert!(text.starts_with("error: unknown key `lanse`\n--> scenarios/demo.toml"));
        assert!(text.contains("note: did you mean `lanes`?"), "{text}");
    }

    #[test]
    fn the_list_closes_with_its_count() {
        let one = ScenarioError::Invalid(vec![diagnostic(None)]).to_string();
        assert!(
            one.ends_with("\n\nerror: the scenario has 1 error; nothing was run"),
            "{one}"
        );
        let two = ScenarioError::Invalid(vec![diagnostic(None), diagnostic(Some(11..16))]);
        assert!(
            two.to_string()
                .ends_with("the scenario has 2 errors; nothing was run")
        );
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let text = diagnostic(Some(500..900)).render();
        assert!(text.contains("scenarios/demo.toml"));
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        let keys = ["name", "lanes", "service"];
        assert_eq!(did_you_mean("lanse", &keys), Some("lanes"));
        assert_eq!(did_you_mean("servce", &keys), Some("service"));
        assert_eq!(did_you_mean("zzzz", &keys), None);
        assert_eq!(did_you_mean("sta", &["sun", "sat"]), Some("sat"));
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
