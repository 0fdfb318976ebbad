/* src/engine/tokenizer_bpe.c — the "gpt2" (byte-level BPE) tokenizer, as llama.cpp's
 * llm_tokenizer_bpe_session with unicode_regex_split:
 *   1. the text is decoded to code points (malformed UTF-8 -> U+FFFD);
 *   2. a pre-tokenizer cuts it into words.  llama.cpp runs hand-written matchers for the
 *      gpt-2 and llama-3 regexes and std::regex for the others; here every regex family we
 *      support is a hand-written matcher over Unicode categories (unicode.h) that gives the
 *      same words as llama.cpp (the qwen2 one is the llama-3 matcher with single digits,
 *      which is what std::regex computes for qwen2's expression on llama.cpp's "collapsed"
 *      text, where every code point >= 128 stands for its category);
 *   3. each word's UTF-8 bytes are written as GPT-2 characters (bytes_to_unicode);
 *   4. adjacent symbols are merged by the lowest merge rank (ties: leftmost) until no pair
 *      has a rank; each final symbol becomes its token (or, if it is none, the tokens of its
 *      single bytes, when those exist). */
#include "tokenizer_internal.h"
#include "bigram_heap.h"
#include "unicode.h"
#include <stdlib.h>
#include <string.h>

/* ---------- pre-tokenizers: code points -> word lengths ---------- */

typedef struct { size_t *v; size_t n, cap; } lens;

static int lens_push(lens *a, size_t x) {
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        size_t *v = realloc(a->v, cap * sizeof *v);
        if (!v) return VERS_ENOMEM;
        a->v = v; a->cap = cap;
    }
    a->v[a->n++] = x;
    return VERS_OK;
}

#define OOR 0xFFFFFFFFu       /* "out of range" code point, as llama.cpp's OUT_OF_RANGE */
#define F_VALID 0x10u         /* set for every in-range position (llama.cpp: as_uint() != 0) */

typedef struct {
    const uint32_t *cp;
    size_t ini, end;          /* the segment being split */
    size_t prev_end;
    lens *out;
    int err;
} seg;

static inline uint32_t get_cpt(const seg *s, size_t p) {
    return p >= s->ini && p < s->end ? s->cp[p] : OOR;
}
static inline unsigned get_flags(const seg *s, size_t p) {
    return p >= s->ini && p < s->end ? (vu_flags(s->cp[p]) | F_VALID) : 0;
}
static inline int f_letter(unsigned f) { return (f & VU_CAT_MASK) == VU_LETTER; }
static inline int f_number(unsigned f) { return (f & VU_CAT_MASK) == VU_NUMBER; }
static inline int f_space(unsigned f)  { return (f & VU_WHITESPACE) != 0; }
static inline int f_other(unsigned f)  { return !(f_space(f) || f_letter(f) || f_number(f)) && f != 0; }

static void add_token(seg *s, size_t end) {
    size_t len = end - s->prev_end;
    if (len > 0 && lens_push(s->out, len)) s->err = VERS_ENOMEM;
    s->prev_end = end;
}

static uint32_t ascii_lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * (unicode_regex_split_custom_gpt2) */
static void split_gpt2(seg *s) {
    size_t pos = s->ini;
    while (pos < s->end) {
        uint32_t cpt = get_cpt(s, pos);
        unsigned flags = get_flags(s, pos);
        if (cpt == '\'' && pos + 1 < s->end) {
            uint32_t nx = get_cpt(s, pos + 1);
            if (nx == 's' || nx == 't' || nx == 'm' || nx == 'd') { pos += 2; add_token(s, pos); continue; }
            if (pos + 2 < s->end) {
                uint32_t nn = get_cpt(s, pos + 2);
                if ((nx == 'r' && nn == 'e') || (nx == 'v' && nn == 'e') || (nx == 'l' && nn == 'l')) {
                    pos += 3; add_token(s, pos); continue;
                }
            }
        }
        unsigned f2 = cpt == ' ' ? get_flags(s, pos + 1) : flags;
        if (f_letter(f2)) {
            pos += cpt == ' ';
            while (f_letter(f2)) f2 = get_flags(s, ++pos);
            add_token(s, pos); continue;
        }
        if (f_number(f2)) {
            pos += cpt == ' ';
            while (f_number(f2)) f2 = get_flags(s, ++pos);
            add_token(s, pos); continue;
        }
        if (f_other(f2)) {
            pos += cpt == ' ';
            while (f_other(f2)) f2 = get_flags(s, ++pos);
            add_token(s, pos); continue;
        }
        size_t nws = 0;
        while (f_space(get_flags(s, pos + nws))) nws++;
        if (nws > 1 && get_cpt(s, pos + nws) != OOR) { pos += nws - 1; add_token(s, pos); continue; }
        if (nws > 0) { pos += nws; add_token(s, pos); continue; }
        add_token(s, ++pos);
    }
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max_digits}|
 *  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * (unicode_regex_split_custom_llama3; max_digits 1 gives qwen2's expression).  The case
 * folding of the contractions only ever matters for ASCII letters: no other code point
 * lower-cases to s, t, r, e, v, m, l or d. */
static void split_llama3(seg *s, size_t max_digits) {
    size_t pos = s->ini;
    while (pos < s->end) {
        uint32_t cpt = get_cpt(s, pos);
        unsigned flags = get_flags(s, pos);
        if (cpt == '\'' && pos + 1 < s->end) {
            uint32_t nx = ascii_lower(get_cpt(s, pos + 1));
            if (nx == 's' || nx == 't' || nx == 'm' || nx == 'd') { pos += 2; add_token(s, pos); continue; }
            if (pos + 2 < s->end) {
                uint32_t nn = ascii_lower(get_cpt(s, pos + 2));
                if ((nx == 'r' && nn == 'e') || (nx == 'v' && nn == 'e') || (nx == 'l' && nn == 'l')) {
                    pos += 3; add_token(s, pos); continue;
                }
            }
        }
        if (!(cpt == '\r' || cpt == '\n' || f_number(flags))) {
            if (f_letter(flags) || f_letter(get_flags(s, pos + 1))) {
                pos++;
                while (f_letter(get_flags(s, pos))) pos++;
                add_token(s, pos); continue;
            }
        }
        if (f_number(flags)) {
            size_t ini = pos;
            while (f_number(get_flags(s, pos))) {
                if (++pos - ini >= max_digits) { add_token(s, pos); ini = pos; }
            }
            add_token(s, pos); continue;
        }
        unsigned f2 = cpt == ' ' ? get_flags(s, pos + 1) : flags;
        if (!(f_space(f2) || f_letter(f2) || f_number(f2)) && flags != 0) {
            pos += cpt == ' ';
            while (f_other(f2)) f2 = get_flags(s, ++pos);
            uint32_t c2 = get_cpt(s, pos);
            while (c2 == '\r' || c2 == '\n') c2 = get_cpt(s, ++pos);
            add_token(s, pos); continue;
        }
        size_t nws = 0, last_rn = 0;
        while (f_space(get_flags(s, pos + nws))) {
            uint32_t c2 = get_cpt(s, pos + nws);
            if (c2 == '\r' || c2 == '\n') last_rn = pos + nws + 1;
            nws++;
        }
        if (last_rn > 0) { pos = last_rn; add_token(s, pos); continue; }
        if (nws > 1 && get_cpt(s, pos + nws) != OOR) { pos += nws - 1; add_token(s, pos); continue; }
        if (nws > 0) { pos += nws; add_token(s, pos); continue; }
        add_token(s, ++pos);
    }
}

/* A regex that is one character class with '+' (or without, single=1): matches are the
 * runs of class members; what lies between them is kept as words too
 * (unicode_regex_split_stl on llama.cpp's collapsed text). */
static void split_class(seg *s, int (*member)(uint32_t), int single) {
    size_t pos = s->ini;
    while (pos < s->end) {
        if (!member(s->cp[pos])) { pos++; continue; }
        add_token(s, pos);                       /* the gap before the match */
        if (single) pos++;
        else while (pos < s->end && member(s->cp[pos])) pos++;
        add_token(s, pos);
    }
    add_token(s, s->end);
}

/* [\p{P}\$\+<=>\^~\|]: code points >= 128 of category P; below 128 llama.cpp's list of
 * ASCII punctuation plus $+<=>^~|, i.e. all ASCII punctuation and symbols but '`'. */
static int is_default_punct(uint32_t c) {
    if (c < 128)
        return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x5f) ||
               (c >= 0x7b && c <= 0x7e);
    return (vu_flags(c) & VU_CAT_MASK) == VU_PUNCT;
}
/* \p{N} on the collapsed text: ASCII 0-9, or a code point >= 128 of category N */
static int is_number_cp(uint32_t c) {
    if (c < 128) return c >= '0' && c <= '9';
    return (vu_flags(c) & (VU_CAT_MASK | VU_WHITESPACE)) == VU_NUMBER;
}

/* [0-9][0-9][0-9]: leftmost non-overlapping triples of ASCII digits. */
static void split_digit3(seg *s) {
    size_t pos = s->ini;
    while (pos < s->end) {
        if (pos + 3 <= s->end && s->cp[pos] - '0' < 10 && s->cp[pos + 1] - '0' < 10 &&
            s->cp[pos + 2] - '0' < 10) {
            add_token(s, pos);
            pos += 3;
            add_token(s, pos);
        } else {
            pos++;
        }
    }
    add_token(s, s->end);
}

enum { P_GPT2, P_LLAMA3, P_QWEN2, P_PUNCT, P_NUMBERS, P_NUMBER1, P_DIGIT3 };

/* Applies one regex to every current segment (in), writing the new segments (out). */
static int apply(int which, const uint32_t *cp, const lens *in, lens *out) {
    size_t start = 0;
    out->n = 0;
    for (size_t k = 0; k < in->n; k++) {
        seg s = { cp, start, start + in->v[k], start, out, 0 };
        switch (which) {
        case P_GPT2: split_gpt2(&s); break;
        case P_LLAMA3: split_llama3(&s, 3); break;
        case P_QWEN2: split_llama3(&s, 1); break;
        case P_PUNCT: split_class(&s, is_default_punct, 0); break;
        case P_NUMBERS: split_class(&s, is_number_cp, 0); break;
        case P_NUMBER1: split_class(&s, is_number_cp, 1); break;
        case P_DIGIT3: split_digit3(&s); break;
        }
        if (s.err) return s.err;
        start += in->v[k];
    }
    return VERS_OK;
}

int vtok_pretokenize(int pre, const uint32_t *cp, size_t n, size_t **out_lens, size_t *n_words) {
    static const int seq_default[] = { P_PUNCT, P_GPT2, P_NUMBERS, P_DIGIT3, -1 };
    static const int seq_gpt2[] = { P_GPT2, -1 };
    static const int seq_llama3[] = { P_LLAMA3, -1 };
    static const int seq_qwen2[] = { P_QWEN2, -1 };
    static const int seq_starcoder[] = { P_NUMBER1, P_GPT2, -1 };
    const int *seq;
    switch (pre) {
    case VTOK_PRE_DEFAULT: seq = seq_default; break;
    case VTOK_PRE_GPT2: seq = seq_gpt2; break;
    case VTOK_PRE_LLAMA3: seq = seq_llama3; break;
    case VTOK_PRE_QWEN2: seq = seq_qwen2; break;
    case VTOK_PRE_STARCODER: seq = seq_starcoder; break;
    default: return VERS_EINVAL;
    }
    lens a = { 0 }, b = { 0 };
    *out_lens = NULL; *n_words = 0;
    if (lens_push(&a, n)) return VERS_ENOMEM;
    for (int i = 0; seq[i] >= 0; i++) {
        int rc = apply(seq[i], cp, &a, &b);
        if (rc) { free(a.v); free(b.v); return rc; }
        lens tmp = a; a = b; b = tmp;
    }
    free(b.v);
    *out_lens = a.v; *n_words = a.n;
    return VERS_OK;
}

/* ---------- merging ---------- */

typedef struct { int prev, next; size_t start, n; } sym;
typedef struct { int left, right; int32_t rank; size_t size; } bigram;

/* min-heap order: lower rank first, then smaller left (llm_bigram_bpe::comparator) */
static int before(const bigram *a, const bigram *b) {
    return a->rank < b->rank || (a->rank == b->rank && a->left < b->left);
}

BIGRAM_HEAP_DEFINE(bigram, before)

typedef struct {
    sym *sy; size_t sy_cap;
    heap h;
    char *w; size_t w_cap;    /* the current word, as GPT-2 characters */
} work;

static int try_add(const vers_tokenizer *t, work *k, int left, int right) {
    if (left < 0 || right < 0) return VERS_OK;
    const sym *l = &k->sy[left], *r = &k->sy[right];
    int32_t rank = vtok_merge_rank(t, k->w + l->start, l->n, k->w + r->start, r->n);
    if (rank < 0) return VERS_OK;
    return heap_push(&k->h, (bigram){ left, right, rank, l->n + r->n });
}

/* Merges one word w[0..n) and appends its tokens. */
static int bpe_word(const vers_tokenizer *t, work *k, size_t n, vtok_ids *out) {
    const char *w = k->w;
    int rc;
    if (t->ignore_merges) {
        int32_t id = vtok_find(t, w, n);
        if (id >= 0) return vtok_push(out, id);
    }
    if (n > (size_t)INT32_MAX) return VERS_ENOMEM;      /* symbol indices are int */
    if (n > k->sy_cap) {
        sym *sy = realloc(k->sy, n * sizeof *sy);
        if (!sy) return VERS_ENOMEM;
        k->sy = sy; k->sy_cap = n;
    }
    sym *sy = k->sy;
    int count = 0;
    for (size_t off = 0; off < n; ) {
        size_t len = vu_len_utf8((uint8_t)w[off]);
        if (len > n - off) len = n - off;
        sy[count] = (sym){ count - 1, off + len == n ? -1 : count + 1, off, len };
        off += len;
        count++;
    }
    k->h.n = 0;
    for (int i = 1; i < count; i++)
        if ((rc = try_add(t, k, i - 1, i))) return rc;
    while (k->h.n) {
        bigram b = heap_pop(&k->h);
        sym *l = &sy[b.left], *r = &sy[b.right];
        if (l->n == 0 || r->n == 0 || l->n + r->n != b.size) continue;   /* stale */
        l->n += r->n;
        r->n = 0;
        l->next = r->next;
        if (r->next >= 0) sy[r->next].prev = b.left;
        if ((rc = try_add(t, k, l->prev, b.left))) return rc;
        if ((rc = try_add(t, k, b.left, l->next))) return rc;
    }
    for (int i = 0; i != -1 && count > 0; i = sy[i].next) {
        int32_t id = vtok_find(t, w + sy[i].start, sy[i].n);
        if (id >= 0) {
            if ((rc = vtok_push(out, id))) return rc;
            continue;
        }
        for (size_t j = 0; j < sy[i].n; j++) {          /* each byte alone, if it is a token */
            int32_t bt = vtok_find(t, w + sy[i].start + j, 1);
            if (bt >= 0 && (rc = vtok_push(out, bt))) return rc;
        }
    }
    return VERS_OK;
}

int vtok_bpe_tokenize(const vers_tokenizer *t, const char *text, size_t n, vtok_ids *out) {
    if (n == 0) return VERS_OK;
    int rc = VERS_ENOMEM;
    uint32_t *cp = malloc(n * sizeof *cp);
    size_t *wl = NULL, nw = 0;
    work k = { 0 };
    if (!cp) return VERS_ENOMEM;
    size_t ncp = 0;
    for (size_t i = 0; i < n; ) cp[ncp++] = vu_decode((const uint8_t *)text, n, &i);
    if ((rc = vtok_pretokenize(t->pre, cp, ncp, &wl, &nw))) goto done;
    size_t start = 0;
    for (size_t wi = 0; wi < nw; wi++) {
        size_t need = wl[wi] * 8;               /* 4 bytes per code point, 2 per byte */
        if (need > k.w_cap) {
            char *w = realloc(k.w, need);
            if (!w) { rc = VERS_ENOMEM; goto done; }
            k.w = w; k.w_cap = need;
        }
        size_t m = 0;
        for (size_t i = start; i < start + wl[wi]; i++) {
            uint8_t u[4];
            size_t ul = vu_encode(cp[i], u);
            for (size_t j = 0; j < ul; j++) {
                memcpy(k.w + m, t->byte_enc[u[j]], t->byte_enc_len[u[j]]);
                m += t->byte_enc_len[u[j]];
            }
        }
        start += wl[wi];
        if ((rc = bpe_word(t, &k, m, out))) goto done;
    }
    rc = VERS_OK;
done:
    free(cp); free(wl); free(k.sy); free(k.h.v); free(k.w);
    return rc;
}
