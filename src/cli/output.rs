//! Writing results: stdout (a closed pipe is not an error) and files.

use std::io::Write;
use std::path::Path;

use super::Failure;
use crate::report::write::atomic_write;

/// Prints to stdout; a reader that went away (broken pipe) is fine.
pub fn stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Check(format!(
            "error: cannot write to stdout: {e}"
        ))),
    }
}

/// Writes a file atomically.
pub fn file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    atomic_write(path, bytes).map_err(|e| Failure::User(format!("error: {e}")))
}
