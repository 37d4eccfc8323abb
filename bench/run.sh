#!/usr/bin/env bash
# Prints whythis's native benchmark figures (release build). Usage: bench/run.sh [CARD]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release --example native -- "${1:-models/sasrec.card.json}"
