#!/bin/sh
# bench/serve-load.sh [BUILD] [options of serve_load.py run] — `make bench-serve`: vers serve
# under 50 concurrent clients for 60 s (bench/serve_load.py), then every poem checked against
# `vers write` for its seed.  Timing runs on a shared machine: set PAUSED=/work/bin/paused (or
# any wrapper) to run the timed part under it; the check afterwards is not timed.
BUILD=${1:-build}; [ $# -gt 0 ] && shift
cd "$(dirname "$0")/.." || exit 2
OUT=$BUILD/bench-serve.json
$PAUSED python3 bench/serve_load.py run "$BUILD/vers" "$OUT" "$@" || exit 1
python3 bench/serve_load.py verify "$BUILD/vers" "$OUT"
