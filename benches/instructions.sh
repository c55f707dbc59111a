#!/usr/bin/env bash
# Instructions per customer, counted by callgrind: exact and repeatable
# for the same binary and inputs, whatever else the machine is doing, so a
# change of a few per cent shows where wall-clock benchmarks on a noisy
# machine cannot tell it from noise.
#
#   benches/instructions.sh
#
# Each case is run at two sizes and the difference is divided by the
# difference in customers (trucks leaving the port), so process start,
# scenario reading and the report cancel out:
#
#   * M/M/10 at utilisation 0.9 (benches/scenarios/mm10.toml) through
#     `portsim run`, at 100,000 and 200,000 customers;
#   * the same model on the engine's reference network (examples/mm10.rs,
#     `engine::tandem`);
#   * the four-station port tandem (benches/scenarios/port-tandem.toml);
#   * both models as bare hand-written heap loops (examples/bare_loop.rs),
#     the floor any Rust simulator of them stands on;
#   * Horgos-after (scenarios/horgos-after.toml), one replication of 30 and
#     60 days.
#
# Set REF=/path/to/portsim to count the `portsim run` cases on that binary
# too (for a before/after table). Needs valgrind (Debian: valgrind). Nothing
# here is a test: it prints a table for docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cargo build --release -q --bin portsim --example mm10 --example bare_loop
bin=target/release/portsim
example=target/release/examples/mm10
bare=target/release/examples/bare_loop

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# instructions of a whole command; its standard output is kept in $out
instr() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >"$out" |
    awk '/refs:/ {gsub(",", "", $NF); print $NF}'
}
# trucks that left the port, from the JSON report of the last `instr`
cleared() {
  awk '/"cleared":/ {gsub(",", "", $2); print $2; exit}' "$out"
}
# instructions per truck of `BIN run FILE ARGS...` between two horizons
per_truck() {
  local b=$1 file=$2 short=$3 long=$4
  shift 4
  local i1 i2 n1 n2
  i1=$(instr "$b" run "$file" --horizon "$short" -j 1 -q --format json "$@")
  n1=$(cleared)
  i2=$(instr "$b" run "$file" --horizon "$long" -j 1 -q --format json "$@")
  n2=$(cleared)
  awk -v a="$i1" -v b="$i2" -v m="$n1" -v n="$n2" 'BEGIN {printf "%.0f", (b - a) / (n - m)}'
}

# instructions per customer of a command that takes the customers last
per_customer() {
  awk -v a="$(instr "$@" 100000)" -v b="$(instr "$@" 200000)" 'BEGIN {printf "%.0f", (b - a) / 100000}'
}
tandem=$(per_customer $example)
bare_mm=$(per_customer $bare mm10)
bare_pt=$(per_customer $bare port)
row() {
  local name=$1 file=$2 short=$3 long=$4
  shift 4
  local here ref=""
  here=$(per_truck "$bin" "$file" "$short" "$long" "$@")
  if [ -n "${REF:-}" ]; then
    ref=" | $(per_truck "$REF" "$file" "$short" "$long" "$@")"
  fi
  echo "| $name | $here$ref |"
}

echo "instructions per customer (callgrind), $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD)"
if [ -n "${REF:-}" ]; then
  echo "| case | this build | REF |"
  echo "| --- | --- | --- |"
else
  echo "| case | this build |"
  echo "| --- | --- |"
fi
row "M/M/10, port model" benches/scenarios/mm10.toml 11111h 22222h
echo "| M/M/10, engine::tandem (examples/mm10.rs) | $tandem${REF:+ | } |"
echo "| M/M/10, bare loop (examples/bare_loop.rs) | $bare_mm${REF:+ | } |"
row "port tandem, port model" benches/scenarios/port-tandem.toml 133333m 266667m
echo "| port tandem, bare loop | $bare_pt${REF:+ | } |"
row "Horgos-after, per truck leaving" scenarios/horgos-after.toml 30d 60d -r 1
