//! The issue-13 mechanisms written in scenario files, end to end: each is
//! read from TOML text and run, and a behaviour it must produce is checked
//! against a hand-computed value (a closed date has no departures, a warm
//! start empties in the time its lanes need, late trucks all lose their
//! slots, …). The bundled examples under `scenarios/examples/` run briefly
//! and keep both flow balances.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use portsim::engine::time::{DAY, MINUTE};
use portsim::experiment::run::{RunOptions, RunOutput, run};
use portsim::model::RepResult;
use portsim::scenario::{Scenario, parse};

use crate::port_support::assert_conserved;
use crate::scenario_files::root;

fn scenario(text: &str) -> Scenario {
    parse(text, Path::new("mechanism.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Runs `s` keeping every replication; checks both flow balances and the
/// e-queue's.
fn run_kept(s: &Scenario) -> RunOutput {
    let options = RunOptions {
        keep_reps: true,
        ..RunOptions::for_scenario(s)
    };
    let out = run(s, &options, &AtomicBool::new(false), || {}).expect("runs");
    assert!(out.complete);
    assert_conserved(&out);
    for (i, r) in &out.reps {
        assert!(
            r.all.counts.equeue_balanced(),
            "replication {i}: {:?}",
            r.all.counts
        );
    }
    out
}

fn reps(out: &RunOutput) -> impl Iterator<Item = &RepResult> {
    out.reps.iter().map(|(_, r)| r)
}

#[test]
fn the_examples_run_and_keep_the_flow_balance() {
    let dir = root().join("scenarios").join("examples");
    let mut seen = Vec::new();
    for name in ["equeue-crossing.toml", "one-stop-two-directions.toml"] {
        let path = dir.join(name);
        let mut s = portsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        s.horizon = s.horizon.min(5 * DAY);
        s.replications = 2;
        let out = run_kept(&s);
        for r in reps(&out) {
            assert!(r.all.counts.cleared > 0, "{name}: nothing cleared");
        }
        seen.push(name);
    }
    // The e-queue example calls at most its quota a day; the one-stop post
    // sends both directions through one scanner pool.
    let s = portsim::scenario::load(&dir.join("equeue-crossing.toml")).expect("loads");
    assert_eq!(s.equeue.as_ref().and_then(|e| e.daily_quota), Some(650));
    let s = portsim::scenario::load(&dir.join("one-stop-two-directions.toml")).expect("loads");
    assert_eq!((s.pools.len(), s.entrances.len()), (1, 1));
    assert_eq!(seen.len(), 2);
}

/// One desk, deterministic 30-minute service, a truck every hour.
const HOURLY: &str = r#"name = "m"
horizon = "4d"
replications = 2
start = "2024-03-04"
[demand]
interarrival = "1h"
[[stages]]
name = "desk"
lanes = 1
service = "30m"
"#;

/// A daily quota below demand: the e-queue calls exactly the quota each
/// day and the off-site queue grows by the difference.
#[test]
fn an_equeue_quota_below_demand_grows_the_offsite_queue_by_the_difference() {
    let s = scenario(&format!(
        "{HOURLY}[equeue]\ncall_forward = \"0s\"\ndaily_quota = 10\n"
    ));
    let out = run_kept(&s);
    for r in reps(&out) {
        let c = &r.all.counts;
        // 24 arrive a day (one on the hour, the first at or after 0), 10
        // are called.
        assert_eq!(c.called, 40, "{c:?}");
        assert!((c.registered as i64 - 96).abs() <= 1, "{c:?}");
        assert_eq!(c.equeue_end, c.registered - 40, "{c:?}");
    }
    // An always-free border: no wait off-site at all.
    let s = scenario(&format!("{HOURLY}[equeue]\ncall_forward = \"0s\"\n"));
    let out = run_kept(&s);
    for r in reps(&out) {
        assert_eq!(r.all.offsite_wait.mean(), 0.0);
        assert!(r.all.counts.called > 90);
    }
}

/// Tolerance and patience: with a queue tolerance of 0 an arriving truck
/// joins only an empty road, so at a saturated desk most divert; with a
/// patience of 1 minute most waiting trucks renege.
#[test]
fn tolerance_diverts_and_patience_reneges() {
    let busy = HOURLY.replace("service = \"30m\"", "service = \"2h\"");
    let s = scenario(&busy.replace(
        "[demand]",
        "[[classes]]\nname = \"t\"\ntolerance = { queue = 0 }\n[demand]",
    ));
    let out = run_kept(&s);
    for r in reps(&out) {
        let c = &r.all.counts;
        assert!(c.diverted > c.arrived / 3, "{c:?}");
        assert_eq!(c.reneged, 0);
    }
    let s = scenario(&busy.replace(
        "[demand]",
        "[[classes]]\nname = \"t\"\npatience = \"1m\"\n[demand]",
    ));
    let out = run_kept(&s);
    for r in reps(&out) {
        let c = &r.all.counts;
        // One in two finds the desk free (2 h service, a truck an hour);
        // the others give up after a minute.
        assert!(c.reneged * 3 > c.arrived, "{c:?}");
        assert_eq!(c.diverted, 0);
        assert!(
            r.all.wait.mean() <= MINUTE as f64,
            "no truck waits past its patience"
        );
    }
}

/// Routes: a class that skips a stage never visits it.
#[test]
fn a_route_that_skips_a_stage_never_visits_it() {
    let text = HOURLY.replace(
        "[demand]",
        "[[classes]]\nname = \"direct\"\nshare = 0.5\nroute = [\"desk\"]\n[[classes]]\nname = \"full\"\nshare = 0.5\nroute = [\"scan\", \"desk\"]\n[demand]",
    ) + "[[stages]]\nname = \"scan\"\nlanes = 1\nservice = \"10m\"\n";
    let out = run_kept(&scenario(&text));
    for r in reps(&out) {
        let full = &r.classes[1].counts;
        // Every "full" truck that left visited the scan; no "direct" did.
        assert!(
            r.stages[1].visits >= full.cleared,
            "{:?}",
            r.stages[1].visits
        );
        assert!(r.stages[1].visits <= full.cleared + 2);
        assert_eq!(
            r.classes[0].steps, r.classes[0].counts.cleared,
            "one step each"
        );
        assert_eq!(r.stages[0].visits, r.all.counts.cleared);
    }
}

/// A pool shared by two stages, 20 minutes each per truck hourly: the
/// pool's one lane is busy 40 minutes an hour; an unlimited stage never
/// makes anyone wait.
#[test]
fn a_shared_pool_and_an_unlimited_stage() {
    let text = HOURLY.replace(
        "lanes = 1\nservice = \"30m\"",
        "pool = \"p\"\nservice = \"20m\"",
    ) + "[[stages]]\nname = \"scan\"\npool = \"p\"\nservice = \"20m\"\n[[stages]]\nname = \"docs\"\nlanes = \"unlimited\"\nservice = { dist = \"exponential\", mean = \"5h\" }\nstep = false\n[[pools]]\nname = \"p\"\nlanes = 1\n";
    let out = run_kept(&scenario(&text));
    for r in reps(&out) {
        let u = r.pools[0].utilization;
        assert!((u - 2.0 / 3.0).abs() < 0.03, "pool utilisation {u}");
        assert_eq!(r.stages[0].pool, Some(0));
        assert_eq!(
            r.stages[2].wait.mean(),
            0.0,
            "no wait at an unlimited stage"
        );
        assert_eq!(r.stages[2].mean_queue_len, 0.0);
        // Little: about 5 trucks (1/h × 5 h) in the delay at once.
        assert!(
            (2.5..7.5).contains(&r.stages[2].mean_in_service),
            "{}",
            r.stages[2].mean_in_service
        );
        // `step = false`: only the two pool stages count.
        assert_eq!(r.all.steps, 2 * r.all.counts.cleared);
    }
}

/// A dated closure of the whole port: no departure on the closed day, and
/// the trucks held over leave the next morning. The port closes at 20:00
/// every day, so nothing is in service at midnight.
#[test]
fn a_closed_date_has_no_departures_and_a_backlog_the_next_morning() {
    let text = HOURLY.replace("[demand]", "[port]\nopen = [\"00:00-20:00\"]\n[demand]")
        + "[[closures]]\ndates = [\"2024-03-06\"]\n";
    let s = scenario(&text);
    let out = run_kept(&s);
    for r in reps(&out) {
        let d = &r.daily_departures;
        assert_eq!(d.len(), 4);
        assert_eq!(d[2], 0, "closed on 2024-03-06: {d:?}");
        // The trucks of day 2 and of the evening before wait for day 3,
        // which clears them as well as its own: more than an ordinary day.
        assert!(d[3] > d[1] + 15, "{d:?}");
    }
}

/// A warm start with 10 trucks queued and 2 in service at two lanes of
/// 30 minutes, and no arrivals (a season of factor 0 over the run): they
/// leave in pairs every 30 minutes, so the last leaves at 3 h and the mean
/// time in port is (30 + 60 + … + 180) / 6 = 105 minutes.
#[test]
fn a_warm_start_empties_in_the_time_its_lanes_need() {
    let text = r#"name = "warm"
horizon = "1d"
replications = 1
start = "2024-03-04"
[demand]
rate = "100/d"
[[demand.seasons]]
dates = ["2024-03-01..2024-03-10"]
factor = 0
[[stages]]
name = "desk"
lanes = 2
service = "30m"
[[initial.stages]]
name = "desk"
queued = 10
in_service = 2
"#;
    let out = run_kept(&scenario(text));
    for r in reps(&out) {
        assert_eq!(r.all.counts.arrived, 0);
        assert_eq!(r.all.counts.in_port_start, 12);
        assert_eq!(r.all.counts.cleared, 12);
        assert_eq!(r.all.time_in_port.mean(), (105 * MINUTE) as f64);
        assert_eq!(r.hourly.departures.iter().sum::<u64>(), 12);
        assert_eq!(r.hourly.departures[3], 2, "the last pair leaves at 03:00");
    }
    // What they had waited before counts in their time in port.
    let waited = text.replace("in_service = 2\n", "in_service = 2\nwaited = \"1h\"\n");
    let out = run_kept(&scenario(&waited));
    for r in reps(&out) {
        assert_eq!(r.all.time_in_port.mean(), (165 * MINUTE) as f64);
    }
}

/// Appointments: every booked truck comes 2 h after its slot's start, past
/// a 30-minute grace, so each loses its slot; and with every booking a
/// no-show that comes later, none vanishes.
#[test]
fn late_grace_and_no_show_later() {
    let booking = "[appointments]\nshare = 1.0\nslot = \"1h\"\ncapacity = 5\n";
    let late = format!("{HOURLY}{booking}punctuality = \"2h\"\nlate_grace = \"30m\"\n");
    let out = run_kept(&scenario(&late));
    for r in reps(&out) {
        let c = &r.all.counts;
        assert!(c.arrived > 80, "{c:?}");
        assert_eq!(c.lost_slot, c.arrived, "every booked truck was late: {c:?}");
    }
    let kept = format!("{HOURLY}{booking}punctuality = \"2h\"\n");
    for r in reps(&run_kept(&scenario(&kept))) {
        assert_eq!(r.all.counts.lost_slot, 0, "no grace: slots are kept");
    }
    let later = format!(
        "{HOURLY}{booking}no_show = 1.0\nno_show_later = {{ probability = 1.0, delay = \"3h\" }}\n"
    );
    for r in reps(&run_kept(&scenario(&later))) {
        let c = &r.all.counts;
        assert_eq!(c.no_shows, 0, "{c:?}");
        assert!(c.late_walk_ins > 80, "{c:?}");
        assert!(c.cleared > 80, "{c:?}");
    }
    let vanish = format!("{HOURLY}{booking}no_show = 1.0\n");
    for r in reps(&run_kept(&scenario(&vanish))) {
        assert_eq!(r.all.counts.cleared, 0);
    }
}
