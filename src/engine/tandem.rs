//! A reference model: an open network of multi-server stations in series.
//!
//! Customers arrive by a renewal process, visit every station in order
//! (each with `c` identical servers, a FIFO queue and its own service
//! distribution) and leave. It is the smallest model that exercises every
//! part of the engine (event set, streams, pools, statistics, warm-up), and
//! its answers are known from queueing theory: M/M/1, M/M/c (Erlang C),
//! M/D/1 and M/G/1 (Pollaczek–Khinchine) with one station, Jackson networks
//! with several. The validation suite and the benchmarks run it; it is not
//! the port model, which lives in `crate::model`.

use super::dist::{Dist, DistError};
use super::draws::Draws;
use super::pool::{Discipline, Pool};
use super::sim::{Model, Scheduler};
use super::stats::{DurationStats, TimeWeighted};
use super::streams::Streams;
use super::time::{Span, Time};

/// One station: servers and their service-time distribution (in ticks).
#[derive(Clone, Debug)]
pub struct StationSpec {
    /// Identical servers.
    pub servers: u32,
    /// Service time per customer, in ticks.
    pub service: Dist,
}

/// The network and how long to run it.
#[derive(Clone, Debug)]
pub struct TandemSpec {
    /// Time between arrivals, in ticks.
    pub interarrival: Dist,
    /// Stations, visited in order.
    pub stations: Vec<StationSpec>,
    /// Warm-up deleted from the statistics.
    pub warmup: Span,
    /// Measured period after warm-up.
    pub horizon: Span,
    /// Stop generating arrivals after this many (all of them counted from
    /// time zero); `None` for no limit.
    pub max_arrivals: Option<u64>,
}

/// What one station measured after warm-up.
#[derive(Clone, Debug)]
pub struct StationResult {
    /// Time in queue before service, in ticks.
    pub wait: DurationStats,
    /// Time-average number waiting.
    pub mean_queue_len: f64,
    /// Busy server-time over on-duty server-time.
    pub utilization: f64,
}

/// What one run measured after warm-up.
#[derive(Clone, Debug)]
pub struct TandemResult {
    /// Per station, in order.
    pub stations: Vec<StationResult>,
    /// Time in system of customers who left during the measured period.
    pub sojourn: DurationStats,
    /// Time-average number in the system (L).
    pub mean_in_system: f64,
    /// Arrivals per tick during the measured period (λ).
    pub arrival_rate: f64,
    /// Customers who left during the measured period.
    pub departures: u64,
    /// Events the engine handled, warm-up included.
    pub events: u64,
    /// The most events that were pending at once.
    pub peak_pending_events: usize,
    /// The most customers that were in the system at once.
    pub peak_in_system: usize,
}

/// A customer carries no identity beyond its arrival time: it travels in
/// the service-completion event and, while waiting, in the pool's queue.
/// No customer table is needed, so nothing is looked up per event.
#[derive(Clone, Copy, Debug)]
enum Event {
    Arrival,
    Done { station: u32, entered: Time },
    WarmupEnd,
}

/// A customer waiting at a station.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    entered: Time,
    queued: Time,
}

struct Station {
    pool: Pool<Waiting>,
    service: Draws,
    wait: DurationStats,
}

struct Tandem {
    interarrival: Draws,
    stations: Vec<Station>,
    in_system: TimeWeighted,
    /// Customers in the system now.
    present: usize,
    sojourn: DurationStats,
    arrivals: u64,
    measured_arrivals: u64,
    max_arrivals: u64,
    peak_in_system: usize,
}

impl Tandem {
    /// A customer who entered the system at `entered` joins station `s` now.
    #[inline]
    fn join(&mut self, s: usize, entered: Time, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let waiting = Waiting {
            entered,
            queued: now,
        };
        if let Some(w) = self.stations[s].pool.request(now, waiting, 0) {
            self.start(s, w, sched);
        }
    }

    #[inline]
    fn start(&mut self, s: usize, w: Waiting, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let station = &mut self.stations[s];
        station.wait.record(now - w.queued);
        let service = station.service.next_ticks();
        sched.schedule_in(
            service,
            Event::Done {
                station: s as u32,
                entered: w.entered,
            },
        );
    }
}

impl Model for Tandem {
    type Event = Event;

    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        match event {
            Event::Arrival => {
                self.arrivals += 1;
                self.measured_arrivals += 1;
                self.present += 1;
                self.in_system.set(now, self.present as u64);
                self.peak_in_system = self.peak_in_system.max(self.present);
                if self.arrivals < self.max_arrivals {
                    let gap = self.interarrival.next_ticks();
                    sched.schedule_in(gap, Event::Arrival);
                }
                self.join(0, now, sched);
            }
            Event::Done { station, entered } => {
                let s = station as usize;
                if let Some(next) = self.stations[s].pool.release(now) {
                    self.start(s, next, sched);
                }
                if s + 1 < self.stations.len() {
                    self.join(s + 1, entered, sched);
                } else {
                    self.present -= 1;
                    self.sojourn.record(now - entered);
                    self.in_system.set(now, self.present as u64);
                }
            }
            Event::WarmupEnd => {
                self.measured_arrivals = 0;
                self.in_system.reset(now);
                self.sojourn.reset();
                for station in &mut self.stations {
                    station.pool.reset_stats(now);
                    station.wait.reset();
                }
            }
        }
    }
}

/// Runs the network once with the given streams.
///
/// Random sources are named `arrivals` and `service/<index>`, so adding a
/// station leaves the draws of the others unchanged.
pub fn run(spec: &TandemSpec, streams: &Streams) -> Result<TandemResult, DistError> {
    let stations = spec
        .stations
        .iter()
        .enumerate()
        .map(|(i, st)| {
            Ok(Station {
                pool: Pool::new(st.servers, Discipline::Fifo, 0),
                service: Draws::new(
                    st.service.sampler()?,
                    streams.stream(&format!("service/{i}")),
                ),
                wait: DurationStats::new(1),
            })
        })
        .collect::<Result<Vec<_>, DistError>>()?;
    let mut model = Tandem {
        interarrival: Draws::new(spec.interarrival.sampler()?, streams.stream("arrivals")),
        stations,
        present: 0,
        in_system: TimeWeighted::new(0, 0),
        sojourn: DurationStats::new(1),
        arrivals: 0,
        measured_arrivals: 0,
        max_arrivals: spec.max_arrivals.unwrap_or(u64::MAX),
        peak_in_system: 0,
    };
    let mut sched = Scheduler::new();
    let first = model.interarrival.next_ticks();
    if model.max_arrivals > 0 {
        sched.schedule_at(first, Event::Arrival);
    }
    if spec.warmup > 0 {
        sched.schedule_at(spec.warmup, Event::WarmupEnd);
    }
    let end = spec.warmup.saturating_add(spec.horizon);
    sched.run_until(&mut model, end);

    let measured = end - spec.warmup;
    Ok(TandemResult {
        stations: model
            .stations
            .into_iter()
            .map(|s| StationResult {
                mean_queue_len: s.pool.mean_queue_len(end),
                utilization: s.pool.utilization(end),
                wait: s.wait,
            })
            .collect(),
        departures: model.sojourn.count(),
        sojourn: model.sojourn,
        mean_in_system: model.in_system.mean(end),
        arrival_rate: if measured > 0 {
            model.measured_arrivals as f64 / measured as f64
        } else {
            0.0
        },
        events: sched.events_processed(),
        peak_pending_events: sched.peak_pending(),
        peak_in_system: model.peak_in_system,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic D/D/1 with service 2 and gaps 3: nobody ever waits.
    #[test]
    fn deterministic_queue_is_exact() {
        let spec = TandemSpec {
            interarrival: Dist::Deterministic { value: 3.0 },
            stations: vec![StationSpec {
                servers: 1,
                service: Dist::Deterministic { value: 2.0 },
            }],
            warmup: 0,
            horizon: 3_000,
            max_arrivals: None,
        };
        let r = run(&spec, &Streams::new(1, 0)).expect("valid");
        assert_eq!(r.stations[0].wait.mean(), 0.0);
        assert_eq!(r.sojourn.mean(), 2.0);
        // Arrivals at 3, 6, …, 3000; the one at 3000 is still in service.
        assert_eq!(r.departures, 999);
        assert!((r.stations[0].utilization - 2.0 / 3.0).abs() < 1e-3);
    }

    /// Two arrivals at once to one server: the second waits exactly one
    /// service time.
    #[test]
    fn batch_of_two_waits_one_service() {
        let spec = TandemSpec {
            interarrival: Dist::Deterministic { value: 0.0 },
            stations: vec![StationSpec {
                servers: 1,
                service: Dist::Deterministic { value: 10.0 },
            }],
            warmup: 0,
            horizon: 1_000,
            max_arrivals: Some(2),
        };
        let r = run(&spec, &Streams::new(1, 0)).expect("valid");
        assert_eq!(r.departures, 2);
        assert_eq!(r.stations[0].wait.mean(), 5.0);
        assert_eq!(r.sojourn.percentiles().max, 20.0);
    }
}
