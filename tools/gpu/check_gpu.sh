#!/usr/bin/env bash
# The CUDA backend's checks on a machine with an NVIDIA GPU (the development
# machines have none, so these results come only from running this there).
# From the checkout, with ../shared beside it:
#
#   tools/gpu/check_gpu.sh [BUILD_DIR]        (default build-gpu)
#
# 1. builds with TACTUS_CUDA=ON (fails loudly without nvcc), fetches models;
# 2. runs the "cuda" tests, the GPU ones included (here they may not skip);
# 3. tactus-cuda-check: activations GPU vs CPU vs PyTorch (<= 1e-4) on the
#    reference inputs, beats (tactus and BeatNet inference), and the
#    streams x real time table of the live step and of file rounds;
# 4. tactus-analyze over a corpus: files per second, all CPU cores vs GPU,
#    and whether both wrote the same beats.
# Environment: TACTUS_CHECK_FILES (corpus size, 256), TACTUS_SHARED_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:-build-gpu}
shared=${TACTUS_SHARED_DIR:-../shared}
files=${TACTUS_CHECK_FILES:-256}

command -v nvidia-smi >/dev/null && nvidia-smi -L || echo "check_gpu: nvidia-smi is not available" >&2
[[ -d $shared/reference ]] || { echo "check_gpu: $shared/reference is missing (set TACTUS_SHARED_DIR)" >&2; exit 1; }

echo "== build ($build, TACTUS_CUDA=ON)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTACTUS_CUDA=ON \
      -DTACTUS_LV2=OFF -DTACTUS_JACK=OFF -DTACTUS_BENCH=OFF >/dev/null
cmake --build "$build"
tools/model/fetch_models.sh "$build/bin/models"

echo "== tests (label cuda)"
export TACTUS_SHARED_DIR=$shared
ctest --test-dir "$build" -L cuda --output-on-failure
"$build/bin/tactus_cuda_gpu_tests" || { echo "check_gpu: the GPU tests failed or found no GPU" >&2; exit 1; }

echo "== accuracy and streaming throughput"
"$build/bin/tactus-cuda-check" --reference "$shared/reference"

echo "== batch throughput: $files files"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
mkdir -p "$corpus/in"
for ((i = 0; i < files; ++i)); do cp examples/groove-120bpm.flac "$corpus/in/f$i.flac"; done
seconds=$("$build/bin/tactus-analyze" --device cpu --activations examples/groove-120bpm.flac | wc -l)
seconds=$(awk -v n="$seconds" 'BEGIN { print n / 50 }')  # 50 activation lines per second
printf '%-6s %7s %8s %9s %10s\n' device files wall_s files/s "x RT"
for device in cpu cuda; do
  t0=$(date +%s.%N)
  "$build/bin/tactus-analyze" --device "$device" --out-dir "$corpus/$device" "$corpus/in"
  t1=$(date +%s.%N)
  awk -v d="$device" -v n="$files" -v s="$seconds" -v t0="$t0" -v t1="$t1" \
      'BEGIN { w = t1 - t0; printf "%-6s %7d %8.2f %9.1f %10.0f\n", d, n, w, n / w, n * s / w }'
done
# the GPU computes in fp32; the CPU's default multiplies in int8, so the
# beats are compared with the CPU's --fp32
"$build/bin/tactus-analyze" --device cpu --fp32 --out-dir "$corpus/cpu-fp32" "$corpus/in"
if diff -rq "$corpus/cpu-fp32" "$corpus/cuda" >/dev/null; then
  echo "batch: the GPU wrote the same beats as the CPU (--fp32) for every file"
else
  echo "batch: $(diff -rq "$corpus/cpu-fp32" "$corpus/cuda" | wc -l) files differ between CPU (--fp32) and GPU (activations differ by up to 1e-4)"
fi
echo "check_gpu: done"
