#!/bin/sh
# scripts/gen-forms-doc.sh — rewrites the table of built-in forms in docs/FORMS.md (between
# its "forms table" markers) from `vers check --list-forms`, i.e. from the forms/ files
# themselves, so the documented limits are the ones checked.  tests/test_prosody_agree.c
# fails when the table and the forms differ.
# Usage: scripts/gen-forms-doc.sh [BUILD]   (from the repository root; make forms-doc)
set -e
BUILD=${1:-build}
cd "$(dirname "$0")/.."
DOC=docs/FORMS.md
TMP="$DOC.tmp.$$"
ROWS="$DOC.rows.$$"
"$BUILD/vers" check --list-forms | awk '
function row() { n = name; if (also != "") n = n " (also " also ")"; gsub(/\|/, "\\|", sum); print "| " n " | " lang " | " sum " |" }
/^[a-z]/ { if (name != "") row(); name = $1; lang = $2; $1 = ""; $2 = ""; sub(/^ +/, ""); sum = $0; also = ""; next }
/^ +also --form / { a = $0; sub(/^ +also --form /, "", a); also = a; next }
/^$/ { if (name != "") row(); name = ""; exit }
' > "$ROWS"
awk -v rows="$ROWS" '
/<!-- forms table: generated/ { print; print "| name (other names) | lang | what it asks |"; print "|---|---|---|";
  while ((getline l < rows) > 0) print l; skip = 1; next }
/<!-- end of forms table -->/ { skip = 0 }
!skip { print }
' "$DOC" > "$TMP"
rm -f "$ROWS"
mv "$TMP" "$DOC"
