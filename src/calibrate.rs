//! Calibration: from a port's own truck event log to a scenario that is
//! shown to explain the port.
//!
//! A real port does not have to guess its inputs: its gate and customs
//! systems log every truck's milestones. This layer reads such a log,
//! reconstructs each truck's path through the port, estimates what a
//! scenario needs (arrivals, routing, lanes, opening hours, service
//! times), writes the calibrated scenario and sets a simulation of it
//! beside the log before anyone trusts it.
//!
//! It sits above `experiment` (it runs the calibrated scenario to
//! validate it) and below `report` (which renders its results); it reads
//! and writes files through the store layer.

pub mod fit;
pub mod hours;
pub mod interval;
pub mod lanes;
pub mod log;
pub mod routing;
pub mod arrivals;
pub mod reconstruct;
