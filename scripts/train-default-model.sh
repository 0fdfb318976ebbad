#!/bin/sh
# scripts/train-default-model.sh — the recipe of models/vers-default.gguf.
#
# 1. Byte-level BPE of 8192 tokens (19 control tokens) learned from 20 MB of the corpus.
# 2. Pretraining: a 10.1M-parameter llama (dim 320, 6 layers, 5 heads of 64, ffn 864,
#    ctx 512, tied embeddings) on all of ../shared/corpus (poetry and prose, French poetry
#    upsampled 3x), 4600 steps of 4 x 512 tokens (9.4M tokens), AdamW lr 1.5e-3,
#    warm-up 100, cosine to 10%.  2% of the documents are held out (seeded by document).
# 3. Fine-tuning on the six poetry files only (same file order, so the same poems stay held
#    out), 600 steps of 4 x 512 tokens (1.2M tokens), lr 5e-4, warm-up 20.
# 4. Export as F16 into models/vers-default.gguf, with recipe, steps, losses and corpus
#    checksums in its vers.* metadata; loss curves as SVG.
#
# Sized from the trainer's measured throughput on this 2-core machine: 2,200 tok/s at
# 10.1M parameters (`vers bench train --dim 320 --layers 6 --heads 5 --hidden 864 --seq 512`),
# so about 1 h 10 min of pretraining and 9 min of fine-tuning on idle cores.
# Resumable: rerun with the same WORK directory after an interruption; finished stages are
# skipped.  Usage: scripts/train-default-model.sh [CORPUS_DIR] [WORK_DIR]
set -e
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus}
WORK=${2:-/tmp/vers-model}
THREADS=${VERS_TRAIN_THREADS:-2}
PRE_STEPS=4600
FT_STEPS=600
mkdir -p "$WORK"
V=${VERS:-build/vers}
[ -x "$V" ] || make -j2 build/vers
echo "plan: tokenizer 8192 tokens (seconds)"
echo "      pretrain 10.1M params, $PRE_STEPS steps x 2048 tokens = 9.4M tokens (about 1 h 10 min at 2,200 tok/s)"
echo "      fine-tune on poetry, $FT_STEPS steps x 2048 tokens = 1.2M tokens (about 9 min)"
echo "      export F16 models/vers-default.gguf (about 20 MB)"
[ -s "$WORK/tok8k.vtok" ] || $V tokenizer-train -o "$WORK/tok8k.vtok" -v 8192 --max-bytes 20000000 "$CORPUS"/*.txt

# Stage 2: pretraining (poetry and prose).
if [ ! -s "$WORK/pre.gguf" ]; then
  if [ -s "$WORK/pre.ckpt" ]; then
    $V train --resume -c "$WORK/pre.ckpt" --log "$WORK/pre.csv" --steps $PRE_STEPS -t "$THREADS" "$CORPUS"/*.txt
  else
    $V train --tokenizer "$WORK/tok8k.vtok" -c "$WORK/pre.ckpt" --log "$WORK/pre.csv" \
      --dim 320 --layers 6 --heads 5 --hidden 864 --ctx 512 --batch 4 --seq 512 \
      --steps $PRE_STEPS --warmup 100 --lr 1.5e-3 --eval-every 100 --eval-batches 8 \
      --ckpt-every 50 --upsample fr:poem=3 --seed 1 -t "$THREADS" "$CORPUS"/*.txt
  fi
  $V export "$WORK/pre.ckpt" "$WORK/pre.gguf" --type f32
fi

# Stage 3: fine-tuning on poems only.  The poetry files come first in the corpus listing,
# so their file numbers, and thus the held-out poems, are those of the pretraining split.
if [ ! -s "$WORK/ft.gguf" ]; then
  if [ -s "$WORK/ft.ckpt" ]; then
    $V train --resume -c "$WORK/ft.ckpt" --log "$WORK/ft.csv" --steps $FT_STEPS -t "$THREADS" "$CORPUS"/poetry-*.txt
  else
    $V train --init "$WORK/pre.gguf" -c "$WORK/ft.ckpt" --log "$WORK/ft.csv" \
      --batch 4 --seq 512 --steps $FT_STEPS --warmup 20 --lr 5e-4 --eval-every 50 \
      --eval-batches 8 --ckpt-every 50 --seed 1 -t "$THREADS" "$CORPUS"/poetry-*.txt
  fi
  $V export "$WORK/ft.ckpt" "$WORK/ft.gguf" --type f32
fi
$V export "$WORK/ft.ckpt" models/vers-default.gguf --type f16
$V plot "$WORK/pre.csv" -o "$WORK/pre.svg"
$V plot "$WORK/ft.csv" -o "$WORK/ft.svg"
echo "wrote models/vers-default.gguf; loss curves in $WORK/pre.svg and $WORK/ft.svg"
