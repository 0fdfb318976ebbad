/* src/engine/tokenizer_spm.c — the "llama" (SentencePiece-style) tokenizer, as llama.cpp's
 * llm_tokenizer_spm_session: the text (dummy prefix and U+2581 spaces already applied by
 * tokenizer.c) is cut into UTF-8 characters; adjacent symbols whose concatenation is a token
 * are merged, highest score first (ties: leftmost), until no pair is a token; a symbol that
 * is not a token is written as its bytes' <0xHH> tokens.
 *
 * llama.cpp also keeps a rev_merge map to re-split a final symbol that is not a token; every
 * merged symbol is a token by construction, so that path only ever meets single characters
 * that were never merged and falls through to the bytes: we go to the bytes directly. */
#include "tokenizer_internal.h"
#include "bigram_heap.h"
#include "unicode.h"
#include <stdlib.h>
#include <string.h>

typedef struct { int prev, next; size_t start, n; } sym;
typedef struct { int left, right; float score; size_t size; } bigram;

/* max-heap order: higher score first, then smaller left (llm_bigram_spm::comparator) */
static int before(const bigram *a, const bigram *b) {
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

BIGRAM_HEAP_DEFINE(bigram, before)

static int try_add(const vers_tokenizer *t, const char *s, sym *sy, heap *h, int left, int right) {
    if (left < 0 || right < 0) return VERS_OK;
    size_t size = sy[left].n + sy[right].n;
    int32_t id = vtok_find(t, s + sy[left].start, size);
    if (id < 0) return VERS_OK;
    return heap_push(h, (bigram){ left, right, t->score[id], size });
}

int vtok_spm_tokenize(const vers_tokenizer *t, const char *s, size_t n, vtok_ids *out) {
    if (n == 0) return VERS_OK;
    if (n > (size_t)INT32_MAX) return VERS_ENOMEM;
    int rc = VERS_ENOMEM;
    sym *sy = malloc(n * sizeof *sy);
    heap h = { 0 };
    if (!sy) return VERS_ENOMEM;
    int count = 0;
    for (size_t off = 0; off < n; ) {
        size_t len = vu_len_utf8((uint8_t)s[off]);
        if (len > n - off) len = n - off;
        sy[count].start = off;
        sy[count].n = len;
        off += len;
        sy[count].prev = count - 1;
        sy[count].next = off == n ? -1 : count + 1;
        count++;
    }
    for (int i = 1; i < count; i++)
        if ((rc = try_add(t, s, sy, &h, i - 1, i))) goto done;
    while (h.n) {
        bigram b = heap_pop(&h);
        sym *l = &sy[b.left], *r = &sy[b.right];
        if (l->n == 0 || r->n == 0 || l->n + r->n != b.size) continue;   /* stale */
        l->n += r->n;
        r->n = 0;
        l->next = r->next;
        if (r->next >= 0) sy[r->next].prev = b.left;
        if ((rc = try_add(t, s, sy, &h, l->prev, b.left))) goto done;
        if ((rc = try_add(t, s, sy, &h, b.left, l->next))) goto done;
    }
    for (int i = 0; i != -1; i = sy[i].next) {
        int32_t id = vtok_find(t, s + sy[i].start, sy[i].n);
        if (id >= 0) {
            if ((rc = vtok_push(out, id))) goto done;
            continue;
        }
        for (size_t j = 0; j < sy[i].n; j++) {
            /* llama.cpp throws when a byte has no token; we write <unk> (or nothing) */
            int32_t bt = t->byte_tok[(uint8_t)s[sy[i].start + j]];
            if (bt < 0) bt = t->unk;
            if (bt >= 0 && (rc = vtok_push(out, bt))) goto done;
        }
    }
    rc = VERS_OK;
done:
    free(sy);
    free(h.v);
    return rc;
}
