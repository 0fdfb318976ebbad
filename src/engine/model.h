/* src/engine/model.h — what the engine's model files share: the loaded model (hyper-
 * parameters, weights in the mapped GGUF file, small F32 copies of norms and biases), the
 * context (KV cache, preallocated scratch) and the per-architecture forward passes.
 *
 * Shapes: a weight W (ne0 = n_in, ne1 = n_out) maps x[n_in] -> y[n_out] with vers_matmul;
 * activations are row-major [n_tok][width]. */
#ifndef VERS_MODEL_H
#define VERS_MODEL_H
#include "vers/engine.h"
#include "engine/gguf.h"
#include "engine/tensor.h"

typedef struct vers_weight {
    const void *data;        /* in the mapping */
    int type;
    int64_t n_in, n_out;
    size_t row_size;         /* bytes of one row of n_in values */
    int mm_type;             /* type code for vers_matmul: type, or VT_Q4_0_X8 once repacked */
} vers_weight;

typedef struct model_layer {
    const float *attn_norm, *attn_norm_b, *ffn_norm, *ffn_norm_b;
    const float *bq, *bk, *bv, *bqkv, *bo, *b_up, *b_down;
    vers_weight wq, wk, wv, wqkv, wo, w_gate, w_up, w_down;
    vers_weight w_ih, w_hh;  /* vers-lstm: [4E][E] each, gates i f g o */
    const float *b_lstm;     /* vers-lstm: [4E] */
} model_layer;
/* a layer's matrices, as an initializer (absent ones have data == NULL):
 *   vers_weight *w[] = LAYER_MATS(L); */
#define LAYER_MATS(L) { &(L)->wq, &(L)->wk, &(L)->wv, &(L)->wqkv, &(L)->wo, &(L)->w_gate, &(L)->w_up, &(L)->w_down, &(L)->w_ih, &(L)->w_hh }

struct vers_model {
    vers_model_info info;
    gguf_file *g;
    vers_weight tok_embd, pos_embd, output;
    const float *out_norm, *out_norm_b;
    model_layer *layers;
    float *arena;            /* owned F32 copies of every 1-D tensor */
    uint8_t *weights;        /* the product matrices, copied or repacked (model.c: place_weights) */
    size_t weights_len;      /* bytes mapped at weights */
    uint16_t *gelu_table;    /* gpt2: ggml's F16 GELU table (65536) */
    int n_threads;
    int neox;                /* rope pairs (i, i+n_rot/2) */
    int32_t lstm_bos;        /* vers-lstm: the token that restarts the state (-1 none) */
};

struct vers_ctx {
    vers_model *m;
    int n_ctx, n_batch, n_threads, n_att_threads;
    vers_kv_type kv_type;
    int pos;
    int kv_dim;              /* n_head_kv * head_dim */
    void *k_cache, *v_cache; /* [n_layer][n_head_kv][n_ctx][head_dim] of float or F16 */
    size_t kv_elt;           /* 4 or 2 */
    uint32_t *written;       /* [n_ctx]: stamp of the decode that last wrote a position */
    uint32_t stamp;
    /* scratch, sized for n_batch tokens */
    float *x, *xb, *xb2;     /* [n_batch][n_embd] */
    float *q, *k, *v;        /* [n_batch][n_head*head_dim], [n_batch][kv_dim] x2 */
    float *qkv;              /* gpt2: [n_batch][3*n_embd] */
    float *att_out;          /* [n_batch][n_head*head_dim] */
    float *hb, *hb2;         /* [n_batch][n_ff] */
    float *rope_cs;          /* [n_batch][n_rot] */
    float *att;              /* [n_att_threads][n_ctx] scores */
    uint16_t *q16;           /* [n_att_threads][head_dim] */
    float *pv_acc;           /* [n_att_threads][16][head_dim] lane accumulators */
    void *xq;                /* [n_batch] activation rows converted for the weights' kernels */
    size_t xq_row;           /* bytes of the widest converted row */
    float *logits;           /* [logits_cap][n_vocab] */
    int logits_cap;
    int n_logits;            /* rows of the last decode kept in logits */
    int logits_first;        /* token index (in the last decode) of logits row 0 */
    int n_last;              /* tokens in the last decode */
    /* branches (branch.c): tails after a shared prefix of br_base positions */
    int n_branch, br_cap, br_base, br_alloc;   /* open branches, positions per tail, prefix, tails allocated */
    void *bk_cache, *bv_cache;                 /* [br_alloc][n_layer][n_head_kv][br_cap][head_dim] */
    int *br_len;                               /* [br_alloc] positions in each tail */
    float *br_tmp;                             /* [n_att_threads][head_dim] attention scratch */
    /* the rows of the forward pass in progress when it runs on branches (NULL: the cache):
     * row t is at position row_pos[t], tail slot row_slot[t] of branch row_branch[t] */
    const int *row_branch;
    int *row_pos, *row_slot;                   /* [n_batch] */
};
/* the position of row t of the forward pass in progress */
static inline int model_row_pos(const vers_ctx *c, int t) { return c->row_branch ? c->row_pos[t] : c->pos + t; }

/* forward passes: run n tokens (n <= n_batch) at c->pos .. c->pos+n-1, store K,V, and
 * write logits of tokens [out_first, n) into out[(t-out_first)*n_vocab]. */
int model_forward_llama(vers_ctx *c, const int32_t *tok, int n, int out_first, float *out);
int model_forward_gpt2(vers_ctx *c, const int32_t *tok, int n, int out_first, float *out);
int model_forward_lstm(vers_ctx *c, const int32_t *tok, int n, int out_first, float *out);

/* kv.c: store K,V rows of tokens at positions pos..pos+n-1 of layer l;
 * attention of n query tokens (at pos0 .. pos0+n-1) over the cache of layer l. */
void kv_store(vers_ctx *c, int l, int pos0, int n, const float *k, const float *v);
void kv_attend(vers_ctx *c, int l, int pos0, int n, const float *q, float *out);

/* weights.c: the product matrices of a loaded model copied (huge pages) or repacked into
 * m->weights, or left in the file mapping; and that region unmapped. */
int model_place_weights(vers_model *m, vers_err *err);
void model_weights_free(vers_model *m);

/* threads for a matmul of this size (1 when a parallel region would cost more than it saves) */
int model_mm_threads(const vers_ctx *c, int64_t n_in, int64_t n_out, int64_t n_tok);
/* y[n_tok][n_out] = x[n_tok][n_in] W^T (+ bias) */
void model_matmul(vers_ctx *c, float *y, const vers_weight *w, const float *x, int n_tok,
                  const float *bias);
/* Several products of the same input (Q, K, V; gate, up): the activations are converted
 * once per kernel input type, into the context's buffer (no allocation). */
void model_matmul_n(vers_ctx *c, int n_w, float *const *ys, const vers_weight *const *ws,
                    const float *const *biases, const float *x, int n_tok);
/* the input embedding rows of n tokens */
int model_embed(const vers_model *m, const int32_t *tok, int n, float *x);
/* logits of tokens out_first..n-1: output (rmsnorm(x) * output_norm), via c->xb */
void model_head_rms(vers_ctx *c, const float *x, int n, int out_first, float *out);
#endif
