#!/bin/sh
# scripts/sweep-model.sh — the size sweep that chooses the shipped model's size (issue 15):
# a few llama shapes, each pretrained for the same fixed budget of training FLOPs on the
# whole corpus, then scored on the held-out poems (bits per byte, French and English).
# docs/TRAINING.md fits loss against parameters and tokens to these points and sizes the
# long run from the fit.
#
#   scripts/sweep-model.sh [WORK_DIR]          (default runs/sweep)
#
# Resumable: stop it at any time (Ctrl-C checkpoints the running stage) and run it again
# with the same WORK_DIR; finished runs are skipped and a stopped run resumes exactly.
# When a run's checkpoint is gone (a new machine) it says so and starts that run again.
# The binary is copied into WORK_DIR/vers at the first start and reused, so rebuilding the
# checkout does not change a run half way (its commit is in WORK_DIR/commit).
# Environment: SWEEP_FLOP (budget per run, default 1e14), SWEEP_SIZES (default "S1 S2 S3"),
# SWEEP_UPSAMPLE (verse upsampling, default fr:poem=2,en:poem=2; fr:poem=1 for the natural mix),
# VERS_TRAIN_THREADS (default 2), VERS_SHARED (default ../shared).
set -eu
cd "$(dirname "$0")/.."
WORK=${1:-runs/sweep}
SHARED=${VERS_SHARED:-../shared}
CORPUS=$SHARED/corpus
FLOP=${SWEEP_FLOP:-1e14}
SIZES=${SWEEP_SIZES:-S1 S2 S3}
UPS=${SWEEP_UPSAMPLE:-fr:poem=2,en:poem=2}
THREADS=${VERS_TRAIN_THREADS:-2}
BATCH=8
SEQ=512
mkdir -p "$WORK"
[ -d "$CORPUS" ] || { echo "sweep: $CORPUS absent" >&2; exit 2; }
if [ ! -x "$WORK/vers" ]; then
  [ -x build/vers ] || make -j2 build/vers
  cp build/vers "$WORK/vers"
  git rev-parse HEAD >"$WORK/commit" 2>/dev/null || echo unknown >"$WORK/commit"
  [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && echo "(with uncommitted changes)" >>"$WORK/commit"
fi
V=$WORK/vers
TOK=runs/tok/tok8k.vtok
if [ ! -s "$TOK" ]; then
  mkdir -p runs/tok
  "$V" tokenizer-train -o "$TOK" -v 8192 --max-bytes 24000000 "$CORPUS"/*.txt
fi

# shape: name dim layers heads ffn lr
shape() {
  case $1 in
    S1) echo "256 4 4 704 2e-3" ;;
    S2) echo "320 6 5 864 1.5e-3" ;;
    S3) echo "384 8 6 1024 1e-3" ;;
    S4) echo "512 8 8 1376 8e-4" ;;
    *) echo "sweep: unknown size $1" >&2; exit 2 ;;
  esac
}
# matrix parameters (FLOPs = 6 x this per token): per layer 4 D^2 (q, k, v, o) + 3 D F, and
# the tied output head V x D
nflop() { awk -v d="$1" -v l="$2" -v f="$3" 'BEGIN { printf "%.0f", l * (4 * d * d + 3 * d * f) + 8192 * d }'; }

echo "sweep: $FLOP training FLOPs per run, batch $BATCH x $SEQ tokens, upsampling $UPS, $THREADS threads, binary of $(head -1 "$WORK/commit")"
for S in $SIZES; do
  set -- $(shape "$S")
  D=$1; L=$2; H=$3; F=$4; LR=$5
  N=$(nflop "$D" "$L" "$F")
  STEPS=$(awk -v c="$FLOP" -v n="$N" -v t=$((BATCH * SEQ)) 'BEGIN { s = c / (6 * n * t); printf "%d", s < 1 ? 1 : s + 0.5 }')
  W=$WORK/$S
  mkdir -p "$W"
  if [ -s "$W/model.gguf" ]; then echo "sweep $S: done ($W/model.gguf)"; continue; fi
  echo "sweep $S: dim $D, $L layers, $H heads, ffn $F, $N matrix parameters; $STEPS steps = $((STEPS * BATCH * SEQ)) tokens; lr $LR"
  if [ -s "$W/train.ckpt" ]; then
    "$V" train --resume -c "$W/train.ckpt" --log "$W/train.csv" --upsample "$UPS" "$CORPUS"/*.txt
  else
    [ -e "$W/train.csv" ] && echo "sweep $S: no checkpoint in $W (new machine?): starting this run again"
    "$V" train --force --tokenizer "$TOK" -c "$W/train.ckpt" --log "$W/train.csv" --tokens runs/tok/corpus.tokens \
      --dim "$D" --layers "$L" --heads "$H" --hidden "$F" --ctx $SEQ --batch $BATCH --seq $SEQ \
      --steps "$STEPS" --warmup $((STEPS / 20 + 1)) --lr "$LR" --eval-every 50 --eval-batches 8 \
      --ckpt-every 25 --upsample "$UPS" --seed 1 -t "$THREADS" "$CORPUS"/*.txt
  fi
  "$V" export "$W/train.ckpt" "$W/model.tmp.gguf" --type f32 && mv "$W/model.tmp.gguf" "$W/model.gguf"
done

echo "sweep: held-out poems (bits per byte), the trainer's split of $CORPUS/*.txt"
for S in $SIZES; do
  W=$WORK/$S
  [ -s "$W/model.gguf" ] || continue
  if [ ! -s "$W/heldout.txt" ]; then
    # the poetry files come first in the corpus listing: their held-out poems are the full
    # run's, whatever other files follow
    "$V" perplexity --heldout -m "$W/model.gguf" -t "$THREADS" "$CORPUS"/poetry-*.txt >"$W/heldout.tmp" && mv "$W/heldout.tmp" "$W/heldout.txt"
  fi
  set -- $(shape "$S")
  printf "%s ups %s params %s tokens %s val_loss %s " "$S" "$UPS" "$(nflop "$1" "$2" "$4")" \
    "$(tail -1 "$W/train.csv" | cut -d, -f6)" "$(awk -F, '$3 != "" { v = $3 } END { print v }' "$W/train.csv")"
  awk '$1 == "fr-poem" || $1 == "en-poem" { printf "%s_bpb %s ", $1, $7 } END { print "" }' "$W/heldout.txt"
done | tee "$WORK/summary.txt"
