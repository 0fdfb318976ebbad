/* tests/test_train_run.c — the trainer end to end on a slice of ../shared/corpus: a tiny
 * model's validation loss drops by a stated margin; an interrupted and resumed run gives
 * the same losses bit for bit (1 thread); corrupt/truncated checkpoints are refused; a
 * checkpoint being written when the process is killed leaves the previous one loadable;
 * a non-finite loss stops the run naming the step. */
#include "test.h"
#include "vers/train.h"
#include "train/trainer.h"
#include <math.h>
#include <signal.h>
#include <sys/wait.h>

/* the first `max_bytes` of a corpus file, cut at a record boundary */
static char *slice(const char *path, size_t max_bytes, size_t *len) {
    size_t n; char *b = t_read_file(path, &n);
    if (!b) return NULL;
    if (n > max_bytes) {
        char *cut = b + max_bytes;
        while (cut > b && !(cut[-1] == '\n' && !strncmp(cut, "@@@\n", 4))) cut--;
        n = (size_t)(cut - b);
    }
    b[n] = 0; *len = n;
    return b;
}

static int write_file(const char *path, const char *d, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fwrite(d, 1, n, f);
    return fclose(f);
}

static double *read_losses(const char *csv, int *n) {
    size_t len; char *s = t_read_file(csv, &len);
    double *v = calloc(4096, sizeof *v); *n = 0;
    if (!s) return v;
    char *line = strchr(s, '\n');
    while (line && *++line && *n < 4096) { double l; long st; if (sscanf(line, "%ld,%lf", &st, &l) == 2) v[(*n)++] = l; line = strchr(line, '\n'); }
    free(s);
    return v;
}

int main(void) {
    const char *fr = t_shared("corpus/poetry-fr-01.txt"), *en = t_shared("corpus/poetry-en-01.txt");
    if (!fr || !en) {
        T_SKIP("train: tiny model learns", "../shared/corpus absent");
        T_DONE();
    }
    const int san = getenv("VERS_SANITIZE") != NULL;
    const char *dir = t_tmpdir();
    char pfr[512], pen[512], ptok[512], pck[512], plog[512], plog2[512];
    snprintf(pfr, sizeof pfr, "%s/fr.txt", dir); snprintf(pen, sizeof pen, "%s/en.txt", dir);
    snprintf(ptok, sizeof ptok, "%s/tokens.bin", dir); snprintf(pck, sizeof pck, "%s/run.ckpt", dir);
    snprintf(plog, sizeof plog, "%s/a.csv", dir); snprintf(plog2, sizeof plog2, "%s/b.csv", dir);
    size_t lf, le;
    char *sf = slice(fr, 300000, &lf), *se = slice(en, 300000, &le);
    T_CHECK(sf && se && !write_file(pfr, sf, lf) && !write_file(pen, se, le), "corpus slice");
    vers_err err;
    /* tokenizer from the slice bodies (titles/headers excluded as the CLI does) */
    vers_bpe *tok = NULL;
    {
        const char *texts[2] = {sf, se}; size_t lens[2] = {lf, le};
        T_CHECK(vers_bpe_train(texts, lens, 2, 512, &tok, &err) == 0, "bpe: %s", err.msg);
    }
    const char *files[2] = {pfr, pen};
    vers_data_opts dopt = {files, 2, 0.05, 7, ptok, NULL};
    vers_tokens data;
    T_CASE("train: corpus slice tokenized, split, cached") {
        T_CHECK(vers_tokens_build(tok, &dopt, &data, &err) == 0, "build: %s", err.msg);
        printf("  %zu train tokens (%lld docs), %zu val tokens (%lld docs)\n", data.n_train, (long long)data.n_docs_train, data.n_val, (long long)data.n_docs_val);
        T_CHECK(data.n_val > 2000 && data.n_train > 20 * data.n_val / 2, "split sizes");
        vers_tokens again;
        T_CHECK(vers_tokens_build(tok, &dopt, &again, &err) == 0 && again.n_train == data.n_train &&
                !memcmp(again.train, data.train, data.n_train * 4) && !memcmp(again.val, data.val, data.n_val * 4), "cache reload differs");
        vers_tokens_free(&again);
    }
    vers_tconfig c = {.dim = 64, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2, .hidden_dim = 160,
                      .vocab_size = 512, .ctx_len = 64, .rope_theta = 10000.0f, .norm_eps = 1e-5f, .tied = 1};
    vers_train_opts o;
    vers_train_opts_default(&o);
    o.batch = 8; o.seq_len = 64; o.steps = san ? 60 : 300; o.warmup = 20; o.lr = 3e-3f;
    o.eval_every = o.steps; o.eval_batches = 4; o.ckpt_every = 0; o.threads = 1; o.seed = 3;
    T_CASE("train: tiny model's validation loss drops by at least 1.5 nats") {
        vers_trainer *t = NULL;
        T_CHECK(vers_trainer_new(&c, &o, tok, &t, &err) == 0, "new: %s", err.msg);
        if (t) {
            float v0 = vers_trainer_eval(t, &data);
            int stopped;
            T_CHECK(vers_trainer_run(t, &data, &stopped, &err) == 0, "run: %s", err.msg);
            float v1 = vers_trainer_last_val(t);
            printf("  val loss %.3f -> %.3f after %lld steps (drop %.3f; uniform would be %.3f)\n", v0, v1, (long long)o.steps, v0 - v1, log(512.0));
            T_CHECK(v0 - v1 > (san ? 0.5 : 1.5), "val loss %.3f -> %.3f", v0, v1);
            vers_trainer_free(t);
        }
    }
    /* resume equivalence: 40 steps straight vs 20 + resume + 20, 1 thread */
    o.steps = 40; o.eval_every = 10; o.ckpt_every = 0;
    T_CASE("train: interrupted + resumed run gives identical losses (1 thread)") {
        vers_trainer *t = NULL; int stopped = 0;
        o.log_path = plog; o.ckpt_path = NULL;
        T_CHECK(vers_trainer_new(&c, &o, tok, &t, &err) == 0 && vers_trainer_run(t, &data, &stopped, &err) == 0, "%s", err.msg);
        vers_trainer_free(t); t = NULL;
        o.log_path = plog2; o.ckpt_path = pck; o.stop_after = 20;
        T_CHECK(vers_trainer_new(&c, &o, tok, &t, &err) == 0 && vers_trainer_run(t, &data, &stopped, &err) == 0 && stopped, "first half: %s", err.msg);
        vers_trainer_free(t); t = NULL;
        vers_train_opts ro = o; ro.stop_after = 0; ro.steps = 0;
        T_CHECK(vers_trainer_resume(pck, &ro, &t, &err) == 0, "resume: %s", err.msg);
        if (t) {
            T_CHECK(vers_trainer_step(t) == 20, "resumed at %lld", (long long)vers_trainer_step(t));
            T_CHECK(vers_trainer_run(t, &data, &stopped, &err) == 0, "second half: %s", err.msg);
            vers_trainer_free(t);
        }
        int na, nb;
        double *a = read_losses(plog, &na), *b = read_losses(plog2, &nb);
        T_CHECK(na == 40 && nb == 40, "log rows %d %d", na, nb);
        int same = na == nb;
        for (int i = 0; same && i < na; i++) same = a[i] == b[i];
        T_CHECK(same, "losses differ after resume (step 21: %.6f vs %.6f)", na > 20 ? a[20] : 0, nb > 20 ? b[20] : 0);
        printf("  40 steps: loss %.6f -> %.6f, identical with a resume at step 20\n", a[0], na ? a[na - 1] : 0);
        free(a); free(b);
    }
    T_CASE("train: 2 threads give the same losses as 1 thread") {
        char plog3[600]; snprintf(plog3, sizeof plog3, "%s/c.csv", dir);
        vers_trainer *t = NULL; int stopped = 0;
        vers_train_opts to = o; to.threads = 2; to.log_path = plog3; to.ckpt_path = NULL; to.stop_after = 10;
        T_CHECK(vers_trainer_new(&c, &to, tok, &t, &err) == 0 && vers_trainer_run(t, &data, &stopped, &err) == 0, "%s", err.msg);
        vers_trainer_free(t);
        int na, nc;
        double *a = read_losses(plog, &na), *b = read_losses(plog3, &nc);
        int same = nc == 10 && na >= 10;
        for (int i = 0; same && i < 10; i++) same = a[i] == b[i];
        T_CHECK(same, "losses differ between 1 and 2 threads");
        free(a); free(b);
    }
    o.log_path = NULL; o.stop_after = 0;
    T_CASE("train: corrupt or truncated checkpoint refused with a message") {
        size_t n; char *raw = t_read_file(pck, &n);
        T_CHECK(raw && n > 1000, "checkpoint missing");
        if (raw) {
            char bad[512]; snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
            vers_trainer *t = NULL;
            raw[n / 2] ^= 1; write_file(bad, raw, n); raw[n / 2] ^= 1;
            int rc = vers_trainer_resume(bad, &o, &t, &err);
            T_CHECK(rc == VERS_EFORMAT && !t && strstr(err.msg, "corrupt"), "flipped bit: rc %d %s", rc, err.msg);
            write_file(bad, raw, n - 100);
            rc = vers_trainer_resume(bad, &o, &t, &err);
            T_CHECK(rc == VERS_EFORMAT && !t && strstr(err.msg, "truncated"), "truncated: rc %d %s", rc, err.msg);
            write_file(bad, "hello", 5);
            rc = vers_trainer_resume(bad, &o, &t, &err);
            T_CHECK(rc == VERS_EFORMAT && !t, "junk: rc %d %s", rc, err.msg);
            printf("  refused: %s\n", err.msg);
            free(raw);
        }
    }
    T_CASE("train: kill -9 while a checkpoint is written keeps the previous one") {
        vers_trainer *t = NULL;
        vers_train_opts ro = o; ro.steps = 0;
        T_CHECK(vers_trainer_resume(pck, &ro, &t, &err) == 0, "%s", err.msg);
        int64_t step0 = t ? vers_trainer_step(t) : -1;
        pid_t pid = t ? fork() : -1;
        if (pid == 0) {
            for (int i = 0; i < 1000000; i++) { t->step = 1000 + i; vers_trainer_save(t, pck, NULL); }
            _exit(0);
        }
        if (pid > 0) {
            usleep(30000);
            kill(pid, SIGKILL);
            int st; waitpid(pid, &st, 0);
            vers_trainer *u = NULL;
            T_CHECK(vers_trainer_resume(pck, &ro, &u, &err) == 0, "after kill: %s", err.msg);
            if (u) { printf("  after kill -9: checkpoint at step %lld loads\n", (long long)vers_trainer_step(u)); vers_trainer_free(u); }
        }
        (void)step0;
        vers_trainer_free(t);
    }
    T_CASE("train: non-finite loss stops the run and names the step") {
        vers_trainer *t = NULL; int stopped;
        o.steps = 10; o.ckpt_path = pck; o.ckpt_every = 2; o.eval_every = 0;
        T_CHECK(vers_trainer_new(&c, &o, tok, &t, &err) == 0, "%s", err.msg);
        if (t) {
            o.steps = 3; t->o.steps = 3;
            T_CHECK(vers_trainer_run(t, &data, &stopped, &err) == 0, "%s", err.msg);
            t->o.steps = 10;
            vers_tmodel_params(vers_trainer_model(t))[5] = NAN;   /* poison the embedding */
            int rc = vers_trainer_run(t, &data, &stopped, &err);
            T_CHECK(rc == VERS_EFAIL && strstr(err.msg, "nan at step 4") && strstr(err.msg, "step 3"), "rc %d: %s", rc, err.msg);
            printf("  %s\n", err.msg);
            vers_trainer_free(t);
            vers_trainer *u = NULL;
            vers_train_opts ro = o; ro.steps = 0;
            T_CHECK(vers_trainer_resume(pck, &ro, &u, &err) == 0 && u && vers_trainer_step(u) == 3, "good checkpoint not kept");
            vers_trainer_free(u);
        }
    }
    vers_tokens_free(&data);
    vers_bpe_free(tok);
    free(sf); free(se);
    T_DONE();
}
