/* src/engine/ops_avx2.c — AVX2/FMA/F16C twins of the attention inner loops of ops.c
 * (compiled with -mavx2 -mfma -mf16c; called only when vers_simd_enabled()). */
#include "engine/ops.h"
#include "engine/tensor.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

static float hsum(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

float ops_dot_f32_avx2(const float *a, const float *b, int n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    float s = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

float ops_dot_f16_avx2(const uint16_t *a, const uint16_t *b, int n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i)));
        __m256 b0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i)));
        __m256 a1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i + 8)));
        __m256 b1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i + 8)));
        acc0 = _mm256_fmadd_ps(a0, b0, acc0);
        acc1 = _mm256_fmadd_ps(a1, b1, acc1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 a0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i)));
        __m256 b0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i)));
        acc0 = _mm256_fmadd_ps(a0, b0, acc0);
    }
    float s = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += vers_f16_to_f32(a[i]) * vers_f16_to_f32(b[i]);
    return s;
}

void ops_axpy_f32_avx2(float *y, float a, const float *x, int n) {
    const __m256 va = _mm256_set1_ps(a);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
}

void ops_axpy_f16_avx2(float *y, float a, const uint16_t *x, int n) {
    const __m256 va = _mm256_set1_ps(a);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 vx = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i)));
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, vx, _mm256_loadu_ps(y + i)));
    }
    for (; i < n; i++) y[i] += a * vers_f16_to_f32(x[i]);
}

void ops_f32_to_f16_avx2(uint16_t *y, const float *x, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(y + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) y[i] = vers_f32_to_f16(x[i]);
}

/* ---- llama.cpp-order twins (see ops.h); fmaf is one instruction here (-mfma) ---- */

static inline float v_expf(float x) {
    const float r = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, r);
    const float n = z - r;
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));
    if (fabsf(n) > 192.0f) return n <= 0.0f ? 0.0f : INFINITY;
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                         u, fmaf(0x1.ffffecp-1f, b, 1.0f));
    if (n < -125.0f || n > 127.0f) return ldexpf(j, (int)n);
    union { uint32_t u; float f; } s = { (uint32_t)((int)n + 127) << 23 };
    return j * s.f;                      /* exact: a power of two, result normal */
}

/* the halving tree of two 8-lane halves (lanes 0-7, 8-15) */
static inline float hsum16_avx2(__m256 lo, __m256 hi) {
    __m256 v8 = _mm256_add_ps(lo, hi);
    __m128 v4 = _mm_add_ps(_mm256_castps256_ps128(v8), _mm256_extractf128_ps(v8, 1));
    __m128 v2 = _mm_add_ps(v4, _mm_movehl_ps(v4, v4));
    return _mm_cvtss_f32(_mm_add_ss(v2, _mm_shuffle_ps(v2, v2, 1)));
}

/* 8 lanes of v_expf; lanes whose result leaves the normal range take the scalar path */
static inline __m256 v_expf8(__m256 x, const float *xs, float *out_if_slow, int *slow) {
    const __m256 r = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), r);
    const __m256 n = _mm256_sub_ps(z, r);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256 out_of_range = _mm256_or_ps(_mm256_cmp_ps(n, _mm256_set1_ps(-125.0f), _CMP_LT_OQ),
                                             _mm256_cmp_ps(n, _mm256_set1_ps(127.0f), _CMP_GT_OQ));
    if (_mm256_movemask_ps(out_of_range) || _mm256_movemask_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q))) {
        for (int i = 0; i < 8; i++) out_if_slow[i] = v_expf(xs[i]);
        *slow = 1;
        return _mm256_loadu_ps(out_if_slow);
    }
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_fmadd_ps(_mm256_set1_ps(0x1.ffffecp-1f), b, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(j, _mm256_castsi256_ps(e));
}

void ops_softmax_avx2(float *x, int n, float scale) {
    float max = -INFINITY;
    for (int i = 0; i < n; i++) {
        x[i] *= scale;
        if (x[i] > max) max = x[i];
    }
    const __m256 vmax = _mm256_set1_ps(max);
    double sum = 0.0;
    int i0 = 0;
    for (; i0 + 16 <= n; i0 += 16) {
        float d0[8], d1[8], tmp[8];
        int slow = 0;
        for (int h = 0; h < 8; h++) { d0[h] = x[i0 + h] - max; d1[h] = x[i0 + 8 + h] - max; }
        __m256 e0 = v_expf8(_mm256_sub_ps(_mm256_loadu_ps(x + i0), vmax), d0, tmp, &slow);
        __m256 e1 = v_expf8(_mm256_sub_ps(_mm256_loadu_ps(x + i0 + 8), vmax), d1, tmp, &slow);
        _mm256_storeu_ps(x + i0, e0);
        _mm256_storeu_ps(x + i0 + 8, e1);
        sum += (double)hsum16_avx2(e0, e1);
    }
    if (i0 < n) {
        float blk[16] = { 0 };
        for (int i = i0; i < n; i++) blk[i - i0] = x[i] = v_expf(x[i] - max);
        sum += (double)hsum16_avx2(_mm256_loadu_ps(blk), _mm256_loadu_ps(blk + 8));
    }
    const __m256 inv = _mm256_set1_ps((float)(1.0 / sum));
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
    for (; i < n; i++) x[i] *= _mm256_cvtss_f32(inv);
}

void ops_round_f16_avx2(float *x, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT)));
    for (; i < n; i++) x[i] = vers_f16_to_f32(vers_f32_to_f16(x[i]));
}

void ops_swiglu_avx2(float *g, const float *u, int n) {
    const int nv = n - n % 16;
    /* 8 lanes of ggml's silu x / (1 + e^-x), then times u: the scalar loop's bits */
    for (int i0 = 0; i0 < nv; i0 += 8) {
        float neg[8], tmp[8];
        int slow = 0;
        const __m256 v = _mm256_loadu_ps(g + i0);
        const __m256 nx = _mm256_sub_ps(_mm256_setzero_ps(), v);
        _mm256_storeu_ps(neg, nx);
        const __m256 e = v_expf8(nx, neg, tmp, &slow);
        _mm256_storeu_ps(g + i0, _mm256_mul_ps(_mm256_div_ps(v, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), _mm256_loadu_ps(u + i0)));
    }
    for (int i = nv; i < n; i++) {
        const float v = g[i];
        const float e = i < nv ? v_expf(-v) : expf(-v);
        g[i] = (v / (1.0f + e)) * u[i];
    }
}

float ops_dot16_lanes_avx2(const uint16_t *a, const uint16_t *b, int n) {
    __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
    int k = 0;
    for (; k + 16 <= n; k += 16) {
        lo = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + k))),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + k))), lo);
        hi = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + k + 8))),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + k + 8))), hi);
    }
    /* ragged tail (head sizes not a multiple of 16, e.g. stories260K's 8): element k goes to
     * lane k & 15 as in the scalar loop, 8 at a time, the last < 8 from zero-padded copies
     * (lanes fma'd with 0 x 0 keep their value: a lane sum started at +0 is never -0).
     * A scalar loop here was 80% of stories260K's prompt time. */
    if (k + 8 <= n) {
        lo = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + k))),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + k))), lo);
        k += 8;
        if (k < n) {
            uint16_t ta[8] = {0}, tb[8] = {0};
            memcpy(ta, a + k, sizeof(uint16_t) * (size_t)(n - k));
            memcpy(tb, b + k, sizeof(uint16_t) * (size_t)(n - k));
            hi = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)ta)),
                                 _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)tb)), hi);
        }
    } else if (k < n) {
        uint16_t ta[8] = {0}, tb[8] = {0};
        memcpy(ta, a + k, sizeof(uint16_t) * (size_t)(n - k));
        memcpy(tb, b + k, sizeof(uint16_t) * (size_t)(n - k));
        lo = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)ta)),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)tb)), lo);
    }
    return hsum16_avx2(lo, hi);
}

/* Lane l of acc (16 x D) sums p[j] V[j] over j = l mod 16, in order of j: rows in tiles that
 * stay in L1 (16 KB), and per tile 8 columns of 8 lanes in registers while the tile's rows
 * pass (an accumulator loaded and stored for every row was 2 memory operations per FMA):
 * 1.3-1.5x, the same FMAs in the same order, so the same bits.  Widening V to F32 once per
 * batch instead was slower: twice the bytes no longer fit the L1 tile. */
void ops_pv16_lanes_avx2(float *out, const float *p, const uint16_t *V, size_t stride, int n_kv, int D, float *acc) {
    memset(acc, 0, sizeof(float) * 16 * (size_t)D);
    const int D8 = D - D % 8;
    const size_t row_bytes = 2 * (stride > (size_t)D ? stride : (size_t)D);
    int tile = (int)((size_t)16384 / row_bytes) & ~15;
    if (tile < 16) tile = 16;
    for (int j0 = 0; j0 < n_kv; j0 += tile) {
        const int j1 = n_kv - j0 < tile ? n_kv : j0 + tile;
        for (int d = 0; d < D8; d += 8)
            for (int h = 0; h < 16; h += 8) {
                float *ah = acc + (size_t)h * D + d;
                __m256 a0 = _mm256_loadu_ps(ah), a1 = _mm256_loadu_ps(ah + D), a2 = _mm256_loadu_ps(ah + 2 * (size_t)D),
                       a3 = _mm256_loadu_ps(ah + 3 * (size_t)D), a4 = _mm256_loadu_ps(ah + 4 * (size_t)D),
                       a5 = _mm256_loadu_ps(ah + 5 * (size_t)D), a6 = _mm256_loadu_ps(ah + 6 * (size_t)D),
                       a7 = _mm256_loadu_ps(ah + 7 * (size_t)D);
                int jb = j0;
#define PV_LANE(l, A)                                                                                          \
    {                                                                                                          \
        const int j = jb + h + (l);                                                                            \
        A = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(V + (size_t)j * stride + d))),  \
                            _mm256_broadcast_ss(p + j), A);                                                    \
    }
                for (; jb + 16 <= j1; jb += 16) {
                    PV_LANE(0, a0) PV_LANE(1, a1) PV_LANE(2, a2) PV_LANE(3, a3)
                    PV_LANE(4, a4) PV_LANE(5, a5) PV_LANE(6, a6) PV_LANE(7, a7)
                }
                if (jb + h + 0 < j1) PV_LANE(0, a0)
                if (jb + h + 1 < j1) PV_LANE(1, a1)
                if (jb + h + 2 < j1) PV_LANE(2, a2)
                if (jb + h + 3 < j1) PV_LANE(3, a3)
                if (jb + h + 4 < j1) PV_LANE(4, a4)
                if (jb + h + 5 < j1) PV_LANE(5, a5)
                if (jb + h + 6 < j1) PV_LANE(6, a6)
                if (jb + h + 7 < j1) PV_LANE(7, a7)
#undef PV_LANE
                _mm256_storeu_ps(ah, a0); _mm256_storeu_ps(ah + D, a1); _mm256_storeu_ps(ah + 2 * (size_t)D, a2);
                _mm256_storeu_ps(ah + 3 * (size_t)D, a3); _mm256_storeu_ps(ah + 4 * (size_t)D, a4);
                _mm256_storeu_ps(ah + 5 * (size_t)D, a5); _mm256_storeu_ps(ah + 6 * (size_t)D, a6);
                _mm256_storeu_ps(ah + 7 * (size_t)D, a7);
            }
        for (int j = j0; j < j1 && D8 < D; j++) {
            float *a = acc + (size_t)(j & 15) * D;
            const uint16_t *v = V + (size_t)j * stride;
            for (int d = D8; d < D; d++) a[d] = fmaf(vers_f16_to_f32(v[d]), p[j], a[d]);
        }
    }
    /* the halving tree, element-wise over d: lanes l and l+8, then l and l+4, ... */
    int d = 0;
#define LANE(l) _mm256_loadu_ps(acc + (size_t)(l) * D + d)
    for (; d < D8; d += 8) {
        __m256 v8[8], v4[4];
        for (int l = 0; l < 8; l++) v8[l] = _mm256_add_ps(LANE(l), LANE(l + 8));
        for (int l = 0; l < 4; l++) v4[l] = _mm256_add_ps(v8[l], v8[l + 4]);
        _mm256_storeu_ps(out + d, _mm256_add_ps(_mm256_add_ps(v4[0], v4[2]), _mm256_add_ps(v4[1], v4[3])));
    }
#undef LANE
    for (; d < D; d++) {
        float v8[8], v4[4];
        for (int l = 0; l < 8; l++) v8[l] = acc[(size_t)l * D + d] + acc[(size_t)(l + 8) * D + d];
        for (int l = 0; l < 4; l++) v4[l] = v8[l] + v8[l + 4];
        out[d] = (v4[0] + v4[2]) + (v4[1] + v4[3]);
    }
}

void ops_scores_f32_avx2(float *att, const float *q, const float *K, size_t stride, int n_kv, int D) {
    if (D == 8) {
        const __m256 vq = _mm256_loadu_ps(q);
        for (int j = 0; j < n_kv; j++) att[j] = hsum(_mm256_mul_ps(vq, _mm256_loadu_ps(K + (size_t)j * stride)));
        return;
    }
    for (int j = 0; j < n_kv; j++) att[j] = ops_dot_f32_avx2(q, K + (size_t)j * stride, D);
}

void ops_pv_f32_avx2(float *out, const float *p, const float *V, size_t stride, int n_kv, int D) {
    if (D == 8) {   /* tiny heads: four independent chains over positions */
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        int j = 0;
        for (; j + 4 <= n_kv; j += 4) {
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(p[j]), _mm256_loadu_ps(V + (size_t)j * stride), a0);
            a1 = _mm256_fmadd_ps(_mm256_set1_ps(p[j + 1]), _mm256_loadu_ps(V + (size_t)(j + 1) * stride), a1);
            a2 = _mm256_fmadd_ps(_mm256_set1_ps(p[j + 2]), _mm256_loadu_ps(V + (size_t)(j + 2) * stride), a2);
            a3 = _mm256_fmadd_ps(_mm256_set1_ps(p[j + 3]), _mm256_loadu_ps(V + (size_t)(j + 3) * stride), a3);
        }
        for (; j < n_kv; j++) a0 = _mm256_fmadd_ps(_mm256_set1_ps(p[j]), _mm256_loadu_ps(V + (size_t)j * stride), a0);
        _mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        return;
    }
    if (D % 8 == 0 && D <= 128) {
        __m256 acc[16];
        const int nb = D / 8;
        for (int b = 0; b < nb; b++) acc[b] = _mm256_setzero_ps();
        for (int j = 0; j < n_kv; j++) {
            const __m256 pj = _mm256_set1_ps(p[j]);
            const float *v = V + (size_t)j * stride;
            for (int b = 0; b < nb; b++) acc[b] = _mm256_fmadd_ps(pj, _mm256_loadu_ps(v + 8 * b), acc[b]);
        }
        for (int b = 0; b < nb; b++) _mm256_storeu_ps(out + 8 * b, acc[b]);
        return;
    }
    memset(out, 0, sizeof(float) * (size_t)D);
    for (int j = 0; j < n_kv; j++) ops_axpy_f32_avx2(out, p[j], V + (size_t)j * stride, D);
}

/* hsum16_avx2 of four (lo, hi) pairs at once: the same adds on each pair (a 4 x 4 transpose
 * puts lane i of the four 4-lane sums side by side), so the same bits. */
static inline __m128 hsum16x4_avx2(const __m256 lo[4], const __m256 hi[4]) {
    __m128 v[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        const __m256 v8 = _mm256_add_ps(lo[i], hi[i]);
        v[i] = _mm_add_ps(_mm256_castps256_ps128(v8), _mm256_extractf128_ps(v8, 1));
    }
    _MM_TRANSPOSE4_PS(v[0], v[1], v[2], v[3]);
    return _mm_add_ps(_mm_add_ps(v[0], v[2]), _mm_add_ps(v[1], v[3]));
}

/* q . K[j] for j < n_kv, head size D a compile-time multiple of 16: the query converted once,
 * four keys at a time with their sums reduced together; each key's lanes and tree as
 * hsum16_avx2's. */
static inline __attribute__((always_inline)) void scores16_fixed(float *att, const uint16_t *q, const uint16_t *K,
                                                                 size_t stride, int n_kv, const int D) {
    __m256 qv[16];
#pragma GCC unroll 16
    for (int i = 0; i < D / 8; i++) qv[i] = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(q + 8 * i)));
    int j = 0;
    for (; j + 4 <= n_kv; j += 4) {
        __m256 lo[4], hi[4];
#pragma GCC unroll 4
        for (int u = 0; u < 4; u++) { lo[u] = _mm256_setzero_ps(); hi[u] = _mm256_setzero_ps(); }
#pragma GCC unroll 8
        for (int i = 0; i < D; i += 16)
#pragma GCC unroll 4
            for (int u = 0; u < 4; u++) {
                const uint16_t *k = K + (size_t)(j + u) * stride + i;
                lo[u] = _mm256_fmadd_ps(qv[i / 8], _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)k)), lo[u]);
                hi[u] = _mm256_fmadd_ps(qv[i / 8 + 1], _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + 8))), hi[u]);
            }
        _mm_storeu_ps(att + j, hsum16x4_avx2(lo, hi));
    }
    for (; j < n_kv; j++) {
        const uint16_t *k = K + (size_t)j * stride;
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
#pragma GCC unroll 8
        for (int i = 0; i < D; i += 16) {
            lo = _mm256_fmadd_ps(qv[i / 8], _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i))), lo);
            hi = _mm256_fmadd_ps(qv[i / 8 + 1], _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i + 8))), hi);
        }
        att[j] = hsum16_avx2(lo, hi);
    }
}

void ops_scores16_lanes_avx2(float *att, const uint16_t *q, const uint16_t *K, size_t stride, int n_kv, int D) {
    switch (D) {   /* the multiples of 16 up to 128 (other sizes: one dot per key, below) */
    case 16: scores16_fixed(att, q, K, stride, n_kv, 16); return;
    case 32: scores16_fixed(att, q, K, stride, n_kv, 32); return;
    case 48: scores16_fixed(att, q, K, stride, n_kv, 48); return;
    case 64: scores16_fixed(att, q, K, stride, n_kv, 64); return;
    case 80: scores16_fixed(att, q, K, stride, n_kv, 80); return;
    case 96: scores16_fixed(att, q, K, stride, n_kv, 96); return;
    case 112: scores16_fixed(att, q, K, stride, n_kv, 112); return;
    case 128: scores16_fixed(att, q, K, stride, n_kv, 128); return;
    default: break;
    }
    for (int j = 0; j < n_kv; j++) att[j] = ops_dot16_lanes_avx2(q, K + (size_t)j * stride, D);
}
