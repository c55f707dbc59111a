//! The issue-13 keys through the whole reader: each converts to what the
//! model expects (routes as indices, dates as simulated time, closures in
//! the calendars), and each mistake is reported at its file, line and
//! column with what was expected.

use super::*;
use crate::engine::time::WEEK;

/// Two stages and two classes, dated start (a Friday); line 1 is `name`.
const DATED: &str = r#"name = "m"
horizon = "7d"
start = "2024-03-01"
[demand]
rate = "240/d"
[[classes]]
name = "north"
share = 0.5
[[classes]]
name = "south"
share = 0.5
[[stages]]
name = "a"
lanes = 2
service = "5m"
[[stages]]
name = "b"
lanes = 3
service = "10m"
"#;

fn dated(lines: &str) -> String {
    format!("{DATED}{lines}\n")
}

#[test]
fn every_new_key_converts() {
    let text = r#"name = "all"
horizon = "10d"
start = "2024-03-01"
[demand]
rate = "240/d"
[[demand.seasons]]
dates = ["2024-03-04..2024-03-05"]
factor = 2.5
[[classes]]
name = "north"
share = 0.6
priority = 1
route = ["b", "a"]
tolerance = { queue = { dist = "uniform", min = 10, max = 30 } }
patience = { dist = "exponential", mean = "3h" }
[[classes]]
name = "south"
share = 0.4
entrance = "south-gate"
tolerance = { wait = "6h" }
[[entrances]]
name = "south-gate"
parking = 20
road_queue = 50
open = ["06:00-22:00"]
[equeue]
waiting_area = 40
call_forward = "30m"
call_forward_home = { dist = "uniform", min = "1h", max = "3h" }
daily_quota = 200
priority_share = 0.25
[[pools]]
name = "scanner"
lanes = [{ hours = "08:00-20:00", count = 2 }, { hours = "20:00-08:00", count = 1, days = ["sat", "sun"] }]
queue = "priority"
[[stages]]
name = "a"
pool = "scanner"
service = "5m"
[[stages]]
name = "b"
pool = "scanner"
service = "10m"
[[stages]]
name = "docs"
lanes = "unlimited"
service = { dist = "lognormal", mean = "2h", sd = "1h" }
step = false
[[closures]]
dates = ["2024-03-03"]
[[closures]]
dates = ["2024-03-06..2024-03-07"]
stages = ["scanner"]
[initial]
road = 5
parking = 2
waited = "1h"
[[initial.stages]]
name = "a"
queued = 3
in_service = 1
waited = "2h"
[appointments]
share = 0.5
capacity = [{ hours = "08:00-12:00", count = 10 }, { hours = "12:00-18:00", count = 4 }]
days = ["mon", "tue", "wed", "thu", "fri"]
late_grace = "30m"
no_show = 0.1
no_show_later = { probability = 0.4, delay = { dist = "exponential", mean = "4h" } }
"#;
    let s = parse_str(text).unwrap_or_else(|e| panic!("{e}"));
    // 2024-03-01 was a Friday.
    assert_eq!((s.start, s.start_date), (4, Some(19_783)));
    let Arrivals::Poisson { seasons, .. } = &s.arrivals else {
        panic!("Poisson")
    };
    assert_eq!(seasons, &vec![(3 * DAY, 5 * DAY, 2.5)]);
    assert_eq!(s.classes[0].route, Some(vec![1, 0]));
    assert_eq!(s.classes[1].route, None);
    assert_eq!((s.classes[0].entrance, s.classes[1].entrance), (0, 1));
    assert_eq!(
        s.classes[0].tolerance,
        Some(Tolerance::Queue(Dist::Uniform {
            min: 10.0,
            max: 30.0
        }))
    );
    assert_eq!(
        s.classes[1].tolerance,
        Some(Tolerance::Wait(Dist::Deterministic {
            value: (6 * HOUR) as f64
        }))
    );
    assert_eq!(
        s.classes[0].patience,
        Some(Dist::Exponential {
            mean: (3 * HOUR) as f64
        })
    );
    assert_eq!(s.classes[1].patience, None);
    let gate = &s.entrances[0];
    assert_eq!(gate.name, "south-gate");
    assert_eq!(
        (gate.gate.parking, gate.gate.road_queue),
        (Some(20), Some(50))
    );
    assert_eq!(gate.gate.open.value_at(5 * HOUR), 0);
    assert_eq!(gate.gate.open.value_at(7 * HOUR), 1);
    assert_eq!(
        s.equeue,
        Some(EQueue {
            waiting_area: 40,
            call_forward: Dist::Deterministic {
                value: (30 * MINUTE) as f64
            },
            call_forward_home: Dist::Uniform {
                min: HOUR as f64,
                max: (3 * HOUR) as f64
            },
            daily_quota: Some(200),
            priority_share: 0.25,
        })
    );
    let pool = &s.pools[0];
    assert_eq!(
        (pool.name.as_str(), pool.discipline),
        ("scanner", Discipline::Priority)
    );
    // Day 0 is a Friday: 1 lane at night on Saturday (day 1), none on Friday.
    assert_eq!(pool.lanes.value_at(9 * HOUR), 2);
    assert_eq!(pool.lanes.value_at(22 * HOUR), 0);
    assert_eq!(pool.lanes.value_at(DAY + 22 * HOUR), 1);
    assert!(matches!(s.stages[0].lanes, Lanes::Pool(0)));
    assert!(matches!(s.stages[1].lanes, Lanes::Pool(0)));
    assert!(matches!(s.stages[2].lanes, Lanes::Unlimited));
    assert_eq!(
        s.stages.iter().map(|st| st.step).collect::<Vec<_>>(),
        [true, true, false]
    );
    // The whole port is closed on 2024-03-03 (day 2); the pool also on
    // days 5 and 6.
    assert_eq!(s.port.open.value_at(2 * DAY + 12 * HOUR), 0);
    assert_eq!(s.port.open.value_at(3 * DAY), 1);
    assert_eq!(s.entrances[0].gate.open.value_at(2 * DAY + 12 * HOUR), 0);
    assert_eq!(
        pool.lanes.closures(),
        &[(2 * DAY, 3 * DAY), (5 * DAY, 7 * DAY)]
    );
    assert_eq!(s.port.open.closures(), &[(2 * DAY, 3 * DAY)]);
    assert_eq!(
        s.initial,
        Some(Initial {
            road: 5,
            parking: 2,
            waited: HOUR,
            stages: vec![InitialStage {
                stage: 0,
                queued: 3,
                in_service: 1,
                waited: 2 * HOUR,
            }],
            trucks: vec![],
        })
    );
    let a = s.appointments.as_ref().expect("booking");
    assert_eq!(a.late_grace, Some(30 * MINUTE));
    assert_eq!(
        a.no_show_later,
        Some(NoShowLater {
            probability: 0.4,
            delay: Dist::Exponential {
                mean: (4 * HOUR) as f64
            }
        })
    );
    // Monday (day 3) at 09:00: 10 a slot; 13:00: 4; Saturday (day 1): none,
    // nor on the closed Sunday.
    assert_eq!(a.capacity.value_at(3 * DAY + 9 * HOUR), 10);
    assert_eq!(a.capacity.value_at(3 * DAY + 13 * HOUR), 4);
    assert_eq!(a.capacity.value_at(3 * DAY + 19 * HOUR), 0);
    assert_eq!(a.capacity.value_at(DAY + 9 * HOUR), 0);
    assert_eq!(a.capacity.value_at(WEEK + 9 * HOUR), 10, "a Friday");
}

#[test]
fn defaults_of_the_new_keys() {
    let s = parse_str(&dated("[equeue]\ncall_forward = \"20m\"")).unwrap();
    let e = s.equeue.expect("an e-queue");
    assert_eq!(
        (e.waiting_area, e.daily_quota, e.priority_share),
        (0, None, 0.0)
    );
    assert_eq!(
        e.call_forward_home, e.call_forward,
        "home defaults to call_forward"
    );
    assert!(
        s.classes
            .iter()
            .all(|c| c.route.is_none() && c.entrance == 0)
    );
    assert!(
        s.stages
            .iter()
            .all(|st| st.step && st.own_lanes().is_some())
    );
    assert!(s.pools.is_empty() && s.entrances.is_empty() && s.initial.is_none());
    // A weekday start has no date.
    let s = parse_str(&dated("").replace("\"2024-03-01\"", "\"wed\"")).unwrap();
    assert_eq!((s.start, s.start_date), (2, None));
    // A closure before the run's first day does nothing; one that starts
    // before it is cut at time zero.
    let s = parse_str(&dated(
        "[[closures]]\ndates = [\"2024-02-01\", \"2024-02-28..2024-03-01\"]",
    ))
    .unwrap();
    assert_eq!(s.port.open.closures(), &[(0, DAY)]);
    let initial = parse_str(&dated("[initial]\nroad = 4")).unwrap().initial;
    assert_eq!(
        initial,
        Some(Initial {
            road: 4,
            parking: 0,
            waited: 0,
            stages: Vec::new(),
            trucks: vec![],
        })
    );
}

#[test]
fn mechanism_errors() {
    for (text, expected) in [
        // start
        (
            DATED.replace("\"2024-03-01\"", "\"2024-02-30\""),
            "demo.toml:3:9: invalid date \"2024-02-30\": that month has 29 days",
        ),
        (
            DATED.replace("\"2024-03-01\"", "\"2024-3-1\""),
            "demo.toml:3:9: invalid date \"2024-3-1\"; expected a date like \"2024-03-01\"",
        ),
        (
            DATED.replace("\"2024-03-01\"", "\"funday\""),
            "demo.toml:3:9: unknown weekday \"funday\"",
        ),
        // closures
        (
            dated("[[closures]]\ndates = [\"2024-03-05..2024-03-02\"]"),
            "demo.toml:21:10: the date range \"2024-03-05..2024-03-02\" runs backwards",
        ),
        (
            dated("[[closures]]\ndates = [\"2024-04-31\"]"),
            "demo.toml:21:10: invalid date \"2024-04-31\": that month has 30 days",
        ),
        (
            dated("[[closures]]\ndates = []"),
            "demo.toml:21:9: the list of `dates` is empty",
        ),
        (
            dated("[[closures]]\nstages = [\"a\"]"),
            "demo.toml:20:1: missing key `dates` in [[closures]]",
        ),
        (
            dated("[[closures]]\ndates = [\"2024-03-02\"]")
                .replace("\"2024-03-01\"", "\"fri\""),
            "demo.toml:21:9: dated closures need a dated `start`",
        ),
        (
            dated("[[closures]]\ndates = [\"2024-03-02\"]\nstages = [\"bb\"]"),
            "demo.toml:22:11: unknown stage or pool `bb` (did you mean `b`?)",
        ),
        (
            dated("[[closures]]\ndates = [\"2024-03-02\"]\nstages = []"),
            "demo.toml:22:10: the list of `stages` is empty",
        ),
        (
            dated("[[closures]]\ndates = [\"2024-03-02\"]\nstage = [\"a\"]"),
            "demo.toml:22:1: unknown key `stage` in [[closures]] (did you mean `stages`?)",
        ),
        // seasons
        (
            dated("[[demand.seasons]]\ndates = [\"2024-03-02..2024-03-05\"]\nfactor = 2\n[[demand.seasons]]\ndates = [\"2024-03-05\"]\nfactor = 3"),
            "demo.toml:24:10: demand seasons overlap on 2024-03-05",
        ),
        (
            dated("[[demand.seasons]]\ndates = [\"2024-03-02\"]\nfactor = -1"),
            "demo.toml:22:10: `factor` must be a number of at least 0, found -1",
        ),
        (
            dated("[[demand.seasons]]\ndates = [\"2024-03-02\"]")
                .replace("\"2024-03-01\"", "\"mon\""),
            "demo.toml:20:1: missing key `factor` in [[demand.seasons]]",
        ),
        (
            dated("[[demand.seasons]]\ndates = [\"2024-03-02\"]\nfactor = 2")
                .replace("\"2024-03-01\"", "\"mon\""),
            "demo.toml:21:9: dated seasons need a dated `start`",
        ),
        (
            dated("[[demand.seasons]]\ndates = [\"2024-03-02\"]\nfactor = 2")
                .replace("rate = \"240/d\"", "interarrival = \"6m\""),
            "demo.toml:20:1: `seasons` cannot be used with `interarrival`",
        ),
        // classes: route, entrance, tolerance, patience
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\nroute = [\"a\", \"c\"]\n[[classes]]"),
            "demo.toml:9:15: unknown stage `c`",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\nroute = [\"bb\"]\n[[classes]]"),
            "demo.toml:9:10: unknown stage `bb` (did you mean `b`?)",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\nroute = [\"a\", \"b\", \"a\"]\n[[classes]]"),
            "demo.toml:9:20: stage `a` is twice in the `route`",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\nroute = []\n[[classes]]"),
            "demo.toml:9:9: the `route` is empty",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\nentrance = \"east\"\n[[classes]]"),
            "demo.toml:9:12: unknown entrance `east` [the scenario has no [[entrances]]",
        ),
        (
            dated("[[entrances]]\nname = \"west\"")
                .replace("share = 0.5\n[[classes]]", "share = 0.5\nentrance = \"wset\"\n[[classes]]"),
            "demo.toml:9:12: unknown entrance `wset` (did you mean `west`?)",
        ),
        (
            dated("[[entrances]]\nname = \"west\"\n[[entrances]]\nname = \"west\""),
            "demo.toml:23:8: duplicate entrance name `west`",
        ),
        (
            dated("[[entrances]]\nname = \"west\"\nparking = 0"),
            "demo.toml:22:11: `parking` must be at least 1, found 0",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\ntolerance = { queue = 5, wait = \"1h\" }\n[[classes]]"),
            "demo.toml:9:33: a `tolerance` takes either `queue` or `wait`, not both",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\ntolerance = {}\n[[classes]]"),
            "demo.toml:9:13: a `tolerance` needs `queue` or `wait`",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\ntolerance = { queue = -3 }\n[[classes]]"),
            "demo.toml:9:23: `queue` must be a number of at least 0, found -3",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\ntolerance = { queue = { dist = \"uniform\", min = \"1h\", max = 3 } }\n[[classes]]"),
            "demo.toml:9:49: `min` must be a number of trucks like 20, found \"1h\"",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\ntolerance = { wait = 6 }\n[[classes]]"),
            "demo.toml:9:22: expected a duration like \"5m\" or a distribution",
        ),
        (
            DATED.replace("share = 0.5\n[[classes]]", "share = 0.5\npatience = { dist = \"exponential\", mean = \"0s\" }\n[[classes]]"),
            "demo.toml:9:12: invalid `patience` distribution: `mean` must be greater than zero, found 0s",
        ),
        // e-queue
        (
            dated("[equeue]\nwaiting_area = 10"),
            "demo.toml:20:1: missing key `call_forward` in [equeue]",
        ),
        (
            dated("[equeue]\ncall_forward = \"20m\"\nwaiting_area = -1"),
            "demo.toml:22:16: `waiting_area` must be at least 0, found -1",
        ),
        (
            dated("[equeue]\ncall_forward = \"20m\"\ndaily_quota = 0"),
            "demo.toml:22:15: `daily_quota` must be at least 1, found 0",
        ),
        (
            dated("[equeue]\ncall_forward = \"20m\"\npriority_share = 1.5"),
            "demo.toml:22:18: `priority_share` must be between 0 and 1, found 1.5",
        ),
        (
            dated("[equeue]\ncall_forward = \"20m\"\nquota = 5"),
            "demo.toml:22:1: unknown key `quota` in [equeue]",
        ),
        // pools and stage lanes
        (
            DATED.replace("lanes = 2", "lanes = 2\npool = \"scanner\""),
            "demo.toml:15:8: a stage takes either `lanes` or `pool`, not both",
        ),
        (
            DATED.replace("lanes = 2", "pool = \"scanner\""),
            "demo.toml:14:8: unknown pool `scanner` [the scenario has no [[pools]]",
        ),
        (
            dated("[[pools]]\nname = \"scanner\"\nlanes = 1").replace("lanes = 2", "pool = \"scaner\""),
            "demo.toml:14:8: unknown pool `scaner` (did you mean `scanner`?)",
        ),
        (
            dated("[[pools]]\nname = \"a\"\nlanes = 1"),
            "demo.toml:21:8: pool `a` has the name of a stage",
        ),
        (
            dated("[[pools]]\nname = \"p\""),
            "demo.toml:20:1: missing key `lanes` in [[pools]]",
        ),
        (
            dated("[[pools]]\nname = \"p\"\nlanes = 1\n[[pools]]\nname = \"p\"\nlanes = 2"),
            "demo.toml:24:8: duplicate pool name `p`",
        ),
        (
            dated("[[pools]]\nname = \"p\"\nlanes = \"unlimited\""),
            "demo.toml:22:9: expected a lane count like 4 or a shift table like [{ hours = \"08:00-20:00\", count = 6 }] for `lanes`; found \"unlimited\"",
        ),
        (
            dated("[[pools]]\nname = \"p\"\nlanes = 1\nqueue = \"lifo\""),
            "demo.toml:23:9: unknown queue discipline \"lifo\"",
        ),
        (
            DATED.replace("lanes = 2", "service_x = 1"),
            "demo.toml:14:1: unknown key `service_x` in [[stages]]",
        ),
        (
            DATED.replace("lanes = 2", "daily_limit = 3"),
            "demo.toml:12:1: missing key `lanes` in [[stages]] [give `lanes = N`",
        ),
        (
            DATED.replace("lanes = 2", "lanes = \"unlimited\"\ndaily_limit = 30"),
            "demo.toml:15:15: `daily_limit` is only for a stage with lanes of its own",
        ),
        (
            DATED.replace("lanes = 2", "lanes = \"unlimited\"\nopen = [\"08:00-12:00\"]"),
            "demo.toml:15:8: a stage with unlimited lanes takes no `open` of its own",
        ),
        (
            dated("[[pools]]\nname = \"p\"\nlanes = 1").replace("lanes = 2", "pool = \"p\"\ndays = [\"mon\"]"),
            "demo.toml:15:8: a stage on a pool takes no `days` of its own",
        ),
        (
            dated("[[pools]]\nname = \"p\"\nlanes = 1").replace("lanes = 2", "pool = \"p\"\nqueue = \"priority\""),
            "demo.toml:15:9: a stage on a pool takes no `queue` of its own",
        ),
        (
            DATED.replace("lanes = 2", "lanes = \"infinite\""),
            "demo.toml:14:9: expected a lane count like 4 or a shift table like [{ hours = \"08:00-20:00\", count = 6 }], or \"unlimited\" for `lanes`; found \"infinite\"",
        ),
        (
            DATED.replace("lanes = 2", "lanes = 2\nstep = \"no\""),
            "demo.toml:15:8: expected a boolean, found string \"no\"",
        ),
        (
            dated("[[closures]]\ndates = [\"2024-03-02\"]\nstages = [\"a\"]").replace("lanes = 2", "lanes = \"unlimited\""),
            "demo.toml:22:11: stage `a` has unlimited lanes and cannot be closed",
        ),
        (
            dated("[[pools]]\nname = \"p\"\nlanes = 1\n[[closures]]\ndates = [\"2024-03-02\"]\nstages = [\"a\"]")
                .replace("lanes = 2", "pool = \"p\""),
            "demo.toml:25:11: stage `a` draws on pool `p` and cannot be closed alone [close the pool: stages = [\"p\"]]",
        ),
        // initial
        (
            dated("[initial]\nroad = -2"),
            "demo.toml:21:8: `road` must be at least 0, found -2",
        ),
        (
            dated("[initial]\nwaited = \"-1h\""),
            "demo.toml:21:10: negative duration \"-1h\"",
        ),
        (
            dated("[[initial.stages]]\nname = \"c\"\nqueued = 3"),
            "demo.toml:21:8: unknown stage `c`",
        ),
        (
            dated("[[initial.stages]]\nname = \"a\"\nqueued = 3\n[[initial.stages]]\nname = \"a\""),
            "demo.toml:24:8: stage `a` is listed twice in [[initial.stages]]",
        ),
        (
            dated("[[initial.stages]]\nqueued = 3"),
            "demo.toml:20:1: missing key `name` in [[initial.stages]]",
        ),
        (
            dated("[[initial.stages]]\nname = \"a\"\nin_service = -1"),
            "demo.toml:22:14: `in_service` must be at least 0, found -1",
        ),
        (
            dated("[[initial.stages]]\nname = \"a\"\nqueued = 2").replace("lanes = 2", "lanes = \"unlimited\""),
            "demo.toml:22:10: stage `a` has unlimited lanes, so no truck queues there",
        ),
        (
            dated("[initial]\nroad = 4000000000"),
            "demo.toml:20:1: [initial] places 4000000000 trucks; at most 1000000 are allowed",
        ),
        // appointments
        (
            dated("[appointments]\nshare = 0.5\ncapacity = 3\nlate_grace = \"soon\""),
            "demo.toml:23:14: unknown unit `soon` in duration \"soon\"",
        ),
        (
            dated("[appointments]\nshare = 0.5\ncapacity = 3\nno_show_later = { probability = 1.2, delay = \"2h\" }"),
            "demo.toml:23:33: `probability` must be between 0 and 1, found 1.2",
        ),
        (
            dated("[appointments]\nshare = 0.5\ncapacity = 3\nno_show_later = { probability = 0.2 }"),
            "demo.toml:23:17: missing key `delay` in `no_show_later`",
        ),
        (
            dated("[appointments]\nshare = 0.5\ncapacity = 3\ndays = [\"mon\", \"someday\"]"),
            "demo.toml:23:16: unknown weekday \"someday\"",
        ),
        (
            dated("[appointments]\nshare = 0.5\ncapacity = [{ hours = \"08:00-12:00\", count = 0 }]"),
            "demo.toml:22:12: every row of the `capacity` table is 0, but `share` is above 0",
        ),
        (
            dated("[appointments]\nshare = 0.5\ncapacity = [{ hours = \"08:00-12:00\", count = -1 }]"),
            "demo.toml:22:46: `count` must be at least 0, found -1",
        ),
        (
            dated("[appointments]\nshare = 0.5\ncapacity = \"lots\""),
            "demo.toml:22:12: expected a lane count like 4 or a shift table like [{ hours = \"08:00-20:00\", count = 6 }] for `capacity`; found \"lots\"",
        ),
    ] {
        check(&text, expected);
    }
}

#[test]
fn stage_patches_and_overrides_reach_the_new_keys() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        dated("[[pools]]\nname = \"p\"\nlanes = 1\n[[entrances]]\nname = \"west\"\nparking = 5")
            .replace("lanes = 3", "pool = \"p\"");
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    let child = dir.path().join("child.toml");
    let patch = "extends = \"base.toml\"\n[pools.p]\nlanes = 4\n[entrances.west]\nparking = 9\n[stages.a]\nstep = false\n";
    std::fs::write(&child, patch).unwrap();
    let s = load(&child).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.pools[0].lanes.value_at(HOUR), 4);
    assert_eq!(s.entrances[0].gate.parking, Some(9));
    assert!(!s.stages[0].step && s.stages[1].step);
    assert!(matches!(s.stages[1].lanes, Lanes::Pool(0)), "kept");
    std::fs::write(&child, "extends = \"base.toml\"\n[pools.q]\nlanes = 4\n").unwrap();
    let e = load(&child).unwrap_err();
    assert!(
        summarize(&e).contains("child.toml:2:8"),
        "{}",
        summarize(&e)
    );
    let set = |args: &[&str]| {
        let o: Vec<Override> = args.iter().map(|a| Override::parse(a).unwrap()).collect();
        parse_with(
            &dated("[[pools]]\nname = \"p\"\nlanes = 1").replace("lanes = 3", "pool = \"p\""),
            Path::new("demo.toml"),
            &o,
        )
    };
    let s = set(&[
        "pools.p.lanes=5",
        "stages.a.lanes=unlimited",
        "stages.b.step=false",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.pools[0].lanes.value_at(HOUR), 5);
    assert!(matches!(s.stages[0].lanes, Lanes::Unlimited));
    assert!(!s.stages[1].step);
    assert!(
        s.resolved.contains("lanes = \"unlimited\""),
        "{}",
        s.resolved
    );
    let s = set(&["classes.north.route=[\"b\"]", "equeue.call_forward=10m"]).unwrap();
    assert_eq!(s.classes[0].route, Some(vec![1]));
    assert!(s.equeue.is_some());
    let e = set(&["pools.q.lanes=5"]).unwrap_err();
    assert!(summarize(&e).contains("`q`"), "{}", summarize(&e));
}

#[test]
fn seasons_count_in_the_expected_trucks() {
    let season = |factor: &str| {
        dated(&format!(
            "[[demand.seasons]]\ndates = [\"2024-03-02..2024-03-03\"]\nfactor = {factor}"
        ))
    };
    // 240 a day for 7 days, two of them at factor 0 or 3.
    let s = parse_str(&season("0")).unwrap();
    assert!((limits::expected_arrivals(&s) - 240.0 * 5.0).abs() < 1e-6);
    let s = parse_str(&season("3")).unwrap();
    assert!((limits::expected_arrivals(&s) - 240.0 * 11.0).abs() < 1e-6);
    // A factor that would ask for billions of trucks is refused before
    // anything runs, as a huge rate is.
    let e = parse_str(&season("1e9")).unwrap_err();
    assert!(summarize(&e).contains("trucks"), "{}", summarize(&e));
}

#[test]
fn bare_toml_dates_are_dates() {
    let text = dated("[[closures]]\ndates = [2024-03-02]").replace("\"2024-03-01\"", "2024-03-01");
    let s = parse_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.start_date, Some(19_783));
    assert_eq!(s.port.open.closures(), &[(DAY, 2 * DAY)]);
    // As an override too, where the value is read as TOML first.
    let o = [Override::parse("start=2024-03-04").unwrap()];
    let s = parse_with(DATED, Path::new("demo.toml"), &o).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.start, s.start_date), (0, Some(19_786)));
    // A time of day is not a start.
    check(
        &DATED.replace("\"2024-03-01\"", "10:00:00"),
        "demo.toml:3:9: invalid date \"10:00:00\"",
    );
}

#[test]
fn a_renewal_patch_drops_inherited_seasons() {
    let dir = tempfile::tempdir().unwrap();
    let base = dated("[[demand.seasons]]\ndates = [\"2024-03-02\"]\nfactor = 2");
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    let child = dir.path().join("child.toml");
    std::fs::write(
        &child,
        "extends = \"base.toml\"\n[demand]\ninterarrival = \"6m\"\n",
    )
    .unwrap();
    let s = load(&child).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(s.arrivals, Arrivals::Renewal { .. }));
}
