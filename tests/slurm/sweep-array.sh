#!/usr/bin/env bash
#SBATCH --job-name=portsim-sweep
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
# One shard of a sweep per array task: Slurm sets SLURM_ARRAY_TASK_ID,
# which `--shard auto/4` reads. PORTSIM is the binary, PARTS the folder
# the parts go to (both exported by the submitter; sbatch passes the
# environment on). Merge with: portsim merge "$PARTS"/part-*.json
set -euo pipefail
"${PORTSIM:-portsim}" sweep scenarios/studies/sweep-exit-pace.toml --replications 2 \
  --shard auto/4 --part "${PARTS:-parts}/part-${SLURM_ARRAY_TASK_ID}.json" --quiet
