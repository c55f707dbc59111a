//! `portsim._native`: the one function the Python package calls, running a
//! portsim command in this process through the library's
//! [`portsim::cli::embed::invoke`].
//!
//! It adds no model logic and no second code path: the Python side builds
//! the arguments the command line would take, and gets back the exit
//! code, stdout and stderr the binary would give. What this file owns is
//! the host's side of a long run:
//!
//! * the command runs on a worker thread while the calling thread waits
//!   with the GIL released (`Python::detach`), so other Python threads run
//!   meanwhile;
//! * every 50 ms the calling thread takes the GIL back and runs Python's
//!   signal handlers (`check_signals`): on Ctrl-C (`KeyboardInterrupt`,
//!   or any exception a handler raises) it cancels the command, which
//!   stops as on Ctrl-C on the command line (replications in flight are
//!   discarded, within a millisecond or so), waits for it, and raises the
//!   exception. portsim installs no signal handler of its own here.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use portsim::cli::embed::Outcome;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// How often the waiting thread looks for a signal.
const POLL: Duration = Duration::from_millis(50);

/// Runs `portsim ARGS…` in this process: `(exit code, stdout bytes,
/// stderr text)`.
#[pyfunction]
fn invoke(py: Python<'_>, args: Vec<String>) -> PyResult<(u8, Py<PyBytes>, String)> {
    let done = Arc::new(Done::default());
    let handed = Arc::clone(&done);
    let worker = std::thread::Builder::new()
        .name("portsim".into())
        .spawn(move || handed.set(portsim::cli::embed::invoke(&args)))
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
    let outcome = loop {
        if let Some(out) = py.detach(|| done.wait(POLL)) {
            break out;
        }
        if worker.is_finished() && !done.is_set() {
            return Err(PyRuntimeError::new_err(
                "portsim stopped without a result (an internal error): please report it",
            ));
        }
        if let Err(signal) = py.check_signals() {
            portsim::cli::embed::cancel();
            let _ = py.detach(|| worker.join());
            return Err(signal);
        }
    };
    let _ = py.detach(|| worker.join());
    Ok((
        outcome.code,
        PyBytes::new(py, &outcome.stdout).unbind(),
        outcome.stderr,
    ))
}

/// The worker's outcome, handed to the waiting thread.
#[derive(Default)]
struct Done {
    outcome: Mutex<Option<Outcome>>,
    ready: Condvar,
}

impl Done {
    fn set(&self, out: Outcome) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(out);
        self.ready.notify_all();
    }

    fn is_set(&self) -> bool {
        self.outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// The outcome, if it comes within `timeout`.
    fn wait(&self, timeout: Duration) -> Option<Outcome> {
        let guard = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut guard, _) = self
            .ready
            .wait_timeout_while(guard, timeout, |o| o.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        guard.take()
    }
}

/// The module `portsim._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(invoke, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
