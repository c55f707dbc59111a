//! Every scenario the project ships, and every complete scenario its docs
//! show, must load.
//!
//! Why: scenario files and documentation drift when the format changes.
//! This reads every `*.toml` under `scenarios/` (recursively, so `extends`
//! chains resolve relative to their real location; the study files of
//! `scenarios/studies/` are checked by `study_files`) with
//! `portsim::scenario::load`, and every ```` ```toml ```` fenced block of
//! every `docs/*.md` (written to a file of its own in a temp dir; blocks
//! fenced as ```` ```toml-fragment ```` show part of a file and are
//! skipped). All failures are collected and reported together. Each kind
//! must be found at least once, so the test cannot pass vacuously.

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files under `dir`, recursively, whose name ends with `suffix`, sorted.
pub fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The ```toml blocks of a Markdown text, each with the line number of
/// its opening fence. Only an exact `toml` info string counts
/// (`toml-fragment`, `text` and the rest do not).
fn toml_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    // An open fence: whether it is a toml block, its line, its text so far.
    let mut open: Option<(bool, usize, String)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim();
        open = match open.take() {
            None => trimmed
                .strip_prefix("```")
                .map(|info| (info.trim() == "toml", i + 1, String::new())),
            Some((is_toml, start, text)) if trimmed == "```" => {
                if is_toml {
                    blocks.push((start, text));
                }
                None
            }
            Some((is_toml, start, mut text)) => {
                text.push_str(line);
                text.push('\n');
                Some((is_toml, start, text))
            }
        };
    }
    blocks
}

/// `docs/*.md`, sorted.
pub fn docs() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    found.sort();
    found
}

#[test]
fn markdown_block_extraction_finds_only_toml_blocks() {
    let md = "text\n```toml\na = 1\n```\n```toml-fragment\nb = 2\n```\n```text\nc\n```\n```toml\nd = 4\ne = 5\n```\n";
    let blocks = toml_blocks(md);
    assert_eq!(
        blocks,
        vec![(2, "a = 1\n".to_owned()), (11, "d = 4\ne = 5\n".to_owned())]
    );
}

#[test]
fn every_shipped_scenario_loads() {
    let studies = root().join("scenarios").join("studies");
    let scenarios: Vec<PathBuf> = files(&root().join("scenarios"), ".toml")
        .into_iter()
        .filter(|p| !p.starts_with(&studies))
        .collect();
    assert!(!scenarios.is_empty(), "no scenarios found under scenarios/");
    let mut failures = Vec::new();
    for path in &scenarios {
        match portsim::scenario::load(path) {
            Ok(s) => assert!(!s.stages.is_empty() && s.horizon > 0),
            Err(e) => failures.push(format!("{}:\n{e}", path.display())),
        }
    }
    eprintln!("{} scenario files checked", scenarios.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_complete_scenario_in_the_docs_loads() {
    let docs = docs();
    assert!(!docs.is_empty(), "no docs/*.md found");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut count = 0;
    let mut failures = Vec::new();
    for doc in &docs {
        let text = std::fs::read_to_string(doc).expect("readable doc");
        let stem = doc
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        for (line, block) in toml_blocks(&text) {
            count += 1;
            let path = dir.path().join(format!("{stem}-line-{line}.toml"));
            std::fs::write(&path, &block).expect("write block");
            if let Err(e) = portsim::scenario::load(&path) {
                failures.push(format!(
                    "{}:{line}: the ```toml block does not load:\n{e}",
                    doc.display()
                ));
            }
        }
    }
    eprintln!("{count} ```toml blocks checked in {} docs", docs.len());
    assert!(count > 0, "no ```toml blocks found in docs/*.md");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
