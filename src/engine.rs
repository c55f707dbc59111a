//! The domain-free discrete-event core.
//!
//! Everything a port model needs to run, and nothing about ports: simulated
//! time, the future-event set, named random streams, probability
//! distributions, multi-server resources whose capacity follows a weekly
//! calendar, and streaming statistics. The engine never touches files, the
//! network or an async runtime; models drive it synchronously.
//!
//! # Guarantees
//!
//! * **Exact, reproducible time.** Simulated time is an integer number of
//!   milliseconds ([`time::Time`]). There is no floating-point accumulation
//!   of the clock, so two runs with the same inputs visit the same instants.
//! * **Deterministic ordering.** Events are ordered by time, then by the order
//!   in which they were scheduled ([`event_queue`]): simultaneous events run
//!   first-in first-out, never in heap order.
//! * **Independent random streams.** Each random source draws from its own
//!   stream, keyed by the master seed, the replication index and the source's
//!   name ([`streams`]); changing how often one source draws never shifts the
//!   draws of another. This is what makes common random numbers work.
//! * **No allocation per event** once the event set and resource queues have
//!   grown to their working size.

pub mod calendar;
pub mod dist;
pub mod draws;
pub mod event_queue;
pub mod pool;
pub mod sim;
pub mod stats;
pub mod streams;
pub mod tandem;
pub mod time;
