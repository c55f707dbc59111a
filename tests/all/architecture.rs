//! Architecture invariants that a compiler would not catch.
//!
//! The engine must stay domain-free (no port model, no files, no async
//! runtime), async code must stay in the web app (`src/serve/`), and
//! every source file must say why it exists. These are promises in
//! ARCHITECTURE.md; these tests keep them true.

use std::path::{Path, PathBuf};

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
