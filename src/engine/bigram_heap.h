/* src/engine/bigram_heap.h — the binary heap both tokenizers merge from (SPM by score, BPE
 * by rank).  Only the element type and its order differ, so one definition serves both:
 *     BIGRAM_HEAP_DEFINE(bigram, before)   with  static int before(const bigram*, const bigram*)
 * defines `heap` ({v, n, cap}; free(h.v) when done), heap_push (VERS_OK or VERS_ENOMEM) and
 * heap_pop (n must be > 0).  The sift order is llama.cpp's std::priority_queue-compatible
 * "first in order wins" comparison, which the exact-match tests depend on. */
#ifndef VERS_BIGRAM_HEAP_H
#define VERS_BIGRAM_HEAP_H
#include "vers/common.h"
#include <stdlib.h>

#define BIGRAM_HEAP_DEFINE(T, BEFORE)                                              \
    typedef struct { T *v; size_t n, cap; } heap;                                 \
                                                                                  \
    static int heap_push(heap *h, T b) {                                          \
        if (h->n == h->cap) {                                                     \
            size_t cap = h->cap ? 2 * h->cap : 64;                                \
            T *v = realloc(h->v, cap * sizeof *v);                                \
            if (!v) return VERS_ENOMEM;                                           \
            h->v = v; h->cap = cap;                                               \
        }                                                                         \
        size_t i = h->n++;                                                        \
        while (i > 0) {                                                           \
            size_t p = (i - 1) / 2;                                               \
            if (!BEFORE(&b, &h->v[p])) break;                                     \
            h->v[i] = h->v[p];                                                    \
            i = p;                                                                \
        }                                                                         \
        h->v[i] = b;                                                              \
        return VERS_OK;                                                           \
    }                                                                             \
                                                                                  \
    static T heap_pop(heap *h) {                                                  \
        T top = h->v[0], last = h->v[--h->n];                                     \
        size_t i = 0;                                                             \
        for (;;) {                                                                \
            size_t l = 2 * i + 1, r = l + 1, m = i;                               \
            const T *best = &last;                                                \
            if (l < h->n && BEFORE(&h->v[l], best)) { m = l; best = &h->v[l]; }   \
            if (r < h->n && BEFORE(&h->v[r], best)) { m = r; }                    \
            if (m == i) break;                                                    \
            h->v[i] = h->v[m];                                                    \
            i = m;                                                                \
        }                                                                         \
        if (h->n) h->v[i] = last;                                                 \
        return top;                                                               \
    }
#endif
