/* fuzz/fuzz_checkpoint.c — libFuzzer target for the checkpoint reader (make fuzz; see
 * docs/RELIABILITY.md).
 *
 *   build-fuzz/fuzz_checkpoint -max_len=200000 -rss_limit_mb=4096 fuzz/corpus/checkpoint
 *
 * Writes the input to a file and resumes a run from it.  The fuzz build skips the
 * whole-file checksum (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION), so mutated headers reach
 * the parser instead of stopping at the hash: every value must be refused or held to the
 * command line's limits, and an accepted checkpoint must give a trainer whose shape matches
 * its parameter count.  ASan/UBSan catch reads outside the file and overflows. */
#include "vers/train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void check(int cond, const char *what) {
    if (!cond) { fprintf(stderr, "fuzz_checkpoint: invariant broken: %s\n", what); abort(); }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/vers-fuzz-ckpt-%ld.ckpt", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    if (size && fwrite(data, 1, size, f) != size) { fclose(f); return 0; }
    fclose(f);
    vers_train_opts o;
    vers_train_opts_default(&o);
    o.steps = 0; o.ckpt_every = -1; o.threads = 1;
    vers_trainer *t = NULL;
    vers_err err = {0};
    int rc = vers_trainer_resume(path, &o, &t, &err);
    if (rc) {
        check(t == NULL && err.msg[0] != 0, "error without message");
        check(strchr(err.msg, '\n') == NULL, "message on several lines");
        return 0;
    }
    vers_tmodel *m = vers_trainer_model(t);
    check(vers_tmodel_n_params(m) == vers_tconfig_n_params(vers_tmodel_config(m)), "parameter count");
    const vers_train_opts *ro = vers_trainer_opts(t);
    const vers_train_limits *l = vers_train_limits_get();
    check(ro->batch >= 1 && ro->batch <= l->batch && ro->accum >= 1 && ro->accum <= l->accum, "batch limits");
    check(ro->eval_batches <= l->eval_batches && ro->steps <= l->steps, "run limits");
    check(vers_trainer_step(t) >= 0 && vers_trainer_step(t) <= l->steps, "step");
    vers_trainer_free(t);
    return 0;
}
