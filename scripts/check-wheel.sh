#!/usr/bin/env bash
# Runs the README's install commands (build the wheel with maturin, install it in a fresh
# venv) in a temporary folder, then uses the installed `carrera` with no Rust on the PATH and
# away from the checkout, so that only what the wheel carries can answer.
#   scripts/check-wheel.sh            (run by .ci/run)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
MATURIN=${MATURIN:-maturin==1.16.0}

step() { printf '\n$ %s\n' "$*"; }

cd "$work"
step "build the wheel"
python3 -m venv .build
.build/bin/pip install -q "$MATURIN"
.build/bin/maturin build --release --manifest-path "$repo/Cargo.toml" --out dist 2>&1 | tail -2

step "install it in a fresh venv"
python3 -m venv venv
venv/bin/pip install -q dist/carrera-*.whl

# Only the venv and the system's own folders: no cargo, no rustc, no checkout.
plain=(env -i HOME="$HOME" LANG=C.UTF-8 PATH="$work/venv/bin:/usr/local/bin:/usr/bin:/bin")
if "${plain[@]}" sh -c 'command -v cargo || command -v rustc'; then
    echo "check-wheel: Rust is still on the PATH; the check would prove nothing" >&2
    exit 1
fi
[ "$("${plain[@]}" sh -c 'command -v carrera')" = "$work/venv/bin/carrera" ]

cp "$repo/solutions/04-lock/reference.py" mine.py
step "carrera --version"
"${plain[@]}" carrera --version
step "carrera grade 04-lock mine.py   (the reference solution)"
"${plain[@]}" carrera grade 04-lock mine.py --seed 1

step "carrera init 04-lock x && cd x && carrera grade 04-lock   (the starter: must fail, exit 1)"
"${plain[@]}" carrera init 04-lock x
set +e
(cd x && "${plain[@]}" carrera grade 04-lock --seed 1 --runs 4 >out.txt)
code=$?
set -e
head -n 3 x/out.txt
if [ "$code" != 1 ] || ! grep -q NotImplementedError x/out.txt; then
    echo "check-wheel: grading the starter gave exit $code, expected 1 with its error explained" >&2
    exit 1
fi
echo
echo "check-wheel: ok"
