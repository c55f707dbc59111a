//! Terminal conventions (issue 28, item 8): colour where it helps and
//! nowhere else, shell completions and a manual page.
//!
//! Why: portsim printed no colour at all, had no `--color` and ignored
//! `NO_COLOR`; and had neither completions nor a man page. Colour must
//! follow the usual rules (a terminal only unless `--color always` or
//! `CLICOLOR_FORCE`; never with `NO_COLOR` or `--color never`) and never
//! reach machine-readable output, whatever the flag says. Tests run with
//! pipes, not terminals, so `auto` must give plain text here; the painted
//! words are checked with `--color always`. The completion scripts and
//! the page are generated from the argument definitions; the checks here
//! make sure they name every command and that the page is roff a `man`
//! reader takes.

use std::collections::BTreeSet;
use std::process::Output;

use clap::CommandFactory;

const ESC: u8 = 0x1b;

/// `portsim ARGS` from the crate root with `env` set (and the colour
/// variables of the caller's environment removed).
fn portsim_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("portsim").expect("the portsim binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.args(args).output().expect("portsim runs")
}

fn has_escape(bytes: &[u8]) -> bool {
    bytes.contains(&ESC)
}

/// A comparison with improvements and a significant change: Horgos
/// before and after the reforms.
const COMPARE: [&str; 6] = [
    "compare",
    "scenarios/horgos-before.toml",
    "scenarios/horgos-after.toml",
    "-r",
    "3",
    "-q",
];

#[test]
fn verdicts_and_errors_are_coloured_only_where_colour_is_wanted() {
    let always = portsim_env(&[&COMPARE[..], &["--color", "always"]].concat(), &[]);
    assert_eq!(always.status.code(), Some(0));
    let text = String::from_utf8_lossy(&always.stdout);
    let green = "\u{1b}[32m";
    assert!(
        text.contains(&format!("{green}an improvement\u{1b}[0m")),
        "{text}"
    );
    let red = "\u{1b}[1m\u{1b}[31m";
    assert!(
        text.contains(&format!("{red}CANNOT KEEP UP\u{1b}[0m")),
        "{text}"
    );
    for line in text.lines().filter(|l| l.contains('\u{1b}')) {
        assert!(
            ["an improvement", "a deterioration", "CANNOT KEEP UP"]
                .iter()
                .any(|w| line.contains(&format!("{w}\u{1b}[0m"))),
            "only verdicts are painted in a comparison: {line:?}"
        );
    }
    // Everything else is exactly the plain output.
    let plain = portsim_env(&COMPARE, &[]);
    let stripped = text
        .replace(green, "")
        .replace(red, "")
        .replace("\u{1b}[0m", "");
    assert_eq!(stripped, String::from_utf8_lossy(&plain.stdout));
    // Not on a pipe, not with NO_COLOR (even forced), not with never.
    for (args, env) in [
        (&COMPARE[..], &[][..]),
        (
            &COMPARE[..],
            &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")][..],
        ),
        (
            &[&COMPARE[..], &["--color", "never"]].concat()[..],
            &[("CLICOLOR_FORCE", "1")][..],
        ),
    ] {
        let out = portsim_env(args, env);
        assert!(
            !has_escape(&out.stdout) && !has_escape(&out.stderr),
            "{args:?} {env:?}"
        );
    }
    // CLICOLOR_FORCE is how `auto` is told a pipe is a terminal.
    let forced = portsim_env(&COMPARE, &[("CLICOLOR_FORCE", "1")]);
    assert!(has_escape(&forced.stdout));
    // An explicit flag wins over the environment.
    let flag = portsim_env(
        &[&COMPARE[..], &["--color=always"]].concat(),
        &[("NO_COLOR", "1")],
    );
    assert!(has_escape(&flag.stdout));
    // `error` opens a message in bold red, as cargo has it.
    let err = portsim_env(
        &[
            "run",
            "scenarios/example.toml",
            "--set",
            "port.open=x",
            "--color",
            "always",
        ],
        &[],
    );
    assert_eq!(err.status.code(), Some(2));
    let message = String::from_utf8_lossy(&err.stderr);
    assert!(
        message.starts_with("\u{1b}[1m\u{1b}[31merror\u{1b}[0m: expected an array"),
        "{message:?}"
    );
}

#[test]
fn machine_readable_output_is_never_coloured() {
    let runs: [&[&str]; 4] = [
        &[
            "run",
            "scenarios/example.toml",
            "-r",
            "2",
            "-q",
            "--format",
            "json",
        ],
        &[
            "run",
            "scenarios/example.toml",
            "-r",
            "2",
            "-q",
            "--format",
            "csv",
        ],
        &[
            "compare",
            "scenarios/example.toml",
            "scenarios/example.toml",
            "-r",
            "2",
            "-q",
            "--format",
            "csv",
        ],
        &[
            "compare",
            "scenarios/example.toml",
            "scenarios/example.toml",
            "-r",
            "2",
            "-q",
            "--html",
            "-",
        ],
    ];
    for args in runs {
        let out = portsim_env(
            &[args, &["--color", "always"]].concat(),
            &[("CLICOLOR_FORCE", "1")],
        );
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            !out.stdout.is_empty() && !has_escape(&out.stdout),
            "{args:?}"
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().join("base.json");
    let base = base.to_str().expect("utf-8");
    let record = portsim_env(
        &[
            "check",
            "scenarios/example.toml",
            "--baseline",
            base,
            "--update-baseline",
            "-r",
            "2",
            "-q",
        ],
        &[],
    );
    assert_eq!(record.status.code(), Some(0));
    for format in ["junit", "json", "github"] {
        let out = portsim_env(
            &[
                "check",
                "scenarios/example.toml",
                "--baseline",
                base,
                "--format",
                format,
                "--color",
                "always",
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(0), "{format}");
        assert!(!has_escape(&out.stdout), "{format}");
    }
}

/// Every command's name, from the definitions the parser uses.
fn commands() -> BTreeSet<String> {
    portsim::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect()
}

#[test]
fn completions_know_every_command() {
    let all = commands();
    assert!(
        all.contains("completions") && all.contains("man") && all.len() >= 10,
        "{all:?}"
    );
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = portsim_env(&["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for name in &all {
            assert!(script.contains(name.as_str()), "{shell}: no `{name}`");
        }
    }
    let bash =
        String::from_utf8_lossy(&portsim_env(&["completions", "bash"], &[]).stdout).into_owned();
    assert!(
        bash.contains("complete -F _portsim"),
        "bash registers the function"
    );
    // Each command is a case of the bash script, with its own flags.
    for name in &all {
        assert!(
            bash.contains(&format!("portsim,{name})")),
            "bash: no case for `{name}`"
        );
    }
    assert!(bash.contains("--update-baseline") && bash.contains("--summary"));
    let bad = portsim_env(&["completions", "tcsh"], &[]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The roff requests a page of clap_mangen may use.
const REQUESTS: [&str; 13] = [
    "TH", "SH", "SS", "TP", "PP", "IP", "RS", "RE", "br", "ie", "el", "B", "I",
];

/// Checks that `page` is roff a man reader takes: every control line is a
/// known request, fonts are switched with `\fB`, `\fI`, `\fR` or `\fP`
/// only, and indents are balanced.
fn roff(page: &str) -> Result<(), String> {
    let mut depth = 0i32;
    for (n, line) in page.lines().enumerate() {
        if let Some(rest) = line.strip_prefix('.') {
            let request = rest.split_whitespace().next().unwrap_or_default();
            if !REQUESTS.contains(&request) {
                return Err(format!("line {}: unknown request `.{request}`", n + 1));
            }
            depth += i32::from(request == "RS") - i32::from(request == "RE");
            if depth < 0 {
                return Err(format!("line {}: .RE without .RS", n + 1));
            }
        }
        let mut fonts = line.match_indices("\\f");
        if let Some((i, _)) = fonts
            .find(|(i, _)| !matches!(line.as_bytes().get(i + 2), Some(b'B' | b'I' | b'R' | b'P')))
        {
            return Err(format!(
                "line {}: font escape `{}`",
                n + 1,
                &line[i..(i + 3).min(line.len())]
            ));
        }
    }
    if depth != 0 {
        return Err(format!("{depth} .RS without .RE"));
    }
    Ok(())
}

#[test]
fn the_man_page_is_roff_and_lists_every_command() {
    let out = portsim_env(&["man"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        page.lines().any(|l| l.starts_with(".TH PORTSIM 1 ")),
        "{page}"
    );
    roff(&page).unwrap_or_else(|e| panic!("{e}\n{page}"));
    for name in commands() {
        let listed = format!("portsim\\-{}(1)", name.replace('-', "\\-"));
        assert!(page.contains(&listed), "no `{listed}`");
        let sub = portsim_env(&["man", &name], &[]);
        assert_eq!(sub.status.code(), Some(0), "{name}");
        let sub = String::from_utf8(sub.stdout).expect("utf-8");
        let title = format!(".TH PORTSIM-{} 1 ", name.to_uppercase());
        assert!(sub.lines().any(|l| l.starts_with(&title)), "{name}: {sub}");
        roff(&sub).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let run = String::from_utf8(portsim_env(&["man", "run"], &[]).stdout).expect("utf-8");
    assert!(
        run.contains("\\-\\-replications") && run.contains("\\-\\-color"),
        "{run}"
    );
    let bad = portsim_env(&["man", "nope"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no command `nope`"));
    // Where groff is installed, it reads the page without a warning.
    let Ok(groff) = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        return;
    };
    use std::io::Write;
    let mut groff = groff;
    groff
        .stdin
        .take()
        .expect("stdin")
        .write_all(page.as_bytes())
        .expect("write");
    let done = groff.wait_with_output().expect("groff runs");
    assert!(
        done.status.success() && done.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

#[test]
fn the_roff_check_catches_broken_pages() {
    assert!(roff(".TH X 1\n.SH NAME\n\\fBx\\fR\n.RS 4\ntext\n.RE\n").is_ok());
    assert!(roff(".TH X 1\n.XX y\n").is_err());
    assert!(roff(".RS 4\n").is_err());
    assert!(roff(".RE\n").is_err());
    assert!(roff("\\fQbad\n").is_err());
}
