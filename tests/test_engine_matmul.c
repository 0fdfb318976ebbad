/* tests/test_engine_matmul.c — the batched (prompt) matmul kernels against the scalar
 * per-output dot products, the token-by-token path and other thread counts, on shapes that
 * reach every edge of their blocking (partial row tiles, token counts past one tile, block
 * counts past one chunk); and the AVX2 activation converters against their scalar twins,
 * byte for byte, including rounding ties, zero, subnormal and non-finite blocks.
 * Quantized weights: exact integer block sums in the same order everywhere; F32/F16: llama.cpp's
 * FMA orders (one for a token, one for batches) in both twins, so all paths must agree bit for
 * bit.  BF16: the AVX2 kernel uses FMA and the scalar twin does not, so those two agree to a
 * stated tolerance (2e-6 relative to sum |w x|).  F32/F16 batches follow a different order
 * from single tokens (as in llama.cpp): there the token-by-token path must agree to 2e-6 of
 * sum |w x|, and bit for bit where the batch takes the single-token order. */
#include "test.h"
#include "engine/tensor.h"
#include "engine/kernels/kernels.h"
#include <math.h>
#include <stdint.h>

static uint64_t rs = 0x2545F4914F6CDD1Dull;
static float rnd_unit(void) {
    rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
    return (float)((rs >> 40) & 0xFFFFFF) / 16777216.0f;
}
static float rnd_normal(void) {
    float u = rnd_unit() + 1e-7f, v = rnd_unit();
    return sqrtf(-2.f * logf(u)) * cosf(6.2831853f * v);
}

static const int types[] = {VT_F32, VT_F16, VT_BF16, VT_Q8_0, VT_Q4_0, VT_Q4_K, VT_Q5_K, VT_Q6_K};
#define N_TYPES (int)(sizeof types / sizeof types[0])
/* every type but BF16 (whose AVX2 twin uses FMA where the scalar one does not) must give
 * the scalar bits */
static int exact_twins(int t) { return t != VT_BF16; }

/* One product checked every way; returns the number of failed comparisons. */
static int check_product(int t, int64_t n_in, int64_t n_out, int64_t n_tok, int have_simd) {
    const vers_type_traits *tr = vers_type_get(t);
    const size_t wrow = vers_row_size(t, n_in), xrow = vers_act_row_size(t, n_in);
    float *wf = malloc(sizeof(float) * n_in * n_out), *x = malloc(sizeof(float) * n_in * n_tok);
    float *ys = malloc(sizeof(float) * n_out * n_tok), *yv = malloc(sizeof(float) * n_out * n_tok);
    float *y2 = malloc(sizeof(float) * n_out * n_tok), *yt = malloc(sizeof(float) * n_out * n_tok);
    uint8_t *W = malloc(wrow * n_out), *xq = malloc(xrow * n_tok);
    int bad = 0;
    for (int64_t i = 0; i < n_in * n_out; i++) wf[i] = rnd_normal() * (i % 89 == 0 ? 8.f : 0.3f);
    for (int64_t i = 0; i < n_in * n_tok; i++) x[i] = rnd_normal() * (i % 31 == 0 ? 5.f : 1.f);
    for (int64_t r = 0; r < n_out; r++) vers_quantize_row(t, wf + r * n_in, W + r * wrow, n_in);

    /* reference: the scalar dot product per output, activations converted by the scalar code;
     * F32/F16 batches that llama.cpp gives to tinyBLAS take its order (vers_matmul's rule) */
    const int lanes16 = (t == VT_F32 || t == VT_F16) && n_tok >= 2 && n_in % 16 == 0 && n_out % 4 == 0;
    vers_vec_dot_fn ref = !lanes16 ? tr->vec_dot : t == VT_F32 ? vk_dot16_f32_scalar : vk_dot16_f16_scalar;
    vers_simd_force(0);
    vers_act_convert(t, x, xq, n_in, n_tok);
    for (int64_t k = 0; k < n_tok; k++)
        for (int64_t r = 0; r < n_out; r++) ref(n_in, &ys[k * n_out + r], W + r * wrow, xq + k * xrow);
    /* scalar matmul (VERS_NO_SIMD path): same bits */
    vers_matmul(yv, W, t, x, n_in, n_out, n_tok, 1);
    if (memcmp(yv, ys, sizeof(float) * n_out * n_tok)) {
        bad++;
        printf("  %s %lldx%lld n_tok %lld: scalar matmul != scalar dots\n", tr->name, (long long)n_in, (long long)n_out, (long long)n_tok);
    }
    for (int pass = 0; pass < 1 + have_simd; pass++) {
        vers_simd_force(pass);
        vers_matmul(yv, W, t, x, n_in, n_out, n_tok, 1);
        if (pass) {
            if (exact_twins(t)) {
                if (memcmp(yv, ys, sizeof(float) * n_out * n_tok)) {
                    bad++;
                    printf("  %s %lldx%lld n_tok %lld: avx2 matmul != scalar dots\n", tr->name, (long long)n_in, (long long)n_out, (long long)n_tok);
                }
            } else {
                /* |avx2 - scalar| <= 2e-6 sum |w x| (FMA vs separate rounding) */
                const uint8_t *xr = xq;
                float *xd = malloc(sizeof(float) * n_in), *wd = malloc(sizeof(float) * n_in);
                for (int64_t k = 0; k < n_tok && !bad; k++) {
                    vers_to_float(tr->vec_dot_type, xr + k * xrow, xd, n_in);
                    for (int64_t r = 0; r < n_out; r++) {
                        vers_to_float(t, W + r * wrow, wd, n_in);
                        double mag = 0;
                        for (int64_t i = 0; i < n_in; i++) mag += fabs((double)wd[i] * xd[i]);
                        if (fabs((double)yv[k * n_out + r] - ys[k * n_out + r]) > 2e-6 * mag) {
                            bad++;
                            printf("  %s: avx2 %.9g vs scalar %.9g (mag %g)\n", tr->name, yv[k * n_out + r], ys[k * n_out + r], mag);
                            break;
                        }
                    }
                }
                free(xd); free(wd);
            }
        }
        /* 2 and 3 threads: same bits */
        for (int nth = 2; nth <= 3; nth++) {
            vers_matmul(y2, W, t, x, n_in, n_out, n_tok, nth);
            if (memcmp(yv, y2, sizeof(float) * n_out * n_tok)) {
                bad++;
                printf("  %s %s: %d threads differ from 1\n", tr->name, pass ? "avx2" : "scalar", nth);
            }
        }
        /* token by token (decode path), through both entry points: same bits as the batch */
        vers_act_convert(t, x, xq, n_in, n_tok);
        for (int64_t k = 0; k < n_tok; k++) {
            if (k % 2) vers_matmul(yt + k * n_out, W, t, x + k * n_in, n_in, n_out, 1, 2);
            else vers_matmul_prepared(yt + k * n_out, W, t, xq + k * xrow, n_in, n_out, 1, 1);
        }
        if (!lanes16 && memcmp(yv, yt, sizeof(float) * n_out * n_tok)) {
            bad++;
            printf("  %s %s %lldx%lld n_tok %lld: token by token differs from the batch\n", tr->name,
                   pass ? "avx2" : "scalar", (long long)n_in, (long long)n_out, (long long)n_tok);
        }
        if (lanes16) {   /* the two orders: equal to rounding (2e-6 of sum |w x|), not bit for bit */
            for (int64_t i = 0; i < n_out * n_tok; i++) {
                const int64_t k = i / n_out, r = i % n_out;
                double mag = 0;
                for (int64_t e = 0; e < n_in; e++) mag += fabs((double)wf[r * n_in + e] * x[k * n_in + e]);
                if (fabs((double)yv[i] - yt[i]) > 2e-6 * mag) {
                    bad++;
                    printf("  %s: batch %.9g vs token by token %.9g\n", tr->name, yv[i], yt[i]);
                    break;
                }
            }
        }
        /* prepared activations, whole batch */
        vers_matmul_prepared(y2, W, t, xq, n_in, n_out, n_tok, 2);
        if (memcmp(yv, y2, sizeof(float) * n_out * n_tok)) {
            bad++;
            printf("  %s %s: prepared batch differs\n", tr->name, pass ? "avx2" : "scalar");
        }
    }
    vers_simd_force(have_simd);
    free(wf); free(x); free(ys); free(yv); free(y2); free(yt); free(W); free(xq);
    return bad;
}

static void test_products(int have_simd) {
    T_CASE("matmul: batched kernels = scalar dots = token by token, any thread count") {
        /* shapes: rows around the 8-row tile, tokens around the 64-token tile, Q8_0/Q4_0
         * block counts around the 8-block chunk, several K-quant super-blocks */
        static const int64_t outs[] = {1, 7, 8, 19};
        static const int64_t toks[] = {1, 2, 3, 64, 67};
        int total = 0, bad = 0;
        for (int k = 0; k < N_TYPES; k++) {
            const int t = types[k];
            const int bs = vers_type_get(t)->blck_size;
            /* float types: 80 = one 64-step + 16 (tinyBLAS order in batches of rows % 4 == 0),
             * 200 (not a multiple of 16: ggml_vec_dot's order everywhere) */
            const int64_t ins[2] = {bs == 1 ? 80 : bs == 32 ? 32 * 19 : 256 * 3, bs == 1 ? 200 : bs == 32 ? 64 : 256};
            for (int a = 0; a < 2; a++)
                for (int o = 0; o < 4; o++)
                    for (int n = 0; n < 5; n++) {
                        /* keep the suite fast: big token counts only with small widths */
                        if (toks[n] > 3 && outs[o] > 8 && a == 0) continue;
                        bad += check_product(t, ins[a], outs[o], toks[n], have_simd);
                        total++;
                    }
        }
        T_CHECK(bad == 0, "%d of %d products failed a comparison", bad, total);
        if (!have_simd) printf("note: SIMD off (VERS_NO_SIMD or no AVX2): scalar paths only; AVX2 compared in the other run\n");
    }
    T_CASE("matmul: a 72 x 768 x 66-token product (parallel, several tiles) equals the scalar dots") {
        const int ts[] = {VT_Q8_0, VT_Q4_0, VT_Q4_K, VT_F16};
        int bad = 0;
        for (int k = 0; k < 4; k++) bad += check_product(ts[k], 768, 72, 66, have_simd);
        T_CHECK(bad == 0, "%d comparisons failed", bad);
    }
}


/* Q4_0 repacked by 8 rows: the same bits as the row layout, scalar and AVX2, one token and
 * batches, any thread count; shapes that are not whole groups are refused. */
static void test_repack(int have_simd) {
    T_CASE("matmul: Q4_0 repacked by 8 rows gives the row layout's bits (decode, prompt, threads)") {
        static const int64_t outs[] = {8, 16, 72};
        static const int64_t toks[] = {1, 2, 5, 66};
        static const int64_t ins[] = {32, 32 * 9, 768};
        int bad = 0;
        for (int a = 0; a < 3; a++)
            for (int o = 0; o < 3; o++)
                for (int k = 0; k < 4; k++) {
                    const int64_t n_in = ins[a], n_out = outs[o], n_tok = toks[k];
                    const size_t wrow = vers_row_size(VT_Q4_0, n_in);
                    float *wf = malloc(sizeof(float) * n_in), *x = malloc(sizeof(float) * n_in * n_tok);
                    float *y0 = malloc(sizeof(float) * n_out * n_tok), *y1 = malloc(sizeof(float) * n_out * n_tok);
                    uint8_t *W = malloc(wrow * n_out), *R = malloc(wrow * n_out);
                    for (int64_t r = 0; r < n_out; r++) {
                        for (int64_t i = 0; i < n_in; i++) wf[i] = rnd_normal() * (i % 89 == 0 ? 8.f : 0.3f);
                        vers_quantize_row(VT_Q4_0, wf, W + r * wrow, n_in);
                    }
                    for (int64_t i = 0; i < n_in * n_tok; i++) x[i] = rnd_normal();
                    if (vers_repack_q4_0x8(W, R, n_in, n_out)) bad++;
                    for (int pass = 0; pass < 1 + have_simd; pass++) {
                        vers_simd_force(pass);
                        vers_matmul(y0, W, VT_Q4_0, x, n_in, n_out, n_tok, 1);
                        for (int nth = 1; nth <= 3; nth++) {
                            memset(y1, 0, sizeof(float) * n_out * n_tok);
                            vers_matmul(y1, R, VT_Q4_0_X8, x, n_in, n_out, n_tok, nth);
                            if (memcmp(y0, y1, sizeof(float) * n_out * n_tok)) {
                                bad++;
                                printf("  %lldx%lld n_tok %lld %s %d threads: repacked differs\n", (long long)n_in,
                                       (long long)n_out, (long long)n_tok, pass ? "avx2" : "scalar", nth);
                            }
                        }
                    }
                    vers_simd_force(have_simd);
                    free(wf); free(x); free(y0); free(y1); free(W); free(R);
                }
        uint8_t buf[18 * 8];
        T_CHECK(vers_repack_q4_0x8(buf, buf, 32, 7) == VERS_EINVAL && vers_repack_q4_0x8(buf, buf, 31, 8) == VERS_EINVAL,
                "shapes that are not whole groups of 8 rows must be refused");
        T_CHECK(bad == 0, "%d comparisons failed", bad);
    }
}

/* AVX2 converters vs scalar, byte for byte. */
static void test_converters(int have_simd) {
    T_CASE("matmul: AVX2 activation converters give the scalar bytes (Q8_0, Q8_K, F16)") {
        if (!have_simd) printf("note: SIMD off: converters compared in the other run\n");
        const int64_t n = 256 * 12;
        float *x = malloc(sizeof(float) * n);
        uint8_t *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
        int bad = 0;
        for (int round = 0; round < 6 * have_simd; round++) {
            for (int64_t i = 0; i < n; i++) x[i] = rnd_normal() * (i % 41 == 0 ? 30.f : 1.f);
            /* block 0: all zero; block 1: a tie at x * 127/amax = k + 0.5; block 2: subnormal;
             * block 3: NaN, block 4: infinity (Q8_0 blocks of 32; Q8_K blocks of 256 see them too);
             * block 5: equal magnitudes of both signs (Q8_K takes the first one) */
            for (int i = 0; i < 32; i++) x[i] = 0.f;
            x[32] = 127.f; x[33] = 2.5f; x[34] = -2.5f; x[35] = 0.5f;
            for (int i = 64; i < 96; i++) x[i] = 1e-44f * (float)(i - 80);
            if (round % 2) x[100] = NAN;
            if (round % 3 == 1) x[140] = -INFINITY;
            x[300] = -1000.f; x[301] = 1000.f;
            if (round == 5) x[260] = 1000.f;  /* positive max first in Q8_K block 1 */
            const int cts[3] = {VT_Q8_0, VT_Q8_K, VT_F16};
            for (int c = 0; c < 3; c++) {
                const vers_type_traits *vt = vers_type_get(cts[c]);
                const size_t bytes = vers_row_size(cts[c], n);
                memset(a, 0x55, bytes); memset(b, 0xAA, bytes);
                vers_simd_force(0);
                (cts[c] == VT_Q8_0 ? vt->from_float_act : vt->from_float)(x, a, n);
                vers_simd_force(1);
                (cts[c] == VT_Q8_0 ? vt->from_float_act : vt->from_float)(x, b, n);
                if (memcmp(a, b, bytes)) {
                    size_t i = 0;
                    while (a[i] == b[i]) i++;
                    printf("  %s round %d: byte %zu differs (scalar %02x, avx2 %02x)\n", vt->name, round, i, a[i], b[i]);
                    bad++;
                }
            }
            /* odd lengths for F16 (tail) */
            vers_simd_force(0);
            vers_type_get(VT_F16)->from_float(x + 1, a, 13);
            vers_simd_force(1);
            vers_type_get(VT_F16)->from_float(x + 1, b, 13);
            if (memcmp(a, b, 26)) { bad++; printf("  F16 tail differs\n"); }
        }
        T_CHECK(bad == 0, "%d converter comparisons failed", bad);
        free(x); free(a); free(b);
    }
}

/* Every instruction-set level of the type table (scalar, AVX2, AVX-512: as far as this CPU
 * goes, whatever VERS_NO_AVX512 says) against the scalar level, bit for bit, on prompt-sized
 * products (several row tiles, token counts past the 64-token blocks, 1 and 2 threads) and
 * decode; BF16 (FMA against separate roundings) to rounding only.  The twins of one kernel
 * compared in one process. */
static void test_levels(void) {
    T_CASE("matmul: each kernel level (AVX2, AVX-512) gives the scalar level's bits, prompt and decode") {
        const int saved = vers_simd_level();
        vers_simd_force_level(VERS_ISA_AVX512);
        const int top = vers_simd_level();
        static const int ts[] = {VT_F32, VT_F16, VT_BF16, VT_Q8_0, VT_Q4_0, VT_Q4_0_X8, VT_Q4_K, VT_Q5_K, VT_Q6_K};
        static const int64_t toks[] = {1, 9, 130};
        int bad = 0, runs = 0;
        for (size_t k = 0; k < sizeof ts / sizeof ts[0]; k++)
            for (int a = 0; a < 3; a++)
                for (int n = 0; n < 3; n++) {
                    const int t = ts[k], bt = t == VT_Q4_0_X8 ? VT_Q4_0 : t;
                    if (a == 2 && t == VT_Q4_0_X8) continue;   /* its rows come in groups of 8 */
                    /* (19 rows: a partial row tile of every kernel; 2304 values: past the
                     * 8-super-block chunk of the AVX-512 K-quant tiles) */
                    const int64_t n_in = a == 2 ? 2304 : a ? 512 : 768, n_out = a == 2 ? 19 : a ? 40 : 24, n_tok = toks[n];
                    const size_t wrow = vers_row_size(bt, n_in);
                    float *wf = malloc(sizeof(float) * n_in), *x = malloc(sizeof(float) * n_in * n_tok);
                    float *y0 = malloc(sizeof(float) * n_out * n_tok), *y1 = malloc(sizeof(float) * n_out * n_tok);
                    uint8_t *W = malloc(wrow * n_out), *R = malloc(wrow * n_out);
                    for (int64_t r = 0; r < n_out; r++) {
                        for (int64_t i = 0; i < n_in; i++) wf[i] = rnd_normal() * (i % 89 == 0 ? 8.f : 0.3f);
                        vers_quantize_row(bt, wf, W + r * wrow, n_in);
                    }
                    if (t == VT_Q4_0_X8) { vers_repack_q4_0x8(W, R, n_in, n_out); memcpy(W, R, wrow * n_out); }
                    for (int64_t i = 0; i < n_in * n_tok; i++) x[i] = rnd_normal() * (i % 31 == 0 ? 5.f : 1.f);
                    vers_simd_force_level(VERS_ISA_SCALAR);
                    vers_matmul(y0, W, t, x, n_in, n_out, n_tok, 1);
                    for (int l = VERS_ISA_AVX2; l <= top; l++)
                        for (int nth = 1; nth <= 2; nth++) {
                            vers_simd_force_level(l);
                            memset(y1, 0, sizeof(float) * n_out * n_tok);
                            vers_matmul(y1, W, t, x, n_in, n_out, n_tok, nth);
                            runs++;
                            int diff = 0;
                            for (int64_t i = 0; i < n_out * n_tok; i++)
                                if (t == VT_BF16 ? fabsf(y1[i] - y0[i]) > 1e-4f * (1.f + fabsf(y0[i])) : memcmp(&y1[i], &y0[i], 4) != 0) diff++;
                            if (diff) {
                                bad++;
                                printf("  %s %lldx%lld n_tok %lld level %d, %d threads: %d outputs differ from scalar\n",
                                       t == VT_Q4_0_X8 ? "Q4_0x8" : vers_type_name(t), (long long)n_in, (long long)n_out,
                                       (long long)n_tok, l, nth, diff);
                            }
                        }
                    free(wf); free(x); free(y0); free(y1); free(W); free(R);
                }
        vers_simd_force_level(saved);
        printf("note: levels compared: scalar..%d (%d products)\n", top, runs);
        T_CHECK(bad == 0, "%d of %d products differ from the scalar level", bad, runs);
    }
}

int main(void) {
    const int have_simd = vers_simd_enabled();
    test_levels();
    test_converters(have_simd);
    test_products(have_simd);
    test_repack(have_simd);
    T_DONE();
}
