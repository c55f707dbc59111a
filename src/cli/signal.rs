//! Ctrl-C and SIGTERM.
//!
//! The first signal sets a flag that the replication runner reads before
//! starting each replication and that every replication in flight reads
//! every few thousand events: within a millisecond or so the replications
//! in flight stop and are discarded (a cut replication is never reported),
//! the finished ones are written (marked `"complete": false`), and portsim
//! exits with 130. A second signal exits at once, for when even writing
//! takes too long.
//!
//! The handler is installed by the first call to [`cancel_flag`], which
//! the commands make only once every input (scenarios, interventions,
//! baselines) is read and validated. Until then SIGINT and SIGTERM keep
//! their default action, so a process still reading input always ends on
//! the first signal; no signal is ever swallowed while nothing can react
//! to the flag.
//!
//! Embedded in another program (`embed`), portsim installs no handler:
//! the host owns its signals and calls [`cancel`] instead, and the flag
//! is cleared before each embedded command.

use std::sync::atomic::{AtomicBool, Ordering};

static CANCEL: AtomicBool = AtomicBool::new(false);

/// Set once portsim runs inside another program: no handler, ever.
static EMBEDDED: AtomicBool = AtomicBool::new(false);

/// Marks the process as a host's (no handler will be installed) and
/// clears the flag for the next embedded command.
pub fn embedded() {
    EMBEDDED.store(true, Ordering::SeqCst);
    CANCEL.store(false, Ordering::SeqCst);
}

/// Sets the flag, as the first Ctrl-C does.
pub fn cancel() {
    CANCEL.store(true, Ordering::SeqCst);
}

/// Installs the handler (once) and returns the flag it sets.
pub fn cancel_flag() -> &'static AtomicBool {
    if EMBEDDED.load(Ordering::SeqCst) {
        return &CANCEL;
    }
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // If a handler cannot be installed (another one exists), Ctrl-C
        // keeps its default meaning: stop at once.
        let _ = ctrlc::set_handler(|| {
            if CANCEL.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            super::stderr::say(
                "\ninterrupted: stopping; replications in flight are discarded, finished ones are written (Ctrl-C again to stop at once)",
            );
        });
    });
    &CANCEL
}
