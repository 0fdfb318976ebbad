/* src/engine/kernels/dot_x86.h — static inline pieces shared by the AVX2 kernels (dot_avx2.c)
 * and their AVX-512 twins (dot_avx512.c): loads, the horizontal sums in ggml's orders, the
 * interleaved 8-row tile of Q8_0/Q4_0 and the repacked Q4_0 block.  Each includer compiles
 * them for its own instruction set (dot_avx2.c: -mavx2 -mfma -mf16c; dot_avx512.c: its
 * target pragma), so nothing here runs on a CPU that lacks it. */
#ifndef VERS_DOT_X86_H
#define VERS_DOT_X86_H
#include "engine/kernels/kernels.h"
#include <immintrin.h>
#include <string.h>

static inline uint16_t ld16(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); return h; }
static inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

/* Pointers to rows r0.. of a tile of n rows (a short last tile repeats row r0 in its unused
 * slots, whose results are not stored); returns how many are real. */
static inline int tile_rows(const uint8_t *w, size_t ldw, int64_t r0, int64_t nr, int n, const uint8_t **wr) {
    const int rn = nr - r0 < n ? (int)(nr - r0) : n;
    for (int r = 0; r < n; r++) wr[r] = w + (size_t)(r0 + (r < rn ? r : 0)) * ldw;
    return rn;
}

/* d of 4 blocks at the same offset of 4 rows, as floats. */
static inline __m128 load_d4(const uint8_t *const wr[4], size_t off) {
    return _mm_cvtph_ps(_mm_setr_epi16((short)ld16(wr[0] + off), (short)ld16(wr[1] + off),
                                       (short)ld16(wr[2] + off), (short)ld16(wr[3] + off), 0, 0, 0, 0));
}

/* [sum(a), sum(b), sum(c), sum(d)] of four 8 x int32 vectors (exact). */
static inline __m128i hsum4_epi32(__m256i a, __m256i b, __m256i c, __m256i d) {
    __m256i ab = _mm256_hadd_epi32(a, b);
    __m256i cd = _mm256_hadd_epi32(c, d);
    __m256i abcd = _mm256_hadd_epi32(ab, cd);
    return _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
}

/* Lane sums of 8 vectors at once, each ((v0+v1)+(v2+v3)) + ((v4+v5)+(v6+v7)) — the order
 * of dot_scalar.c's hsum8 — as [sum(a0) .. sum(a3) | sum(b0) .. sum(b3)]. */
static inline __m256 hsum8x8_ps(__m256 a0, __m256 a1, __m256 a2, __m256 a3,
                                __m256 b0, __m256 b1, __m256 b2, __m256 b3) {
    const __m256 a = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    const __m256 b = _mm256_hadd_ps(_mm256_hadd_ps(b0, b1), _mm256_hadd_ps(b2, b3));
    return _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20), _mm256_permute2f128_ps(a, b, 0x31));
}

static inline void store_rows(float *y, __m128 acc, int nr) {
    float tmp[4];
    _mm_storeu_ps(tmp, acc);
    for (int r = 0; r < nr; r++) y[r] = tmp[r];
}

/* Row pointers; missing rows repeat row 0 (computed, never stored). */
static inline void row_ptrs(const uint8_t *w, size_t ldw, int nr, const uint8_t *wr[4]) {
    for (int r = 0; r < 4; r++) wr[r] = w + (size_t)(r < nr ? r : 0) * ldw;
}

/* ggml's hsum_float_8: ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)) */
static inline float hsum_ggml8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}
/* (a0 + a2) + (a1 + a3), Q4_K's mins lanes */
static inline float hsum_ggml4(__m128 r) {
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}
/* exact sum of 4 int32 */
static inline int32_t hsum_i32x4(__m128i a) {
    a = _mm_add_epi32(a, _mm_shuffle_epi32(a, 0x4E));
    return _mm_cvtsi128_si32(_mm_add_epi32(a, _mm_shuffle_epi32(a, 0xB1)));
}

/* Unpacks the 12 scale bytes of a Q4_K/Q5_K super-block: sc[0..7] then m[0..7] (ggml's utmp). */
static inline void unpack_k4_scales(const uint8_t *scales, uint8_t out[16]) {
    uint32_t u[4];
    memcpy(u, scales, 12);
    const uint32_t kmask1 = 0x3f3f3f3f, kmask2 = 0x0f0f0f0f, kmask3 = 0x03030303;
    u[3] = ((u[2] >> 4) & kmask2) | (((u[1] >> 6) & kmask3) << 4);
    const uint32_t uaux = u[1] & kmask1;
    u[1] = (u[2] & kmask2) | (((u[0] >> 6) & kmask3) << 4);
    u[2] = uaux;
    u[0] &= kmask1;
    memcpy(out, u, 16);
}

/* ---- Q4_0 x Q8_0, 8 rows x 1 token ----
 * The 8 rows' integer block sums are reduced into one vector (lane r = row r), converted,
 * and fma'd with the rows' d_w * d_x: the scalar twin's operation, 8 rows at once. */
static inline __m256i hsum8x8_epi32(__m256i a0, __m256i a1, __m256i a2, __m256i a3,
                                    __m256i b0, __m256i b1, __m256i b2, __m256i b3) {
#define P2(x, y) _mm256_add_epi32(_mm256_unpacklo_epi32(x, y), _mm256_unpackhi_epi32(x, y))
#define P4(x, y) _mm256_add_epi32(_mm256_unpacklo_epi64(x, y), _mm256_unpackhi_epi64(x, y))
    const __m256i a = P4(P2(a0, a1), P2(a2, a3));
    const __m256i b = P4(P2(b0, b1), P2(b2, b3));
#undef P2
#undef P4
    return _mm256_add_epi32(_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(a, b, 0x31));
}

/* One Q4_0 block against one Q8_0 activation block: 8 x int32 partial sums of the nibbles
 * 0..15 times x, minus 8 sum(x) (the c vector). */
static inline __m256i q4_0_blk_dot(const uint8_t *row, int64_t b, __m256i xv, __m256i c) {
    const __m128i q = _mm_loadu_si128((const __m128i *)((const block_q4_0 *)row + b)->qs);
    const __m256i nib = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), _mm256_set1_epi8(0x0F));
    return _mm256_sub_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(nib, xv), _mm256_set1_epi16(1)), c);
}

/* 8 sum(x) of a Q8_0 activation block, exactly: what Q4_0's "- 8" takes off a block sum. */
static inline int32_t q8_0_sum_times8(const block_q8_0 *xb) {
    const __m256i c = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(8), _mm256_loadu_si256((const __m256i *)xb->qs)),
                                        _mm256_set1_epi16(1));
    return hsum_i32x4(_mm_add_epi32(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1)));
}

/* Q4_0, 8 rows x 1 token (decode, row layout). */
static inline void q4_0_8x1(int64_t nb, const uint8_t *const wr[8], const block_q8_0 *xb, float *y, int nr) {
    const __m256i ones = _mm256_set1_epi16(1), eight = _mm256_set1_epi8(8);
    const size_t bsz = sizeof(block_q4_0);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const __m256i xv = _mm256_loadu_si256((const __m256i *)xb[b].qs);
        const __m256i c = _mm256_madd_epi16(_mm256_maddubs_epi16(eight, xv), ones);
        const __m256i is = hsum8x8_epi32(
            q4_0_blk_dot(wr[0], b, xv, c), q4_0_blk_dot(wr[1], b, xv, c), q4_0_blk_dot(wr[2], b, xv, c),
            q4_0_blk_dot(wr[3], b, xv, c), q4_0_blk_dot(wr[4], b, xv, c), q4_0_blk_dot(wr[5], b, xv, c),
            q4_0_blk_dot(wr[6], b, xv, c), q4_0_blk_dot(wr[7], b, xv, c));
        const __m256 dw = _mm256_set_m128(load_d4(wr + 4, (size_t)b * bsz), load_d4(wr, (size_t)b * bsz));
        const __m256 d = _mm256_mul_ps(dw, _mm256_set1_ps(h2f(xb[b].d)));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(is), d, acc);
    }
    float tmp[8];
    _mm256_storeu_ps(tmp, acc);
    for (int r = 0; r < nr; r++) y[r] = tmp[r];
}

/* ---- Q8_0 / Q4_0 prompt tile: 8 rows interleaved ----
 * For a chunk of blocks, the 8 weight rows of the tile are rearranged once (for all the
 * tokens of the tile) so that register j of block b holds bytes 4j..4j+3 of the 8 rows (row
 * r in int32 lane r).  A token's bytes 4j..4j+3, broadcast to all lanes, then give with one
 * maddubs (+ madd) the partial sums of all 8 rows at once, lane r for row r: no horizontal
 * reduction.  Q4_0 keeps the nibbles 0..15 and sums the 8 maddubs results in int16 (each
 * pair sum is at most 2 * 15 * 127, eight of them 30480 < 32767), then subtracts 8 sum(x);
 * Q8_0 multiplies |w| by x * sign(w).  Q4_0 adds the 8 registers into the exact block
 * sums (fma'd in block order); Q8_0 keeps register j as lane j of ggml's 8 lanes
 * (gemm_q8_0).  Either way the single dot product's bits. */
#define IL_KC 8     /* blocks per chunk (256 values) */
#define IL_NT 64    /* tokens per tile at most (mm_rows passes up to 64) */

typedef struct {
    __m256i w[IL_KC][8];    /* Q4_0: nibbles; Q8_0: signed bytes */
    __m256i a[IL_KC][8];    /* Q8_0: |w| */
    __m256 d[IL_KC];        /* the 8 rows' d */
} il_tile;

/* 8 x 8 int32 transpose: g[j] lane r = r[r] lane j. */
static inline void transpose8_epi32(const __m256i r[8], __m256i g[8]) {
    __m256i t[8], u[8];
    for (int k = 0; k < 4; k++) {
        t[2 * k] = _mm256_unpacklo_epi32(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm256_unpackhi_epi32(r[2 * k], r[2 * k + 1]);
    }
    for (int k = 0; k < 2; k++) {
        u[4 * k + 0] = _mm256_unpacklo_epi64(t[4 * k], t[4 * k + 2]);
        u[4 * k + 1] = _mm256_unpackhi_epi64(t[4 * k], t[4 * k + 2]);
        u[4 * k + 2] = _mm256_unpacklo_epi64(t[4 * k + 1], t[4 * k + 3]);
        u[4 * k + 3] = _mm256_unpackhi_epi64(t[4 * k + 1], t[4 * k + 3]);
    }
    for (int k = 0; k < 4; k++) {
        g[k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x20);
        g[4 + k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x31);
    }
}

/* The 8 registers of one block of a repacked Q4_0 group (kernels.h): R_j & 15 is register
 * j (values 4j..4j+3 of the 8 rows), R_j >> 4 register j + 4 (values 16 + 4j ..). */
static inline void x8_unpack(const uint8_t *p, __m256i w[8]) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    for (int j = 0; j < 4; j++) {
        const __m256i r = _mm256_loadu_si256((const __m256i *)(p + 32 * j));
        w[j] = _mm256_and_si256(r, m4);
        w[j + 4] = _mm256_and_si256(_mm256_srli_epi16(r, 4), m4);
    }
}

static inline __attribute__((always_inline)) void il_pack_x8(il_tile *T, const uint8_t *g, int64_t k0, int64_t kc) {
    for (int64_t b = 0; b < kc; b++) {
        const uint8_t *p = g + (size_t)(k0 + b) * Q4_0X8_BLK;
        x8_unpack(p, T->w[b]);
        T->d[b] = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 128)));
    }
}

static inline __attribute__((always_inline)) void il_pack(il_tile *T, const uint8_t *const wr[8], int64_t k0, int64_t kc, const int q4) {
    const size_t bsz = q4 ? sizeof(block_q4_0) : sizeof(block_q8_0);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    for (int64_t b = 0; b < kc; b++) {
        const size_t off = (size_t)(k0 + b) * bsz;
        __m256i r[8];
        for (int k = 0; k < 8; k++) {
            if (q4) {
                const __m128i q = _mm_loadu_si128((const __m128i *)(wr[k] + off + 2));
                r[k] = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), m4);
            } else {
                r[k] = _mm256_loadu_si256((const __m256i *)(wr[k] + off + 2));
            }
        }
        transpose8_epi32(r, T->w[b]);
        if (!q4)
            for (int j = 0; j < 8; j++) T->a[b][j] = _mm256_sign_epi8(T->w[b][j], T->w[b][j]);
        T->d[b] = _mm256_cvtph_ps(_mm_setr_epi16((short)ld16(wr[0] + off), (short)ld16(wr[1] + off),
                                                 (short)ld16(wr[2] + off), (short)ld16(wr[3] + off),
                                                 (short)ld16(wr[4] + off), (short)ld16(wr[5] + off),
                                                 (short)ld16(wr[6] + off), (short)ld16(wr[7] + off)));
    }
}

static inline __m256i bcast32(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

/* Q4_0 tile: exact integer sums (without the - 8 sum(x)) of one block for the 8 rows
 * against one token's block; the 8 maddubs results fit int16 (8 x 2 x 15 x 127 = 30480). */
static inline __attribute__((always_inline)) __m256i il_block_isum(const il_tile *T, int64_t b, const block_q8_0 *xb) {
    __m256i s = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++) s = _mm256_add_epi16(s, _mm256_maddubs_epi16(T->w[b][j], bcast32(xb->qs + 4 * j)));
    return _mm256_madd_epi16(s, _mm256_set1_epi16(1));
}

/* The same for two tokens at once (the weight registers loaded once for both). */
static inline __attribute__((always_inline)) void il_block_isum2(const il_tile *T, int64_t b, const block_q8_0 *x0,
                                                                 const block_q8_0 *x1, __m256i *i0, __m256i *i1) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++) {
        const __m256i wj = T->w[b][j];
        s0 = _mm256_add_epi16(s0, _mm256_maddubs_epi16(wj, bcast32(x0->qs + 4 * j)));
        s1 = _mm256_add_epi16(s1, _mm256_maddubs_epi16(wj, bcast32(x1->qs + 4 * j)));
    }
    *i0 = _mm256_madd_epi16(s0, ones);
    *i1 = _mm256_madd_epi16(s1, ones);
}

typedef __m256i (*il_isum_fn)(const il_tile *T, int64_t b, const block_q8_0 *xb);
typedef void (*il_isum2_fn)(const il_tile *T, int64_t b, const block_q8_0 *x0, const block_q8_0 *x1, __m256i *i0, __m256i *i1);

/* The 8 row sums of a token so far (rn rows stored in y), or zeros at the first chunk. */
static inline __m256 il_load_acc(const float *y, int rn, int first) {
    if (first) return _mm256_setzero_ps();
    if (rn == 8) return _mm256_loadu_ps(y);
    float tmp[8] = {0};
    memcpy(tmp, y, sizeof(float) * (size_t)rn);
    return _mm256_loadu_ps(tmp);
}
static inline void il_store_acc(float *y, int rn, __m256 a) {
    if (rn == 8) { _mm256_storeu_ps(y, a); return; }
    float tmp[8];
    _mm256_storeu_ps(tmp, a);
    memcpy(y, tmp, sizeof(float) * (size_t)rn);
}

/* Q4_0 prompt product: rows [0, nr) x tokens [0, nt), y[t * ldy + r], from the row layout or
 * the repacked one (x8).  Loops: chunks of IL_NT tokens, chunks of IL_KC blocks (the tokens'
 * scales and 8 sum(x) computed once for all rows), tiles of 8 rows (packed once for the
 * chunk's tokens); the 8 row sums of a token are carried across block chunks in y, each block
 * fma'd in order as in the single dot product.  isum1/isum2: the block sums of one or two
 * tokens, with the includer's instructions (maddubs, or VNNI's dpbusd: the same integers). */
static inline __attribute__((always_inline)) void gemm_q4_0_tiles(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy,
                                                                  const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx,
                                                                  const int x8, const il_isum_fn isum1, const il_isum2_fn isum2) {
    const int64_t nb = n / 32;
    il_tile T;
    float dx[IL_NT][IL_KC];
    int32_t cx[IL_NT][IL_KC];
    for (int64_t t0 = 0; t0 < nt; t0 += IL_NT) {
        const int64_t mt = nt - t0 < IL_NT ? nt - t0 : IL_NT;
        for (int64_t k0 = 0; k0 < nb; k0 += IL_KC) {
            const int64_t kc = nb - k0 < IL_KC ? nb - k0 : IL_KC;
            for (int64_t t = 0; t < mt; t++) {
                const block_q8_0 *xt = (const block_q8_0 *)(x + (size_t)(t0 + t) * ldx) + k0;
                for (int64_t b = 0; b < kc; b++) {
                    dx[t][b] = h2f(xt[b].d);
                    cx[t][b] = q8_0_sum_times8(xt + b);
                }
            }
            for (int64_t r0 = 0; r0 < nr; r0 += 8) {
                const uint8_t *wr[8];
                const int rn = tile_rows(w, ldw, r0, nr, 8, wr);
                if (x8) il_pack_x8(&T, w + (size_t)r0 * ldw, k0, kc);
                else il_pack(&T, wr, k0, kc, 1);
                int64_t t = 0;
                for (; t + 2 <= mt; t += 2) {
                    const block_q8_0 *xa = (const block_q8_0 *)(x + (size_t)(t0 + t) * ldx) + k0;
                    const block_q8_0 *xb = (const block_q8_0 *)(x + (size_t)(t0 + t + 1) * ldx) + k0;
                    float *ya = y + (t0 + t) * ldy + r0, *yb = ya + ldy;
                    __m256 a0 = il_load_acc(ya, rn, k0 == 0), a1 = il_load_acc(yb, rn, k0 == 0);
                    for (int64_t b = 0; b < kc; b++) {
                        __m256i i0, i1;
                        isum2(&T, b, xa + b, xb + b, &i0, &i1);
                        i0 = _mm256_sub_epi32(i0, _mm256_set1_epi32(cx[t][b]));
                        i1 = _mm256_sub_epi32(i1, _mm256_set1_epi32(cx[t + 1][b]));
                        a0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i0), _mm256_mul_ps(T.d[b], _mm256_set1_ps(dx[t][b])), a0);
                        a1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i1), _mm256_mul_ps(T.d[b], _mm256_set1_ps(dx[t + 1][b])), a1);
                    }
                    il_store_acc(ya, rn, a0);
                    il_store_acc(yb, rn, a1);
                }
                for (; t < mt; t++) {
                    const block_q8_0 *xt = (const block_q8_0 *)(x + (size_t)(t0 + t) * ldx) + k0;
                    float *yt = y + (t0 + t) * ldy + r0;
                    __m256 a = il_load_acc(yt, rn, k0 == 0);
                    for (int64_t b = 0; b < kc; b++) {
                        const __m256i is = _mm256_sub_epi32(isum1(&T, b, xt + b), _mm256_set1_epi32(cx[t][b]));
                        a = _mm256_fmadd_ps(_mm256_cvtepi32_ps(is), _mm256_mul_ps(T.d[b], _mm256_set1_ps(dx[t][b])), a);
                    }
                    il_store_acc(yt, rn, a);
                }
            }
        }
    }
}

/* Repacked Q4_0, 8 rows x 1 token (decode): one 144-byte stream per group; the integer
 * block sums of the 8 rows in the lanes (nibbles 0..15 summed in int16, then - 8 sum(x)),
 * acc = fma(isum, d_w d_x, acc) block after block: vk_dot_q4_0_scalar's order. */
static inline void q4_0x8_1tok(int64_t nb, const uint8_t *g, const block_q8_0 *xb, float *y, int nr) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *p = g + (size_t)b * Q4_0X8_BLK;
        __m256i w[8];
        x8_unpack(p, w);
        __m256i s16 = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++) s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(w[j], bcast32(xb[b].qs + 4 * j)));
        const __m256i is = _mm256_sub_epi32(_mm256_madd_epi16(s16, ones), _mm256_set1_epi32(q8_0_sum_times8(xb + b)));
        const __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 128))), _mm256_set1_ps(h2f(xb[b].d)));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(is), d, acc);
    }
    il_store_acc(y, nr, acc);
}

typedef enum { WF32, WF16, WBF16 } wkind;

/* _mm512_reduce_add_ps's order on lanes lo (0..7) and hi (8..15) */
static inline float hsum16(__m256 lo, __m256 hi) {
    const __m256 v8 = _mm256_add_ps(hi, lo);
    const __m128 v4 = _mm_add_ps(_mm256_extractf128_ps(v8, 1), _mm256_castps256_ps128(v8));
    const __m128 v2 = _mm_add_ps(v4, _mm_movehl_ps(v4, v4));
    return _mm_cvtss_f32(_mm_add_ss(v2, _mm_movehdup_ps(v2)));
}

/* Repacked Q4_0 decode over many groups of 8 rows (vk_rows_fn): what depends only on the
 * token (each block's 8 sum(x) and d_x) is computed once per call instead of once per group,
 * which was a third of the instructions per group.  One group after another: two groups
 * interleaved ran faster from L2 but halved the speed from memory (two streams 3-18 KB apart
 * defeat this CPU's prefetch).
 * Same sums as q4_0x8_1tok.  The VNNI twin takes dpbusd for maddubs + add: the same exact
 * integers (the int16 sums of maddubs cannot saturate: 16 products of 15 x 128 at most). */
#define Q4X8_ROWS_MAXNB 512   /* n <= 16384; longer rows go group by group */

static inline __m256 q4x8_blk_avx2(const uint8_t *p, const int8_t *xq, int32_t xs8, float dx, __m256 acc) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
    __m256i s16 = _mm256_setzero_si256();
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        const __m256i r = _mm256_loadu_si256((const __m256i *)(p + 32 * j));
        s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(_mm256_and_si256(r, m4), bcast32(xq + 4 * j)));
        s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(r, 4), m4), bcast32(xq + 16 + 4 * j)));
    }
    const __m256i is = _mm256_sub_epi32(_mm256_madd_epi16(s16, ones), _mm256_set1_epi32(xs8));
    const __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 128))), _mm256_set1_ps(dx));
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(is), d, acc);
}

/* The rows loop of the AVX2 and VNNI twins: x terms once, then one group of 8 rows after
 * another; blk is the block function of the includer's instruction set (inlined). */
typedef __m256 (*q4x8_blk_fn)(const uint8_t *p, const int8_t *xq, int32_t xs8, float dx, __m256 acc);
static inline __attribute__((always_inline)) void rows_q4_0x8_loop(int64_t n, int64_t nr, float *y, const uint8_t *w,
                                                                   const uint8_t *x, const q4x8_blk_fn blk) {
    const int64_t nb = n / 32, ng = nr / 8;
    const block_q8_0 *xb = (const block_q8_0 *)x;
    const size_t gs = (size_t)nb * Q4_0X8_BLK;
    if (nb > Q4X8_ROWS_MAXNB) {
        for (int64_t g = 0; g < ng; g++) q4_0x8_1tok(nb, w + (size_t)g * gs, xb, y + 8 * g, 8);
        return;
    }
    int32_t xs8[Q4X8_ROWS_MAXNB];
    float dx[Q4X8_ROWS_MAXNB];
    for (int64_t b = 0; b < nb; b++) { xs8[b] = q8_0_sum_times8(xb + b); dx[b] = h2f(xb[b].d); }
    for (int64_t g = 0; g < ng; g++) {
        const uint8_t *g0 = w + (size_t)g * gs;
        __m256 a0 = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; b++) a0 = blk(g0 + (size_t)b * Q4_0X8_BLK, xb[b].qs, xs8[b], dx[b], a0);
        _mm256_storeu_ps(y + 8 * g, a0);
    }
}
#endif
