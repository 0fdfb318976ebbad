/* src/train/gemm_avx2.c — AVX2/FMA micro-kernels of the trainer's GEMM (gemm.h) for CPUs
 * without AVX-512: a 6 x 16 FP32 tile (12 ymm accumulators, two B loads and six
 * broadcasts per k), and the same tile for BF16 operands emulating vdpbf16ps exactly.
 * Same summation order as the scalar and AVX-512 kernels: the same bits. */
#include "train/gemm.h"
#include <immintrin.h>

enum { MR = 6, NR = 16 };

#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)

static inline __attribute__((always_inline)) void store_tile_row(float *c, __m256 lo, __m256 hi, float alpha,
                                                                 int nr, int load_c) {
    if (alpha != 1.0f) {
        __m256 va = _mm256_set1_ps(alpha);
        lo = _mm256_mul_ps(va, lo); hi = _mm256_mul_ps(va, hi);
    }
    if (nr == NR) {
        if (load_c) { lo = _mm256_add_ps(lo, _mm256_loadu_ps(c)); hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + 8)); }
        _mm256_storeu_ps(c, lo); _mm256_storeu_ps(c + 8, hi);
        return;
    }
    float t[NR];
    _mm256_storeu_ps(t, lo); _mm256_storeu_ps(t + 8, hi);
    for (int j = 0; j < nr; j++) c[j] = load_c ? c[j] + t[j] : t[j];
}

#define DECL(i) __m256 c##i##a = _mm256_setzero_ps(), c##i##b = _mm256_setzero_ps();
#define STORE(i) if (i < mr) store_tile_row(C + (int64_t)i * ldc, c##i##a, c##i##b, alpha, nr, load_c);

static void kernel_fp32_6x16(int kc, const void *Ap_, const void *Bp_, float *C, int ldc,
                             int mr, int nr, float alpha, int load_c) {
    const float *Ap = Ap_, *Bp = Bp_;
    ROWS(DECL)
    for (int k = 0; k < kc; k++) {
        __m256 b0 = _mm256_load_ps(Bp), b1 = _mm256_load_ps(Bp + 8);
#define STEP(i) { __m256 a = _mm256_broadcast_ss(Ap + i); c##i##a = _mm256_fmadd_ps(a, b0, c##i##a); c##i##b = _mm256_fmadd_ps(a, b1, c##i##b); }
        ROWS(STEP)
#undef STEP
        Ap += MR; Bp += NR;
    }
    ROWS(STORE)
}

/* BF16 products without vdpbf16ps, bit for bit: a BF16 pair word holds k even in its low
 * half and k odd in its high half, each an exact FP32 once shifted into place; the odd
 * product is added first, then the even one, each as one fused multiply-add (the product
 * of two BF16 values is exact), with results below the normal range flushed to zero as
 * the instruction does: MXCSR's flush-to-zero and denormals-are-zero for the duration. */
static void kernel_bf16_6x16(int kc, const void *Ap_, const void *Bp_, float *C, int ldc,
                             int mr, int nr, float alpha, int load_c) {
    const uint32_t *Ap = Ap_;
    const __m256i *Bp = Bp_;
    const unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040);
    const __m256i hi_mask = _mm256_set1_epi32((int)0xffff0000u);
    ROWS(DECL)
    for (int k2 = 0; k2 < kc / 2; k2++) {
        __m256i w0 = _mm256_load_si256(Bp), w1 = _mm256_load_si256(Bp + 1);
        __m256 e0 = _mm256_castsi256_ps(_mm256_slli_epi32(w0, 16)), o0 = _mm256_castsi256_ps(_mm256_and_si256(w0, hi_mask));
        __m256 e1 = _mm256_castsi256_ps(_mm256_slli_epi32(w1, 16)), o1 = _mm256_castsi256_ps(_mm256_and_si256(w1, hi_mask));
#define STEP(i) { __m256i a = _mm256_set1_epi32((int)Ap[i]); \
        __m256 ae = _mm256_castsi256_ps(_mm256_slli_epi32(a, 16)), ao = _mm256_castsi256_ps(_mm256_and_si256(a, hi_mask)); \
        c##i##a = _mm256_fmadd_ps(ae, e0, _mm256_fmadd_ps(ao, o0, c##i##a)); \
        c##i##b = _mm256_fmadd_ps(ae, e1, _mm256_fmadd_ps(ao, o1, c##i##b)); }
        ROWS(STEP)
#undef STEP
        Ap += MR; Bp += 2;
    }
    _mm_setcsr(csr);
    ROWS(STORE)
}

int tg_kernels_avx2(tg_kernel *fp32, tg_kernel *bf16) {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
    *fp32 = (tg_kernel){"avx2", MR, NR, kernel_fp32_6x16, tg_pack_fp32_scalar};
    *bf16 = (tg_kernel){"avx2-bf16-emulated", MR, NR, kernel_bf16_6x16, tg_pack_bf16_scalar};
    return 1;
}
