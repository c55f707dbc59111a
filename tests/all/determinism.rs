//! Same seed, same results, whatever the thread count.

use crate::support::*;

fn fingerprint(results: &[portsim::engine::tandem::TandemResult]) -> Vec<u64> {
    results
        .iter()
        .flat_map(|r| {
            [
                r.sojourn.mean().to_bits(),
                r.sojourn.variance().to_bits(),
                r.mean_in_system.to_bits(),
                r.stations[0].utilization.to_bits(),
                r.stations[1].wait.percentiles().p95.to_bits(),
                r.events,
            ]
        })
        .collect()
}

#[test]
fn one_thread_and_all_threads_agree_bit_for_bit() {
    let spec = network(
        1.5,
        vec![(2, exp_service(1.0)), (3, exp_service(1.2))],
        20_000.0,
    );
    let single = fingerprint(&replicate(&spec, 99, 8, Some(1)));
    let all = fingerprint(&replicate(&spec, 99, 8, None));
    let three = fingerprint(&replicate(&spec, 99, 8, Some(3)));
    assert_eq!(single, all);
    assert_eq!(single, three);
}

#[test]
fn different_seeds_differ_and_replications_differ() {
    let spec = network(
        0.5,
        vec![(1, exp_service(1.0)), (1, exp_service(1.0))],
        5_000.0,
    );
    let a = fingerprint(&replicate(&spec, 1, 2, None));
    let b = fingerprint(&replicate(&spec, 2, 2, None));
    assert_ne!(a, b);
    assert_ne!(a[..6], a[6..]);
}

#[test]
fn adding_a_station_keeps_the_other_sources_draws() {
    // Common random numbers: the first station's waits do not change when a
    // second station is appended, because each source has its own stream.
    let one = network(0.7, vec![(1, exp_service(1.0))], 5_000.0);
    let mut two = one.clone();
    two.stations.push(two.stations[0].clone());
    let a = &replicate(&one, 4, 1, Some(1))[0];
    let b = &replicate(&two, 4, 1, Some(1))[0];
    assert_eq!(
        a.stations[0].wait.mean().to_bits(),
        b.stations[0].wait.mean().to_bits()
    );
}
