/* src/engine/matmul.c — y = W x for the forward pass: activations converted to the weight
 * type's vec_dot_type (as ggml does), then dot products over tiles of output rows x tokens
 * so that a tile of weight rows is read from memory once for many tokens.  Which kernels
 * run is the type table's say (tensor.c: a kernel set per instruction-set level); this file
 * only takes the highest level the CPU has (vers_simd_level) and drives them.
 *
 * Threads split output rows statically; every output is computed by the same code in the
 * same order whatever the thread count and whatever tile it falls in, so results are
 * bit-identical across thread counts.  Small products run without a parallel region:
 * for tiny models the cost of waking threads exceeds the work. */
#include "engine/tensor.h"
#include "engine/kernels/kernels.h"
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- the product ---- */
#define SMALL_WORK (32 * 1024)  /* n_out * n_in below which one thread does it all */
#define ROW_TILE 8               /* output rows per tile (and per thread-split unit) */
#define TOK_TILE 64              /* tokens per pass over a tile of rows */

typedef struct {
    float *y;
    const uint8_t *W;
    const uint8_t *xq;           /* activations in vec_dot_type, n_tok rows of xrow bytes */
    size_t wrow, xrow;
    int64_t n_in, n_out, n_tok;
    vk_dot_fn dot;
    vk_tile_fn tile;
    vk_gemm_fn gemm;             /* several tokens: the kernel's own blocked product */
    vk_rows_fn rows;             /* one token: the kernel's own loop over all the rows */
    int rowwise;                 /* one token, float weights: rows one after another */
    int rowwise_tile;            /* ... which the tile kernel does itself (F32, F16) */
} mm_job;

/* Rows [r0, r1) for all tokens. */
static void mm_rows(const mm_job *j, int64_t r0, int64_t r1) {
    if (j->rows && j->n_tok == 1) {
        if (r1 > r0) j->rows(j->n_in, r1 - r0, j->y + r0, j->W + (size_t)r0 * j->wrow, j->xq);
        return;
    }
    if (j->gemm && j->n_tok > 1) {
        if (r1 > r0)
            j->gemm(j->n_in, r1 - r0, j->n_tok, j->y + r0, j->n_out, j->W + (size_t)r0 * j->wrow, j->wrow, j->xq, j->xrow);
        return;
    }
    for (int64_t t0 = 0; t0 < j->n_tok; t0 += TOK_TILE) {
        const int64_t t1 = t0 + TOK_TILE < j->n_tok ? t0 + TOK_TILE : j->n_tok;
        for (int64_t r = r0; r < r1; r += ROW_TILE) {
            const int nr = (int)(r1 - r < ROW_TILE ? r1 - r : ROW_TILE);
            const uint8_t *w = j->W + (size_t)r * j->wrow;
            if (j->tile && j->rowwise && t1 - t0 == 1 && j->rowwise_tile) {
                /* F32/F16: the tile itself streams its rows in order (and overlaps the rows'
                 * leftover chains) */
                j->tile(j->n_in, nr, 1, j->y + t0 * j->n_out + r, j->n_out, w, j->wrow, j->xq + (size_t)t0 * j->xrow, j->xrow);
                continue;
            }
            if (j->tile && j->rowwise && t1 - t0 == 1) {
                /* one token, float weights: rows one after another (the same arithmetic as
                 * the 4-row tile, whose lanes are per row) stream the weights in order: up to
                 * 2.5x faster than 4 interleaved rows when the matrix is not in the cache.
                 * (Quantized tiles have a per-call cost that makes this slower for them.) */
                for (int k = 0; k < nr; k++)
                    j->tile(j->n_in, 1, 1, j->y + t0 * j->n_out + r + k, j->n_out,
                            w + (size_t)k * j->wrow, j->wrow, j->xq + (size_t)t0 * j->xrow, j->xrow);
                continue;
            }
            if (j->tile) {
                j->tile(j->n_in, nr, (int)(t1 - t0), j->y + t0 * j->n_out + r, j->n_out,
                        w, j->wrow, j->xq + (size_t)t0 * j->xrow, j->xrow);
                continue;
            }
            for (int64_t t = t0; t < t1; t++)
                for (int k = 0; k < nr; k++)
                    j->dot(j->n_in, &j->y[t * j->n_out + r + k], w + (size_t)k * j->wrow,
                           j->xq + (size_t)t * j->xrow);
        }
    }
}

/* Rows of thread `ith` of `nth`: contiguous, in units of ROW_TILE. */
static void mm_split(int64_t n_out, int ith, int nth, int64_t *r0, int64_t *r1) {
    int64_t units = (n_out + ROW_TILE - 1) / ROW_TILE;
    int64_t per = units / nth, extra = units % nth;
    int64_t u0 = ith * per + (ith < extra ? ith : extra);
    int64_t u1 = u0 + per + (ith < extra ? 1 : 0);
    *r0 = u0 * ROW_TILE < n_out ? u0 * ROW_TILE : n_out;
    *r1 = u1 * ROW_TILE < n_out ? u1 * ROW_TILE : n_out;
}

static void convert_rows(const vers_type_traits *vt, const float *x, uint8_t *xq, int64_t n_in,
                         size_t xrow, int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) vt->from_float_act(x + t * n_in, xq + (size_t)t * xrow, n_in);
}

/* The kernels of a type at an instruction-set level, from the type table: each field from
 * the highest level at or below it that has one. */
static void pick_kernels(const vers_type_traits *tt, int level, vk_kernels *k) {
    memset(k, 0, sizeof *k);
    for (int l = 0; l <= level; l++) {
        const vk_kernels *s = tt->kernels[l];
        if (!s) continue;
        if (s->dot) k->dot = s->dot;
        if (s->tile) k->tile = s->tile;
        if (s->gemm) k->gemm = s->gemm;
        if (s->rows) k->rows = s->rows;
        if (s->dot16) k->dot16 = s->dot16;
        if (s->gemm16) k->gemm16 = s->gemm16;
        if (s->stream) k->stream = s->stream;
    }
    if (!k->dot) k->dot = tt->vec_dot;
}

/* The job both entry points describe: row sizes, kernels chosen for this CPU, and whether
 * float weights are large enough to stream row by row. */
static void mm_job_init(mm_job *j, const vers_type_traits *tt, float *y, const void *W,
                        int64_t n_in, int64_t n_out, int64_t n_tok) {
    vk_kernels k;
    pick_kernels(tt, vers_simd_level(), &k);
    memset(j, 0, sizeof *j);
    j->y = y; j->W = W; j->n_in = n_in; j->n_out = n_out; j->n_tok = n_tok;
    j->wrow = (size_t)(n_in / tt->blck_size) * tt->type_size;
    j->xrow = vers_row_size(tt->vec_dot_type, n_in);
    j->dot = k.dot;
    j->tile = k.tile;
    j->gemm = k.gemm;
    j->rows = k.rows;
    /* F32/F16 batches that llama.cpp hands to tinyBLAS (>= 2 tokens, n_in % 16 == 0, rows
     * % 4 == 0) are summed in its order, one token or other shapes in ggml_vec_dot's
     * (kernels/dot_scalar.c): the F16 KV cache rounds the results, so the order shows. */
    if (k.dot16 && n_tok >= 2 && n_in % 16 == 0 && n_out % 4 == 0) {
        j->dot = k.dot16;
        j->tile = NULL;
        j->gemm = k.gemm16;
    }
    j->rowwise = k.stream && (double)n_out * (double)j->wrow >= (double)(1 << 18);   /* larger than half an L2 */
    j->rowwise_tile = k.stream == 2;
}

void vers_matmul(float *y, const void *W, int wtype, const float *x,
                 int64_t n_in, int64_t n_out, int64_t n_tok, int n_threads) {
    const vers_type_traits *tt = vers_mm_traits(wtype);
    if (!tt || !tt->vec_dot || n_in <= 0 || n_out <= 0 || n_tok <= 0 || n_in % tt->blck_size) return;
    if (wtype == VT_Q4_0_X8 && n_out % 8) return;
    const vers_type_traits *vt = vers_type_get(tt->vec_dot_type);
    mm_job j;
    mm_job_init(&j, tt, y, W, n_in, n_out, n_tok);

    uint8_t *buf = NULL;
    const int convert = tt->vec_dot_type != VT_F32;
    if (convert) {
        if (vt->blck_size > 0 && n_in % vt->blck_size) return;
        buf = malloc((size_t)n_tok * j.xrow);
        if (!buf) {
            /* No memory for all tokens: one token at a time through a small buffer. */
            uint8_t *one = malloc(j.xrow);
            if (!one) return;  /* cannot happen for sane sizes; y is left unchanged */
            for (int64_t t = 0; t < n_tok; t++) {
                vt->from_float_act(x + t * n_in, one, n_in);
                vers_matmul_prepared(y + t * n_out, W, wtype, one, n_in, n_out, 1, n_threads);
            }
            free(one);
            return;
        }
        j.xq = buf;
    } else {
        j.xq = (const uint8_t *)x;
    }

    int nth = n_threads < 1 ? 1 : n_threads;
    if ((double)n_out * (double)n_in * (double)n_tok < SMALL_WORK) nth = 1;
    if (nth == 1) {
        if (convert) convert_rows(vt, x, buf, n_in, j.xrow, 0, n_tok);
        mm_rows(&j, 0, n_out);
    } else {
#pragma omp parallel num_threads(nth)
        {
#ifdef _OPENMP
            const int ith = omp_get_thread_num(), nt = omp_get_num_threads();
#else
            const int ith = 0, nt = 1;
#endif
            if (convert) {
                int64_t t0 = n_tok * ith / nt, t1 = n_tok * (ith + 1) / nt;
                convert_rows(vt, x, buf, n_in, j.xrow, t0, t1);
#pragma omp barrier
            }
            int64_t r0, r1;
            mm_split(n_out, ith, nt, &r0, &r1);
            mm_rows(&j, r0, r1);
        }
    }
    free(buf);
}

void vers_matmul_prepared(float *y, const void *W, int wtype, const void *xq,
                          int64_t n_in, int64_t n_out, int64_t n_tok, int n_threads) {
    const vers_type_traits *tt = vers_mm_traits(wtype);
    if (!tt || !tt->vec_dot || n_in <= 0 || n_out <= 0 || n_tok <= 0 || n_in % tt->blck_size) return;
    if (wtype == VT_Q4_0_X8 && n_out % 8) return;
    mm_job j;
    mm_job_init(&j, tt, y, W, n_in, n_out, n_tok);
    j.xq = xq;
    int nth = n_threads < 1 ? 1 : n_threads;
    if ((double)n_out * (double)n_in * (double)n_tok < SMALL_WORK) nth = 1;
    if (nth == 1) {
        mm_rows(&j, 0, n_out);
        return;
    }
#pragma omp parallel num_threads(nth)
    {
#ifdef _OPENMP
        const int ith = omp_get_thread_num(), nt = omp_get_num_threads();
#else
        const int ith = 0, nt = 1;
#endif
        int64_t r0, r1;
        mm_split(n_out, ith, nt, &r0, &r1);
        mm_rows(&j, r0, r1);
    }
}

size_t vers_act_row_size(int wtype, int64_t n_in) {
    const vers_type_traits *tt = vers_mm_traits(wtype);
    if (!tt || !tt->vec_dot) return 0;
    return vers_row_size(tt->vec_dot_type, n_in);
}

int vers_act_convert(int wtype, const float *x, void *xq, int64_t n_in, int64_t n_tok) {
    const vers_type_traits *tt = vers_mm_traits(wtype);
    if (!tt || !tt->vec_dot) return VERS_EUNSUPPORTED;
    const vers_type_traits *vt = vers_type_get(tt->vec_dot_type);
    size_t xrow = vers_row_size(tt->vec_dot_type, n_in);
    if (n_in <= 0 || n_tok < 0 || !xrow) return VERS_EINVAL;
    if (tt->vec_dot_type == VT_F32) {
        memcpy(xq, x, (size_t)n_tok * xrow);
        return VERS_OK;
    }
    convert_rows(vt, x, xq, n_in, xrow, 0, n_tok);
    return VERS_OK;
}

int vers_repack_q4_0x8(const void *src, void *dst, int64_t n_in, int64_t n_out) {
    if (!src || !dst || n_in <= 0 || n_in % 32 || n_out <= 0 || n_out % 8) return VERS_EINVAL;
    vk_repack_q4_0x8(src, dst, n_in / 32, n_out);
    return VERS_OK;
}
