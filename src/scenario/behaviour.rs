//! Demand that reacts to delay, as written: a class's `tolerance` and
//! `patience`, and the electronic queue `[equeue]` trucks wait in
//! off-site.
//!
//! These are read apart from the rest of a class because they are the
//! only class keys with distributions; how the model uses them is in
//! `model::diversion` and `model::equeue`.

use super::checks::Issues;
use super::dists::{self, Sign};
use super::raw::{RawEQueue, RawTolerance, S};
use super::types::{EQueue, Tolerance};
use crate::engine::dist::Dist;

/// A class's `tolerance = { queue = N }` or `{ wait = "6h" }` (either a
/// distribution).
pub(super) fn tolerance(issues: &mut Issues, raw: &S<RawTolerance>) -> Option<Tolerance> {
    let t = raw.get_ref();
    match (&t.queue, &t.wait) {
        (Some(_), Some(wait)) => {
            issues
                .at(
                    wait,
                    "a `tolerance` takes either `queue` or `wait`, not both",
                )
                .help(
                    "`queue` is the longest queue a truck joins, `wait` the longest expected wait",
                );
            None
        }
        (None, None) => {
            issues
                .at(raw, "a `tolerance` needs `queue` or `wait`")
                .help("like tolerance = { queue = 20 } or tolerance = { wait = \"6h\" }");
            None
        }
        (Some(queue), None) => dists::number_dist(issues, queue, "queue").map(Tolerance::Queue),
        (None, Some(wait)) => {
            dists::dist(issues, wait, "wait", Sign::NonNegative).map(Tolerance::Wait)
        }
    }
}

/// `[equeue]`.
pub(super) fn equeue(issues: &mut Issues, raw: &S<RawEQueue>) -> Option<EQueue> {
    let (e, place) = (raw.get_ref(), "in [equeue]");
    let waiting_area = e
        .waiting_area
        .as_ref()
        .map_or(Some(0), |w| issues.count(w, "waiting_area", 0));
    let call_forward = issues
        .required(&e.call_forward, "call_forward", place, Some(raw.span()))
        .and_then(|c| dists::dist(issues, c, "call_forward", Sign::NonNegative));
    let home = match &e.call_forward_home {
        Some(h) => dists::dist(issues, h, "call_forward_home", Sign::NonNegative).map(Some),
        None => Some(None),
    };
    let daily_quota = match &e.daily_quota {
        Some(q) => issues.count(q, "daily_quota", 1).map(Some),
        None => Some(None),
    };
    let priority_share = e
        .priority_share
        .as_ref()
        .map_or(Some(0.0), |p| issues.fraction(p, "priority_share"));
    let call_forward: Dist = call_forward?;
    Some(EQueue {
        waiting_area: waiting_area?,
        call_forward_home: home?.unwrap_or_else(|| call_forward.clone()),
        call_forward,
        daily_quota: daily_quota?,
        priority_share: priority_share?,
    })
}
