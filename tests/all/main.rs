//! portsim's integration and validation suite, linked as one test binary.
//!
//! Validation modules compare the engine against independent truths:
//! queueing formulas, hand-computed cases and invariants such as Little's
//! law, with fixed seeds and tolerances derived from the run length.

#![allow(
    clippy::print_stderr,
    reason = "helpers print simulated vs analytic figures so a failure can be read"
)]

mod architecture;
mod calibrate_cli;
mod calibrate_fit;
mod calibrate_html;
mod calibrate_overload;
mod calibrate_port;
mod calibrate_roundtrip;
mod check;
mod ci_formats;
mod cli_errors;
mod cli_run;
mod comparisons;
mod demand;
mod determinism;
mod docs;
mod findings;
mod forecast;
mod forecast_state;
mod fuzz_scenarios;
mod fuzz_studies;
mod gate_files;
mod honest_metrics;
mod horgos;
mod lane_rule;
mod mechanism_files;
mod messages;
mod no_ops;
mod output_sets;
mod overrides;
mod own_inputs;
mod plan_explains;
mod port_behaviour;
mod port_support;
mod readable;
mod reliability;
mod robustness;
mod run_trace;
mod scenario_files;
mod schema;
mod sensitivity;
#[cfg(feature = "serve")]
mod serve;
#[cfg(feature = "serve")]
mod serve_limits;
#[cfg(feature = "serve")]
mod serve_load;
#[cfg(feature = "serve")]
mod serve_logs;
#[cfg(feature = "serve")]
mod serve_store;
mod shard;
mod store_files;
mod study_files;
mod support;
mod sweep;
mod terminal;
mod time_breakdown;
mod usability;
mod validation_mechanisms;
mod validation_plan;
mod validation_port;
mod validation_queueing;
