//! From the merged TOML tree to the raw structs, with readable errors.
//!
//! serde stops at the first unknown key or wrongly typed value. To report
//! as many as possible in one go, the offending entry is removed from the
//! tree and decoding is retried, collecting one issue per round. What is
//! left then decodes, and is checked like any file, so a misspelt key
//! never hides the file's other mistakes; the keys removed for a wrong
//! type are returned too, so that a later "missing key" for one of them
//! (which would only repeat the problem) can be left out, and so are the
//! arrays an element was removed from, so that `lanes = [1, 2]` is not
//! also called "an empty shift table". serde's
//! messages ("unknown field `lanse`, expected one of …", "invalid type:
//! integer `5`, expected …") are rewritten into the house style: the key,
//! the table it is in, what was expected, and a did-you-mean when the key
//! is a near miss.

use std::ops::Range;

use serde_spanned::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::checks::Issue;
use super::error::{did_you_mean, one_of};
use super::raw::ScenarioFile;

/// Decoding gives up after this many errors.
const MAX_ROUNDS: usize = 32;

/// What decoding found: the file as far as it decodes, every decoding
/// issue, and the keys whose values were removed for a wrong type.
pub(super) struct Decoded<T = ScenarioFile> {
    /// The file without the offending entries (`None` if even that does
    /// not decode).
    pub file: Option<T>,
    /// One issue per offending entry.
    pub issues: Vec<Issue>,
    /// Keys removed because their value had the wrong type.
    pub removed: Vec<String>,
    /// The spans of the arrays an element was removed from: what is said
    /// later about such an array (that it is empty, or too short) is about
    /// the removal, not the file, so it is left out.
    pub shortened: Vec<Range<usize>>,
}

/// Decodes the merged scenario, removing each entry serde refuses.
pub(super) fn decode(doc: &Spanned<DeTable<'_>>) -> Decoded {
    decode_all::<ScenarioFile>(doc)
}

/// Decodes a document into any spanned mirror of a file (a scenario, or
/// one of the decision formats), or returns every decoding issue found.
pub(super) fn decode_as<T: serde::de::DeserializeOwned>(
    doc: &Spanned<DeTable<'_>>,
) -> Result<T, Vec<Issue>> {
    let decoded = decode_all::<T>(doc);
    match decoded.file {
        Some(file) if decoded.issues.is_empty() => Ok(file),
        _ => Err(decoded.issues),
    }
}

/// Decodes as much of a document into `T` as serde accepts: the file
/// without the refused entries (`None` if even that does not decode),
/// every issue, and the keys removed for a wrong type.
pub(super) fn decode_partial<T: serde::de::DeserializeOwned>(
    doc: &Spanned<DeTable<'_>>,
) -> (Option<T>, Vec<Issue>, Vec<String>) {
    let decoded = decode_all::<T>(doc);
    (decoded.file, decoded.issues, decoded.removed)
}

/// Decodes a document into `T`, removing each entry serde refuses and
/// decoding what is left.
fn decode_all<T: serde::de::DeserializeOwned>(doc: &Spanned<DeTable<'_>>) -> Decoded<T> {
    let mut doc = doc.clone();
    let mut out = Decoded {
        file: None,
        issues: Vec::new(),
        removed: Vec::new(),
        shortened: Vec::new(),
    };
    for _ in 0..MAX_ROUNDS {
        let error = match T::deserialize(toml::de::Deserializer::from(doc.clone())) {
            Ok(file) => {
                out.file = Some(file);
                return out;
            }
            Err(error) => error,
        };
        let issue = describe(&error, doc.get_ref());
        let unknown = error.message().starts_with("unknown field ");
        out.issues.push(issue);
        let removed = error
            .span()
            .and_then(|span| remove_at(doc.get_mut(), &span));
        match removed {
            Some((key, array)) => {
                if !unknown {
                    out.removed.push(key);
                }
                out.shortened.extend(array);
            }
            None => break,
        }
    }
    out
}

/// Turns a serde error into an issue in the house style.
fn describe(error: &toml::de::Error, doc: &DeTable<'_>) -> Issue {
    let span = error.span();
    let message = error.message();
    let mut issue = Issue {
        span: span.clone(),
        message: plain(message),
        label: None,
        help: None,
    };
    if message.ends_with("expected struct RawShift") {
        issue.message = issue.message.replacen(
            "expected a table",
            "expected a shift like { hours = \"08:00-20:00\", count = 6 }",
            1,
        );
        issue.help = Some(
            "`lanes` is a lane count like 4, or a list of shifts, each a table with its hours and count".to_owned(),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        unknown_key(&mut issue, rest, span.and_then(|s| place_of(doc, &s)));
    } else if message.contains(super::units::DURATION_EXAMPLES) {
        // A duration written as a bare number, `horizon = 30`.
        let hint = span
            .as_ref()
            .and_then(|s| number_at(doc, s))
            .and_then(|(key, x)| super::units::duration_hint(x, &key));
        if let Some(hint) = hint {
            issue.label = Some(hint.replace("did you mean ", "did you mean a string like "));
        }
    }
    issue
}

/// The key and number of the entry whose value has `span`, if the value
/// is a number.
fn number_at(table: &DeTable<'_>, span: &Range<usize>) -> Option<(String, f64)> {
    for (key, value) in table {
        if value.span() == *span {
            let x = match value.get_ref() {
                DeValue::Integer(i) => i.as_str().replace('_', "").parse().ok(),
                DeValue::Float(f) => f.as_str().replace('_', "").parse().ok(),
                _ => None,
            };
            return x.map(|x| (key.get_ref().to_string(), x));
        }
        let found = match value.get_ref() {
            DeValue::Table(inner) => number_at(inner, span),
            DeValue::Array(items) => items.iter().find_map(|item| match item.get_ref() {
                DeValue::Table(inner) => number_at(inner, span),
                _ => None,
            }),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Rewrites "unknown field `x`, expected one of `a`, `b`".
fn unknown_key(issue: &mut Issue, rest: &str, place: Option<String>) {
    let mut quoted = rest.split('`').skip(1).step_by(2);
    let Some(key) = quoted.next() else { return };
    let allowed: Vec<&str> = quoted.collect();
    let place = place.unwrap_or_default();
    issue.message = format!("unknown key `{key}` {place}").trim_end().to_owned();
    match did_you_mean(key, &allowed) {
        Some(near) => issue.label = Some(format!("did you mean `{near}`?")),
        None if allowed.is_empty() => {}
        None => issue.help = Some(format!("expected {}", one_of(&allowed))),
    }
}

/// "invalid type: integer `5`, expected a duration" → "expected a
/// duration, found integer `5`", with serde's type names made plain.
fn plain(message: &str) -> String {
    let rewritten = ["invalid type: ", "invalid value: "]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split_once(", expected "))
        .map(
            |(found, expected)| match (integer_range(expected), found.strip_prefix("integer ")) {
                // "expected an integer, found integer `N`" says nothing: the
                // integer is out of the type's range.
                (Some((min, max)), Some(n)) => {
                    format!(
                        "expected an integer from {min} to {max}, found {n}, which is out of range"
                    )
                }
                _ => format!(
                    "expected {}, found {}",
                    plain_type(expected),
                    plain_type(found)
                ),
            },
        );
    rewritten.unwrap_or_else(|| message.to_owned())
}

/// The range of serde's integer type `name`, if it is one.
fn integer_range(name: &str) -> Option<(i128, i128)> {
    Some(match name {
        "i64" => (i64::MIN.into(), i64::MAX.into()),
        "u64" => (0, u64::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        _ => return None,
    })
}

fn plain_type(name: &str) -> &str {
    match name {
        "i64" | "i32" | "u32" | "u64" => "an integer",
        "f64" => "a number",
        "map" | "a map" => "a table",
        "sequence" | "a sequence" => "an array",
        "a boolean" | "a string" => name,
        _ if name.starts_with("struct ") => "a table",
        _ if name.starts_with("a map") => "a table",
        _ => name,
    }
}

/// Where the key at `span` sits, as "in [demand]", "in [[stages]]",
/// "in `rework` of [[stages]]" or "at the top level".
fn place_of(doc: &DeTable<'_>, span: &Range<usize>) -> Option<String> {
    let mut path = Vec::new();
    if !find_key(doc, span, &mut path) {
        return None;
    }
    let Some((first, first_is_array)) = path.first().cloned() else {
        return Some("at the top level".to_owned());
    };
    let table = if first_is_array {
        format!("[[{first}]]")
    } else {
        format!("[{first}]")
    };
    Some(match path.last() {
        Some((last, _)) if path.len() > 1 => format!("in `{last}` of {table}"),
        _ => format!("in {table}"),
    })
}

/// Fills `path` with the tables (and whether each is an array) leading to
/// the key whose span is `span`.
fn find_key(table: &DeTable<'_>, span: &Range<usize>, path: &mut Vec<(String, bool)>) -> bool {
    if table.keys().any(|k| k.span() == *span) {
        return true;
    }
    for (key, value) in table {
        let name = key.get_ref().to_string();
        let found = match value.get_ref() {
            DeValue::Table(inner) => {
                path.push((name, false));
                find_key(inner, span, path)
            }
            DeValue::Array(items) => {
                path.push((name, true));
                items.iter().any(|item| match item.get_ref() {
                    DeValue::Table(inner) => find_key(inner, span, path),
                    _ => false,
                })
            }
            _ => continue,
        };
        if found {
            return true;
        }
        path.pop();
    }
    false
}

/// What a round of decoding removed: the key it was under, and, for an
/// element of an array, the array's span.
type Removed = (String, Option<Range<usize>>);

/// Removes the entry whose key or value (or the array element) has
/// `span`, and returns the key it was under.
fn remove_at(table: &mut DeTable<'_>, span: &Range<usize>) -> Option<Removed> {
    let hit = table
        .iter()
        .find(|(k, v)| k.span() == *span || v.span() == *span)
        .map(|(k, _)| k.get_ref().to_string());
    if let Some(key) = hit {
        table.remove(key.as_str());
        return Some((key, None));
    }
    table.iter_mut().find_map(|(key, value)| {
        let at = value.span();
        remove_in(value.get_mut(), at, span, key.get_ref())
    })
}

/// Removes what has `span` from `value` (whose own span is `at`).
fn remove_in(
    value: &mut DeValue<'_>,
    at: Range<usize>,
    span: &Range<usize>,
    key: &str,
) -> Option<Removed> {
    match value {
        DeValue::Table(table) => remove_at(table, span),
        DeValue::Array(items) => {
            if let Some(i) = items.iter().position(|item| item.span() == *span) {
                let old = std::mem::replace(items, DeArray::new());
                *items = old
                    .into_iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, item)| item)
                    .collect();
                return Some((key.to_owned(), Some(at)));
            }
            items.iter_mut().find_map(|item| {
                let at = item.span();
                remove_in(item.get_mut(), at, span, key)
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_become_plain() {
        assert_eq!(
            plain("invalid type: string \"4\", expected i64"),
            "expected an integer, found string \"4\""
        );
        assert_eq!(
            plain("invalid type: sequence, expected struct RawDemand"),
            "expected a table, found an array"
        );
        assert_eq!(plain("something else"), "something else");
        assert_eq!(
            plain("invalid value: integer `18446744073709551615`, expected i64"),
            "expected an integer from -9223372036854775808 to 9223372036854775807, found `18446744073709551615`, which is out of range"
        );
    }
}
