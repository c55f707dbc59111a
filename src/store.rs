//! The store: the mechanics of every file portsim writes or reads back,
//! and what identifies a result.
//!
//! It is a bottom layer, beside the engine: it imports nothing from
//! the crate's other layers (only std, sha2, hmac, getrandom, tempfile,
//! libc, serde, serde_json and thiserror), so every layer above can read
//! and write
//! through it. It owns the *mechanics* of files; the *formats* stay with
//! their owners (the sweep cache's JSON in `decide/`, parts in `shard/`,
//! the web app's records in `serve/`).
//!
//! * [`read`]: the one reading routine for every file read back (inputs,
//!   parts, caches, the web app's store): regular files only, checked on
//!   the path and on the open handle, opened without blocking (a FIFO never
//!   hangs portsim), never more than a limit, and errors that say what the
//!   file is instead. An input read through it is remembered ([`inputs`]).
//! * [`inputs`]: the files a command reads, so that no output of the
//!   command replaces one of them (compared by real path and by device
//!   and inode, links included).
//! * [`mod@write`]: atomic writes of the command line's outputs: a link is
//!   followed and its target updated, a device, FIFO or directory refused,
//!   an input of the command refused; and [`write::replace`] for files
//!   portsim owns (a kept point), which never follows a link at the name.
//! * [`incoming`]: a file that arrives in pieces (the web app's log
//!   upload), written to a temporary file and renamed whole, never over a
//!   link, and over an existing file only when asked.
//! * [`set`]: `--out DIR` as one locked set with its manifest written last.
//! * [`identity`]: run ids and content hashes.
//! * [`confined`]: a store inside a workspace (the web app's ledger), whose
//!   every path stays inside the workspace's real path: no component may be
//!   a link, reads take regular files only, writes never follow a link.
//! * [`seal`]: trust in such a store: an entry is served only if this
//!   installation wrote it (an HMAC-SHA256 with a key kept outside the
//!   workspace, in the user's data directory).

pub mod confined;
pub mod identity;
pub mod incoming;
pub mod inputs;
pub mod read;
pub mod seal;
pub mod set;
pub mod write;
