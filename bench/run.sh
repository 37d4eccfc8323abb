#!/usr/bin/env bash
# Runs every whythis benchmark and prints a summary (markdown rows for BENCHMARKS.md):
#   1. native: criterion benches of scoring and each method (bench/criterion.rs; --quick: bench/native.rs)
#   2. browser: tract-wasm against onnxruntime-web in headless Chromium, the widget's size report and
#      main-thread figures (bench/browser/)
#   3. scaling: time and peak memory against window length, catalog size and top K (bench/scaling.rs on
#      the synthetic models of bench/synthetic_models.py)
# Usage: bench/run.sh [--quick] [--skip native,browser,scaling]
# Figures land in bench/out/ (gitignored); the summary is also written to bench/out/summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
quick=""
skip=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --skip) skip="$2"; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--skip native,browser,scaling]" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$skip," != *",$1,"* ]]; }
mkdir -p bench/out
target_dir="$(cargo metadata --format-version 1 --no-deps --offline | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
criterion_dir="$target_dir/criterion"

if wants native; then
  echo "== native benches"
  rm -f bench/out/native.txt
  if [ -n "$quick" ]; then
    cargo run --quiet --release --example native -- models/sasrec.card.json | tee bench/out/native.txt
  else
    # Fresh estimates only: the summary reads every estimates.json under the criterion directory.
    rm -rf "$criterion_dir"
    cargo bench --bench explain -- --noplot
  fi
fi

if wants browser; then
  echo "== browser bench (headless Chromium)"
  bench/browser/build.sh
  node bench/browser/run.mjs ${quick:+--quick}
fi

if wants scaling; then
  echo "== scaling (native, release)"
  if python3 -c "import torch, onnx" 2>/dev/null; then
    python3 bench/synthetic_models.py bench/out/models
  elif [ ! -d bench/out/models ]; then
    echo "scaling skipped: bench/synthetic_models.py needs torch and onnx (tools/train/requirements.txt)" >&2
  fi
  if [ -d bench/out/models ]; then
    cargo build --quiet --release --example scaling
    scaling="$target_dir/release/examples/scaling"
    perms=64
    repeats=3
    windows="10 25 50 100 200"
    catalogs="1682 10000 100000"
    ks="1 5 10 20"
    if [ -n "$quick" ]; then repeats=1; windows="10 50"; catalogs="1682 10000"; ks="1 10"; fi
    : > bench/out/scaling.jsonl
    # The long windows and the largest catalog take tens of seconds per explanation: one run each.
    for l in $windows; do
      r=$repeats; [ "$l" -gt 50 ] && r=1
      "$scaling" "bench/out/models/sasrec-L$l-N1682.card.json" "$l" 10 "$perms" "$r" | tee -a bench/out/scaling.jsonl
    done
    for n in $catalogs; do
      [ "$n" = 1682 ] && continue # the window row of 50 events above is this one
      r=$repeats; [ "$n" -gt 10000 ] && r=1
      "$scaling" "bench/out/models/sasrec-L50-N$n.card.json" 50 10 "$perms" "$r" | tee -a bench/out/scaling.jsonl
    done
    for k in $ks; do
      "$scaling" models/sasrec.card.json 50 "$k" "$perms" "$repeats" | tee -a bench/out/scaling.jsonl
    done
  fi
fi

echo "== summary"
python3 bench/summary.py "$criterion_dir" | tee bench/out/summary.md
