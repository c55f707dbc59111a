//! `--shard I/N` and `--shard auto/N`: which shard this process is.
//!
//! `auto` takes the index from the first of the batch engines' variables
//! that is set ([`INDEX_VARIABLES`]: Slurm job arrays, Kubernetes Indexed
//! Jobs, AWS Batch array jobs), so one command line serves every task of
//! an array. Indices count from 0, as all three engines do.

use crate::scenario::limits::MAX_SHARDS;

/// The variables `auto` reads, in the order it tries them.
pub const INDEX_VARIABLES: [&str; 3] = [
    "SLURM_ARRAY_TASK_ID",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
];

/// Shard `index` of `count` (`index < count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which one, from 0.
    pub index: u64,
    /// How many there are.
    pub count: u64,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// `--shard` as written: a fixed index, or `auto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardArg {
    /// `I/N`.
    Fixed(Shard),
    /// `auto/N`: the index from the environment.
    Auto {
        /// N.
        count: u64,
    },
}

/// A `--shard` value that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// Not `I/N` or `auto/N`.
    #[error(
        "invalid value `{0}` for `--shard`: expected I/N (like 3/8, shard 3 of 8, counting from 0) or auto/N"
    )]
    Syntax(String),
    /// A part that is not a whole number.
    #[error("invalid value `{text}` for `--shard`: {what} `{part}` is not a whole number")]
    Number {
        /// The value.
        text: String,
        /// "the index" or "the count".
        what: &'static str,
        /// The offending part.
        part: String,
    },
    /// N out of range.
    #[error("invalid value `{0}` for `--shard`: the count must be between 1 and {MAX_SHARDS}")]
    Count(String),
    /// I ≥ N.
    #[error("shard index {index} is out of range for {count} shards: indices run from 0 to {}{from}", count - 1)]
    Index {
        /// The index.
        index: u64,
        /// The count.
        count: u64,
        /// Where the index came from (" (from SLURM_ARRAY_TASK_ID)"), or "".
        from: String,
    },
    /// `auto` with no variable set.
    #[error("`--shard auto/{0}` needs the task's index, but none of {vars} is set; give the index yourself (--shard I/{0})", vars = INDEX_VARIABLES.join(", "))]
    NoIndex(u64),
    /// A variable that is not an index.
    #[error("`--shard auto`: {var}=`{value}` is not a whole number")]
    BadIndex {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
    },
}

/// Reads `I/N` or `auto/N`.
pub fn parse(text: &str) -> Result<ShardArg, SpecError> {
    let Some((first, second)) = text.trim().split_once('/') else {
        return Err(SpecError::Syntax(text.to_owned()));
    };
    let number = |what, part: &str| {
        part.trim().parse::<u64>().map_err(|_| SpecError::Number {
            text: text.to_owned(),
            what,
            part: part.to_owned(),
        })
    };
    let count = number("the count", second)?;
    if count == 0 || count > MAX_SHARDS {
        return Err(SpecError::Count(text.to_owned()));
    }
    if first.trim() == "auto" {
        return Ok(ShardArg::Auto { count });
    }
    let index = number("the index", first)?;
    check(index, count, String::new())?;
    Ok(ShardArg::Fixed(Shard { index, count }))
}

fn check(index: u64, count: u64, from: String) -> Result<Shard, SpecError> {
    if index >= count {
        return Err(SpecError::Index { index, count, from });
    }
    Ok(Shard { index, count })
}

/// The shard `arg` names, reading `auto`'s index with `env` (a variable
/// set to the empty string counts as unset).
pub fn resolve(arg: ShardArg, env: impl Fn(&str) -> Option<String>) -> Result<Shard, SpecError> {
    let count = match arg {
        ShardArg::Fixed(s) => return Ok(s),
        ShardArg::Auto { count } => count,
    };
    for var in INDEX_VARIABLES {
        let Some(value) = env(var).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let index = value
            .trim()
            .parse::<u64>()
            .map_err(|_| SpecError::BadIndex {
                var,
                value: value.clone(),
            })?;
        return check(index, count, format!(" (from {var})"));
    }
    Err(SpecError::NoIndex(count))
}

/// The shard of `--shard text`, with `auto` read from the process's
/// environment.
pub fn from_env(text: &str) -> Result<Shard, SpecError> {
    resolve(parse(text)?, |v| std::env::var(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn fixed_and_auto() {
        let s = |i, n| Shard { index: i, count: n };
        assert_eq!(parse("3/8"), Ok(ShardArg::Fixed(s(3, 8))));
        assert_eq!(parse("0/1"), Ok(ShardArg::Fixed(s(0, 1))));
        assert_eq!(parse("auto/4"), Ok(ShardArg::Auto { count: 4 }));
        let auto = ShardArg::Auto { count: 4 };
        assert_eq!(
            resolve(auto, env(&[("SLURM_ARRAY_TASK_ID", "2")])),
            Ok(s(2, 4))
        );
        assert_eq!(
            resolve(auto, env(&[("JOB_COMPLETION_INDEX", "1")])),
            Ok(s(1, 4))
        );
        assert_eq!(
            resolve(auto, env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "3")])),
            Ok(s(3, 4))
        );
        // The first one set wins; an empty one counts as unset.
        let both = [
            ("SLURM_ARRAY_TASK_ID", ""),
            ("JOB_COMPLETION_INDEX", "0"),
            ("AWS_BATCH_JOB_ARRAY_INDEX", "3"),
        ];
        assert_eq!(resolve(auto, env(&both)), Ok(s(0, 4)));
    }

    #[test]
    fn mistakes_are_named() {
        let msg = |t: &str| parse(t).expect_err(t).to_string();
        assert!(msg("3").contains("expected I/N"), "{}", msg("3"));
        assert!(msg("a/3").contains("the index `a`"), "{}", msg("a/3"));
        assert!(msg("1/x").contains("the count `x`"), "{}", msg("1/x"));
        assert!(msg("0/0").contains("between 1 and"), "{}", msg("0/0"));
        assert!(
            msg("-1/3").contains("not a whole number"),
            "{}",
            msg("-1/3")
        );
        assert_eq!(
            msg("4/4"),
            "shard index 4 is out of range for 4 shards: indices run from 0 to 3"
        );
        let auto = ShardArg::Auto { count: 4 };
        let e = resolve(auto, env(&[])).expect_err("none set").to_string();
        assert!(e.contains("none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set"), "{e}");
        let e = resolve(auto, env(&[("SLURM_ARRAY_TASK_ID", "7")]))
            .expect_err("too big")
            .to_string();
        assert!(e.ends_with("0 to 3 (from SLURM_ARRAY_TASK_ID)"), "{e}");
        let e = resolve(auto, env(&[("JOB_COMPLETION_INDEX", "one")]))
            .expect_err("not a number")
            .to_string();
        assert!(e.contains("JOB_COMPLETION_INDEX=`one`"), "{e}");
    }
}
