#!/usr/bin/env bash
# Runs every fuzz target, one after another, for SECONDS each (default 600), and prints per target the
# executions, the time, the corpus size and the crashing inputs found. Usage: fuzz/run.sh [SECONDS] [TARGET…]
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(card_json catalog_json history_json onnx_bytes onnx_mutated explain_end_to_end)
fi
repo=..

# Seeds: the real inputs of each kind, so the fuzzers start from valid cards, catalogs, histories and models.
seed_dir() {
  local target="$1" dir="seeds/$1"
  mkdir -p "$dir"
  case "$target" in
    card_json) cp "$repo"/models/*.card.json "$repo"/tests/fixtures/*.card.json "$dir"/ ;;
    catalog_json)
      # Two little-endian bytes of num_items, then the JSON.
      { printf '\x0a\x00'; cat "$repo/tests/fixtures/tiny_catalog.json"; } > "$dir/tiny"
      { printf '\x92\x06'; cat "$repo/models/catalog.json"; } > "$dir/movielens" ;;
    history_json)
      printf '64,199,96' > "$dir/ids"
      printf '[{"item":64,"action":"rated_5","ts":1700000000},{"item":199},{"item":96,"action":"rated_2"}]' > "$dir/json"
      printf '[]' > "$dir/empty" ;;
    onnx_bytes) cp "$repo"/models/*.onnx "$repo"/tests/fixtures/*.onnx "$dir"/ ;;
    *) printf 'seed' > "$dir/plain" ;;
  esac
  echo "$dir"
}

max_len() {
  case "$1" in
    onnx_bytes) echo 1048576 ;;
    catalog_json) echo 262144 ;;
    *) echo 8192 ;;
  esac
}

mkdir -p logs
summary=()
for target in "${targets[@]}"; do
  seeds=$(seed_dir "$target")
  mkdir -p "corpus/$target" "artifacts/$target"
  before=$(ls "artifacts/$target" | wc -l)
  log="logs/$target.log"
  # -rss_limit_mb and -timeout turn out-of-memory and hangs into reported crashes.
  cargo +nightly fuzz run -s none -a "$target" "corpus/$target" "$seeds" -- \
    -max_total_time="$seconds" -max_len="$(max_len "$target")" -rss_limit_mb=2048 -timeout=20 \
    -print_final_stats=1 > "$log" 2>&1 || true
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  took=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo "?")
  corpus=$(ls "corpus/$target" | wc -l)
  found=$(( $(ls "artifacts/$target" | wc -l) - before ))
  # Panics inside a dependency (tract) that whythis contained: not crashes, but listed (src/lib.rs).
  contained=$(grep -c '^whythis-fuzz: panic in a dependency' "$log" || true)
  line="$target: ${runs} executions in ${took:-?} s, corpus ${corpus} inputs, ${found} new crashing inputs, ${contained} places of contained dependency panics"
  echo "$line"
  summary+=("$line")
done
printf '%s\n' "--- summary" "${summary[@]}"
