//! Engine benchmarks: the classic hold model of the event set, and an
//! end-to-end M/M/10 queue with full statistics.
//!
//! The hold model keeps `N` events pending and repeatedly pops the earliest
//! and pushes a new one a random increment later. The bare `BinaryHeap`
//! loop and the engine run in the same group on the same increments, so
//! their ratio (the engine's overhead per event) is measured in one run and
//! survives a noisy machine.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use portsim::engine::dist::Dist;
use portsim::engine::event_queue::EventQueue;
use portsim::engine::sim::{Model, Scheduler};
use portsim::engine::streams::Streams;
use portsim::engine::tandem::{self, StationSpec, TandemSpec};
use rand::RngExt;

/// Hold operations per benchmark iteration.
const HOLDS: usize = 100_000;

fn increments(n: usize) -> Vec<u64> {
    let mut rng = Streams::new(1, 0).stream("hold");
    (0..n).map(|_| rng.random_range(0..2_000_000u64)).collect()
}

/// A model whose every event reschedules itself: the hold model through the
/// full scheduler and model dispatch.
struct Hold<'a> {
    increments: &'a [u64],
    next: usize,
}

impl Model for Hold<'_> {
    type Event = u32;
    fn handle(&mut self, event: u32, sched: &mut Scheduler<u32>) {
        let inc = self.increments[self.next % self.increments.len()];
        self.next += 1;
        sched.schedule_in(inc, event);
    }
}

fn hold(c: &mut Criterion) {
    let incs = increments(HOLDS);
    let mut group = c.benchmark_group("hold");
    group.throughput(Throughput::Elements(HOLDS as u64));
    for pending in [100usize, 10_000] {
        group.bench_with_input(
            BenchmarkId::new("bare_binary_heap", pending),
            &pending,
            |b, &n| {
                b.iter(|| {
                    let mut heap = BinaryHeap::with_capacity(n + 1);
                    for (i, &t) in incs.iter().take(n).enumerate() {
                        heap.push(Reverse((t, i as u64)));
                    }
                    let mut seq = n as u64;
                    for &inc in &incs {
                        if let Some(Reverse((t, _))) = heap.pop() {
                            heap.push(Reverse((t + inc, seq)));
                            seq += 1;
                        }
                    }
                    black_box(heap.len())
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("event_queue", pending),
            &pending,
            |b, &n| {
                b.iter(|| {
                    let mut queue = EventQueue::with_capacity(n + 1);
                    for (i, &t) in incs.iter().take(n).enumerate() {
                        queue.push(t, i as u32);
                    }
                    for &inc in &incs {
                        if let Some((t, e)) = queue.pop() {
                            queue.push(t + inc, e);
                        }
                    }
                    black_box(queue.len())
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("scheduler_and_model", pending),
            &pending,
            |b, &n| {
                b.iter(|| {
                    let mut sched = Scheduler::new();
                    for (i, &t) in incs.iter().take(n).enumerate() {
                        sched.schedule_at(t, i as u32);
                    }
                    let mut model = Hold {
                        increments: &incs,
                        next: 0,
                    };
                    // Run exactly HOLDS events: stop once that many were handled.
                    sched.run_while(&mut model, u64::MAX, |m, _| m.next < HOLDS);
                    black_box(sched.events_processed())
                })
            },
        );
    }
    group.finish();
}

/// M/M/10 at utilisation 0.9 with one million customers and full
/// statistics (per-customer waits and sojourns in HDR histograms, time
/// averages, utilisation).
fn mm10(c: &mut Criterion) {
    let customers = 1_000_000u64;
    let mean_service = 10_000.0;
    let spec = TandemSpec {
        interarrival: Dist::Exponential {
            mean: mean_service / 9.0,
        },
        stations: vec![StationSpec {
            servers: 10,
            service: Dist::Exponential { mean: mean_service },
        }],
        warmup: 0,
        horizon: u64::MAX / 4,
        max_arrivals: Some(customers),
    };
    let mut group = c.benchmark_group("mm10_rho0.9");
    group.sample_size(10);
    group.throughput(Throughput::Elements(customers));
    group.bench_function("one_million_customers", |b| {
        b.iter(|| {
            let r = tandem::run(&spec, &Streams::new(42, 0)).expect("valid");
            black_box(r.sojourn.mean())
        })
    });
    group.finish();
}

criterion_group!(benches, hold, mm10);
criterion_main!(benches);
