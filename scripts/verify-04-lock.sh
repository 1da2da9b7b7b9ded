#!/usr/bin/env bash
# Measurements behind the core grader's acceptance criteria, on this machine.
#   scripts/verify-04-lock.sh [GRADINGS]   (default 20 gradings per buggy variant)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
bin=target/release/carrera
cargo build --release -q

echo "== reference: 200 trials across every profile and start method"
$bin grade 04-lock solutions/04-lock/reference.py --runs 200 --seed 2026 --format json \
  | python3 -c 'import json,sys; g=json.load(sys.stdin); print(g["verdict"], g["trials"], "trials,", g["failures"], "failures,", round(g["duration_s"],1), "s")'

echo "== default gradings: wall time (s) of 5 runs of the reference"
for i in 1 2 3 4 5; do /usr/bin/time -f "%e" $bin grade 04-lock solutions/04-lock/reference.py >/dev/null; done 2>&1 | tr '\n' ' '; echo

echo "== each solution, $n independent gradings at the default budget (random seeds)"
for f in solutions/04-lock/*.py solutions/04-lock/buggy/*.py; do
  want=$( (grep -m1 -o '^# expect: [a-z_]*' "$f" || true) | cut -d' ' -f3); want=${want:-pass}
  ok=0; worst=0
  for i in $(seq "$n"); do
    start=$(date +%s.%N)
    # carrera exits 1 for a failing submission: that is the expected outcome here, not an error.
    got=$( ($bin grade 04-lock "$f" --format json || true) | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])' 2>/dev/null || echo "error")
    t=$(python3 -c "print($(date +%s.%N)-$start)")
    worst=$(python3 -c "print(max($worst,$t))")
    [ "$got" = "$want" ] && ok=$((ok+1)) || echo "   $f: got $got"
  done
  printf '%-48s %-14s %2d/%d  slowest %.1f s\n' "$f" "$want" "$ok" "$n" "$worst"
done
