/* tests/test_train_gemm.c — the trainer's GEMM (src/train/gemm.h): every SIMD kernel the
 * CPU has gives the same bits as the scalar kernel, for FP32 and BF16, over shapes with
 * edges, both transposes, strides, alpha and beta; FP32 results agree with a double
 * reference; BF16 results equal an FP32 product of BF16-rounded operands within the
 * accumulation error; results do not depend on how the output is split (threads). */
#include "test.h"
#include "train/gemm.h"
#include "train/internal.h"
#include <math.h>
#include <omp.h>
#include <stdint.h>

static trng R;
static void rnd(float *p, int64_t n) { for (int64_t i = 0; i < n; i++) p[i] = (float)trng_normal(&R); }

typedef struct { int M, N, K, ta, tb; float alpha, beta; } shape;

static void run(const tg_kernel *k, tg_precision p, const shape *s, const float *A, const float *B,
                const float *C0, float *C, int lda, int ldb, int ldc) {
    memcpy(C, C0, sizeof(float) * (size_t)s->M * ldc);
    tgemm_with(k, p, s->ta, s->tb, s->M, s->N, s->K, s->alpha, A, lda, B, ldb, s->beta, C, ldc);
}

static int same_bits(const float *a, const float *b, int M, int N, int ld, int *at) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            if (memcmp(a + (int64_t)i * ld + j, b + (int64_t)i * ld + j, 4)) { *at = i * N + j; return 0; }
    return 1;
}

int main(void) {
    trng_seed(&R, 42);
    const shape shapes[] = {
        {1, 1, 1, 0, 0, 1, 0}, {13, 33, 7, 0, 1, 1, 0}, {12, 32, 256, 0, 1, 1, 1}, {25, 70, 300, 1, 0, 1, 1},
        {100, 65, 513, 1, 1, 0.125f, 0}, {97, 400, 64, 0, 0, 1, 1}, {200, 39, 1030, 0, 1, 1, 0},
        {7, 129, 2, 1, 1, 0.5f, 1}, {130, 17, 255, 0, 0, 1, 0}, {64, 64, 64, 1, 0, 1, 1},
    };
    const int ns = (int)(sizeof shapes / sizeof shapes[0]);
    tg_kernel f512, b512, f2, b2;
    int has512 = tg_kernels_avx512(&f512, &b512), has2 = tg_kernels_avx2(&f2, &b2);
    tg_kernel fs = tg_kernel_scalar(TG_FP32), bs = tg_kernel_scalar(TG_BF16);
    printf("kernels: fp32 %s, bf16 %s\n", tgemm_kernel_name(TG_FP32), tgemm_kernel_name(TG_BF16));

    for (int si = 0; si < ns; si++) {
        const shape *s = &shapes[si];
        /* stored shapes with padding in the strides */
        int ar = s->ta ? s->K : s->M, ac = s->ta ? s->M : s->K, br = s->tb ? s->N : s->K, bc = s->tb ? s->K : s->N;
        int lda = ac + 3, ldb = bc + 5, ldc = s->N + 2;
        float *A = malloc(sizeof(float) * (size_t)ar * lda), *B = malloc(sizeof(float) * (size_t)br * ldb);
        float *C0 = malloc(sizeof(float) * (size_t)s->M * ldc);
        float *Cs = malloc(sizeof(float) * (size_t)s->M * ldc), *Cx = malloc(sizeof(float) * (size_t)s->M * ldc);
        rnd(A, (int64_t)ar * lda); rnd(B, (int64_t)br * ldb); rnd(C0, (int64_t)s->M * ldc);
        char name[128];
        snprintf(name, sizeof name, "gemm fp32 %dx%dx%d ta%d tb%d: kernels bit-equal, double reference", s->M, s->N, s->K, s->ta, s->tb);
        T_CASE(name) {
            run(&fs, TG_FP32, s, A, B, C0, Cs, lda, ldb, ldc);
            int at;
            if (has512) { run(&f512, TG_FP32, s, A, B, C0, Cx, lda, ldb, ldc); T_CHECK(same_bits(Cs, Cx, s->M, s->N, ldc, &at), "avx512 differs from scalar at %d", at); }
            if (has2) { run(&f2, TG_FP32, s, A, B, C0, Cx, lda, ldb, ldc); T_CHECK(same_bits(Cs, Cx, s->M, s->N, ldc, &at), "avx2 differs from scalar at %d", at); }
            double worst = 0;
            for (int i = 0; i < s->M; i++)
                for (int j = 0; j < s->N; j++) {
                    double acc = 0, mag = 0;
                    for (int k = 0; k < s->K; k++) {
                        double a = s->ta ? A[(int64_t)k * lda + i] : A[(int64_t)i * lda + k];
                        double b = s->tb ? B[(int64_t)j * ldb + k] : B[(int64_t)k * ldb + j];
                        acc += a * b; mag += fabs(a * b);
                    }
                    double ref = s->beta * C0[(int64_t)i * ldc + j] + s->alpha * acc;
                    double e = fabs(Cs[(int64_t)i * ldc + j] - ref) / (fabs(s->alpha) * mag + fabs(s->beta * C0[(int64_t)i * ldc + j]) + 1e-30);
                    if (e > worst) worst = e;
                }
            T_CHECK(worst < 1e-5, "relative error %.2e against the double reference", worst);
            /* the beta == 0 contract: C is not read */
            if (s->beta == 0) {
                float *Cn = malloc(sizeof(float) * (size_t)s->M * ldc);
                for (int64_t i = 0; i < (int64_t)s->M * ldc; i++) Cn[i] = NAN;
                run(&fs, TG_FP32, s, A, B, Cn, Cx, lda, ldb, ldc);
                T_CHECK(same_bits(Cs, Cx, s->M, s->N, ldc, &at), "beta 0 read C (NaN came through at %d)", at);
                free(Cn);
            }
        }
        snprintf(name, sizeof name, "gemm bf16 %dx%dx%d ta%d tb%d: native = scalar emulation, close to fp32 of rounded operands", s->M, s->N, s->K, s->ta, s->tb);
        T_CASE(name) {
            run(&bs, TG_BF16, s, A, B, C0, Cs, lda, ldb, ldc);
            int at;
            if (has512 && b512.fn) { run(&b512, TG_BF16, s, A, B, C0, Cx, lda, ldb, ldc); T_CHECK(same_bits(Cs, Cx, s->M, s->N, ldc, &at), "vdpbf16ps differs from the emulation at %d: %.9g vs %.9g", at, Cx[at / s->N * ldc + at % s->N], Cs[at / s->N * ldc + at % s->N]); }
            if (has2) { run(&b2, TG_BF16, s, A, B, C0, Cx, lda, ldb, ldc); T_CHECK(same_bits(Cs, Cx, s->M, s->N, ldc, &at), "avx2 emulation differs from the scalar one at %d", at); }
            double worst = 0;
            for (int i = 0; i < s->M; i++)
                for (int j = 0; j < s->N; j++) {
                    double acc = 0, mag = 0;
                    for (int k = 0; k < s->K; k++) {
                        float a = s->ta ? A[(int64_t)k * lda + i] : A[(int64_t)i * lda + k];
                        float b = s->tb ? B[(int64_t)j * ldb + k] : B[(int64_t)k * ldb + j];
                        double p = (double)tg_bf16_to_f32(tg_f32_to_bf16(a)) * tg_bf16_to_f32(tg_f32_to_bf16(b));
                        acc += p; mag += fabs(p);
                    }
                    double ref = s->beta * C0[(int64_t)i * ldc + j] + s->alpha * acc;
                    double e = fabs(Cs[(int64_t)i * ldc + j] - ref) / (fabs(s->alpha) * mag + fabs(s->beta * C0[(int64_t)i * ldc + j]) + 1e-30);
                    if (e > worst) worst = e;
                }
            T_CHECK(worst < 1e-5, "relative error %.2e against the double product of rounded operands", worst);
        }
        free(A); free(B); free(C0); free(Cs); free(Cx);
    }

    T_CASE("gemm: an output split in two (as threads do) gives the same bits as one call") {
        int M = 150, N = 90, K = 700;
        float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * N * K);
        float *C1 = calloc((size_t)M * N, 4), *C2 = calloc((size_t)M * N, 4);
        rnd(A, (int64_t)M * K); rnd(B, (int64_t)N * K);
        for (int p = 0; p < 2; p++) {
            tgemm((tg_precision)p, 0, 1, M, N, K, 1, A, K, B, K, 0, C1, N);
            tgemm((tg_precision)p, 0, 1, 61, N, K, 1, A, K, B, K, 0, C2, N);            /* rows */
            tgemm((tg_precision)p, 0, 1, M - 61, 37, K, 1, A + 61 * K, K, B, K, 0, C2 + 61 * N, N);
            tgemm((tg_precision)p, 0, 1, M - 61, N - 37, K, 1, A + 61 * K, K, B + 37 * K, K, 0, C2 + 61 * N + 37, N);
            T_CHECK(!memcmp(C1, C2, sizeof(float) * M * N), "%s: split result differs", p ? "bf16" : "fp32");
        }
        free(A); free(B); free(C1); free(C2);
    }

    /* tgemm_par: k blocks outside column blocks, A packed once per k block, two B buffers
     * and one barrier per block; shapes with several column blocks (N > 1024), several k
     * blocks, both transposes, beta 0 and 1, rows not a multiple of the tile, and rows
     * too many to keep packed (A packed per block, as before) */
    T_CASE("gemm: all threads on one product (tgemm_par) give the bits of one thread, 1 to 3 threads") {
        const shape ps[] = {{301, 1100, 600, 0, 1, 1, 0}, {130, 1300, 520, 1, 0, 0.5f, 1}, {777, 1030, 300, 0, 0, 1, 1},
                            {64, 2100, 257, 1, 1, 1, 0}, {8300, 1030, 40, 0, 1, 1, 1} /* A too large to keep packed */};
        const int saved = omp_get_max_threads();
        for (int si = 0; si < 5; si++) {
            const shape *s = &ps[si];
            int ar = s->ta ? s->K : s->M, ac = s->ta ? s->M : s->K, br = s->tb ? s->N : s->K, bc = s->tb ? s->K : s->N;
            int lda = ac + 1, ldb = bc + 3, ldc = s->N + 5;
            float *A = malloc(sizeof(float) * (size_t)ar * lda), *B = malloc(sizeof(float) * (size_t)br * ldb);
            float *C0 = malloc(sizeof(float) * (size_t)s->M * ldc);
            float *C1 = malloc(sizeof(float) * (size_t)s->M * ldc), *C2 = malloc(sizeof(float) * (size_t)s->M * ldc);
            rnd(A, (int64_t)ar * lda); rnd(B, (int64_t)br * ldb); rnd(C0, (int64_t)s->M * ldc);
            for (int p = 0; p < 2; p++) {
                memcpy(C1, C0, sizeof(float) * (size_t)s->M * ldc);
                tgemm((tg_precision)p, s->ta, s->tb, s->M, s->N, s->K, s->alpha, A, lda, B, ldb, s->beta, C1, ldc);
                for (int nt = 1; nt <= 3; nt++) {
                    omp_set_num_threads(nt);
                    memcpy(C2, C0, sizeof(float) * (size_t)s->M * ldc);
                    tgemm_par((tg_precision)p, s->ta, s->tb, s->M, s->N, s->K, s->alpha, A, lda, B, ldb, s->beta, C2, ldc);
                    int at;
                    T_CHECK(same_bits(C1, C2, s->M, s->N, ldc, &at), "%s %dx%dx%d ta%d tb%d, %d threads: differs at %d",
                            p ? "bf16" : "fp32", s->M, s->N, s->K, s->ta, s->tb, nt, at);
                }
            }
            omp_set_num_threads(saved);
            free(A); free(B); free(C0); free(C1); free(C2);
        }
    }

    T_CASE("gemm bf16: products near and below the normal range flush the same way in every kernel") {
        int M = 13, N = 40, K = 70;
        float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N), *C1 = malloc(sizeof(float) * M * N), *C2 = malloc(sizeof(float) * M * N);
        rnd(A, (int64_t)M * K); rnd(B, (int64_t)K * N);
        for (int i = 0; i < M * K; i++) A[i] *= 3e-20f;    /* products around 1e-39: denormal */
        for (int i = 0; i < K * N; i++) B[i] *= (i % N) < 20 ? 3e-20f : 1.0f;   /* columns 0-19: every product tiny */
        tg_kernel b5, f5, f2x, b2x, bsx = tg_kernel_scalar(TG_BF16);
        int h5 = tg_kernels_avx512(&f5, &b5), h2 = tg_kernels_avx2(&f2x, &b2x);
        tgemm_with(&bsx, TG_BF16, 0, 0, M, N, K, 1, A, K, B, N, 0, C1, N);
        int zeros = 0;
        for (int i = 0; i < M * N; i++) zeros += C1[i] == 0.0f;
        if (h5 && b5.fn) { tgemm_with(&b5, TG_BF16, 0, 0, M, N, K, 1, A, K, B, N, 0, C2, N); T_CHECK(!memcmp(C1, C2, sizeof(float) * M * N), "vdpbf16ps"); }
        if (h2) { tgemm_with(&b2x, TG_BF16, 0, 0, M, N, K, 1, A, K, B, N, 0, C2, N); T_CHECK(!memcmp(C1, C2, sizeof(float) * M * N), "avx2 emulation"); }
        printf("  %d of %d outputs flushed to zero\n", zeros, M * N);
        free(A); free(B); free(C1); free(C2);
    }
    T_CASE("bf16 conversion: round to nearest even, denormals to zero, NaN kept") {
        T_CHECK(tg_f32_to_bf16(1.0f) == 0x3f80, "1.0");
        T_CHECK(tg_f32_to_bf16(1.00390625f) == 0x3f80, "tie to even down");          /* 1 + 2^-8 */
        T_CHECK(tg_f32_to_bf16(1.01171875f) == 0x3f82, "tie to even up");            /* 1 + 3*2^-8 */
        T_CHECK(tg_f32_to_bf16(1e-40f) == 0 && tg_f32_to_bf16(-1e-40f) == 0x8000, "denormals to signed zero");
        T_CHECK(isnan(tg_bf16_to_f32(tg_f32_to_bf16(NAN))), "NaN");
        T_CHECK(tg_f32_to_bf16(INFINITY) == 0x7f80, "inf");
    }
    T_DONE();
}
