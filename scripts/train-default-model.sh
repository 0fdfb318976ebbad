#!/bin/sh
# scripts/train-default-model.sh — the recipe of models/vers-default.gguf (`make model`).
#
# Stages, each checkpointed into WORK_DIR (default runs/model, git-ignored) and resumed
# exactly when the script is run again (Ctrl-C checkpoints the running stage; any number
# of stops and restarts, on any thread count):
#   1. tokenizer: byte-level BPE of 8192 tokens (19 tags, 282 structure codes, 256 bytes,
#      merges) from 24 MB spread over the corpus (runs/tok/tok8k.vtok, shared with the sweep);
#   2. pretraining on all of ../shared/corpus (23 files, verse and prose; poems upsampled
#      2x), BF16 products where the CPU has AVX512_BF16, batch 8 x 512 tokens, AdamW with
#      warm-up and cosine decay, 2% of the documents held out (the trainer's split, seed 1,
#      files in `ls` order: the list `make eval-model` checks);
#   3. fine-tuning on the six poetry files with structure codes before each line
#      (`--struct-codes`: <syl:N><rh:K>, <stanza>; the rhyme table is counted from the
#      training poems and travels in the GGUF as vers.struct.rhyme.fr/.en);
#   4. export to models/vers-default.gguf (F16).
# The size comes from the sweep (scripts/sweep-model.sh, docs/TRAINING.md); the budget is
# 10x the training FLOPs of the model shipped at 1c68094 (6.4e14), split 5.8e15 / 0.6e15.
# The binary is copied into WORK_DIR at the first start and reused, so that rebuilding the
# checkout never changes a run half way; when WORK_DIR's checkpoint is gone (a new
# machine), the script says so and starts that stage again.
#
#   scripts/train-default-model.sh [CORPUS_DIR] [WORK_DIR]
# Environment: SIZE (S1..S4, default S3), UPSAMPLE (verse upsampling in pretraining, default
# fr:poem=2,en:poem=2), PRE_FLOP (default 5.8e15), FT_FLOP (0.6e15),
# VERS_TRAIN_THREADS (2).
set -eu
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus}
WORK=${2:-runs/model}
SIZE=${SIZE:-S3}
PRE_FLOP=${PRE_FLOP:-5.8e15}
FT_FLOP=${FT_FLOP:-0.6e15}
THREADS=${VERS_TRAIN_THREADS:-2}
UPS=${UPSAMPLE:-fr:poem=2,en:poem=2}
BATCH=8
SEQ=512
mkdir -p "$WORK" runs/tok
[ -d "$CORPUS" ] || { echo "model: $CORPUS absent" >&2; exit 2; }
if [ ! -x "$WORK/vers" ]; then
  [ -x build/vers ] || make -j2 build/vers
  cp build/vers "$WORK/vers"
  { git rev-parse HEAD 2>/dev/null || echo unknown; } >"$WORK/commit"
fi
V=$WORK/vers
case $SIZE in
  S1) D=256; L=4; H=4; F=704; LR=2e-3 ;;
  S2) D=320; L=6; H=5; F=864; LR=1.5e-3 ;;
  S3) D=384; L=8; H=6; F=1024; LR=1e-3 ;;
  S4) D=512; L=8; H=8; F=1376; LR=8e-4 ;;
  *) echo "model: unknown SIZE $SIZE (S1..S4)" >&2; exit 2 ;;
esac
N=$(awk -v d=$D -v l=$L -v f=$F 'BEGIN { printf "%.0f", l * (4 * d * d + 3 * d * f) + 8192 * d }')
STEPS=$(awk -v c="$PRE_FLOP" -v n="$N" -v t=$((BATCH * SEQ)) 'BEGIN { printf "%d", c / (6 * n * t) + 0.5 }')
FT_STEPS=$(awk -v c="$FT_FLOP" -v n="$N" -v t=$((BATCH * SEQ)) 'BEGIN { printf "%d", c / (6 * n * t) + 0.5 }')
# measured speed of this shape on this machine (a few steps on random tokens)
TPS=$("$V" bench train --json --steps 2 -t "$THREADS" --dim $D --layers $L --heads $H --hidden $F --seq $SEQ --batch $BATCH 2>/dev/null |
      sed -n 's/.*"tokens_per_s":\([0-9.]*\).*/\1/p' | head -1)
echo "plan (binary of $(cat "$WORK/commit")):"
echo "  tokenizer   8192 tokens, runs/tok/tok8k.vtok"
awk -v n="$N" -v s="$STEPS" -v t=$((BATCH * SEQ)) -v c="$PRE_FLOP" -v tps="${TPS:-0}" -v sz="$SIZE" -v d=$D -v l=$L -v f=$F 'BEGIN {
  printf "  pretrain    %s: dim %d, %d layers, ffn %d, %.1fM matrix parameters; %d steps x %d tokens = %.1fM tokens, %.2e FLOPs\n", sz, d, l, f, n / 1e6, s, t, s * t / 1e6, c
  if (tps > 0) printf "              about %.1f hours at the %.0f tokens/s measured now\n", s * t / tps / 3600, tps }'
echo "  fine-tune   the poems with structure codes, $FT_STEPS steps x $((BATCH * SEQ)) tokens ($FT_FLOP FLOPs)"
echo "  export      models/vers-default.gguf"
TOK=runs/tok/tok8k.vtok
[ -s "$TOK" ] || "$V" tokenizer-train -o "$TOK" -v 8192 --max-bytes 24000000 "$CORPUS"/*.txt

if [ ! -s "$WORK/pre.gguf" ]; then
  if [ -s "$WORK/pre.ckpt" ]; then
    "$V" train --resume -c "$WORK/pre.ckpt" --log "$WORK/pre.csv" --upsample "$UPS" "$CORPUS"/*.txt
  else
    [ -e "$WORK/pre.csv" ] && echo "model: $WORK/pre.ckpt is gone (a new machine?): pretraining starts again"
    "$V" train --force --tokenizer "$TOK" -c "$WORK/pre.ckpt" --log "$WORK/pre.csv" --tokens runs/tok/corpus.tokens \
      --dim $D --layers $L --heads $H --hidden $F --ctx $SEQ --batch $BATCH --seq $SEQ \
      --steps "$STEPS" --warmup 200 --lr $LR --eval-every 100 --eval-batches 8 --ckpt-every 200 \
      --upsample "$UPS" --seed 1 -t "$THREADS" "$CORPUS"/*.txt
  fi
  "$V" export "$WORK/pre.ckpt" "$WORK/pre.tmp.gguf" --type f32 && mv "$WORK/pre.tmp.gguf" "$WORK/pre.gguf"
  "$V" plot "$WORK/pre.csv" -o "$WORK/pre.svg"
fi
echo "model: pretraining done ($WORK/pre.gguf, curves $WORK/pre.svg)"

# Stage 3: the poetry files come first in the corpus listing, so their file numbers, and
# thus the held-out poems, are those of the pretraining split.
if [ ! -s "$WORK/ft.gguf" ]; then
  if [ -s "$WORK/ft.ckpt" ]; then
    "$V" train --resume -c "$WORK/ft.ckpt" --log "$WORK/ft.csv" "$CORPUS"/poetry-*.txt
  else
    [ -e "$WORK/ft.csv" ] && echo "model: $WORK/ft.ckpt is gone (a new machine?): fine-tuning starts again"
    "$V" train --force --init "$WORK/pre.gguf" --struct-codes -c "$WORK/ft.ckpt" --log "$WORK/ft.csv" \
      --batch $BATCH --seq $SEQ --steps "$FT_STEPS" --warmup 50 --lr 3e-4 --eval-every 50 --eval-batches 8 \
      --ckpt-every 100 --seed 1 -t "$THREADS" "$CORPUS"/poetry-*.txt
  fi
  "$V" export "$WORK/ft.ckpt" "$WORK/ft.tmp.gguf" --type f32 && mv "$WORK/ft.tmp.gguf" "$WORK/ft.gguf"
  "$V" plot "$WORK/ft.csv" -o "$WORK/ft.svg"
fi
"$V" export "$WORK/ft.ckpt" models/vers-default.gguf --type f16
echo "model: wrote models/vers-default.gguf; loss curves $WORK/pre.svg and $WORK/ft.svg"
