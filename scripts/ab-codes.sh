#!/bin/sh
# scripts/ab-codes.sh — the A/B of structure codes (issue 15), at the same model size:
#   scripts/ab-codes.sh [WORK_DIR] [SEEDS]      (WORK_DIR default runs/model, SEEDS 20)
# A: the model fine-tuned with structure codes (WORK_DIR/ft.ckpt, what `make model` ships),
#    the codes fed before each line (the writer's default).
# B: its twin fine-tuned without codes from the same pretrained weights (WORK_DIR/pre.gguf),
#    same steps, data, seed and schedule: WORK_DIR/ft-nocodes.ckpt, trained here (resumable:
#    run the script again after a stop) with the run's pinned binary.  Feeding no codes to
#    model A would measure a model read out of its training distribution, not the codes.
# C (for information): model A with --no-codes.
# The writer's statistics of each, same seeds, the panel's forms (bench_write: poems found,
# line attempts and backups per poem, mean log-probability per token, line-end tokens the
# model gave p < 1e-3 before the masks) go to runs/ab-codes/{with,twin,with-nocodes}.txt;
# then the blind panels of A and B (scripts/blind-panel.sh LABEL-codes / LABEL-twin).
set -eu
cd "$(dirname "$0")/.."
WORK=${1:-runs/model}
SEEDS=${2:-20}
CORPUS=${VERS_SHARED:-../shared}/corpus
OUT=runs/ab-codes
V=$WORK/vers
mkdir -p "$OUT"
[ -x "$V" ] || { echo "ab-codes: $V absent (run scripts/train-default-model.sh first)" >&2; exit 2; }
if [ ! -s "$WORK/ft.ckpt" ] || [ ! -s "$WORK/pre.gguf" ]; then echo "ab-codes: $WORK/ft.ckpt or $WORK/pre.gguf absent: the recipe's fine-tuning has not run" >&2; exit 2; fi
make -s build/vers build/bench/bench_write >/dev/null

# the fine-tuning's settings, read back from its checkpoint's command (one source of truth)
"$V" export "$WORK/ft.ckpt" "$OUT/with.gguf" --type f16 >/dev/null
CMD=$(build/vers info --json "$OUT/with.gguf" | grep -o '"vers\.train\.command":"[^"]*"' | cut -d'"' -f4)
opt() { printf '%s\n' "$CMD" | tr ' ' '\n' | awk -v o="$1" 'p { print; exit } $0 == o { p = 1 }'; }
STEPS=$(opt --steps); WARM=$(opt --warmup); LR=$(opt --lr); BATCH=$(opt --batch); SEQ=$(opt --seq)
if [ -z "$STEPS" ] || [ -z "$LR" ]; then echo "ab-codes: cannot read the fine-tuning's settings from $WORK/ft.ckpt" >&2; exit 2; fi
if [ ! -s "$WORK/ft-nocodes.gguf" ]; then
  if [ -s "$WORK/ft-nocodes.ckpt" ]; then
    "$V" train --resume -c "$WORK/ft-nocodes.ckpt" --log "$WORK/ft-nocodes.csv" "$CORPUS"/poetry-*.txt
  else
    echo "ab-codes: fine-tuning the twin without codes: $STEPS steps, lr $LR (as $WORK/ft.ckpt)"
    "$V" train --force --init "$WORK/pre.gguf" -c "$WORK/ft-nocodes.ckpt" --log "$WORK/ft-nocodes.csv" \
      --batch "$BATCH" --seq "$SEQ" --steps "$STEPS" --warmup "$WARM" --lr "$LR" --eval-every 50 --eval-batches 8 \
      --ckpt-every 100 --seed 1 -t "${VERS_TRAIN_THREADS:-2}" "$CORPUS"/poetry-*.txt
  fi
  "$V" export "$WORK/ft-nocodes.ckpt" "$WORK/ft-nocodes.tmp.gguf" --type f16 && mv "$WORK/ft-nocodes.tmp.gguf" "$WORK/ft-nocodes.gguf"
fi

FORMS="fr:sonnet fr:quatrain en:sonnet en:quatrain en:limerick"
# shellcheck disable=SC2086
build/bench/bench_write -m "$OUT/with.gguf" -t 1 -n "$SEEDS" $FORMS >"$OUT/with.txt"
# shellcheck disable=SC2086
build/bench/bench_write -m "$WORK/ft-nocodes.gguf" -t 1 -n "$SEEDS" $FORMS >"$OUT/twin.txt"
# shellcheck disable=SC2086
build/bench/bench_write -m "$OUT/with.gguf" -t 1 -n "$SEEDS" --no-codes $FORMS >"$OUT/with-nocodes.txt"
echo "== A: fine-tuned with codes, codes fed";   cat "$OUT/with.txt"
echo "== B: the twin fine-tuned without codes";  cat "$OUT/twin.txt"
echo "== C: A with --no-codes (out of its training distribution)"; cat "$OUT/with-nocodes.txt"
# validation loss of the two fine-tunings (the last evaluated step of each; A's includes
# the code tokens it predicts, so the two are not the same measure)
for f in ft ft-nocodes; do
  awk -F, -v f=$f 'NR > 1 && $3 != "" { s = $1; v = $3 } END { printf "%s: validation loss %s at step %s\n", f, v, s }' "$WORK/$f.csv"
done
LABEL=${LABEL:-ab-$(date -u +%Y%m%d)}
scripts/blind-panel.sh "$LABEL-codes" "$OUT/with.gguf"
scripts/blind-panel.sh "$LABEL-twin" "$WORK/ft-nocodes.gguf"
echo "ab-codes: panels in docs/panel/$LABEL-codes and docs/panel/$LABEL-twin (give each reader only panel.txt)"
