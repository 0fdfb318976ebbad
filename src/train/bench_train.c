/* src/train/bench_train.c — trainer speed: the FMA peak (measured), and tokens/s of full
 * training steps (forward, backward, clipping, AdamW) of a given shape on random tokens.
 * MFU = 6 * (matmul parameters) * tokens/s over the measured peak. */
#include "train/trainer.h"
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

float fma_loop_avx2(int64_t iters);
float fma_loop_avx512(int64_t iters);
float bf16_dot_loop_avx512(int64_t iters);

static double now_s(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static double cpu_s(clockid_t id) { struct timespec t; clock_gettime(id, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

/* wide: 2 = AVX-512 BF16 dot product, 1 = AVX-512 FMA, 0 = AVX2 (256-bit) FMA.  Returns the wall-clock
 * rate of n_threads threads; *per_core gets the best rate per second of thread CPU time
 * (what one core does while it runs our thread: robust on a shared machine). */
static double fma_peak(int n_threads, int wide, double *per_core) {
    if (per_core) *per_core = 0;
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
    if (wide && !__builtin_cpu_supports("avx512f")) return 0;
    if (wide == 2 && !__builtin_cpu_supports("avx512bf16")) return 0;
    const int64_t iters = 20000000;
    const int lanes = wide == 2 ? 32 : wide ? 16 : 8;
    const double flop = (double)iters * 12 * lanes * 2;
    double best = 0, best_core = 0;
    volatile float sink = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now_s();
#pragma omp parallel num_threads(n_threads)
        {
            double c0 = cpu_s(CLOCK_THREAD_CPUTIME_ID);
            float r = wide == 2 ? bf16_dot_loop_avx512(iters) : wide ? fma_loop_avx512(iters) : fma_loop_avx2(iters);
            double rate = flop / (cpu_s(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e9;
#pragma omp critical
            { sink += r; if (rate > best_core) best_core = rate; }
        }
        double g = n_threads * flop / (now_s() - t0) / 1e9;
        if (g > best) best = g;
    }
    (void)sink;
    if (per_core) *per_core = best_core;
    return best;
}

double vers_fma_peak_gflops(int n_threads) { return fma_peak(n_threads, 0, NULL); }
double vers_fma_peak_wide_gflops(int n_threads) { return fma_peak(n_threads, 1, NULL); }
double vers_fma_core_peak_gflops(int wide) { double c; fma_peak(1, wide, &c); return c; }

/* The peak of the widest instruction this CPU has for the precision, n_threads threads
 * running at once.  On a busy machine the wall-clock rate of the threads is low while
 * their rate per CPU second is not: the larger of the two is the machine's peak. */
double vers_train_peak_gflops(int prec, int n_threads, const char **instr) {
    int wide = 0;
    const char *name = "AVX2 vfmadd (8 lanes)";
    if (prec == VERS_PREC_BF16 && vers_train_bf16_native()) { wide = 2; name = "AVX-512 BF16 vdpbf16ps (32 products)"; }
    else if (__builtin_cpu_supports("avx512f")) { wide = 1; name = "AVX-512 vfmadd (16 lanes)"; }
    if (instr) *instr = name;
    double core, all = fma_peak(n_threads, wide, &core);
    return all > n_threads * core ? all : n_threads * core;
}

int vers_bench_train(const vers_tconfig *c, int B, int T, int steps, int threads, int precision, vers_train_bench *out, vers_err *err) {
    memset(out, 0, sizeof *out);
    vers_train_opts o;
    vers_train_opts_default(&o);
    o.batch = B; o.seq_len = T; o.accum = 1; o.steps = 1; o.warmup = 1;
    o.eval_every = 0; o.ckpt_every = 0; o.threads = threads; o.seed = 1; o.precision = precision;
    vers_trainer *t = NULL;
    int rc = vers_trainer_new(c, &o, NULL, &t, err);
    if (rc) return rc;
    vers_tokens d = {0};
    d.n_train = (size_t)B * T * 16; d.n_val = 0;
    d.train = malloc(sizeof(int32_t) * d.n_train);
    if (!d.train) { vers_trainer_free(t); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    trng r; trng_seed(&r, 7);
    for (size_t i = 0; i < d.n_train; i++) d.train[i] = (int32_t)trng_below(&r, (uint64_t)c->vocab_size);
    int stopped;
    rc = vers_trainer_run(t, &d, &stopped, err);             /* warm-up step */
    double best = 1e30, total = 0, cpu = 0;
    vers_tmodel_profile(t->m, 1);
    for (int s = 0; s < steps && !rc; s++) {
        t->o.steps = t->step + 1;
        double t0 = now_s(), c0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
        rc = vers_trainer_run(t, &d, &stopped, err);
        double dt = now_s() - t0;
        cpu += cpu_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        total += dt;
        if (dt < best) best = dt;
    }
    if (!rc) {
        struct rusage ru; getrusage(RUSAGE_SELF, &ru);
        out->flop_params = vers_tmodel_n_flop_params(t->m);
        out->step_s = total / steps;
        out->tokens_per_s = (double)B * T / out->step_s;
        out->gflops = 6.0 * out->flop_params * out->tokens_per_s / 1e9;
        out->peak_rss_mb = ru.ru_maxrss / 1024.0;
        out->best_step_s = best;
        out->cpu_s = cpu / steps;
        out->gflops_per_cpu_s = 6.0 * out->flop_params * B * T / out->cpu_s / 1e9;
        const char *const *names; const double *sec;
        int np = vers_tmodel_profile_times(t->m, &names, &sec);
        out->n_parts = np < 16 ? np : 16;
        for (int i = 0; i < out->n_parts; i++) { out->part_name[i] = names[i]; out->part_s[i] = sec[i] / steps; }
    }
    free(d.train);
    vers_trainer_free(t);
    return rc;
}
