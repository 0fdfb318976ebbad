/* tests/test_heldout.c — evaluation of the shipped model's kind (issue 6):
 *  - the trainer's split predicate is the one it always was (reference formula below);
 *  - vers_heldout_each selects exactly the documents, in order and token for token, that
 *    vers_tokens_build sends to the validation stream (tiny corpus, tiny BPE);
 *  - the layout read back from an exported GGUF is the trainer's, body tokens located;
 *  - vers_score_tokens equals a direct computation with the trainer's own forward pass, for
 *    a document within one window and for one read in overlapping windows;
 *  - `vers perplexity --heldout --json` reports the same documents and bits per byte;
 *  - --by-position (issue 17), for a llama and an LSTM: every token scored once at its window
 *    position, the buckets' tokens, bytes and nats add up to the totals, and each bucket's
 *    mean equals a direct computation with the trainer's forward pass, window by window;
 *  - stories260K (no control tokens) gets the plain layout;
 *  - bench/copy_rate.c gives exact shares on a synthetic corpus. */
#include "test.h"
#include "vers/train.h"
#include "vers/engine.h"
#include "vers/tokenizer.h"
#include "train/internal.h"
#include "engine/gguf.h"
#include "engine/tensor.h"
#include <math.h>
#include <sys/wait.h>
#define COPY_RATE_NO_MAIN
#include "../bench/copy_rate.c"

/* the split as data.c computed it before it became vers_doc_is_val */
static int ref_is_val(uint64_t seed, double frac, int file, int64_t doc) {
    uint64_t h = seed * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)file << 40) ^ (uint64_t)doc;
    trng r; trng_seed(&r, h);
    return trng_uniform(&r) < frac;
}

static const char *lines_fr[] = {"Le vent se lève, il faut tenter de vivre ;", "L’air immense ouvre et referme mon livre,",
                                 "Ô temps ! suspends ton vol, et vous, heures propices !", "Suspendez votre cours :"};
static const char *lines_en[] = {"The wind is rising — we must try to live.", "And waves dare burst in powder from the rocks!",
                                 "Shall I compare thee to a summer’s day?", "Thou art more lovely and more temperate."};

static void write_corpus(const char *path, int n, int variant) {
    FILE *f = fopen(path, "w");
    if (!f) return;
    for (int i = 0; i < n; i++) {
        int fr = (i + variant) % 2, prose = i % 5 == 3;
        fprintf(f, "@@ id: d%d_%d\n@@ lang: %s\n@@ kind: %s\n", variant, i, fr ? "fr" : "en", prose ? "prose" : "poem");
        if (i % 3) fprintf(f, "@@ title: %s %d\n", fr ? "Poème" : "Poem", i);
        if (i % 7 == 1) fprintf(f, "@@ form: sonnet\n");
        fprintf(f, "\n");
        const char **L = fr ? lines_fr : lines_en;
        int reps = i % 10 == 5 ? 12 : 1 + i % 3;   /* long enough for several windows */
        for (int r = 0; r < reps; r++) fprintf(f, "%s\n%s\n\n%s\n%s\n", L[(i + r) % 4], L[(i + r + 1) % 4], L[(r + 2) % 4], L[3]);
        if (i + 1 < n) fprintf(f, "@@@\n");
    }
    fclose(f);
}

typedef struct { const vers_bpe *b; int32_t *ids; size_t n, cap; int64_t docs; int files_seen[4]; } collect_ctx;
static int collect(const vers_doc *d, int file_no, int64_t doc_no, void *vctx) {
    (void)doc_no;
    collect_ctx *c = vctx;
    c->docs++;
    if (file_no >= 0 && file_no < 4) c->files_seen[file_no]++;
    return vers_doc_tokenize(c->b, d, &c->ids, &c->n, &c->cap);
}

/* finds the held-out document with the most tokens */
typedef struct { const vers_doc_format *f; int32_t *best; size_t nbest, b0, b1; int32_t *tmp; size_t cap; int64_t docs; } longest_ctx;
static int longest(const vers_doc *d, int file_no, int64_t doc_no, void *vctx) {
    (void)file_no; (void)doc_no;
    longest_ctx *c = vctx;
    size_t n = 0, b0, b1;
    int rc = vers_doc_format_tokens(c->f, d, &c->tmp, &n, &c->cap, &b0, &b1);
    if (rc) return rc;
    c->docs++;
    if (n > c->nbest) {
        free(c->best);
        c->best = malloc(n * sizeof *c->best);
        if (!c->best) return VERS_ENOMEM;
        memcpy(c->best, c->tmp, n * sizeof *c->tmp);
        c->nbest = n; c->b0 = b0; c->b1 = b1;
    }
    return 0;
}

/* sum of -log p over the held-out bodies, through the library (what the CLI adds up) */
typedef struct { const vers_doc_format *f; vers_ctx *ctx; int32_t *ids; size_t cap; double nll; size_t cnt, bytes; int64_t docs; vers_err *err; } sum_ctx;
static int sum_doc(const vers_doc *d, int file_no, int64_t doc_no, void *vctx) {
    (void)file_no; (void)doc_no;
    sum_ctx *c = vctx;
    size_t n = 0, b0, b1;
    int rc = vers_doc_format_tokens(c->f, d, &c->ids, &n, &c->cap, &b0, &b1);
    if (!rc) rc = vers_score_tokens(c->ctx, c->ids, n, b0, b1, 64, 32, &c->nll, &c->cnt, c->err);
    c->bytes += d->body_len; c->docs++;
    return rc;
}

static double nll_of(const float *lg, int nv, int32_t t) {
    double mx = lg[0], s = 0;
    for (int i = 1; i < nv; i++) if (lg[i] > mx) mx = lg[i];
    for (int i = 0; i < nv; i++) s += exp(lg[i] - mx);
    return log(s) - (lg[t] - mx);
}

static double json_num(const char *s, const char *after, const char *key) {
    const char *p = strstr(s, after);
    if (!p) return NAN;
    p = strstr(p, key);
    return p ? atof(p + strlen(key)) : NAN;
}


/* ---- --by-position ---- */
/* buckets as vers perplexity cuts them: 1-16, 17-64, 65-256, 257-512, 513+ */
static int pos_bucket(int p) { return p <= 16 ? 0 : p <= 64 ? 1 : p <= 256 ? 2 : p <= 512 ? 3 : 4; }
typedef struct { uint64_t tokens, bytes; double nll; } bucket;
typedef struct { int n; bucket b[5]; uint64_t tokens, bytes; double nll; } pos_report;

/* reads the "by_position" array that follows `after` in a vers perplexity --json answer,
 * and that object's own tokens, bytes and mean nll */
static int parse_pos(const char *out, const char *after, pos_report *r) {
    memset(r, 0, sizeof *r);
    const char *p = strstr(out, after);
    if (!p) return -1;
    const char *t = strstr(p, "\"tokens\":"), *by = strstr(p, "\"bytes\":"), *nl = strstr(p, "\"nll\":");
    if (!t || !by || !nl) return -1;
    r->tokens = strtoull(t + 9, NULL, 10); r->bytes = strtoull(by + 8, NULL, 10);
    r->nll = atof(nl + 6) * (double)r->tokens;
    p = strstr(p, "\"by_position\":[");
    if (!p) return -1;
    p += 15;
    while (*p == '{' && r->n < 5) {
        int from, to; unsigned long long tk, bt; double m = 0;
        if (sscanf(p, "{\"from\":%d,\"to\":%d,\"tokens\":%llu,\"bytes\":%llu,\"nll\":%lf", &from, &to, &tk, &bt, &m) < 4) return -1;
        if (pos_bucket(from) != r->n) return -1;
        r->b[r->n].tokens = tk; r->b[r->n].bytes = bt; r->b[r->n].nll = m * (double)tk;
        r->n++;
        p = strchr(p, '}');
        if (!p) return -1;
        p++;
        if (*p == ',') p++;
    }
    return 0;
}

/* the held-out bodies scored directly with the trainer's forward pass: windows of W tokens
 * starting every W-1 (token j > 0 in window (j-1)/(W-1), at position j - its start) */
typedef struct { const vers_doc_format *f; vers_tmodel *tm; int V, W; int32_t *ids; size_t cap; bucket b[5]; vers_tokenizer *et; } direct_ctx;
static int direct_doc(const vers_doc *d, int file_no, int64_t doc_no, void *vctx) {
    (void)file_no; (void)doc_no;
    direct_ctx *c = vctx;
    size_t n = 0, b0, b1;
    int rc = vers_doc_format_tokens(c->f, d, &c->ids, &n, &c->cap, &b0, &b1);
    if (rc) return rc;
    const size_t S = (size_t)c->W - 1;
    for (size_t s = 0; s + 1 < n; s += S) {
        size_t e = s + (size_t)c->W < n ? s + (size_t)c->W : n;
        if (e <= b0 || s + 1 >= b1) continue;
        vers_tmodel_forward(c->tm, c->ids + s, NULL, 1, (int)(e - s));
        const float *lg = vers_tmodel_logits(c->tm);
        for (size_t j = s + 1; j < e; j++) {
            if (j < b0 || j >= b1) continue;
            bucket *q = &c->b[pos_bucket((int)(j - s))];
            size_t len = 0;
            vers_token_piece(c->et, c->ids[j], 0, &len);
            q->tokens++; q->bytes += len; q->nll += nll_of(lg + (j - s - 1) * (size_t)c->V, c->V, c->ids[j]);
        }
    }
    return 0;
}

/* the --by-position cases for one exported model (a llama or an LSTM) and its trainer */
static void by_position_cases(const char *what, const char *model, vers_tmodel *tm, int V, const char *const *fl,
                              const char *text_file) {
    vers_err err = {0, ""};
    vers_model *em = NULL; vers_tokenizer *et = NULL; vers_doc_format *fmt = NULL; vers_ctx *ctx = NULL;
    vers_model_load(model, NULL, &em, &err);
    if (em) vers_tokenizer_from_gguf(vers_model_gguf(em), &et, &err);
    if (et) vers_doc_format_new(vers_model_gguf(em), et, &fmt, &err);
    vers_ctx_params cp = vers_ctx_default_params(); cp.n_ctx = 64; cp.n_threads = 1;
    if (em) vers_ctx_new(em, &cp, &ctx, &err);
    char name[200];
    snprintf(name, sizeof name, "by-position (%s): vers_score_tokens_at scores every token once, at its window position", what);
    T_CASE(name) {
        T_CHECK(fmt && ctx, "model %s: %s", model, err.msg);
      if (fmt && ctx) {
        longest_ctx lc = {fmt, NULL, 0, 0, 0, NULL, 0, 0};
        vers_heldout_each(fl, 3, 7, 0.3, longest, &lc, &err);
        const int W = 32;
        int32_t *pos = malloc(lc.nbest * sizeof *pos);
        double *tn = malloc(lc.nbest * sizeof *tn), got = 0, plain = 0, worst = 0;
        size_t cnt = 0, cnt2 = 0, bad_pos = 0, scored = 0;
        T_CHECK(lc.nbest > 100 && pos && tn, "longest document %zu tokens", lc.nbest);
        if (pos && tn && lc.nbest > 100) {
            T_CHECK(vers_score_tokens_at(ctx, lc.best, lc.nbest, lc.b0, lc.b1, W, W - 1, &got, &cnt, pos, tn, &err) == 0, "%s", err.msg);
            vers_score_tokens(ctx, lc.best, lc.nbest, lc.b0, lc.b1, W, W - 1, &plain, &cnt2, &err);
            double sum = 0;
            for (size_t j = 0; j < lc.nbest; j++) {
                int in = j >= lc.b0 && j < lc.b1;
                size_t s = j ? (j - 1) / (size_t)(W - 1) * (size_t)(W - 1) : 0;
                if (!in) { bad_pos += pos[j] != -1 || !isnan(tn[j]); continue; }
                scored++;
                bad_pos += pos[j] != (int32_t)(j - s);
                sum += tn[j];
                /* the window that scored it, through the trainer */
                size_t e = s + (size_t)W < lc.nbest ? s + (size_t)W : lc.nbest;
                if (j == lc.b0 || j == s + 1) vers_tmodel_forward(tm, lc.best + s, NULL, 1, (int)(e - s));
                double want = nll_of(vers_tmodel_logits(tm) + (j - s - 1) * (size_t)V, V, lc.best[j]);
                if (fabs(want - tn[j]) > worst) worst = fabs(want - tn[j]);
            }
            printf("  %s: %zu body tokens in windows of %d every %d: %zu positions wrong, worst token |engine - trainer| %.2e nats\n",
                   what, scored, W, W - 1, bad_pos, worst);
            T_CHECK(cnt == lc.b1 - lc.b0 && scored == cnt && bad_pos == 0, "scored %zu of %zu, %zu bad positions", cnt, lc.b1 - lc.b0, bad_pos);
            T_CHECK(fabs(sum - got) < 1e-6 * (double)cnt && got == plain && cnt2 == cnt, "per-token sum %.6f, total %.6f, plain %.6f", sum, got, plain);
            T_CHECK(worst < 1e-3, "engine vs trainer per token: %.2e", worst);
        }
        free(pos); free(tn); free(lc.best); free(lc.tmp);
      }
    }
    const char *bin = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
    static char cmd[4096], out[1 << 17];
    snprintf(name, sizeof name, "by-position (%s): vers perplexity --heldout --by-position --json adds up and equals the trainer's", what);
    T_CASE(name) {
      if (fmt) {
        snprintf(cmd, sizeof cmd, "%s perplexity --heldout --by-position --json -c 64 -m %s -t 1 --seed 7 --val-frac 0.3 %s %s %s 2>&1",
                 bin, model, fl[0], fl[1], fl[2]);
        int rc = t_run(cmd, out, sizeof out);
        pos_report all, grp;
        T_CHECK(rc == 0 && strstr(out, "\"stride\":63") && parse_pos(out, "\"all\":", &all) == 0 && parse_pos(out, "\"en-poem\":", &grp) == 0,
                "rc %d: %.400s", rc, out);
        direct_ctx dc = {fmt, tm, V, 64, NULL, 0, {{0}}, et};
        T_CHECK(vers_heldout_each(fl, 3, 7, 0.3, direct_doc, &dc, &err) == 0, "%s", err.msg);
        free(dc.ids);
        pos_report *rs[2] = {&all, &grp};
        for (int k = 0; k < 2; k++) {
            uint64_t t = 0, b = 0; double nl = 0;
            for (int i = 0; i < rs[k]->n; i++) { t += rs[k]->b[i].tokens; b += rs[k]->b[i].bytes; nl += rs[k]->b[i].nll; }
            T_CHECK(rs[k]->n == 2 && t == rs[k]->tokens && b == rs[k]->bytes && fabs(nl - rs[k]->nll) < 1e-4 * (double)t,
                    "%s: %d buckets, tokens %llu vs %llu, bytes %llu vs %llu, nats %.4f vs %.4f", k ? "en-poem" : "all", rs[k]->n,
                    (unsigned long long)t, (unsigned long long)rs[k]->tokens, (unsigned long long)b, (unsigned long long)rs[k]->bytes,
                    nl, rs[k]->nll);
        }
        for (int i = 0; i < 2 && all.n == 2; i++) {
            double cli = all.b[i].nll / (double)all.b[i].tokens, want = dc.b[i].nll / (double)dc.b[i].tokens;
            printf("  %s: positions %s: %llu tokens, CLI %.5f, trainer %.5f nats/token\n", what, i ? "17-63" : "1-16",
                   (unsigned long long)all.b[i].tokens, cli, want);
            T_CHECK(all.b[i].tokens == dc.b[i].tokens && all.b[i].bytes == dc.b[i].bytes && all.b[i].tokens > 20 &&
                    fabs(cli - want) < 1e-4, "bucket %d: tokens %llu vs %llu, bytes %llu vs %llu, nll %.6f vs %.6f", i,
                    (unsigned long long)all.b[i].tokens, (unsigned long long)dc.b[i].tokens, (unsigned long long)all.b[i].bytes,
                    (unsigned long long)dc.b[i].bytes, cli, want);
        }
        T_CHECK(strstr(out, "\"to\":63") && !strstr(out, "\"from\":65"), "buckets past the window: %.300s", out);
        /* the text form says what it counts, and --stride still overrides the default */
        snprintf(cmd, sizeof cmd, "%s perplexity --heldout --by-position -c 64 --stride 32 -m %s -t 1 --seed 7 --val-frac 0.3 %s 2>&1",
                 bin, model, fl[0]);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "stride 32") && strstr(out, "overlapping windows of 64") && strstr(out, "\nall                    17-63 "),
                "rc %d: %s", rc, out);
      }
    }
    snprintf(name, sizeof name, "by-position (%s): vers perplexity -f --by-position adds up to the plain figures", what);
    T_CASE(name) {
        snprintf(cmd, sizeof cmd, "%s perplexity --by-position --json -c 64 -m %s -t 1 -f %s 2>&1", bin, model, text_file);
        int rc = t_run(cmd, out, sizeof out);
        pos_report r;
        const char *sc = strstr(out, "\"scored\":");
        unsigned long long scored = sc ? strtoull(sc + 9, NULL, 10) : 0;
        T_CHECK(rc == 0 && parse_pos(out, "\"file\":", &r) == 0, "rc %d: %.300s", rc, out);
        double mean = json_num(out, "\"n_ctx\":", "\"nll\":");
        uint64_t t = 0, b = 0; double nl = 0;
        for (int i = 0; i < r.n; i++) { t += r.b[i].tokens; b += r.b[i].bytes; nl += r.b[i].nll; }
        const char *by = strstr(out, "\"bytes\":");
        unsigned long long bytes = by ? strtoull(by + 8, NULL, 10) : 0;
        T_CHECK(r.n == 2 && t == scored && t > 100 && b == bytes && fabs(nl / (double)t - mean) < 1e-5,
                "%d buckets: tokens %llu of %llu, bytes %llu of %llu, mean %.6f vs %.6f", r.n, (unsigned long long)t, scored,
                (unsigned long long)b, bytes, nl / (double)(t ? t : 1), mean);
        snprintf(cmd, sizeof cmd, "%s perplexity -c 64 -m %s -t 1 -f %s 2>&1", bin, model, text_file);
        static char plain[4096];
        t_run(cmd, plain, sizeof plain);
        snprintf(cmd, sizeof cmd, "%s perplexity --by-position -c 64 -m %s -t 1 -f %s 2>&1", bin, model, text_file);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && !strncmp(out, plain, strlen(plain)) && strstr(out, "BOS being position 0"), "text: %s\nplain: %s", out, plain);
    }
    vers_doc_format_free(fmt); vers_ctx_free(ctx); vers_tokenizer_free(et); vers_model_free(em);
}

static void write_text(const char *path, const char *s) {
    FILE *f = fopen(path, "w");
    if (f) { fputs(s, f); fclose(f); }
}

/* A tiny model of cfg trained o.steps steps on data (so that its predictions are not
 * uniform) and exported to path as F32; NULL when a step failed (the case says which). */
static vers_trainer *train_tiny(const char *name, const vers_tconfig *cfg, const vers_train_opts *o,
                                const vers_bpe *tok, const vers_tokens *data, const char *path) {
    vers_trainer *tr = NULL;
    vers_err err = {0};
    T_CASE(name) {
        int stopped = 0;
        T_CHECK(vers_trainer_new(cfg, o, tok, &tr, &err) == 0, "new: %s", err.msg);
        if (tr) T_CHECK(vers_trainer_run(tr, data, &stopped, &err) == 0, "run: %s", err.msg);
        if (tr) T_CHECK(vers_trainer_export(tr, path, VT_F32, &err) == 0, "export: %s", err.msg);
    }
    return tr;
}

int main(void) {
    const char *dir = t_tmpdir();
    vers_err err = {0, ""};

    T_CASE("heldout: vers_doc_is_val is the trainer's old split formula") {
        static const uint64_t seeds[] = {1, 2, 12345};
        static const double fracs[] = {0.02, 0.3};
        long bad = 0, val = 0, all = 0;
        for (int s = 0; s < 3; s++) for (int q = 0; q < 2; q++) for (int f = 0; f < 12; f++) for (int64_t d = 0; d < 2000; d++) {
            int v = vers_doc_is_val(seeds[s], fracs[q], f, d);
            bad += v != ref_is_val(seeds[s], fracs[q], f, d);
            if (q == 1) { val += v; all++; }
        }
        T_CHECK(bad == 0, "%ld decisions differ", bad);
        T_CHECK(val > all / 4 && val < all * 7 / 20, "share %ld / %ld for 0.3", val, all);
    }

    /* a tiny corpus: three files, one of them plain text */
    char files[3][512];
    for (int i = 0; i < 3; i++) snprintf(files[i], sizeof files[i], "%s/c%d.txt", dir, i);
    write_corpus(files[0], 40, 0);
    write_text(files[1], "Plain text without headers, one document.\nIt has two lines.\n");
    write_corpus(files[2], 50, 1);
    const char *fl[3] = {files[0], files[1], files[2]};
    size_t l0 = 0, l2 = 0;
    char *t0 = t_read_file(files[0], &l0), *t2 = t_read_file(files[2], &l2);
    const char *texts[2] = {t0, t2}; size_t lens[2] = {l0, l2};
    vers_bpe *tok = NULL;
    T_CASE("heldout: tiny tokenizer") { T_CHECK(t0 && t2 && vers_bpe_train(texts, lens, 2, 600, &tok, &err) == 0, "bpe: %s", err.msg); }
    if (!tok) T_DONE();

    vers_data_opts dopt = {fl, 3, 0.3, 7, NULL, "fr:poem=3", NULL, NULL};
    vers_tokens data = {0};
    T_CASE("heldout: the held-out documents are the trainer's validation stream, token for token") {
        T_CHECK(vers_tokens_build(tok, &dopt, &data, &err) == 0, "build: %s", err.msg);
        collect_ctx c = {tok, NULL, 0, 0, 0, {0}};
        T_CHECK(vers_heldout_each(fl, 3, 7, 0.3, collect, &c, &err) == 0, "each: %s", err.msg);
        T_CHECK(c.docs == data.n_docs_val && c.docs > 5, "documents: heldout %lld, trainer %lld", (long long)c.docs, (long long)data.n_docs_val);
        T_CHECK(c.n == data.n_val && !memcmp(c.ids, data.val, c.n * sizeof *c.ids), "tokens: heldout %zu, trainer %zu", c.n, data.n_val);
        T_CHECK(c.files_seen[0] > 0 && c.files_seen[2] > 0, "files %d %d", c.files_seen[0], c.files_seen[2]);
        /* another seed, another set: the seed is used */
        collect_ctx d = {tok, NULL, 0, 0, 0, {0}};
        vers_heldout_each(fl, 3, 8, 0.3, collect, &d, &err);
        T_CHECK(d.n != c.n || memcmp(d.ids, c.ids, d.n * sizeof *d.ids), "seed 8 selects the same documents as seed 7");
        free(c.ids); free(d.ids);
    }
    T_CASE("heldout: bad corpus input is an error with the file's name") {
        char bad[600]; snprintf(bad, sizeof bad, "%s/bad.txt", dir);
        write_text(bad, "@@ lang: fr\nno colon here\n\nbody\n");
        const char *bl[1] = {bad};
        collect_ctx c = {tok, NULL, 0, 0, 0, {0}};
        int rc = vers_heldout_each(bl, 1, 1, 0.5, collect, &c, &err);
        T_CHECK(rc == VERS_EFORMAT && strstr(err.msg, "bad.txt"), "rc %d: %s", rc, err.msg);
        free(c.ids);
    }

    /* a tiny model trained a few steps (so that its predictions are not uniform), exported */
    vers_tconfig cfg = {.dim = 32, .n_layers = 2, .n_heads = 2, .n_kv_heads = 2, .hidden_dim = 64,
                        .vocab_size = vers_bpe_vocab_size(tok), .ctx_len = 64, .rope_theta = 10000.0f, .norm_eps = 1e-5f, .tied = 1};
    vers_train_opts o;
    vers_train_opts_default(&o);
    o.batch = 2; o.seq_len = 64; o.steps = 40; o.warmup = 2; o.lr = 1e-2f; o.eval_every = 0; o.ckpt_every = 0; o.threads = 1;
    char model[600]; snprintf(model, sizeof model, "%s/tiny.gguf", dir);
    vers_trainer *tr = train_tiny("heldout: tiny model trained and exported", &cfg, &o, tok, &data, model);
    if (!tr) T_DONE();
    vers_tmodel *tm = vers_trainer_model(tr);
    vers_model *em = NULL; vers_tokenizer *et = NULL; vers_ctx *ctx = NULL; vers_doc_format *fmt = NULL;
    T_CASE("heldout: the GGUF's vocabulary gets the trainer's layout") {
        T_CHECK(vers_model_load(model, NULL, &em, &err) == 0, "load: %s", err.msg);
        if (em) T_CHECK(vers_tokenizer_from_gguf(vers_model_gguf(em), &et, &err) == 0, "tokenizer: %s", err.msg);
        if (et) T_CHECK(vers_doc_format_new(vers_model_gguf(em), et, &fmt, &err) == 0, "format: %s", err.msg);
        if (fmt) T_CHECK(vers_doc_format_is_vers(fmt), "plain layout chosen for a vers vocabulary");
        vers_ctx_params cp = vers_ctx_default_params(); cp.n_ctx = 64; cp.n_threads = 1;
        if (em) T_CHECK(vers_ctx_new(em, &cp, &ctx, &err) == 0, "ctx: %s", err.msg);
    }
    if (!fmt || !ctx) T_DONE();
    longest_ctx lc = {fmt, NULL, 0, 0, 0, NULL, 0, 0};
    T_CASE("heldout: layout from the GGUF equals the trainer's tokens; the body is located") {
        T_CHECK(vers_heldout_each(fl, 3, 7, 0.3, longest, &lc, &err) == 0, "each: %s", err.msg);
        T_CHECK(lc.docs == data.n_docs_val, "docs %lld", (long long)lc.docs);
        /* the body range: the tokens of the body alone, then <|eos|> */
        vers_doc d = {"fr", "poem", "", "Titre", 2, 4, 0, 5, "Le vent se lève.\n", strlen("Le vent se lève.\n")};
        int32_t *ids = NULL, *body = NULL; size_t n = 0, cap = 0, b0 = 0, b1 = 0, nb = 0, cb = 0;
        T_CHECK(vers_doc_format_tokens(fmt, &d, &ids, &n, &cap, &b0, &b1) == 0, "tokens");
        vers_bpe_encode(tok, d.body, d.body_len, &body, &nb, &cb);
        T_CHECK(b1 == n - 1 && ids[n - 1] == vers_bpe_special_id(tok, "<|eos|>") && b1 - b0 == nb &&
                !memcmp(ids + b0, body, nb * sizeof *body), "body range [%zu, %zu) of %zu", b0, b1, n);
        T_CHECK(ids[0] == vers_bpe_special_id(tok, "<|bos|>") && ids[1] == vers_bpe_special_id(tok, "<fr>") &&
                ids[3] == vers_bpe_special_id(tok, "<title>"), "prefix %d %d %d", ids[0], ids[1], ids[3]);
        free(ids); free(body);
    }
    T_CASE("heldout: scoring within one window equals the trainer's forward pass") {
        /* a document of <= 64 tokens: the first held-out one that fits */
        vers_doc d = {"en", "poem", "", "Poem 1", 2, 4, 0, 6, "Shall I compare thee to a summer’s day?\nThou art more lovely.\n", 0};
        d.body_len = strlen(d.body);
        int32_t *ids = NULL; size_t n = 0, cap = 0, b0 = 0, b1 = 0;
        vers_doc_format_tokens(fmt, &d, &ids, &n, &cap, &b0, &b1);
        T_CHECK(n <= 64 && b0 > 1 && b1 > b0, "n %zu body [%zu, %zu)", n, b0, b1);
        double got = 0; size_t cnt = 0;
        T_CHECK(vers_score_tokens(ctx, ids, n, b0, b1, 64, 0, &got, &cnt, &err) == 0, "score: %s", err.msg);
        vers_tmodel_forward(tm, ids, NULL, 1, (int)n);
        const float *lg = vers_tmodel_logits(tm);
        double want = 0;
        for (size_t j = b0; j < b1; j++) want += nll_of(lg + (j - 1) * (size_t)cfg.vocab_size, cfg.vocab_size, ids[j]);
        double bpb = got / log(2.0) / (double)d.body_len;
        printf("  one window: %zu body tokens, engine %.6f nats, trainer %.6f nats, %.4f bits/byte\n", cnt, got, want, bpb);
        T_CHECK(cnt == b1 - b0, "scored %zu of %zu", cnt, b1 - b0);
        T_CHECK(isfinite(bpb) && bpb > 0 && fabs(got - want) < 1e-4 * (double)cnt, "engine %.6f vs trainer %.6f", got, want);
        T_CHECK(fabs(want / (double)cnt - log((double)cfg.vocab_size)) > 0.05, "the model still predicts uniformly");
        free(ids);
    }
    T_CASE("heldout: overlapping windows: every body token once, with the context the rule says") {
        T_CHECK(lc.nbest > 150, "longest held-out document has %zu tokens", lc.nbest);
        const int W = 32, S = 12;
        double got = 0; size_t cnt = 0;
        T_CHECK(vers_score_tokens(ctx, lc.best, lc.nbest, lc.b0, lc.b1, W, S, &got, &cnt, &err) == 0, "score: %s", err.msg);
        /* direct: token j sees the tokens from the start of the first window that holds it
         * not at its start: windows start at k*S (the body starts within the first window) */
        double want = 0;
        for (size_t j = lc.b0 < 1 ? 1 : lc.b0; j < lc.b1; j++) {
            size_t k = j < (size_t)W ? 0 : (j - (size_t)W + (size_t)S) / (size_t)S;
            size_t s = k * (size_t)S;
            vers_tmodel_forward(tm, lc.best + s, NULL, 1, (int)(j - s + 1));
            want += nll_of(vers_tmodel_logits(tm) + (j - s - 1) * (size_t)cfg.vocab_size, cfg.vocab_size, lc.best[j]);
        }
        printf("  %zu tokens in windows of %d every %d: engine %.5f, trainer %.5f nats\n", cnt, W, S, got, want);
        T_CHECK(lc.b0 < (size_t)W && cnt == lc.b1 - lc.b0, "scored %zu of %zu", cnt, lc.b1 - lc.b0);
        T_CHECK(isfinite(got) && fabs(got - want) < 1e-4 * (double)cnt, "engine %.6f vs trainer %.6f", got, want);
        /* a whole-window read gives a different (better-informed) figure: the windows matter */
        double one = 0; size_t c1 = 0;
        vers_score_tokens(ctx, lc.best, 64, lc.b0, 64, 64, 0, &one, &c1, &err);
        T_CHECK(c1 == 64 - lc.b0, "count %zu", c1);
    }
    T_CASE("heldout: vers perplexity --heldout --json reports the same documents and bits per byte") {
        sum_ctx sc = {fmt, ctx, NULL, 0, 0, 0, 0, 0, &err};
        T_CHECK(vers_heldout_each(fl, 3, 7, 0.3, sum_doc, &sc, &err) == 0, "each: %s", err.msg);
        const char *bin = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
        static char cmd[4096], out[1 << 16];
        snprintf(cmd, sizeof cmd, "%s perplexity --heldout --json -m %s -t 1 --seed 7 --val-frac 0.3 %s %s %s 2>&1",
                 bin, model, files[0], files[1], files[2]);
        int rc = t_run(cmd, out, sizeof out);
        double docs = json_num(out, "\"all\":", "\"docs\":"), bpb = json_num(out, "\"all\":", "\"bits_per_byte\":");
        double tokens = json_num(out, "\"all\":", "\"tokens\":");
        double want = sc.nll / log(2.0) / (double)sc.bytes;
        printf("  CLI: %g documents, %g tokens, %.5f bits/byte; library %.5f\n", docs, tokens, bpb, want);
        T_CHECK(rc == 0 && strstr(out, "\"layout\":\"vers\""), "rc %d: %.300s", rc, out);
        T_CHECK(docs == (double)data.n_docs_val && tokens == (double)sc.cnt, "docs %g tokens %g", docs, tokens);
        T_CHECK(isfinite(bpb) && fabs(bpb - want) < 1e-4, "bpb %g vs %g", bpb, want);
        T_CHECK(strstr(out, "\"fr-poem\":") && strstr(out, "\"en-poem\":") && strstr(out, "\"fr-prose\":") &&
                strstr(out, "\"en-prose\":"), "groups: %.300s", out);
        /* --max-docs 1: one document per file that has any */
        snprintf(cmd, sizeof cmd, "%s perplexity --heldout --max-docs 1 -m %s -t 1 --seed 7 --val-frac 0.3 %s %s 2>&1",
                 bin, model, files[0], files[2]);
        rc = t_run(cmd, out, sizeof out);
        const char *all = strstr(out, "\nall ");
        long long nd = -1;
        if (all) sscanf(all, " all %lld", &nd);
        T_CHECK(rc == 0 && nd == 2, "rc %d, %lld documents: %s", rc, nd, out);
        free(sc.ids);
    }
    T_CASE("heldout: usage errors exit 2 with one line") {
        const char *bin = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
        static char cmd[4096], out[4096];
        snprintf(cmd, sizeof cmd, "%s perplexity --heldout -m %s 2>&1", bin, model);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 2 && strstr(out, "corpus"), "rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s perplexity --heldout -m %s -f %s %s 2>&1", bin, model, files[1], files[1]);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 2, "rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s perplexity --val-frac 0.5 -m %s -f %s 2>&1", bin, model, files[1]);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 2, "rc %d: %s", rc, out);
    }
    by_position_cases("llama", model, tm, cfg.vocab_size, fl, files[0]);
    /* the same for an LSTM (its state is zero at each window start, as in training) */
    vers_tconfig lcfg = cfg;
    lcfg.arch = VERS_ARCH_LSTM; lcfg.n_heads = lcfg.n_kv_heads = 1; lcfg.hidden_dim = lcfg.dim;
    char lmodel[600]; snprintf(lmodel, sizeof lmodel, "%s/tiny-lstm.gguf", dir);
    vers_trainer *ltr = train_tiny("heldout: tiny LSTM trained and exported (GGUF vers-lstm)", &lcfg, &o, tok, &data, lmodel);
    if (ltr) by_position_cases("LSTM", lmodel, vers_trainer_model(ltr), lcfg.vocab_size, fl, files[0]);
    vers_trainer_free(ltr);
    free(lc.best); free(lc.tmp);
    vers_doc_format_free(fmt); vers_ctx_free(ctx); vers_tokenizer_free(et); vers_model_free(em);

    const char *st = t_shared("reference/gguf/stories260K.gguf");
    if (!st) T_SKIP("heldout: stories260K gets the plain layout", "../shared/reference/gguf/stories260K.gguf absent");
    else T_CASE("heldout: stories260K gets the plain layout") {
        vers_model *sm = NULL; vers_tokenizer *stk = NULL; vers_doc_format *sf = NULL; vers_ctx *sctx = NULL;
        T_CHECK(vers_model_load(st, NULL, &sm, &err) == 0, "load: %s", err.msg);
        if (sm) T_CHECK(vers_tokenizer_from_gguf(vers_model_gguf(sm), &stk, &err) == 0, "tokenizer");
        if (stk) T_CHECK(vers_doc_format_new(vers_model_gguf(sm), stk, &sf, &err) == 0, "format: %s", err.msg);
        if (sf) {
            T_CHECK(!vers_doc_format_is_vers(sf), "vers layout for a SentencePiece vocabulary");
            vers_doc d = {"en", "poem", "", "The Cat", 2, 4, 0, 7, "Once upon a time a cat sat.\nIt was happy.\n", 0};
            d.body_len = strlen(d.body);
            int32_t *ids = NULL, *pre = NULL; size_t n = 0, cap = 0, b0 = 0, b1 = 0, np = 0;
            T_CHECK(vers_doc_format_tokens(sf, &d, &ids, &n, &cap, &b0, &b1) == 0, "tokens");
            vers_tokenize(stk, "The Cat\n", 8, 0, 0, &pre, &np, NULL);
            T_CHECK(ids[0] == vers_token_bos(stk) && b1 == n && b0 >= 2 && b0 <= 1 + np && !memcmp(ids + 1, pre, (b0 - 1) * 4),
                    "bos %d, body [%zu, %zu) of %zu, title tokens %zu", ids[0], b0, b1, n, np);
            vers_ctx_params cp = vers_ctx_default_params(); cp.n_threads = 1;
            double nll = 0; size_t cnt = 0;
            if (!vers_ctx_new(sm, &cp, &sctx, &err)) vers_score_tokens(sctx, ids, n, b0, b1, 512, 0, &nll, &cnt, &err);
            T_CHECK(cnt == b1 - b0 && isfinite(nll) && nll > 0, "scored %zu, nll %g", cnt, nll);
            free(ids); free(pre);
        }
        vers_ctx_free(sctx); vers_doc_format_free(sf); vers_tokenizer_free(stk); vers_model_free(sm);
    }

    /* ---- copy_rate ---- */
    char cc[600], cplain[600];
    snprintf(cc, sizeof cc, "%s/copy_corpus.txt", dir); snprintf(cplain, sizeof cplain, "%s/copy_plain.txt", dir);
    write_text(cc, "@@ id: a\n@@ title: The quick brown fox jumps\n\nThe quick brown fox jumps over the lazy dog\nAnd runs away into the forest deep\n"
                   "@@@\n@@ id: b\n\nLe vent se lève, il faut tenter de vivre\n@@@\n@@ id: c\n\npurple zebras never sleep at all\n");
    write_text(cplain, "A plain text corpus file, one document:\nthe owl and the pussy cat went to sea\n");
    const char *corp[2] = {cc, cplain};
    T_CASE("copy_rate: 2 of 4 lines copied is 50%; 9 of 26 8-grams, none across documents") {
        const char *poem = "# poem 1\nthe QUICK brown fox — jumps over the lazy dog!\nand runs away into the sunny meadow\noh my\n"
                           "LE VENT SE LÈVE il faut tenter de vivre\npurple zebras never sleep at night\n";
        cr_result r;
        T_CHECK(copy_rate_compute(corp, 2, poem, strlen(poem), 3, 8, NULL, &r, &err) == 0, "%s", err.msg);
        T_CHECK(r.poems == 1 && r.lines == 5 && r.lines_considered == 4 && r.lines_copied == 2,
                "poems %d lines %lld considered %lld copied %lld", r.poems, r.lines, r.lines_considered, r.lines_copied);
        T_CHECK(r.ngrams == 26 && r.ngrams_copied == 9, "8-grams %lld copied %lld", r.ngrams, r.ngrams_copied);
        T_CHECK(r.corpus_docs == 4 && r.corpus_lines == 6 && r.corpus_ngrams == 9 + 2 + 0 + 9,
                "corpus docs %lld lines %lld 8-grams %lld", r.corpus_docs, r.corpus_lines, r.corpus_ngrams);
    }
    T_CASE("copy_rate: poems split at '#' lines or, without them, at blank lines; titles are not text") {
        const char *blank = "the quick brown fox\n\njumps over the lazy dog\n";
        const char *hashed = "# one poem of two stanzas\nthe quick brown fox\n\njumps over the lazy dog\n";
        const char *title = "# t\nThe quick brown fox jumps\nthe owl and the pussy cat went to sea\n";
        cr_result a, b, c;
        copy_rate_compute(corp, 2, blank, strlen(blank), 3, 8, NULL, &a, &err);
        copy_rate_compute(corp, 2, hashed, strlen(hashed), 3, 8, NULL, &b, &err);
        copy_rate_compute(corp, 2, title, strlen(title), 3, 8, NULL, &c, &err);
        T_CHECK(a.poems == 2 && a.ngrams == 0 && a.lines_copied == 0, "blank: poems %d 8-grams %lld", a.poems, a.ngrams);
        T_CHECK(b.poems == 1 && b.ngrams == 2 && b.ngrams_copied == 2, "hashed: poems %d 8-grams %lld/%lld", b.poems, b.ngrams_copied, b.ngrams);
        T_CHECK(c.lines_considered == 2 && c.lines_copied == 1, "a title is not a body line; a plain file's line is: %lld/%lld",
                c.lines_copied, c.lines_considered);
        cr_result m;
        T_CHECK(copy_rate_compute(corp, 2, blank, strlen(blank), 5, 8, NULL, &m, &err) == 0 && m.lines_considered == 1,
                "--min-words 5: %lld", m.lines_considered);
    }
    T_CASE("copy_rate: normalisation: case (with accents), punctuation and spaces") {
        uint64_t h1 = 0, h2 = 0;
        const char *x = "  L’ÂME, — «Œuvre»  donc!", *y = "l âme œuvre donc";
        cr_poems p1, p2;
        cr_poems_parse(x, strlen(x), &p1); cr_poems_parse(y, strlen(y), &p2);
        if (p1.n_lines == 1 && p2.n_lines == 1) { h1 = p1.lines[0].key; h2 = p2.lines[0].key; }
        T_CHECK(p1.n_words == 4 && h1 == h2 && h1 != 0, "words %zu, keys %llx %llx", p1.n_words,
                (unsigned long long)h1, (unsigned long long)h2);
        cr_poems_free(&p1); cr_poems_free(&p2);
    }
    T_CASE("copy_rate: an unreadable corpus file is an error") {
        const char *nope[1] = {"/nonexistent/corpus.txt"};
        cr_result r;
        T_CHECK(copy_rate_compute(nope, 1, "a b c\n", 6, 3, 8, NULL, &r, &err) != 0 && strstr(err.msg, "nonexistent"), "%s", err.msg);
    }
    vers_trainer_free(tr); vers_tokens_free(&data); vers_bpe_free(tok); free(t0); free(t2);
    T_DONE();
}
