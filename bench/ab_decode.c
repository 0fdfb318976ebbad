/* bench/ab_decode.c — in-process A/B of decode speed for a load-time switch.
 *
 *   build/bench/ab_decode MODEL VAR=VALUE [REPS [TOKENS [THREADS]]]
 *
 * Loads MODEL twice: A as the environment says, B with VAR=VALUE set while it loads (the
 * engine's load-time switches: VERS_WEIGHTS_IN_PLACE=1, VERS_WEIGHTS_COPY=1,
 * VERS_NO_REPACK=1).  Then REPS times (default 30) decodes TOKENS tokens (default 64) one at
 * a time from an empty cache on each model in turn, A then B, B then A on the next rep, and
 * prints the medians of both speeds and of the per-rep ratio B/A with its quartiles.
 * Why: on a shared 2-vCPU machine the speed drifts by 10-30% over minutes, so two processes
 * run one after another compare the machine's moods, not the switch; two runs a few
 * milliseconds apart in one process see the same machine.  Run it as `vers` runs (the CLI
 * sets GOMP_SPINCOUNT=10000): GOMP_SPINCOUNT=10000 build/bench/ab_decode ... */
#include "vers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv) {
    if (argc < 3 || !strchr(argv[2], '=') || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: ab_decode MODEL VAR=VALUE [REPS [TOKENS [THREADS]]]\n");
        return 2;
    }
    const int reps = argc > 3 ? atoi(argv[3]) : 30, ntok = argc > 4 ? atoi(argv[4]) : 64;
    const int threads = argc > 5 ? atoi(argv[5]) : 2;
    if (reps < 1 || reps > 10000 || ntok < 1 || ntok > 4096 || threads < 1) {
        fprintf(stderr, "ab_decode: REPS 1..10000, TOKENS 1..4096, THREADS >= 1\n");
        return 2;
    }
    char *var = strdup(argv[2]);
    if (!var) return 2;
    char *eq = strchr(var, '=');
    *eq = 0;
    vers_model *m[2] = { NULL, NULL };
    vers_ctx *c[2] = { NULL, NULL };
    vers_err err;
    for (int k = 0; k < 2; k++) {
        if (k == 1) setenv(var, eq + 1, 1);
        vers_model_params mp = { .n_threads = threads };
        if (vers_model_load(argv[1], &mp, &m[k], &err)) { fprintf(stderr, "vers: %s: %s\n", argv[1], err.msg); return 2; }
        vers_ctx_params cp = vers_ctx_default_params();
        cp.n_threads = threads;
        cp.n_ctx = ntok;
        if (vers_ctx_new(m[k], &cp, &c[k], &err)) { fprintf(stderr, "vers: %s: %s\n", argv[1], err.msg); return 2; }
    }
    unsetenv(var);
    const int nv = vers_model_n_vocab(m[0]);
    int32_t *toks = malloc(sizeof *toks * (size_t)ntok);
    double *tps[2] = { malloc(sizeof(double) * (size_t)reps), malloc(sizeof(double) * (size_t)reps) };
    double *ratio = malloc(sizeof(double) * (size_t)reps);
    if (!toks || !tps[0] || !tps[1] || !ratio) return 2;
    for (int i = 0; i < ntok; i++) toks[i] = (int32_t)(1 + (i * 37) % (nv - 1));
    for (int r = -2; r < reps; r++) {             /* two untimed warm-up rounds */
        for (int q = 0; q < 2; q++) {
            const int k = (r & 1) ? 1 - q : q;
            vers_ctx_truncate(c[k], 0);
            const double t0 = now();
            for (int i = 0; i < ntok; i++)
                if (vers_decode(c[k], toks + i, 1, 0, &err)) { fprintf(stderr, "vers: %s\n", err.msg); return 2; }
            if (r >= 0) tps[k][r] = ntok / (now() - t0);
        }
        if (r >= 0) ratio[r] = tps[1][r] / tps[0][r];
    }
    const double a = median(tps[0], reps), b = median(tps[1], reps), rm = median(ratio, reps);
    printf("%s, %d tokens, %d threads, %d reps: A %.1f t/s, B (%s) %.1f t/s (medians); B/A median %.3f, quartiles %.3f-%.3f\n",
           argv[1], ntok, threads, reps, a, argv[2], b, rm, ratio[reps / 4], ratio[(3 * reps) / 4]);
    for (int k = 0; k < 2; k++) { vers_ctx_free(c[k]); vers_model_free(m[k]); }
    free(toks); free(tps[0]); free(tps[1]); free(ratio); free(var);
    return 0;
}
