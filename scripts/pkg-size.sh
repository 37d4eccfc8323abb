#!/usr/bin/env bash
# Prints the download size (raw, gzip -9, brotli -q 11) of every file of the built package in pkg/ that
# a page using it fetches (the model not included), and the totals. Needs gzip and brotli.
#   scripts/pkg-size.sh [pkg-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-pkg}"
printf '%-44s %10s %10s %10s\n' file raw gzip-9 brotli
total_raw=0 total_gz=0 total_br=0
while IFS= read -r f; do
  raw=$(stat -c%s "$f"); gz=$(gzip -9c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '%-44s %10d %10d %10d\n' "${f#"$dir"/}" "$raw" "$gz" "$br"
done < <(find "$dir" \( -name '*.js' -o -name '*.wasm' \) -not -name '*.d.ts' -not -path '*/node_modules/*' | sort)
printf '%-44s %10d %10d %10d\n' total "$total_raw" "$total_gz" "$total_br"
