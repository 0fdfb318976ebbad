/* src/train/adamw.c — the optimizer (see adamw.h).  The Makefile builds this file with
 * -fno-math-errno: otherwise sqrtf may have to set errno, and the AdamW row stays scalar
 * (the vector square root gives the same bits; tests/test_train_twins.c checks them). */
#include "train/adamw.h"
#include "train/vmath.h"
#include <math.h>
#include <stdlib.h>

#define NORM_CHUNK 65536

double grad_norm(const float *g, int64_t n) {
    int64_t nc = (n + NORM_CHUNK - 1) / NORM_CHUNK;
    double stackbuf[256], *part = nc <= 256 ? stackbuf : malloc(sizeof(double) * nc);
    if (!part) {   /* fall back to one serial sum */
        double s = 0; for (int64_t i = 0; i < n; i++) s += (double)g[i] * g[i];
        return sqrt(s);
    }
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < nc; c++) {
        int64_t a = c * NORM_CHUNK, b = a + NORM_CHUNK < n ? a + NORM_CHUNK : n;
        double s = 0;
        for (int64_t i = a; i < b; i++) s += (double)g[i] * g[i];
        part[c] = s;
    }
    double s = 0;
    for (int64_t c = 0; c < nc; c++) s += part[c];
    if (part != stackbuf) free(part);
    return sqrt(s);
}

TRAIN_CLONES static void adamw_chunk(float *p, const float *g, float *m, float *v, int64_t n, float lr, float b1,
                                     float b2, float eps, float wd, float gscale, float c1, float c2) {
#pragma omp simd
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i] * gscale;
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi; v[i] = vi;
        p[i] -= lr * (mi * c1 / (sqrtf(vi * c2) + eps) + wd * p[i]);
    }
}

void adamw_update(float *p, const float *g, float *m, float *v, int64_t n, float lr, float b1, float b2,
                  float eps, float wd, float gscale, int64_t t) {
    const float c1 = 1.0f / (1.0f - powf(b1, (float)t)), c2 = 1.0f / (1.0f - powf(b2, (float)t));
    const int64_t chunk = 16384, nc = (n + chunk - 1) / chunk;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < nc; c++) {
        int64_t a = c * chunk, k = a + chunk < n ? chunk : n - a;
        adamw_chunk(p + a, g + a, m + a, v + a, k, lr, b1, b2, eps, wd, gscale, c1, c2);
    }
}

float lr_schedule(int64_t s, int64_t total, int64_t warmup, float lr, float min_frac) {
    if (s < warmup) return lr * (float)(s + 1) / (float)warmup;
    if (total <= warmup) return lr;
    double prog = (double)(s - warmup) / (double)(total - warmup);
    if (prog > 1) prog = 1;
    double cosv = 0.5 * (1.0 + cos(3.141592653589793 * prog));
    return (float)(lr * (min_frac + (1.0 - min_frac) * cosv));
}
