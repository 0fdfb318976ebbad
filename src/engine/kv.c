/* src/engine/kv.c — the KV cache and attention over it.
 *
 * Layout: k_cache / v_cache [n_layer][n_head_kv][n_ctx][head_dim], float or F16: a head's
 * keys (values) are one run in memory, which the prefetchers follow.  Position-major rows
 * (one kv_dim row per position) made attention a strided walk, each step a cache miss once
 * the weights streaming past had evicted the cache (it was 14% of 134M decode time at 2
 * threads; the change gave +16% tg128).
 * F16 reproduces llama.cpp's default cache: K and V are rounded to F16 when stored, the query
 * is rounded to F16 for q·k, and the softmax probabilities are rounded to F16 before they
 * weight V (ggml converts a matmul's F32 operand to the F16 weight's vec_dot type).  A batch of
 * several tokens sums q·k and p·v in tinyBLAS's lane order, a single token in
 * ggml_vec_dot_f16's (kernels/attn.c), as llama.cpp does.
 * Softmax as ggml_soft_max_ext: scores * (1/sqrt(head_dim)), max, exp, double sum.
 *
 * Query tokens and heads are independent: with several threads they are split between
 * them, each output computed in the same order whatever the split. */
#include "engine/model.h"
#include "engine/ops.h"
#include "engine/kernels/kernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* where row t's K (V) of head g, layer l goes in its branch's tail (branch.c's layout) */
static size_t tail_off(const vers_ctx *c, int l, int g, int t) {
    const vers_model_info *hp = &c->m->info;
    return ((((size_t)c->row_branch[t] * hp->n_layer + (size_t)l) * hp->n_head_kv + (size_t)g) * c->br_cap +
            (size_t)c->row_slot[t]) * hp->head_dim;
}

/* one position's K and V rows of a head into cache offset o (floats or F16) */
static void store_kv(const vers_ctx *c, void *kc, void *vc, size_t o, const float *kt, const float *vt, int D,
                     void (*cvt)(uint16_t *, const float *, int)) {
    if (c->kv_type == VERS_KV_F32) {
        memcpy((float *)kc + o, kt, sizeof(float) * (size_t)D);
        memcpy((float *)vc + o, vt, sizeof(float) * (size_t)D);
    } else {
        cvt((uint16_t *)kc + o, kt, D);
        cvt((uint16_t *)vc + o, vt, D);
    }
}

void kv_store(vers_ctx *c, int l, int pos0, int n, const float *k, const float *v) {
    const int D = c->m->info.head_dim, HKV = c->m->info.n_head_kv;
    const size_t kd = (size_t)c->kv_dim;
    void (*cvt)(uint16_t *, const float *, int) = vers_simd_enabled() ? ops_f32_to_f16_avx2 : ops_f32_to_f16;
    for (int g = 0; g < HKV; g++) {
        const size_t base = (((size_t)l * HKV + (size_t)g) * c->n_ctx + (size_t)pos0) * D;
        for (int t = 0; t < n; t++) {
            const float *kt = k + (size_t)t * kd + (size_t)g * D, *vt = v + (size_t)t * kd + (size_t)g * D;
            if (c->row_branch)           /* rows of branches: into their tails */
                store_kv(c, c->bk_cache, c->bv_cache, tail_off(c, l, g, t), kt, vt, D, cvt);
            else
                store_kv(c, c->k_cache, c->v_cache, base + (size_t)t * D, kt, vt, D, cvt);
        }
    }
}

typedef struct {
    void (*scores32)(float *, const float *, const float *, size_t, int, int);
    void (*pv32)(float *, const float *, const float *, size_t, int, int);
    void (*scores16)(float *, const uint16_t *, const uint16_t *, size_t, int, int);
    void (*pv16)(float *, const float *, const uint16_t *, size_t, int, int, float *);
    void (*cvt)(uint16_t *, const float *, int);
    void (*softmax)(float *, int, float);
} att_fns;

/* one query head of one token over positions 0..n_kv-1; scratch: att [n_ctx], q16 [D],
 * acc [16*D] */
static void attend_one(const vers_ctx *c, const att_fns *f, int l, int n_kv, int g, const float *q,
                       float *out, float *att, uint16_t *q16, float *acc, int single) {
    const int D = c->m->info.head_dim;
    const size_t kd = (size_t)D;   /* stride between positions */
    const size_t base = ((size_t)l * c->m->info.n_head_kv + (size_t)g) * c->n_ctx * D;
    const float scale = 1.0f / sqrtf((float)D);
    if (c->kv_type == VERS_KV_F32) {
        const float *K = (const float *)c->k_cache + base, *V = (const float *)c->v_cache + base;
        f->scores32(att, q, K, kd, n_kv, D);
        f->softmax(att, n_kv, scale);
        f->pv32(out, att, V, kd, n_kv, D);
    } else {
        /* llama.cpp: q and the probabilities rounded to F16, products in tinyBLAS order */
        const uint16_t *K = (const uint16_t *)c->k_cache + base, *V = (const uint16_t *)c->v_cache + base;
        f->cvt(q16, q, D);
        if (single) {   /* one token in the batch: ggml_vec_dot_f16's order (kernels/attn.c) */
            const int simd = vers_simd_enabled();
            for (int j = 0; j < n_kv; j++)
                (simd ? vk_dot_f16_avx2 : vk_dot_f16_scalar)(D, &att[j], K + (size_t)j * kd, q16);
        } else {
            f->scores16(att, q16, K, kd, n_kv, D);
        }
        f->softmax(att, n_kv, scale);
        if (vers_simd_enabled()) ops_round_f16_avx2(att, n_kv);
        else for (int j = 0; j < n_kv; j++) att[j] = vers_f16_to_f32(vers_f32_to_f16(att[j]));
        if (single) (vers_simd_enabled() ? vk_attn_pv_f16_avx2 : vk_attn_pv_f16_scalar)(D, n_kv, att, V, kd, out);
        else f->pv16(out, att, V, kd, n_kv, D, acc);
    }
}

/* One query head of branch row t: over the shared prefix (positions 0..br_base-1 of the
 * cache) and the row's own tail (slots 0..row_slot[t]).  The scores of both runs are one
 * softmax; the weighted sums of the two runs are added (the batch kernels throughout).
 * scratch: att [n_ctx + br_cap], q16 [D], acc [16*D], tmp [D] */
static void attend_branch(const vers_ctx *c, const att_fns *f, int l, int t, int g, const float *q,
                          float *out, float *att, uint16_t *q16, float *acc, float *tmp) {
    const int D = c->m->info.head_dim, base = c->br_base, n_tail = c->row_slot[t] + 1;
    const size_t pre = ((size_t)l * c->m->info.n_head_kv + (size_t)g) * c->n_ctx * D;
    const size_t tail = tail_off(c, l, g, t) - (size_t)c->row_slot[t] * D;
    const float scale = 1.0f / sqrtf((float)D);
    const int n_kv = base + n_tail;
    if (c->kv_type == VERS_KV_F32) {
        const float *K = (const float *)c->k_cache + pre, *V = (const float *)c->v_cache + pre;
        const float *TK = (const float *)c->bk_cache + tail, *TV = (const float *)c->bv_cache + tail;
        if (base) f->scores32(att, q, K, (size_t)D, base, D);
        f->scores32(att + base, q, TK, (size_t)D, n_tail, D);
        f->softmax(att, n_kv, scale);
        f->pv32(tmp, att + base, TV, (size_t)D, n_tail, D);
        if (base) { f->pv32(out, att, V, (size_t)D, base, D); for (int d = 0; d < D; d++) out[d] += tmp[d]; }
        else memcpy(out, tmp, sizeof(float) * (size_t)D);
    } else {
        const uint16_t *K = (const uint16_t *)c->k_cache + pre, *V = (const uint16_t *)c->v_cache + pre;
        const uint16_t *TK = (const uint16_t *)c->bk_cache + tail, *TV = (const uint16_t *)c->bv_cache + tail;
        f->cvt(q16, q, D);
        if (base) f->scores16(att, q16, K, (size_t)D, base, D);
        f->scores16(att + base, q16, TK, (size_t)D, n_tail, D);
        f->softmax(att, n_kv, scale);
        if (vers_simd_enabled()) ops_round_f16_avx2(att, n_kv);
        else for (int j = 0; j < n_kv; j++) att[j] = vers_f16_to_f32(vers_f32_to_f16(att[j]));
        f->pv16(tmp, att + base, TV, (size_t)D, n_tail, D, acc);
        if (base) { f->pv16(out, att, V, (size_t)D, base, D, acc); for (int d = 0; d < D; d++) out[d] += tmp[d]; }
        else memcpy(out, tmp, sizeof(float) * (size_t)D);
    }
}

/* A prompt on an F16 cache at the AVX-512 level: groups of 4 consecutive tokens of one head
 * through ops_avx512.c's 4-query kernels (each K/V row converted once for 4 queries), the
 * tokens left over one by one; the same bits as attend_one (ops_avx512.c says why).
 * Returns 0 when it does not apply (or without memory for its scratch). */
static int attend_x4(vers_ctx *c, const att_fns *f, int l, int pos0, int n, const float *q, float *out) {
    const vers_model_info *hp = &c->m->info;
    const int H = hp->n_head, D = hp->head_dim, group = hp->n_head / hp->n_head_kv;
    if (n < 8 || c->kv_type == VERS_KV_F32 || D > 256 || vers_simd_level() < VERS_ISA_AVX512) return 0;
    int nt = c->n_threads < c->n_att_threads ? c->n_threads : c->n_att_threads;
    if (nt < 1) nt = 1;
    const size_t ldp = (size_t)(pos0 + n + 15) & ~(size_t)15;   /* positions a query can see */
    const size_t per = 4 * ldp + (size_t)4 * 16 * D + (size_t)2 * D;   /* floats of one thread's scratch */
    float *scratch = malloc(per * sizeof(float) * (size_t)nt);
    if (!scratch) return 0;
    const int ng = n / 4, n_groups = ng * H;
    const size_t kd = (size_t)D;
    const float scale = 1.0f / sqrtf((float)D);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int it = 0; it < n_groups + (n - 4 * ng) * H; it++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        float *att = scratch + per * (size_t)tid, *acc = att + 4 * ldp;
        uint16_t *q16 = (uint16_t *)(acc + (size_t)4 * 16 * D);
        if (it >= n_groups) {   /* a token after the last whole group */
            const int k = it - n_groups, t = 4 * ng + k / H, hh = k % H;
            attend_one(c, f, l, pos0 + t + 1, hh / group, q + ((size_t)t * H + hh) * D, out + ((size_t)t * H + hh) * D,
                       att, q16, acc, 0);
            continue;
        }
        /* heads outermost in the order, so that the long (late) groups come first */
        const int hh = it % H, t0 = 4 * (ng - 1 - it / H);
        const size_t base = ((size_t)l * hp->n_head_kv + (size_t)(hh / group)) * c->n_ctx * D;
        const uint16_t *K = (const uint16_t *)c->k_cache + base, *V = (const uint16_t *)c->v_cache + base;
        int nkv[4];
        for (int t = 0; t < 4; t++) {
            nkv[t] = pos0 + t0 + t + 1;
            f->cvt(q16 + (size_t)t * D, q + ((size_t)(t0 + t) * H + hh) * D, D);
        }
        ops_scores16_lanes_x4_avx512(att, ldp, q16, K, kd, nkv, D);
        for (int t = 0; t < 4; t++) {
            float *a = att + (size_t)t * ldp;
            f->softmax(a, nkv[t], scale);
            ops_round_f16_avx2(a, nkv[t]);
            for (int j = nkv[t]; j < nkv[3]; j++) a[j] = 0.0f;
        }
        ops_pv16_lanes_x4_avx512(out + ((size_t)t0 * H + hh) * D, (size_t)H * D, att, ldp, V, kd, nkv, D, acc);
    }
    free(scratch);
    return 1;
}

void kv_attend(vers_ctx *c, int l, int pos0, int n, const float *q, float *out) {
    const vers_model_info *hp = &c->m->info;
    const int H = hp->n_head, D = hp->head_dim, group = hp->n_head / hp->n_head_kv;
    att_fns f = { ops_scores_f32, ops_pv_f32, ops_scores16_lanes, ops_pv16_lanes, ops_f32_to_f16, ops_softmax };
    if (vers_simd_enabled()) {
        att_fns s = { ops_scores_f32_avx2, ops_pv_f32_avx2, ops_scores16_lanes_avx2, ops_pv16_lanes_avx2,
                      ops_f32_to_f16_avx2, ops_softmax_avx2 };
        f = s;
    }
    const int n_items = n * H;
    int nt = c->n_threads < c->n_att_threads ? c->n_threads : c->n_att_threads;
    if (c->row_branch) {
        /* every row is its own query over prefix + tail: items dealt to threads as below,
         * each output computed the same way whatever the split */
        const double bwork = (double)n_items * (c->br_base + c->br_cap / 2) * D;
        if (bwork < 20000.0) nt = 1;
#pragma omp parallel for num_threads(nt) schedule(static, 1) if (nt > 1)
        for (int it = 0; it < n_items; it++) {
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            int t = it / H, hh = it % H;
            attend_branch(c, &f, l, t, hh / group, q + (size_t)it * D, out + (size_t)it * D,
                          c->att + (size_t)tid * (c->n_ctx + c->br_cap), c->q16 + (size_t)tid * D,
                          c->pv_acc + (size_t)tid * 16 * D, c->br_tmp + (size_t)tid * D);
        }
        return;
    }
    const double work = (double)n_items * (pos0 + n) * D;
    if (attend_x4(c, &f, l, pos0, n, q, out)) return;
    /* below this the other thread's wake-up costs more than it saves; at 200000 (before) the
     * 134M model attended on one thread up to position 260 while the other spun: +5% tg128 */
    if (work < 20000.0 || nt < 2) {
        for (int it = 0; it < n_items; it++) {
            int t = it / H, hh = it % H;
            attend_one(c, &f, l, pos0 + t + 1, hh / group, q + (size_t)it * D, out + (size_t)it * D,
                       c->att, c->q16, c->pv_acc, n == 1);
        }
        return;
    }
#pragma omp parallel for num_threads(nt) schedule(static, 1)   /* token t costs t + 1 positions: deal them round robin */
    for (int it = 0; it < n_items; it++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        int t = it / H, hh = it % H;
        attend_one(c, &f, l, pos0 + t + 1, hh / group, q + (size_t)it * D, out + (size_t)it * D,
                   c->att + (size_t)tid * c->n_ctx, c->q16 + (size_t)tid * D, c->pv_acc + (size_t)tid * 16 * D, n == 1);
    }
}
