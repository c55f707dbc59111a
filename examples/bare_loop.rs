//! A floor for the speed targets: the two reference models of
//! `shared/peer-models/MODEL.md` written as bare hand-written heap loops,
//! with none of portsim in them.
//!
//! No engine, no scenario, no trucks table, no histograms or percentiles,
//! no classes, calendars or costs: `std`'s `BinaryHeap`, one FIFO queue per
//! station, the fastest generator `rand` offers (`SmallRng`, xoshiro) and
//! two running sums. It is what any Rust discrete-event model of these
//! networks has to do at the least, so a ratio that this loop cannot reach
//! against SimPy is out of reach of a simulator that also measures what
//! portsim measures. `benches/simpy/ratios.sh` times it in the same run as
//! SimPy and `portsim run`; `benches/instructions.sh` counts its
//! instructions per customer.
//!
//! ```text
//! cargo run --release --example bare_loop -- mm10|port [CUSTOMERS]
//! ```
//!
//! It follows MODEL.md: the network starts empty, the first arrival comes
//! after one inter-arrival draw, and the run stops when the N-th customer
//! leaves. It prints one JSON line with the same names as the peer models
//! (`customers_served`, `mean_wait`, `mean_time_in_system`,
//! `model_events`, `run_s`), so the means can be checked against them.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "an example reports on stdout and stderr"
)]
use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand_distr::{Distribution, Exp, LogNormal};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::process::ExitCode;

/// A service time distribution of one station.
enum Service {
    Exponential(Exp<f64>),
    LogNormal(LogNormal<f64>),
}

impl Service {
    /// Exponential with the given mean.
    fn exponential(mean: f64) -> Option<Self> {
        Exp::new(1.0 / mean).ok().map(Self::Exponential)
    }

    /// Lognormal with the given mean and standard deviation (MODEL.md:
    /// σ² = ln(1 + (sd/mean)²), μ = ln(mean) − σ²/2).
    fn lognormal(mean: f64, sd: f64) -> Option<Self> {
        let s2 = (1.0 + (sd / mean).powi(2)).ln();
        LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt())
            .ok()
            .map(Self::LogNormal)
    }

    fn draw(&self, rng: &mut SmallRng) -> f64 {
        match self {
            Self::Exponential(d) => d.sample(rng),
            Self::LogNormal(d) => d.sample(rng),
        }
    }
}

/// A pending event: the arrival of the next customer (`station` equal to
/// the number of stations) or the end of a service at `station`.
struct Event {
    at: f64,
    station: usize,
    /// When the customer arrived at the network.
    born: f64,
    /// Time it has queued so far, over all stations.
    waited: f64,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.at.total_cmp(&other.at) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Earliest first out of `BinaryHeap`, which is a max-heap.
    fn cmp(&self, other: &Self) -> Ordering {
        other.at.total_cmp(&self.at)
    }
}

/// A customer in a station's queue.
struct Queued {
    born: f64,
    waited: f64,
    since: f64,
}

/// A station: its servers and their service time.
type Station = (usize, Service);

/// Inter-arrival distribution and the stations of a reference model.
fn model(name: &str) -> Option<(Exp<f64>, Vec<Station>)> {
    match name {
        // (a) M/M/10: λ 9 an hour, ten servers of mean 1 h.
        "mm10" => Some((Exp::new(9.0).ok()?, vec![(10, Service::exponential(1.0)?)])),
        // (b) the port tandem, in minutes: λ 0.75 a minute.
        "port" => Some((
            Exp::new(0.75).ok()?,
            vec![
                (2, Service::exponential(2.0)?),
                (6, Service::lognormal(7.0, 4.0)?),
                (4, Service::lognormal(4.5, 3.0)?),
                (2, Service::exponential(2.2)?),
            ],
        )),
        _ => None,
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "mm10".into());
    let customers: u64 = match args.next().map(|a| a.parse()) {
        None => 1_000_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("bare_loop: CUSTOMERS must be a whole number above 0");
            return ExitCode::from(2);
        }
    };
    let Some((interarrival, stations)) = model(&name) else {
        eprintln!("bare_loop: unknown model {name:?}; expected mm10 or port");
        return ExitCode::from(2);
    };
    let clock = std::time::Instant::now();
    let arrival = stations.len();
    let mut source = SmallRng::seed_from_u64(1);
    let mut rngs: Vec<SmallRng> = (0..stations.len())
        .map(|k| SmallRng::seed_from_u64(2 + k as u64))
        .collect();
    let mut free: Vec<usize> = stations.iter().map(|s| s.0).collect();
    let mut queues: Vec<VecDeque<Queued>> = stations.iter().map(|_| VecDeque::new()).collect();
    let mut heap = BinaryHeap::new();
    heap.push(Event {
        at: interarrival.sample(&mut source),
        station: arrival,
        born: 0.0,
        waited: 0.0,
    });
    let (mut served, mut waited, mut in_system, mut events) = (0u64, 0.0f64, 0.0f64, 0u64);
    while let Some(ev) = heap.pop() {
        events += 1;
        let now = ev.at;
        // the station the customer of this event goes to next
        let (next, born, so_far) = if ev.station == arrival {
            heap.push(Event {
                at: now + interarrival.sample(&mut source),
                station: arrival,
                born: 0.0,
                waited: 0.0,
            });
            (0, now, 0.0)
        } else {
            let s = ev.station;
            match queues[s].pop_front() {
                Some(q) => heap.push(Event {
                    at: now + stations[s].1.draw(&mut rngs[s]),
                    station: s,
                    born: q.born,
                    waited: q.waited + (now - q.since),
                }),
                None => free[s] += 1,
            }
            if s + 1 == stations.len() {
                served += 1;
                waited += ev.waited;
                in_system += now - ev.born;
                if served == customers {
                    break;
                }
                continue;
            }
            (s + 1, ev.born, ev.waited)
        };
        if free[next] > 0 {
            free[next] -= 1;
            heap.push(Event {
                at: now + stations[next].1.draw(&mut rngs[next]),
                station: next,
                born,
                waited: so_far,
            });
        } else {
            queues[next].push_back(Queued {
                born,
                waited: so_far,
                since: now,
            });
        }
    }
    let run_s = clock.elapsed().as_secs_f64();
    let n = served as f64;
    println!(
        "{{\"model\": \"{name}\", \"customers_served\": {served}, \"mean_wait\": {:.6}, \
         \"mean_time_in_system\": {:.6}, \"model_events\": {}, \"engine_events\": {events}, \
         \"run_s\": {run_s:.4}}}",
        waited / n,
        in_system / n,
        served * (stations.len() as u64 + 1),
    );
    ExitCode::SUCCESS
}
