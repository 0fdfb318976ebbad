/* src/write/draw.c — drawing a token from masked logits, with refusals.
 *
 * The writer draws a token, then may refuse it (a word piece no word of the language
 * continues) and draw again from what is left.  Redrawing with a fresh pass over the whole
 * vocabulary each time cost more than the model once pieces were refused often, so a draw
 * keeps its short list — the tokens within min-p of the best, with their weights — and a
 * refusal only takes one token out of it.  The list is rebuilt only when the best token
 * itself is refused (min-p is relative to the best allowed token).  Same tokens, same order,
 * same random numbers as one draw over the masked logits: the result is reproducible. */
#include "write/wr.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int wr_draw_init(wr_draw *d, int nv) {
    memset(d, 0, sizeof *d);
    d->idx = malloc(sizeof *d->idx * (size_t)(nv > 0 ? nv : 1));
    d->wt = malloc(sizeof *d->wt * (size_t)(nv > 0 ? nv : 1));
    if (!d->idx || !d->wt) { wr_draw_free(d); return VERS_ENOMEM; }
    d->cap = nv;
    return VERS_OK;
}

void wr_draw_free(wr_draw *d) { free(d->idx); free(d->wt); memset(d, 0, sizeof *d); }

int wr_draw_prepare(wr_draw *d, const float *x, int n, float temp, float min_p) {
    d->n = 0; d->sum = 0.0; d->best = -1; d->picked = -1; d->live = 0;
    float mx = -INFINITY;
    for (int i = 0; i < n; i++) if (x[i] > mx) { mx = x[i]; d->best = i; }
    if (d->best < 0) return 0;
    if (temp <= 0.0f) {                                   /* greedy: the best alone */
        d->idx[0] = d->best; d->wt[0] = 1.0; d->n = 1; d->sum = 1.0; d->live = 1;
        return 1;
    }
    float cut = mx + temp * logf(min_p > 0.0f ? min_p : 1e-9f);
    for (int i = 0; i < n && d->n < d->cap; i++) {
        if (x[i] < cut) continue;
        double e = exp((double)(x[i] - mx) / temp);
        d->idx[d->n] = i; d->wt[d->n] = e; d->n++;
        d->sum += e;
    }
    d->live = d->n;
    return d->n;
}

int wr_draw_pick(wr_draw *d, uint64_t *rng) {
    if (d->n <= 0 || d->sum <= 0.0) return -1;
    double r = wr_rng_unif(rng) * d->sum, acc = 0.0;
    int last = -1;
    for (int k = 0; k < d->n; k++) {
        if (d->wt[k] <= 0.0) continue;                    /* refused */
        acc += d->wt[k];
        last = k;
        if (acc > r) break;
    }
    d->picked = last;
    return last >= 0 ? d->idx[last] : -1;
}

void wr_draw_refuse(wr_draw *d, float *x, int n, int t, float temp, float min_p) {
    x[t] = -INFINITY;
    if (t == d->best) { wr_draw_prepare(d, x, n, temp, min_p); return; }
    int k = d->picked >= 0 && d->picked < d->n && d->idx[d->picked] == t ? d->picked : -1;
    for (int j = 0; k < 0 && j < d->n; j++) if (d->idx[j] == t) k = j;
    if (k >= 0 && d->wt[k] > 0.0) {
        d->sum -= d->wt[k];
        d->wt[k] = 0.0;                                   /* skipped by the next picks */
        if (--d->live <= 0) d->sum = 0.0;
    }
    if (d->live <= 0 || d->sum <= 0.0) wr_draw_prepare(d, x, n, temp, min_p);
}
