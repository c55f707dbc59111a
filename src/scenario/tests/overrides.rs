//! Overrides (`--set`) and patches by stage name, through the whole
//! reader: values land where the key says, mistakes are reported at the
//! override or the patch with file, line and column, the resolved
//! scenario (and so its hash) covers them, and a patch whose stage list
//! drops stages warns.

use super::*;

fn set(args: &[&str]) -> Vec<Override> {
    args.iter().map(|a| Override::parse(a).unwrap()).collect()
}

fn with(text: &str, args: &[&str]) -> Result<Scenario, ScenarioError> {
    parse_with(text, Path::new("demo.toml"), &set(args))
}

const TWO: &str = r#"name = "t"
horizon = "1d"
[demand]
rate = "100/d"
[[stages]]
name = "gate"
lanes = 2
service = "5m"
[[stages]]
name = "inspection"
lanes = [{ hours = "08:00-20:00", count = 3 }, { hours = "20:00-08:00", count = 1 }]
service = { dist = "exponential", mean = "20m" }
"#;

fn lanes_at(s: &Scenario, stage: usize, hour: u64) -> u32 {
    s.stages[stage].own_lanes().unwrap().value_at(hour * HOUR)
}

#[test]
fn overrides_set_values_by_name_and_index() {
    let s = with(
        TWO,
        &[
            "stages.gate.lanes=5",
            "stages.inspection.lanes[1].count=2",
            "demand.rate=1300/d",
            "horizon=14d",
            "seed=9",
        ],
    )
    .unwrap();
    assert_eq!(lanes_at(&s, 0, 3), 5);
    assert_eq!((lanes_at(&s, 1, 10), lanes_at(&s, 1, 22)), (3, 2));
    assert!(matches!(s.arrivals, Arrivals::Poisson { per_day, .. } if per_day == 1300.0));
    assert_eq!((s.horizon, s.seed), (14 * DAY, 9));
    assert_eq!(s.overrides[0], "stages.gate.lanes=5");
    assert!(s.resolved.contains("1300/d"), "{}", s.resolved);
    // The hash of the resolved scenario covers the overrides.
    let plain = parse_str(TWO).unwrap();
    assert_ne!(plain.resolved, s.resolved);
    let again = with(TWO, &["stages.gate.lanes=2"]).unwrap();
    assert_eq!(again.resolved, plain.resolved, "setting a value to itself");
}

#[test]
fn overrides_replace_tables_and_create_missing_ones() {
    let s = with(
        TWO,
        &[
            r#"stages.gate.service={ dist = "exponential", mean = "3m" }"#,
            "port.parking=40",
        ],
    )
    .unwrap();
    assert!(matches!(s.stages[0].service, Dist::Exponential { mean } if mean == 180_000.0));
    assert_eq!(s.port.parking, Some(40));
    // Setting `interarrival` drops the inherited `rate`, like `extends`.
    let s = with(TWO, &["demand.interarrival=2m"]).unwrap();
    assert!(matches!(s.arrivals, Arrivals::Renewal { .. }));
}

#[test]
fn override_mistakes_point_at_the_override() {
    for (args, expected) in [
        (
            &["stages.gate.lanes=-1"][..],
            "--set:1:19: `lanes` must be at least 0, found -1",
        ),
        (
            &["stages.gate.lanse=4"][..],
            "--set:1:13: unknown key `lanse` in [[stages]] (did you mean `lanes`?)",
        ),
        (
            &["stages.inspecton.lanes=4"][..],
            "--set:1:8: no stage named `inspecton` in `stages` (did you mean `inspection`?)",
        ),
        (
            &["stages.gate.lanes[3]=4"][..],
            "--set:1:18: `stages.gate.lanes` is an integer, not a table",
        ),
        (
            &["stages.inspection.lanes[5].count=4"][..],
            "--set:1:24: `stages.inspection.lanes` has 2 items, so there is no `[5]`",
        ),
        (&["demand.rate=fast"][..], "--set:1:13: "),
        (
            &["horizon=0s"][..],
            "--set:1:9: `horizon` must be longer than zero",
        ),
        (
            &["stages.gate.lanes=2", "replications=0"][..],
            "--set:1:14: `replications` must be at least 1, found 0",
        ),
    ] {
        let error = with(TWO, args).unwrap_err();
        let summary = summarize(&error);
        assert!(
            summary.contains(expected),
            "{args:?}: expected {expected:?} in\n{summary}"
        );
        assert!(error.to_string().contains("--> --set:1:"), "{error}");
    }
}

#[test]
fn limits_apply_after_overrides() {
    let error = with(TWO, &["replications=1000000"]).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("must be at most 100000") && text.contains("--> --set:1:14"),
        "{text}"
    );
}

// ------------------------------------------------------ patches by name

#[test]
fn a_patch_changes_one_stage_by_name_and_keeps_the_list() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.toml", TWO);
    let child = write(
        dir.path(),
        "child.toml",
        "extends = \"base.toml\"\n[stages.inspection]\nlanes = 6\n",
    );
    let s = load(&child).unwrap();
    let names: Vec<&str> = s.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["gate", "inspection"]);
    assert_eq!(lanes_at(&s, 1, 22), 6);
    assert!(
        matches!(s.stages[1].service, Dist::Exponential { .. }),
        "kept"
    );
    assert!(s.patch_warnings.is_empty(), "{:?}", s.patch_warnings);
    // The same change as an intervention patch.
    let patch = write(
        dir.path(),
        "patch.toml",
        "extends = \"base.toml\"\n[stages.gate]\nlanes = 7\nfee = 10\n",
    );
    let s = load_patched(&dir.path().join("base.toml"), &[patch]).unwrap();
    assert_eq!((lanes_at(&s, 0, 3), s.stages[0].fee), (7, 10.0));
    assert_eq!(s.stages.len(), 2);
}

#[test]
fn patching_a_stage_the_base_lacks_is_located() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.toml", TWO);
    let child = write(
        dir.path(),
        "child.toml",
        "extends = \"base.toml\"\n[stages.inspektion]\nlanes = 6\n",
    );
    let summary = summarize(&load(&child).unwrap_err());
    let expected = format!(
        "{}:2:9: no stage named `inspektion` in the base scenario to patch (did you mean `inspection`?)",
        child.display()
    );
    assert!(summary.contains(&expected), "{summary}");
    // A file with no base has nothing to patch.
    check(
        "name = \"t\"\nhorizon = \"1d\"\n[demand]\nrate = \"1/d\"\n[stages.a]\nlanes = 1\n",
        "demo.toml:5:2: [stages.NAME] tables patch the stages of a base scenario",
    );
}

#[test]
fn a_patch_that_drops_stages_warns_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.toml", TWO);
    let child = write(
        dir.path(),
        "child.toml",
        "extends = \"base.toml\"\n\n[[stages]]\nname = \"inspection\"\nlanes = 9\nservice = \"20m\"\n",
    );
    let s = load(&child).unwrap();
    assert_eq!(s.stages.len(), 1);
    let [warning] = &s.patch_warnings[..] else {
        panic!("one warning expected: {:?}", s.patch_warnings)
    };
    assert!(
        warning.starts_with(&format!("{}:3:3:", child.display())),
        "{warning}"
    );
    assert!(warning.contains("drops 1 stage: `gate`"), "{warning}");
    assert!(load_warnings(&s).contains(warning));
    // Saying so silences it; `replaces` is not part of the resolved scenario.
    let meant = write(
        dir.path(),
        "meant.toml",
        "extends = \"base.toml\"\nreplaces = [\"stages\"]\n[[stages]]\nname = \"inspection\"\nlanes = 9\nservice = \"20m\"\n",
    );
    let quiet = load(&meant).unwrap();
    assert!(
        quiet.patch_warnings.is_empty(),
        "{:?}",
        quiet.patch_warnings
    );
    assert_eq!(quiet.resolved, s.resolved);
    let typo = write(
        dir.path(),
        "typo.toml",
        "extends = \"base.toml\"\nreplaces = [\"stage\"]\n",
    );
    let summary = summarize(&load(&typo).unwrap_err());
    assert!(summary.contains("did you mean `stages`?"), "{summary}");
}

/// A scenario with every mechanism that has an array-valued key.
const EVERY_ARRAY: &str = r#"name = "arrays"
horizon = "7d"
start = "2024-03-04"
[demand]
rate = "100/d"
[[demand.seasons]]
dates = ["2024-03-05"]
factor = 2.0
[[classes]]
name = "north"
share = 0.5
route = ["gate", "scan"]
entrance = "south"
[[classes]]
name = "south"
share = 0.5
route = ["gate", "scan"]
[port]
open = ["00:00-24:00"]
[appointments]
share = 0.5
slot = "1h"
capacity = 10
hours = ["08:00-20:00"]
[[entrances]]
name = "south"
open = ["00:00-24:00"]
[[pools]]
name = "scanner"
lanes = 2
open = ["00:00-24:00"]
[[stages]]
name = "gate"
lanes = [{ hours = "00:00-24:00", count = 2, days = ["mon"] }, { hours = "00:00-24:00", count = 1, days = ["tue", "wed", "thu", "fri", "sat", "sun"] }]
service = "5m"
open = ["00:00-24:00"]
[[stages]]
name = "scan"
pool = "scanner"
service = "5m"
[[closures]]
dates = ["2024-03-06"]
stages = ["gate"]
"#;

/// Issue 28: `--set port.open=00:00-24:00` said only "expected an array,
/// found string". For every key whose value is an array, a single value
/// given on the command line is answered with the array form, and that
/// form is one the key accepts (the suggestion, applied, is no longer
/// refused for its type). An array of tables is answered with how to set
/// one item's key instead.
#[test]
fn every_array_key_set_to_one_value_shows_the_array_form() {
    assert!(
        with(EVERY_ARRAY, &[]).is_ok(),
        "{:?}",
        with(EVERY_ARRAY, &[]).err()
    );
    let arrays = [
        ("port.open", "08:00-20:00", r#"["08:00-20:00"]"#),
        ("port.days", "mon", r#"["mon"]"#),
        ("stages.gate.open", "06:00-22:00", r#"["06:00-22:00"]"#),
        ("stages.gate.days", "mon,tue", r#"["mon", "tue"]"#),
        ("stages.gate.lanes[0].days", "mon", r#"["mon"]"#),
        ("pools.scanner.open", "06:00-22:00", r#"["06:00-22:00"]"#),
        ("pools.scanner.days", "mon", r#"["mon"]"#),
        ("entrances.south.open", "06:00-22:00", r#"["06:00-22:00"]"#),
        ("entrances.south.days", "mon", r#"["mon"]"#),
        ("appointments.hours", "06:00-22:00", r#"["06:00-22:00"]"#),
        ("appointments.days", "mon", r#"["mon"]"#),
        ("demand.profile", "1", "[1]"),
        ("classes.north.route", "gate", r#"["gate"]"#),
        ("closures[0].dates", "2024-03-07", "[2024-03-07]"),
        ("closures[0].stages", "scan", r#"["scan"]"#),
        ("demand.seasons[0].dates", "2024-03-07", "[2024-03-07]"),
    ];
    for (key, one, array) in arrays {
        let e = with(EVERY_ARRAY, &[&format!("{key}={one}")]).expect_err(key);
        let d = e
            .diagnostics()
            .iter()
            .find(|d| d.message.starts_with("expected an array"))
            .unwrap_or_else(|| panic!("{key}: {e}"));
        let help = d.help.as_deref().unwrap_or_default();
        let suggested = format!("{key}={array}");
        assert!(
            help.contains(&format!("--set '{suggested}'")),
            "{key}: {help}"
        );
        // The form shown is one the key takes.
        if let Err(e) = with(EVERY_ARRAY, &[&suggested]) {
            assert!(!e.to_string().contains("expected an array"), "{key}: {e}");
        }
    }
    for key in [
        "stages",
        "classes",
        "entrances",
        "pools",
        "closures",
        "demand.seasons",
        "initial.stages",
    ] {
        let e = with(EVERY_ARRAY, &[&format!("{key}=x")]).expect_err(key);
        let help = e
            .diagnostics()
            .iter()
            .find(|d| d.message.starts_with("expected an array"))
            .and_then(|d| d.help.clone())
            .unwrap_or_default();
        assert!(help.contains("a list of tables"), "{key}: {e}");
    }
}

/// The same hint in a study file's `[set]`, written as TOML.
#[test]
fn an_array_key_in_a_file_is_shown_as_toml() {
    let origin = Origin::new("study.toml", "[set]\n\"port.open\" = \"08:00-20:00\"\n");
    let o = Override::in_file(&origin, "port.open", 6..17, 20..33).unwrap();
    let e = parse_with(EVERY_ARRAY, Path::new("demo.toml"), &[o]).unwrap_err();
    let help = e.diagnostics()[0].help.clone().unwrap_or_default();
    assert!(help.contains(r#""port.open" = ["08:00-20:00"]"#), "{help}");
}

/// `TWO` with `inspection`'s shift table written as `table`.
fn two_with_table(table: &str) -> String {
    TWO.replace(
        r#"lanes = [{ hours = "08:00-20:00", count = 3 }, { hours = "20:00-08:00", count = 1 }]"#,
        &format!("lanes = {table}"),
    )
}

/// `KEY.lanes.percent` scales every shift's count to the nearest lane,
/// halves up, keeping the hours: the same scenario (hash included) as the
/// file written with the scaled table.
#[test]
fn a_percentage_scales_a_shift_table_keeping_its_shape() {
    let s = with(TWO, &["stages.inspection.lanes.percent=150"]).unwrap();
    // 3 × 1.5 = 4.5 → 5 by day; 1 × 1.5 = 1.5 → 2 by night.
    assert_eq!(lanes_at(&s, 1, 10), 5);
    assert_eq!(lanes_at(&s, 1, 22), 2);
    let written = two_with_table(
        r#"[{ hours = "08:00-20:00", count = 5 }, { hours = "20:00-08:00", count = 2 }]"#,
    );
    let file = parse_with(&written, Path::new("demo.toml"), &[]).unwrap();
    assert_eq!(s.hash(), file.hash(), "the hash covers the scaled table");
    assert!(s.patch_warnings.is_empty(), "{:?}", s.patch_warnings);
    // 40 %: 1.2 → 1, 0.4 → 0; a plain count scales too (2 × 40 % → 1).
    let s = with(
        TWO,
        &[
            "stages.inspection.lanes.percent=40",
            "stages.gate.lanes.percent=40",
        ],
    )
    .unwrap();
    assert_eq!(lanes_at(&s, 1, 10), 1);
    assert_eq!(lanes_at(&s, 1, 22), 0);
    assert_eq!(lanes_at(&s, 0, 10), 1);
    // A fractional percentage: 3 × 1.25 = 3.75 → 4, 1.25 → 1.
    let s = with(TWO, &["stages.inspection.lanes.percent=125.0"]).unwrap();
    assert_eq!((lanes_at(&s, 1, 10), lanes_at(&s, 1, 22)), (4, 1));
    // An earlier override of the same lanes is what is scaled.
    let s = with(
        TWO,
        &["stages.gate.lanes=4", "stages.gate.lanes.percent=150"],
    )
    .unwrap();
    assert_eq!(lanes_at(&s, 0, 10), 6);
    // The manifest records the override as written.
    assert!(
        s.overrides
            .contains(&"stages.gate.lanes.percent=150".to_owned())
    );
}

/// What cannot be scaled is said at the override.
#[test]
fn a_percentage_that_cannot_apply_is_located() {
    for (arg, says) in [
        ("stages.inspection.lanes.percent=-10", "a percentage ≥ 0"),
        ("stages.inspection.lanes.percent=abc", "a percentage ≥ 0"),
        (
            "stages.inspektion.lanes.percent=150",
            "no stage named `inspektion`",
        ),
    ] {
        let e = with(TWO, &[arg]).unwrap_err();
        let d = &e.diagnostics()[0];
        assert!(d.message.contains(says), "{arg}: {e}");
        assert_eq!(d.path, Path::new(COMMAND_LINE), "{arg}");
    }
    let unlimited = TWO.replace("lanes = 2", "lanes = \"unlimited\"");
    let e = with(&unlimited, &["stages.gate.lanes.percent=150"]).unwrap_err();
    assert!(
        e.to_string()
            .contains("`stages.gate.lanes` is \"unlimited\""),
        "{e}"
    );
}

/// A plain count where the files have a shift table replaces the table;
/// it is allowed, and warned about with the capacity before and after.
#[test]
fn a_count_replacing_a_shift_table_warns_with_both_capacities() {
    let s = with(TWO, &["stages.inspection.lanes=4"]).unwrap();
    assert_eq!((lanes_at(&s, 1, 10), lanes_at(&s, 1, 22)), (4, 4));
    let [warning] = &s.patch_warnings[..] else {
        panic!("one warning expected: {:?}", s.patch_warnings)
    };
    // Before: (3 × 12 h + 1 × 12 h) / 20 min = 144 trucks a day; after:
    // 4 × 24 h / 20 min = 288.
    assert!(
        warning.starts_with("--set: `stages.inspection.lanes=4` replaces its shift table (2 shifts, capacity 144 trucks/day) with 4 lanes at every hour the stage is open: capacity 288 trucks/day"),
        "{warning}"
    );
    assert!(
        warning.contains("`stages.inspection.lanes.percent=150`"),
        "{warning}"
    );
    assert!(load_warnings(&s).contains(warning));
    // A count over a count, a table over a table: nothing to say.
    let quiet = with(
        TWO,
        &[
            "stages.gate.lanes=4",
            r#"stages.inspection.lanes=[{ hours = "00:00-24:00", count = 2 }]"#,
        ],
    )
    .unwrap();
    assert!(
        quiet.patch_warnings.is_empty(),
        "{:?}",
        quiet.patch_warnings
    );
}

/// `open` and `days` on a stage with shifts keep the table: the stage's
/// lanes are the shifts' counts while it is open, and 0 while it is
/// closed (capacity = lanes on duty × open).
#[test]
fn open_and_days_on_a_shifted_stage_mask_the_table() {
    let s = with(TWO, &[r#"stages.inspection.open=["06:00-12:00"]"#]).unwrap();
    // Open 06–12: the night shift's 1 lane 06–08, the day shift's 3 to
    // noon, none after.
    assert_eq!(lanes_at(&s, 1, 7), 1);
    assert_eq!(lanes_at(&s, 1, 10), 3);
    assert_eq!(lanes_at(&s, 1, 14), 0);
    assert_eq!(lanes_at(&s, 1, 22), 0);
    assert!(s.patch_warnings.is_empty(), "{:?}", s.patch_warnings);
    // `days`: the stage opens only on the days named (time 0 is a Monday
    // by default, so day 1 is the Tuesday); the rows keep their hours.
    let s = with(TWO, &[r#"stages.inspection.days=["tue"]"#]).unwrap();
    assert_eq!(lanes_at(&s, 1, 10), 0, "Monday: closed");
    assert_eq!(lanes_at(&s, 1, 24 + 10), 3, "Tuesday, day shift");
    assert_eq!(lanes_at(&s, 1, 48 + 10), 0, "Wednesday: closed");
}
