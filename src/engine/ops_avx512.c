/* src/engine/ops_avx512.c — the prompt's attention four queries at a time (AVX-512), for an
 * F16 cache and any head size up to 256: four consecutive tokens of one head
 * share the cache rows they read, so each K or V row is converted from F16 once for four
 * FMAs instead of one (ops_avx2.c's single-query kernels convert it per query: a third of
 * the 24M model's prompt time was attention).  Each output keeps the single-query order,
 * tinyBLAS's 16 lanes (ops.h), so the results are ops_scores16_lanes / ops_pv16_lanes' bits:
 *  - scores: lane l of q·K[j] takes k = l mod 16, one zmm per query, folded as hsum16;
 *  - p·V: lane l takes j = l mod 16 in increasing j.  Query t sums only j < n_kv[t]; the
 *    rows between its n_kv and the group's largest are multiplied by p = 0 (the caller
 *    zeroes p there): fma(0, v, acc) = acc for finite v, and acc, a sum started at +0, is
 *    never -0.  (The rows are this batch's K/V, finite for any finite model.)
 * A head size that is not a multiple of 16 ends in a part of a 16-value chunk: its K / V
 * values are loaded under a mask (0 in the other lanes, which never read past the row) and
 * the query's are 0 there, so the scores' lanes past D add products 0 x 0 (+0 to a sum that
 * is never -0, as the single-query kernels' unused lanes hold +0), and the columns past D of
 * p·V are neither stored nor read.
 * Compiled for AVX-512 F/VL/DQ by the pragma below; called only at that level (vers_simd_level). */
#if defined(__clang__)
#include <immintrin.h>
#include "engine/ops.h"
#include <string.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")
#include <immintrin.h>
#include "engine/ops.h"
#include <string.h>
#endif

/* _mm512_reduce_add_ps's order (ops_avx2.c's hsum16_avx2 on the two halves) */
static inline float hsum16z(__m512 a) {
    const __m256 lo = _mm512_castps512_ps256(a), hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1));
    const __m256 v8 = _mm256_add_ps(lo, hi);
    const __m128 v4 = _mm_add_ps(_mm256_castps256_ps128(v8), _mm256_extractf128_ps(v8, 1));
    const __m128 v2 = _mm_add_ps(v4, _mm_movehl_ps(v4, v4));
    return _mm_cvtss_f32(_mm_add_ss(v2, _mm_shuffle_ps(v2, v2, 1)));
}
static inline __m512 ld16h(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
/* the first values of a chunk (mask), 0 in the other lanes */
static inline __m512 ld16h_m(const uint16_t *p, __mmask16 m) { return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p)); }

#define X4_MAXD 256   /* head sizes up to this (the queries' vectors held in registers) */

/* a[t][r] += q_t · k_r over chunk c of 16 values, for 4 queries (qf) and 4 keys (v0..v3) */
static inline __attribute__((always_inline)) void fma_4x4(__m512 a[4][4], float qf[4][X4_MAXD], int c, __m512 v0,
                                                           __m512 v1, __m512 v2, __m512 v3) {
#pragma GCC unroll 4
    for (int t = 0; t < 4; t++) {
        const __m512 qv = _mm512_load_ps(&qf[t][16 * c]);
        a[t][0] = _mm512_fmadd_ps(qv, v0, a[t][0]);
        a[t][1] = _mm512_fmadd_ps(qv, v1, a[t][1]);
        a[t][2] = _mm512_fmadd_ps(qv, v2, a[t][2]);
        a[t][3] = _mm512_fmadd_ps(qv, v3, a[t][3]);
    }
}

/* hsum16z of 4 vectors at once, into lanes 0, 4, 8, 12: the same additions (lane i + lane
 * i + 8, then the 128-bit halves, then lanes 0+2 and 1+3, then 0+1), done by shuffles on
 * pairs of vectors instead of one reduction each (a third of the instructions) */
static inline __m512 hsum16z_x4(__m512 x, __m512 y, __m512 z, __m512 w) {
    const __m512 c = _mm512_add_ps(_mm512_shuffle_f32x4(x, y, 0x44), _mm512_shuffle_f32x4(x, y, 0xEE));
    const __m512 d = _mm512_add_ps(_mm512_shuffle_f32x4(z, w, 0x44), _mm512_shuffle_f32x4(z, w, 0xEE));
    const __m512 e = _mm512_add_ps(_mm512_shuffle_f32x4(c, d, _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_f32x4(c, d, _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512 f = _mm512_add_ps(e, _mm512_shuffle_ps(e, e, _MM_SHUFFLE(3, 2, 3, 2)));
    return _mm512_add_ps(f, _mm512_shuffle_ps(f, f, _MM_SHUFFLE(1, 1, 1, 1)));
}

/* Keys 4 at a time for the 4 queries (16 accumulators; the queries' vectors, widened once,
 * read from L1), reduced 4 by 4 with hsum16z_x4. */
void ops_scores16_lanes_x4_avx512(float *att, size_t lda, const uint16_t *q, const uint16_t *K, size_t stride,
                                  const int n_kv[4], int D) {
    const int nc = D / 16, rem = D % 16;
    const __mmask16 mr = (__mmask16)((1u << rem) - 1);   /* the last, partial chunk */
    int maxn = 0;
    for (int t = 0; t < 4; t++) maxn = n_kv[t] > maxn ? n_kv[t] : maxn;
    float qf[4][X4_MAXD] __attribute__((aligned(64)));
    for (int t = 0; t < 4; t++) {
        for (int c = 0; c < nc; c++) _mm512_store_ps(&qf[t][16 * c], ld16h(q + (size_t)t * D + 16 * c));
        if (rem) _mm512_store_ps(&qf[t][16 * nc], ld16h_m(q + (size_t)t * D + 16 * nc, mr));
    }
    const __m512i pick = _mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    int j = 0;
    for (; j + 4 <= maxn; j += 4) {
        const uint16_t *k0 = K + (size_t)j * stride, *k1 = k0 + stride, *k2 = k1 + stride, *k3 = k2 + stride;
        __m512 a[4][4];
        for (int t = 0; t < 4; t++)
            for (int r = 0; r < 4; r++) a[t][r] = _mm512_setzero_ps();
        for (int c = 0; c < nc; c++) {
            const __m512 v0 = ld16h(k0 + 16 * c), v1 = ld16h(k1 + 16 * c), v2 = ld16h(k2 + 16 * c), v3 = ld16h(k3 + 16 * c);
            fma_4x4(a, qf, c, v0, v1, v2, v3);
        }
        if (rem) {
            const int c = nc;
            const __m512 v0 = ld16h_m(k0 + 16 * c, mr), v1 = ld16h_m(k1 + 16 * c, mr), v2 = ld16h_m(k2 + 16 * c, mr),
                         v3 = ld16h_m(k3 + 16 * c, mr);
            fma_4x4(a, qf, c, v0, v1, v2, v3);
        }
        for (int t = 0; t < 4; t++) {
            const __m128 r = _mm512_castps512_ps128(_mm512_permutexvar_ps(pick, hsum16z_x4(a[t][0], a[t][1], a[t][2], a[t][3])));
            const int m = n_kv[t] - j;   /* how many of the 4 keys query t sees */
            if (m >= 4) _mm_storeu_ps(att + (size_t)t * lda + j, r);
            else if (m > 0) _mm_mask_storeu_ps(att + (size_t)t * lda + j, (__mmask8)((1u << m) - 1), r);
        }
    }
    for (; j < maxn; j++) {   /* the last keys one by one */
        const uint16_t *k = K + (size_t)j * stride;
        __m512 a[4];
        for (int t = 0; t < 4; t++) a[t] = _mm512_setzero_ps();
        for (int c = 0; c < nc; c++) {
            const __m512 kv = ld16h(k + 16 * c);
            for (int t = 0; t < 4; t++) a[t] = _mm512_fmadd_ps(_mm512_load_ps(&qf[t][16 * c]), kv, a[t]);
        }
        if (rem) {
            const __m512 kv = ld16h_m(k + 16 * nc, mr);
            for (int t = 0; t < 4; t++) a[t] = _mm512_fmadd_ps(_mm512_load_ps(&qf[t][16 * nc]), kv, a[t]);
        }
        for (int t = 0; t < 4; t++)
            if (j < n_kv[t]) att[(size_t)t * lda + j] = hsum16z(a[t]);
    }
}

/* acc: 4 x 16 x D floats of scratch */
void ops_pv16_lanes_x4_avx512(float *out, size_t ldo, const float *p, size_t ldp, const uint16_t *V, size_t stride,
                              const int n_kv[4], int D, float *acc) {
    int maxn = 0;
    for (int t = 0; t < 4; t++) maxn = n_kv[t] > maxn ? n_kv[t] : maxn;
    const size_t la = (size_t)16 * D;   /* one query's lanes */
    for (int d = 0; d < D; d += 16) {
        const __mmask16 mc = D - d >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (D - d)) - 1);   /* columns d.. < D */
        for (int h = 0; h < 16; h += 4) {
            /* lanes h..h+3 of the 4 queries at columns d..d+15 */
            __m512 a[4][4];
            for (int t = 0; t < 4; t++)
                for (int i = 0; i < 4; i++) a[t][i] = _mm512_setzero_ps();
            int jb = 0;
            for (; jb + 16 <= maxn; jb += 16)
                for (int i = 0; i < 4; i++) {
                    const int j = jb + h + i;
                    const __m512 v = ld16h_m(V + (size_t)j * stride + d, mc);
                    for (int t = 0; t < 4; t++) a[t][i] = _mm512_fmadd_ps(v, _mm512_set1_ps(p[(size_t)t * ldp + j]), a[t][i]);
                }
            for (int i = 0; i < 4; i++) {
                const int j = jb + h + i;
                if (j >= maxn) break;
                const __m512 v = ld16h_m(V + (size_t)j * stride + d, mc);
                for (int t = 0; t < 4; t++) a[t][i] = _mm512_fmadd_ps(v, _mm512_set1_ps(p[(size_t)t * ldp + j]), a[t][i]);
            }
            for (int t = 0; t < 4; t++)
                for (int i = 0; i < 4; i++) _mm512_mask_storeu_ps(acc + (size_t)t * la + (size_t)(h + i) * D + d, mc, a[t][i]);
        }
    }
    /* the halving tree over the lanes, as ops_pv16_lanes_avx2 */
    for (int t = 0; t < 4; t++) {
        const float *A = acc + (size_t)t * la;
        for (int d = 0; d < D; d += 16) {
            const __mmask16 mc = D - d >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (D - d)) - 1);
            __m512 v8[8], v4[4];
            for (int l = 0; l < 8; l++)
                v8[l] = _mm512_add_ps(_mm512_maskz_loadu_ps(mc, A + (size_t)l * D + d), _mm512_maskz_loadu_ps(mc, A + (size_t)(l + 8) * D + d));
            for (int l = 0; l < 4; l++) v4[l] = _mm512_add_ps(v8[l], v8[l + 4]);
            _mm512_mask_storeu_ps(out + (size_t)t * ldo + d, mc, _mm512_add_ps(_mm512_add_ps(v4[0], v4[2]), _mm512_add_ps(v4[1], v4[3])));
        }
    }
}

#if defined(__clang__)
#pragma clang attribute pop
#endif
