#!/usr/bin/env bash
# Runs tactus-analyze over every clip of an evaluation folder and scores the
# beats with shared/tools/score.py (mir_eval).
#
#   tools/eval/run_eval.sh [EVAL_DIR] [OUT_DIR] [-- tactus-analyze options...]
#
# EVAL_DIR defaults to ../shared/eval-dev. Clips run two at a time.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
eval_dir=${1:-$here/../shared/eval-dev}
out=${2:-$(mktemp -d)}
shift $(( $# >= 2 ? 2 : $# )) || true
[[ ${1:-} == -- ]] && shift
analyze=${TACTUS_ANALYZE:-$here/build/bin/tactus-analyze}
score=${TACTUS_SCORE:-$here/../shared/tools/score.py}
mkdir -p "$out"
export analyze out
printf '%s\0' "$eval_dir"/*.flac | xargs -0 -P "${JOBS:-2}" -I{} bash -c \
  'n=$(basename "$1" .flac); "$analyze" "${@:2}" "$1" > "$out/$n.beats"' _ {} "$@"
"$score" "$eval_dir" "$out" --json "$out/score.json"
