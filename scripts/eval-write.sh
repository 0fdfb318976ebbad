#!/bin/sh
# scripts/eval-write.sh — `make eval-write`: per form, the writer's success rate, mean time
# per poem, mean log-probability per token, distinct-2 and repeated-end-word rate, with the
# test model (stories260K, ../shared) or the model given as $1 / $VERS_EVAL_MODEL.
# Seeds per form: $VERS_EVAL_SEEDS (default 20).  Threads: $VERS_EVAL_THREADS (default 2).
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
"$BUILD/bench/bench_write" -m "$MODEL" -t "${VERS_EVAL_THREADS:-2}" -n "${VERS_EVAL_SEEDS:-20}"
