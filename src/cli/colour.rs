//! Colour for people, on a terminal only.
//!
//! Tables and messages are made as plain text (`report/` knows nothing of
//! terminals), and a few words of them are painted here, at the edge:
//! the verdicts of a comparison and a check (an improvement green, a
//! deterioration and a `FAIL` red), a stage that cannot keep up (red),
//! and the `error` and `warning` that open a message (bold red and bold
//! yellow, as cargo has them). Nothing else is coloured: colour marks
//! what to look at, and the numbers stay plain.
//!
//! Whether a stream is painted follows `--color` (a global flag, also
//! read before clap parses the arguments so that its own help and errors
//! follow it), then anstream's rules for `auto`: never with `NO_COLOR`
//! set, always with `CLICOLOR_FORCE`, else only on a terminal that is not
//! `TERM=dumb`. `--color always` wins over `NO_COLOR` (an explicit flag
//! over the environment). JSON, CSV, JUnit, GitHub annotations, the HTML
//! page and every file never pass through here, so they are never
//! coloured. Painting comes after `terminal::clean` has escaped the
//! user's control characters, so the only escape sequences on a screen
//! are these, and unpainted text is byte for byte what it would be
//! without this module.

use std::ffi::OsString;
use std::io::Write;

use anstream::ColorChoice;
use anstream::stream::{AsLockedWrite, RawStream};
use anstyle::{AnsiColor, Style};

use super::args::ColorWhen;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const GOOD: Style = AnsiColor::Green.on_default();
const BAD: Style = AnsiColor::Red.on_default().bold();

/// Sets the choice for the whole process.
pub fn init(when: ColorWhen) {
    let choice = match when {
        ColorWhen::Auto => ColorChoice::Auto,
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
    };
    choice.write_global();
}

/// The `--color` among `args` (the last one given before `--`), read
/// before clap parses them; `auto` when there is none or it is not a
/// valid choice (clap then says so).
pub fn from_args(args: &[OsString]) -> ColorWhen {
    let mut when = ColorWhen::Auto;
    let mut words = args.iter().skip(1).map(|a| a.to_str().unwrap_or_default());
    while let Some(word) = words.next() {
        let value = match word {
            "--" => break,
            "--color" => words.next().unwrap_or_default(),
            w => match w.strip_prefix("--color=") {
                Some(v) => v,
                None => continue,
            },
        };
        when = match value {
            "always" => ColorWhen::Always,
            "never" => ColorWhen::Never,
            _ => ColorWhen::Auto,
        };
    }
    when
}

/// The same choice for clap's help and usage errors.
pub fn for_clap(when: ColorWhen) -> clap::ColorChoice {
    match when {
        ColorWhen::Auto => clap::ColorChoice::Auto,
        ColorWhen::Always => clap::ColorChoice::Always,
        ColorWhen::Never => clap::ColorChoice::Never,
    }
}

fn on(stream: &impl RawStream) -> bool {
    anstream::AutoStream::choice(stream) != ColorChoice::Never
}

/// Writes `text` for people to `raw`: painted by `paint` when the stream
/// takes colour, else exactly as it is.
pub fn write<S: RawStream + AsLockedWrite>(
    raw: S,
    text: &str,
    paint: fn(&str) -> String,
) -> std::io::Result<()> {
    if on(&raw) {
        let mut out = anstream::AutoStream::always(raw);
        out.write_all(paint(text).as_bytes())?;
        out.flush()
    } else {
        let mut out = raw;
        out.write_all(text.as_bytes())?;
        out.flush()
    }
}

/// `text` with `part` (at byte `at`) in `style`.
fn paint_at(text: &str, at: usize, len: usize, style: Style) -> String {
    format!(
        "{}{}{}{}{}",
        &text[..at],
        style.render(),
        &text[at..at + len],
        style.render_reset(),
        &text[at + len..]
    )
}

/// The `error` or `warning` opening a line (after its indentation).
fn label(line: &str) -> Option<String> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    [("error:", ERROR), ("warning:", WARNING)]
        .into_iter()
        .find(|(word, _)| rest.starts_with(word))
        .map(|(word, style)| paint_at(line, indent, word.len() - 1, style))
}

/// A line of a table with its verdict painted.
fn verdict(line: &str) -> Option<String> {
    // (what marks the line, the part of it painted, style)
    const RULES: [(&str, &str, Style); 8] = [
        (": an improvement", "an improvement", GOOD),
        (": a deterioration", "a deterioration", BAD),
        (" FAIL", "FAIL", BAD),
        (" improved", "improved", GOOD),
        (": FAIL, ", "FAIL", BAD),
        ("  FAIL: ", "FAIL", BAD),
        (": ERROR, not checked", "ERROR", BAD),
        ("CANNOT KEEP UP", "CANNOT KEEP UP", BAD),
    ];
    RULES.iter().find_map(|(mark, part, style)| {
        let found = match *mark {
            // A check's result closes its row.
            " FAIL" | " improved" => line.ends_with(mark).then(|| line.len() - mark.len()),
            "  FAIL: " => line.starts_with(mark).then_some(0),
            _ => line.find(mark),
        }?;
        let at = found + mark.find(part).unwrap_or(0);
        Some(paint_at(line, at, part.len(), *style))
    })
}

fn by_line(text: &str, paint: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        match paint(body) {
            Some(p) => out.push_str(&p),
            None => out.push_str(body),
        }
        out.push_str(end);
    }
    out
}

/// A table with its verdicts, errors and warnings painted.
pub fn table(text: &str) -> String {
    by_line(text, |l| label(l).or_else(|| verdict(l)))
}

/// A message with its `error` and `warning` painted.
pub fn message(text: &str) -> String {
    by_line(text, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_flag_is_read_before_clap_the_last_one_wins() {
        assert_eq!(
            from_args(&args(&["portsim", "run", "x.toml"])),
            ColorWhen::Auto
        );
        assert_eq!(
            from_args(&args(&[
                "portsim",
                "--color",
                "never",
                "run",
                "--color=always"
            ])),
            ColorWhen::Always
        );
        assert_eq!(
            from_args(&args(&["portsim", "run", "--", "--color=never"])),
            ColorWhen::Auto
        );
        assert_eq!(
            from_args(&args(&["portsim", "--color", "bogus"])),
            ColorWhen::Auto
        );
    }

    #[test]
    fn only_the_marked_words_are_painted() {
        let red = BAD.render().to_string();
        let t =
            table("  throughput rose 5.0% (95% CI +1.0% to +9.0%): an improvement\n  plain line\n");
        assert!(
            t.contains(&format!("{}an improvement", GOOD.render())),
            "{t:?}"
        );
        assert!(t.ends_with("  plain line\n"), "{t:?}");
        let row =
            table("  time_in_port_s   12.1 min   20.9 min   +73.4%  [+5.3 min, +12.3 min]   FAIL");
        assert!(
            row.ends_with(&format!("{red}FAIL{}", BAD.render_reset())),
            "{row:?}"
        );
        assert!(
            row.starts_with("  time_in_port_s   12.1 min"),
            "numbers stay plain: {row:?}"
        );
        let m = message("error: 2 errors\n  warning: x\nerror-free line");
        assert!(m.starts_with(&format!("{}error{}:", ERROR.render(), ERROR.render_reset())));
        assert!(m.contains(&format!(
            "  {}warning{}: x",
            WARNING.render(),
            WARNING.render_reset()
        )));
        assert!(m.ends_with("\nerror-free line"), "{m:?}");
        assert_eq!(table("no verdict here"), "no verdict here");
    }
}
