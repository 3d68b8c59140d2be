#!/usr/bin/env bash
# Quick start, step 2: every test.
#  1. the normal build: unit tests, golden-array checks, integration tests
#     with real peers (jackd, lilv, jalv, liblo), the real-time allocation
#     guard, and a day of audio through the engine;
#  2. the concurrency tests again under ThreadSanitizer;
#  3. everything but the day-long run under AddressSanitizer + UBSan.
# TACTUS_REQUIRE_SHARED=1 (set by .ci/run) turns a skip for a missing
# ../shared into a failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${TACTUS_TEST_JOBS:-2}

[[ -d build/bin/models ]] || { echo "test: build/bin/models is missing; run tools/setup.sh first" >&2; exit 1; }

echo "test: normal build"
cmake --build build
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 1800

sanitized() {  # name, sanitizer, ctest label filter...
  local dir=build-$1 san=$2
  shift 2
  echo "test: $san sanitizer build ($dir)"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTACTUS_SANITIZE="$san" \
        -DTACTUS_BENCH=OFF -DTACTUS_CUDA=OFF >/dev/null
  cmake --build "$dir"
  mkdir -p "$dir/bin"
  ln -sfn "$PWD/build/bin/models" "$dir/bin/models"
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure --timeout 1800 "$@"
}
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" sanitized tsan thread -L concurrency
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  sanitized asan address -LE long
echo "test: all passed"
