/* src/train/gemm.c — the trainer's GEMM (see gemm.h): kernel choice by CPU features, the
 * blocking loops (BLIS order: column blocks, k blocks, row blocks, then register tiles),
 * packing of the operands (FP32, or BF16 pairs), and the scalar kernels that are both the
 * portable fallback and the reference the SIMD kernels are tested against.
 *
 * Packing copies a KC x NC block of op(B) into NR-wide panels and an MC x KC block of
 * op(A) into MR-high panels, zero-padded at the edges, so a micro-kernel streams both from
 * contiguous memory whatever the transposes and strides were.  The buffers are per thread
 * (each OpenMP thread calls tgemm on its own part of the output). */
#include "train/gemm.h"
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define TG_MC 96     /* rows of op(A) packed at once (96 KB of FP32 at KC = 256) */
/* Columns of op(B) packed at once: the packed block (KC x NC) should stay in a core's L2
 * (1 MB here) while every row block of A streams past it, or both threads stream it from
 * L3 (FP32 with 1536 columns, 1.5 MB: 2 threads 1.5x one instead of 1.8x).  A is packed
 * again for each block, so NC should not be small either.  Neither changes a result. */
#define TG_NC_MAX 1536
static int nc_for(tg_precision p) { return p == TG_BF16 ? 1024 : 512; }
#define TG_MR_MAX 16
#define TG_NR_MAX 32

/* ---- scalar kernels (the reference) ---- */
static void kernel_fp32_scalar(int kc, const void *Ap_, const void *Bp_, float *C, int ldc,
                               int mr, int nr, float alpha, int load_c) {
    enum { MR = 4, NR = 8 };
    const float *Ap = Ap_, *Bp = Bp_;
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (int k = 0; k < kc; k++)
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++) acc[i][j] = fmaf(Ap[k * MR + i], Bp[k * NR + j], acc[i][j]);
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            float *c = C + (int64_t)i * ldc + j;
            *c = load_c ? *c + alpha * acc[i][j] : alpha * acc[i][j];
        }
}

/* one step of vdpbf16ps: the product of two BF16 values is exact in FP32, so "add the
 * product, round" is a fused multiply-add; results below the normal range flush to zero */
static inline float bf16_fma(float a, float b, float acc) {
    float r = fmaf(a, b, acc);
    if (fpclassify(r) == FP_SUBNORMAL) r = copysignf(0.0f, r);
    return r;
}

static void kernel_bf16_scalar(int kc, const void *Ap_, const void *Bp_, float *C, int ldc,
                               int mr, int nr, float alpha, int load_c) {
    enum { MR = 4, NR = 8 };
    const uint16_t *Ap = Ap_, *Bp = Bp_;
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (int k2 = 0; k2 < kc / 2; k2++)
        for (int i = 0; i < MR; i++) {
            const uint16_t *a = Ap + ((int64_t)k2 * MR + i) * 2;
            for (int j = 0; j < NR; j++) {
                const uint16_t *b = Bp + ((int64_t)k2 * NR + j) * 2;
                float s = bf16_fma(tg_bf16_to_f32(a[1]), tg_bf16_to_f32(b[1]), acc[i][j]);
                acc[i][j] = bf16_fma(tg_bf16_to_f32(a[0]), tg_bf16_to_f32(b[0]), s);
            }
        }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            float *c = C + (int64_t)i * ldc + j;
            *c = load_c ? *c + alpha * acc[i][j] : alpha * acc[i][j];
        }
}

tg_kernel tg_kernel_scalar(tg_precision p) {
    return p == TG_BF16 ? (tg_kernel){"scalar", 4, 8, kernel_bf16_scalar, tg_pack_bf16_scalar}
                        : (tg_kernel){"scalar", 4, 8, kernel_fp32_scalar, tg_pack_fp32_scalar};
}

/* ---- kernel choice ---- */
static int env_set(const char *name) { const char *e = getenv(name); return e && *e && strcmp(e, "0"); }

static tg_kernel g_fp32, g_bf16;
static int g_bf16_native;
static void choose_kernels(void) {
    tg_kernel fp = tg_kernel_scalar(TG_FP32), bf = tg_kernel_scalar(TG_BF16);
    int native = 0;
    if (!env_set("VERS_NO_SIMD")) {
        tg_kernel f512, b512, f2, b2;
        int have512 = !env_set("VERS_NO_AVX512") && !env_set("VERS_NO_VNNI") && tg_kernels_avx512(&f512, &b512);
        int have2 = tg_kernels_avx2(&f2, &b2);
        if (have512) fp = f512;
        else if (have2) fp = f2;
        if (have512 && b512.fn) { bf = b512; native = 1; }
        else if (have2) bf = b2;
    }
    g_bf16 = bf; g_bf16_native = native;
    g_fp32 = fp;
}
static const tg_kernel *kernel_for(tg_precision p) {
    static int once;
    if (!__atomic_load_n(&once, __ATOMIC_ACQUIRE)) {
#pragma omp critical(tgemm_choose)
        if (!once) { choose_kernels(); __atomic_store_n(&once, 1, __ATOMIC_RELEASE); }
    }
    return p == TG_BF16 ? &g_bf16 : &g_fp32;
}
const char *tgemm_kernel_name(tg_precision p) {
    const tg_kernel *k = kernel_for(p);
    return k->name;
}
int tgemm_bf16_native(void) { kernel_for(TG_BF16); return g_bf16_native; }

/* ---- packing (scalar) ---- */
/* One packer for both operands: element (r, k) of the operand seen as rows of k values is
 * X[r * ld + k] (t = 0) or X[k * ld + r] (t = 1).  op(A) is rows i (t = ta); op(B) is rows
 * j (t = !tb).  Rows r0 .. r0+rn-1 and k0 .. k0+kc-1 are packed into panels of R rows:
 * FP32 [kc][R], BF16 [ceil(kc/2)][R][2]; missing rows and k are zeros. */
#define ELEM(r, k) (t ? X[(int64_t)(k0 + (k)) * ld + r0 + (r)] : X[(int64_t)(r0 + (r)) * ld + k0 + (k)])

void tg_pack_fp32_scalar(void *dst_, const float *X, int ld, int t, int r0, int rn, int k0, int kc, int R) {
    float *dst = dst_;
    for (int pr = 0; pr < rn; pr += R) {
        float *d = dst + (int64_t)pr * kc;
        for (int k = 0; k < kc; k++)
            for (int r = 0; r < R; r++) d[(int64_t)k * R + r] = pr + r < rn ? ELEM(pr + r, k) : 0.0f;
    }
}

void tg_pack_bf16_scalar(void *dst_, const float *X, int ld, int t, int r0, int rn, int k0, int kc, int R) {
    uint16_t *dst = dst_;
    int kc2 = (kc + 1) / 2;
    for (int pr = 0; pr < rn; pr += R) {
        uint16_t *d = dst + (int64_t)pr * kc2 * 2;
        for (int k = 0; k < 2 * kc2; k++)
            for (int r = 0; r < R; r++)
                d[((int64_t)(k >> 1) * R + r) * 2 + (k & 1)] = (pr + r < rn && k < kc) ? tg_f32_to_bf16(ELEM(pr + r, k)) : 0;
    }
}
#undef ELEM

/* per-thread packing buffers (FP32 sizes; BF16 panels take half) */
static _Thread_local float tg_abuf[(TG_MC + TG_MR_MAX) * TG_KC] __attribute__((aligned(64)));
static _Thread_local float tg_bbuf[(TG_NC_MAX + TG_NR_MAX) * TG_KC] __attribute__((aligned(64)));

void tgemm(tg_precision prec, int ta, int tb, int M, int N, int K, float alpha,
           const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    tgemm_with(kernel_for(prec), prec, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* Rows ic0..ic1-1 of C against a packed block of B (nc columns from jc, depth kc packed as
 * kcp): each MC rows of A packed into this thread's buffer, then the register tiles.  With
 * apack (rows ic0.. already packed for this k block, as tgemm_par does once for all its
 * column blocks) A is read from there instead. */
static void tile_rows(const tg_kernel *kn, int bf, int ta, int ic0, int ic1, int jc, int nc, int pc, int kc, int kcp,
                      const void *bpack, const void *apack, const float *A, int lda, float alpha, int load_c,
                      float *C, int ldc) {
    const int MR = kn->mr, NR = kn->nr, MC = TG_MC / MR * MR;
    for (int ic = ic0; ic < ic1; ic += MC) {
        int mc = ic1 - ic < MC ? ic1 - ic : MC;
        const void *abase = tg_abuf;
        if (apack) abase = bf ? (const void *)((const uint16_t *)apack + (int64_t)(ic - ic0) * kcp)
                              : (const void *)((const float *)apack + (int64_t)(ic - ic0) * kcp);
        else kn->pack(tg_abuf, A, lda, ta, ic, mc, pc, kc, MR);
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = nc - jr < NR ? nc - jr : NR;
            const void *bp = bf ? (const void *)((const uint16_t *)bpack + (int64_t)jr * kcp)
                                : (const void *)((const float *)bpack + (int64_t)jr * kcp);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = mc - ir < MR ? mc - ir : MR;
                const void *ap = bf ? (const void *)((const uint16_t *)abase + (int64_t)ir * kcp)
                                    : (const void *)((const float *)abase + (int64_t)ir * kcp);
                kn->fn(kcp, ap, bp, C + (int64_t)(ic + ir) * ldc + jc + jr, ldc, mr, nr, alpha, load_c);
            }
        }
    }
}

void tgemm_with(const tg_kernel *kn, tg_precision prec, int ta, int tb, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    const int NR = kn->nr, bf = prec == TG_BF16;
    const int NC = nc_for(prec) / NR * NR;   /* whole panels */
    if (K <= 0) {   /* empty sum: C = beta * C */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) { float *c = C + (int64_t)i * ldc + j; *c = beta != 0.0f ? *c : 0.0f; }
        return;
    }
    for (int jc = 0; jc < N; jc += NC) {
        int nc = N - jc < NC ? N - jc : NC;
        for (int pc = 0; pc < K; pc += TG_KC) {
            int kc = K - pc < TG_KC ? K - pc : TG_KC;
            int kcp = bf ? (kc + 1) / 2 * 2 : kc;   /* packed depth */
            kn->pack(tg_bbuf, B, ldb, !tb, jc, nc, pc, kc, NR);
            tile_rows(kn, bf, ta, 0, M, jc, nc, pc, kc, kcp, tg_bbuf, NULL, A, lda, alpha, pc > 0 || beta != 0.0f, C, ldc);
        }
    }
}

/* ---- all threads on one product ---- */
/* The B block is packed once, by all threads (panel p by thread p mod nt), into a buffer
 * of the calling thread; then each thread runs its own rows of C against it.  Packing B
 * once instead of once per thread is what makes splitting the rows pay: a thread's 512
 * rows would otherwise amortise a full pack of the weights.
 *
 * k blocks are the outer loop and column blocks the inner one, so a thread packs its rows
 * of A once per k block (not once per column block: 16 times for the output head) when
 * they fit TG_APACK_MAX floats.  The B buffer is doubled: a thread packs block b+1 into
 * the buffer that block b-1 used, which every thread has finished with once all have
 * passed block b's barrier, so one barrier per block is enough and a thread that runs
 * late on one block can catch up on the next.  Neither the order of the loops nor the
 * buffers change a result: each element of C still gets its k blocks in order. */
#define TG_APACK_MAX (1 << 18)      /* 1 MB of FP32 per thread */
static _Thread_local float *tl_bshared;
static _Thread_local size_t tl_bshared_n;
/* The threads' A buffers, TG_APACK_MAX floats each, held by the calling thread (as the B
 * buffers are): a buffer in an OpenMP worker's own thread-local storage would be lost when
 * the runtime ends that worker (a smaller team), a leak. */
static _Thread_local float *tl_apack;
static _Thread_local size_t tl_apack_n;

/* the calling thread's A buffers for nt threads, or NULL (then A is packed per block) */
static float *apack_buffers(int nt) {
    size_t n = (size_t)nt * TG_APACK_MAX;
    if (tl_apack_n < n) {
        free(tl_apack);
        tl_apack = NULL; tl_apack_n = 0;
        if (posix_memalign((void **)&tl_apack, 64, n * sizeof(float))) { tl_apack = NULL; return NULL; }
        tl_apack_n = n;
    }
    return tl_apack;
}

void tgemm_par(tg_precision prec, int ta, int tb, int M, int N, int K, float alpha,
               const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    const tg_kernel *kn = kernel_for(prec);
    const int MR = kn->mr, NR = kn->nr, nt = omp_get_max_threads();
    if (nt <= 1 || omp_in_parallel() || M < 2 * MR || K <= 0 || N <= 0) {
        tgemm_with(kn, prec, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    const int NC = nc_for(prec) / NR * NR;
    const size_t half = (size_t)(NC + NR) * TG_KC, need = 2 * half;
    if (tl_bshared_n < need) {
        free(tl_bshared);
        tl_bshared = NULL; tl_bshared_n = 0;
        if (posix_memalign((void **)&tl_bshared, 64, need * sizeof(float))) {   /* no memory: one thread */
            tl_bshared = NULL;
            tgemm_with(kn, prec, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
            return;
        }
        tl_bshared_n = need;
    }
    float *bbufs[2] = {tl_bshared, tl_bshared + half};
    const int bf = prec == TG_BF16, nblk_n = (N + NC - 1) / NC;
    /* A packed once per k block pays only when there are several column blocks */
    float *apacks = nblk_n > 1 ? apack_buffers(nt) : NULL;
#pragma omp parallel
    {
        const int it = omp_get_thread_num(), nth = omp_get_num_threads();
        /* rows in whole tiles */
        int units = (M + MR - 1) / MR;
        int lo = (int)((int64_t)units * it / nth) * MR, hi = (int)((int64_t)units * (it + 1) / nth) * MR;
        if (hi > M) hi = M;
        float *apack = apacks && hi > lo && it < nt && (size_t)(hi - lo + MR) * TG_KC <= TG_APACK_MAX
                           ? apacks + (size_t)it * TG_APACK_MAX : NULL;
        int blk = 0;
        for (int pc = 0; pc < K; pc += TG_KC) {
            int kc = K - pc < TG_KC ? K - pc : TG_KC;
            int kcp = bf ? (kc + 1) / 2 * 2 : kc;
            for (int jc = 0; jc < N; jc += NC, blk++) {
                int nc = N - jc < NC ? N - jc : NC;
                float *bbuf = bbufs[blk & 1];
                int np = (nc + NR - 1) / NR;
                for (int p = it; p < np; p += nth) {
                    int nr = nc - p * NR < NR ? nc - p * NR : NR;
                    void *dst = bf ? (void *)((uint16_t *)bbuf + (int64_t)p * NR * kcp) : (void *)(bbuf + (int64_t)p * NR * kcp);
                    kn->pack(dst, B, ldb, !tb, jc + p * NR, nr, pc, kc, NR);
                }
                if (apack && jc == 0) kn->pack(apack, A, lda, ta, lo, hi - lo, pc, kc, MR);
#pragma omp barrier
                tile_rows(kn, bf, ta, lo, hi, jc, nc, pc, kc, kcp, bbuf, apack, A, lda, alpha, pc > 0 || beta != 0.0f, C, ldc);
            }
        }
    }
}
