/* src/engine/kernels/attn.c — attention products of one decoded token over an F16 KV cache
 * in llama.cpp's single-token order.  With one token in the batch, ggml computes q·k and
 * p·v through ggml_vec_dot_f16 (not tinyBLAS, which takes batches of 2 or more): 4 x 16
 * lanes over steps of 64 elements with FMA, folded and reduced, the leftovers summed in
 * double (kernels/dot_scalar.c).  For p·v the dot runs over the KV positions, whose count
 * llama.cpp pads to a multiple of 32 (probabilities 0 there): the padding decides which
 * positions fall into the 64-element steps and which into the leftovers.
 * This file: the scalar twin; attn_avx2.c: the same operations 8 head dimensions at once. */
#include "engine/kernels/kernels.h"
#include <math.h>
#include <string.h>

/* out[d] = sum_j V[j][d] * p[j] over j < n_pad = n_kv rounded up to 32 (p = 0 past n_kv),
 * V rows ldv F16 values apart, p already rounded to F16 values. */
void vk_attn_pv_f16_scalar(int D, int n_kv, const float *p, const uint16_t *V, size_t ldv, float *out) {
    const int n_pad = (n_kv + 31) & ~31, np = n_pad & ~63;
    for (int d = 0; d < D; d++) {
        float acc[64] = {0};   /* accumulator (j / 16) % 4, lane j % 16 */
        for (int j = 0; j < np && j < n_kv; j++)
            acc[j & 63] = fmaf(vers_f16_to_f32(V[(size_t)j * ldv + d]), p[j], acc[j & 63]);
        float l[16];
        for (int i = 0; i < 16; i++) l[i] = (acc[i] + acc[32 + i]) + (acc[16 + i] + acc[48 + i]);
        float v8[8], v4[4];
        for (int i = 0; i < 8; i++) v8[i] = l[i + 8] + l[i];
        for (int i = 0; i < 4; i++) v4[i] = v8[i + 4] + v8[i];
        double sum = (v4[0] + v4[2]) + (v4[1] + v4[3]);
        for (int j = np; j < n_kv; j++) sum += (double)(vers_f16_to_f32(V[(size_t)j * ldv + d]) * p[j]);
        out[d] = (float)sum;
    }
}
