#!/bin/sh
# scripts/eval-write.sh — `make eval-write`: per form, the writer's success rate, mean time
# per poem, mean log-probability per token, distinct-2 and repeated-end-word rate, with the
# test model (stories260K, ../shared) or the model given as $1 / $VERS_EVAL_MODEL.
# Seeds per form: $VERS_EVAL_SEEDS (default 20).  Threads: $VERS_EVAL_THREADS (default 2).
# Forms: $VERS_EVAL_FORMS (default every form; e.g. "en:sonnet fr:rondeau").  Per form it also
# prints the line-end figures of issue 16 (words outside the shipped list, of the other
# language, tokens the model gave p < 1e-3 before masking, repeated content words).
# The writer figures of docs/EVALUATION.md (20 seeds x 5 forms x 2 languages, shipped model):
#   make eval-write VERS_EVAL_MODEL=models/vers-default.gguf VERS_EVAL_THREADS=1 \
#     VERS_EVAL_FORMS="en:sonnet en:quatrain en:haiku en:limerick en:villanelle fr:sonnet fr:quatrain fr:haiku fr:rondeau fr:villanelle"
set -e
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.."
MODEL=${1:-${VERS_EVAL_MODEL:-../shared/reference/gguf/stories260K.gguf}}
if [ ! -r "$MODEL" ]; then
  echo "eval-write: model $MODEL not found (give one as the first argument)" >&2
  exit 2
fi
make -s "$BUILD/bench/bench_write" >/dev/null
echo "== vers write: per-form evaluation ($(date -u +%Y-%m-%d))"
# shellcheck disable=SC2086  # the form list is split on purpose
"$BUILD/bench/bench_write" -m "$MODEL" -t "${VERS_EVAL_THREADS:-2}" -n "${VERS_EVAL_SEEDS:-20}" ${VERS_EVAL_FORMS:-}
