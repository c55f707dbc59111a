//! Finished points, kept on disk so that a study resumes where it
//! stopped.
//!
//! Each point is one JSON file, `<dir>/<hash>.json`, named by the SHA-256
//! of the point's resolved scenario (which covers its overrides, seed and
//! replication count). It holds every metric's per-replication values, so
//! a re-run that asks for other metrics still finds them, and it records
//! what else the values depend on: the portsim version and the runaway
//! guard. A file that does not match (another version, a different guard,
//! a damaged or foreign file, anything but a regular file: a FIFO, a
//! directory, a link to a device) is ignored and the point runs again,
//! then replaces it. Files are read by the store's reading rule (regular
//! files only, never blocking, at most `decide::limits::MAX_POINT_BYTES`) and written
//! with [`crate::store::write::replace`]: atomically, so a study killed
//! mid-write leaves either the old file or the new one, and over the name
//! itself (never through a link there). A kept point is never written
//! over an input of the command ([`Cache::check`]).
//! Numbers are stored with serde_json's round-trip formatting, so a point
//! read back is bit for bit the point that was run; NaN (no value) is
//! stored as `null`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::error::DecideError;
use super::limits::MAX_POINT_BYTES;
use super::metrics::MetricKey;
use super::samples::Samples;
use crate::model::Limits;
use crate::store::read::read_regular;
use crate::store::write::{self, WriteError};

/// A directory of finished points.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The points kept in `dir` (created when the first is stored).
    pub fn new(dir: &Path) -> Cache {
        Cache {
            dir: dir.to_path_buf(),
        }
    }

    /// Where the point with `hash` is kept.
    pub fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(format!("{hash}.json"))
    }

    /// Refuses to keep any of the points `hashes` where the command reads
    /// an input: checked before anything runs.
    pub fn check<'a>(&self, hashes: impl IntoIterator<Item = &'a str>) -> Result<(), WriteError> {
        write::replaceable(&self.dir)?;
        hashes
            .into_iter()
            .try_for_each(|hash| write::replaceable(&self.path(hash)))
    }

    /// The point with `hash`, if it is kept and was run the same way. A
    /// file that cannot be read as one (missing, damaged, not a regular
    /// file, too large) is no point: it runs again.
    pub fn get(
        &self,
        hash: &str,
        replications: u64,
        limits: &Limits,
    ) -> Result<Option<Samples>, DecideError> {
        let read = read_regular(
            &self.path(hash),
            MAX_POINT_BYTES,
            "a kept point",
            "at most a few tens of MB",
        );
        let Ok(bytes) = read else {
            return Ok(None);
        };
        let Ok(doc) = serde_json::from_slice::<Value>(&bytes) else {
            return Ok(None);
        };
        Ok(decode(&doc, hash, replications, limits))
    }

    /// Keeps a finished point.
    pub fn put(&self, samples: &Samples, limits: &Limits) -> Result<(), DecideError> {
        let values: serde_json::Map<String, Value> = samples
            .values
            .iter()
            .map(|(k, v)| {
                let list: Vec<Value> = v
                    .iter()
                    .map(|x| if x.is_finite() { json!(x) } else { Value::Null })
                    .collect();
                (k.to_string(), Value::Array(list))
            })
            .collect();
        let doc = json!({
            "portsim_version": env!("CARGO_PKG_VERSION"),
            "scenario_hash": samples.hash,
            "replications": samples.replications,
            "max_trucks": limits.max_in_system,
            "runaways": samples.runaways,
            "samples": values,
        });
        let text = serde_json::to_string(&doc).unwrap_or_default() + "\n";
        write::replace(&self.path(&samples.hash), text.as_bytes())
            .map_err(|e| DecideError::Cache(e.to_string()))
    }
}

/// The samples in `doc`, if it is a point run the way asked.
fn decode(doc: &Value, hash: &str, replications: u64, limits: &Limits) -> Option<Samples> {
    let same = doc["portsim_version"] == env!("CARGO_PKG_VERSION")
        && doc["scenario_hash"] == hash
        && doc["replications"] == replications
        && doc["max_trucks"] == limits.max_in_system;
    if !same {
        return None;
    }
    let stored = doc["samples"].as_object()?;
    let mut values = BTreeMap::new();
    for key in MetricKey::all() {
        let list = stored.get(&key.to_string())?.as_array()?;
        if list.len() as u64 != replications {
            return None;
        }
        let xs: Vec<f64> = list
            .iter()
            .map(|v| {
                if v.is_null() {
                    Some(f64::NAN)
                } else {
                    v.as_f64()
                }
            })
            .collect::<Option<_>>()?;
        values.insert(key, xs);
    }
    let runaways = doc["runaways"]
        .as_array()?
        .iter()
        .map(Value::as_u64)
        .collect::<Option<Vec<u64>>>()?;
    Some(Samples {
        hash: hash.to_owned(),
        replications,
        values,
        runaways,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Samples {
        let values = MetricKey::all()
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, vec![0.1 + i as f64 / 3.0, f64::NAN]))
            .collect();
        Samples {
            hash: "abc".into(),
            replications: 2,
            values,
            runaways: vec![1],
        }
    }

    #[test]
    fn points_read_back_bit_for_bit_and_only_if_they_match() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::new(&dir.path().join("points"));
        let limits = Limits::default();
        assert_eq!(cache.get("abc", 2, &limits).expect("read"), None);
        let s = samples();
        cache.put(&s, &limits).expect("write");
        let back = cache.get("abc", 2, &limits).expect("read").expect("found");
        for (k, v) in &s.values {
            let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let (a, b) = (bits(v), bits(back.of(k)));
            // NaN reads back as NaN (not necessarily the same NaN bits).
            assert_eq!(a[0], b[0], "{k}");
            assert!(back.of(k)[1].is_nan());
        }
        assert_eq!(back.runaways, [1]);
        assert_eq!(
            cache.get("abc", 3, &limits).expect("read"),
            None,
            "other count"
        );
        let other = Limits { max_in_system: 5 };
        assert_eq!(
            cache.get("abc", 2, &other).expect("read"),
            None,
            "other guard"
        );
        std::fs::write(cache.path("abc"), b"{ broken").expect("write");
        assert_eq!(cache.get("abc", 2, &limits).expect("read"), None, "damaged");
    }

    #[test]
    fn a_directory_in_place_of_a_point_is_no_point_and_is_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::new(&dir.path().join("points"));
        let limits = Limits::default();
        std::fs::create_dir_all(cache.path("abc").join("inner")).expect("dir");
        assert_eq!(cache.get("abc", 2, &limits).expect("not fatal"), None);
        cache.put(&samples(), &limits).expect("replaced");
        assert!(cache.get("abc", 2, &limits).expect("read").is_some());
    }
}
