/* src/engine/model_llama.c — forward pass of the llama family (arch llama: Llama, TinyLlama,
 * SmolLM, Mistral; arch qwen2: the same with q/k/v biases and NEOX rope), as llama.cpp's
 * graph computes it:
 *
 *   x = token_embd[tok]                                   [n][E]
 *   per layer:  h = rmsnorm(x) * attn_norm
 *               q = Wq h (+bq)  [n][H*D]   k = Wk h (+bk), v = Wv h (+bv)  [n][Hkv*D]
 *               rope(q), rope(k) at their positions; k, v -> cache
 *               a = softmax(q k^T / sqrt(D), causal) v    (GQA: H/Hkv query heads per kv head)
 *               x += Wo a
 *               h = rmsnorm(x) * ffn_norm
 *               x += Wdown (silu(Wgate h) * (Wup h))
 *   logits = Woutput (rmsnorm(x) * output_norm)           [n_vocab]
 */
#include "engine/model.h"
#include "engine/ops.h"
#include <string.h>

int model_forward_llama(vers_ctx *c, const int32_t *tok, int n, int out_first, float *out) {
    const vers_model *m = c->m;
    const vers_model_info *hp = &m->info;
    const int E = hp->n_embd, D = hp->head_dim, H = hp->n_head, HKV = hp->n_head_kv, F = hp->n_ff;
    const int QD = H * D, KD = HKV * D, R = hp->n_rot;
    float *x = c->x, *h = c->xb, *h2 = c->xb2;
    int rc = model_embed(m, tok, n, x);
    if (rc) return rc;
    for (int t = 0; t < n; t++) ops_rope_table(c->rope_cs + (size_t)t * R, model_row_pos(c, t), R, hp->rope_base);

    for (int l = 0; l < hp->n_layer; l++) {
        const model_layer *L = &m->layers[l];
        for (int t = 0; t < n; t++)
            ops_rmsnorm(h + (size_t)t * E, x + (size_t)t * E, L->attn_norm, E, hp->norm_eps);
        {
            float *ys[3] = { c->q, c->k, c->v };
            const vers_weight *ws[3] = { &L->wq, &L->wk, &L->wv };
            const float *bs[3] = { L->bq, L->bk, L->bv };
            model_matmul_n(c, 3, ys, ws, bs, h, n);
        }
        for (int t = 0; t < n; t++) {
            const float *cs = c->rope_cs + (size_t)t * R;
            ops_rope(c->q + (size_t)t * QD, H, D, R, cs, m->neox);
            ops_rope(c->k + (size_t)t * KD, HKV, D, R, cs, m->neox);
        }
        kv_store(c, l, c->pos, n, c->k, c->v);
        kv_attend(c, l, c->pos, n, c->q, c->att_out);
        model_matmul(c, h2, &L->wo, c->att_out, n, NULL);
        ops_add(x, h2, n * E);

        /* last layer: only the tokens whose logits are wanted go on, as llama.cpp's
         * inp_out_ids (less work; the FFN products then take its single-token path) */
        const int t0 = l == hp->n_layer - 1 ? out_first : 0, nf = n - t0;
        if (nf <= 0) continue;
        float *xf = x + (size_t)t0 * E;
        for (int t = 0; t < nf; t++)
            ops_rmsnorm(h + (size_t)t * E, xf + (size_t)t * E, L->ffn_norm, E, hp->norm_eps);
        {
            float *ys[2] = { c->hb, c->hb2 };
            const vers_weight *ws[2] = { &L->w_gate, &L->w_up };
            model_matmul_n(c, 2, ys, ws, NULL, h, nf);
        }
        void (*swiglu)(float *, const float *, int) = vers_simd_enabled() ? ops_swiglu_avx2 : ops_swiglu;
        for (int t = 0; t < nf; t++) swiglu(c->hb + (size_t)t * F, c->hb2 + (size_t)t * F, F);
        model_matmul(c, h2, &L->w_down, c->hb, nf, NULL);
        ops_add(xf, h2, nf * E);
    }
    model_head_rms(c, x, n, out_first, out);
    return VERS_OK;
}
