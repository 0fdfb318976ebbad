/* src/train/dist.c — finds and loads the MPI plugin (see dist.h): build/vers-mpi.so next to
 * the vers binary, or $VERS_MPI_PLUGIN.  dlopen keeps libmpi out of every process that is
 * not a training rank. */
#include "train/dist.h"
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vers_dist_launched(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

int vers_dist_open(int *argc, char ***argv, vers_dist_ops **out, vers_err *err) {
    *out = NULL;
    char path[PATH_MAX + 32];
    const char *env = getenv("VERS_MPI_PLUGIN");
    if (env && *env) snprintf(path, sizeof path, "%s", env);
    else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) return vers_errorf(err, VERS_EIO, "cannot find the vers binary to load the MPI plugin");
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        snprintf(path, sizeof path, "%s/vers-mpi.so", exe);
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!h) return vers_errorf(err, VERS_EUNSUPPORTED, "run under mpirun, but this vers has no MPI plugin (%s: %s); "
                                                       "install libopenmpi-dev and rebuild", path, dlerror());
    int (*open_fn)(int *, char ***, vers_dist_ops **, char *, size_t) =
        (int (*)(int *, char ***, vers_dist_ops **, char *, size_t))dlsym(h, "vers_mpi_open");
    if (!open_fn) return vers_errorf(err, VERS_EUNSUPPORTED, "%s: not a vers MPI plugin", path);
    char msg[256] = "";
    vers_dist_ops *d = NULL;
    if (open_fn(argc, argv, &d, msg, sizeof msg) || !d) return vers_errorf(err, VERS_EFAIL, "MPI: %s", msg[0] ? msg : "cannot start");
    if (d->abi != VERS_DIST_ABI) return vers_errorf(err, VERS_EUNSUPPORTED, "%s: plugin built for another vers", path);
    if (d->size <= 1) { d->finalize(d); return VERS_OK; }
    *out = d;
    return VERS_OK;
}

void vers_dist_close(vers_dist_ops *d) { if (d) d->finalize(d); }
