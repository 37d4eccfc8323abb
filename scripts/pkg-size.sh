#!/usr/bin/env bash
# Prints the download size (raw, gzip -9, brotli -q 11) of every file of the built package in pkg/ that
# a page using it may fetch (the model not included), then what a page fetches in all: the page's
# module and the package's JS, and one engine's wasm: whythis_engine for an ONNX card, whythis_engine_nnef for
# a packed one (a page never needs both unless its widgets mix the two). Needs gzip and brotli.
#   scripts/pkg-size.sh [pkg-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-pkg}"
printf '%-44s %10s %10s %10s\n' file raw gzip-9 brotli
declare -A raw gz br
while IFS= read -r f; do
  name="${f#"$dir"/}"
  raw[$name]=$(stat -c%s "$f"); gz[$name]=$(gzip -9c "$f" | wc -c); br[$name]=$(brotli -q 11 -c "$f" | wc -c)
  printf '%-44s %10d %10d %10d\n' "$name" "${raw[$name]}" "${gz[$name]}" "${br[$name]}"
done < <(find "$dir" \( -name '*.js' -o -name '*.wasm' \) -not -name '*.d.ts' -not -path '*/node_modules/*' | sort)
total() { # total LABEL SKIP-REGEX: every file but those matching SKIP-REGEX
  local r=0 g=0 b=0 name
  for name in "${!raw[@]}"; do
    [[ "$name" =~ $2 ]] && continue
    r=$((r + raw[$name])); g=$((g + gz[$name])); b=$((b + br[$name]))
  done
  printf '%-44s %10d %10d %10d\n' "$1" "$r" "$g" "$b"
}
total "total, ONNX card (whythis_engine)" '^whythis_engine_nnef_bg\.wasm$'
# Both engines' glue modules are imported (they are small); only one engine's wasm is fetched.
total "total, packed card (whythis_engine_nnef)" '^whythis_engine_bg\.wasm$'
