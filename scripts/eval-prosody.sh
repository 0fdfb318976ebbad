#!/bin/sh
# scripts/eval-prosody.sh — `make eval`: every prosody figure of issue 4 on ../shared/eval
# (or $VERS_SHARED), printed by the test programs that also assert the thresholds:
#   English syllables and stress through `vers check --json` on whole poems
#   (the figures that count; tuning and held-out parts)                 test_eval_cli --eval
#   English syllables and stress line by line (meter_en) and Browning    test_prosody_en --eval
#   French syllables (fr_syllables, tricky, fr_metrique) and gender       test_prosody_fr --report
#   rhyme schemes (rhyme/en, rhyme/fr, fr_metrique), Browning's form     test_prosody_eval --eval
#   scheme shown vs form check on corpus limericks and French sonnets    test_prosody_agree --eval
# Usage: scripts/eval-prosody.sh [BUILD]   (from the repository root; default BUILD=build)
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 2
rc=0
run() {
  name=$1; shift
  if [ ! -x "$BUILD/tests/$name" ]; then echo "eval: $BUILD/tests/$name not built (make)"; rc=1; return; fi
  echo "== $name $*"
  "$BUILD/tests/$name" "$@" || rc=1
  echo
}
run test_eval_cli --eval
run test_prosody_en --eval
run test_prosody_fr --report
run test_prosody_eval --eval
run test_prosody_agree --eval
exit $rc
