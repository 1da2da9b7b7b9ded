#!/usr/bin/env bash
# Speedup scoring against noise: grades the 05-pool reference against itself N times and prints,
# per grading and as a spread, the raw P-worker time (what a naive grader would score) next to
# the speedups and the same-run ratio carrera scores.
#   scripts/bench-speedup.sh [N] [--hog | --mixed]
# Default N = 10. --hog runs a CPU hog the whole time; --mixed runs it during every other
# grading only, as on a machine whose load comes and goes between gradings.
set -euo pipefail
cd "$(dirname "$0")/.."
n=10
hog=""
mixed=""
for a in "$@"; do
  case "$a" in
    --hog) hog=1 ;;
    --mixed) mixed=1 ;;
    *) n=$a ;;
  esac
done
bin=target/release/carrera
cargo build --release -q
out=$(mktemp -d)
trap 'rm -rf "$out"; [ -n "${hog_pid:-}" ] && kill "$hog_pid" 2>/dev/null || true' EXIT
if [ -n "$hog" ]; then
  python3 -c 'while True: pass' &
  hog_pid=$!
  echo "CPU hog running (pid $hog_pid)"
fi
for i in $(seq "$n"); do
  loaded=${hog:+yes}
  if [ -n "$mixed" ] && [ $((i % 2)) = 1 ]; then
    python3 -c 'while True: pass' &
    hog_pid=$!
    loaded=yes
  fi
  # exit 1 is a failing grade: recorded in the JSON, not an error here
  $bin grade 05-pool solutions/05-pool/reference.py --seed "$i" --format json -o "$out/$i.json" || true
  if [ -n "$mixed" ] && [ -n "${hog_pid:-}" ]; then
    kill "$hog_pid" 2>/dev/null || true
    wait "$hog_pid" 2>/dev/null || true
    hog_pid=""
  fi
  echo "${loaded:-no}" > "$out/$i.hog"
done
python3 - "$out" "$n" <<'PY'
import json, statistics as st, sys
out, n = sys.argv[1], int(sys.argv[2])
rows = []
print(f"{'run':>3} {'hog':>3} {'verdict':>10} {'score':>5} {'P-time s':>8} {'student':>7} {'ref':>6} {'ratio':>6} {'reps':>4} {'unc':>4} {'dur s':>6}")
for i in range(1, n + 1):
    g = json.load(open(f"{out}/{i}.json"))
    loaded = open(f"{out}/{i}.hog").read().strip()
    s = g["speedup"]
    ptimes = [r["wall_s"] for r in s["runs"] if r["who"] == "student" and r["workers"] > 1]
    ratio = s["student"] / s["reference"]
    # What carrera also scores on: the student's P-worker time against the reference's in the
    # same repetition (paired, as src/speedup does), a ratio that common-mode noise cancels in.
    p = {(r["who"], r["repetition"]): r["wall_s"] for r in s["runs"] if r["workers"] > 1}
    paired = [p[("reference", k)] / p[("student", k)] for (w, k) in p
              if w == "student" and ("reference", k) in p]
    rows.append((st.median(ptimes), s["student"], s["reference"], ratio, s["score"], s["max_score"],
                 st.median(paired)))
    print(f"{i:>3} {loaded:>3} {g['verdict']:>10} {s['score']:>2}/{s['max_score']:<2} {st.median(ptimes):>8.3f} "
          f"{s['student']:>7.2f} {s['reference']:>6.2f} {ratio:>6.2f} {s['repetitions']:>4} "
          f"{'yes' if s['uncertain'] else 'no':>4} {g['duration_s']:>6.1f}")
def spread(name, xs):
    m = st.median(xs)
    half = (max(xs) - min(xs)) / 2 / m * 100
    print(f"{name:<34} median {m:6.3f}  min {min(xs):6.3f}  max {max(xs):6.3f}  ±{half:4.1f}% of median")
print()
spread("raw student P-worker time (s)", [r[0] for r in rows])
spread("student speedup", [r[1] for r in rows])
spread("reference speedup", [r[2] for r in rows])
spread("student / reference speedup", [r[3] for r in rows])
spread("reference / student P-time (paired)", [r[6] for r in rows])
spread("speedup score (points)", [r[4] for r in rows])
full = sum(1 for r in rows if r[4] == r[5])
print(f"full speedup marks: {full}/{n}")
PY
