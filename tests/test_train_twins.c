/* tests/test_train_twins.c — the trainer's vectorised elementwise rows against their plain
 * loops, bit for bit: AdamW (vectorised square root and division) and the softmax rows of
 * attention forward and backward (maximum, scaling and softmax backward in clones).  The
 * references below are the loops as they were written before vectorising: the products go
 * through the same tgemm calls, so any difference is the rows'. */
#include "test.h"
#include "train/adamw.h"
#include "train/internal.h"
#include "train/layers.h"
#include "train/vmath.h"
#include <math.h>

static trng R;
static void rnd(float *p, int64_t n, float s) { for (int64_t i = 0; i < n; i++) p[i] = (float)trng_normal(&R) * s; }

static void ref_adamw(float *p, const float *g, float *m, float *v, int64_t n, float lr, float b1, float b2,
                      float eps, float wd, float gscale, int64_t t) {
    const float c1 = 1.0f / (1.0f - powf(b1, (float)t)), c2 = 1.0f / (1.0f - powf(b2, (float)t));
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i] * gscale;
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi; v[i] = vi;
        p[i] -= lr * (mi * c1 / (sqrtf(vi * c2) + eps) + wd * p[i]);
    }
}

static void ref_rope(float *x, int ld, const int *pos, int N, int n_head, int hd, const float *cs, const float *sn,
                     float sign) {
    const int half = hd / 2;
    for (int n = 0; n < N; n++) {
        const float *c = cs + (int64_t)pos[n] * half, *s = sn + (int64_t)pos[n] * half;
        for (int h = 0; h < n_head; h++) {
            float *v = x + (int64_t)n * ld + (int64_t)h * hd;
            for (int i = 0; i < half; i++) {
                float x0 = v[2 * i], x1 = v[2 * i + 1], si = sign * s[i];
                v[2 * i] = x0 * c[i] - x1 * si;
                v[2 * i + 1] = x0 * si + x1 * c[i];
            }
        }
    }
}

#define ATT_BLOCK 64   /* as layers.c */
static void ref_attention_forward(tg_precision prec, float *out, float *att, const float *qkv, int B, int T, int H, int KVH,
                                  int hd, const int *seg) {
    const int D = H * hd, KVD = KVH * hd, ld = D + 2 * KVD, grp = H / KVH;
    const float scale = 1.0f / sqrtf((float)hd);
    for (int bh = 0; bh < B * H; bh++) {
        int b = bh / H, h = bh % H, kh = h / grp;
        const float *q = qkv + (int64_t)b * T * ld + h * hd, *k = qkv + (int64_t)b * T * ld + D + kh * hd;
        const float *v = qkv + (int64_t)b * T * ld + D + KVD + kh * hd;
        float *P = att + (int64_t)bh * T * T, *o = out + (int64_t)b * T * D + h * hd;
        for (int t0 = 0; t0 < T; t0 += ATT_BLOCK) {
            int tb = T - t0 < ATT_BLOCK ? T - t0 : ATT_BLOCK, nk = t0 + tb;
            tgemm(prec, 0, 1, tb, nk, hd, scale, q + (int64_t)t0 * ld, ld, k, ld, 0.0f, P + (int64_t)t0 * T, T);
            for (int t = t0; t < t0 + tb; t++) {
                float *p = P + (int64_t)t * T, mx = -INFINITY, sum = 0;
                const int st = seg ? seg[(int64_t)b * T + t] : 0;
                for (int s = 0; s < st; s++) p[s] = 0.0f;
                for (int s = st; s <= t; s++) if (p[s] > mx) mx = p[s];
                for (int s = st; s <= t; s++) p[s] = vexpf(p[s] - mx);
                for (int s = st; s <= t; s++) sum += p[s];
                float inv = 1.0f / sum;
                for (int s = st; s <= t; s++) p[s] *= inv;
                for (int s = t + 1; s < T; s++) p[s] = 0.0f;
            }
            tgemm(prec, 0, 0, tb, hd, nk, 1.0f, P + (int64_t)t0 * T, T, v, ld, 0.0f, o + (int64_t)t0 * D, D);
        }
    }
}

static void ref_attention_backward(tg_precision prec, float *dqkv, const float *dout, const float *qkv, const float *att,
                                   int B, int T, int H, int KVH, int hd, float *dP) {
    const int D = H * hd, KVD = KVH * hd, ld = D + 2 * KVD, grp = H / KVH;
    const float scale = 1.0f / sqrtf((float)hd);
    for (int bk = 0; bk < B * KVH; bk++) {
        int b = bk / KVH, kh = bk % KVH;
        const float *k = qkv + (int64_t)b * T * ld + D + kh * hd, *v = qkv + (int64_t)b * T * ld + D + KVD + kh * hd;
        float *dk = dqkv + (int64_t)b * T * ld + D + kh * hd, *dv = dqkv + (int64_t)b * T * ld + D + KVD + kh * hd;
        for (int t = 0; t < T; t++) {
            memset(dk + (int64_t)t * ld, 0, sizeof(float) * hd);
            memset(dv + (int64_t)t * ld, 0, sizeof(float) * hd);
        }
        for (int h = kh * grp; h < (kh + 1) * grp; h++) {
            const float *q = qkv + (int64_t)b * T * ld + h * hd, *P = att + ((int64_t)b * H + h) * T * T;
            float *dq = dqkv + (int64_t)b * T * ld + h * hd;
            const float *dO = dout + (int64_t)b * T * D + h * hd;
            for (int t0 = 0; t0 < T; t0 += ATT_BLOCK) {
                int tb = T - t0 < ATT_BLOCK ? T - t0 : ATT_BLOCK, nk = t0 + tb;
                const float *Pb = P + (int64_t)t0 * T;
                float *dPb = dP + (int64_t)t0 * T;
                tgemm(prec, 1, 0, nk, hd, tb, 1.0f, Pb, T, dO + (int64_t)t0 * D, D, 1.0f, dv, ld);
                tgemm(prec, 0, 1, tb, nk, hd, 1.0f, dO + (int64_t)t0 * D, D, v, ld, 0.0f, dPb, T);
                for (int t = t0; t < t0 + tb; t++) {
                    const float *p = P + (int64_t)t * T;
                    float *d = dP + (int64_t)t * T, dot = 0;
                    for (int s = 0; s <= t; s++) dot += p[s] * d[s];
                    for (int s = 0; s <= t; s++) d[s] = p[s] * (d[s] - dot) * scale;
                    for (int s = t + 1; s < nk; s++) d[s] = 0.0f;
                }
                tgemm(prec, 0, 0, tb, hd, nk, 1.0f, dPb, T, k, ld, 0.0f, dq + (int64_t)t0 * ld, ld);
                tgemm(prec, 1, 0, nk, hd, tb, 1.0f, dPb, T, q + (int64_t)t0 * ld, ld, 1.0f, dk, ld);
            }
        }
    }
}

int main(void) {
    trng_seed(&R, 14);
    T_CASE("adamw: the vectorised update gives the bits of the plain loop (several chunks, a ragged end)") {
        const int64_t n = 3 * 16384 + 1001;
        float *p = malloc(sizeof(float) * n), *g = malloc(sizeof(float) * n), *m = malloc(sizeof(float) * n), *v = malloc(sizeof(float) * n);
        float *p2 = malloc(sizeof(float) * n), *m2 = malloc(sizeof(float) * n), *v2 = malloc(sizeof(float) * n);
        rnd(p, n, 0.1f); rnd(g, n, 0.01f); rnd(m, n, 0.001f); rnd(v, n, 1e-5f);
        for (int64_t i = 0; i < n; i++) v[i] = fabsf(v[i]);
        g[7] = 0.0f; g[8] = -0.0f; g[9] = 1e-30f; v[10] = 0.0f; g[10] = 0.0f;   /* zeros and tiny values */
        memcpy(p2, p, sizeof(float) * n); memcpy(m2, m, sizeof(float) * n); memcpy(v2, v, sizeof(float) * n);
        for (int t = 1; t <= 3; t++) {
            adamw_update(p, g, m, v, n, 3e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.7f, t);
            ref_adamw(p2, g, m2, v2, n, 3e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.7f, t);
        }
        T_CHECK(!memcmp(p, p2, sizeof(float) * n), "parameters differ");
        T_CHECK(!memcmp(m, m2, sizeof(float) * n) && !memcmp(v, v2, sizeof(float) * n), "moments differ");
        free(p); free(g); free(m); free(v); free(p2); free(m2); free(v2);
    }
    T_CASE("rope: forward and backward give the bits of the plain loop (head dim 6, 16 and 64)") {
        const int dims[3] = {6, 16, 64};
        for (int di = 0; di < 3; di++) {
            const int hd = dims[di], nh = 3, N = 37, ld = nh * hd + 5, T = 40;
            float *cs = malloc(sizeof(float) * T * hd / 2), *sn = malloc(sizeof(float) * T * hd / 2);
            float *x1 = malloc(sizeof(float) * N * ld), *x2 = malloc(sizeof(float) * N * ld);
            int pos[37];
            for (int n = 0; n < N; n++) pos[n] = (n * 7) % T;
            rope_table(cs, sn, T, hd, 10000.0f);
            rnd(x1, (int64_t)N * ld, 1.0f);
            memcpy(x2, x1, sizeof(float) * N * ld);
            rope_forward(x1, ld, pos, N, nh, hd, cs, sn);
            ref_rope(x2, ld, pos, N, nh, hd, cs, sn, 1.0f);
            T_CHECK(!memcmp(x1, x2, sizeof(float) * N * ld), "forward, head dim %d", hd);
            rope_backward(x1, ld, pos, N, nh, hd, cs, sn);
            ref_rope(x2, ld, pos, N, nh, hd, cs, sn, -1.0f);
            T_CHECK(!memcmp(x1, x2, sizeof(float) * N * ld), "backward, head dim %d", hd);
            free(cs); free(sn); free(x1); free(x2);
        }
    }
    T_CASE("attention: forward and backward give the bits of the plain softmax loops (FP32 and BF16, with and without document starts)") {
        const int B = 2, T = 131, H = 4, KVH = 2, hd = 16, D = H * hd, ld = D + 2 * KVH * hd, N = B * T;
        float *qkv = malloc(sizeof(float) * N * ld), *dout = malloc(sizeof(float) * N * D);
        float *o1 = malloc(sizeof(float) * N * D), *o2 = malloc(sizeof(float) * N * D);
        float *a1 = malloc(sizeof(float) * B * H * T * T), *a2 = malloc(sizeof(float) * B * H * T * T);
        float *d1 = malloc(sizeof(float) * N * ld), *d2 = malloc(sizeof(float) * N * ld);
        float *scratch = malloc(sizeof(float) * ATT_MAX_THREADS * T * T), *dP = malloc(sizeof(float) * T * T);
        int seg[2 * 131];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++) seg[b * T + t] = b == 0 ? (t < 30 ? 0 : t < 90 ? 30 : 90) : (t < 130 ? 0 : 130);
        rnd(qkv, (int64_t)N * ld, 1.5f); rnd(dout, (int64_t)N * D, 1.0f);
        for (int p = 0; p < 2; p++)
            for (int s = 0; s < 2; s++) {
                const int *sg = s ? seg : NULL;
                attention_forward((tg_precision)p, o1, a1, qkv, B, T, H, KVH, hd, sg);
                ref_attention_forward((tg_precision)p, o2, a2, qkv, B, T, H, KVH, hd, sg);
                T_CHECK(!memcmp(a1, a2, sizeof(float) * B * H * T * T), "%s%s: probabilities differ", p ? "bf16" : "fp32", s ? " seg" : "");
                T_CHECK(!memcmp(o1, o2, sizeof(float) * N * D), "%s%s: outputs differ", p ? "bf16" : "fp32", s ? " seg" : "");
                memset(d1, 0, sizeof(float) * N * ld); memset(d2, 0, sizeof(float) * N * ld);
                attention_backward((tg_precision)p, d1, dout, qkv, a1, B, T, H, KVH, hd, scratch);
                ref_attention_backward((tg_precision)p, d2, dout, qkv, a1, B, T, H, KVH, hd, dP);
                T_CHECK(!memcmp(d1, d2, sizeof(float) * N * ld), "%s%s: gradients differ", p ? "bf16" : "fp32", s ? " seg" : "");
            }
        free(qkv); free(dout); free(o1); free(o2); free(a1); free(a2); free(d1); free(d2); free(scratch); free(dP);
    }
    T_DONE();
}
