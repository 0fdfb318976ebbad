/* src/train/fma_peak_avx2.c — the FMA peak of this CPU, measured: many independent fused
 * multiply-adds (enough accumulators to cover latency x pipes), no memory traffic.  The
 * AVX-512 loop is compiled for that target and used only when the CPU has it. */
#include <immintrin.h>
#include <stdint.h>

#define NACC 12

float fma_loop_avx2(int64_t iters) {
    __m256 acc[NACC], b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-6f);
    for (int k = 0; k < NACC; k++) acc[k] = _mm256_set1_ps((float)k);
    for (int64_t i = 0; i < iters; i++)
        for (int k = 0; k < NACC; k++) acc[k] = _mm256_fmadd_ps(acc[k], b, c);
    __m256 s = acc[0];
    for (int k = 1; k < NACC; k++) s = _mm256_add_ps(s, acc[k]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0];
}

__attribute__((target("avx512f")))
float fma_loop_avx512(int64_t iters) {
    __m512 acc[NACC], b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-6f);
    for (int k = 0; k < NACC; k++) acc[k] = _mm512_set1_ps((float)k);
    for (int64_t i = 0; i < iters; i++)
        for (int k = 0; k < NACC; k++) acc[k] = _mm512_fmadd_ps(acc[k], b, c);
    __m512 s = acc[0];
    for (int k = 1; k < NACC; k++) s = _mm512_add_ps(s, acc[k]);
    return _mm512_reduce_add_ps(s);
}
