/* src/engine/kernels/dot_avx512.c — the AVX-512 kernels (F, BW, VL, DQ and VNNI: Zen 4,
 * Ice Lake and later), twins of dot_avx2.c's that give the same bits.  Compiled for that
 * instruction set by the target pragma below (the rest of the library stays portable) and
 * called only when vers_simd_level() says the CPU has it (VERS_NO_AVX512=1 keeps to AVX2).
 * The type table (tensor.c) lists these sets above the AVX2 ones; a kernel missing here is
 * taken from the AVX2 set.
 *
 * VNNI's vpdpbusd sums the 4 u8 x s8 products of an int32 lane in one instruction: exactly
 * maddubs + madd's value wherever those cannot saturate (|w| <= 128, |x| <= 127, or nibbles
 * 0..15), so the integer sums, and the float sums built from them, are the AVX2 kernels'. */
#if defined(__clang__)
#include "engine/kernels/dot_x86.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")
#include "engine/kernels/dot_x86.h"
#endif
#include "engine/tensor.h"

/* ---- Q8_0 ---- */

/* The Q8_0 prompt product on 512-bit registers: 16 rows per tile, twice gemm_q8_0.inc's 8.
 * Register j of block b holds bytes 4j..4j+3 of the 16 rows (row r in int32 lane r), so a
 * token's bytes 4j..4j+3, broadcast, give lane j of ggml's 8 float lanes for all 16 rows in
 * one dpbusd; accumulator j is fma'd with the rows' d_w x d_x, block after block, and the 8
 * are added at the end in hsum_float_8's order: the single dot product's bits.  dpbusd wants
 * unsigned bytes on one side and AVX-512 has no vpsignb, so the token's bytes go in as
 * x + 128 (flipped top bit) and the sum starts at -128 sum(w) (the packed tile's correction,
 * exact): sum((x + 128) w) - 128 sum(w) = sum(x w), the same integer. */
typedef struct {
    __m512i w[IL_KC][8];      /* the 16 rows' bytes */
    __m512i c[IL_KC][8];      /* -128 x the 4-byte sums of w */
    __m512 d[IL_KC];          /* the 16 rows' d */
} q8_tile16;

static inline __attribute__((always_inline)) void q8_pack16(q8_tile16 *T, const uint8_t *const wr[16], int64_t k0, int64_t kc) {
    const __m512i one = _mm512_set1_epi8(1);
    for (int64_t b = 0; b < kc; b++) {
        const size_t off = (size_t)(k0 + b) * sizeof(block_q8_0);
        __m256i r[8], g0[8], g1[8];
        for (int k = 0; k < 8; k++) r[k] = _mm256_loadu_si256((const __m256i *)(wr[k] + off + 2));
        transpose8_epi32(r, g0);
        for (int k = 0; k < 8; k++) r[k] = _mm256_loadu_si256((const __m256i *)(wr[8 + k] + off + 2));
        transpose8_epi32(r, g1);
        for (int j = 0; j < 8; j++) {
            const __m512i wj = _mm512_inserti64x4(_mm512_castsi256_si512(g0[j]), g1[j], 1);
            T->w[b][j] = wj;
            T->c[b][j] = _mm512_sub_epi32(_mm512_setzero_si512(),
                                          _mm512_slli_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), one, wj), 7));
        }
        uint16_t dh[16];
        for (int k = 0; k < 16; k++) dh[k] = ld16(wr[k] + off);
        T->d[b] = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)dh));
    }
}

static inline __m512i bcast32_u(const int8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return _mm512_set1_epi32((int)(v ^ 0x80808080u));
}
/* acc += d * lane j of block b of token xb */
#define Q8L16(acc, d, xb, j) \
    acc = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(T.c[b][j], bcast32_u((xb)[b].qs + 4 * (j)), T.w[b][j])), acc)

static void gemm_q8_0_512(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                          const uint8_t *x, size_t ldx) {
    const int64_t nb = n / 32;
    q8_tile16 T;
    __m512 lacc[IL_NT][8];
    for (int64_t t0 = 0; t0 < nt; t0 += IL_NT) {
        const int64_t mt = nt - t0 < IL_NT ? nt - t0 : IL_NT;
        for (int64_t r0 = 0; r0 < nr; r0 += 16) {
            const uint8_t *wr[16];
            const int rn = tile_rows(w, ldw, r0, nr, 16, wr);
            for (int64_t t = 0; t < mt; t++)
                for (int j = 0; j < 8; j++) lacc[t][j] = _mm512_setzero_ps();
            for (int64_t k0 = 0; k0 < nb; k0 += IL_KC) {
                const int64_t kc = nb - k0 < IL_KC ? nb - k0 : IL_KC;
                q8_pack16(&T, wr, k0, kc);
                int64_t t = 0;
                for (; t + 2 <= mt; t += 2) {
                    const block_q8_0 *xa = (const block_q8_0 *)(x + (size_t)(t0 + t) * ldx) + k0;
                    const block_q8_0 *xc = (const block_q8_0 *)(x + (size_t)(t0 + t + 1) * ldx) + k0;
                    __m512 a[8], c[8];
                    for (int j = 0; j < 8; j++) { a[j] = lacc[t][j]; c[j] = lacc[t + 1][j]; }
                    for (int64_t b = 0; b < kc; b++) {
                        const __m512 da = _mm512_mul_ps(T.d[b], _mm512_set1_ps(h2f(xa[b].d)));
                        const __m512 dc = _mm512_mul_ps(T.d[b], _mm512_set1_ps(h2f(xc[b].d)));
#pragma GCC unroll 8
                        for (int j = 0; j < 8; j++) { Q8L16(a[j], da, xa, j); Q8L16(c[j], dc, xc, j); }
                    }
                    for (int j = 0; j < 8; j++) { lacc[t][j] = a[j]; lacc[t + 1][j] = c[j]; }
                }
                for (; t < mt; t++) {
                    const block_q8_0 *xa = (const block_q8_0 *)(x + (size_t)(t0 + t) * ldx) + k0;
                    __m512 a[8];
                    for (int j = 0; j < 8; j++) a[j] = lacc[t][j];
                    for (int64_t b = 0; b < kc; b++) {
                        const __m512 da = _mm512_mul_ps(T.d[b], _mm512_set1_ps(h2f(xa[b].d)));
#pragma GCC unroll 8
                        for (int j = 0; j < 8; j++) Q8L16(a[j], da, xa, j);
                    }
                    for (int j = 0; j < 8; j++) lacc[t][j] = a[j];
                }
            }
            const __mmask16 m = (__mmask16)((1u << rn) - 1);
            for (int64_t t = 0; t < mt; t++) {
                const __m512 *L = lacc[t];
                const __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(L[0], L[4]), _mm512_add_ps(L[2], L[6])),
                                                 _mm512_add_ps(_mm512_add_ps(L[1], L[5]), _mm512_add_ps(L[3], L[7])));
                _mm512_mask_storeu_ps(y + (t0 + t) * ldy + r0, m, sum);
            }
        }
    }
}
#undef Q8L16

/* decode over a thread's share of rows, one row after another (dot_avx2.c's rows_q8_0_avx2) */
static inline __m256 q8_0_lanes_vnni(const block_q8_0 *wb, __m256i xv) {
    const __m256i wv = _mm256_loadu_si256((const __m256i *)wb->qs);
    return _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv)));
}
static void rows_q8_0_vnni(int64_t n, int64_t nr, float *y, const uint8_t *w, const uint8_t *x) {
    const int64_t nb = n / 32;
    const block_q8_0 *xb = (const block_q8_0 *)x, *wb = (const block_q8_0 *)w;
    for (int64_t r = 0; r < nr; r++, wb += nb) {
        __m256 a0 = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; b++)
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(wb[b].d) * h2f(xb[b].d)),
                                 q8_0_lanes_vnni(wb + b, _mm256_loadu_si256((const __m256i *)xb[b].qs)), a0);
        y[r] = hsum_ggml8(a0);
    }
}

/* ---- Q4_0 prompt product (dot_x86.h's gemm_q4_0_tiles), the block sums by dpbusd ---- */
static inline __attribute__((always_inline)) __m256i il_block_isum_vnni(const il_tile *T, int64_t b, const block_q8_0 *xb) {
    __m256i s = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++) s = _mm256_dpbusd_epi32(s, T->w[b][j], bcast32(xb->qs + 4 * j));
    return s;
}
static inline __attribute__((always_inline)) void il_block_isum2_vnni(const il_tile *T, int64_t b, const block_q8_0 *x0,
                                                                      const block_q8_0 *x1, __m256i *i0, __m256i *i1) {
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++) {
        s0 = _mm256_dpbusd_epi32(s0, T->w[b][j], bcast32(x0->qs + 4 * j));
        s1 = _mm256_dpbusd_epi32(s1, T->w[b][j], bcast32(x1->qs + 4 * j));
    }
    *i0 = s0;
    *i1 = s1;
}
static void gemm_q4_0_vnni(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                           const uint8_t *x, size_t ldx) {
    gemm_q4_0_tiles(n, nr, nt, y, ldy, w, ldw, x, ldx, 0, il_block_isum_vnni, il_block_isum2_vnni);
}
static void gemm_q4_0x8_vnni(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                             const uint8_t *x, size_t ldx) {
    gemm_q4_0_tiles(n, nr, nt, y, ldy, w, ldw, x, ldx, 1, il_block_isum_vnni, il_block_isum2_vnni);
}

/* ---- repacked Q4_0: decode, one block of 8 rows (q4x8_blk_avx2 with dpbusd) ---- */
static inline __m256 q4x8_blk_vnni(const uint8_t *p, const int8_t *xq, int32_t xs8, float dx, __m256 acc) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    __m256i is = _mm256_set1_epi32(-xs8);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        const __m256i r = _mm256_loadu_si256((const __m256i *)(p + 32 * j));
        is = _mm256_dpbusd_epi32(is, _mm256_and_si256(r, m4), bcast32(xq + 4 * j));
        is = _mm256_dpbusd_epi32(is, _mm256_and_si256(_mm256_srli_epi16(r, 4), m4), bcast32(xq + 16 + 4 * j));
    }
    const __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 128))), _mm256_set1_ps(dx));
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(is), d, acc);
}

static void rows_q4_0x8_vnni(int64_t n, int64_t nr, float *y, const uint8_t *w, const uint8_t *x) {
    rows_q4_0x8_loop(n, nr, y, w, x, q4x8_blk_vnni);
}

/* ---- F32 / F16 batches in tinyBLAS's order ---- */
/* The 16-lane sums with AVX-512: one zmm register is one output's 16 lanes (lane l takes
 * k = l mod 16 in increasing k, folded by hsum16: the AVX2 and scalar kernels' bits).
 * Register tile 6 rows x 4 tokens: 24 accumulators, the 6 rows' vectors held while the 4
 * tokens' are loaded in turn (31 of 32 registers), 10 loads per 24 FMAs.  F16 rows are
 * converted to F32 once per block of 64 tokens into a stack buffer (rows up to G16_MAXN
 * values; longer ones are converted as they are loaded), so that in the inner loop only the
 * tokens' vectors are converted (4 per 24 FMAs, against 8 per 16 in a 4 x 4 tile converting
 * both: the conversions share the FMA pipes on Zen 4). */
#define G16_MAXN 4096
static inline __m512 load16(const uint8_t *p, int64_t i, const wkind k) {
    if (k == WF32) return _mm512_loadu_ps((const float *)p + i);
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p + 2 * i)));
}
static inline float hsum16_512(__m512 a) {
    return hsum16(_mm512_castps512_ps256(a), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
}
static inline __attribute__((always_inline)) void gemm16_512(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy,
                                                             const uint8_t *w, size_t ldw, const uint8_t *x,
                                                             size_t ldx, const wkind k) {
    const int64_t TT = 64;
    float wbuf[6 * G16_MAXN] __attribute__((aligned(64)));
    const int conv = k == WF16 && n <= G16_MAXN;   /* rows converted once (else on load) */
    const wkind wk = conv ? WF32 : k;               /* how the rows' vectors are loaded */
    for (int64_t t0 = 0; t0 < nt; t0 += TT) {
        const int64_t t1 = t0 + TT < nt ? t0 + TT : nt;
        for (int64_t r0 = 0; r0 < nr; r0 += 6) {
            const uint8_t *wr[6];
            const int rn = tile_rows(w, ldw, r0, nr, 6, wr);
            if (conv) {
                for (int r = 0; r < rn; r++) {
                    float *d = wbuf + (size_t)r * (size_t)n;
                    for (int64_t i = 0; i < n; i += 16) _mm512_store_ps(d + i, load16(wr[r], i, WF16));
                    wr[r] = (const uint8_t *)d;
                }
                for (int r = rn; r < 6; r++) wr[r] = wr[0];
            }
            int64_t t = t0;
            for (; t + 4 <= t1; t += 4) {
                const uint8_t *x0 = x + (size_t)t * ldx, *x1 = x0 + ldx, *x2 = x1 + ldx, *x3 = x2 + ldx;
                __m512 a[24];
#pragma GCC unroll 24
                for (int j = 0; j < 24; j++) a[j] = _mm512_setzero_ps();
                for (int64_t i = 0; i < n; i += 16) {
                    __m512 wv[6];
#pragma GCC unroll 6
                    for (int r = 0; r < 6; r++) wv[r] = load16(wr[r], i, wk);
                    __m512 xv = load16(x0, i, k);
#pragma GCC unroll 6
                    for (int r = 0; r < 6; r++) a[r] = _mm512_fmadd_ps(wv[r], xv, a[r]);
                    xv = load16(x1, i, k);
#pragma GCC unroll 6
                    for (int r = 0; r < 6; r++) a[6 + r] = _mm512_fmadd_ps(wv[r], xv, a[6 + r]);
                    xv = load16(x2, i, k);
#pragma GCC unroll 6
                    for (int r = 0; r < 6; r++) a[12 + r] = _mm512_fmadd_ps(wv[r], xv, a[12 + r]);
                    xv = load16(x3, i, k);
#pragma GCC unroll 6
                    for (int r = 0; r < 6; r++) a[18 + r] = _mm512_fmadd_ps(wv[r], xv, a[18 + r]);
                }
                for (int j = 0; j < 4; j++)
                    for (int r = 0; r < rn; r++) y[(t + j) * ldy + r0 + r] = hsum16_512(a[6 * j + r]);
            }
            for (; t < t1; t++) {   /* the last tokens one at a time */
                const uint8_t *x0 = x + (size_t)t * ldx;
                __m512 a[6];
#pragma GCC unroll 6
                for (int j = 0; j < 6; j++) a[j] = _mm512_setzero_ps();
                for (int64_t i = 0; i < n; i += 16) {
                    const __m512 xv = load16(x0, i, k);
#pragma GCC unroll 6
                    for (int r = 0; r < 6; r++) a[r] = _mm512_fmadd_ps(load16(wr[r], i, wk), xv, a[r]);
                }
                for (int r = 0; r < rn; r++) y[t * ldy + r0 + r] = hsum16_512(a[r]);
            }
        }
    }
}
static void gemm16_512_f32(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                                       const uint8_t *x, size_t ldx) {
    gemm16_512(n, nr, nt, y, ldy, w, ldw, x, ldx, WF32);
}
static void gemm16_512_f16(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                                       const uint8_t *x, size_t ldx) {
    gemm16_512(n, nr, nt, y, ldy, w, ldw, x, ldx, WF16);
}

const vk_kernels vk_avx512_f32 = { .gemm16 = gemm16_512_f32 };
const vk_kernels vk_avx512_f16 = { .gemm16 = gemm16_512_f16 };
const vk_kernels vk_avx512_q8_0 = { .gemm = gemm_q8_0_512, .rows = rows_q8_0_vnni };
const vk_kernels vk_avx512_q4_0 = { .gemm = gemm_q4_0_vnni };
const vk_kernels vk_avx512_q4_0x8 = { .gemm = gemm_q4_0x8_vnni, .rows = rows_q4_0x8_vnni };

#if defined(__clang__)
#pragma clang attribute pop
#endif
