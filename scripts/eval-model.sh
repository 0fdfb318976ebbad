#!/bin/sh
# scripts/eval-model.sh — `make eval-model`: how good is a vers model (issue 6)?
#
#   scripts/eval-model.sh [MODEL] [BEFORE_MODEL]        (make eval-model MODEL=... BEFORE=... N=...)
#
# Prints, as markdown tables ready for docs/EVALUATION.md:
#  (a) bits per byte on the trainer's held-out documents (seed 1, 2% of the records of
#      ../shared/corpus/*.txt, in that order, as scripts/train-default-model.sh trains), per
#      group fr/en x poem/prose, for BEFORE (e.g. the pretrained model) and MODEL;
#  (b) bits per byte on verse no model was trained on: Browning's Sonnets from the
#      Portuguese and the text column of ../shared/eval/fr_syllables/malherbe.tsv (poems
#      separated by blank lines), fed as plain text (`vers perplexity -f`);
#  (c) the writer with MODEL: success rate and mean wall seconds per poem for FR sonnet,
#      FR quatrain, EN sonnet, EN haiku and limerick over seeds 1..N; a poem counts only
#      when `vers write` exits 0 and `vers check` passes the printed poem for that form;
#  (d) copying: COPY_POEMS poems (default 100, spread over those five forms) against the
#      training corpus with build/bench/copy_rate (lines of 3+ words, word 8-grams).
# Environment: N (seeds per form, default 10), COPY_POEMS (default 100), VERS_EVAL_THREADS
# (default 2), HELDOUT_MAX_DOCS (score only the first N held-out documents of each file;
# default all), VERS_SHARED (default ../shared).  Parts that need ../shared are skipped with
# a message when it is absent.  Progress goes to stderr, the tables to stdout.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
V=$BUILD/vers
CR=$BUILD/bench/copy_rate
MODEL=${1:-models/vers-default.gguf}
BEFORE=${2:-}
N=${N:-10}
COPY_POEMS=${COPY_POEMS:-100}
T=${VERS_EVAL_THREADS:-2}
SHARED=${VERS_SHARED:-../shared}
MAXDOCS=${HELDOUT_MAX_DOCS:-}

[ -x "$V" ] || { echo "eval-model: $V not built (run make)" >&2; exit 2; }
[ -r "$MODEL" ] || { echo "eval-model: model $MODEL not found" >&2; exit 2; }
if [ -n "$BEFORE" ] && [ ! -r "$BEFORE" ]; then echo "eval-model: model $BEFORE not found" >&2; exit 2; fi
TMP=$(mktemp -d /tmp/vers-eval-model.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
say() { echo "eval-model: $*" >&2; }
now() { date +%s.%N; }
# CPU seconds (user + system) of this shell's finished children, from the output of `times`
# saved in a file (`times` must run in this shell itself: a subshell starts from zero)
cpu_of() {
  awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2] } print t }' "$1"
}

echo "## Model evaluation: $(basename "$MODEL")"
echo
echo "\`scripts/eval-model.sh $MODEL${BEFORE:+ $BEFORE}\` (N=$N seeds per form, $COPY_POEMS poems for copying," \
     "threads $T, $(date -u +%Y-%m-%d))."
echo

# ---- (a) held-out documents ----
CORPUS=""
if ls "$SHARED"/corpus/*.txt >/dev/null 2>&1; then CORPUS=$(ls "$SHARED"/corpus/*.txt); fi
heldout_row() {   # label model
  out=$TMP/heldout.txt
  t0=$(now)
  # shellcheck disable=SC2086
  if ! "$V" perplexity --heldout -m "$2" -t "$T" ${MAXDOCS:+--max-docs "$MAXDOCS"} $CORPUS >"$out" 2>"$TMP/err"; then
    say "held-out perplexity failed for $2: $(cat "$TMP/err")"; echo "| $1 | failed | | | | | |"; return
  fi
  say "held-out $1: $(awk -v t0="$t0" -v t1="$(now)" 'BEGIN { printf "%.0f s", t1 - t0 }')"
  awk -v label="$1" '
    $1 ~ /^(fr-poem|en-poem|fr-prose|en-prose|all)$/ { bpb[$1] = $7; ppl[$1] = $6; docs[$1] = $2 }
    /^layout/ { layout = $2 }
    END {
      printf "| %s | %s |", label, layout
      n = split("fr-poem en-poem fr-prose en-prose all", g, " ")
      for (i = 1; i <= n; i++) printf " %s |", (g[i] in bpb) ? bpb[g[i]] " (" docs[g[i]] ")" : "-"
      printf "\n"
    }' "$out"
  grep -q 'warning' "$TMP/err" && say "$(cat "$TMP/err")"
}
echo "### (a) Held-out documents: bits per byte (documents)"
echo
if [ -z "$CORPUS" ]; then
  echo "skipped: $SHARED/corpus absent"
else
  echo "The trainer's validation split (seed 1, 2% of the records of \`$SHARED/corpus/*.txt\` in that order)${MAXDOCS:+, first $MAXDOCS held-out documents of each file}; body tokens only, bits per byte of the body text."
  if [ -x "$BUILD/bench/heldout_list" ]; then
    # shellcheck disable=SC2086
    echo "Held-out list: $("$BUILD/bench/heldout_list" $CORPUS | wc -l) documents, SHA-256 $("$BUILD/bench/heldout_list" $CORPUS | sha256sum | cut -c1-64) (frozen since 1c68094: 00c896f6…de2e7, 511 documents)."
  fi
  echo
  echo "| model | layout | fr poem | en poem | fr prose | en prose | all |"
  echo "|---|---|---|---|---|---|---|"
  [ -n "$BEFORE" ] && heldout_row "before: $(basename "$BEFORE")" "$BEFORE"
  heldout_row "$(basename "$MODEL")" "$MODEL"
fi
echo

# ---- (b) verse never trained on ----
echo "### (b) Verse never trained on: bits per byte (perplexity)"
echo
BROWNING=$SHARED/eval/browning/sonnets_from_the_portuguese.txt
MALHERBE=$SHARED/eval/fr_syllables/malherbe.tsv
if [ ! -r "$BROWNING" ] || [ ! -r "$MALHERBE" ]; then
  echo "skipped: $SHARED/eval absent"
else
  grep -v '^#' "$BROWNING" >"$TMP/browning.txt"
  awk -F'\t' 'NR > 1 { if (NR > 2 && $1 != prev) print ""; print $3; prev = $1 }' "$MALHERBE" >"$TMP/malherbe.txt"
  ppl_cell() {   # model file
    "$V" perplexity -m "$1" -f "$2" -t "$T" 2>/dev/null |
      awk '/^perplexity:/ { p = $2 } /^bits per byte:/ { b = $4 } END { if (b == "") print "failed"; else printf "%s (%.1f)", b, p }'
  }
  echo "| model | Browning, 44 sonnets (en) | Malherbe set, 118 poems (fr) |"
  echo "|---|---|---|"
  for m in $BEFORE "$MODEL"; do
    [ -n "$m" ] || continue
    echo "| $(basename "$m") | $(ppl_cell "$m" "$TMP/browning.txt") | $(ppl_cell "$m" "$TMP/malherbe.txt") |"
  done
  echo
  echo "Plain text without control prefixes, windows of 512 tokens (\`vers perplexity -f\`)."
fi
echo

# ---- (c) the writer, and (d) the poems for the copying check ----
FORMS="fr:sonnet-fr:FR_sonnet fr:quatrain-fr:FR_quatrain en:sonnet-en:EN_sonnet en:haiku-en:EN_haiku en:limerick:limerick"
N_FORMS=5
PER=$(( (COPY_POEMS + N_FORMS - 1) / N_FORMS ))
: >"$TMP/poems.txt"
echo "### (c) The writer with $(basename "$MODEL"): success over seeds 1..$N"
echo
echo "| form | success | mean wall s/poem | mean CPU s/poem | failures |"
echo "|---|---|---|---|---|"
for f in $FORMS; do
  lang=${f%%:*}; rest=${f#*:}; form=${rest%%:*}; label=$(echo "${rest#*:}" | tr _ ' ')
  ok=0; tries=0; tsum=0; csum=0; got=0; seed=1; fails=""
  max=$N; [ $((2 * PER)) -gt "$max" ] && max=$((2 * PER))
  while [ "$seed" -le "$max" ]; do
    [ "$seed" -gt "$N" ] && [ "$got" -ge "$PER" ] && break
    times >"$TMP/times0"; t0=$(now)
    "$V" write --lang "$lang" --form "$form" --seed "$seed" -m "$MODEL" -t "$T" >"$TMP/poem.txt" 2>"$TMP/err"
    rc=$?
    t1=$(now); times >"$TMP/times1"
    dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    dc=$(awk -v a="$(cpu_of "$TMP/times0")" -v b="$(cpu_of "$TMP/times1")" 'BEGIN { printf "%.3f", b - a }')
    good=0
    if [ $rc -eq 0 ] && [ -s "$TMP/poem.txt" ]; then
      if "$V" check --lang "$lang" --form "$form" "$TMP/poem.txt" >"$TMP/check.txt" 2>&1; then good=1
      else say "$label seed $seed: printed poem fails vers check: $(head -1 "$TMP/check.txt")"; fi
    fi
    if [ "$seed" -le "$N" ]; then
      tries=$((tries + 1))
      tsum=$(awk -v a="$tsum" -v b="$dt" 'BEGIN { print a + b }'); csum=$(awk -v a="$csum" -v b="$dc" 'BEGIN { print a + b }')
      if [ $good -eq 1 ]; then ok=$((ok + 1)); else fails="$fails $seed(rc $rc)"; fi
    fi
    if [ $good -eq 1 ] && [ "$got" -lt "$PER" ]; then
      { echo "# $label seed $seed"; cat "$TMP/poem.txt"; echo; } >>"$TMP/poems.txt"
      got=$((got + 1))
    fi
    say "$label seed $seed: rc $rc, check $good, ${dt} s wall, ${dc} s CPU"
    seed=$((seed + 1))
  done
  awk -v l="$label" -v ok="$ok" -v n="$tries" -v ts="$tsum" -v cs="$csum" -v f="$fails" 'BEGIN {
    printf "| %s | %d/%d (%.0f%%) | %.1f | %.1f | %s |\n", l, ok, n, n ? 100 * ok / n : 0, n ? ts / n : 0,
           n ? cs / n : 0, f == "" ? "none" : "seeds" f }'
done
echo
echo "Per \`vers write\` run (model load included), threads $T: wall time on this machine as it was loaded at the time, and the process's CPU time (user + system, all threads; steadier under load)."
echo

echo "### (d) Copying: generated poems against the training corpus"
echo
NP=$(grep -c '^# ' "$TMP/poems.txt")
if [ -z "$CORPUS" ]; then
  echo "skipped: $SHARED/corpus absent"
elif [ ! -x "$CR" ]; then
  echo "skipped: $CR not built (make $CR)"
elif [ "$NP" -eq 0 ]; then
  echo "skipped: no poem was written"
else
  # shellcheck disable=SC2086
  "$CR" --json --corpus $CORPUS "$TMP/poems.txt" >"$TMP/copy.json" 2>"$TMP/err" || say "copy_rate failed: $(cat "$TMP/err")"
  awk -v np="$NP" '
    function num(k,   m) { if (match($0, "\"" k "\":[0-9.]+")) { m = substr($0, RSTART, RLENGTH); sub(/.*:/, "", m); return m } return "?" }
    {
      printf "| poems | lines (3+ words) copied verbatim | word 8-grams copied | corpus |\n|---|---|---|---|\n"
      printf "| %s | %s of %s (%.2f%%) | %s of %s (%.2f%%) | %s lines, %s 8-grams |\n", np,
             num("lines_copied"), num("lines_considered"), num("line_copy_pct"),
             num("ngrams_copied"), num("ngrams"), num("ngram_copy_pct"), num("corpus_lines"), num("corpus_ngrams")
    }' "$TMP/copy.json"
  echo
  echo "Normalised text (lower case, punctuation removed); 8-grams within and across lines of a poem; \`build/bench/copy_rate\`."
fi
