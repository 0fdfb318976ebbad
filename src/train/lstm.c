/* src/train/lstm.c — the trainer's LSTM language model (`vers train --arch lstm`), for the
 * thesis issue's comparison: token embedding -> L stacked LSTM layers of width D -> RMSNorm
 * -> output (tied to the embedding by default) -> softmax cross-entropy.  Same data, split,
 * optimizer, schedule, checkpoints and GEMM path as the transformer (model_train.c); only
 * the layers differ.
 *
 * Per layer, over B sequences of T steps (rows n = b*T + t), gates in the order i, f, g, o:
 *     A      = X W_ih^T + b                      one product over all N = B*T rows
 *     A_t   += h_{t-1} W_hh^T                    one product of B rows per step
 *     i, f, o = sigmoid(A_t.i, .f, .o)   g = tanh(A_t.g)
 *     c_t = f * c_{t-1} + i * g          h_t = o * tanh(c_t)
 * The state is zero at each window start and at each document token (<|bos|>), as the
 * transformer's attention is masked there.
 * Backward through time, from t = T-1 down: dA_t from dh_t (from above and from t+1) and
 * dc_t; dh_{t-1} = dA_t W_hh (B rows per step); then one product each for dW_ih = dA^T X,
 * dW_hh = dA^T H_prev and dX = dA W_ih over all rows, and db = column sums of dA.
 *
 * Shapes: W_ih, W_hh [4D, D] (GGUF ne0 = D), b [4D]; activations kept per layer: the gates
 * after their nonlinearity [N, 4D], c and tanh(c) [N, D], h in the residual buffer. */
#include "train/internal.h"
#include "train/layers.h"
#include "train/lstm.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct lstm_buf {
    float *gates, *cst, *tc;      /* [L][N][4D], [L][N][D], [L][N][D] */
    float *hprev, *cprev;         /* [B][D] the state entering a step */
    float *dA, *dh, *dc, *dhrec;  /* [N][4D], [N][D] (dL/dh of a layer's output), [B][D], [B][D] */
    float *Hprev;                 /* [N][D] h_{t-1} per row (0 at resets), for dW_hh */
    uint8_t *reset;               /* [N] 1 where the state restarts */
};

static inline float sigm(float x) { return 1.0f / (1.0f + expf(-x)); }

int64_t lstm_layer_size(int64_t D) { return 8 * D * D + 4 * D; }

int lstm_layout(vers_tmodel *m) {
    const int64_t D = m->c.dim, V = m->c.vocab_size, L = m->c.n_layers;
    m->lo.size = lstm_layer_size(D);
    m->off_emb = 0; m->off_layers = V * D; m->off_out_norm = m->off_layers + L * m->lo.size;
    m->off_out = m->off_out_norm + D;
    m->n_params = m->off_out + (m->c.tied ? 0 : V * D);
    m->tensors = calloc((size_t)(3 + 3 * L), sizeof *m->tensors);
    return m->tensors ? 0 : -1;
}

int lstm_alloc(vers_tmodel *m, int B, int T) {
    const int64_t D = m->c.dim, L = m->c.n_layers, N = (int64_t)B * T;
    struct lstm_buf *s = calloc(1, sizeof *s);
    if (!s) return -1;
    m->lstm = s;
    size_t f = sizeof(float);
    s->gates = malloc(f * (size_t)(L * N * 4 * D)); s->cst = malloc(f * (size_t)(L * N * D)); s->tc = malloc(f * (size_t)(L * N * D));
    s->hprev = malloc(f * (size_t)(B * D)); s->cprev = malloc(f * (size_t)(B * D));
    s->dA = malloc(f * (size_t)(N * 4 * D)); s->dh = malloc(f * (size_t)(N * D));
    s->dc = malloc(f * (size_t)(B * D)); s->dhrec = malloc(f * (size_t)(B * D));
    s->Hprev = malloc(f * (size_t)(N * D)); s->reset = malloc((size_t)N);
    return s->gates && s->cst && s->tc && s->hprev && s->cprev && s->dA && s->dh && s->dc && s->dhrec && s->Hprev && s->reset ? 0 : -1;
}

void lstm_free(vers_tmodel *m) {
    struct lstm_buf *s = m->lstm;
    if (!s) return;
    free(s->gates); free(s->cst); free(s->tc); free(s->hprev); free(s->cprev); free(s->dA); free(s->dh);
    free(s->dc); free(s->dhrec); free(s->Hprev); free(s->reset); free(s);
    m->lstm = NULL;
}

/* N(0, 1/sqrt(D)) for the matrices (PyTorch's LSTM uses U(-1/sqrt(D), 1/sqrt(D))), biases 0
 * but the forget gate's 1 (remember by default), norms 1, embedding N(0, 0.02) */
void lstm_init(vers_tmodel *m, trng *r) {
    const int64_t D = m->c.dim;
    const float s = 1.0f / sqrtf((float)D);
    for (int i = 0; i < m->n_tensors; i++) {
        vers_tparam *t = &m->tensors[i];
        float *p = m->params + t->offset;
        int64_t n = t->ne0 * t->ne1;
        if (strstr(t->name, "lstm_b")) { for (int64_t j = 0; j < n; j++) p[j] = (j >= D && j < 2 * D) ? 1.0f : 0.0f; continue; }
        if (t->ne1 == 1) { for (int64_t j = 0; j < n; j++) p[j] = 1.0f; continue; }
        float sd = strstr(t->name, "lstm_") ? s : 0.02f;
        for (int64_t j = 0; j < n; j++) p[j] = (float)trng_normal(r) * sd;
    }
}

void lstm_add_tensors(vers_tmodel *m, void (*add)(vers_tmodel *, const char *, int64_t, int64_t, int64_t, int)) {
    const int64_t D = m->c.dim, V = m->c.vocab_size, L = m->c.n_layers;
    char nm[48];
    add(m, "token_embd.weight", m->off_emb, D, V, 0);
    for (int l = 0; l < L; l++) {
        int64_t b = m->off_layers + l * m->lo.size;
        snprintf(nm, sizeof nm, "blk.%d.lstm_ih.weight", l); add(m, nm, b, D, 4 * D, 1);
        snprintf(nm, sizeof nm, "blk.%d.lstm_hh.weight", l); add(m, nm, b + 4 * D * D, D, 4 * D, 1);
        snprintf(nm, sizeof nm, "blk.%d.lstm_b.bias", l); add(m, nm, b + 8 * D * D, 4 * D, 1, 0);
    }
    add(m, "output_norm.weight", m->off_out_norm, D, 1, 0);
    if (!m->c.tied) add(m, "output.weight", m->off_out, D, V, 1);
}

#define LW_IH(m, l) ((m)->params + (m)->off_layers + (int64_t)(l) * (m)->lo.size)
#define LW_HH(m, l) (LW_IH(m, l) + 4 * (int64_t)(m)->c.dim * (m)->c.dim)
#define LB(m, l) (LW_IH(m, l) + 8 * (int64_t)(m)->c.dim * (m)->c.dim)
#define LG_IH(m, l) ((m)->grads + (m)->off_layers + (int64_t)(l) * (m)->lo.size)
#define LG_HH(m, l) (LG_IH(m, l) + 4 * (int64_t)(m)->c.dim * (m)->c.dim)
#define LGB(m, l) (LG_IH(m, l) + 8 * (int64_t)(m)->c.dim * (m)->c.dim)

float lstm_forward(vers_tmodel *m, const int32_t *tokens, const int32_t *targets, int B, int T) {
    const int D = m->c.dim, V = m->c.vocab_size, L = m->c.n_layers, N = B * T, G = 4 * D;
    struct lstm_buf *s = m->lstm;
    m->B = B; m->T = T;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            int n = b * T + t;
            s->reset[n] = t == 0 || (m->doc_token >= 0 && tokens[n] == m->doc_token);
        }
    embedding_forward(m->resid, tokens, m->params + m->off_emb, N, D);
    for (int l = 0; l < L; l++) {
        const float *X = m->resid + (int64_t)l * N * D;
        float *H = m->resid + (int64_t)(l + 1) * N * D;
        float *A = s->gates + (int64_t)l * N * G, *Cs = s->cst + (int64_t)l * N * D, *TC = s->tc + (int64_t)l * N * D;
        const float *bias = LB(m, l);
        /* A = X W_ih^T + b */
        matmul_forward(m->prec, A, X, LW_IH(m, l), N, D, G);
        for (int64_t n = 0; n < N; n++) for (int j = 0; j < G; j++) A[n * G + j] += bias[j];
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                int n = b * T + t;
                if (s->reset[n]) { memset(s->hprev + (int64_t)b * D, 0, sizeof(float) * D); memset(s->cprev + (int64_t)b * D, 0, sizeof(float) * D); }
                else { memcpy(s->hprev + (int64_t)b * D, H + (int64_t)(n - 1) * D, sizeof(float) * D);
                       memcpy(s->cprev + (int64_t)b * D, Cs + (int64_t)(n - 1) * D, sizeof(float) * D); }
            }
            /* A_t += h_{t-1} W_hh^T for the B rows of step t (stride T rows) */
            tgemm(m->prec, 0, 1, B, G, D, 1.0f, s->hprev, D, LW_HH(m, l), D, 1.0f, A + (int64_t)t * G, T * G);
            for (int b = 0; b < B; b++) {
                int64_t n = (int64_t)b * T + t;
                float *a = A + n * G, *c = Cs + n * D, *tc = TC + n * D, *h = H + n * D;
                const float *cp = s->cprev + (int64_t)b * D;
                for (int j = 0; j < D; j++) {
                    float ig = sigm(a[j]), fg = sigm(a[D + j]), gg = tanhf(a[2 * D + j]), og = sigm(a[3 * D + j]);
                    a[j] = ig; a[D + j] = fg; a[2 * D + j] = gg; a[3 * D + j] = og;
                    c[j] = fg * cp[j] + ig * gg;
                    tc[j] = tanhf(c[j]);
                    h[j] = og * tc[j];
                }
            }
        }
    }
    rmsnorm_forward(m->xnf, m->rstdf, m->resid + (int64_t)L * N * D, m->params + m->off_out_norm, N, D, m->c.norm_eps);
    matmul_forward(m->prec, m->logits, m->xnf, m->params + (m->c.tied ? m->off_emb : m->off_out), N, D, V);
    if (!targets) return 0.0f;
    crossentropy_forward(m->logits, m->losses, targets, N, V);
    double sum = 0; int cnt = 0;
    for (int n = 0; n < N; n++) if (targets[n] >= 0) { sum += m->losses[n]; cnt++; }
    return cnt ? (float)(sum / cnt) : 0.0f;
}

void lstm_backward(vers_tmodel *m, const int32_t *tokens, const int32_t *targets, float grad_scale) {
    const int D = m->c.dim, V = m->c.vocab_size, L = m->c.n_layers, B = m->B, T = m->T, N = B * T, G = 4 * D;
    struct lstm_buf *s = m->lstm;
    int cnt = 0;
    for (int n = 0; n < N; n++) cnt += targets[n] >= 0;
    if (!cnt) return;
    crossentropy_backward(m->logits, targets, N, V, grad_scale / (float)cnt);
    float *Wout = m->params + (m->c.tied ? m->off_emb : m->off_out), *gWout = m->grads + (m->c.tied ? m->off_emb : m->off_out);
    matmul_backward(m->prec, m->dxn, gWout, m->logits, m->xnf, Wout, N, D, V, 0);
    memset(s->dh, 0, sizeof(float) * (size_t)N * D);
    rmsnorm_backward(s->dh, m->grads + m->off_out_norm, m->dxn, m->resid + (int64_t)L * N * D, m->params + m->off_out_norm, m->rstdf, N, D);
    for (int l = L - 1; l >= 0; l--) {
        const float *X = m->resid + (int64_t)l * N * D, *H = m->resid + (int64_t)(l + 1) * N * D;
        const float *A = s->gates + (int64_t)l * N * G, *Cs = s->cst + (int64_t)l * N * D, *TC = s->tc + (int64_t)l * N * D;
        memset(s->dhrec, 0, sizeof(float) * (size_t)B * D);
        memset(s->dc, 0, sizeof(float) * (size_t)B * D);
        for (int t = T - 1; t >= 0; t--) {
            for (int b = 0; b < B; b++) {
                int64_t n = (int64_t)b * T + t;
                const float *a = A + n * G, *tc = TC + n * D, *dhu = s->dh + n * D;
                const float *cp = s->reset[n] ? NULL : Cs + (n - 1) * D;
                float *da = s->dA + n * G, *dc = s->dc + (int64_t)b * D, *dhr = s->dhrec + (int64_t)b * D;
                for (int j = 0; j < D; j++) {
                    float ig = a[j], fg = a[D + j], gg = a[2 * D + j], og = a[3 * D + j];
                    float dh = dhu[j] + dhr[j];
                    float dcj = dc[j] + dh * og * (1.0f - tc[j] * tc[j]);
                    float c_prev = cp ? cp[j] : 0.0f;
                    da[j] = dcj * gg * ig * (1.0f - ig);
                    da[D + j] = dcj * c_prev * fg * (1.0f - fg);
                    da[2 * D + j] = dcj * ig * (1.0f - gg * gg);
                    da[3 * D + j] = dh * tc[j] * og * (1.0f - og);
                    dc[j] = s->reset[n] ? 0.0f : dcj * fg;   /* into c_{t-1} */
                }
            }
            /* dh_{t-1} = dA_t W_hh; rows whose state restarted pass nothing back */
            tgemm(m->prec, 0, 0, B, D, G, 1.0f, s->dA + (int64_t)t * G, T * G, LW_HH(m, l), D, 0.0f, s->dhrec, D);
            for (int b = 0; b < B; b++)
                if (s->reset[(int64_t)b * T + t]) memset(s->dhrec + (int64_t)b * D, 0, sizeof(float) * D);
        }
        /* H_prev: h_{t-1} per row, 0 where the state restarted */
        for (int64_t n = 0; n < N; n++) {
            if (s->reset[n]) memset(s->Hprev + n * D, 0, sizeof(float) * D);
            else memcpy(s->Hprev + n * D, H + (n - 1) * D, sizeof(float) * D);
        }
        float *gb = LGB(m, l);
        for (int j = 0; j < G; j++) { float acc = 0; for (int64_t n = 0; n < N; n++) acc += s->dA[n * G + j]; gb[j] += acc; }
        /* dW_hh += dA^T H_prev; dW_ih += dA^T X and dX = dA W_ih (into dh of the layer below) */
        tgemm_par(m->prec, 1, 0, G, D, N, 1.0f, s->dA, G, s->Hprev, D, 1.0f, LG_HH(m, l), D);
        matmul_backward(m->prec, s->dh, LG_IH(m, l), s->dA, X, LW_IH(m, l), N, D, G, 0);
        if (m->layer_hook) m->layer_hook(m->layer_hook_ctx, m->off_layers + (int64_t)l * m->lo.size, m->lo.size);
    }
    embedding_backward(m->grads + m->off_emb, s->dh, tokens, N, D);
}
