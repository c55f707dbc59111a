#!/usr/bin/env bash
# Installs portsim from source, the documented way:
#   cargo install --locked --path SOURCE
# The action's install step (action.yml) and the GitLab template
# (.gitlab/portsim-check.gitlab-ci.yml) run this file; .ci/run runs it too.
#
# Environment (all optional):
#   PORTSIM_SOURCE      the folder holding portsim's Cargo.toml (default .)
#   PORTSIM_ROOT        where bin/portsim goes (default: cargo's, ~/.cargo)
#   PORTSIM_TARGET_DIR  cargo's target folder (cached between runs)
# Prints the installed binary's path last.
set -euo pipefail
source="${PORTSIM_SOURCE:-.}"
args=(install --locked --path "$source" --quiet)
if [ -n "${PORTSIM_ROOT:-}" ]; then
  args+=(--root "$PORTSIM_ROOT")
fi
if [ -n "${PORTSIM_TARGET_DIR:-}" ]; then
  args+=(--target-dir "$PORTSIM_TARGET_DIR")
fi
cargo "${args[@]}"
bin="${PORTSIM_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
"$bin/portsim" --version >&2
echo "$bin/portsim"
