/* src/engine/ops.c — row operations of the forward pass, scalar (see ops.h for why they
 * compute the way they do). */
#include "engine/ops.h"
#include "engine/tensor.h"
#include <math.h>
#include <stdlib.h>

void ops_rmsnorm(float *y, const float *x, const float *w, int n, float eps) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / n);
    const float scale = 1.0f / sqrtf(mean + eps);
    for (int i = 0; i < n; i++) y[i] = (x[i] * scale) * w[i];
}

void ops_layernorm(float *y, const float *x, const float *w, const float *b, int n, float eps) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += (double)x[i];
    const float mean = (float)(sum / n);
    double sum2 = 0.0;
    for (int i = 0; i < n; i++) {
        float v = x[i] - mean;
        y[i] = v;
        sum2 += (double)(v * v);
    }
    const float variance = (float)(sum2 / n);
    const float scale = 1.0f / sqrtf(variance + eps);
    for (int i = 0; i < n; i++) y[i] = (y[i] * scale) * w[i] + b[i];
}

void ops_rope_table(float *cs, int pos, int n_rot, float base) {
    const float theta_scale = powf(base, -2.0f / (float)n_rot);
    float theta = (float)pos;
    for (int i = 0; i < n_rot / 2; i++) {
        cs[2 * i] = cosf(theta);
        cs[2 * i + 1] = sinf(theta);
        theta *= theta_scale;
    }
}

void ops_rope(float *x, int n_head, int head_dim, int n_rot, const float *cs, int neox) {
    const int half = n_rot / 2;
    for (int h = 0; h < n_head; h++) {
        float *v = x + (size_t)h * head_dim;
        for (int i = 0; i < half; i++) {
            const float c = cs[2 * i], s = cs[2 * i + 1];
            const int a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
            const float x0 = v[a], x1 = v[b];
            /* ggml-cpu is C compiled as gnu11, so gcc contracts x0*c - x1*s into
             * fma(x0, c, -(x1*s)) (and the sum likewise); the F16 KV cache makes the
             * last-bit difference visible at some positions */
            v[a] = fmaf(x0, c, -(x1 * s));
            v[b] = fmaf(x0, s, x1 * c);
        }
    }
}

/* ggml_v_expf (AVX-512), one lane: exp(x) = 2^n * p(b), x = n ln2 + b */
float ops_v_expf(float x) {
    const float r = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, r);
    const float n = z - r;
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));
    if (fabsf(n) > 192.0f) return n <= 0.0f ? 0.0f : INFINITY;
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                         u, fmaf(0x1.ffffecp-1f, b, 1.0f));
    return ldexpf(j, (int)n);
}

static float hsum16(const float *v) {
    float v8[8], v4[4];
    for (int i = 0; i < 8; i++) v8[i] = v[i] + v[i + 8];
    for (int i = 0; i < 4; i++) v4[i] = v8[i] + v8[i + 4];
    return (v4[0] + v4[2]) + (v4[1] + v4[3]);
}

void ops_softmax(float *x, int n, float scale) {
    float max = -INFINITY;
    for (int i = 0; i < n; i++) {
        x[i] *= scale;
        if (x[i] > max) max = x[i];
    }
    double sum = 0.0;
    for (int i0 = 0; i0 < n; i0 += 16) {
        float blk[16] = { 0 };
        for (int i = i0; i < i0 + 16 && i < n; i++) blk[i - i0] = x[i] = ops_v_expf(x[i] - max);
        sum += (double)hsum16(blk);
    }
    const float inv = (float)(1.0 / sum);
    for (int i = 0; i < n; i++) x[i] *= inv;
}

void ops_swiglu(float *g, const float *u, int n) {
    const int nv = n - n % 16;
    for (int i = 0; i < n; i++) {
        const float v = g[i];
        const float e = i < nv ? ops_v_expf(-v) : expf(-v);
        g[i] = (v / (1.0f + e)) * u[i];
    }
}

float ops_dot16_lanes(const uint16_t *a, const uint16_t *b, int n) {
    float acc[16] = { 0 };
    for (int k = 0; k < n; k++) acc[k & 15] = fmaf(vers_f16_to_f32(a[k]), vers_f16_to_f32(b[k]), acc[k & 15]);
    return hsum16(acc);
}

void ops_pv16_lanes(float *out, const float *p, const uint16_t *V, size_t stride, int n_kv, int D, float *acc) {
    for (int i = 0; i < 16 * D; i++) acc[i] = 0.0f;
    for (int j = 0; j < n_kv; j++) {
        float *a = acc + (size_t)(j & 15) * D;
        const uint16_t *v = V + (size_t)j * stride;
        for (int d = 0; d < D; d++) a[d] = fmaf(vers_f16_to_f32(v[d]), p[j], a[d]);
    }
    float lanes[16];
    for (int d = 0; d < D; d++) {
        for (int l = 0; l < 16; l++) lanes[l] = acc[(size_t)l * D + d];
        out[d] = hsum16(lanes);
    }
}

static float gelu_f32(float x) {
    const float GELU_COEF_A = 0.044715f;
    const float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;
    /* ggml-cpu is gnu11 C, so gcc contracts 1 + A*x*x into fma(A*x, x, 1) */
    return 0.5f * x * (1.0f + tanhf(SQRT_2_OVER_PI * x * fmaf(GELU_COEF_A * x, x, 1.0f)));
}

void ops_gelu_table(uint16_t *table) {
    for (int i = 0; i < 65536; i++)
        table[i] = vers_f32_to_f16(gelu_f32(vers_f16_to_f32((uint16_t)i)));
}

void ops_gelu(float *x, int n, const uint16_t *table) {
    for (int i = 0; i < n; i++) {
        if (x[i] <= -10.0f) x[i] = 0.0f;
        else if (x[i] >= 10.0f) continue;
        else x[i] = vers_f16_to_f32(table[vers_f32_to_f16(x[i])]);
    }
}

void ops_add(float *y, const float *x, int n) {
    for (int i = 0; i < n; i++) y[i] += x[i];
}

float ops_dot_f32(const float *a, const float *b, int n) {
    float s = 0.0f;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

float ops_dot_f16(const uint16_t *a, const uint16_t *b, int n) {
    float s = 0.0f;
    for (int i = 0; i < n; i++) s += vers_f16_to_f32(a[i]) * vers_f16_to_f32(b[i]);
    return s;
}

void ops_axpy_f32(float *y, float a, const float *x, int n) {
    for (int i = 0; i < n; i++) y[i] += a * x[i];
}

void ops_axpy_f16(float *y, float a, const uint16_t *x, int n) {
    for (int i = 0; i < n; i++) y[i] += a * vers_f16_to_f32(x[i]);
}

void ops_f32_to_f16(uint16_t *y, const float *x, int n) {
    for (int i = 0; i < n; i++) y[i] = vers_f32_to_f16(x[i]);
}

void ops_scores_f32(float *att, const float *q, const float *K, size_t stride, int n_kv, int D) {
    for (int j = 0; j < n_kv; j++) att[j] = ops_dot_f32(q, K + (size_t)j * stride, D);
}

void ops_pv_f32(float *out, const float *p, const float *V, size_t stride, int n_kv, int D) {
    for (int d = 0; d < D; d++) out[d] = 0.0f;
    for (int j = 0; j < n_kv; j++) ops_axpy_f32(out, p[j], V + (size_t)j * stride, D);
}

void ops_scores16_lanes(float *att, const uint16_t *q, const uint16_t *K, size_t stride, int n_kv, int D) {
    for (int j = 0; j < n_kv; j++) att[j] = ops_dot16_lanes(q, K + (size_t)j * stride, D);
}
