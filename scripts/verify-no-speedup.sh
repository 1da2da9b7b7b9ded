#!/usr/bin/env bash
# Every variant declared `# expect: no_speedup`, graded N times with seeds 1..N at the default
# budget: prints the verdicts it got and the slowest grading.
#   scripts/verify-no-speedup.sh [N]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
bin=target/release/carrera
cargo build --release -q
for f in $(grep -l '^# expect: no_speedup' solutions/*/buggy/*.py); do
  ex=$(basename "$(dirname "$(dirname "$f")")")
  verdicts=(); worst=0
  for i in $(seq "$n"); do
    start=$(date +%s.%N)
    # exit 1 is the expected failing grade here, not an error
    v=$( ($bin grade "$ex" "$f" --seed "$i" --format json || true) \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])' 2>/dev/null || echo error)
    t=$(python3 -c "print($(date +%s.%N)-$start)")
    worst=$(python3 -c "print(max($worst,$t))")
    verdicts+=("$v")
  done
  ok=$(printf '%s\n' "${verdicts[@]}" | grep -c '^no_speedup$' || true)
  printf '%-50s no_speedup %2d/%d  slowest %5.1f s  (%s)\n' "$f" "$ok" "$n" "$worst" \
    "$(printf '%s\n' "${verdicts[@]}" | sort | uniq -c | tr -s ' ' | tr '\n' ',')"
done
