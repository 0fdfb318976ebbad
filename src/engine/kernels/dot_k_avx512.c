/* src/engine/kernels/dot_k_avx512.c — the K-quant prompt products (Q4_K, Q5_K, Q6_K weights
 * x Q8_K activations) on AVX-512 BW/VNNI, twins of dot_avx2.c's K-quant tiles that give the
 * same bits.  Compiled for that instruction set by the target pragma below and called only
 * when vers_simd_level() says the CPU has it (the type table, tensor.c, lists them above the
 * AVX2 sets; decode keeps the AVX2 rows kernels).
 *
 * The sums are vk_dot_q4_K_scalar's / vk_dot_q6_K_scalar's: per super-block 8 int32 lanes
 * (lane l: the scale x products of elements 4l..4l+3 of every 32-value chunk), converted and
 * fma'd with d_x d_w into 8 float lanes, reduced as hsum_float_8 at the end (Q4_K: plus its 4
 * mins lanes; Q5_K: plus its mins sum).  Here a zmm register holds 64 values of one row in
 * order (two chunks), so one maddubs + one vpdpwssd (int16 products x the sub-block's scale,
 * added into int32) gives 16 int32 lanes: lanes 0-7 the first chunk's ggml lanes, 8-15 the
 * second's; the two halves are added once per super-block.  Integers are exact whatever adds
 * them (no int16 sum can saturate: maddubs pairs are at most 2 x 31 x 128 for Q4_K/Q5_K and
 * 2 x 255 x 32 for Q6_K), so the float operations, done in the scalar order, give its bits.
 *
 * Blocking: for 4 rows, a chunk of up to 8 super-blocks is unpacked once (nibbles to bytes,
 * scales widened to int16 per 64 values, Q6_K's q - 32) for up to 64 tokens, which go through
 * in register tiles of 4 rows x 4 tokens (16 int32 accumulators).  The float lanes of each
 * output are carried across chunks in a small buffer.  Q6_K's weights are signed (q - 32), so
 * the tokens go in as x + 128 (maddubs wants its unsigned operand first) and each row's
 * lanes start at -128 x sum(scale x (q - 32)) (computed when packing): the same integers. */
#if defined(__clang__)
#include "engine/kernels/dot_x86.h"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")
#include "engine/kernels/dot_x86.h"
#endif

#define KR 4      /* rows per tile */
#define KT 4      /* tokens per register tile */
#define KKC 8     /* super-blocks unpacked at once (2048 values) */
#define KNT 64    /* tokens per pass over an unpacked chunk */

typedef enum { KQ4, KQ5, KQ6 } kkind;

typedef struct {
    __m512i w[KKC][KR][4];    /* 64 values each, in order: Q4_K/Q5_K 0..31, Q6_K q - 32 */
    __m512i s[KKC][KR][4];    /* int16 scale of each int16 lane's pair of values */
    __m512i c[KKC][KR];       /* Q4_K/Q5_K: the 8 mins as int16, in each 128-bit lane; Q6_K: -128 x ... */
    float d[KKC][KR], dm[KKC][KR];
} kpack;

/* ---- unpacking a chunk of super-blocks of 4 rows ---- */
static inline void pack_q45(kpack *P, const uint8_t *const wr[KR], int64_t k0, int64_t kc, const int q5) {
    const size_t bsz = q5 ? sizeof(block_q5_K) : sizeof(block_q4_K);
    const __m512i m4 = _mm512_set1_epi8(0x0F), one8 = _mm512_set1_epi8(1);
    /* 16-bit shift counts: 0 for the low 256 bits (low nibbles: the first chunk), 4 for the high */
    const __m512i sh4 = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(4), 1);
    for (int64_t b = 0; b < kc; b++)
        for (int r = 0; r < KR; r++) {
            const uint8_t *blk = wr[r] + (size_t)(k0 + b) * bsz;
            const uint8_t *qs = blk + 4 + 12 + (q5 ? 32 : 0);
            uint8_t sm[16];
            unpack_k4_scales(blk + 4, sm);
            const __m512i sc = _mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)sm)));
            const __m512i hb = q5 ? _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(blk + 4 + 12))) : _mm512_setzero_si512();
            for (int j = 0; j < 4; j++) {
                const __m512i q = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(qs + 32 * j)));
                __m512i v = _mm512_and_si512(_mm512_srlv_epi16(q, sh4), m4);
                if (q5) {
                    /* fifth bits: bit 2j of qh for the first chunk, 2j + 1 for the second */
                    const __m512i hs = _mm512_inserti64x4(_mm512_set1_epi16((short)(2 * j)), _mm256_set1_epi16((short)(2 * j + 1)), 1);
                    v = _mm512_or_si512(v, _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(hb, hs), one8), 4));
                }
                P->w[b][r][j] = v;
                const __m512i idx = _mm512_inserti64x4(_mm512_set1_epi16((short)(2 * j)), _mm256_set1_epi16((short)(2 * j + 1)), 1);
                P->s[b][r][j] = _mm512_permutexvar_epi16(idx, sc);
            }
            P->c[b][r] = _mm512_broadcast_i32x4(_mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sm + 8))));
            P->d[b][r] = h2f(ld16(blk));
            P->dm[b][r] = h2f(ld16(blk + 2));
        }
}

#define I8(s) (int16_t)(s), (int16_t)(s), (int16_t)(s), (int16_t)(s), (int16_t)(s), (int16_t)(s), (int16_t)(s), (int16_t)(s)
static const int16_t q6_scale_idx[4][32] = { {I8(0), I8(1), I8(2), I8(3)}, {I8(4), I8(5), I8(6), I8(7)},
                                             {I8(8), I8(9), I8(10), I8(11)}, {I8(12), I8(13), I8(14), I8(15)} };
#undef I8
static inline void pack_q6(kpack *P, const uint8_t *const wr[KR], int64_t k0, int64_t kc) {
    const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30), k32 = _mm512_set1_epi8(32), one8 = _mm512_set1_epi8(1);
    /* the two high bits to bits 4-5: values 0-31 of a group from qh bits 0-1 (<< 4) or 4-5,
     * values 32-63 from bits 2-3 (<< 2) or 6-7 (>> 2); a 16-bit shift by these counts leaves
     * bits 4-5 of each byte taken from the same byte */
    const __m512i shl = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1);
    const __m512i shr = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1);
    for (int64_t b = 0; b < kc; b++)
        for (int r = 0; r < KR; r++) {
            const block_q6_K *blk = (const block_q6_K *)wr[r] + k0 + b;
            const __m512i s16 = _mm512_castsi256_si512(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)blk->scales)));
            __m512i c = _mm512_setzero_si512();
            for (int h = 0; h < 2; h++) {
                const __m512i ql = _mm512_loadu_si512((const void *)(blk->ql + 64 * h));
                const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(blk->qh + 32 * h)));
                const __m512i q0 = _mm512_or_si512(_mm512_and_si512(ql, m4), _mm512_and_si512(_mm512_sllv_epi16(qh, shl), m30));
                const __m512i q1 = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
                                                   _mm512_and_si512(_mm512_srlv_epi16(qh, shr), m30));
                P->w[b][r][2 * h] = _mm512_sub_epi8(q0, k32);
                P->w[b][r][2 * h + 1] = _mm512_sub_epi8(q1, k32);
            }
            for (int m = 0; m < 4; m++) {
                /* int16 lanes 8s..8s+7 (values 16s..16s+15 of the group) take scale 4m + s */
                P->s[b][r][m] = _mm512_permutexvar_epi16(_mm512_loadu_si512((const void *)q6_scale_idx[m]), s16);
                c = _mm512_dpwssd_epi32(c, _mm512_maddubs_epi16(one8, P->w[b][r][m]), P->s[b][r][m]);
            }
            P->c[b][r] = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(c, 7));
            P->d[b][r] = h2f(blk->d);
        }
}

/* bsums of each 32-value sub-block (pairs of 16-sums), 8 x int16 */
static inline __m128i bs32(const block_q8_K *xb) {
    return _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)xb->bsums), _mm_loadu_si128((const __m128i *)xb->bsums + 1));
}

/* ---- a register tile: 4 rows x T tokens (T <= 4) over the chunk's super-blocks ----
 * F: float lanes of token pairs, F[p][r] = [token 2p's 8 lanes | token 2p + 1's]; M: Q4_K's
 * mins lanes [token t's 4 lanes] x 4 tokens, or Q5_K's mins sums (lane 4t). */
static inline __attribute__((always_inline)) void ktile(const kpack *P, int64_t kc, const block_q8_K *const xs[KT], const int T,
                                                        __m512 F[KT / 2][KR], __m512 M[KR], const kkind kk) {
    const __m512i x80 = _mm512_set1_epi8((char)0x80);
    for (int64_t b = 0; b < kc; b++) {
        __m512i acc[KR][KT];
        for (int r = 0; r < KR; r++)
            for (int t = 0; t < T; t++) acc[r][t] = kk == KQ6 ? P->c[b][r] : _mm512_setzero_si512();
        for (int j = 0; j < 4; j++) {
            __m512i xv[KT];
            for (int t = 0; t < T; t++) {
                xv[t] = _mm512_loadu_si512((const void *)(xs[t][b].qs + 64 * j));
                if (kk == KQ6) xv[t] = _mm512_xor_si512(xv[t], x80);
            }
            for (int r = 0; r < KR; r++) {
                const __m512i wv = P->w[b][r][j], sv = P->s[b][r][j];
                for (int t = 0; t < T; t++)
                    acc[r][t] = _mm512_dpwssd_epi32(acc[r][t], kk == KQ6 ? _mm512_maddubs_epi16(xv[t], wv) : _mm512_maddubs_epi16(wv, xv[t]), sv);
            }
        }
        /* the two chunks' lanes added, converted, fma'd with d_x d_w: two tokens per register */
        for (int p = 0; p < (T + 1) / 2; p++) {
            const int ta = 2 * p, tb = 2 * p + 1 < T ? 2 * p + 1 : 2 * p;
            const __m512 xd = _mm512_insertf32x8(_mm512_set1_ps(xs[ta][b].d), _mm256_set1_ps(xs[tb][b].d), 1);
            for (int r = 0; r < KR; r++) {
                const __m512i lo = _mm512_shuffle_i64x2(acc[r][ta], acc[r][tb], _MM_SHUFFLE(1, 0, 1, 0));
                const __m512i hi = _mm512_shuffle_i64x2(acc[r][ta], acc[r][tb], _MM_SHUFFLE(3, 2, 3, 2));
                const __m512 dv = _mm512_mul_ps(xd, _mm512_set1_ps(P->d[b][r]));
                F[p][r] = _mm512_fmadd_ps(dv, _mm512_cvtepi32_ps(_mm512_add_epi32(lo, hi)), F[p][r]);
            }
        }
        if (kk == KQ6) continue;
        /* mins: -x.d x dmin_w times the mins products, 4 tokens x 4 lanes per register */
        const block_q8_K *x0 = xs[0] + b, *x1 = xs[T > 1 ? 1 : 0] + b, *x2 = xs[T > 2 ? 2 : T - 1] + b, *x3 = xs[T - 1] + b;
        __m512i bs = _mm512_castsi128_si512(bs32(x0));
        bs = _mm512_inserti32x4(bs, bs32(x1), 1);
        bs = _mm512_inserti32x4(bs, bs32(x2), 2);
        bs = _mm512_inserti32x4(bs, bs32(x3), 3);
        const __m512 xdm = _mm512_setr_ps(-x0->d, -x0->d, -x0->d, -x0->d, -x1->d, -x1->d, -x1->d, -x1->d,
                                          -x2->d, -x2->d, -x2->d, -x2->d, -x3->d, -x3->d, -x3->d, -x3->d);
        for (int r = 0; r < KR; r++) {
            __m512i prod = _mm512_madd_epi16(P->c[b][r], bs);
            const __m512 dmv = _mm512_mul_ps(xdm, _mm512_set1_ps(P->dm[b][r]));
            if (kk == KQ4) {
                M[r] = _mm512_fmadd_ps(dmv, _mm512_cvtepi32_ps(prod), M[r]);
            } else {   /* Q5_K: summs + dmin x (float)(sum of the 4), no fma */
                prod = _mm512_add_epi32(prod, _mm512_shuffle_epi32(prod, _MM_PERM_BADC));
                prod = _mm512_add_epi32(prod, _mm512_shuffle_epi32(prod, _MM_PERM_CDAB));
                M[r] = _mm512_add_ps(M[r], _mm512_mul_ps(dmv, _mm512_cvtepi32_ps(prod)));
            }
        }
    }
}

/* hsum_float_8 of both halves of v: lane 0 = the first 8 lanes', lane 8 the last 8's */
static inline __m512 hsum8_pair(__m512 v) {
    v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    v = _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(3, 2, 3, 2)));
    return _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(1, 1, 1, 1)));
}
/* (m0 + m2) + (m1 + m3) of each 128-bit lane, into its lane 0 */
static inline __m512 hsum4_lanes(__m512 v) {
    v = _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(3, 2, 3, 2)));
    return _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(1, 1, 1, 1)));
}

static inline __attribute__((always_inline)) void gemm_k512(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy,
                                                            const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx,
                                                            const kkind kk) {
    const int64_t nb = n / QK_K;
    kpack P;
    __m512 F[KNT / KT][KT / 2][KR], M[KNT / KT][KR];
    for (int64_t t0 = 0; t0 < nt; t0 += KNT) {
        const int64_t mt = nt - t0 < KNT ? nt - t0 : KNT, ng = (mt + KT - 1) / KT;
        for (int64_t r0 = 0; r0 < nr; r0 += KR) {
            const uint8_t *wr[KR];
            const int rn = tile_rows(w, ldw, r0, nr, KR, wr);
            for (int64_t g = 0; g < ng; g++)
                for (int r = 0; r < KR; r++) {
                    M[g][r] = _mm512_setzero_ps();
                    for (int p = 0; p < KT / 2; p++) F[g][p][r] = _mm512_setzero_ps();
                }
            for (int64_t k0 = 0; k0 < nb; k0 += KKC) {
                const int64_t kc = nb - k0 < KKC ? nb - k0 : KKC;
                if (kk == KQ6) pack_q6(&P, wr, k0, kc);
                else pack_q45(&P, wr, k0, kc, kk == KQ5);
                for (int64_t g = 0; g < ng; g++) {
                    const int T = mt - KT * g < KT ? (int)(mt - KT * g) : KT;
                    const block_q8_K *xs[KT];
                    for (int t = 0; t < KT; t++)
                        xs[t] = (const block_q8_K *)(x + (size_t)(t0 + KT * g + (t < T ? t : T - 1)) * ldx) + k0;
                    switch (T) {
                    case 4: ktile(&P, kc, xs, 4, F[g], M[g], kk); break;
                    case 3: ktile(&P, kc, xs, 3, F[g], M[g], kk); break;
                    case 2: ktile(&P, kc, xs, 2, F[g], M[g], kk); break;
                    default: ktile(&P, kc, xs, 1, F[g], M[g], kk); break;
                    }
                }
            }
            for (int64_t g = 0; g < ng; g++) {
                const int T = mt - KT * g < KT ? (int)(mt - KT * g) : KT;
                for (int r = 0; r < rn; r++) {
                    float f[2][16], m[16];
                    for (int p = 0; p < KT / 2; p++) _mm512_storeu_ps(f[p], hsum8_pair(F[g][p][r]));
                    _mm512_storeu_ps(m, kk == KQ4 ? hsum4_lanes(M[g][r]) : M[g][r]);
                    for (int t = 0; t < T; t++) {
                        const float main = f[t / 2][8 * (t % 2)];
                        y[(t0 + KT * g + t) * ldy + r0 + r] = kk == KQ6 ? main : main + m[4 * t];
                    }
                }
            }
        }
    }
}

static void gemm_q4_K_512(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                          const uint8_t *x, size_t ldx) {
    gemm_k512(n, nr, nt, y, ldy, w, ldw, x, ldx, KQ4);
}
static void gemm_q5_K_512(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                          const uint8_t *x, size_t ldx) {
    gemm_k512(n, nr, nt, y, ldy, w, ldw, x, ldx, KQ5);
}
static void gemm_q6_K_512(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy, const uint8_t *w, size_t ldw,
                          const uint8_t *x, size_t ldx) {
    gemm_k512(n, nr, nt, y, ldy, w, ldw, x, ldx, KQ6);
}

const vk_kernels vk_avx512_q4_K = { .gemm = gemm_q4_K_512 };
const vk_kernels vk_avx512_q5_K = { .gemm = gemm_q5_K_512 };
const vk_kernels vk_avx512_q6_K = { .gemm = gemm_q6_K_512 };

#if defined(__clang__)
#pragma clang attribute pop
#endif
