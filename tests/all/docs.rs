//! The documentation shows what the program does: an output block in a
//! document is the real output of the command shown just before it.
//!
//! A `text` block that follows a `sh` block whose first command runs
//! portsim (`cargo run --release -- ARGS`, or `portsim ARGS`) must be that
//! command's stdout, line for line (its stderr when the command fails, for
//! a documented error message). A block may stop early with a last line
//! of `…`; it must then be an exact prefix of the output. A block that
//! also starts with a line of `…` is an excerpt: its lines must appear
//! together, in order, somewhere in the output. This holds for the README
//! and every document in `docs/`, and every path in the repository that a
//! document names (a file, a folder, or a glob) must exist (issue 14).

use std::path::Path;

use crate::cli_run::portsim;

/// `(command arguments, expected block)` for every output block of `doc`.
fn blocks(doc: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut command: Option<Vec<String>> = None;
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        match line.trim() {
            "```sh" => {
                // The first command, its `\` continuation lines joined.
                let mut first = lines.next().unwrap_or_default().to_owned();
                while let Some(head) = first.strip_suffix('\\') {
                    first = format!("{head} {}", lines.next().unwrap_or_default().trim());
                }
                command = portsim_args(&first);
                for l in lines.by_ref() {
                    if l.trim() == "```" {
                        break;
                    }
                }
            }
            "```text" => {
                // A block inside a list item is indented like its fence.
                let indent = line.len() - line.trim_start().len();
                let mut block = String::new();
                for l in lines.by_ref() {
                    if l.trim() == "```" {
                        break;
                    }
                    block.push_str(l.get(indent..).unwrap_or(l.trim_start()));
                    block.push('\n');
                }
                if let Some(args) = command.take() {
                    out.push((args, block));
                }
            }
            _ => {}
        }
    }
    out
}

/// The portsim arguments of a shell line, without a trailing comment.
fn portsim_args(line: &str) -> Option<Vec<String>> {
    let line = line.split(" #").next().unwrap_or_default().trim();
    let rest = line
        .strip_prefix("cargo run --release -- ")
        .or_else(|| line.strip_prefix("portsim "))?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

/// Whether `block` (an output block of a document) matches `stdout`.
fn matches(block: &str, stdout: &str) -> bool {
    match (block.strip_prefix("…\n"), block.strip_suffix("…\n")) {
        (Some(inner), Some(_)) => inner
            .strip_suffix("…\n")
            .is_some_and(|excerpt| stdout.contains(excerpt)),
        (None, Some(prefix)) => stdout.starts_with(prefix),
        _ => block == stdout,
    }
}

fn check(doc: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
    let text = std::fs::read_to_string(&path).expect("document");
    let found = blocks(&text);
    if doc == "README.md" {
        assert!(!found.is_empty(), "{doc} shows no command output");
    }
    for (args, block) in found {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = portsim(&args);
        // A command that fails shows its message: the block is its stderr.
        let stdout = match out.status.code() {
            Some(0) => String::from_utf8_lossy(&out.stdout),
            Some(1 | 2) => String::from_utf8_lossy(&out.stderr),
            code => panic!("{doc}: portsim {args:?} ended with {code:?}"),
        };
        if block.starts_with("…\n") {
            assert!(
                matches(&block, &stdout),
                "{doc}: the excerpt after `portsim {}` is not in its output.\n--- documented\n{block}--- real\n{stdout}",
                args.join(" ")
            );
            continue;
        }
        match block.strip_suffix("…\n") {
            Some(prefix) => assert!(
                stdout.starts_with(prefix),
                "{doc}: the block after `portsim {}` is not the start of its output.\n--- documented\n{prefix}--- real\n{stdout}",
                args.join(" ")
            ),
            None => assert_eq!(
                block,
                stdout,
                "{doc}: the block after `portsim {}` is not its output",
                args.join(" ")
            ),
        }
    }
}

/// The README and every document in `docs/`.
fn documents() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec!["README.md".to_owned(), "ARCHITECTURE.md".to_owned()];
    let mut more: Vec<String> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter_map(|p| Some(format!("docs/{}", p.file_name()?.to_str()?)))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

#[test]
fn the_readme_and_the_docs_show_real_output() {
    let docs = documents();
    assert!(docs.len() >= 7, "{docs:?}");
    for doc in docs {
        check(&doc);
    }
}

#[test]
fn excerpts_and_prefixes_are_matched_as_documented() {
    let out = "a\nb\nc\nd\n";
    assert!(matches("a\nb\nc\nd\n", out));
    assert!(matches("a\nb\n…\n", out));
    assert!(!matches("b\nc\n…\n", out));
    assert!(matches("…\nb\nc\n…\n", out));
    assert!(!matches("…\nc\nb\n…\n", out));
    assert!(!matches("a\nb\n", out));
}

/// The top-level folders whose paths a document may name.
const TOP: [&str; 12] = [
    ".ci/",
    ".github/",
    ".gitlab/",
    "baselines/",
    "benches/",
    "docs/",
    "examples/",
    "python/",
    "scenarios/",
    "schema/",
    "src/",
    "tests/",
];

/// Every repository path named in `text`: words that start with a
/// top-level folder, without surrounding quotes, brackets or punctuation.
fn paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || "`'\"()[]{}<>,=".contains(c)) {
        let word = word.trim_end_matches(['.', ':', ';', '!', '?']);
        if TOP.iter().any(|t| word.starts_with(t)) {
            out.push(word.to_owned());
        }
    }
    out
}

/// Whether `path` (relative to the repository, maybe with one `*` in its
/// last part) names something that exists.
fn exists(root: &Path, path: &str) -> bool {
    let Some((dir, name)) = path.rsplit_once('/') else {
        return root.join(path).exists();
    };
    match name.split_once('*') {
        None => root.join(path).exists(),
        Some((start, end)) => std::fs::read_dir(root.join(dir)).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with(start) && n.ends_with(end))
            })
        }),
    }
}

#[test]
fn every_path_a_document_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(root.join(&doc)).expect("document");
        for path in paths(&text) {
            assert!(
                exists(root, &path),
                "{doc} names `{path}`, which is not in the repository"
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} paths found");
}

#[test]
fn paths_are_found_in_prose_and_commands() {
    let found = paths("see `docs/ci.md`, (scenarios/*.toml) and \"src/lib.rs\". not/this");
    assert_eq!(found, ["docs/ci.md", "scenarios/*.toml", "src/lib.rs"]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(exists(root, "scenarios/*.toml") && exists(root, "docs/"));
    assert!(!exists(root, "scenarios/horgos.toml"));
    assert!(!exists(root, "scenarios/*.json"));
}

#[test]
fn shell_lines_are_read_as_portsim_commands() {
    assert_eq!(
        portsim_args("cargo run --release -- run a.toml --seed 3   # the main job"),
        Some(vec![
            "run".into(),
            "a.toml".into(),
            "--seed".into(),
            "3".into()
        ])
    );
    assert_eq!(portsim_args("cargo test --release"), None);
    let doc = "```sh\nportsim run x.toml\n```\n\n```text\nhello\n```\n```text\nno command\n```\n";
    assert_eq!(
        blocks(doc),
        vec![(
            vec!["run".to_owned(), "x.toml".to_owned()],
            "hello\n".to_owned()
        )]
    );
}

/// Every `[sources §N]` in the scenario files and the docs names a section
/// of docs/sources.md, which is in this repository.
#[test]
fn every_cited_source_section_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = std::fs::read_to_string(root.join("docs/sources.md")).expect("docs/sources.md");
    let sections: Vec<String> = sources
        .lines()
        .filter(|l| l.starts_with('#'))
        .filter_map(|l| l.trim_start_matches('#').split_whitespace().next())
        .map(|n| n.trim_end_matches('.').to_owned())
        .collect();
    let mut files = vec![root.join("docs/horgos.md")];
    for dir in ["scenarios", "scenarios/interventions", "scenarios/examples"] {
        for e in std::fs::read_dir(root.join(dir)).expect("dir").flatten() {
            if e.path().extension().is_some_and(|x| x == "toml") {
                files.push(e.path());
            }
        }
    }
    let mut cited = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        assert!(
            !text.contains("domain.md"),
            "{} points outside the repository",
            file.display()
        );
        const MARK: &str = "[sources §";
        for rest in text
            .match_indices(MARK)
            .map(|(i, _)| &text[i + MARK.len()..])
        {
            if rest.starts_with("N]") {
                continue; // the notation itself, explained
            }
            let section: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            assert!(
                sections.contains(&section),
                "{} cites [sources §{section}], which docs/sources.md does not have",
                file.display()
            );
            cited += 1;
        }
    }
    assert!(cited > 30, "only {cited} citations found");
}
