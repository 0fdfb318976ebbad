#!/bin/sh
# scripts/ab-codes.sh — the A/B of structure codes (issue 15) for a model fine-tuned with them:
#   scripts/ab-codes.sh [MODEL] [SEEDS]     (MODEL default models/vers-default.gguf, SEEDS 20)
# The writer's statistics with the codes fed (the default) and with --no-codes, same seeds,
# the panel's forms: poems found, line attempts and backups per poem, mean log-probability
# per token, line-end tokens the model gave p < 1e-3 before the masks (bench_write), into
# runs/ab-codes/{with,without}.txt; then the two blind panels (scripts/blind-panel.sh
# LABEL-codes / LABEL-nocodes) for the readers.
set -eu
cd "$(dirname "$0")/.."
MODEL=${1:-models/vers-default.gguf}
SEEDS=${2:-20}
OUT=runs/ab-codes
mkdir -p "$OUT"
make -s build/bench/bench_write >/dev/null
FORMS="fr:sonnet fr:quatrain en:sonnet en:quatrain en:limerick"
build/vers info "$MODEL" 2>/dev/null | grep -q vers.struct.rhyme ||
  { echo "ab-codes: $MODEL has no structure codes (vers.struct.rhyme.*): nothing to compare" >&2; exit 2; }
# shellcheck disable=SC2086
build/bench/bench_write -m "$MODEL" -t 1 -n "$SEEDS" $FORMS >"$OUT/with.txt"
# shellcheck disable=SC2086
build/bench/bench_write -m "$MODEL" -t 1 -n "$SEEDS" --no-codes $FORMS >"$OUT/without.txt"
echo "== with codes";    cat "$OUT/with.txt"
echo "== without codes"; cat "$OUT/without.txt"
LABEL=${LABEL:-ab-$(date -u +%Y%m%d)}
scripts/blind-panel.sh "$LABEL-codes" "$MODEL"
WRITE_OPTS=--no-codes scripts/blind-panel.sh "$LABEL-nocodes" "$MODEL"
echo "ab-codes: panels in docs/panel/$LABEL-codes and docs/panel/$LABEL-nocodes (give each reader only panel.txt)"
