/* src/engine/ops.h — the forward pass's element-wise and row operations, computed the way
 * ggml computes them on the CPU (so that logits match llama.cpp's): norms sum in double,
 * softmax sums in double and scales by (float)(1/sum), RoPE's theta is multiplied by
 * base^(-2/n_rot) pair after pair, GELU is ggml's F16 table lookup.
 * The hot ones (attention dot products, axpy, SiLU) have AVX2 twins in ops_avx2.c, picked
 * when vers_simd_enabled(). */
#ifndef VERS_OPS_H
#define VERS_OPS_H
#include <stddef.h>
#include <stdint.h>

/* y = x / sqrt(mean(x^2) + eps) * w   (y may be x) */
void ops_rmsnorm(float *y, const float *x, const float *w, int n, float eps);
/* y = (x - mean) / sqrt(var + eps) * w + b   (y may be x) */
void ops_layernorm(float *y, const float *x, const float *w, const float *b, int n, float eps);

/* cs[2i], cs[2i+1] = cos, sin of pos * base^(-2i/n_rot), i < n_rot/2 */
void ops_rope_table(float *cs, int pos, int n_rot, float base);
/* Rotates the first n_rot dims of each of n_head heads of x (head_dim apart).
 * neox = 0: pairs (2i, 2i+1) (ggml rope mode NORM); 1: pairs (i, i + n_rot/2) (NEOX). */
void ops_rope(float *x, int n_head, int head_dim, int n_rot, const float *cs, int neox);

/* ggml's AVX-512 expf (ggml_v_expf: a polynomial, within 1.5 ulp of expf), bit for bit. */
float ops_v_expf(float x);
/* Softmax as ggml_soft_max_ext computes it on AVX-512: x *= scale; max; e = v_expf(x - max)
 * in blocks of 16 whose float sums (halving tree) are added in double; x = e * (float)(1/sum).
 * Entries of -INFINITY get 0. */
void ops_softmax(float *x, int n, float scale);

/* g[i] = silu(g[i]) * u[i] over one row of n: silu = x/(1+v_expf(-x)) for the first
 * n - n%16 values, x/(1+expf(-x)) for the rest (ggml_vec_silu_f32 on AVX-512). */
void ops_swiglu(float *g, const float *u, int n);
/* ggml's GELU table: table[h] = F16(tanh-GELU(F32(h))) for every half h (65536 entries). */
void ops_gelu_table(uint16_t *table);
/* x[i] = gelu(x[i]): 0 below -10, x above 10, else the table at F16(x) */
void ops_gelu(float *x, int n, const uint16_t *table);

void ops_add(float *y, const float *x, int n);            /* y += x */

/* Attention products in tinyBLAS's order (llamafile_sgemm, 16 float lanes: lane i
 * accumulates the products k = i mod 16 with FMA, then a halving tree 16->8->4->2->1):
 * what llama.cpp computes for q.k and p.v with an F16 cache.
 *   ops_dot16_lanes: sum_k a[k]*b[k] over halves
 *   ops_pv16_lanes: out[d] = sum_j p[j] * V[j*stride + d], p[] already F16-rounded floats,
 *                   lanes over j; acc is 16*D floats of scratch */
float ops_dot16_lanes(const uint16_t *a, const uint16_t *b, int n);
void ops_pv16_lanes(float *out, const float *p, const uint16_t *V, size_t stride, int n_kv, int D, float *acc);
float ops_dot16_lanes_avx2(const uint16_t *a, const uint16_t *b, int n);
void ops_pv16_lanes_avx2(float *out, const float *p, const uint16_t *V, size_t stride, int n_kv, int D, float *acc);
void ops_softmax_avx2(float *x, int n, float scale);
void ops_swiglu_avx2(float *g, const float *u, int n);
/* x = F16-rounded x (round to nearest even), as the probabilities of llama.cpp's F16 attention */
void ops_round_f16_avx2(float *x, int n);

/* Whole-row attention loops (one call per head and query):
 *   scores: att[j] = q . K[j*stride ..]  for j < n_kv
 *   pv:     out[d] = sum_j p[j] * V[j*stride + d] */
void ops_scores_f32(float *att, const float *q, const float *K, size_t stride, int n_kv, int D);
void ops_pv_f32(float *out, const float *p, const float *V, size_t stride, int n_kv, int D);
void ops_scores16_lanes(float *att, const uint16_t *q, const uint16_t *K, size_t stride, int n_kv, int D);
void ops_scores_f32_avx2(float *att, const float *q, const float *K, size_t stride, int n_kv, int D);
void ops_pv_f32_avx2(float *out, const float *p, const float *V, size_t stride, int n_kv, int D);
void ops_scores16_lanes_avx2(float *att, const uint16_t *q, const uint16_t *K, size_t stride, int n_kv, int D);
/* ops_avx512.c: the same two products for 4 queries of one head at once (D <= 256), query t over positions j < n_kv[t], rows of att / p / out lda / ldp / ldo apart;
 * p of query t must be 0 for n_kv[t] <= j < max n_kv.  Bits of the single-query kernels. */
void ops_scores16_lanes_x4_avx512(float *att, size_t lda, const uint16_t *q, const uint16_t *K, size_t stride,
                                  const int n_kv[4], int D);
void ops_pv16_lanes_x4_avx512(float *out, size_t ldo, const float *p, size_t ldp, const uint16_t *V, size_t stride,
                              const int n_kv[4], int D, float *acc);

/* Attention dot products and weighted sums. */
float ops_dot_f32(const float *a, const float *b, int n);
float ops_dot_f16(const uint16_t *a, const uint16_t *b, int n);  /* products of halves, float sum */
void ops_axpy_f32(float *y, float a, const float *x, int n);     /* y += a*x */
void ops_axpy_f16(float *y, float a, const uint16_t *x, int n);
void ops_f32_to_f16(uint16_t *y, const float *x, int n);

/* AVX2 twins (ops_avx2.c) */
float ops_dot_f32_avx2(const float *a, const float *b, int n);
float ops_dot_f16_avx2(const uint16_t *a, const uint16_t *b, int n);
void ops_axpy_f32_avx2(float *y, float a, const float *x, int n);
void ops_axpy_f16_avx2(float *y, float a, const uint16_t *x, int n);
void ops_f32_to_f16_avx2(uint16_t *y, const float *x, int n);
#endif
