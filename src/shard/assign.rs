//! Which units a shard runs: a contiguous block of the command's fixed
//! unit order.
//!
//! With `U` units and `N` shards, shard `I` runs units
//! `⌊I·U/N⌋ .. ⌊(I+1)·U/N⌋`: blocks in index order that cover every unit
//! exactly once and differ in size by at most one (with more shards than
//! units, some blocks are empty). Contiguous blocks pack well: a shard of
//! a sweep holds whole runs of a point's replications, so it resolves and
//! warms up few points, and a shard's units finish together. The
//! assignment depends on `U`, `I` and `N` only, so a missing shard can be
//! re-run alone and gives the same units.

use std::ops::Range;

use super::spec::Shard;

/// The units of shard `shard` out of `units`.
pub fn block(units: u64, shard: Shard) -> Range<u64> {
    let edge = |i: u64| {
        let e = u128::from(units) * u128::from(i) / u128::from(shard.count.max(1));
        u64::try_from(e).unwrap_or(units)
    };
    edge(shard.index)..edge(shard.index + 1)
}

/// The shard (of `count`) that runs `unit`.
pub fn owner(unit: u64, units: u64, count: u64) -> u64 {
    // The blocks are increasing, so the owner is found by bisection.
    let (mut lo, mut hi) = (0, count.max(1) - 1);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if block(units, Shard { index: mid, count }).start <= unit {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    // Empty blocks share their start with the next non-empty one.
    while lo > 0 && block(units, Shard { index: lo, count }).is_empty() {
        lo -= 1;
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_exactly_once_for_every_shard_count() {
        for units in [0u64, 1, 2, 5, 30, 63, 64, 65, 97, 200] {
            for count in 1..=64u64 {
                let mut seen = vec![0u32; units as usize];
                let mut sizes = Vec::new();
                let mut next = 0;
                for index in 0..count {
                    let b = block(units, Shard { index, count });
                    assert_eq!(b.start, next, "blocks follow each other");
                    next = b.end;
                    sizes.push(b.end - b.start);
                    for u in b {
                        seen[u as usize] += 1;
                        assert_eq!(owner(u, units, count), index, "{u} of {units} in {count}");
                    }
                }
                assert_eq!(next, units);
                assert!(
                    seen.iter().all(|&n| n == 1),
                    "{units} units, {count} shards"
                );
                let (lo, hi) = (sizes.iter().min(), sizes.iter().max());
                assert!(hi.zip(lo).is_some_and(|(h, l)| h - l <= 1), "{sizes:?}");
                // More shards than units: units spread one per shard.
                if count > units {
                    assert_eq!(sizes.iter().filter(|&&s| s == 1).count() as u64, units);
                }
            }
        }
    }

    #[test]
    fn blocks_are_the_documented_formula() {
        let b = |i, n| block(10, Shard { index: i, count: n });
        assert_eq!([b(0, 3), b(1, 3), b(2, 3)], [0..3, 3..6, 6..10]);
        assert_eq!(b(0, 1), 0..10);
        assert_eq!(block(u64::MAX, Shard { index: 1, count: 2 }).end, u64::MAX);
    }
}
