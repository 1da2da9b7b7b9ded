#!/usr/bin/env bash
# Runs one TP1 submission folder for real (no virtual clock) the way the grader will, then the
# trusted checker on what it wrote. Usage:
#   run_real.sh SUBMISSION_DIR [fork|spawn|forkserver] [TIMEOUT_S] [RESULTS_DIR]
# Clean copy without committed outputs, stdin from /dev/null, private TMPDIR, the start method
# forced by a sitecustomize.py on PYTHONPATH (the submission is not edited), copies of
# blockchain.json every 5 s, then verificar_cadena.py on the clean chain and on a tampered copy.
# Prints one summary line. Keeps its folder /tmp/tp1-real.* for inspection: delete it when done.
# CPU is what the reaped tree used: under forkserver the children are not ours to reap, so it
# reads near 0 (a cgroup's cpu.stat would count them).
set -u
sub=$(cd "$1" && pwd) || exit 2
method=${2:-fork}
limit=${3:-150}
here=$(cd "$(dirname "$0")" && pwd)
checker="$here/../../exercises/08-biometric-chain/checker.py"
py=$(python3 -c 'import sys; print(sys.executable)')
tmp=$(mktemp -d /tmp/tp1-real.XXXXXX)
out=${4:-$tmp/results}
mkdir -p "$tmp/shim" "$tmp/tmpdir" "$tmp/snaps" "$out"
cp -r "$sub" "$tmp/work"
find "$tmp/work" \( -name blockchain.json -o -name reporte.txt \) -type f -delete   # committed outputs
cat > "$tmp/shim/sitecustomize.py" <<'EOF'
import multiprocessing, os
multiprocessing.set_start_method(os.environ["RUN_REAL_METHOD"], force=True)
EOF
# The entry script: main.py, else the first `python3 X.py` in the README that is not the verifier.
entry=main.py
if [ ! -f "$tmp/work/main.py" ]; then
  entry=$(grep -ohE 'python3? +[A-Za-z0-9_./-]+\.py' "$tmp/work"/README* 2>/dev/null \
          | awk '{print $2}' | grep -v verificar_cadena | head -1)
fi

( cd "$tmp/work" && RUN_REAL_TAG="$tmp" RUN_REAL_METHOD="$method" TMPDIR="$tmp/tmpdir" \
    PYTHONPATH="$tmp/shim" /usr/bin/time -o "$tmp/time" -f "%e %U %S" \
    timeout -k 5 "$limit" "$py" "$entry" < /dev/null > "$out/stdout.txt" 2> "$out/stderr.txt" ) &
runner=$!
n=0
while kill -0 "$runner" 2> /dev/null; do   # a copy of the chain every 5 s, as the grader will
  sleep 1
  n=$((n + 1))
  [ $((n % 5)) = 0 ] && [ -f "$tmp/work/blockchain.json" ] \
    && cp "$tmp/work/blockchain.json" "$tmp/snaps/$(printf %03d $n).json"
done
wait "$runner"; rc=$?   # the program's exit status; 124 or 137: killed by the timeout
# Processes of this run still alive (marked by RUN_REAL_TAG in their environment): count, then kill.
left=$(grep -lzs "^RUN_REAL_TAG=$tmp\$" /proc/[0-9]*/environ 2> /dev/null | cut -d/ -f3)
for p in $left; do kill -9 "$p" 2> /dev/null; done

"$py" "$checker" chain --out "$tmp/work" --out "$tmp/tmpdir" --snapshots "$tmp/snaps" > "$out/chain.json"
chain=$(jq -r '.summary.file // empty' "$out/chain.json")
case $chain in "$tmp/work/"*) ;; *) chain= ;; esac   # tampering needs it inside the copy
if [ -n "$chain" ] && [ -f "$tmp/work/verificar_cadena.py" ]; then
  cp -r "$tmp/work" "$tmp/tampered"
  ( cd "$tmp/work" && timeout 30 "$py" verificar_cadena.py < /dev/null > "$out/verify_clean.txt" 2>&1 )
  "$py" "$checker" tamper --chain "$chain" --out "$tmp/tampered/${chain#"$tmp/work/"}" > "$out/tamper.json"
  rm -f "$tmp/tampered/reporte.txt"
  ( cd "$tmp/tampered" && timeout 30 "$py" verificar_cadena.py < /dev/null > "$out/verify_tampered.txt" 2>&1 )
  cp "$tmp/work/reporte.txt" "$out/report_clean.txt" 2> /dev/null
  cp "$tmp/tampered/reporte.txt" "$out/report_tampered.txt" 2> /dev/null
  "$py" "$checker" report --chain "$chain" --report "$tmp/work/reporte.txt" > "$out/report.json"
  "$py" "$checker" verifier --clean-stdout "$out/verify_clean.txt" --clean-report "$out/report_clean.txt" \
    --tampered-stdout "$out/verify_tampered.txt" --tampered-report "$out/report_tampered.txt" \
    --tampered-index "$(jq .summary.index "$out/tamper.json")" > "$out/verifier.json"
fi

fails() { [ -f "$1" ] && jq -r '[.findings[] | select(.status == "fail") | .check] | if length == 0
  then "ok" else join(",") end' "$1" || echo "-"; }
read -r wall user sys < <(tail -1 "$tmp/time" 2> /dev/null) || { wall=?; user=?; sys=?; }
echo "$(basename "$sub") $method: exit=$rc wall=${wall}s cpu=${user}u+${sys}s" \
     "leftover=$(echo $left | wc -w) blocks=$(jq '.summary.data_blocks' "$out/chain.json")" \
     "chain=$(fails "$out/chain.json") report=$(fails "$out/report.json")" \
     "verifier=$(fails "$out/verifier.json") | results in $out"
