/* src/train/model_train.c — the llama model as the trainer runs it: parameter layout,
 * initialisation, and the whole-model forward and backward built from layers.c.
 *
 * Per layer:  xn1 = rmsnorm(x); qkv = xn1 Wqkv^T; rope(q, k); a = attention(q, k, v);
 *             h = x + a Wo^T; xn2 = rmsnorm(h); g|u = xn2 W13^T; x' = h + (silu(g)*u) W2^T
 * Head:       logits = rmsnorm(x_L) Wout^T  (Wout = token embedding when tied). */
#include "train/internal.h"
#include "train/layers.h"
#include "train/gemm.h"
#include "train/lstm.h"
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vers_train_set_threads(int n) {
    if (n < 1) n = 1;
    omp_set_num_threads(n);
}

/* time spent per kind of work while m->prof_on (vers_tmodel_profile) */
#define PROF(cat, call) do { double t0_ = m->prof_on ? omp_get_wtime() : 0; call; \
                             if (m->prof_on) m->prof[cat] += omp_get_wtime() - t0_; } while (0)

static const char *const prof_names[TP_N] = {"matmul", "attention", "norm", "swiglu", "rope", "residual",
                                             "loss", "embedding", "optimizer"};
void vers_tmodel_profile(vers_tmodel *m, int on) { m->prof_on = on; if (on) memset(m->prof, 0, sizeof m->prof); }
int vers_tmodel_profile_times(const vers_tmodel *m, const char *const **names, const double **seconds) {
    *names = prof_names; *seconds = m->prof;
    return TP_N;
}

const char *vers_prec_name(int prec) { return prec == VERS_PREC_BF16 ? "bf16" : "fp32"; }
int vers_train_bf16_native(void) { return tgemm_bf16_native(); }
const char *vers_train_kernel_name(int prec) { return tgemm_kernel_name(prec == VERS_PREC_BF16 ? TG_BF16 : TG_FP32); }
void vers_tmodel_set_precision(vers_tmodel *m, int prec) { m->prec = prec == VERS_PREC_BF16 ? TG_BF16 : TG_FP32; }
int vers_tmodel_precision(const vers_tmodel *m) { return m->prec == TG_BF16 ? VERS_PREC_BF16 : VERS_PREC_FP32; }

int tconfig_check(const vers_tconfig *c, vers_err *err) {
    if (c->arch == VERS_ARCH_LSTM) {
        if (c->dim <= 0 || c->n_layers <= 0 || c->vocab_size <= 0 || c->ctx_len <= 0)
            return vers_errorf(err, VERS_EINVAL, "model shape: every size must be positive");
        if ((int64_t)c->dim * c->dim * c->n_layers > ((int64_t)1 << 40) || c->vocab_size > (1 << 24))
            return vers_errorf(err, VERS_EINVAL, "model shape too large");
        if (!(c->norm_eps > 0)) return vers_errorf(err, VERS_EINVAL, "norm_eps must be positive");
        return VERS_OK;
    }
    if (c->arch != VERS_ARCH_LLAMA) return vers_errorf(err, VERS_EINVAL, "unknown architecture %d", c->arch);
    if (c->dim <= 0 || c->n_layers <= 0 || c->n_heads <= 0 || c->n_kv_heads <= 0 ||
        c->hidden_dim <= 0 || c->vocab_size <= 0 || c->ctx_len <= 0)
        return vers_errorf(err, VERS_EINVAL, "model shape: every size must be positive");
    if (c->dim % c->n_heads) return vers_errorf(err, VERS_EINVAL, "dim %d is not a multiple of n_heads %d", c->dim, c->n_heads);
    if (c->n_heads % c->n_kv_heads) return vers_errorf(err, VERS_EINVAL, "n_heads %d is not a multiple of n_kv_heads %d", c->n_heads, c->n_kv_heads);
    if ((c->dim / c->n_heads) % 2) return vers_errorf(err, VERS_EINVAL, "head dim %d must be even (RoPE pairs)", c->dim / c->n_heads);
    if (c->dim / c->n_heads > 1024) return vers_errorf(err, VERS_EINVAL, "head dim %d too large", c->dim / c->n_heads);
    if ((int64_t)c->dim * c->n_layers * c->hidden_dim > ((int64_t)1 << 40) || c->vocab_size > (1 << 24))
        return vers_errorf(err, VERS_EINVAL, "model shape too large");
    if (!(c->rope_theta > 0) || !(c->norm_eps > 0)) return vers_errorf(err, VERS_EINVAL, "rope_theta and norm_eps must be positive");
    return VERS_OK;
}

int64_t vers_tconfig_n_params(const vers_tconfig *c) {
    vers_err e;
    if (tconfig_check(c, &e)) return -1;
    const int64_t D = c->dim, F = c->hidden_dim, V = c->vocab_size, L = c->n_layers;
    if (c->arch == VERS_ARCH_LSTM) return V * D + L * lstm_layer_size(D) + D + (c->tied ? 0 : V * D);
    const int64_t kvd = (int64_t)(c->dim / c->n_heads) * c->n_kv_heads;
    const int64_t layer = D + (D + 2 * kvd) * D + D * D + D + 2 * F * D + D * F;
    return V * D + L * layer + D + (c->tied ? 0 : V * D);
}

static const vers_train_limits g_limits = {
    .dim = 65536, .layers = 1024, .heads = 1024, .hidden = 1 << 20, .ctx = 1 << 20, .batch = 1 << 16,
    .seq = 1 << 20, .accum = 1 << 16, .eval_every = 1 << 30, .eval_batches = 1 << 20, .ckpt_every = 1 << 30,
    .threads = 256, .steps = (int64_t)1 << 40, .batch_tokens = (int64_t)1 << 26,
};
const vers_train_limits *vers_train_limits_get(void) { return &g_limits; }

static void add_tensor(vers_tmodel *m, const char *name, int64_t off, int64_t ne0, int64_t ne1, int decay) {
    vers_tparam *t = &m->tensors[m->n_tensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->offset = off; t->ne0 = ne0; t->ne1 = ne1; t->decay = decay;
}

void vers_tmodel_free(vers_tmodel *m) {
    if (!m) return;
    lstm_free(m);
    free(m->params); free(m->grads); free(m->tensors); free(m->pos); free(m->seg);
    float **bufs[] = {&m->resid, &m->rstd1, &m->xn1, &m->qkv, &m->att, &m->atty, &m->resid_mid,
                      &m->rstd2, &m->xn2, &m->h13, &m->hg, &m->rstdf, &m->xnf, &m->logits,
                      &m->losses, &m->dresid, &m->dxn, &m->dqkv, &m->datty, &m->dh13, &m->dhg,
                      &m->att_scratch, &m->rope_cs, &m->rope_sn};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(*bufs[i]);
    free(m);
}

static float *falloc(int64_t n, int *fail) {
    if (n <= 0) n = 1;
    float *p = NULL;
    if (posix_memalign((void **)&p, 64, (size_t)n * sizeof(float))) { *fail = 1; return NULL; }
    return p;
}

int vers_tmodel_new(const vers_tconfig *c, int B, int T, uint64_t seed, vers_tmodel **out, vers_err *err) {
    *out = NULL;
    int rc = tconfig_check(c, err);
    if (rc) return rc;
    if (B <= 0 || T <= 0 || T > c->ctx_len) return vers_errorf(err, VERS_EINVAL, "batch %d x %d does not fit the context %d", B, T, c->ctx_len);
    vers_tmodel *m = calloc(1, sizeof *m);
    if (!m) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    m->c = *c;
    if (c->arch == VERS_ARCH_LSTM) {
        int fail = 0;
        const int64_t N = (int64_t)B * T, D = c->dim, V = c->vocab_size, L = c->n_layers;
        m->Bmax = B; m->Tmax = T; m->doc_token = -1;
        if (lstm_layout(m)) fail = 1;
        if (!fail) lstm_add_tensors(m, add_tensor);
        m->params = falloc(m->n_params, &fail); m->grads = falloc(m->n_params, &fail);
        m->resid = falloc((L + 1) * N * D, &fail);
        m->rstdf = falloc(N, &fail); m->xnf = falloc(N * D, &fail);
        m->logits = falloc(N * V, &fail); m->losses = falloc(N, &fail); m->dxn = falloc(N * D, &fail);
        if (fail || lstm_alloc(m, B, T)) { vers_tmodel_free(m); return vers_errorf(err, VERS_ENOMEM, "out of memory for an LSTM at batch %d x %d", B, T); }
        trng r; trng_seed(&r, seed ^ 0x5eed1417ULL);
        lstm_init(m, &r);
        memset(m->grads, 0, sizeof(float) * m->n_params);
        *out = m;
        return VERS_OK;
    }
    const int64_t D = c->dim, F = c->hidden_dim, V = c->vocab_size, L = c->n_layers;
    m->hd = c->dim / c->n_heads;
    m->kvd = m->hd * c->n_kv_heads;
    m->qkv_ld = c->dim + 2 * m->kvd;
    tlayer_off *lo = &m->lo;
    lo->attn_norm = 0; lo->wqkv = D; lo->wo = lo->wqkv + (int64_t)m->qkv_ld * D;
    lo->ffn_norm = lo->wo + D * D; lo->w13 = lo->ffn_norm + D; lo->w2 = lo->w13 + 2 * F * D;
    lo->size = lo->w2 + D * F;
    m->off_emb = 0; m->off_layers = V * D; m->off_out_norm = m->off_layers + L * lo->size;
    m->off_out = m->off_out_norm + D;
    m->n_params = m->off_out + (c->tied ? 0 : V * D);

    m->tensors = calloc((size_t)(3 + 9 * L), sizeof *m->tensors);
    if (!m->tensors) { vers_tmodel_free(m); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    add_tensor(m, "token_embd.weight", m->off_emb, D, V, 0);
    char nm[48];
    for (int l = 0; l < L; l++) {
        int64_t b = m->off_layers + l * lo->size;
#define T_(suffix, off, ne0, ne1, dec) snprintf(nm, sizeof nm, "blk.%d." suffix, l), add_tensor(m, nm, b + (off), ne0, ne1, dec)
        T_("attn_norm.weight", lo->attn_norm, D, 1, 0);
        T_("attn_q.weight", lo->wqkv, D, D, 1);
        T_("attn_k.weight", lo->wqkv + D * D, D, m->kvd, 1);
        T_("attn_v.weight", lo->wqkv + (D + m->kvd) * D, D, m->kvd, 1);
        T_("attn_output.weight", lo->wo, D, D, 1);
        T_("ffn_norm.weight", lo->ffn_norm, D, 1, 0);
        T_("ffn_gate.weight", lo->w13, D, F, 1);
        T_("ffn_up.weight", lo->w13 + F * D, D, F, 1);
        T_("ffn_down.weight", lo->w2, F, D, 1);
#undef T_
    }
    add_tensor(m, "output_norm.weight", m->off_out_norm, D, 1, 0);
    if (!c->tied) add_tensor(m, "output.weight", m->off_out, D, V, 1);

    int fail = 0;
    m->Bmax = B; m->Tmax = T;
    const int64_t N = (int64_t)B * T;
    m->params = falloc(m->n_params, &fail);
    m->grads = falloc(m->n_params, &fail);
    m->pos = malloc(sizeof(int) * N);
    m->rope_cs = falloc((int64_t)T * (m->hd / 2), &fail); m->rope_sn = falloc((int64_t)T * (m->hd / 2), &fail);
    m->seg = malloc(sizeof(int) * N);
    m->doc_token = -1;
    if (!m->pos || !m->seg) fail = 1;
    m->resid = falloc((L + 1) * N * D, &fail);
    m->rstd1 = falloc(L * N, &fail); m->xn1 = falloc(L * N * D, &fail);
    m->qkv = falloc(L * N * m->qkv_ld, &fail);
    m->att = falloc(L * (int64_t)B * c->n_heads * T * T, &fail);
    m->atty = falloc(L * N * D, &fail); m->resid_mid = falloc(L * N * D, &fail);
    m->rstd2 = falloc(L * N, &fail); m->xn2 = falloc(L * N * D, &fail);
    m->h13 = falloc(L * N * 2 * F, &fail); m->hg = falloc(L * N * F, &fail);
    m->rstdf = falloc(N, &fail); m->xnf = falloc(N * D, &fail);
    m->logits = falloc(N * V, &fail); m->losses = falloc(N, &fail);
    m->dresid = falloc(N * D, &fail); m->dxn = falloc(N * D, &fail);
    m->dqkv = falloc(N * m->qkv_ld, &fail); m->datty = falloc(N * D, &fail);
    m->dh13 = falloc(N * 2 * F, &fail); m->dhg = falloc(N * F, &fail);
    m->att_scratch = falloc((int64_t)ATT_MAX_THREADS * T * T, &fail);
    if (fail) { vers_tmodel_free(m); return vers_errorf(err, VERS_ENOMEM, "out of memory for a %lld-parameter model at batch %d x %d", (long long)m->n_params, B, T); }
    rope_table(m->rope_cs, m->rope_sn, T, m->hd, c->rope_theta);

    /* initialisation: N(0, 0.02); projections into the residual stream scaled by
     * 1/sqrt(2L) (GPT-2); norms 1 */
    trng r; trng_seed(&r, seed ^ 0x5eed1417ULL);
    const float sd = 0.02f, sd_res = 0.02f / sqrtf(2.0f * (float)L);
    for (int i = 0; i < m->n_tensors; i++) {
        vers_tparam *t = &m->tensors[i];
        float *p = m->params + t->offset;
        int64_t n = t->ne0 * t->ne1;
        if (t->ne1 == 1) { for (int64_t j = 0; j < n; j++) p[j] = 1.0f; continue; }
        float s = (strstr(t->name, "attn_output") || strstr(t->name, "ffn_down")) ? sd_res : sd;
        for (int64_t j = 0; j < n; j++) p[j] = (float)trng_normal(&r) * s;
    }
    memset(m->grads, 0, sizeof(float) * m->n_params);
    *out = m;
    return VERS_OK;
}

const vers_tconfig *vers_tmodel_config(const vers_tmodel *m) { return &m->c; }
int64_t vers_tmodel_n_params(const vers_tmodel *m) { return m->n_params; }
int64_t vers_tmodel_n_flop_params(const vers_tmodel *m) {
    /* everything but the norms and the input embedding, plus the output head */
    int64_t D = m->c.dim, V = m->c.vocab_size, L = m->c.n_layers;
    if (m->c.arch == VERS_ARCH_LSTM) return L * 8 * D * D + V * D;   /* W_ih and W_hh, and the head */
    return L * (m->lo.size - 2 * D) + V * D;
}
float *vers_tmodel_params(vers_tmodel *m) { return m->params; }
float *vers_tmodel_grads(vers_tmodel *m) { return m->grads; }
const float *vers_tmodel_logits(const vers_tmodel *m) { return m->logits; }
int vers_tmodel_n_tensors(const vers_tmodel *m) { return m->n_tensors; }
const vers_tparam *vers_tmodel_tensor(const vers_tmodel *m, int i) {
    return i >= 0 && i < m->n_tensors ? &m->tensors[i] : NULL;
}

void vers_tmodel_set_layer_hook(vers_tmodel *m, void (*fn)(void *ctx, int64_t off, int64_t n), void *ctx) {
    m->layer_hook = fn; m->layer_hook_ctx = ctx;
}

void vers_tmodel_set_doc_token(vers_tmodel *m, int32_t id) { m->doc_token = id >= 0 && id < m->c.vocab_size ? id : -1; }

void vers_tmodel_zero_grad(vers_tmodel *m) {
    float *g = m->grads; int64_t n = m->n_params;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) g[i] = 0.0f;
}

float vers_tmodel_forward(vers_tmodel *m, const int32_t *tokens, const int32_t *targets, int B, int T) {
    if (m->c.arch == VERS_ARCH_LSTM) return lstm_forward(m, tokens, targets, B, T);
    const vers_tconfig *c = &m->c;
    const int D = c->dim, F = c->hidden_dim, V = c->vocab_size, L = c->n_layers, H = c->n_heads;
    const int N = B * T, ld = m->qkv_ld;
    m->B = B; m->T = T;
    for (int n = 0; n < N; n++) m->pos[n] = n % T;
    if (m->doc_token >= 0)
        for (int b = 0; b < B; b++) {
            int start = 0;
            for (int t = 0; t < T; t++) {
                if (tokens[(int64_t)b * T + t] == m->doc_token) start = t;
                m->seg[(int64_t)b * T + t] = start;
            }
        }
    PROF(TP_EMB, embedding_forward(m->resid, tokens, m->params + m->off_emb, N, D));
    for (int l = 0; l < L; l++) {
        float *x = m->resid + (int64_t)l * N * D, *xo = x + (int64_t)N * D;
        float *rstd1 = m->rstd1 + (int64_t)l * N, *xn1 = m->xn1 + (int64_t)l * N * D;
        float *qkv = m->qkv + (int64_t)l * N * ld, *att = m->att + (int64_t)l * B * H * T * T;
        float *atty = m->atty + (int64_t)l * N * D, *hmid = m->resid_mid + (int64_t)l * N * D;
        float *rstd2 = m->rstd2 + (int64_t)l * N, *xn2 = m->xn2 + (int64_t)l * N * D;
        float *h13 = m->h13 + (int64_t)l * N * 2 * F, *hg = m->hg + (int64_t)l * N * F;
        PROF(TP_NORM, rmsnorm_forward(xn1, rstd1, x, TM_W(m, l, attn_norm), N, D, c->norm_eps));
        PROF(TP_MATMUL, matmul_forward(m->prec, qkv, xn1, TM_W(m, l, wqkv), N, D, ld));
        PROF(TP_ROPE, rope_forward(qkv, ld, m->pos, N, H, m->hd, m->rope_cs, m->rope_sn));
        PROF(TP_ROPE, rope_forward(qkv + D, ld, m->pos, N, c->n_kv_heads, m->hd, m->rope_cs, m->rope_sn));
        PROF(TP_ATTN, attention_forward(m->prec, atty, att, qkv, B, T, H, c->n_kv_heads, m->hd, m->doc_token >= 0 ? m->seg : NULL));
        PROF(TP_MATMUL, matmul_forward(m->prec, hmid, atty, TM_W(m, l, wo), N, D, D));
        PROF(TP_RESID, residual_add(hmid, x, (int64_t)N * D));
        PROF(TP_NORM, rmsnorm_forward(xn2, rstd2, hmid, TM_W(m, l, ffn_norm), N, D, c->norm_eps));
        PROF(TP_MATMUL, matmul_forward(m->prec, h13, xn2, TM_W(m, l, w13), N, D, 2 * F));
        PROF(TP_SWIGLU, swiglu_forward(hg, h13, N, F));
        PROF(TP_MATMUL, matmul_forward(m->prec, xo, hg, TM_W(m, l, w2), N, F, D));
        PROF(TP_RESID, residual_add(xo, hmid, (int64_t)N * D));
    }
    PROF(TP_NORM, rmsnorm_forward(m->xnf, m->rstdf, m->resid + (int64_t)L * N * D, m->params + m->off_out_norm, N, D, c->norm_eps));
    PROF(TP_MATMUL, matmul_forward(m->prec, m->logits, m->xnf, tm_out_w(m), N, D, V));
    if (!targets) return 0.0f;
    PROF(TP_LOSS, crossentropy_forward(m->logits, m->losses, targets, N, V));
    double s = 0; int cnt = 0;
    for (int n = 0; n < N; n++) if (targets[n] >= 0) { s += m->losses[n]; cnt++; }
    return cnt ? (float)(s / cnt) : 0.0f;
}

void vers_tmodel_backward(vers_tmodel *m, const int32_t *tokens, const int32_t *targets, float grad_scale) {
    if (m->c.arch == VERS_ARCH_LSTM) { lstm_backward(m, tokens, targets, grad_scale); return; }
    const vers_tconfig *c = &m->c;
    const int D = c->dim, F = c->hidden_dim, V = c->vocab_size, L = c->n_layers, H = c->n_heads;
    const int B = m->B, T = m->T, N = B * T, ld = m->qkv_ld;
    int cnt = 0;
    for (int n = 0; n < N; n++) cnt += targets[n] >= 0;
    if (!cnt) return;
    PROF(TP_LOSS, crossentropy_backward(m->logits, targets, N, V, grad_scale / (float)cnt));
    PROF(TP_MATMUL, matmul_backward(m->prec, m->dxn, tm_out_g(m), m->logits, m->xnf, tm_out_w(m), N, D, V, 0));
    memset(m->dresid, 0, sizeof(float) * (size_t)N * D);
    PROF(TP_NORM, rmsnorm_backward(m->dresid, m->grads + m->off_out_norm, m->dxn, m->resid + (int64_t)L * N * D,
                     m->params + m->off_out_norm, m->rstdf, N, D));
    for (int l = L - 1; l >= 0; l--) {
        float *x = m->resid + (int64_t)l * N * D;
        float *rstd1 = m->rstd1 + (int64_t)l * N, *xn1 = m->xn1 + (int64_t)l * N * D;
        float *qkv = m->qkv + (int64_t)l * N * ld, *att = m->att + (int64_t)l * B * H * T * T;
        float *atty = m->atty + (int64_t)l * N * D, *hmid = m->resid_mid + (int64_t)l * N * D;
        float *rstd2 = m->rstd2 + (int64_t)l * N, *xn2 = m->xn2 + (int64_t)l * N * D;
        float *h13 = m->h13 + (int64_t)l * N * 2 * F, *hg = m->hg + (int64_t)l * N * F;
        /* x' = h + hg W2^T: dresid flows on to h unchanged */
        PROF(TP_MATMUL, matmul_backward(m->prec, m->dhg, TM_G(m, l, w2), m->dresid, hg, TM_W(m, l, w2), N, F, D, 0));
        PROF(TP_SWIGLU, swiglu_backward(m->dh13, m->dhg, h13, N, F));
        PROF(TP_MATMUL, matmul_backward(m->prec, m->dxn, TM_G(m, l, w13), m->dh13, xn2, TM_W(m, l, w13), N, D, 2 * F, 0));
        PROF(TP_NORM, rmsnorm_backward(m->dresid, TM_G(m, l, ffn_norm), m->dxn, hmid, TM_W(m, l, ffn_norm), rstd2, N, D));
        /* h = x + atty Wo^T */
        PROF(TP_MATMUL, matmul_backward(m->prec, m->datty, TM_G(m, l, wo), m->dresid, atty, TM_W(m, l, wo), N, D, D, 0));
        PROF(TP_ATTN, attention_backward(m->prec, m->dqkv, m->datty, qkv, att, B, T, H, c->n_kv_heads, m->hd, m->att_scratch));
        PROF(TP_ROPE, rope_backward(m->dqkv, ld, m->pos, N, H, m->hd, m->rope_cs, m->rope_sn));
        PROF(TP_ROPE, rope_backward(m->dqkv + D, ld, m->pos, N, c->n_kv_heads, m->hd, m->rope_cs, m->rope_sn));
        PROF(TP_MATMUL, matmul_backward(m->prec, m->dxn, TM_G(m, l, wqkv), m->dqkv, xn1, TM_W(m, l, wqkv), N, D, ld, 0));
        PROF(TP_NORM, rmsnorm_backward(m->dresid, TM_G(m, l, attn_norm), m->dxn, x, TM_W(m, l, attn_norm), rstd1, N, D));
        if (m->layer_hook) m->layer_hook(m->layer_hook_ctx, m->off_layers + (int64_t)l * m->lo.size, m->lo.size);
    }
    PROF(TP_EMB, embedding_backward(m->grads + m->off_emb, m->dresid, tokens, N, D));
}
