/* src/engine/kernels/dot_scalar.c — scalar dot products, one per weight type: the
 * portable fallback (VERS_NO_SIMD=1) and the reference the AVX2 twins are tested against.
 *
 * Quantized types: llama.cpp's x86 orders (Q8_0 and K-quants: 8 float lanes of exact integer
 * partial sums, fma'd per block and reduced as hsum_float_8; Q4_0: exact block sums fma'd in
 * block order) — the AVX2 twins do the same operations, so results agree bit for bit.
 * F32 and F16: llama.cpp's summation orders with fmaf, which the AVX2 twins reproduce bit
 * for bit.  BF16: 8 partial sums; its AVX2 twin uses FMA, so these agree to rounding only. */
#include "engine/kernels/kernels.h"
#include <math.h>
#include <string.h>

/* BF16's reduction order (its AVX2 twin's hadd tree) */
static inline float hsum8(const float a[8]) {
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/* ---- F32 and F16: llama.cpp's two summation orders ----
 * ggml (the AVX-512 build that made the reference data) sums a float dot product in one of
 * two orders, and the F16 KV cache then rounds the results to half precision, so the order
 * shows in the logits (docs/BENCHMARKS.md):
 *  - one token (ggml_vec_dot_f32/_f16): 4 accumulators of 16 lanes over steps of 64
 *    elements with FMA, folded 0+2, 1+3, 0+1, then reduced like _mm512_reduce_add_ps
 *    (16 -> 8 -> 4 -> 2 -> 1 halves); the n % 64 leftovers added one by one (F32: fmaf into
 *    the float sum; F16: float products into a double sum);
 *  - batches (llamafile's tinyBLAS, when the batch has >= 2 tokens, n % 16 == 0 and the
 *    row count % 4 == 0): one accumulator of 16 lanes, lane i taking k = i mod 16 with FMA,
 *    then the same 16-lane reduction.
 * F16 weights meet F16 activations (ggml's vec_dot_type), products taken in float. */
static inline float h2f(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); return vers_f16_to_f32(h); }
static inline float ldf(const uint8_t *p) { float f; memcpy(&f, p, 4); return f; }

/* _mm512_reduce_add_ps's order */
static inline float reduce16(const float l[16]) {
    float v8[8], v4[4];
    for (int i = 0; i < 8; i++) v8[i] = l[i + 8] + l[i];
    for (int i = 0; i < 4; i++) v4[i] = v8[i + 4] + v8[i];
    return (v4[0] + v4[2]) + (v4[1] + v4[3]);
}

/* 4 x 16 lanes over the first n & ~63 elements, folded and reduced */
#define GEMV_BODY(name, attr)                                                                         \
    static attr float name(int64_t n, const uint8_t *w, const uint8_t *x, const int f16) {             \
        float acc[4][16] = {{0}};                                                                     \
        const int64_t np = n & ~(int64_t)63;                                                          \
        if (f16) {                                                                                    \
            const uint16_t *a = (const uint16_t *)w, *b = (const uint16_t *)x;                        \
            for (int64_t i = 0; i < np; i += 64)                                                      \
                for (int j = 0; j < 4; j++)                                                           \
                    for (int l = 0; l < 16; l++)                                                      \
                        acc[j][l] = fmaf(vers_f16_to_f32(a[i + 16 * j + l]),                          \
                                         vers_f16_to_f32(b[i + 16 * j + l]), acc[j][l]);              \
        } else {                                                                                      \
            const float *a = (const float *)w, *b = (const float *)x;                                 \
            for (int64_t i = 0; i < np; i += 64)                                                      \
                for (int j = 0; j < 4; j++)                                                           \
                    for (int l = 0; l < 16; l++)                                                      \
                        acc[j][l] = fmaf(a[i + 16 * j + l], b[i + 16 * j + l], acc[j][l]);            \
        }                                                                                             \
        for (int l = 0; l < 16; l++) {                                                                \
            acc[0][l] += acc[2][l];                                                                   \
            acc[1][l] += acc[3][l];                                                                   \
        }                                                                                             \
        for (int l = 0; l < 16; l++) acc[0][l] += acc[1][l];                                          \
        return reduce16(acc[0]);                                                                      \
    }
/* tinyBLAS order (n % 16 == 0) */
#define DOT16_BODY(name, attr)                                                                        \
    static attr float name(int64_t n, const uint8_t *w, const uint8_t *x, const int f16) {             \
        float l[16] = {0};                                                                            \
        for (int64_t k = 0; k < n; k++)                                                               \
            l[k & 15] = f16 ? fmaf(h2f(w + 2 * k), h2f(x + 2 * k), l[k & 15])                         \
                            : fmaf(ldf(w + 4 * k), ldf(x + 4 * k), l[k & 15]);                        \
        return reduce16(l);                                                                           \
    }
/* fmaf is exact whatever computes it: where the CPU has FMA the same C code is compiled to
 * use the instruction instead of a libm call (10x faster; the results are the same bits) */
GEMV_BODY(gemv_body_lib, )
DOT16_BODY(dot16_body_lib, )
#if defined(__x86_64__) && defined(__GNUC__)
GEMV_BODY(gemv_body_fma, __attribute__((target("fma"))))
DOT16_BODY(dot16_body_fma, __attribute__((target("fma"))))
static int have_fma(void) {
    static int v = -1;
    if (v < 0) { __builtin_cpu_init(); v = __builtin_cpu_supports("fma") ? 1 : 0; }
    return v;
}
#define GEMV(n, w, x, f16) (have_fma() ? gemv_body_fma(n, w, x, f16) : gemv_body_lib(n, w, x, f16))
#define DOT16(n, w, x, f16) (have_fma() ? dot16_body_fma(n, w, x, f16) : dot16_body_lib(n, w, x, f16))
#else
#define GEMV(n, w, x, f16) gemv_body_lib(n, w, x, f16)
#define DOT16(n, w, x, f16) dot16_body_lib(n, w, x, f16)
#endif

void vk_dot_f32_scalar(int64_t n, float *s, const void *w, const void *x) {
    float sum = GEMV(n, w, x, 0);
    for (int64_t k = n & ~(int64_t)63; k < n; k++) sum = fmaf(ldf((const uint8_t *)w + 4 * k), ldf((const uint8_t *)x + 4 * k), sum);
    *s = sum;
}

void vk_dot_f16_scalar(int64_t n, float *s, const void *w, const void *x) {
    double sum = GEMV(n, w, x, 1);
    for (int64_t k = n & ~(int64_t)63; k < n; k++)
        sum += (double)(h2f((const uint8_t *)w + 2 * k) * h2f((const uint8_t *)x + 2 * k));
    *s = (float)sum;
}

void vk_dot16_f32_scalar(int64_t n, float *s, const void *w, const void *x) { *s = DOT16(n, w, x, 0); }
void vk_dot16_f16_scalar(int64_t n, float *s, const void *w, const void *x) { *s = DOT16(n, w, x, 1); }

static inline float b2f(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); uint32_t u = (uint32_t)h << 16; float f; memcpy(&f, &u, 4); return f; }

/* BF16 x F32 activations: 8 partial sums (lane i % 8) added pairwise, the shape of the AVX2
 * loop (which uses FMA: the two agree to rounding only). */
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

/* ggml's hsum_float_8: ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)) */
static inline float hsum8_ggml(const float a[8]) {
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

/* Q8_0: ggml_vec_dot_q8_0_q8_0 (and tinyBLAS_Q0) on x86: 8 float lanes, lane l taking the
 * exact integer sum of products 4l..4l+3 of each block, acc_l = fma(d_w * d_x, sum, acc_l),
 * then hsum_float_8. */
void vk_dot_q8_0_scalar(int64_t n, float *s, const void *w, const void *x) {
    const block_q8_0 *a = w, *b = x;
    float acc[8] = {0};
    for (int64_t i = 0; i < n / QK8_0; i++) {
        const float d = vers_f16_to_f32(a[i].d) * vers_f16_to_f32(b[i].d);
        for (int l = 0; l < 8; l++) {
            int isum = 0;
            for (int k = 4 * l; k < 4 * l + 4; k++) isum += a[i].qs[k] * b[i].qs[k];
            acc[l] = fmaf(d, (float)isum, acc[l]);
        }
    }
    *s = hsum8_ggml(acc);
}

/* Q4_0: ggml's repacked Q4_0 kernels (ggml_gemv/gemm_q4_0_8x8_q8_0, what llama.cpp runs on
 * AVX2 machines): the exact integer block sum, acc = fma(isum, d_w * d_x, acc) in order. */
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
        acc = fmaf((float)isum, vers_f16_to_f32(a[i].d) * vers_f16_to_f32(b[i].d), acc);
    }
    *s = acc;
}

/* Q4_0 repacked by 8 rows (kernels.h): the same sums as vk_dot_q4_0_scalar, read from the
 * interleaved layout.  Rows come in whole groups of 8 (nr <= 8, w at a group). */
void vk_repack_q4_0x8(const uint8_t *src, uint8_t *dst, int64_t nb, int64_t n_out) {
    const size_t rs = (size_t)nb * sizeof(block_q4_0);
    for (int64_t g = 0; g < n_out / 8; g++)
        for (int64_t b = 0; b < nb; b++) {
            uint8_t *p = dst + ((size_t)g * (size_t)nb + (size_t)b) * Q4_0X8_BLK;
            for (int r = 0; r < 8; r++) {
                const block_q4_0 *blk = (const block_q4_0 *)(src + (size_t)(8 * g + r) * rs) + b;
                for (int j = 0; j < 4; j++) memcpy(p + 32 * j + 4 * r, blk->qs + 4 * j, 4);
                memcpy(p + 128 + 2 * r, &blk->d, 2);
            }
        }
}

void vk_tile_q4_0x8_scalar(int64_t n, int nr, int nt, float *y, int64_t ldy,
                           const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx) {
    (void)ldw;
    const int64_t nb = n / QK4_0;
    for (int t = 0; t < nt; t++) {
        const block_q8_0 *xb = (const block_q8_0 *)(x + (size_t)t * ldx);
        for (int r = 0; r < nr; r++) {
            float acc = 0;
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *p = w + (size_t)b * Q4_0X8_BLK;
                int isum = 0;
                for (int j = 0; j < 4; j++)
                    for (int i = 0; i < 4; i++) {
                        const int q = p[32 * j + 4 * r + i];
                        isum += ((q & 0x0F) - 8) * xb[b].qs[4 * j + i] + ((q >> 4) - 8) * xb[b].qs[16 + 4 * j + i];
                    }
                uint16_t d;
                memcpy(&d, p + 128 + 2 * r, 2);
                acc = fmaf((float)isum, vers_f16_to_f32(d) * vers_f16_to_f32(xb[b].d), acc);
            }
            y[(int64_t)t * ldy + r] = acc;
        }
    }
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

/* K-quants: ggml_vec_dot_q{4,5,6}_K_q8_K on x86 (AVX2).  Per super-block 8 int32 lanes,
 * lane l holding the exact sum of scale x products over elements 4l..4l+3 of every 32-value
 * chunk; acc_l = fma(d, lane, acc_l); the result is hsum_float_8(acc).  Q4_K's mins go to 4
 * float lanes (lane m: sub-blocks 2m, 2m+1; fma with -dmin), added last as
 * (m0 + m2) + (m1 + m3); Q5_K's to one float sum, dmin * (sum of the mins products). */
static inline void q45_K_lanes(const uint8_t *scales, const uint8_t *ql, const uint8_t *qh, const int8_t *q8,
                               int32_t lane[8], int32_t prod[4], const int16_t *bsums) {
    int sc[8], mn[8];
    for (int j = 0; j < 8; j++) scale_min_k4(j, scales, &sc[j], &mn[j]);
    for (int l = 0; l < 8; l++) lane[l] = 0;
    for (int j = 0; j < QK_K / 64; j++) {
        for (int e = 0; e < 32; e++) {
            const int lo = (ql[32 * j + e] & 0xF) + (qh && (qh[e] >> (2 * j) & 1) ? 16 : 0);
            const int hi = (ql[32 * j + e] >> 4) + (qh && (qh[e] >> (2 * j + 1) & 1) ? 16 : 0);
            lane[e / 4] += sc[2 * j] * lo * q8[64 * j + e] + sc[2 * j + 1] * hi * q8[64 * j + 32 + e];
        }
    }
    for (int m = 0; m < 4; m++)
        prod[m] = mn[2 * m] * (bsums[4 * m] + bsums[4 * m + 1]) + mn[2 * m + 1] * (bsums[4 * m + 2] + bsums[4 * m + 3]);
}

void vk_dot_q4_K_scalar(int64_t n, float *s, const void *w, const void *x) {
    const block_q4_K *a = w;
    const block_q8_K *b = x;
    float acc[8] = {0}, accm[4] = {0};
    for (int64_t i = 0; i < n / QK_K; i++) {
        int32_t lane[8], prod[4];
        q45_K_lanes(a[i].scales, a[i].qs, NULL, b[i].qs, lane, prod, b[i].bsums);
        const float d = b[i].d * vers_f16_to_f32(a[i].d);
        const float dmin = -b[i].d * vers_f16_to_f32(a[i].dmin);
        for (int m = 0; m < 4; m++) accm[m] = fmaf(dmin, (float)prod[m], accm[m]);
        for (int l = 0; l < 8; l++) acc[l] = fmaf(d, (float)lane[l], acc[l]);
    }
    *s = hsum8_ggml(acc) + ((accm[0] + accm[2]) + (accm[1] + accm[3]));
}

void vk_dot_q5_K_scalar(int64_t n, float *s, const void *w, const void *x) {
    const block_q5_K *a = w;
    const block_q8_K *b = x;
    float acc[8] = {0}, summs = 0;
    for (int64_t i = 0; i < n / QK_K; i++) {
        int32_t lane[8], prod[4];
        q45_K_lanes(a[i].scales, a[i].qs, a[i].qh, b[i].qs, lane, prod, b[i].bsums);
        const float d = b[i].d * vers_f16_to_f32(a[i].d);
        const float dmin = -b[i].d * vers_f16_to_f32(a[i].dmin);
        summs += dmin * (float)(prod[0] + prod[1] + prod[2] + prod[3]);
        for (int l = 0; l < 8; l++) acc[l] = fmaf(d, (float)lane[l], acc[l]);
    }
    *s = hsum8_ggml(acc) + summs;
}

void vk_dot_q6_K_scalar(int64_t n, float *s, const void *w, const void *x) {
    const block_q6_K *a = w;
    const block_q8_K *b = x;
    float acc[8] = {0};
    for (int64_t i = 0; i < n / QK_K; i++) {
        const uint8_t *ql = a[i].ql, *qh = a[i].qh;
        const int8_t *sc = a[i].scales, *q8 = b[i].qs;
        int32_t lane[8] = {0};
        for (int h = 0; h < QK_K / 128; h++) {
            /* 128 values: chunks k = 0..3 of 32; 16 values per scale */
            for (int e = 0; e < 32; e++) {
                const int q[4] = {
                    ((ql[e + 0] & 0xF) | (((qh[e] >> 0) & 3) << 4)) - 32,
                    ((ql[e + 32] & 0xF) | (((qh[e] >> 2) & 3) << 4)) - 32,
                    ((ql[e + 0] >> 4) | (((qh[e] >> 4) & 3) << 4)) - 32,
                    ((ql[e + 32] >> 4) | (((qh[e] >> 6) & 3) << 4)) - 32 };
                for (int k = 0; k < 4; k++) lane[e / 4] += sc[2 * k + e / 16] * q[k] * q8[32 * k + e];
            }
            ql += 64; qh += 32; sc += 8; q8 += 128;
        }
        const float d = b[i].d * vers_f16_to_f32(a[i].d);
        for (int l = 0; l < 8; l++) acc[l] = fmaf(d, (float)lane[l], acc[l]);
    }
    *s = hsum8_ggml(acc);
}

/* The scalar kernel sets of the type table (tensor.c): dot products only (matmul.c loops over
 * them), plus the tinyBLAS order and the repacked Q4_0 tile. */
const vk_kernels vk_scalar_f32 = { .dot = vk_dot_f32_scalar, .dot16 = vk_dot16_f32_scalar };
const vk_kernels vk_scalar_f16 = { .dot = vk_dot_f16_scalar, .dot16 = vk_dot16_f16_scalar };
const vk_kernels vk_scalar_bf16 = { .dot = vk_dot_bf16_scalar };
const vk_kernels vk_scalar_q8_0 = { .dot = vk_dot_q8_0_scalar };
const vk_kernels vk_scalar_q4_0 = { .dot = vk_dot_q4_0_scalar };
const vk_kernels vk_scalar_q4_0x8 = { .tile = vk_tile_q4_0x8_scalar };
const vk_kernels vk_scalar_q4_K = { .dot = vk_dot_q4_K_scalar };
const vk_kernels vk_scalar_q5_K = { .dot = vk_dot_q5_K_scalar };
const vk_kernels vk_scalar_q6_K = { .dot = vk_dot_q6_K_scalar };
