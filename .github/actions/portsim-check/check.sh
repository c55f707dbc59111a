#!/usr/bin/env bash
# Runs the throughput gate, `portsim check` (docs/ci.md), and always
# leaves the reports: check.json and check.junit.xml in PORTSIM_OUT, and
# the Markdown summary in PORTSIM_SUMMARY when given. Exits with the
# check's own code: 0 passed, 1 a metric failed, 2 bad input.
# The action's check step (action.yml) and the GitLab template run this
# file; .ci/run runs it too.
#
# Environment:
#   PORTSIM_FILES      scenario files, separated by spaces; globs are
#                      expanded here (required)
#   PORTSIM_BASELINE   the baseline JSON (required)
#   PORTSIM            the binary (default: portsim on the PATH)
#   PORTSIM_TOLERANCE  default 5%
#   PORTSIM_OUT        the reports' folder (default reports/portsim)
#   PORTSIM_FORMAT     stdout: github (annotations), table, json or junit
#                      (default table)
#   PORTSIM_SUMMARY    a Markdown file to append the summary to
#                      (GitHub: $GITHUB_STEP_SUMMARY); none by default
set -uo pipefail
: "${PORTSIM_FILES:?PORTSIM_FILES: the scenario files to check}"
: "${PORTSIM_BASELINE:?PORTSIM_BASELINE: the baseline JSON}"
portsim="${PORTSIM:-portsim}"
args=(check)
# Word splitting and globbing of the list are wanted here.
# shellcheck disable=SC2206
files=($PORTSIM_FILES)
args+=("${files[@]}")
args+=(--baseline "$PORTSIM_BASELINE" --tolerance "${PORTSIM_TOLERANCE:-5%}")
args+=(--format "${PORTSIM_FORMAT:-table}" --out "${PORTSIM_OUT:-reports/portsim}")
if [ -n "${PORTSIM_SUMMARY:-}" ]; then
  args+=(--summary "$PORTSIM_SUMMARY")
fi
"$portsim" "${args[@]}"
code=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"
fi
exit "$code"
