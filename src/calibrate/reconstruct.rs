//! Each truck's path from its milestones: arrival, visits (start, end,
//! lane), departure or how it left, and what the log lost on the way.
//!
//! Rows arrive sorted by truck, time and event ([`Row::key`]): at the same
//! time a truck arrives first, then ends a service, starts the next, and
//! leaves last, so an end and a start in the same minute read as one after
//! the other. One truck identifier may make several *trips* (a plate that
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
//! * an `end` without its `start` (and no `start` at the same stage in the
//!   same minute, which makes a service of zero length): the start was
//!   lost, or, when it is the first row of a truck inside at the start,
//!   the service was running when the log opened;
//! * a service still open at the last row of a trip that never left is
//!   running when the log closes: right-censored, and counted in the peak.
//!
//! A trip without `arrive` was inside when the log opened if its first row
//! comes within the *gap* of the log's start, otherwise its arrive row was
//! lost; a trip without a leaving row is inside when the log closes if it
//! is in service at its last row or that row comes within the gap of the
//! log's end, otherwise its departure was lost. The gap is the 99th
//! percentile of the time between consecutive rows of one trip: longer
//! than almost any wait between two milestones, so a truck that went quiet
//! for longer has gone. A trip is *complete* when it arrived and left
//! inside the window (its rows, lost ones aside, cover its whole path).

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
    /// A `start` consumed by an `end` in the same minute (time, stage).
    consumed: Option<(i64, u32)>,
    /// Rows of this trip seen so far.
    seen: u32,
}

/// Reconstructs every trip of `log`.
pub fn paths(log: &Log) -> Paths {
    let (start, end) = (log.start(), log.end());
    let mut w = Walk {
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
    // Which visit belongs to which trip, for the candidates.
    for (trip, visit) in w.candidates {
        let inside = w.trips[trip].arrive.is_none() && w.trips[trip].first <= start + gap_s;
        let v = &mut visits[visit];
        if inside {
            v.kind = VisitKind::RunningAtStart;
            v.start = start;
            counts.running_at_start += 1;
        } else {
            counts.start_lost += 1;
        }
    }
    for t in &mut w.trips {
        let running = visits[t.visits.clone()]
            .last()
            .is_some_and(|v| v.kind == VisitKind::RunningAtEnd);
        t.inside_at_start = t.arrive.is_none() && t.first <= start + gap_s;
        t.inside_at_end = t.leave.is_none() && (running || t.last >= end - gap_s);
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
    counts.trips = w.trips.len() as u64;
    counts.rows_used = rows.len() as u64 - counts.duplicates;
    Paths {
        trips: w.trips,
        visits,
        counts,
        start,
        end,
        gap_s,
    }
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
        let mut prev: Option<&Row> = None;
        for (k, row) in rows.iter().enumerate() {
            let duplicate = prev.is_some_and(|p| {
                p.time == row.time && p.event == row.event && p.stage == row.stage
            });
            prev = Some(row);
            if duplicate {
                self.counts.duplicates += 1;
                continue;
            }
            if let Some(b) = &cur {
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
                self.gaps.push(row.time - b.trip.last);
            }
            b.seen += 1;
            b.trip.last = row.time;
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
                    continue;
                }
                Event::Start => {
                    b.rows += 1;
                    if b.consumed == Some((row.time, row.stage)) {
                        b.consumed = None;
                        continue;
                    }
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
                                lane: if open.lane == NONE { row.lane } else { open.lane },
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
                                b.ready = None;
                            }
                            let same_minute = rows[k + 1..]
                                .iter()
                                .take_while(|r| r.time == row.time)
                                .any(|r| r.event == Event::Start && r.stage == row.stage);
                            if same_minute {
                                b.consumed = Some((row.time, row.stage));
                                self.visits.push(Visit {
                                    stage: row.stage,
                                    lane: row.lane,
                                    start: row.time,
                                    end: row.time,
                                    ready: b.ready,
                                    kind: VisitKind::Done,
                                });
                            } else {
                                if first_row {
                                    self.candidates.push((self.trips.len(), self.visits.len()));
                                } else {
                                    // Counted once the candidates are settled
                                    // (a candidate may turn out lost too).
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
                    }
                    b.ready = Some(row.time);
                }
                _ => {
                    b.rows += 1;
                    if b.trip.leave.is_some() {
                        self.counts.duplicates += 1;
                        continue;
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
        self.finish(cur);
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
                visits: self.visits.len()..self.visits.len(),
                inside_at_start: false,
                inside_at_end: false,
            },
            open: None,
            ready: None,
            rows: 0,
            consumed: None,
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
        let c_trip = p.trips.iter().find(|t| t.arrive.is_some_and(|a| a % 3600 == 0) && t.truck == 2).unwrap();
        let v = p.visits_of(c_trip);
        assert_eq!((v.len(), v[0].kind, v[0].end - v[0].start), (1, VisitKind::Done, 0));
    }
}
