/* tests/test_engine_tensor.c — tensor types and kernels: the type table, F16/BF16
 * conversions, quantizers reproducing llama-quantize's bytes on the tiny llama.cpp models,
 * dot products against dequantize-then-float references, the scalar and AVX2 twins against
 * each other, and vers_matmul across thread counts. */
#include "test.h"
#include "engine/gguf.h"
#include "engine/tensor.h"
#include "engine/ops.h"
#include <math.h>
#include <stdint.h>

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint32_t rnd_u32(void) {
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}
static float rnd_unit(void) { return (float)(rnd_u32() >> 8) / 16777216.0f; }
/* roughly normal(0, 1) */
static __attribute__((unused)) float rnd_normal(void) { float s = 0; for (int i = 0; i < 12; i++) s += rnd_unit(); return s - 6.0f; }

static void test_table(void) {
    T_CASE("tensor: type table") {
        T_CHECK(vers_row_size(VT_Q4_0, 64) == 36 && vers_row_size(VT_Q8_0, 32) == 34, "q4_0/q8_0 row");
        T_CHECK(vers_row_size(VT_Q4_K, 512) == 288 && vers_row_size(VT_Q6_K, 256) == 210 &&
                vers_row_size(VT_Q5_K, 256) == 176 && vers_row_size(VT_Q8_K, 256) == 292, "k-quant rows");
        T_CHECK(vers_row_size(VT_Q4_0, 33) == 0 && vers_row_size(99, 32) == 0, "bad row sizes");
        T_CHECK(vers_type_from_name("q4_k") == VT_Q4_K && vers_type_from_name("BF16") == VT_BF16 &&
                vers_type_from_name("nope") == -1, "names");
        T_CHECK(!strcmp(vers_type_name(VT_Q6_K), "Q6_K") && !strcmp(vers_type_name(4), "?"), "type names");
        T_CHECK(vers_type_get(VT_Q4_1) && !vers_type_get(VT_Q4_1)->supported, "known but unsupported");
        for (int t = 0; t < VT_COUNT; t++) {
            const vers_type_traits *tr = vers_type_get(t);
            if (!tr || !tr->supported) continue;
            const vers_type_traits *vd = vers_type_get(tr->vec_dot_type);
            T_CHECK(tr->to_float && tr->from_float && tr->vec_dot && vd && (vd->from_float_act || tr->vec_dot_type == VT_F32),
                    "%s: kernels missing", tr->name);
        }
    }
}

static void test_f16(void) {
    T_CASE("tensor: f16 conversions round-trip and round to nearest even") {
        int bad = 0;
        for (uint32_t h = 0; h < 65536; h++) {
            float f = vers_f16_to_f32((uint16_t)h);
            if (f != f) continue;  /* NaN */
            if (vers_f32_to_f16(f) != h) bad++;
        }
        T_CHECK(bad == 0, "%d halves do not round-trip", bad);
        T_CHECK(vers_f16_to_f32(0x3C00) == 1.0f && vers_f16_to_f32(0xC000) == -2.0f &&
                vers_f16_to_f32(0x0001) == 5.9604645e-8f && vers_f16_to_f32(0x7BFF) == 65504.f, "values");
        /* 1 + 2^-11 is halfway between 1 and 1+2^-10: ties to even (1.0) */
        T_CHECK(vers_f32_to_f16(1.0f + 0x1p-11f) == 0x3C00 && vers_f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3C02, "ties");
        T_CHECK(vers_f32_to_f16(1e6f) == 0x7C00 && vers_f32_to_f16(-1e6f) == 0xFC00, "overflow to inf");
        uint16_t nan = vers_f32_to_f16(NAN);
        T_CHECK((nan & 0x7C00) == 0x7C00 && (nan & 0x3FF), "nan");
        T_CHECK(vers_bf16_to_f32(vers_f32_to_bf16(1.5f)) == 1.5f && vers_f32_to_bf16(1.00390625f) == 0x3F80 &&
                vers_f32_to_bf16(1.01171875f) == 0x3F82, "bf16 ties to even");
    }
}

/* ---- quantizers against llama-quantize's bytes ---- */
static void test_quantize_bytes(void) {
    static const char *types[] = {"F16", "Q8_0", "Q4_0", "Q6_K", "Q4_K_M"};
    static const char *archs[] = {"llama", "qwen2", "gpt2"};
    char rel[256];
    snprintf(rel, sizeof rel, "reference/llamacpp/models/tiny-llama-F32.gguf");
    if (!t_shared(rel)) { T_SKIP("tensor: quantizers reproduce llama-quantize", "../shared/reference/llamacpp absent"); return; }
    for (int a = 0; a < 3; a++) {
        snprintf(rel, sizeof rel, "reference/llamacpp/models/tiny-%s-F32.gguf", archs[a]);
        const char *pf = t_shared(rel);
        gguf_file *src = NULL; vers_err err = {0};
        if (!pf || gguf_open(pf, &src, &err)) { T_CASE("tensor: open F32 model") T_CHECK(0, "%s: %s", rel, err.msg); continue; }
        for (int ti = 0; ti < 5; ti++) {
            char name[128];
            snprintf(name, sizeof name, "tensor: quantizing tiny-%s-F32 reproduces the bytes of -%s", archs[a], types[ti]);
            T_CASE(name) {
                snprintf(rel, sizeof rel, "reference/llamacpp/models/tiny-%s-%s.gguf", archs[a], types[ti]);
                const char *pq = t_shared(rel);
                gguf_file *q = NULL;
                T_CHECK(pq && gguf_open(pq, &q, &err) == 0, "%s", rel);
                if (!q) break;
                int compared = 0;
                for (uint64_t i = 0; i < q->n_tensors; i++) {
                    const gguf_tensor *tq = &q->tensors[i];
                    char tn[256];
                    snprintf(tn, sizeof tn, "%.*s", (int)tq->name.len, tq->name.ptr);
                    const gguf_tensor *tf = gguf_find_tensor(src, tn);
                    T_CHECK(tf && tf->type == VT_F32, "%s missing in F32 file", tn);
                    if (!tf || tq->type == VT_F32) continue;
                    void *out = malloc(tq->nbytes);
                    int64_t rows = tf->ne[1] * tf->ne[2] * tf->ne[3];
                    size_t rs = vers_row_size(tq->type, tf->ne[0]);
                    int rc = 0;
                    for (int64_t r = 0; r < rows && !rc; r++)
                        rc = vers_quantize_row(tq->type, (const float *)tf->data + r * tf->ne[0], (uint8_t *)out + r * rs, tf->ne[0]);
                    T_CHECK(rc == 0 && rs * (size_t)rows == tq->nbytes, "%s: quantize rc %d", tn, rc);
                    if (!rc && memcmp(out, tq->data, tq->nbytes)) {
                        size_t k = 0;
                        while (((uint8_t *)out)[k] == ((const uint8_t *)tq->data)[k]) k++;
                        T_CHECK(0, "%s (%s): bytes differ from offset %zu of %zu", tn, vers_type_name(tq->type), k, tq->nbytes);
                    }
                    compared++;
                    free(out);
                }
                T_CHECK(compared >= 6, "only %d tensors compared", compared);
                gguf_close(q);
            }
        }
        gguf_close(src);
    }
}

/* ---- dot products and matmul ---- */
static const int kernel_types[] = {VT_F32, VT_F16, VT_BF16, VT_Q8_0, VT_Q4_0, VT_Q4_K, VT_Q5_K, VT_Q6_K};
#define N_KTYPES (int)(sizeof kernel_types / sizeof kernel_types[0])

static int is_quant(int t) { return t != VT_F32 && t != VT_F16 && t != VT_BF16; }

/* Random weights: normal, with a few outliers and an all-zero stretch. */
static void fill_weights(float *w, int64_t n) {
    for (int64_t i = 0; i < n; i++) w[i] = rnd_normal() * 0.1f;
    for (int64_t i = 0; i < n; i += 97) w[i] *= 20.f;
    for (int64_t i = 0; i < n && i < 32; i++) w[i] = 0.f;
}

static void test_dots(void) {
    T_CASE("tensor: dot products agree with dequantize-then-float references, twins agree") {
        const int have_simd = vers_simd_enabled();
        for (int k = 0; k < N_KTYPES; k++) {
            const int t = kernel_types[k];
            const vers_type_traits *tr = vers_type_get(t), *vt = vers_type_get(tr->vec_dot_type);
            const int64_t sizes[] = {tr->blck_size == 1 ? 172 : 512, tr->blck_size == 1 ? 8 : 256, 1024};
            for (int si = 0; si < 3; si++) {
                const int64_t n = sizes[si];
                float *w = malloc(n * 4), *x = malloc(n * 4), *wd = malloc(n * 4), *xd = malloc(n * 4);
                uint8_t *wq = malloc(vers_row_size(t, n)), *xq = malloc(vers_row_size(tr->vec_dot_type, n) + 1);
                fill_weights(w, n);
                for (int64_t i = 0; i < n; i++) x[i] = rnd_normal() * (i % 5 == 0 ? 3.f : 1.f);
                T_CHECK(vers_quantize_row(t, w, wq, n) == 0, "%s quantize", tr->name);
                T_CHECK(vers_act_convert(t, x, xq, n, 1) == 0, "%s act convert", tr->name);
                T_CHECK(vers_to_float(t, wq, wd, n) == 0, "%s to_float", tr->name);
                vt->to_float(xq, xd, n);
                double ref = 0, mag = 0;
                for (int64_t i = 0; i < n; i++) { ref += (double)wd[i] * xd[i]; mag += fabs((double)wd[i] * xd[i]); }
                float s_scalar = 0, s_simd = 0;
                tr->vec_dot(n, &s_scalar, wq, xq);
                T_CHECK(fabs(s_scalar - ref) <= 1e-5 * mag + 1e-30, "%s n=%lld: scalar %.9g vs reference %.9g (mag %g)",
                        tr->name, (long long)n, s_scalar, ref, mag);
                vers_vec_dot_fn simd_dot = vers_type_dot(tr, vers_simd_level());
                if (have_simd && simd_dot) {
                    simd_dot(n, &s_simd, wq, xq);
                    if (is_quant(t))
                        T_CHECK(memcmp(&s_simd, &s_scalar, 4) == 0, "%s n=%lld: avx2 %.9g != scalar %.9g",
                                tr->name, (long long)n, s_simd, s_scalar);
                    else
                        T_CHECK(fabs(s_simd - s_scalar) <= 2e-6 * mag, "%s: avx2 %.9g vs scalar %.9g", tr->name, s_simd, s_scalar);
                }
                free(w); free(x); free(wd); free(xd); free(wq); free(xq);
            }
        }
        if (!have_simd) printf("note: SIMD off (VERS_NO_SIMD or no AVX2): twins compared in the other run\n");
    }
    T_CASE("tensor: Q8_0 activations as ggml: 127/amax, round half to even") {
        float x[32] = {0};
        x[0] = 127.f; x[1] = 2.5f; x[2] = -2.5f; x[3] = 3.5f; x[4] = 0.5f;
        uint8_t q[34];
        vers_act_convert(VT_Q8_0, x, q, 32, 1);
        const int8_t *qs = (const int8_t *)(q + 2);
        T_CHECK(qs[0] == 127 && qs[1] == 2 && qs[2] == -2 && qs[3] == 4 && qs[4] == 0, "got %d %d %d %d %d", qs[0], qs[1], qs[2], qs[3], qs[4]);
        uint8_t r[34];
        vers_quantize_row(VT_Q8_0, x, r, 32);  /* weights: roundf, half away from zero */
        const int8_t *rs = (const int8_t *)(r + 2);
        T_CHECK(rs[1] == 3 && rs[2] == -3 && rs[4] == 1, "weights: got %d %d %d", rs[1], rs[2], rs[4]);
    }
}

/* y = W x through vers_matmul vs one vec_dot per output; 1 vs 2 threads. */
static void test_matmul(void) {
    T_CASE("tensor: vers_matmul equals per-output dot products, same bits at 1 and 2 threads") {
        for (int k = 0; k < N_KTYPES; k++) {
            const int t = kernel_types[k];
            const vers_type_traits *tr = vers_type_get(t);
            const int64_t n_in = tr->blck_size == 1 ? 200 : 512, n_out = 67, n_tok = 9;
            const size_t wrow = vers_row_size(t, n_in), xrow = vers_act_row_size(t, n_in);
            float *wf = malloc(n_in * n_out * 4), *x = malloc(n_in * n_tok * 4);
            float *y1 = malloc(n_out * n_tok * 4), *y2 = malloc(n_out * n_tok * 4), *y3 = malloc(n_out * n_tok * 4);
            uint8_t *W = malloc(wrow * n_out), *xq = malloc(xrow * n_tok);
            fill_weights(wf, n_in * n_out);
            for (int64_t i = 0; i < n_in * n_tok; i++) x[i] = rnd_normal();
            for (int64_t r = 0; r < n_out; r++) vers_quantize_row(t, wf + r * n_in, W + r * wrow, n_in);
            vers_act_convert(t, x, xq, n_in, n_tok);
            vers_vec_dot_fn dot = vers_type_dot(tr, vers_simd_level());
            for (int64_t tk = 0; tk < n_tok; tk++)
                for (int64_t r = 0; r < n_out; r++) dot(n_in, &y3[tk * n_out + r], W + r * wrow, xq + tk * xrow);
            vers_matmul(y1, W, t, x, n_in, n_out, n_tok, 1);
            vers_matmul(y2, W, t, x, n_in, n_out, n_tok, 2);
            T_CHECK(!memcmp(y1, y3, n_out * n_tok * 4), "%s: matmul differs from per-output dots", tr->name);
            T_CHECK(!memcmp(y1, y2, n_out * n_tok * 4), "%s: 1 and 2 threads differ", tr->name);
            /* prepared path, one token at a time: same bits again (decode == prompt) */
            int same = 1;
            for (int64_t tk = 0; tk < n_tok; tk++) {
                vers_matmul_prepared(y2 + tk * n_out, W, t, xq + tk * xrow, n_in, n_out, 1, 2);
                if (memcmp(y2 + tk * n_out, y1 + tk * n_out, n_out * 4)) same = 0;
            }
            T_CHECK(same, "%s: token-by-token differs from the batch", tr->name);
            free(wf); free(x); free(y1); free(y2); free(y3); free(W); free(xq);
        }
    }
    T_CASE("tensor: large matmul (parallel path) is thread-count independent") {
        const int64_t n_in = 1024, n_out = 300, n_tok = 3;
        const int t = VT_Q4_K;
        const size_t wrow = vers_row_size(t, n_in);
        float *wf = malloc(n_in * n_out * 4), *x = malloc(n_in * n_tok * 4);
        float *y1 = malloc(n_out * n_tok * 4), *y2 = malloc(n_out * n_tok * 4);
        uint8_t *W = malloc(wrow * n_out);
        fill_weights(wf, n_in * n_out);
        for (int64_t i = 0; i < n_in * n_tok; i++) x[i] = rnd_normal();
        for (int64_t r = 0; r < n_out; r++) vers_quantize_row(t, wf + r * n_in, W + r * wrow, n_in);
        vers_matmul(y1, W, t, x, n_in, n_out, n_tok, 1);
        vers_matmul(y2, W, t, x, n_in, n_out, n_tok, 2);
        T_CHECK(!memcmp(y1, y2, n_out * n_tok * 4), "1 vs 2 threads");
        vers_matmul(y2, W, t, x, n_in, n_out, n_tok, 3);
        T_CHECK(!memcmp(y1, y2, n_out * n_tok * 4), "1 vs 3 threads");
        free(wf); free(x); free(y1); free(y2); free(W);
    }
}

/* The attention kernels of a prompt batch (F16 cache, tinyBLAS lane order) and of F32
 * caches: the AVX2 twins give the scalar ones' bits, for head sizes with and without
 * leftovers and key counts around the 4-key and 16-lane steps. */
static void test_attention_twins(void) {
    T_CASE("tensor: attention kernels (scores, p.v; F16 lanes and F32), AVX2 == scalar bit for bit") {
        if (!vers_simd_enabled()) { printf("  (no AVX2 here: the twins are not compared)\n"); break; }
        const int Ds[] = { 8, 16, 24, 48, 64, 80, 128, 256 };
        const int ns[] = { 1, 3, 4, 5, 15, 16, 17, 33, 64, 67 };
        enum { MAXD = 256, MAXN = 67, STRIDE = 264 };
        static uint16_t q16[MAXD], K16[MAXN * STRIDE];
        static float qf[MAXD], Kf[MAXN * STRIDE], p[MAXN], acc[16 * MAXD];
        static float a1[MAXN], a2[MAXN], o1[MAXD], o2[MAXD];
        int bad = 0;
        for (int i = 0; i < MAXD; i++) { qf[i] = rnd_unit() - 0.5f; q16[i] = vers_f32_to_f16(qf[i]); }
        for (int i = 0; i < MAXN * STRIDE; i++) { Kf[i] = rnd_unit() - 0.5f; K16[i] = vers_f32_to_f16(Kf[i]); }
        for (int j = 0; j < MAXN; j++) p[j] = vers_f16_to_f32(vers_f32_to_f16(rnd_unit()));
        for (size_t di = 0; di < sizeof Ds / sizeof Ds[0]; di++)
            for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
                const int D = Ds[di], n = ns[ni];
                ops_scores16_lanes(a1, q16, K16, STRIDE, n, D);
                ops_scores16_lanes_avx2(a2, q16, K16, STRIDE, n, D);
                if (memcmp(a1, a2, sizeof(float) * (size_t)n)) { bad++; printf("  scores16 D %d n %d differ\n", D, n); }
                ops_pv16_lanes(o1, p, K16, STRIDE, n, D, acc);
                ops_pv16_lanes_avx2(o2, p, K16, STRIDE, n, D, acc);
                if (memcmp(o1, o2, sizeof(float) * (size_t)D)) { bad++; printf("  pv16 D %d n %d differ\n", D, n); }
                ops_scores_f32(a1, qf, Kf, STRIDE, n, D);
                ops_scores_f32_avx2(a2, qf, Kf, STRIDE, n, D);
                for (int j = 0; j < n; j++)
                    if (fabsf(a1[j] - a2[j]) > 1e-5f) { bad++; printf("  scores f32 D %d n %d j %d: %g vs %g\n", D, n, j, a1[j], a2[j]); break; }
            }
        T_CHECK(bad == 0, "%d kernel comparisons differ", bad);
    }
}

/* The prompt's 4-query attention kernels (AVX-512, ops_avx512.c) against the single-query
 * scalar ones, bit for bit: 4 queries of different lengths (causal: n, n+1, n+2, n+3 keys),
 * the probabilities beyond a query's length zeroed as kv.c does. */
static void test_attention_x4(void) {
    T_CASE("tensor: 4-query attention kernels (AVX-512) == single-query scalar ones bit for bit") {
        const int saved = vers_simd_level();
        vers_simd_force_level(VERS_ISA_AVX512);
        const int have = vers_simd_level() >= VERS_ISA_AVX512;
        vers_simd_force_level(saved);
        if (!have) { printf("  (no AVX-512 here: not compared)\n"); break; }
        const int Ds[] = { 16, 32, 64, 128, 256, 8, 24, 40, 72, 100, 250 };   /* any head size (partial last chunk) */
        const int ns[] = { 1, 2, 5, 13, 16, 17, 30, 64, 70 };
        enum { MAXD = 256, MAXN = 73, STRIDE = 264 };
        static uint16_t q16[4 * MAXD], K16[MAXN * STRIDE], V16[MAXN * STRIDE];
        static float p[4 * 80], acc[4 * 16 * MAXD], a1[MAXN], a4[4 * 80], o1[MAXD], o4[4 * MAXD];
        int bad = 0;
        for (int i = 0; i < 4 * MAXD; i++) q16[i] = vers_f32_to_f16(rnd_unit() - 0.5f);
        for (int i = 0; i < MAXN * STRIDE; i++) {
            K16[i] = vers_f32_to_f16(rnd_unit() - 0.5f);
            V16[i] = vers_f32_to_f16(4.f * (rnd_unit() - 0.5f));
        }
        for (size_t di = 0; di < sizeof Ds / sizeof Ds[0]; di++)
            for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
                const int D = Ds[di], n = ns[ni], nkv[4] = { n, n + 1, n + 2, n + 3 };
                for (int t = 0; t < 4; t++)
                    for (int j = 0; j < 80; j++)
                        p[t * 80 + j] = j < nkv[t] ? vers_f16_to_f32(vers_f32_to_f16(rnd_unit())) : 0.0f;
                ops_scores16_lanes_x4_avx512(a4, 80, q16, K16, STRIDE, nkv, D);
                ops_pv16_lanes_x4_avx512(o4, MAXD, p, 80, V16, STRIDE, nkv, D, acc);
                for (int t = 0; t < 4; t++) {
                    ops_scores16_lanes(a1, q16 + t * D, K16, STRIDE, nkv[t], D);
                    if (memcmp(a1, a4 + t * 80, sizeof(float) * (size_t)nkv[t])) { bad++; printf("  scores x4 D %d n %d t %d differ\n", D, nkv[t], t); }
                    ops_pv16_lanes(o1, p + t * 80, V16, STRIDE, nkv[t], D, acc);
                    if (memcmp(o1, o4 + t * MAXD, sizeof(float) * (size_t)D)) { bad++; printf("  pv x4 D %d n %d t %d differ\n", D, nkv[t], t); }
                }
            }
        T_CHECK(bad == 0, "%d kernel comparisons differ", bad);
    }
}

int main(void) {
    test_attention_x4();
    test_table();
    test_f16();
    test_quantize_bytes();
    test_dots();
    test_matmul();
    test_attention_twins();
    T_DONE();
}
