#!/usr/bin/env bash
# Quick start, step 2: every test. The normal build's tests (unit,
# integration with real jackd/lilv/liblo peers, golden-array checks), then
# the concurrency and real-time tests again under ThreadSanitizer and the
# whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
# TACTUS_REQUIRE_SHARED=1 (set by .ci/run) turns a skip for a missing
# ../shared into a failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${TACTUS_TEST_JOBS:-2}

[[ -d build/bin/models ]] || { echo "test: build/bin/models is missing; run tools/setup.sh first" >&2; exit 1; }

cmake --build build
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 900

for san in address; do
  dir=build-$san
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTACTUS_SANITIZE=$san \
        -DTACTUS_BENCH=OFF -DTACTUS_CUDA=OFF >/dev/null
  cmake --build "$dir"
  ln -sfn "$PWD/build/bin/models" "$dir/bin/models"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$dir" -j "$jobs" --output-on-failure --timeout 1800
done
echo "test: all passed"
