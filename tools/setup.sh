#!/usr/bin/env bash
# Quick start, step 1: install what is missing (Debian 12), build everything
# into build/ (binaries in build/bin/), fetch and convert the BeatNet model
# weights (and pack them for this CPU), and run tactus-analyze on the
# bundled example.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libfftw3-dev libsndfile1-dev libflac-dev libsoxr-dev nlohmann-json3-dev libcli11-dev
  catch2 libbenchmark-dev libeigen3-dev
  jackd2 libjack-jackd2-dev jack-midi-clock
  lv2-dev liblilv-dev lilv-utils jalv sordi ardour
  liblo-dev liblo-tools ableton-link-dev
  python3 python3-pip python3-numpy python3-mir-eval sox systemd
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  sudo=""
  (( EUID == 0 )) || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
tools/model/fetch_models.sh build/bin/models
# the models packed for this build's CPU network: each start then skips it
build/bin/tactus-pack-models build/bin/models

echo "setup: done. Beats of the bundled example (time_s, beat in bar):"
build/bin/tactus-analyze examples/groove-120bpm.flac
