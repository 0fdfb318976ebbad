#!/bin/sh
# scripts/train-default-model.sh — the recipe of models/vers-default.gguf (interim model).
# Byte-level BPE of 8192 tokens (19 control tokens) learned from 20 MB of the corpus, then a
# 5.3M-parameter llama (dim 256, 5 layers, 8 heads, ffn 704, ctx 512, tied embeddings)
# trained on all of ../shared/corpus with French poetry upsampled 3x, 3400 steps of 2048
# tokens (7.0M tokens), AdamW lr 2e-3 warm-up 60 + cosine, exported as F16.
# Resumable: rerun with the same WORK directory after an interruption.
# Usage: scripts/train-default-model.sh [CORPUS_DIR] [WORK_DIR]
set -e
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus}
WORK=${2:-/tmp/vers-model}
mkdir -p "$WORK"
V=build/vers
echo "plan: tokenizer 8192; model 5.3M params (dim 256, 5 layers); 3400 steps x 2048 tokens = 7.0M tokens;"
echo "      about 40 min on an idle 2-core machine (2,900 tok/s measured), hours if the cores are shared"
[ -s "$WORK/tok8k.vtok" ] || $V tokenizer-train -o "$WORK/tok8k.vtok" -v 8192 --max-bytes 20000000 "$CORPUS"/*.txt
if [ -s "$WORK/run.ckpt" ]; then
  $V train --resume -c "$WORK/run.ckpt" --log "$WORK/run.csv" --steps 3400 -t 2 "$CORPUS"/*.txt
else
  $V train --tokenizer "$WORK/tok8k.vtok" -c "$WORK/run.ckpt" --log "$WORK/run.csv" \
    --dim 256 --layers 5 --heads 8 --hidden 704 --ctx 512 --batch 4 --seq 512 --steps 3400 \
    --warmup 60 --lr 2e-3 --eval-every 100 --eval-batches 8 --ckpt-every 50 \
    --upsample fr:poem=3 --seed 1 -t 2 "$CORPUS"/*.txt
fi
$V export "$WORK/run.ckpt" models/vers-default.gguf --type f16
$V plot "$WORK/run.csv" -o "$WORK/run.svg"
echo "wrote models/vers-default.gguf; loss curves in $WORK/run.svg"
