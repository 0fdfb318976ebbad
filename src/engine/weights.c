/* src/engine/weights.c — where a model's product matrices live.
 *
 * Decoding streams every product matrix from memory once per token.  With 4 KB pages that
 * stream crosses a page every 4 KB (a TLB miss, and the hardware prefetchers stop at page
 * boundaries); in 2 MB pages it does not: 134M Q4_0, Q8_0 and F16 decode 10-11% faster
 * (in-process A/B, bench/ab_decode, docs/BENCHMARKS.md).  A file mapping gets 2 MB pages only
 * when the page cache happens to hold the file in 2 MB folios (it depends on how the file was
 * read or written), so the matrices are copied, in decode order, into one anonymous region
 * asking for transparent huge pages, and the file's pages behind them are dropped from the
 * resident set (never read again): resident memory stays the same.  The copy costs load time
 * (~25 ms for 137 MB, more when the kernel must find and zero fresh huge pages), so it is made
 * only for matrices that stream from memory: COPY_MIN bytes and more, larger than a
 * last-level cache.  Smaller models, a kernel without huge pages (THP set to never), a file
 * that is not mapped, or VERS_WEIGHTS_IN_PLACE=1: the matrices are used in place.
 * VERS_WEIGHTS_COPY=1 copies a mapped file's matrices whatever their size (the tests compare
 * both placements).
 * Q4_0 matrices with whole groups of 8 rows are repacked into that region in either case, as
 * llama.cpp does on AVX2 machines: decode then reads one stream per 8 rows
 * (VERS_NO_REPACK=1 keeps the row layout). */
#include "engine/model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define COPY_MIN ((size_t)32 << 20)

static int env_on(const char *name) {
    const char *e = getenv(name);
    return e && *e && strcmp(e, "0") != 0;
}

/* 1 when anonymous memory can get transparent huge pages on request (THP "always" or
 * "madvise"; unknown, e.g. no sysfs: 0, and matrices stay in place). */
static int thp_available(void) {
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f) return 0;
    char line[128] = "";
    const int ok = fgets(line, sizeof line, f) && (strstr(line, "[always]") || strstr(line, "[madvise]"));
    fclose(f);
    return ok;
}

static int repackable(const vers_weight *w) {
    return w->type == VT_Q4_0 && w->n_out % 8 == 0 && !env_on("VERS_NO_REPACK");
}

static size_t slot_bytes(const vers_weight *w) { return (w->row_size * (size_t)w->n_out + 63) & ~(size_t)63; }

/* Drops the mapped file pages of [p, p + n) that lie wholly inside it. */
static void drop_file_pages(const vers_model *m, const void *p, size_t n) {
    if (!m->g->mapped) return;
    const long pg = sysconf(_SC_PAGESIZE);
    if (pg <= 0) return;
    uintptr_t a = ((uintptr_t)p + (uintptr_t)pg - 1) & ~(uintptr_t)(pg - 1);
    uintptr_t b = ((uintptr_t)p + n) & ~(uintptr_t)(pg - 1);
    if (b > a) madvise((void *)a, b - a, MADV_DONTNEED);
}

/* len bytes of anonymous memory at a 2 MB boundary (a huge page more is reserved, then the
 * slack at both ends given back); len whole 4 KB pages, so that the last partial 2 MB stays in
 * small pages and resident memory does not grow by up to a huge page.  NULL if refused. */
static uint8_t *map_region(size_t len, int huge) {
    uint8_t *raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return NULL;
    uint8_t *base = (uint8_t *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (base > raw) munmap(raw, (size_t)(base - raw));
    munmap(base + len, (size_t)(raw + len + HUGE_PAGE - (base + len)));
#ifdef MADV_HUGEPAGE
    if (huge) madvise(base, len, MADV_HUGEPAGE);   /* a hint: no error if refused */
#else
    (void)huge;
#endif
    return base;
}

typedef struct { const uint8_t *src; uint8_t *dst; size_t bytes; int64_t n_in, rows; int repack; } piece;

/* The n_w matrices copied (or repacked) to dst[i], in pieces of whole rows (of 8 rows when
 * repacked) of about a huge page each, on the model's threads: the kernel zeroes each huge
 * page as it is first written, which was most of the load time (134M F32: 155-580 ms on one
 * thread, ~100 ms on two).  Each piece's file pages are dropped as soon as it is copied, so
 * that the file and its copy are not resident at once. */
/* How w is cut: in units of unit_rows rows (8 when repacked) of unit bytes, per units a piece;
 * returns the number of units. */
static size_t piece_plan(const vers_weight *w, size_t *unit_rows, size_t *unit, size_t *per) {
    *unit_rows = repackable(w) ? 8 : 1;
    *unit = *unit_rows * w->row_size;
    *per = HUGE_PAGE / *unit ? HUGE_PAGE / *unit : 1;
    return (size_t)w->n_out / *unit_rows;
}

static int copy_in_pieces(vers_model *m, vers_weight *const *list, size_t n_w, uint8_t *const *dst) {
    size_t n_pieces = 0, unit_rows, unit, per;
    for (size_t i = 0; i < n_w; i++) {
        const size_t units = piece_plan(list[i], &unit_rows, &unit, &per);
        n_pieces += (units + per - 1) / per;
    }
    piece *pc = malloc((n_pieces ? n_pieces : 1) * sizeof *pc);
    if (!pc) return VERS_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n_w; i++) {
        const vers_weight *w = list[i];
        const size_t units = piece_plan(w, &unit_rows, &unit, &per);
        for (size_t u = 0; u < units; u += per) {
            const size_t nu = units - u < per ? units - u : per;
            pc[k++] = (piece){ (const uint8_t *)w->data + u * unit, dst[i] + u * unit, nu * unit, w->n_in,
                               (int64_t)(nu * unit_rows), unit_rows == 8 };
        }
    }
#pragma omp parallel for schedule(dynamic, 1) num_threads(m->n_threads > 0 ? m->n_threads : 1)
    for (size_t j = 0; j < k; j++) {
        if (pc[j].repack) vers_repack_q4_0x8(pc[j].src, pc[j].dst, pc[j].n_in, pc[j].rows);
        else memcpy(pc[j].dst, pc[j].src, pc[j].bytes);
        drop_file_pages(m, pc[j].src, pc[j].bytes);
    }
    free(pc);
    return VERS_OK;
}

int model_place_weights(vers_model *m, vers_err *err) {
    const vers_model_info *hp = &m->info;
    /* the product matrices in the order a token reads them (the token embedding, read by
     * rows, stays in the file unless it is also the output matrix) */
    vers_weight **list = malloc(((size_t)hp->n_layer * 8 + 1) * sizeof *list);
    if (!list) return vers_errorf(err, VERS_ENOMEM, "out of memory placing the weights");
    size_t n_w = 0, all = 0;
    for (int l = 0; l < hp->n_layer; l++) {
        model_layer *L = &m->layers[l];
        vers_weight *w[] = LAYER_MATS(L);
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            if (w[i]->data) list[n_w++] = w[i];
    }
    if (!hp->tied_output && m->output.data) list[n_w++] = &m->output;
    for (size_t i = 0; i < n_w; i++) all += slot_bytes(list[i]);
    const int copy_all = m->g->mapped && !env_on("VERS_WEIGHTS_IN_PLACE") &&
                         (env_on("VERS_WEIGHTS_COPY") || (all >= COPY_MIN && thp_available()));
    size_t kept = 0, total = 0;
    for (size_t i = 0; i < n_w; i++)
        if (copy_all || repackable(list[i])) {
            list[kept++] = list[i];
            total += slot_bytes(list[i]);
        }
    n_w = kept;
    if (!total) { free(list); return VERS_OK; }

    const long pg = sysconf(_SC_PAGESIZE);
    const size_t page = pg > 0 ? (size_t)pg : 4096, len = (total + page - 1) / page * page;
    uint8_t *base = map_region(len, copy_all);
    uint8_t **dst = malloc(n_w * sizeof *dst);
    if (!base || !dst) {
        if (base) munmap(base, len);
        free(dst); free(list);
        return vers_errorf(err, VERS_ENOMEM, "out of memory placing the weights");
    }
    m->weights = base;
    m->weights_len = len;
    for (size_t i = 0, off = 0; i < n_w; off += slot_bytes(list[i]), i++) dst[i] = base + off;
    if (copy_in_pieces(m, list, n_w, dst)) {
        free(dst); free(list);
        return vers_errorf(err, VERS_ENOMEM, "out of memory placing the weights");
    }
    for (size_t i = 0; i < n_w; i++) {
        vers_weight *w = list[i];
        if (repackable(w)) w->mm_type = VT_Q4_0_X8;
        drop_file_pages(m, w->data, w->row_size * (size_t)w->n_out);   /* the pages pieces shared */
        w->data = dst[i];
    }
    free(dst);
    free(list);
    return VERS_OK;
}

void model_weights_free(vers_model *m) {
    if (m->weights) munmap(m->weights, m->weights_len);
    m->weights = NULL;
    m->weights_len = 0;
}
