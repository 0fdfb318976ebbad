/* tests/test_train_mpi.c — data-parallel `vers train` under mpirun (src/train/dist.h): 2 and
 * 4 ranks give the losses of one process with the same global batch (within 1e-4
 * relative, every logged loss over 200 steps); the same rank count gives the same bytes run
 * to run and across a resume; a checkpoint from 2 ranks resumes on 1 and on 4; a global
 * batch the ranks do not divide is refused in one line; a rank killed mid-run ends the
 * job within seconds naming it, and the last checkpoint loads; vers itself does not link
 * MPI.  Skipped (naming what is missing) without mpirun or build/vers-mpi.so. */
#include "test.h"
#include "vers/train.h"
#include "train/trainer.h"
#include <math.h>
#include <signal.h>
#include <time.h>

static char out[1 << 16];
static char cmd[8192];

static int read_losses(const char *csv, double *loss, double *val, int max) {
    size_t n; char *s = t_read_file(csv, &n);
    int k = 0;
    if (!s) return 0;
    char *line = strchr(s, '\n');
    while (line && *++line && k < max) {
        long st; double l; char vb[64] = "";
        if (sscanf(line, "%ld,%lf,%63[^,]", &st, &l, vb) >= 2) { loss[k] = l; val[k] = vb[0] ? atof(vb) : NAN; k++; }
        line = strchr(line, '\n');
    }
    free(s);
    return k;
}

static int same_state(const char *a, const char *b, char *why, size_t cap) {
    vers_train_opts o; vers_train_opts_default(&o); o.steps = 0; o.ckpt_every = -1; o.threads = 1;
    vers_trainer *x = NULL, *y = NULL; vers_err err;
    int ok = !vers_trainer_resume(a, &o, &x, &err) && !vers_trainer_resume(b, &o, &y, &err);
    if (!ok) { snprintf(why, cap, "%.200s", err.msg); vers_trainer_free(x); vers_trainer_free(y); return 0; }
    int64_t n = vers_tmodel_n_params(x->m);
    ok = x->step == y->step && n == vers_tmodel_n_params(y->m) && !memcmp(x->m->params, y->m->params, 4 * n) &&
         !memcmp(x->am, y->am, 4 * n) && !memcmp(x->av, y->av, 4 * n);
    if (!ok) {
        int64_t dp = 0, dm = 0;
        for (int64_t i = 0; i < n && n == vers_tmodel_n_params(y->m); i++) { dp += x->m->params[i] != y->m->params[i]; dm += x->am[i] != y->am[i]; }
        snprintf(why, cap, "steps %lld/%lld; %lld of %lld weights and %lld first moments differ", (long long)x->step, (long long)y->step,
                 (long long)dp, (long long)n, (long long)dm);
    }
    vers_trainer_free(x); vers_trainer_free(y);
    return ok;
}

int main(void) {
    const char *dir = t_tmpdir();
    char cwd[1024]; if (!getcwd(cwd, sizeof cwd)) return 1;
    const char *vers = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
    char bin[2048], plugin[2048];
    snprintf(bin, sizeof bin, "%s/%s", cwd, vers);
    snprintf(plugin, sizeof plugin, "%s/%.*s/vers-mpi.so", cwd, (int)(strrchr(vers, '/') ? strrchr(vers, '/') - vers : 1), strrchr(vers, '/') ? vers : ".");
    int have_mpirun = t_run("command -v mpirun >/dev/null 2>&1", out, sizeof out) == 0;
    if (!have_mpirun || access(plugin, R_OK)) {
        T_SKIP("mpi: data-parallel training", !have_mpirun ? "mpirun absent (install openmpi-bin libopenmpi-dev)" : "the MPI plugin (vers-mpi.so) was not built: mpicc absent at build time");
        T_DONE();
    }
    /* OpenMPI as root, several ranks on this machine's cores */
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1); setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
    const char *mpirun = "mpirun --oversubscribe --bind-to none";
    /* a corpus and a tokenizer */
    char corpus[600]; snprintf(corpus, sizeof corpus, "%s/c.txt", dir);
    FILE *f = fopen(corpus, "w");
    const char *w[] = {"la", "mer", "le", "vent", "the", "sea", "wind", "night", "nuit", "rose", "ombre", "light", "fleur", "and", "et"};
    uint64_t r = 12345;
    for (int d = 0; d < 40; d++) {
        fprintf(f, "@@ id: d%d\n@@ lang: %s\n@@ kind: poem\n\n", d, d % 2 ? "fr" : "en");
        for (int l = 0; l < 40; l++) { for (int k = 0; k < 7; k++) { r = r * 6364136223846793005ULL + 1; fprintf(f, "%s ", w[(r >> 33) % 15]); } fputc('\n', f); }
        fprintf(f, "@@@\n");
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, "cd %s && %s tokenizer-train -v 600 -o t.vtok c.txt >/dev/null 2>&1", dir, bin);
    T_CASE("mpi: tokenizer") { T_CHECK(t_run(cmd, out, sizeof out) == 0, "%s", out); }
    const char *shape = "--tokenizer t.vtok --dim 32 --layers 2 --heads 2 --hidden 48 --batch 8 --seq 32 --accum 2 --steps 200 "
                        "--warmup 10 --lr 1e-3 --eval-every 20 --eval-batches 2 --val-frac 0.1 --ckpt-every 50 -t 1 --precision fp32";
    T_CASE("mpi: 2 and 4 ranks give one process's losses over 200 steps (global batch 8, accumulation 2)") {
        int np[3] = {1, 2, 4};
        for (int i = 0; i < 3; i++) {
            if (np[i] == 1) snprintf(cmd, sizeof cmd, "cd %s && %s train --force %s -c r1.ckpt --log r1.csv c.txt 2>&1", dir, bin, shape);
            else snprintf(cmd, sizeof cmd, "cd %s && %s -np %d %s train --force %s -c r%d.ckpt --log r%d.csv c.txt 2>&1", dir, mpirun, np[i], bin, shape, np[i], np[i]);
            int rc = t_run(cmd, out, sizeof out);
            T_CHECK(rc == 0, "%d rank(s): rc %d: %s", np[i], rc, out);
        }
        double l1[256], v1[256], l2[256], v2[256];
        char p1[600]; snprintf(p1, sizeof p1, "%s/r1.csv", dir);
        int n1 = read_losses(p1, l1, v1, 256);
        for (int i = 1; i < 3; i++) {
            char pn[600]; snprintf(pn, sizeof pn, "%s/r%d.csv", dir, np[i]);
            int n2 = read_losses(pn, l2, v2, 256);
            double worst = 0, worst_v = 0;
            for (int k = 0; k < n1 && k < n2; k++) {
                double e = fabs(l2[k] - l1[k]) / fabs(l1[k]);
                if (e > worst) worst = e;
                if (!isnan(v1[k]) && !isnan(v2[k])) { e = fabs(v2[k] - v1[k]) / fabs(v1[k]); if (e > worst_v) worst_v = e; }
            }
            printf("  %d ranks: %d steps, worst relative difference %.2e (training loss), %.2e (validation loss)\n", np[i], n2, worst, worst_v);
            T_CHECK(n1 == 200 && n2 == 200 && worst <= 1e-4 && worst_v <= 1e-4, "%d ranks: %d/%d rows, worst %.2e / %.2e", np[i], n1, n2, worst, worst_v);
        }
    }
    T_CASE("mpi: two ranks in two network namespaces, over TCP through a veth pair, give one process's losses") {
        snprintf(cmd, sizeof cmd, "%s/tests/mpi_netns.sh %s %s --force %s -c n2.ckpt --log n2.csv c.txt 2>&1; echo rc=$?", cwd, dir, bin, shape);
        t_run(cmd, out, sizeof out);
        if (strstr(out, "rc=3") && strstr(out, "mpi_netns: cannot")) {
            t_end(); t_skip("mpi: two ranks in two network namespaces", strstr(out, "mpi_netns: cannot") + 11);
        } else {
            T_CHECK(strstr(out, "rc=0") && strstr(out, "2 ranks"), "%s", out);
            double l1[256], v1[256], l2[256], v2[256];
            char p1[600], p2[600]; snprintf(p1, sizeof p1, "%s/r1.csv", dir); snprintf(p2, sizeof p2, "%s/n2.csv", dir);
            int n1 = read_losses(p1, l1, v1, 256), n2 = read_losses(p2, l2, v2, 256);
            double worst = 0;
            for (int k = 0; k < n1 && k < n2; k++) { double e = fabs(l2[k] - l1[k]) / fabs(l1[k]); if (e > worst) worst = e; }
            printf("  2 ranks over TCP between namespaces: %d steps, worst relative difference %.2e\n", n2, worst);
            T_CHECK(n2 == 200 && worst <= 1e-4, "%d rows, worst %.2e", n2, worst);
        }
    }
    T_CASE("mpi: the same ranks give the same bytes run to run and across a resume") {
        /* run to run; then a run whose ranks are killed (SIGKILL) once its first checkpoint
         * is written, resumed from that checkpoint: no signal timing is involved (mpirun
         * passes SIGINT to its whole process group, this shell included; only the ranks are
         * killed, found by name, not the shell whose command line names the checkpoint too) */
        snprintf(cmd, sizeof cmd, "cd %s && %s -np 2 %s train --force %s -c s2.ckpt --log s2.csv c.txt >/dev/null 2>&1; echo rc=$?; "
                                  "(%s -np 2 %s train --force %s -c h2.ckpt --log h2.csv c.txt >h2.out 2>&1 & "
                                  "for i in $(seq 600); do [ -s h2.ckpt ] && break; sleep 0.05; done; for q in $(pgrep -f 'h2.ckpt --log'); do c=$(cat /proc/$q/comm 2>/dev/null); [ \"$c\" = exe -o \"$c\" = vers ] && kill -9 $q; done; wait) >/dev/null 2>&1; "
                                  "%s -np 2 %s train --resume -c h2.ckpt --log h2.csv c.txt 2>&1 | grep -o 'from step [0-9]*'; echo resume=$?",
                 dir, mpirun, bin, shape, mpirun, bin, shape, mpirun, bin);
        t_run(cmd, out, sizeof out);
        T_CHECK(strstr(out, "rc=0") && strstr(out, "from step") && strstr(out, "resume=0"), "%s", out);
        char a[600], b[600], c[600], why[256] = "";
        snprintf(a, sizeof a, "%s/r2.ckpt", dir); snprintf(b, sizeof b, "%s/s2.ckpt", dir); snprintf(c, sizeof c, "%s/h2.ckpt", dir);
        T_CHECK(same_state(a, b, why, sizeof why), "run to run: %s", why);
        T_CHECK(same_state(a, c, why, sizeof why), "across a resume: %s", why);
        const char *st = strstr(out, "from step");
        if (st && same_state(a, c, why, sizeof why)) printf("  killed, resumed %.*s to 200: same weights and moments\n", (int)strcspn(st, "\n"), st);
    }
    T_CASE("mpi: a checkpoint of 2 ranks resumes on 1 and on 4 ranks") {
        snprintf(cmd, sizeof cmd, "cd %s && cp r2.ckpt x1.ckpt && cp r2.ckpt x4.ckpt && "
                                  "%s train --resume --steps 210 -c x1.ckpt --log x1.csv c.txt 2>&1 | tail -1 && "
                                  "%s -np 4 %s train --resume --steps 210 -c x4.ckpt --log x4.csv c.txt 2>&1 | tail -1", dir, bin, mpirun, bin);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "step 210/210"), "rc %d: %s", rc, out);
    }
    T_CASE("mpi: a global batch the ranks do not divide is refused in one line") {
        snprintf(cmd, sizeof cmd, "cd %s && %s -np 3 %s train --force %s -c b3.ckpt --log b3.csv c.txt 2>&1 >/dev/null; echo rc=$?", dir, mpirun, bin, shape);
        t_run(cmd, out, sizeof out);
        T_CHECK(strstr(out, "not a multiple of the 3 ranks"), "%s", out);
    }
    T_CASE("mpi: a rank killed mid-run ends the job within seconds, naming it; the last checkpoint loads") {
        snprintf(cmd, sizeof cmd, "cd %s && (%s -np 2 %s train --force %s --steps 100000 -c k.ckpt --log k.csv c.txt > k.out 2>&1 & "
                                  "for i in $(seq 600); do [ -s k.ckpt ] && break; sleep 0.1; done; sleep 0.5; p=$(pgrep -f 'k.ckpt' | while read q; do [ \"$(cat /proc/$q/comm)\" = exe -o \"$(cat /proc/$q/comm)\" = vers ] && echo $q; done | tail -1); "
                                  "s=$(date +%%s); kill -9 $p; wait; e=$(date +%%s); echo secs=$((e - s))); grep -ci 'rank\\|process' k.out", dir, mpirun, bin, shape);
        t_run(cmd, out, sizeof out);
        const char *secs = strstr(out, "secs=");
        T_CHECK(secs && atoi(secs + 5) <= 10, "the job did not end: %s", out);
        char k[600], why[256]; snprintf(k, sizeof k, "%s/k.ckpt", dir);
        vers_train_opts o; vers_train_opts_default(&o); o.steps = 0; o.ckpt_every = -1;
        vers_trainer *t = NULL; vers_err err;
        T_CHECK(vers_trainer_resume(k, &o, &t, &err) == 0, "last checkpoint: %s", err.msg);
        vers_trainer_free(t); (void)why;
        snprintf(cmd, sizeof cmd, "cd %s && cat k.out | grep -i -m2 'rank\\|exited\\|signal'", dir);
        t_run(cmd, out, sizeof out);
        printf("  launcher: %s", out);
    }
    T_CASE("mpi: vers does not link MPI (only vers train under a launcher loads the plugin)") {
        snprintf(cmd, sizeof cmd, "ldd %s | grep -c mpi", bin);
        t_run(cmd, out, sizeof out);
        T_CHECK(atoi(out) == 0, "vers links MPI: %s", out);
    }
    T_DONE();
}
