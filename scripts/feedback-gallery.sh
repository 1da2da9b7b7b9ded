#!/usr/bin/env bash
# Grades one reference and one buggy variant per verdict kind, writes each feedback page and
# a headless-Chromium screenshot of it to docs/img/ (the pictures the README shows).
# Usage: bash scripts/feedback-gallery.sh [OUTDIR]   (needs chromium; takes about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/img}
pages=$(mktemp -d)
trap 'rm -rf "$pages"' EXIT
mkdir -p "$out"
cargo build --release -q
bin=target/release/carrera
shoot() { # name lang exercise file
    local name=$1 lang=$2 ex=$3 file=$4
    "$bin" --exercises exercises grade "$ex" "$file" --seed 1 --lang "$lang" \
        --html "$pages/$name.html" --json "$pages/$name.json" >/dev/null || true
    echo "$name: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$pages/$name.json")"
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,2600 \
        --screenshot="$out/feedback-$name.png" "file://$(realpath "$pages/$name.html")" 2>/dev/null
    python3 scripts/png_trim.py "$out/feedback-$name.png"
}
shoot pass-pool en 05-pool solutions/05-pool/reference.py
shoot race en 04-lock solutions/04-lock/buggy/no_lock.py
shoot race-es es 04-lock solutions/04-lock/buggy/no_lock.py
# A lock-order deadlock made certain (tests/fixtures/pictures): the wait-for cycle.
shoot deadlock en 04-lock tests/fixtures/pictures/crossed_locks.py
shoot deadlock-join en 03-queue solutions/03-queue/buggy/join_before_drain.py
shoot leak en 02-pipe solutions/02-pipe/buggy/no_join.py
shoot not-parallel en 01-processes solutions/01-processes/buggy/join_in_loop.py
shoot wrong en 03-queue solutions/03-queue/buggy/completion_order.py
shoot not-portable en 04-lock solutions/04-lock/buggy/module_state.py
shoot no-speedup en 05-pool solutions/05-pool/buggy/one_task.py
ls -la "$out"
