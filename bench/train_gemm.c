/* bench/train_gemm.c — GFLOP/s of the trainer's GEMM (FP32 and BF16) against OpenBLAS's
 * cblas_sgemm on the products of one training step of the llm.c shape (dim 384, ffn 1024,
 * vocab 8192, 1024 tokens split over 2 threads: 512 rows each), one thread.  Rates are per
 * second of the thread's CPU time (robust on a shared machine); best of 5.  Run it with and
 * without OPENBLAS_CORETYPE to see what OpenBLAS picks. */
#include "train/gemm.h"
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_s(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

typedef struct { const char *what; int ta, tb, M, N, K; } prod;

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    openblas_set_num_threads(1);
    const prod ps[] = {
        {"qkv fwd   x W^T", 0, 1, 512, 1152, 384}, {"ffn up fwd", 0, 1, 512, 2048, 384},
        {"ffn down fwd", 0, 1, 512, 384, 1024}, {"head fwd", 0, 1, 512, 8192, 384},
        {"dx = dy W (ffn)", 0, 0, 512, 384, 2048}, {"dW = dy^T x (ffn)", 1, 0, 1024, 384, 1024},
        {"dW head", 1, 0, 4096, 384, 1024},
    };
    printf("fp32 kernel %s, bf16 kernel %s; GFLOP/s per core (best of %d)\n", tgemm_kernel_name(TG_FP32), tgemm_kernel_name(TG_BF16), reps);
    printf("%-20s %18s %10s %10s %10s\n", "product", "M x N x K", "openblas", "fp32", "bf16");
    double tot[3] = {0}, fl = 0;
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        const prod *p = &ps[i];
        int ar = p->ta ? p->K : p->M, ac = p->ta ? p->M : p->K, br = p->tb ? p->N : p->K, bc = p->tb ? p->K : p->N;
        float *A = malloc(sizeof(float) * (size_t)ar * ac), *B = malloc(sizeof(float) * (size_t)br * bc), *C = malloc(sizeof(float) * (size_t)p->M * p->N);
        for (int64_t j = 0; j < (int64_t)ar * ac; j++) A[j] = (float)((j * 7919) % 1000) / 1000.0f - 0.5f;
        for (int64_t j = 0; j < (int64_t)br * bc; j++) B[j] = (float)((j * 104729) % 1000) / 1000.0f - 0.5f;
        double flop = 2.0 * p->M * p->N * p->K, best[3] = {1e30, 1e30, 1e30};
        for (int r = 0; r < reps; r++)
            for (int w = 0; w < 3; w++) {
                double t0 = cpu_s();
                if (w == 0) cblas_sgemm(CblasRowMajor, p->ta ? CblasTrans : CblasNoTrans, p->tb ? CblasTrans : CblasNoTrans,
                                        p->M, p->N, p->K, 1.0f, A, ac, B, bc, 0.0f, C, p->N);
                else tgemm(w == 1 ? TG_FP32 : TG_BF16, p->ta, p->tb, p->M, p->N, p->K, 1.0f, A, ac, B, bc, 0.0f, C, p->N);
                double dt = cpu_s() - t0;
                if (dt < best[w]) best[w] = dt;
            }
        char dims[32]; snprintf(dims, sizeof dims, "%dx%dx%d", p->M, p->N, p->K);
        printf("%-20s %18s %10.1f %10.1f %10.1f\n", p->what, dims, flop / best[0] / 1e9, flop / best[1] / 1e9, flop / best[2] / 1e9);
        for (int w = 0; w < 3; w++) tot[w] += best[w];
        fl += flop;
        free(A); free(B); free(C);
    }
    printf("%-20s %18s %10.1f %10.1f %10.1f\n", "all", "", fl / tot[0] / 1e9, fl / tot[1] / 1e9, fl / tot[2] / 1e9);
    return 0;
}
