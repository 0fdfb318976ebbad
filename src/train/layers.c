/* src/train/layers.c — forward/backward pairs of the llama layers the trainer runs
 * (shapes in layers.h).  Matrix products go through the trainer's own GEMM (gemm.h), in
 * FP32 or with BF16 operands; the rest are plain loops split over rows (or columns, for
 * reductions over rows) with OpenMP, so the result is the same at any thread count. */
#include "train/layers.h"
#include "train/gemm.h"
#include "train/vmath.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

void embedding_forward(float *out, const int32_t *tok, const float *emb, int N, int C) {
    for (int n = 0; n < N; n++) memcpy(out + (int64_t)n * C, emb + (int64_t)tok[n] * C, sizeof(float) * C);
}

void embedding_backward(float *demb, const float *dout, const int32_t *tok, int N, int C) {
    for (int n = 0; n < N; n++) {
        float *d = demb + (int64_t)tok[n] * C;
        const float *g = dout + (int64_t)n * C;
        for (int c = 0; c < C; c++) d[c] += g[c];
    }
}

TRAIN_CLONES static void scale_row(float *o, const float *x, float r, const float *w, int C) {
#pragma omp simd
    for (int c = 0; c < C; c++) o[c] = x[c] * r * w[c];
}

void rmsnorm_forward(float *out, float *rstd, const float *x, const float *w, int N, int C, float eps) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *xn = x + (int64_t)n * C;
        double ss = 0;
        for (int c = 0; c < C; c++) ss += (double)xn[c] * xn[c];
        float r = (float)(1.0 / sqrt(ss / C + eps));
        rstd[n] = r;
        scale_row(out + (int64_t)n * C, xn, r, w, C);
    }
}

/* dw[c0..c1) += sum over n of dout*x*rstd, each column's sum in n order (vectorised
 * across columns, which changes no sum) */
TRAIN_CLONES static void rmsnorm_dw_cols(float *dw, const float *dout, const float *x, const float *rstd,
                                         int N, int C, int c0, int c1) {
    float acc[64];
    for (int cb = c0; cb < c1; cb += 64) {
        int nc = c1 - cb < 64 ? c1 - cb : 64;
        for (int j = 0; j < nc; j++) acc[j] = 0.0f;
        for (int n = 0; n < N; n++) {
            const float *d = dout + (int64_t)n * C + cb, *xx = x + (int64_t)n * C + cb;
            const float r = rstd[n];
#pragma omp simd
            for (int j = 0; j < nc; j++) acc[j] += d[j] * xx[j] * r;
        }
        for (int j = 0; j < nc; j++) dw[cb + j] += acc[j];
    }
}

TRAIN_CLONES static void rmsnorm_dx_row(float *dxn, const float *dn, const float *xn, const float *w, float r, int C) {
    float dot = 0;
    for (int c = 0; c < C; c++) dot += w[c] * dn[c] * xn[c];
    float k = r * r * r * dot / C;
#pragma omp simd
    for (int c = 0; c < C; c++) dxn[c] += r * w[c] * dn[c] - k * xn[c];
}

void rmsnorm_backward(float *dx, float *dw, const float *dout, const float *x, const float *w,
                      const float *rstd, int N, int C) {
    /* dw[c] = sum_n dout*x*rstd: split over blocks of 64 columns so each sum keeps its order */
    const int nb = (C + 63) / 64;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < nb; b++) rmsnorm_dw_cols(dw, dout, x, rstd, N, C, b * 64, (b + 1) * 64 < C ? (b + 1) * 64 : C);
    /* dx = rstd * (g - x * rstd^2 * mean(g*x)),  g = w*dout */
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++)
        rmsnorm_dx_row(dx + (int64_t)n * C, dout + (int64_t)n * C, x + (int64_t)n * C, w, rstd[n], C);
}

/* The products run on all threads through tgemm_par (the weights packed once, the rows
 * split); each output element is computed the same way whatever the split (gemm.h). */
void matmul_forward(tg_precision prec, float *y, const float *x, const float *W, int N, int Ni, int O) {
    tgemm_par(prec, 0, 1, N, O, Ni, 1.0f, x, Ni, W, Ni, 0.0f, y, O);
}

void matmul_backward(tg_precision prec, float *dx, float *dW, const float *dy, const float *x, const float *W,
                     int N, int Ni, int O, int accumulate_dx) {
    /* dx[N,Ni] (+)= dy W */
    if (dx) tgemm_par(prec, 0, 0, N, Ni, O, 1.0f, dy, O, W, Ni, accumulate_dx ? 1.0f : 0.0f, dx, Ni);
    /* dW[O,Ni] += dy^T x (the sum over tokens is the k of the product) */
    tgemm_par(prec, 1, 0, O, Ni, N, 1.0f, dy, O, x, Ni, 1.0f, dW, Ni);
}

/* Angles as ggml computes them for mode NORM: theta_i = pos * base^(-2i/hd), the power
 * taken step by step in float (theta *= theta_scale) like ggml_rope. */
void rope_table(float *cs, float *sn, int npos, int hd, float base) {
    const float theta_scale = powf(base, -2.0f / (float)hd);
    const int half = hd / 2;
#pragma omp parallel for schedule(static)
    for (int p = 0; p < npos; p++) {
        float theta = (float)p;
        for (int i = 0; i < half; i++) {
            cs[(int64_t)p * half + i] = cosf(theta); sn[(int64_t)p * half + i] = sinf(theta);
            theta *= theta_scale;
        }
    }
}

/* one head's pairs rotated: exact per element (no contraction in ISO C), so every clone
 * gives the bits of the plain loop */
TRAIN_CLONES static void rope_head(float *v, const float *c, const float *s, int half, float sign) {
#pragma omp simd
    for (int i = 0; i < half; i++) {
        float x0 = v[2 * i], x1 = v[2 * i + 1], si = sign * s[i];
        v[2 * i] = x0 * c[i] - x1 * si;
        v[2 * i + 1] = x0 * si + x1 * c[i];
    }
}

/* rotation of each pair by the position's angle (sign 1) or its opposite (sign -1) */
static void rope_rotate(float *x, int ld, const int *pos, int N, int n_head, int hd, const float *cs,
                        const float *sn, float sign) {
    const int half = hd / 2;
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *c = cs + (int64_t)pos[n] * half, *s = sn + (int64_t)pos[n] * half;
        for (int h = 0; h < n_head; h++) rope_head(x + (int64_t)n * ld + (int64_t)h * hd, c, s, half, sign);
    }
}

void rope_forward(float *x, int ld, const int *pos, int N, int n_head, int hd, const float *cs, const float *sn) {
    rope_rotate(x, ld, pos, N, n_head, hd, cs, sn, 1.0f);
}

void rope_backward(float *dx, int ld, const int *pos, int N, int n_head, int hd, const float *cs, const float *sn) {
    rope_rotate(dx, ld, pos, N, n_head, hd, cs, sn, -1.0f);
}

/* p[i] = e^(p[i] - shift) */
TRAIN_CLONES static void exp_shift_row(float *p, int n, float shift) {
#pragma omp simd
    for (int i = 0; i < n; i++) p[i] = vexpf(p[i] - shift);
}

/* The softmax rows' elementwise parts, vectorised in clones; each is exact per element
 * (or a maximum, whose order changes nothing: only the tie of -0 and +0 could pick the
 * other zero, and x - 0 is x - (-0)), so they give the bits of the plain loops.  The sums
 * stay the serial loops in attention_forward/backward, in their written order. */
TRAIN_CLONES static float row_max(const float *p, int n) {
    float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
    for (int i = 0; i < n; i++) mx = p[i] > mx ? p[i] : mx;
    return mx;
}
TRAIN_CLONES static void scale_row_by(float *p, int n, float s) {
#pragma omp simd
    for (int i = 0; i < n; i++) p[i] *= s;
}
/* d[i] = p[i] * (d[i] - dot) * scale: the softmax backward of one row */
TRAIN_CLONES static void softmax_back_row(float *d, const float *p, int n, float dot, float scale) {
#pragma omp simd
    for (int i = 0; i < n; i++) d[i] = p[i] * (d[i] - dot) * scale;
}

/* Query rows are taken in blocks of ATT_BLOCK: block i only needs keys 0 .. end of block i,
 * which skips most of the masked upper triangle while keeping the products large. */
#define ATT_BLOCK 64

void attention_forward(tg_precision prec, float *out, float *att, const float *qkv, int B, int T, int H, int KVH, int hd,
                       const int *seg) {
    const int D = H * hd, KVD = KVH * hd, ld = D + 2 * KVD, grp = H / KVH;
    const float scale = 1.0f / sqrtf((float)hd);
#pragma omp parallel for schedule(dynamic, 1)
    for (int bh = 0; bh < B * H; bh++) {
        int b = bh / H, h = bh % H, kh = h / grp;
        const float *q = qkv + (int64_t)b * T * ld + h * hd;
        const float *k = qkv + (int64_t)b * T * ld + D + kh * hd;
        const float *v = qkv + (int64_t)b * T * ld + D + KVD + kh * hd;
        float *P = att + (int64_t)bh * T * T;
        float *o = out + (int64_t)b * T * D + h * hd;
        for (int t0 = 0; t0 < T; t0 += ATT_BLOCK) {
            int tb = T - t0 < ATT_BLOCK ? T - t0 : ATT_BLOCK, nk = t0 + tb;
            tgemm(prec, 0, 1, tb, nk, hd, scale,
                        q + (int64_t)t0 * ld, ld, k, ld, 0.0f, P + (int64_t)t0 * T, T);
            for (int t = t0; t < t0 + tb; t++) {
                float *p = P + (int64_t)t * T, sum = 0;
                const int st = seg ? seg[(int64_t)b * T + t] : 0;
                memset(p, 0, sizeof(float) * st);
                float mx = row_max(p + st, t + 1 - st);
                exp_shift_row(p + st, t + 1 - st, mx);
                for (int s = st; s <= t; s++) sum += p[s];
                scale_row_by(p + st, t + 1 - st, 1.0f / sum);
                memset(p + t + 1, 0, sizeof(float) * (T - t - 1));
            }
            tgemm(prec, 0, 0, tb, hd, nk, 1.0f,
                        P + (int64_t)t0 * T, T, v, ld, 0.0f, o + (int64_t)t0 * D, D);
        }
    }
}

void attention_backward(tg_precision prec, float *dqkv, const float *dout, const float *qkv, const float *att,
                        int B, int T, int H, int KVH, int hd, float *scratch) {
    const int D = H * hd, KVD = KVH * hd, ld = D + 2 * KVD, grp = H / KVH;
    const float scale = 1.0f / sqrtf((float)hd);
    /* one task per (sequence, kv head): the heads sharing a k/v head add into the same
     * dk/dv rows, so they run in order inside one task */
    int nt = omp_get_max_threads() > ATT_MAX_THREADS ? ATT_MAX_THREADS : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int bk = 0; bk < B * KVH; bk++) {
        int b = bk / KVH, kh = bk % KVH;
        float *dP = scratch + (int64_t)omp_get_thread_num() * T * T;
        const float *k = qkv + (int64_t)b * T * ld + D + kh * hd;
        const float *v = qkv + (int64_t)b * T * ld + D + KVD + kh * hd;
        float *dk = dqkv + (int64_t)b * T * ld + D + kh * hd;
        float *dv = dqkv + (int64_t)b * T * ld + D + KVD + kh * hd;
        for (int t = 0; t < T; t++) {
            memset(dk + (int64_t)t * ld, 0, sizeof(float) * hd);
            memset(dv + (int64_t)t * ld, 0, sizeof(float) * hd);
        }
        for (int h = kh * grp; h < (kh + 1) * grp; h++) {
            const float *q = qkv + (int64_t)b * T * ld + h * hd;
            float *dq = dqkv + (int64_t)b * T * ld + h * hd;
            const float *P = att + ((int64_t)b * H + h) * T * T;
            const float *dO = dout + (int64_t)b * T * D + h * hd;
            for (int t0 = 0; t0 < T; t0 += ATT_BLOCK) {
                int tb = T - t0 < ATT_BLOCK ? T - t0 : ATT_BLOCK, nk = t0 + tb;
                const float *Pb = P + (int64_t)t0 * T;
                float *dPb = dP + (int64_t)t0 * T;
                /* dV[0:nk] += P[blk,0:nk]^T dO[blk];  dP[blk,0:nk] = dO[blk] V[0:nk]^T */
                tgemm(prec, 1, 0, nk, hd, tb, 1.0f,
                            Pb, T, dO + (int64_t)t0 * D, D, 1.0f, dv, ld);
                tgemm(prec, 0, 1, tb, nk, hd, 1.0f,
                            dO + (int64_t)t0 * D, D, v, ld, 0.0f, dPb, T);
                /* softmax backward: dS = P * (dP - sum(P*dP)) * scale */
                for (int t = t0; t < t0 + tb; t++) {
                    const float *p = P + (int64_t)t * T;
                    float *d = dP + (int64_t)t * T, dot = 0;
                    for (int s = 0; s <= t; s++) dot += p[s] * d[s];
                    softmax_back_row(d, p, t + 1, dot, scale);
                    memset(d + t + 1, 0, sizeof(float) * (nk - t - 1));
                }
                /* dQ[blk] = dS K[0:nk];  dK[0:nk] += dS^T Q[blk] */
                tgemm(prec, 0, 0, tb, hd, nk, 1.0f,
                            dPb, T, k, ld, 0.0f, dq + (int64_t)t0 * ld, ld);
                tgemm(prec, 1, 0, nk, hd, tb, 1.0f,
                            dPb, T, q + (int64_t)t0 * ld, ld, 1.0f, dk, ld);
            }
        }
    }
}

TRAIN_CLONES static void swiglu_row(float *o, const float *g, const float *u, int F) {
#pragma omp simd
    for (int i = 0; i < F; i++) o[i] = g[i] / (1.0f + vexpf(-g[i])) * u[i];
}

void swiglu_forward(float *out, const float *h13, int N, int F) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) swiglu_row(out + (int64_t)n * F, h13 + (int64_t)n * 2 * F, h13 + (int64_t)n * 2 * F + F, F);
}

TRAIN_CLONES static void swiglu_back_row(float *dg, float *du, const float *g, const float *u, const float *d, int F) {
#pragma omp simd
    for (int i = 0; i < F; i++) {
        float s = 1.0f / (1.0f + vexpf(-g[i]));
        float silu = g[i] * s;
        du[i] = d[i] * silu;
        dg[i] = d[i] * u[i] * s * (1.0f + g[i] * (1.0f - s));
    }
}

void swiglu_backward(float *dh13, const float *dout, const float *h13, int N, int F) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *g = h13 + (int64_t)n * 2 * F;
        float *dg = dh13 + (int64_t)n * 2 * F;
        swiglu_back_row(dg, dg + F, g, g + F, dout + (int64_t)n * F, F);
    }
}

TRAIN_CLONES static void add_chunk(float *x, const float *y, int64_t n) {
#pragma omp simd
    for (int64_t i = 0; i < n; i++) x[i] += y[i];
}

void residual_add(float *x, const float *y, int64_t n) {
    const int64_t chunk = 16384, nc = (n + chunk - 1) / chunk;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < nc; c++) add_chunk(x + c * chunk, y + c * chunk, c * chunk + chunk < n ? chunk : n - c * chunk);
}

/* one row: max, e^(x - max), the sum in 16 fixed lanes of doubles (the same sum for every
 * clone), normalisation; returns -log p[t] computed before rounding p */
TRAIN_CLONES static float ce_row(float *p, int V, int t) {
    float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
    for (int i = 0; i < V; i++) mx = p[i] > mx ? p[i] : mx;
    float lt = t >= 0 ? p[t] : 0.0f;
    double lane[16] = {0};
    int i = 0;
    for (; i + 16 <= V; i += 16) {
#pragma omp simd
        for (int j = 0; j < 16; j++) { p[i + j] = vexpf(p[i + j] - mx); lane[j] += p[i + j]; }
    }
    for (int j = 0; i < V; i++, j++) { p[i] = vexpf(p[i] - mx); lane[j] += p[i]; }
    double sum = 0;
    for (int j = 0; j < 16; j++) sum += lane[j];
    float inv = (float)(1.0 / sum);
#pragma omp simd
    for (int k = 0; k < V; k++) p[k] *= inv;
    return t >= 0 ? (float)(log(sum) - (double)(lt - mx)) : 0.0f;
}

void crossentropy_forward(float *probs, float *losses, const int32_t *targets, int N, int V) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) losses[n] = ce_row(probs + (int64_t)n * V, V, targets[n]);
}

TRAIN_CLONES static void scale_chunk(float *p, int64_t n, float s) {
#pragma omp simd
    for (int64_t i = 0; i < n; i++) p[i] *= s;
}

void crossentropy_backward(float *probs, const int32_t *targets, int N, int V, float scale) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        float *p = probs + (int64_t)n * V;
        int t = targets[n];
        if (t < 0) { memset(p, 0, sizeof(float) * V); continue; }
        scale_chunk(p, V, scale);
        p[t] -= scale;
    }
}
