//! Turning results into something people and programs read: a table for
//! the terminal, JSON, CSV files (and, for comparisons, the same shapes).
//!
//! One file per format. Every file written goes through [`write`]: to a
//! temporary file in the target directory first, then renamed into place,
//! so an existing output is never truncated by a failed or interrupted run.

pub mod csv;
pub mod format;
pub mod json;
pub mod table;
pub mod write;
