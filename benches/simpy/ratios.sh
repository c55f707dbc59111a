#!/usr/bin/env bash
# Same-run speed ratios of portsim against SimPy on the two reference models
# of shared/peer-models (MODEL.md: M/M/10 at utilisation 0.9 and the
# four-station port tandem, one million customers each), and of the
# Horgos-after port over a year against another portsim binary.
#
#   benches/simpy/ratios.sh [PEER_MODELS_DIR]
#
# PEER_MODELS_DIR holds mmc_simpy.py and port_simpy.py (default:
# ../shared/peer-models next to the repository). SimPy 4.1.2 is installed
# into target/simpy-venv on first use (needs the Python package index).
# The same two models as bare hand-written heap loops (examples/bare_loop.rs:
# no engine, no statistics beyond two means, the fastest generator) are timed
# in the same rounds: what any Rust simulator of these networks must spend
# at the least, so the floor under the ratios portsim can reach.
# Set REF=/path/to/portsim to also time the Horgos case on that binary, and
# ROUNDS=N (default 3) to repeat every timing; the fastest of each is used
# (the run least disturbed by other work on the machine), and the runs of a
# round are interleaved, so a noisy machine affects both sides alike. Times are wall clock of the whole command,
# process start and file reading included. Nothing here is a test: it
# prints a table for docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
peer=${1:-../shared/peer-models}
rounds=${ROUNDS:-3}
[ -f "$peer/mmc_simpy.py" ] || { echo "no $peer/mmc_simpy.py (give the peer-models folder)" >&2; exit 2; }
venv=target/simpy-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q simpy==4.1.2
fi
cargo build --release -q --bin portsim --example bare_loop
bin=target/release/portsim
bare=target/release/examples/bare_loop

# wall time of a command, in seconds; its standard output is kept in $out
out=$(mktemp)
trap 'rm -f "$out"' EXIT
secs() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$out"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}' 
}
fastest() { sort -g | head -n 1; }

# the Horgos case: a year, 30 replications
reps=30
horgos=(run scenarios/horgos-after.toml --horizon 365d -r "$reps" -q --format json)
declare -A t
for r in $(seq "$rounds"); do
  t[mm_port]+="$(secs $bin run benches/scenarios/mm10.toml -j 1 -q --format json) "
  t[mm_bare]+="$(secs $bare mm10 1000000) "
  t[mm_simpy]+="$(secs "$venv/bin/python" "$peer/mmc_simpy.py" -n 1000000 --seed 1) "
  t[pt_port]+="$(secs $bin run benches/scenarios/port-tandem.toml -j 1 -q --format json) "
  t[pt_bare]+="$(secs $bare port 1000000) "
  t[pt_simpy]+="$(secs "$venv/bin/python" "$peer/port_simpy.py" -n 1000000 --seed 1) "
  t[h1]+="$(secs $bin "${horgos[@]}" -j 1) "
  # trucks leaving the port over all replications (the report gives the
  # mean a replication), for the time a truck against the bare loop's
  horgos_trucks=$(awk -v n="$reps" '/"cleared":/ {gsub(",", "", $2); print $2 * n; exit}' "$out")
  t[h2]+="$(secs $bin "${horgos[@]}" -j 2) "
  if [ -n "${REF:-}" ]; then
    t[r1]+="$(secs "$REF" "${horgos[@]}" -j 1) "
    t[r2]+="$(secs "$REF" "${horgos[@]}" -j 2) "
  fi
  echo "round $r of $rounds done" >&2
done
m() { echo "${t[$1]}" | tr ' ' '\n' | grep . | fastest; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
echo "machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d); fastest of $rounds interleaved rounds"
echo "| case | portsim | reference | ratio |"
echo "| --- | --- | --- | --- |"
printf '| M/M/10, 1e6 customers, `portsim run` vs SimPy | %.2f s | %.1f s | %s× |\n' "$(m mm_port)" "$(m mm_simpy)" "$(ratio "$(m mm_simpy)" "$(m mm_port)")"
printf '| port tandem, 1e6 trucks, `portsim run` vs SimPy | %.2f s | %.1f s | %s× |\n' "$(m pt_port)" "$(m pt_simpy)" "$(ratio "$(m pt_simpy)" "$(m pt_port)")"
printf '| M/M/10, bare loop (examples/bare_loop.rs) vs SimPy | %.2f s | %.1f s | %s× |\n' "$(m mm_bare)" "$(m mm_simpy)" "$(ratio "$(m mm_simpy)" "$(m mm_bare)")"
printf '| port tandem, bare loop vs SimPy | %.2f s | %.1f s | %s× |\n' "$(m pt_bare)" "$(m pt_simpy)" "$(ratio "$(m pt_simpy)" "$(m pt_bare)")"
printf '| M/M/10, `portsim run` vs bare loop | %.2f s | %.2f s | %s× slower |\n' "$(m mm_port)" "$(m mm_bare)" "$(ratio "$(m mm_port)" "$(m mm_bare)")"
printf '| port tandem, `portsim run` vs bare loop | %.2f s | %.2f s | %s× slower |\n' "$(m pt_port)" "$(m pt_bare)" "$(ratio "$(m pt_port)" "$(m pt_bare)")"
if [ -n "${REF:-}" ]; then
  printf '| Horgos-after 365 d × '"$reps"', 1 thread, vs REF | %.1f s | %.1f s | %s× |\n' "$(m h1)" "$(m r1)" "$(ratio "$(m r1)" "$(m h1)")"
  printf '| Horgos-after 365 d × '"$reps"', 2 threads, vs REF | %.1f s | %.1f s | %s× |\n' "$(m h2)" "$(m r2)" "$(ratio "$(m r2)" "$(m h2)")"
fi
us() { awk -v s="$1" -v n="$2" 'BEGIN {printf "%.3f µs", s / n * 1e6}'; }
printf '| time a truck leaving, Horgos-after (1 thread) vs the bare port tandem loop | %s | %s | %s× slower |\n' "$(us "$(m h1)" "$horgos_trucks")" "$(us "$(m pt_bare)" 1000000)" "$(awk -v a="$(m h1)" -v n="$horgos_trucks" -v b="$(m pt_bare)" 'BEGIN {printf "%.1f", a / n / (b / 1e6)}')"
printf '| Horgos-after 365 d × '"$reps"', 2 threads vs 1 | %.1f s | %.1f s | %s× |\n' "$(m h2)" "$(m h1)" "$(ratio "$(m h1)" "$(m h2)")"
# the targets of docs/performance.md, each as met or missed
verdict() { awk -v r="$1" -v lim="$2" 'BEGIN {print (r <= lim ? "met" : "MISSED")}'; }
mm=$(ratio "$(m mm_port)" "$(m mm_bare)")
pt=$(ratio "$(m pt_port)" "$(m pt_bare)")
truck=$(awk -v a="$(m h1)" -v n="$horgos_trucks" -v b="$(m pt_bare)" 'BEGIN {printf "%.2f", a / n / (b / 1e6)}')
scale=$(ratio "$(m h1)" "$(m h2)")
echo
echo "targets (docs/performance.md):"
echo "  M/M/10 within 2x of the bare loop: ${mm}x, $(verdict "$mm" 2)"
echo "  port tandem within 2x of the bare loop: ${pt}x, $(verdict "$pt" 2)"
echo "  a Horgos truck within 2.5x of a bare port-tandem truck: ${truck}x, $(verdict "$truck" 2.5)"
echo "  Horgos on 2 threads at least 1.8x faster than on 1: ${scale}x, $(awk -v r="$scale" 'BEGIN {print (r >= 1.8 ? "met" : "MISSED")}')"
