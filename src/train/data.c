/* src/train/data.c — corpus records to training tokens.
 *
 * A corpus file is either plain text (one document) or records: "@@ key: value" header
 * lines, a blank line, the body, records separated by a line "@@@".  Each record becomes
 *     <|bos|><lang><form><title>TITLE</title>\nBODY<|eos|>
 * (tags only from headers; headers never appear as text; without a title the prefix is
 * followed directly by "\n").  Documents are split train/validation by a seeded hash of
 * (file, record number), tokenized once, and cached in a checksummed token file whose key
 * covers the tokenizer, the corpus bytes and the split settings. */
#include "train/internal.h"
#include "train/bpe.h"
#include "vers/tokenizer.h"
#include "util/outfile.h"
#include "util/utf8.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vers_corpus_read(const char *path, char **buf, size_t *len, vers_err *err) {
    *buf = NULL; *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return vers_errorf(err, VERS_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) { fclose(f); return vers_errorf(err, VERS_EIO, "%s: not a regular file", path); }
    size_t n = (size_t)st.st_size;
    char *b = malloc(n + 1);
    if (!b) { fclose(f); return vers_errorf(err, VERS_ENOMEM, "%s: out of memory", path); }
    if (fread(b, 1, n, f) != n) { fclose(f); free(b); return vers_errorf(err, VERS_EIO, "%s: read error", path); }
    fclose(f);
    b[n] = 0;
    if (n == 0) { free(b); return vers_errorf(err, VERS_EFORMAT, "%s: empty corpus file", path); }
    /* binary: NUL bytes, or more than 1% of bytes in invalid UTF-8 sequences */
    size_t bad = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)b[i];
        if (c == 0) { free(b); return vers_errorf(err, VERS_EFORMAT, "%s: binary file (NUL byte at offset %zu), not UTF-8 text", path, i); }
        size_t k = utf8_decode((const unsigned char *)b + i, n - i, NULL);
        if (!k) { bad++; i++; } else i += k;
    }
    if (bad * 100 > n) { free(b); return vers_errorf(err, VERS_EFORMAT, "%s: binary file (%zu invalid UTF-8 bytes), not UTF-8 text", path, bad); }
    *buf = b; *len = n;
    return 0;
}

static const char *line_end(const char *p, const char *end) {
    const char *q = memchr(p, '\n', (size_t)(end - p));
    return q ? q : end;
}

int vers_corpus_parse(const char *buf, size_t len, int (*fn)(const vers_doc *d, void *ctx), void *ctx, vers_err *err) {
    const char *p = buf, *end = buf + len;
    if (len < 3 || memcmp(buf, "@@ ", 3)) {     /* plain text: one document */
        vers_doc d = {"", "", "", "", 0, 0, 0, 0, buf, len};
        return fn(&d, ctx);
    }
    long line = 1;
    while (p < end) {
        vers_doc d = {"", "", "", "", 0, 0, 0, 0, NULL, 0};
        /* headers */
        while (p < end && *p != '\n') {
            const char *e = line_end(p, end);
            if (e - p < 3 || memcmp(p, "@@ ", 3))
                return vers_errorf(err, VERS_EFORMAT, "line %ld: expected an '@@ key: value' header or a blank line", line);
            const char *k = p + 3, *colon = memchr(k, ':', (size_t)(e - k));
            if (!colon) return vers_errorf(err, VERS_EFORMAT, "line %ld: header without ':'", line);
            const char *v = colon + 1;
            while (v < e && *v == ' ') v++;
            size_t kl = (size_t)(colon - k), vl = (size_t)(e - v);
#define KEY(name, field) if (kl == sizeof name - 1 && !memcmp(k, name, kl)) { d.field = v; d.field##_len = vl; }
            KEY("lang", lang) KEY("kind", kind) KEY("form", form) KEY("title", title)
#undef KEY
            p = e < end ? e + 1 : end; line++;
        }
        if (p < end) { p++; line++; }   /* the blank line */
        /* body up to a line "@@@" */
        const char *body = p;
        while (p < end) {
            const char *e = line_end(p, end);
            if (e - p == 3 && !memcmp(p, "@@@", 3)) break;
            p = e < end ? e + 1 : end; line++;
        }
        d.body = body; d.body_len = (size_t)(p - body);
        int rc = fn(&d, ctx);
        if (rc) return rc;
        if (p < end) { p = line_end(p, end); if (p < end) p++; line++; }
    }
    return 0;
}

static int eqn(const char *s, size_t n, const char *lit) { return strlen(lit) == n && !memcmp(s, lit, n); }

/* The form tag of a record: its "form" header when it names one of ours, else a shape
 * read off the stanzas (all quatrains, all couplets), else <poem>; prose is <prose>. */
static int form_tag(const vers_bpe *b, const vers_doc *d) {
    if (eqn(d->kind, d->kind_len, "prose")) return vers_bpe_special_id(b, "<prose>");
    static const char *const forms[][2] = {
        {"sonnet", "<sonnet>"}, {"haiku", "<haiku>"}, {"limerick", "<limerick>"}, {"quatrain", "<quatrain>"},
        {"villanelle", "<villanelle>"}, {"rondeau", "<rondeau>"}, {"rondel", "<rondeau>"}, {"couplets", "<couplets>"},
        {"ballad", "<ballad>"}, {"ballade", "<ballad>"}, {"ode", "<ode>"}, {"free", "<free>"}};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (eqn(d->form, d->form_len, forms[i][0])) return vers_bpe_special_id(b, forms[i][1]);
    if (d->form_len == 0 && d->body_len) {
        int stanza = 0, shape = -1, n_st = 0;
        const char *p = d->body, *end = d->body + d->body_len;
        while (p <= end) {
            const char *e = p < end ? line_end(p, end) : end;
            int blank = e == p;
            if (!blank) stanza++;
            if ((blank || e >= end) && stanza) {
                if (shape < 0) shape = stanza; else if (shape != stanza) shape = 0;
                n_st++; stanza = 0;
            }
            if (e >= end) break;
            p = e + 1;
        }
        if (n_st >= 2 && shape == 4) return vers_bpe_special_id(b, "<quatrain>");
        if (n_st >= 2 && shape == 2) return vers_bpe_special_id(b, "<couplets>");
    }
    return vers_bpe_special_id(b, d->kind_len || d->lang_len ? "<poem>" : "");
}

int push_id(int32_t **ids, size_t *n, size_t *cap, int32_t id) {
    if (id < 0) return 0;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        int32_t *q = realloc(*ids, nc * sizeof *q);
        if (!q) return VERS_ENOMEM;
        *ids = q; *cap = nc;
    }
    (*ids)[(*n)++] = id;
    return 0;
}

int vers_doc_tokenize(const vers_bpe *b, const vers_doc *d, int32_t **ids, size_t *n, size_t *cap) {
    int rc = push_id(ids, n, cap, b->special[VERS_TOK_BOS]);
    if (!rc && eqn(d->lang, d->lang_len, "fr")) rc = push_id(ids, n, cap, b->special[VERS_TOK_FR]);
    if (!rc && eqn(d->lang, d->lang_len, "en")) rc = push_id(ids, n, cap, b->special[VERS_TOK_EN]);
    if (!rc) rc = push_id(ids, n, cap, form_tag(b, d));
    if (!rc && d->title_len) {
        rc = push_id(ids, n, cap, b->special[VERS_TOK_TITLE]);
        if (!rc) rc = vers_bpe_encode(b, d->title, d->title_len, ids, n, cap);
        if (!rc) rc = push_id(ids, n, cap, b->special[VERS_TOK_TITLE_END]);
    }
    if (!rc && (d->lang_len || d->kind_len || d->title_len)) rc = vers_bpe_encode(b, "\n", 1, ids, n, cap);
    if (!rc) rc = vers_bpe_encode(b, d->body, d->body_len, ids, n, cap);
    if (!rc) rc = push_id(ids, n, cap, b->special[VERS_TOK_EOS]);
    return rc;
}

/* A document for a model whose vocabulary is not ours: its bos/eos, whichever of our
 * control tags it has, and title + "\n" + body tokenized as one text (a SentencePiece
 * tokenizer adds its dummy-prefix space once, at the start). */
static int engine_doc_tokenize(const vers_tokenizer *t, const vers_doc *d, int32_t **ids, size_t *n, size_t *cap) {
    int rc = push_id(ids, n, cap, vers_token_bos(t));
    if (!rc && eqn(d->lang, d->lang_len, "fr")) rc = push_id(ids, n, cap, vers_token_special(t, "<fr>"));
    if (!rc && eqn(d->lang, d->lang_len, "en")) rc = push_id(ids, n, cap, vers_token_special(t, "<en>"));
    size_t tl = d->title_len ? d->title_len + 1 : 0;
    char *text = malloc(tl + d->body_len + 1);
    if (!text) return VERS_ENOMEM;
    if (tl) { memcpy(text, d->title, d->title_len); text[d->title_len] = '\n'; }
    memcpy(text + tl, d->body, d->body_len);
    int32_t *tok = NULL; size_t nt = 0;
    if (!rc && vers_tokenize(t, text, tl + d->body_len, 0, 0, &tok, &nt, NULL)) rc = VERS_ENOMEM;
    for (size_t i = 0; !rc && i < nt; i++) rc = push_id(ids, n, cap, tok[i]);
    if (!rc) rc = push_id(ids, n, cap, vers_token_eos(t));
    free(tok); free(text);
    return rc;
}

/* ---- building the token streams ---- */
typedef struct {
    const vers_bpe *b; const vers_tokenizer *et; const vers_data_opts *o;
    int file; int64_t doc;
    int32_t *tmp; size_t ntmp, captmp;
    int32_t *tr; size_t ntr, captr;
    int32_t *va; size_t nva, capva;
    int64_t ndtr, ndva;
} build_ctx;

/* Checks an --upsample value before any use: items LANG:KIND=N separated by commas, LANG
 * and KIND non-empty, N a whole number from 1 to 100.  (upsample_factor below reads items
 * leniently; a typo there would silently train without the upsampling asked for.) */
static int upsample_check(const char *spec, vers_err *err) {
    const char *p = spec;
    for (;;) {
        const char *e = strchr(p, ','); if (!e) e = p + strlen(p);
        const char *colon = memchr(p, ':', (size_t)(e - p)), *eq = memchr(p, '=', (size_t)(e - p));
        int ok = colon && eq && colon > p && eq > colon + 1 && eq + 1 < e && !memchr(colon + 1, ':', (size_t)(eq - colon - 1));
        long n = 0;
        for (const char *q = eq ? eq + 1 : e; ok && q < e; q++) {
            ok = *q >= '0' && *q <= '9';
            n = n * 10 + (*q - '0');
            if (n > 100) ok = 0;
        }
        if (!ok || n < 1)
            return vers_errorf(err, VERS_EINVAL, "--upsample: '%.*s' is not LANG:KIND=N with N from 1 to 100 (e.g. fr:poem=3)", (int)(e - p), p);
        if (!*e) return VERS_OK;
        p = e + 1;
    }
}

/* "fr:poem=3,en:prose=1": repeat factor of a document in the training stream */
static int upsample_factor(const char *spec, const vers_doc *d) {
    if (!spec) return 1;
    const char *p = spec;
    while (*p) {
        const char *e = strchr(p, ','); if (!e) e = p + strlen(p);
        const char *colon = memchr(p, ':', (size_t)(e - p)), *eq = memchr(p, '=', (size_t)(e - p));
        if (colon && eq && eq > colon) {
            if (eqn(d->lang, d->lang_len, "") ? 0 : (size_t)(colon - p) == d->lang_len && !memcmp(p, d->lang, d->lang_len))
                if ((size_t)(eq - colon - 1) == d->kind_len && !memcmp(colon + 1, d->kind, d->kind_len)) {
                    int f = atoi(eq + 1);
                    return f < 1 ? 1 : f > 100 ? 100 : f;
                }
        }
        p = *e ? e + 1 : e;
    }
    return 1;
}

static int append(int32_t **dst, size_t *n, size_t *cap, const int32_t *src, size_t m) {
    if (*n + m > *cap) {
        size_t nc = *cap ? *cap : 1 << 16; while (nc < *n + m) nc *= 2;
        int32_t *q = realloc(*dst, nc * sizeof *q);
        if (!q) return VERS_ENOMEM;
        *dst = q; *cap = nc;
    }
    memcpy(*dst + *n, src, m * sizeof *src); *n += m;
    return 0;
}

/* The split: a seeded hash of (seed, file number, record number).  The one definition used
 * by the trainer (below) and by held-out evaluation (heldout.c), so they never diverge. */
int vers_doc_is_val(uint64_t seed, double val_frac, int file_no, int64_t doc_no) {
    uint64_t h = seed * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)file_no << 40) ^ (uint64_t)doc_no;
    trng r; trng_seed(&r, h);
    return trng_uniform(&r) < val_frac;
}

static int build_doc(const vers_doc *d, void *ctx) {
    build_ctx *c = ctx;
    c->ntmp = 0;
    int rc = c->b ? (c->o->codes && c->o->prosody ? vers_doc_tokenize_struct(c->b, c->o->codes, c->o->prosody, d, &c->tmp, &c->ntmp, &c->captmp)
                                                   : vers_doc_tokenize(c->b, d, &c->tmp, &c->ntmp, &c->captmp))
                  : engine_doc_tokenize(c->et, d, &c->tmp, &c->ntmp, &c->captmp);
    if (rc) return rc;
    int val = vers_doc_is_val(c->o->seed, c->o->val_frac, c->file, c->doc);
    c->doc++;
    if (val) { c->ndva++; return append(&c->va, &c->nva, &c->capva, c->tmp, c->ntmp); }
    int f = upsample_factor(c->o->upsample, d);
    c->ndtr++;
    for (int i = 0; i < f && !rc; i++) rc = append(&c->tr, &c->ntr, &c->captr, c->tmp, c->ntmp);
    return rc;
}

void vers_tokens_free(vers_tokens *t) { free(t->train); free(t->val); memset(t, 0, sizeof *t); }

/* VERSTOK3: the checksum covers the counts (tokens and documents) and the width, not only
 * the ids: a flipped document count is caught like a flipped id (VERSTOK2 files are
 * simply rebuilt). */
#define TOK_MAGIC "VERSTOK3"
/* token arrays are stored as u16 when every id fits (vocabularies up to 65536) */
static int read_ids(FILE *f, int32_t *dst, uint64_t n, uint32_t width) {
    if (width == 4) return fread(dst, 4, n, f) == n ? 0 : -1;
    uint16_t buf[4096];
    for (uint64_t i = 0; i < n;) {
        size_t k = n - i < 4096 ? (size_t)(n - i) : 4096;
        if (fread(buf, 2, k, f) != k) return -1;
        for (size_t j = 0; j < k; j++) dst[i + j] = buf[j];
        i += k;
    }
    return 0;
}
static int write_ids(FILE *f, const int32_t *src, uint64_t n, uint32_t width) {
    if (width == 4) return fwrite(src, 4, n, f) == n ? 0 : -1;
    uint16_t buf[4096];
    for (uint64_t i = 0; i < n;) {
        size_t k = n - i < 4096 ? (size_t)(n - i) : 4096;
        for (size_t j = 0; j < k; j++) buf[j] = (uint16_t)src[i + j];
        if (fwrite(buf, 2, k, f) != k) return -1;
        i += k;
    }
    return 0;
}
/* The checksum's start: every header field after the key, so none can change unseen. */
static uint64_t cache_head_hash(uint64_t ntr, uint64_t nva, int64_t dtr, int64_t dva, uint32_t width) {
    uint64_t h = FNV_INIT;
    h = fnv1a(h, &ntr, 8); h = fnv1a(h, &nva, 8);
    h = fnv1a(h, &dtr, 8); h = fnv1a(h, &dva, 8);
    return fnv1a(h, &width, 4);
}

static int cache_load(const char *path, uint64_t key, vers_tokens *t) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char magic[8]; uint64_t k, ntr, nva; int64_t dtr, dva; uint32_t width; int rc = -1;
    if (fread(magic, 8, 1, f) != 1 || memcmp(magic, TOK_MAGIC, 8) || fread(&k, 8, 1, f) != 1 || k != key ||
        fread(&ntr, 8, 1, f) != 1 || fread(&nva, 8, 1, f) != 1 || fread(&dtr, 8, 1, f) != 1 || fread(&dva, 8, 1, f) != 1 ||
        fread(&width, 4, 1, f) != 1 || (width != 2 && width != 4) ||
        ntr > ((uint64_t)1 << 36) || nva > ((uint64_t)1 << 36)) goto out;
    t->train = malloc((ntr ? ntr : 1) * 4); t->val = malloc((nva ? nva : 1) * 4);
    if (!t->train || !t->val) goto out;
    uint64_t h, hh = cache_head_hash(ntr, nva, dtr, dva, width);
    if (read_ids(f, t->train, ntr, width) || read_ids(f, t->val, nva, width) || fread(&h, 8, 1, f) != 1) goto out;
    if (dtr < 0 || dva < 0 || (uint64_t)dtr > ntr || (uint64_t)dva > nva) goto out;   /* a document has tokens */
    hh = fnv1a(hh, t->train, ntr * 4); hh = fnv1a(hh, t->val, nva * 4);
    if (hh != h) goto out;
    t->n_train = ntr; t->n_val = nva; t->n_docs_train = dtr; t->n_docs_val = dva;
    rc = 0;
out:
    fclose(f);
    if (rc) { free(t->train); free(t->val); t->train = t->val = NULL; }
    return rc;
}

static int cache_save(const char *path, uint64_t key, const vers_tokens *t, vers_err *err) {
    vers_outfile o;
    int rc = vers_outfile_open(&o, path, err);
    if (rc) return rc;
    FILE *f = o.f;
    uint64_t ntr = t->n_train, nva = t->n_val;
    int64_t dtr = t->n_docs_train, dva = t->n_docs_val;
    uint32_t width = 2;
    for (uint64_t i = 0; i < ntr && width == 2; i++) if (t->train[i] > 65535) width = 4;
    for (uint64_t i = 0; i < nva && width == 2; i++) if (t->val[i] > 65535) width = 4;
    uint64_t h = cache_head_hash(ntr, nva, dtr, dva, width);
    h = fnv1a(h, t->train, ntr * 4); h = fnv1a(h, t->val, nva * 4);
    int bad = fwrite(TOK_MAGIC, 8, 1, f) != 1 || fwrite(&key, 8, 1, f) != 1 || fwrite(&ntr, 8, 1, f) != 1 ||
              fwrite(&nva, 8, 1, f) != 1 || fwrite(&dtr, 8, 1, f) != 1 || fwrite(&dva, 8, 1, f) != 1 ||
              fwrite(&width, 4, 1, f) != 1 || write_ids(f, t->train, ntr, width) || write_ids(f, t->val, nva, width) ||
              fwrite(&h, 8, 1, f) != 1;
    return vers_outfile_commit(&o, bad, err);
}

static int tokens_build(const vers_bpe *b, const vers_tokenizer *et, const vers_data_opts *o, vers_tokens *out, vers_err *err);
int vers_tokens_build(const vers_bpe *b, const vers_data_opts *o, vers_tokens *out, vers_err *err) {
    return tokens_build(b, NULL, o, out, err);
}
int vers_tokens_build_engine(const vers_tokenizer *et, const vers_data_opts *o, vers_tokens *out, vers_err *err) {
    return tokens_build(NULL, et, o, out, err);
}

static uint64_t engine_tok_hash(const vers_tokenizer *t) {
    uint64_t h = fnv1a(FNV_INIT, vers_tokenizer_model(t), strlen(vers_tokenizer_model(t)));
    for (uint32_t i = 0; i < vers_tokenizer_n_vocab(t); i++) {
        size_t l; const char *s = vers_token_text(t, (int32_t)i, &l);
        if (s) h = fnv1a(h, s, l);
        h = fnv1a(h, "\0", 1);
    }
    return h;
}

static int tokens_build(const vers_bpe *b, const vers_tokenizer *et, const vers_data_opts *o, vers_tokens *out, vers_err *err) {
    memset(out, 0, sizeof *out);
    if (!b && !et) return vers_errorf(err, VERS_EINVAL, "no tokenizer");
    if (o->n_files <= 0) return vers_errorf(err, VERS_EINVAL, "no corpus files given");
    if (!(o->val_frac >= 0 && o->val_frac < 1)) return vers_errorf(err, VERS_EINVAL, "validation share must be in [0, 1)");
    if (o->upsample && upsample_check(o->upsample, err)) return VERS_EINVAL;
    char **bufs = calloc((size_t)o->n_files, sizeof *bufs);
    size_t *lens = calloc((size_t)o->n_files, sizeof *lens);
    if (!bufs || !lens) { free(bufs); free(lens); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    int rc = 0;
    uint64_t key = fnv1a(FNV_INIT, "tok1", 4), th = b ? vers_bpe_hash(b) : engine_tok_hash(et);
    key = fnv1a(key, &th, 8);
    for (int i = 0; i < o->n_files && !rc; i++) {
        vers_err e2;
        if ((rc = vers_corpus_read(o->files[i], &bufs[i], &lens[i], &e2))) { vers_errorf(err, rc, "%s", e2.msg); break; }
        if (i < 64) { sha256_hex(bufs[i], lens[i], out->sha256[i]); out->n_files = i + 1; key = fnv1a(key, out->sha256[i], 64); }
        else key = fnv1a(key, bufs[i], lens[i]);
    }
    key = fnv1a(key, &o->val_frac, sizeof o->val_frac);
    key = fnv1a(key, &o->seed, sizeof o->seed);
    if (o->upsample) key = fnv1a(key, o->upsample, strlen(o->upsample));
    if (b && o->codes && o->prosody) { uint64_t sh = vers_struct_table_hash(o->codes); key = fnv1a(key, &sh, 8); }
    out->key = key;
    if (!rc && o->cache_path && cache_load(o->cache_path, key, out) == 0) goto done;
    if (!rc) {
        build_ctx c = {.b = b, .et = et, .o = o};
        for (int i = 0; i < o->n_files && !rc; i++) {
            c.file = i; c.doc = 0;
            vers_err e2 = {0};
            rc = vers_corpus_parse(bufs[i], lens[i], build_doc, &c, &e2);
            if (rc == VERS_EFORMAT) vers_errorf(err, rc, "%s: %s", o->files[i], e2.msg);
            else if (rc) vers_errorf(err, rc, "%s: out of memory", o->files[i]);
        }
        free(c.tmp);
        out->train = c.tr; out->n_train = c.ntr; out->val = c.va; out->n_val = c.nva;
        out->n_docs_train = c.ndtr; out->n_docs_val = c.ndva;
        if (!rc && o->cache_path) rc = cache_save(o->cache_path, key, out, err);
    }
done:
    for (int i = 0; i < o->n_files; i++) free(bufs[i]);
    free(bufs); free(lens);
    if (rc) vers_tokens_free(out);
    return rc;
}
