/* include/vers/engine.h — public API of the engine layer: models, contexts (KV cache),
 * decoding, samplers.
 *
 *   vers_model *m;  vers_model_load("m.gguf", NULL, &m, &err);
 *   vers_ctx *c;    vers_ctx_new(m, NULL, &c, &err);
 *   vers_decode(c, ids, n, 0, &err);              // prompt, in one batch
 *   vers_sampler *s; vers_sampler_new(&sp, vers_model_n_vocab(m), &s, &err);
 *   for (;;) { int t = vers_sampler_sample(s, vers_ctx_logits(c, -1));
 *              vers_sampler_accept(s, t); vers_decode(c, &t, 1, 0, &err); }
 *
 * A context holds one sequence: tokens are appended at the current position; the cache can
 * be cut back to any earlier position (vers_ctx_truncate) and a snapshot (position + last
 * logits, a few KiB) restores an earlier state as long as the cache below it was not
 * rewritten since — that is what backtracking needs.  vers_ctx_copy duplicates a whole
 * context (beam search).  Every function that can fail returns a VERS_* code and fills err. */
#ifndef VERS_ENGINE_H
#define VERS_ENGINE_H
#include "vers/common.h"
#include <stdint.h>

typedef struct vers_model vers_model;
typedef struct vers_ctx vers_ctx;
typedef struct vers_sampler vers_sampler;

/* ---- models ---- */
typedef enum { VERS_ARCH_LLAMA = 0, VERS_ARCH_QWEN2 = 1, VERS_ARCH_GPT2 = 2,
               VERS_ARCH_LSTM = 3 /* vers-lstm: trained by vers (train.h); the engine does not run it yet */ } vers_arch;

typedef struct vers_model_params {
    int n_threads;           /* default threads of contexts made from it; 0 = vers_n_cores() */
} vers_model_params;

typedef struct vers_model_info {
    vers_arch arch;
    const char *arch_name;   /* "llama", "qwen2", "gpt2" */
    int n_vocab, n_ctx_train, n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_rot;
    float rope_base, norm_eps;
    int tied_output;         /* output matmul uses token_embd.weight */
    int wtype;               /* type of the largest weight (ggml numbering) */
    const char *wtype_name;  /* its name: "F32", "Q4_K", ... */
    uint64_t n_params;       /* parameter count of all tensors */
    uint64_t file_size;      /* bytes of the GGUF file */
    uint64_t bytes_per_token;/* weight bytes read to decode one token (all matrices, output) */
} vers_model_info;

/* Loads a GGUF model (mmap; weights used in place).  params may be NULL. */
int vers_model_load(const char *path, const vers_model_params *params, vers_model **out,
                    vers_err *err);
void vers_model_free(vers_model *m);
const vers_model_info *vers_model_get_info(const vers_model *m);
int vers_model_n_vocab(const vers_model *m);
/* The GGUF file the model was read from (struct gguf_file of src/engine/gguf.h), so that a
 * tokenizer can be built from the same metadata without opening the file twice. */
const struct gguf_file *vers_model_gguf(const vers_model *m);

/* ---- contexts: KV cache + scratch, decoding ---- */
typedef enum { VERS_KV_F32 = 0, VERS_KV_F16 = 1 } vers_kv_type;

typedef struct vers_ctx_params {
    int n_ctx;               /* positions; 0 = the model's training context */
    int n_batch;             /* tokens per forward pass (longer decodes are split, never leaving a lone
                                last token, so results do not depend on it when >= 3); 0 = sized so
                                that scratch stays under 5% of file + KV (16..512) */
    int n_threads;           /* 0 = the model's default */
    vers_kv_type kv_type;    /* VERS_KV_F32 (default) or VERS_KV_F16 (llama.cpp's default) */
} vers_ctx_params;

vers_ctx_params vers_ctx_default_params(void);
int vers_ctx_new(vers_model *m, const vers_ctx_params *params, vers_ctx **out, vers_err *err);
void vers_ctx_free(vers_ctx *c);
void vers_ctx_set_threads(vers_ctx *c, int n_threads);

/* Runs tokens[0..n) at positions pos..pos+n-1 and advances the position.  With all_logits
 * the logits of every token are kept (vers_ctx_logits(c, i), i < n), else only the last.
 * Fails (VERS_EINVAL) on a token id out of range or when the context is full. */
int vers_decode(vers_ctx *c, const int32_t *tokens, int n, int all_logits, vers_err *err);
/* Logits (n_vocab floats) of token i of the last decode; i = -1: the last one.  NULL when
 * there are none (before the first decode, or i not kept). */
const float *vers_ctx_logits(const vers_ctx *c, int i);
int vers_ctx_pos(const vers_ctx *c);      /* tokens in the cache */
int vers_ctx_n_ctx(const vers_ctx *c);
const vers_model *vers_ctx_model(const vers_ctx *c);
/* Cuts the cache back to its first n positions (n <= pos).  The last logits are lost. */
int vers_ctx_truncate(vers_ctx *c, int n);

/* Branches: several continuations of the same prefix decoded together, for a writer that
 * tries several lines at once.  vers_ctx_branch_open(c, n, cap) keeps the cache's first
 * vers_ctx_pos(c) positions as a prefix shared by n branches, each with a tail of up to cap
 * positions of its own.  vers_decode_branches runs n_rows tokens in one forward pass, row r
 * appended to branch branch[r]'s tail (rows of one branch in their order), and writes each
 * row's logits to logits[r * n_vocab].  A tail is cut back with vers_ctx_branch_truncate;
 * vers_ctx_branch_commit copies a branch's first n tail positions into the cache after the
 * prefix (the position becomes prefix + n) and closes the branches.  vers_decode and
 * vers_ctx_truncate close them too.  VERS_EUNSUPPORTED for models whose state is not a
 * KV cache (vers-lstm): decode one line after another there. */
int vers_ctx_branch_open(vers_ctx *c, int n_branch, int cap, vers_err *err);
int vers_decode_branches(vers_ctx *c, const int32_t *tokens, const int *branch, int n_rows,
                         float *logits, vers_err *err);
int vers_ctx_branch_len(const vers_ctx *c, int b);          /* -1: no such open branch */
int vers_ctx_branch_truncate(vers_ctx *c, int b, int len);
int vers_ctx_branch_commit(vers_ctx *c, int b, int n, vers_err *err);
void vers_ctx_branch_close(vers_ctx *c);

/* Snapshot of a context's state: position, last logits. */
typedef struct vers_snapshot vers_snapshot;
vers_snapshot *vers_snapshot_new(const vers_ctx *c);   /* sized for c's model; NULL: no memory */
void vers_snapshot_free(vers_snapshot *s);
void vers_ctx_save(const vers_ctx *c, vers_snapshot *s);
/* Restores c to s.  VERS_EINVAL when the cache below s's position was rewritten since the
 * save (then c is left unchanged). */
int vers_ctx_restore(vers_ctx *c, const vers_snapshot *s);
/* Makes dst (same model, n_ctx >= src's position) hold src's cache and logits. */
int vers_ctx_copy(vers_ctx *dst, const vers_ctx *src, vers_err *err);

/* ---- sampling ---- */
typedef enum { VERS_RNG_VERS = 0, VERS_RNG_LLAMA2C = 1 } vers_rng_kind;

typedef struct vers_logit_bias { int32_t token; float bias; } vers_logit_bias;

/* Edits logits in place before any other step (mask a token: set it to -INFINITY). */
typedef void (*vers_logit_hook)(void *ud, float *logits, int n_vocab);

typedef struct vers_sampler_params {
    float temp;              /* <= 0: greedy (argmax, lowest id on ties; no random draw) */
    int top_k;               /* 0 = off */
    float top_p;             /* >= 1 or <= 0 = off */
    float min_p;             /* 0 = off */
    float repeat_penalty;    /* 1 = off; llama.cpp's rule: logit > 0 ? /r : *r */
    int repeat_last_n;       /* window of accepted tokens the penalty looks at (default 64) */
    uint64_t seed;
    vers_rng_kind rng;       /* VERS_RNG_LLAMA2C: llama2.c run.c's xorshift and coin */
    const vers_logit_bias *bias; int n_bias;   /* copied by vers_sampler_new */
    vers_logit_hook hook; void *hook_ud;
} vers_sampler_params;

vers_sampler_params vers_sampler_default_params(void);  /* temp 1, off, seed 0, 64 */
int vers_sampler_new(const vers_sampler_params *p, int n_vocab, vers_sampler **out,
                     vers_err *err);
void vers_sampler_free(vers_sampler *s);
/* Picks a token from logits (n_vocab floats, not modified).  Steps, in order: hook, logit
 * bias, repetition penalty, then greedy if temp <= 0; else logits / temp, top-k, min-p
 * (drop p < min_p * p_max), softmax, top-p (llama2.c's rule), one uniform draw.
 * Returns a token id in [0, n_vocab), or -1 when no token is left (every logit is -inf or
 * NaN after the hook, bias and penalty: the caller's mask allowed nothing). */
int vers_sampler_sample(vers_sampler *s, const float *logits);
/* Records a token in the repetition window (call for prompt and generated tokens). */
void vers_sampler_accept(vers_sampler *s, int32_t token);
void vers_sampler_reset(vers_sampler *s);                  /* forget history */
/* The probabilities of the last vers_sampler_sample (after all filters; NULL if greedy). */
const float *vers_sampler_probs(const vers_sampler *s);
#endif
