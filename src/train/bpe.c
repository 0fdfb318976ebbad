/* src/train/bpe.c — the trainer's byte-level BPE: vocabulary, GPT-2 pre-tokenization
 * (mirrors llama.cpp's unicode_regex_split_custom_gpt2 on src/engine/unicode.h's tables),
 * merge-rank encoding, decoding, and a small file format for the learned tokenizer.
 * Encoding follows llama.cpp: within a piece the adjacent pair of lowest merge rank is
 * merged first (leftmost on ties) until no pair has a merge. */
#include "train/bpe.h"
#include "util/outfile.h"
#include "train/internal.h"
#include "engine/unicode.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const vers_bpe_specials[VERS_BPE_N_SPECIAL] = {
    "<|bos|>", "<|eos|>", "<fr>", "<en>", "<prose>", "<poem>", "<sonnet>", "<haiku>",
    "<limerick>", "<quatrain>", "<villanelle>", "<rondeau>", "<couplets>", "<ballad>",
    "<ode>", "<free>", "<title>", "</title>", "<|pad|>"};

const char *vers_bpe_struct_spelling(int i, char buf[16]) {
    if (i < 0 || i >= VERS_BPE_N_STRUCT) snprintf(buf, 16, "?");
    else if (i < VERS_STRUCT_RHYME) snprintf(buf, 16, "<syl:%d>", i - VERS_STRUCT_SYL + 1);
    else if (i < VERS_STRUCT_RHYME_OTHER) snprintf(buf, 16, "<rh:%d>", i - VERS_STRUCT_RHYME);
    else if (i == VERS_STRUCT_RHYME_OTHER) snprintf(buf, 16, "<rh:other>");
    else snprintf(buf, 16, "<stanza>");
    return buf;
}

/* index of a structure code from its spelling, or -1 */
static int struct_index(const char *s, size_t len) {
    char buf[16];
    if (len < 6 || len > 11 || s[0] != '<' || s[len - 1] != '>') return -1;
    if (len == 8 && !memcmp(s, "<stanza>", 8)) return VERS_STRUCT_STANZA;
    if (len == 10 && !memcmp(s, "<rh:other>", 10)) return VERS_STRUCT_RHYME_OTHER;
    int n = 0, base;
    size_t i;
    if (!memcmp(s, "<syl:", 5)) { i = 5; base = VERS_STRUCT_SYL - 1; }
    else if (!memcmp(s, "<rh:", 4)) { i = 4; base = VERS_STRUCT_RHYME; }
    else return -1;
    if (i + 1 >= len || len - 1 - i > 3) return -1;
    for (; i < len - 1; i++) { if (s[i] < '0' || s[i] > '9') return -1; n = n * 10 + (s[i] - '0'); }
    int idx = base + n;
    if (idx < 0 || idx >= VERS_BPE_N_STRUCT) return -1;
    /* the canonical spelling only ("<syl:07>" is not a code) */
    vers_bpe_struct_spelling(idx, buf);
    return strlen(buf) == len && !memcmp(buf, s, len) ? idx : -1;
}

int vers_bpe_struct_id(const vers_bpe *b, int i) { return i >= 0 && i < VERS_BPE_N_STRUCT ? b->structure[i] : -1; }

/* ---- maps ---- */
int smap_init(smap *m, size_t cap) {
    size_t c = 16; while (c < cap * 2) c <<= 1;
    m->cap = c; m->n = 0;
    m->k = calloc(c, sizeof *m->k); m->klen = calloc(c, sizeof *m->klen);
    m->v = malloc(c * sizeof *m->v); m->h = calloc(c, sizeof *m->h);
    if (!m->k || !m->klen || !m->v || !m->h) { smap_free(m); return VERS_ENOMEM; }
    return 0;
}
void smap_free(smap *m) { free(m->k); free(m->klen); free(m->v); free(m->h); memset(m, 0, sizeof *m); }
static size_t smap_slot(const smap *m, const char *k, uint32_t len, uint64_t h) {
    size_t i = h & (m->cap - 1);
    while (m->k[i] && !(m->h[i] == h && m->klen[i] == len && !memcmp(m->k[i], k, len))) i = (i + 1) & (m->cap - 1);
    return i;
}
int32_t *smap_get(const smap *m, const char *k, uint32_t len) {
    if (!m->cap) return NULL;
    uint64_t h = fnv1a(FNV_INIT, k, len) | 1;
    size_t i = smap_slot(m, k, len, h);
    return m->k[i] ? &m->v[i] : NULL;
}
int32_t *smap_put(smap *m, const char *k, uint32_t len) {
    if ((m->n + 1) * 2 > m->cap) {
        smap o = *m, nm;
        if (smap_init(&nm, o.cap)) return NULL;
        for (size_t i = 0; i < o.cap; i++) if (o.k[i]) {
            size_t j = smap_slot(&nm, o.k[i], o.klen[i], o.h[i]);
            nm.k[j] = o.k[i]; nm.klen[j] = o.klen[i]; nm.h[j] = o.h[i]; nm.v[j] = o.v[i]; nm.n++;
        }
        smap_free(&o); *m = nm;
    }
    uint64_t h = fnv1a(FNV_INIT, k, len) | 1;
    size_t i = smap_slot(m, k, len, h);
    if (!m->k[i]) { m->k[i] = k ? k : ""; m->klen[i] = len; m->h[i] = h; m->v[i] = -1; m->n++; }
    return &m->v[i];
}

static uint64_t umix(uint64_t x) { x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; return x; }
int umap_init(umap *m, size_t cap) {
    size_t c = 16; while (c < cap * 2) c <<= 1;
    m->cap = c; m->n = 0;
    m->k = malloc(c * sizeof *m->k); m->a = calloc(c, sizeof *m->a); m->b = calloc(c, sizeof *m->b);
    if (!m->k || !m->a || !m->b) { umap_free(m); return VERS_ENOMEM; }
    memset(m->k, 0xff, c * sizeof *m->k);   /* UINT64_MAX marks an empty slot */
    return 0;
}
void umap_free(umap *m) { free(m->k); free(m->a); free(m->b); memset(m, 0, sizeof *m); }
int64_t umap_find(const umap *m, uint64_t key) {
    if (!m->cap) return -1;
    size_t i = umix(key) & (m->cap - 1);
    while (m->k[i] != UINT64_MAX) { if (m->k[i] == key) return (int64_t)i; i = (i + 1) & (m->cap - 1); }
    return -1;
}
int64_t umap_put(umap *m, uint64_t key) {
    if ((m->n + 1) * 2 > m->cap) {
        umap o = *m, nm;
        if (umap_init(&nm, o.cap)) return -1;
        for (size_t i = 0; i < o.cap; i++) if (o.k[i] != UINT64_MAX) {
            size_t j = umix(o.k[i]) & (nm.cap - 1);
            while (nm.k[j] != UINT64_MAX) j = (j + 1) & (nm.cap - 1);
            nm.k[j] = o.k[i]; nm.a[j] = o.a[i]; nm.b[j] = o.b[i]; nm.n++;
        }
        umap_free(&o); *m = nm;
    }
    size_t i = umix(key) & (m->cap - 1);
    while (m->k[i] != UINT64_MAX) { if (m->k[i] == key) return (int64_t)i; i = (i + 1) & (m->cap - 1); }
    m->k[i] = key; m->a[i] = 0; m->b[i] = 0; m->n++;
    return (int64_t)i;
}

/* ---- pre-tokenization ---- */
#define PT_OUT 0xFFFFFFFFu
typedef struct { const uint8_t *s; size_t len; } ptext;
/* code point and flags at byte offset pos (PT_OUT / 0 past the end) */
static uint32_t pt_cp(const ptext *t, size_t pos, size_t *next) {
    if (pos >= t->len) { *next = pos; return PT_OUT; }
    size_t p = pos;
    uint32_t cp = vu_decode(t->s, t->len, &p);
    *next = p;
    return cp;
}
static unsigned pt_flags(uint32_t cp) { return cp == PT_OUT ? 0 : vu_flags(cp); }
#define IS_L(f) (((f) & VU_CAT_MASK) == VU_LETTER)
#define IS_N(f) (((f) & VU_CAT_MASK) == VU_NUMBER)
#define IS_S(f) (((f) & VU_WHITESPACE) != 0)

int bpe_pretokenize(const char *text, size_t len, int (*fn)(const char *p, size_t n, void *ctx), void *ctx) {
    ptext t = {(const uint8_t *)text, len};
    size_t pos = 0;
    while (pos < len) {
        size_t start = pos, nx, nx2;
        uint32_t cp = pt_cp(&t, pos, &nx);
        unsigned f = pt_flags(cp);
        if (cp == '\'' && nx < len) {
            uint32_t c1 = pt_cp(&t, nx, &nx2);
            if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') { pos = nx2; goto emit; }
            if (nx2 < len) {
                size_t nx3; uint32_t c2 = pt_cp(&t, nx2, &nx3);
                if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) { pos = nx3; goto emit; }
            }
        }
        {
            size_t p = pos, q;
            unsigned f2 = f;
            if (cp == ' ') { p = nx; f2 = pt_flags(pt_cp(&t, nx, &q)); }
            if (IS_L(f2)) {
                while (IS_L(pt_flags(pt_cp(&t, p, &q)))) p = q;
                pos = p; goto emit;
            }
            if (IS_N(f2)) {
                while (IS_N(pt_flags(pt_cp(&t, p, &q)))) p = q;
                pos = p; goto emit;
            }
            if (!(IS_S(f2) || IS_L(f2) || IS_N(f2)) && f2) {
                for (;;) {
                    unsigned g = pt_flags(pt_cp(&t, p, &q));
                    if (IS_S(g) || IS_L(g) || IS_N(g) || !g) break;
                    p = q;
                }
                pos = p; goto emit;
            }
        }
        {
            /* whitespace run: \s+(?!\S) keeps the last space for the next word */
            size_t p = pos, q, last = pos; int nws = 0;
            while (IS_S(pt_flags(pt_cp(&t, p, &q)))) { last = p; p = q; nws++; }
            if (nws > 1 && p < len) { pos = last; goto emit; }
            if (nws > 0) { pos = p; goto emit; }
            pos = nx;   /* no match: one code point alone */
        }
emit:
        if (pos == start) pos = nx;
        int rc = fn(text + start, pos - start, ctx);
        if (rc) return rc;
    }
    return 0;
}

/* ---- vocabulary ---- */
vers_bpe *bpe_alloc(int cap) {
    vers_bpe *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->raw = calloc(cap, sizeof *b->raw); b->raw_len = calloc(cap, sizeof *b->raw_len);
    b->spell = calloc(cap, sizeof *b->spell); b->spell_len = calloc(cap, sizeof *b->spell_len);
    b->type = calloc(cap, sizeof *b->type);
    b->merge_str = calloc(cap, sizeof *b->merge_str); b->merge_len = calloc(cap, sizeof *b->merge_len);
    if (!b->raw || !b->raw_len || !b->spell || !b->spell_len || !b->type || !b->merge_str || !b->merge_len ||
        smap_init(&b->by_raw, cap) || umap_init(&b->merges, cap)) { vers_bpe_free(b); return NULL; }
    for (int i = 0; i < 256; i++) b->byte_id[i] = -1;
    for (int i = 0; i < VERS_BPE_N_SPECIAL; i++) b->special[i] = -1;
    for (int i = 0; i < VERS_BPE_N_STRUCT; i++) b->structure[i] = -1;
    return b;
}

void vers_bpe_free(vers_bpe *b) {
    if (!b) return;
    for (int i = 0; i < b->n_tokens; i++) { free(b->raw[i]); free(b->spell[i]); }
    for (int i = 0; i < b->n_merges; i++) free(b->merge_str[i]);
    free(b->raw); free(b->raw_len); free(b->spell); free(b->spell_len); free(b->type);
    free(b->merge_str); free(b->merge_len);
    smap_free(&b->by_raw); umap_free(&b->merges);
    free(b);
}

/* spelling of raw bytes in GPT-2's bytes_to_unicode characters */
static char *spell_of(const char *raw, size_t len, uint32_t *out_len) {
    char *s = malloc(len * 2 + 1);
    if (!s) return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += vu_encode(vu_byte_to_cp((uint8_t)raw[i]), (uint8_t *)s + n);
    s[n] = 0; *out_len = (uint32_t)n;
    return s;
}

int bpe_add_token(vers_bpe *b, const char *raw, size_t len, int type) {
    int id = b->n_tokens;
    b->raw[id] = malloc(len + 1);
    if (!b->raw[id]) return -1;
    memcpy(b->raw[id], raw, len); b->raw[id][len] = 0; b->raw_len[id] = (uint32_t)len;
    if (type == 3) {
        b->spell[id] = malloc(len + 1);
        if (!b->spell[id]) { free(b->raw[id]); return -1; }
        memcpy(b->spell[id], raw, len + 1); b->spell_len[id] = (uint32_t)len;
        for (int i = 0; i < VERS_BPE_N_SPECIAL; i++)
            if (strlen(vers_bpe_specials[i]) == len && !memcmp(vers_bpe_specials[i], raw, len)) b->special[i] = id;
        int si = struct_index(raw, len);
        if (si >= 0 && b->structure[si] < 0) b->structure[si] = id;
    } else {
        b->spell[id] = spell_of(raw, len, &b->spell_len[id]);
        if (!b->spell[id]) { free(b->raw[id]); return -1; }
        int32_t *v = smap_put(&b->by_raw, b->raw[id], (uint32_t)len);
        if (!v) { free(b->raw[id]); free(b->spell[id]); return -1; }
        if (*v < 0) *v = id;
        if (len == 1 && b->byte_id[(uint8_t)raw[0]] < 0) b->byte_id[(uint8_t)raw[0]] = id;
    }
    b->type[id] = type;
    b->n_tokens++;
    return id;
}

int bpe_add_merge(vers_bpe *b, int left, int right, int result) {
    int j = b->n_merges;
    size_t n = b->spell_len[left] + 1 + b->spell_len[right];
    char *s = malloc(n + 1);
    if (!s) return -1;
    memcpy(s, b->spell[left], b->spell_len[left]); s[b->spell_len[left]] = ' ';
    memcpy(s + b->spell_len[left] + 1, b->spell[right], b->spell_len[right]); s[n] = 0;
    int64_t slot = umap_put(&b->merges, (uint64_t)left << 32 | (uint32_t)right);
    if (slot < 0) { free(s); return -1; }
    if (b->merges.a[slot] == 0 && b->merges.b[slot] == 0) { b->merges.a[slot] = j; b->merges.b[slot] = result; }
    b->merge_str[j] = s; b->merge_len[j] = (uint32_t)n;
    b->n_merges++;
    return j;
}

int bpe_encode_piece(const vers_bpe *b, const char *p, size_t n, int32_t **ids, size_t *cnt, size_t *cap) {
    int32_t local[64], *sym = n <= 64 ? local : malloc(n * sizeof *sym);
    if (!sym) return VERS_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) sym[m++] = b->byte_id[(uint8_t)p[i]];
    while (m > 1) {
        int32_t best_rank = INT32_MAX, best_res = -1; size_t best_i = 0;
        for (size_t i = 0; i + 1 < m; i++) {
            int64_t s = umap_find(&b->merges, (uint64_t)sym[i] << 32 | (uint32_t)sym[i + 1]);
            if (s >= 0 && b->merges.a[s] < best_rank) { best_rank = b->merges.a[s]; best_res = b->merges.b[s]; best_i = i; }
        }
        if (best_res < 0) break;
        sym[best_i] = best_res;
        memmove(sym + best_i + 1, sym + best_i + 2, (m - best_i - 2) * sizeof *sym);
        m--;
    }
    if (*cnt + m > *cap) {
        size_t nc = (*cap ? *cap * 2 : 1024); while (nc < *cnt + m) nc *= 2;
        int32_t *q = realloc(*ids, nc * sizeof *q);
        if (!q) { if (sym != local) free(sym); return VERS_ENOMEM; }
        *ids = q; *cap = nc;
    }
    memcpy(*ids + *cnt, sym, m * sizeof *sym); *cnt += m;
    if (sym != local) free(sym);
    return 0;
}

typedef struct { const vers_bpe *b; int32_t **ids; size_t *n, *cap; } enc_ctx;
static int enc_piece(const char *p, size_t n, void *ctx) {
    enc_ctx *c = ctx;
    return bpe_encode_piece(c->b, p, n, c->ids, c->n, c->cap);
}
int vers_bpe_encode(const vers_bpe *b, const char *text, size_t len, int32_t **ids, size_t *n, size_t *cap) {
    enc_ctx c = {b, ids, n, cap};
    return bpe_pretokenize(text, len, enc_piece, &c);
}

size_t vers_bpe_decode(const vers_bpe *b, const int32_t *ids, size_t n, char *out, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= b->n_tokens) continue;
        uint32_t l = b->raw_len[ids[i]];
        if (k + l <= cap) memcpy(out + k, b->raw[ids[i]], l);
        k += l;
    }
    if (k < cap) out[k] = 0;
    return k;
}

int vers_bpe_vocab_size(const vers_bpe *b) { return b->n_tokens; }
int vers_bpe_n_merges(const vers_bpe *b) { return b->n_merges; }
const char *vers_bpe_token(const vers_bpe *b, int id, size_t *len) {
    if (id < 0 || id >= b->n_tokens) return NULL;
    *len = b->spell_len[id]; return b->spell[id];
}
int32_t vers_bpe_token_type(const vers_bpe *b, int id) { return id >= 0 && id < b->n_tokens ? b->type[id] : 0; }
const char *vers_bpe_merge(const vers_bpe *b, int j, size_t *len) {
    if (j < 0 || j >= b->n_merges) return NULL;
    *len = b->merge_len[j]; return b->merge_str[j];
}
int vers_bpe_special_id(const vers_bpe *b, const char *s) {
    for (int i = 0; i < VERS_BPE_N_SPECIAL; i++) if (!strcmp(vers_bpe_specials[i], s)) return b->special[i];
    int si = struct_index(s, strlen(s));
    return si >= 0 ? b->structure[si] : -1;
}
uint64_t vers_bpe_hash(const vers_bpe *b) {
    uint64_t h = FNV_INIT;
    for (int i = 0; i < b->n_tokens; i++) { h = fnv1a(h, b->spell[i], b->spell_len[i]); h = fnv1a(h, &b->type[i], 4); h = fnv1a(h, "\0", 1); }
    for (int j = 0; j < b->n_merges; j++) { h = fnv1a(h, b->merge_str[j], b->merge_len[j]); h = fnv1a(h, "\n", 1); }
    return h;
}

/* raw bytes of a spelled (bytes_to_unicode) token; -1 when a character maps to no byte */
static int unspell(const char *s, size_t len, char *out, size_t *olen) {
    size_t pos = 0, n = 0;
    while (pos < len) {
        uint32_t cp = vu_decode((const uint8_t *)s, len, &pos);
        int byte = vu_cp_to_byte(cp);
        if (byte < 0) return -1;
        out[n++] = (char)byte;
    }
    *olen = n;
    return 0;
}

int vers_bpe_from_vocab(const char *const *tokens, const size_t *tok_lens, const int32_t *types,
                        int n_tokens, const char *const *merges, const size_t *merge_lens,
                        int n_merges, vers_bpe **out, vers_err *err) {
    *out = NULL;
    if (n_tokens <= 0 || n_tokens > (1 << 24) || n_merges < 0 || n_merges > n_tokens)
        return vers_errorf(err, VERS_EFORMAT, "tokenizer: bad token count %d / merge count %d", n_tokens, n_merges);
    vers_bpe *b = bpe_alloc(n_tokens + 1);
    if (!b) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    char *buf = NULL; size_t bufcap = 0;
    int rc = 0;
    for (int i = 0; i < n_tokens && !rc; i++) {
        int ty = types ? types[i] : 1;
        if (tok_lens[i] + 1 > bufcap) { bufcap = tok_lens[i] + 64; free(buf); buf = malloc(bufcap); if (!buf) { rc = VERS_ENOMEM; break; } }
        size_t rl;
        if (ty == 1 || ty == 6) {   /* normal or byte: spelled */
            if (unspell(tokens[i], tok_lens[i], buf, &rl)) { rc = vers_errorf(err, VERS_EFORMAT, "tokenizer: token %d is not in byte-level spelling", i); break; }
            if (bpe_add_token(b, buf, rl, 1) < 0) rc = VERS_ENOMEM;
        } else {
            if (bpe_add_token(b, tokens[i], tok_lens[i], 3) < 0) rc = VERS_ENOMEM;
            b->type[i] = ty;
        }
    }
    for (int j = 0; j < n_merges && !rc; j++) {
        const char *s = merges[j]; size_t l = merge_lens[j];
        const char *sp = memchr(s, ' ', l);
        if (!sp || sp == s) { rc = vers_errorf(err, VERS_EFORMAT, "tokenizer: merge %d has no space", j); break; }
        size_t la = (size_t)(sp - s), lb = l - la - 1, ra, rb;
        if (la + lb + 1 > bufcap) { bufcap = la + lb + 64; free(buf); buf = malloc(bufcap); if (!buf) { rc = VERS_ENOMEM; break; } }
        if (unspell(s, la, buf, &ra) || unspell(sp + 1, lb, buf + ra, &rb)) { rc = vers_errorf(err, VERS_EFORMAT, "tokenizer: merge %d is not in byte-level spelling", j); break; }
        int32_t *L = smap_get(&b->by_raw, buf, (uint32_t)ra), *R = smap_get(&b->by_raw, buf + ra, (uint32_t)rb);
        int32_t *M = smap_get(&b->by_raw, buf, (uint32_t)(ra + rb));
        if (!L || !R || !M) continue;   /* llama.cpp ignores merges whose parts are missing */
        if (bpe_add_merge(b, *L, *R, *M) < 0) rc = VERS_ENOMEM;
    }
    free(buf);
    for (int c = 0; c < 256 && !rc; c++)
        if (b->byte_id[c] < 0) rc = vers_errorf(err, VERS_EUNSUPPORTED, "tokenizer: byte 0x%02x has no token (not a byte-level BPE)", c);
    if (rc) { if (rc == VERS_ENOMEM) vers_errorf(err, rc, "out of memory"); vers_bpe_free(b); return rc; }
    *out = b;
    return 0;
}

/* ---- .vtok file: magic, counts, then tokens (type, len, spelling) and merges ---- */
static int put32(FILE *f, uint32_t v) { return fwrite(&v, 4, 1, f) == 1 ? 0 : -1; }
int vers_bpe_save(const vers_bpe *b, const char *path, vers_err *err) {
    vers_outfile o;
    int rc = vers_outfile_open(&o, path, err);
    if (rc) return rc;
    FILE *f = o.f;
    int bad = fwrite("VERSBPE1", 8, 1, f) != 1;
    bad |= put32(f, (uint32_t)b->n_tokens) | put32(f, (uint32_t)b->n_merges);
    for (int i = 0; i < b->n_tokens; i++)
        bad |= put32(f, (uint32_t)b->type[i]) | put32(f, b->spell_len[i]) | (fwrite(b->spell[i], 1, b->spell_len[i], f) != b->spell_len[i]);
    for (int j = 0; j < b->n_merges; j++)
        bad |= put32(f, b->merge_len[j]) | (fwrite(b->merge_str[j], 1, b->merge_len[j], f) != b->merge_len[j]);
    uint64_t h = vers_bpe_hash(b);
    bad |= fwrite(&h, 8, 1, f) != 1;
    return vers_outfile_commit(&o, bad, err);
}

int vers_bpe_load(const char *path, vers_bpe **out, vers_err *err) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return vers_errorf(err, VERS_EIO, "%s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END); long sz = ftell(f); fseek(f, 0, SEEK_SET);
    char *buf = sz > 0 ? malloc((size_t)sz) : NULL;
    if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz) { fclose(f); free(buf); return vers_errorf(err, VERS_EIO, "%s: cannot read", path); }
    fclose(f);
    int rc = VERS_EFORMAT;
    size_t pos = 16, n = (size_t)sz;
    uint32_t nt = 0, nm = 0;
    const char **ts = NULL, **ms = NULL; size_t *tl = NULL, *ml = NULL; int32_t *ty = NULL;
    if (n < 24 || memcmp(buf, "VERSBPE1", 8)) goto bad;
    memcpy(&nt, buf + 8, 4); memcpy(&nm, buf + 12, 4);
    if (nt == 0 || nt > (1u << 24) || nm > nt) goto bad;
    ts = calloc(nt, sizeof *ts); tl = calloc(nt, sizeof *tl); ty = calloc(nt, sizeof *ty);
    ms = calloc(nm + 1, sizeof *ms); ml = calloc(nm + 1, sizeof *ml);
    if (!ts || !tl || !ty || !ms || !ml) { rc = VERS_ENOMEM; goto bad; }
    for (uint32_t i = 0; i < nt; i++) {
        uint32_t t, l;
        if (pos + 8 > n) goto bad;
        memcpy(&t, buf + pos, 4); memcpy(&l, buf + pos + 4, 4); pos += 8;
        if (l > n - pos) goto bad;
        ty[i] = (int32_t)t; ts[i] = buf + pos; tl[i] = l; pos += l;
    }
    for (uint32_t j = 0; j < nm; j++) {
        uint32_t l;
        if (pos + 4 > n) goto bad;
        memcpy(&l, buf + pos, 4); pos += 4;
        if (l > n - pos) goto bad;
        ms[j] = buf + pos; ml[j] = l; pos += l;
    }
    if (pos + 8 != n) goto bad;
    rc = vers_bpe_from_vocab(ts, tl, ty, (int)nt, ms, ml, (int)nm, out, err);
    if (!rc) {
        uint64_t h; memcpy(&h, buf + pos, 8);
        if (h != vers_bpe_hash(*out)) { vers_bpe_free(*out); *out = NULL; rc = VERS_EFORMAT; goto bad; }
    }
    free(ts); free(tl); free(ty); free(ms); free(ml); free(buf);
    return rc;
bad:
    free(ts); free(tl); free(ty); free(ms); free(ml); free(buf);
    if (rc == VERS_ENOMEM) return vers_errorf(err, rc, "out of memory");
    return vers_errorf(err, VERS_EFORMAT, "%s: not a vers tokenizer file, or corrupt", path);
}
