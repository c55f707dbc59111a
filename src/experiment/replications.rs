//! Independent replications, in parallel, with thread-count-free results.
//!
//! Replication `i` is seeded from the master seed and `i` alone (see
//! `engine::streams`), so what it computes does not depend on which thread
//! runs it or when. Workers take indices from a shared counter in order,
//! and each result is handed to the consumer in index order: results that
//! finish early wait (at most about one per worker) until the ones before
//! them are in. Every aggregate is therefore computed sequentially in
//! replication order, floating-point sums do not depend on scheduling, and
//! the output is bit-identical for one thread or many, while memory does
//! not grow with the number of replications.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// How far ahead of the oldest unfinished replication a worker may start,
/// per worker.
pub const WINDOW_PER_WORKER: u64 = 2;

/// Results that finished before an earlier one, and where the consumer is.
struct InOrder<R, C> {
    next: u64,
    waiting: BTreeMap<u64, R>,
    consume: C,
}

/// Runs `run(i)` for `i` in `0..n` on `threads` threads (all cores when
/// `None`) and hands each result to `consume` in index order.
pub fn run_in_order<R, F, C>(
    n: u64,
    threads: Option<usize>,
    run: F,
    consume: C,
) -> Result<(), rayon::ThreadPoolBuildError>
where
    R: Send,
    F: Fn(u64) -> R + Sync,
    C: FnMut(u64, R) + Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?;
    let workers = (pool.current_num_threads() as u64).clamp(1, n.max(1));
    let window = WINDOW_PER_WORKER * workers;
    let counter = AtomicU64::new(0);
    let state = Mutex::new(InOrder {
        next: 0,
        waiting: BTreeMap::new(),
        consume,
    });
    let caught_up = Condvar::new();
    pool.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                loop {
                    let i = counter.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        break;
                    }
                    // Wait until `i` is within the window of the oldest
                    // unfinished replication (whose worker never waits).
                    // A panic in another worker must not hide this result.
                    let st = state.lock().unwrap_or_else(PoisonError::into_inner);
                    let st = caught_up
                        .wait_while(st, |st| i >= st.next + window)
                        .unwrap_or_else(PoisonError::into_inner);
                    drop(st);
                    let r = run(i);
                    let mut st = state.lock().unwrap_or_else(PoisonError::into_inner);
                    st.waiting.insert(i, r);
                    let before = st.next;
                    loop {
                        let k = st.next;
                        let Some(r) = st.waiting.remove(&k) else {
                            break;
                        };
                        (st.consume)(k, r);
                        st.next += 1;
                    }
                    if st.next != before {
                        caught_up.notify_all();
                    }
                }
            });
        }
    });
    Ok(())
}

/// Runs `run(i)` for `i` in `0..n` and returns the results in index order.
/// `on_done` is called once per finished replication (for progress bars).
pub fn run_replications<R, F, P>(
    n: u64,
    threads: Option<usize>,
    run: F,
    on_done: P,
) -> Result<Vec<R>, rayon::ThreadPoolBuildError>
where
    R: Send,
    F: Fn(u64) -> R + Sync,
    P: Fn() + Sync,
{
    let mut out = Vec::with_capacity(usize::try_from(n.min(1 << 20)).unwrap_or(0));
    run_in_order(
        n,
        threads,
        |i| {
            let r = run(i);
            on_done();
            r
        },
        |_, r| out.push(r),
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn results_in_index_order_for_any_thread_count() {
        let done = AtomicU64::new(0);
        for threads in [Some(1), Some(2), Some(4), None] {
            let r = run_replications(
                50,
                threads,
                |i| i * i,
                || {
                    done.fetch_add(1, Ordering::Relaxed);
                },
            )
            .expect("pool");
            assert_eq!(r, (0..50).map(|i| i * i).collect::<Vec<_>>());
        }
        assert_eq!(done.load(Ordering::Relaxed), 200);
    }

    /// However unevenly replications take, the consumer sees 0, 1, 2, …
    /// and only a few results ever wait for an earlier one.
    #[test]
    fn the_consumer_sees_index_order_and_little_waits() {
        let seen = Mutex::new(Vec::new());
        let in_flight = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        run_in_order(
            200,
            Some(4),
            |i| {
                // Replications 0, 7, 14, … are slow.
                if i % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                i
            },
            |k, i| {
                assert_eq!(k, i);
                in_flight.fetch_sub(1, Ordering::SeqCst);
                seen.lock().expect("lock").push(k);
            },
        )
        .expect("pool");
        let seen = seen.into_inner().expect("lock");
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
        // At most the window (2 per worker) is ever done but not consumed.
        assert!(
            most.load(Ordering::SeqCst) <= (WINDOW_PER_WORKER * 4) as usize,
            "{}",
            most.load(Ordering::SeqCst)
        );
    }
}
