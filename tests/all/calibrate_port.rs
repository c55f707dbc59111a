//! A small synthetic port, written by hand without portsim's model, and
//! what calibration recovers from its event log.
//!
//! The generator below is an event-driven queueing port of its own: Poisson
//! arrivals by thinning (a known daily rate, hour profile and weekday
//! factors), three stages with FIFO queues (documents: 3 lanes round the
//! clock, exponential; inspection: 20 % of trucks, 3 lanes 08:00–18:00 on
//! weekdays, lognormal, sending 15 % back to documents; exit: a shift
//! table, 3 lanes 06:00–22:00 and 1 at night, Erlang-2), lanes that change
//! without pre-empting a service, and the milestones written as the
//! plain CSV (or a mapped layout), shuffled. The truth is known, so the
//! tolerances come from binomial and Poisson standard errors.

#![allow(
    clippy::needless_range_loop,
    reason = "the truth is tables by weekday and hour, compared by index"
)]

use std::collections::{BinaryHeap, VecDeque};
use std::path::{Path, PathBuf};

use portsim::calibrate::{self, Calibration, Options};

/// SplitMix64: a small generator of the test's own.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    pub fn f64(&mut self) -> f64 {
        ((self.u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * self.f64().ln()
    }
    pub fn normal(&mut self) -> f64 {
        (-2.0 * self.f64().ln()).sqrt() * (std::f64::consts::TAU * self.f64()).cos()
    }
}

pub const DAY: i64 = 86_400;
pub const HOUR: i64 = 3_600;
/// 2025-03-01T00:00 (a Saturday) in seconds since 1970.
pub const T0: i64 = 1_740_787_200;

/// The truth.
pub const RATE_PER_DAY: f64 = 240.0;
pub fn profile(h: usize) -> f64 {
    if (6..18).contains(&h) { 1.5 } else { 0.5 }
}
/// Weekday factors, Monday first (mean 1).
pub const DAYS: [f64; 7] = [1.16, 1.16, 1.16, 1.16, 1.16, 0.7, 0.5];
pub const INSPECTION_SHARE: f64 = 0.2;
pub const REWORK: f64 = 0.15;
pub const DOCS_MEAN_S: f64 = 540.0;
pub const INSPECTION_MEAN_S: f64 = 900.0;
pub const INSPECTION_SD_S: f64 = 450.0;
pub const EXIT_MEAN_S: f64 = 480.0;

fn weekday(t: i64) -> usize {
    ((t.div_euclid(DAY) + 3).rem_euclid(7)) as usize
}
fn hour(t: i64) -> usize {
    (t.rem_euclid(DAY) / HOUR) as usize
}

/// Lanes of stage `s` at time `t` (0 when closed).
fn lanes(s: usize, t: i64) -> usize {
    let (d, h) = (weekday(t), hour(t));
    match s {
        0 => 3,
        1 => {
            if d < 5 && (8..18).contains(&h) {
                3
            } else {
                0
            }
        }
        _ => {
            if (6..22).contains(&h) {
                3
            } else {
                1
            }
        }
    }
}

const STAGES: [&str; 3] = ["documents", "inspection", "exit"];

/// One milestone.
#[derive(Clone, Debug, PartialEq)]
pub struct Milestone {
    pub truck: u32,
    pub time: i64,
    pub event: &'static str,
    pub stage: Option<usize>,
    pub lane: Option<usize>,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Arrive,
    End(usize, u32, usize),
    Tick,
}

struct Truck {
    inspect: bool,
}

/// Simulates from `T0` for `days` days and returns every milestone.
pub fn generate(seed: u64, days: i64) -> Vec<Milestone> {
    let mut rng = Rng::new(seed);
    let end = T0 + days * DAY;
    let mut heap: BinaryHeap<std::cmp::Reverse<(i64, u64, Ev)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |heap: &mut BinaryHeap<_>, t: i64, e: Ev| {
        seq += 1;
        heap.push(std::cmp::Reverse((t, seq, e)));
    };
    let max_rate = RATE_PER_DAY / DAY as f64 * 1.5 * 1.16;
    let mut t_arr = T0 as f64;
    let mut rows = Vec::new();
    let mut trucks: Vec<Truck> = Vec::new();
    let mut queues: [VecDeque<u32>; 3] = Default::default();
    let mut busy: [Vec<bool>; 3] = [vec![false; 3], vec![false; 3], vec![false; 3]];
    // Arrivals by thinning.
    loop {
        t_arr += rng.exp(1.0 / max_rate);
        let t = t_arr as i64;
        if t >= end {
            break;
        }
        let rate = RATE_PER_DAY / DAY as f64 * profile(hour(t)) * DAYS[weekday(t)];
        if rng.f64() < rate / max_rate {
            push(&mut heap, t, Ev::Arrive);
        }
    }
    let mut tick = T0;
    while tick < end {
        push(&mut heap, tick, Ev::Tick);
        tick += HOUR;
    }
    let service = |rng: &mut Rng, s: usize| -> i64 {
        let x = match s {
            0 => rng.exp(DOCS_MEAN_S),
            1 => {
                let s2 = (1.0 + (INSPECTION_SD_S / INSPECTION_MEAN_S).powi(2)).ln();
                let mu = INSPECTION_MEAN_S.ln() - s2 / 2.0;
                (mu + s2.sqrt() * rng.normal()).exp()
            }
            _ => rng.exp(EXIT_MEAN_S / 2.0) + rng.exp(EXIT_MEAN_S / 2.0),
        };
        (x.round() as i64).max(1)
    };
    while let Some(std::cmp::Reverse((now, _, ev))) = heap.pop() {
        if now >= end {
            break;
        }
        match ev {
            Ev::Arrive => {
                let id = trucks.len() as u32;
                trucks.push(Truck {
                    inspect: rng.f64() < INSPECTION_SHARE,
                });
                rows.push(Milestone {
                    truck: id,
                    time: now,
                    event: "arrive",
                    stage: None,
                    lane: None,
                });
                queues[0].push_back(id);
            }
            Ev::End(s, id, lane) => {
                busy[s][lane] = false;
                rows.push(Milestone {
                    truck: id,
                    time: now,
                    event: "end",
                    stage: Some(s),
                    lane: Some(lane),
                });
                let next = match s {
                    0 if trucks[id as usize].inspect => Some(1),
                    0 => Some(2),
                    1 if rng.f64() < REWORK => Some(0),
                    1 => Some(2),
                    _ => None,
                };
                match next {
                    Some(n) => queues[n].push_back(id),
                    None => rows.push(Milestone {
                        truck: id,
                        time: now,
                        event: "depart",
                        stage: None,
                        lane: None,
                    }),
                }
            }
            Ev::Tick => {}
        }
        // Start whatever can start.
        for s in 0..3 {
            loop {
                let on_duty = lanes(s, now);
                let in_use = busy[s].iter().filter(|&&b| b).count();
                if queues[s].is_empty() || in_use >= on_duty {
                    break;
                }
                let Some(lane) = (0..3).find(|&l| !busy[s][l]) else {
                    break;
                };
                let id = queues[s].pop_front().expect("test data");
                busy[s][lane] = true;
                rows.push(Milestone {
                    truck: id,
                    time: now,
                    event: "start",
                    stage: Some(s),
                    lane: Some(lane),
                });
                let d = service(&mut rng, s);
                push(&mut heap, now + d, Ev::End(s, id, lane));
            }
        }
    }
    rows
}

/// `YYYY-MM-DDTHH:MM:SS` of a time.
pub fn iso(t: i64) -> String {
    let d = chrono::DateTime::from_timestamp(t, 0)
        .expect("test data")
        .naive_utc();
    d.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The rows inside `[from, to]`, times floored to the minute if `minute`.
pub fn window(rows: &[Milestone], from: i64, to: i64, minute: bool) -> Vec<Milestone> {
    rows.iter()
        .filter(|r| r.time >= from && r.time <= to)
        .map(|r| Milestone {
            time: if minute {
                r.time - r.time.rem_euclid(60)
            } else {
                r.time
            },
            ..r.clone()
        })
        .collect()
}

/// Shuffles rows (a log may come in any order).
pub fn shuffle(rows: &mut [Milestone], seed: u64) {
    let mut rng = Rng::new(seed);
    for i in (1..rows.len()).rev() {
        let j = (rng.u64() % (i as u64 + 1)) as usize;
        rows.swap(i, j);
    }
}

/// The plain layout.
pub fn plain(rows: &[Milestone]) -> String {
    let mut out = String::from("truck,time,event,stage,lane\n");
    for r in rows {
        out.push_str(&format!(
            "T{},{},{},{},{}\n",
            r.truck,
            iso(r.time),
            r.event,
            r.stage.map_or("", |s| STAGES[s]),
            r.lane.map_or(String::new(), |l| format!(
                "{}-{l}",
                r.stage.map_or("", |s| STAGES[s])
            ))
        ));
    }
    out
}

/// A customs extract: `;`, day-first minute times, one code column, an
/// office column and operations that are not milestones.
pub fn mapped(rows: &[Milestone]) -> String {
    let mut out = String::from("OFFICE;VEHICLE_REG;OPERATION_TIME;OPERATION;DESK\n");
    for (i, r) in rows.iter().enumerate() {
        let code = match (r.event, r.stage) {
            ("arrive", _) => "GATE_IN",
            ("depart", _) => "GATE_OUT",
            ("start", Some(0)) => "DOC_BEGIN",
            ("end", Some(0)) => "DOC_DONE",
            ("start", Some(1)) => "INSP_BEGIN",
            ("end", Some(1)) => "INSP_DONE",
            ("start", _) => "EXIT_BEGIN",
            _ => "EXIT_DONE",
        };
        let time = chrono::DateTime::from_timestamp(r.time, 0)
            .expect("test data")
            .naive_utc();
        let lane = r.lane.map_or(String::new(), |l| {
            format!("{}-{l}", r.stage.map_or("", |s| STAGES[s]))
        });
        out.push_str(&format!(
            "KHORGOS;T{};{};{code};{lane}\n",
            r.truck,
            time.format("%d/%m/%Y %H:%M")
        ));
        if i % 50 == 0 {
            out.push_str(&format!(
                "KHORGOS;T{};{};PAYMENT;\n",
                r.truck,
                time.format("%d/%m/%Y %H:%M")
            ));
        }
    }
    out
}

pub const MAP: &str = r#"[csv]
delimiter = ";"
[columns]
truck = "VEHICLE_REG"
time = "OPERATION_TIME"
code = "OPERATION"
lane = "DESK"
[time]
format = "%d/%m/%Y %H:%M"
[codes]
GATE_IN = { event = "arrive" }
GATE_OUT = { event = "depart" }
DOC_BEGIN = { event = "start", stage = "documents" }
DOC_DONE = { event = "end", stage = "documents" }
INSP_BEGIN = { event = "start", stage = "inspection" }
INSP_DONE = { event = "end", stage = "inspection" }
EXIT_BEGIN = { event = "start", stage = "exit" }
EXIT_DONE = { event = "end", stage = "exit" }
"#;

/// Writes `text` to `name` in `dir`.
pub fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("test data");
    p
}

/// The window the tests log: from Monday 2025-03-03 00:00 (two days after
/// the port opened, so trucks are inside) to 2025-03-30 15:37 (cut in the
/// middle of the day's work).
pub const FROM: i64 = T0 + 2 * DAY;
pub const TO: i64 = T0 + 29 * DAY + 15 * HOUR + 37 * 60;

pub fn calibrate_text(dir: &Path, text: &str, map: Option<&str>) -> Calibration {
    let log = file(dir, "log.csv", text);
    let map = map.map(|m| file(dir, "map.toml", m));
    let layout = calibrate::layout(map.as_deref()).expect("test data");
    calibrate::estimate(&log, &layout, &Options::default()).expect("test data")
}

fn stage<'a>(cal: &'a Calibration, name: &str) -> &'a calibrate::StageCalibration {
    cal.stages
        .iter()
        .find(|s| s.name == name)
        .expect("test data")
}

/// Checks the estimates against the truth; `thinned` says rows were
/// lost, which takes a visit off a few trucks' paths.
pub fn check_recovered(cal: &Calibration, thinned: bool) {
    let names: Vec<&str> = cal.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["documents", "inspection", "exit"]);
    // Lanes, exactly.
    let docs = stage(cal, "documents");
    assert_eq!(
        (docs.lanes.max, docs.lanes.shifts.clone()),
        (3, None),
        "documents lanes"
    );
    assert_eq!(docs.lanes.seen, Some(3));
    let insp = stage(cal, "inspection");
    assert_eq!(
        (insp.lanes.max, insp.lanes.shifts.clone()),
        (3, None),
        "inspection lanes"
    );
    let exit = stage(cal, "exit");
    let rows: Vec<(String, u32)> = exit
        .lanes
        .shifts
        .as_ref()
        .expect("exit has shifts")
        .iter()
        .map(|r| (r.hours.clone(), r.count))
        .collect();
    assert_eq!(
        rows,
        [
            ("00:00-06:00".into(), 1),
            ("06:00-22:00".into(), 3),
            ("22:00-24:00".into(), 1)
        ],
        "exit shifts"
    );
    assert!(
        exit.lanes
            .shifts
            .as_ref()
            .expect("test data")
            .iter()
            .all(|r| r.days.is_none())
    );
    // Opening hours, exactly.
    assert_eq!(
        (docs.hours.open.clone(), docs.hours.days.clone()),
        (None, None)
    );
    assert_eq!(insp.hours.open, Some(vec!["08:00-18:00".to_owned()]));
    assert_eq!(
        insp.hours.days,
        Some(vec!["mon", "tue", "wed", "thu", "fri"])
    );
    assert_eq!(
        (exit.hours.open.clone(), exit.hours.days.clone()),
        (None, None)
    );
    // Shares: binomial standard errors, 4 of them.
    let n = cal.routed_trips as f64;
    assert!(n > 5000.0, "{n} routed trips");
    let se = (INSPECTION_SHARE * (1.0 - INSPECTION_SHARE) / n).sqrt();
    let share = insp.routing.share.mean;
    assert!(
        (share - INSPECTION_SHARE).abs() < 4.0 * se,
        "inspection share {share}, se {se}"
    );
    assert!(insp.routing.share.ci95[0] < share && share < insp.routing.share.ci95[1]);
    // A stage every truck visits: exactly 1, or, when rows were lost, less
    // by the few trucks that lost both rows of that visit (2 % of each).
    let all = if thinned { 0.002 } else { 0.0 };
    assert!(
        1.0 - docs.routing.share.mean <= all,
        "{}",
        docs.routing.share.mean
    );
    assert!(
        1.0 - exit.routing.share.mean <= all,
        "{}",
        exit.routing.share.mean
    );
    // Rework.
    let rw = insp.routing.rework.as_ref().expect("rework at inspection");
    assert_eq!(rw.to_name, "documents");
    let k = rw.probability.n as f64;
    let se = (REWORK * (1.0 - REWORK) / k).sqrt();
    assert!(
        (rw.probability.mean - REWORK).abs() < 4.0 * se,
        "rework {} se {se}",
        rw.probability.mean
    );
    assert!(docs.routing.rework.is_none() && exit.routing.rework.is_none());
    // Arrivals: Poisson standard error of the count.
    let a = &cal.arrivals;
    let days = a.window_days;
    let true_count = RATE_PER_DAY * days;
    let se = true_count.sqrt() / days;
    // The window is not whole weeks: the true mean per day over it.
    let mut expected = 0.0;
    let mut t = FROM;
    while t < TO {
        let step = (HOUR - t.rem_euclid(HOUR)).min(TO - t);
        expected += RATE_PER_DAY / DAY as f64 * profile(hour(t)) * DAYS[weekday(t)] * step as f64;
        t += step;
    }
    let per_day = expected / days;
    assert!(
        (a.per_day.mean - per_day).abs() < 4.0 * se,
        "per day {} vs {per_day}, se {se}",
        a.per_day.mean
    );
    assert!(a.per_day.ci95[0] < a.per_day.mean && a.per_day.mean < a.per_day.ci95[1]);
    assert!(
        (a.rate.mean - RATE_PER_DAY).abs() < 4.0 * se,
        "rate {}",
        a.rate.mean
    );
    for h in 0..24 {
        let p = &a.profile[h];
        let rel = 1.0 / (p.n as f64).sqrt();
        assert!(
            (p.mean - profile(h)).abs() < 4.0 * rel * profile(h) + 0.02,
            "profile {h}: {} vs {}",
            p.mean,
            profile(h)
        );
    }
    for d in 0..7 {
        let f = &a.days[d];
        let rel = 1.0 / (f.n as f64).sqrt();
        assert!(
            (f.mean - DAYS[d]).abs() < 4.0 * rel * DAYS[d] + 0.02,
            "day {d}: {} vs {}",
            f.mean,
            DAYS[d]
        );
    }
    assert!(!a.dispersion.over_dispersed, "{:?}", a.dispersion);
    // Services: the exponential stage's mean, censoring included.
    let fit = docs.service.chosen();
    let se = DOCS_MEAN_S / (docs.service.n as f64).sqrt();
    assert!(
        (fit.mean_s - DOCS_MEAN_S).abs() < 4.0 * se,
        "documents mean {}",
        fit.mean_s
    );
    // Trucks were inside at both edges, and the data say so.
    let c = &cal.data.counts;
    assert!(c.inside_at_start > 0 && c.inside_at_end > 0, "{c:?}");
    // Few services run at Monday 00:00; a lost row may hide them.
    assert!(thinned || c.running_at_start > 0, "{c:?}");
}

#[test]
fn calibration_recovers_a_known_port_from_its_plain_log() {
    let dir = tempfile::tempdir().expect("test data");
    let rows = generate(7, 31);
    let mut logged = window(&rows, FROM, TO, false);
    shuffle(&mut logged, 3);
    let cal = calibrate_text(dir.path(), &plain(&logged), None);
    check_recovered(&cal, false);
    assert_eq!(cal.window.resolution_s, 1);
    assert_eq!(cal.data.rows_read, logged.len() as u64);
    assert_eq!(cal.data.counts.duplicates, 0);
    assert_eq!(cal.data.counts.end_lost + cal.data.counts.start_lost, 0);
    // The calibrated file loads as it is and starts on the log's first date.
    assert!(
        cal.scenario_text.contains("start = \"2025-03-03\""),
        "{}",
        cal.scenario_text
    );
    let s = portsim::scenario::parse(&cal.scenario_text, Path::new("c.toml")).expect("test data");
    assert_eq!(s.stages.len(), 3);
}

#[test]
fn a_mapped_layout_gives_the_same_calibration_as_the_plain_one() {
    let dir = tempfile::tempdir().expect("test data");
    let rows = generate(11, 31);
    let mut logged = window(&rows, FROM, TO, true);
    shuffle(&mut logged, 5);
    let plain_cal = calibrate_text(dir.path(), &plain(&logged), None);
    let mapped_cal = calibrate_text(dir.path(), &mapped(&logged), Some(MAP));
    check_recovered(&plain_cal, false);
    assert_eq!(plain_cal.window.resolution_s, 60);
    let strip = |cal: &Calibration| {
        let mut v = portsim::report::calibrate::json(cal);
        let o = v.as_object_mut().expect("test data");
        for k in ["log", "map", "warnings"] {
            o.remove(k);
        }
        let data = o["data"].as_object_mut().expect("test data");
        data.remove("rows_read");
        data.remove("rows_ignored");
        v
    };
    assert_eq!(strip(&plain_cal), strip(&mapped_cal));
    assert_eq!(
        plain_cal
            .scenario_text
            .split_once("\nname")
            .expect("test data")
            .1,
        mapped_cal
            .scenario_text
            .split_once("\nname")
            .expect("test data")
            .1
    );
    // The PAYMENT rows are not milestones: counted and warned about once.
    let payments = logged.len().div_ceil(50) as u64;
    assert_eq!(mapped_cal.data.rows_ignored["unknown_code"], payments);
    let warned: Vec<&String> = mapped_cal
        .warnings
        .iter()
        .filter(|w| w.contains("PAYMENT"))
        .collect();
    assert_eq!(warned.len(), 1, "{:?}", mapped_cal.warnings);
}

#[test]
fn a_log_thinned_by_lost_rows_and_duplicates_still_gives_lanes_and_shares() {
    let dir = tempfile::tempdir().expect("test data");
    let rows = generate(13, 31);
    let logged = window(&rows, FROM, TO, true);
    let mut rng = Rng::new(99);
    let mut kept = Vec::new();
    let (mut lost_ends, mut duplicates) = (0u64, 0u64);
    for r in &logged {
        if rng.f64() < 0.02 {
            lost_ends += u64::from(r.event == "end");
            continue;
        }
        kept.push(r.clone());
        if rng.f64() < 0.01 {
            kept.push(r.clone());
            duplicates += 1;
        }
    }
    shuffle(&mut kept, 17);
    let cal = calibrate_text(dir.path(), &plain(&kept), None);
    let c = &cal.data.counts;
    assert_eq!(c.duplicates, duplicates);
    assert_eq!(cal.data.rows_read, kept.len() as u64);
    // Nearly every lost end is seen as one (the others were the last row of
    // a truck whose depart was lost too, or lost with their start).
    let seen = c.end_lost as f64 / lost_ends as f64;
    assert!(
        (0.9..=1.02).contains(&seen),
        "{} of {lost_ends}",
        c.end_lost
    );
    assert!(
        c.start_lost > 0 && c.arrive_lost > 0 && c.depart_lost > 0,
        "{c:?}"
    );
    check_recovered(&cal, true);
}
