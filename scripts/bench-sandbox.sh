#!/usr/bin/env bash
# What the sandbox costs per trial: the 04-lock reference graded with the tier this machine
# allows (strong as root: cgroup, Landlock, no network, no capabilities) and with
# CARRERA_SANDBOX=minimal, alternating, warm trials and fresh interpreters (--cold).
# Prints the medians of REPS repetitions of stress trials per second, and the ratios.
#   scripts/bench-sandbox.sh [REPS]        (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
cargo build --release -q
bin=$PWD/target/release/carrera
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "<tier> <trials per second>" of one grading; the reference must pass. Extra flags in "$@".
tps() {
  "$bin" grade 04-lock solutions/04-lock/reference.py --format json -o "$work/g.json" "$@" >/dev/null
  python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); assert g["verdict"]=="pass", g["verdict"]; print(g["sandbox"], g["trials_per_second"])' "$work/g.json"
}

for r in $(seq "$reps"); do
  seed=$((7000 + r))
  # Alternate which goes first, so drift in the machine's load favours neither.
  if (( r % 2 )); then order="default minimal"; else order="minimal default"; fi
  for mode in $order; do
    if [[ $mode == minimal ]]; then export CARRERA_SANDBOX=minimal; else unset CARRERA_SANDBOX; fi
    echo "warm $(tps --runs 300 --seed $seed)" >> "$work/tps.txt"
    echo "cold $(tps --runs 100 --seed $seed --cold)" >> "$work/tps.txt"
  done
  unset CARRERA_SANDBOX
done

python3 - "$work/tps.txt" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    kind, tier, tps = line.split()
    rows.setdefault((kind, tier), []).append(float(tps))
tiers = sorted({t for _, t in rows if t != "minimal"})
for kind in ("warm", "cold"):
    base = rows.get((kind, "minimal"), [])
    for tier in tiers:
        got = rows.get((kind, tier), [])
        if not base or not got:
            continue
        mb, mg = statistics.median(base), statistics.median(got)
        print(f"{kind}: {tier} {mg:.1f} trials/s (min {min(got):.1f}, max {max(got):.1f}), "
              f"minimal {mb:.1f} (min {min(base):.1f}, max {max(base):.1f}); "
              f"cost per trial {tier}/minimal = {mb / mg:.2f}x")
PY
