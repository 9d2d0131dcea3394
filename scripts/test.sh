#!/usr/bin/env bash
# Builds trajplot with its tests and runs every one of them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
# The browser tests' npm packages (plotly.js, playwright-core), as pinned by
# tests/browser/package-lock.json; installed again whenever the lock changes.
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then
  echo "the browser tests need Node.js 20 or later (playwright-core); found $(node --version)" >&2
  exit 1
fi
if [[ ! -f tests/browser/node_modules/.package-lock.json ||
      tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug -DTRAJPLOT_TESTS=ON -DTRAJPLOT_REQUIRE_ALL_TESTS=ON -DTRAJPLOT_BENCH=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
