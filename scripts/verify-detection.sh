#!/usr/bin/env bash
# Detection at the default budget: every 04-lock and 07-bank variant that has a race, a deadlock
# or a busy hang, graded N times with random seeds. Extra flags go to `carrera grade`, so
# `scripts/verify-detection.sh 20 --cold` gives the numbers with a fresh interpreter per trial.
# The variants are read from this checkout; the exercises from the binary's own checkout.
#   scripts/verify-detection.sh [N] [grade flags...]   (default N = 20)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
shift || true
# BIN=<another build> compares an older carrera on the same variants.
bin=${BIN:-target/release/carrera}
[ -n "${BIN:-}" ] || cargo build --release -q
for f in solutions/04-lock/buggy/*.py solutions/07-bank/buggy/*.py; do
  want=$( (grep -m1 -o '^# expect: [a-z_]*' "$f" || true) | cut -d' ' -f3)
  case "$want" in race|deadlock|busy_hang) ;; *) continue ;; esac
  ex=$(basename "$(dirname "$(dirname "$f")")")
  ok=0; times=()
  for i in $(seq "$n"); do
    start=$(date +%s.%N)
    # exit 1 is a failing grade: the expected outcome here, not an error
    got=$( ($bin grade "$ex" "$f" --format json "$@" || true) | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])' 2>/dev/null || echo "error")
    times+=("$(python3 -c "print($(date +%s.%N)-$start)")")
    [ "$got" = "$want" ] && ok=$((ok+1)) || echo "   $f: got $got"
  done
  python3 - "$f" "$want" "$ok" "$n" "${times[@]}" <<'PY'
import statistics as st, sys
f, want, ok, n, *t = sys.argv[1:]
t = [float(x) for x in t]
print("%-48s %-10s %2s/%s  median %.1f s  slowest %.1f s" % (f, want, ok, n, st.median(t), max(t)))
PY
done
