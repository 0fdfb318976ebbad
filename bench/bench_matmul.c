/* bench/bench_matmul.c — speed of vers_matmul per weight type.
 *
 *   build/bench/bench_matmul [THREADS] [--quick] [--cpu-time]
 *
 * --cpu-time measures process CPU time instead of wall time: with 1 thread on a shared,
 * loaded machine it gives the kernels' own speed (what a quiet core would do).
 * decode: n_tok = 1 over a set of weight matrices larger than the last-level cache (so the
 *   figure is memory bound): prints GB/s of weights streamed.
 * prompt: n_tok = 512 on the shapes of a 24M llama (dim 288, ffn 768) and a 134M one
 *   (dim 768, ffn 2048): prints GFLOP/s (2 n_in n_out n_tok / time).
 * tiny: the 64 x 64 product of stories260K at n_tok = 1, in ns per call (overhead). */
#include "engine/tensor.h"
#include "engine/kernels/kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int use_cpu_time;
static double now(void) {
    struct timespec ts;
    clock_gettime(use_cpu_time ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t st = 88172645463325252ull;
static float rnd(void) {
    st ^= st << 13; st ^= st >> 7; st ^= st << 17;
    return (float)((st >> 40) & 0xFFFFFF) / 16777216.0f - 0.5f;
}

static uint8_t *make_weights(int type, int64_t n_in, int64_t n_out) {
    if (type == VT_Q4_0_X8) {
        uint8_t *w = make_weights(VT_Q4_0, n_in, n_out), *p = malloc(vers_row_size(VT_Q4_0, n_in) * n_out);
        if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
        vk_repack_q4_0x8(w, p, n_in / 32, n_out);
        free(w);
        return p;
    }
    size_t rs = vers_row_size(type, n_in);
    uint8_t *w = malloc(rs * n_out);
    float *row = malloc(n_in * sizeof *row);
    if (!w || !row) { fprintf(stderr, "out of memory\n"); exit(1); }
    for (int64_t r = 0; r < n_out; r++) {
        for (int64_t i = 0; i < n_in; i++) row[i] = rnd();
        vers_quantize_row(type, row, w + r * rs, n_in);
    }
    free(row);
    return w;
}

int main(int argc, char **argv) {
    int nth = 2, quick = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--cpu-time")) use_cpu_time = 1;
        else nth = atoi(argv[i]) > 0 ? atoi(argv[i]) : 1;
    }
    /* Q4_0x8: Q4_0 repacked by 8 rows, as the model loader does (the Q4_0 row is the layout
     * in the file, used only for matrices whose rows are not a multiple of 8) */
    const int types[] = {VT_F32, VT_F16, VT_BF16, VT_Q8_0, VT_Q4_0, VT_Q4_0_X8, VT_Q4_K, VT_Q5_K, VT_Q6_K};
    const int ntypes = (int)(sizeof types / sizeof types[0]);
    printf("vers_matmul, %d thread(s), simd %s, %s time\n", nth, vers_simd_enabled() ? "avx2" : "off",
           use_cpu_time ? "CPU" : "wall");
    printf("%-6s %14s %16s %16s %12s\n", "type", "decode GB/s", "pp512 d288 GF/s", "pp512 d768 GF/s", "tiny ns");
    for (int k = 0; k < ntypes; k++) {
        const int t = types[k];
        /* decode: 4096 x 4096 matrices, >= 160 MB in total */
        const int64_t n = 4096;
        const size_t msize = vers_row_size(t == VT_Q4_0_X8 ? VT_Q4_0 : t, n) * n;
        int nm = (int)((quick ? 64e6 : 160e6) / msize) + 1;
        uint8_t **ws = malloc(nm * sizeof *ws);
        for (int m = 0; m < nm; m++) ws[m] = make_weights(t, n, n);
        float *x = malloc(n * 512 * sizeof *x), *y = malloc(n * 512 * sizeof *y);
        for (int64_t i = 0; i < n * 512; i++) x[i] = rnd();
        for (int m = 0; m < nm; m++) vers_matmul(y, ws[m], t, x, n, n, 1, nth);   /* warm-up */
        int reps = 0;
        double t0 = now(), el;
        do {
            for (int m = 0; m < nm; m++) vers_matmul(y, ws[m], t, x, n, n, 1, nth);
            reps++;
        } while ((el = now() - t0) < (quick ? 0.2 : 0.6));
        double gbs = (double)msize * nm * reps / el / 1e9;
        for (int m = 0; m < nm; m++) free(ws[m]);
        free(ws);

        /* prompt: the up projection of a 24M (288 -> 768) and a 134M (768 -> 2048) model */
        double gf[2];
        const int64_t shapes[2][2] = {{288, 768}, {768, 2048}};
        for (int s = 0; s < 2; s++) {
            int64_t ni = shapes[s][0], no = shapes[s][1];
            if (ni % vers_type_get(t == VT_Q4_0_X8 ? VT_Q4_0 : t)->blck_size) { gf[s] = 0; continue; }
            uint8_t *w = make_weights(t, ni, no);
            vers_matmul(y, w, t, x, ni, no, 512, nth);
            reps = 0; t0 = now();
            do { vers_matmul(y, w, t, x, ni, no, 512, nth); reps++; } while ((el = now() - t0) < (quick ? 0.2 : 0.5));
            gf[s] = 2.0 * ni * no * 512 * reps / el / 1e9;
            free(w);
        }

        /* tiny: stories260K's 64 x 64 */
        double tiny = 0;
        if (64 % vers_type_get(t == VT_Q4_0_X8 ? VT_Q4_0 : t)->blck_size == 0) {
            uint8_t *w = make_weights(t, 64, 64);
            reps = 0; t0 = now();
            do { for (int i = 0; i < 1000; i++) vers_matmul(y, w, t, x, 64, 64, 1, nth); reps += 1000; } while ((el = now() - t0) < 0.1);
            tiny = el / reps * 1e9;
            free(w);
        }
        printf("%-6s %14.1f %16.1f %16.1f %12.0f\n", t == VT_Q4_0_X8 ? "Q4_0x8" : vers_type_name(t), gbs, gf[0], gf[1], tiny);
        fflush(stdout);
        free(x); free(y);
    }
    return 0;
}
