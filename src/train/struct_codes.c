/* src/train/struct_codes.c — structure codes for fine-tuning on poems (PoeLM-style; see
 * include/vers/train.h): the table of each language's most frequent rhyme keys, and the
 * poem layout with <syl:N><rh:K> before every line and <stanza> before every stanza after
 * the first.
 *
 * The body is tokenized exactly as without codes (one pass of the BPE over the whole
 * body) and the codes are inserted between tokens, at the first token that starts at or
 * after a line's first byte: the text's own tokens are those the model saw in
 * pretraining, and dropping the control tokens gives back the same sequence.
 *
 * Syllables and rhyme keys come from the prosody's scanner (vers_scan_line, usual reading);
 * a line's count is clamped to 1..24.  The table is counted over the training documents
 * only (the trainer's split), ties broken by the key's bytes, so it is the same on every
 * machine; it travels with the run as one note per language (keys joined by '|'). */
#include "train/internal.h"
#include "train/bpe.h"
#include "vers/prosody.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 48

struct vers_struct_table {
    int n[2];                           /* keys per language (0 = fr, 1 = en) */
    char keys[2][VERS_BPE_N_RHYME][KEY_MAX];
    int order[2][VERS_BPE_N_RHYME];     /* indices sorted by key, for bsearch */
};

static int lang_slot(const char *s, size_t n) {
    if (n == 2 && !memcmp(s, "fr", 2)) return 0;
    if (n == 2 && !memcmp(s, "en", 2)) return 1;
    return -1;
}
static int slot_lang(int slot) { return slot ? VERS_LANG_EN : VERS_LANG_FR; }

void vers_struct_table_free(vers_struct_table *t) { free(t); }
int vers_struct_table_count(const vers_struct_table *t, int lang) { return t->n[lang == VERS_LANG_EN]; }
const char *vers_struct_table_key(const vers_struct_table *t, int lang, int i) {
    int s = lang == VERS_LANG_EN;
    return i >= 0 && i < t->n[s] ? t->keys[s][i] : NULL;
}

static const vers_struct_table *g_sort_table;
static int g_sort_slot;
static int cmp_order(const void *a, const void *b) {
    return strcmp(g_sort_table->keys[g_sort_slot][*(const int *)a], g_sort_table->keys[g_sort_slot][*(const int *)b]);
}
static void table_index(vers_struct_table *t) {
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < t->n[s]; i++) t->order[s][i] = i;
        g_sort_table = t; g_sort_slot = s;   /* single-threaded: the table is built once */
        qsort(t->order[s], (size_t)t->n[s], sizeof(int), cmp_order);
    }
}

int vers_struct_table_rhyme(const vers_struct_table *t, int lang, const char *key) {
    int s = lang == VERS_LANG_EN, lo = 0, hi = t->n[s] - 1;
    if (!key || !key[0]) return -1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, i = t->order[s][mid], c = strcmp(t->keys[s][i], key);
        if (!c) return i;
        if (c < 0) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

uint64_t vers_struct_table_hash(const vers_struct_table *t) {
    uint64_t h = fnv1a(FNV_INIT, "struct1", 7);
    for (int s = 0; s < 2; s++) {
        h = fnv1a(h, &t->n[s], sizeof t->n[s]);
        for (int i = 0; i < t->n[s]; i++) h = fnv1a(h, t->keys[s][i], strlen(t->keys[s][i]) + 1);
    }
    return h;
}

/* ---- counting ---- */
typedef struct { char key[KEY_MAX]; int64_t count; } key_count;
typedef struct {
    key_count *v; size_t n, cap;        /* open addressing, cap a power of two */
} key_map;

static uint64_t key_hash(const char *k) { return fnv1a(FNV_INIT, k, strlen(k)); }
static int map_add(key_map *m, const char *k) {
    if ((m->n + 1) * 2 > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 1024;
        key_count *nv = calloc(nc, sizeof *nv);
        if (!nv) return VERS_ENOMEM;
        for (size_t i = 0; i < m->cap; i++)
            if (m->v[i].key[0]) {
                size_t j = key_hash(m->v[i].key) & (nc - 1);
                while (nv[j].key[0]) j = (j + 1) & (nc - 1);
                nv[j] = m->v[i];
            }
        free(m->v); m->v = nv; m->cap = nc;
    }
    size_t j = key_hash(k) & (m->cap - 1);
    while (m->v[j].key[0] && strcmp(m->v[j].key, k)) j = (j + 1) & (m->cap - 1);
    if (!m->v[j].key[0]) { snprintf(m->v[j].key, KEY_MAX, "%s", k); m->n++; }
    m->v[j].count++;
    return 0;
}
static int cmp_count(const void *a, const void *b) {
    const key_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Calls fn(line, len, ctx) for each line of a body; blank lines give len 0. */
static int each_line(const char *body, size_t n, int (*fn)(const char *l, size_t len, size_t off, void *ctx), void *ctx) {
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(body + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - body) : n, len = e - i;
        while (len && (body[i + len - 1] == '\r' || body[i + len - 1] == ' ' || body[i + len - 1] == '\t')) len--;
        int rc = fn(body + i, len, i, ctx);
        if (rc) return rc;
        i = e + 1;
    }
    return 0;
}

typedef struct {
    const vers_prosody *p;
    const vers_data_opts *o;
    key_map maps[2];
    int file; int64_t doc;
    int slot;
} count_ctx;

static int count_line(const char *l, size_t len, size_t off, void *ctx) {
    (void)off;
    count_ctx *c = ctx;
    if (!len) return 0;
    vers_line vl;
    if (vers_scan_line(c->p, slot_lang(c->slot), l, len, 0, &vl) || !vl.rhyme_key[0]) return 0;
    return map_add(&c->maps[c->slot], vl.rhyme_key);
}

static int eqs(const char *s, size_t n, const char *lit) { return strlen(lit) == n && !memcmp(s, lit, n); }

static int count_doc(const vers_doc *d, void *ctx) {
    count_ctx *c = ctx;
    int val = vers_doc_is_val(c->o->seed, c->o->val_frac, c->file, c->doc);
    c->doc++;
    c->slot = lang_slot(d->lang, d->lang_len);
    if (val || c->slot < 0 || !eqs(d->kind, d->kind_len, "poem")) return 0;
    return each_line(d->body, d->body_len, count_line, c);
}

int vers_struct_table_build(const vers_prosody *p, const vers_data_opts *o, vers_struct_table **out, vers_err *err) {
    *out = NULL;
    vers_struct_table *t = calloc(1, sizeof *t);
    if (!t) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    count_ctx c = {.p = p, .o = o};
    int rc = 0;
    for (int i = 0; i < o->n_files && !rc; i++) {
        char *buf; size_t len;
        vers_err e2;
        if ((rc = vers_corpus_read(o->files[i], &buf, &len, &e2))) { vers_errorf(err, rc, "%s", e2.msg); break; }
        c.file = i; c.doc = 0;
        rc = vers_corpus_parse(buf, len, count_doc, &c, &e2);
        if (rc == VERS_EFORMAT) vers_errorf(err, rc, "%s: %s", o->files[i], e2.msg);
        else if (rc) vers_errorf(err, rc, "%s: out of memory", o->files[i]);
        free(buf);
    }
    for (int s = 0; s < 2 && !rc; s++) {
        key_map *m = &c.maps[s];
        size_t k = 0;
        for (size_t i = 0; i < m->cap; i++) if (m->v[i].key[0]) m->v[k++] = m->v[i];
        qsort(m->v, k, sizeof *m->v, cmp_count);
        t->n[s] = k < VERS_BPE_N_RHYME ? (int)k : VERS_BPE_N_RHYME;
        for (int i = 0; i < t->n[s]; i++) memcpy(t->keys[s][i], m->v[i].key, KEY_MAX);
    }
    free(c.maps[0].v); free(c.maps[1].v);
    if (rc) { free(t); return rc; }
    table_index(t);
    *out = t;
    return 0;
}

/* ---- the table as notes ("k1|k2|..." per language) ---- */
char *vers_struct_table_note(const vers_struct_table *t, int lang) {
    int s = lang == VERS_LANG_EN;
    size_t cap = (size_t)t->n[s] * (KEY_MAX + 1) + 1, n = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = 0;
    for (int i = 0; i < t->n[s]; i++) n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "|" : "", t->keys[s][i]);
    return out;
}

int vers_struct_table_from_notes(const char *fr, const char *en, vers_struct_table **out, vers_err *err) {
    *out = NULL;
    vers_struct_table *t = calloc(1, sizeof *t);
    if (!t) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    const char *src[2] = {fr, en};
    for (int s = 0; s < 2; s++) {
        const char *q = src[s] ? src[s] : "";
        while (*q) {
            const char *e = strchr(q, '|');
            size_t l = e ? (size_t)(e - q) : strlen(q);
            if (l == 0 || l >= KEY_MAX || t->n[s] == VERS_BPE_N_RHYME) { free(t); return vers_errorf(err, VERS_EFORMAT, "bad rhyme table in the run's notes"); }
            memcpy(t->keys[s][t->n[s]], q, l); t->keys[s][t->n[s]][l] = 0; t->n[s]++;
            q += l + (e ? 1 : 0);
        }
    }
    table_index(t);
    *out = t;
    return 0;
}

/* ---- tokenization with codes ---- */
typedef struct {
    const vers_prosody *p; const vers_struct_table *t; int slot;
    size_t *starts; int *codes; size_t n, cap;      /* line starts and their 1 or 3 codes */
    int after_blank, first;
    const vers_bpe *b;
} line_ctx;

static int code_line(const char *l, size_t len, size_t off, void *ctx) {
    line_ctx *c = ctx;
    if (!len) { c->after_blank = 1; return 0; }
    if (c->n + 1 > c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        size_t *ns = realloc(c->starts, nc * sizeof *ns);
        if (!ns) return VERS_ENOMEM;
        c->starts = ns;
        int *nk = realloc(c->codes, nc * 3 * sizeof *nk);
        if (!nk) return VERS_ENOMEM;
        c->codes = nk; c->cap = nc;
    }
    vers_line vl;
    int syl = 1, rh = -1;
    if (!vers_scan_line(c->p, slot_lang(c->slot), l, len, 0, &vl)) {
        syl = vl.syllables < 1 ? 1 : vl.syllables > VERS_BPE_N_SYL ? VERS_BPE_N_SYL : vl.syllables;
        rh = vers_struct_table_rhyme(c->t, slot_lang(c->slot), vl.rhyme_key);
    }
    int *k = c->codes + c->n * 3;
    k[0] = (c->after_blank && !c->first) ? c->b->structure[VERS_STRUCT_STANZA] : -1;
    k[1] = c->b->structure[VERS_STRUCT_SYL + syl - 1];
    k[2] = c->b->structure[rh >= 0 ? VERS_STRUCT_RHYME + rh : VERS_STRUCT_RHYME_OTHER];
    c->starts[c->n++] = off;
    c->after_blank = 0; c->first = 0;
    return 0;
}

int vers_doc_tokenize_struct(const vers_bpe *b, const vers_struct_table *t, const vers_prosody *p,
                             const vers_doc *d, int32_t **ids, size_t *n, size_t *cap) {
    int slot = lang_slot(d->lang, d->lang_len);
    if (!t || !p || slot < 0 || !eqs(d->kind, d->kind_len, "poem") || b->structure[VERS_STRUCT_STANZA] < 0)
        return vers_doc_tokenize(b, d, ids, n, cap);
    /* the document without codes, then the body's tokens re-laid with codes */
    size_t start = *n;
    int rc = vers_doc_tokenize(b, d, ids, n, cap);
    if (rc) return rc;
    /* the body's tokens are those between the prefix and <|eos|>: re-encode the body alone
     * to know where they start (the same ids: the prefix ends with "\n" or a control token) */
    int32_t *body = NULL; size_t nb = 0, cb = 0;
    if ((rc = vers_bpe_encode(b, d->body, d->body_len, &body, &nb, &cb))) { free(body); return rc; }
    size_t total = *n - start;
    if (nb + 1 > total || memcmp(*ids + *n - 1 - nb, body, nb * sizeof *body)) { free(body); return 0; }   /* layout unknown: plain */
    line_ctx lc = {.p = p, .t = t, .slot = slot, .first = 1, .b = b};
    if ((rc = each_line(d->body, d->body_len, code_line, &lc))) { free(body); free(lc.starts); free(lc.codes); return rc; }
    *n -= nb + 1;                        /* drop body and <|eos|>, then lay them out again */
    size_t off = 0, li = 0;
    for (size_t i = 0; i < nb && !rc; i++) {
        while (li < lc.n && lc.starts[li] <= off) {   /* codes before the first token at or after a line start */
            for (int k = 0; k < 3 && !rc; k++) rc = push_id(ids, n, cap, lc.codes[li * 3 + k]);
            li++;
        }
        if (!rc) rc = push_id(ids, n, cap, body[i]);
        off += b->raw_len[body[i]];
    }
    if (!rc) rc = push_id(ids, n, cap, b->special[VERS_TOK_EOS]);
    free(body); free(lc.starts); free(lc.codes);
    return rc;
}
