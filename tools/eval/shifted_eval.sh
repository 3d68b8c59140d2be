#!/usr/bin/env bash
# Live audio reaches the tracker at any alignment to its 441-sample hop and
# after any amount of silence. This scores the clips of an evaluation folder
# the way run_eval.sh does, but each clip first gets a random lead of
# silence (0.5-3 s, sample-exact, one per clip and seed) that is taken off
# the beat times again before scoring: the spread over seeds is how much a
# result owes to luck of alignment.
#
#   tools/eval/shifted_eval.sh [EVAL_DIR] [SEEDS] [-- tactus-analyze options...]
#
# Needs sox. Prints one MEAN line per seed and their average; KEEP=DIR
# keeps each seed's beats and scores in DIR/<seed>/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
eval_dir=${1:-$here/../shared/eval-dev}
seeds=${2:-3}
shift $(( $# >= 2 ? 2 : $# )) || true
[[ ${1:-} == -- ]] && shift
analyze=${TACTUS_ANALYZE:-$here/build/bin/tactus-analyze}
score=${TACTUS_SCORE:-$here/../shared/tools/score.py}
# KEEP=DIR keeps each seed's beats and scores there
if [[ -n ${KEEP:-} ]]; then work=$KEEP; mkdir -p "$work"; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
export analyze work
for seed in $(seq 1 "$seeds"); do
  mkdir -p "$work/$seed"
  i=0
  for clip in "$eval_dir"/*.flac; do
    i=$((i + 1))
    # a deterministic pseudo-random lead per clip and seed
    echo "$clip $(( (seed * 7919 + i * 104729) % 110250 + 22050 ))"
  done > "$work/$seed/leads"
  export seed
  tr '\n' '\0' < "$work/$seed/leads" | xargs -0 -P "${JOBS:-2}" -I{} bash -c '
    set -euo pipefail
    read -r clip lead <<< "$1"
    n=$(basename "$clip" .flac)
    rate=$(soxi -r "$clip")
    sox "$clip" "$work/$seed/$n.wav" pad "${lead}s" 0
    "$analyze" "${@:2}" "$work/$seed/$n.wav" |
      awk -v lead="$lead" -v rate="$rate" "{ t = \$1 - lead / rate; if (t >= 0) printf \"%.4f\t%s\n\", t, \$2 }" \
      > "$work/$seed/$n.beats"
    rm "$work/$seed/$n.wav"' _ {} "$@"
  "$score" "$eval_dir" "$work/$seed" > "$work/$seed/score"
  false_per_min=$(sed -n 's/.*(mean \([0-9.]*\) false beats\/min).*/\1/p' "$work/$seed/score")
  grep MEAN "$work/$seed/score" | sed "s/^MEAN/seed $seed/; s/\$/  ${false_per_min:-?} false\/min/"
done | tee "$work/means"
awk '{ f += $3; c += $4; a += $5; d += $6; x += $7; n++ }
     END { printf "average F %.3f CMLt %.3f AMLt %.3f DB %.3f false beats %.1f/min over %d seeds\n", f/n, c/n, a/n, d/n, x/n, n }' "$work/means"
