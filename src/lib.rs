//! portsim: a discrete-event simulator of truck clearance at land border
//! ports.
//!
//! The crate is layered so that each layer only knows the ones below it:
//!
//! * [`engine`]: the domain-free discrete-event core (time, events, random
//!   streams, distributions, resources, calendars, statistics);
//! * [`store`]: beside the engine, the mechanics of every file written or
//!   read back (reading rule, atomic writes, output sets, the web app's
//!   confined and sealed store) and what identifies a result;
//! * [`scenario`]: scenario files read into validated types;
//! * [`experiment`]: replications in parallel and confidence intervals;
//! * [`decide`]: decision support on top of experiments (overrides,
//!   sweeps, capacity plans, sensitivity, replications by precision);
//! * [`shard`]: a run split over many machines (job arrays) and merged.
//! * `serve` (the `serve` feature, on by default): the local web app on
//!   top of all of them, the only place tokio and axum are used.
//!
//! See `ARCHITECTURE.md` for the map and the invariants.

pub mod calibrate;
pub mod cli;
pub mod decide;
pub mod engine;
pub mod experiment;
pub mod forecast;
pub mod model;
pub mod report;
pub mod scenario;
#[cfg(feature = "serve")]
pub mod serve;
pub mod shard;
pub mod store;
