#!/usr/bin/env bash
# The browser tests, offline: builds what they need and runs them in Debian's headless Chromium.
#   1. component tests (wasm-bindgen-test, tests/e2e/components/tests/) through chromedriver;
#   2. the end-to-end suite (tests/e2e, playwright-core + axe-core) against the demo built by Trunk:
#      demo.test.mjs (the storefront) and reliability.test.mjs (CSP, hostile catalogs, feedback storage,
#      memory over WHYTHIS_MEMORY_CYCLES cycles (default 200), privacy), trusted-types.test.mjs,
#      element.test.mjs (lazy, hidden, disconnected), manifest.test.mjs (custom-elements.json against
#      the element and index.d.ts) and catalog.test.mjs (names from an itemInfo resolver instead of
#      catalog.json), feedback.test.mjs (answers exported from the panel, read by whythis
#      feedback-report), controls.test.mjs (lasting choices by keyboard: set, reload, undo, reset) and
#      packed.test.mjs (a card packed by whythis pack, in the worker; a changed file refused as integrity).
#      The demo's package is built with the panic test hooks (WHYTHIS_TEST_HOOKS=1,
#      feature test-hooks); a plain build-pkg.sh has none;
#   3. bundlers.test.mjs: examples/vite-react and examples/webpack-vue, built from their lock files with
#      that pkg/ as their dependency, served and opened in Chromium.
# Needs (see README): chromium, chromium-driver, node + npm, the wasm32-unknown-unknown target,
# wasm-bindgen-cli 0.2.130, trunk 0.21.14, and the default model in models/.
# Exits non-zero when anything fails. Screenshots and figures: tests/e2e/artifacts/.
# WHYTHIS_SKIP_COMPONENT=1 or WHYTHIS_SKIP_E2E=1 run one half only.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

for tool in cargo wasm-bindgen wasm-bindgen-test-runner trunk node npm; do
  command -v "$tool" >/dev/null || { echo "test-browser: $tool is not installed (see README)" >&2; exit 2; }
done
chromium="${CHROMIUM:-/usr/bin/chromium}"
chromedriver="${CHROMEDRIVER:-/usr/bin/chromedriver}"
[ -x "$chromium" ] || { echo "test-browser: no Chromium at $chromium (apt-get install chromium)" >&2; exit 2; }
[ -x "$chromedriver" ] || { echo "test-browser: no chromedriver at $chromedriver (apt-get install chromium-driver)" >&2; exit 2; }

# Crates come from crates.io once (a no-op when they are cached); every build after that is offline.
cargo fetch --locked >/dev/null 2>&1 || true
(cd tests/e2e/components && cargo fetch --target wasm32-unknown-unknown >/dev/null 2>&1) || true

if [ -z "${WHYTHIS_SKIP_COMPONENT:-}" ]; then
  echo "== component tests (wasm-bindgen-test in headless Chromium)"
  (
    cd tests/e2e/components
    CHROMEDRIVER="$chromedriver" \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/tests/e2e/webdriver.json" \
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
      cargo test --offline --target wasm32-unknown-unknown --target-dir "$root/target/browser-tests"
  )
fi

if [ -z "${WHYTHIS_SKIP_E2E:-}" ]; then
  [ -f models/sasrec.card.json ] || { echo "test-browser: models/sasrec.card.json is missing (train or fetch the default model first)" >&2; exit 2; }
  echo "== demo build (trunk build --offline; its hook builds pkg/, with the test hooks)"
  WHYTHIS_TEST_HOOKS=1 CARGO_OFFLINE=1 trunk build --offline
  echo "== end-to-end tests (playwright-core + axe-core in headless Chromium)"
  cd tests/e2e
  if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
    npm ci --no-audit --no-fund --offline 2>/dev/null || npm ci --no-audit --no-fund
  fi
  CHROMIUM="$chromium" WHYTHIS_DIST="$root/dist" node --test --test-concurrency=1 --test-timeout=900000 \
    demo.test.mjs reliability.test.mjs trusted-types.test.mjs element.test.mjs manifest.test.mjs catalog.test.mjs \
    feedback.test.mjs controls.test.mjs packed.test.mjs
  # The example apps install pkg/ as it is now (built above, with the test hooks) and bundle it.
  echo "== bundler examples (examples/vite-react, examples/webpack-vue: npm ci, build, open in Chromium)"
  bundlers_started=$(date +%s)
  CHROMIUM="$chromium" node --test --test-concurrency=1 --test-timeout=900000 bundlers.test.mjs
  echo "bundlers.test.mjs: $(( $(date +%s) - bundlers_started )) s"
  echo "== figures"
  cat artifacts/metrics.json artifacts/reliability.json artifacts/catalog.json artifacts/bundlers.json
fi
