#!/bin/sh
# bench/thesis-report.sh — the founding claim's report (issue 17) from the runs of
# bench/thesis.sh, and docs/THESIS.md with its figures.  For each family and budget, the
# chosen learning rate's two seeds: the final checkpoint exported to GGUF (F32), held-out
# bits per byte on French and English poetry and prose and the held-out loss by position
# in the context (`vers perplexity --heldout --by-position`, the corpus files in the
# training order), parameters, tokens, FLOPs (the two families' compared at each budget),
# wall and training time, tokens/s and MFU against the measured peak (`vers bench train
# --peak` for the runs' precision and threads); the ease of each family's learning-rate
# sweep (diverged, stalled, spread of the final losses); poems from the largest budget's
# seed-1 model (`vers write`, line attempts) and unconstrained samples (`vers generate
# --special` from a poem's control tokens; the share of their lines that scan and rhyme by
# `vers check --json`); two plots (validation loss against FLOPs and against seconds);
# the blind panel of both families (scripts/blind-panel.sh with two models).
# Resumable and idempotent: every product is a file under WORK/report or beside its run,
# made only when absent; the tables and docs/THESIS.md are written again from them.
#   bench/thesis-report.sh [WORK]        (default runs/thesis)
# Environment:
#   THESIS_MD             the page to write (docs/THESIS.md); a trial run names another
#   THESIS_PLOTS          the plots' directory (the page's directory/thesis)
#   THESIS_PANEL          the panel's directory (docs/panel/thesis); THESIS_PANEL=0: none
#   THESIS_POEMS (20), THESIS_SAMPLES (20), THESIS_SAMPLE_TOKENS (256)
#   THESIS_WRITE_OPTS     more vers write options for the poems and the panel
#   THESIS_MAX_DOCS       perplexity --max-docs (0: every held-out document)
#   THESIS_STALL_NATS     a sweep run "stalled" when its final validation loss is above the
#                         sweep's best by more than this (0.5), or not below its first
#                         evaluation's (at about a quarter of its steps)
#   VERS_TRAIN_THREADS (2: perplexity and the peak), VERS_SHARED (../shared), VERS (the
#   binary: WORK/vers, pinned by bench/thesis.sh)
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=bench/thesis-lib.sh
. bench/thesis-lib.sh
WORK=${1:-runs/thesis}
SCALE=$(cat "$WORK/scale" 2>/dev/null || echo "${THESIS_SCALE:-1}")
MD=${THESIS_MD:-docs/THESIS.md}
PLOTS=${THESIS_PLOTS:-$(dirname "$MD")/thesis}
PANEL=${THESIS_PANEL:-docs/panel/thesis}
N_POEMS=${THESIS_POEMS:-20}
N_SAMPLES=${THESIS_SAMPLES:-20}
SAMPLE_TOKENS=${THESIS_SAMPLE_TOKENS:-256}
WRITE_OPTS=${THESIS_WRITE_OPTS:-}
MAX_DOCS=${THESIS_MAX_DOCS:-0}
STALL=${THESIS_STALL_NATS:-0.5}
THREADS=${VERS_TRAIN_THREADS:-2}
CORPUS=${VERS_SHARED:-../shared}/corpus
RES=$WORK/results.tsv
R=$WORK/report
V=${VERS:-$WORK/vers}
[ -x "$V" ] || V=build/vers
[ -s "$RES" ] || { echo "vers: $RES: no results (run bench/thesis.sh first)" >&2; exit 2; }
mkdir -p "$R" "$PLOTS" "$(dirname "$MD")"
LARGEST=$(echo "$THESIS_BUDGETS" | awk '{ print $NF }')
say() { echo "thesis-report: $*" >&2; }

# ---- what the runs recorded ----
best_lr_of() {   # family: the rate bench/thesis.sh chose (else the sweep's best)
  if [ -s "$WORK/$1/best_lr" ]; then cat "$WORK/$1/best_lr"; return; fi
  awk -F'\t' -v f="$1" -v c="$THESIS_SWEEP_BUDGET" 'NR > 1 && $1 == f && $2 == c && $4 == 1 && $11 == 0 && $10 != "nan" &&
    (b == "" || $10 + 0 < bv) { b = $3; bv = $10 + 0 } END { print b }' "$RES"
}
res_row() {   # family budget lr seed: its results.tsv line
  awk -F'\t' -v f="$1" -v c="$2" -v lr="$3" -v s="$4" 'NR > 1 && $1 == f && $2 == c && $3 == lr && $4 == s { r = $0 } END { print r }' "$RES"
}
# the number after "KEY": in the object after "GROUP":{ of a perplexity --json answer ("-": none)
grp_field() {
  v=$(sed -n "s/.*\"$2\":{[^}]*\"$3\":\([-0-9.e+]*\)[,}].*/\1/p" "$1" | head -n 1)
  echo "${v:--}"
}
# the by-position mean nats/token of GROUP... (the groups' tokens weighted together), four
# buckets ("-" where none)
pos_nll() {
  f=$1; shift
  awk -v groups="$*" '{ ng = split(groups, G, " ")
    for (q = 1; q <= ng; q++) { i = index($0, "\"" G[q] "\":{"); if (!i) continue; s = substr($0, i); j = index(s, "\"by_position\":[")
      if (!j) continue; s = substr(s, j); s = substr(s, 1, index(s, "]")); n = split(s, part, "{\"from\":")
      for (b = 2; b <= n && b <= 5; b++)
        if (match(part[b], /"tokens":[0-9]+/) && (t = substr(part[b], RSTART + 9, RLENGTH - 9) + 0) > 0 && match(part[b], /"nll":[-0-9.e+]+/)) {
          tok[b] += t; nats[b] += t * substr(part[b], RSTART + 6, RLENGTH - 6) }
    }
    for (b = 2; b <= 5; b++) printf "%s%s", (b > 2 ? " " : ""), (tok[b] ? sprintf("%.6f", nats[b] / tok[b]) : "-")
    print "" }' "$f"
}

# ---- per run: GGUF, held-out figures ----
for f in $THESIS_FAMILIES; do
  lr=$(best_lr_of "$f")
  [ -n "$lr" ] || { say "$f: no learning rate chosen (no finished sweep run)"; continue; }
  for c in $THESIS_BUDGETS; do
    for seed in $THESIS_SEEDS; do
      d=$WORK/$f/$c/$lr/$seed
      [ -s "$d/done" ] || { say "$f $c lr $lr seed $seed: not run yet"; continue; }
      [ -s "$d/train.ckpt" ] || { say "$d: no checkpoint"; continue; }
      if [ ! -s "$d/model.gguf" ]; then
        "$V" export "$d/train.ckpt" "$d/model.gguf" --type f32 >/dev/null 2>"$d/export.err" || { say "$d: export failed: $(cat "$d/export.err")"; continue; }
      fi
      if [ ! -s "$d/heldout.json" ]; then
        say "$f $c seed $seed: held-out figures"
        # shellcheck disable=SC2046  # --max-docs N when asked
        if "$V" perplexity --heldout --by-position --json -m "$d/model.gguf" -t "$THREADS" \
             $( [ "$MAX_DOCS" = 0 ] || echo "--max-docs $MAX_DOCS") "$CORPUS"/*.txt >"$d/heldout.json.tmp" 2>"$d/heldout.err"; then
          mv "$d/heldout.json.tmp" "$d/heldout.json"
        else say "$d: perplexity failed: $(tail -n 1 "$d/heldout.err")"; fi
      fi
    done
  done
done

# ---- the peak the MFU divides by: the runs' precision, their threads ----
any=$(find "$WORK" -name model.gguf | head -n 1)
[ -n "$any" ] || { echo "vers: $WORK: no finished run to report on" >&2; exit 2; }
PREC=$("$V" info --json "$any" | sed -n 's/.*"vers.train.precision":"\([a-z0-9]*\)".*/\1/p')
PREC=${PREC:-bf16}
[ -s "$R/peak.json" ] || "$V" bench train --peak --precision "$PREC" -t "$THREADS" --json >"$R/peak.json"
PEAK=$(sed -n 's/.*"peak_gflops":\([0-9.]*\).*/\1/p' "$R/peak.json")
PEAK_INSTR=$(sed -n 's/.*"peak_instruction":"\([^"]*\)".*/\1/p' "$R/peak.json")

# ---- the runs' table: WORK/report/runs.tsv ----
{
  printf 'family\tbudget\tlr\tseed\tparams\ttokens\tflops\twall_s\ttrain_s\ttok_s\tmfu_pct\tval_loss\tdiverged'
  printf '\tbpb_fr_poem\tbpb_en_poem\tbpb_fr_prose\tbpb_en_prose\tbpb_all\tpos_1_16\tpos_17_64\tpos_65_256\tpos_257_512'
  printf '\tprose_1_16\tprose_17_64\tprose_65_256\tprose_257_512\tpoem_1_16\tpoem_17_64\tpoem_65_256\tpoem_257_512\n'
  for f in $THESIS_FAMILIES; do
    lr=$(best_lr_of "$f"); [ -n "$lr" ] || continue
    fpt=$(thesis_flop_per_token "$f")
    for c in $THESIS_BUDGETS; do
      for seed in $THESIS_SEEDS; do
        d=$WORK/$f/$c/$lr/$seed
        row=$(res_row "$f" "$c" "$lr" "$seed"); [ -n "$row" ] || continue
        h=$d/heldout.json
        if [ -s "$h" ]; then
          b="$(grp_field "$h" fr-poem bits_per_byte)	$(grp_field "$h" en-poem bits_per_byte)	$(grp_field "$h" fr-prose bits_per_byte)	$(grp_field "$h" en-prose bits_per_byte)	$(grp_field "$h" all bits_per_byte)"
          p=$( { pos_nll "$h" all; pos_nll "$h" fr-prose en-prose; pos_nll "$h" fr-poem en-poem; } | tr ' \n' '\t')
          p=${p%	}
        else b="-	-	-	-	-"; p="-	-	-	-	-	-	-	-	-	-	-	-"; fi
        # training time and tokens from the log's last row (evaluations are not in elapsed_s)
        tt=$(awk -F, 'NR > 1 { t = $6; s = $7 } END { print t + 0, s + 0 }' "$d/train.csv")
        echo "$row" | awk -F'\t' -v tt="$tt" -v fpt="$fpt" -v peak="${PEAK:-0}" -v b="$b" -v p="$p" 'BEGIN { OFS = "\t" } {
          split(tt, x, " "); tok = x[1]; s = x[2]; tps = s > 0 ? tok / s : 0
          mfu = peak > 0 ? 100 * fpt * tps / (peak * 1e9) : 0
          print $1, $2, $3, $4, $5, tok, sprintf("%.4g", tok * fpt), $8, sprintf("%.1f", s), sprintf("%.0f", tps), sprintf("%.1f", mfu), $10, $11, b, p }'
      done
    done
  done
} >"$R/runs.tsv"

# ---- ease: each family's sweep at the smallest budget, seed 1 ----
{
  printf 'family\tlr\tval_loss\tdiverged\tfirst_val\tstalled\n'
  for f in $THESIS_FAMILIES; do
    awk -F'\t' -v f="$f" -v c="$THESIS_SWEEP_BUDGET" 'NR > 1 && $1 == f && $2 == c && $4 == 1 { print $3 "\t" $10 "\t" $11 }' "$RES" |
    while IFS='	' read -r lr val div; do
      first=$(awk -F, 'NR > 1 && $3 != "" { print $3; exit }' "$WORK/$f/$THESIS_SWEEP_BUDGET/$lr/1/train.csv" 2>/dev/null)
      printf '%s\t%s\t%s\t%s\t%s\n' "$f" "$lr" "$val" "$div" "${first:--}"
    done
  done
} | awk -F'\t' -v stall="$STALL" 'BEGIN { OFS = "\t" }
  NR == 1 { print; next }
  { row[NR] = $0; fam[NR] = $1; if ($4 == 0 && $3 != "nan" && (!(($1) in best) || $3 + 0 < best[$1])) best[$1] = $3 + 0 }
  END { for (i = 2; i <= NR; i++) { split(row[i], x, "\t")
          st = x[4] == 0 && x[3] != "nan" && ((x[5] != "-" && x[3] + 0 >= x[5] + 0) || x[3] + 0 > best[x[1]] + stall)
          print row[i], (x[4] == 0 && x[3] != "nan") ? st + 0 : "-" } }' >"$R/ease.tsv"

# ---- poems and unconstrained samples of the largest budget's seed-1 model ----
model_of() { lr=$(best_lr_of "$1"); echo "$WORK/$1/$LARGEST/$lr/1/model.gguf"; }
theme_of() {   # lang index
  if [ "$1" = fr ]; then echo "la mer|la nuit|l'automne|le temps"; else echo "the sea|the night|autumn|time"; fi |
    awk -F'|' -v i="$2" '{ print $(i % 4 + 1) }'
}
metres_of() { case $1 in   # the form's lines as --syllables alternatives (English: the forms' ±1)
  fr:sonnet) echo "12" ;; fr:quatrain) echo "12 10 8" ;; en:sonnet) echo "9-11" ;; en:quatrain) echo "7-9 9-11" ;;
esac; }
for f in $THESIS_FAMILIES; do
  M=$(model_of "$f")
  [ -s "$M" ] || { say "$f: no model at the largest budget yet: no poems"; continue; }
  mkdir -p "$R/$f/poems" "$R/$f/samples"
  i=0
  while [ "$i" -lt "$N_POEMS" ]; do
    spec=$(echo "fr:sonnet fr:quatrain en:sonnet en:quatrain en:limerick" | awk -v k=$((i % 5 + 1)) '{ print $k }')
    lang=${spec%%:*}; form=${spec#*:}; theme=$(theme_of "$lang" $((i / 5))); seed=$((301 + i))
    o=$R/$f/poems/$(printf %02d "$i")
    if [ ! -s "$o.json" ] && [ ! -s "$o.failed" ]; then
      # shellcheck disable=SC2086  # WRITE_OPTS is split on purpose
      if "$V" write -m "$M" --lang "$lang" --form "$form" --theme "$theme" --seed "$seed" --json -t 1 $WRITE_OPTS >"$o.tmp" 2>"$o.err"; then
        mv "$o.tmp" "$o.json"
      else
        { printf '%s %s %s %s\t' "$lang" "$form" "$theme" "$seed"; tail -n 1 "$o.err"; } >"$o.failed"; rm -f "$o.tmp"
      fi
    fi
    i=$((i + 1))
  done
  i=0
  while [ "$i" -lt "$N_SAMPLES" ]; do
    spec=$(echo "fr:sonnet fr:quatrain en:sonnet en:quatrain" | awk -v k=$((i % 4 + 1)) '{ print $k }')
    lang=${spec%%:*}; form=${spec#*:}; theme=$(theme_of "$lang" $((i / 4))); seed=$((301 + i))
    o=$R/$f/samples/$(printf %02d "$i")
    prompt="<$lang><$form><title>$theme</title>
"
    if [ ! -s "$o.tsv" ]; then
      "$V" generate -m "$M" --special -p "$prompt" -n "$SAMPLE_TOKENS" --seed "$seed" -t 1 >"$o.raw" 2>"$o.err" ||
        { say "$o: vers generate failed: $(tail -n 1 "$o.err")"; i=$((i + 1)); continue; }
      # did it end (end of text) or run out of tokens?  The same seed, its ids counted.
      all=$("$V" generate -m "$M" --special -p "$prompt" -n "$SAMPLE_TOKENS" --seed "$seed" -t 1 --ids 2>/dev/null | wc -l)
      pre=$("$V" tokenize -m "$M" --special --ids -p "$prompt" 2>/dev/null | wc -w)
      made=$((all - pre)); ended=1; [ "$made" -lt "$SAMPLE_TOKENS" ] || ended=0
      # the continuation: the prompt's line off; a line the token limit cut, off
      tail -n +2 "$o.raw" | awk -v cut=$((1 - ended)) '{ l[NR] = $0 } END { n = NR; while (n > 0 && l[n] == "") n--; if (cut) n--; for (i = 1; i <= n; i++) print l[i] }' >"$o.txt"
      best=-1; bestm=-; lines=0; rhy=0
      if grep -q '[^[:space:]]' "$o.txt"; then
        for m in $(metres_of "$spec"); do
          "$V" check --json --lang "$lang" --syllables "$m" "$o.txt" >"$o.check.json" 2>/dev/null || true
          s=$(grep -o '"scans":true' "$o.check.json" | wc -l)
          if [ "$s" -gt "$best" ]; then best=$s; bestm=$m; cp "$o.check.json" "$o.best.json"; fi
        done
        lines=$(grep -o '"rhymes":' "$o.best.json" | wc -l); rhy=$(grep -o '"rhymes":true' "$o.best.json" | wc -l)
      fi
      [ "$best" -ge 0 ] || best=0
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$lang" "$form" "$seed" "$made" "$ended" "$lines" "$best" "$rhy" "$bestm" >"$o.tsv"
    fi
    i=$((i + 1))
  done
done

# ---- plots: validation loss against FLOPs and against seconds, seed 1 of every run ----
plot_args() {   # prints nothing; sets the positional list for vers plot through PLOT_FILE
  : >"$R/plot.args"
  for f in $THESIS_FAMILIES; do
    lr=$(best_lr_of "$f"); [ -n "$lr" ] || continue
    k=0
    for c in $THESIS_BUDGETS; do
      k=$((k + 1))
      log=$WORK/$f/$c/$lr/1/train.csv
      [ -s "$log" ] || continue
      case $f in transformer) col=$(echo "#9ecae1 #3182bd #08306b" | awk -v k=$k '{ print $k }') ;;
                 *) col=$(echo "#fc9272 #de2d26 #67000d" | awk -v k=$k '{ print $k }') ;; esac
      printf '%s\t%s %s\t%s\t%s\n' "$log" "$f" "$c" "$col" "$(thesis_flop_per_token "$f")" >>"$R/plot.args"
    done
  done
}
plot() {   # OUT X TITLE
  out=$1; x=$2; title=$3
  set --
  while IFS='	' read -r log label col fpt; do
    set -- "$@" "$log" --label "$label" --color "$col"
    [ "$x" != flops ] || set -- "$@" --flops-per-token "$fpt"
  done <"$R/plot.args"
  [ $# -gt 0 ] || return 0
  "$V" plot "$@" -o "$out" --x "$x" --val-only --log-x --title "$title" >/dev/null
}
plot_args
plot "$PLOTS/loss-flops.svg" flops "validation loss (nats/token) against training FLOPs, seed 1"
plot "$PLOTS/loss-seconds.svg" seconds "validation loss (nats/token) against seconds of training, seed 1"

# ---- the readers' panel: 6 poems of each family, 12 human ones ----
PANEL_NOTE="not made (THESIS_PANEL=0)"
if [ "$PANEL" != 0 ]; then
  MT=$(model_of transformer); ML=$(model_of lstm)
  if [ -s "$PANEL/panel.txt" ]; then PANEL_NOTE="$PANEL/panel.txt"
  elif [ -s "$MT" ] && [ -s "$ML" ]; then
    if PANEL_OUT=$PANEL PANEL_NAMES="transformer lstm" VERS=$V WRITE_OPTS=$WRITE_OPTS scripts/blind-panel.sh thesis "$MT" "$ML" >"$R/panel.log" 2>&1; then
      PANEL_NOTE="$PANEL/panel.txt"
    else PANEL_NOTE="failed: $(tail -n 1 "$R/panel.log")"; fi
  else PANEL_NOTE="not made yet: a family has no model at the largest budget"; fi
fi

# ---- docs/THESIS.md ----
REL=$(realpath -m --relative-to="$(dirname "$MD")" "$PLOTS")
COMMIT=$(cat "$WORK/commit" 2>/dev/null || echo unknown)
fmt_mean() {   # the mean per budget and family of runs.tsv columns, as table rows
  awk -F'\t' -v cols="$1" -v budgets="$THESIS_BUDGETS" -v families="$THESIS_FAMILIES" 'NR > 1 { k = $1 "\t" $2; n[k]++
      nc = split(cols, c, " "); for (i = 1; i <= nc; i++) { v = $(c[i]); if (v != "-" && v != "nan" && v != "") { s[k, i] += v; cnt[k, i]++ } } }
    END { nb = split(budgets, bu, " "); nf = split(families, fa, " ")
      for (x = 1; x <= nb; x++) for (y = 1; y <= nf; y++) if ((fa[y] "\t" bu[x]) in n) order[++m] = fa[y] "\t" bu[x]
      nc = split(cols, c, " "); for (j = 1; j <= m; j++) { k = order[j]; split(k, kk, "\t"); line = kk[2] " | " kk[1] " | " n[k]
        for (i = 1; i <= nc; i++) { v = cnt[k, i] ? s[k, i] / cnt[k, i] : "-"; line = line " | " (v == "-" ? "-" : fmtv(c[i], v)) }
        print "| " line " |" } }
    function fmtv(col, v) { if (col == 6 || col == 7) return sprintf("%.3g", v); if (col == 8 || col == 9 || col == 10) return sprintf("%.0f", v)
      if (col == 11) return sprintf("%.1f %%", v); if (col == 5) return sprintf("%.2fM", v / 1e6); return sprintf("%.3f", v) }' "$R/runs.tsv"
}
mean_of() {   # family budget column [printf format]: the mean over the seeds, or "-"
  awk -F'\t' -v f="$1" -v c="$2" -v col="$3" -v fmt="${4:-%.3f}" 'NR > 1 && $1 == f && $2 == c && $col != "-" && $col != "nan" { s += $col; n++ }
    END { if (n) printf fmt, s / n; else printf "-" }' "$R/runs.tsv"
}
flops_ratio() {   # budget: transformer FLOPs / LSTM FLOPs
  awk -F'\t' -v c="$1" 'NR > 1 && $2 == c { s[$1] += $7; n[$1]++ }
    END { if (n["transformer"] && n["lstm"] && s["lstm"] > 0) printf "%.3f", (s["transformer"] / n["transformer"]) / (s["lstm"] / n["lstm"]); else printf "-" }' "$R/runs.tsv"
}
ease_of() {   # family: "N runs, D diverged, S stalled; final losses min-max, std"
  awk -F'\t' -v f="$1" 'NR > 1 && $1 == f { n++; if ($4 == 1 || $3 == "nan") d++; else { v[++k] = $3 + 0; s += $3; st += ($6 == 1) } }
    END { if (!n) { print "no sweep runs"; exit } mn = mx = (k ? v[1] : 0); for (i = 1; i <= k; i++) { if (v[i] < mn) mn = v[i]; if (v[i] > mx) mx = v[i] }
      mean = k ? s / k : 0; q = 0; for (i = 1; i <= k; i++) q += (v[i] - mean) ^ 2
      printf "%d runs, %d diverged, %d stalled; final validation losses %.3f to %.3f (std %.3f)", n, d + 0, st + 0, mn, mx, (k > 1 ? sqrt(q / (k - 1)) : 0) }' "$R/ease.tsv"
}
grid_of() {   # family: the rates tried, the best, whether it sits at an edge
  awk -F'\t' -v f="$1" -v b="$(best_lr_of "$1")" 'NR > 1 && $1 == f { r[++n] = $2 + 0; name[n] = $2 }
    END { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t; t = name[i]; name[i] = name[j]; name[j] = t }
      s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? ", " : "") name[i]
      edge = n && (b + 0 == r[1] || b + 0 == r[n]); printf "rates %s; best %s%s", s, b, edge ? " (at an edge of the grid)" : " (inside the grid)" }' "$R/ease.tsv"
}
poems_of() {   # family: written / asked, line attempts per poem (mean, median)
  dir=$R/$1/poems
  [ -d "$dir" ] || { echo "none yet"; return; }
  ok=$(find "$dir" -name '*.json' | wc -l); bad=$(find "$dir" -name '*.failed' | wc -l)
  # shellcheck disable=SC2046
  att=$(cat /dev/null $(find "$dir" -name '*.json' | sort) | sed -n 's/.*"line_attempts":\([0-9]*\).*/\1/p' | sort -n |
    awk '{ v[++n] = $1; s += $1 } END { if (n) printf "mean %.1f, median %s", s / n, n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; else printf "-" }')
  echo "$ok of $((ok + bad)) poems written; line attempts per written poem: $att"
}
samples_of() {   # family: lines, share that scan, share that rhyme
  dir=$R/$1/samples
  [ -d "$dir" ] || { echo "none yet"; return; }
  # shellcheck disable=SC2046
  cat /dev/null $(find "$dir" -name '*.tsv' | sort) | awk -F'\t' '{ n++; e += $5; l += $6; s += $7; r += $8 }
    END { if (!n) { print "none yet"; exit } printf "%d samples (%d ended by the model), %d lines: %.1f %% scan, %.1f %% rhyme", n, e, l, l ? 100 * s / l : 0, l ? 100 * r / l : 0 }'
}
pos_gain() {   # family budget [first column: 19 all, 23 prose]: loss at 1-16, at 257-512, and the change
  k=${3:-19}
  p1=$(mean_of "$1" "$2" "$k"); p4=$(mean_of "$1" "$2" $((k + 3)))
  awk -v a="$p1" -v b="$p4" 'BEGIN { if (a == "-" || b == "-") printf "-"; else printf "%.3f at positions 1-16 to %.3f at 257-512 (%+.3f nats/token)", a, b, b - a }'
}

TMPMD=$MD.tmp
{
cat <<EOF
# The founding claim, measured: LSTM against transformer at equal compute

Issue 17. Written by \`bench/thesis-report.sh\` from the runs of \`bench/thesis.sh\` (work
directory \`$WORK\`, binary of commit \`$COMMIT\`, $(date -u +%Y-%m-%d)); every figure below is
recomputed from the files there when the script runs again. The conclusion's verdicts are
written by hand after reading the numbers.

## Setup

- **Data**: all of \`../shared/corpus\` (French and English poetry and prose), verse upsampled x2,
  the 8192-token byte-level BPE of \`runs/tok/tok8k.vtok\`, the trainer's document split (2 %
  held out, seed 1); the same 512-token windows (batch 8) for both families. The LSTM's state is
  zero at each window start and at every \`<|bos|>\` inside a window (the transformer's attention is
  masked there), in training and in the held-out scoring below.
- **Families**: transformer (llama: dim 256, 4 layers, 4 heads, FFN 704; $(thesis_params transformer)
  matrix parameters) and LSTM (\`--arch lstm\`: dim 384, 2 layers; $(thesis_params lstm)), tied embeddings,
  the same optimizer, schedule, precision ($PREC) and checkpoints.
- **FLOPs per token**: transformer 6 N + 6 L T D = $(thesis_flop_per_token transformer) (attention
  included, T = 512); LSTM 6 (8 L D² + V D) = $(thesis_flop_per_token lstm) (the input and recurrent
  products and the head). Each run's steps are its budget over (FLOPs per token x 4096 tokens).
- **Budgets**: $THESIS_BUDGETS FLOPs$( [ "$SCALE" = 1 ] || echo " **x $SCALE** (THESIS_SCALE: a trial, not the issue's budgets)"), two seeds ($THESIS_SEEDS) each, at the
  learning rate the family's sweep chose at $THESIS_SWEEP_BUDGET FLOPs (5 rates 2x apart, widened until
  the best is not at an edge, at most three times).
- **MFU** against the measured peak of $PREC on $THREADS thread(s): $PEAK GFLOP/s ($PEAK_INSTR;
  \`vers bench train --peak\`, the larger of the threads' wall-clock rate and $THREADS x the best
  rate per CPU-second of one). tokens/s = tokens / seconds of training steps (the log's
  \`elapsed_s\`: evaluations left out); wall = the whole process (loading and evaluations in).
- **Held-out**: \`vers perplexity --heldout --by-position\` on the trainer's held-out documents of
  the corpus files in the training order$( [ "$MAX_DOCS" = 0 ] || echo " (only the first $MAX_DOCS of each file: a trial)"), only their bodies
  scored, in non-overlapping 512-token windows; bits per byte divide by the bodies' UTF-8 bytes.
  Position = the number of tokens of its window a token was conditioned on (1 to 511).

## Results (mean of the seeds)

| budget | family | runs | params | tokens | FLOPs | wall s | train s | tok/s | MFU | val loss | bpb fr poetry | bpb en poetry | bpb fr prose | bpb en prose |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
EOF
fmt_mean "5 6 7 8 9 10 11 12 14 15 16 17"
cat <<EOF

FLOPs, transformer over LSTM, at each budget (the issue asks for equal within 5 %):
EOF
for c in $THESIS_BUDGETS; do
  q=$(flops_ratio "$c")
  awk -v c="$c" -v q="$q" 'BEGIN { if (q == "-") printf "- %s: not both run yet\n", c; else printf "- %s: %s (%s)\n", c, q, (q >= 0.95 && q <= 1.05) ? "within 5 %" : "**not within 5 %**" }'
done
cat <<EOF

### Long range: held-out loss by position in the context (nats/token)

The buckets hold different text: a poem's body is short, so the late positions are mostly
prose (each held-out document starts a window of its own). Hence the figures for all the
held-out text, and for the prose and the poetry alone.

| budget | family | runs | all 1-16 | 17-64 | 65-256 | 257-512 | prose 1-16 | 17-64 | 65-256 | 257-512 | poetry 1-16 | 17-64 | 65-256 | 257-512 |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
EOF
fmt_mean "19 20 21 22 23 24 25 26 27 28 29 30"
cat <<EOF

### Compute: validation loss against FLOPs and against time

![validation loss against training FLOPs]($REL/loss-flops.svg)

![validation loss against seconds of training]($REL/loss-seconds.svg)

### Ease: the learning-rate sweeps ($THESIS_SWEEP_BUDGET FLOPs, seed 1)

A run **diverged** when the trainer stopped on a non-finite loss; it **stalled** when its final
validation loss is above the sweep's best by more than $STALL nats, or not below its first
evaluation's (at about a quarter of its steps).

| family | learning rate | final val loss | diverged | first evaluation | stalled |
|---|---|---|---|---|---|
EOF
awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4 ? "yes" : "no", $5, $6 == 1 ? "yes" : $6 == "-" ? "-" : "no" }' "$R/ease.tsv"
echo
for f in $THESIS_FAMILIES; do echo "- $f: $(ease_of "$f"); $(grid_of "$f")"; done
cat <<EOF

### Poems (the largest budget's seed-1 model of each family)

\`vers write\` at seeds 301-$((300 + N_POEMS)) over French sonnet, French quatrain, English sonnet,
English quatrain and English limerick in turn$( [ -z "$WRITE_OPTS" ] || echo " (options: $WRITE_OPTS)"); the writer keeps the form, so what
differs is the work it takes (line attempts per poem, from \`--json\`). Unconstrained:
\`vers generate --special\` from \`<lang><form><title>T</title>\` (the training layout) at seeds
301-$((300 + N_SAMPLES)), $SAMPLE_TOKENS tokens at most, over French and English sonnets and quatrains; a line
the token limit cut is dropped; a line **scans** when \`vers check --syllables\` finds no syllable
violation on it for the form's metre (French sonnet 12; French quatrain 12, 10 or 8; English
sonnet 9-11; English quatrain 7-9 or 9-11: the alternative most lines fit), and **rhymes** when
it shares its rhyme letter with another line of the sample (\`vers check --json\`'s \`rhymes\`:
any likeness the scheme accepts, the same word included).

| family | vers write | unconstrained samples |
|---|---|---|
EOF
for f in $THESIS_FAMILIES; do echo "| $f | $(poems_of "$f") | $(samples_of "$f") |"; done
cat <<EOF

### Readers

The blind panel (docs/panel/PLAN.md's protocol; the plan's odd poems by the transformer, even by
the LSTM, with 12 human poems): $PANEL_NOTE. Ratings: not collected yet.

### The anchor

char-rnn was reported at about 2.0 bits per character on tinyshakespeare. We do not have that
text; beside it, our held-out English verse in bits per byte (UTF-8 bytes; English verse is
nearly all ASCII, so bytes and characters nearly coincide), at the largest budget:
transformer $(mean_of transformer "$LARGEST" 15), LSTM $(mean_of lstm "$LARGEST" 15).

## Per run

| family | budget | lr | seed | tokens | FLOPs | wall s | tok/s | MFU % | val loss | diverged | bpb fr poetry | bpb en poetry | bpb fr prose | bpb en prose |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
EOF
awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $6, $7, $8, $10, $11, $12, $13, $14, $15, $16, $17 }' "$R/runs.tsv"
cat <<EOF

## Conclusion

Each paragraph gives the numbers above that bear on one claim; its verdict is written by hand.

**Long range** (a transformer gains more from long context than an LSTM). At $LARGEST FLOPs the
transformer's held-out loss goes from $(pos_gain transformer "$LARGEST"); the LSTM's, from
$(pos_gain lstm "$LARGEST"). On prose alone: transformer $(pos_gain transformer "$LARGEST" 23); LSTM
$(pos_gain lstm "$LARGEST" 23). At the other budgets (all text): $(for c in $THESIS_BUDGETS; do [ "$c" = "$LARGEST" ] || printf '%s: transformer %s, LSTM %s. ' "$c" "$(pos_gain transformer "$c")" "$(pos_gain lstm "$c")"; done)
**Verdict: TODO (lead, after reading the numbers).**

**Compute** (a transformer needs less compute for the same result). Validation loss at each
budget, transformer against LSTM: $(for c in $THESIS_BUDGETS; do printf '%s: %s against %s (%s s against %s s of training); ' "$c" "$(mean_of transformer "$c" 12)" "$(mean_of lstm "$c" 12)" "$(mean_of transformer "$c" 9 %.0f)" "$(mean_of lstm "$c" 9 %.0f)"; done)
English poetry at $LARGEST: $(mean_of transformer "$LARGEST" 15) against $(mean_of lstm "$LARGEST" 15) bits per byte; French poetry: $(mean_of transformer "$LARGEST" 14) against $(mean_of lstm "$LARGEST" 14).
**Verdict: TODO (lead, after reading the numbers).**

**Ease** (a transformer trains more easily). Transformer: $(ease_of transformer). LSTM: $(ease_of lstm).
**Verdict: TODO (lead, after reading the numbers).**

**Poems** (better poems). Transformer: $(poems_of transformer); unconstrained: $(samples_of transformer).
LSTM: $(poems_of lstm); unconstrained: $(samples_of lstm). Readers: not rated yet.
**Verdict: TODO (lead, after reading the numbers and the panel).**
EOF
} >"$TMPMD"
mv "$TMPMD" "$MD"
say "wrote $MD (plots in $PLOTS, tables in $R)"
