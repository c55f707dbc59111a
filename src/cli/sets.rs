//! `--set KEY=VALUE` arguments read into overrides, for every command
//! that takes them (`run`, `compare`, `check` and the studies): every
//! malformed one is reported, not just the first.
//!
//! The running commands' flags (`run`) and the studies' (`study`) both
//! read them here, below both, so that neither imports the other.

use super::Failure;
use crate::scenario::Override;

/// Reads `--set` arguments; every malformed one is reported.
pub fn parse_sets(sets: &[String]) -> Result<Vec<Override>, Failure> {
    let mut list = Vec::with_capacity(sets.len());
    let mut errors = Vec::new();
    for arg in sets {
        match Override::parse(arg) {
            Ok(o) => list.push(o),
            Err(d) => errors.push(d.render()),
        }
    }
    if errors.is_empty() {
        Ok(list)
    } else {
        Err(Failure::User(errors.join("\n\n")))
    }
}
