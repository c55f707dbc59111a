//! The hours after a forecast's origin, as one replication lived them.
//!
//! A run from a given state (`replication::simulate_from`) watches the
//! hours that follow its origin: hour `k` covers `[origin + k h, origin +
//! (k + 1) h)`. For each it counts the trucks that reached the port and
//! those that left it cleared, reads at the hour's end the trucks at the
//! port (road included) and each stage's queue, and keeps the time in port
//! of the trucks that *arrived* in the hour (their sum and number; their
//! mean is the replication's figure). The trucks of the starting state are
//! in the counts at the port but never in an hour's arrivals or times.
//!
//! The watch is passive: it draws nothing and schedules nothing but its
//! hour marks, so a run's events are the same with or without it.

use crate::engine::time::{HOUR, Time, seconds};

/// One hour after the origin, in one replication.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hour {
    /// Trucks that reached the port in the hour.
    pub arrivals: u32,
    /// Trucks that left the port cleared in the hour.
    pub departures: u32,
    /// Trucks at the port at the hour's end, road included.
    pub in_port: u32,
    /// Each stage's queue at the hour's end (waiting, not in service).
    pub queued: Vec<u32>,
    /// The time in port of the trucks that arrived in the hour and have
    /// left (or were still there when the run stopped, counted to then),
    /// in seconds: their sum.
    pub time_in_port_s: f64,
    /// How many trucks `time_in_port_s` sums.
    pub time_in_port_n: u32,
}

impl Hour {
    /// The mean time in port of the hour's arrivals, NaN when none came.
    pub fn mean_time_in_port_s(&self) -> f64 {
        if self.time_in_port_n == 0 {
            f64::NAN
        } else {
            self.time_in_port_s / f64::from(self.time_in_port_n)
        }
    }
}

/// What a replication run from a state saw, hour by hour.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ahead {
    /// Hour `k` after the origin, in order.
    pub hours: Vec<Hour>,
    /// Arrivals of the window still at the port when the run stopped
    /// (their time in port counted to the stop: a lower bound).
    pub unfinished: u32,
    /// Stopped by the runaway guard: its hours are incomplete and belong
    /// in no figure.
    pub stopped: bool,
}

/// The watch a run from a state keeps.
#[derive(Clone, Debug)]
pub(super) struct Watch {
    pub origin: Time,
    pub end: Time,
    pub ahead: Ahead,
}

impl Watch {
    pub fn new(origin: Time, hours: usize, stages: usize) -> Watch {
        Watch {
            origin,
            end: origin + hours as Time * HOUR,
            ahead: Ahead {
                hours: vec![
                    Hour {
                        queued: vec![0; stages],
                        ..Hour::default()
                    };
                    hours
                ],
                unfinished: 0,
                stopped: false,
            },
        }
    }

    /// The hour `t` falls in, if it is in the window.
    #[inline]
    pub fn hour_of(&self, t: Time) -> Option<usize> {
        (t >= self.origin && t < self.end).then(|| ((t - self.origin) / HOUR) as usize)
    }

    /// A truck reached the port at `now`; whether it is one the watch
    /// follows (arrived in the window).
    #[inline]
    pub fn arrival(&mut self, now: Time) -> bool {
        match self.hour_of(now) {
            Some(k) => {
                self.ahead.hours[k].arrivals += 1;
                true
            }
            None => false,
        }
    }

    /// A truck that arrived at `arrived` (followed or not) left cleared at
    /// `now`.
    #[inline]
    pub fn departure(&mut self, now: Time, arrived: Time, followed: bool) {
        if let Some(k) = self.hour_of(now) {
            self.ahead.hours[k].departures += 1;
        }
        if followed {
            self.time_in_port(now, arrived);
        }
    }

    /// A followed truck that arrived at `arrived` has been in port until
    /// `now` (it left cleared, or the run stopped with it there).
    #[inline]
    pub fn time_in_port(&mut self, now: Time, arrived: Time) {
        if let Some(k) = self.hour_of(arrived) {
            let h = &mut self.ahead.hours[k];
            h.time_in_port_s += seconds(now - arrived);
            h.time_in_port_n += 1;
        }
    }
}
