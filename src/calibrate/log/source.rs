//! The one place calibration opens a log: a regular file, never blocking.
//!
//! A log is streamed, not read whole, so the scenario reader's
//! `read_regular` (which returns the bytes) does not fit. This opens the
//! file the same way: the path's type is checked, the file is opened with
//! `O_NONBLOCK` (a FIFO given by mistake never waits for a writer) and
//! its type is checked again on the open handle. When the store layer
//! gains its own opening routine, this module is where to point at it.

use std::fs::File;
use std::path::Path;

use crate::scenario::input::InputError;

fn regular(meta: &std::fs::Metadata) -> Result<(), InputError> {
    if meta.is_file() {
        return Ok(());
    }
    let kind = if meta.is_dir() {
        "a directory"
    } else {
        kind_of_special(meta)
    };
    Err(InputError::NotRegular(kind))
}

#[cfg(unix)]
fn kind_of_special(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let ft = meta.file_type();
    if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn kind_of_special(_: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// Opens the regular file at `path` for streaming, refusing anything else.
pub fn open(path: &Path) -> Result<File, InputError> {
    regular(&std::fs::metadata(path)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    regular(&file.metadata()?)?;
    Ok(file)
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
