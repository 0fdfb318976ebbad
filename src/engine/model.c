/* src/engine/model.c — loading a model from GGUF (architectures llama, qwen2, gpt2: every
 * hyperparameter read from the metadata and checked, every tensor's shape and type checked
 * before use), contexts, decoding in batches, truncation and snapshots.
 * The forward passes are in model_llama.c and model_gpt2.c, attention in kv.c. */
#include "engine/model.h"
#include "engine/ops.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIM (1 << 20)

/* ---- metadata ---- */

static int get_u32_key(const gguf_file *g, const char *arch, const char *suffix, int required,
                       uint32_t def, uint32_t *out, vers_err *err) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    int rc = gguf_get_u32(g, key, out);
    if (rc == VERS_ENOTFOUND && !required) { *out = def; return VERS_OK; }
    if (rc == VERS_ENOTFOUND) return vers_errorf(err, VERS_EFORMAT, "missing metadata key %s", key);
    if (rc) return vers_errorf(err, VERS_EFORMAT, "metadata key %s: not an unsigned integer", key);
    return VERS_OK;
}

static int get_f32_key(const gguf_file *g, const char *arch, const char *suffix, int required,
                       float def, float *out, vers_err *err) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    int rc = gguf_get_f32(g, key, out);
    if (rc == VERS_ENOTFOUND && !required) { *out = def; return VERS_OK; }
    if (rc == VERS_ENOTFOUND) return vers_errorf(err, VERS_EFORMAT, "missing metadata key %s", key);
    if (rc || !isfinite(*out)) return vers_errorf(err, VERS_EFORMAT, "metadata key %s: not a number", key);
    return VERS_OK;
}

/* ---- tensors ---- */

static int find_tensor(const gguf_file *g, const char *name, int required, const gguf_tensor **out,
                       vers_err *err) {
    *out = gguf_find_tensor(g, name);
    if (!*out && required) return vers_errorf(err, VERS_EFORMAT, "missing tensor %s", name);
    return VERS_OK;
}

static int check_shape(const gguf_tensor *t, const char *name, int n_dims, int64_t ne0, int64_t ne1,
                       vers_err *err) {
    int64_t want[GGUF_MAX_DIMS] = { ne0, n_dims > 1 ? ne1 : 1, 1, 1 };
    int ok = t->n_dims == n_dims;
    for (int i = 0; i < GGUF_MAX_DIMS; i++) ok = ok && t->ne[i] == want[i];
    if (!ok) {
        if (n_dims == 1)
            return vers_errorf(err, VERS_EFORMAT, "tensor %s: shape (%lld,%lld) but expected (%lld)", name,
                               (long long)t->ne[0], (long long)t->ne[1], (long long)ne0);
        return vers_errorf(err, VERS_EFORMAT, "tensor %s: shape (%lld,%lld) but expected (%lld,%lld)",
                           name, (long long)t->ne[0], (long long)t->ne[1], (long long)ne0, (long long)ne1);
    }
    const vers_type_traits *tt = vers_type_get(t->type);
    if (!tt || !tt->name || !tt->supported)
        return vers_errorf(err, VERS_EUNSUPPORTED, "tensor %s: unsupported type %s (%d)", name,
                           vers_type_name(t->type), t->type);
    size_t rs = vers_row_size(t->type, ne0);
    if (rs == 0)
        return vers_errorf(err, VERS_EFORMAT, "tensor %s: row of %lld not a multiple of the %s block",
                           name, (long long)ne0, tt->name);
    if (t->nbytes < rs * (size_t)(n_dims > 1 ? ne1 : 1) || !t->data)
        return vers_errorf(err, VERS_EFORMAT, "tensor %s: data too short", name);
    return VERS_OK;
}

/* 2-D weight (n_in, n_out) */
static int load_weight(vers_model *m, const char *name, int64_t n_in, int64_t n_out, int required,
                       vers_weight *w, vers_err *err) {
    const gguf_tensor *t;
    int rc = find_tensor(m->g, name, required, &t, err);
    if (rc) return rc;
    memset(w, 0, sizeof *w);
    if (!t) return VERS_OK;
    if ((rc = check_shape(t, name, 2, n_in, n_out, err))) return rc;
    w->data = t->data;
    w->type = t->type;
    w->n_in = n_in;
    w->n_out = n_out;
    w->row_size = vers_row_size(t->type, n_in);
    w->mm_type = t->type;
    return VERS_OK;
}

/* 1-D tensor of n values, converted to F32 into the arena. */
static int load_vec(vers_model *m, const char *name, int64_t n, int required, float **arena,
                    const float **out, vers_err *err) {
    const gguf_tensor *t;
    int rc = find_tensor(m->g, name, required, &t, err);
    *out = NULL;
    if (rc || !t) return rc;
    if ((rc = check_shape(t, name, 1, n, 1, err))) return rc;
    if (vers_to_float(t->type, t->data, *arena, n))
        return vers_errorf(err, VERS_EUNSUPPORTED, "tensor %s: cannot convert type %s", name,
                           vers_type_name(t->type));
    *out = *arena;
    *arena += n;
    return VERS_OK;
}

static int load_tensors(vers_model *m, vers_err *err) {
    vers_model_info *hp = &m->info;
    const int64_t E = hp->n_embd, V = hp->n_vocab, F = hp->n_ff;
    const int64_t QD = (int64_t)hp->n_head * hp->head_dim, KD = (int64_t)hp->n_head_kv * hp->head_dim;
    const int gpt2 = hp->arch == VERS_ARCH_GPT2, qwen2 = hp->arch == VERS_ARCH_QWEN2;
    size_t n_floats = 2 * (size_t)E + (size_t)hp->n_layer * (4 * E + QD + 2 * KD + 3 * E + F + E);
    m->arena = malloc(sizeof(float) * n_floats);
    m->layers = calloc((size_t)hp->n_layer, sizeof(model_layer));
    if (!m->arena || !m->layers) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    float *a = m->arena;
    int rc;
    char name[96];
    if ((rc = load_weight(m, "token_embd.weight", E, V, 1, &m->tok_embd, err))) return rc;
    if (gpt2 && (rc = load_weight(m, "position_embd.weight", E, hp->n_ctx_train, 1, &m->pos_embd, err)))
        return rc;
    if ((rc = load_weight(m, "output.weight", E, V, 0, &m->output, err))) return rc;
    hp->tied_output = m->output.data == NULL;
    if (hp->tied_output) m->output = m->tok_embd;
    if ((rc = load_vec(m, "output_norm.weight", E, 1, &a, &m->out_norm, err))) return rc;
    if (gpt2 && (rc = load_vec(m, "output_norm.bias", E, 1, &a, &m->out_norm_b, err))) return rc;
#define W(field, nm, nin, nout) \
    do { snprintf(name, sizeof name, "blk.%d.%s.weight", l, nm); \
         if ((rc = load_weight(m, name, nin, nout, 1, &L->field, err))) return rc; } while (0)
#define VEC(field, nm, suf, n) \
    do { snprintf(name, sizeof name, "blk.%d.%s.%s", l, nm, suf); \
         if ((rc = load_vec(m, name, n, 1, &a, &L->field, err))) return rc; } while (0)
    for (int l = 0; l < hp->n_layer && hp->arch == VERS_ARCH_LSTM; l++) {
        model_layer *L = &m->layers[l];
        W(w_ih, "lstm_ih", E, 4 * E);
        W(w_hh, "lstm_hh", E, 4 * E);
        VEC(b_lstm, "lstm_b", "bias", 4 * E);
    }
    for (int l = 0; l < hp->n_layer && hp->arch != VERS_ARCH_LSTM; l++) {
        model_layer *L = &m->layers[l];
        VEC(attn_norm, "attn_norm", "weight", E);
        VEC(ffn_norm, "ffn_norm", "weight", E);
        W(wo, "attn_output", QD, E);
        W(w_up, "ffn_up", E, F);
        W(w_down, "ffn_down", F, E);
        if (gpt2) {
            VEC(attn_norm_b, "attn_norm", "bias", E);
            VEC(ffn_norm_b, "ffn_norm", "bias", E);
            W(wqkv, "attn_qkv", E, 3 * E);
            VEC(bqkv, "attn_qkv", "bias", 3 * E);
            VEC(bo, "attn_output", "bias", E);
            VEC(b_up, "ffn_up", "bias", F);
            VEC(b_down, "ffn_down", "bias", E);
        } else {
            W(wq, "attn_q", E, QD);
            W(wk, "attn_k", E, KD);
            W(wv, "attn_v", E, KD);
            W(w_gate, "ffn_gate", E, F);
            if (qwen2) {
                VEC(bq, "attn_q", "bias", QD);
                VEC(bk, "attn_k", "bias", KD);
                VEC(bv, "attn_v", "bias", KD);
            }
        }
    }
#undef W
#undef VEC
    if ((size_t)(a - m->arena) > n_floats) return vers_errorf(err, VERS_EFAIL, "internal: arena overflow");
    return model_place_weights(m, err);
}

/* vers-lstm (trained by vers train --arch lstm, docs/TRAINING.md): embedding_length E,
 * block_count L, context_length, layer_norm_rms_epsilon; the state of a layer at each
 * position (h, c) is kept in its K and V cache rows (one "head" of E values). */
static int read_hparams_lstm(vers_model *m, vers_err *err) {
    const gguf_file *g = m->g;
    vers_model_info *hp = &m->info;
    const char *arch = "vers-lstm";
    uint32_t n_embd, n_layer, n_ctx, bos;
    int rc;
    hp->arch = VERS_ARCH_LSTM; hp->arch_name = arch;
    if ((rc = get_u32_key(g, arch, "embedding_length", 1, 0, &n_embd, err))) return rc;
    if ((rc = get_u32_key(g, arch, "block_count", 1, 0, &n_layer, err))) return rc;
    if ((rc = get_u32_key(g, arch, "context_length", 1, 0, &n_ctx, err))) return rc;
    if ((rc = get_f32_key(g, arch, "layer_norm_rms_epsilon", 1, 0, &hp->norm_eps, err))) return rc;
    if (n_embd == 0 || n_embd > MAX_DIM / 4) return vers_errorf(err, VERS_EFORMAT, "bad embedding_length %u", n_embd);
    if (n_layer == 0 || n_layer > 4096) return vers_errorf(err, VERS_EFORMAT, "bad block_count %u", n_layer);
    if (n_ctx == 0 || n_ctx > (1u << 24)) return vers_errorf(err, VERS_EFORMAT, "bad context_length %u", n_ctx);
    if (!(hp->norm_eps >= 0.0f)) return vers_errorf(err, VERS_EFORMAT, "bad norm epsilon %g", hp->norm_eps);
    const gguf_tensor *te = gguf_find_tensor(g, "token_embd.weight");
    if (!te || te->n_dims != 2 || te->ne[0] != n_embd || te->ne[1] <= 0 || te->ne[1] > (1 << 24))
        return vers_errorf(err, VERS_EFORMAT, "tensor token_embd.weight missing or of a bad shape");
    hp->n_vocab = (int)te->ne[1];
    hp->n_embd = (int)n_embd; hp->n_layer = (int)n_layer; hp->n_ctx_train = (int)n_ctx;
    hp->n_head = hp->n_head_kv = 1; hp->head_dim = (int)n_embd;
    hp->n_ff = 4 * (int)n_embd;            /* the gates, in the FFN buffers */
    hp->n_rot = 0; hp->rope_base = 10000.0f;
    m->lstm_bos = gguf_get_u32(g, "tokenizer.ggml.bos_token_id", &bos) == VERS_OK ? (int32_t)bos : -1;
    return VERS_OK;
}

static int read_hparams(vers_model *m, vers_err *err) {
    const gguf_file *g = m->g;
    vers_model_info *hp = &m->info;
    gguf_str s;
    if (gguf_get_str(g, "general.architecture", &s))
        return vers_errorf(err, VERS_EFORMAT, "missing metadata key general.architecture");
    const char *arch;
    if (gguf_str_eq(s, "vers-lstm")) return read_hparams_lstm(m, err);
    if (gguf_str_eq(s, "llama")) { hp->arch = VERS_ARCH_LLAMA; arch = "llama"; }
    else if (gguf_str_eq(s, "qwen2")) { hp->arch = VERS_ARCH_QWEN2; arch = "qwen2"; }
    else if (gguf_str_eq(s, "gpt2")) { hp->arch = VERS_ARCH_GPT2; arch = "gpt2"; }
    else return vers_errorf(err, VERS_EUNSUPPORTED, "unsupported architecture '%.*s'",
                            (int)(s.len > 64 ? 64 : s.len), s.ptr);
    hp->arch_name = arch;
    uint32_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx, n_rot, kl, vl;
    int rc;
    if ((rc = get_u32_key(g, arch, "embedding_length", 1, 0, &n_embd, err))) return rc;
    if ((rc = get_u32_key(g, arch, "block_count", 1, 0, &n_layer, err))) return rc;
    if ((rc = get_u32_key(g, arch, "attention.head_count", 1, 0, &n_head, err))) return rc;
    if ((rc = get_u32_key(g, arch, "attention.head_count_kv", 0, n_head, &n_head_kv, err))) return rc;
    if ((rc = get_u32_key(g, arch, "feed_forward_length", 1, 0, &n_ff, err))) return rc;
    if ((rc = get_u32_key(g, arch, "context_length", 1, 0, &n_ctx, err))) return rc;
    if (n_embd == 0 || n_embd > MAX_DIM || n_head == 0 || n_head > n_embd || n_embd % n_head)
        return vers_errorf(err, VERS_EFORMAT, "bad dimensions: embedding_length %u, head_count %u",
                           n_embd, n_head);
    const uint32_t head_dim = n_embd / n_head;
    if ((rc = get_u32_key(g, arch, "rope.dimension_count", 0, head_dim, &n_rot, err))) return rc;
    if ((rc = get_u32_key(g, arch, "attention.key_length", 0, head_dim, &kl, err))) return rc;
    if ((rc = get_u32_key(g, arch, "attention.value_length", 0, head_dim, &vl, err))) return rc;
    if (n_layer == 0 || n_layer > 4096) return vers_errorf(err, VERS_EFORMAT, "bad block_count %u", n_layer);
    if (n_head_kv == 0 || n_head_kv > n_head || n_head % n_head_kv)
        return vers_errorf(err, VERS_EFORMAT, "bad head_count_kv %u for head_count %u", n_head_kv, n_head);
    if (n_ff == 0 || n_ff > MAX_DIM) return vers_errorf(err, VERS_EFORMAT, "bad feed_forward_length %u", n_ff);
    if (n_ctx == 0 || n_ctx > (1u << 24)) return vers_errorf(err, VERS_EFORMAT, "bad context_length %u", n_ctx);
    if (kl != head_dim || vl != head_dim)
        return vers_errorf(err, VERS_EUNSUPPORTED, "key/value length %u/%u differ from head size %u",
                           kl, vl, head_dim);
    if (hp->arch != VERS_ARCH_GPT2 && (n_rot == 0 || n_rot > head_dim || n_rot % 2))
        return vers_errorf(err, VERS_EFORMAT, "bad rope.dimension_count %u (head size %u)", n_rot, head_dim);
    if ((rc = get_f32_key(g, arch, "rope.freq_base", 0, 10000.0f, &hp->rope_base, err))) return rc;
    if (hp->arch == VERS_ARCH_GPT2) {
        if ((rc = get_f32_key(g, arch, "attention.layer_norm_epsilon", 1, 0, &hp->norm_eps, err))) return rc;
    } else {
        if ((rc = get_f32_key(g, arch, "attention.layer_norm_rms_epsilon", 1, 0, &hp->norm_eps, err))) return rc;
    }
    if (!(hp->rope_base > 0.0f) || !(hp->norm_eps >= 0.0f))
        return vers_errorf(err, VERS_EFORMAT, "bad rope base %g or norm epsilon %g", hp->rope_base, hp->norm_eps);
    const gguf_tensor *te = gguf_find_tensor(g, "token_embd.weight");
    if (!te) return vers_errorf(err, VERS_EFORMAT, "missing tensor token_embd.weight");
    if (te->n_dims != 2 || te->ne[1] <= 0 || te->ne[1] > (1 << 24))
        return vers_errorf(err, VERS_EFORMAT, "tensor token_embd.weight: bad shape");
    hp->n_vocab = (int)te->ne[1];
    hp->n_embd = (int)n_embd;
    hp->n_layer = (int)n_layer;
    hp->n_head = (int)n_head;
    hp->n_head_kv = (int)n_head_kv;
    hp->head_dim = (int)head_dim;
    hp->n_ff = (int)n_ff;
    hp->n_ctx_train = (int)n_ctx;
    hp->n_rot = hp->arch == VERS_ARCH_GPT2 ? 0 : (int)n_rot;
    m->neox = hp->arch == VERS_ARCH_QWEN2;
    return VERS_OK;
}

int vers_model_load(const char *path, const vers_model_params *params, vers_model **out,
                    vers_err *err) {
    *out = NULL;
    vers_model *m = calloc(1, sizeof *m);
    if (!m) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    m->n_threads = params && params->n_threads > 0 ? params->n_threads : vers_n_cores();
    int rc = gguf_open(path, &m->g, err);
    if (!rc) rc = read_hparams(m, err);
    if (!rc) rc = load_tensors(m, err);
    if (!rc && m->info.arch == VERS_ARCH_GPT2) {
        m->gelu_table = malloc(sizeof(uint16_t) * 65536);
        if (!m->gelu_table) rc = vers_errorf(err, VERS_ENOMEM, "out of memory");
        else ops_gelu_table(m->gelu_table);
    }
    if (rc) { vers_model_free(m); return rc; }
    uint64_t np = 0;
    size_t biggest = 0;
    for (uint64_t i = 0; i < m->g->n_tensors; i++) {
        const gguf_tensor *t = &m->g->tensors[i];
        uint64_t ne = 1;
        for (int d = 0; d < t->n_dims; d++) ne *= (uint64_t)t->ne[d];
        np += ne;
        if (t->nbytes > biggest) { biggest = t->nbytes; m->info.wtype = t->type; }
    }
    m->info.n_params = np;
    m->info.wtype_name = vers_type_name(m->info.wtype);
    uint64_t bpt = (uint64_t)m->output.row_size * (uint64_t)m->output.n_out;
    for (int l = 0; l < m->info.n_layer; l++) {
        const model_layer *L = &m->layers[l];
        const vers_weight *w[] = LAYER_MATS(L);
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            if (w[i]->data) bpt += (uint64_t)w[i]->row_size * (uint64_t)w[i]->n_out;
    }
    m->info.bytes_per_token = bpt;
    m->info.file_size = m->g->size;
    *out = m;
    return VERS_OK;
}

void vers_model_free(vers_model *m) {
    if (!m) return;
    if (m->g) gguf_close(m->g);
    model_weights_free(m);
    free(m->arena);
    free(m->layers);
    free(m->gelu_table);
    free(m);
}

const vers_model_info *vers_model_get_info(const vers_model *m) { return &m->info; }
int vers_model_n_vocab(const vers_model *m) { return m->info.n_vocab; }
const struct gguf_file *vers_model_gguf(const vers_model *m) { return m->g; }

/* ---- shared pieces of the forward passes ---- */

int model_mm_threads(const vers_ctx *c, int64_t n_in, int64_t n_out, int64_t n_tok) {
    /* a parallel region costs a few microseconds: not worth it below ~64K multiply-adds */
    return n_in * n_out * n_tok >= (1 << 16) ? c->n_threads : 1;
}

void model_matmul_n(vers_ctx *c, int n_w, float *const *ys, const vers_weight *const *ws,
                    const float *const *biases, const float *x, int n_tok) {
    int converted = -1;   /* vec_dot_type now in c->xq */
    for (int i = 0; i < n_w; i++) {
        const vers_weight *w = ws[i];
        const int vt = vers_type_get(w->type)->vec_dot_type;
        const int nt = model_mm_threads(c, w->n_in, w->n_out, n_tok);
        if (vt == VT_F32) {
            vers_matmul(ys[i], w->data, w->mm_type, x, w->n_in, w->n_out, n_tok, nt);
        } else {
            if (vt != converted) {
                vers_act_convert(w->type, x, c->xq, w->n_in, n_tok);
                converted = vt;
            }
            vers_matmul_prepared(ys[i], w->data, w->mm_type, c->xq, w->n_in, w->n_out, n_tok, nt);
        }
        if (biases && biases[i])
            for (int t = 0; t < n_tok; t++) ops_add(ys[i] + (size_t)t * w->n_out, biases[i], (int)w->n_out);
    }
}

void model_matmul(vers_ctx *c, float *y, const vers_weight *w, const float *x, int n_tok,
                  const float *bias) {
    model_matmul_n(c, 1, &y, &w, &bias, x, n_tok);
}

/* bytes of the widest activation row any weight of m needs */
static size_t max_act_row(const vers_model *m) {
    size_t mx = vers_act_row_size(m->output.type, m->output.n_in);
    for (int l = 0; l < m->info.n_layer; l++) {
        const model_layer *L = &m->layers[l];
        const vers_weight *w[] = LAYER_MATS(L);
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
            if (!w[i]->data) continue;
            size_t r = vers_act_row_size(w[i]->type, w[i]->n_in);
            if (r > mx) mx = r;
        }
    }
    return mx;
}

void model_head_rms(vers_ctx *c, const float *x, int n, int out_first, float *out) {
    const vers_model *m = c->m;
    const int E = m->info.n_embd, n_out = n - out_first;
    if (n_out <= 0) return;
    for (int t = out_first; t < n; t++)
        ops_rmsnorm(c->xb + (size_t)(t - out_first) * E, x + (size_t)t * E, m->out_norm, E, m->info.norm_eps);
    model_matmul(c, out, &m->output, c->xb, n_out, NULL);
}

int model_embed(const vers_model *m, const int32_t *tok, int n, float *x) {
    const vers_weight *w = &m->tok_embd;
    for (int t = 0; t < n; t++) {
        const uint8_t *row = (const uint8_t *)w->data + (size_t)tok[t] * w->row_size;
        if (vers_to_float(w->type, row, x + (size_t)t * w->n_in, w->n_in)) return VERS_EUNSUPPORTED;
    }
    return VERS_OK;
}

/* ---- contexts ---- */

/* Tokens per forward pass when the caller leaves it to us.  The scratch of a pass grows with
 * it (per_token bytes a token), and a model's resident memory should stay within its file
 * and KV cache plus a few percent: 5% of those go to scratch, at least 16 tokens (below that
 * the per-pass thread start-ups show in prompt speed), at most 512 (llama.cpp's ubatch; a
 * longer batch reads the weights no less often per token once they stream from memory). */
static int default_n_batch(size_t model_bytes, size_t per_token) {
    size_t n = per_token ? model_bytes / 20 / per_token : 512;
    int b = 16;
    while (b < 512 && (size_t)b * 2 <= n) b *= 2;
    return b;
}

vers_ctx_params vers_ctx_default_params(void) {
    vers_ctx_params p = { 0, 0, 0, VERS_KV_F32 };
    return p;
}

void vers_ctx_free(vers_ctx *c) {
    if (!c) return;
    free(c->k_cache); free(c->v_cache); free(c->written);
    free(c->x); free(c->xb); free(c->xb2); free(c->q); free(c->k); free(c->v); free(c->qkv);
    free(c->att_out); free(c->hb); free(c->hb2); free(c->rope_cs); free(c->att); free(c->q16); free(c->pv_acc); free(c->xq);
    free(c->logits);
    free(c->bk_cache); free(c->bv_cache); free(c->br_len); free(c->br_tmp); free(c->row_pos); free(c->row_slot);
    free(c);
}

static void *alloc_f(size_t n, size_t elt) { return malloc((n ? n : 1) * elt); }

int vers_ctx_new(vers_model *m, const vers_ctx_params *params, vers_ctx **out, vers_err *err) {
    *out = NULL;
    vers_ctx_params p = params ? *params : vers_ctx_default_params();
    const vers_model_info *hp = &m->info;
    if (p.n_ctx < 0 || p.n_batch < 0 || p.n_threads < 0 ||
        (p.kv_type != VERS_KV_F32 && p.kv_type != VERS_KV_F16))
        return vers_errorf(err, VERS_EINVAL, "context: invalid parameters");
    vers_ctx *c = calloc(1, sizeof *c);
    if (!c) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    c->m = m;
    c->n_ctx = p.n_ctx ? p.n_ctx : hp->n_ctx_train;
    if (hp->arch == VERS_ARCH_GPT2 && c->n_ctx > hp->n_ctx_train) {
        free(c);
        return vers_errorf(err, VERS_EINVAL, "context of %d positions: gpt2 has position embeddings for %d",
                           p.n_ctx, hp->n_ctx_train);
    }
    c->n_threads = p.n_threads ? p.n_threads : m->n_threads;
    c->n_att_threads = c->n_threads;
    if (hp->arch == VERS_ARCH_LSTM) p.kv_type = VERS_KV_F32;   /* the LSTM's states, not rounded */
    c->kv_type = p.kv_type;
    c->kv_dim = hp->n_head_kv * hp->head_dim;
    c->kv_elt = p.kv_type == VERS_KV_F16 ? 2 : 4;
    c->xq_row = max_act_row(m);
    const size_t E = (size_t)hp->n_embd, QD = (size_t)hp->n_head * hp->head_dim;
    const size_t kv_n = (size_t)hp->n_layer * (size_t)c->n_ctx * (size_t)c->kv_dim;
    c->n_batch = p.n_batch ? p.n_batch
                           : default_n_batch((size_t)hp->file_size + 2 * kv_n * c->kv_elt,
                                             4 * (3 * E + 2 * QD + 2 * (size_t)c->kv_dim + 2 * (size_t)hp->n_ff +
                                                  (size_t)hp->n_rot + (hp->arch == VERS_ARCH_GPT2 ? 3 * E : 0)) +
                                                 c->xq_row);
    if (c->n_batch > c->n_ctx) c->n_batch = c->n_ctx;
    const size_t B = (size_t)c->n_batch;
    c->k_cache = alloc_f(kv_n, c->kv_elt);
    c->v_cache = alloc_f(kv_n, c->kv_elt);
    c->written = calloc((size_t)c->n_ctx, sizeof(uint32_t));
    c->x = alloc_f(B * E, 4); c->xb = alloc_f(B * E, 4); c->xb2 = alloc_f(B * E, 4);
    c->q = alloc_f(B * QD, 4); c->k = alloc_f(B * c->kv_dim, 4); c->v = alloc_f(B * c->kv_dim, 4);
    if (hp->arch == VERS_ARCH_GPT2) c->qkv = alloc_f(B * 3 * E, 4);
    c->att_out = alloc_f(B * QD, 4);
    c->hb = alloc_f(B * hp->n_ff, 4); c->hb2 = alloc_f(B * hp->n_ff, 4);
    c->rope_cs = alloc_f(B * (size_t)(hp->n_rot ? hp->n_rot : 1), 4);
    c->att = alloc_f((size_t)c->n_att_threads * c->n_ctx, 4);
    c->q16 = alloc_f((size_t)c->n_att_threads * hp->head_dim, 2);
    c->pv_acc = alloc_f((size_t)c->n_att_threads * 16 * hp->head_dim, 4);
    c->xq = alloc_f(B * c->xq_row, 1);
    c->logits_cap = 1;
    c->logits = alloc_f((size_t)hp->n_vocab, 4);
    if (!c->k_cache || !c->v_cache || !c->written || !c->x || !c->xb || !c->xb2 || !c->q || !c->k ||
        !c->v || (hp->arch == VERS_ARCH_GPT2 && !c->qkv) || !c->att_out || !c->hb || !c->hb2 ||
        !c->rope_cs || !c->att || !c->q16 || !c->pv_acc || !c->xq || !c->logits) {
        vers_ctx_free(c);
        return vers_errorf(err, VERS_ENOMEM, "out of memory for a context of %d positions", p.n_ctx);
    }
    *out = c;
    return VERS_OK;
}

void vers_ctx_set_threads(vers_ctx *c, int n_threads) {
    int n = n_threads > 0 ? n_threads : c->m->n_threads;
    if (n > c->n_att_threads) n = c->n_att_threads;   /* scratch was sized for this many */
    c->n_threads = n;
}

int vers_ctx_pos(const vers_ctx *c) { return c->pos; }
int vers_ctx_n_ctx(const vers_ctx *c) { return c->n_ctx; }
const vers_model *vers_ctx_model(const vers_ctx *c) { return c->m; }

int vers_decode(vers_ctx *c, const int32_t *tokens, int n, int all_logits, vers_err *err) {
    const int n_vocab = c->m->info.n_vocab;
    c->n_branch = 0;                       /* the prefix may change: branches are closed */
    if (n <= 0 || !tokens) return vers_errorf(err, VERS_EINVAL, "decode: no tokens");
    if (n > c->n_ctx - c->pos)
        return vers_errorf(err, VERS_EINVAL, "context full: %d + %d tokens > %d positions", c->pos, n, c->n_ctx);
    for (int i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= n_vocab)
            return vers_errorf(err, VERS_EINVAL, "token id %d out of range (vocabulary of %d)",
                               (int)tokens[i], n_vocab);
    int rows = all_logits ? n : 1;
    if (rows > c->logits_cap) {
        float *nl = realloc(c->logits, sizeof(float) * (size_t)rows * (size_t)n_vocab);
        if (!nl) return vers_errorf(err, VERS_ENOMEM, "out of memory for %d rows of logits", rows);
        c->logits = nl;
        c->logits_cap = rows;
    }
    c->n_logits = 0;
    c->stamp++;
    if (c->stamp == 0) {   /* wrapped: old snapshots can no longer be told apart */
        for (int i = 0; i < c->n_ctx; i++) c->written[i] = 1;
        c->stamp = 2;
    }
    for (int done = 0; done < n;) {
        int nb = n - done < c->n_batch ? n - done : c->n_batch;
        /* never a lone last token: one token takes the decode kernels, whose sums for F16/F32
         * weights and an F16 cache are in another order than a batch's (as in llama.cpp) */
        if (n - done - nb == 1 && nb > 2) nb--;
        int first = all_logits ? 0 : (done + nb == n ? nb - 1 : nb);
        float *out = c->logits + (size_t)(all_logits ? done : 0) * n_vocab;
        for (int i = 0; i < nb; i++) c->written[c->pos + i] = c->stamp;
        int rc = c->m->info.arch == VERS_ARCH_GPT2   ? model_forward_gpt2(c, tokens + done, nb, first, out)
                 : c->m->info.arch == VERS_ARCH_LSTM ? model_forward_lstm(c, tokens + done, nb, first, out)
                                                     : model_forward_llama(c, tokens + done, nb, first, out);
        if (rc) return vers_errorf(err, rc, "decode failed (tensor conversion)");
        c->pos += nb;
        done += nb;
    }
    c->n_logits = rows;
    c->logits_first = all_logits ? 0 : n - 1;
    c->n_last = n;
    return VERS_OK;
}

const float *vers_ctx_logits(const vers_ctx *c, int i) {
    if (c->n_logits == 0) return NULL;
    if (i == -1) i = c->n_last - 1;
    int row = i - c->logits_first;
    if (row < 0 || row >= c->n_logits) return NULL;
    return c->logits + (size_t)row * c->m->info.n_vocab;
}

int vers_ctx_truncate(vers_ctx *c, int n) {
    if (n < 0 || n > c->pos) return VERS_EINVAL;
    c->n_branch = 0;
    if (n < c->pos) c->n_logits = 0;
    c->pos = n;
    return VERS_OK;
}

/* ---- snapshots ---- */

struct vers_snapshot {
    const vers_ctx *owner;
    int pos, n_vocab, has_logits;
    uint32_t stamp;
    float logits[];
};

vers_snapshot *vers_snapshot_new(const vers_ctx *c) {
    int nv = c->m->info.n_vocab;
    vers_snapshot *s = calloc(1, sizeof *s + sizeof(float) * (size_t)nv);
    if (s) s->n_vocab = nv;
    return s;
}

void vers_snapshot_free(vers_snapshot *s) { free(s); }

void vers_ctx_save(const vers_ctx *c, vers_snapshot *s) {
    s->owner = c;
    s->pos = c->pos;
    s->stamp = c->stamp;
    const float *l = vers_ctx_logits(c, -1);
    s->has_logits = l != NULL && s->n_vocab == c->m->info.n_vocab;
    if (s->has_logits) memcpy(s->logits, l, sizeof(float) * (size_t)s->n_vocab);
}

int vers_ctx_restore(vers_ctx *c, const vers_snapshot *s) {
    if (s->owner != c || s->pos > c->n_ctx) return VERS_EINVAL;
    for (int i = 0; i < s->pos; i++)
        if (c->written[i] > s->stamp) return VERS_EINVAL;   /* rewritten since the save */
    /* positions >= s->pos beyond c->pos were never part of s; below it the cache holds s's data */
    if (s->pos > c->pos) {
        for (int i = c->pos; i < s->pos; i++)
            if (c->written[i] == 0) return VERS_EINVAL;
    }
    c->pos = s->pos;
    c->n_logits = 0;
    if (s->has_logits) {
        memcpy(c->logits, s->logits, sizeof(float) * (size_t)s->n_vocab);
        c->n_logits = 1;
        c->logits_first = 0;
        c->n_last = 1;
    }
    return VERS_OK;
}

int vers_ctx_copy(vers_ctx *dst, const vers_ctx *src, vers_err *err) {
    if (dst->m != src->m || dst->kv_type != src->kv_type)
        return vers_errorf(err, VERS_EINVAL, "context copy: different model or KV type");
    if (src->pos > dst->n_ctx)
        return vers_errorf(err, VERS_EINVAL, "context copy: %d positions do not fit in %d", src->pos, dst->n_ctx);
    /* [n_layer][n_head_kv][n_ctx][head_dim]: a run of pos rows per layer and head */
    const size_t row = (size_t)src->m->info.head_dim * src->kv_elt;
    const int n_runs = src->m->info.n_layer * src->m->info.n_head_kv;
    for (int i = 0; i < n_runs; i++) {
        size_t so = (size_t)i * src->n_ctx * row, dof = (size_t)i * dst->n_ctx * row;
        memcpy((char *)dst->k_cache + dof, (const char *)src->k_cache + so, (size_t)src->pos * row);
        memcpy((char *)dst->v_cache + dof, (const char *)src->v_cache + so, (size_t)src->pos * row);
    }
    dst->stamp++;
    if (dst->stamp == 0) dst->stamp = 1;
    for (int i = 0; i < src->pos; i++) dst->written[i] = dst->stamp;
    dst->pos = src->pos;
    dst->n_logits = 0;
    const float *l = vers_ctx_logits(src, -1);
    if (l) {
        memcpy(dst->logits, l, sizeof(float) * (size_t)src->m->info.n_vocab);
        dst->n_logits = 1;
        dst->logits_first = 0;
        dst->n_last = 1;
    }
    return VERS_OK;
}
