//! Where a scenario's text may come from, as its diagnostics name it: a
//! `.toml` file, or the `--set` command line.
//!
//! The diagnostics (`error`) decide from these names which lines they may
//! echo, while `sources` and `overrides` give texts those names; keeping
//! the names here, below all three, lets each import them without the
//! diagnostics importing the readers that produce them.

use std::path::Path;

/// The origin name of a `--set` argument, as messages show it.
pub const COMMAND_LINE: &str = "--set";

/// Whether `path` names a `.toml` file, the only kind `extends` and
/// interventions may name.
pub(super) fn is_toml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}
