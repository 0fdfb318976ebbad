#!/bin/sh
# bench/engine_vs_llama2c.sh — decode speed of vers against llama2.c's run.c on the same
# weights, side by side (alternating runs), and vers's own pp512/tg128 for every weight type.
#   bench/engine_vs_llama2c.sh RUN_C_DIR [SCRATCH]
# RUN_C_DIR holds llama2.c's run.c (karpathy/llama2.c); it is built there as in llama2.c's
# Makefile: runfast (-Ofast) and runomp (-Ofast -fopenmp -march=native); both run with
# OMP_WAIT_POLICY=passive, as vers does (spinning threads collapse on a shared machine).  Model files are
# written under SCRATCH (default /work/scratch/vers-bench), never into the repository.
set -e
RUNC=${1:?usage: bench/engine_vs_llama2c.sh RUN_C_DIR [SCRATCH]}
S=${2:-/work/scratch/vers-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
V=$ROOT/build/vers
MK=$ROOT/build/bench/make_random_model
REPS=${REPS:-3}
mkdir -p "$S"
make -C "$ROOT" -s all build/bench/make_random_model >/dev/null
(cd "$RUNC" && gcc -Ofast -o runfast run.c -lm && gcc -Ofast -fopenmp -march=native -o runomp run.c -lm)
runc_tps() {  # bin tok threads -> tok/s printed by run.c
  OMP_WAIT_POLICY=passive OMP_NUM_THREADS=$3 "$RUNC/$4" "$1" -z "$2" -t 0 -n 128 -i x 2>&1 >/dev/null | sed -n 's/achieved tok\/s: //p'
}
vers_tg() { "$V" bench -m "$1" -t "$2" -p 0 -n 128 -r "$REPS" | sed -n 's/^tg128: \([0-9.]*\).*/\1/p'; }
vers_pp() { "$V" bench -m "$1" -t "$2" -p 512 -n 0 -r "$REPS" | sed -n 's/^pp512: \([0-9.]*\).*/\1/p'; }

echo "## $(date -u +%F) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
# stories260K: the reference GGUF, converted for run.c
SH=${VERS_SHARED:-$ROOT/../shared}
if [ -f "$SH/reference/gguf/stories260K.gguf" ]; then
  "$MK" --from "$SH/reference/gguf/stories260K.gguf" --llama2c "$S/s260k.bin" --tok "$S/tok512.bin"
  for i in 1 2 3; do
    echo "stories260K t=1: vers tg128 $(vers_tg "$SH/reference/gguf/stories260K.gguf" 1)" \
         " runfast $(runc_tps "$S/s260k.bin" "$S/tok512.bin" 1 runfast)" \
         " runomp $(runc_tps "$S/s260k.bin" "$S/tok512.bin" 1 runomp)"
  done
fi
for shape in "24m 288 6 6 768" "58m 512 8 8 1376" "134m 768 12 12 2048"; do
  set -- $shape
  name=$1; [ -f "$S/r$name-F32.gguf" ] || \
    "$MK" -o "$S/r$name-F32.gguf" --dim $2 --layers $3 --heads $4 --ff $5 --llama2c "$S/r$name.bin" --tok "$S/tok32k.bin"
  for t in F16 Q8_0 Q4_0; do [ -f "$S/r$name-$t.gguf" ] || "$MK" -o "$S/r$name-$t.gguf" --dim $2 --layers $3 --heads $4 --ff $5 --type $t; done
  for i in 1 2; do
    echo "$name F32 t=2: vers tg128 $(vers_tg "$S/r$name-F32.gguf" 2)  runomp $(runc_tps "$S/r$name.bin" "$S/tok32k.bin" 2 runomp)" \
         " | t=1: vers $(vers_tg "$S/r$name-F32.gguf" 1) runfast $(runc_tps "$S/r$name.bin" "$S/tok32k.bin" 1 runfast)"
  done
  for t in F32 F16 Q8_0 Q4_0; do
    echo "$name $t t=2: tg128 $(vers_tg "$S/r$name-$t.gguf" 2)  pp512 $(vers_pp "$S/r$name-$t.gguf" 2)"
  done
done
