//! The one place calibration opens a log: through the store's reading
//! routine for inputs read as a stream.
//!
//! A log is streamed, not read whole. `store::read::open_input` opens it
//! the way every input is opened (a regular file, checked on the path and
//! again on the handle, opened with `O_NONBLOCK` so that a FIFO given by
//! mistake never waits for a writer) and remembers it as an input of the
//! running command, so that no output of the command (`--scenario`,
//! `--out`) can replace the log it was calibrated from.

use std::fs::File;
use std::path::Path;

use crate::store::read::{ReadError, open_input};

/// Opens the event log at `path` for streaming, refusing anything but a
/// regular file.
pub fn open(path: &Path) -> Result<File, ReadError> {
    open_input(path, "the event log")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_refused_and_files_opened() {
        let dir = tempfile::tempdir().unwrap();
        let e = open(dir.path()).unwrap_err().to_string();
        assert!(e.contains("a directory"), "{e}");
        let f = dir.path().join("log.csv");
        std::fs::write(&f, "truck\n").unwrap();
        assert!(open(&f).is_ok());
        assert!(
            open(&dir.path().join("missing.csv"))
                .unwrap_err()
                .is_not_found()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pipe.csv");
        let status = std::process::Command::new("mkfifo")
            .arg(&f)
            .status()
            .unwrap();
        assert!(status.success());
        let e = open(&f).unwrap_err().to_string();
        assert!(e.contains("FIFO"), "{e}");
    }
}
