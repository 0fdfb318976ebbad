/* src/engine/kernels/kernels.h — block layouts (byte-identical to ggml's ggml-common.h) and
 * the row kernels behind the type table of tensor.c: dequantize (to_float), weight
 * quantizers (as ggml's *_ref functions, so `vers quantize` writes llama-quantize's bytes),
 * activation quantizers (as ggml-cpu's x86 path) and dot products, scalar and AVX2/FMA.
 *
 * Dot products follow llama.cpp's x86 summation orders, so that the scalar and AVX2 twins
 * agree bit for bit with each other and with llama.cpp (dot_scalar.c states each order):
 * Q8_0 and K-quants in ggml's 8 float lanes, Q4_0 as its repacked kernels (one exact integer
 * sum per block, fma with d_w * d_x), F32/F16 in ggml_vec_dot's or tinyBLAS's order. */
#ifndef VERS_KERNELS_H
#define VERS_KERNELS_H
#include <stdint.h>
#include <stddef.h>

#define QK4_0 32
#define QK8_0 32
#define QK_K 256
#define K_SCALE_SIZE 12

typedef struct { uint16_t d; uint8_t qs[QK4_0 / 2]; } block_q4_0;
typedef struct { uint16_t d; int8_t qs[QK8_0]; } block_q8_0;
typedef struct { uint16_t d, dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qs[QK_K / 2]; } block_q4_K;
typedef struct { uint16_t d, dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qh[QK_K / 8]; uint8_t qs[QK_K / 2]; } block_q5_K;
typedef struct { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; uint16_t d; } block_q6_K;
typedef struct { float d; int8_t qs[QK_K]; int16_t bsums[QK_K / 16]; } block_q8_K;

_Static_assert(sizeof(block_q4_0) == 18, "q4_0 layout");
_Static_assert(sizeof(block_q8_0) == 34, "q8_0 layout");
_Static_assert(sizeof(block_q4_K) == 144, "q4_K layout");
_Static_assert(sizeof(block_q5_K) == 176, "q5_K layout");
_Static_assert(sizeof(block_q6_K) == 210, "q6_K layout");
_Static_assert(sizeof(block_q8_K) == 292, "q8_K layout");

/* quants.c: conversions and quantizers */
void vk_f32_to_float(const void *src, float *dst, int64_t n);
void vk_f32_from_float(const float *src, void *dst, int64_t n);
void vk_f16_to_float(const void *src, float *dst, int64_t n);
void vk_f16_from_float(const float *src, void *dst, int64_t n);
void vk_bf16_to_float(const void *src, float *dst, int64_t n);
void vk_bf16_from_float(const float *src, void *dst, int64_t n);
void vk_q8_0_to_float(const void *src, float *dst, int64_t n);
void vk_q8_0_from_float(const float *src, void *dst, int64_t n);      /* ggml quantize_row_q8_0_ref */
void vk_q8_0_from_float_act(const float *src, void *dst, int64_t n);  /* ggml-cpu x86 quantize_row_q8_0 */
void vk_q4_0_to_float(const void *src, float *dst, int64_t n);
void vk_q4_0_from_float(const float *src, void *dst, int64_t n);
void vk_q4_K_to_float(const void *src, float *dst, int64_t n);
void vk_q4_K_from_float(const float *src, void *dst, int64_t n);
void vk_q5_K_to_float(const void *src, float *dst, int64_t n);
void vk_q5_K_from_float(const float *src, void *dst, int64_t n);
void vk_q6_K_to_float(const void *src, float *dst, int64_t n);
void vk_q6_K_from_float(const float *src, void *dst, int64_t n);
void vk_q8_K_to_float(const void *src, float *dst, int64_t n);
void vk_q8_K_from_float(const float *src, void *dst, int64_t n);      /* ggml quantize_row_q8_K_ref */

/* scalar bodies of the converters above that have AVX2 twins (quants_avx2.c: same bytes;
 * the public names dispatch on vers_simd_enabled()) */
void vk_f16_from_float_scalar(const float *src, void *dst, int64_t n);
void vk_q8_0_from_float_act_scalar(const float *src, void *dst, int64_t n);
void vk_q8_K_from_float_scalar(const float *src, void *dst, int64_t n);
void vk_f16_from_float_avx2(const float *src, void *dst, int64_t n);
void vk_q8_0_from_float_act_avx2(const float *src, void *dst, int64_t n);
void vk_q8_K_from_float_avx2(const float *src, void *dst, int64_t n);

/* dot_scalar.c */
void vk_dot_f32_scalar(int64_t n, float *s, const void *w, const void *x);
void vk_dot_f16_scalar(int64_t n, float *s, const void *w, const void *x);
void vk_dot_bf16_scalar(int64_t n, float *s, const void *w, const void *x);
void vk_dot_q8_0_scalar(int64_t n, float *s, const void *w, const void *x);
void vk_dot_q4_0_scalar(int64_t n, float *s, const void *w, const void *x);
void vk_dot_q4_K_scalar(int64_t n, float *s, const void *w, const void *x);
void vk_dot_q5_K_scalar(int64_t n, float *s, const void *w, const void *x);
void vk_dot_q6_K_scalar(int64_t n, float *s, const void *w, const void *x);

/* ---- the kernels of a product, per weight type and instruction set ----
 * Prompt products: y[t*ldy + r] for all r < nr, t < nt (any sizes), each output computed
 * exactly as the type's vec_dot computes it; the kernel does its own blocking (rows
 * rearranged once per block of tokens). */
typedef void (*vk_gemm_fn)(int64_t n, int64_t nr, int64_t nt, float *y, int64_t ldy,
                           const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx);
/* Tile kernels: y[t*ldy + r] = dot(row r of w, token t of x) for r < nr (<= 8), t < nt. */
typedef void (*vk_tile_fn)(int64_t n, int nr, int nt, float *y, int64_t ldy,
                           const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx);
/* Decode over a thread's whole share: rows [0, nr) of w against one token x. */
typedef void (*vk_rows_fn)(int64_t n, int64_t nr, float *y, const uint8_t *w, const uint8_t *x);
typedef void (*vk_dot_fn)(int64_t n, float *s, const void *w, const void *x);

/* What one instruction set offers for one weight type (the type table of tensor.c points at
 * a set per level: scalar, AVX2, AVX-512).  NULL: this level has no such kernel, and matmul.c
 * takes the next lower level's; at the scalar level, no tile means a loop over dot. */
typedef struct vk_kernels {
    vk_dot_fn dot;        /* one output, in the type's vec_dot order */
    vk_tile_fn tile;      /* up to 8 rows x any tokens */
    vk_gemm_fn gemm;      /* several tokens, the kernel's own blocking */
    vk_rows_fn rows;      /* one token over a thread's share of rows */
    /* F32/F16 batches that llama.cpp hands to tinyBLAS (>= 2 tokens, n % 16 == 0, rows % 4
     * == 0) are summed in its 16-lane order: the dot and the product in that order */
    vk_dot_fn dot16;
    vk_gemm_fn gemm16;
    int stream;           /* float decode from memory: 1 a tile call per row, 2 the tile streams its rows */
} vk_kernels;

extern const vk_kernels vk_scalar_f32, vk_scalar_f16, vk_scalar_bf16, vk_scalar_q8_0, vk_scalar_q4_0,
    vk_scalar_q4_0x8, vk_scalar_q4_K, vk_scalar_q5_K, vk_scalar_q6_K;                 /* dot_scalar.c */
extern const vk_kernels vk_avx2_f32, vk_avx2_f16, vk_avx2_bf16, vk_avx2_q8_0, vk_avx2_q4_0,
    vk_avx2_q4_0x8, vk_avx2_q4_K, vk_avx2_q5_K, vk_avx2_q6_K;                         /* dot_avx2.c */
extern const vk_kernels vk_avx512_f32, vk_avx512_f16, vk_avx512_q8_0, vk_avx512_q4_0,
    vk_avx512_q4_0x8;                                                                  /* dot_avx512.c */
extern const vk_kernels vk_avx512_q4_K, vk_avx512_q5_K, vk_avx512_q6_K;                /* dot_k_avx512.c */

/* dot_avx2.c's F16 dot (the set's .dot), for the attention of a decoded token (kv.c) */
void vk_dot_f16_avx2(int64_t n, float *s, const void *w, const void *x);

/* tinyBLAS's order for batches (see dot_scalar.c; n % 16 == 0) */
void vk_dot16_f32_scalar(int64_t n, float *s, const void *w, const void *x);
void vk_dot16_f16_scalar(int64_t n, float *s, const void *w, const void *x);

/* Q4_0 repacked by 8 rows: per block of a group of 8 rows, 144 bytes: R_0..R_3 (32 bytes;
 * int32 lane r of R_j = quant bytes 4j..4j+3 of row r), then the 8 rows' d.  Its kernels take
 * rows in whole groups of 8 (nr <= 8 for a tile, a multiple of 8 for rows). */
#define Q4_0X8_BLK 144
void vk_repack_q4_0x8(const uint8_t *src, uint8_t *dst, int64_t nb, int64_t n_out);
void vk_tile_q4_0x8_scalar(int64_t n, int nr, int nt, float *y, int64_t ldy,
                           const uint8_t *w, size_t ldw, const uint8_t *x, size_t ldx);

/* attn.c / attn_avx2.c: p·v of one decoded token over an F16 cache, llama.cpp's order */
void vk_attn_pv_f16_scalar(int D, int n_kv, const float *p, const uint16_t *V, size_t ldv, float *out);
void vk_attn_pv_f16_avx2(int D, int n_kv, const float *p, const uint16_t *V, size_t ldv, float *out);

/* F16 <-> F32 as in tensor.h, inline for the kernels */
float vers_f16_to_f32(uint16_t h);
uint16_t vers_f32_to_f16(float f);
#endif
