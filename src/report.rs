//! Turning results into something people and programs read: a table for
//! the terminal, JSON, CSV files, a self-contained HTML page with charts
//! (and, for comparisons, the same shapes).
//!
//! One file per format. This layer renders only: it returns text and
//! bytes, and writes nothing. Files are written by the store
//! ([`crate::store::write`], [`crate::store::set`]), which also holds what
//! identifies a result ([`crate::store::identity`]).

pub mod calibrate;
pub mod csv;
pub mod days;
pub mod decide;
pub mod definitions;
pub mod findings;
pub mod format;
pub mod gate_note;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod svg;
pub mod table;
