//! The border port, built on the engine.
//!
//! A truck arrives (walking in at its own time, or at a booked slot), waits
//! on the road while the gate is closed or the port area is full, enters,
//! visits its stages in order (skipping those it is not routed to, going
//! back on rework), pays fees and leaves. Every visit to a stage is one
//! clearance step.
//!
//! # Random sources
//!
//! Each source has its own named stream (see `engine::streams`): `arrivals`,
//! `class`, `booking`, `no-show`, `punctuality`, and per stage
//! `routing/<stage>`, `service/<stage>`, `rework/<stage>`. Every truck draws
//! its class, booking and routing at arrival whatever the scenario says, so
//! two scenarios that share a stage name share that stage's draws: the
//! basis of paired (common random numbers) comparisons.
//!
//! # What is counted
//!
//! Counts are events of the measured period (after warm-up); with the
//! trucks in the system at its two edges they balance exactly in every
//! replication (see [`Counts`]). A truck that leaves before its first
//! service (diverted, reneged, turned away) is counted where it left and
//! is not demand for any stage ([`Counts::stayed`]). Durations and costs
//! are those of the cleared trucks. Utilisation, queue lengths and the hourly profile are
//! time averages over the measured period.

pub mod ahead;
mod arrivals;
mod booking;
mod collect;
mod diversion;
mod equeue;
mod events;
mod gate;
pub mod guard;
mod initial;
mod port;
mod replication;
mod results;
mod stage;
pub mod trace;
mod truck;
mod world;

pub use replication::{Limits, simulate, simulate_from, simulate_traced, simulate_until_cancelled};
pub use results::{
    ClassResult, CostParts, Counts, EQueueResult, GateResult, HourlyProfile, PoolResult, RepResult,
    StageResult, Stopped, TimeParts, Unfinished,
};

#[cfg(test)]
mod tests;
