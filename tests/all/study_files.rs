//! Every study file the project ships, and every study its docs show,
//! must read.
//!
//! Why: like scenarios, study files drift when a format changes. This
//! reads every `*.toml` under `scenarios/studies/` as the study its keys
//! say it is (`[[factors]]` a sweep, `[[decide]]` a plan, `[[parameters]]`
//! a sensitivity study), which also resolves every point or corner
//! against the scenario, and every ```` ```toml study ```` block of
//! `docs/*.md` (with its `scenario` and `variant` paths taken relative
//! to `scenarios/studies/`). Nothing is simulated. Each kind must be found,
//! so the test cannot pass vacuously.

use std::path::Path;

use portsim::decide::{plan, sensitivity, sweep};
use portsim::scenario::toml_file::TomlFile;

use crate::scenario_files::{docs, files, root};

/// Reads a study of the kind its keys say; returns the kind.
fn read(path: &Path, text: &str) -> Result<&'static str, String> {
    let file = TomlFile::new(path, text);
    let table: toml::Table = text.parse().map_err(|e| format!("{e}"))?;
    let (kind, result) = if table.contains_key("factors") {
        ("sweep", sweep::parse(&file, &[]).map(|_| ()))
    } else if table.contains_key("decide") {
        ("plan", plan::parse(&file, &[]).map(|_| ()))
    } else if table.contains_key("parameters") {
        ("sensitivity", sensitivity::parse(&file, &[]).map(|_| ()))
    } else {
        return Err("not a sweep, plan or sensitivity study".to_owned());
    };
    result.map(|()| kind).map_err(|e| e.to_string())
}

#[test]
fn every_shipped_study_reads() {
    let studies = files(&root().join("scenarios").join("studies"), ".toml");
    let mut kinds = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for path in &studies {
        let text = std::fs::read_to_string(path).expect("readable");
        match read(path, &text) {
            Ok(kind) => {
                kinds.insert(kind);
            }
            Err(e) => failures.push(format!("{}:\n{e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["plan", "sensitivity", "sweep"],
        "every kind of study is shipped"
    );
}

#[test]
fn every_study_in_the_docs_reads() {
    let studies = root().join("scenarios").join("studies");
    let mut count = 0;
    let mut failures = Vec::new();
    for doc in docs() {
        let text = std::fs::read_to_string(&doc).expect("readable doc");
        let mut block: Option<(usize, String)> = None;
        for (i, line) in text.lines().enumerate() {
            match &mut block {
                None if line.trim() == "```toml study" => block = Some((i + 1, String::new())),
                None => {}
                Some((start, body)) if line.trim() == "```" => {
                    count += 1;
                    // Named as if beside the shipped studies, so that
                    // their relative paths resolve (nothing is written).
                    let path = studies.join(format!(".doc-block-{}-{start}.toml", count));
                    if let Err(e) = read(&path, body) {
                        failures.push(format!(
                            "{}:{start}: the study block does not read:\n{e}",
                            doc.display()
                        ));
                    }
                    block = None;
                }
                Some((_, body)) => {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    assert!(
        count >= 3,
        "expected study blocks in docs/planning.md, found {count}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
