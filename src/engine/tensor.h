/* src/engine/tensor.h — tensor types (ggml numbering) and their traits, quantization,
 * and the matrix-vector/matrix-matrix kernels the forward pass runs on.
 *
 * Weights are row-major: a weight W with GGUF dims (ne0 = n_in, ne1 = n_out) stores n_out
 * rows of n_in values (in blocks for quantized types).  Activations are float32.
 * Kernels follow ggml: the activations are converted to the weight type's vec_dot type
 * first (Q8_0 for Q4_0/Q8_0, Q8_K for K-quants, F16 for F16, F32 for F32/BF16→F32), which
 * is what makes int8 dot products fast and results match llama.cpp's.  SIMD (AVX2/FMA)
 * kernels are picked at run time; VERS_NO_SIMD=1 forces the scalar twins. */
#ifndef VERS_TENSOR_H
#define VERS_TENSOR_H
#include "vers/common.h"
#include <stdint.h>
#include <stddef.h>

typedef enum {
    VT_F32 = 0, VT_F16 = 1, VT_Q4_0 = 2, VT_Q4_1 = 3, VT_Q5_0 = 6, VT_Q5_1 = 7,
    VT_Q8_0 = 8, VT_Q8_1 = 9, VT_Q2_K = 10, VT_Q3_K = 11, VT_Q4_K = 12, VT_Q5_K = 13,
    VT_Q6_K = 14, VT_Q8_K = 15, VT_I8 = 24, VT_I16 = 25, VT_I32 = 26, VT_I64 = 27,
    VT_F64 = 28, VT_BF16 = 30, VT_COUNT = 40
} vers_type;

/* Not a GGUF type: Q4_0 weights repacked by groups of 8 rows (vers_repack_q4_0x8), as
 * llama.cpp repacks Q4_0 on AVX2 machines, so that decode reads one stream instead of 8 rows.
 * Accepted by vers_matmul* and vers_act_* (activations as Q4_0's); results are the same
 * bits as the row layout. */
#define VT_Q4_0_X8 64
/* dst (n_out x n_in Q4_0 bytes, n_out % 8 == 0) <- src in rows; VERS_EINVAL otherwise. */
int vers_repack_q4_0x8(const void *src, void *dst, int64_t n_in, int64_t n_out);

/* Row kernels (n values, a multiple of the block size). */
typedef void (*vers_to_float_fn)(const void *src, float *dst, int64_t n);
typedef void (*vers_from_float_fn)(const float *src, void *dst, int64_t n);
/* *s = dot product of n values of a weight row w (this type) and x (its vec_dot_type). */
typedef void (*vers_vec_dot_fn)(int64_t n, float *s, const void *w, const void *x);

typedef struct vers_type_traits {
    const char *name;        /* "F32", "Q4_K", ... ; NULL = unknown/unsupported */
    int blck_size;           /* values per block */
    size_t type_size;        /* bytes per block */
    int supported;           /* we can dequantize / multiply it */
    vers_type vec_dot_type;  /* what activations become before the dot product */
    /* kernels (NULL where the type lacks them) */
    vers_to_float_fn to_float;
    vers_from_float_fn from_float;      /* weight quantizer: bytes as ggml's reference quantizer */
    vers_from_float_fn from_float_act;  /* activation quantizer (types used as vec_dot_type):
                                           as ggml-cpu's x86 path (e.g. Q8_0 round-half-even) */
    vers_vec_dot_fn vec_dot;            /* scalar */
    /* the product kernels per instruction set (kernels/kernels.h), scalar, AVX2, AVX-512:
     * the one place that says which kernel multiplies this type (matmul.c takes the highest
     * level the CPU has, a missing kernel from the level below); NULL: none at that level */
    const struct vk_kernels *kernels[3];
} vers_type_traits;

/* Instruction-set levels of the kernel table. */
enum { VERS_ISA_SCALAR = 0, VERS_ISA_AVX2 = 1, VERS_ISA_AVX512 = 2 };

const vers_type_traits *vers_type_get(int type);       /* NULL if unknown */
/* The traits a product with weight code wtype uses: vers_type_get's, or for VT_Q4_0_X8 Q4_0's
 * with the repacked layout's kernels.  NULL if unknown. */
const vers_type_traits *vers_mm_traits(int wtype);
/* The dot product of a type at an instruction-set level (the highest one at or below it that
 * has one); NULL if none. */
vers_vec_dot_fn vers_type_dot(const vers_type_traits *t, int isa);
const char *vers_type_name(int type);                   /* "?" if unknown */
int vers_type_from_name(const char *name);              /* -1 if unknown */
/* Bytes of a row of n values (n must be a multiple of blck_size; returns 0 otherwise). */
size_t vers_row_size(int type, int64_t n);

/* Conversions. */
float vers_f16_to_f32(uint16_t h);
uint16_t vers_f32_to_f16(float f);        /* round to nearest even, as ggml */
float vers_bf16_to_f32(uint16_t h);
uint16_t vers_f32_to_bf16(float f);
/* Dequantizes n values (n a multiple of the block size) of a row of any supported type. */
int vers_to_float(int type, const void *src, float *dst, int64_t n);
/* Quantizes n floats to a weight type (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K ...). */
int vers_quantize_row(int type, const float *src, void *dst, int64_t n);

/* y[t*n_out + o] = sum_i W[o][i] * x[t*n_in + i]  for t < n_tok, o < n_out.
 * Threads split output rows (OpenMP, n_threads); each output is computed in the same order
 * whatever the thread count, so results are bit-identical across thread counts. */
void vers_matmul(float *y, const void *W, int wtype, const float *x,
                 int64_t n_in, int64_t n_out, int64_t n_tok, int n_threads);

/* The same product in two steps, for several weights that share an input (Q, K, V; gate,
 * up): convert the activations once to the weight type's vec_dot_type, then multiply.
 * vers_act_row_size gives the bytes of one converted row (0 if the type is unsupported). */
size_t vers_act_row_size(int wtype, int64_t n_in);
int vers_act_convert(int wtype, const float *x, void *xq, int64_t n_in, int64_t n_tok);
void vers_matmul_prepared(float *y, const void *W, int wtype, const void *xq,
                          int64_t n_in, int64_t n_out, int64_t n_tok, int n_threads);

/* Run-time SIMD choice (cpu.c): the instruction-set level in use, VERS_ISA_AVX512 where the CPU
 * has AVX-512 F/BW/VL/DQ/VNNI, VERS_ISA_AVX2 where it has AVX2+FMA+F16C, else scalar;
 * VERS_NO_SIMD=1 forces scalar, VERS_NO_AVX512=1 (or VERS_NO_VNNI=1) at most AVX2.
 * vers_simd_enabled(): level >= AVX2.  vers_simd_force(0/1) and vers_simd_force_level(l) (at
 * most what the CPU has) let tests compare the twins in one process. */
int vers_simd_level(void);
int vers_simd_enabled(void);
void vers_simd_force(int on);
void vers_simd_force_level(int level);
#endif
