//! Where the time goes: the time in port of the trucks that left, split
//! into the parts it was spent in, with the parts spent before reaching
//! the port beside them.
//!
//! The model measures each truck's parts as it goes (`model::TimeParts`)
//! and adds them when it leaves, so the parts are those of exactly the
//! trucks whose time in port is measured, and in every replication the
//! on-site parts' sums add up to the summed time in port, and with the
//! off-site parts to the summed door-to-exit time, tick for tick. Here each
//! part becomes a per-replication mean per truck that left (its sum over
//! the trucks that left), summarised across replications like every metric,
//! so the on-site means add up to the mean time in port (to rounding).
//!
//! * **On site:** the road queue and the gate (reaching the port to
//!   joining the first stage's queue: closed hours, a full parking), then
//!   each stage's wait and service (every visit, rework included), and the
//!   time spent before the run began when it starts from an observed state.
//! * **Off site** (with an e-queue): waiting in the e-queue, and the travel
//!   after being called forward.
//! * **Booking lead** (with appointments): booking to slot, the mean over
//!   the trucks that left having booked. It is shown apart: a truck does
//!   not spend it travelling or waiting, it is how far ahead it booked.

use super::estimate::Estimate;
use crate::engine::time::SECOND;
use crate::model::TimeParts;
use crate::scenario::Scenario;

/// One part of the time: a person's name for it and its per-replication
/// means per truck, summarised.
#[derive(Clone, Debug)]
pub struct TimePart {
    /// "road queue and gate", "customs wait", "customs service", …
    pub part: String,
    /// Its mean per truck that left in each replication, in replication
    /// order (NaN where none left), in seconds.
    pub samples: Vec<f64>,
    /// Their mean and 95% interval.
    pub estimate: Estimate,
}

/// Where the time of one group of trucks (all, or a class) went.
#[derive(Clone, Debug, Default)]
pub struct Breakdown {
    /// The parts of the time in port, in the order a truck meets them;
    /// they add up to it.
    pub on_site: Vec<TimePart>,
    /// The parts before reaching the port (e-queue waiting, travel after
    /// call-forward); empty without an e-queue. With the on-site parts
    /// they add up to the door-to-exit time.
    pub off_site: Vec<TimePart>,
    /// Booking to slot of the trucks that left having booked, with
    /// appointments: not time in port or on the way, shown apart.
    pub booking_lead: Option<TimePart>,
}

impl Breakdown {
    /// Every part, on site first, then off site, then the booking lead.
    pub fn all(&self) -> impl Iterator<Item = &TimePart> {
        self.on_site
            .iter()
            .chain(&self.off_site)
            .chain(&self.booking_lead)
    }
}

/// Per-replication values of every part, gathered as replications arrive.
#[derive(Clone, Debug, Default)]
pub struct BreakdownColumns {
    road: Vec<f64>,
    stage_wait: Vec<Vec<f64>>,
    stage_service: Vec<Vec<f64>>,
    before_start: Vec<f64>,
    equeue: Vec<f64>,
    travel: Vec<f64>,
    lead: Vec<f64>,
}

/// `sum` ticks over `count` trucks, in seconds per truck (NaN with none).
fn per_truck(sum: u128, count: u64) -> f64 {
    if count == 0 {
        f64::NAN
    } else {
        sum as f64 / SECOND as f64 / count as f64
    }
}

impl BreakdownColumns {
    /// Adds one replication's sums over its `left` trucks that left.
    pub fn push(&mut self, p: &TimeParts, left: u64) {
        let stages = p.stage_wait.len();
        if self.stage_wait.len() < stages {
            self.stage_wait.resize(stages, Vec::new());
            self.stage_service.resize(stages, Vec::new());
        }
        self.road.push(per_truck(p.road, left));
        for (col, &x) in self.stage_wait.iter_mut().zip(&p.stage_wait) {
            col.push(per_truck(x, left));
        }
        for (col, &x) in self.stage_service.iter_mut().zip(&p.stage_service) {
            col.push(per_truck(x, left));
        }
        self.before_start.push(per_truck(p.before_start, left));
        self.equeue.push(per_truck(p.equeue, left));
        self.travel.push(per_truck(p.travel, left));
        self.lead.push(per_truck(p.lead, p.booked));
    }

    /// The breakdown of `scenario`'s trucks: the parts its mechanisms can
    /// have (the warm-start part with `[initial]`, the off-site parts with
    /// `[equeue]`, the booking lead with appointments).
    pub fn finish(self, scenario: &Scenario) -> Breakdown {
        let part = |name: String, samples: Vec<f64>| TimePart {
            part: name,
            estimate: Estimate::from_samples(&samples).at_least(0.0),
            samples,
        };
        let mut on_site = vec![part("road queue and gate".into(), self.road)];
        let mut waits = self.stage_wait.into_iter();
        let mut services = self.stage_service.into_iter();
        for stage in &scenario.stages {
            let wait = waits.next().unwrap_or_default();
            let service = services.next().unwrap_or_default();
            on_site.push(part(format!("{} wait", stage.name), wait));
            on_site.push(part(format!("{} service", stage.name), service));
        }
        if scenario.initial.is_some() {
            on_site.push(part(
                "before the run began (warm start)".into(),
                self.before_start,
            ));
        }
        let off_site = if scenario.equeue.is_some() {
            vec![
                part("e-queue waiting".into(), self.equeue),
                part("travel after call-forward".into(), self.travel),
            ]
        } else {
            Vec::new()
        };
        let booking_lead = scenario
            .appointments
            .as_ref()
            .map(|_| part("booking lead".into(), self.lead));
        Breakdown {
            on_site,
            off_site,
            booking_lead,
        }
    }
}
