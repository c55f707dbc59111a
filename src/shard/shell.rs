//! A command line written back as a shell would take it: what the
//! messages about parts print when they say which command to run again.
//!
//! Both a part's own refusals (`part`) and the merge's report of missing
//! shards (`merge`) quote commands; the quoting sits here, below both, so
//! that a part does not import the merge that reads it.

/// The command line as a shell would take it back.
pub fn quote(arguments: &[String]) -> String {
    arguments
        .iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
