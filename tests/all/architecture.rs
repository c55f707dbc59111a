//! Architecture invariants that a compiler would not catch.
//!
//! The engine must stay domain-free (no port model, no files, no async
//! runtime), async code must stay in the web app (`src/serve/`), and
//! every source file must say why it exists. These are promises in
//! ARCHITECTURE.md; these tests keep them true.

use std::path::{Path, PathBuf};

mod imports;

use imports::{Graph, name};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_engine_is_domain_free() {
    let forbidden = [
        "crate::model",
        "crate::scenario",
        "crate::experiment",
        "crate::report",
        "crate::cli",
        "tokio",
        "toml",
        "serde_json",
        "std::fs",
        "std::net",
    ];
    let files = rust_files(&root().join("src/engine"));
    assert!(files.len() >= 10, "engine files found: {}", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        // Code only: docs may name the layers above to say what is not here.
        let code: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        for word in forbidden {
            let hit = code.iter().find(|l| l.contains(word));
            assert!(hit.is_none(), "{} uses `{word}`: {hit:?}", file.display());
        }
    }
}

#[test]
fn async_code_lives_only_in_the_web_app() {
    // tokio serves the web app's I/O; simulations run on rayon. Neither
    // tokio, axum nor hyper may be named outside `src/serve/` (and
    // `src/serve.rs`).
    let serve = root().join("src/serve");
    let files: Vec<PathBuf> = rust_files(&root().join("src"))
        .into_iter()
        .filter(|f| !f.starts_with(&serve) && !f.ends_with("src/serve.rs"))
        .collect();
    assert!(files.len() > 40, "source files found: {}", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let hit = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .find(|l| {
                l.contains("tokio")
                    || l.contains("axum")
                    || l.contains("hyper::")
                    || l.contains("hyper_util")
                    || l.contains("async ")
            });
        assert!(hit.is_none(), "{} uses async code: {hit:?}", file.display());
    }
    let serve_files = rust_files(&serve);
    assert!(
        serve_files
            .iter()
            .any(|f| { std::fs::read_to_string(f).is_ok_and(|t| t.contains("use axum::")) }),
        "the web app is expected under src/serve/"
    );
}

/// Issue 24, defect 8: `eprintln!` panics when stderr cannot be written,
/// turning a user's mistake (exit 2) into a crash (exit 101). Only
/// `cli::stderr` writes there (and the progress bar, through indicatif,
/// which drops its write errors).
#[test]
fn stderr_is_written_by_one_writer_only() {
    let writer = root().join("src/cli/stderr.rs");
    for file in rust_files(&root().join("src")) {
        if file == writer {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable");
        let hit = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .find(|l| {
                l.contains("eprint!(")
                    || l.contains("eprintln!(")
                    || (l.contains("io::stderr()") && !l.contains("is_terminal()"))
            });
        assert!(
            hit.is_none(),
            "{} writes to stderr: {hit:?}",
            file.display()
        );
    }
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
        files.extend(rust_files(&root().join(dir)));
    }
    assert!(files.len() > 40, "source files found: {}", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        assert!(
            text.starts_with("//!"),
            "{} does not open with `//!`",
            file.display()
        );
    }
}

/// The `crate::…`, `super::…` and `self::…` paths of a file's code (docs
/// and line comments left out), inline ones included.
fn crate_paths(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(start) {
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            out.push(tail[..end].to_owned());
            rest = &tail[end..];
        }
    }
    out
}

#[test]
fn numbers_are_not_worded_below_the_reports() {
    // The experiment layer produces findings as data; `report/` words
    // them. Nothing in `src/experiment/` (or `src/model/`) reaches up into
    // `report`, by a `use` or an inline path.
    let mut files = Vec::new();
    for layer in ["experiment", "model"] {
        files.extend(rust_files(&root().join("src").join(layer)));
        files.push(root().join("src").join(format!("{layer}.rs")));
    }
    assert!(files.len() > 20, "files found: {}", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let hit = crate_paths(&text)
            .into_iter()
            .find(|p| p.starts_with("crate::report"));
        assert!(hit.is_none(), "{} uses `{hit:?}`", file.display());
    }
}

#[test]
fn the_store_imports_none_of_the_layers_above_it() {
    // `src/store/` is the bottom layer beside the engine: every layer
    // writes and reads back files through it, so it may name none of them
    // (code and docs alike: a link in a doc is an import too).
    let layers = [
        "crate::engine",
        "crate::model",
        "crate::scenario",
        "crate::experiment",
        "crate::decide",
        "crate::report",
        "crate::shard",
        "crate::serve",
        "crate::cli",
        "crate::calibrate",
    ];
    let mut files = rust_files(&root().join("src/store"));
    files.push(root().join("src/store.rs"));
    assert!(files.len() >= 8, "store files found: {}", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for word in layers {
            let hit = text.lines().find(|l| l.contains(word));
            assert!(hit.is_none(), "{} names `{word}`: {hit:?}", file.display());
        }
    }
}

/// The tower, bottom first: a file may import files of its own layer and
/// of layers on lower rungs, never of a layer on its own rung or above.
/// `engine` and `store` share the bottom rung and know nothing of each
/// other; `report` renders what every layer below it produces.
const TOWER: &[&[&str]] = &[
    &["engine", "store"],
    &["scenario"],
    &["model"],
    &["experiment"],
    &["decide"],
    &["calibrate"],
    &["forecast"],
    &["report"],
    &["shard", "serve"],
    &["cli"],
    &["lib", "main"],
];

fn rung(layer: &str) -> Option<usize> {
    TOWER.iter().position(|r| r.contains(&layer))
}

fn layer(m: &[String]) -> String {
    m.first().cloned().unwrap_or_else(|| "lib".into())
}

fn graph() -> Graph {
    let graph = Graph::of(&root().join("src"));
    assert!(
        graph.files.len() > 100,
        "files found: {}",
        graph.files.len()
    );
    graph
}

#[test]
fn every_import_runs_down_the_tower() {
    let graph = graph();
    let mut wrong = Vec::new();
    for (from, targets) in &graph.edges {
        let a = layer(from);
        let Some(ra) = rung(&a) else {
            wrong.push(format!("{}: layer `{a}` is not in the tower", name(from)));
            continue;
        };
        for to in targets {
            let b = layer(to);
            if a == b || to.is_empty() {
                continue;
            }
            match rung(&b) {
                Some(rb) if rb < ra => {}
                _ => wrong.push(format!("{} → {}", name(from), name(to))),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that run up or across the tower:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn nothing_below_the_reports_imports_them_and_the_store_imports_nothing_above() {
    // The two rules the tower implies that matter most, said on their own.
    let graph = graph();
    let report = rung("report").expect("report");
    for (from, targets) in &graph.edges {
        let a = layer(from);
        for to in targets {
            let b = layer(to);
            if b == "report" && rung(&a).is_some_and(|r| r < report) {
                panic!(
                    "{} imports {}: nothing below report/ may",
                    name(from),
                    name(to)
                );
            }
            if a == "store" && b != "store" && !to.is_empty() {
                panic!(
                    "{} imports {}: store/ imports no other layer",
                    name(from),
                    name(to)
                );
            }
        }
    }
}

#[test]
fn no_import_circles_between_files() {
    let circles: Vec<String> = graph()
        .circles()
        .iter()
        .map(|c| c.iter().map(|m| name(m)).collect::<Vec<_>>().join(" ↔ "))
        .collect();
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_import_reader_sees_what_a_reviewer_sees() {
    // A hand-made crate: use trees, groups, `self`, `super::super`,
    // inline paths, an inline test module, and paths in comments and
    // strings that must not count.
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    let write = |p: &str, t: &str| {
        let path = src.join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, t).expect("write");
    };
    write("lib.rs", "pub mod a;\npub mod b;\n");
    write("a.rs", "//! a\npub mod x;\npub mod y;\nuse self::x::X;\n");
    write(
        "a/x.rs",
        "//! x\nuse super::{y::{self, Y}, super::b::B as Bee};\n// crate::c::gone\nconst S: &str = \"crate::b::z\";\nfn f() { let _ = crate::b::g(); let _ = '{'; }\n#[cfg(test)]\nmod tests { use super::super::y; }\n",
    );
    write("a/y.rs", "//! y\n");
    write("b.rs", "//! b\nfn h() { super::a::y::f(); }\n");
    let g = Graph::of(src);
    let edges = |m: &str| -> Vec<String> {
        let key: Vec<String> = m.split('/').map(String::from).collect();
        g.edges[&key].iter().map(|t| name(t)).collect()
    };
    assert_eq!(edges("a"), ["a/x"]);
    assert_eq!(edges("a/x"), ["a/y", "b"]);
    assert_eq!(edges("b"), ["a/y"]);
    assert!(g.circles().is_empty());
    write("a/y.rs", "//! y\nuse crate::a::x;\n");
    write("b.rs", "//! b\n");
    let g = Graph::of(src);
    let circles: Vec<Vec<String>> = g
        .circles()
        .iter()
        .map(|c| c.iter().map(|m| name(m)).collect())
        .collect();
    assert_eq!(circles, [["a/x", "a/y"]]);
}
