//! portsim's integration and validation suite, linked as one test binary.
//!
//! Validation modules compare the engine against independent truths:
//! queueing formulas, hand-computed cases and invariants such as Little's
//! law, with fixed seeds and tolerances derived from the run length.

#![allow(
    clippy::print_stderr,
    reason = "helpers print simulated vs analytic figures so a failure can be read"
)]

mod determinism;
mod support;
mod validation_queueing;
