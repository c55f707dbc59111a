//! The files behind one scenario: the file itself and its `extends` chain.
//!
//! `extends = "base.toml"` (relative to the extending file) makes a file a
//! set of changes to another. The chain is read first, checking syntax,
//! cycles and depth; then every file is parsed into a spanned TOML tree and
//! the trees are merged, the extending file winning: top-level tables merge
//! key by key, anything else (arrays, including `[[stages]]` and
//! `[[classes]]`, and values inside tables) replaces wholesale. In
//! `[demand]`, `rate` and `interarrival` exclude each other, so setting one
//! drops the other inherited one (and `interarrival` drops the inherited
//! `profile` and `days`). A `[stages.NAME]` table patches one stage of the
//! base by name instead of replacing the list (see `named`).
//!
//! Every base must be a regular `.toml` file (checked before it is
//! opened, see `input`), so a mistaken `extends` never reads, or echoes
//! in an error, a file that is not a scenario.
//!
//! So that a value in the merged tree still knows its file, each file's
//! spans are shifted by the file's offset in one virtual concatenation of
//! all the texts; [`Sources::diagnostic`] maps a span back to its file,
//! line and column.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_spanned::Spanned;
use toml::de::{DeTable, DeValue};

use super::checks::Issue;
use super::error::Diagnostic;
use super::named;
use super::origins::is_toml;

/// How many files an `extends` chain may hold.
const MAX_DEPTH: usize = 16;

/// The `[demand]` keys an override drops from its base when it sets the key.
pub(super) const EXCLUSIVE: &[(&str, &[&str])] = &[
    ("rate", &["interarrival"]),
    ("interarrival", &["rate", "profile", "days", "seasons"]),
];

/// One file of the chain.
#[derive(Clone, Debug)]
struct SourceFile {
    path: PathBuf,
    text: Arc<str>,
    /// Where its spans start in the virtual concatenation.
    offset: usize,
}

/// The chain, the extending file first, then any patches.
#[derive(Clone, Debug)]
pub(super) struct Sources {
    /// In the order read (offsets increase).
    files: Vec<SourceFile>,
    /// Indices into `files`, from the lowest precedence to the highest.
    order: Vec<usize>,
    /// A folder every base must stay inside (canonical), for the web
    /// app's workspace; `None` on the command line.
    within: Option<PathBuf>,
}

impl Sources {
    /// Reads the chain that starts with `text` (the contents of `path`).
    pub fn read(text: &str, path: &Path) -> Result<Sources, Vec<Diagnostic>> {
        Sources::read_within(text, path, None)
    }

    /// [`read`](Self::read), refusing any base whose real path (links
    /// followed) is not inside `within`, before it is opened.
    pub fn read_within(
        text: &str,
        path: &Path,
        within: Option<&Path>,
    ) -> Result<Sources, Vec<Diagnostic>> {
        let mut sources = Sources {
            within: within.map(Path::to_path_buf),
            files: vec![SourceFile {
                path: path.to_path_buf(),
                text: Arc::from(text),
                offset: 0,
            }],
            order: vec![0],
        };
        let mut seen = vec![identity(path)];
        while let Some((target, span)) = sources.extends_of_last()? {
            let base = sources.read_base(&target, span, &mut seen)?;
            sources.files.push(base);
            sources.order.insert(0, sources.files.len() - 1);
        }
        Ok(sources)
    }

    /// Adds a patch (`text`, the contents of `path`) that overrides
    /// everything read so far, with the same merge rules as `extends`. The
    /// patch's own `extends` is not followed: a patch names the scenario it
    /// modifies, which is already read.
    pub fn patch(&mut self, text: &str, path: &Path) -> Result<(), Vec<Diagnostic>> {
        let offset = self.files.last().map_or(0, |f| f.offset + f.text.len() + 1);
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text: Arc::from(text),
            offset,
        });
        let index = self.files.len() - 1;
        DeTable::parse(text).map_err(|e| vec![self.syntax(index, &e)])?;
        self.order.push(index);
        Ok(())
    }

    /// The `extends` of the last file read, with its span (local to it).
    fn extends_of_last(&self) -> Result<Option<(String, Range<usize>)>, Vec<Diagnostic>> {
        let index = self.files.len() - 1;
        let file = &self.files[index];
        let root = DeTable::parse(&file.text).map_err(|e| vec![self.syntax(index, &e)])?;
        let Some(value) = root.get_ref().get("extends") else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::String(target) => Ok(Some((target.to_string(), value.span()))),
            _ => Err(vec![self.local(
                index,
                value.span(),
                "expected a file path like \"base.toml\" for `extends`",
            )]),
        }
    }

    /// Reads the base named by the last file, refusing cycles and chains
    /// that are too long.
    fn read_base(
        &self,
        target: &str,
        span: Range<usize>,
        seen: &mut Vec<PathBuf>,
    ) -> Result<SourceFile, Vec<Diagnostic>> {
        let index = self.files.len() - 1;
        let from = &self.files[index];
        let path = from.path.parent().unwrap_or(Path::new("")).join(target);
        if !is_toml(&path) {
            // Refused before it is opened: no other kind of file is read,
            // or echoed in a message (`extends = "/proc/self/environ"`).
            let message = format!(
                "`extends` must name a scenario file ending in `.toml`, found \"{target}\""
            );
            return Err(vec![self.local(index, span, &message)]);
        }
        let id = identity(&path);
        if let Some(root) = &self.within
            && !real_path(&path).is_some_and(|real| real.starts_with(root))
        {
            let message = format!(
                "`extends` must name a scenario file inside the workspace, found \"{target}\""
            );
            return Err(vec![self.local(index, span, &message)]);
        }
        if seen.contains(&id) {
            let mut chain: Vec<String> = self.files.iter().map(|f| show(&f.path)).collect();
            chain.push(show(&path));
            let message = format!("`extends` forms a cycle: {}", chain.join(" -> "));
            return Err(vec![self.local(index, span, &message)]);
        }
        if self.files.len() >= MAX_DEPTH {
            let message = format!("too many levels of `extends` (at most {MAX_DEPTH} files)");
            return Err(vec![self.local(index, span, &message)]);
        }
        let text = super::limits::read_file(&path).map_err(|e| {
            let message = format!("cannot read base scenario `{}`: {e}", show(&path));
            vec![self.local(index, span.clone(), &message)]
        })?;
        seen.push(id);
        let offset = from.offset + from.text.len() + 1;
        Ok(SourceFile {
            path,
            text: Arc::from(text),
            offset,
        })
    }

    /// All files merged into one tree, spans shifted to the virtual
    /// concatenation, without `extends`. Warnings about the merge (a list
    /// of stages that drops some of the base's) are added to `warnings`.
    pub fn merged(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Spanned<DeTable<'_>>, Vec<Diagnostic>> {
        let mut merged: Option<Spanned<DeTable<'_>>> = None;
        let mut notes = Notes::default();
        for &index in &self.order {
            let file = &self.files[index];
            let root = DeTable::parse(&file.text).map_err(|e| vec![self.syntax(index, &e)])?;
            let span = shift(root.span(), file.offset);
            let mut table = shift_table(root.into_inner(), file.offset);
            table.remove("extends");
            let replaces = named::take_replaces(&mut table, &mut notes.issues);
            let result = match merged.take() {
                None => {
                    unpatched(&table, &mut notes.issues);
                    table
                }
                Some(base) => {
                    let mut base = base.into_inner();
                    merge(&mut base, table, &replaces, &mut notes);
                    base
                }
            };
            merged = Some(Spanned::new(span, result));
        }
        if !notes.issues.is_empty() {
            return Err(notes
                .issues
                .into_iter()
                .map(|i| self.diagnostic(i))
                .collect());
        }
        warnings.extend(notes.warnings.into_iter().map(|w| self.warning(w)));
        merged.ok_or_else(Vec::new)
    }

    /// Registers a text that overrides point into (a `--set` argument or
    /// a decision file) so that their spans map back to it, and returns
    /// its offset in the virtual concatenation. It is not merged.
    pub fn origin(&mut self, path: &Path, text: &Arc<str>) -> usize {
        if let Some(f) = self.files.iter().find(|f| Arc::ptr_eq(&f.text, text)) {
            return f.offset;
        }
        let offset = self.files.last().map_or(0, |f| f.offset + f.text.len() + 1);
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text: text.clone(),
            offset,
        });
        offset
    }

    /// A warning with its place: "file:line:col: message".
    fn warning(&self, issue: Issue) -> String {
        let d = self.diagnostic(issue);
        match d.line_col() {
            Some((line, col)) => format!("{}:{line}:{col}: {}", show(&d.path), d.message),
            None => format!("{}: {}", show(&d.path), d.message),
        }
    }

    /// Maps an issue in the merged document back to its file.
    pub fn diagnostic(&self, issue: Issue) -> Diagnostic {
        let (file, span) = match &issue.span {
            Some(span) => {
                let file = self
                    .files
                    .iter()
                    .rev()
                    .find(|f| f.offset <= span.start)
                    .unwrap_or(&self.files[0]);
                let start = span.start - file.offset;
                let end = span.end.saturating_sub(file.offset).max(start);
                (file, Some(start..end))
            }
            None => (&self.files[0], None),
        };
        Diagnostic {
            path: file.path.clone(),
            source: file.text.clone(),
            span,
            message: issue.message,
            label: issue.label,
            help: issue.help,
        }
    }

    /// A diagnostic at a span local to file `index`.
    fn local(&self, index: usize, span: Range<usize>, message: &str) -> Diagnostic {
        let file = &self.files[index];
        Diagnostic {
            path: file.path.clone(),
            source: file.text.clone(),
            span: Some(span),
            message: message.to_owned(),
            label: None,
            help: None,
        }
    }

    /// A TOML syntax error in file `index`.
    fn syntax(&self, index: usize, error: &toml::de::Error) -> Diagnostic {
        let file = &self.files[index];
        Diagnostic {
            path: file.path.clone(),
            source: file.text.clone(),
            span: error.span(),
            message: format!("invalid TOML: {}", error.message().trim_end()),
            label: None,
            help: None,
        }
    }
}

/// What identifies a file for cycle detection.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Where `path` really is, links followed: the file itself, or, for one
/// that does not exist yet, its folder's real path joined with its name.
fn real_path(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok().or_else(|| {
        let name = path.file_name()?;
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty())?;
        Some(std::fs::canonicalize(parent).ok()?.join(name))
    })
}

fn show(path: &Path) -> String {
    path.display().to_string()
}

fn shift(span: Range<usize>, by: usize) -> Range<usize> {
    span.start + by..span.end + by
}

fn shift_table(table: DeTable<'_>, by: usize) -> DeTable<'_> {
    table
        .into_iter()
        .map(|(key, value)| {
            let key_span = shift(key.span(), by);
            (
                Spanned::new(key_span, key.into_inner()),
                shift_value(value, by),
            )
        })
        .collect()
}

fn shift_value(value: Spanned<DeValue<'_>>, by: usize) -> Spanned<DeValue<'_>> {
    let span = shift(value.span(), by);
    let inner = match value.into_inner() {
        DeValue::Array(items) => {
            DeValue::Array(items.into_iter().map(|v| shift_value(v, by)).collect())
        }
        DeValue::Table(table) => DeValue::Table(shift_table(table, by)),
        other => other,
    };
    Spanned::new(span, inner)
}

/// What merging noticed: mistakes, and lists that drop stages.
#[derive(Debug, Default)]
struct Notes {
    issues: Vec<Issue>,
    warnings: Vec<Issue>,
}

/// `[stages.NAME]` tables in the lowest file, which has nothing to patch.
fn unpatched(table: &DeTable<'_>, issues: &mut Vec<Issue>) {
    for key in named::NAMED {
        if let Some((k, v)) = table.get_key_value(key)
            && v.get_ref().is_table()
        {
            issues.push(named::nothing_to_patch(k.span(), key));
        }
    }
}

/// Applies `over` to `base`: top-level tables merge key by key, named
/// lists (`stages`, `classes`) take `[stages.NAME]` patches item by item,
/// anything else replaces. `replaces` lists the arrays `over` replaces on
/// purpose (no warning when they drop items).
fn merge<'a>(base: &mut DeTable<'a>, over: DeTable<'a>, replaces: &[String], notes: &mut Notes) {
    for (key, value) in over {
        let old = base.remove(key.get_ref().as_ref());
        let name = key.get_ref().to_string();
        let value = match old {
            Some(old) if named::NAMED.contains(&name.as_str()) => {
                let quiet = replaces.contains(&name);
                merge_named(old, value, &name, key.span(), quiet, notes)
            }
            Some(old) => merge_tables(old, value, &name),
            None => value,
        };
        base.insert(key, value);
    }
}

/// Merges a named list (`stages`, `classes`): by name for a table of
/// patches, wholesale (warning about dropped items) for a new list.
fn merge_named<'a>(
    old: Spanned<DeValue<'a>>,
    new: Spanned<DeValue<'a>>,
    name: &str,
    key_span: Range<usize>,
    quiet: bool,
    notes: &mut Notes,
) -> Spanned<DeValue<'a>> {
    let old_span = old.span();
    let new_span = new.span();
    match (old.into_inner(), new.into_inner()) {
        (DeValue::Array(base), DeValue::Table(over)) => Spanned::new(
            old_span,
            DeValue::Array(named::patch(base, over, name, &mut notes.issues)),
        ),
        (DeValue::Array(base), DeValue::Array(over)) => {
            let gone = named::dropped(&base, &over);
            if !quiet && !gone.is_empty() {
                notes.warnings.push(Issue {
                    span: Some(key_span),
                    message: named::dropped_warning(name, &gone, named::names(&base).len()),
                    label: None,
                    help: None,
                });
            }
            Spanned::new(new_span, DeValue::Array(over))
        }
        (old, new) => merge_tables(
            Spanned::new(old_span, old),
            Spanned::new(new_span, new),
            name,
        ),
    }
}

/// Merges two values of one top-level key: tables key by key (the later
/// wins), anything else is replaced.
fn merge_tables<'a>(
    old: Spanned<DeValue<'a>>,
    new: Spanned<DeValue<'a>>,
    name: &str,
) -> Spanned<DeValue<'a>> {
    let span = new.span();
    match (old.into_inner(), new.into_inner()) {
        (DeValue::Table(mut base), DeValue::Table(over)) => {
            if name == "demand" {
                drop_excluded(&mut base, &over);
            }
            for (key, value) in over {
                base.remove(key.get_ref().as_ref());
                base.insert(key, value);
            }
            Spanned::new(span, DeValue::Table(base))
        }
        (_, new) => Spanned::new(span, new),
    }
}

fn drop_excluded(base: &mut DeTable<'_>, over: &DeTable<'_>) {
    for (key, excluded) in EXCLUSIVE {
        if over.contains_key(*key) {
            for other in *excluded {
                base.remove(*other);
            }
        }
    }
}

/// The merged document as canonical TOML: keys sorted, no `extends`.
pub(super) fn canonical(doc: &Spanned<DeTable<'_>>) -> Result<String, String> {
    use serde::Deserialize;
    let mut doc = doc.clone();
    wide_integers_as_text(doc.get_mut());
    let de = toml::de::Deserializer::from(doc);
    let table = toml::Table::deserialize(de).map_err(|e| e.message().to_owned())?;
    let sorted = sort_table(table);
    toml::to_string(&sorted).map_err(|e| e.to_string())
}

/// Integers beyond `i64` (a `seed` may be any `u64`) cannot go through
/// `toml::Value`: in the canonical text they become strings of their
/// digits. Such a string is never a valid value for the same key, so no
/// two valid scenarios share a canonical text.
fn wide_integers_as_text(table: &mut DeTable<'_>) {
    for (_, value) in table.iter_mut() {
        wide_integer_as_text(value.get_mut());
    }
}

fn wide_integer_as_text(value: &mut DeValue<'_>) {
    match value {
        DeValue::Integer(i) if i64::from_str_radix(i.as_str(), i.radix()).is_err() => {
            let text = u128::from_str_radix(i.as_str(), i.radix())
                .map_or_else(|_| i.as_str().to_owned(), |n| n.to_string());
            *value = DeValue::String(text.into());
        }
        DeValue::Table(t) => wide_integers_as_text(t),
        DeValue::Array(items) => {
            for item in items.iter_mut() {
                wide_integer_as_text(item.get_mut());
            }
        }
        _ => {}
    }
}

fn sort_table(table: toml::Table) -> toml::Table {
    let sorted: std::collections::BTreeMap<String, toml::Value> =
        table.into_iter().map(|(k, v)| (k, sort_value(v))).collect();
    sorted.into_iter().collect()
}

fn sort_value(value: toml::Value) -> toml::Value {
    match value {
        toml::Value::Table(t) => toml::Value::Table(sort_table(t)),
        toml::Value::Array(items) => {
            toml::Value::Array(items.into_iter().map(sort_value).collect())
        }
        other => other,
    }
}
