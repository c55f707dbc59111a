//! The port's event handlers: arrivals, the gate, stages, departures.
//!
//! The gate is a [`Pool`] whose servers are parking places: a truck holds
//! one from entering the port area until it leaves, the pool's queue is the
//! road queue, and its capacity is the parking size while the gate is open
//! and zero while it is closed (trucks inside stay). Each stage is a pool
//! of lanes whose capacity follows the stage's calendar, or drops to zero
//! for the rest of the day once its daily limit is reached. Entering the
//! port is a separate zero-delay event, so a long road queue admitted at
//! once never recurses.

use rand::RngExt;
use slab::Slab;

use super::arrivals::ArrivalGen;
use super::booking::SlotBook;
use super::results::{ClassResult, HourlyProfile, RepResult, Runaway, StageResult};
use crate::engine::dist::{DistError, Sampler};
use crate::engine::pool::{Discipline, Pool};
use crate::engine::sim::{Model, Scheduler};
use crate::engine::stats::{DailyCounts, DurationStats, TimeWeighted};
use crate::engine::streams::{Rng, Streams};
use crate::engine::time::{DAY, HOUR, SECOND, Span, Time, ticks};
use crate::scenario::Scenario;

/// Guards against runaway replications.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Stop a replication when more trucks than this are in the system
    /// (road, port and booked-but-not-arrived).
    pub max_in_system: u64,
    /// Stop a replication early when, with an unbounded road queue, the
    /// trucks in the system grow steadily day after day (see [`Trend`]).
    pub trend: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_in_system: 1_000_000,
            trend: true,
        }
    }
}

/// Days of daily censuses the trend test looks at.
const TREND_DAYS: usize = 14;

/// A trend test on the trucks in the system, counted at each midnight.
///
/// With an unbounded road queue and more demand than capacity, the
/// backlog grows linearly and never settles. The test fits a line to the
/// last fourteen midnight counts and calls it a runaway when the slope is
/// large (at least 100 trucks a day, so at least 1,300 more trucks over the
/// window) and clearly not noise (t-statistic above 10, which a stable
/// queue's day-to-day wander does not reach). It never fires with a bounded
/// road queue, whose backlog cannot grow without limit.
#[derive(Clone, Debug, Default)]
pub struct Trend {
    counts: [f64; TREND_DAYS],
    seen: usize,
}

impl Trend {
    /// Records a midnight count; returns the growth per day if the last
    /// fourteen counts show a runaway.
    pub fn record(&mut self, in_system: u64) -> Option<f64> {
        self.counts[self.seen % TREND_DAYS] = in_system as f64;
        self.seen += 1;
        if self.seen < TREND_DAYS {
            return None;
        }
        // Oldest first.
        let y: Vec<f64> = (0..TREND_DAYS)
            .map(|i| self.counts[(self.seen + i) % TREND_DAYS])
            .collect();
        let n = TREND_DAYS as f64;
        let x_mean = (n - 1.0) / 2.0;
        let y_mean = y.iter().sum::<f64>() / n;
        let sxx: f64 = (0..TREND_DAYS).map(|i| (i as f64 - x_mean).powi(2)).sum();
        let sxy: f64 = y
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64 - x_mean) * (v - y_mean))
            .sum();
        let slope = sxy / sxx;
        let residual: f64 = y
            .iter()
            .enumerate()
            .map(|(i, v)| (v - y_mean - slope * (i as f64 - x_mean)).powi(2))
            .sum();
        let se = (residual / (n - 2.0) / sxx).sqrt();
        let t = if se > 0.0 { slope / se } else { f64::INFINITY };
        (slope >= 100.0 && t > 10.0).then_some(slope)
    }
}

#[derive(Clone, Copy, Debug)]
enum Event {
    /// The arrival process fires.
    Arrival,
    /// A booked truck shows up.
    Show(u32),
    /// A truck admitted by the gate enters the port area.
    Enter(u32),
    /// A stage finishes serving a truck.
    Done { stage: u16, truck: u32 },
    /// A stage's lane calendar changes.
    StageCalendar(u16),
    /// The gate's calendar changes.
    GateCalendar,
    /// Midnight: daily limits start afresh.
    Midnight,
    /// An hour boundary, for the hour-of-day profile.
    Hour,
    /// Warm-up ends: statistics start.
    WarmupEnd,
}

#[derive(Clone, Copy, Debug)]
struct Truck {
    class: u8,
    booked: bool,
    /// Arrived after warm-up, so counted.
    cohort: bool,
    arrived: Time,
    queued: Time,
    service: Span,
    fees: f64,
    steps: u32,
    routing: u64,
    /// Booked but will not come: dropped at its slot time.
    no_show: bool,
}

struct Stage {
    pool: Pool<u32>,
    service: Sampler,
    service_rng: Rng,
    routing_rng: Rng,
    rework_rng: Rng,
    wait: DurationStats,
    visits: u64,
    calendar_value: u32,
    started_today: u32,
    limited: bool,
}

struct Port<'a> {
    scenario: &'a Scenario,
    arrivals: ArrivalGen,
    class_rng: Rng,
    booking_rng: Rng,
    no_show_rng: Rng,
    punctuality_rng: Rng,
    punctuality: Option<Sampler>,
    slots: Option<SlotBook>,
    gate: Pool<u32>,
    stages: Vec<Stage>,
    trucks: Slab<Truck>,
    /// Trucks waiting on the road or in a stage queue.
    waiting: TimeWeighted,
    measured: bool,
    all: ClassResult,
    classes: Vec<ClassResult>,
    cohort_in_system: Vec<u64>,
    daily: DailyCounts,
    hourly: HourlyProfile,
    hour_mark: Time,
    hour_area: f64,
    peak_in_system: u64,
    trend: Option<Trend>,
    /// Set when the trend test says the backlog runs away.
    runaway_growth: Option<f64>,
}

impl Port<'_> {
    fn priority(&self, truck: &Truck) -> i32 {
        let class = self.scenario.classes[usize::from(truck.class)].priority;
        let booked_first = self
            .scenario
            .appointments
            .as_ref()
            .is_some_and(|a| a.priority);
        class.saturating_mul(2) + i32::from(booked_first && truck.booked)
    }

    fn waiting_changed(&mut self, now: Time, delta: i64) {
        let value = self.waiting.value().saturating_add_signed(delta);
        self.waiting.set(now, value);
    }

    fn on_arrival(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if let Some(next) = self.arrivals.next(now) {
            sched.schedule_at(next, Event::Arrival);
        }
        // Every truck draws class, booking and routing, whatever the
        // scenario, so these streams stay aligned across scenarios.
        let u: f64 = self.class_rng.random();
        let mut class = self.scenario.classes.len() - 1;
        let mut cumulative = 0.0;
        for (i, c) in self.scenario.classes.iter().enumerate() {
            cumulative += c.share;
            if u < cumulative {
                class = i;
                break;
            }
        }
        let wants_booking: f64 = self.booking_rng.random();
        let mut routing = 0u64;
        for (s, stage) in self.stages.iter_mut().enumerate() {
            let u: f64 = stage.routing_rng.random();
            if u < self.scenario.stages[s].share[class] {
                routing |= 1 << s;
            }
        }
        let mut truck = Truck {
            class: class as u8,
            booked: false,
            cohort: false,
            arrived: now,
            queued: now,
            service: 0,
            fees: 0.0,
            steps: 0,
            routing,
            no_show: false,
        };
        let slot = match (&self.scenario.appointments, &mut self.slots) {
            (Some(appointments), Some(book)) if wants_booking < appointments.share => {
                book.book(now)
            }
            _ => None,
        };
        let Some(slot) = slot else {
            let id = self.trucks.insert(truck) as u32;
            self.arrive(id, sched);
            return;
        };
        truck.booked = true;
        let no_show_p = self
            .scenario
            .appointments
            .as_ref()
            .map_or(0.0, |a| a.no_show);
        truck.no_show = self.no_show_rng.random::<f64>() < no_show_p;
        let offset = self
            .punctuality
            .as_ref()
            .map_or(0.0, |p| p.sample_offset(&mut self.punctuality_rng));
        // A no-show is dropped at its slot's start, so it is counted in the
        // same period as the trucks that did come.
        let at = if truck.no_show {
            slot as f64
        } else {
            (slot as f64 + offset).max(now as f64)
        };
        let id = self.trucks.insert(truck) as u32;
        sched.schedule_at(ticks(at), Event::Show(id));
    }

    /// A booked truck's time has come: it arrives, or it is a no-show.
    fn show(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        match self.trucks.get(id as usize) {
            Some(truck) if truck.no_show => {
                let class = usize::from(truck.class);
                if self.measured {
                    self.all.counts.no_shows += 1;
                    self.classes[class].counts.no_shows += 1;
                }
                self.trucks.remove(id as usize);
            }
            Some(_) => self.arrive(id, sched),
            None => {}
        }
    }

    /// Truck `id` reaches the port: enters, queues on the road, or leaves.
    fn arrive(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.trucks.get_mut(id as usize) else {
            return;
        };
        truck.arrived = now;
        truck.cohort = self.measured;
        let truck = *truck;
        let class = usize::from(truck.class);
        if truck.cohort {
            for counts in [&mut self.all.counts, &mut self.classes[class].counts] {
                counts.arrived += 1;
                counts.booked += u64::from(truck.booked);
            }
            self.cohort_in_system[class] += 1;
            self.hourly.arrivals[hour_of_day(now)] += 1;
        }
        let must_queue = self.gate.waiting() > 0 || self.gate.busy() >= self.gate.capacity();
        let road_full = self
            .scenario
            .port
            .road_queue
            .is_some_and(|cap| self.gate.waiting() >= cap as usize);
        if must_queue && road_full {
            if truck.cohort {
                self.all.counts.turned_away += 1;
                self.classes[class].counts.turned_away += 1;
                self.cohort_in_system[class] -= 1;
            }
            self.trucks.remove(id as usize);
            return;
        }
        let priority = self.priority(&truck);
        match self.gate.request(now, id, priority) {
            Some(id) => self.advance(id, 0, sched),
            None => self.waiting_changed(now, 1),
        }
    }

    /// Sends truck `id` to its first routed stage at or after `from`, or out.
    fn advance(&mut self, id: u32, from: usize, sched: &mut Scheduler<Event>) {
        let Some(truck) = self.trucks.get(id as usize) else {
            return;
        };
        let next = (from..self.stages.len()).find(|&s| truck.routing >> s & 1 == 1);
        let Some(s) = next else {
            self.depart(id, sched);
            return;
        };
        self.join(s, id, sched);
    }

    /// Truck `id` joins the queue of stage `s`.
    fn join(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(truck) = self.trucks.get_mut(id as usize) else {
            return;
        };
        truck.queued = now;
        let truck = *truck;
        let priority = self.priority(&truck);
        match self.stages[s].pool.request(now, id, priority) {
            Some(id) => self.start(s, id, sched),
            None => self.waiting_changed(now, 1),
        }
    }

    fn start(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let stage = &mut self.stages[s];
        let service = ticks(stage.service.sample(&mut stage.service_rng));
        if let Some(truck) = self.trucks.get_mut(id as usize) {
            stage.wait.record(now - truck.queued);
            truck.service += service;
        }
        stage.started_today += 1;
        if let Some(limit) = self.scenario.stages[s].daily_limit
            && stage.started_today >= limit
        {
            stage.limited = true;
            stage.pool.set_capacity(now, 0);
        }
        sched.schedule_in(
            service,
            Event::Done {
                stage: s as u16,
                truck: id,
            },
        );
    }

    /// Starts waiting trucks on free lanes of stage `s`.
    fn fill_lanes(&mut self, s: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        while let Some(id) = self.stages[s].pool.start_next(now) {
            self.waiting_changed(now, -1);
            self.start(s, id, sched);
        }
    }

    fn on_done(&mut self, s: usize, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if let Some(next) = self.stages[s].pool.release(now) {
            self.waiting_changed(now, -1);
            self.start(s, next, sched);
        }
        let spec = &self.scenario.stages[s];
        if self.measured {
            self.stages[s].visits += 1;
        }
        if let Some(truck) = self.trucks.get_mut(id as usize) {
            truck.steps += 1;
            truck.fees += spec.fee;
        }
        if let Some(rework) = &spec.rework {
            let u: f64 = self.stages[s].rework_rng.random();
            if u < rework.probability {
                // Sent back: the truck visits the rework stage whatever its
                // routing, then carries on from there as routed.
                self.join(rework.to, id, sched);
                return;
            }
        }
        self.advance(id, s + 1, sched);
    }

    fn depart(&mut self, id: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        if let Some(next) = self.gate.release(now) {
            self.waiting_changed(now, -1);
            sched.schedule_in(0, Event::Enter(next));
        }
        if !self.trucks.contains(id as usize) {
            return;
        }
        let truck = self.trucks.remove(id as usize);
        if self.measured {
            self.daily.record(now);
            self.hourly.departures[hour_of_day(now)] += 1;
        }
        if !truck.cohort {
            return;
        }
        let class = usize::from(truck.class);
        self.cohort_in_system[class] -= 1;
        let time = now - truck.arrived;
        let costs = &self.scenario.costs;
        let nights = (now / DAY - truck.arrived / DAY) as f64;
        let cost = truck.fees
            + costs.per_truck
            + costs.per_hour * time as f64 / HOUR as f64
            + costs.overnight * nights;
        for result in [&mut self.all, &mut self.classes[class]] {
            result.counts.cleared += 1;
            result.time_in_port.record(time);
            result.wait.record(time.saturating_sub(truck.service));
            result.steps += u64::from(truck.steps);
            result.cost += cost;
        }
    }

    fn on_gate_calendar(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let port = &self.scenario.port;
        let open = port.open.value_at(now) > 0;
        let capacity = if open {
            port.parking.unwrap_or(u32::MAX)
        } else {
            0
        };
        self.gate.set_capacity(now, capacity);
        while let Some(id) = self.gate.start_next(now) {
            self.waiting_changed(now, -1);
            sched.schedule_in(0, Event::Enter(id));
        }
        if let Some(next) = port.open.next_change(now) {
            sched.schedule_at(next, Event::GateCalendar);
        }
    }

    fn on_stage_calendar(&mut self, s: usize, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let calendar = &self.scenario.stages[s].capacity;
        let value = calendar.value_at(now);
        let next = calendar.next_change(now);
        let stage = &mut self.stages[s];
        stage.calendar_value = value;
        if !stage.limited {
            stage.pool.set_capacity(now, value);
            self.fill_lanes(s, sched);
        }
        if let Some(next) = next {
            sched.schedule_at(next, Event::StageCalendar(s as u16));
        }
    }

    fn on_midnight(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        for s in 0..self.stages.len() {
            let stage = &mut self.stages[s];
            stage.started_today = 0;
            if stage.limited {
                stage.limited = false;
                stage.pool.set_capacity(now, stage.calendar_value);
                self.fill_lanes(s, sched);
            }
        }
        sched.schedule_in(DAY, Event::Midnight);
    }

    /// Adds the waiting area since the last mark to the hour it fell in.
    fn close_hour(&mut self, now: Time) {
        if self.measured && now > self.hour_mark {
            let area = self.waiting.area(now);
            let hour = hour_of_day(self.hour_mark);
            self.hourly.waiting_area[hour] += area - self.hour_area;
            self.hourly.ticks[hour] += now - self.hour_mark;
        }
        self.hour_mark = now;
        self.hour_area = self.waiting.area(now);
    }

    fn on_warmup_end(&mut self, now: Time) {
        // Close the warm-up's partial hour while still unmeasured: it is
        // dropped, and the profile starts at `now`.
        self.close_hour(now);
        self.measured = true;
        for stage in &mut self.stages {
            stage.pool.reset_stats(now);
            stage.wait.reset();
            stage.visits = 0;
        }
    }

    fn runaway(&self, now: Time) -> Runaway {
        let (stage, queue) = self
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.pool.waiting()))
            .max_by_key(|&(i, q)| (q, std::cmp::Reverse(i)))
            .map_or((String::new(), 0), |(i, q)| {
                (self.scenario.stages[i].name.clone(), q as u64)
            });
        let reason = match self.runaway_growth {
            Some(slope) => format!(
                "the trucks in the system grew by {slope:.0} a day over the last {TREND_DAYS} days"
            ),
            None => "more trucks in the system than the limit".to_owned(),
        };
        Runaway {
            reason,
            at: now,
            in_system: self.trucks.len() as u64,
            stage,
            stage_queue: queue,
            road_queue: self.gate.waiting() as u64,
        }
    }
}

impl Model for Port<'_> {
    type Event = Event;

    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        match event {
            Event::Arrival => self.on_arrival(sched),
            Event::Show(id) => self.show(id, sched),
            Event::Enter(id) => self.advance(id, 0, sched),
            Event::Done { stage, truck } => self.on_done(usize::from(stage), truck, sched),
            Event::StageCalendar(s) => self.on_stage_calendar(usize::from(s), sched),
            Event::GateCalendar => self.on_gate_calendar(sched),
            Event::Midnight => self.on_midnight(sched),
            Event::Hour => {
                if hour_of_day(now) == 0
                    && let Some(trend) = &mut self.trend
                {
                    self.runaway_growth = trend.record(self.trucks.len() as u64);
                }
                self.close_hour(now);
                sched.schedule_in(HOUR, Event::Hour);
            }
            Event::WarmupEnd => self.on_warmup_end(now),
        }
        self.peak_in_system = self.peak_in_system.max(self.trucks.len() as u64);
    }
}

fn hour_of_day(t: Time) -> usize {
    ((t % DAY) / HOUR) as usize
}

/// Runs replication `replication` of `scenario`.
pub fn simulate(
    scenario: &Scenario,
    replication: u64,
    limits: &Limits,
) -> Result<RepResult, DistError> {
    let streams = Streams::new(scenario.seed, replication);
    let stages = scenario
        .stages
        .iter()
        .map(|spec| {
            Ok(Stage {
                pool: Pool::new(0, spec.discipline, 0),
                service: spec.service.sampler()?,
                service_rng: streams.stream(&format!("service/{}", spec.name)),
                routing_rng: streams.stream(&format!("routing/{}", spec.name)),
                rework_rng: streams.stream(&format!("rework/{}", spec.name)),
                wait: DurationStats::new(SECOND),
                visits: 0,
                calendar_value: 0,
                started_today: 0,
                limited: false,
            })
        })
        .collect::<Result<Vec<_>, DistError>>()?;
    let appointments = scenario.appointments.as_ref();
    let gate_discipline = if appointments.is_some_and(|a| a.priority) {
        Discipline::Priority
    } else {
        Discipline::Fifo
    };
    let mut port = Port {
        scenario,
        arrivals: ArrivalGen::new(
            &scenario.arrivals,
            scenario.start,
            streams.stream("arrivals"),
        )?,
        class_rng: streams.stream("class"),
        booking_rng: streams.stream("booking"),
        no_show_rng: streams.stream("no-show"),
        punctuality_rng: streams.stream("punctuality"),
        punctuality: appointments.map(|a| a.punctuality.sampler()).transpose()?,
        slots: appointments.map(|a| SlotBook::new(a.slot, a.capacity, a.hours.clone())),
        gate: Pool::new(0, gate_discipline, 0),
        stages,
        trucks: Slab::with_capacity(1024),
        waiting: TimeWeighted::new(0, 0),
        measured: scenario.warmup == 0,
        all: ClassResult::new(),
        classes: scenario
            .classes
            .iter()
            .map(|_| ClassResult::new())
            .collect(),
        cohort_in_system: vec![0; scenario.classes.len()],
        daily: DailyCounts::new(scenario.warmup),
        hourly: HourlyProfile::default(),
        hour_mark: 0,
        hour_area: 0.0,
        peak_in_system: 0,
        trend: (limits.trend && scenario.port.road_queue.is_none()).then(Trend::default),
        runaway_growth: None,
    };
    let mut sched = Scheduler::new();
    // Calendars first, so lanes are on duty before the first truck at t = 0.
    sched.schedule_at(0, Event::GateCalendar);
    for s in 0..scenario.stages.len() {
        sched.schedule_at(0, Event::StageCalendar(s as u16));
    }
    if scenario.stages.iter().any(|s| s.daily_limit.is_some()) {
        sched.schedule_at(DAY, Event::Midnight);
    }
    sched.schedule_at(HOUR, Event::Hour);
    if scenario.warmup > 0 {
        sched.schedule_at(scenario.warmup, Event::WarmupEnd);
    }
    if let Some(first) = port.arrivals.next(0) {
        sched.schedule_at(first, Event::Arrival);
    }
    // The measured period is [warmup, end): an event exactly at the end
    // belongs to the next period, so a 24 h window with hourly arrivals
    // counts 24, not 25. Ticks are integers, so "before end" is "at or
    // before end - 1".
    let end = scenario.warmup.saturating_add(scenario.horizon);
    let max = limits.max_in_system;
    let finished = sched.run_while(&mut port, end.saturating_sub(1), |p, _| {
        (p.trucks.len() as u64) <= max && p.runaway_growth.is_none()
    });
    let stopped_at = if finished { end } else { sched.now().min(end) };
    let runaway = (!finished).then(|| port.runaway(stopped_at));
    port.close_hour(stopped_at);

    for (class, result) in port.classes.iter_mut().enumerate() {
        result.counts.backlog = port.cohort_in_system[class];
        port.all.counts.backlog += port.cohort_in_system[class];
    }
    let measured = stopped_at.saturating_sub(scenario.warmup);
    let days = measured as f64 / DAY as f64;
    Ok(RepResult {
        stages: port
            .stages
            .into_iter()
            .map(|s| StageResult {
                visits: s.visits,
                utilization: s.pool.utilization(stopped_at),
                mean_queue_len: s.pool.mean_queue_len(stopped_at),
                wait: s.wait,
            })
            .collect(),
        all: port.all,
        classes: port.classes,
        daily_departures: port.daily.counts(measured.div_ceil(DAY) as usize),
        hourly: port.hourly,
        days,
        events: sched.events_processed(),
        peak_in_system: port.peak_in_system,
        runaway,
    })
}
