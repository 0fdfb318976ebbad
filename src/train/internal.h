/* src/train/internal.h — what the trainer's files share: the model struct with its
 * parameter/activation layout, the RNG, hashing helpers. */
#ifndef VERS_TRAIN_INTERNAL_H
#define VERS_TRAIN_INTERNAL_H
#include "vers/train.h"
#include <math.h>
#include <stdint.h>

/* xoshiro256** — small, fast, and its whole state fits in a checkpoint. */
typedef struct { uint64_t s[4]; } trng;
static inline uint64_t trng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static inline uint64_t trng_next(trng *r) {
    uint64_t *s = r->s, res = trng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = trng_rotl(s[3], 45);
    return res;
}
static inline void trng_seed(trng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) {          /* splitmix64 */
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL; z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = z ^ (z >> 31);
    }
}
/* uniform in [0, n) (n > 0), without modulo bias worth caring about for n << 2^64 */
static inline uint64_t trng_below(trng *r, uint64_t n) { return (uint64_t)(((unsigned __int128)trng_next(r) * n) >> 64); }
static inline double trng_uniform(trng *r) { return (trng_next(r) >> 11) * (1.0 / 9007199254740992.0); }
static inline double trng_normal(trng *r) {
    double u1 = trng_uniform(r), u2 = trng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* FNV-1a 64 */
static inline uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) { h ^= b[i]; h *= 0x100000001b3ULL; }
    return h;
}
#define FNV_INIT 0xcbf29ce484222325ULL

/* SHA-256 (sha256.c) */
typedef struct { uint32_t h[8]; uint64_t len; unsigned char buf[64]; size_t nbuf; } sha256_ctx;
void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
void sha256_final(sha256_ctx *c, unsigned char out[32]);
void sha256_hex(const void *data, size_t n, char hex[65]);

/* Offsets of one layer's parameters inside its block (layer-major layout).  Q, K, V rows
 * are stacked into one [D+2KVD, D] matrix and gate/up into one [2F, D] matrix so that each
 * takes one large matrix product; their GGUF tensors are row ranges of these. */
typedef struct {
    int64_t attn_norm, wqkv, wo, ffn_norm, w13, w2, size;
} tlayer_off;

enum { TP_MATMUL, TP_ATTN, TP_NORM, TP_SWIGLU, TP_ROPE, TP_RESID, TP_LOSS, TP_EMB, TP_OPT, TP_N };
struct vers_tmodel {
    vers_tconfig c;
    int prof_on; double prof[TP_N];   /* seconds per kind of work (vers_tmodel_profile) */
    void (*layer_hook)(void *ctx, int64_t off, int64_t n);   /* after each layer's backward */
    struct lstm_buf *lstm;            /* arch LSTM: its activations (lstm.c) */
    void *layer_hook_ctx;
    int prec;                      /* tg_precision of the matrix products (gemm.h) */
    int hd, kvd, qkv_ld;           /* head dim, K/V width, row length of the qkv buffer */
    tlayer_off lo;
    int64_t off_emb, off_layers, off_out_norm, off_out, n_params;
    float *params, *grads;
    vers_tparam *tensors; int n_tensors;
    /* activations for up to Bmax x Tmax tokens */
    int Bmax, Tmax, B, T;
    int *pos;
    float *rope_cs, *rope_sn;   /* [Tmax][hd/2] cos and sin of the RoPE angles (rope_table) */
    int *seg;          /* [N] first position each row attends to (document start), see doc_token */
    int32_t doc_token; /* token that starts a document (<|bos|>); -1: windows are one text */
    float *resid;      /* [L+1][N][D] residual stream entering each layer (and the last out) */
    float *rstd1, *xn1, *qkv, *att, *atty, *resid_mid, *rstd2, *xn2, *h13, *hg; /* per layer */
    float *rstdf, *xnf, *logits, *losses;
    /* gradient scratch */
    float *dresid, *dxn, *dqkv, *datty, *dh13, *dhg, *att_scratch;
};
#define TM_W(m, l, field) ((m)->params + (m)->off_layers + (int64_t)(l) * (m)->lo.size + (m)->lo.field)
#define TM_G(m, l, field) ((m)->grads + (m)->off_layers + (int64_t)(l) * (m)->lo.size + (m)->lo.field)
/* the output matrix (the embedding when tied) */
static inline float *tm_out_w(vers_tmodel *m) { return m->params + (m->c.tied ? m->off_emb : m->off_out); }
static inline float *tm_out_g(vers_tmodel *m) { return m->grads + (m->c.tied ? m->off_emb : m->off_out); }

int tconfig_check(const vers_tconfig *c, vers_err *err);
/* Appends id to a growing token array (ids < 0 are skipped); data.c. */
int push_id(int32_t **ids, size_t *n, size_t *cap, int32_t id);
/* Called by the backward after each layer (from the last down) with that layer's block of
 * parameters (offset, count): its gradient is final for this micro-batch (ranks start
 * summing it while the layers below run).  NULL: none. */
void vers_tmodel_set_layer_hook(vers_tmodel *m, void (*fn)(void *ctx, int64_t off, int64_t n), void *ctx);
/* The byte-level BPE of a GGUF file's tokenizer.ggml.* arrays with its bos/eos ids
 * (src/train/init_gguf.c). */
struct gguf_file;
int trainer_bpe_from_gguf(const struct gguf_file *g, vers_bpe **out, vers_err *err);

#endif
