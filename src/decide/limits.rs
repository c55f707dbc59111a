//! Limits on what a study file may ask for.
//!
//! A study multiplies work: points × replications, candidates ×
//! replications, parameters × settings. A typo (`lhs = 100000`, a range
//! with step 0.001) should fail at once with a message saying which limit
//! and by how much, not start a run that takes a month. The scenario
//! limits (`scenario::limits`: file size, replications per run, horizon,
//! trucks) apply to every scenario a study resolves, and these to the
//! study as a whole. docs/limits.md lists them.

/// Largest point a study keeps (`--out DIR/points/`) that is read back, in
/// bytes: every metric's value for each of the most replications a run may
/// have, with room to spare. A larger file is no point: it runs again.
pub const MAX_POINT_BYTES: u64 = 256 << 20;
/// Most points in one sweep (a grid, or `lhs = N`).
pub const MAX_POINTS: usize = 10_000;
/// Most factors of a sweep, or parameters of a sensitivity study.
pub const MAX_FACTORS: usize = 64;
/// Most explicit values of one factor.
pub const MAX_VALUES: usize = 10_000;
/// Most replications of a whole study (points × replications, summed
/// over candidates and settings).
pub const MAX_WORK: u64 = 2_000_000;
/// Most decision variables in a plan.
pub const MAX_DECISIONS: usize = 8;
/// Most combinations of decision values a plan may search.
pub const MAX_SPACE: u64 = 1_000_000;
/// Most candidates a plan evaluates by simulation.
pub const MAX_CANDIDATES: usize = 200;
/// Most constraints in a plan.
pub const MAX_CONSTRAINTS: usize = 32;
/// Most Morris trajectories.
pub const MAX_TRAJECTORIES: usize = 1_000;

/// Refuses more work than [`MAX_WORK`] replications.
pub fn work(what: &str, units: u64) -> Result<(), String> {
    if units > MAX_WORK {
        Err(format!(
            "{what} would run {units} replications in all, more than the limit of {MAX_WORK}; use fewer points or replications"
        ))
    } else {
        Ok(())
    }
}
