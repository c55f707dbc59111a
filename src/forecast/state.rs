//! The state of the port at a time, from the log's rows before it.
//!
//! # The state rule
//!
//! Only rows strictly before the time `T` are read. A truck with a leaving
//! row (`depart`, `turned_away`, `diverted`, `reneged`) before `T` has
//! left. Any other truck with rows before `T` is in the port, placed by
//! its last row:
//!
//! * `arrive`: **waiting** for its first stage (the log has no gate
//!   event: the model puts it where its rules say, on the road without
//!   `parking`), since the arrival;
//! * `start` at a stage: **in service** there, since the start;
//! * `end` at a stage: waiting for its next stage, since the end. The log
//!   does not say which stage that is, but how long the truck has waited
//!   does: it is **queued** at the stage that most of the trucks of the
//!   log (before the time) that waited at least as long after that stage
//!   went to next. When none waited that long, it is **waiting for its
//!   next stage**, drawn by the scenario's routing after the stages it has
//!   done (its class from the log's `class` column when the scenario has a
//!   class of that name, else drawn), and counts by stage put it in the
//!   queue of the first later stage visited at least half the time. When
//!   no later stage of its route could be visited (a share above zero, not
//!   yet visited), the truck has **finished** and is taken as leaving (its
//!   `depart` row was lost or comes later).
//!
//! Its age counts from its `arrive` row, or from its first row when that
//! was lost (then a lower bound). Rows of a stage the scenario does not
//! have are ignored and counted; exact duplicates (same truck, time,
//! event, stage and lane) are read once.
//!
//! # The "taken as gone" rule
//!
//! A real log loses rows: a truck whose rows stop without a leaving row
//! must not stay in the port for ever. A truck is **taken as gone** when
//! it has been in its present state (waiting; queued at a stage; in
//! service at a stage) for more than twice the 99th percentile of how
//! long that state lasted for the trucks that left it before `T` (the
//! *plausible time*, at least an hour; 24 hours when the log before `T`
//! has no such case; "waiting after a stage" is its own state, one per
//! stage just ended). Such trucks are counted by state in
//! [`Observed::gone`], never placed.

use std::ops::Range;

use crate::calibrate::log::{Event, Log, NONE, Row};
use crate::engine::time::SECOND;
use crate::scenario::{Initial, InitialTruck, Scenario, TruckState};

/// The shortest plausible time of a state, in seconds.
pub const PLAUSIBLE_AT_LEAST_S: i64 = 3_600;
/// The plausible time of a state the log has never seen end, in seconds.
pub const PLAUSIBLE_UNSEEN_S: i64 = 86_400;

/// The log's rows, read for one scenario: stages and classes mapped to the
/// scenario's, sorted by truck, time and the order events must happen in,
/// duplicates dropped.
#[derive(Clone, Debug)]
pub struct Tracks {
    /// The rows kept; `stage` is the scenario's stage index (or `NONE`).
    pub rows: Vec<Row>,
    /// Each truck's rows.
    pub trucks: Vec<Range<usize>>,
    /// Each truck's class in the scenario, when the log names one it has.
    pub classes: Vec<Option<usize>>,
    /// Rows at a stage the scenario does not have.
    pub unknown_stage: u64,
    /// Exact duplicates dropped.
    pub duplicates: u64,
    /// Rows the log read (every data row, codes the map does not list
    /// included) and those it ignored for their code.
    pub rows_read: u64,
    /// Rows whose code the map does not list.
    pub unknown_code: u64,
    /// The first and last row's times.
    pub first: i64,
    /// The last row's time.
    pub last: i64,
}

/// Reads `log` for `scenario`.
pub fn tracks(log: &Log, scenario: &Scenario) -> Tracks {
    let stage_of: Vec<u32> = log
        .stages
        .iter()
        .map(|name| {
            scenario
                .stages
                .iter()
                .position(|s| s.name == name)
                .map_or(NONE, |s| s as u32)
        })
        .collect();
    let class_of: Vec<Option<usize>> = log
        .classes
        .iter()
        .map(|name| scenario.classes.iter().position(|c| c.name == name))
        .collect();
    let mut unknown_stage = 0;
    let mut rows: Vec<Row> = Vec::with_capacity(log.rows.len());
    for r in &log.rows {
        let mut r = *r;
        if r.event.at_stage() || r.stage != NONE {
            let mapped = stage_of.get(r.stage as usize).copied().unwrap_or(NONE);
            if r.event.at_stage() && mapped == NONE {
                unknown_stage += 1;
                continue;
            }
            r.stage = mapped;
        }
        rows.push(r);
    }
    rows.sort_unstable_by_key(Row::key);
    let before = rows.len();
    rows.dedup_by_key(|r| r.key());
    let duplicates = (before - rows.len()) as u64;
    let mut trucks = Vec::new();
    let mut classes = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let truck = rows[i].truck;
        let j = i + rows[i..].partition_point(|r| r.truck == truck);
        let class = rows[i..j]
            .iter()
            .find(|r| r.class != u16::MAX)
            .and_then(|r| class_of.get(usize::from(r.class)).copied().flatten());
        trucks.push(i..j);
        classes.push(class);
        i = j;
    }
    Tracks {
        first: log.start(),
        last: log.end(),
        rows,
        trucks,
        classes,
        unknown_stage,
        duplicates,
        rows_read: log.rows_read,
        unknown_code: log.unknown_code_rows,
    }
}

/// How long each state plausibly lasts, in seconds (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Plausible {
    /// Waiting for the first stage.
    pub waiting: i64,
    /// Waiting for the next stage after each stage.
    pub after: Vec<i64>,
    /// After each stage: how long trucks waited before their next start,
    /// in increasing order, and from each position on, how many of them
    /// went to each stage (where a truck that has waited that long goes).
    pub next: Vec<NextStages>,
    /// Queued at each stage.
    pub queued: Vec<i64>,
    /// In service at each stage.
    pub in_service: Vec<i64>,
}

impl Plausible {
    fn of(&self, state: TruckState, after: Option<usize>) -> i64 {
        match state {
            TruckState::Waiting => after.map_or(self.waiting, |s| self.after[s]),
            TruckState::Queued(s) => self.queued[s],
            TruckState::InService(s) => self.in_service[s],
        }
    }

    /// The longest of them.
    pub fn longest(&self) -> i64 {
        self.queued
            .iter()
            .chain(&self.in_service)
            .chain(&self.after)
            .fold(self.waiting, |a, &b| a.max(b))
    }
}

/// Where the trucks that left a stage went next, by how long they waited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NextStages {
    /// The waits, increasing.
    pub waited: Vec<i64>,
    /// `went[i][x]`: of the waits from position `i` on, those that went
    /// to stage `x`.
    pub went: Vec<Vec<u32>>,
}

impl NextStages {
    fn new(mut pairs: Vec<(i64, usize)>, stages: usize) -> NextStages {
        pairs.sort_unstable();
        let mut went = vec![vec![0u32; stages]; pairs.len() + 1];
        for i in (0..pairs.len()).rev() {
            went[i] = went[i + 1].clone();
            went[i][pairs[i].1] += 1;
        }
        NextStages {
            waited: pairs.iter().map(|p| p.0).collect(),
            went,
        }
    }

    /// The stage most trucks that waited at least `w` went to (the lowest
    /// on a tie); `None` when none waited that long.
    pub fn likely(&self, w: i64) -> Option<usize> {
        let i = self.waited.partition_point(|&x| x < w);
        let counts = self.went.get(i)?;
        let best = counts.iter().copied().max().filter(|&n| n > 0)?;
        counts.iter().position(|&n| n == best)
    }
}

/// The plausible time of each state from the states that ended before
/// `before`.
pub fn plausible(tracks: &Tracks, stages: usize, before: i64) -> Plausible {
    let mut waiting = Vec::new();
    let mut after = vec![Vec::new(); stages];
    let mut next: Vec<Vec<(i64, usize)>> = vec![Vec::new(); stages];
    let mut queued = vec![Vec::new(); stages];
    let mut in_service = vec![Vec::new(); stages];
    for range in &tracks.trucks {
        let rows = &tracks.rows[range.clone()];
        for pair in rows.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if b.time >= before {
                break;
            }
            let lasted = b.time - a.time;
            match (a.event, b.event) {
                (Event::Arrive, _) => waiting.push(lasted),
                (Event::Start, _) if (a.stage as usize) < stages => {
                    in_service[a.stage as usize].push(lasted);
                }
                (Event::End, _) if (a.stage as usize) < stages => {
                    after[a.stage as usize].push(lasted);
                    if b.event == Event::Start && (b.stage as usize) < stages {
                        queued[b.stage as usize].push(lasted);
                        next[a.stage as usize].push((lasted, b.stage as usize));
                    }
                }
                _ => {}
            }
        }
    }
    let bound = |mut v: Vec<i64>| {
        if v.is_empty() {
            return PLAUSIBLE_UNSEEN_S;
        }
        v.sort_unstable();
        let rank = ((0.99 * v.len() as f64).ceil() as usize).clamp(1, v.len());
        (2 * v[rank - 1]).max(PLAUSIBLE_AT_LEAST_S)
    };
    Plausible {
        waiting: bound(waiting),
        after: after.into_iter().map(bound).collect(),
        next: next
            .into_iter()
            .map(|p| NextStages::new(p, stages))
            .collect(),
        queued: queued.into_iter().map(bound).collect(),
        in_service: in_service.into_iter().map(bound).collect(),
    }
}

/// A truck in the port at a time, in seconds of the log's clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Here {
    /// Where it is.
    pub state: TruckState,
    /// When it reached the port (its first row when its `arrive` was lost).
    pub arrived: i64,
    /// When it entered its present state.
    pub since: i64,
    /// Whether its `arrive` row was seen.
    pub arrive_seen: bool,
    /// The stages it has visited (a bit per stage), its present one not
    /// included.
    pub done: u64,
    /// The stage it waits for, if waiting or queued (for a truck waiting
    /// after a stage, its likely next stage).
    pub waits_for: Option<usize>,
}

/// Whether a truck of `class` that has just ended `after` (having done
/// `done`) could still visit a stage of its route: one after `after`, not
/// done, with a share above zero.
pub fn continues(scenario: &Scenario, class: Option<usize>, after: usize, done: u64) -> bool {
    let all: Vec<usize>;
    let route: &[usize] = match class.and_then(|c| scenario.classes[c].route.as_deref()) {
        Some(r) => r,
        None => {
            all = (0..scenario.stages.len()).collect();
            &all
        }
    };
    let from = route.iter().position(|&s| s == after).map_or(0, |p| p + 1);
    route[from.min(route.len())..].iter().any(|&s| {
        let share = match class {
            Some(c) => scenario.stages[s].share[c],
            None => scenario.stages[s].share.iter().copied().fold(0.0, f64::max),
        };
        share > 0.0 && done >> s & 1 == 0
    })
}

/// What a truck is at a time.
#[derive(Clone, Debug, PartialEq)]
pub enum Seen {
    /// No row yet.
    NotYet,
    /// A leaving row.
    Left,
    /// Ended its last stage without a leaving row: taken as leaving.
    Finished,
    /// Unseen for longer than its state's plausible time.
    Gone(TruckState),
    /// In the port.
    Here(Here),
}

/// The next stage of a truck of `class` after `after` (or its first stage
/// when `None`), not one of `done` (see the module docs).
pub fn next_stage(
    scenario: &Scenario,
    class: Option<usize>,
    after: Option<usize>,
    done: u64,
) -> Option<usize> {
    let all: Vec<usize>;
    let route: &[usize] = match class.and_then(|c| scenario.classes[c].route.as_deref()) {
        Some(r) => r,
        None => {
            all = (0..scenario.stages.len()).collect();
            &all
        }
    };
    let from = after
        .and_then(|a| route.iter().position(|&s| s == a))
        .map_or(0, |p| p + 1);
    route[from.min(route.len())..].iter().copied().find(|&s| {
        let share = match class {
            Some(c) => scenario.stages[s].share[c],
            None => scenario.stages[s].share.iter().copied().fold(0.0, f64::max),
        };
        share >= 0.5 && done >> s & 1 == 0
    })
}

/// Truck `i` of `tracks` at time `t`, from its rows before `t`.
pub fn seen(tracks: &Tracks, i: usize, t: i64, scenario: &Scenario, plausible: &Plausible) -> Seen {
    let rows = &tracks.rows[tracks.trucks[i].clone()];
    let k = rows.partition_point(|r| r.time < t);
    if k == 0 {
        return Seen::NotYet;
    }
    let before = &rows[..k];
    if before.iter().any(|r| r.event.leaves()) {
        return Seen::Left;
    }
    let class = tracks.classes[i];
    let arrive = before.iter().find(|r| r.event == Event::Arrive);
    let arrived = arrive.map_or(before[0].time, |r| r.time);
    let last = before[k - 1];
    let mut done = 0u64;
    for r in &before[..k - 1] {
        if r.event.at_stage() && (r.stage as usize) < 64 {
            done |= 1 << r.stage;
        }
    }
    let stage = last.stage as usize;
    let (state, waits_for) = match last.event {
        Event::Arrive => (TruckState::Waiting, next_stage(scenario, class, None, done)),
        Event::Start => (TruckState::InService(stage), None),
        Event::End => {
            done |= 1 << stage;
            if !continues(scenario, class, stage, done) {
                return Seen::Finished;
            }
            match plausible.next[stage].likely(t - last.time) {
                Some(x) => (TruckState::Queued(x), Some(x)),
                None => (
                    TruckState::Waiting,
                    next_stage(scenario, class, Some(stage), done),
                ),
            }
        }
        _ => return Seen::Left,
    };
    let after = (last.event == Event::End).then_some(stage);
    let limit = match after {
        Some(s) => plausible.after[s],
        None => plausible.of(state, None),
    };
    if t - last.time > limit {
        return Seen::Gone(state);
    }
    Seen::Here(Here {
        state,
        arrived,
        since: last.time,
        arrive_seen: arrive.is_some(),
        done,
        waits_for,
    })
}

/// Trucks taken as gone, by the state they were last seen in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gone {
    /// Waiting for their first stage.
    pub waiting: u64,
    /// Queued at a stage.
    pub queued: u64,
    /// In service at a stage.
    pub in_service: u64,
}

impl Gone {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.waiting + self.queued + self.in_service
    }
}

/// One stage at the state's time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageNow {
    /// The stage's name.
    pub name: String,
    /// Trucks waiting for it (queued there, or waiting for it as their
    /// first stage).
    pub queued: u64,
    /// Trucks in service there.
    pub in_service: u64,
}

/// What the log's rows were used for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Data {
    /// Data rows read.
    pub rows_read: u64,
    /// Rows before `--at` that the state was made from.
    pub rows_used: u64,
    /// Rows not used, by reason: `at_or_after` (at or after `--at`),
    /// `duplicate`, `unknown_stage`, `unknown_code` (a code the map does
    /// not list).
    pub rows_ignored: Vec<(&'static str, u64)>,
}

/// The port at a time, as the log shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    /// The time, seconds on the log's clock.
    pub at: i64,
    /// The trucks in the port, as a per-truck starting state (durations
    /// in ticks, relative to `at`).
    pub trucks: Vec<InitialTruck>,
    /// Trucks in the port, road included.
    pub in_port: u64,
    /// Of them, waiting for their first stage (on the road when the port
    /// has no `parking`; beyond its places when it has).
    pub road: u64,
    /// Each stage.
    pub stages: Vec<StageNow>,
    /// Trucks taken as gone.
    pub gone: Gone,
    /// Trucks that ended their last stage without a leaving row, taken as
    /// leaving.
    pub finished: u64,
    /// Trucks in the port whose `arrive` row was lost (their age is a
    /// lower bound).
    pub arrive_lost: u64,
    /// The rows.
    pub data: Data,
}

impl Observed {
    /// The state as the model's `[initial]`.
    pub fn initial(&self) -> Initial {
        Initial {
            road: 0,
            parking: 0,
            waited: 0,
            stages: Vec::new(),
            trucks: self.trucks.clone(),
        }
    }
}

/// The port at `at` from the rows before it.
pub fn observe(tracks: &Tracks, scenario: &Scenario, plausible: &Plausible, at: i64) -> Observed {
    let n = scenario.stages.len();
    let mut stages: Vec<StageNow> = scenario
        .stages
        .iter()
        .map(|s| StageNow {
            name: s.name.clone(),
            queued: 0,
            in_service: 0,
        })
        .collect();
    let (mut trucks, mut gone) = (Vec::new(), Gone::default());
    let (mut finished, mut arrive_lost, mut waiting) = (0, 0, 0u64);
    let ticks = |s: i64| s.max(0) as u64 * SECOND;
    for i in 0..tracks.trucks.len() {
        match seen(tracks, i, at, scenario, plausible) {
            Seen::Here(h) => {
                match h.state {
                    TruckState::InService(s) => stages[s].in_service += 1,
                    TruckState::Queued(s) => stages[s].queued += 1,
                    TruckState::Waiting => waiting += u64::from(h.done == 0),
                }
                if let (TruckState::Waiting, Some(s)) = (h.state, h.waits_for) {
                    stages[s].queued += 1;
                }
                arrive_lost += u64::from(!h.arrive_seen);
                trucks.push(InitialTruck {
                    state: h.state,
                    class: tracks.classes[i],
                    arrived: ticks(at - h.arrived),
                    since: ticks(at - h.since),
                    done: (0..n).filter(|&s| h.done >> s & 1 == 1).collect(),
                });
            }
            Seen::Gone(TruckState::Waiting) => gone.waiting += 1,
            Seen::Gone(TruckState::Queued(_)) => gone.queued += 1,
            Seen::Gone(TruckState::InService(_)) => gone.in_service += 1,
            Seen::Finished => finished += 1,
            Seen::Left | Seen::NotYet => {}
        }
    }
    let in_port = trucks.len() as u64;
    let road = match scenario.port.parking {
        None => waiting,
        Some(p) => in_port.saturating_sub(u64::from(p)).min(waiting),
    };
    let used = tracks.rows.iter().filter(|r| r.time < at).count() as u64;
    let after = tracks.rows.len() as u64 - used;
    Observed {
        at,
        trucks,
        in_port,
        road,
        stages,
        gone,
        finished,
        arrive_lost,
        data: Data {
            rows_read: tracks.rows_read,
            rows_used: used,
            rows_ignored: vec![
                ("at_or_after", after),
                ("duplicate", tracks.duplicates),
                ("unknown_stage", tracks.unknown_stage),
                ("unknown_code", tracks.unknown_code),
            ],
        },
    }
}
