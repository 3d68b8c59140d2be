#!/usr/bin/env bash
# Fetch BeatNet 1.1.3 from PyPI (pip, no other source), verify the three
# published weight files by SHA-256 and convert them into Tactus weights files.
#
#   tools/model/fetch_models.sh OUT_DIR
#
# The wheel is cached in ${TACTUS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/tactus}
# so a second run (or CI) does not download it again.  Converted files that
# already verify are left alone.  The weights are CC BY 4.0 (Heydari et al.);
# the attribution travels inside every converted file.
set -euo pipefail

out=${1:?usage: fetch_models.sh OUT_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${TACTUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tactus}
py=${PYTHON:-python3}
mkdir -p "$cache" "$out"

declare -A sha=(
  [1]=619091bc317ca3e83b45591d46f6de3d5a41588bcb39fe9fe7be30cffa6aca84
  [2]=5878a18c079fa0b0139879b14ed2b5b7595faef8c3d16210aed141fd00fa2d58
  [3]=0c52a074ea38e8cb4a760ecfa3747c9cf91a1e3cd19f238eed80b0de763989ca
)

all_present=1
for id in 1 2 3; do
  if [[ ! -s "$out/beatnet-model-$id.safetensors" ]] ||
     ! grep -q "\"source_sha256\":\"${sha[$id]}\"" "$out/beatnet-model-$id.safetensors" ||
     ! grep -q '"data_xxh64"' "$out/beatnet-model-$id.safetensors"; then
    all_present=0
  fi
done
if (( all_present )); then
  echo "models: up to date in $out"
  exit 0
fi

wheel=$(ls "$cache"/[Bb]eat[Nn]et-1.1.3-*.whl 2>/dev/null | head -n 1 || true)
if [[ -z $wheel ]]; then
  echo "models: downloading beatnet==1.1.3 from PyPI into $cache"
  "$py" -m pip download --quiet --no-deps --no-cache-dir --only-binary=:all: \
      --dest "$cache" "beatnet==1.1.3"
  wheel=$(ls "$cache"/[Bb]eat[Nn]et-1.1.3-*.whl | head -n 1)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for id in 1 2 3; do
  member="BeatNet/models/model_${id}_weights.pt"
  "$py" - "$wheel" "$member" "$tmp/model_$id.pt" <<'EOF'
import sys, zipfile
wheel, member, dst = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, open(dst, 'wb') as f:
    f.write(z.read(member))
EOF
  got=$(sha256sum "$tmp/model_$id.pt" | cut -d' ' -f1)
  if [[ $got != "${sha[$id]}" ]]; then
    echo "models: $member in $wheel has SHA-256 $got, expected ${sha[$id]}; delete the cached wheel and retry" >&2
    exit 1
  fi
  "$py" "$here/pt_to_safetensors.py" "$tmp/model_$id.pt" "$out/beatnet-model-$id.safetensors" \
      --model-id "$id" --source-sha256 "$got"
done
echo "models: beatnet-model-{1,2,3}.safetensors written to $out (BeatNet weights, CC BY 4.0, Heydari et al.)"
