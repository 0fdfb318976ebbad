#!/bin/sh
# bench/thesis.sh — the founding claim's runs (issue 17): a transformer and an LSTM of about
# the same FLOPs per token, trained on the same data (all of ../shared/corpus, verse x2, the
# same tokenizer, 512-token windows, the LSTM's state zeroed at each window start and at
# <|bos|>) at three compute budgets, each family at the best of a learning-rate sweep (5
# rates 2x apart at the smallest budget, widened until the best is not at an edge), two
# seeds per point.  Resumable: every run is a stage in WORK/<family>/<budget>/<lr>/<seed>
# with its own checkpoint; finished runs are skipped; the binary is pinned in WORK.
# Results, one line per run: WORK/results.tsv (family, budget, lr, seed, matrix params,
# tokens, FLOPs, wall seconds, tokens/s, final validation loss, diverged); each family's
# chosen rate in WORK/<family>/best_lr.  Then the report (bench/thesis-report.sh WORK:
# held-out figures, plots, poems, docs/THESIS.md), unless THESIS_REPORT=0.
#   bench/thesis.sh [WORK]        (default runs/thesis)
# Environment: THESIS_SCALE multiplies the budgets (1 = 3e13, 1.5e14, 7e14 FLOPs; the
# largest is about an hour of the transformer on two cores), VERS_TRAIN_THREADS (2),
# VERS_SHARED (../shared), THESIS_TOKENS (the token cache, WORK/corpus.tokens: built by
# the first run, read by the others; its key covers the tokenizer, the files, the split
# and the upsampling, and a run whose key differs rewrites it, so it is not runs/tok's,
# which other runs share), THESIS_EVAL_BATCHES (8 batches per evaluation; fewer for a
# trial at a tiny THESIS_SCALE, where evaluations would cost more than the steps), THESIS_REPORT
# (0: no report), and the report's (bench/thesis-report.sh).  Run it after the
# model's long training, not beside it.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=bench/thesis-lib.sh
. bench/thesis-lib.sh
WORK=${1:-runs/thesis}
SCALE=${THESIS_SCALE:-1}
THREADS=${VERS_TRAIN_THREADS:-2}
CORPUS=${VERS_SHARED:-../shared}/corpus
TOKENS=${THESIS_TOKENS:-$WORK/corpus.tokens}
EVAL_BATCHES=${THESIS_EVAL_BATCHES:-8}
BATCH=$THESIS_BATCH; SEQ=$THESIS_SEQ
mkdir -p "$WORK"
# the budgets' scale, once: a resumed work directory keeps its own
if [ -s "$WORK/scale" ]; then
  [ "$(cat "$WORK/scale")" = "$SCALE" ] || { echo "vers: $WORK: made with THESIS_SCALE=$(cat "$WORK/scale"), not $SCALE" >&2; exit 2; }
else echo "$SCALE" >"$WORK/scale"; fi
if [ ! -x "$WORK/vers" ]; then
  [ -x build/vers ] || make -j2 build/vers
  cp build/vers "$WORK/vers"; { git rev-parse HEAD 2>/dev/null || echo unknown; } >"$WORK/commit"
fi
V=$WORK/vers
TOK=runs/tok/tok8k.vtok
[ -s "$TOK" ] || { mkdir -p runs/tok; "$V" tokenizer-train -o "$TOK" -v 8192 --max-bytes 24000000 "$CORPUS"/*.txt; }
RES=$WORK/results.tsv
[ -s "$RES" ] || printf 'family\tbudget\tlr\tseed\tparams\ttokens\tflops\twall_s\ttok_per_s\tval_loss\tdiverged\n' >"$RES"

# shapes, FLOPs per token and parameters: bench/thesis-lib.sh
shape_args() { thesis_shape_args "$1"; }
flop_per_token() { thesis_flop_per_token "$1"; }
params_of() { thesis_params "$1"; }

# one run; prints its final validation loss (or "nan" when it diverged)
run() {   # family budget lr seed
  f=$1; c=$2; lr=$3; seed=$4
  d=$WORK/$f/$c/$lr/$seed
  mkdir -p "$d"
  if [ -s "$d/done" ]; then cat "$d/done"; return; fi
  fpt=$(flop_per_token "$f")
  steps=$(awk -v c="$c" -v s="$SCALE" -v f="$fpt" -v t=$((BATCH * SEQ)) 'BEGIN { n = c * s / (f * t); printf "%d", n < 2 ? 2 : n + 0.5 }')
  t0=$(date +%s)
  if [ -s "$d/train.ckpt" ]; then
    "$V" train --resume -c "$d/train.ckpt" --log "$d/train.csv" --upsample fr:poem=2,en:poem=2 --tokens "$TOKENS" "$CORPUS"/*.txt >"$d/out" 2>&1 || true
  else
    # shellcheck disable=SC2046
    "$V" train --force --tokenizer "$TOK" $(shape_args "$f") --ctx "$SEQ" --batch "$BATCH" --seq "$SEQ" --steps "$steps" \
      --warmup $((steps / 20 + 1)) --lr "$lr" --eval-every $((steps / 4 + 1)) --eval-batches "$EVAL_BATCHES" --ckpt-every 100 \
      --upsample fr:poem=2,en:poem=2 --seed "$seed" -t "$THREADS" -c "$d/train.ckpt" --log "$d/train.csv" \
      --tokens "$TOKENS" "$CORPUS"/*.txt >"$d/out" 2>&1 || true
  fi
  t1=$(date +%s)
  val=$(awk -F, 'NR > 1 && $3 != "" { v = $3 } END { print (v == "" ? "nan" : v) }' "$d/train.csv")
  div=0; grep -q "loss is" "$d/out" && div=1 && val=nan
  tokens=$(awk -F, 'NR > 1 { t = $6 } END { print t + 0 }' "$d/train.csv")
  tps=$(awk -F, 'NR > 1 { t = $8 } END { print t + 0 }' "$d/train.csv")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%.3g\t%s\t%s\t%s\t%s\n' "$f" "$c" "$lr" "$seed" "$(params_of "$f")" "$tokens" \
    "$(awk -v t="$tokens" -v f="$fpt" 'BEGIN { print t * f }')" "$((t1 - t0))" "$tps" "$val" "$div" >>"$RES"
  echo "$val" >"$d/done"
  echo "$val"
}

# the learning-rate sweep at the smallest budget, widened until the best is inside the grid
best_lr() {   # family grid...
  f=$1; shift
  grid="$*"
  for _ in 1 2 3; do
    best=""; bestv=""; first=""; last=""
    for lr in $grid; do
      v=$(run "$f" "$THESIS_SWEEP_BUDGET" "$lr" 1)
      [ -z "$first" ] && first=$lr; last=$lr
      if [ "$v" != nan ] && { [ -z "$bestv" ] || awk -v a="$v" -v b="$bestv" 'BEGIN { exit !(a < b) }'; }; then best=$lr; bestv=$v; fi
    done
    if [ "$best" = "$first" ]; then grid="$(awk -v x="$first" 'BEGIN { print x / 2 }') $grid"
    elif [ "$best" = "$last" ]; then grid="$grid $(awk -v x="$last" 'BEGIN { print x * 2 }')"
    else break; fi
  done
  echo "$best"
}

for f in $THESIS_FAMILIES; do
  # shellcheck disable=SC2046  # the grid's rates are words
  lr=$(best_lr "$f" $(thesis_grid "$f"))
  if [ -z "$lr" ]; then echo "thesis: $f: every run of the learning-rate sweep diverged; no budgets run" >&2; continue; fi
  echo "$lr" >"$WORK/$f/best_lr"
  echo "thesis: $f: best learning rate $lr at $THESIS_SWEEP_BUDGET FLOPs"
  for c in $THESIS_BUDGETS; do
    for seed in $THESIS_SEEDS; do
      echo "thesis: $f $c lr $lr seed $seed: validation loss $(run "$f" "$c" "$lr" "$seed")"
    done
  done
done
echo "thesis: results in $RES"
[ "${THESIS_REPORT:-1}" = 0 ] || bench/thesis-report.sh "$WORK"
