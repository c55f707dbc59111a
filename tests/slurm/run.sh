#!/usr/bin/env bash
# A sweep sharded onto a real Slurm job array, merged, and checked byte
# for byte against the same sweep in one process.
#
# Starts a one-node Slurm on localhost (munged, slurmctld, slurmd; no
# cgroups, no systemd: settings that work in a container, as root),
# submits tests/slurm/sweep-array.sh with `sbatch --wait --array=0-3`,
# merges the four parts and compares JSON and CSV with the unsharded
# sweep (apart from the manifest's threads and wall_time_s). Installs
# Debian's slurm-wlm and munge if they are missing. The daemons are
# stopped on exit, whatever happens. Takes well under a minute once
# installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=${PORTSIM:-$root/target/release/portsim}
if [ ! -x "$bin" ]; then
  cargo build --release -q
fi
if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null || ! command -v munged > /dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge > /dev/null
fi

work=$(mktemp -d /tmp/portsim-slurm.XXXXXX)
munged_pid=""
stop() {
  kill "$1" 2> /dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$1" 2> /dev/null || return 0
    sleep 0.1
  done
  kill -9 "$1" 2> /dev/null || true
}
cleanup() {
  status=$?
  set +e
  for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid"; do
    if [ -s "$pidfile" ]; then
      stop "$(cat "$pidfile")"
    fi
  done
  if [ -n "$munged_pid" ]; then
    stop "$munged_pid"
  fi
  if [ "$status" -ne 0 ]; then
    echo "slurm: failed; logs:" >&2
    tail -n 20 "$work"/*.log "$work"/logs/* 2> /dev/null >&2 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# munge: a key, its run directory, and the daemon (unless one answers).
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
fi
mkdir -p /run/munge
chown munge:munge /run/munge
if ! munge -n 2> /dev/null | unmunge > /dev/null 2>&1; then
  munged --force 2> /dev/null || munged --force
  for _ in $(seq 50); do
    [ -s /run/munge/munged.pid ] && break
    sleep 0.1
  done
  munged_pid=$(cat /run/munge/munged.pid)
fi
munge -n | unmunge | grep -q 'STATUS: *Success'

# A one-node cluster, its state and logs in the scratch folder.
host=$(hostname)
mkdir -p "$work/state" "$work/spool" "$work/logs" "$work/parts"
cat > "$work/slurm.conf" << CONF
ClusterName=portsim
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  sinfo -h -o '%t' 2> /dev/null | grep -q idle && break
  sleep 0.5
done
sinfo -h -o '%t' | grep -q idle

# The array: four tasks, each one shard (the recipe of docs/cluster.md).
export PORTSIM="$bin" PARTS="$work/parts"
sbatch --wait --array=0-3 --chdir="$root" --output="$work/logs/%A_%a.out" \
  tests/slurm/sweep-array.sh > /dev/null
ls "$work"/parts/part-{0,1,2,3}.json > /dev/null

# Merged == one process, byte for byte (timing fields aside).
study=scenarios/studies/sweep-exit-pace.toml
untimed() { grep -v -e '"threads":' -e '"wall_time_s":' "$1"; }
"$bin" sweep "$study" --replications 2 --format json -q > "$work/one.json"
"$bin" merge "$work"/parts/part-*.json --format json -q > "$work/merged.json"
diff <(untimed "$work/one.json") <(untimed "$work/merged.json")
"$bin" sweep "$study" --replications 2 --format csv -q > "$work/one.csv"
"$bin" merge "$work"/parts/part-*.json --format csv -q > "$work/merged.csv"
cmp "$work/one.csv" "$work/merged.csv"
echo "slurm: a 4-task job array of $study merged byte-identical to one process"
