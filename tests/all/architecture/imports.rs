//! The crate's import graph, drawn from its own source: every `crate::`,
//! `super::` and `self::` path in `use` trees and inline, test code
//! included, resolved to the file that defines the module it names.
//!
//! The architecture tests read layers and circles off this graph, the way
//! a reviewer would draw it by hand, so a new arrow that runs back up the
//! tower, or a new circle between files, fails the suite instead of
//! waiting for someone to notice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path, e.g. `["model", "port"]` for `src/model/port.rs`; the
/// crate root (`lib.rs`) is empty.
pub type Module = Vec<String>;

/// Files and the modules each one's paths reach.
#[derive(Debug, Default)]
pub struct Graph {
    /// Every file's module, with the file.
    pub files: BTreeMap<Module, PathBuf>,
    /// `a → {b, …}`: a path in file `a` names module `b` (or an item in it).
    pub edges: BTreeMap<Module, BTreeSet<Module>>,
}

impl Graph {
    /// The graph of the crate whose sources are under `src`.
    pub fn of(src: &Path) -> Graph {
        let mut graph = Graph::default();
        for file in super::rust_files(src) {
            let rel = file.strip_prefix(src).expect("under src");
            let mut parts: Module = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts == ["lib"] || parts == ["main"] {
                parts.clear();
            }
            graph.files.insert(parts, file);
        }
        let files: Vec<(Module, PathBuf)> = graph
            .files
            .iter()
            .map(|(m, f)| (m.clone(), f.clone()))
            .collect();
        for (module, file) in files {
            let text = std::fs::read_to_string(&file).expect("readable");
            let code = strip(&text);
            let mut reached = BTreeSet::new();
            for (inline, path) in paths(&code) {
                let here: Module = module.iter().cloned().chain(inline).collect();
                if let Some(abs) = absolute(&here, &path)
                    && let Some(target) = graph.resolve(&abs)
                    && target != module
                {
                    reached.insert(target);
                }
            }
            graph.edges.insert(module, reached);
        }
        graph
    }

    /// The file module that `path` (absolute, without `crate`) lands in:
    /// its longest prefix that is a file.
    fn resolve(&self, path: &[String]) -> Option<Module> {
        (0..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|m| self.files.contains_key(m))
    }

    /// Strongly connected components with more than one file: the
    /// import circles.
    pub fn circles(&self) -> Vec<Vec<Module>> {
        // Tarjan's algorithm, iterative enough for a crate's depth.
        struct State<'g> {
            graph: &'g Graph,
            index: BTreeMap<Module, usize>,
            low: BTreeMap<Module, usize>,
            stack: Vec<Module>,
            on_stack: BTreeSet<Module>,
            next: usize,
            out: Vec<Vec<Module>>,
        }
        fn visit(s: &mut State, v: &Module) {
            s.index.insert(v.clone(), s.next);
            s.low.insert(v.clone(), s.next);
            s.next += 1;
            s.stack.push(v.clone());
            s.on_stack.insert(v.clone());
            let targets: Vec<Module> = s
                .graph
                .edges
                .get(v)
                .map(|t| t.iter().cloned().collect())
                .unwrap_or_default();
            for w in targets {
                if !s.index.contains_key(&w) {
                    visit(s, &w);
                    let low = s.low[v].min(s.low[&w]);
                    s.low.insert(v.clone(), low);
                } else if s.on_stack.contains(&w) {
                    let low = s.low[v].min(s.index[&w]);
                    s.low.insert(v.clone(), low);
                }
            }
            if s.low[v] == s.index[v] {
                let mut component = Vec::new();
                while let Some(w) = s.stack.pop() {
                    s.on_stack.remove(&w);
                    let done = &w == v;
                    component.push(w);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    s.out.push(component);
                }
            }
        }
        let mut s = State {
            graph: self,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            next: 0,
            out: Vec::new(),
        };
        for v in self.files.keys() {
            if !s.index.contains_key(v) {
                visit(&mut s, v);
            }
        }
        s.out
    }
}

/// A module path as people write it: `model/port`, or `lib`.
pub fn name(m: &[String]) -> String {
    if m.is_empty() {
        "lib".into()
    } else {
        m.join("/")
    }
}

/// `path` made absolute (without `crate`) from inside module `here`, or
/// `None` when it does not start with `crate`, `super` or `self`.
fn absolute(here: &[String], path: &[String]) -> Option<Vec<String>> {
    let (first, rest) = path.split_first()?;
    match first.as_str() {
        "crate" => Some(rest.to_vec()),
        "self" => Some(here.iter().chain(rest).cloned().collect()),
        "super" => {
            let mut base = here.to_vec();
            base.pop();
            let mut rest = rest;
            while let Some((s, tail)) = rest.split_first()
                && s == "super"
            {
                base.pop();
                rest = tail;
            }
            Some(base.into_iter().chain(rest.iter().cloned()).collect())
        }
        _ => None,
    }
}

/// The source with comments and the contents of string and character
/// literals blanked out (newlines kept), so that only code is read.
fn strip(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                }
            }
            b'r' | b'b' if raw_string_at(b, i).is_some() => {
                // A raw string: r"…", r#"…"#, br"…", …
                let (hashes, mut j) = raw_string_at(b, i).unwrap_or_default();
                while j < b.len() {
                    if b[j] == b'"'
                        && b[j + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&c| c == b'#')
                            .count()
                            == hashes
                    {
                        j += 1 + hashes;
                        break;
                    }
                    blank(&mut out, b[j]);
                    j += 1;
                }
                out.push(b' ');
                i = j;
            }
            b'"' => {
                out.push(b' ');
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                    if i < b.len() {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                }
                out.push(b' ');
                i += 1;
            }
            b'\'' => {
                // A character literal ('x', '\n', '\u{..}'), or a lifetime.
                let end = if b.get(i + 1) == Some(&b'\\') {
                    b.get(i + 3..)
                        .and_then(|rest| rest.iter().position(|&c| c == b'\''))
                        .map(|p| i + 3 + p)
                } else if b.get(i + 2) == Some(&b'\'') {
                    Some(i + 2)
                } else {
                    None
                };
                match end {
                    Some(e) => {
                        out.extend(std::iter::repeat_n(b' ', e + 1 - i));
                        i = e + 1;
                    }
                    None => {
                        out.push(b'\'');
                        i += 1;
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where a raw string opens at `i` (`r"`, `r#"`, `br"`, …): the number
/// of `#`s and the index just past its opening quote.
fn raw_string_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
        return None;
    }
    let mut j = i;
    if b[j] == b'b' {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while b.get(j) == Some(&b'#') {
        hashes += 1;
        j += 1;
    }
    (b.get(j) == Some(&b'"')).then_some((hashes, j + 1))
}

/// Every path in the code, with the inline modules (`mod tests { … }`)
/// it sits in: the paths of `use` trees, expanded, and every other
/// `crate::…`, `super::…` or `self::…` path.
fn paths(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let tokens = tokenize(code);
    let mut out = Vec::new();
    // Inline modules open: (name, brace depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        match t {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d > depth) {
                    inline.pop();
                }
            }
            "mod" if tokens.get(i + 2).is_some_and(|t| t == "{") => {
                inline.push((tokens[i + 1].clone(), depth + 1));
            }
            "use" => {
                let end = tokens[i..]
                    .iter()
                    .position(|t| t == ";")
                    .map_or(tokens.len(), |p| i + p);
                let names: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                for path in expand(&tokens[i + 1..end]) {
                    out.push((names.clone(), path));
                }
                i = end;
                continue;
            }
            "crate" | "super" | "self" if tokens.get(i + 1).is_some_and(|t| t == "::") => {
                let mut path = vec![t.to_owned()];
                let mut j = i + 1;
                while tokens.get(j).is_some_and(|t| t == "::")
                    && tokens.get(j + 1).is_some_and(|t| is_ident(t))
                {
                    path.push(tokens[j + 1].clone());
                    j += 2;
                }
                let names: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                out.push((names, path));
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Identifiers, `::`, and single punctuation characters.
fn tokenize(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".into());
            i += 2;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

/// The paths a `use` tree names: `a::{b, c::{d, e as f}, self}` gives
/// `a::b`, `a::c::d`, `a::c::e` and `a`.
fn expand(tree: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut prefix: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tree.len() {
        match tree[i].as_str() {
            "::" => {}
            "{" => {
                // Split the group's items at top-level commas.
                let mut level = 0;
                let mut start = i + 1;
                let mut j = i + 1;
                while j < tree.len() {
                    match tree[j].as_str() {
                        "{" => level += 1,
                        "}" if level == 0 => break,
                        "}" => level -= 1,
                        "," if level == 0 => {
                            for p in expand(&tree[start..j]) {
                                out.push(prefix.iter().cloned().chain(p).collect());
                            }
                            start = j + 1;
                        }
                        _ => {}
                    }
                    j += 1;
                }
                for p in expand(&tree[start..j.min(tree.len())]) {
                    out.push(prefix.iter().cloned().chain(p).collect());
                }
                return out;
            }
            "as" | "*" | "pub" => break,
            "self" if !prefix.is_empty() => {}
            t if is_ident(t) => prefix.push(t.to_owned()),
            _ => {}
        }
        i += 1;
    }
    if !prefix.is_empty() {
        out.push(prefix);
    }
    out
}
