//! The documentation shows what the program does: an output block in a
//! document is the real output of the command shown just before it.
//!
//! A `text` block that follows a `sh` block whose first command runs
//! portsim (`cargo run --release -- ARGS`, or `portsim ARGS`) must be that
//! command's stdout, line for line. A block may stop early with a last line
//! of `…`; it must then be an exact prefix of the output.

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
                let first = lines.next().unwrap_or_default();
                command = portsim_args(first);
                for l in lines.by_ref() {
                    if l.trim() == "```" {
                        break;
                    }
                }
            }
            "```text" => {
                let mut block = String::new();
                for l in lines.by_ref() {
                    if l.trim() == "```" {
                        break;
                    }
                    block.push_str(l);
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

fn check(doc: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
    let text = std::fs::read_to_string(&path).expect("document");
    let found = blocks(&text);
    assert!(!found.is_empty(), "{doc} shows no command output");
    for (args, block) in found {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = portsim(&args);
        assert_eq!(out.status.code(), Some(0), "{doc}: portsim {args:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
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

#[test]
fn the_readme_shows_real_output() {
    check("README.md");
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
    for dir in ["scenarios", "scenarios/interventions"] {
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
