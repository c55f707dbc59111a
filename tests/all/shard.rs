//! Sharded runs (`--shard I/N --part PART`) merged with `portsim merge`
//! give the single-process output, byte for byte.
//!
//! Why: a sweep or a long run split over a Slurm job array (or any array
//! engine) must report exactly what one machine would: the same JSON
//! (apart from the manifest's `threads` and `wall_time_s`), the same CSV,
//! the same table, the same `--out` set. Each command is split for
//! several shard counts, including more shards than units; `auto/N`
//! reads each engine's index variable; what cannot be merged (gaps,
//! duplicates, parts of another run, changed files) and what cannot be
//! sharded (plan, --precision) is refused with exit 2 and a message that
//! names the files.

use std::path::{Path, PathBuf};
use std::process::Output;

use portsim::shard::part::{Part, units_sha256};
use portsim::shard::spec::INDEX_VARIABLES;

const DESK: &str = "name = \"desk\"\nhorizon = \"2d\"\nwarmup = \"6h\"\nreplications = 5\nseed = 17\n[demand]\nrate = \"18/h\"\n[[stages]]\nname = \"desk\"\nlanes = 2\nservice = { dist = \"exponential\", mean = \"5m\" }\n[[stages]]\nname = \"exit\"\nlanes = 1\nservice = { dist = \"lognormal\", mean = \"2m\", sd = \"1m\" }\n";

const FASTER: &str = "extends = \"desk.toml\"\nname = \"faster desk\"\n[stages.desk]\nservice = { dist = \"exponential\", mean = \"4m\" }\n";

const WIDER: &str = "extends = \"desk.toml\"\n[stages.exit]\nlanes = 2\n";

const SWEEP: &str = "scenario = \"desk.toml\"\nreplications = 3\nseed = 5\nmetrics = [\"time_in_port_s\", \"wait_s.p95\", \"booking_lead_s\"]\n[[factors]]\nkey = \"stages.desk.lanes\"\nrange = [1, 2]\n[[factors]]\nkey = \"stages.exit.service.mean\"\nvalues = [\"2m\", \"150s\"]\n";

const SENS: &str = "scenario = \"desk.toml\"\nvariant = \"faster.toml\"\nmetric = \"time_in_port_s\"\nreplications = 3\n[[parameters]]\nkey = \"demand.rate\"\nlow = \"15/h\"\nhigh = \"20/h\"\n[[parameters]]\nkey = \"stages.exit.lanes\"\nlow = 1\nhigh = 2\n";

/// A folder with the scenarios and studies above.
fn inputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in [
        ("desk.toml", DESK),
        ("faster.toml", FASTER),
        ("wider.toml", WIDER),
        ("sweep.toml", SWEEP),
        ("sens.toml", SENS),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// portsim with `env` set and no array index inherited from a CI job.
fn portsim_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("portsim").expect("the portsim binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args(args);
    for var in INDEX_VARIABLES {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("portsim runs")
}

fn ok(out: Output) -> Output {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    out
}

/// Exit 2 with a message containing every one of `needles`.
fn refused(out: &Output, needles: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    for n in needles {
        assert!(err.contains(n), "`{n}` not in:\n{err}");
    }
}

/// The bytes without the manifest's timing lines.
fn untimed(bytes: &[u8]) -> String {
    text(bytes)
        .lines()
        .filter(|l| !l.contains("\"threads\":") && !l.contains("\"wall_time_s\":"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Runs `args` as shards `0..n`, each into `dir/tag-I.json`; checks that a
/// shard prints nothing.
fn shards(args: &[&str], n: u64, dir: &Path, tag: &str) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let part = dir.join(format!("{tag}-{i}.json"));
            let spec = format!("{i}/{n}");
            let mut all = args.to_vec();
            all.extend(["--shard", &spec, "--part", s(&part), "-q"]);
            let out = ok(portsim_env(&all, &[]));
            assert!(
                out.stdout.is_empty(),
                "a shard prints nothing: {}",
                text(&out.stdout)
            );
            assert!(part.is_file(), "{}", part.display());
            part
        })
        .collect()
}

fn merge(parts: &[PathBuf], extra: &[&str]) -> Output {
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(|p| s(p)));
    args.extend(extra);
    args.push("-q");
    portsim_env(&args, &[])
}

/// For every `n` and format: merging the shards of `args` prints what
/// `args` prints (JSON: apart from timing).
fn same_as_one_process(args: &[&str], counts: &[u64], formats: &[&str], dir: &Path) {
    for &n in counts {
        let parts = shards(args, n, dir, &format!("{}-{n}", args[0]));
        for format in formats {
            let mut one = args.to_vec();
            one.extend(["--format", format, "-q"]);
            let one = ok(portsim_env(&one, &[]));
            let merged = ok(merge(&parts, &["--format", format]));
            assert!(!one.stdout.is_empty());
            if *format == "json" {
                assert_eq!(untimed(&merged.stdout), untimed(&one.stdout), "{n} shards");
                assert_ne!(
                    untimed(&one.stdout),
                    text(&one.stdout),
                    "timing lines exist"
                );
            } else {
                assert_eq!(
                    text(&merged.stdout),
                    text(&one.stdout),
                    "{n} shards, {format}"
                );
            }
        }
    }
}

#[test]
fn run_merged_is_the_run_for_any_shard_count() {
    let dir = inputs();
    let desk = dir.path().join("desk.toml");
    // 5 replications: 1, 3 and 8 shards (three of them empty).
    same_as_one_process(
        &["run", s(&desk)],
        &[1, 3, 8],
        &["json", "csv", "table"],
        dir.path(),
    );
    // The `--out` set too: every CSV byte for byte, results.json untimed.
    let parts = shards(
        &["run", s(&desk), "--set", "demand.rate=15/h"],
        2,
        dir.path(),
        "set",
    );
    let (one, merged) = (dir.path().join("one"), dir.path().join("merged"));
    ok(portsim_env(
        &[
            "run",
            s(&desk),
            "--set",
            "demand.rate=15/h",
            "--out",
            s(&one),
            "-q",
        ],
        &[],
    ));
    ok(merge(&parts, &["--out", s(&merged)]));
    for file in [
        "results.json",
        "replications.csv",
        "stages.csv",
        "daily.csv",
        "hourly.csv",
        "time_breakdown.csv",
    ] {
        let a = std::fs::read(one.join(file)).expect("unsharded file");
        let b = std::fs::read(merged.join(file)).expect("merged file");
        assert_eq!(untimed(&a), untimed(&b), "{file}");
    }
    let manifest = |d: &Path| {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("manifest.json")).expect("manifest"))
                .expect("JSON");
        (m["run_id"].clone(), m["files"].clone())
    };
    assert_eq!(manifest(&one).0, manifest(&merged).0, "the same run id");
    // And the HTML page, with the pooled time-in-port distribution.
    let (a, b) = (dir.path().join("one.html"), dir.path().join("merged.html"));
    ok(portsim_env(&["run", s(&desk), "--html", s(&a), "-q"], &[]));
    let parts = shards(&["run", s(&desk)], 4, dir.path(), "html");
    ok(merge(&parts, &["--html", s(&b)]));
    let page = std::fs::read_to_string(&a).expect("page");
    assert!(page.contains("<svg"), "the page has charts");
    assert_eq!(std::fs::read_to_string(&b).expect("merged page"), page);
}

#[test]
fn compare_and_attribution_merged_are_the_comparison() {
    let dir = inputs();
    let (desk, faster, wider) = (
        dir.path().join("desk.toml"),
        dir.path().join("faster.toml"),
        dir.path().join("wider.toml"),
    );
    same_as_one_process(
        &["compare", s(&desk), s(&faster), "-r", "4"],
        &[1, 3, 6],
        &["json", "csv", "table"],
        dir.path(),
    );
    same_as_one_process(
        &[
            "compare",
            s(&desk),
            "--intervention",
            s(&faster),
            "--intervention",
            s(&wider),
            "-r",
            "3",
        ],
        &[2],
        &["json", "csv"],
        dir.path(),
    );
}

#[test]
fn sweep_merged_is_the_sweep() {
    let dir = inputs();
    let sweep = dir.path().join("sweep.toml");
    // 4 points × 3 replications = 12 units: blocks cut across points.
    same_as_one_process(
        &["sweep", s(&sweep)],
        &[1, 5, 13],
        &["json", "csv", "table"],
        dir.path(),
    );
}

#[test]
fn sensitivity_merged_is_the_sensitivity() {
    let dir = inputs();
    let sens = dir.path().join("sens.toml");
    same_as_one_process(
        &["sensitivity", s(&sens)],
        &[1, 4, 40],
        &["json", "table"],
        dir.path(),
    );
}

#[test]
fn auto_reads_each_array_engine_s_index() {
    let dir = inputs();
    let sweep = dir.path().join("sweep.toml");
    let part = |name: &str, shard: &str, env: &[(&str, &str)]| {
        let path = dir.path().join(name);
        let args = [
            "sweep",
            s(&sweep),
            "--shard",
            shard,
            "--part",
            s(&path),
            "-q",
        ];
        let out = ok(portsim_env(&args, env));
        assert!(out.stdout.is_empty());
        let mut doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("part")).expect("JSON");
        doc["manifest"]["wall_time_s"] = serde_json::Value::Null;
        doc
    };
    let fixed = part("fixed.json", "2/3", &[]);
    for var in INDEX_VARIABLES {
        assert_eq!(part("auto.json", "auto/3", &[(var, "2")]), fixed, "{var}");
    }
    assert_ne!(part("other.json", "1/3", &[]), fixed);
    // The first variable set wins.
    let both = [
        ("SLURM_ARRAY_TASK_ID", "2"),
        ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
    ];
    assert_eq!(part("both.json", "auto/3", &both), fixed);
    // Merging parts made either way works.
    let desk = dir.path().join("desk.toml");
    let parts: Vec<PathBuf> = (0..3)
        .map(|i| {
            let path = dir.path().join(format!("env-{i}.json"));
            let index = i.to_string();
            let args = [
                "run",
                s(&desk),
                "--shard",
                "auto/3",
                "--part",
                s(&path),
                "-q",
            ];
            ok(portsim_env(&args, &[(INDEX_VARIABLES[i % 3], &index)]));
            path
        })
        .collect();
    let one = ok(portsim_env(
        &["run", s(&desk), "--format", "json", "-q"],
        &[],
    ));
    assert_eq!(
        untimed(&ok(merge(&parts, &["--format", "json"])).stdout),
        untimed(&one.stdout)
    );
}

#[test]
fn what_cannot_be_sharded_or_merged_is_refused() {
    let dir = inputs();
    let desk = dir.path().join("desk.toml");
    let part = dir.path().join("p.json");
    let p = s(&part);
    let d = s(&desk);
    refused(
        &portsim_env(&["run", d, "--shard", "0/2"], &[]),
        &["--part"],
    );
    refused(
        &portsim_env(&["run", d, "--shard", "2/2", "--part", p], &[]),
        &["shard index 2 is out of range for 2 shards"],
    );
    refused(
        &portsim_env(&["run", d, "--shard", "1of2", "--part", p], &[]),
        &["expected I/N"],
    );
    refused(
        &portsim_env(&["run", d, "--shard", "auto/2", "--part", p], &[]),
        &["none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set"],
    );
    refused(
        &portsim_env(
            &["run", d, "--shard", "auto/2", "--part", p],
            &[("JOB_COMPLETION_INDEX", "5")],
        ),
        &["out of range", "(from JOB_COMPLETION_INDEX)"],
    );
    refused(
        &portsim_env(
            &["run", d, "--shard", "0/2", "--part", p, "--precision", "5%"],
            &[],
        ),
        &["`--shard` cannot be used with `--precision`"],
    );
    refused(
        &portsim_env(
            &[
                "run",
                d,
                "--shard",
                "0/2",
                "--part",
                p,
                "--out",
                s(&dir.path().join("o")),
            ],
            &[],
        ),
        &["give `--out` and `--html` to `portsim merge`"],
    );
    let plan = dir.path().join("plan.toml");
    std::fs::write(&plan, "scenario = \"desk.toml\"\n[[decide]]\nkey = \"stages.desk.lanes\"\nmin = 1\nmax = 3\ncost = 1\n[[require]]\nmetric = \"wait_s\"\nmax = \"1h\"\n").expect("write");
    refused(
        &portsim_env(&["plan", s(&plan), "--shard", "0/2", "--part", p], &[]),
        &["`--shard` cannot be used with `plan`"],
    );
    assert!(!part.exists(), "nothing written by a refusal");

    // Merging: a gap names the missing shard and how to re-run it.
    let mut parts = shards(&["run", d], 3, dir.path(), "gap");
    let gone = parts.remove(1);
    refused(
        &merge(&parts, &["--format", "json"]),
        &[
            "2 of 5 units are missing (units 1-2), those of shard 1/3",
            "--shard 1/3 --part",
        ],
    );
    // A shard twice.
    parts.push(parts[0].clone());
    parts.push(gone);
    refused(
        &merge(&parts, &[]),
        &["shard 0/3 is given twice", "gap-0.json"],
    );
    parts.pop();
    parts.pop();
    // A part of another run (another seed) is named.
    let other = dir.path().join("other.json");
    ok(portsim_env(
        &[
            "run",
            d,
            "--seed",
            "18",
            "--shard",
            "1/3",
            "--part",
            s(&other),
            "-q",
        ],
        &[],
    ));
    parts.push(other.clone());
    refused(
        &merge(&parts, &[]),
        &[
            "other.json",
            "is not part of the same run as",
            "seed is 18, not 17",
        ],
    );
    // Parts of another command, or another shard count.
    let sweep = dir.path().join("sweep.toml");
    let sw = shards(&["sweep", s(&sweep)], 2, dir.path(), "sw");
    refused(
        &merge(&[parts[0].clone(), sw[1].clone()], &[]),
        &["sw-1.json", "command is `sweep`, not `run`"],
    );
    let four = shards(&["run", d], 4, dir.path(), "four");
    refused(
        &merge(&[parts[0].clone(), four[1].clone()], &[]),
        &["four-1.json", "shard count is 4, not 3"],
    );
    // A format the command does not have.
    refused(
        &merge(&sw, &["--format", "junit"]),
        &["`portsim sweep`, whose formats are table, json, csv"],
    );
    // Not a part.
    refused(
        &merge(std::slice::from_ref(&desk), &[]),
        &["is not a portsim partial result"],
    );
    // A digest cut short is named with its file, its checksum made to
    // match (so that the decoding is what finds it).
    let cut = shards(&["run", d], 2, dir.path(), "cut");
    rewrite(&cut[1], |p| {
        let words = &mut p.units[0].words;
        words.truncate(words.len() / 2);
        p.units_sha256 = units_sha256(&p.units);
    });
    refused(
        &merge(&cut, &[]),
        &["cut-1.json` is damaged: the digest of unit 2 does not decode"],
    );
    // The scenario changed after the shards ran.
    let whole = shards(&["run", d], 2, dir.path(), "changed");
    std::fs::write(&desk, DESK.replace("18/h", "19/h")).expect("write");
    refused(
        &merge(&whole, &[]),
        &["the scenarios changed since the shards ran"],
    );
}

/// Reads the part at `path`, changes it and writes it back.
fn rewrite(path: &Path, change: impl FnOnce(&mut Part)) {
    let mut part: Part = serde_json::from_slice(&std::fs::read(path).expect("part")).expect("part");
    change(&mut part);
    std::fs::write(path, serde_json::to_string(&part).expect("JSON")).expect("write");
}

/// Issue 24, defect 4: a part damaged after it was written merged as a
/// complete result (a word set to its maximum gave 1.5e18 trucks a day; a
/// unit's digest copied over its neighbour's, plausible wrong figures),
/// and a huge `units` made merge panic or abort on its allocation.
#[test]
fn damaged_parts_are_refused_by_name() {
    let dir = inputs();
    let sweep = dir.path().join("sweep.toml");
    let args = ["sweep", s(&sweep)];
    let good = shards(&args, 3, dir.path(), "good");
    let whole = ok(merge(&good, &["--format", "json"]));
    let copy = |tag: &str| -> Vec<PathBuf> {
        good.iter()
            .enumerate()
            .map(|(i, p)| {
                let to = dir.path().join(format!("{tag}-{i}.json"));
                std::fs::copy(p, &to).expect("copy");
                to
            })
            .collect()
    };
    // A word altered.
    let parts = copy("word");
    rewrite(&parts[1], |p| p.units[0].words[3] = u64::MAX);
    refused(
        &merge(&parts, &[]),
        &[
            "word-1.json` is damaged: its unit digests do not match the checksum written with them",
            "re-run the shard",
            "--shard 1/3",
        ],
    );
    // A unit's digest copied over its neighbour's.
    let parts = copy("copied");
    rewrite(&parts[2], |p| p.units[1].words = p.units[0].words.clone());
    refused(
        &merge(&parts, &[]),
        &["copied-2.json` is damaged: its unit digests do not match"],
    );
    // Huge unit counts: exit 2 with a message, before any allocation.
    for units in [1u64 << 62, u64::MAX] {
        let parts = copy(&format!("huge{units}"));
        rewrite(&parts[0], |p| p.manifest.units = units);
        refused(
            &merge(&parts, &[]),
            &[
                "-0.json` is damaged",
                &format!("it says the run has {units} units, more than any run can have"),
            ],
        );
    }
    // A part of the format before the checksum: re-run it.
    let parts = copy("old");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&parts[0]).expect("part")).expect("JSON");
    doc["portsim_part"] = 1.into();
    doc.as_object_mut().expect("object").remove("units_sha256");
    std::fs::write(&parts[0], doc.to_string()).expect("write");
    refused(
        &merge(&parts, &[]),
        &[
            "old-0.json` is a partial result of format 1",
            "re-run the shard to write it again",
            "--shard 0/3 --part",
        ],
    );
    // A part of format 2, before the time breakdown joined the digests:
    // made by another version, re-run it (exit 2), not a decoding error.
    let parts = copy("two");
    rewrite(&parts[1], |p| p.portsim_part = 2);
    refused(
        &merge(&parts, &[]),
        &[
            "two-1.json` is a partial result of format 2, made by another version of portsim",
            "its unit digests lack the time breakdown",
            "re-run the shard to write it again",
            "--shard 1/3 --part",
        ],
    );
    // The good parts still merge to the same bytes.
    assert_eq!(
        untimed(&ok(merge(&good, &["--format", "json"])).stdout),
        untimed(&whole.stdout)
    );
}

#[test]
fn runaway_replications_merge_as_in_one_process() {
    let dir = inputs();
    let desk = dir.path().join("desk.toml");
    // Too many trucks at once for a guard of 12: some replications stop.
    let args = [
        "run",
        s(&desk),
        "--set",
        "demand.rate=40/h",
        "--max-trucks",
        "12",
    ];
    let parts = shards(&args, 3, dir.path(), "runaway");
    let mut one = args.to_vec();
    one.extend(["--format", "json", "-q"]);
    let one = portsim_env(&one, &[]);
    assert_eq!(one.status.code(), Some(1), "{}", text(&one.stderr));
    assert!(text(&one.stderr).contains("stopped by the runaway guard"));
    let merged = merge(&parts, &["--format", "json"]);
    assert_eq!(merged.status.code(), Some(1), "{}", text(&merged.stderr));
    assert_eq!(text(&merged.stderr), text(&one.stderr));
    assert_eq!(untimed(&merged.stdout), untimed(&one.stdout));
}

#[test]
fn merge_reads_the_inputs_where_the_shards_ran() {
    let dir = inputs();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    // Shards run in the inputs' folder, with a relative path…
    let run_in = |cwd: &Path, args: &[&str]| {
        let mut cmd =
            assert_cmd::Command::cargo_bin("portsim").expect("the portsim binary is built");
        cmd.current_dir(cwd).args(args);
        for var in INDEX_VARIABLES {
            cmd.env_remove(var);
        }
        ok(cmd.output().expect("portsim runs"))
    };
    let one = run_in(dir.path(), &["run", "desk.toml", "--format", "json", "-q"]);
    for i in 0..2 {
        let part = elsewhere.path().join(format!("p{i}.json"));
        let spec = format!("{i}/2");
        run_in(
            dir.path(),
            &[
                "run",
                "desk.toml",
                "--shard",
                &spec,
                "--part",
                s(&part),
                "-q",
            ],
        );
    }
    // …and the merge, from another folder, with relative parts and --out.
    let merged = run_in(
        elsewhere.path(),
        &[
            "merge", "p0.json", "p1.json", "--format", "json", "--out", "set", "-q",
        ],
    );
    assert_eq!(untimed(&merged.stdout), untimed(&one.stdout));
    assert!(
        text(&one.stdout).contains("\"file\": \"desk.toml\""),
        "the path as given"
    );
    assert!(
        elsewhere.path().join("set/results.json").is_file(),
        "--out where merge ran"
    );
}
