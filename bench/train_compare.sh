#!/bin/sh
# bench/train_compare.sh — trainer throughput side by side, alternating, on the llm.c shape
# (dim 384, 6 layers, 6 heads, ffn 1024, vocab 8192, T=256, B=4, 2 threads):
#   base  : an older vers binary (e.g. commit 1c68094, OpenBLAS sgemm) run with
#           OPENBLAS_CORETYPE unset for that command only (its best: Cooperlake kernels)
#   fp32  : this build, --precision fp32
#   bf16  : this build, --precision bf16
#   llmc  : llm.c's train_gpt2.c driver (optional; see docs/BENCHMARKS.md)
# PAIRS rounds, each running every program once in turn; prints each run and the median
# and spread of tokens/s per program.
#   bench/train_compare.sh BASE_VERS [LLMC_DRIVER]     (PAIRS=5 STEPS=5 THREADS=2)
set -u
BASE=${1:?usage: bench/train_compare.sh BASE_VERS [LLMC_DRIVER]}
LLMC=${2:-}
PAIRS=${PAIRS:-5}
STEPS=${STEPS:-5}
TH=${THREADS:-2}
V=${VERS:-build/vers}
OUT=$(mktemp -d /tmp/vers-train-compare.XXXXXX)
tps() { sed -n 's/.*"tokens_per_s":\([0-9.]*\).*/\1/p' | head -1; }
for r in $(seq 1 "$PAIRS"); do
  b=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$BASE" bench train --json -t "$TH" --steps "$STEPS" 2>/dev/null | tps)
  f=$("$V" bench train --json -t "$TH" --steps "$STEPS" --precision fp32 2>/dev/null | tps)
  h=$("$V" bench train --json -t "$TH" --steps "$STEPS" --precision bf16 2>/dev/null | tps)
  l=""
  if [ -n "$LLMC" ]; then
    l=$(cd "$OUT" && OMP_NUM_THREADS=$TH "$LLMC" "$STEPS" 2>/dev/null | tail -1 | sed -n 's/^\([0-9.]*\) tok\/s.*/\1/p')
  fi
  echo "round $r: base $b  fp32 $f  bf16 $h${LLMC:+  llmc $l}"
  echo "$b" >>"$OUT/base"; echo "$f" >>"$OUT/fp32"; echo "$h" >>"$OUT/bf16"; [ -n "$LLMC" ] && echo "$l" >>"$OUT/llmc"
done
for k in base fp32 bf16 llmc; do
  [ -s "$OUT/$k" ] || continue
  sort -n "$OUT/$k" | awk -v k="$k" '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%-5s median %.0f tok/s (min %.0f, max %.0f, n %d)\n", k, m, v[1], v[NR], NR }'
done
rm -rf "$OUT"
