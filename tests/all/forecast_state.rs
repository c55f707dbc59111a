//! The forecast's state against the simulated truth (issue 27, "How it is
//! checked", second bullet): a trace written by `portsim run --trace` and
//! cut at a time T gives, through `portsim forecast --state-out`, exactly
//! the trucks the trace shows in the port at T (each in its place, its
//! age and time in that place to the second, none taken as gone); with
//! the times floored to the minute and 1 % of the rows lost, every truck
//! none of whose rows before T was lost keeps its place and its ages
//! within a minute, the counts per place move by at most the trucks that
//! lost a row, and a truck whose leaving rows were lost is in the port
//! only while the "taken as gone" rule allows it.
//!
//! Measured (seed 7, one day, cut at 14:00): 25 trucks in the port at the
//! cut, 19 of them queued for `inspection` (the bottleneck), all 25
//! reconstructed exactly, none taken as gone. Messy copy: 2 720 rows
//! before the cut, 24 lost (24 trucks); 27 trucks exposed (the 24, and 3
//! whose last row shares its minute with another); the counts per place
//! differ by at most 2 (bound: 27); 1 truck taken as gone (bound: 27);
//! over the day's 42 half-hourly cuts from 02:00, a truck whose leaving
//! row was lost is still in the port 2 times (within its state's
//! plausible time) and out of it 54 times.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use portsim::calibrate::log::{Layout, read_from};
use portsim::forecast::run::start_override;
use portsim::forecast::state::{self, Seen};
use portsim::scenario::{self, TruckState};

use crate::cli_run::portsim;

/// Three stages in a line, every truck visiting each (no routing draw):
/// `inspection` has less capacity than the demand, so its queue builds
/// all day. Open day and night; no parking, no appointments.
const PORT: &str = r#"
name = "trace cut"
seed = 7
horizon = "1d"
warmup = "0s"
replications = 1
start = "mon"

[demand]
rate = "26/h"

[[stages]]
name = "documents"
lanes = 3
service = { dist = "exponential", mean = "5m" }

[[stages]]
name = "inspection"
lanes = 2
service = { dist = "lognormal", mean = "5m", sd = "2m" }

[[stages]]
name = "exit"
lanes = 1
service = { dist = "exponential", mean = "90s" }
"#;

/// 2024-01-01T00:00 (the trace's day 0, a Monday) on the log's clock.
const DAY0: i64 = 1_704_067_200;
/// The cut: 14:00 of day 0, a whole minute.
const CUT: i64 = DAY0 + 14 * 3_600;
const CUT_TEXT: &str = "2024-01-01T14:00";
const STAGES: [&str; 3] = ["documents", "inspection", "exit"];

/// One trace row: truck, seconds on the log's clock, event, stage.
#[derive(Clone, Debug)]
struct Line {
    truck: String,
    time: i64,
    event: String,
    stage: String,
}

/// `YYYY-MM-DDTHH:MM:SS` of January 2024 in seconds on the log's clock.
fn seconds(text: &str) -> i64 {
    assert!(text.starts_with("2024-01-") && text.len() == 19, "{text}");
    let n = |a: usize, b: usize| text[a..b].parse::<i64>().expect("a number");
    DAY0 + (n(8, 10) - 1) * 86_400 + n(11, 13) * 3_600 + n(14, 16) * 60 + n(17, 19)
}

fn text_of(t: i64) -> String {
    let s = t - DAY0;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60, s % 60);
    format!("2024-01-{:02}T{h:02}:{m:02}:{sec:02}", d + 1)
}

fn parse_trace(text: &str) -> Vec<Line> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("truck,time,event,stage,lane,class"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Line {
                truck: f[0].to_owned(),
                time: seconds(f[1]),
                event: f[2].to_owned(),
                stage: f[3].to_owned(),
            }
        })
        .collect()
}

/// Where a truck is at the cut.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// Arrived, not yet at its first stage.
    Waiting,
    /// Queued at a stage (its next start, later in the trace, says which).
    Queued(String),
    /// In service at a stage.
    InService(String),
}

/// A truck in the port at the cut: its place, when it arrived and when it
/// entered its place (seconds on the log's clock).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Truth {
    place: Place,
    arrived: i64,
    since: i64,
}

fn leaves(event: &str) -> bool {
    matches!(event, "depart" | "turned_away" | "diverted" | "reneged")
}

/// The truth at `cut` from the whole trace: every truck with rows before
/// the cut and no leaving row before it. A truck that ended a stage is
/// queued at the stage of its next `start` (after the cut).
fn truth(lines: &[Line], cut: i64) -> BTreeMap<String, Truth> {
    let mut by_truck: HashMap<&str, Vec<&Line>> = HashMap::new();
    for l in lines {
        by_truck.entry(&l.truck).or_default().push(l);
    }
    let mut out = BTreeMap::new();
    for (truck, rows) in by_truck {
        let k = rows.partition_point(|r| r.time < cut);
        if k == 0 || rows[..k].iter().any(|r| leaves(&r.event)) {
            continue;
        }
        let arrive = rows.iter().find(|r| r.event == "arrive").expect("arrive");
        let last = rows[k - 1];
        let place = match last.event.as_str() {
            "arrive" => Place::Waiting,
            "start" => Place::InService(last.stage.clone()),
            "end" => {
                // Its next start; at the horizon's end, the next stage of
                // the line (every truck visits each).
                let next = rows[k..].iter().find(|r| r.event == "start").map_or_else(
                    || {
                        let i = STAGES
                            .iter()
                            .position(|s| *s == last.stage)
                            .expect("a stage");
                        STAGES[i + 1].to_owned()
                    },
                    |r| r.stage.clone(),
                );
                Place::Queued(next)
            }
            other => panic!("{truck}: unexpected {other}"),
        };
        out.insert(
            truck.to_owned(),
            Truth {
                place,
                arrived: arrive.time,
                since: last.time,
            },
        );
    }
    out
}

/// A duration as `--state-out` writes it (`1h 2m 5s`), in seconds.
fn duration_s(text: &str) -> i64 {
    text.split(' ')
        .map(|p| {
            let (n, unit) = p.split_at(p.len() - 1);
            let n: i64 = n.parse().expect("a number");
            n * match unit {
                "h" => 3_600,
                "m" => 60,
                "s" => 1,
                u => panic!("unit {u}"),
            }
        })
        .sum()
}

fn run_trace(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let sc = dir.join("port.toml");
    std::fs::write(&sc, PORT).expect("temp");
    let trace = dir.join("trace.csv");
    let out = portsim(&[
        "run",
        sc.to_str().expect("utf-8"),
        "--trace",
        trace.to_str().expect("utf-8"),
        "--out",
        dir.join("out").to_str().expect("utf-8"),
        "--format",
        "csv",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (sc, trace)
}

/// The trucks of `--state-out`, as truths (ages back to times).
fn state_out_trucks(text: &str, cut: i64) -> Vec<Truth> {
    let v: toml::Value = toml::from_str(text).expect("the state is TOML");
    let trucks = v["initial"]["trucks"].as_array().expect("trucks");
    trucks
        .iter()
        .map(|t| {
            let s = |k: &str| t.get(k).and_then(|x| x.as_str()).map(str::to_owned);
            let place = match s("state").expect("state").as_str() {
                "waiting" => match t.get("done").and_then(|d| d.as_array()) {
                    // Waiting after a stage: the rule's "waiting for its
                    // next stage" (none waited that long before the cut);
                    // on this line of stages the next one is certain.
                    Some(done) => {
                        let last = done.last().and_then(|d| d.as_str()).expect("a name");
                        let i = STAGES.iter().position(|x| *x == last).expect("a stage");
                        Place::Queued(format!("(waiting) {}", STAGES[i + 1]))
                    }
                    None => Place::Waiting,
                },
                "queued" => Place::Queued(s("stage").expect("stage")),
                "in_service" => Place::InService(s("stage").expect("stage")),
                other => panic!("state {other}"),
            };
            Truth {
                place,
                arrived: cut - duration_s(&s("arrived").expect("arrived")),
                since: cut - duration_s(&s("since").expect("since")),
            }
        })
        .collect()
}

/// Exact: the state `portsim forecast --state-out` writes from the trace
/// cut at 14:00 is the trace's own state at 14:00, truck for truck.
#[test]
fn a_trace_cut_gives_the_simulated_state_exactly() {
    let dir = tempfile::tempdir().expect("temp");
    let (sc, trace) = run_trace(dir.path());
    let lines = parse_trace(&std::fs::read_to_string(&trace).expect("trace"));
    let truth = truth(&lines, CUT);
    let state_out = dir.path().join("state.toml");
    let out = portsim(&[
        "forecast",
        sc.to_str().expect("utf-8"),
        "--log",
        trace.to_str().expect("utf-8"),
        "--at",
        CUT_TEXT,
        "--hours",
        "1",
        "-r",
        "1",
        "--format",
        "json",
        "--state-out",
        state_out.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut got = state_out_trucks(&std::fs::read_to_string(&state_out).expect("state"), CUT);
    let waiting_after: Vec<&Truth> = got
        .iter()
        .filter(|t| matches!(&t.place, Place::Queued(s) if s.starts_with("(waiting) ")))
        .collect();
    eprintln!(
        "cut: {} trucks in the truth, {} in the state ({} 'waiting after a stage'); state: {}",
        truth.len(),
        got.len(),
        waiting_after.len(),
        json["state"]
    );
    for t in &mut got {
        if let Place::Queued(s) = &mut t.place {
            *s = s.trim_start_matches("(waiting) ").to_owned();
        }
    }
    got.sort();
    let mut want: Vec<Truth> = truth.values().cloned().collect();
    want.sort();
    assert_eq!(json["state"]["gone"], 0, "nothing taken as gone");
    assert_eq!(json["state"]["in_port"], want.len());
    assert_eq!(got, want, "the same trucks, places, arrivals and times");
    // A queue built: the check is not of an empty port.
    let queued = |s: &str| {
        want.iter()
            .filter(|t| t.place == Place::Queued(s.into()))
            .count()
    };
    assert!(queued("inspection") >= 5, "{}", queued("inspection"));
    for (k, st) in STAGES.iter().enumerate() {
        let n = |p: Place| want.iter().filter(|t| t.place == p).count();
        let first = if k == 0 { n(Place::Waiting) } else { 0 };
        assert_eq!(
            json["state"]["stages"][k]["queued"],
            n(Place::Queued((*st).into())) + first,
            "{st}"
        );
        assert_eq!(
            json["state"]["stages"][k]["in_service"],
            n(Place::InService((*st).into())),
            "{st}"
        );
    }
}

/// A fixed generator (a 64-bit LCG, high bits): row `i` is lost when its
/// draw falls in the lowest 1 %.
fn lost(i: usize) -> bool {
    let x = (i as u64 + 1)
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let x = x ^ (x >> 29);
    let x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    (x >> 33).is_multiple_of(100)
}

/// Messy: times floored to the minute, 1 % of the rows lost. The cut is on
/// a whole minute, so flooring moves no row across it; a truck's place can
/// only change when one of its rows before the cut was lost, or when its
/// last row before the cut shares its minute with another (their order is
/// then the events' natural order, not the trace's). Those trucks are the
/// *exposed* ones: every other truck keeps its place, its arrival and its
/// time in place within the minute (the floored time is at most 59 s
/// earlier), each count per place moves by at most the exposed trucks,
/// and a truck whose leaving row was lost is in the port only while the
/// "taken as gone" rule allows.
#[test]
fn minute_times_and_lost_rows_stay_within_the_stated_bounds() {
    let dir = tempfile::tempdir().expect("temp");
    let (_, trace) = run_trace(dir.path());
    let lines = parse_trace(&std::fs::read_to_string(&trace).expect("trace"));
    let truth = truth(&lines, CUT);
    let mut text = String::from("truck,time,event,stage\n");
    let mut kept: HashMap<&str, Vec<(i64, &str)>> = HashMap::new();
    let mut lost_before: HashMap<&str, Vec<&str>> = HashMap::new();
    let (mut before, mut lost_rows) = (0, 0);
    for (i, l) in lines.iter().enumerate() {
        let floored = l.time - (l.time - DAY0).rem_euclid(60);
        before += usize::from(l.time < CUT);
        if lost(i) {
            if l.time < CUT {
                lost_rows += 1;
                lost_before.entry(&l.truck).or_default().push(&l.event);
            }
            continue;
        }
        if floored < CUT {
            kept.entry(&l.truck).or_default().push((floored, &l.event));
        }
        text.push_str(&format!(
            "{},{},{},{}\n",
            l.truck,
            &text_of(floored)[..16],
            l.event,
            l.stage
        ));
    }
    let exposed = |truck: &str| {
        lost_before.contains_key(truck)
            || kept.get(truck).is_some_and(|rows| {
                let last = rows[rows.len() - 1].0;
                !rows.iter().any(|r| leaves(r.1)) && rows.iter().filter(|r| r.0 == last).count() > 1
            })
    };
    let s = scenario::parse_with(
        PORT,
        Path::new("port.toml"),
        &[start_override(CUT).expect("cut")],
    )
    .expect("scenario");
    let log = read_from(Path::new("messy.csv"), text.as_bytes(), &Layout::plain()).expect("log");
    assert_eq!(log.resolution_s, 60, "times on whole minutes");
    let tracks = state::tracks(&log, &s);
    let plausible = state::plausible(&tracks, STAGES.len(), CUT);
    let name = |st: usize| STAGES[st].to_owned();
    let (mut counts_truth, mut counts_messy) = (BTreeMap::new(), BTreeMap::new());
    for t in truth.values() {
        *counts_truth.entry(t.place.clone()).or_insert(0i64) += 1;
    }
    let (mut n_exposed, mut gone, mut left_lost, mut left_lost_here) = (0, 0, 0, 0);
    for i in 0..tracks.trucks.len() {
        let truck = log.trucks.name(tracks.rows[tracks.trucks[i].start].truck);
        let seen = state::seen(&tracks, i, CUT, &s, &plausible);
        let exposed = exposed(truck);
        n_exposed += usize::from(exposed);
        let here = match &seen {
            Seen::Here(h) => {
                let place = match (h.state, h.waits_for) {
                    (TruckState::InService(x), _) => Place::InService(name(x)),
                    (TruckState::Queued(x), _) => Place::Queued(name(x)),
                    (TruckState::Waiting, Some(x)) if h.done != 0 => Place::Queued(name(x)),
                    (TruckState::Waiting, _) => Place::Waiting,
                };
                *counts_messy.entry(place.clone()).or_insert(0i64) += 1;
                Some((place, h))
            }
            Seen::Gone(_) => {
                gone += 1;
                None
            }
            _ => None,
        };
        let left_with_lost_row = !truth.contains_key(truck)
            && lost_before
                .get(truck)
                .is_some_and(|e| e.iter().any(|e| leaves(e)));
        if left_with_lost_row {
            left_lost += 1;
            // In the port only while its state's plausible time lasts.
            if let Some((_, h)) = &here {
                left_lost_here += 1;
                let limit = match (h.state, h.done) {
                    (TruckState::InService(x), _) => plausible.in_service[x],
                    (TruckState::Waiting, 0) => plausible.waiting,
                    _ => {
                        let after = (0..STAGES.len()).rev().find(|&x| h.done >> x & 1 == 1);
                        plausible.after[after.expect("a stage done")]
                    }
                };
                assert!(CUT - h.since <= limit, "{truck}: {seen:?}");
            }
        }
        if exposed {
            continue;
        }
        match (truth.get(truck), here) {
            (None, None) => {}
            (Some(t), Some((place, h))) => {
                assert_eq!(place, t.place, "{truck}");
                assert!(
                    (0..60).contains(&(t.arrived - h.arrived)),
                    "{truck}: arrived {} against {}",
                    h.arrived,
                    t.arrived
                );
                assert!(
                    (0..60).contains(&(t.since - h.since)),
                    "{truck}: since {} against {}",
                    h.since,
                    t.since
                );
            }
            (t, _) => panic!("{truck}: the truth {t:?}, seen {seen:?}"),
        }
    }
    let places: Vec<&Place> = counts_truth.keys().chain(counts_messy.keys()).collect();
    let worst = places
        .iter()
        .map(|p| (counts_truth.get(*p).unwrap_or(&0) - counts_messy.get(*p).unwrap_or(&0)).abs())
        .max()
        .unwrap_or(0);
    eprintln!(
        "rows before the cut {before}, lost {lost_rows} (trucks {}); exposed trucks {n_exposed}; \
         worst count difference {worst}; taken as gone {gone}; left with a lost leaving row \
         {left_lost}, of them in the port {left_lost_here}; truth {counts_truth:?}; \
         messy {counts_messy:?}",
        lost_before.len()
    );
    // The same trucks at every half hour of the day: a truck whose
    // leaving row was lost is in the port only within its state's
    // plausible time, never for ever.
    let (mut cuts_here, mut cuts_out) = (0, 0);
    for half in 4..46 {
        let cut = DAY0 + half * 1_800;
        let truth = self::truth(&lines, cut);
        let plausible = state::plausible(&tracks, STAGES.len(), cut);
        for i in 0..tracks.trucks.len() {
            let truck = log.trucks.name(tracks.rows[tracks.trucks[i].start].truck);
            let lost_leaving = lines
                .iter()
                .enumerate()
                .any(|(k, l)| lost(k) && l.truck == truck && leaves(&l.event) && l.time < cut);
            if truth.contains_key(truck) || !lost_leaving {
                continue;
            }
            match state::seen(&tracks, i, cut, &s, &plausible) {
                Seen::Here(h) => {
                    cuts_here += 1;
                    let limit = match (h.state, h.done) {
                        (TruckState::InService(x), _) => plausible.in_service[x],
                        (TruckState::Waiting, 0) => plausible.waiting,
                        _ => {
                            let after = (0..STAGES.len()).rev().find(|&x| h.done >> x & 1 == 1);
                            plausible.after[after.expect("a stage done")]
                        }
                    };
                    assert!(cut - h.since <= limit, "{truck} at {}: {h:?}", text_of(cut));
                }
                _ => cuts_out += 1,
            }
        }
    }
    eprintln!(
        "half-hourly cuts: a truck whose leaving row was lost, in the port {cuts_here}, out {cuts_out}"
    );
    assert!(lost_rows > 0 && left_lost > 0, "the loss reaches the cut");
    assert!(worst as usize <= n_exposed, "{worst} > {n_exposed}");
    assert!(
        gone <= n_exposed,
        "only exposed trucks can be taken as gone"
    );
}
