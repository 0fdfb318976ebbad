/* src/train/fma_peak_avx2.c — the FMA peak of this CPU, measured: many independent fused
 * multiply-adds (enough accumulators to cover latency x pipes), no memory traffic.  The
 * AVX-512 loop is compiled for that target and used only when the CPU has it. */
#include <immintrin.h>
#include <stdint.h>

/* The accumulators are named variables, not an array: with an array gcc -O2 keeps them
 * in memory (load, FMA, store per step), which measures the store-forwarding latency, not
 * the FMA pipes (it read half the true peak on an EPYC). */
#define FMA12(F, B, C) \
    a0 = F(a0, B, C); a1 = F(a1, B, C); a2 = F(a2, B, C); a3 = F(a3, B, C); \
    a4 = F(a4, B, C); a5 = F(a5, B, C); a6 = F(a6, B, C); a7 = F(a7, B, C); \
    a8 = F(a8, B, C); a9 = F(a9, B, C); a10 = F(a10, B, C); a11 = F(a11, B, C)

float fma_loop_avx2(int64_t iters) {
    __m256 b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-6f);
    __m256 a0 = _mm256_set1_ps(0), a1 = _mm256_set1_ps(1), a2 = _mm256_set1_ps(2),
           a3 = _mm256_set1_ps(3), a4 = _mm256_set1_ps(4), a5 = _mm256_set1_ps(5),
           a6 = _mm256_set1_ps(6), a7 = _mm256_set1_ps(7), a8 = _mm256_set1_ps(8),
           a9 = _mm256_set1_ps(9), a10 = _mm256_set1_ps(10), a11 = _mm256_set1_ps(11);
    for (int64_t i = 0; i < iters; i++) { FMA12(_mm256_fmadd_ps, b, c); }
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0];
}

/* the twelve 512-bit accumulators of the AVX-512 loops, and their sum */
#define DECL12_512() \
    __m512 a0 = _mm512_set1_ps(0), a1 = _mm512_set1_ps(1), a2 = _mm512_set1_ps(2), \
           a3 = _mm512_set1_ps(3), a4 = _mm512_set1_ps(4), a5 = _mm512_set1_ps(5), \
           a6 = _mm512_set1_ps(6), a7 = _mm512_set1_ps(7), a8 = _mm512_set1_ps(8), \
           a9 = _mm512_set1_ps(9), a10 = _mm512_set1_ps(10), a11 = _mm512_set1_ps(11)
#define SUM12_512() _mm512_reduce_add_ps(_mm512_add_ps( \
    _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)), \
                  _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7))), \
    _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11))))

__attribute__((target("avx512f")))
float fma_loop_avx512(int64_t iters) {
    __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-6f);
    DECL12_512();
    for (int64_t i = 0; i < iters; i++) { FMA12(_mm512_fmadd_ps, b, c); }
    return SUM12_512();
}

/* vdpbf16ps: 32 products (64 FLOP) per instruction into FP32 sums */
__attribute__((target("avx512f,avx512bf16")))
float bf16_dot_loop_avx512(int64_t iters) {
    __m512bh b = (__m512bh)_mm512_set1_epi32(0x3f803f80), c = (__m512bh)_mm512_set1_epi32(0x3a803a80);
    DECL12_512();
    for (int64_t i = 0; i < iters; i++) { FMA12(_mm512_dpbf16_ps, b, c); }
    return SUM12_512();
}
