/* src/train/bpe_train.c — learns a byte-level BPE vocabulary.
 *
 * Text is cut into GPT-2 pre-tokenizer pieces; identical pieces are counted once with a
 * frequency.  Pair counts live in a hash map, a max-heap (count, then smallest pair on
 * ties, so the result is deterministic) picks the next merge, and each pair keeps the list
 * of pieces it occurs in, so a merge only revisits the pieces that contain it.  Stale heap
 * entries are re-checked against the map when popped. */
#include "train/bpe.h"
#include "train/internal.h"
#include <stdlib.h>
#include <string.h>

typedef struct { int32_t *sym; int len; int64_t freq; } word;
typedef struct { int64_t count; uint64_t pair; } hent;

typedef struct {
    word *w; int64_t nw, capw;
    smap uniq;                 /* piece bytes -> word index */
    const char *err_what;
} wctx;

static int add_piece(const char *p, size_t n, void *ctx) {
    wctx *c = ctx;
    int32_t *v = smap_put(&c->uniq, p, (uint32_t)n);
    if (!v) return VERS_ENOMEM;
    if (*v >= 0) { c->w[*v].freq++; return 0; }
    if (c->nw == c->capw) {
        int64_t nc = c->capw ? c->capw * 2 : 4096;
        word *q = realloc(c->w, (size_t)nc * sizeof *q);
        if (!q) return VERS_ENOMEM;
        c->w = q; c->capw = nc;
    }
    word *w = &c->w[c->nw];
    w->sym = malloc(n * sizeof *w->sym);
    if (!w->sym) return VERS_ENOMEM;
    for (size_t i = 0; i < n; i++) w->sym[i] = (uint8_t)p[i];   /* byte values for now */
    w->len = (int)n; w->freq = 1;
    *v = (int32_t)c->nw++;
    return 0;
}

/* heap ordered by count desc, then pair asc */
static int hless(const hent *a, const hent *b) { return a->count != b->count ? a->count > b->count : a->pair < b->pair; }
typedef struct { hent *h; int64_t n, cap; } heap;
static int hpush(heap *hp, int64_t count, uint64_t pair) {
    if (hp->n == hp->cap) {
        int64_t nc = hp->cap ? hp->cap * 2 : 1 << 16;
        hent *q = realloc(hp->h, (size_t)nc * sizeof *q);
        if (!q) return -1;
        hp->h = q; hp->cap = nc;
    }
    int64_t i = hp->n++;
    hp->h[i] = (hent){count, pair};
    while (i > 0) {
        int64_t p = (i - 1) / 2;
        if (!hless(&hp->h[i], &hp->h[p])) break;
        hent t = hp->h[i]; hp->h[i] = hp->h[p]; hp->h[p] = t; i = p;
    }
    return 0;
}
static hent hpop(heap *hp) {
    hent top = hp->h[0];
    hp->h[0] = hp->h[--hp->n];
    int64_t i = 0;
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < hp->n && hless(&hp->h[l], &hp->h[m])) m = l;
        if (r < hp->n && hless(&hp->h[r], &hp->h[m])) m = r;
        if (m == i) break;
        hent t = hp->h[i]; hp->h[i] = hp->h[m]; hp->h[m] = t; i = m;
    }
    return top;
}

/* pair -> count (stored as two int32 halves) and occurrence list */
typedef struct {
    umap idx;                 /* pair -> slot: a = list index */
    int64_t *count;
    int32_t **occ; int32_t *occ_n, *occ_cap;
    int32_t n, cap;
} pairs;
static int64_t pair_slot(pairs *P, uint64_t pair) {
    int64_t s = umap_find(&P->idx, pair);
    if (s >= 0) return P->idx.a[s];
    s = umap_put(&P->idx, pair);
    if (s < 0) return -1;
    if (P->n == P->cap) {
        int32_t nc = P->cap ? P->cap * 2 : 1 << 16;
        int64_t *c = realloc(P->count, (size_t)nc * sizeof *c);
        if (c) P->count = c;
        int32_t **o = realloc(P->occ, (size_t)nc * sizeof *o);
        if (o) P->occ = o;
        int32_t *on = realloc(P->occ_n, (size_t)nc * sizeof *on);
        if (on) P->occ_n = on;
        int32_t *oc = realloc(P->occ_cap, (size_t)nc * sizeof *oc);
        if (oc) P->occ_cap = oc;
        if (!c || !o || !on || !oc) return -1;
        P->cap = nc;
    }
    int32_t k = P->n++;
    P->count[k] = 0; P->occ[k] = NULL; P->occ_n[k] = 0; P->occ_cap[k] = 0;
    P->idx.a[s] = k;
    return k;
}
static int occ_add(pairs *P, int64_t k, int32_t w) {
    if (P->occ_n[k] && P->occ[k][P->occ_n[k] - 1] == w) return 0;
    if (P->occ_n[k] == P->occ_cap[k]) {
        int32_t nc = P->occ_cap[k] ? P->occ_cap[k] * 2 : 4;
        int32_t *q = realloc(P->occ[k], (size_t)nc * sizeof *q);
        if (!q) return -1;
        P->occ[k] = q; P->occ_cap[k] = nc;
    }
    P->occ[k][P->occ_n[k]++] = w;
    return 0;
}
#define PAIR(a, b) ((uint64_t)(uint32_t)(a) << 32 | (uint32_t)(b))

int vers_bpe_train(const char *const *texts, const size_t *lens, int n_texts, int vocab_size,
                   vers_bpe **out, vers_err *err) {
    *out = NULL;
    int base = VERS_BPE_N_SPECIAL + VERS_BPE_N_STRUCT + 256;
    if (vocab_size < base || vocab_size > (1 << 20))
        return vers_errorf(err, VERS_EINVAL, "vocabulary size %d out of range (%d .. %d)", vocab_size, base, 1 << 20);
    wctx c = {0};
    vers_bpe *b = NULL;
    pairs P = {0};
    heap hp = {0};
    int32_t *stamp = NULL;
    int rc = VERS_ENOMEM;
    if (smap_init(&c.uniq, 1 << 16)) goto fail;
    for (int i = 0; i < n_texts; i++)
        if ((rc = bpe_pretokenize(texts[i], lens[i], add_piece, &c))) goto fail;
    rc = VERS_ENOMEM;
    if (!(b = bpe_alloc(vocab_size))) goto fail;
    for (int i = 0; i < VERS_BPE_N_SPECIAL; i++)
        if (bpe_add_token(b, vers_bpe_specials[i], strlen(vers_bpe_specials[i]), 3) < 0) goto fail;
    for (int i = 0; i < VERS_BPE_N_STRUCT; i++) {
        char sp[16];
        vers_bpe_struct_spelling(i, sp);
        if (bpe_add_token(b, sp, strlen(sp), 3) < 0) goto fail;
    }
    for (int i = 0; i < 256; i++) { char ch = (char)i; if (bpe_add_token(b, &ch, 1, 1) < 0) goto fail; }
    if (umap_init(&P.idx, 1 << 16)) goto fail;
    for (int64_t w = 0; w < c.nw; w++) {
        word *wd = &c.w[w];
        for (int i = 0; i < wd->len; i++) wd->sym[i] = b->byte_id[wd->sym[i]];
        for (int i = 0; i + 1 < wd->len; i++) {
            int64_t k = pair_slot(&P, PAIR(wd->sym[i], wd->sym[i + 1]));
            if (k < 0 || occ_add(&P, k, (int32_t)w)) goto fail;
            P.count[k] += wd->freq;
        }
    }
    for (int64_t s = 0; s < (int64_t)P.idx.cap; s++)
        if (P.idx.k[s] != UINT64_MAX && hpush(&hp, P.count[P.idx.a[s]], P.idx.k[s])) goto fail;
    if (!(stamp = calloc((size_t)(c.nw ? c.nw : 1), sizeof *stamp))) goto fail;
    int merge_no = 0;
    while (b->n_tokens < vocab_size && b->n_merges + 1 < vocab_size) {
        hent e; int64_t k = -1;
        for (;;) {
            if (!hp.n) break;
            e = hpop(&hp);
            int64_t s = umap_find(&P.idx, e.pair);
            k = s >= 0 ? P.idx.a[s] : -1;
            if (k < 0) continue;
            if (P.count[k] == e.count) break;
            if (P.count[k] > 0 && hpush(&hp, P.count[k], e.pair)) goto fail;
            k = -1;
        }
        if (k < 0 || e.count < 2) {
            rc = vers_errorf(err, VERS_EINVAL, "vocabulary too large for the corpus: only %d tokens can be learned (asked %d)",
                             b->n_tokens, vocab_size);
            goto fail;
        }
        int32_t L = (int32_t)(e.pair >> 32), R = (int32_t)(e.pair & 0xffffffffu);
        size_t ln = b->raw_len[L] + b->raw_len[R];
        char *cat = malloc(ln);
        if (!cat) goto fail;
        memcpy(cat, b->raw[L], b->raw_len[L]); memcpy(cat + b->raw_len[L], b->raw[R], b->raw_len[R]);
        int32_t *have = smap_get(&b->by_raw, cat, (uint32_t)ln);
        int M = have ? *have : bpe_add_token(b, cat, ln, 1);
        free(cat);
        if (M < 0 || bpe_add_merge(b, L, R, M) < 0) goto fail;
        merge_no++;
        /* apply to every word holding the pair; the list may repeat words or hold stale ones */
        int32_t nocc = P.occ_n[k];
        int32_t *occ = P.occ[k];
        P.occ[k] = NULL; P.occ_n[k] = P.occ_cap[k] = 0;
        for (int32_t oi = 0; oi < nocc; oi++) {
            int32_t w = occ[oi];
            if (stamp[w] == merge_no) continue;
            stamp[w] = merge_no;
            word *wd = &c.w[w];
            int64_t f = wd->freq;
            for (int i = 0; i + 1 < wd->len; i++) {
                if (wd->sym[i] != L || wd->sym[i + 1] != R) continue;
                /* neighbours lose their old pairs and gain the new ones */
                if (i > 0) {
                    int64_t q = pair_slot(&P, PAIR(wd->sym[i - 1], L)); if (q < 0) goto fail_occ;
                    P.count[q] -= f;
                }
                if (i + 2 < wd->len) {
                    int64_t q = pair_slot(&P, PAIR(R, wd->sym[i + 2])); if (q < 0) goto fail_occ;
                    P.count[q] -= f;
                }
                P.count[k] -= f;
                wd->sym[i] = M;
                memmove(wd->sym + i + 1, wd->sym + i + 2, (size_t)(wd->len - i - 2) * sizeof *wd->sym);
                wd->len--;
                if (i > 0) {
                    int64_t q = pair_slot(&P, PAIR(wd->sym[i - 1], M)); if (q < 0) goto fail_occ;
                    P.count[q] += f;
                    if (occ_add(&P, q, w) || hpush(&hp, P.count[q], PAIR(wd->sym[i - 1], M))) goto fail_occ;
                }
                if (i + 1 < wd->len) {
                    int64_t q = pair_slot(&P, PAIR(M, wd->sym[i + 1])); if (q < 0) goto fail_occ;
                    P.count[q] += f;
                    if (occ_add(&P, q, w) || hpush(&hp, P.count[q], PAIR(M, wd->sym[i + 1]))) goto fail_occ;
                }
            }
        }
        free(occ);
        continue;
fail_occ:
        free(occ);
        goto fail;
    }
    rc = 0;
    *out = b; b = NULL;
fail:
    if (rc == VERS_ENOMEM) vers_errorf(err, rc, "out of memory");
    vers_bpe_free(b);
    for (int64_t w = 0; w < c.nw; w++) free(c.w[w].sym);
    free(c.w); smap_free(&c.uniq);
    for (int32_t k = 0; k < P.n; k++) free(P.occ[k]);
    free(P.count); free(P.occ); free(P.occ_n); free(P.occ_cap); umap_free(&P.idx);
    free(hp.h); free(stamp);
    return rc;
}
