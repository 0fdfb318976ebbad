/* src/engine/tensor.c — the tensor type table (ggml numbering, block layouts as ggml),
 * float16/bfloat16 conversions, and the row-level entry points (to_float, quantize) that
 * dispatch through the table to src/engine/kernels/. */
#include "engine/tensor.h"
#include "engine/kernels/kernels.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One row per ggml type number.  Types we only know the layout of (so that a file holding
 * them can be parsed, listed and rejected cleanly at load) have supported = 0. */
#define ROW(num, nm, bs, ts, sup, vdt) [num] = {nm, bs, ts, sup, vdt, NULL, NULL, NULL, NULL, {NULL, NULL, NULL}}
/* k: the kernel sets' suffix (vk_scalar_k, vk_avx2_k: kernels/kernels.h); a512: the AVX-512 set or NULL */
#define KROW(num, nm, bs, ts, vdt, tof, fromf, act, dot, k, a512) \
    [num] = {nm, bs, ts, 1, vdt, tof, fromf, act, dot, {&vk_scalar_##k, &vk_avx2_##k, a512}}
static const vers_type_traits type_table[VT_COUNT] = {
    KROW(VT_F32,  "F32",  1, 4, VT_F32, vk_f32_to_float, vk_f32_from_float, vk_f32_from_float,
         vk_dot_f32_scalar, f32, &vk_avx512_f32),
    KROW(VT_F16,  "F16",  1, 2, VT_F16, vk_f16_to_float, vk_f16_from_float, vk_f16_from_float,
         vk_dot_f16_scalar, f16, &vk_avx512_f16),
    KROW(VT_Q4_0, "Q4_0", 32, 18, VT_Q8_0, vk_q4_0_to_float, vk_q4_0_from_float, NULL,
         vk_dot_q4_0_scalar, q4_0, &vk_avx512_q4_0),
    ROW(VT_Q4_1, "Q4_1", 32, 20, 0, VT_Q8_1),
    ROW(VT_Q5_0, "Q5_0", 32, 22, 0, VT_Q8_0),
    ROW(VT_Q5_1, "Q5_1", 32, 24, 0, VT_Q8_1),
    KROW(VT_Q8_0, "Q8_0", 32, 34, VT_Q8_0, vk_q8_0_to_float, vk_q8_0_from_float, vk_q8_0_from_float_act,
         vk_dot_q8_0_scalar, q8_0, &vk_avx512_q8_0),
    ROW(VT_Q8_1, "Q8_1", 32, 36, 0, VT_Q8_1),
    ROW(VT_Q2_K, "Q2_K", 256, 84, 0, VT_Q8_K),
    ROW(VT_Q3_K, "Q3_K", 256, 110, 0, VT_Q8_K),
    KROW(VT_Q4_K, "Q4_K", 256, 144, VT_Q8_K, vk_q4_K_to_float, vk_q4_K_from_float, NULL,
         vk_dot_q4_K_scalar, q4_K, &vk_avx512_q4_K),
    KROW(VT_Q5_K, "Q5_K", 256, 176, VT_Q8_K, vk_q5_K_to_float, vk_q5_K_from_float, NULL,
         vk_dot_q5_K_scalar, q5_K, &vk_avx512_q5_K),
    KROW(VT_Q6_K, "Q6_K", 256, 210, VT_Q8_K, vk_q6_K_to_float, vk_q6_K_from_float, NULL,
         vk_dot_q6_K_scalar, q6_K, &vk_avx512_q6_K),
    /* activation type of the K-quant dot products only (no weights of this type) */
    [VT_Q8_K] = {"Q8_K", 256, 292, 0, VT_Q8_K, vk_q8_K_to_float, vk_q8_K_from_float,
                 vk_q8_K_from_float, NULL, {NULL, NULL, NULL}},
    ROW(16, "IQ2_XXS", 256, 66, 0, VT_Q8_K),
    ROW(17, "IQ2_XS", 256, 74, 0, VT_Q8_K),
    ROW(18, "IQ3_XXS", 256, 98, 0, VT_Q8_K),
    ROW(19, "IQ1_S", 256, 50, 0, VT_Q8_K),
    ROW(20, "IQ4_NL", 32, 18, 0, VT_Q8_0),
    ROW(21, "IQ3_S", 256, 110, 0, VT_Q8_K),
    ROW(22, "IQ2_S", 256, 82, 0, VT_Q8_K),
    ROW(23, "IQ4_XS", 256, 136, 0, VT_Q8_K),
    ROW(VT_I8,  "I8",  1, 1, 0, VT_I8),
    ROW(VT_I16, "I16", 1, 2, 0, VT_I16),
    ROW(VT_I32, "I32", 1, 4, 0, VT_I32),
    ROW(VT_I64, "I64", 1, 8, 0, VT_I64),
    ROW(VT_F64, "F64", 1, 8, 0, VT_F64),
    ROW(29, "IQ1_M", 256, 56, 0, VT_Q8_K),
    KROW(VT_BF16, "BF16", 1, 2, VT_F32, vk_bf16_to_float, vk_bf16_from_float, NULL,
         vk_dot_bf16_scalar, bf16, NULL),
    ROW(34, "TQ1_0", 256, 54, 0, VT_Q8_K),
    ROW(35, "TQ2_0", 256, 66, 0, VT_Q8_K),
    ROW(39, "MXFP4", 32, 17, 0, VT_Q8_0),
};
#undef ROW
#undef KROW

const vers_type_traits *vers_type_get(int type) {
    if (type < 0 || type >= VT_COUNT || !type_table[type].name) return NULL;
    return &type_table[type];
}

/* Q4_0 repacked by 8 rows (VT_Q4_0_X8): Q4_0's row, its own kernels */
static const vers_type_traits q4_0x8_traits = {"Q4_0", 32, 18, 1, VT_Q8_0, vk_q4_0_to_float, vk_q4_0_from_float, NULL,
                                               vk_dot_q4_0_scalar, {&vk_scalar_q4_0x8, &vk_avx2_q4_0x8, &vk_avx512_q4_0x8}};

const vers_type_traits *vers_mm_traits(int wtype) {
    return wtype == VT_Q4_0_X8 ? &q4_0x8_traits : vers_type_get(wtype);
}

vers_vec_dot_fn vers_type_dot(const vers_type_traits *t, int isa) {
    if (!t) return NULL;
    for (int l = isa > 2 ? 2 : isa; l >= 0; l--)
        if (t->kernels[l] && t->kernels[l]->dot) return t->kernels[l]->dot;
    return t->vec_dot;
}

const char *vers_type_name(int type) {
    const vers_type_traits *t = vers_type_get(type);
    return t ? t->name : "?";
}

int vers_type_from_name(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < VT_COUNT; i++)
        if (type_table[i].name && strcasecmp(type_table[i].name, name) == 0) return i;
    return -1;
}

size_t vers_row_size(int type, int64_t n) {
    const vers_type_traits *t = vers_type_get(type);
    if (!t || n < 0 || n % t->blck_size) return 0;
    return (size_t)(n / t->blck_size) * t->type_size;
}

/* ---- float16 / bfloat16, bit-exact with ggml's scalar conversions ---- */
static inline float f32_from_bits(uint32_t w) { float f; memcpy(&f, &w, 4); return f; }
static inline uint32_t f32_to_bits(float f) { uint32_t w; memcpy(&w, &f, 4); return w; }

float vers_f16_to_f32(uint16_t h) {
    const uint32_t w = (uint32_t)h << 16;
    const uint32_t sign = w & 0x80000000u;
    const uint32_t two_w = w + w;
    const uint32_t exp_offset = 0xE0u << 23;
    const float exp_scale = f32_from_bits(0x7800000u);               /* 2^-112 */
    const float normalized = f32_from_bits((two_w >> 4) + exp_offset) * exp_scale;
    const uint32_t magic_mask = 126u << 23;
    const float denormalized = f32_from_bits((two_w >> 17) | magic_mask) - 0.5f;
    const uint32_t denormalized_cutoff = 1u << 27;
    return f32_from_bits(sign | (two_w < denormalized_cutoff ? f32_to_bits(denormalized)
                                                             : f32_to_bits(normalized)));
}

uint16_t vers_f32_to_f16(float f) {
    const float scale_to_inf = f32_from_bits(0x77800000u);   /* 2^112 */
    const float scale_to_zero = f32_from_bits(0x08800000u);  /* 2^-110 */
    float base = (__builtin_fabsf(f) * scale_to_inf) * scale_to_zero;
    const uint32_t w = f32_to_bits(f);
    const uint32_t shl1_w = w + w;
    const uint32_t sign = w & 0x80000000u;
    uint32_t bias = shl1_w & 0xFF000000u;
    if (bias < 0x71000000u) bias = 0x71000000u;
    base = f32_from_bits((bias >> 1) + 0x07800000u) + base;
    const uint32_t bits = f32_to_bits(base);
    const uint32_t exp_bits = (bits >> 13) & 0x00007C00u;
    const uint32_t mantissa_bits = bits & 0x00000FFFu;
    const uint32_t nonsign = exp_bits + mantissa_bits;
    return (uint16_t)((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

float vers_bf16_to_f32(uint16_t h) { return f32_from_bits((uint32_t)h << 16); }

uint16_t vers_f32_to_bf16(float f) {
    uint32_t u = f32_to_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 64);   /* quiet NaN */
    return (uint16_t)((u + (0x7fffu + ((u >> 16) & 1))) >> 16);
}

/* ---- row conversions ---- */
int vers_to_float(int type, const void *src, float *dst, int64_t n) {
    const vers_type_traits *t = vers_type_get(type);
    if (!t || n < 0 || n % t->blck_size) return VERS_EINVAL;
    if (!t->to_float) return VERS_EUNSUPPORTED;
    t->to_float(src, dst, n);
    return VERS_OK;
}

int vers_quantize_row(int type, const float *src, void *dst, int64_t n) {
    const vers_type_traits *t = vers_type_get(type);
    if (!t || n < 0 || n % t->blck_size) return VERS_EINVAL;
    if (!t->from_float) return VERS_EUNSUPPORTED;
    t->from_float(src, dst, n);
    return VERS_OK;
}
