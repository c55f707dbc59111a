//! Trust in a workspace store: an entry is served only if this
//! installation wrote it.
//!
//! Run ids are predictable (the command line prints them), so anyone who
//! can put files in a workspace can put an entry under the right id, with
//! made-up numbers. A checksum stored beside the entry could be planted
//! with it; a key the workspace never holds cannot. So each entry carries a
//! seal, `seal.json`: the SHA-256 and size of every file of the entry and
//! an HMAC-SHA256 over them and the entry's name, keyed with 32 random
//! bytes kept outside the workspace, in the user's data directory:
//!
//! * `$PORTSIM_DATA_DIR/ledger.key` if `PORTSIM_DATA_DIR` is set,
//! * else `$XDG_DATA_HOME/portsim/ledger.key` (an absolute
//!   `XDG_DATA_HOME`),
//! * else `$HOME/.local/share/portsim/ledger.key`.
//!
//! The key is made on first use (from the operating system's random
//! source, in a folder created private, the file created private: mode
//! 0600) and read back on every start. Deleting it makes every stored
//! entry untrusted: each is run again when next asked for, and replaced.
//!
//! An entry is trusted only if its seal verifies and every file it lists
//! has the sealed hash and size. An entry that is not (planted, altered,
//! unfinished, sealed by another installation, or moved under another
//! name) is treated as absent: asked for again, it is run again and
//! replaced. A file is served only after its own hash has been checked
//! against the trusted seal. Writing removes the old seal first and writes
//! the new one last, so an entry caught half-written is not trusted.

use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::confined::{Confined, StoreError};
use super::identity::{bytes_hash, hex};
use super::read;

/// The seal's file name in each entry, written last.
pub const SEAL: &str = "seal.json";
/// The key's file name in the data directory.
pub const KEY_FILE: &str = "ledger.key";
/// Largest seal read, in bytes.
const MAX_SEAL_BYTES: u64 = 64 << 10;
/// What the MAC is over starts with this line (a new layout changes it).
const DOMAIN: &str = "portsim seal 1";

/// Why the key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No place for it.
    #[error(
        "no data directory for the key that marks results as this installation's: set PORTSIM_DATA_DIR (or XDG_DATA_HOME, or HOME)"
    )]
    NoDataDir,
    /// The key's folder is inside the workspace, which may be shared.
    #[error(
        "the data directory `{}` is inside the workspace; the key that marks results as this installation's must be kept outside it (set PORTSIM_DATA_DIR elsewhere)",
        .0.display()
    )]
    InWorkspace(PathBuf),
    /// Reading or writing it failed.
    #[error("cannot use the key file `{}`: {source}", path.display())]
    Io {
        /// The key file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not 32 bytes.
    #[error(
        "the key file `{}` is damaged (it is not 32 bytes); delete it to make a new one (stored results are then run again when asked for)",
        .0.display()
    )]
    Damaged(PathBuf),
}

/// The data directory: `$PORTSIM_DATA_DIR`, else `$XDG_DATA_HOME/portsim`,
/// else `$HOME/.local/share/portsim`.
pub fn data_dir() -> Result<PathBuf, KeyError> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("PORTSIM_DATA_DIR") {
        return Ok(dir);
    }
    if let Some(dir) = var("XDG_DATA_HOME").filter(|d| d.is_absolute()) {
        return Ok(dir.join("portsim"));
    }
    match var("HOME").filter(|d| d.is_absolute()) {
        Some(home) => Ok(home.join(".local").join("share").join("portsim")),
        None => Err(KeyError::NoDataDir),
    }
}

/// The key that seals this installation's entries.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    /// The key in folder `dir` (see [`data_dir`]), made if there is none.
    pub fn load_or_create(dir: &Path) -> Result<Key, KeyError> {
        let path = dir.join(KEY_FILE);
        let io = |source| KeyError::Io {
            path: path.clone(),
            source,
        };
        match read::read_regular(&path, 32, "a key file", "32 bytes") {
            Ok(bytes) => {
                return Key::from_bytes(&bytes).ok_or_else(|| KeyError::Damaged(path.clone()));
            }
            Err(read::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(read::ReadError::Io(e)) => return Err(io(e)),
            Err(read::ReadError::TooLarge { .. }) => return Err(KeyError::Damaged(path)),
            Err(e) => return Err(io(std::io::Error::other(e.to_string()))),
        }
        make_private_dir(dir).map_err(io)?;
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| io(std::io::Error::other(e.to_string())))?;
        // Written whole under a temporary name (created 0600), then linked
        // into place only if no key is there yet: two servers starting at
        // once agree on one key.
        let mut tmp = tempfile::Builder::new()
            .prefix(".ledger.key-")
            .tempfile_in(dir)
            .map_err(io)?;
        tmp.write_all(&key)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(io)?;
        match tmp.persist_noclobber(&path) {
            Ok(_) => Ok(Key(key)),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                let bytes = read::read_regular(&path, 32, "a key file", "32 bytes")
                    .map_err(|e| io(std::io::Error::other(e.to_string())))?;
                Key::from_bytes(&bytes).ok_or(KeyError::Damaged(path))
            }
            Err(e) => Err(io(e.error)),
        }
    }

    fn from_bytes(bytes: &[u8]) -> Option<Key> {
        bytes.try_into().ok().map(Key)
    }

    /// The MAC of entry `entry` holding `files`.
    fn mac(&self, entry: &str, files: &[Sealed]) -> Hmac<Sha256> {
        let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            // HMAC takes a key of any length; 32 bytes always do.
            Err(_) => <Hmac<Sha256> as KeyInit>::new(&Default::default()),
        };
        mac.update(DOMAIN.as_bytes());
        mac.update(b"\n");
        mac.update(entry.as_bytes());
        mac.update(b"\n");
        for f in files {
            mac.update(format!("{}\n{}\n{}\n", f.name, f.sha256, f.bytes).as_bytes());
        }
        mac
    }
}

/// Makes `dir` (and its parents) if needed, private to the user.
fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// One file of a seal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    name: String,
    sha256: String,
    bytes: u64,
}

/// `seal.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealFile {
    files: Vec<Sealed>,
    hmac_sha256: String,
}

/// A [`Confined`] store whose entries are sealed with a [`Key`].
#[derive(Clone, Debug)]
pub struct Entries {
    store: Confined,
    key: Key,
    /// Largest file of an entry, in bytes.
    limit: u64,
}

impl Entries {
    /// Sealed entries in `store`, files of at most `limit` bytes.
    pub fn new(store: Confined, key: Key, limit: u64) -> Entries {
        Entries { store, key, limit }
    }

    /// Writes entry `entry` with `files` (plain names, each once), sealed:
    /// the old seal is removed first and the new one written last.
    pub fn put(&self, entry: &str, files: &[(&str, &[u8])]) -> Result<(), StoreError> {
        self.store.remove(entry, SEAL)?;
        let mut sealed = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            if *name == SEAL || sealed.iter().any(|s: &Sealed| s.name == *name) {
                return Err(StoreError::BadName((*name).to_owned()));
            }
            self.store.write(entry, name, bytes)?;
            sealed.push(Sealed {
                name: (*name).to_owned(),
                sha256: bytes_hash(bytes),
                bytes: bytes.len() as u64,
            });
        }
        let tag = self.key.mac(entry, &sealed).finalize().into_bytes();
        let seal = SealFile {
            files: sealed,
            hmac_sha256: hex(&tag),
        };
        let text = serde_json::to_vec_pretty(&seal).map_err(|e| StoreError::Io {
            path: SEAL.to_owned(),
            source: std::io::Error::other(e),
        })?;
        self.store.write(entry, SEAL, &text)
    }

    /// The seal of `entry`, if it verifies (its files are not checked).
    fn seal(&self, entry: &str) -> Result<Option<Vec<Sealed>>, StoreError> {
        let Some(bytes) = self.store.read(entry, SEAL, MAX_SEAL_BYTES)? else {
            return Ok(None);
        };
        let Ok(seal) = serde_json::from_slice::<SealFile>(&bytes) else {
            return Ok(None);
        };
        let Some(tag) = unhex(&seal.hmac_sha256) else {
            return Ok(None);
        };
        let verified = self.key.mac(entry, &seal.files).verify_slice(&tag).is_ok();
        Ok(verified.then_some(seal.files))
    }

    /// Whether `entry` is trusted: its seal verifies and every file it
    /// lists has the sealed hash and size.
    pub fn trusted(&self, entry: &str) -> Result<bool, StoreError> {
        let Some(files) = self.seal(entry)? else {
            return Ok(false);
        };
        for f in &files {
            match self.store.hash(entry, &f.name, self.limit)? {
                Some((sha256, bytes)) if sha256 == f.sha256 && bytes == f.bytes => {}
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    /// File `name` of `entry`, if the entry is trusted and the file is one
    /// it seals, checked against its sealed hash as read.
    pub fn read(&self, entry: &str, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if !self.trusted(entry)? {
            return Ok(None);
        }
        let Some(files) = self.seal(entry)? else {
            return Ok(None);
        };
        let Some(sealed) = files.iter().find(|f| f.name == name) else {
            return Ok(None);
        };
        let Some(bytes) = self.store.read(entry, name, self.limit)? else {
            return Ok(None);
        };
        Ok((bytes_hash(&bytes) == sealed.sha256).then_some(bytes))
    }

    /// The names of the entries (trusted or not).
    pub fn entries(&self) -> Result<Vec<String>, StoreError> {
        self.store.entries()
    }
}

/// Bytes of lower-case (or upper-case) hex.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(ws: &Path, data: &Path) -> Entries {
        let root = std::fs::canonicalize(ws).expect("real");
        let key = Key::load_or_create(data).expect("key");
        Entries::new(Confined::new(&root, &[".portsim", "ledger"]), key, 1 << 20)
    }

    #[test]
    fn the_key_is_made_once_private_and_read_back() {
        let data = tempfile::tempdir().expect("tempdir");
        let dir = data.path().join("nested/portsim");
        let a = Key::load_or_create(&dir).expect("made");
        let b = Key::load_or_create(&dir).expect("read");
        assert_eq!(a.0, b.0);
        assert_ne!(a.0, [0; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("there").permissions().mode() & 0o777;
            assert_eq!(mode(&dir.join(KEY_FILE)), 0o600);
            assert_eq!(mode(&dir), 0o700);
        }
        std::fs::write(dir.join(KEY_FILE), b"short").expect("write");
        let e = Key::load_or_create(&dir).expect_err("damaged").to_string();
        assert!(e.contains("is damaged"), "{e}");
    }

    #[test]
    fn only_entries_this_key_sealed_are_trusted() {
        let ws = tempfile::tempdir().expect("tempdir");
        let data = tempfile::tempdir().expect("tempdir");
        let other = tempfile::tempdir().expect("tempdir");
        let mine = entries(ws.path(), data.path());
        mine.put("e", &[("a.json", b"{\"n\": 1}"), ("b.csv", b"x\n")])
            .expect("stored");
        assert!(mine.trusted("e").expect("usable"));
        assert_eq!(
            mine.read("e", "a.json").expect("usable").as_deref(),
            Some(&b"{\"n\": 1}"[..])
        );
        assert_eq!(
            mine.read("e", SEAL).expect("usable"),
            None,
            "not a sealed file"
        );
        assert_eq!(mine.read("e", "c").expect("usable"), None);
        // Another installation does not trust it.
        let theirs = entries(ws.path(), other.path());
        assert!(!theirs.trusted("e").expect("usable"));
        assert_eq!(theirs.read("e", "a.json").expect("usable"), None);
        // Moved under another name: not trusted.
        let ledger = ws.path().join(".portsim/ledger");
        std::fs::rename(ledger.join("e"), ledger.join("f")).expect("rename");
        assert!(!mine.trusted("f").expect("usable"));
        std::fs::rename(ledger.join("f"), ledger.join("e")).expect("rename");
        // Any file altered: the whole entry is untrusted.
        std::fs::write(ledger.join("e/b.csv"), b"y\n").expect("write");
        assert!(!mine.trusted("e").expect("usable"));
        assert_eq!(mine.read("e", "a.json").expect("usable"), None);
        // Written again: trusted again.
        mine.put("e", &[("a.json", b"{}")]).expect("stored");
        assert!(mine.trusted("e").expect("usable"));
        assert_eq!(mine.entries().expect("usable"), ["e"]);
    }

    #[test]
    fn hex_reads_back() {
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }
}
