//! Independent replications, in parallel, with thread-count-free results.
//!
//! Replication `i` is seeded from the master seed and `i` alone (see
//! `engine::streams`), so what it computes does not depend on which thread
//! runs it or when. Results are collected in replication order and every
//! aggregate is computed sequentially from that ordered list afterwards:
//! floating-point sums then do not depend on scheduling, and the output is
//! bit-identical for one thread or many.

use rayon::prelude::*;

/// Runs `run(i)` for `i` in `0..n` on `threads` threads (all cores when
/// `None`) and returns the results in index order. `on_done` is called once
/// per finished replication, from whichever thread finished it (for
/// progress bars).
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?;
    Ok(pool.install(|| {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let r = run(i);
                on_done();
                r
            })
            .collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

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
}
