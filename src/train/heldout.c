/* src/train/heldout.c — evaluating a model on the documents the trainer held out.
 *
 * Three pieces, used by `vers perplexity --heldout` and its tests: the selection (the
 * trainer's own split predicate, vers_doc_is_val, over the same record numbering), the
 * layout of a document for a model (the trainer's vers_doc_tokenize for our vocabulary,
 * plain "title\nbody" text otherwise, with the body's token range), and scoring a token
 * range by a model context in overlapping windows (and, for the loss by position in the
 * context, which window position scored each token). */
#include "train/internal.h"
#include "train/bpe.h"
#include "engine/gguf.h"
#include "vers/engine.h"
#include "vers/tokenizer.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- selection ---- */
typedef struct {
    int file; int64_t doc; uint64_t seed; double val_frac;
    int (*fn)(const vers_doc *d, int file_no, int64_t doc_no, void *ctx); void *ctx;
} each_ctx;

static int each_doc(const vers_doc *d, void *ctx) {
    each_ctx *c = ctx;
    int64_t no = c->doc++;
    return vers_doc_is_val(c->seed, c->val_frac, c->file, no) ? c->fn(d, c->file, no, c->ctx) : 0;
}

int vers_heldout_each(const char *const *files, int n_files, uint64_t seed, double val_frac,
                      int (*fn)(const vers_doc *d, int file_no, int64_t doc_no, void *ctx),
                      void *ctx, vers_err *err) {
    if (n_files <= 0) return vers_errorf(err, VERS_EINVAL, "no corpus files given");
    if (!(val_frac >= 0 && val_frac < 1)) return vers_errorf(err, VERS_EINVAL, "validation share must be in [0, 1)");
    for (int i = 0; i < n_files; i++) {
        char *buf; size_t len;
        vers_err e2 = {0, ""};
        int rc = vers_corpus_read(files[i], &buf, &len, &e2);
        if (rc) return vers_errorf(err, rc, "%s", e2.msg);
        each_ctx c = {i, 0, seed, val_frac, fn, ctx};
        e2.code = 0; e2.msg[0] = 0;
        if (err) err->code = 0;
        rc = vers_corpus_parse(buf, len, each_doc, &c, &e2);
        free(buf);
        if (!rc) continue;
        if (e2.msg[0]) return vers_errorf(err, rc, "%s: %s", files[i], e2.msg);     /* malformed record */
        if (err && err->code == rc) return rc;                                     /* fn said why */
        return vers_errorf(err, rc, "%s: record %lld: error %d", files[i], (long long)c.doc - 1, rc);
    }
    return 0;
}

/* ---- layout ---- */
struct vers_doc_format {
    vers_bpe *bpe;                 /* our vocabulary: the trainer's format */
    const vers_tokenizer *tok;     /* otherwise: plain text through the engine's tokenizer */
    int32_t bos;
};

int vers_doc_format_new(const struct gguf_file *g, const struct vers_tokenizer *t,
                        vers_doc_format **out, vers_err *err) {
    *out = NULL;
    vers_doc_format *f = calloc(1, sizeof *f);
    if (!f) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    f->tok = t;
    f->bos = t ? vers_token_bos(t) : -1;
    gguf_str s;
    if (g && !gguf_get_str(g, "tokenizer.ggml.model", &s) && gguf_str_eq(s, "gpt2")) {
        vers_bpe *b = NULL;
        int rc = trainer_bpe_from_gguf(g, &b, err);
        if (rc && rc != VERS_EFORMAT && rc != VERS_EUNSUPPORTED) { free(f); return rc; }
        static const int need[] = {VERS_TOK_BOS, VERS_TOK_EOS, VERS_TOK_FR, VERS_TOK_EN, VERS_TOK_PROSE,
                                   VERS_TOK_POEM, VERS_TOK_TITLE, VERS_TOK_TITLE_END};
        int ours = b != NULL;
        for (size_t i = 0; ours && i < sizeof need / sizeof need[0]; i++) ours = b->special[need[i]] >= 0;
        if (ours) f->bpe = b; else vers_bpe_free(b);
    }
    if (!f->bpe && !t) { free(f); return vers_errorf(err, VERS_EINVAL, "no tokenizer for the plain-text layout"); }
    *out = f;
    return 0;
}

void vers_doc_format_free(vers_doc_format *f) {
    if (!f) return;
    vers_bpe_free(f->bpe);
    free(f);
}

int vers_doc_format_is_vers(const vers_doc_format *f) { return f->bpe != NULL; }

static size_t common_prefix(const int32_t *a, size_t na, const int32_t *b, size_t nb) {
    size_t k = 0;
    while (k < na && k < nb && a[k] == b[k]) k++;
    return k;
}

int vers_doc_format_tokens(const vers_doc_format *f, const vers_doc *d, int32_t **ids, size_t *n,
                           size_t *cap, size_t *body_start, size_t *body_end) {
    *n = 0;
    if (f->bpe) {
        /* the trainer's own layout; the body is encoded by a call of its own in it, so
         * its tokens are the last ones before <|eos|> */
        int rc = vers_doc_tokenize(f->bpe, d, ids, n, cap);
        if (rc) return rc;
        int32_t *body = NULL; size_t nb = 0, cb = 0;
        if ((rc = vers_bpe_encode(f->bpe, d->body, d->body_len, &body, &nb, &cb))) { free(body); return rc; }
        size_t end = *n - (f->bpe->special[VERS_TOK_EOS] >= 0 ? 1 : 0);
        if (nb > end || (nb && memcmp(*ids + end - nb, body, nb * sizeof *body))) { free(body); return VERS_EFAIL; }
        free(body);
        *body_start = end - nb; *body_end = end;
        return 0;
    }
    size_t tl = d->title_len ? d->title_len + 1 : 0;
    char *text = malloc(tl + d->body_len + 1);
    if (!text) return VERS_ENOMEM;
    if (tl) { memcpy(text, d->title, d->title_len); text[d->title_len] = '\n'; }
    memcpy(text + tl, d->body, d->body_len);
    int32_t *all = NULL, *pre = NULL; size_t na = 0, np = 0;
    int rc = 0;
    if (vers_tokenize(f->tok, text, tl + d->body_len, 0, 0, &all, &na, NULL) ||
        (tl && vers_tokenize(f->tok, text, tl, 0, 0, &pre, &np, NULL))) rc = VERS_ENOMEM;
    size_t need = na + 1;
    if (!rc && need > *cap) {
        int32_t *q = realloc(*ids, need * sizeof *q);
        if (!q) rc = VERS_ENOMEM; else { *ids = q; *cap = need; }
    }
    if (!rc) {
        size_t off = 0;
        if (f->bos >= 0) (*ids)[off++] = f->bos;
        if (na) memcpy(*ids + off, all, na * sizeof *all);
        *n = off + na;
        *body_start = off + (tl ? common_prefix(pre, np, all, na) : 0);
        *body_end = *n;
    }
    free(all); free(pre); free(text);
    return rc;
}

/* ---- scoring ---- */
/* -log softmax(logits)[target] */
static double token_nll(const float *lg, int nv, int32_t target) {
    float mx = lg[0];
    for (int i = 1; i < nv; i++) if (lg[i] > mx) mx = lg[i];
    double s = 0;
    for (int i = 0; i < nv; i++) s += expf(lg[i] - mx);
    return log(s) - ((double)lg[target] - mx);
}

int vers_score_tokens(struct vers_ctx *c, const int32_t *ids, size_t n, size_t first, size_t last,
                      int window, int stride, double *nll, size_t *count, vers_err *err) {
    return vers_score_tokens_at(c, ids, n, first, last, window, stride, nll, count, NULL, NULL, err);
}

int vers_score_tokens_at(struct vers_ctx *c, const int32_t *ids, size_t n, size_t first, size_t last,
                         int window, int stride, double *nll, size_t *count, int32_t *pos, double *tok_nll,
                         vers_err *err) {
    if (pos) for (size_t j = 0; j < n; j++) pos[j] = -1;
    if (tok_nll) for (size_t j = 0; j < n; j++) tok_nll[j] = NAN;
    if (last > n) last = n;
    if (first < 1) first = 1;             /* the first token has nothing before it */
    if (first >= last) return 0;
    int W = window < vers_ctx_n_ctx(c) ? window : vers_ctx_n_ctx(c);
    if (W < 2) return vers_errorf(err, VERS_EINVAL, "window of %d tokens is too small", W);
    size_t S = stride > 0 && stride < W ? (size_t)stride : (size_t)W / 2;
    const int nv = vers_model_n_vocab(vers_ctx_model(c));
    /* the first window ends at or after `first`, and sees window - stride tokens before it */
    size_t s = first < (size_t)W ? 0 : first - ((size_t)W - S), done = first;
    for (;;) {
        size_t e = s + (size_t)W < last ? s + (size_t)W : last;
        vers_ctx_truncate(c, 0);
        int rc = vers_decode(c, ids + s, (int)(e - s), 1, err);
        if (rc) return rc;
        for (size_t j = done > s + 1 ? done : s + 1; j < e; j++) {
            double x = token_nll(vers_ctx_logits(c, (int)(j - s - 1)), nv, ids[j]);
            *nll += x;
            (*count)++;
            if (pos) pos[j] = (int32_t)(j - s);    /* the tokens it was conditioned on, in this window */
            if (tok_nll) tok_nll[j] = x;
        }
        done = e;
        if (e >= last) break;
        s += S;
    }
    return 0;
}
