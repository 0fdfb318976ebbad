#!/bin/sh
# bench/write_speed.sh — the writer's speed as a user gets it (issue 16): wall time of a cold
# `vers write` at default options (8 candidates, default threads) and with -t 1, French
# sonnet and English haiku, alternating the two settings run by run; median and spread
# (min-max) over N runs each, seeds 1..N.
#   bench/write_speed.sh [N]          (VERS=build/vers, MODEL=models/vers-default.gguf)
# Run it on a quiet machine, and again beside another 2-thread job (e.g. a training run).
set -e
cd "$(dirname "$0")/.."
N=${1:-5}
VERS=${VERS:-build/vers}
MODEL=${MODEL:-models/vers-default.gguf}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
for form in "fr sonnet" "en haiku"; do
  set -- $form
  for s in $(seq 1 "$N"); do
    for mode in default t1; do
      opt=""; [ "$mode" = t1 ] && opt="-t 1"
      t0=$(now)
      "$VERS" write -m "$MODEL" --lang "$1" --form "$2" --seed "$s" $opt >/dev/null
      t1=$(now)
      awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >> "$tmp/$1-$2-$mode"
    done
  done
done
echo "form          setting   median s  min s  max s  (N=$N, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
for f in "$tmp"/*; do
  name=$(basename "$f")
  sort -n "$f" | awk -v n="$name" '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; split(n,p,"-");
    printf "%-13s %-9s %8.3f %6.3f %6.3f\n", p[1]" "p[2], p[3], m, a[1], a[NR]}'
done
