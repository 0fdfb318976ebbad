/* tests/hashed_lm.h — a deterministic stand-in language model over a real tokenizer, for the
 * writer tests: logits are a hash of the last two tokens plus a per-token prior the test
 * sets (e.g. favouring whole words, or another language's words).  Included by the writer
 * tests that need it (each test is one program). */
#ifndef VERS_TESTS_HASHED_LM_H
#define VERS_TESTS_HASHED_LM_H
#include "test.h"
#include "write/bind.h"

typedef struct rl { vers_tokenizer *t; int n; int *hist; int nh, cap; float *prior; } rl;

static int r_eval(void *ud, const int *toks, int n, float *lo, vers_err *e) {
    rl *x = ud;
    if (x->nh + n > x->cap) return vers_errorf(e, VERS_EINVAL, "context full");
    for (int i = 0; i < n; i++) x->hist[x->nh++] = toks[i];
    uint64_t a = (uint64_t)x->hist[x->nh - 1], b = x->nh > 1 ? (uint64_t)x->hist[x->nh - 2] : 0;
    for (int t = 0; t < x->n; t++) {
        uint64_t h = (a * 1000003u + b * 7919u + (uint64_t)t) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29; h *= 0xBF58476D1CE4E5B9ull; h ^= h >> 32;
        lo[t] = (float)((h >> 40) & 0xFFFF) / 65536.0f * 4.0f - 2.0f + x->prior[t];
    }
    return VERS_OK;
}
static int r_truncate(void *ud, int n) { ((rl *)ud)->nh = n; return VERS_OK; }
static int r_n_past(void *ud) { return ((rl *)ud)->nh; }
static int r_tokenize(void *ud, const char *s, int len, int *out, int cap) {
    rl *x = ud; int32_t *ids; size_t n; vers_err e;
    if (vers_tokenize(x->t, s, (size_t)len, 0, 0, &ids, &n, &e)) return -1;
    if ((int)n > cap) { free(ids); return -1; }
    for (size_t i = 0; i < n; i++) out[i] = ids[i];
    free(ids);
    return (int)n;
}
static int r_bytes(void *ud, int t, char *buf, int cap) {
    rl *x = ud;
    int ty = vers_token_type(x->t, t);
    if (ty != VERS_TOKEN_NORMAL && ty != VERS_TOKEN_BYTE) return -1;
    size_t l; const char *p = vers_token_piece(x->t, t, 0, &l);
    if (!p || !l || (int)l > cap) return -1;
    memcpy(buf, p, l);
    return (int)l;
}
static int r_special(void *ud, const char *s) { return vers_token_special(((rl *)ud)->t, s); }

#endif
