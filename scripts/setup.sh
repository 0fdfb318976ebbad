#!/bin/sh
# scripts/setup.sh — installs what vers needs on Debian 12 (run as root, or with sudo),
# then builds.  Packages: gcc/make/OpenMP, OpenBLAS (only bench/train_gemm, which compares the trainer's GEMM with it), espeak-ng (phonemes),
# clang + libFuzzer runtime (fuzzing), and the CMU pronouncing dictionary (npm package
# cmu-pronouncing-dictionary, turned into data/cmudict.txt; Debian 12 has no cmudict package),
# and the word lists wamerican / wfrench (the writer's rhyme words); Open MPI for training on
# several processes or machines (`mpirun -np N vers train`, docs/TRAINING.md); libmicrohttpd
# (vers serve's HTTP server) and Chromium with npm's playwright-core (make test-browser, which
# drives vers serve's page; tests/browser/package.json).
set -e
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if command -v apt-get >/dev/null 2>&1; then
  # nodejs/npm only when the machine has no npm: a machine whose Node.js came from
  # NodeSource already ships npm inside its nodejs package, which conflicts with
  # Debian's npm package (apt-get then refuses the whole install).
  NODE_PKGS=""
  command -v npm >/dev/null 2>&1 || NODE_PKGS="nodejs npm"
  # apt's own progress stays visible: on a fresh machine the install takes minutes, and
  # a silent terminal looks like a hang
  echo "setup: updating the package lists (apt-get update)..."
  $SUDO apt-get update
  echo "setup: installing the build tools and libraries (a few minutes on a fresh machine)..."
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y \
    gcc make libc6-dev libgomp1 libopenblas-dev espeak-ng libespeak-ng-dev \
    clang libclang-rt-14-dev ca-certificates wamerican wfrench libopenmpi-dev openmpi-bin \
    libmicrohttpd-dev chromium $NODE_PKGS
fi
echo "setup: fetching the CMU pronouncing dictionary..."
[ -x scripts/fetch-cmudict.sh ] && scripts/fetch-cmudict.sh || true
if command -v npm >/dev/null 2>&1 && [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "setup: installing playwright-core for make test-browser (npm)..."
  (cd tests/browser && npm install --no-audit --no-fund --loglevel=error) ||
    echo "setup: playwright-core could not be installed: make test-browser will skip" >&2
fi
echo "setup: building (make -j$(nproc))..."
make -j"$(nproc)"
if [ ! -s data/cmudict.txt ]; then
  # last, so that it is what the user sees: the build worked, one part is missing
  cat >&2 <<'EOF'

setup: NOTICE: the CMU pronouncing dictionary could not be fetched (data/cmudict.txt is missing).
  What is missing: the pronunciations of ~134,000 English words (npm package
    cmu-pronouncing-dictionary, turned into data/cmudict.txt).
  What degrades:   English only.  `vers check` and `vers write` guess pronunciations from
    spelling: syllable counts, stress (metre) and rhymes of English poems are less
    accurate, and each run prints a one-line warning.  French is unaffected.
  How to retry:    with network access and npm installed, run  scripts/fetch-cmudict.sh
    (or put a cmudict file at data/cmudict.txt, or set VERS_CMUDICT=/path/to/cmudict.txt).
EOF
fi
echo "setup: done (build/vers)."
