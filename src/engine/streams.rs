//! Named, independent random streams derived from one master seed.
//!
//! A run has one master seed. Each replication and each random source in a
//! model (the arrival process, every stage's service times, routing,
//! appointments, …) draws from its own ChaCha8 stream:
//!
//! * the 256-bit ChaCha key is the master seed and the replication index,
//!   so replications are independent and reproducible on their own;
//! * the 64-bit ChaCha stream id is a stable hash (FNV-1a) of the source's
//!   name, so sources never share draws.
//!
//! Because a source's stream depends only on `(seed, replication, name)`,
//! drawing more or fewer numbers in one source leaves every other source's
//! sequence untouched. Two scenarios run with the same seed therefore see
//! the same arrivals and the same service draws wherever they share a source
//! name: common random numbers, which make paired comparisons sharp.
//!
//! ChaCha8 is portable and specified, unlike `StdRng` or `SmallRng`, whose
//! algorithms may change between `rand` releases; FNV-1a is a fixed function,
//! unlike the standard library's `DefaultHasher`.

use std::hash::Hasher;

use fnv::FnvHasher;
use rand::SeedableRng;
pub use rand::rngs::ChaCha8Rng as Rng;

/// The random streams of one replication.
#[derive(Clone, Debug)]
pub struct Streams {
    key: [u8; 32],
}

impl Streams {
    /// The streams of replication `replication` of a run seeded with `seed`.
    pub fn new(seed: u64, replication: u64) -> Self {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&replication.to_le_bytes());
        // A fixed tag in the rest of the key keeps portsim's streams apart
        // from other programs that might key ChaCha with the same numbers.
        key[16..23].copy_from_slice(b"portsim");
        Streams { key }
    }

    /// The stream of the random source called `name`.
    pub fn stream(&self, name: &str) -> Rng {
        let mut rng = Rng::from_seed(self.key);
        rng.set_stream(stream_id(name));
        rng
    }
}

/// The stable 64-bit stream id of a source name (FNV-1a).
pub fn stream_id(name: &str) -> u64 {
    let mut hasher = FnvHasher::default();
    hasher.write(name.as_bytes());
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    fn first(streams: &Streams, name: &str, n: usize) -> Vec<u64> {
        let mut rng = streams.stream(name);
        (0..n).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn same_inputs_same_draws() {
        let a = Streams::new(42, 3);
        let b = Streams::new(42, 3);
        assert_eq!(first(&a, "arrivals", 8), first(&b, "arrivals", 8));
    }

    #[test]
    fn names_replications_and_seeds_are_independent() {
        let base = first(&Streams::new(42, 0), "arrivals", 4);
        assert_ne!(base, first(&Streams::new(42, 0), "service/gate", 4));
        assert_ne!(base, first(&Streams::new(42, 1), "arrivals", 4));
        assert_ne!(base, first(&Streams::new(43, 0), "arrivals", 4));
    }

    #[test]
    fn stream_ids_are_stable_across_releases() {
        // FNV-1a 64 reference values: a change here would silently change
        // every published result, so it is pinned.
        assert_eq!(stream_id(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stream_id("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn draws_are_pinned() {
        // Guards against an upstream change of ChaCha8 or of the key layout:
        // either would silently change every published result and baseline.
        let draws = first(&Streams::new(1, 0), "x", 2);
        assert_eq!(draws, vec![0x29ac_556d_fdbb_2752, 0xe790_b4dc_6eee_e5a3]);
    }
}
