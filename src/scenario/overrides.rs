//! Overrides: one value of a scenario changed from outside its files.
//!
//! `--set stages.joint-inspection.lanes=10` on the command line, a point
//! of a sweep, a candidate of a plan and a setting of a sensitivity study
//! are all the same thing: a dotted key path and a TOML value, applied
//! after every file and patch has been merged, so it wins over all of
//! them. The key is a path through the scenario's tables: `demand.rate`,
//! `port.parking`; arrays of named tables (`stages`, `classes`) are
//! addressed by an item's `name`, any array by `[i]` (`demand.profile[7]`,
//! `stages.gate-in.lanes[0].count`). A segment that is not a bare word
//! (letters, digits, `_`, `-`) is quoted: `stages."x.y".lanes`.
//!
//! The value is read as a TOML value (`6`, `0.35`, `["08:00-20:00"]`,
//! `{ dist = "exponential", mean = "5m" }`) and, failing that, taken as a
//! string, so `rate=1300/d` and `horizon=14d` need no quotes.
//!
//! An override remembers where it was written (its [`Origin`]): the
//! `--set` argument itself, or the decision file it came from. The merged
//! document gets spans into that text, so a value the scenario reader
//! rejects is reported there, with a caret under the override, exactly as
//! a mistake in a scenario file is. Because overrides are applied to the
//! document before it is validated and canonicalised, the resolved
//! scenario, and so its hash, covers them.

use std::borrow::Cow;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde_spanned::Spanned;
use toml::de::{DeTable, DeValue};

use super::checks::Issue;
use super::error::{Diagnostic, did_you_mean};
use super::named;
use super::origins::COMMAND_LINE;

/// Where overrides were written: a `--set` argument, or a decision file.
#[derive(Debug, PartialEq, Eq)]
pub struct Origin {
    /// Shown in messages: `--set`, or the file's path.
    pub path: PathBuf,
    /// The text the spans of its overrides point into.
    pub text: Arc<str>,
}

impl Origin {
    /// An origin for overrides written in `text`, shown as `path`.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Arc<Origin> {
        Arc::new(Origin {
            path: path.into(),
            text: text.into(),
        })
    }

    /// A diagnostic at `span` of this origin's text.
    pub fn diagnostic(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: self.path.clone(),
            source: self.text.clone(),
            span: Some(span),
            message: message.into(),
            label: None,
            help: None,
        }
    }
}

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A table key, or the name of an item in an array of named tables.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A key path and a value, validated as far as can be without the
/// scenario (the path's syntax, the value's TOML).
#[derive(Clone, Debug)]
pub struct Override {
    /// The key as written, e.g. `stages.joint-inspection.lanes`.
    key: String,
    /// The path, each step with its span in the origin.
    steps: Vec<(Step, Range<usize>)>,
    /// The value.
    value: toml::Value,
    /// TOML text of the value, parsed when the override is applied.
    value_text: String,
    /// Where the value is in the origin.
    value_span: Range<usize>,
    /// Whether `value_text` is the origin's text at `value_span`, so inner
    /// spans can be kept exactly (otherwise they all point at the value).
    exact: bool,
    /// How the override reads in a manifest: `key=value`.
    text: String,
    origin: Arc<Origin>,
}

impl PartialEq for Override {
    fn eq(&self, other: &Self) -> bool {
        self.steps
            .iter()
            .map(|s| &s.0)
            .eq(other.steps.iter().map(|s| &s.0))
            && self.value == other.value
    }
}

impl Override {
    /// Reads a `--set` argument, `KEY=VALUE`.
    pub fn parse(arg: &str) -> Result<Override, Box<Diagnostic>> {
        let origin = Origin::new(COMMAND_LINE, arg);
        let Some(eq) = find_equals(arg) else {
            let message = format!(
                "expected KEY=VALUE, like `stages.inspection.lanes=6` or `demand.rate=1300/d`, found `{arg}`"
            );
            return Err(Box::new(origin.diagnostic(0..arg.len(), message)));
        };
        let key_span = trimmed(arg, 0..eq);
        let value_span = trimmed(arg, eq + 1..arg.len());
        let key = &arg[key_span.clone()];
        if value_span.is_empty() {
            let message = format!("missing value after `{key}=`");
            return Err(Box::new(origin.diagnostic(eq..eq + 1, message)));
        }
        let steps =
            steps(key, key_span.start).map_err(|(m, s)| Box::new(origin.diagnostic(s, m)))?;
        let raw = &arg[value_span.clone()];
        let (value, value_text, exact) = match raw.parse::<toml::Value>() {
            Ok(value) => (value, raw.to_owned(), true),
            Err(_) => {
                let value = toml::Value::String(raw.to_owned());
                let text = value.to_string();
                (value, text, false)
            }
        };
        Ok(Override {
            key: key.to_owned(),
            steps,
            value,
            value_text,
            value_span,
            exact,
            text: arg.trim().to_owned(),
            origin,
        })
    }

    /// An override whose key and value are written in a file: the key is
    /// the text `key` found at `key_span` (a quoted string or a bare key),
    /// the value the TOML at `value_span`.
    pub fn in_file(
        origin: &Arc<Origin>,
        key: &str,
        key_span: Range<usize>,
        value_span: Range<usize>,
    ) -> Result<Override, Box<Diagnostic>> {
        let raw = origin.text.get(value_span.clone()).unwrap_or_default();
        let value = raw.parse::<toml::Value>().map_err(|e| {
            origin.diagnostic(
                value_span.clone(),
                format!("invalid value: {}", e.message()),
            )
        })?;
        let mut o = Override::generated(origin, key, key_span, value, value_span)?;
        o.value_text = raw.to_owned();
        o.exact = true;
        Ok(o)
    }

    /// An override with a value computed from a file (a point of a range,
    /// a level of a screening design): messages about the value point at
    /// `value_span`, where the range or bounds are written.
    pub fn generated(
        origin: &Arc<Origin>,
        key: &str,
        key_span: Range<usize>,
        value: toml::Value,
        value_span: Range<usize>,
    ) -> Result<Override, Box<Diagnostic>> {
        let written = origin.text.get(key_span.clone()).unwrap_or_default();
        let quoted = format!("\"{key}\"");
        let steps = if written == key {
            steps(key, key_span.start)
        } else if written == quoted {
            steps(key, key_span.start + 1)
        } else {
            // Escapes or a dotted TOML key: every step points at the key.
            steps(key, 0).map(|list| {
                list.into_iter()
                    .map(|(step, _)| (step, key_span.clone()))
                    .collect()
            })
        };
        let steps = steps.map_err(|(m, _)| Box::new(origin.diagnostic(key_span.clone(), m)))?;
        let value_text = value.to_string();
        Ok(Override {
            text: format!("{key}={value_text}"),
            key: key.to_owned(),
            steps,
            value,
            value_text,
            value_span,
            exact: false,
            origin: origin.clone(),
        })
    }

    /// The key as written.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The path.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().map(|(s, _)| s)
    }

    /// The value.
    pub fn value(&self) -> &toml::Value {
        &self.value
    }

    /// `key=value`, as recorded in manifests.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where it was written.
    pub fn origin(&self) -> &Arc<Origin> {
        &self.origin
    }

    /// Where the value was written, in the origin's text.
    pub fn value_span(&self) -> Range<usize> {
        self.value_span.clone()
    }

    /// This override of `KEY.percent` as the override of `KEY` to
    /// `value`, the scaled value it stands for: the same text, origin and
    /// value span, so a message about the value points where the
    /// percentage is written (see `lane_overrides`).
    pub(super) fn scaled_to(&self, value: toml::Value) -> Override {
        let mut steps = self.steps.clone();
        steps.pop();
        let key = self
            .key
            .rsplit_once('.')
            .map_or(self.key.as_str(), |(k, _)| k);
        Override {
            key: key.to_owned(),
            steps,
            value_text: value.to_string(),
            value,
            value_span: self.value_span.clone(),
            exact: false,
            text: self.text.clone(),
            origin: self.origin.clone(),
        }
    }

    /// The value, with spans shifted to `offset` (the origin's place in
    /// the virtual concatenation of the scenario's files).
    fn spanned_value(&self, offset: usize) -> Result<Spanned<DeValue<'_>>, Issue> {
        let at = offset + self.value_span.start..offset + self.value_span.end;
        let parsed = DeValue::parse(&self.value_text).map_err(|e| Issue {
            span: Some(at.clone()),
            message: format!("invalid value: {}", e.message()),
            label: None,
            help: None,
        })?;
        Ok(if self.exact {
            respan(parsed, &|s| {
                offset + self.value_span.start + s.start..offset + self.value_span.start + s.end
            })
        } else {
            respan(parsed, &|_| at.clone())
        })
    }
}

/// The first `=` outside quotes.
fn find_equals(text: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '=' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// `range` of `text` without surrounding whitespace.
fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let part = &text[range.clone()];
    let start = range.start + (part.len() - part.trim_start().len());
    let end = range.end - (part.len() - part.trim_end().len());
    start..end.max(start)
}

/// A step and its span.
type Located = (Step, Range<usize>);

/// Parses a key path; spans are `base` plus the position in `key`.
fn steps(key: &str, base: usize) -> Result<Vec<Located>, (String, Range<usize>)> {
    let bytes = key.as_bytes();
    let all = base..base + key.len();
    if key.is_empty() {
        return Err(("missing key before `=`".to_owned(), all));
    }
    let mut steps = Vec::new();
    let mut i = 0;
    let bad = |i: usize, what: &str| {
        let at = base + i..base + (i + 1).min(key.len()).max(i);
        (format!("invalid key `{key}`: {what}"), at)
    };
    loop {
        // A segment: bare or quoted.
        let start = i;
        if bytes.get(i) == Some(&b'"') {
            let Some(close) = key[i + 1..].find('"') else {
                return Err(bad(i, "unclosed quote"));
            };
            let name = &key[i + 1..i + 1 + close];
            if name.is_empty() {
                return Err(bad(i, "empty quoted name"));
            }
            i += close + 2;
            steps.push((Step::Key(name.to_owned()), base + start..base + i));
        } else {
            while i < bytes.len() && is_bare(bytes[i]) {
                i += 1;
            }
            if i == start {
                return Err(bad(i, "expected a key name like `lanes`"));
            }
            steps.push((Step::Key(key[start..i].to_owned()), base + start..base + i));
        }
        // Indices.
        while bytes.get(i) == Some(&b'[') {
            let open = i;
            let Some(close) = key[i..].find(']') else {
                return Err(bad(i, "unclosed `[`"));
            };
            let digits = &key[i + 1..i + close];
            let Ok(index) = digits.parse::<usize>() else {
                return Err(bad(i + 1, "expected an index like `[0]`"));
            };
            i += close + 1;
            steps.push((Step::Index(index), base + open..base + i));
        }
        match bytes.get(i) {
            None => return overridable(key, steps),
            Some(b'.') => i += 1,
            Some(_) => return Err(bad(i, "expected `.` or `[` between names")),
        }
    }
}

/// Keys read while a scenario's files are merged, before any override
/// applies, so that setting one would silently change nothing; with why.
pub const MERGE_KEYS: [(&str, &str); 2] = [
    (
        "extends",
        "the base file is read when the scenario's files are merged, before any override applies; run the other scenario instead, or write `extends` in a scenario file",
    ),
    (
        "replaces",
        "it says how a file's lists merge with its base's, which is done before any override applies; write `replaces` in the scenario file instead",
    ),
];

/// `steps`, unless the key is one that cannot be overridden
/// ([`MERGE_KEYS`]).
fn overridable(key: &str, steps: Vec<Located>) -> Result<Vec<Located>, (String, Range<usize>)> {
    if let Some((Step::Key(first), span)) = steps.first()
        && let Some((_, why)) = MERGE_KEYS.iter().find(|(k, _)| k == first)
    {
        return Err((format!("`{key}` cannot be overridden: {why}"), span.clone()));
    }
    Ok(steps)
}

fn is_bare(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `value` with every span replaced by `f(span)`.
fn respan<'a>(
    value: Spanned<DeValue<'a>>,
    f: &dyn Fn(Range<usize>) -> Range<usize>,
) -> Spanned<DeValue<'a>> {
    let span = f(value.span());
    let inner = match value.into_inner() {
        DeValue::Array(items) => DeValue::Array(items.into_iter().map(|v| respan(v, f)).collect()),
        DeValue::Table(table) => DeValue::Table(
            table
                .into_iter()
                .map(|(k, v)| {
                    let ks = f(k.span());
                    (Spanned::new(ks, k.into_inner()), respan(v, f))
                })
                .collect(),
        ),
        other => other,
    };
    Spanned::new(span, inner)
}

/// Applies `o` to the merged document. `offset` is where the override's
/// origin sits in the virtual concatenation of texts, so issues map back
/// to it.
pub(super) fn apply<'a>(
    doc: &mut DeTable<'a>,
    o: &'a Override,
    offset: usize,
) -> Result<(), Issue> {
    let mut root = DeValue::Table(std::mem::replace(doc, DeTable::new()));
    let result = apply_in(&mut root, o, offset);
    if let DeValue::Table(table) = root {
        *doc = table;
    }
    result
}

fn apply_in<'a>(root: &mut DeValue<'a>, o: &'a Override, offset: usize) -> Result<(), Issue> {
    let shift = |s: &Range<usize>| offset + s.start..offset + s.end;
    let issue = |span: &Range<usize>, message: String| Issue {
        span: Some(shift(span)),
        message,
        label: None,
        help: None,
    };
    let value = o.spanned_value(offset)?;
    let Some(((last, last_span), parents)) = o.steps.split_last() else {
        return Err(issue(&o.value_span, "missing key".to_owned()));
    };
    let mut node = root;
    let mut here = String::new();
    let mut array_key = String::new();
    for (step, span) in parents {
        node = child(node, step, &shift(span), &here, &array_key)?;
        if let Step::Key(k) = step {
            array_key.clone_from(k);
        }
        here = extend(&here, step);
    }
    let in_demand = matches!(parents, [(Step::Key(k), _)] if k == "demand");
    match (node, last) {
        (DeValue::Table(table), Step::Key(key)) => {
            if in_demand {
                drop_excluded(table, key);
            }
            table.remove(key.as_str());
            table.insert(
                Spanned::new(shift(last_span), Cow::Owned(key.clone())),
                value,
            );
            Ok(())
        }
        (DeValue::Array(items), Step::Index(i)) => {
            let len = items.len();
            match items.get_mut(*i) {
                Some(slot) => {
                    *slot = value;
                    Ok(())
                }
                None => Err(issue(
                    last_span,
                    format!("`{here}` has {len} items, so there is no `[{i}]`"),
                )),
            }
        }
        (DeValue::Array(items), Step::Key(name)) => match named::position(items, name) {
            Some(_) if !matches!(value.get_ref(), DeValue::Table(_)) => {
                let kind = named::kind(&array_key);
                Err(issue(
                    &o.value_span,
                    format!(
                        "`{here}.{name}` is a whole {kind}, a table of its keys, so it cannot be {}; set one of its keys, like `{here}.{name}.{}=…`, or give the whole {kind} as a table {{ name = \"{name}\", … }}",
                        article(value.get_ref().type_str()),
                        example_key(&array_key)
                    ),
                ))
            }
            Some(i) => {
                if let Some(slot) = items.get_mut(i) {
                    *slot = value;
                }
                Ok(())
            }
            None => Err(no_such_item(
                items,
                name,
                named::kind(&array_key),
                &here,
                &shift(last_span),
            )),
        },
        (DeValue::Table(_), Step::Index(i)) => Err(issue(
            last_span,
            format!("{} is a table, not an array: no `[{i}]`", place(&here)),
        )),
        (other, _) => Err(issue(
            last_span,
            format!(
                "{} is {}, not a table: cannot set `{}`",
                place(&here),
                article(other.type_str()),
                o.key
            ),
        )),
    }
}

/// The arrays of tables, by their key path: what a scalar there should
/// have been is a key of one item, not a list.
const TABLE_ARRAYS: [&str; 7] = [
    "stages",
    "classes",
    "entrances",
    "pools",
    "closures",
    "demand.seasons",
    "initial.stages",
];

/// Adds the array form to every issue that says an override's value should
/// have been an array (issue 28: `--set port.open=00:00-24:00` said only
/// "expected an array, found string"): `--set 'port.open=["00:00-24:00"]'`
/// on the command line, `port.open = ["00:00-24:00"]` in a file. A string
/// with commas becomes one item per part; for an array of tables, the
/// help says to set one item's key instead. `offsets` are the overrides'
/// places in the merged document.
pub(super) fn hint_arrays(issues: &mut [Issue], overrides: &[Override], offsets: &[usize]) {
    for issue in issues.iter_mut() {
        if issue.help.is_some() || !issue.message.starts_with("expected an array") {
            continue;
        }
        let Some(span) = &issue.span else { continue };
        let written = overrides.iter().zip(offsets).find(|(o, offset)| {
            let value = *offset + o.value_span.start..*offset + o.value_span.end;
            value.contains(&span.start) || (value.is_empty() && value.start == span.start)
        });
        if let Some((o, _)) = written {
            issue.help = Some(array_form(o));
        }
    }
}

/// How `o`'s value is written as the array its key takes.
fn array_form(o: &Override) -> String {
    if TABLE_ARRAYS.contains(&o.key.as_str()) {
        // Stages, classes, pools and entrances are addressed by name.
        let (item, key) = match o.key.as_str() {
            "closures" => ("[0]", "dates"),
            "demand.seasons" => ("[0]", "factor"),
            "initial.stages" => ("[0]", "queued"),
            other => (".NAME", example_key(other)),
        };
        return format!(
            "`{}` is a list of tables, one per item; set a key of one item instead, like `{}{item}.{key}=…`",
            o.key, o.key
        );
    }
    let items: Vec<String> = match &o.value {
        toml::Value::String(text) => text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| toml::Value::String(part.to_owned()).to_string())
            .collect(),
        _ => vec![o.value_text.trim().to_owned()],
    };
    let array = format!("[{}]", items.join(", "));
    if o.origin.path.as_os_str() == COMMAND_LINE {
        format!(
            "`{}` takes an array, written in brackets (quoted for the shell): --set '{}={array}'",
            o.key, o.key
        )
    } else {
        format!(
            "`{}` takes an array, written in brackets: {} = {array}",
            o.key,
            toml_key(&o.key)
        )
    }
}

/// `key` as a TOML key: bare when it is one word, quoted when dotted.
fn toml_key(key: &str) -> String {
    if key.bytes().all(is_bare) {
        key.to_owned()
    } else {
        toml::Value::String(key.to_owned()).to_string()
    }
}

/// A key that items of the named array `array_key` have, for examples.
fn example_key(array_key: &str) -> &'static str {
    match array_key {
        "stages" | "pools" => "lanes",
        "classes" => "share",
        "entrances" => "parking",
        _ => "name",
    }
}

/// "`demand`", or "the scenario" at the top.
fn place(here: &str) -> String {
    if here.is_empty() {
        "the scenario".to_owned()
    } else {
        format!("`{here}`")
    }
}

/// Setting one of the exclusive `[demand]` keys drops the others.
fn drop_excluded(table: &mut DeTable<'_>, key: &str) {
    for (k, excluded) in super::sources::EXCLUSIVE {
        if *k == key {
            for other in *excluded {
                table.remove(*other);
            }
        }
    }
}

/// One step down from `node`; `span` is the step's, already shifted.
fn child<'t, 'a>(
    node: &'t mut DeValue<'a>,
    step: &Step,
    span: &Range<usize>,
    here: &str,
    array_key: &str,
) -> Result<&'t mut DeValue<'a>, Issue> {
    let fail = |message: String| Issue {
        span: Some(span.clone()),
        message,
        label: None,
        help: None,
    };
    match (node, step) {
        (DeValue::Table(table), Step::Key(k)) => {
            if !table.contains_key(k.as_str()) {
                table.insert(
                    Spanned::new(span.clone(), Cow::Owned(k.clone())),
                    Spanned::new(span.clone(), DeValue::Table(DeTable::new())),
                );
            }
            table
                .get_mut(k.as_str())
                .map(|v| v.get_mut())
                .ok_or_else(|| fail(format!("cannot set `{}`", extend(here, step))))
        }
        (DeValue::Array(items), Step::Index(i)) => {
            let len = items.len();
            items
                .get_mut(*i)
                .map(|v| v.get_mut())
                .ok_or_else(|| fail(format!("`{here}` has {len} items, so there is no `[{i}]`")))
        }
        (DeValue::Array(items), Step::Key(name)) => match named::position(items, name) {
            Some(i) => items
                .get_mut(i)
                .map(|v| v.get_mut())
                .ok_or_else(|| fail(format!("cannot set `{}`", extend(here, step)))),
            None => Err(no_such_item(
                items,
                name,
                named::kind(array_key),
                here,
                span,
            )),
        },
        (DeValue::Table(_), Step::Index(i)) => Err(fail(format!(
            "{} is a table, not an array: no `[{i}]`",
            place(here)
        ))),
        (other, _) => Err(fail(format!(
            "{} is {}, not a table or array",
            place(here),
            article(other.type_str())
        ))),
    }
}

fn no_such_item(
    items: &[Spanned<DeValue<'_>>],
    name: &str,
    kind: &str,
    here: &str,
    span: &Range<usize>,
) -> Issue {
    let names = named::names(items);
    let mut issue = Issue {
        span: Some(span.clone()),
        message: format!("no {kind} named `{name}` in `{here}`"),
        label: None,
        help: None,
    };
    match did_you_mean(name, &names) {
        Some(near) => issue.label = Some(format!("did you mean `{near}`?")),
        None if !names.is_empty() => issue.help = Some(format!("there are {}", quote_list(&names))),
        None => {}
    }
    issue
}

/// The path so far with `step` appended.
fn extend(here: &str, step: &Step) -> String {
    match step {
        Step::Key(k) if here.is_empty() => k.clone(),
        Step::Key(k) => format!("{here}.{k}"),
        Step::Index(i) => format!("{here}[{i}]"),
    }
}

fn article(type_str: &str) -> String {
    match type_str.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_str}"),
        _ => format!("a {type_str}"),
    }
}

fn quote_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().take(8).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(8);
    if more > 0 {
        format!("{} and {more} more", quoted.join(", "))
    } else {
        quoted.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(o: &Override) -> Vec<Step> {
        o.steps().cloned().collect()
    }

    #[test]
    fn parses_keys_values_and_string_fallback() {
        let o = Override::parse("stages.joint-inspection.lanes=10").expect("valid");
        assert_eq!(
            keys(&o),
            vec![
                Step::Key("stages".into()),
                Step::Key("joint-inspection".into()),
                Step::Key("lanes".into())
            ]
        );
        assert_eq!(o.value(), &toml::Value::Integer(10));
        let o = Override::parse("demand.rate=1300/d").expect("valid");
        assert_eq!(o.value(), &toml::Value::String("1300/d".into()));
        assert_eq!(o.text(), "demand.rate=1300/d");
        let o = Override::parse(r#"stages."a.b".lanes[2].count = 3"#).expect("valid");
        assert_eq!(
            keys(&o),
            vec![
                Step::Key("stages".into()),
                Step::Key("a.b".into()),
                Step::Key("lanes".into()),
                Step::Index(2),
                Step::Key("count".into())
            ]
        );
        let o = Override::parse(r#"service={ dist = "exponential", mean = "5m" }"#).expect("valid");
        assert!(o.value().is_table());
    }

    #[test]
    fn malformed_arguments_are_located() {
        for (arg, col, what) in [
            ("lanes", 0, "expected KEY=VALUE"),
            ("lanes=", 5, "missing value"),
            ("=4", 0, "missing key"),
            ("stages..lanes=4", 7, "expected a key name"),
            ("stages[x].lanes=4", 7, "expected an index"),
            ("stages\"x\"=4", 6, "expected `.` or `[`"),
        ] {
            let d = Override::parse(arg).expect_err(arg);
            assert!(d.message.contains(what), "{arg}: {}", d.message);
            assert_eq!(
                d.span.as_ref().map(|s| s.start),
                Some(col),
                "{arg}: {}",
                d.message
            );
            assert!(d.render().contains("--> --set:1:"), "{}", d.render());
        }
    }

    #[test]
    fn keys_read_before_overrides_apply_are_refused_where_written() {
        for arg in ["extends=base.toml", "replaces=[\"stages\"]", "extends.x=1"] {
            let d = Override::parse(arg).expect_err(arg);
            assert!(d.message.contains("cannot be overridden"), "{}", d.message);
            assert_eq!(d.span.as_ref().map(|s| s.start), Some(0), "{arg}");
        }
        let text = "key = \"extends\"\nvalues = [\"a.toml\"]\n";
        let origin = Origin::new("sweep.toml", text);
        let d = Override::in_file(&origin, "extends", 6..15, 26..34).expect_err("extends");
        assert_eq!(d.span, Some(6..15), "at the key as written");
        // A key that only contains the word is an ordinary key.
        assert!(Override::parse("stages.extends.lanes=2").is_ok());
    }

    #[test]
    fn file_keys_point_inside_their_quotes() {
        let text = "key = \"stages.desk.lanes\"\nvalues = [3, 4]\n";
        let origin = Origin::new("sweep.toml", text);
        let o = Override::in_file(&origin, "stages.desk.lanes", 6..25, 36..37).expect("valid");
        assert_eq!(o.steps[1].1, 14..18);
        assert_eq!(o.value(), &toml::Value::Integer(3));
        assert_eq!(o.text(), "stages.desk.lanes=3");
        let g = Override::generated(
            &origin,
            "stages.desk.lanes",
            6..25,
            toml::Value::Integer(7),
            35..41,
        )
        .expect("valid");
        assert_eq!(g.text(), "stages.desk.lanes=7");
        assert_eq!(g.value_span(), 35..41);
    }
}
