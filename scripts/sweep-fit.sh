#!/bin/sh
# scripts/sweep-fit.sh — fits the sweep (scripts/sweep-model.sh) to L(N, D) = E + A / N^0.34
# + B / D^0.28 (Chinchilla's exponents, fixed) by least squares over every validation loss
# the runs logged after their warm-up (N matrix parameters, D tokens seen), then predicts
# the validation loss of each size at a training budget of C FLOPs (D = C / 6N), and the
# held-out poems' bits per byte through the line through the sizes' final (validation
# loss, bits per byte) points.  The logged points of a run are not annealed the way its
# end is: the fit leans pessimistic on D; the choice it supports is a ranking, not a value.
#   scripts/sweep-fit.sh [WORK_DIR] [C]        (defaults runs/sweep, 5.8e15)
set -eu
WORK=${1:-runs/sweep}
C=${2:-5.8e15}
[ -s "$WORK/summary.txt" ] || { echo "sweep-fit: $WORK/summary.txt absent (run scripts/sweep-model.sh)" >&2; exit 2; }
for S in $(awk '{ print $1 }' "$WORK/summary.txt" | sort -u); do
  N=$(awk -v s="$S" '$1 == s { for (i = 2; i < NF; i++) if ($i == "params") print $(i+1) }' "$WORK/summary.txt" | head -1)
  awk -F, -v n="$N" -v s="$S" 'NR > 1 && $3 != "" && $1 > 30 { print s, n, $6, $3 }' "$WORK/$S/train.csv"
done > "$WORK/points.txt"
awk -v C="$C" '
function pw(x, e) { return exp(-e * log(x)) }
NR == FNR { np++; Nn[np] = $2; Dd[np] = $3; Ll[np] = $4; next }
{ nf++; for (i = 2; i < NF; i++) { if ($i == "params") fn[nf] = $(i+1); if ($i == "val_loss") fv[nf] = $(i+1)
    if ($i == "fr-poem_bpb") ff[nf] = $(i+1); if ($i == "en-poem_bpb") fe[nf] = $(i+1) } }
END {
  al = 0.34; be = 0.28
  # normal equations for L = E + A x + B y
  for (i = 1; i <= np; i++) { x = pw(Nn[i], al); y = pw(Dd[i], be)
    s1 += 1; sx += x; sy += y; sxx += x*x; syy += y*y; sxy += x*y; sl += Ll[i]; sxl += x*Ll[i]; syl += y*Ll[i] }
  det = s1*(sxx*syy - sxy*sxy) - sx*(sx*syy - sxy*sy) + sy*(sx*sxy - sxx*sy)
  E = (sl*(sxx*syy - sxy*sxy) - sx*(sxl*syy - sxy*syl) + sy*(sxl*sxy - sxx*syl)) / det
  A = (s1*(sxl*syy - syl*sxy) - sl*(sx*syy - sxy*sy) + sy*(sx*syl - sxl*sy)) / det
  B = (s1*(sxx*syl - sxy*sxl) - sx*(sx*syl - sxl*sy) + sl*(sx*sxy - sxx*sy)) / det
  for (i = 1; i <= np; i++) { r = Ll[i] - (E + A*pw(Nn[i], al) + B*pw(Dd[i], be)); ss += r*r }
  printf "fit over %d logged validation losses: L = %.4f + %.4g / N^%.2f + %.4g / D^%.2f  (rms residual %.4f)\n", np, E, A, al, B, be, sqrt(ss / np)
  # bits per byte from the validation loss: least-squares line through the final points
  for (k = 1; k <= nf; k++) { mv += fv[k]; mf += ff[k]; me += fe[k] }
  mv /= nf; mf /= nf; me /= nf
  for (k = 1; k <= nf; k++) { vv += (fv[k]-mv)^2; vf += (fv[k]-mv)*(ff[k]-mf); ve += (fv[k]-mv)*(fe[k]-me) }
  kf = vf / vv; ke = ve / vv
  printf "poems from the validation loss: fr bpb = %.4f + %.4f (L - %.3f), en bpb = %.4f + %.4f (L - %.3f)\n", mf, kf, mv, me, ke, mv
  printf "\nprediction at %.3g FLOPs:\n%-4s %10s %10s %8s %10s %10s %10s\n", C, "size", "params", "tokens", "epochs", "val_loss", "fr_bpb", "en_bpb"
  split("5308416 10055680 17301504 29556736", sz, " "); split("S1 S2 S3 S4", nm, " ")
  for (k = 1; k <= 4; k++) { n = sz[k]; d = C / (6 * n); L = E + A*pw(n, al) + B*pw(d, be)
    printf "%-4s %9.1fM %9.1fM %8.1f %10.4f %10.4f %10.4f\n", nm[k], n/1e6, d/1e6, d / 50e6, L, mf + kf*(L - mv), me + ke*(L - mv) }
}' "$WORK/points.txt" "$WORK/summary.txt"
