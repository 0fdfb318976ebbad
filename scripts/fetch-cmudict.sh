#!/bin/sh
# scripts/fetch-cmudict.sh — installs the CMU pronouncing dictionary into data/cmudict.txt.
#
# Debian 12 has no cmudict package, so we take it from the npm registry package
# `cmu-pronouncing-dictionary` (ISC licence; the dictionary itself is CMU's BSD-style
# licence), fetched with npm's own client, and turn its JS object literal into the plain
# text file the English prosody loader reads (src/prosody/en_dict.c):
#     word PH ON EM ES          one pronunciation per line, lower case, variants as word(2)
# Comments ("# place, danish") are dropped.  Idempotent: does nothing when the file exists
# (set VERS_CMUDICT_FORCE=1 to rebuild).  Optional: vers still runs without it (rule-based
# guesser only), so a failure here only prints a warning.
set -e
cd "$(dirname "$0")/.."
VERSION=3.0.0
OUT=data/cmudict.txt
if [ -s "$OUT" ] && [ -z "$VERS_CMUDICT_FORCE" ]; then
  echo "fetch-cmudict: $OUT already present"; exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-cmudict: warning: npm not found; English prosody will use the rule-based guesser only" >&2
  exit 0
fi
mkdir -p data
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
( cd "$TMP" && npm pack --silent "cmu-pronouncing-dictionary@$VERSION" >/dev/null ) || {
  echo "fetch-cmudict: warning: npm pack failed; English prosody will use the rule-based guesser only" >&2
  exit 0
}
tar xzf "$TMP"/cmu-pronouncing-dictionary-$VERSION.tgz -C "$TMP"
# Lines look like:   "word(2)": "W ER1 D # comment",
sed -n 's/^  "\([^" ]*\)": "\([A-Z][A-Z0-9 ]*\)[^"]*",\{0,1\}$/\1 \2/p' "$TMP/package/index.js" \
  | sed 's/ *$//' > "$TMP/cmudict.txt"
N=$(wc -l < "$TMP/cmudict.txt")
if [ "$N" -lt 100000 ]; then
  echo "fetch-cmudict: warning: only $N entries parsed; not installing" >&2
  exit 0
fi
mv "$TMP/cmudict.txt" "$OUT"
echo "fetch-cmudict: $OUT ($N pronunciations)"
