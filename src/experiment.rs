//! Running models many times and summarising what they say.
//!
//! One run of a stochastic model is one sample; a decision needs the mean
//! over many independent replications and an honest interval around it.
//! This module runs replications in parallel and turns per-replication
//! values into estimates with Student-t confidence intervals.

pub mod attribution;
pub mod baseline;
pub mod breakdown;
pub mod compare;
pub mod digest;
pub mod estimate;
pub mod factorial;
pub mod findings;
pub mod gate;
pub mod labels;
pub mod replications;
pub mod run;
pub mod stability;
pub mod summary;
pub mod unlike;
