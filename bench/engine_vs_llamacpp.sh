#!/bin/sh
# bench/engine_vs_llamacpp.sh — vers against llama.cpp's llama-bench on the same GGUF files,
# side by side (vers then llama.cpp for each file), printed as one markdown table.
#
#   bench/engine_vs_llamacpp.sh LLAMA_CPP_BUILD_DIR [SCRATCH]
#
# LLAMA_CPP_BUILD_DIR is an existing llama.cpp build (this script never builds llama.cpp):
# its bin/llama-bench is run.  Model files are written under SCRATCH (default
# /work/scratch/vers-vs-llamacpp), never into the repository, and reused when present.
#
# Models (random weights, bench/make_random_model, vocabulary 32000, untied output; every
# matrix width a multiple of 256 so that K-quants apply to every tensor):
#   24m   dim 256, 9 layers, 4 heads (head dim 64), ffn 768    24.0M parameters
#   134m  dim 768, 12 layers, 12 heads (head dim 64), ffn 2048 134.1M parameters
#   i24m  dim 288, 6 layers, 6 heads, ffn 768 (issue 2's 24M row; 288 is no multiple of 256,
#         so K-quant files of it are mostly Q8_0/Q5_0 fallbacks: use it for F32 F16 Q8_0 Q4_0)
#   i58m  dim 512, 8 layers, 8 heads, ffn 1376 (issue 2's 58M row; same remark for 1376)
# each converted by `vers quantize` to Q4_K_M Q6_K Q8_0 Q4_0 F16 (and kept as F32).
#
# Both engines: THREADS threads (default 2), prompt 512 tokens in one batch (pp512) and 128
# tokens generated one at a time (tg128), F16 KV cache (llama.cpp's default; vers --kv f16),
# REPS repetitions (default 3); the figures are means (vers: mean of REPS, llama-bench:
# avg_ts).  Environment: THREADS, REPS, MODELS ("24m 134m"), TYPES ("Q4_K_M Q6_K Q8_0 Q4_0
# F16"), PP (512), TG (128), FILES (other GGUF files, e.g. the shipped model and stories260K,
# measured after the random models; MODELS="" for those alone).  A smoke run: REPS=1 PP=64 TG=16 MODELS=24m TYPES=Q8_0.
# PAIRS=N: instead, N alternating single runs (vers -r 1, llama-bench -r 1) per file, and the
# medians of each engine's figures and of the N pairwise ratios: this shared machine's speed
# drifts by minutes, and a ratio taken seconds apart survives the drift.
set -e
LCPP=${1:?usage: bench/engine_vs_llamacpp.sh LLAMA_CPP_BUILD_DIR [SCRATCH]}
S=${2:-/work/scratch/vers-vs-llamacpp}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
V=${VERS:-$ROOT/build/vers}   # VERS=path: another vers binary (an earlier build, for before/after)
MK=$ROOT/build/bench/make_random_model
LB=$LCPP/bin/llama-bench
THREADS=${THREADS:-2}
REPS=${REPS:-3}
MODELS=${MODELS:-24m 134m}
TYPES=${TYPES:-Q4_K_M Q6_K Q8_0 Q4_0 F16}
PP=${PP:-512}
PAIRS=${PAIRS:-0}
TG=${TG:-128}
[ -x "$LB" ] || { echo "no llama-bench at $LB (build llama.cpp there first)" >&2; exit 2; }
[ -x "$V" ] && [ -x "$MK" ] || { echo "build vers first: make all build/bench/make_random_model" >&2; exit 2; }
mkdir -p "$S"

shape() {   # name -> make_random_model options
  case $1 in
    24m) echo "--dim 256 --layers 9 --heads 4 --ff 768" ;;
    134m) echo "--dim 768 --layers 12 --heads 12 --ff 2048" ;;
    i24m) echo "--dim 288 --layers 6 --heads 6 --ff 768" ;;
    i58m) echo "--dim 512 --layers 8 --heads 8 --ff 1376" ;;
    *) echo "unknown model $1" >&2; exit 2 ;;
  esac
}

# vers bench --json -> "tg pp" (means)
vers_run() {
  "$V" bench -m "$1" -t "$THREADS" -p "$PP" -n "$TG" -r "$REPS" --kv f16 --json |
    sed -n 's/.*"pp_tps_mean":\([0-9.]*\).*"tg_tps_mean":\([0-9.]*\).*/\2 \1/p'
}
# llama-bench csv -> "tg pp" (avg_ts of the two tests)
lcpp_run() {
  "$LB" -m "$1" -t "$THREADS" -p "$PP" -n "$TG" -r "$REPS" -o csv 2>/dev/null | awk -F'"?,"?' '
    NR == 1 { for (i = 1; i <= NF; i++) { gsub(/"/, "", $i); col[$i] = i }; next }
    { np = $col["n_prompt"]; ng = $col["n_gen"]; ts = $col["avg_ts"]; gsub(/"/, "", ts)
      if (ng > 0) tg = ts; else if (np > 0) pp = ts }
    END { printf "%s %s\n", tg, pp }'
}
# N values -> median
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "–" }'; }

echo "## $(date -u '+%F %H:%M') UTC, $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$PAIRS" -gt 0 ]; then
  echo "threads $THREADS, pp$PP / tg$TG, F16 KV cache, medians of $PAIRS alternating single runs (ratio: median of the pairwise ratios); llama.cpp: $LB"
else
  echo "threads $THREADS, pp$PP / tg$TG, F16 KV cache, mean of $REPS; llama.cpp: $LB"
fi
echo
echo "| model | type | vers tg$TG | llama.cpp tg$TG | tg ratio | vers pp$PP | llama.cpp pp$PP | pp ratio |"
echo "|---|---|---|---|---|---|---|---|"
for m in $MODELS; do
  f32=$S/r$m-F32.gguf
  # shellcheck disable=SC2046
  [ -f "$f32" ] || "$MK" -o "$f32" $(shape "$m") --vocab 32000 --ctx 1024 >/dev/null
  for t in $TYPES; do
    f=$S/r$m-$t.gguf
    [ "$t" = F32 ] || [ -f "$f" ] || "$V" quantize -t "$THREADS" "$f32" "$f" "$t" >/dev/null
    if [ "$PAIRS" -gt 0 ]; then
      VT= VP= LT= LP= RT= RP=
      i=0
      while [ $i -lt "$PAIRS" ]; do
        set -- $(REPS=1 vers_run "$f") ; a=${1:-0} b=${2:-0}
        set -- $(REPS=1 lcpp_run "$f") ; c=${1:-0} d=${2:-0}
        VT="$VT $a" VP="$VP $b" LT="$LT $c" LP="$LP $d" RT="$RT $(ratio "$a" "$c")" RP="$RP $(ratio "$b" "$d")"
        i=$((i + 1))
      done
      printf '| %s | %s | %.1f | %.1f | %s | %.1f | %.1f | %s |\n' "$m" "$t" "$(echo $VT | median)" "$(echo $LT | median)" \
        "$(echo $RT | median)" "$(echo $VP | median)" "$(echo $LP | median)" "$(echo $RP | median)"
      continue
    fi
    set -- $(vers_run "$f") ; vtg=${1:-0} vpp=${2:-0}
    set -- $(lcpp_run "$f") ; ltg=${1:-0} lpp=${2:-0}
    printf '| %s | %s | %.1f | %.1f | %s | %.1f | %.1f | %s |\n' "$m" "$t" "$vtg" "$ltg" "$(ratio "$vtg" "$ltg")" \
      "$vpp" "$lpp" "$(ratio "$vpp" "$lpp")"
  done
done
for f in ${FILES:-}; do
  [ -f "$f" ] || { echo "no file $f" >&2; continue; }
  n=$(basename "$f" .gguf)
  if [ "$PAIRS" -gt 0 ]; then
    VT= VP= LT= LP= RT= RP=
    i=0
    while [ $i -lt "$PAIRS" ]; do
      set -- $(REPS=1 vers_run "$f") ; a=${1:-0} b=${2:-0}
      set -- $(REPS=1 lcpp_run "$f") ; c=${1:-0} d=${2:-0}
      VT="$VT $a" VP="$VP $b" LT="$LT $c" LP="$LP $d" RT="$RT $(ratio "$a" "$c")" RP="$RP $(ratio "$b" "$d")"
      i=$((i + 1))
    done
    printf '| %s | file | %.1f | %.1f | %s | %.1f | %.1f | %s |\n' "$n" "$(echo $VT | median)" "$(echo $LT | median)" \
      "$(echo $RT | median)" "$(echo $VP | median)" "$(echo $LP | median)" "$(echo $RP | median)"
    continue
  fi
  set -- $(vers_run "$f") ; vtg=${1:-0} vpp=${2:-0}
  set -- $(lcpp_run "$f") ; ltg=${1:-0} lpp=${2:-0}
  printf '| %s | file | %.1f | %.1f | %s | %.1f | %.1f | %s |\n' "$n" "$vtg" "$ltg" "$(ratio "$vtg" "$ltg")" \
    "$vpp" "$lpp" "$(ratio "$vpp" "$lpp")"
done
echo
echo "ratio = vers / llama.cpp (above 1: vers faster)."
