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
