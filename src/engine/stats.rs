//! Streaming statistics gathered during a run.
//!
//! All of them use memory that does not grow with the number of
//! observations (an HDR histogram grows only with the logarithm of the
//! largest value), so a run's memory stays flat as its horizon grows. Each
//! supports a reset, used to delete the warm-up period: a model resets its
//! statistics when warm-up ends and everything before is forgotten.

mod buckets;
mod daily;
mod durations;
mod time_weighted;

pub use daily::DailyCounts;
pub use durations::{DurationStats, Percentiles, RawDurations};
pub use time_weighted::TimeWeighted;
