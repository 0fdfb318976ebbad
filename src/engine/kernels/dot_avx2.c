/* src/engine/kernels/dot_avx2.c — AVX2/FMA twins of dot_scalar.c, as tile kernels: up to
 * 4 weight rows against a run of tokens, so that a row block fetched from memory is used
 * for every token while it sits in L1 (prompt processing) and 4 independent sums hide the
 * add latency (decode).  Compiled with -mavx2 -mfma -mf16c; called only when the CPU has
 * them (vers_simd_level() >= VERS_ISA_AVX2).  The AVX-512 kernels are in dot_avx512.c, the
 * pieces both use in dot_x86.h; which kernel runs is said by the type table (tensor.c),
 * from the kernel sets at the end of each file.
 *
 * Tiles take up to 8 rows.  Decode (one token): Q8_0 4 rows at a time (row by row for
 * matrices larger than the cache: one memory stream), Q4_0 8 rows (or a repacked group of 8),
 * K-quants row by row; prompts: Q8_0/Q4_0 through the interleaved 8-row tile, K-quants 4 rows
 * x 2 tokens.  Every output is computed in llama.cpp's order (dot_scalar.c), so the scalar
 * twin, decode and prompt kernels all give the same bits.  Float types use FMA accumulators
 * in ggml_vec_dot's / tinyBLAS's lane orders, also bit for bit with the scalar twins.
 * A single dot product is the 1 x 1 tile, so decode and prompt give identical values. */
#include "engine/kernels/dot_x86.h"
#include "engine/tensor.h"
#include <math.h>
#include <stdlib.h>

/* The Q8_0 prompt product (gemm_q8_0.inc); dot_avx512.c instantiates it once more with
 * VNNI's dpbusd. */
#define GEMM_Q8_0_NAME gemm_q8_0
#define GEMM_Q8_0_ATTR
#define GEMM_Q8_0_DOT(a, s) _mm256_madd_epi16(_mm256_maddubs_epi16(a, s), _mm256_set1_epi16(1))
#include "engine/kernels/gemm_q8_0.inc"
#undef GEMM_Q8_0_NAME
#undef GEMM_Q8_0_ATTR
#undef GEMM_Q8_0_DOT
static void gemm_q4_0(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                      const uint8_t *x, size_t ldx) {
    gemm_q4_0_tiles(n, nr, nt, y, ldy, w, ldw, x, ldx, 0, il_block_isum, il_block_isum2);
}
static void gemm_q4_0x8(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                         const uint8_t *x, size_t ldx) {
    gemm_q4_0_tiles(n, nr, nt, y, ldy, w, ldw, x, ldx, 1, il_block_isum, il_block_isum2);
}

/* Q8_0 x Q8_0, one token, in ggml_vec_dot_q8_0_q8_0's order (vk_dot_q8_0_scalar): per row 8
 * float lanes, lane l = the integer sum of products 4l..4l+3 of a block, fma'd with
 * d_w * d_x.  Two rows at a time (two independent FMA chains), rows streamed in order. */
static inline __m256 q8_0_lanes(const block_q8_0 *wb, __m256i xv) {
    const __m256i wv = _mm256_loadu_si256((const __m256i *)wb->qs);
    const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv)),
                                        _mm256_set1_epi16(1));
    return _mm256_cvtepi32_ps(p);
}
static void q8_0_rows(int64_t nb, const uint8_t *w, size_t ldw, int nr, const block_q8_0 *xb, float *y) {
    int r = 0;
    for (; r + 4 <= nr; r += 4) {
        const block_q8_0 *w0 = (const block_q8_0 *)(w + (size_t)r * ldw), *w1 = (const block_q8_0 *)(w + (size_t)(r + 1) * ldw);
        const block_q8_0 *w2 = (const block_q8_0 *)(w + (size_t)(r + 2) * ldw), *w3 = (const block_q8_0 *)(w + (size_t)(r + 3) * ldw);
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; b++) {
            const __m256i xv = _mm256_loadu_si256((const __m256i *)xb[b].qs);
            const float dx = h2f(xb[b].d);
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w0[b].d) * dx), q8_0_lanes(w0 + b, xv), a0);
            a1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w1[b].d) * dx), q8_0_lanes(w1 + b, xv), a1);
            a2 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w2[b].d) * dx), q8_0_lanes(w2 + b, xv), a2);
            a3 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w3[b].d) * dx), q8_0_lanes(w3 + b, xv), a3);
        }
        y[r] = hsum_ggml8(a0); y[r + 1] = hsum_ggml8(a1); y[r + 2] = hsum_ggml8(a2); y[r + 3] = hsum_ggml8(a3);
    }
    for (; r + 2 <= nr; r += 2) {
        const block_q8_0 *w0 = (const block_q8_0 *)(w + (size_t)r * ldw), *w1 = (const block_q8_0 *)(w + (size_t)(r + 1) * ldw);
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; b++) {
            const __m256i xv = _mm256_loadu_si256((const __m256i *)xb[b].qs);
            const float dx = h2f(xb[b].d);
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w0[b].d) * dx), q8_0_lanes(w0 + b, xv), a0);
            a1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w1[b].d) * dx), q8_0_lanes(w1 + b, xv), a1);
        }
        y[r] = hsum_ggml8(a0);
        y[r + 1] = hsum_ggml8(a1);
    }
    for (; r < nr; r++) {
        const block_q8_0 *w0 = (const block_q8_0 *)(w + (size_t)r * ldw);
        __m256 a0 = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; b++)
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w0[b].d) * h2f(xb[b].d)),
                                 q8_0_lanes(w0 + b, _mm256_loadu_si256((const __m256i *)xb[b].qs)), a0);
        y[r] = hsum_ggml8(a0);
    }
}

/* Q8_0 decode over a thread's whole share of rows (vk_rows_fn), one row after another in
 * q8_0_rows' order: +2-8% over a call per row (in-process A/B, 134M Q8_0, 2 threads).  Two
 * rows at a time, 816 bytes apart, halved the speed from memory on this CPU (two streams
 * defeat its prefetch), as four did before. */
static void rows_q8_0_avx2(int64_t n, int64_t nr, float *y, const uint8_t *w, const uint8_t *x) {
    const int64_t nb = n / 32;
    const block_q8_0 *xb = (const block_q8_0 *)x, *wb = (const block_q8_0 *)w;
    for (int64_t r = 0; r < nr; r++, wb += nb) {
        __m256 a0 = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; b++)
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(wb[b].d) * h2f(xb[b].d)),
                                 q8_0_lanes(wb + b, _mm256_loadu_si256((const __m256i *)xb[b].qs)), a0);
        y[r] = hsum_ggml8(a0);
    }
}

static void rows_q4_0x8_avx2(int64_t n, int64_t nr, float *y, const uint8_t *w, const uint8_t *x) {
    rows_q4_0x8_loop(n, nr, y, w, x, q4x8_blk_avx2);
}
static void tile_q4_0x8(int64_t n, int nr, int nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                         const uint8_t *x, size_t ldx) {
    if (nt > 1) {
        gemm_q4_0_tiles(n, nr, nt, y, ldy, w, ldw, x, ldx, 1, il_block_isum, il_block_isum2);
        return;
    }
    q4_0x8_1tok(n / 32, w, (const block_q8_0 *)x, y, nr);
}

/* Up to 8 rows: several tokens through the prompt product, one token (decode) through 8 x 1. */
static inline void tile_q0(int64_t n, int nr, int nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                           const uint8_t *x, size_t ldx, const int q4) {
    if (nt > 1) {
        if (q4) gemm_q4_0_tiles(n, nr, nt, y, ldy, w, ldw, x, ldx, 0, il_block_isum, il_block_isum2);
        else gemm_q8_0(n, nr, nt, y, ldy, w, ldw, x, ldx);
        return;
    }
    if (!q4) {
        q8_0_rows(n / 32, w, ldw, nr, (const block_q8_0 *)x, y);
        return;
    }
    const uint8_t *wr[8];
    for (int r = 0; r < 8; r++) wr[r] = w + (size_t)(r < nr ? r : 0) * ldw;
    q4_0_8x1(n / 32, wr, (const block_q8_0 *)x, y, nr);
}

static void tile_q8_0(int64_t n, int nr, int nt, float *y, int64_t ldy,
                      const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx) {
    tile_q0(n, nr, nt, y, ldy, w, ldw, x, ldx, 0);
}
static void tile_q4_0(int64_t n, int nr, int nt, float *y, int64_t ldy,
                      const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx) {
    tile_q0(n, nr, nt, y, ldy, w, ldw, x, ldx, 1);
}

/* ---- K-quants x Q8_K ---- */
/* Q4_K (q5 = 0) and Q5_K (q5 = 1) share everything but the fifth bit.  Lanes as
 * ggml_vec_dot_q4_K_q8_K / _q5_K_q8_K (vk_dot_q4_K_scalar): per super-block the 8 int32
 * lanes of scale x products, fma'd with d into 8 float lanes; the mins products (4 int32
 * lanes, sub-blocks 2m and 2m + 1) fma'd with -dmin into 4 lanes (Q4_K) or summed and added
 * to a float (Q5_K). */
static inline __m256i q45_K_isum(const uint8_t *blk, const int8_t *q8, const uint8_t sm[16], const int q5) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), one8 = _mm256_set1_epi8(1);
    const uint8_t *qs = q5 ? blk + 4 + 12 + 32 : blk + 4 + 12;
    const __m256i hb = q5 ? _mm256_loadu_si256((const __m256i *)(blk + 4 + 12)) : _mm256_setzero_si256();
    __m256i sum = _mm256_setzero_si256();
    for (int j = 0; j < 4; j++) {
        const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * j));
        __m256i lo = _mm256_and_si256(q, m4);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
        if (q5) {
            lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * j), one8), 4));
            hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * j + 1), one8), 4));
        }
        const __m256i plo = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(q8 + 64 * j)));
        const __m256i phi = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(q8 + 64 * j + 32)));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(plo, _mm256_set1_epi16(sm[2 * j])));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(phi, _mm256_set1_epi16(sm[2 * j + 1])));
    }
    return sum;
}
/* bsums of each 32-value sub-block (pairs of 16-sums) */
static inline __m128i q8K_bs32(const block_q8_K *xb) {
    return _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)xb->bsums), _mm_loadu_si128((const __m128i *)xb->bsums + 1));
}
static inline float q45_K_1x1(int64_t nb, const uint8_t *row, const block_q8_K *xb, const int q5) {
    const size_t bsz = q5 ? sizeof(block_q5_K) : sizeof(block_q4_K);
    __m256 acc = _mm256_setzero_ps();
    __m128 accm = _mm_setzero_ps();
    float summs = 0;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *blk = row + (size_t)b * bsz;
        uint8_t sm[16];
        unpack_k4_scales(blk + 4, sm);
        const __m128i prod = _mm_madd_epi16(_mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sm + 8))), q8K_bs32(xb + b));
        const float dmin = -xb[b].d * h2f(ld16(blk + 2));
        if (q5) summs = summs + dmin * (float)hsum_i32x4(prod);
        else accm = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(prod), accm);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(xb[b].d * h2f(ld16(blk))), _mm256_cvtepi32_ps(q45_K_isum(blk, xb[b].qs, sm, q5)), acc);
    }
    return hsum_ggml8(acc) + (q5 ? summs : hsum_ggml4(accm));
}
/* Decode rows of Q4_K: the token's 32-value bsums computed once per tile; scales and mins
 * widened with one conversion per super-block (ggml's layout: 8 scales then 8 mins as
 * int16), each sub-block's scale broadcast by a byte shuffle.  The same lanes as q45_K_1x1. */
static const uint8_t q4k_scale_shuffle[8][32] = {
#define S2(i) (uint8_t)(2 * (i)), (uint8_t)(2 * (i) + 1)
#define S16(i) S2(i), S2(i), S2(i), S2(i), S2(i), S2(i), S2(i), S2(i)
    {S16(0), S16(0)}, {S16(1), S16(1)}, {S16(2), S16(2)}, {S16(3), S16(3)},
    {S16(4), S16(4)}, {S16(5), S16(5)}, {S16(6), S16(6)}, {S16(7), S16(7)}};
#undef S16
#undef S2
#define Q4K_MAXNB 64
static void q4_K_rows(int64_t nb, const uint8_t *w, size_t ldw, int nr, const block_q8_K *xb, float *y) {
    if (nb > Q4K_MAXNB) {
        for (int r = 0; r < nr; r++) y[r] = q45_K_1x1(nb, w + (size_t)r * ldw, xb, 0);
        return;
    }
    __m128i bs[Q4K_MAXNB];
    for (int64_t b = 0; b < nb; b++) bs[b] = q8K_bs32(xb + b);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    for (int r = 0; r < nr; r++) {
        const block_q4_K *wb = (const block_q4_K *)(w + (size_t)r * ldw);
        __m256 acc = _mm256_setzero_ps();
        __m128 accm = _mm_setzero_ps();
        for (int64_t b = 0; b < nb; b++) {
            uint8_t sm[16];
            unpack_k4_scales(wb[b].scales, sm);
            const __m256i ms = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)sm));   /* 8 scales, 8 mins */
            const __m128i prod = _mm_madd_epi16(_mm256_extracti128_si256(ms, 1), bs[b]);
            accm = _mm_fmadd_ps(_mm_set1_ps(-xb[b].d * h2f(wb[b].dmin)), _mm_cvtepi32_ps(prod), accm);
            const __m256i scales = _mm256_permute2x128_si256(ms, ms, 0x00);
            const int8_t *q8 = xb[b].qs;
            __m256i sum = _mm256_setzero_si256();
            for (int j = 0; j < 4; j++) {
                const __m256i q = _mm256_loadu_si256((const __m256i *)(wb[b].qs + 32 * j));
                const __m256i sl = _mm256_shuffle_epi8(scales, _mm256_loadu_si256((const __m256i *)q4k_scale_shuffle[2 * j]));
                const __m256i sh = _mm256_shuffle_epi8(scales, _mm256_loadu_si256((const __m256i *)q4k_scale_shuffle[2 * j + 1]));
                const __m256i plo = _mm256_maddubs_epi16(_mm256_and_si256(q, m4), _mm256_loadu_si256((const __m256i *)(q8 + 64 * j)));
                const __m256i phi = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4),
                                                         _mm256_loadu_si256((const __m256i *)(q8 + 64 * j + 32)));
                sum = _mm256_add_epi32(sum, _mm256_add_epi32(_mm256_madd_epi16(sl, plo), _mm256_madd_epi16(sh, phi)));
            }
            acc = _mm256_fmadd_ps(_mm256_set1_ps(xb[b].d * h2f(wb[b].d)), _mm256_cvtepi32_ps(sum), acc);
        }
        y[r] = hsum_ggml8(acc) + hsum_ggml4(accm);
    }
}
static inline void tile_q45_K(int64_t n, int nr, int nt, float *y, int64_t ldy, const uint8_t *w,
                              size_t ldw, const uint8_t *x, size_t ldx, const int q5) {
    for (int t = 0; t < nt; t++) {
        if (!q5) { q4_K_rows(n / QK_K, w, ldw, nr, (const block_q8_K *)(x + (size_t)t * ldx), y + t * ldy); continue; }
        for (int r = 0; r < nr; r++)
            y[t * ldy + r] = q45_K_1x1(n / QK_K, w + (size_t)r * ldw, (const block_q8_K *)(x + (size_t)t * ldx), q5);
    }
}

static void tile_q4_K_4(int64_t n, int nr, int nt, float *y, int64_t ldy,
                      const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx) {
    tile_q45_K(n, nr, nt, y, ldy, w, ldw, x, ldx, 0);
}
static void tile_q5_K_4(int64_t n, int nr, int nt, float *y, int64_t ldy,
                      const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx) {
    tile_q45_K(n, nr, nt, y, ldy, w, ldw, x, ldx, 1);
}

static inline __m256i scale_pair(int8_t a, int8_t b) {
    return _mm256_set_m128i(_mm_set1_epi16(b), _mm_set1_epi16(a));
}

/* Q6_K in ggml_vec_dot_q6_K_q8_K's lanes (vk_dot_q6_K_scalar): (q - 32) x q8 in int16 pairs
 * (maddubs(q, q8) - maddubs(32, q8)), times the scale of each 16 values, 8 int32 lanes. */
static inline __m256i q6_K_unpack(const uint8_t *ql, const uint8_t *qh, int k) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    const __m256i l = _mm256_loadu_si256((const __m256i *)(ql + 32 * (k & 1)));
    const __m256i hh = _mm256_loadu_si256((const __m256i *)qh);
    const __m256i lo = k < 2 ? _mm256_and_si256(l, m4) : _mm256_and_si256(_mm256_srli_epi16(l, 4), m4);
    /* ((hh >> 2k) & 3) << 4 with one shift at most (q6_K_rows) */
    const __m256i hi = k == 0 ? _mm256_slli_epi16(hh, 4) : k == 1 ? _mm256_slli_epi16(hh, 2) : k == 2 ? hh : _mm256_srli_epi16(hh, 2);
    return _mm256_or_si256(lo, _mm256_and_si256(hi, m30));
}
static inline __m256i q6_K_chunk(__m256i q, const int8_t *q8, __m256i scp) {
    const __m256i x = _mm256_loadu_si256((const __m256i *)q8);
    const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q, x), _mm256_maddubs_epi16(_mm256_set1_epi8(32), x));
    return _mm256_madd_epi16(p, scp);
}
static inline float q6_K_1x1(int64_t nb, const block_q6_K *wb, const block_q8_K *xb) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *ql = wb[b].ql, *qh = wb[b].qh;
        const int8_t *sc = wb[b].scales, *q8 = xb[b].qs;
        __m256i sum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            for (int k = 0; k < 4; k++)
                sum = _mm256_add_epi32(sum, q6_K_chunk(q6_K_unpack(ql, qh, k), q8 + 32 * k, scale_pair(sc[2 * k], sc[2 * k + 1])));
            ql += 64; qh += 32; q8 += 128; sc += 8;
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(xb[b].d * h2f(wb[b].d)), _mm256_cvtepi32_ps(sum), acc);
    }
    return hsum_ggml8(acc);
}
/* Decode rows of Q6_K: the token's 32 x q8 terms (maddubs(32, x), the "- 32" of every
 * weight) computed once for all the rows, scales widened once per super-block and picked per
 * chunk with a byte shuffle; the same lanes as q6_K_1x1.  (Widening once and the one-shift
 * high bits: +5-20% from L2.) */
/* int16 lanes 0-7 <- element 2k, lanes 8-15 <- element 2k + 1 of a 128-bit half of 8 int16 */
#define P2(e) (uint8_t)(2 * (e)), (uint8_t)(2 * (e) + 1)
#define P8(e) P2(e), P2(e), P2(e), P2(e), P2(e), P2(e), P2(e), P2(e)
static const uint8_t q6_scale_pick[4][32] = { {P8(0), P8(1)}, {P8(2), P8(3)}, {P8(4), P8(5)}, {P8(6), P8(7)} };
#undef P8
#undef P2
#define Q6_MAXNB 64   /* super-blocks per row with precomputed x terms (16384 values) */
static void q6_K_rows(int64_t nb, const uint8_t *w, size_t ldw, int nr, const block_q8_K *xb, float *y) {
    if (nb > Q6_MAXNB) {
        for (int r = 0; r < nr; r++) y[r] = q6_K_1x1(nb, (const block_q6_K *)(w + (size_t)r * ldw), xb);
        return;
    }
    __m256i x32[Q6_MAXNB][8];
    for (int64_t b = 0; b < nb; b++)
        for (int c = 0; c < 8; c++)
            x32[b][c] = _mm256_maddubs_epi16(_mm256_set1_epi8(32), _mm256_loadu_si256((const __m256i *)(xb[b].qs + 32 * c)));
    const __m256i m4 = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    for (int r = 0; r < nr; r++) {
        const block_q6_K *wb = (const block_q6_K *)(w + (size_t)r * ldw);
        __m256 acc = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; b++) {
            const __m256i s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)wb[b].scales));
            const __m256i sc16[2] = { _mm256_permute4x64_epi64(s16, 0x44), _mm256_permute4x64_epi64(s16, 0xEE) };
            const uint8_t *ql = wb[b].ql, *qh = wb[b].qh;
            const int8_t *q8 = xb[b].qs;
            __m256i sum = _mm256_setzero_si256();
            for (int h = 0; h < 2; h++) {
                const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql), l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
                const __m256i hh = _mm256_loadu_si256((const __m256i *)qh);
                /* the two high bits of each quant moved to bits 4-5 with one shift at most:
                 * ((hh >> 2j) & 3) << 4 == (hh << (4 - 2j)) & 0x30 (bits 4-5 of a byte come
                 * from its own bits, whatever a 16-bit shift carries in from the other byte) */
                const __m256i q[4] = {
                    _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 4), m30)),
                    _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hh, 2), m30)),
                    _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_and_si256(hh, m30)),
                    _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_and_si256(_mm256_srli_epi16(hh, 2), m30))};
                for (int k = 0; k < 4; k++) {
                    /* scales widened once per super-block (sc16: scales 0-7, then 8-15, in
                     * both 128-bit halves); a byte shuffle within the halves picks scale
                     * 2c for int16 lanes 0-7 and 2c + 1 for lanes 8-15 */
                    const __m256i scp = _mm256_shuffle_epi8(sc16[h], _mm256_loadu_si256((const __m256i *)q6_scale_pick[k]));
                    const __m256i xv = _mm256_loadu_si256((const __m256i *)(q8 + 32 * k));
                    const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q[k], xv), x32[b][4 * h + k]);
                    sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p, scp));
                }
                ql += 64; qh += 32; q8 += 128;
            }
            acc = _mm256_fmadd_ps(_mm256_set1_ps(xb[b].d * h2f(wb[b].d)), _mm256_cvtepi32_ps(sum), acc);
        }
        y[r] = hsum_ggml8(acc);
    }
}
static void tile_q6_K_4(int64_t n, int nr, int nt, float *y, int64_t ldy,
                        const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx) {
    for (int t = 0; t < nt; t++)
        q6_K_rows(n / QK_K, w, ldw, nr, (const block_q8_K *)(x + (size_t)t * ldx), y + t * ldy);
}

/* ---- float types: 4 rows x 2 tokens of 8-lane FMA accumulators ---- */

static inline __m256 load_w8(const uint8_t *p, int64_t i, wkind k) {
    if (k == WF32) return _mm256_loadu_ps((const float *)p + i);
    if (k == WF16) return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 2 * i)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(
        _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p + 2 * i))), 16));
}
static inline float load_w1(const uint8_t *p, int64_t i, wkind k) {
    if (k == WF32) { float f; memcpy(&f, p + 4 * i, 4); return f; }
    uint16_t h = ld16(p + 2 * i);
    if (k == WF16) return h2f(h);
    uint32_t u = (uint32_t)h << 16; float f; memcpy(&f, &u, 4); return f;
}
/* activations: F32 for F32/BF16 weights, F16 for F16 weights */
static inline __m256 load_x8(const uint8_t *p, int64_t i, wkind k) {
    if (k == WF16) return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 2 * i)));
    return _mm256_loadu_ps((const float *)p + i);
}
static inline float load_x1(const uint8_t *p, int64_t i, wkind k) {
    if (k == WF16) return h2f(ld16(p + 2 * i));
    float f; memcpy(&f, p + 4 * i, 4); return f;
}

static inline __attribute__((always_inline)) void tile_float(int64_t n, int nr, int nt, float *y, int64_t ldy, const uint8_t *w,
                              size_t ldw, const uint8_t *x, size_t ldx, const wkind k) {
    const uint8_t *wr[4];
    row_ptrs(w, ldw, nr, wr);
    const int64_t n8 = n & ~(int64_t)7;
    int t = 0;
    for (; t + 2 <= nt; t += 2) {
        const uint8_t *x0 = x + (size_t)t * ldx, *x1 = x0 + ldx;
        __m256 a[4][2];
        for (int r = 0; r < 4; r++) a[r][0] = a[r][1] = _mm256_setzero_ps();
        for (int64_t i = 0; i < n8; i += 8) {
            const __m256 xv0 = load_x8(x0, i, k), xv1 = load_x8(x1, i, k);
#pragma GCC unroll 4
            for (int r = 0; r < 4; r++) {
                const __m256 wv = load_w8(wr[r], i, k);
                a[r][0] = _mm256_fmadd_ps(wv, xv0, a[r][0]);
                a[r][1] = _mm256_fmadd_ps(wv, xv1, a[r][1]);
            }
        }
        float h[8];
        _mm256_storeu_ps(h, hsum8x8_ps(a[0][0], a[1][0], a[2][0], a[3][0], a[0][1], a[1][1], a[2][1], a[3][1]));
        for (int r = 0; r < nr; r++)
            for (int u = 0; u < 2; u++) {
                const uint8_t *xu = u ? x1 : x0;
                float s = h[4 * u + r];
                for (int64_t i = n8; i < n; i++) s += load_w1(wr[r], i, k) * load_x1(xu, i, k);
                y[(t + u) * ldy + r] = s;
            }
    }
    for (; t < nt; t++) {
        const uint8_t *x0 = x + (size_t)t * ldx;
        __m256 a[4];
        for (int r = 0; r < 4; r++) a[r] = _mm256_setzero_ps();
        for (int64_t i = 0; i < n8; i += 8) {
            const __m256 xv0 = load_x8(x0, i, k);
#pragma GCC unroll 4
            for (int r = 0; r < 4; r++) a[r] = _mm256_fmadd_ps(load_w8(wr[r], i, k), xv0, a[r]);
        }
        float h[8];
        const __m256 z = _mm256_setzero_ps();
        _mm256_storeu_ps(h, hsum8x8_ps(a[0], a[1], a[2], a[3], z, z, z, z));
        for (int r = 0; r < nr; r++) {
            float s = h[r];
            for (int64_t i = n8; i < n; i++) s += load_w1(wr[r], i, k) * load_x1(x0, i, k);
            y[t * ldy + r] = s;
        }
    }
}

static void tile_bf16_4(int64_t n, int nr, int nt, float *y, int64_t ldy,
                      const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx) {
    tile_float(n, nr, nt, y, ldy, w, ldw, x, ldx, WBF16);
}

/* ---- F32 / F16: llama.cpp's orders (see dot_scalar.c), bit for bit with the scalar twins ---- */

/* One token (ggml_vec_dot_f32/_f16): 4 x 16 lanes over steps of 64, folded 0+2, 1+3, 0+1. */
static inline __attribute__((always_inline)) float gemv_float(int64_t n, const uint8_t *w, const uint8_t *x, const wkind k) {
    __m256 a[8];
    for (int j = 0; j < 8; j++) a[j] = _mm256_setzero_ps();
    const int64_t np = n & ~(int64_t)63;
    for (int64_t i = 0; i < np; i += 64) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++) a[j] = _mm256_fmadd_ps(load_w8(w, i + 8 * j, k), load_x8(x, i + 8 * j, k), a[j]);
    }
    /* accumulator j is a[2j] (lanes 0..7), a[2j+1] (lanes 8..15) */
    const __m256 lo = _mm256_add_ps(_mm256_add_ps(a[0], a[4]), _mm256_add_ps(a[2], a[6]));
    const __m256 hi = _mm256_add_ps(_mm256_add_ps(a[1], a[5]), _mm256_add_ps(a[3], a[7]));
    const float r = hsum16(lo, hi);
    if (k == WF16) {
        double sum = r;
        for (int64_t i = np; i < n; i++) sum += (double)(load_w1(w, i, k) * load_x1(x, i, k));
        return (float)sum;
    }
    float sum = r;
    for (int64_t i = np; i < n; i++) sum = fmaf(load_w1(w, i, k), load_x1(x, i, k), sum);
    return sum;
}

/* ggml_vec_dot's order for one token over nr rows.  The main parts stream row after row;
 * the n % 64 leftovers (a serial chain per row: double adds for F16, fmaf for F32) then run
 * 4 rows at a time in vector lanes, each lane doing its row's scalar operations in order
 * (same bits), so the chains overlap instead of costing ~4 cycles per element per row. */
static inline __attribute__((always_inline)) void tile_gemv(int64_t n, int nr, int nt, float *y, int64_t ldy, const uint8_t *w,
                                                            size_t ldw, const uint8_t *x, size_t ldx, const wkind k) {
    const int64_t np = n & ~(int64_t)63;
    for (int t = 0; t < nt; t++) {
        const uint8_t *xt = x + (size_t)t * ldx;
        float *yt = y + t * ldy;
        if (np == n) {
            for (int r = 0; r < nr; r++) yt[r] = gemv_float(n, w + (size_t)r * ldw, xt, k);
            continue;
        }
        float main_part[8];
        for (int r = 0; r < nr; r++) main_part[r] = gemv_float(np, w + (size_t)r * ldw, xt, k);
        int r = 0;
        for (; r + 4 <= nr; r += 4) {
            const uint8_t *w0 = w + (size_t)r * ldw, *w1 = w0 + ldw, *w2 = w1 + ldw, *w3 = w2 + ldw;
            if (k == WF16) {
                __m256d sum = _mm256_cvtps_pd(_mm_loadu_ps(main_part + r));
                for (int64_t i = np; i < n; i++) {
                    const __m128 wv = _mm_setr_ps(load_w1(w0, i, k), load_w1(w1, i, k), load_w1(w2, i, k), load_w1(w3, i, k));
                    sum = _mm256_add_pd(sum, _mm256_cvtps_pd(_mm_mul_ps(wv, _mm_set1_ps(load_x1(xt, i, k)))));
                }
                _mm_storeu_ps(yt + r, _mm256_cvtpd_ps(sum));
            } else {
                __m128 sum = _mm_loadu_ps(main_part + r);
                for (int64_t i = np; i < n; i++) {
                    const __m128 wv = _mm_setr_ps(load_w1(w0, i, k), load_w1(w1, i, k), load_w1(w2, i, k), load_w1(w3, i, k));
                    sum = _mm_fmadd_ps(wv, _mm_set1_ps(load_x1(xt, i, k)), sum);
                }
                _mm_storeu_ps(yt + r, sum);
            }
        }
        for (; r < nr; r++) {
            const uint8_t *wr = w + (size_t)r * ldw;
            if (k == WF16) {
                double sum = main_part[r];
                for (int64_t i = np; i < n; i++) sum += (double)(load_w1(wr, i, k) * load_x1(xt, i, k));
                yt[r] = (float)sum;
            } else {
                float sum = main_part[r];
                for (int64_t i = np; i < n; i++) sum = fmaf(load_w1(wr, i, k), load_x1(xt, i, k), sum);
                yt[r] = sum;
            }
        }
    }
}
static void tile_f32(int64_t n, int nr, int nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                     const uint8_t *x, size_t ldx) {
    tile_gemv(n, nr, nt, y, ldy, w, ldw, x, ldx, WF32);
}
static void tile_f16(int64_t n, int nr, int nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                     const uint8_t *x, size_t ldx) {
    tile_gemv(n, nr, nt, y, ldy, w, ldw, x, ldx, WF16);
}

/* Batches (tinyBLAS): one 16-lane accumulator per output, lane i taking k = i mod 16.  The
 * lanes 0..7 and 8..15 are independent sums, so a 4 x 3 tile runs them in two passes over
 * each chunk of k (8 accumulators each, which fit the 16 registers) and combines them at
 * the end. */
static inline __attribute__((always_inline)) void g16_4x2_half(int64_t k0, int64_t k1, const uint8_t *const wr[4],
                                                               const uint8_t *x0, const uint8_t *x1, int64_t h, __m256 a[8],
                                                               const wkind k) {
    for (int64_t i = k0 + h; i < k1; i += 16) {
        const __m256 xv0 = load_x8(x0, i, k), xv1 = load_x8(x1, i, k);
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) {
            __m256 wv = load_w8(wr[r], i, k);
            __asm__("" : "+x"(wv));   /* keep it in a register: gcc would load it again for the second
                                         FMA (memory operands), which made F32 load-bound (-30%) */
            a[r] = _mm256_fmadd_ps(wv, xv0, a[r]);
            a[4 + r] = _mm256_fmadd_ps(wv, xv1, a[4 + r]);
        }
    }
}

/* 4 rows x 3 tokens: 12 accumulators, 3 x and 1 w register: 7 loads per 12 FMAs (4 x 2: 6
 * per 8); +10% on F32 prompts, F16 unchanged (its conversions, not its loads, bound it:
 * widening the activations once per block of tokens gained nothing either) */
static inline __attribute__((always_inline)) void g16_4x3_half(int64_t k0, int64_t k1, const uint8_t *const wr[4],
                                                               const uint8_t *x0, const uint8_t *x1, const uint8_t *x2,
                                                               int64_t h, __m256 a[12], const wkind k) {
    for (int64_t i = k0 + h; i < k1; i += 16) {
        const __m256 xv0 = load_x8(x0, i, k), xv1 = load_x8(x1, i, k), xv2 = load_x8(x2, i, k);
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) {
            __m256 wv = load_w8(wr[r], i, k);
            __asm__("" : "+x"(wv));
            a[r] = _mm256_fmadd_ps(wv, xv0, a[r]);
            a[4 + r] = _mm256_fmadd_ps(wv, xv1, a[4 + r]);
            a[8 + r] = _mm256_fmadd_ps(wv, xv2, a[8 + r]);
        }
    }
}

/* The 4 x 3 tile's sums: rows r0..r0+rn-1 of tokens t, t+1, t+2 */
static inline void g16_store_4x3(float *y, int64_t ldy, int64_t t, int64_t r0, int rn, const __m256 lo[12], const __m256 hi[12]) {
    for (int r = 0; r < rn; r++) {
        y[t * ldy + r0 + r] = hsum16(lo[r], hi[r]);
        y[(t + 1) * ldy + r0 + r] = hsum16(lo[4 + r], hi[4 + r]);
        y[(t + 2) * ldy + r0 + r] = hsum16(lo[8 + r], hi[8 + r]);
    }
}

#define G16_KC 512   /* elements per chunk of k (a multiple of 16) */
static inline __attribute__((always_inline)) void gemm16(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w,
                                                         size_t ldw, const uint8_t *x, size_t ldx, const wkind k) {
    const int64_t TT = 64;   /* tokens per block: their activations stay in L2 while all rows pass */
    for (int64_t t0 = 0; t0 < nt; t0 += TT) {
        const int64_t t1 = t0 + TT < nt ? t0 + TT : nt;
        for (int64_t r0 = 0; r0 < nr; r0 += 4) {
            const uint8_t *wr[4];
            const int rn = tile_rows(w, ldw, r0, nr, 4, wr);
            int64_t t = t0;
            if (n > G16_KC) {
                /* long rows: the chunks of k outside the token triples, so that a chunk of the
                 * 4 rows stays in L1 for all of them; each triple's 24 accumulators wait in
                 * memory between chunks (the same FMAs in the same order: the same bits).
                 * Chunks inside the triples re-read the rows from L2 for every triple:
                 * 134M's 2048-wide down projection ran at 41 GF/s on one core, 768-wide 71. */
                __m256 acc[(TT / 3) * 24];
                const int64_t n3 = (t1 - t0) / 3;
                for (int64_t k0 = 0; k0 < n; k0 += G16_KC) {
                    const int64_t k1 = k0 + G16_KC < n ? k0 + G16_KC : n;
                    for (int64_t u = 0; u < n3; u++) {
                        const uint8_t *x0 = x + (size_t)(t0 + 3 * u) * ldx, *x1 = x0 + ldx, *x2 = x1 + ldx;
                        __m256 lo[12], hi[12];   /* locals, so that they live in registers */
                        for (int j = 0; j < 12; j++) {
                            lo[j] = k0 ? acc[24 * u + j] : _mm256_setzero_ps();
                            hi[j] = k0 ? acc[24 * u + 12 + j] : _mm256_setzero_ps();
                        }
                        g16_4x3_half(k0, k1, wr, x0, x1, x2, 0, lo, k);
                        g16_4x3_half(k0, k1, wr, x0, x1, x2, 8, hi, k);
                        for (int j = 0; j < 12; j++) { acc[24 * u + j] = lo[j]; acc[24 * u + 12 + j] = hi[j]; }
                    }
                }
                for (int64_t u = 0; u < n3; u++) g16_store_4x3(y, ldy, t0 + 3 * u, r0, rn, acc + 24 * u, acc + 24 * u + 12);
                t = t0 + 3 * n3;
            }
            for (; t + 3 <= t1; t += 3) {
                const uint8_t *x0 = x + (size_t)t * ldx, *x1 = x0 + ldx, *x2 = x1 + ldx;
                __m256 lo[12], hi[12];
                for (int j = 0; j < 12; j++) lo[j] = hi[j] = _mm256_setzero_ps();
                for (int64_t k0 = 0; k0 < n; k0 += G16_KC) {
                    const int64_t k1 = k0 + G16_KC < n ? k0 + G16_KC : n;
                    g16_4x3_half(k0, k1, wr, x0, x1, x2, 0, lo, k);
                    g16_4x3_half(k0, k1, wr, x0, x1, x2, 8, hi, k);
                }
                g16_store_4x3(y, ldy, t, r0, rn, lo, hi);
            }
            for (; t + 2 <= t1; t += 2) {
                const uint8_t *x0 = x + (size_t)t * ldx, *x1 = x0 + ldx;
                __m256 lo[8], hi[8];
                for (int j = 0; j < 8; j++) lo[j] = hi[j] = _mm256_setzero_ps();
                /* chunks of k: both passes find the chunk's rows and tokens in L1 */
                for (int64_t k0 = 0; k0 < n; k0 += G16_KC) {
                    const int64_t k1 = k0 + G16_KC < n ? k0 + G16_KC : n;
                    g16_4x2_half(k0, k1, wr, x0, x1, 0, lo, k);
                    g16_4x2_half(k0, k1, wr, x0, x1, 8, hi, k);
                }
                for (int r = 0; r < rn; r++) {
                    y[t * ldy + r0 + r] = hsum16(lo[r], hi[r]);
                    y[(t + 1) * ldy + r0 + r] = hsum16(lo[4 + r], hi[4 + r]);
                }
            }
            if (t < t1) {   /* a last odd token: 4 rows x 16 lanes */
                const uint8_t *x0 = x + (size_t)t * ldx;
                __m256 a[8];
                for (int j = 0; j < 8; j++) a[j] = _mm256_setzero_ps();
                for (int64_t i = 0; i < n; i += 16) {
                    const __m256 xl = load_x8(x0, i, k), xh = load_x8(x0, i + 8, k);
#pragma GCC unroll 4
                    for (int r = 0; r < 4; r++) {
                        a[r] = _mm256_fmadd_ps(load_w8(wr[r], i, k), xl, a[r]);
                        a[4 + r] = _mm256_fmadd_ps(load_w8(wr[r], i + 8, k), xh, a[4 + r]);
                    }
                }
                for (int r = 0; r < rn; r++) y[t * ldy + r0 + r] = hsum16(a[r], a[4 + r]);
            }
        }
    }
}

static void gemm16_f32(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                       const uint8_t *x, size_t ldx) {
    gemm16(n, nr, nt, y, ldy, w, ldw, x, ldx, WF32);
}
static void gemm16_f16(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                       const uint8_t *x, size_t ldx) {
    gemm16(n, nr, nt, y, ldy, w, ldw, x, ldx, WF16);
}
static void dot16_f32(int64_t n, float *s, const void *w, const void *x) { gemm16_f32(n, 1, 1, s, 1, w, 0, x, 0); }
static void dot16_f16(int64_t n, float *s, const void *w, const void *x) { gemm16_f16(n, 1, 1, s, 1, w, 0, x, 0); }

/* ---- K-quants, 4 rows x 2 tokens (prompt): scales and nibbles unpacked once ----
 * Each of the 8 outputs keeps its own lanes, exactly as q45_K_1x1 / q6_K_1x1 do. */
static inline void q45_K_4x2(int64_t nb, const uint8_t *const wr[4], const block_q8_K *xa, const block_q8_K *xb,
                             float *y0, float *y1, int nr, const int q5) {
    const size_t bsz = q5 ? sizeof(block_q5_K) : sizeof(block_q4_K);
    const __m256i m4 = _mm256_set1_epi8(0x0F), one8 = _mm256_set1_epi8(1);
    __m256 acc[8];
    __m128 accm[8];
    float summs[8];
    for (int i = 0; i < 8; i++) { acc[i] = _mm256_setzero_ps(); accm[i] = _mm_setzero_ps(); summs[i] = 0; }
    for (int64_t b = 0; b < nb; b++) {
        const __m128i bsa = q8K_bs32(xa + b), bsb = q8K_bs32(xb + b);
        const float da = xa[b].d, db = xb[b].d;
        for (int r = 0; r < 4; r++) {
            const uint8_t *blk = wr[r] + (size_t)b * bsz;
            uint8_t sm[16];
            unpack_k4_scales(blk + 4, sm);
            const __m128i mv = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sm + 8)));
            const __m128i ma = _mm_madd_epi16(mv, bsa), mb = _mm_madd_epi16(mv, bsb);
            const uint8_t *qs = q5 ? blk + 4 + 12 + 32 : blk + 4 + 12;
            const __m256i hb = q5 ? _mm256_loadu_si256((const __m256i *)(blk + 4 + 12)) : _mm256_setzero_si256();
            __m256i suma = _mm256_setzero_si256(), sumb = _mm256_setzero_si256();
            for (int j = 0; j < 4; j++) {
                const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * j));
                __m256i lo = _mm256_and_si256(q, m4);
                __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
                if (q5) {
                    lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * j), one8), 4));
                    hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * j + 1), one8), 4));
                }
                const __m256i sc0 = _mm256_set1_epi16(sm[2 * j]), sc1 = _mm256_set1_epi16(sm[2 * j + 1]);
                const int8_t *qa = xa[b].qs + 64 * j, *qb = xb[b].qs + 64 * j;
                suma = _mm256_add_epi32(suma, _mm256_madd_epi16(_mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)qa)), sc0));
                suma = _mm256_add_epi32(suma, _mm256_madd_epi16(_mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(qa + 32))), sc1));
                sumb = _mm256_add_epi32(sumb, _mm256_madd_epi16(_mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)qb)), sc0));
                sumb = _mm256_add_epi32(sumb, _mm256_madd_epi16(_mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(qb + 32))), sc1));
            }
            const float dw = h2f(ld16(blk)), dmw = h2f(ld16(blk + 2));
            acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(da * dw), _mm256_cvtepi32_ps(suma), acc[r]);
            acc[4 + r] = _mm256_fmadd_ps(_mm256_set1_ps(db * dw), _mm256_cvtepi32_ps(sumb), acc[4 + r]);
            const float dma = -da * dmw, dmb = -db * dmw;
            if (q5) {
                summs[r] = summs[r] + dma * (float)hsum_i32x4(ma);
                summs[4 + r] = summs[4 + r] + dmb * (float)hsum_i32x4(mb);
            } else {
                accm[r] = _mm_fmadd_ps(_mm_set1_ps(dma), _mm_cvtepi32_ps(ma), accm[r]);
                accm[4 + r] = _mm_fmadd_ps(_mm_set1_ps(dmb), _mm_cvtepi32_ps(mb), accm[4 + r]);
            }
        }
    }
    for (int r = 0; r < nr; r++) {
        y0[r] = hsum_ggml8(acc[r]) + (q5 ? summs[r] : hsum_ggml4(accm[r]));
        y1[r] = hsum_ggml8(acc[4 + r]) + (q5 ? summs[4 + r] : hsum_ggml4(accm[4 + r]));
    }
}

static inline void q6_K_4x2(int64_t nb, const uint8_t *const wr[4], const block_q8_K *xa, const block_q8_K *xb,
                            float *y0, float *y1, int nr) {
    __m256 acc[8];
    for (int i = 0; i < 8; i++) acc[i] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const float da = xa[b].d, db = xb[b].d;
        for (int r = 0; r < 4; r++) {
            const block_q6_K *wb = (const block_q6_K *)wr[r] + b;
            const int8_t *sc = wb->scales;
            const uint8_t *ql = wb->ql, *qh = wb->qh;
            const int8_t *qa = xa[b].qs, *qb = xb[b].qs;
            __m256i suma = _mm256_setzero_si256(), sumb = _mm256_setzero_si256();
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    const __m256i q = q6_K_unpack(ql, qh, k);
                    const __m256i scp = scale_pair(sc[2 * k], sc[2 * k + 1]);
                    suma = _mm256_add_epi32(suma, q6_K_chunk(q, qa + 32 * k, scp));
                    sumb = _mm256_add_epi32(sumb, q6_K_chunk(q, qb + 32 * k, scp));
                }
                ql += 64; qh += 32; qa += 128; qb += 128; sc += 8;
            }
            const float dw = h2f(wb->d);
            acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(da * dw), _mm256_cvtepi32_ps(suma), acc[r]);
            acc[4 + r] = _mm256_fmadd_ps(_mm256_set1_ps(db * dw), _mm256_cvtepi32_ps(sumb), acc[4 + r]);
        }
    }
    for (int r = 0; r < nr; r++) { y0[r] = hsum_ggml8(acc[r]); y1[r] = hsum_ggml8(acc[4 + r]); }
}

/* K-quant tiles: token pairs through 4 x 2, a last odd token (or decode) through 4 x 1. */
#define KTILE(name, pair_call, single) \
    static void name(int64_t n, int nr, int nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw, \
                     const uint8_t *x, size_t ldx) { \
        const int64_t nb = n / QK_K; \
        for (int r0 = 0; r0 < nr; r0 += 4) { \
            const int nr4 = nr - r0 < 4 ? nr - r0 : 4; \
            const uint8_t *wr[4]; \
            row_ptrs(w + (size_t)r0 * ldw, ldw, nr4, wr); \
            int t = 0; \
            for (; t + 2 <= nt; t += 2) { \
                const block_q8_K *xa = (const block_q8_K *)(x + (size_t)t * ldx); \
                const block_q8_K *xb = (const block_q8_K *)(x + (size_t)(t + 1) * ldx); \
                pair_call; \
            } \
            if (t < nt) single(n, nr4, 1, y + t * ldy + r0, ldy, w + (size_t)r0 * ldw, ldw, x + (size_t)t * ldx, ldx); \
        } \
    }
KTILE(tile_q4_K, q45_K_4x2(nb, wr, xa, xb, y + t * ldy + r0, y + (t + 1) * ldy + r0, nr4, 0), tile_q4_K_4)
KTILE(tile_q5_K, q45_K_4x2(nb, wr, xa, xb, y + t * ldy + r0, y + (t + 1) * ldy + r0, nr4, 1), tile_q5_K_4)
KTILE(tile_q6_K, q6_K_4x2(nb, wr, xa, xb, y + t * ldy + r0, y + (t + 1) * ldy + r0, nr4), tile_q6_K_4)

/* 8-row tiles from 4-row kernels */
#define SPLIT8(name) \
    static void name(int64_t n, int nr, int nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw, \
                     const uint8_t *x, size_t ldx) { \
        for (int r0 = 0; r0 < nr; r0 += 4) \
            name##_4(n, nr - r0 < 4 ? nr - r0 : 4, nt, y + r0, ldy, w + (size_t)r0 * ldw, ldw, x, ldx); \
    }
SPLIT8(tile_bf16)

/* K-quant decode over a thread's whole share of rows: the activation terms (x32, bsums)
 * are computed once, not once per 4 rows (a quarter of the row's work at n = 4096) */
typedef void (*k_rows_fn)(int64_t nb, const uint8_t *w, size_t ldw, int nr, const block_q8_K *xb, float *y);
static inline void rows_k(int64_t n, int64_t nr, float *y, const uint8_t *w, const uint8_t *x, size_t blk, k_rows_fn rows) {
    const int64_t nb = n / QK_K;
    const size_t ldw = (size_t)nb * blk;
    for (int64_t r = 0; r < nr; r += 1 << 20)   /* the row kernels count rows in an int */
        rows(nb, w + (size_t)r * ldw, ldw, (int)(nr - r < (1 << 20) ? nr - r : 1 << 20), (const block_q8_K *)x, y + r);
}
static void rows_q4_K(int64_t n, int64_t nr, float *y, const uint8_t *w, const uint8_t *x) {
    rows_k(n, nr, y, w, x, sizeof(block_q4_K), q4_K_rows);
}
static void rows_q6_K(int64_t n, int64_t nr, float *y, const uint8_t *w, const uint8_t *x) {
    rows_k(n, nr, y, w, x, sizeof(block_q6_K), q6_K_rows);
}

/* Single dot products: the 1 x 1 tile. */
#define DOT1(name, tile) \
    static void name(int64_t n, float *s, const void *w, const void *x) { tile(n, 1, 1, s, 1, w, 0, x, 0); }
static void dot_f32(int64_t n, float *s, const void *w, const void *x) { *s = gemv_float(n, w, x, WF32); }
/* (exported too: the decode attention's q.k over an F16 cache, kv.c) */
void vk_dot_f16_avx2(int64_t n, float *s, const void *w, const void *x) { *s = gemv_float(n, w, x, WF16); }
DOT1(dot_bf16, tile_bf16)
DOT1(dot_q8_0, tile_q8_0)
DOT1(dot_q4_0, tile_q4_0)
DOT1(dot_q4_K, tile_q4_K)
DOT1(dot_q5_K, tile_q5_K)
DOT1(dot_q6_K, tile_q6_K)

/* The kernel sets of the type table (tensor.c).  F32/F16 decode of a matrix larger than half
 * an L2 streams it row by row, the tile doing it itself (stream 2); BF16 by a tile call per
 * row (stream 1: the same arithmetic as the 4-row tile, whose lanes are per row).  Quantized
 * types have their rows kernels (one call per thread's share) or tiles. */
const vk_kernels vk_avx2_f32 = { .dot = dot_f32, .tile = tile_f32, .dot16 = dot16_f32, .gemm16 = gemm16_f32, .stream = 2 };
const vk_kernels vk_avx2_f16 = { .dot = vk_dot_f16_avx2, .tile = tile_f16, .dot16 = dot16_f16, .gemm16 = gemm16_f16, .stream = 2 };
const vk_kernels vk_avx2_bf16 = { .dot = dot_bf16, .tile = tile_bf16, .stream = 1 };
const vk_kernels vk_avx2_q8_0 = { .dot = dot_q8_0, .tile = tile_q8_0, .gemm = gemm_q8_0, .rows = rows_q8_0_avx2 };
const vk_kernels vk_avx2_q4_0 = { .dot = dot_q4_0, .tile = tile_q4_0, .gemm = gemm_q4_0 };
const vk_kernels vk_avx2_q4_0x8 = { .dot = dot_q4_0, .tile = tile_q4_0x8, .gemm = gemm_q4_0x8, .rows = rows_q4_0x8_avx2 };
const vk_kernels vk_avx2_q4_K = { .dot = dot_q4_K, .tile = tile_q4_K, .rows = rows_q4_K };
const vk_kernels vk_avx2_q5_K = { .dot = dot_q5_K, .tile = tile_q5_K };
const vk_kernels vk_avx2_q6_K = { .dot = dot_q6_K, .tile = tile_q6_K, .rows = rows_q6_K };
