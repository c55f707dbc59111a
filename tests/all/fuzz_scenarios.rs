//! Fuzzing the scenario reader and the model with generated documents.
//!
//! cargo-fuzz needs a nightly toolchain, which this project's machines do not
//! have, so the fuzzing is done with proptest, which shrinks any failure
//! to a minimal input and records it in `proptest-regressions/` (committed:
//! those inputs are replayed first on every run). Three generators:
//!
//! * arbitrary text, and arbitrary bytes made into text;
//! * mutations of the bundled scenarios: deleted ranges, inserted TOML
//!   fragments and keys, numbers swapped for extreme ones;
//! * valid but extreme scenarios: zero demand, one lane, shares of exactly
//!   0 and 1, slots shorter than a service time, horizons from a minute to
//!   ten years, and each issue-13 mechanism (e-queue, tolerance, patience,
//!   routes, entrances, pools, unlimited stages, dated closures and
//!   seasons, warm starts, late and no-show rules, slot tables).
//!
//! The properties: the reader never panics and answers quickly, with either
//! a scenario or located diagnostics; every scenario it accepts simulates
//! without panicking, keeps both flow balances exact,
//! and produces JSON without NaN or infinities.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use portsim::experiment::run::{RunOptions, run};
use portsim::model::{Limits, simulate};
use portsim::scenario::{self, Scenario};
use proptest::prelude::*;

/// What a generated scenario may cost to read.
const READ_BUDGET: Duration = Duration::from_secs(2);

fn bundled() -> Vec<String> {
    [
        "scenarios/example.toml",
        "scenarios/horgos-before.toml",
        "scenarios/horgos-after.toml",
        "scenarios/examples/equeue-crossing.toml",
        "scenarios/examples/one-stop-two-directions.toml",
    ]
    .iter()
    .map(|p| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(p))
            .expect("bundled file")
    })
    .collect()
}

/// Reads `text`; checks speed and that errors are located and rendered.
fn read(text: &str) -> Option<Scenario> {
    let started = Instant::now();
    let result = scenario::parse(text, Path::new("fuzz.toml"));
    assert!(
        started.elapsed() < READ_BUDGET,
        "reading took {:?}",
        started.elapsed()
    );
    match result {
        Ok(s) => Some(s),
        Err(e) => {
            let rendered = e.to_string();
            assert!(rendered.contains("error"), "unrendered error: {rendered}");
            assert!(
                rendered.contains("fuzz.toml"),
                "error without the file name: {rendered}"
            );
            None
        }
    }
}

/// Simulates a short, single-replication version of `s` and checks it.
fn simulate_briefly(mut s: Scenario) {
    s.horizon = s.horizon.min(2 * 86_400_000);
    s.warmup = s.warmup.min(86_400_000);
    if scenario::limits::expected_arrivals(&s) > 200_000.0 {
        return; // a valid but heavy scenario: not what this test is about
    }
    let limits = Limits {
        max_in_system: 100_000,
    };
    let r = simulate(&s, 0, &limits).expect("an accepted scenario simulates");
    crate::port_support::conserved("fuzzed scenario", &r.all.counts);
}

/// Runs `s` fully (few replications) and checks the JSON has no NaN.
fn json_is_finite(s: &Scenario) {
    let options = RunOptions {
        replications: 2,
        keep_reps: true,
        ..RunOptions::for_scenario(s)
    };
    let out = run(s, &options, &AtomicBool::new(false), || {}).expect("runs");
    let manifest = portsim::report::json::Manifest::new(s, 2, 1, 0.0);
    let doc = portsim::report::json::run(s, &out, &manifest, &[]);
    let text = serde_json::to_string(&doc).expect("serialises");
    // serde_json refuses NaN as a number and writes null instead; make sure
    // no NaN or infinity slipped through as a string either.
    for bad in ["NaN", "inf"] {
        assert!(!text.contains(bad), "{bad} in output: {text}");
    }
    for (i, (_, r)) in out.reps.iter().enumerate() {
        crate::port_support::conserved(&format!("replication {i}"), &r.all.counts);
    }
}

/// TOML fragments and keys worth splicing into a valid document.
const FRAGMENTS: &[&str] = &[
    "lanes = 0\n",
    "lanes = -1\n",
    "lanes = 4294967296\n",
    "share = 1.5\n",
    "share = nan\n",
    "share = -0.0\n",
    "rate = \"0/d\"\n",
    "rate = \"1e308/d\"\n",
    "horizon = \"0s\"\n",
    "horizon = \"99999999999d\"\n",
    "[[stages]]\n",
    "[[classes]]\n",
    "[appointments]\n",
    "[port]\n",
    "extends = \"fuzz.toml\"\n",
    "extends = \"/nonexistent.toml\"\n",
    "service = { dist = \"normal\", mean = \"-5h\", sd = \"1s\" }\n",
    "service = { dist = \"empirical\", values = [], weights = [] }\n",
    "rework = { probability = 1.0, to = \"x\" }\n",
    "open = [\"24:00-00:00\"]\n",
    "days = [\"funday\"]\n",
    "profile = [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]\n",
    "capacity = 0\n",
    "slot = \"1ms\"\n",
    "replications = 0\n",
    "seed = -1\n",
    "daily_limit = 0\n",
    "queue = \"lifo\"\n",
    "\"\"\"\n",
    "= = =\n",
    "[\n",
    "a.b.c.d = 1\n",
    "x = 1979-05-27T07:32:00Z\n",
    "\u{feff}",
    "\0",
    "[equeue]\n",
    "[equeue]\ncall_forward = \"0s\"\ndaily_quota = 1\npriority_share = 1.0\n",
    "waiting_area = 4294967296\n",
    "tolerance = { queue = 0 }\n",
    "tolerance = { wait = \"0s\" }\n",
    "tolerance = { queue = { dist = \"uniform\", min = 5, max = 1 } }\n",
    "patience = \"0s\"\n",
    "patience = { dist = \"exponential\", mean = \"1ms\" }\n",
    "route = []\n",
    "route = [\"x\", \"x\"]\n",
    "entrance = \"nowhere\"\n",
    "[[entrances]]\nname = \"e\"\nparking = 1\n",
    "[[pools]]\nname = \"p\"\nlanes = 0\n",
    "pool = \"p\"\n",
    "lanes = \"unlimited\"\n",
    "step = false\n",
    "start = \"2024-02-29\"\n",
    "start = \"2023-02-29\"\n",
    "[[closures]]\ndates = [\"2024-01-01..2099-12-31\"]\n",
    "[[closures]]\ndates = [\"2024-03-02\"]\nstages = [\"nowhere\"]\n",
    "[[demand.seasons]]\ndates = [\"1900-01-01..2999-12-31\"]\nfactor = 1e300\n",
    "[initial]\nroad = 100000\nparking = 100000\nwaited = \"3650d\"\n",
    "[[initial.stages]]\nname = \"x\"\nqueued = 5\nin_service = 5\n",
    "late_grace = \"0s\"\n",
    "no_show_later = { probability = 1.0, delay = \"0s\" }\n",
    "capacity = [{ hours = \"00:00-24:00\", count = 0, days = [\"mon\"] }]\n",
];

/// Numbers that break naive code.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "18446744073709551616",
    "0.0000001",
    "1e-320",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    Number(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..200).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(a, f)| Edit::Insert(a, f)),
        (any::<usize>(), 0..NUMBERS.len()).prop_map(|(a, k)| Edit::Number(a, k)),
    ]
}

fn apply(mut text: String, edits: &[Edit]) -> String {
    for e in edits {
        let at = |a: usize, t: &String| {
            let mut i = a % (t.len() + 1);
            while !t.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        match *e {
            Edit::Delete(a, n) => {
                let start = at(a, &text);
                let mut end = (start + n).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.replace_range(start..end, "");
            }
            Edit::Insert(a, f) => {
                let i = at(a, &text);
                // Insert at a line start so fragments form whole lines.
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
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        read(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        read(&String::from_utf8_lossy(&bytes));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_are_read_or_rejected_cleanly(
        which in 0usize..5,
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let text = apply(bundled()[which].clone(), &edits);
        if let Some(s) = read(&text) {
            simulate_briefly(s);
        }
    }
}

/// A valid scenario built from extreme choices.
fn extreme() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["0/d", "0.001/d", "1/d", "300/d", "5000/d"]),
        prop::sample::select(vec![0u32, 1, 2, 50]),
        prop::sample::select(vec!["0.0", "1.0", "0.5"]),
        prop::sample::select(vec!["1s", "10m", "1d"]),
        prop::sample::select(vec!["1m", "1d", "30d"]),
        any::<bool>(),
        prop::sample::select(vec!["0.0", "0.5", "0.99"]),
        prop::sample::select(vec![
            "",
            "parking = 1\nroad_queue = 0\n",
            "road_queue = 5\n",
            "open = [\"23:00-01:00\"]\ndays = [\"sun\"]\n",
        ]),
        prop::sample::select(vec!["", "daily_limit = 1\n", "queue = \"priority\"\n"]),
        prop::sample::select(MECHANISMS.to_vec()),
    )
        .prop_map(extreme_text)
}

/// The choices of [`extreme`].
type Choices = (
    &'static str,
    u32,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    &'static str,
    &'static str,
    (&'static str, &'static str, &'static str),
);

/// The scenario text of one set of extreme choices.
fn extreme_text(choices: Choices) -> String {
    let (rate, lanes, share, slot, horizon, appointments, rework, port, extra, (top, class, more)) =
        choices;
    {
        let appointments = if appointments {
            // The rules vary with the other choices, so that each meets
            // every mechanism.
            let rules = BOOKING_RULES[(lanes as usize + horizon.len()) % BOOKING_RULES.len()];
            format!(
                "[appointments]\nshare = 1.0\nslot = \"{slot}\"\ncapacity = 1\nno_show = 1.0\npunctuality = {{ dist = \"normal\", mean = \"-1h\", sd = \"2h\" }}\npriority = true\n{rules}"
            )
        } else {
            String::new()
        };
        format!(
            "name = \"extreme\"\nhorizon = \"{horizon}\"\nreplications = 2\n{top}\
                 [demand]\nrate = \"{rate}\"\n\
                 [[classes]]\nname = \"a\"\nshare = 1.0\npriority = 5\n{class}\
                 [[classes]]\nname = \"b\"\nshare = 0.0\n\
                 [port]\n{port}\n{appointments}\
                 [[stages]]\nname = \"s1\"\nlanes = {lanes}\nservice = \"2h\"\nshare = {share}\nrework = {{ probability = {rework}, to = \"s1\" }}\n{extra}\
                 [[stages]]\nname = \"s2\"\nlanes = [{{ hours = \"08:00-09:00\", count = 1 }}]\nservice = {{ dist = \"exponential\", mean = \"{slot}\" }}\nshare = {{ a = 1.0, b = 0.0 }}\n{more}"
        )
    }
}

/// Every mechanism meets every appointment rule at least once, whatever
/// the random cases above happened to choose.
#[test]
fn every_mechanism_at_an_extreme_runs_cleanly() {
    for &mechanism in MECHANISMS {
        for lanes in [0, 1, 2] {
            for horizon in ["1d", "30d"] {
                let text = extreme_text((
                    "300/d",
                    lanes,
                    "0.5",
                    "10m",
                    horizon,
                    true,
                    "0.5",
                    "parking = 1\nroad_queue = 0\n",
                    "",
                    mechanism,
                ));
                let s = read(&text).unwrap_or_else(|| panic!("rejected a valid scenario:\n{text}"));
                json_is_finite(&s);
            }
        }
    }
}

/// One issue-13 mechanism at an extreme: top-level keys, keys of class
/// `a`, and tables appended at the end (after the stages).
const MECHANISMS: &[(&str, &str, &str)] = &[
    ("", "", ""),
    ("", "", "[equeue]\ncall_forward = \"0s\"\n"),
    (
        "",
        "",
        "[equeue]\nwaiting_area = 1\ncall_forward = { dist = \"exponential\", mean = \"1h\" }\ncall_forward_home = \"1d\"\ndaily_quota = 1\npriority_share = 1.0\n",
    ),
    ("", "tolerance = { queue = 0 }\n", ""),
    (
        "",
        "tolerance = { wait = { dist = \"uniform\", min = \"0s\", max = \"1h\" } }\npatience = \"0s\"\n",
        "[equeue]\ncall_forward = \"1m\"\n",
    ),
    (
        "",
        "patience = { dist = \"exponential\", mean = \"1s\" }\n",
        "",
    ),
    ("", "route = [\"s2\"]\n", ""),
    (
        "",
        "route = [\"s3\", \"s2\", \"s1\"]\nentrance = \"e\"\n",
        "[[entrances]]\nname = \"e\"\nparking = 1\nroad_queue = 0\nopen = [\"12:00-12:01\"]\n[[pools]]\nname = \"p\"\nlanes = 0\n[[stages]]\nname = \"s3\"\npool = \"p\"\nservice = \"0s\"\n",
    ),
    (
        "",
        "",
        "[[pools]]\nname = \"p\"\nlanes = [{ hours = \"23:59-00:01\", count = 3, days = [\"sun\"] }]\nqueue = \"priority\"\n[[stages]]\nname = \"s3\"\npool = \"p\"\nservice = \"1h\"\n[[stages]]\nname = \"s4\"\nlanes = \"unlimited\"\nservice = { dist = \"lognormal\", mean = \"30d\", sd = \"30d\" }\nstep = false\n",
    ),
    (
        "start = \"2024-02-29\"\n",
        "",
        "[[closures]]\ndates = [\"2024-02-29\", \"2024-03-02..2024-03-31\"]\n[[closures]]\ndates = [\"1999-01-01\"]\nstages = [\"s2\"]\n",
    ),
    (
        "start = \"2024-12-31\"\n",
        "",
        "[[demand.seasons]]\ndates = [\"2024-12-31\"]\nfactor = 0\n[[demand.seasons]]\ndates = [\"2025-01-01..2025-12-31\"]\nfactor = 50\n",
    ),
    (
        "",
        "",
        "[initial]\nroad = 500\nparking = 50\nwaited = \"30d\"\n[[initial.stages]]\nname = \"s1\"\nqueued = 20\nin_service = 5\nwaited = \"1d\"\n",
    ),
];

/// Appointment rules at an extreme, added to the booking when there is one.
const BOOKING_RULES: &[&str] = &[
    "",
    "late_grace = \"0s\"\n",
    "no_show_later = { probability = 1.0, delay = { dist = \"exponential\", mean = \"2d\" } }\n",
    "days = [\"sun\"]\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn extreme_but_valid_scenarios_run_cleanly(text in extreme()) {
        let s = read(&text).unwrap_or_else(|| panic!("rejected a valid scenario:\n{text}"));
        json_is_finite(&s);
    }
}

#[test]
fn ten_year_and_one_minute_horizons() {
    for (horizon, rate) in [("3650d", "2/d"), ("1m", "1000/d")] {
        let text = format!(
            "name = \"h\"\nhorizon = \"{horizon}\"\n[demand]\nrate = \"{rate}\"\n[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"10m\"\n"
        );
        let s = read(&text).expect("valid");
        json_is_finite(&s);
    }
}

#[test]
fn zero_demand_reports_no_samples_instead_of_numbers() {
    let s = read("name = \"idle\"\nhorizon = \"3d\"\n[demand]\nrate = \"0/d\"\n[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"5m\"\n")
        .expect("valid");
    let options = RunOptions::for_scenario(&s);
    let out = run(&s, &options, &AtomicBool::new(false), || {}).expect("runs");
    let manifest = portsim::report::json::Manifest::new(&s, options.replications, 1, 0.0);
    let doc = portsim::report::json::run(&s, &out, &manifest, &[]);
    let time = &doc["metrics"]["time_in_port_s"];
    assert!(time["mean"].is_null(), "{time}");
    assert!(
        time["note"]
            .as_str()
            .is_some_and(|n| n.contains("no samples")),
        "{time}"
    );
    assert_eq!(
        doc["metrics"]["trucks_arrived"]["mean"],
        serde_json::json!(0.0)
    );
}
