# bench/thesis-lib.sh — what bench/thesis.sh (the runs) and bench/thesis-report.sh (the
# report) must agree on, sourced by both (`. bench/thesis-lib.sh`): the two families'
# shapes, their FLOPs per token and parameters, the budgets, the seeds and the first
# learning-rate grids.  Not a script of its own.
# shellcheck shell=sh disable=SC2034

THESIS_BATCH=8
THESIS_SEQ=512
THESIS_BUDGETS="3e13 1.5e14 7e14"     # FLOPs, before THESIS_SCALE
THESIS_SWEEP_BUDGET=3e13              # the learning-rate sweep runs at the smallest budget, seed 1
THESIS_SEEDS="1 2"
THESIS_FAMILIES="transformer lstm"

thesis_shape_args() { case $1 in
  transformer) echo "--dim 256 --layers 4 --heads 4 --hidden 704" ;;
  lstm) echo "--arch lstm --dim 384 --layers 2" ;;
esac; }

# FLOPs per token: transformer 6 N + 6 L T D (causal attention, forward and backward);
# LSTM 6 (8 L D^2 + V D) (input and recurrent products, and the head)
thesis_flop_per_token() { case $1 in
  transformer) awk -v t="$THESIS_SEQ" 'BEGIN { n = 4 * (4 * 256 * 256 + 3 * 256 * 704) + 8192 * 256; printf "%.0f", 6 * n + 6 * 4 * t * 256 }' ;;
  lstm) awk 'BEGIN { printf "%.0f", 6 * (8 * 2 * 384 * 384 + 8192 * 384) }' ;;
esac; }

# matrix parameters (the tied embedding counted once)
thesis_params() { case $1 in
  transformer) echo 5308416 ;; lstm) echo 5505024 ;;
esac; }

# the first learning-rate grid of a family: 5 rates 2x apart (widened by the sweep)
thesis_grid() { case $1 in
  transformer) echo "5e-4 1e-3 2e-3 4e-3 8e-3" ;;
  lstm) echo "1e-3 2e-3 4e-3 8e-3 1.6e-2" ;;
esac; }
