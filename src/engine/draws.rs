//! Durations drawn ahead, in batches, from one distribution and one stream.
//!
//! A model that draws a service time and schedules its end makes the event
//! set wait for the whole random-number chain (generator, ziggurat, float
//! conversion) before it can place the new event; every branch of the heap
//! sift then resolves late, and each mispredicted one costs that chain
//! again. Drawing a batch ahead takes the chain off the event loop's
//! critical path: the draws of a batch are independent, so the CPU overlaps
//! them, and the loop just reads the next one.
//!
//! The values are exactly those that drawing one at a time would give, in
//! the same order: a source owns its stream, so drawing early changes when
//! a number is computed, never which number it is.

use super::dist::Sampler;
use super::streams::Rng;
use super::time::Span;
#[cfg(test)]
use super::time::ticks;

/// Draws computed per refill.
const BATCH: usize = 64;

/// A source of durations in ticks: one distribution on its own stream.
#[derive(Debug)]
pub struct Draws {
    sampler: Sampler,
    rng: Rng,
    buffer: [Span; BATCH],
    next: usize,
}

impl Draws {
    /// Draws from `sampler` with `rng`, which no one else may use.
    pub fn new(sampler: Sampler, rng: Rng) -> Self {
        Draws {
            sampler,
            rng,
            buffer: [0; BATCH],
            next: BATCH,
        }
    }

    /// The next duration, rounded to whole ticks.
    #[inline]
    pub fn next_ticks(&mut self) -> Span {
        if self.next == BATCH {
            self.refill();
        }
        let value = self.buffer[self.next];
        self.next += 1;
        value
    }

    #[inline(never)]
    fn refill(&mut self) {
        self.sampler.fill_ticks(&mut self.rng, &mut self.buffer[..]);
        self.next = 0;
    }
}

/// Uniform numbers in [0, 1) drawn ahead in batches from one stream: the
/// same values, in the same order, as `rng.random::<f64>()` one at a time.
#[derive(Debug)]
pub struct Uniforms {
    rng: Rng,
    buffer: [f64; BATCH],
    next: usize,
}

impl Uniforms {
    /// Uniforms from `rng`, which no one else may use.
    pub fn new(rng: Rng) -> Self {
        Uniforms {
            rng,
            buffer: [0.0; BATCH],
            next: BATCH,
        }
    }

    /// The next uniform number.
    #[inline]
    pub fn draw(&mut self) -> f64 {
        if self.next == BATCH {
            self.refill();
        }
        let value = self.buffer[self.next];
        self.next += 1;
        value
    }

    #[inline(never)]
    fn refill(&mut self) {
        use rand::RngExt;
        for x in &mut self.buffer {
            *x = self.rng.random();
        }
        self.next = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dist::Dist;
    use crate::engine::streams::Streams;

    #[test]
    fn batched_uniforms_are_the_one_at_a_time_sequence() {
        use rand::RngExt;
        let mut batch = Uniforms::new(Streams::new(3, 1).stream("class"));
        let mut rng = Streams::new(3, 1).stream("class");
        for i in 0..2 * BATCH + 3 {
            assert_eq!(
                batch.draw().to_bits(),
                rng.random::<f64>().to_bits(),
                "draw {i}"
            );
        }
    }

    /// Across several refills, the batched values are the one-at-a-time
    /// values in the same order.
    #[test]
    fn batches_give_the_one_at_a_time_sequence() {
        let dist = Dist::Gamma {
            mean: 90.0,
            sd: 40.0,
        };
        let mut draws = Draws::new(
            dist.sampler().expect("valid"),
            Streams::new(5, 2).stream("service/0"),
        );
        let sampler = dist.sampler().expect("valid");
        let mut rng = Streams::new(5, 2).stream("service/0");
        for i in 0..3 * BATCH + 7 {
            assert_eq!(
                draws.next_ticks(),
                ticks(sampler.sample(&mut rng)),
                "draw {i}"
            );
        }
    }
}
