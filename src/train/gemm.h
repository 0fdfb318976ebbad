/* src/train/gemm.h — the trainer's matrix product: our own packed GEMM (BLIS-style loops,
 * register-tile micro-kernels), so that training speed does not depend on which kernels an
 * OpenBLAS build or its environment variables pick.
 *
 *   C[M,N] = beta * C + alpha * op(A)[M,K] op(B)[K,N]        (row-major, strides lda/ldb/ldc)
 *
 * op(X) is X or X^T (ta/tb).  beta is 0 (C is not read: it may hold garbage) or 1.
 *
 * Precision: TG_FP32 multiplies FP32 operands; TG_BF16 rounds both operands to BF16
 * (round to nearest even, as vcvtne2ps2bf16) while packing and accumulates in FP32 with
 * the AVX512_BF16 dot product (vdpbf16ps: pairs of k, the odd element added first).
 *
 * Determinism: K is cut into fixed blocks of TG_KC; inside a block every output element is
 * one chain of fused multiply-adds in k order, started from 0 and then added to C.  That
 * order does not depend on M, N, the tile an element falls in, the thread that computes it,
 * or the instruction set: the AVX-512, AVX2 and scalar kernels give the same bits (tested),
 * so training gives the same bits at any thread count and on any x86-64 CPU. */
#ifndef VERS_TRAIN_GEMM_H
#define VERS_TRAIN_GEMM_H
#include <stdint.h>

typedef enum { TG_FP32 = 0, TG_BF16 = 1 } tg_precision;

#define TG_KC 256            /* k block: fixes the summation order (see above) */

void tgemm(tg_precision prec, int ta, int tb, int M, int N, int K, float alpha,
           const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* The same product by all the threads of an OpenMP team opened here (omp_get_max_threads):
 * the B operand is packed once and shared, the rows of C are split.  Called from serial
 * code; inside a parallel region it runs on the calling thread alone. */
void tgemm_par(tg_precision prec, int ta, int tb, int M, int N, int K, float alpha,
               const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* Which kernels run: "avx512", "avx2" or "scalar" for FP32; for BF16 "avx512bf16", or
 * the bit-exact emulations "avx2-bf16-emulated" and "scalar" (slow).  VERS_NO_SIMD=1 forces scalar, VERS_NO_AVX512=1
 * forces AVX2 (as the engine's kernels). */
const char *tgemm_kernel_name(tg_precision prec);
/* 1 when BF16 products run on the CPU's own dot-product instruction. */
int tgemm_bf16_native(void);

/* FP32 -> BF16 as vcvtne2ps2bf16 does it: round to nearest even, denormals to a signed
 * zero, NaN kept quiet. */
static inline uint16_t tg_f32_to_bf16(float f) {
    union { float f; uint32_t u; } v = { f };
    if ((v.u & 0x7f800000u) == 0) return (uint16_t)((v.u >> 16) & 0x8000u);
    if ((v.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((v.u >> 16) | 0x40);
    uint32_t r = v.u + 0x7fffu + ((v.u >> 16) & 1u);
    return (uint16_t)(r >> 16);
}
static inline float tg_bf16_to_f32(uint16_t h) {
    union { uint32_t u; float f; } v = { (uint32_t)h << 16 };
    return v.f;
}

/* ---- internals shared by gemm.c and the kernel files ---- */
/* Micro-kernel: acc[mr_max x nr_max] = sum over kc of the packed panels, then
 * C[i][j] = (first && beta == 0 ? 0 : C[i][j]) + alpha * acc[i][j] for i < mr, j < nr.
 * FP32 panels: A as [kc][MR], B as [kc][NR]; BF16: pairs, A as [kc/2][MR][2], B as
 * [kc/2][NR][2] (kc even, padded with zeros). */
typedef void (*tg_kernel_fn)(int kc, const void *Ap, const void *Bp, float *C, int ldc,
                             int mr, int nr, float alpha, int load_c);
/* Packer for either operand (see gemm.c): rows r0.. of element (r, k) = t ? X[k*ld + r]
 * : X[r*ld + k], into panels of R rows in the kernel's layout. */
typedef void (*tg_pack_fn)(void *dst, const float *X, int ld, int t, int r0, int rn, int k0, int kc, int R);
typedef struct {
    const char *name;
    int mr, nr;
    tg_kernel_fn fn;
    tg_pack_fn pack;
} tg_kernel;
void tg_pack_fp32_scalar(void *dst, const float *X, int ld, int t, int r0, int rn, int k0, int kc, int R);
void tg_pack_bf16_scalar(void *dst, const float *X, int ld, int t, int r0, int rn, int k0, int kc, int R);

/* tgemm with a given kernel (tests compare the kernels with it) */
void tgemm_with(const tg_kernel *kn, tg_precision prec, int ta, int tb, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
tg_kernel tg_kernel_scalar(tg_precision p);
/* kernel files: each returns 0 when the CPU lacks what it needs */
int tg_kernels_avx512(tg_kernel *fp32, tg_kernel *bf16);
int tg_kernels_avx2(tg_kernel *fp32, tg_kernel *bf16);
#endif
