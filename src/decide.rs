//! Decision support: from "what does this file give?" to "what should we
//! build or staff, and does the answer survive what we are unsure of?".
//!
//! The layer sits on top of [`experiment`](crate::experiment): it never
//! touches the model's internals, only runs scenarios (resolved with
//! [`Override`](crate::scenario::Override)s, the same mechanism as
//! `--set`) and reads their metrics through one adapter, [`metrics`].
//! Every study keeps common random numbers: replication `i` of every
//! point, candidate or setting uses the streams of `(seed, i)`, which
//! never depend on the point, so differences between points come from the
//! points, not from luck.
//!
//! * [`precision`]: replications added, in a fixed order, until the
//!   confidence intervals of chosen metrics are as narrow as asked;
//! * [`points`]: the engine every study shares: a list of points (sets of
//!   overrides) in, per-point [`samples`] out, in a documented order of
//!   work units `(point, replication)`, resumable through [`cache`];
//! * [`sweep`]: factors (values, ranges, a Latin hypercube) → points;
//! * [`plan`]: least-cost capacity with constraints on metrics, decided
//!   with a stated statistical guarantee ([`verdict`]);
//! * [`sensitivity`]: one-at-a-time swings (a tornado) and Morris
//!   screening of uncertain parameters.
//!
//! The files that describe studies share a header ([`file`](mod@file)) and the
//! scenario reader's located diagnostics; [`limits`] caps what they may
//! ask for; [`identity`] keys a study's results. Rendering lives in [`report::decide`](crate::report::decide),
//! the command line in `cli`.

pub mod cache;
pub mod error;
pub mod file;
pub mod identity;
pub mod limits;
pub mod metrics;
pub mod morris;
pub mod plan;
pub mod points;
pub mod precision;
pub mod require;
pub mod runner;
pub mod samples;
pub mod schema;
pub mod schema_types;
pub mod sensitivity;
pub mod sweep;
pub mod values;
pub mod verdict;

pub use error::DecideError;
