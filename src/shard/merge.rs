//! Partial results put back together, after checking that they belong to
//! one run and cover it.
//!
//! Every part must agree with the first on the format, the portsim
//! version, the command, the run id (inputs and settings), the resolved
//! scenarios, the seed, the replications and the shard count; each must
//! hold exactly the block of units its shard is assigned; no shard may be
//! given twice; and together they must hold every unit. Each refusal names
//! the files, and a gap names the missing shards with the command line
//! that re-runs them. Before any of that, each part is checked whole: its
//! counts within the limits and its units matching their checksum
//! ([`Part::damage`]); a damaged part is named as such. What comes out is every unit's digest in unit order,
//! for the command's own fold.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use super::assign;
use super::part::{Manifest, Part, PartError};
use super::shell::quote;
use super::spec::Shard;

/// Parts that form a whole run.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The manifest they share (the first part's).
    pub manifest: Manifest,
    /// The files, in the order given.
    pub files: Vec<PathBuf>,
    /// Every unit's digest words, by unit index.
    pub units: Vec<Vec<u64>>,
    /// For every unit, the index in `files` of the part that held it.
    pub sources: Vec<usize>,
    /// The seconds the shards took, summed.
    pub wall_time_s: f64,
}

/// Why parts cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No part was given.
    #[error("no partial results to merge")]
    NoParts,
    /// A part could not be read.
    #[error(transparent)]
    Part(#[from] PartError),
    /// A part from another run.
    #[error("`{}` is not part of the same run as `{}`: its {what} is {found}, not {expected}", file.display(), first.display())]
    Mismatch {
        /// The part that differs.
        file: PathBuf,
        /// The first part.
        first: PathBuf,
        /// What differs.
        what: &'static str,
        /// Its value there.
        found: String,
        /// The first part's.
        expected: String,
    },
    /// A part that does not hold what its shard should.
    #[error("`{}` is damaged: {reason}", file.display())]
    Damaged {
        /// The part.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// One shard given twice.
    #[error("shard {shard} is given twice: `{}` and `{}`", files[0].display(), files[1].display())]
    Duplicate {
        /// The shard.
        shard: Shard,
        /// The two files.
        files: [PathBuf; 2],
    },
    /// Units nobody ran.
    #[error("{}", missing_message(.missing, .shards, *.count, *.total, .arguments))]
    Missing {
        /// The missing units, as ranges.
        missing: Vec<Range<u64>>,
        /// The shards that hold them.
        shards: Vec<u64>,
        /// The shard count.
        count: u64,
        /// Units of the run.
        total: u64,
        /// The command line of the run.
        arguments: Vec<String>,
    },
}

fn missing_message(
    missing: &[Range<u64>],
    shards: &[u64],
    count: u64,
    total: u64,
    arguments: &[String],
) -> String {
    let n: u64 = missing.iter().map(|r| r.end - r.start).sum();
    let ranges: Vec<String> = missing
        .iter()
        .map(|r| {
            if r.end - r.start == 1 {
                r.start.to_string()
            } else {
                format!("{}-{}", r.start, r.end - 1)
            }
        })
        .collect();
    let list: Vec<String> = shards.iter().map(|s| format!("{s}/{count}")).collect();
    let command = quote(arguments);
    let mut text = format!(
        "the parts do not cover the run: {n} of {total} units are missing (units {}), those of shard{} {}\nre-run {} with:",
        ranges.join(", "),
        if shards.len() == 1 { "" } else { "s" },
        list.join(", "),
        if shards.len() == 1 { "it" } else { "each" },
    );
    for s in shards.iter().take(10) {
        text.push_str(&format!(
            "\n  portsim {command} --shard {s}/{count} --part PART-{s}.json"
        ));
    }
    if shards.len() > 10 {
        text.push_str(&format!("\n  … and {} more", shards.len() - 10));
    }
    text.push_str("\nthen merge again with the new parts added");
    text
}

/// The fields every part must share with the first, as text.
fn shared(m: &Manifest) -> [(&'static str, String); 8] {
    [
        ("portsim version", m.portsim_version.clone()),
        ("command", format!("`{}`", m.command)),
        ("scenario hash list", m.scenarios.join(", ")),
        ("seed", m.seed.to_string()),
        ("replication count", m.replications.to_string()),
        ("unit count", m.units.to_string()),
        ("shard count", m.shard.count.to_string()),
        // Covers the rest of the command line (overrides, guards, files).
        ("run id", m.run_id.clone()),
    ]
}

/// Checks `parts` (each with its file) and puts their units in order.
pub fn merge(parts: Vec<(PathBuf, Part)>) -> Result<Merged, MergeError> {
    let Some((first_file, first)) = parts.first() else {
        return Err(MergeError::NoParts);
    };
    // Every part whole and within the limits before anything is sized
    // from a count it holds.
    for (file, part) in &parts {
        if let Some(reason) = part.damage() {
            return Err(MergeError::Damaged {
                file: file.clone(),
                reason,
            });
        }
    }
    let expected = shared(&first.manifest);
    let total = first.manifest.units;
    let count = first.manifest.shard.count;
    let mut by_shard: BTreeMap<u64, PathBuf> = BTreeMap::new();
    let mut units: Vec<Option<(usize, Vec<u64>)>> = Vec::new();
    units.resize_with(usize::try_from(total).unwrap_or(0), || None);
    let mut wall = 0.0;
    for (source, (file, part)) in parts.iter().enumerate() {
        for ((what, found), (_, want)) in shared(&part.manifest).into_iter().zip(&expected) {
            if &found != want {
                return Err(MergeError::Mismatch {
                    file: file.clone(),
                    first: first_file.clone(),
                    what,
                    found,
                    expected: want.clone(),
                });
            }
        }
        let damaged = |reason: String| MergeError::Damaged {
            file: file.clone(),
            reason,
        };
        let shard = part.manifest.shard.shard();
        if shard.count == 0 || shard.index >= shard.count {
            return Err(damaged(format!("it claims to be shard {shard}")));
        }
        if let Some(other) = by_shard.insert(shard.index, file.clone()) {
            return Err(MergeError::Duplicate {
                shard,
                files: [other, file.clone()],
            });
        }
        let block = assign::block(total, shard);
        if part.manifest.held != [block.start, block.end] {
            return Err(damaged(format!(
                "shard {shard} of {total} units holds units {}..{}, but it says {}..{}",
                block.start, block.end, part.manifest.held[0], part.manifest.held[1]
            )));
        }
        let indices: Vec<u64> = part.units.iter().map(|u| u.unit).collect();
        if !indices.iter().copied().eq(block.clone()) {
            return Err(damaged(format!(
                "shard {shard} should hold units {}..{} in order, one digest each",
                block.start, block.end
            )));
        }
        for u in &part.units {
            if let Some(slot) = usize::try_from(u.unit).ok().and_then(|i| units.get_mut(i)) {
                *slot = Some((source, u.words.clone()));
            }
        }
        if part.manifest.wall_time_s.is_finite() {
            wall += part.manifest.wall_time_s;
        }
    }
    let missing = ranges(units.iter().map(Option::is_none));
    if !missing.is_empty() {
        let shards: Vec<u64> = (0..count).filter(|i| !by_shard.contains_key(i)).collect();
        // Empty shards hold nothing, so they are only named when they are
        // the ones missing units.
        let shards = shards
            .into_iter()
            .filter(|&i| !assign::block(total, Shard { index: i, count }).is_empty())
            .collect();
        return Err(MergeError::Missing {
            missing,
            shards,
            count,
            total,
            arguments: first.manifest.arguments.clone(),
        });
    }
    let (sources, units) = units.into_iter().flatten().unzip();
    Ok(Merged {
        manifest: first.manifest.clone(),
        files: parts.iter().map(|(f, _)| f.clone()).collect(),
        units,
        sources,
        wall_time_s: wall,
    })
}

/// The runs of `true` in `flags`, as index ranges.
fn ranges(flags: impl Iterator<Item = bool>) -> Vec<Range<u64>> {
    let mut out: Vec<Range<u64>> = Vec::new();
    for (i, flag) in (0u64..).zip(flags) {
        if !flag {
            continue;
        }
        match out.last_mut() {
            Some(r) if r.end == i => r.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::part::{ShardField, UnitDigest};

    /// Part `index` of `count` of a run of `units` units, each digest
    /// being its own index.
    fn part(index: u64, count: u64, units: u64) -> (PathBuf, Part) {
        let b = assign::block(units, Shard { index, count });
        let file = PathBuf::from(format!("parts/{index}.json"));
        let part = Part::new(
            Manifest {
                portsim_version: env!("CARGO_PKG_VERSION").into(),
                command: "sweep".into(),
                arguments: vec!["sweep".into(), "my study.toml".into()],
                cwd: "/work".into(),
                run_id: "abc".into(),
                scenarios: vec!["h1".into(), "h2".into()],
                overrides: vec![],
                seed: 7,
                replications: 5,
                units,
                shard: ShardField { index, count },
                held: [b.start, b.end],
                wall_time_s: 1.0,
            },
            b.map(|u| UnitDigest {
                unit: u,
                words: vec![u],
            })
            .collect(),
        );
        (file, part)
    }

    fn all(count: u64, units: u64) -> Vec<(PathBuf, Part)> {
        (0..count).map(|i| part(i, count, units)).collect()
    }

    #[test]
    fn every_shard_count_gives_every_unit_in_order() {
        for count in [1, 3, 10, 64] {
            let mut parts = all(count, 10);
            parts.reverse();
            let m = merge(parts).expect("merges");
            let words: Vec<u64> = m.units.iter().map(|w| w[0]).collect();
            assert_eq!(words, (0..10).collect::<Vec<_>>(), "{count} shards");
            // Unit 9 is in the last shard's part, given first.
            assert_eq!(
                m.files[m.sources[9]],
                PathBuf::from(format!("parts/{}.json", count - 1))
            );
            assert_eq!(m.wall_time_s, count as f64);
        }
    }

    #[test]
    fn a_gap_names_the_units_the_shard_and_the_command_to_rerun() {
        let mut parts = all(4, 10);
        parts.remove(2);
        let e = merge(parts).expect_err("gap").to_string();
        assert!(
            e.starts_with("the parts do not cover the run: 2 of 10 units are missing (units 5-6), those of shard 2/4"),
            "{e}"
        );
        assert!(
            e.contains("\n  portsim sweep 'my study.toml' --shard 2/4 --part PART-2.json"),
            "{e}"
        );
        // With more shards than units, the empty ones are never asked for.
        let mut parts = all(12, 10);
        parts.retain(|(_, p)| p.manifest.shard.index != 11 && !p.units.is_empty());
        let e = merge(parts).expect_err("gap").to_string();
        assert!(e.contains("(units 9), those of shard 11/12"), "{e}");
    }

    #[test]
    fn duplicates_and_strangers_are_refused_by_name() {
        let mut parts = all(3, 10);
        parts.push(part(1, 3, 10));
        let e = merge(parts).expect_err("duplicate").to_string();
        assert_eq!(
            e,
            "shard 1/3 is given twice: `parts/1.json` and `parts/1.json`"
        );
        type Change = fn(&mut Manifest);
        let cases: [(Change, &str); 6] = [
            (
                |m| m.portsim_version = "9.9.9".into(),
                "portsim version is 9.9.9, not",
            ),
            (
                |m| m.command = "run".into(),
                "command is `run`, not `sweep`",
            ),
            (
                |m| m.scenarios[1] = "other".into(),
                "scenario hash list is h1, other",
            ),
            (|m| m.seed = 8, "seed is 8, not 7"),
            (|m| m.replications = 6, "replication count is 6, not 5"),
            (|m| m.run_id = "xyz".into(), "run id is xyz, not abc"),
        ];
        for (change, expect) in cases {
            let mut parts = all(3, 10);
            change(&mut parts[2].1.manifest);
            let e = merge(parts).expect_err(expect).to_string();
            assert!(
                e.starts_with("`parts/2.json` is not part of the same run as `parts/0.json`"),
                "{e}"
            );
            assert!(e.contains(expect), "{e}");
        }
        let mut parts = all(3, 10);
        parts[1].1.units.pop();
        let e = merge(parts).expect_err("damaged").to_string();
        assert!(e.starts_with("`parts/1.json` is damaged"), "{e}");
        // With its checksum made to match, the block is still checked.
        let mut parts = all(3, 10);
        parts[1].1.units.pop();
        parts[1].1.units_sha256 = crate::shard::part::units_sha256(&parts[1].1.units);
        let e = merge(parts).expect_err("damaged").to_string();
        assert!(e.contains("should hold units 3..6 in order"), "{e}");
        let mut parts = all(3, 10);
        parts[1].1.manifest.shard.count = 4;
        let e = merge(parts).expect_err("count").to_string();
        assert!(e.contains("shard count is 4, not 3"), "{e}");
        assert!(matches!(merge(Vec::new()), Err(MergeError::NoParts)));
    }

    #[test]
    fn damaged_parts_are_named_before_anything_is_sized_from_them() {
        // A word altered, and a digest copied over its neighbour's.
        let mut parts = all(3, 10);
        parts[2].1.units[0].words[0] = u64::MAX;
        let e = merge(parts).expect_err("altered").to_string();
        assert!(
            e.starts_with("`parts/2.json` is damaged: its unit digests do not match the checksum"),
            "{e}"
        );
        let mut parts = all(3, 10);
        parts[1].1.units[1].words = parts[1].1.units[0].words.clone();
        let e = merge(parts).expect_err("copied").to_string();
        assert!(e.starts_with("`parts/1.json` is damaged"), "{e}");
        // Huge counts, in the first part or another: a message, not an
        // allocation (the checksum still matches: counts are checked on
        // their own).
        for units in [1u64 << 62, u64::MAX] {
            for which in [0, 2] {
                let mut parts = all(3, 10);
                parts[which].1.manifest.units = units;
                let e = merge(parts).expect_err("huge").to_string();
                assert!(
                    e.starts_with(&format!("`parts/{which}.json` is damaged: it says the run has {units} units, more than any run can have (at most 2000000)")),
                    "{e}"
                );
            }
        }
    }
}
