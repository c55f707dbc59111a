//! Fuzzing the study readers (sweep, plan, sensitivity) and `--set`.
//!
//! The same approach as `fuzz_scenarios`: proptest with its regressions
//! replayed first. Generators: arbitrary text read as each kind of study;
//! mutations of the shipped studies (deleted ranges, spliced TOML
//! fragments and keys, numbers swapped for extreme ones), read against
//! their real scenarios; arbitrary `--set` arguments, and overrides
//! applied to a valid scenario.
//!
//! The properties: nothing panics and the answer comes quickly, either a
//! study or located diagnostics naming the file; an accepted sweep stays
//! within the point limit, a plan has decision variables and constraints;
//! a rejected override is reported at `--set`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use portsim::decide::limits::MAX_POINTS;
use portsim::decide::{DecideError, plan, sensitivity, sweep};
use portsim::scenario::toml_file::TomlFile;
use portsim::scenario::{self, Override};
use proptest::prelude::*;

/// What reading a study may cost.
const BUDGET: Duration = Duration::from_secs(5);

fn studies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/studies")
}

/// The shipped studies' texts.
fn shipped() -> Vec<String> {
    [
        "sweep-exit-pace.toml",
        "plan-example-lanes.toml",
        "plan-horgos-lanes.toml",
        "sensitivity-horgos-gain.toml",
    ]
    .iter()
    .map(|f| std::fs::read_to_string(studies().join(f)).expect("shipped study"))
    .collect()
}

/// Checks an error: rendered, located in some file, never a panic.
fn check_error(e: &DecideError, name: &str) {
    let text = e.to_string();
    assert!(text.contains("error"), "unrendered error: {text}");
    let list = e.diagnostics();
    if !list.is_empty() {
        assert!(
            list.iter()
                .any(|d| d.path.to_string_lossy().contains(name) || d.path.extension().is_some()),
            "error without a file: {text}"
        );
    }
}

/// Reads `text` as all three kinds of study.
fn read_all(text: &str) {
    let file = TomlFile::new(&studies().join("fuzz.toml"), text);
    let started = Instant::now();
    match sweep::parse(&file, &[]) {
        Ok(s) => assert!(s.points.len() <= MAX_POINTS && !s.factors.is_empty()),
        Err(e) => check_error(&e, "fuzz.toml"),
    }
    match plan::parse(&file, &[]) {
        Ok(p) => assert!(!p.variables.is_empty() && !p.constraints.is_empty() && p.first <= p.cap),
        Err(e) => check_error(&e, "fuzz.toml"),
    }
    match sensitivity::parse(&file, &[]) {
        Ok(s) => assert_eq!(
            s.settings.len() - s.morris.as_ref().map_or(0, |d| d.points().len()),
            2 * s.parameters.len() + 1
        ),
        Err(e) => check_error(&e, "fuzz.toml"),
    }
    assert!(
        started.elapsed() < BUDGET,
        "reading took {:?}",
        started.elapsed()
    );
}

/// TOML fragments worth splicing into a study.
const FRAGMENTS: &[&str] = &[
    "lhs = 3\n",
    "lhs = 0\n",
    "lhs = 100000\n",
    "[[factors]]\n",
    "key = \"seed\"\n",
    "key = \"stages.nope.lanes\"\n",
    "key = \"stages[99].lanes\"\n",
    "key = \"..\"\n",
    "values = []\n",
    "values = [1, \"2m\", true]\n",
    "range = [10, 1]\n",
    "range = [\"1s\", 5]\n",
    "step = 0\n",
    "step = \"0s\"\n",
    "[[decide]]\n",
    "min = -5\n",
    "cost = -1\n",
    "[[require]]\n",
    "metric = \"wait_s.p95\"\n",
    "metric = \"nope\"\n",
    "max = 5\n",
    "min = \"4h\"\n",
    "tolerance = \"-1s\"\n",
    "confidence = 1.0\n",
    "max_replications = 1\n",
    "[[parameters]]\n",
    "variant_key = \"x\"\n",
    "variant = \"missing.toml\"\n",
    "scenario = \"../nowhere.toml\"\n",
    "scenario = \"fuzz.toml\"\n",
    "[morris]\ntrajectories = 1\n",
    "[set]\n\"stages.x\" = 1\n",
    "[set]\nhorizon = \"0s\"\n",
    "set = 3\n",
    "= = =\n",
    "\u{feff}",
];

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "nan",
    "inf",
    "18446744073709551616",
    "0.0000001",
    "3",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    Number(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..120).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(a, f)| Edit::Insert(a, f)),
        (any::<usize>(), 0..NUMBERS.len()).prop_map(|(a, k)| Edit::Number(a, k)),
    ]
}

fn boundary(t: &str, a: usize) -> usize {
    let mut i = a % (t.len() + 1);
    while !t.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(mut text: String, edits: &[Edit]) -> String {
    for e in edits {
        match *e {
            Edit::Delete(a, n) => {
                let start = boundary(&text, a);
                let mut end = (start + n).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.replace_range(start..end, "");
            }
            Edit::Insert(a, f) => {
                let i = boundary(&text, a);
                let line = text[..i].rfind('\n').map_or(0, |p| p + 1);
                text.insert_str(line, FRAGMENTS[f]);
            }
            Edit::Number(a, k) => {
                let digits: Vec<usize> = text
                    .char_indices()
                    .filter(|(_, c)| c.is_ascii_digit())
                    .map(|(i, _)| i)
                    .collect();
                if let Some(&i) = digits.get(a % digits.len().max(1)) {
                    let end = text[i..]
                        .find(|c: char| !c.is_ascii_digit() && c != '.')
                        .map_or(text.len(), |e| i + e);
                    text.replace_range(i..end, NUMBERS[k]);
                }
            }
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_is_no_study_and_no_panic(text in "\\PC{0,300}") {
        read_all(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn mutated_studies_are_read_or_rejected_cleanly(
        which in 0usize..4,
        edits in proptest::collection::vec(edit(), 1..5),
    ) {
        read_all(&apply(shipped()[which].clone(), &edits));
    }
}

const BASE: &str = "name = \"t\"\nhorizon = \"1d\"\n[demand]\nrate = \"100/d\"\n[[classes]]\nname = \"a\"\nshare = 1.0\n[[stages]]\nname = \"desk\"\nlanes = [{ hours = \"08:00-20:00\", count = 2 }]\nservice = \"5m\"\n";

/// Pieces of `--set` arguments.
fn argument() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec![
        "stages.desk.lanes",
        "stages.desk.lanes[0].count",
        "stages.desk.lanes[7]",
        "stages.desk",
        "stages",
        "stages.desk.service.mean",
        "classes.a.share",
        "classes.b",
        "demand.rate",
        "demand",
        "demand.profile[3]",
        "horizon",
        "port.parking",
        "x.y.z",
        "\"a.b\".c",
        "stages..x",
        "[0]",
        "",
    ]);
    let values = prop::sample::select(vec![
        "4",
        "-1",
        "0",
        "1e308",
        "nan",
        "\"5m\"",
        "5m",
        "[1, 2]",
        "{ a = 1 }",
        "true",
        "",
        "=",
        "1300/d",
        "{ dist = \"exponential\", mean = \"0s\" }",
        "[{ hours = \"00:00-24:00\", count = 3 }]",
    ]);
    (keys, values, "\\PC{0,8}").prop_map(|(k, v, junk)| format!("{k}={v}{junk}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn overrides_never_panic_and_mistakes_point_at_them(
        args in proptest::collection::vec(prop_oneof![argument(), "\\PC{0,30}"], 1..4),
    ) {
        let mut list = Vec::new();
        for a in &args {
            match Override::parse(a) {
                Ok(o) => list.push(o),
                Err(d) => {
                    prop_assert_eq!(d.path.to_string_lossy(), "--set");
                    prop_assert!(d.render().contains("--> --set:1:"), "{}", d.render());
                }
            }
        }
        match scenario::parse_with(BASE, Path::new("base.toml"), &list) {
            Ok(s) => prop_assert_eq!(s.overrides.len(), list.len()),
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.contains("error"), "{}", text);
            }
        }
    }
}
