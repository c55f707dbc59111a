//! Where a command's output goes when portsim runs inside another
//! program (`embed`): captured for the calling thread instead of written
//! to the terminal. Kept apart from `embed` and importing nothing else in
//! `cli`, so that the writers (`output`, `stderr`, `progress`) can ask
//! whether output is captured without reaching up to the embedding.

use std::cell::RefCell;

/// What a command printed, and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The exit code the binary would have returned (0, 1, 2 or 130).
    pub code: u8,
    /// The bytes the binary would have written to stdout.
    pub stdout: Vec<u8>,
    /// The lines it would have written to stderr.
    pub stderr: String,
}

thread_local! {
    /// The output of the command running on this thread, if captured.
    pub(super) static CAPTURE: RefCell<Option<Outcome>> = const { RefCell::new(None) };
}

/// Clears the capture when the command ends, even by a panic.
pub(super) struct Capture;

impl Capture {
    pub(super) fn start() -> Capture {
        CAPTURE.with(|c| *c.borrow_mut() = Some(Outcome::default()));
        Capture
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        CAPTURE.with(|c| c.borrow_mut().take());
    }
}

/// Whether this thread's output is captured.
pub(super) fn capturing() -> bool {
    CAPTURE.with(|c| c.borrow().is_some())
}

/// Appends to the captured stdout; false if nothing is captured.
pub(super) fn stdout(bytes: &[u8]) -> bool {
    CAPTURE.with(|c| match c.borrow_mut().as_mut() {
        Some(out) => {
            out.stdout.extend_from_slice(bytes);
            true
        }
        None => false,
    })
}

/// Appends to the captured stderr; false if nothing is captured.
pub(super) fn stderr(text: &str) -> bool {
    CAPTURE.with(|c| match c.borrow_mut().as_mut() {
        Some(out) => {
            out.stderr.push_str(text);
            true
        }
        None => false,
    })
}
