#!/bin/sh
# tests/browser/run.sh [BUILD] — `make test-browser`: vers serve's page in a real browser.
# Starts `vers serve` on a free port, runs page.test.js (headless Chromium driven by
# playwright-core), stops the server.  Skips, saying why, only when chromium, node/npm or
# playwright-core (npm install here) is truly unavailable, or vers was built without the
# server.  Ends with the summary line tests/run uses ("N passed, N failed, N skipped").
BUILD=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
skip() { echo "SKIP browser: $*"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
[ -n "$CHROMIUM" ] || skip "no chromium (apt-get install chromium; scripts/setup.sh installs it)"
command -v node >/dev/null 2>&1 || skip "no node (scripts/setup.sh installs nodejs)"
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  command -v npm >/dev/null 2>&1 || skip "no npm to install playwright-core"
  echo "test-browser: installing playwright-core (npm)..."
  (cd tests/browser && npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
    skip "playwright-core could not be installed (npm install in tests/browser failed: no network?)"
fi
[ -x "$BUILD/vers" ] || { echo "test-browser: $BUILD/vers is not built"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
OUT=$ROOT/$BUILD/browser
mkdir -p "$OUT"
"$BUILD/vers" serve --port 0 2>"$OUT/serve.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT INT TERM
PORT=""
for i in $(seq 1 300); do
  PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$OUT/serve.log")
  [ -n "$PORT" ] && break
  grep -q "built without the server" "$OUT/serve.log" && skip "vers was built without libmicrohttpd"
  kill -0 $PID 2>/dev/null || { cat "$OUT/serve.log"; echo "test-browser: vers serve did not start"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
  sleep 0.1
done
[ -n "$PORT" ] || { echo "test-browser: vers serve did not start in 30 s"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
VERS="$BUILD/vers" URL="http://127.0.0.1:$PORT/" CHROMIUM="$CHROMIUM" SHOTS="$OUT" \
  node tests/browser/page.test.js
rc=$?
kill -TERM $PID; wait $PID; src=$?
[ $src -eq 0 ] || { echo "test-browser: vers serve exited $src on SIGTERM"; rc=1; }
trap - EXIT INT TERM
exit $rc
