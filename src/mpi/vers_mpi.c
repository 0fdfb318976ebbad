/* src/mpi/vers_mpi.c — the MPI plugin of vers train (build/vers-mpi.so, compiled with mpicc
 * when it is present; see src/train/dist.h).  Sums are MPI_Allreduce in place; the
 * non-blocking ones (per layer, overlapping the rest of the backward pass) are
 * MPI_Iallreduce.  Errors return codes: a rank that dies makes the launcher end the job and
 * name it. */
#include "train/dist.h"
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PENDING 64
typedef struct { MPI_Request req[MAX_PENDING]; int n; } pending;

/* counts above INT_MAX go in pieces */
#define CHUNK ((int64_t)1 << 30)

static int sum_f32(vers_dist_ops *d, float *buf, int64_t n) {
    (void)d;
    for (int64_t o = 0; o < n; o += CHUNK) {
        int k = (int)(n - o < CHUNK ? n - o : CHUNK);
        if (MPI_Allreduce(MPI_IN_PLACE, buf + o, k, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS) return VERS_EIO;
    }
    return 0;
}
static int sum_f64(vers_dist_ops *d, double *buf, int n) {
    (void)d;
    return MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : VERS_EIO;
}
static int wait_all(vers_dist_ops *d) {
    pending *p = d->impl;
    int rc = p->n ? MPI_Waitall(p->n, p->req, MPI_STATUSES_IGNORE) : MPI_SUCCESS;
    p->n = 0;
    return rc == MPI_SUCCESS ? 0 : VERS_EIO;
}
static int isum_f32(vers_dist_ops *d, float *buf, int64_t n) {
    pending *p = d->impl;
    for (int64_t o = 0; o < n; o += CHUNK) {
        if (p->n == MAX_PENDING && wait_all(d)) return VERS_EIO;
        int k = (int)(n - o < CHUNK ? n - o : CHUNK);
        if (MPI_Iallreduce(MPI_IN_PLACE, buf + o, k, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &p->req[p->n++]) != MPI_SUCCESS) return VERS_EIO;
    }
    return 0;
}
static void test(vers_dist_ops *d) {
    pending *p = d->impl;
    int flag;
    if (p->n) MPI_Testall(p->n, p->req, &flag, MPI_STATUSES_IGNORE);
}
static int max_i32(vers_dist_ops *d, int *v) {
    (void)d;
    return MPI_Allreduce(MPI_IN_PLACE, v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : VERS_EIO;
}
static int barrier(vers_dist_ops *d) { (void)d; return MPI_Barrier(MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : VERS_EIO; }
static void finalize(vers_dist_ops *d) {
    if (d->impl) wait_all(d);
    MPI_Finalize();
    free(d->impl);
    free(d);
}

int vers_mpi_open(int *argc, char ***argv, vers_dist_ops **out, char *msg, size_t cap) {
    *out = NULL;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) { snprintf(msg, cap, "MPI_Init failed"); return -1; }
    vers_dist_ops *d = calloc(1, sizeof *d);
    pending *p = calloc(1, sizeof *p);
    if (!d || !p) { free(d); free(p); snprintf(msg, cap, "out of memory"); return -1; }
    d->abi = VERS_DIST_ABI;
    MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &d->size);
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(lib, &len);
    lib[strcspn(lib, ",\n")] = 0;
    snprintf(d->name, sizeof d->name, "MPI (%.50s)", lib);
    d->sum_f32 = sum_f32; d->sum_f64 = sum_f64; d->isum_f32 = isum_f32; d->test = test;
    d->wait_all = wait_all; d->max_i32 = max_i32; d->barrier = barrier; d->finalize = finalize;
    d->impl = p;
    *out = d;
    return 0;
}
