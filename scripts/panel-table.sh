#!/bin/sh
# scripts/panel-table.sh DIR — the blind panel's table (docs/EVALUATION.md) from DIR/key.txt
# and DIR/ratings.txt ("N | grammar | sense | imagery | human/machine | reason" per poem).
# A two-model panel (scripts/blind-panel.sh LABEL MODEL MODEL_B: keys "machine NAME N")
# gets a group per model name instead of "vers".
set -eu
DIR=${1:?usage: scripts/panel-table.sh DIR}
awk -F'\t' 'NR == FNR { split($2, a, " \\| "); o = (a[1] ~ /^machine/) ? "vers" : "human"
                        if (a[1] ~ /^machine [^0-9 ]/) { split(a[1], w, " "); o = w[2] }
                        f = (a[1] ~ /^machine/) ? a[2] : a[1]; lang = (f ~ / fr$/) ? "French" : "English"
                        grp[$1] = o ", " lang
                        if (o != "human" && !seen[o]++) models[++n_models] = o
                        next }
  { split($0, r, " *\\| *"); n = r[1] + 0; g = grp[n]; if (g == "") next
    cnt[g]++; gr[g] += r[2]; se[g] += r[3]; im[g] += r[4]; if (r[5] == "human") hu[g]++ }
  END { print "| group | poems | grammar | sense | imagery | judged human |"; print "|---|---|---|---|---|---|"
        k = 0; order[++k] = "human, French"; order[++k] = "human, English"
        for (m = 1; m <= n_models; m++) { order[++k] = models[m] ", French"; order[++k] = models[m] ", English" }
        for (i = 1; i <= k; i++) { g = order[i]; if (!cnt[g]) continue
          printf "| %s | %d | %.1f | %.1f | %.1f | %d/%d |\n", g, cnt[g], gr[g] / cnt[g], se[g] / cnt[g], im[g] / cnt[g], hu[g] + 0, cnt[g] } }' \
  "$DIR/key.txt" "$DIR/ratings.txt"
