#!/usr/bin/env bash
# Runs trajplot's tests under the sanitizers and valgrind, in build
# directories of their own:
#   asan      build-asan, TRAJPLOT_SANITIZE=address,undefined: every test
#             but the browser, format and packaging tests
#   tsan      build-tsan, TRAJPLOT_SANITIZE=thread: the tests of the C++ core
#             and of the C API, the concurrency tests among them
#   valgrind  build-valgrind, a Release build with TRAJPLOT_VALGRIND=ON and
#             TRAJPLOT_WERROR=ON (every target built, warnings are errors):
#             the tests labelled valgrind (the C programs, the C API tests,
#             the CLI tests)
#
#   scripts/test-sanitizers.sh [asan] [tsan] [valgrind]   (default: all three)
#
# Run it after scripts/test.sh, which installs what the tests need and the
# browser tests' npm packages. Every part runs even when an earlier one
# failed; the script fails if any did. On two cores a run from scratch takes
# about 40 minutes: asan 15-18 (build 6), tsan 7.5 (build 4), valgrind 16
# (the Release build of every target 8).
set -uo pipefail
cd "$(dirname "$0")/.." || exit

jobs=$(nproc)
configuration=(-DCMAKE_BUILD_TYPE=Debug -DTRAJPLOT_TESTS=ON)

# Every test but three kinds that run little of trajplot's own code, which
# the main run (scripts/test.sh) covers: the browser test (Chromium drawing
# pages, alone on both cores for two minutes here), the clang-format check
# and the pip packaging tests.
run_asan() {
  cmake -S . -B build-asan "${configuration[@]}" -DTRAJPLOT_REQUIRE_ALL_TESTS=ON -DTRAJPLOT_BENCH=ON \
        -DTRAJPLOT_SANITIZE=address,undefined >/dev/null &&
    cmake --build build-asan -j"$jobs" &&
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -E '^(browser|format\.clang_format|python\.packaging\..*)$'
}

# ThreadSanitizer slows the tests down ten times and more; the core's and the
# C API's tests hold every test that starts threads (the two-thread export of
# large arrays, the concurrent callers of the C API), in about a minute and
# a half.
run_tsan() {
  cmake -S . -B build-tsan "${configuration[@]}" -DTRAJPLOT_SANITIZE=thread >/dev/null &&
    cmake --build build-tsan -j"$jobs" --target trajplot_model_tests trajplot_figures_tests trajplot_engine_tests trajplot_capi_tests \
          trajplot_capi_oom_tests trajplot_capi_c_program &&
    ctest --test-dir build-tsan/tests/core --output-on-failure -j"$jobs" &&
    ctest --test-dir build-tsan/tests/capi --output-on-failure -j"$jobs"
}

# Valgrind runs the Release build as users get it (with debugging
# information for its reports), which is also where every target is built
# with warnings as errors: some appear only when optimising.
run_valgrind() {
  cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g -DCMAKE_CXX_FLAGS=-g \
        -DTRAJPLOT_TESTS=ON -DTRAJPLOT_BENCH=ON -DTRAJPLOT_WERROR=ON -DTRAJPLOT_VALGRIND=ON >/dev/null &&
    cmake --build build-valgrind -j"$jobs" &&
    ctest --test-dir build-valgrind -L valgrind --output-on-failure -j"$jobs"
}

parts=("$@")
if [[ ${#parts[@]} -eq 0 ]]; then
  parts=(asan tsan valgrind)
fi
for part in "${parts[@]}"; do
  case "$part" in
    asan | tsan | valgrind) ;;
    *) echo "usage: $0 [asan] [tsan] [valgrind]" >&2; exit 2 ;;
  esac
done

summary=()
failed=0
for part in "${parts[@]}"; do
  echo "=== $part"
  start=$SECONDS
  status=0
  case "$part" in
    asan) run_asan || status=$? ;;
    tsan) run_tsan || status=$? ;;
    valgrind) run_valgrind || status=$? ;;
  esac
  if [[ $status -eq 0 ]]; then
    result=passed
  else
    result=FAILED
    failed=1
  fi
  summary+=("$(printf '%-9s %s in %d min %02d s' "$part" "$result" $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)))")
done
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
