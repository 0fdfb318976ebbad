/* bench/mpi_allreduce.c — what data-parallel training exchanges per step and how long the
 * sum takes here: run it under mpirun (it loads vers's MPI plugin as vers train does).
 *   VERS_MPI_PLUGIN=build/vers-mpi.so mpirun -np 2 build/bench/mpi_allreduce [MFLOATS...]  (default: the gradient sizes
 *   of the llm.c shape, 16.9M floats, and of the sweep's S3, 20.5M)
 * Prints, on rank 0, the median of 10 in-place float sums per size: seconds and the bus
 * bandwidth 2 (N-1)/N x bytes / time (what a ring all-reduce moves per rank). */
#include "train/dist.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    vers_dist_ops *d = NULL; vers_err err;
    if (!vers_dist_launched()) { fprintf(stderr, "mpi_allreduce: run it under mpirun\n"); return 2; }
    int rc = vers_dist_open(NULL, NULL, &d, &err);
    if (rc || !d) { fprintf(stderr, "mpi_allreduce: %s\n", rc ? err.msg : "one rank only"); return 2; }
    double sizes[16] = {16.93, 20.45}; int ns = 2;
    if (argc > 1) { ns = 0; for (int i = 1; i < argc && ns < 16; i++) sizes[ns++] = atof(argv[i]); }
    for (int s = 0; s < ns; s++) {
        int64_t n = (int64_t)(sizes[s] * 1e6);
        float *buf = malloc(sizeof(float) * n);
        for (int64_t i = 0; i < n; i++) buf[i] = 1e-3f * (float)(i % 1000);
        double t[10];
        d->sum_f32(d, buf, n);   /* warm-up */
        for (int r = 0; r < 10; r++) { d->barrier(d); double t0 = now(); d->sum_f32(d, buf, n); t[r] = now() - t0; }
        qsort(t, 10, sizeof(double), cmp);
        if (d->rank == 0)
            printf("%d ranks, %.2fM floats (%.1f MB): median %.4f s (min %.4f, max %.4f), bus bandwidth %.2f GB/s\n", d->size,
                   n / 1e6, 4.0 * n / 1e6, t[5], t[0], t[9], 2.0 * (d->size - 1) / d->size * 4.0 * n / t[5] / 1e9);
        free(buf);
    }
    vers_dist_close(d);
    return 0;
}
