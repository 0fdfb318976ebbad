/* src/train/gemm_avx512.c — AVX-512 micro-kernels of the trainer's GEMM (gemm.h): FP32
 * with vfmadd on a 12 x 32 tile (24 zmm accumulators, two B loads and twelve broadcasts
 * per k), and BF16 with vdpbf16ps on the same tile over pairs of k, with their packers.
 * Only the kernels are compiled for AVX-512 (the target pragma below), not the file: the
 * function that checks the CPU (tg_kernels_avx512) must run on any x86-64. */
#include "train/gemm.h"
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx2,fma")
#endif

enum { MR = 12, NR = 32 };

#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

/* C = (load_c ? C : 0) + alpha * acc for one row of the tile, masked to nr columns.  The
 * product alpha * acc is rounded before the add, as the scalar kernel's "C + alpha * acc". */
static inline __attribute__((always_inline)) void store_tile_row(float *c, __m512 lo, __m512 hi, float alpha,
                                                                 int nr, int load_c) {
    if (alpha != 1.0f) {
        __m512 va = _mm512_set1_ps(alpha);
        lo = _mm512_mul_ps(va, lo); hi = _mm512_mul_ps(va, hi);
    }
    __mmask16 m0 = nr >= 16 ? 0xffff : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr <= 16 ? 0 : nr >= 32 ? 0xffff : (__mmask16)((1u << (nr - 16)) - 1);
    if (load_c) {
        lo = _mm512_add_ps(lo, _mm512_maskz_loadu_ps(m0, c));
        hi = _mm512_add_ps(hi, _mm512_maskz_loadu_ps(m1, c + 16));
    }
    _mm512_mask_storeu_ps(c, m0, lo);
    _mm512_mask_storeu_ps(c + 16, m1, hi);
}

#define DECL(i) __m512 c##i##a = _mm512_setzero_ps(), c##i##b = _mm512_setzero_ps();
/* The C tile is read only after the k loop; asked for before it, it arrives while the
 * loop runs (the weight gradients, added to at every k block, come from memory: without
 * this the kernel waited on them for several percent of its time).  No effect on results. */
#define PREFETCH_C(i) if (i < mr) { const char *c_ = (const char *)(C + (int64_t)i * ldc); \
    _mm_prefetch(c_, _MM_HINT_T0); _mm_prefetch(c_ + 64, _MM_HINT_T0); _mm_prefetch(c_ + 127, _MM_HINT_T0); }
#define STORE(i) if (i < mr) store_tile_row(C + (int64_t)i * ldc, c##i##a, c##i##b, alpha, nr, load_c);

static void kernel_fp32_12x32(int kc, const void *Ap_, const void *Bp_, float *C, int ldc,
                              int mr, int nr, float alpha, int load_c) {
    const float *Ap = Ap_, *Bp = Bp_;
    ROWS(DECL)
    if (load_c) { ROWS(PREFETCH_C) }
    for (int k = 0; k < kc; k++) {
        __m512 b0 = _mm512_load_ps(Bp), b1 = _mm512_load_ps(Bp + 16);
#define STEP(i) { __m512 a = _mm512_set1_ps(Ap[i]); c##i##a = _mm512_fmadd_ps(a, b0, c##i##a); c##i##b = _mm512_fmadd_ps(a, b1, c##i##b); }
        ROWS(STEP)
#undef STEP
        Ap += MR; Bp += NR;
    }
    ROWS(STORE)
}

/* vdpbf16ps flushes denormal results to zero and treats denormal inputs as zero; the
 * scalar twin does the same (gemm.c) */
static void kernel_bf16_12x32(int kc, const void *Ap_, const void *Bp_, float *C, int ldc,
                              int mr, int nr, float alpha, int load_c) {
    const int32_t *Ap = Ap_;            /* pairs of BF16 as one 32-bit word */
    const float *Bp = Bp_;              /* 32 pairs = 64 BF16 = 2 zmm per k pair */
    ROWS(DECL)
    if (load_c) { ROWS(PREFETCH_C) }
    for (int k2 = 0; k2 < kc / 2; k2++) {
        __m512bh b0 = (__m512bh)_mm512_load_ps(Bp), b1 = (__m512bh)_mm512_load_ps(Bp + 16);
#define STEP(i) { __m512bh a = (__m512bh)_mm512_set1_epi32(Ap[i]); c##i##a = _mm512_dpbf16_ps(c##i##a, a, b0); c##i##b = _mm512_dpbf16_ps(c##i##b, a, b1); }
        ROWS(STEP)
#undef STEP
        Ap += MR; Bp += NR;
    }
    ROWS(STORE)
}

/* ---- packing (see tg_pack_fp32_scalar in gemm.c for the layout; same bytes) ---- */
/* 16 x 16 transpose of 32-bit elements: r[i] holds row i, then column i */
static inline __attribute__((always_inline)) void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) { t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]); t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]); }
    for (int i = 0; i < 4; i++) {
        r[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int c = 0; c < 4; c++) {
        t[c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88); t[4 + c] = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xDD);
        t[8 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88); t[12 + c] = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xDD);
    }
    for (int c = 0; c < 4; c++) {
        r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88); r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xDD);
        r[4 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0x88); r[12 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0xDD);
    }
}
static inline __mmask16 mask_n(int n) { return n >= 16 ? 0xffff : n <= 0 ? 0 : (__mmask16)((1u << n) - 1); }

/* 32 floats of a row -> 16 words of BF16 pairs (k even in the low half), as the scalar
 * conversion (vcvtne2ps2bf16: round to nearest even, denormals to zero) */
static inline __m512 row_pairs(const float *p, int n) {
    __m512 lo = _mm512_maskz_loadu_ps(mask_n(n), p), hi = _mm512_maskz_loadu_ps(mask_n(n - 16), p + 16);
    return (__m512)_mm512_cvtne2ps_pbh(hi, lo);
}
/* 16 floats -> 16 BF16 in the low halves of 16 words */
static inline __m512i lo_halves(__m512 v) { return _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(v)); }

static void pack_fp32_avx512(void *dst_, const float *X, int ld, int t, int r0, int rn, int k0, int kc, int R) {
    float *dst = dst_;
    if (t) {   /* rows contiguous: 8 rows k of X at a time (they stay in L1), written panel
                * by panel.  Row by row across all panels, the pieces of one row go to
                * addresses kc * R floats apart, a multiple of 4 KB: one L1 set. */
        for (int kb = 0; kb < kc; kb += 8) {
            int ke = kc - kb < 8 ? kc : kb + 8;
            for (int pr = 0; pr < rn; pr += R) {
                float *d = dst + (int64_t)pr * kc;
                const float *s = X + (int64_t)k0 * ld + r0 + pr;
                for (int k = kb; k < ke; k++)
                    for (int g = 0; g < R; g += 16)
                        _mm512_mask_storeu_ps(d + (int64_t)k * R + g, mask_n(R - g),
                                              _mm512_maskz_loadu_ps(mask_n(rn - pr - g), s + (int64_t)k * ld + g));
            }
        }
        return;
    }
    for (int pr = 0; pr < rn; pr += R) {
        float *d = dst + (int64_t)pr * kc;
        int rows = rn - pr < R ? rn - pr : R;
        /* k contiguous: 16 x 16 blocks transposed */
        for (int kb = 0; kb < kc; kb += 16) {
            __mmask16 km = mask_n(kc - kb);
            for (int g = 0; g < R; g += 16) {
                __m512 r[16];
                for (int i = 0; i < 16; i++)
                    r[i] = g + i < rows ? _mm512_maskz_loadu_ps(km, X + (int64_t)(r0 + pr + g + i) * ld + k0 + kb) : _mm512_setzero_ps();
                transpose16(r);
                int kn = kc - kb < 16 ? kc - kb : 16;
                for (int k = 0; k < kn; k++) _mm512_mask_storeu_ps(d + (int64_t)(kb + k) * R + g, mask_n(R - g), r[k]);
            }
        }
    }
}

static void pack_bf16_avx512(void *dst_, const float *X, int ld, int t, int r0, int rn, int k0, int kc, int R) {
    uint32_t *dst = dst_;             /* one word per (pair, row) */
    int kc2 = (kc + 1) / 2;
    if (t) {   /* rows contiguous: rows k and k+1 interleaved; 4 pairs of rows at a time,
                * written panel by panel (see pack_fp32_avx512) */
        for (int kb2 = 0; kb2 < kc2; kb2 += 4) {
            int ke2 = kc2 - kb2 < 4 ? kc2 : kb2 + 4;
            for (int pr = 0; pr < rn; pr += R)
                for (int k2 = kb2; k2 < ke2; k2++) {
                    const float *s0 = X + (int64_t)(k0 + 2 * k2) * ld + r0, *s1 = s0 + ld;
                    int has1 = 2 * k2 + 1 < kc;
                    uint32_t *d = dst + (int64_t)pr * kc2 + (int64_t)k2 * R;
                    for (int g = 0; g < R; g += 16) {
                        __mmask16 m = mask_n(rn - pr - g);
                        __m512i w0 = lo_halves(_mm512_maskz_loadu_ps(m, s0 + pr + g));
                        __m512i w1 = has1 ? lo_halves(_mm512_maskz_loadu_ps(m, s1 + pr + g)) : _mm512_setzero_si512();
                        _mm512_mask_storeu_epi32(d + g, mask_n(R - g), _mm512_or_si512(w0, _mm512_slli_epi32(w1, 16)));
                    }
                }
        }
        return;
    }
    for (int pr = 0; pr < rn; pr += R) {
        uint32_t *d = dst + (int64_t)pr * kc2;
        int rows = rn - pr < R ? rn - pr : R;
        /* k contiguous: 32 k (16 pairs) x 16 rows, converted then transposed as words */
        for (int kb = 0; kb < kc; kb += 32) {
            for (int g = 0; g < R; g += 16) {
                __m512 r[16];
                for (int i = 0; i < 16; i++)
                    r[i] = g + i < rows ? row_pairs(X + (int64_t)(r0 + pr + g + i) * ld + k0 + kb, kc - kb) : _mm512_setzero_ps();
                transpose16(r);
                int kn2 = (kc - kb + 1) / 2 < 16 ? (kc - kb + 1) / 2 : 16;
                for (int k = 0; k < kn2; k++) _mm512_mask_storeu_ps((float *)d + (int64_t)(kb / 2 + k) * R + g, mask_n(R - g), r[k]);
            }
        }
    }
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

int tg_kernels_avx512(tg_kernel *fp32, tg_kernel *bf16) {
    if (!__builtin_cpu_supports("avx512f")) return 0;
    *fp32 = (tg_kernel){"avx512", MR, NR, kernel_fp32_12x32, pack_fp32_avx512};
    *bf16 = (tg_kernel){"avx512bf16", MR, NR, NULL, pack_bf16_avx512};
    if (__builtin_cpu_supports("avx512bf16")) bf16->fn = kernel_bf16_12x32;
    return 1;
}
