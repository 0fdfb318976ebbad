/* tests/test_train_run.c — the trainer end to end on a slice of ../shared/corpus: a tiny
 * model's validation loss drops by a stated margin; an interrupted and resumed run gives
 * the same losses bit for bit (1 thread); corrupt/truncated checkpoints are refused; a
 * checkpoint being written when the process is killed leaves the previous one loadable;
 * a non-finite loss stops the run naming the step. */
#include "test.h"
#include "vers/train.h"
#include "train/trainer.h"
#include "vers/engine.h"
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
        T_CHECK(vers_bpe_train(texts, lens, 2, 800, &tok, &err) == 0, "bpe: %s", err.msg);
    }
    const char *files[2] = {pfr, pen};
    vers_data_opts dopt = {files, 2, 0.05, 7, ptok, NULL, NULL, NULL};
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
                      .vocab_size = 800, .ctx_len = 64, .rope_theta = 10000.0f, .norm_eps = 1e-5f, .tied = 1};
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
            printf("  val loss %.3f -> %.3f after %lld steps (drop %.3f; uniform would be %.3f)\n", v0, v1, (long long)o.steps, v0 - v1, log(800.0));
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
    /* exact resume at any thread count: 320 steps straight at 1 thread against the same run
     * stopped three times and resumed each time with another thread count; the weights and
     * both AdamW moments must be the same bytes (FP32 and BF16) */
    for (int prec = 0; prec < 2; prec++) {
        char name[160];
        snprintf(name, sizeof name, "train (%s): 320 steps killed and resumed at 2, 1, 2 threads = one run at 1 thread, byte for byte", prec ? "bf16" : "fp32");
        T_CASE(name) {
            vers_tconfig sc = {.dim = 32, .n_layers = 2, .n_heads = 2, .n_kv_heads = 1, .hidden_dim = 64,
                               .vocab_size = 800, .ctx_len = 32, .rope_theta = 10000.0f, .norm_eps = 1e-5f, .tied = 1};
            vers_train_opts so = o;
            so.batch = 4; so.seq_len = 32; so.accum = 2; so.steps = san ? 40 : 320; so.warmup = 10; so.lr = 3e-3f;
            so.eval_every = 50; so.eval_batches = 1; so.ckpt_every = 0; so.threads = 1; so.precision = prec;
            so.log_path = NULL; so.ckpt_path = NULL;
            vers_trainer *ref = NULL, *t = NULL; int stopped = 0;
            T_CHECK(vers_trainer_new(&sc, &so, tok, &ref, &err) == 0 && vers_trainer_run(ref, &data, &stopped, &err) == 0, "%s", err.msg);
            char ck[600]; snprintf(ck, sizeof ck, "%s/exact%d.ckpt", dir, prec);
            so.ckpt_path = ck;
            const int64_t stops[3] = {so.steps / 4 + 3, so.steps / 2 + 1, 3 * so.steps / 4 - 5};
            const int threads[4] = {2, 1, 2, 1};
            so.threads = threads[0]; so.stop_after = stops[0];
            T_CHECK(vers_trainer_new(&sc, &so, tok, &t, &err) == 0 && vers_trainer_run(t, &data, &stopped, &err) == 0 && stopped, "%s", err.msg);
            vers_trainer_free(t); t = NULL;
            for (int k = 1; k <= 3; k++) {
                vers_train_opts ro = so; ro.steps = 0; ro.threads = threads[k]; ro.ckpt_every = -1;
                ro.stop_after = k < 3 ? stops[k] : 0;
                T_CHECK(vers_trainer_resume(ck, &ro, &t, &err) == 0, "resume %d: %s", k, err.msg);
                if (!t) break;
                T_CHECK(vers_trainer_step(t) == stops[k - 1], "resumed at %lld", (long long)vers_trainer_step(t));
                T_CHECK(vers_tmodel_precision(vers_trainer_model(t)) == prec, "precision not kept");
                T_CHECK(vers_trainer_run(t, &data, &stopped, &err) == 0, "run %d: %s", k, err.msg);
                if (k < 3) { vers_trainer_free(t); t = NULL; }
            }
            if (t && ref) {
                int64_t np = vers_tmodel_n_params(ref->m);
                T_CHECK(vers_trainer_step(t) == so.steps, "ended at %lld", (long long)vers_trainer_step(t));
                T_CHECK(!memcmp(ref->m->params, t->m->params, 4 * np), "weights differ");
                T_CHECK(!memcmp(ref->am, t->am, 4 * np) && !memcmp(ref->av, t->av, 4 * np), "AdamW moments differ");
                printf("  %s: %lld weights identical after %lld steps and 3 resumes (loss %.4f)\n", prec ? "bf16" : "fp32",
                       (long long)np, (long long)so.steps, t->last_loss);
            }
            vers_trainer_free(t); vers_trainer_free(ref);
        }
    }
    T_CASE("train (LSTM): a 2-layer LSTM learns, and stopped/resumed at 2 then 1 threads ends as the straight run") {
        vers_tconfig lc = {.dim = 48, .n_layers = 2, .n_heads = 1, .n_kv_heads = 1, .hidden_dim = 48, .vocab_size = 800,
                           .ctx_len = 32, .rope_theta = 10000.0f, .norm_eps = 1e-5f, .tied = 1, .arch = VERS_ARCH_LSTM};
        vers_train_opts lo = o;
        lo.batch = 4; lo.seq_len = 32; lo.accum = 1; lo.steps = san ? 20 : 120; lo.warmup = 10; lo.lr = 5e-3f;
        lo.eval_every = lo.steps; lo.eval_batches = 2; lo.ckpt_every = 0; lo.threads = 1; lo.precision = VERS_PREC_FP32;
        lo.log_path = NULL; lo.ckpt_path = NULL; lo.stop_after = 0;
        vers_trainer *ref = NULL, *t = NULL; int stopped = 0;
        T_CHECK(vers_trainer_new(&lc, &lo, tok, &ref, &err) == 0, "%s", err.msg);
        if (ref) {
            float v0 = vers_trainer_eval(ref, &data);
            T_CHECK(vers_trainer_run(ref, &data, &stopped, &err) == 0, "%s", err.msg);
            printf("  LSTM: val loss %.3f -> %.3f after %lld steps\n", v0, vers_trainer_last_val(ref), (long long)lo.steps);
            T_CHECK(v0 - vers_trainer_last_val(ref) > (san ? 0.2 : 1.0), "val %.3f -> %.3f", v0, vers_trainer_last_val(ref));
        }
        char ck[600]; snprintf(ck, sizeof ck, "%s/lstm.ckpt", dir);
        lo.ckpt_path = ck; lo.threads = 2; lo.stop_after = lo.steps / 2;
        T_CHECK(vers_trainer_new(&lc, &lo, tok, &t, &err) == 0 && vers_trainer_run(t, &data, &stopped, &err) == 0 && stopped, "%s", err.msg);
        vers_trainer_free(t); t = NULL;
        vers_train_opts ro = lo; ro.steps = 0; ro.threads = 1; ro.stop_after = 0; ro.ckpt_every = -1;
        T_CHECK(vers_trainer_resume(ck, &ro, &t, &err) == 0, "resume: %s", err.msg);
        if (t && ref) {
            T_CHECK(t->m->c.arch == VERS_ARCH_LSTM, "architecture not kept");
            T_CHECK(vers_trainer_run(t, &data, &stopped, &err) == 0, "%s", err.msg);
            int64_t np = vers_tmodel_n_params(ref->m);
            T_CHECK(!memcmp(ref->m->params, t->m->params, 4 * np) && !memcmp(ref->av, t->av, 4 * np), "weights differ after the resume");
            char gp[600]; snprintf(gp, sizeof gp, "%s/lstm.gguf", dir);
            /* GGUF vers-lstm: the engine's logits, token by token and as one prompt, equal the
             * trainer's (a document start inside the sequence restarts the state in both) */
            T_CHECK(vers_trainer_export(t, gp, 0 /* VT_F32 */, &err) == 0, "export: %s", err.msg);
            vers_model *em = NULL; vers_ctx *ec = NULL;
            T_CHECK(vers_model_load(gp, NULL, &em, &err) == 0 && vers_ctx_new(em, NULL, &ec, &err) == 0, "engine: %s", err.msg);
            if (ec) {
                int32_t seq[24];
                for (int i = 0; i < 24; i++) seq[i] = data.train[1000 + i];
                seq[0] = vers_bpe_special_id(t->tok, "<|bos|>"); seq[13] = seq[0];
                vers_tmodel_forward(t->m, seq, NULL, 1, 24);
                const float *tl = vers_tmodel_logits(t->m);
                const int V = lc.vocab_size;
                double worst = 0, worst_prompt = 0;
                for (int i = 0; i < 24; i++) {
                    T_CHECK(vers_decode(ec, seq + i, 1, 0, &err) == 0, "decode: %s", err.msg);
                    const float *el = vers_ctx_logits(ec, 0);
                    for (int v = 0; v < V; v++) { double e = fabs(el[v] - tl[(size_t)i * V + v]); if (e > worst) worst = e; }
                }
                vers_ctx_truncate(ec, 0);
                T_CHECK(vers_decode(ec, seq, 24, 1, &err) == 0, "prompt: %s", err.msg);
                for (int i = 0; i < 24; i++) {
                    const float *el = vers_ctx_logits(ec, i);
                    for (int v = 0; v < V; v++) { double e = fabs(el[v] - tl[(size_t)i * V + v]); if (e > worst_prompt) worst_prompt = e; }
                }
                printf("  LSTM as GGUF vers-lstm: engine logits within %.2e (token by token) and %.2e (one prompt) of the trainer's\n", worst, worst_prompt);
                T_CHECK(worst < 1e-4 && worst_prompt < 1e-4, "engine vs trainer %.2e %.2e", worst, worst_prompt);
            }
            vers_ctx_free(ec); vers_model_free(em);
        }
        vers_trainer_free(t); vers_trainer_free(ref);
    }
    T_CASE("train: a resume keeps the run's checkpoint interval and threads unless given; version-1 checkpoints load") {
        vers_train_opts so = o; so.ckpt_path = pck; so.ckpt_every = 7; so.threads = 2; so.steps = 4; so.eval_every = 0;
        vers_trainer *t = NULL; int stopped;
        T_CHECK(vers_trainer_new(&c, &so, tok, &t, &err) == 0 && vers_trainer_run(t, &data, &stopped, &err) == 0, "%s", err.msg);
        vers_trainer_free(t); t = NULL;
        vers_train_opts ro = o; ro.steps = 0; ro.ckpt_every = -1; ro.threads = 0;
        T_CHECK(vers_trainer_resume(pck, &ro, &t, &err) == 0, "%s", err.msg);
        if (t) {
            T_CHECK(vers_trainer_opts(t)->ckpt_every == 7 && vers_trainer_opts(t)->threads == 2, "ckpt_every %d threads %d",
                    vers_trainer_opts(t)->ckpt_every, vers_trainer_opts(t)->threads);
            vers_trainer_free(t); t = NULL;
        }
        /* the same checkpoint as version 1: without the 16 bytes of version 2's fields */
        size_t n; unsigned char *raw = (unsigned char *)t_read_file(pck, &n);
        if (raw) {
            /* offset of the version-2 fields: magic 8 + version 4 + shape 40 + options 80 */
            size_t at = 8 + 4 + 40 + 4 * 3 + 8 * 2 + 4 * 8 + 4 * 3 + 8;
            memmove(raw + at, raw + at + 16, n - at - 16);
            n -= 16;
            uint32_t v1 = 1; memcpy(raw + 8, &v1, 4);
            uint64_t h = 0xcbf29ce484222325ULL;
            for (size_t off = 0; off < n - 16; off += 1 << 20) {   /* checkpoint.c's hash */
                size_t len = n - 16 - off < (1u << 20) ? n - 16 - off : (1u << 20), i = 0;
                const unsigned char *p = raw + off;
                for (; i + 8 <= len; i += 8) { uint64_t w; memcpy(&w, p + i, 8); h = (h ^ w) * 0x100000001b3ULL; h ^= h >> 29; }
                for (; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
            }
            uint64_t tail[2] = {h, n}; memcpy(raw + n - 16, tail, 16);
            char v1p[600]; snprintf(v1p, sizeof v1p, "%s/v1.ckpt", dir);
            write_file(v1p, (char *)raw, n);
            ro.threads = 1;
            T_CHECK(vers_trainer_resume(v1p, &ro, &t, &err) == 0, "version 1: %s", err.msg);
            if (t) { T_CHECK(vers_trainer_step(t) == 4 && vers_tmodel_precision(t->m) == VERS_PREC_FP32, "v1 fields"); vers_trainer_free(t); t = NULL; }
            free(raw);
        }
    }
    T_CASE("train: checkpoints with a valid checksum but hostile header values are refused at once") {
        size_t n; unsigned char *raw = (unsigned char *)t_read_file(pck, &n);
        struct { const char *what; size_t off; int bytes; uint64_t v; } att[] = {
            {"accumulation 2^31", 8 + 4 + 40 + 8, 4, 1u << 31},
            {"eval batches 2^31", 8 + 4 + 40 + 12 + 16 + 32 + 4, 4, 1u << 31},
            {"hidden 2^31", 8 + 4 + 16, 4, 1u << 31},
            {"step 2^63", 8 + 4 + 40 + 12 + 16 + 32 + 12 + 8 + 16, 8, 1ull << 63},
            {"batch 2^31", 8 + 4 + 40, 4, 1u << 31},
            {"dim 0", 8 + 4, 4, 0},
        };
        for (size_t a = 0; raw && a < sizeof att / sizeof att[0]; a++) {
            unsigned char *b = malloc(n); memcpy(b, raw, n);
            memcpy(b + att[a].off, &att[a].v, (size_t)att[a].bytes);
            uint64_t h = 0xcbf29ce484222325ULL;
            for (size_t off = 0; off < n - 16; off += 1 << 20) {
                size_t len = n - 16 - off < (1u << 20) ? n - 16 - off : (1u << 20), i = 0;
                const unsigned char *p = b + off;
                for (; i + 8 <= len; i += 8) { uint64_t w; memcpy(&w, p + i, 8); h = (h ^ w) * 0x100000001b3ULL; h ^= h >> 29; }
                for (; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
            }
            memcpy(b + n - 16, &h, 8);
            char hp[600]; snprintf(hp, sizeof hp, "%s/hostile.ckpt", dir);
            write_file(hp, (char *)b, n);
            vers_trainer *t = NULL;
            vers_train_opts ro = o; ro.steps = 0;
            int rc = vers_trainer_resume(hp, &ro, &t, &err);
            T_CHECK(rc != 0 && !t && strstr(err.msg, "checkpoint"), "%s: rc %d %s", att[a].what, rc, rc ? err.msg : "loaded");
            if (rc) printf("  %s: %s\n", att[a].what, err.msg);
            vers_trainer_free(t);
            free(b);
        }
        free(raw);
    }
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
