/* fuzz/fuzz_gguf.c — libFuzzer target for the GGUF reader (make fuzz; see docs/RELIABILITY.md).
 *
 *   build-fuzz/fuzz_gguf -max_len=65536 fuzz/corpus/gguf
 *
 * Opens the input as a GGUF file from memory; when it is accepted, reads back everything
 * a model loader would: every kv through the typed getters and array accessors, every
 * tensor looked up by name and its first rows dequantized.  ASan/UBSan catch any read
 * outside the buffer; the checks below catch an accepted file that is not self-consistent. */
#include "engine/gguf.h"
#include "engine/tensor.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(int cond, const char *what) {
    if (!cond) { fprintf(stderr, "fuzz_gguf: invariant broken: %s\n", what); abort(); }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* exact-size copy, so that ASan sees any read past the end */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    gguf_file *g = NULL;
    vers_err err = {0};
    int rc = gguf_open_memory(buf, size, &g, &err);
    if (rc != VERS_OK) {
        check(g == NULL && err.msg[0] != 0, "error without message");
        free(buf);
        return 0;
    }
    volatile double sink = 0;
    for (uint64_t i = 0; i < g->n_kv; i++) {
        const gguf_kv *kv = &g->kv[i];
        char key[300];
        snprintf(key, sizeof key, "%.*s", (int)(kv->key.len > 290 ? 290 : kv->key.len), kv->key.ptr);
        if (kv->key.len <= 290 && !memchr(kv->key.ptr, 0, kv->key.len))
            check(gguf_find_key(g, key) == (int64_t)i, "key lookup");
        uint64_t u64; uint32_t u32; int64_t i64; float f; int b; gguf_str s;
        if (gguf_get_u64(g, key, &u64) == 0) sink += (double)u64;
        if (gguf_get_u32(g, key, &u32) == 0) sink += u32;
        if (gguf_get_i64(g, key, &i64) == 0) sink += (double)i64;
        if (gguf_get_f32(g, key, &f) == 0) sink += f;
        if (gguf_get_bool(g, key, &b) == 0) sink += b;
        if (gguf_get_str(g, key, &s) == 0 && s.len) sink += (unsigned char)s.ptr[s.len - 1];
        const gguf_kv *a = gguf_get_arr(g, key);
        if (a) {
            uint64_t n = a->arr_n < 4096 ? a->arr_n : 4096;
            for (uint64_t j = 0; j <= n; j++) { sink += gguf_arr_f64(a, j); sink += (double)gguf_arr_i64(a, j); }
            if (a->arr_type == GGUF_STRING)
                for (uint64_t j = 0; j < n; j++)
                    if (a->arr_str[j].len) sink += (unsigned char)a->arr_str[j].ptr[a->arr_str[j].len - 1];
        }
    }
    float *row = NULL;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        const gguf_tensor *t = &g->tensors[i];
        check((const uint8_t *)t->data >= g->base && t->nbytes <= g->size &&
              (size_t)((const uint8_t *)t->data - g->base) <= g->size - t->nbytes, "tensor inside the file");
        char name[300];
        snprintf(name, sizeof name, "%.*s", (int)(t->name.len > 290 ? 290 : t->name.len), t->name.ptr);
        if (t->name.len <= 290 && !memchr(t->name.ptr, 0, t->name.len))
            check(gguf_find_tensor(g, name) == t, "tensor lookup");
        const vers_type_traits *tr = vers_type_get(t->type);
        check(tr != NULL, "known type");
        size_t rs = vers_row_size(t->type, t->ne[0]);
        check(rs > 0 && rs <= t->nbytes, "row size");
        if (tr->supported && t->ne[0] <= 65536) {
            float *r2 = realloc(row, (size_t)t->ne[0] * sizeof *row);
            if (!r2) break;
            row = r2;
            check(vers_to_float(t->type, t->data, row, t->ne[0]) == VERS_OK, "dequantize");
            sink += row[0];
        }
    }
    (void)sink;
    free(row);
    gguf_close(g);
    free(buf);
    return 0;
}
