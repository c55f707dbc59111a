//! Turning results into something people and programs read: a table for
//! the terminal, JSON, CSV files, a self-contained HTML page with charts
//! (and, for comparisons, the same shapes).
//!
//! One file per format. Every file written goes through [`mod@write`]: to a
//! temporary file in the target directory first, then renamed into place,
//! so an existing output is never truncated by a failed or interrupted run,
//! and never a device, pipe or link replaced by a plain file. The files of
//! `--out DIR` go through [`set`], which writes them as one whole set with
//! a manifest (their hashes and the [`run_id`]) written last.

pub mod csv;
pub mod days;
pub mod decide;
pub mod definitions;
pub mod format;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod run_id;
pub mod set;
pub mod svg;
pub mod table;
pub mod write;
