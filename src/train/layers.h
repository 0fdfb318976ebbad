/* src/train/layers.h — the trainer's layers, each a _forward/_backward pair (llm.c style).
 *
 * Shapes: N = B*T tokens in row-major [N, C] activations; weights are row-major [out, in]
 * (GGUF ne0 = in), so y = x W^T.  Backward functions ADD into parameter gradients (so
 * micro-batches accumulate) and OVERWRITE or ADD into input gradients as each says.
 * Every loop is split over rows or columns so that the result does not depend on the
 * number of threads. */
#ifndef VERS_TRAIN_LAYERS_H
#define VERS_TRAIN_LAYERS_H
#include "train/gemm.h"
#include <stdint.h>

/* out[N,C] = emb[tok[n], :] */
void embedding_forward(float *out, const int32_t *tok, const float *emb, int N, int C);
/* demb[tok[n], :] += dout[n, :]  (serial over n: deterministic) */
void embedding_backward(float *demb, const float *dout, const int32_t *tok, int N, int C);

/* out[N,C] = x * rstd * w, rstd[N] = 1/sqrt(mean(x^2)+eps) */
void rmsnorm_forward(float *out, float *rstd, const float *x, const float *w, int N, int C, float eps);
/* dx[N,C] += ..., dw[C] += ... */
void rmsnorm_backward(float *dx, float *dw, const float *dout, const float *x, const float *w,
                      const float *rstd, int N, int C);

/* Matrix products take prec (gemm.h): TG_FP32, or TG_BF16 operands with FP32 sums. */
/* y[N,O] = x[N,I] W[O,I]^T */
void matmul_forward(tg_precision prec, float *y, const float *x, const float *W, int N, int Ni, int O);
/* dx[N,I] (+)= dy W  (accumulate_dx: 0 overwrite, 1 add); dW[O,I] += dy^T x */
void matmul_backward(tg_precision prec, float *dx, float *dW, const float *dy, const float *x, const float *W,
                     int N, int Ni, int O, int accumulate_dx);

/* RoPE, ggml mode NORM: pairs (2i, 2i+1) of each head of hd values rotated by
 * pos * theta^(-2i/hd); x is [N, ld] with n_head heads starting at column 0; pos[n] the
 * position of row n.  The backward is the rotation by the opposite angle.  cs, sn
 * [npos][hd/2]: the cosines and sines of positions 0..npos-1 (rope_table), npos > pos[n]. */
void rope_table(float *cs, float *sn, int npos, int hd, float theta);
void rope_forward(float *x, int ld, const int *pos, int N, int n_head, int hd, const float *cs, const float *sn);
void rope_backward(float *dx, int ld, const int *pos, int N, int n_head, int hd, const float *cs, const float *sn);

/* Causal self-attention with grouped-query heads over qkv[N, D + 2*KVD] (q | k | v, q and k
 * already rotated), B sequences of T tokens.  out[N, D]; att[B, H, T, T] keeps the softmax
 * probabilities for the backward.  seg[N] (or NULL): the first position row n may attend to,
 * the start of its document inside the window, so that a window holding the end of one
 * document and the start of the next does not let the second see the first (the masked
 * probabilities are 0, which also makes the backward ignore them). */
void attention_forward(tg_precision prec, float *out, float *att, const float *qkv, int B, int T, int H, int KVH, int hd,
                       const int *seg);
/* dqkv[N, D+2KVD] overwritten; scratch: ATT_MAX_THREADS * T*T floats */
#define ATT_MAX_THREADS 64
void attention_backward(tg_precision prec, float *dqkv, const float *dout, const float *qkv, const float *att,
                        int B, int T, int H, int KVH, int hd, float *scratch);

/* SwiGLU on h13[N, 2F] = (gate | up): out[N,F] = silu(gate) * up */
void swiglu_forward(float *out, const float *h13, int N, int F);
/* dh13[N, 2F] overwritten */
void swiglu_backward(float *dh13, const float *dout, const float *h13, int N, int F);

/* x[N,C] += y[N,C] */
void residual_add(float *x, const float *y, int64_t n);

/* Softmax cross-entropy over logits[N,V] (turned into probabilities in place); losses[n]
 * = -log p[target]; returns nothing.  Targets < 0 are ignored (loss 0). */
void crossentropy_forward(float *probs_inplace, float *losses, const int32_t *targets, int N, int V);
/* dlogits[N,V] = (probs - onehot) * scale, written over probs */
void crossentropy_backward(float *probs_inplace, const int32_t *targets, int N, int V, float scale);
#endif
