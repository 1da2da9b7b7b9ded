#!/usr/bin/env bash
# Trial throughput and time to first failure, side by side in one run, on 04-lock:
#   - carrera (warm trials, the default) and carrera --cold (a fresh interpreter per trial);
#   - a naive loop: a standalone test script run once per iteration in a shell loop (fresh
#     interpreter, same check, no perturbation), through `python3` as a user would type it
#     (here that may be a version-manager shim) and through the resolved interpreter;
#   - the physical floor: an already-warm interpreter forking one child per trial that runs
#     the same case and exits, as many forkers at a time as carrera runs CPUs.
# Prints medians of REPS repetitions and the ratios.
#   scripts/bench-trials.sh [REPS]        (default 5; TTFF_REPS=3, TTFF_CAP_S=20)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
ttff_reps=${TTFF_REPS:-3}
cap=${TTFF_CAP_S:-20}
cargo build --release -q
bin=$PWD/target/release/carrera
real_py=$(python3 -c 'import sys; print(sys.executable)')
cpus=$(python3 -c 'import os; print(len(os.sched_getaffinity(0)))')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/naive.py" <<'PY'
# What a student would write to repeat the check: one case per run, cases in turn.
import sys
from counter import count_with_lock
CASES = [(1, 50), (2, 150), (4, 200)]
if __name__ == "__main__":
    n, k = CASES[int(sys.argv[1]) % 3]
    sys.exit(0 if count_with_lock(n, k) == n * k else 1)
PY
cat > "$work/floor.py" <<'PY'
# The physical floor: fork an already-warm interpreter, run the case, exit.
import multiprocessing, multiprocessing.sharedctypes, multiprocessing.synchronize, os, sys, time
from counter import count_with_lock
CASES = [(1, 50), (2, 150), (4, 200)]
n_trials, lanes = int(sys.argv[1]), int(sys.argv[2])
def lane(first):
    for i in range(first, n_trials, lanes):
        pid = os.fork()
        if pid == 0:
            n, k = CASES[i % 3]
            os._exit(0 if count_with_lock(n, k) == n * k else 1)
        os.waitpid(pid, 0)
t = time.perf_counter()
kids = []
for l in range(lanes):
    pid = os.fork()
    if pid == 0:
        lane(l)
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
print(n_trials / (time.perf_counter() - t))
PY

# Trials per second of a naive loop: $1 = interpreter, $2 = iterations.
naive_tps() {
  (cd "$work" && cp "$OLDPWD/solutions/04-lock/reference.py" counter.py &&
    python3 - "$1" "$2" <<'PY'
import subprocess, sys, time
py, n = sys.argv[1], int(sys.argv[2])
t = time.perf_counter()
for i in range(n):
    subprocess.run([py, "naive.py", str(i)], check=True)
print(n / (time.perf_counter() - t))
PY
  )
}

# Stress trials per second of one grading (JSON trials_per_second); extra flags in "$@".
carrera_tps() {
  "$bin" grade 04-lock solutions/04-lock/reference.py --format json -o "$work/g.json" "$@" >/dev/null
  python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); assert g["verdict"]=="pass", g["verdict"]; print(g["trials_per_second"])' "$work/g.json"
}

quiet="fork,none,p=0,gate=0,cpus=all,seed=1"
spawn="spawn,none,p=0,gate=0,cpus=all,seed=1"
echo "machine: $cpus CPUs; python3 = $(command -v python3) -> $real_py"
: > "$work/tps.txt"
for r in $(seq "$reps"); do
  seed=$((1000 + r))
  cp solutions/04-lock/reference.py "$work/counter.py"
  echo "warm $(carrera_tps --runs 300 --seed $seed)" >> "$work/tps.txt"
  echo "cold $(carrera_tps --runs 150 --seed $seed --cold)" >> "$work/tps.txt"
  echo "warm_quiet $(carrera_tps --runs 300 --seed $seed --profile $quiet)" >> "$work/tps.txt"
  echo "cold_quiet $(carrera_tps --runs 150 --seed $seed --profile $quiet --cold)" >> "$work/tps.txt"
  echo "warm_spawn $(carrera_tps --runs 60 --seed $seed --profile $spawn)" >> "$work/tps.txt"
  echo "cold_spawn $(carrera_tps --runs 60 --seed $seed --profile $spawn --cold)" >> "$work/tps.txt"
  echo "naive_python3 $(naive_tps python3 40)" >> "$work/tps.txt"
  echo "naive_real $(naive_tps "$real_py" 60)" >> "$work/tps.txt"
  echo "floor $(cd "$work" && "$real_py" floor.py 300 "$cpus")" >> "$work/tps.txt"
  echo "repetition $r/$reps done" >&2
done

# Time to first failure: carrera's whole grading (stops at the first forbidden outcome, then
# replays it) against a naive loop that stops at the first failed or hung run.
: > "$work/ttff.txt"
for v in lock_per_worker lock_read_only no_lock threading_lock never_released value_with_plain_lock; do
  for r in $(seq "$ttff_reps"); do
    t0=$(date +%s.%N)
    "$bin" grade 04-lock "solutions/04-lock/buggy/$v.py" --seed $((2000 + r)) --format json -o "$work/v.json" >/dev/null || true
    t1=$(date +%s.%N)
    verdict=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$work/v.json")
    echo "carrera $v $verdict $(python3 -c "print($t1 - $t0)")" >> "$work/ttff.txt"
    cp "solutions/04-lock/buggy/$v.py" "$work/counter.py"
    naive=$(cd "$work" && python3 - "$real_py" "$cap" <<'PY'
import subprocess, sys, time
py, cap = sys.argv[1], float(sys.argv[2])
t, i = time.perf_counter(), 0
while time.perf_counter() - t < cap:
    try:
        r = subprocess.run([py, "naive.py", str(i)], timeout=5, capture_output=True)
        failed = r.returncode != 0
    except subprocess.TimeoutExpired:
        failed = True
    i += 1
    if failed:
        print("found", time.perf_counter() - t)
        break
else:
    print("missed", cap)
PY
)
    echo "naive $v $naive" >> "$work/ttff.txt"
  done
done

python3 - "$work/tps.txt" "$work/ttff.txt" "$cpus" <<'PY'
import collections, statistics as st, sys
tps = collections.defaultdict(list)
for line in open(sys.argv[1]):
    k, v = line.split()
    tps[k].append(float(v))
cpus = int(sys.argv[3])
m = {k: st.median(v) for k, v in tps.items()}
print("\ntrials per second (median of %d; all values: min..max)" % len(tps["warm"]))
for k in ("warm", "cold", "warm_quiet", "cold_quiet", "warm_spawn", "cold_spawn",
          "naive_python3", "naive_real", "floor"):
    print("  %-14s %7.1f   (%.1f..%.1f)" % (k, m[k], min(tps[k]), max(tps[k])))
print("\nratios")
print("  carrera / naive loop via python3          %5.1fx   (quiet fork profile: %.1fx)"
      % (m["warm"] / m["naive_python3"], m["warm_quiet"] / m["naive_python3"]))
print("  carrera / naive loop via real interpreter %5.1fx   (quiet fork profile: %.1fx)"
      % (m["warm"] / m["naive_real"], m["warm_quiet"] / m["naive_real"]))
print("  carrera warm / carrera cold               %5.1fx   (quiet fork profile: %.1fx)"
      % (m["warm"] / m["cold"], m["warm_quiet"] / m["cold_quiet"]))
print("  spawn trials, warm / cold                 %5.1fx   (the leader is forked; its children"
      " still start fresh)" % (m["warm_spawn"] / m["cold_spawn"]))
cost = cpus / m["warm_quiet"] * 1000
floor = cpus / m["floor"] * 1000
print("  per-trial cost, quiet fork profile: %.1f ms; floor %.1f ms; overhead %.1f ms = %.1fx the floor"
      % (cost, floor, cost - floor, (cost - floor) / floor))
print("\ntime to first failure, seconds (carrera: whole grading; naive: loop, capped)")
rows = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[2]):
    parts = line.split()
    who, variant = parts[0], parts[1]
    rows[variant][who].append((parts[2], float(parts[3])))
for variant, r in rows.items():
    c = r["carrera"]
    n = r["naive"]
    found = sum(1 for s, _ in n if s == "found")
    print("  %-22s carrera %5.1f s (%s)   naive %5.1f s (found %d/%d)"
          % (variant, st.median(t for _, t in c), ",".join(sorted(set(v for v, _ in c))),
             st.median(t for _, t in n), found, len(n)))
PY
