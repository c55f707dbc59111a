//! Splitting a run over many machines: shards, their partial results, and
//! putting them back together.
//!
//! portsim has no cluster software of its own. A batch engine (a Slurm
//! job array, a Kubernetes Indexed Job, an AWS Batch array job, GNU
//! parallel) starts the same command N times with an index; each copy
//! runs with `--shard I/N` (or `--shard auto/N`, the index read from the
//! engine's variable, see [`spec`]) and writes a partial result
//! (`--part`, see [`part`]); `portsim merge` reads them all and prints
//! what one process would have printed.
//!
//! # Lifecycle
//!
//! 1. Every command lists its work units in one fixed order (`run` and
//!    `compare`: replication indices, each of every scenario compared;
//!    `sweep` and `sensitivity`: (point, replication) pairs, point by
//!    point). Shard I of N takes a contiguous block of them ([`assign`]).
//! 2. A unit is simulated exactly as in a single process: its random
//!    streams depend only on (seed, replication, source name), never on
//!    the point, I or N. It is reduced to the digest the summary reads
//!    ([`codec`]: every number as its bits, so nothing is rounded).
//! 3. [`merge`] checks that the parts belong together (format, version,
//!    command, scenarios, seed, replications, shard count) and that every
//!    unit is there once, then hands the digests, in unit order, to the
//!    same fold and reports the single-process commands use.
//!
//! # Guarantee
//!
//! The merged output is byte for byte the output of the unsharded
//! command, apart from the manifest's timing fields (`threads`,
//! `wall_time_s`).

pub mod assign;
pub mod codec;
pub mod merge;
pub mod part;
pub mod shell;
pub mod spec;
