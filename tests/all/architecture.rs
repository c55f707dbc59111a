//! Architecture invariants that a compiler would not catch.
//!
//! The engine must stay domain-free (no port model, no files, no async
//! runtime), and every source file must say why it exists. Both are
//! promises in ARCHITECTURE.md; these tests keep them true.

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
