/* src/train/dist.h — data-parallel training across processes (ranks), as the trainer sees
 * it: a small table of collective operations.  The MPI implementation lives in a plugin,
 * build/vers-mpi.so (src/mpi/vers_mpi.c, built when mpicc is present), that `vers train`
 * loads only when it runs under a launcher (mpirun sets OMPI_COMM_WORLD_SIZE / PMIX_RANK);
 * every other command, and vers train run directly, never load MPI nor start its daemon.
 *
 * All operations are collective: every rank calls them in the same order. */
#ifndef VERS_TRAIN_DIST_H
#define VERS_TRAIN_DIST_H
#include "vers/common.h"
#include <stdint.h>

#define VERS_DIST_ABI 1

typedef struct vers_dist_ops {
    int abi;                                             /* VERS_DIST_ABI */
    int rank, size;
    char name[64];                                        /* "MPI (Open MPI 4.1.4)" */
    /* in-place sums over the ranks; 0 or an error code */
    int (*sum_f32)(struct vers_dist_ops *d, float *buf, int64_t n);
    int (*sum_f64)(struct vers_dist_ops *d, double *buf, int n);
    /* a non-blocking sum (at most 64 pending), progressed by test and finished by wait_all */
    int (*isum_f32)(struct vers_dist_ops *d, float *buf, int64_t n);
    void (*test)(struct vers_dist_ops *d);
    int (*wait_all)(struct vers_dist_ops *d);
    int (*max_i32)(struct vers_dist_ops *d, int *v);
    int (*barrier)(struct vers_dist_ops *d);
    void (*finalize)(struct vers_dist_ops *d);
    void *impl;
} vers_dist_ops;

/* 1 when the process was started by an MPI launcher. */
int vers_dist_launched(void);
/* Loads the plugin and initialises MPI (only call when vers_dist_launched()); *out is NULL
 * and VERS_OK when there is one rank.  Errors: the plugin is missing (vers built without
 * MPI), or MPI fails to start. */
int vers_dist_open(int *argc, char ***argv, vers_dist_ops **out, vers_err *err);
void vers_dist_close(vers_dist_ops *d);
#endif
