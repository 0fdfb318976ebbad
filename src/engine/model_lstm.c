/* src/engine/model_lstm.c — forward pass of vers-lstm, the LSTM that `vers train --arch
 * lstm` trains (src/train/lstm.c has the same equations):
 *
 *   x = token_embd[tok]                                    [n][E]
 *   per layer:  A = W_ih x + b  (all n tokens in one product)   [n][4E], gates i f g o
 *               per token t at position p: A_t += W_hh h_{p-1};
 *               c_p = sigmoid(f) c_{p-1} + sigmoid(i) tanh(g);  h_p = sigmoid(o) tanh(c_p)
 *               x_t = h_p
 *   logits = Woutput (rmsnorm(x) * output_norm)
 *
 * The state (h, c) of each layer at each position is kept in the layer's K and V cache
 * rows, so truncation, snapshots and copies of a context work as for a transformer: the
 * state entering position p is the one stored at p-1.  It is zero at position 0 and at the
 * document token (<|bos|>), where training restarted it too. */
#include "engine/model.h"
#include "engine/ops.h"
#include <math.h>
#include <string.h>

static inline float sigm(float x) { return 1.0f / (1.0f + expf(-x)); }

int model_forward_lstm(vers_ctx *c, const int32_t *tok, int n, int out_first, float *out) {
    const vers_model *m = c->m;
    const vers_model_info *hp = &m->info;
    const int E = hp->n_embd, G = 4 * E;
    float *x = c->x, *A = c->hb, *Ah = c->hb2;
    int rc = model_embed(m, tok, n, x);
    if (rc) return rc;
    for (int l = 0; l < hp->n_layer; l++) {
        const model_layer *L = &m->layers[l];
        float *hs = (float *)c->k_cache + (size_t)l * c->n_ctx * E;   /* [n_ctx][E] h per position */
        float *cs = (float *)c->v_cache + (size_t)l * c->n_ctx * E;   /* [n_ctx][E] c per position */
        model_matmul(c, A, &L->w_ih, x, n, L->b_lstm);
        for (int t = 0; t < n; t++) {
            const int p = c->pos + t;
            const int restart = p == 0 || (m->lstm_bos >= 0 && tok[t] == m->lstm_bos);
            float *a = A + (size_t)t * G, *hp_ = hs + (size_t)p * E, *cp_ = cs + (size_t)p * E;
            const float *hprev = restart ? NULL : hs + (size_t)(p - 1) * E, *cprev = restart ? NULL : cs + (size_t)(p - 1) * E;
            if (hprev) {
                model_matmul(c, Ah, &L->w_hh, hprev, 1, NULL);
                for (int j = 0; j < G; j++) a[j] += Ah[j];
            }
            for (int j = 0; j < E; j++) {
                float ig = sigm(a[j]), fg = sigm(a[E + j]), gg = tanhf(a[2 * E + j]), og = sigm(a[3 * E + j]);
                float cc = fg * (cprev ? cprev[j] : 0.0f) + ig * gg;
                cp_[j] = cc;
                hp_[j] = og * tanhf(cc);
            }
            memcpy(x + (size_t)t * E, hp_, sizeof(float) * E);
        }
    }
    model_head_rms(c, x, n, out_first, out);
    return VERS_OK;
}
