/* src/engine/kernels/quants_avx2.c — AVX2 twins of the activation converters of quants.c
 * (Q8_0 as ggml-cpu's x86 quantize_row_q8_0, Q8_K as quantize_row_q8_K_ref, F16): the
 * prompt converts every layer input of every token, which the scalar loops made ~7% of a
 * prompt.  Same bytes as the scalar functions for every input: a block holding a NaN or an
 * infinity is handed to the scalar code (the hardware conversions treat those differently).
 * Compiled with -mavx2 -mfma -mf16c; called only when vers_simd_enabled(). */
#include "engine/kernels/kernels.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

/* all 8 lanes finite (not NaN, not infinite) */
static inline int finite8(__m256 v) {
    const __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
    return _mm256_movemask_ps(_mm256_cmp_ps(a, _mm256_set1_ps(INFINITY), _CMP_LT_OQ)) == 0xFF;
}

static inline float hmax8(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

/* 8 floats -> 8 int32 (round half to even) -> packed into 8 int8 of the result's low half */
static inline __m256i pack32_i8(__m256i i0, __m256i i1, __m256i i2, __m256i i3) {
    const __m256i p01 = _mm256_packs_epi32(i0, i1), p23 = _mm256_packs_epi32(i2, i3);
    const __m256i p = _mm256_packs_epi16(p01, p23);
    /* packs work per 128-bit lane: restore the element order */
    return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

void vk_q8_0_from_float_act_avx2(const float *src, void *dst, int64_t n) {
    block_q8_0 *y = dst;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t i = 0; i < n / QK8_0; i++) {
        const float *x = src + i * QK8_0;
        const __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
        const __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
        if (!(finite8(v0) & finite8(v1) & finite8(v2) & finite8(v3))) {
            vk_q8_0_from_float_act_scalar(x, &y[i], QK8_0);
            continue;
        }
        const __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                       _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
        const float amax = hmax8(m);
        const float d = amax / 127.f;
        const float id = amax != 0.0f ? 127.f / amax : 0.0f;
        if (id == INFINITY) {   /* subnormal amax: the scalar rounding of inf */
            vk_q8_0_from_float_act_scalar(x, &y[i], QK8_0);
            continue;
        }
        y[i].d = vers_f32_to_f16(d);
        const __m256 mul = _mm256_set1_ps(id);
        const __m256i q = pack32_i8(_mm256_cvtps_epi32(_mm256_mul_ps(v0, mul)), _mm256_cvtps_epi32(_mm256_mul_ps(v1, mul)),
                                    _mm256_cvtps_epi32(_mm256_mul_ps(v2, mul)), _mm256_cvtps_epi32(_mm256_mul_ps(v3, mul)));
        _mm256_storeu_si256((__m256i *)y[i].qs, q);
    }
}

void vk_q8_K_from_float_avx2(const float *src, void *dst, int64_t n) {
    block_q8_K *y = dst;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float *x = src + i * QK_K;
        __m256 m = _mm256_setzero_ps();
        int fin = 1;
        for (int j = 0; j < QK_K; j += 8) {
            const __m256 v = _mm256_loadu_ps(x + j);
            fin &= finite8(v);
            m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v));
        }
        if (!fin) {
            vk_q8_K_from_float_scalar(x, &y[i], QK_K);
            continue;
        }
        const float amax = hmax8(m);
        if (!amax) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        /* the first element of largest magnitude, with its sign (the scalar loop's choice) */
        int first = 0;
        const __m256 am = _mm256_set1_ps(amax);
        for (int j = 0; j < QK_K; j += 8) {
            const int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), am, _CMP_EQ_OQ));
            if (mask) { first = j + __builtin_ctz((unsigned)mask); break; }
        }
        const float iscale = -127.f / x[first];
        if (fabsf(iscale) == INFINITY) {   /* subnormal max */
            vk_q8_K_from_float_scalar(x, &y[i], QK_K);
            continue;
        }
        const __m256 mul = _mm256_set1_ps(iscale);
        const __m256i x80 = _mm256_set1_epi8((char)0x80);
        for (int j = 0; j < QK_K; j += 32) {
            const __m256i q = pack32_i8(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j), mul)),
                                        _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8), mul)),
                                        _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 16), mul)),
                                        _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 24), mul)));
            _mm256_storeu_si256((__m256i *)(y[i].qs + j), q);
            /* sums of 16: q + 128 as unsigned bytes, summed 8 at a time by sad */
            const __m256i s = _mm256_sad_epu8(_mm256_xor_si256(q, x80), _mm256_setzero_si256());
            int64_t s4[4];
            _mm256_storeu_si256((__m256i *)s4, s);
            y[i].bsums[j / 16] = (int16_t)(s4[0] + s4[1] - 16 * 128);
            y[i].bsums[j / 16 + 1] = (int16_t)(s4[2] + s4[3] - 16 * 128);
        }
        y[i].d = 1 / iscale;
    }
}

void vk_f16_from_float_avx2(const float *src, void *dst, int64_t n) {
    uint8_t *p = dst;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(src + i);
        if (!finite8(v)) {
            vk_f16_from_float_scalar(src + i, p + 2 * i, 8);
            continue;
        }
        _mm_storeu_si128((__m128i *)(p + 2 * i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    }
    if (i < n) vk_f16_from_float_scalar(src + i, p + 2 * i, n - i);
}
