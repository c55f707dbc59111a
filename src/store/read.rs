//! The one reading routine for every file portsim reads back: inputs (a
//! scenario, a base it `extends`, an intervention, a study file, a
//! baseline, a partial result), the points a study keeps, the web app's
//! store, and larger inputs read as a stream.
//!
//! A named pipe (FIFO), a device or a socket given where a file is
//! expected would make a plain `open` + `read` block until a writer shows
//! up, or read forever (`/dev/zero`). So the path's type is checked before
//! opening, the file is opened with `O_NONBLOCK` (which never waits for a
//! FIFO's writer) and `O_NOCTTY`, and its type is checked again on the
//! open handle, which closes the gap between the two. Only then is it
//! read, at most one byte past the limit. Text must be UTF-8; a UTF-16 file
//! (from a Windows editor) is recognised by its byte-order mark and named
//! as such.
//!
//! [`read_input`] and [`open_input`] also remember the file as an input
//! of the running command ([`super::inputs`]), so that no output of the
//! command replaces it.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system refused.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not a regular file.
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    /// Larger than the limit.
    #[error("the file is larger than {} KiB; {what} is {expected}", limit / 1024)]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
        /// "a scenario file".
        what: &'static str,
        /// "a few KiB".
        expected: &'static str,
    },
    /// UTF-16 text, recognised by its byte-order mark.
    #[error("the file is UTF-16 ({0}, it starts with a UTF-16 byte-order mark); save it as UTF-8")]
    Utf16(&'static str),
    /// Not UTF-8 at all.
    #[error("the file is not valid UTF-8 text (line {line}, column {column}: byte {byte:#04x})")]
    NotUtf8 {
        /// 1-based line of the first bad byte.
        line: usize,
        /// 1-based column (in characters) of the first bad byte.
        column: usize,
        /// The byte.
        byte: u8,
    },
}

impl ReadError {
    /// Whether the file (or a folder on its path) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// What a non-regular file type is called in messages.
pub fn kind_of(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

fn regular(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    if meta.is_file() {
        Ok(())
    } else {
        Err(ReadError::NotRegular(kind_of(meta.file_type())))
    }
}

/// Options that never wait: `O_NONBLOCK` (a FIFO without a writer opens
/// at once) and `O_NOCTTY` (a terminal never becomes ours).
fn never_blocking(options: &mut std::fs::OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Opens the regular file at `path` for reading, without blocking: its
/// type is checked on the path (links followed) and again on the handle.
/// For inputs read as a stream (event logs); the caller bounds what it
/// reads.
pub fn open_regular(path: &Path) -> Result<File, ReadError> {
    regular(&std::fs::metadata(path)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    never_blocking(&mut options);
    let file = options.open(path)?;
    regular(&file.metadata()?)?;
    Ok(file)
}

/// [`open_regular`] without following a link at the last component: a
/// link is "a symbolic link", not a regular file (for stores that never
/// follow one).
pub fn open_regular_here(path: &Path) -> Result<File, ReadError> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Err(ReadError::NotRegular("a symbolic link"));
    }
    regular(&meta)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW);
    }
    let file = options.open(path)?;
    regular(&file.metadata()?)?;
    Ok(file)
}

/// Reads all of `file`, refusing more than `limit` bytes (`what` and
/// `expected` word that refusal).
pub fn read_limited(
    file: File,
    limit: u64,
    what: &'static str,
    expected: &'static str,
) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    // One byte past the limit tells "at the limit" from "over".
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            limit,
            what,
            expected,
        });
    }
    Ok(bytes)
}

/// Reads the regular file at `path`, refusing anything else and anything
/// larger than `limit` bytes (`what` and `expected` word that refusal).
pub fn read_regular(
    path: &Path,
    limit: u64,
    what: &'static str,
    expected: &'static str,
) -> Result<Vec<u8>, ReadError> {
    read_limited(open_regular(path)?, limit, what, expected)
}

/// [`read_regular`] for an input of the running command: the file is
/// remembered (as `what`) so that no output of the command replaces it.
pub fn read_input(
    path: &Path,
    limit: u64,
    what: &'static str,
    expected: &'static str,
) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path)?;
    super::inputs::record(path, &file, what);
    read_limited(file, limit, what, expected)
}

/// [`open_regular`] for an input of the running command read as a stream
/// (an event log): remembered as `what`, like [`read_input`].
pub fn open_input(path: &Path, what: &'static str) -> Result<File, ReadError> {
    let file = open_regular(path)?;
    super::inputs::record(path, &file, what);
    Ok(file)
}

/// The bytes as UTF-8 text, or what they are instead.
pub fn text(bytes: Vec<u8>) -> Result<String, ReadError> {
    match bytes.get(..2) {
        Some([0xFF, 0xFE]) => return Err(ReadError::Utf16("little-endian")),
        Some([0xFE, 0xFF]) => return Err(ReadError::Utf16("big-endian")),
        _ => {}
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // Everything before `at` is valid UTF-8.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        ReadError::NotUtf8 {
            line,
            column: before[line_start..].chars().count() + 1,
            byte: bytes.get(at).copied().unwrap_or(0),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
        read_regular(path, 16, "a test file", "small")
    }

    #[test]
    fn regular_files_up_to_the_limit_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.toml");
        std::fs::write(&path, [b'x'; 16]).expect("write");
        assert_eq!(read(&path).expect("read").len(), 16);
        std::fs::write(&path, [b'x'; 17]).expect("write");
        let e = read(&path).expect_err("too large").to_string();
        assert!(e.contains("a test file is small"), "{e}");
    }

    #[test]
    fn directories_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = read(dir.path()).expect_err("a directory").to_string();
        assert_eq!(e, "it is a directory, not a regular file");
        assert!(
            read(&dir.path().join("none"))
                .expect_err("missing")
                .is_not_found()
        );
    }

    #[cfg(unix)]
    #[test]
    fn sockets_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.toml");
        let _listener = std::os::unix::net::UnixListener::bind(&path).expect("socket");
        let e = read(&path).expect_err("a socket").to_string();
        assert!(e.contains("a socket"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_and_links_only_where_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("f");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        let e = read(&fifo).expect_err("a FIFO").to_string();
        assert_eq!(e, "it is a FIFO (named pipe), not a regular file");
        let file = dir.path().join("a");
        std::fs::write(&file, b"x").expect("write");
        std::os::unix::fs::symlink(&file, dir.path().join("link")).expect("link");
        assert!(open_regular(&dir.path().join("link")).is_ok());
        let e = open_regular_here(&dir.path().join("link")).expect_err("a link");
        assert_eq!(e.to_string(), "it is a symbolic link, not a regular file");
        assert!(open_regular_here(&file).is_ok());
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero")).expect("link");
        let e = read(&dir.path().join("zero")).expect_err("a device");
        assert!(e.to_string().contains("character device"), "{e}");
    }

    #[test]
    fn utf16_and_invalid_utf8_say_what_they_are() {
        let e = text(vec![0xFF, 0xFE, b'n', 0])
            .expect_err("utf-16")
            .to_string();
        assert!(e.contains("UTF-16 (little-endian"), "{e}");
        let e = text(vec![0xFE, 0xFF, 0, b'n'])
            .expect_err("utf-16")
            .to_string();
        assert!(e.contains("big-endian"), "{e}");
        let e = text(b"a = 1\nbc\xff".to_vec())
            .expect_err("latin-1")
            .to_string();
        assert!(e.contains("line 2, column 3: byte 0xff"), "{e}");
        assert_eq!(text(b"ok".to_vec()).expect("utf-8"), "ok");
    }
}
