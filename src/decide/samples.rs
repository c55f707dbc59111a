//! What one point of a study measured: per metric, one value per
//! replication, in replication order.
//!
//! The shared engine (`points`) produces these, the cache of finished
//! points (`cache`) keeps and reads them back, and every study and report
//! reads them. They sit here, below both the engine and the cache, so
//! that neither imports the other for them.

use std::collections::BTreeMap;

use super::metrics::{self, MetricKey};
use crate::experiment::estimate::Estimate;

/// What one point measured: per metric, one value per replication.
#[derive(Clone, Debug, PartialEq)]
pub struct Samples {
    /// The point's scenario hash.
    pub hash: String,
    /// Replications run.
    pub replications: u64,
    /// Per metric (every [`MetricKey`]), in replication order; NaN where a
    /// replication had no value.
    pub values: BTreeMap<MetricKey, Vec<f64>>,
    /// Replications stopped because trucks piled up.
    pub runaways: Vec<u64>,
}

impl Samples {
    /// The values of `key` (empty if not measured).
    pub fn of(&self, key: &MetricKey) -> &[f64] {
        self.values.get(key).map_or(&[], Vec::as_slice)
    }

    /// The mean and 95% interval of `key`, as a run reports it.
    pub fn estimate(&self, key: &MetricKey) -> Estimate {
        metrics::estimate(self.of(key))
    }

    /// `other − self` of `key`, replication by replication (paired by
    /// index: common random numbers).
    pub fn difference(&self, other: &Samples, key: &MetricKey) -> Vec<f64> {
        self.of(key)
            .iter()
            .zip(other.of(key))
            .map(|(a, b)| b - a)
            .collect()
    }
}
