#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/README.md) with clang and the
# sanitizers in build-fuzz/, and runs the fuzz tests: each harness once on
# every input of its corpus (tests/fuzz/corpus/), then fuzzing for
# TRAJPLOT_FUZZ_SECONDS seconds each (default 60).
#
# RelWithDebInfo rather than Debug: at -O2 the harnesses run about five
# times as many inputs a second as at -O0 (fuzz_html: 300 against 55 here),
# and the debug information keeps sanitizer reports symbolized. Assertions
# stay on all the same: tests/fuzz/CMakeLists.txt undefines NDEBUG and adds
# libstdc++'s bounds checks for the fuzz targets.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in clang-14 clang++-14; do
  if ! command -v "$tool" >/dev/null; then
    echo "the fuzz tests need $tool (scripts/install-deps.sh --tests installs it)" >&2
    exit 1
  fi
done

seconds="${TRAJPLOT_FUZZ_SECONDS:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "TRAJPLOT_FUZZ_SECONDS must be a positive number of seconds, got '$seconds'" >&2
  exit 1
fi

# CC and CXX choose the compiler when build-fuzz is first configured. As in
# scripts/test.sh, a missing tool (localedef and the locale sources, for the
# locales the harnesses run exports under) fails the configuration.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTRAJPLOT_TESTS=ON -DTRAJPLOT_REQUIRE_ALL_TESTS=ON -DTRAJPLOT_FUZZ=ON \
  -DTRAJPLOT_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target trajplot_fuzzers
ctest --test-dir build-fuzz -L fuzz --output-on-failure -j"$(nproc)"
