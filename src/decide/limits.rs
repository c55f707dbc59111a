//! Limits on what a study file may ask for.
//!
//! A study multiplies work: points × replications, candidates ×
//! replications, parameters × settings. A typo (`lhs = 100000`, a range
//! with step 0.001) should fail at once with a message saying which limit
//! and by how much, not start a run that takes a month. The scenario
//! limits (`scenario::limits`: file size, replications per run, horizon,
//! trucks) apply to every scenario a study resolves, and these to the
//! study as a whole. docs/planning.md lists them, with thousands
//! separators as [`thousands`] writes them in messages (a test reads the
//! table against these constants), and docs/limits.md the rest.

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

/// `n` with thousands separators, as docs/planning.md writes the limits.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Refuses a study that would run nothing, or more work than
/// [`MAX_WORK`] replications.
pub fn work(what: &str, units: u64) -> Result<(), String> {
    if units == 0 {
        Err(format!(
            "{what} would run no point: it has nothing to simulate; check its factors and ranges"
        ))
    } else if units > MAX_WORK {
        Err(format!(
            "{what} would run {} replications in all, more than the limit of {}; use fewer points or replications",
            thousands(units),
            thousands(MAX_WORK)
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/planning.md's table of limits states these constants.
    #[test]
    fn the_documented_limits_are_these() {
        let doc = include_str!("../../docs/planning.md");
        let rows = [
            ("points of a sweep (grid or `lhs`)", MAX_POINTS as u64),
            ("factors, parameters", MAX_FACTORS as u64),
            ("values of one factor", MAX_VALUES as u64),
            (
                "replications of a whole study (points × replications)",
                MAX_WORK,
            ),
            ("decision variables of a plan", MAX_DECISIONS as u64),
            ("candidates a plan may search", MAX_SPACE),
            (
                "candidates a plan evaluates (`max_candidates`)",
                MAX_CANDIDATES as u64,
            ),
            ("constraints of a plan", MAX_CONSTRAINTS as u64),
            ("Morris trajectories", MAX_TRAJECTORIES as u64),
        ];
        for (what, limit) in rows {
            let row = format!("| {what} | {} |", thousands(limit));
            assert!(doc.contains(&row), "docs/planning.md lacks `{row}`");
        }
    }

    #[test]
    fn no_work_and_too_much_work_are_refused() {
        assert!(work("this sweep", 0).is_err_and(|e| e.contains("would run no point")));
        assert_eq!(work("this sweep", MAX_WORK), Ok(()));
        assert!(work("this sweep", MAX_WORK + 1).is_err_and(|e| e.contains("limit of 2,000,000")));
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }
}
