/* src/engine/kernels/dot_scalar.c — scalar dot products, one per weight type: the
 * portable fallback (VERS_NO_SIMD=1) and the reference the AVX2 twins are tested against.
 *
 * Quantized types: per block an exact integer sum, then acc += (float)isum * (d_w * d_x)
 * in block order — the AVX2 twins do the same operations, so results agree bit for bit.
 * Float types: 8 partial sums (lane i % 8) added pairwise at the end, the shape of the
 * AVX2 loop; the AVX2 twin uses FMA, so these agree to rounding only. */
#include "engine/kernels/kernels.h"
#include <string.h>

/* the reduction order of the AVX2 kernels (hadd tree) */
static inline float hsum8(const float a[8]) {
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

void vk_dot_f32_scalar(int64_t n, float *s, const void *w, const void *x) {
    const float *a = w, *b = x;
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += a[i + k] * b[i + k];
    float sum = hsum8(acc);
    for (; i < n; i++) sum += a[i] * b[i];
    *s = sum;
}

static inline float h2f(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); return vers_f16_to_f32(h); }
static inline float b2f(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); uint32_t u = (uint32_t)h << 16; float f; memcpy(&f, &u, 4); return f; }

void vk_dot_f16_scalar(int64_t n, float *s, const void *w, const void *x) {
    const uint8_t *a = w, *b = x;
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += h2f(a + 2 * (i + k)) * h2f(b + 2 * (i + k));
    float sum = hsum8(acc);
    for (; i < n; i++) sum += h2f(a + 2 * i) * h2f(b + 2 * i);
    *s = sum;
}

void vk_dot_bf16_scalar(int64_t n, float *s, const void *w, const void *x) {
    const uint8_t *a = w;
    const float *b = x;
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += b2f(a + 2 * (i + k)) * b[i + k];
    float sum = hsum8(acc);
    for (; i < n; i++) sum += b2f(a + 2 * i) * b[i];
    *s = sum;
}

void vk_dot_q8_0_scalar(int64_t n, float *s, const void *w, const void *x) {
    const block_q8_0 *a = w, *b = x;
    float acc = 0;
    for (int64_t i = 0; i < n / QK8_0; i++) {
        int isum = 0;
        for (int j = 0; j < QK8_0; j++) isum += a[i].qs[j] * b[i].qs[j];
        acc += (float)isum * (vers_f16_to_f32(a[i].d) * vers_f16_to_f32(b[i].d));
    }
    *s = acc;
}

void vk_dot_q4_0_scalar(int64_t n, float *s, const void *w, const void *x) {
    const block_q4_0 *a = w;
    const block_q8_0 *b = x;
    float acc = 0;
    for (int64_t i = 0; i < n / QK4_0; i++) {
        int isum = 0;
        for (int j = 0; j < QK4_0 / 2; j++) {
            isum += ((a[i].qs[j] & 0x0F) - 8) * b[i].qs[j];
            isum += ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + QK4_0 / 2];
        }
        acc += (float)isum * (vers_f16_to_f32(a[i].d) * vers_f16_to_f32(b[i].d));
    }
    *s = acc;
}

/* 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block. */
static inline void scale_min_k4(int j, const uint8_t *q, int *d, int *m) {
    if (j < 4) {
        *d = q[j] & 63; *m = q[j + 4] & 63;
    } else {
        *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
    }
}

void vk_dot_q4_K_scalar(int64_t n, float *s, const void *w, const void *x) {
    const block_q4_K *a = w;
    const block_q8_K *b = x;
    float acc = 0;
    for (int64_t i = 0; i < n / QK_K; i++) {
        int sumi = 0, summs = 0;
        const uint8_t *q = a[i].qs;
        const int8_t *q8 = b[i].qs;
        for (int j = 0; j < QK_K / 64; j++) {
            int sc0, m0, sc1, m1;
            scale_min_k4(2 * j, a[i].scales, &sc0, &m0);
            scale_min_k4(2 * j + 1, a[i].scales, &sc1, &m1);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; l++) {
                s0 += (q[l] & 0xF) * q8[l];
                s1 += (q[l] >> 4) * q8[l + 32];
            }
            sumi += sc0 * s0 + sc1 * s1;
            summs += m0 * (b[i].bsums[4 * j] + b[i].bsums[4 * j + 1]) +
                     m1 * (b[i].bsums[4 * j + 2] + b[i].bsums[4 * j + 3]);
            q += 32; q8 += 64;
        }
        const float d = vers_f16_to_f32(a[i].d) * b[i].d;
        const float dmin = vers_f16_to_f32(a[i].dmin) * b[i].d;
        acc += d * (float)sumi;
        acc -= dmin * (float)summs;
    }
    *s = acc;
}

void vk_dot_q5_K_scalar(int64_t n, float *s, const void *w, const void *x) {
    const block_q5_K *a = w;
    const block_q8_K *b = x;
    float acc = 0;
    for (int64_t i = 0; i < n / QK_K; i++) {
        int sumi = 0, summs = 0;
        const uint8_t *ql = a[i].qs, *qh = a[i].qh;
        const int8_t *q8 = b[i].qs;
        for (int j = 0; j < QK_K / 64; j++) {
            int sc0, m0, sc1, m1;
            scale_min_k4(2 * j, a[i].scales, &sc0, &m0);
            scale_min_k4(2 * j + 1, a[i].scales, &sc1, &m1);
            const int u1 = 1 << (2 * j), u2 = 2 << (2 * j);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; l++) {
                s0 += ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) * q8[l];
                s1 += ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) * q8[l + 32];
            }
            sumi += sc0 * s0 + sc1 * s1;
            summs += m0 * (b[i].bsums[4 * j] + b[i].bsums[4 * j + 1]) +
                     m1 * (b[i].bsums[4 * j + 2] + b[i].bsums[4 * j + 3]);
            ql += 32; q8 += 64;
        }
        const float d = vers_f16_to_f32(a[i].d) * b[i].d;
        const float dmin = vers_f16_to_f32(a[i].dmin) * b[i].d;
        acc += d * (float)sumi;
        acc -= dmin * (float)summs;
    }
    *s = acc;
}

void vk_dot_q6_K_scalar(int64_t n, float *s, const void *w, const void *x) {
    const block_q6_K *a = w;
    const block_q8_K *b = x;
    float acc = 0;
    for (int64_t i = 0; i < n / QK_K; i++) {
        const uint8_t *ql = a[i].ql, *qh = a[i].qh;
        const int8_t *sc = a[i].scales, *q8 = b[i].qs;
        int sumi = 0;
        for (int h = 0; h < QK_K / 128; h++) {
            /* 128 values: 4 rows of 32, each row two groups of 16 with their own scale */
            int g[8] = {0};
            for (int l = 0; l < 32; l++) {
                const int q1 = ((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                const int is = l / 16;
                g[is + 0] += q1 * q8[l + 0];
                g[is + 2] += q2 * q8[l + 32];
                g[is + 4] += q3 * q8[l + 64];
                g[is + 6] += q4 * q8[l + 96];
            }
            for (int k = 0; k < 8; k++) sumi += sc[k] * g[k];
            ql += 64; qh += 32; sc += 8; q8 += 128;
        }
        acc += (vers_f16_to_f32(a[i].d) * b[i].d) * (float)sumi;
    }
    *s = acc;
}
