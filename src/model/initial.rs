//! A warm start: the run begins from an observed state (today's queue)
//! rather than from an empty port.
//!
//! At time zero, after the calendars, the trucks of `[initial]` take their
//! places: first those at stages (in service, then queued), then those in
//! the parking waiting for their first stage, then those on the road. Each
//! is a truck of a class drawn by the class shares, with routing drawn as
//! for any truck, from the stream `initial` (so no existing draw moves);
//! a truck at a stage is routed to that stage whatever its draws. Every one
//! takes a parking place as it is placed; if the parking is smaller than
//! the trucks said to be inside, the rest wait on the road. A truck "in
//! service" starts a full service time at time zero (exact for exponential
//! service, an approximation otherwise), and one that cannot get a lane
//! waits for one. The time each had already spent (`waited`) is added to
//! its time in port and its wait when it leaves.

use rand::RngExt;

use super::port::{Event, Port};
use super::truck::{Place, Truck, Waiting};
use crate::engine::sim::Scheduler;
use crate::engine::time::Span;

impl Port<'_> {
    /// Places the trucks of the observed starting state.
    #[inline(never)] // rare: keeps the per-event dispatch lean
    pub(super) fn place_initial(&mut self, sched: &mut Scheduler<Event>) {
        let Some(initial) = self.scenario.initial.clone() else {
            return;
        };
        for at in &initial.stages {
            for _ in 0..at.in_service + at.queued {
                if let Some(id) = self.initial_truck(Some(at.stage), at.waited, sched) {
                    self.join(at.stage, id, sched);
                }
            }
        }
        for _ in 0..initial.parking {
            if let Some(id) = self.initial_truck(None, initial.waited, sched) {
                self.advance_initial(id, sched);
            }
        }
        // Road trucks arrive at the gate like any other, minus the choice.
        for _ in 0..initial.road {
            self.initial_road(initial.waited, sched);
        }
    }

    /// A truck of the starting state, at the port; when `stage` is given it
    /// is routed there. Returns it once it holds a parking place; one that
    /// finds the parking full waits on the road instead (and `None`).
    fn initial_truck(
        &mut self,
        stage: Option<usize>,
        waited: Span,
        sched: &mut Scheduler<Event>,
    ) -> Option<u32> {
        let now = sched.now();
        let id = self.new_initial(stage, waited, now);
        let truck = self.trucks.get(id as usize).copied()?;
        let e = usize::from(truck.entrance);
        match self.gates[e].request(now, id, truck.prio) {
            Some(id) => Some(id),
            None => {
                self.waiting_changed(now, 1);
                self.gates[e].road_changed(now);
                self.wait_in(id, Waiting::Gate(e as u8), sched);
                None
            }
        }
    }

    fn initial_road(&mut self, waited: Span, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let id = self.new_initial(None, waited, now);
        let Some(truck) = self.trucks.get(id as usize).copied() else {
            return;
        };
        let e = usize::from(truck.entrance);
        match self.gates[e].request(now, id, truck.prio) {
            Some(id) => self.advance_initial(id, sched),
            None => {
                self.waiting_changed(now, 1);
                self.gates[e].road_changed(now);
                self.wait_in(id, Waiting::Gate(e as u8), sched);
            }
        }
    }

    /// Sends an admitted starting truck on along its route.
    fn advance_initial(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        sched.schedule_in(0, Event::Enter(id));
    }

    /// Creates a starting truck and counts it as at the port.
    fn new_initial(&mut self, stage: Option<usize>, waited: Span, now: u64) -> u32 {
        let u: f64 = self.initial_rng.random();
        let class = self.class_of(u);
        let mut routing = 0u64;
        for (s, spec) in self.scenario.stages.iter().enumerate() {
            let u: f64 = self.initial_rng.random();
            if u < spec.share[class] {
                routing |= 1 << s;
            }
        }
        if let Some(s) = stage {
            routing |= 1 << s;
        }
        let entrance = self.scenario.classes[class].entrance;
        let prio = self.priority_of(class, false);
        let mut truck = Truck::new(class, entrance, prio, routing, now);
        truck.place = Place::Port;
        truck.age0 = waited;
        self.in_port[class] += 1;
        if self.measured {
            // A run without warm-up measures from time zero: these trucks
            // are there when the window opens.
            self.count(class, |c| c.in_port_start += 1);
        }
        self.trucks.insert(truck) as u32
    }
}
