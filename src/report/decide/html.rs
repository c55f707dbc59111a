//! Self-contained HTML pages of decision studies.

use crate::decide::points::Outcome;
use crate::decide::sweep::Sweep;
use crate::report::json::Manifest;

/// The page of `portsim sweep`.
pub fn sweep(_sw: &Sweep, _outcome: &Outcome, _manifest: &Manifest) -> String {
    String::new()
}

/// The page of `portsim plan`.
pub fn plan(_p: &crate::decide::plan::Plan, _a: &crate::decide::plan::Answer, _m: &Manifest) -> String {
    String::new()
}

/// The page of `portsim sensitivity`.
pub fn sensitivity(
    _s: &crate::decide::sensitivity::Sensitivity,
    _f: Option<&crate::decide::sensitivity::Findings>,
    _m: &Manifest,
) -> String {
    String::new()
}
