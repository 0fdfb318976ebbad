/* src/engine/model_gpt2.c — forward pass of arch gpt2, as llama.cpp's graph computes it:
 *
 *   x = token_embd[tok] + position_embd[pos]              [n][E]
 *   per layer:  h = layernorm(x) * attn_norm + attn_norm_b
 *               qkv = Wqkv h + bqkv   [n][3E]: q = [0,E), k = [E,2E), v = [2E,3E)  (no rope)
 *               a = softmax(q k^T / sqrt(D), causal) v
 *               x += Wo a + bo
 *               h = layernorm(x) * ffn_norm + ffn_norm_b
 *               x += Wdown gelu(Wup h + b_up) + b_down     (gelu: ggml's F16 table)
 *   logits = Woutput (layernorm(x) * output_norm + output_norm_b)
 */
#include "engine/model.h"
#include "engine/ops.h"
#include <string.h>

int model_forward_gpt2(vers_ctx *c, const int32_t *tok, int n, int out_first, float *out) {
    const vers_model *m = c->m;
    const vers_model_info *hp = &m->info;
    const int E = hp->n_embd, F = hp->n_ff;
    float *x = c->x, *h = c->xb, *h2 = c->xb2;
    int rc = model_embed(m, tok, n, x);
    if (rc) return rc;
    const vers_weight *pw = &m->pos_embd;
    for (int t = 0; t < n; t++) {
        const uint8_t *row = (const uint8_t *)pw->data + (size_t)model_row_pos(c, t) * pw->row_size;
        if (vers_to_float(pw->type, row, h, E)) return VERS_EUNSUPPORTED;
        ops_add(x + (size_t)t * E, h, E);
    }
    for (int l = 0; l < hp->n_layer; l++) {
        const model_layer *L = &m->layers[l];
        for (int t = 0; t < n; t++)
            ops_layernorm(h + (size_t)t * E, x + (size_t)t * E, L->attn_norm, L->attn_norm_b, E, hp->norm_eps);
        model_matmul(c, c->qkv, &L->wqkv, h, n, L->bqkv);
        for (int t = 0; t < n; t++) {
            const float *r = c->qkv + (size_t)t * 3 * E;
            memcpy(c->q + (size_t)t * E, r, sizeof(float) * E);
            memcpy(c->k + (size_t)t * E, r + E, sizeof(float) * E);
            memcpy(c->v + (size_t)t * E, r + 2 * E, sizeof(float) * E);
        }
        kv_store(c, l, c->pos, n, c->k, c->v);
        kv_attend(c, l, c->pos, n, c->q, c->att_out);
        model_matmul(c, h2, &L->wo, c->att_out, n, L->bo);
        ops_add(x, h2, n * E);

        /* last layer: only the tokens whose logits are wanted go on, as llama.cpp's
         * inp_out_ids (less work; the FFN products then take its single-token path) */
        const int t0 = l == hp->n_layer - 1 ? out_first : 0, nf = n - t0;
        if (nf <= 0) continue;
        float *xf = x + (size_t)t0 * E;
        for (int t = 0; t < nf; t++)
            ops_layernorm(h + (size_t)t * E, xf + (size_t)t * E, L->ffn_norm, L->ffn_norm_b, E, hp->norm_eps);
        model_matmul(c, c->hb, &L->w_up, h, nf, L->b_up);
        ops_gelu(c->hb, nf * F, m->gelu_table);
        model_matmul(c, h2, &L->w_down, c->hb, nf, L->b_down);
        ops_add(xf, h2, nf * E);
    }
    const int n_out = n - out_first;
    if (n_out <= 0) return VERS_OK;
    for (int t = out_first; t < n; t++)
        ops_layernorm(h + (size_t)(t - out_first) * E, x + (size_t)t * E, m->out_norm, m->out_norm_b, E,
                      hp->norm_eps);
    model_matmul(c, out, &m->output, h, n_out, NULL);
    return VERS_OK;
}
