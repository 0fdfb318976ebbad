#!/bin/sh
# scripts/setup.sh — installs what vers needs on Debian 12 (run as root, or with sudo),
# then builds.  Packages: gcc/make/OpenMP, OpenBLAS (only bench/train_gemm, which compares the trainer's GEMM with it), espeak-ng (phonemes),
# clang + libFuzzer runtime (fuzzing), and the CMU pronouncing dictionary (npm package
# cmu-pronouncing-dictionary, turned into data/cmudict.txt; Debian 12 has no cmudict package),
# and the word lists wamerican / wfrench (the writer's rhyme words); Open MPI for training on
# several processes or machines (`mpirun -np N vers train`, docs/TRAINING.md).
set -e
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if command -v apt-get >/dev/null 2>&1; then
  # nodejs/npm only when the machine has no npm: a machine whose Node.js came from
  # NodeSource already ships npm inside its nodejs package, which conflicts with
  # Debian's npm package (apt-get then refuses the whole install).
  NODE_PKGS=""
  command -v npm >/dev/null 2>&1 || NODE_PKGS="nodejs npm"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    gcc make libc6-dev libgomp1 libopenblas-dev espeak-ng libespeak-ng-dev \
    clang libclang-rt-14-dev ca-certificates wamerican wfrench libopenmpi-dev openmpi-bin $NODE_PKGS >/dev/null
fi
[ -x scripts/fetch-cmudict.sh ] && scripts/fetch-cmudict.sh || true
make -j"$(nproc)"
