#!/bin/bash
# Grade a class folder as a Slurm job array, then merge the shards in a dependent job:
#
#   jid=$(sbatch --parsable --array=1-8 slurm.sh 04-lock /shared/submissions /shared/grading)
#   sbatch --dependency=afterany:$jid --export=ALL,CARRERA_MERGE=1 slurm.sh \
#       04-lock /shared/submissions /shared/grading
#
# Each array task grades shard K/N (K = task id, N = array size) into OUT/shard-K; the merge
# job writes OUT/merged once every task has ended (and fails, saying which, if a shard is
# unfinished). Submitting the array again resumes every shard: finished submissions are
# kept, the missing ones graded.
#SBATCH --job-name=carrera
#SBATCH --cpus-per-task=4          # one grading runs its stress trials on all of these
#SBATCH --time=01:00:00
#SBATCH --output=carrera-%A_%a.log
set -euo pipefail

EXERCISE=${1:?exercise}
CLASS=${2:?class folder}
OUT=${3:?output folder}
STRESS=(--seed 1 --budget 20)      # the same on every shard

if [ "${CARRERA_MERGE:-}" = 1 ]; then
    carrera merge "$OUT"/shard-* --out "$OUT/merged" || [ $? -eq 1 ]
    exit 0
fi

K=${SLURM_ARRAY_TASK_ID:?submit with sbatch --array=1-N}
N=${SLURM_ARRAY_TASK_COUNT:?submit with sbatch --array=1-N}
resume=()
if [ -e "$OUT/shard-$K/.carrera/batch.json" ]; then
    resume=(--resume)
fi
# Exit code 1 only means some submission failed.
carrera batch "$EXERCISE" "$CLASS" --out "$OUT/shard-$K" --shard "$K/$N" \
    "${STRESS[@]}" "${resume[@]}" || [ $? -eq 1 ]
