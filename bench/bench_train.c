/* bench/bench_train.c — trainer throughput: tokens/s, GFLOP/s (6*N*tokens/s) and MFU over
 * the measured FMA peak, at 1 and 2 threads, for llm.c's CPU benchmark shape as a llama
 * (6 layers, width 384, 6 heads, SwiGLU 1024, vocab 8192, T=256, B=4) or a given shape.
 *   build/bench/bench_train [--steps N] [--threads N] [--dim D --layers L --heads H --hidden F --vocab V --seq T --batch B]
 *   [--llmc CMD]  also runs CMD (a driver of llm.c's train_gpt2.c, see docs/BENCHMARKS.md)
 *                 in the same run, for a side-by-side figure. */
#include "vers/train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    vers_tconfig c = {384, 6, 6, 6, 1024, 8192, 256, 10000.0f, 1e-5f, 1, VERS_ARCH_LLAMA};
    int B = 4, T = 256, steps = 5, only = 0;
    const char *llmc = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i]; int v = atoi(argv[i + 1]);
        if (!strcmp(k, "--steps")) steps = v; else if (!strcmp(k, "--threads")) only = v;
        else if (!strcmp(k, "--dim")) c.dim = v; else if (!strcmp(k, "--layers")) c.n_layers = v;
        else if (!strcmp(k, "--heads")) c.n_heads = c.n_kv_heads = v; else if (!strcmp(k, "--hidden")) c.hidden_dim = v;
        else if (!strcmp(k, "--vocab")) c.vocab_size = v; else if (!strcmp(k, "--seq")) T = c.ctx_len = v;
        else if (!strcmp(k, "--batch")) B = v; else if (!strcmp(k, "--llmc")) llmc = argv[i + 1];
        else { fprintf(stderr, "unknown option %s\n", k); return 2; }
    }
    printf("shape: dim %d, %d layers, %d heads, ffn %d, vocab %d, B=%d T=%d\n", c.dim, c.n_layers, c.n_heads, c.hidden_dim, c.vocab_size, B, T);
    double core = vers_fma_core_peak_gflops(0), corew = vers_fma_core_peak_gflops(1);
    double p2 = vers_fma_peak_gflops(2), p2w = vers_fma_peak_wide_gflops(2);
    printf("FMA peak per core (per CPU-second, measured): %.1f GFLOP/s AVX2, %.1f AVX-512\n", core, corew);
    printf("FMA peak wall clock: 1 thread %.1f (AVX2) %.1f (AVX-512); 2 threads %.1f (AVX2) %.1f (AVX-512)%s\n",
           vers_fma_peak_gflops(1), vers_fma_peak_wide_gflops(1), p2, p2w,
           p2 < 1.8 * core ? "  [machine busy: wall-clock figures are low]" : "");
    if (p2 < 2 * core) p2 = 2 * core;   /* MFU is stated against 2 cores' full peak */
    if (p2w < 2 * corew) p2w = 2 * corew;
    for (int th = 1; th <= 2; th++) {
        if (only && th != only) continue;
        vers_train_bench r; vers_err err;
        if (vers_bench_train(&c, B, T, steps, th, VERS_PREC_FP32, &r, &err)) { fprintf(stderr, "bench: %s\n", err.msg); return 1; }
        double best_tps = B * T / r.best_step_s, best_gf = r.gflops * r.step_s / r.best_step_s;
        printf("vers  %d thread%s: %.0f tokens/s (best step %.0f), %.1f GFLOP/s (N=%.2fM), MFU %.1f%% (best %.1f%%) of 2 cores' AVX2 peak %.0f, %.1f%% of AVX-512 %.0f; "
               "per CPU-second %.1f GFLOP = %.1f%% of a core's AVX2 peak; peak RSS %.0f MB\n",
               th, th > 1 ? "s" : " ", r.tokens_per_s, best_tps, r.gflops, r.flop_params / 1e6,
               100 * r.gflops / p2, 100 * best_gf / p2, p2, p2w > 0 ? 100 * r.gflops / p2w : 0.0, p2w,
               r.gflops_per_cpu_s, 100 * r.gflops_per_cpu_s / core, r.peak_rss_mb);
    }
    if (llmc) {
        /* the driver writes its random checkpoint into the current directory: run it in a
         * scratch directory, never in the checkout */
        char *drv = realpath(llmc, NULL);
        char dir[] = "/tmp/vers-llmc-XXXXXX";
        if (!drv || !mkdtemp(dir)) { fprintf(stderr, "bench_train: %s: cannot run\n", llmc); free(drv); return 2; }
        for (int th = 1; th <= 2; th++) {
            if (only && th != only) continue;
            char cmd[4200];
            snprintf(cmd, sizeof cmd, "cd '%s' && OMP_NUM_THREADS=%d '%s' %d | tail -1", dir, th, drv, steps < 3 ? 3 : steps);
            printf("llm.c %d thread%s: ", th, th > 1 ? "s" : " ");
            fflush(stdout);
            if (system(cmd) != 0) printf("(failed)\n");
        }
        char rm[200];
        snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
        if (system(rm) != 0) fprintf(stderr, "bench_train: could not remove %s\n", dir);
        free(drv);
    }
    return 0;
}
