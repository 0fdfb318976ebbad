#!/bin/sh
# scripts/sweep-fit.sh — fits the sweep's points (scripts/sweep-model.sh, WORK/summary.txt)
# to L(N, D) = E + A / N^alpha + B / D^beta, with Chinchilla's exponents (alpha 0.34,
# beta 0.28) fixed and E, A, B solved from three points (the first three sizes), for the
# validation loss and for the held-out French and English poems' bits per byte; then
# predicts each for the sizes S1..S4 at a training budget of C FLOPs (D = C / 6N).
#   scripts/sweep-fit.sh [WORK_DIR] [C]        (defaults runs/sweep, 5.8e15)
set -eu
WORK=${1:-runs/sweep}
C=${2:-5.8e15}
[ -s "$WORK/summary.txt" ] || { echo "sweep-fit: $WORK/summary.txt absent (run scripts/sweep-model.sh)" >&2; exit 2; }
awk -v C="$C" '
function pw(x, e) { return exp(-e * log(x)) }
function solve(col,    i, det, dE, dA, dB) {
  # rows: L = E + A x + B y
  for (i = 1; i <= 3; i++) { a[i,1] = 1; a[i,2] = pw(N[i], al); a[i,3] = pw(D[i], be); r[i] = v[i, col] }
  det = a[1,1]*(a[2,2]*a[3,3]-a[2,3]*a[3,2]) - a[1,2]*(a[2,1]*a[3,3]-a[2,3]*a[3,1]) + a[1,3]*(a[2,1]*a[3,2]-a[2,2]*a[3,1])
  dE = r[1]*(a[2,2]*a[3,3]-a[2,3]*a[3,2]) - a[1,2]*(r[2]*a[3,3]-a[2,3]*r[3]) + a[1,3]*(r[2]*a[3,2]-a[2,2]*r[3])
  dA = a[1,1]*(r[2]*a[3,3]-a[2,3]*r[3]) - r[1]*(a[2,1]*a[3,3]-a[2,3]*a[3,1]) + a[1,3]*(a[2,1]*r[3]-r[2]*a[3,1])
  dB = a[1,1]*(a[2,2]*r[3]-r[2]*a[3,2]) - a[1,2]*(a[2,1]*r[3]-r[2]*a[3,1]) + r[1]*(a[2,1]*a[3,2]-a[2,2]*a[3,1])
  fE[col] = dE / det; fA[col] = dA / det; fB[col] = dB / det
}
BEGIN { al = 0.34; be = 0.28; n = 0
  size["S1"] = 5308416; size["S2"] = 10063360; size["S3"] = 17301504; size["S4"] = 29556736 }
{ n++; name[n] = $1
  for (i = 2; i < NF; i += 2) {
    if ($i == "params") N[n] = $(i+1); else if ($i == "tokens") D[n] = $(i+1)
    else if ($i == "val_loss") v[n,1] = $(i+1); else if ($i == "fr-poem_bpb") v[n,2] = $(i+1); else if ($i == "en-poem_bpb") v[n,3] = $(i+1)
  } }
END {
  if (n < 3) { print "sweep-fit: need three finished sizes, have " n > "/dev/stderr"; exit 2 }
  split("val_loss fr-poem_bpb en-poem_bpb", lab, " ")
  for (c = 1; c <= 3; c++) { solve(c); printf "fit %-12s E %.4f  A %.4g  B %.4g  (alpha %.2f, beta %.2f)\n", lab[c], fE[c], fA[c], fB[c], al, be }
  printf "\nprediction at %.3g FLOPs:\n%-4s %10s %10s %10s %10s %10s\n", C, "size", "params", "tokens", "val_loss", "fr_bpb", "en_bpb"
  split("S1 S2 S3 S4", sz, " ")
  for (k = 1; k <= 4; k++) {
    nn = size[sz[k]]; dd = C / (6 * nn)
    printf "%-4s %9.1fM %9.1fM", sz[k], nn / 1e6, dd / 1e6
    for (c = 1; c <= 3; c++) printf " %10.4f", fE[c] + fA[c] * pw(nn, al) + fB[c] * pw(dd, be)
    printf "\n"
  }
}' "$WORK/summary.txt"
