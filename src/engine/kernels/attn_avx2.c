/* src/engine/kernels/attn_avx2.c — AVX2 twin of attn.c (same operations, 8 head dimensions
 * per vector; bit for bit the scalar results).  Compiled with -mavx2 -mfma -mf16c. */
#include "engine/kernels/kernels.h"
#include <immintrin.h>
#include <string.h>

void vk_attn_pv_f16_avx2(int D, int n_kv, const float *p, const uint16_t *V, size_t ldv, float *out) {
    const int n_pad = (n_kv + 31) & ~31, np = n_pad & ~63, nb = np < n_kv ? np : n_kv;
    int d0 = 0;
    for (; d0 + 8 <= D; d0 += 8) {
        __m256 acc[64];
        for (int i = 0; i < 64; i++) acc[i] = _mm256_setzero_ps();
        for (int j = 0; j < nb; j++)
            acc[j & 63] = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(V + (size_t)j * ldv + d0))),
                                          _mm256_set1_ps(p[j]), acc[j & 63]);
        __m256 l[16];
        for (int i = 0; i < 16; i++)
            l[i] = _mm256_add_ps(_mm256_add_ps(acc[i], acc[32 + i]), _mm256_add_ps(acc[16 + i], acc[48 + i]));
        __m256 v8[8], v4[4];
        for (int i = 0; i < 8; i++) v8[i] = _mm256_add_ps(l[i + 8], l[i]);
        for (int i = 0; i < 4; i++) v4[i] = _mm256_add_ps(v8[i + 4], v8[i]);
        const __m256 r = _mm256_add_ps(_mm256_add_ps(v4[0], v4[2]), _mm256_add_ps(v4[1], v4[3]));
        if (np >= n_kv) {
            _mm256_storeu_ps(out + d0, r);
            continue;
        }
        /* leftovers: float products summed in double, position by position */
        __m256d s0 = _mm256_cvtps_pd(_mm256_castps256_ps128(r)), s1 = _mm256_cvtps_pd(_mm256_extractf128_ps(r, 1));
        for (int j = np; j < n_kv; j++) {
            const __m256 prod = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(V + (size_t)j * ldv + d0))),
                                              _mm256_set1_ps(p[j]));
            s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(prod)));
            s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(prod, 1)));
        }
        _mm_storeu_ps(out + d0, _mm256_cvtpd_ps(s0));
        _mm_storeu_ps(out + d0 + 4, _mm256_cvtpd_ps(s1));
    }
    if (d0 < D) vk_attn_pv_f16_scalar(D - d0, n_kv, p, V + d0, ldv, out + d0);
}
