#!/bin/sh
# scripts/blind-panel.sh — builds the blind panel of docs/panel/PLAN.md for a model:
#   scripts/blind-panel.sh LABEL [MODEL]        (MODEL default models/vers-default.gguf)
# writes docs/panel/LABEL/: machine.txt (the 12 poems from `vers write`, with their
# commands), humans.txt (the 12 held-out human poems, with their titles), panel.txt (the 24
# shuffled and numbered, nothing else: the only file the reader sees), key.txt (number ->
# origin, form, language) and reader-prompt.txt (what the reader is asked).
#   scripts/blind-panel.sh LABEL MODEL MODEL_B  (two models, issue 17: the same 24 poems)
# the plan's odd-numbered poems (1, 3, ... 11) are written by MODEL and the even-numbered
# ones by MODEL_B, each with its plan line's form, language, theme and seed (3 French and 3
# English poems each); PANEL_NAMES="NAME NAME_B" (default "a b") names the two in
# machine.txt and key.txt ("machine NAME N | ..."); the reader's file is the same as for one.
# WRITE_OPTS: more `vers write` options (e.g. WRITE_OPTS=--no-codes for the A/B of codes).
# PANEL_OUT: the directory to write instead of docs/panel/LABEL.
set -eu
cd "$(dirname "$0")/.."
LABEL=${1:?usage: scripts/blind-panel.sh LABEL [MODEL]}
MODEL=${2:-models/vers-default.gguf}
MODEL_B=${3:-}
# shellcheck disable=SC2086  # two words
set -- ${PANEL_NAMES:-a b}
NAME_A=${1:-a}; NAME_B=${2:-b}
CORPUS=${VERS_SHARED:-../shared}/corpus
OUT=${PANEL_OUT:-docs/panel/$LABEL}
V=${VERS:-build/vers}
mkdir -p "$OUT"
[ -x build/bench/panel_humans ] || make build/bench/panel_humans >/dev/null
TMP=$(mktemp -d /tmp/vers-panel.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# the plan's table: form lang theme seed
sed -n 's/^ *| \([0-9]*\) | \([a-z]*\) | \([a-z]*\) | \(.*\) | \([0-9]*\) |$/\1|\2|\3|\4|\5/p' docs/panel/PLAN.md >"$TMP/plan"
: >"$OUT/machine.txt"
while IFS='|' read -r n form lang theme seed; do
  m=$MODEL; who=""
  if [ -n "$MODEL_B" ]; then
    if [ $((n % 2)) -eq 1 ]; then who="$NAME_A "; else m=$MODEL_B; who="$NAME_B "; fi
  fi
  # shellcheck disable=SC2086  # WRITE_OPTS is split on purpose (e.g. --no-codes for the A/B)
  "$V" write -m "$m" --lang "$lang" --form "$form" --theme "$theme" --seed "$seed" ${WRITE_OPTS:-} >"$TMP/m$n.txt" 2>"$TMP/m$n.err" ||
    { echo "panel: vers write failed for #$n: $(cat "$TMP/m$n.err")" >&2; exit 2; }
  { printf '### machine %s%s | %s %s | vers write -m %s --lang %s --form %s --theme "%s" --seed %s%s\n' "$who" "$n" "$form" "$lang" "$m" "$lang" "$form" "$theme" "$seed" "${WRITE_OPTS:+ $WRITE_OPTS}"
    cat "$TMP/m$n.txt"; echo; } >>"$OUT/machine.txt"
done <"$TMP/plan"
build/bench/panel_humans --seed 7 "$CORPUS"/poetry-*.txt >"$OUT/humans.txt" 2>"$TMP/h.err"
# records: origin|label then body lines; shuffled with a fixed LCG (seed 11)
awk -v out="$TMP/recs" '
  /^### / { if (body != "") print hdr "\t" body > out; hdr = substr($0, 5); body = ""; next }
  { gsub(/\t/, " "); body = body (body == "" ? "" : "\\n") $0 }
  END { if (body != "") print hdr "\t" body > out }' "$OUT/machine.txt" "$OUT/humans.txt"
awk -F'\t' -v panel="$OUT/panel.txt" -v key="$OUT/key.txt" '
  { h[NR] = $1; b[NR] = $2; n = NR }
  END {
    s = 11; for (i = 1; i <= n; i++) o[i] = i
    for (i = n; i > 1; i--) { s = (s * 1103515245 + 12345) % 2147483648; j = 1 + s % i; t = o[i]; o[i] = o[j]; o[j] = t }
    printf "" > panel; printf "" > key
    for (k = 1; k <= n; k++) {
      i = o[k]; body = b[i]; gsub(/\\n/, "\n", body); sub(/\n+$/, "", body)
      printf "Poem %d\n\n%s\n\n", k, body >> panel
      printf "%d\t%s\n", k, h[i] >> key
    }
  }' "$TMP/recs"
cat >"$OUT/reader-prompt.txt" <<'PROMPT'
You are a careful reader of French and English poetry. The file below holds 24 numbered
poems, some written by people (19th and early 20th century) and some by a computer program.
For each poem give, on one line: the number; grammar 1-5 (5 = fully grammatical); sense
1-5 (5 = says something coherent); imagery 1-5 (5 = vivid, fresh images); your guess,
"human" or "machine"; and a short reason (a few words, quoting the poem where it helps).
Judge each poem on its own; do not try to balance the guesses. Format:
N | grammar | sense | imagery | human/machine | reason
PROMPT
echo "panel: $OUT/panel.txt ($(grep -c '^Poem ' "$OUT/panel.txt") poems); key in $OUT/key.txt"
