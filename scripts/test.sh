#!/usr/bin/env bash
# Builds trajplot with its tests and runs every one of them, then again under
# the sanitizers and valgrind, then the fuzzers (about 55 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
# The browser tests' npm package (playwright-core), as pinned by
# tests/browser/package-lock.json; installed again whenever the lock changes.
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then
  echo "the browser tests need Node.js 20 or later (playwright-core); found $(node --version)" >&2
  exit 1
fi
if [[ ! -f tests/browser/node_modules/.package-lock.json ||
      tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug -DTRAJPLOT_TESTS=ON -DTRAJPLOT_REQUIRE_ALL_TESTS=ON -DTRAJPLOT_BENCH=ON \
      -DTRAJPLOT_REQUIRE_PLOTLYJS=ON >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
# The same tests under AddressSanitizer + UBSan, the threaded ones under
# ThreadSanitizer, the C programs, C API and CLI under valgrind
# (build-asan, build-tsan, build-valgrind), then each libFuzzer harness on
# its corpus and for TRAJPLOT_FUZZ_SECONDS (default 60) seconds (build-fuzz).
scripts/test-sanitizers.sh
scripts/test-fuzz.sh
