//! Each truck's path from its milestones: arrival, visits (start, end,
//! lane), departure or how it left, and what the log lost on the way.
//!
//! Rows arrive sorted by truck and time ([`Row::key`]). A truck's rows at
//! the same time (several milestones in one minute of a minute-rounded
//! log) are put in the order they must have happened: arriving, ending the
//! service open before (and any whose start is unknown), any service both
//! started and ended in that minute, starting the service still open
//! after it, and leaving last; so
//! an end and a start in the same minute read as one after the other. One truck identifier may make several *trips* (a plate that
//! comes back): an `arrive` after the truck left, or after it was seen
//! past its arrival, starts a new trip, and so does any row after a
//! leaving row.
//!
//! What a messy log does, row by row (see `docs/event-log.md`):
//! * an exact duplicate (same truck, time, event and stage), a second
//!   `arrive` before anything else happened, or a second leaving row is
//!   dropped and counted;
//! * a `start` whose service is still open when the truck starts another
//!   one or leaves: that service's `end` was lost. It is kept as a visit
//!   (the truck did go there) but left out of durations and of the lane
//!   peak, and counted;
//! * an `end` without its `start` (a `start` at the same stage in the same
//!   minute makes a service of zero length): the start was
//!   lost, or, when it is the first row of a truck inside at the start,
//!   the service was running when the log opened;
//! * a service still open at the last row of a trip that never left is
//!   running when the log closes: right-censored, and counted in the peak;
//!   unless it started longer before the close than the longest service
//!   of its stage seen to finish (of at least 20), when its `end` was lost (likewise an
//!   `end` that would close a service running at the open, longer after
//!   the open than that, had its `start` lost).
//!
//! With a `lane` column the lanes settle what the rows alone cannot: a
//! service that looks still running at the close on a lane a later
//! service used had ended (its `end` was lost), and an `end` that could
//! close a service running at the open, on a lane that served someone
//! else before it, had its `start` lost.
//!
//! A trip without `arrive` was inside when the log opened if its first
//! row comes no later after the log's start than the longest time any
//! truck took to reach a row of that kind (the same event at the same
//! stage) from its row before; otherwise its arrive row was lost. A trip
//! without a leaving row is inside when the log closes if it is in service
//! at its last row, or if that row comes no longer before the close than
//! the longest time any truck took from a row of that kind to its next
//! one; otherwise its departure was lost. The times are per kind of row
//! because they differ by far: a truck may wait a weekend for a stage that
//! is closed on Sundays, but leaves within minutes of its last service.
//! (Without any such time seen, the 99th percentile of all gaps between
//! consecutive rows of one trip stands in.) A trip is *complete* when it
//! arrived and left
//! inside the window (its rows, lost ones aside, cover its whole path).

use std::collections::HashMap;

use super::log::{Event, Log, NONE, Row};

/// How a visit's two ends were seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VisitKind {
    /// Start and end both seen.
    Done,
    /// The start was seen; the end row was lost (the truck went on).
    EndLost,
    /// Still in service when the log closed (right-censored).
    RunningAtEnd,
    /// The end was seen; the start row was lost.
    StartLost,
    /// In service when the log opened; the end was seen.
    RunningAtStart,
}

/// One visit of a truck to a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visit {
    /// Stage id.
    pub stage: u32,
    /// Lane id, or [`NONE`].
    pub lane: u32,
    /// Start, seconds (the log's start for [`VisitKind::RunningAtStart`],
    /// the end for [`VisitKind::StartLost`]).
    pub start: i64,
    /// End, seconds (the log's end for [`VisitKind::RunningAtEnd`], the
    /// start for [`VisitKind::EndLost`]).
    pub end: i64,
    /// When the truck became ready for this stage (its previous service's
    /// end, or its arrival), `None` when that is not known.
    pub ready: Option<i64>,
    /// How it was seen.
    pub kind: VisitKind,
}

impl Visit {
    /// Whether its start was seen in the log.
    pub fn started(&self) -> bool {
        matches!(
            self.kind,
            VisitKind::Done | VisitKind::EndLost | VisitKind::RunningAtEnd
        )
    }
}

/// One trip of a truck through the port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trip {
    /// Truck id.
    pub truck: u32,
    /// Class id, or `u16::MAX`.
    pub class: u16,
    /// When it arrived, if the row was seen.
    pub arrive: Option<i64>,
    /// When and how it left, if seen.
    pub leave: Option<(i64, Event)>,
    /// Its first row's time.
    pub first: i64,
    /// Its last row's time.
    pub last: i64,
    /// Its first row's kind (event, stage).
    pub first_kind: (Event, u32),
    /// Its last row's kind (event, stage).
    pub last_kind: (Event, u32),
    /// Its visits in [`Paths::visits`], in time order.
    pub visits: std::ops::Range<usize>,
    /// Inside when the log opened.
    pub inside_at_start: bool,
    /// Inside when the log closed.
    pub inside_at_end: bool,
}

impl Trip {
    /// Arrived and left inside the window.
    pub fn complete(&self) -> bool {
        !self.inside_at_start && !self.inside_at_end
    }

    /// Left by `depart` (or its departure row was lost), not turned away,
    /// diverted or reneged.
    pub fn cleared(&self) -> bool {
        !self.inside_at_end && self.leave.is_none_or(|(_, e)| e == Event::Depart)
    }
}

/// What the reconstruction dropped, lost and found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows used.
    pub rows_used: u64,
    /// Rows dropped as duplicates.
    pub duplicates: u64,
    /// Services whose end row was lost.
    pub end_lost: u64,
    /// Services whose start row was lost.
    pub start_lost: u64,
    /// Services running when the log opened.
    pub running_at_start: u64,
    /// Services running when the log closed.
    pub running_at_end: u64,
    /// Trips whose arrive row was lost.
    pub arrive_lost: u64,
    /// Trips whose leaving row was lost.
    pub depart_lost: u64,
    /// Trips inside when the log opened.
    pub inside_at_start: u64,
    /// Trips inside when the log closed.
    pub inside_at_end: u64,
    /// Trips that arrived and left in the window.
    pub complete: u64,
    /// Trips in all.
    pub trips: u64,
    /// Trips that left by `depart`, `turned_away`, `diverted`, `reneged`.
    pub left: [u64; 4],
}

/// Every trip of a log.
#[derive(Clone, Debug)]
pub struct Paths {
    /// Trips, by truck then time.
    pub trips: Vec<Trip>,
    /// Visits of all trips.
    pub visits: Vec<Visit>,
    /// The counts.
    pub counts: Counts,
    /// The log's first row.
    pub start: i64,
    /// The log's last row (when it closes).
    pub end: i64,
    /// The gap rule's threshold, seconds.
    pub gap_s: i64,
}

impl Paths {
    /// A trip's visits.
    pub fn visits_of(&self, trip: &Trip) -> &[Visit] {
        &self.visits[trip.visits.clone()]
    }
}

/// A trip being built.
struct Building {
    trip: Trip,
    open: Option<Visit>,
    /// When the truck became ready for its next stage.
    ready: Option<i64>,
    /// Rows other than `arrive` seen.
    rows: u32,
    /// Rows of this trip seen so far.
    seen: u32,
}

/// Reconstructs every trip of `log`.
pub fn paths(log: &Log) -> Paths {
    let (start, end) = (log.start(), log.end());
    let mut w = Walk {
        gap_after: HashMap::new(),
        gap_before: HashMap::new(),
        trips: Vec::new(),
        visits: Vec::new(),
        counts: Counts::default(),
        gaps: Vec::new(),
        candidates: Vec::new(),
        end,
    };
    let rows = &log.rows;
    let mut i = 0;
    while i < rows.len() {
        let truck = rows[i].truck;
        let mut j = i;
        while j < rows.len() && rows[j].truck == truck {
            j += 1;
        }
        w.truck(&rows[i..j]);
        i = j;
    }
    let gap_s = percentile99(&mut w.gaps);
    let mut counts = w.counts;
    let mut visits = w.visits;
    if log.has_lane {
        lane_evidence(&mut visits, &mut w.candidates, &mut counts);
    }
    too_long(&mut visits, &mut w.candidates, &mut counts, start);
    // Which visit belongs to which trip, for the candidates.
    let before = |kind: &(Event, u32)| w.gap_before.get(kind).copied().unwrap_or(gap_s);
    let after = |kind: &(Event, u32)| w.gap_after.get(kind).copied().unwrap_or(gap_s);
    let inside_at_start = |t: &Trip| t.arrive.is_none() && t.first - start <= before(&t.first_kind);
    for &(trip, visit) in &w.candidates {
        let inside = inside_at_start(&w.trips[trip]);
        let v = &mut visits[visit];
        if inside {
            v.kind = VisitKind::RunningAtStart;
            v.start = start;
            counts.running_at_start += 1;
        } else {
            counts.start_lost += 1;
        }
    }
    let mut trips = std::mem::take(&mut w.trips);
    for t in &mut trips {
        let running = visits[t.visits.clone()]
            .last()
            .is_some_and(|v| v.kind == VisitKind::RunningAtEnd);
        t.inside_at_start = inside_at_start(t);
        t.inside_at_end = t.leave.is_none() && (running || end - t.last <= after(&t.last_kind));
        counts.inside_at_start += u64::from(t.inside_at_start);
        counts.inside_at_end += u64::from(t.inside_at_end);
        counts.arrive_lost += u64::from(t.arrive.is_none() && !t.inside_at_start);
        counts.depart_lost += u64::from(t.leave.is_none() && !t.inside_at_end);
        counts.complete += u64::from(t.complete());
        if let Some((_, e)) = t.leave {
            let k = match e {
                Event::TurnedAway => 1,
                Event::Diverted => 2,
                Event::Reneged => 3,
                _ => 0,
            };
            counts.left[k] += 1;
        }
    }
    counts.trips = trips.len() as u64;
    counts.rows_used = rows.len() as u64 - counts.duplicates;
    Paths {
        trips,
        visits,
        counts,
        start,
        end,
        gap_s,
    }
}

/// With a lane column, a lane tells a lost row from a log edge: a service
/// "still running" at the close on a lane that a later service used had
/// ended (its `end` row was lost), and an `end` that might close a service
/// running when the log opened did not, if its lane served someone else
/// before that end (its `start` row was lost).
fn lane_evidence(visits: &mut [Visit], candidates: &mut Vec<(usize, usize)>, counts: &mut Counts) {
    use std::collections::HashMap;
    let mut last_start: HashMap<(u32, u32), i64> = HashMap::new();
    let mut first_start: HashMap<(u32, u32), i64> = HashMap::new();
    for v in visits.iter().filter(|v| v.started() && v.lane != NONE) {
        let key = (v.stage, v.lane);
        let last = last_start.entry(key).or_insert(v.start);
        *last = (*last).max(v.start);
        let first = first_start.entry(key).or_insert(v.start);
        *first = (*first).min(v.start);
    }
    for v in visits.iter_mut() {
        if v.kind == VisitKind::RunningAtEnd
            && v.lane != NONE
            && last_start
                .get(&(v.stage, v.lane))
                .is_some_and(|&t| t > v.start)
        {
            v.kind = VisitKind::EndLost;
            v.end = v.start;
            counts.running_at_end -= 1;
            counts.end_lost += 1;
        }
    }
    candidates.retain(|&(_, i)| {
        let v = &visits[i];
        let used_before = v.lane != NONE
            && first_start
                .get(&(v.stage, v.lane))
                .is_some_and(|&t| t < v.end);
        if used_before {
            counts.start_lost += 1;
        }
        !used_before
    });
}

/// Finished services a stage needs before "longer than any of them" says
/// a row was lost.
const TOO_LONG_AFTER: usize = 20;

/// A service seen open at one edge of the log for longer than any service
/// of its stage took to finish was not cut by that edge: a lost row left
/// it open. One still "running" at the close that started longer before
/// it than the longest finished service had its `end` lost (the truck went
/// on to wait somewhere the log no longer shows, say for a stage closed
/// over the weekend, or its later rows were lost too); an `end` that could
/// close a service running when the log opened, coming later after the
/// open than the longest finished service, had its `start` lost. Without
/// this a lost `end` counts as a lane busy to the log's end.
fn too_long(
    visits: &mut [Visit],
    candidates: &mut Vec<(usize, usize)>,
    counts: &mut Counts,
    start: i64,
) {
    let mut longest: HashMap<u32, i64> = HashMap::new();
    for v in visits.iter().filter(|v| v.kind == VisitKind::Done) {
        let l = longest.entry(v.stage).or_insert(0);
        *l = (*l).max(v.end - v.start);
    }
    // Of n finished services, an in-progress one outlasts them all with a
    // chance of about 1/(n + 1) (its age is no longer than a service);
    // below 20 finished services that is no evidence.
    let mut finished: HashMap<u32, usize> = HashMap::new();
    for v in visits.iter().filter(|v| v.kind == VisitKind::Done) {
        *finished.entry(v.stage).or_insert(0) += 1;
    }
    let over = |stage: u32, d: i64| {
        finished.get(&stage).is_some_and(|&n| n >= TOO_LONG_AFTER)
            && longest.get(&stage).is_some_and(|&l| d > l)
    };
    for v in visits.iter_mut() {
        if v.kind == VisitKind::RunningAtEnd && over(v.stage, v.end - v.start) {
            v.kind = VisitKind::EndLost;
            v.end = v.start;
            counts.running_at_end -= 1;
            counts.end_lost += 1;
        }
    }
    candidates.retain(|&(_, i)| {
        let v = &visits[i];
        let lost = over(v.stage, v.end - start);
        counts.start_lost += u64::from(lost);
        !lost
    });
}

/// The 99th percentile (nearest rank) of `values`, 0 when empty.
fn percentile99(values: &mut [i64]) -> i64 {
    if values.is_empty() {
        return 0;
    }
    let rank = ((values.len() as f64) * 0.99).ceil() as usize;
    let k = rank.clamp(1, values.len()) - 1;
    *values.select_nth_unstable(k).1
}

struct Walk {
    /// The longest time from a row of each kind to the trip's next row.
    gap_after: HashMap<(Event, u32), i64>,
    /// The longest time to a row of each kind from the trip's row before.
    gap_before: HashMap<(Event, u32), i64>,
    trips: Vec<Trip>,
    visits: Vec<Visit>,
    counts: Counts,
    gaps: Vec<i64>,
    /// (trip, visit) pairs whose `end` may close a service running when
    /// the log opened.
    candidates: Vec<(usize, usize)>,
    end: i64,
}

impl Walk {
    fn truck(&mut self, rows: &[Row]) {
        let mut cur: Option<Building> = None;
        let mut i = 0;
        while i < rows.len() {
            let mut j = i;
            while j < rows.len() && rows[j].time == rows[i].time {
                j += 1;
            }
            let open = cur.as_ref().and_then(|b| b.open.map(|v| v.stage));
            for row in self.order_group(&rows[i..j], open) {
                self.row(&mut cur, &row);
            }
            i = j;
        }
        self.finish(cur);
    }

    /// One truck's rows at one time, duplicates dropped, in the order they
    /// must have happened: arriving; ending the service open before; ends
    /// whose start is unknown; any service both started and ended in this
    /// time (start, then end); the service started and still open;
    /// leaving.
    fn order_group(&mut self, group: &[Row], open: Option<u32>) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::with_capacity(group.len());
        for r in group {
            if rows
                .iter()
                .any(|p| p.event == r.event && p.stage == r.stage)
            {
                self.counts.duplicates += 1;
            } else {
                rows.push(*r);
            }
        }
        if rows.len() < 2 {
            return rows;
        }
        let mut out = Vec::with_capacity(rows.len());
        let mut take = |rows: &mut Vec<Row>, f: &dyn Fn(&Row) -> bool| {
            if let Some(k) = rows.iter().position(f) {
                out.push(rows.remove(k));
                true
            } else {
                false
            }
        };
        while take(&mut rows, &|r| r.event == Event::Arrive) {}
        if let Some(o) = open {
            take(&mut rows, &|r| r.event == Event::End && r.stage == o);
        }
        // Services started and ended within this time.
        let pairs: Vec<u32> = rows
            .iter()
            .filter(|r| r.event == Event::Start)
            .filter(|s| {
                rows.iter()
                    .any(|e| e.event == Event::End && e.stage == s.stage)
            })
            .map(|s| s.stage)
            .collect();
        // Ends of services whose start is unknown happened before.
        let paired = |r: &Row| pairs.contains(&r.stage);
        while take(&mut rows, &|r| r.event == Event::End && !paired(r)) {}
        for &stage in &pairs {
            take(&mut rows, &|r| r.event == Event::Start && r.stage == stage);
            take(&mut rows, &|r| r.event == Event::End && r.stage == stage);
        }
        while take(&mut rows, &|r| r.event == Event::Start) {}
        out.append(&mut rows);
        out
    }

    fn row(&mut self, cur: &mut Option<Building>, row: &Row) {
        if let Some(b) = cur.as_ref() {
            let starts_new = match row.event {
                Event::Arrive => b.trip.leave.is_some() || b.rows > 0,
                _ => b.trip.leave.is_some(),
            };
            if starts_new {
                let done = cur.take();
                self.finish(done);
            }
        }
        let b = cur.get_or_insert_with(|| self.begin(row));
        if b.seen > 0 {
            let gap = row.time - b.trip.last;
            self.gaps.push(gap);
            let after = self.gap_after.entry(b.trip.last_kind).or_insert(0);
            *after = (*after).max(gap);
            let before = self.gap_before.entry((row.event, row.stage)).or_insert(0);
            *before = (*before).max(gap);
        }
        b.seen += 1;
        b.trip.last = row.time;
        b.trip.last_kind = (row.event, row.stage);
        if b.trip.class == u16::MAX {
            b.trip.class = row.class;
        }
        match row.event {
            Event::Arrive => {
                if b.trip.arrive.is_some() {
                    self.counts.duplicates += 1;
                } else {
                    b.trip.arrive = Some(row.time);
                    b.ready = Some(row.time);
                }
            }
            Event::Start => {
                b.rows += 1;
                if let Some(open) = b.open.take() {
                    self.counts.end_lost += 1;
                    self.visits.push(Visit {
                        kind: VisitKind::EndLost,
                        end: open.start,
                        ..open
                    });
                    b.ready = None;
                }
                b.open = Some(Visit {
                    stage: row.stage,
                    lane: row.lane,
                    start: row.time,
                    end: row.time,
                    ready: b.ready,
                    kind: VisitKind::RunningAtEnd,
                });
            }
            Event::End => {
                let first_row = b.rows == 0 && b.trip.arrive.is_none();
                b.rows += 1;
                match b.open.take() {
                    Some(open) if open.stage == row.stage => {
                        self.visits.push(Visit {
                            end: row.time,
                            kind: VisitKind::Done,
                            lane: if open.lane == NONE {
                                row.lane
                            } else {
                                open.lane
                            },
                            ..open
                        });
                    }
                    other => {
                        if let Some(open) = other {
                            self.counts.end_lost += 1;
                            self.visits.push(Visit {
                                kind: VisitKind::EndLost,
                                end: open.start,
                                ..open
                            });
                        }
                        if first_row {
                            self.candidates.push((self.trips.len(), self.visits.len()));
                        } else {
                            self.counts.start_lost += 1;
                        }
                        self.visits.push(Visit {
                            stage: row.stage,
                            lane: row.lane,
                            start: row.time,
                            end: row.time,
                            ready: None,
                            kind: VisitKind::StartLost,
                        });
                    }
                }
                b.ready = Some(row.time);
            }
            _ => {
                b.rows += 1;
                if b.trip.leave.is_some() {
                    self.counts.duplicates += 1;
                    return;
                }
                if let Some(open) = b.open.take() {
                    self.counts.end_lost += 1;
                    self.visits.push(Visit {
                        kind: VisitKind::EndLost,
                        end: open.start,
                        ..open
                    });
                }
                b.trip.leave = Some((row.time, row.event));
            }
        }
    }

    fn begin(&self, row: &Row) -> Building {
        Building {
            trip: Trip {
                truck: row.truck,
                class: row.class,
                arrive: None,
                leave: None,
                first: row.time,
                last: row.time,
                first_kind: (row.event, row.stage),
                last_kind: (row.event, row.stage),
                visits: self.visits.len()..self.visits.len(),
                inside_at_start: false,
                inside_at_end: false,
            },
            open: None,
            ready: None,
            rows: 0,
            seen: 0,
        }
    }

    fn finish(&mut self, b: Option<Building>) {
        let Some(mut b) = b else {
            return;
        };
        if let Some(open) = b.open.take() {
            self.counts.running_at_end += 1;
            self.visits.push(Visit {
                end: self.end,
                kind: VisitKind::RunningAtEnd,
                ..open
            });
        }
        b.trip.visits.end = self.visits.len();
        self.trips.push(b.trip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::log::{Layout, read_from};

    fn paths_of(text: &str) -> (Log, Paths) {
        let log = read_from(
            std::path::Path::new("t.csv"),
            format!("truck,time,event,stage\n{text}").as_bytes(),
            &Layout::plain(),
        )
        .unwrap();
        let p = paths(&log);
        (log, p)
    }

    #[test]
    fn a_clean_trip() {
        let (_, p) = paths_of(
            "A,2025-03-10T08:00,arrive,\nA,2025-03-10T08:05,start,docs\nA,2025-03-10T08:20,end,docs\nA,2025-03-10T08:20,start,scan\nA,2025-03-10T08:30,end,scan\nA,2025-03-10T08:31,depart,\n",
        );
        assert_eq!(p.trips.len(), 1);
        let t = &p.trips[0];
        assert!(t.complete() && t.cleared());
        let v = p.visits_of(t);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].kind, VisitKind::Done);
        assert_eq!(v[0].end - v[0].start, 15 * 60);
        assert_eq!(v[0].ready, t.arrive);
        assert_eq!(v[1].ready, Some(v[0].end));
        assert_eq!(p.counts.complete, 1);
        assert_eq!(p.counts.rows_used, 6);
    }

    #[test]
    fn lost_rows_duplicates_and_the_edges_of_the_log() {
        let (_, p) = paths_of(concat!(
            // Inside at the start: its service was running.
            "A,2025-03-10T08:00,end,docs\nA,2025-03-10T08:10,depart,\n",
            // A duplicate, a lost end (it started scan without ending docs).
            "B,2025-03-10T08:01,arrive,\nB,2025-03-10T08:01,arrive,\nB,2025-03-10T08:02,start,docs\n",
            "B,2025-03-10T08:20,start,scan\nB,2025-03-10T08:25,end,scan\nB,2025-03-10T08:30,depart,\n",
            // A start and end in the same minute.
            "C,2025-03-10T09:00,arrive,\nC,2025-03-10T09:01,start,docs\nC,2025-03-10T09:01,end,docs\nC,2025-03-10T09:02,depart,\n",
            // Still in service at the end.
            "D,2025-03-10T09:00,arrive,\nD,2025-03-10T09:05,start,docs\n",
            // The truck comes back: a second trip.
            "C,2025-03-10T09:30,arrive,\nC,2025-03-10T09:35,depart,\n",
        ));
        let c = p.counts;
        assert_eq!(c.duplicates, 1);
        assert_eq!(c.end_lost, 1);
        assert_eq!(c.running_at_start, 1);
        assert_eq!(c.running_at_end, 1);
        assert_eq!(c.trips, 5);
        assert_eq!(c.inside_at_start, 1);
        assert_eq!(c.inside_at_end, 1);
        assert_eq!(c.complete, 3);
        let c_trip = p
            .trips
            .iter()
            .find(|t| t.arrive.is_some_and(|a| a % 3600 == 0) && t.truck == 2)
            .unwrap();
        let v = p.visits_of(c_trip);
        assert_eq!(
            (v.len(), v[0].kind, v[0].end - v[0].start),
            (1, VisitKind::Done, 0)
        );
    }
}
