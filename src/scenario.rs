//! Scenario files: TOML in, a validated [`Scenario`] out.
//!
//! Reading happens in two steps. The file is first deserialised into plain
//! structs that mirror it key for key, with the source span of every value;
//! then those are checked and converted into the types of [`types`], which
//! cannot hold an invalid state. Every mistake is reported with the file,
//! line and column, what was expected, and a did-you-mean for misspelt
//! keys; nothing downstream re-checks.

pub mod types;

pub use types::*;
