/* src/engine/gguf_write.c — the GGUF v3 writer.
 *
 * Metadata values are serialized when set (so the caller's buffers may go away); tensor
 * data is referenced until gguf_writer_write.  The layout is llama.cpp's: header, kvs in
 * the order first set, tensor infos, padding to the alignment, then each tensor's data
 * padded to the alignment.  The file appears atomically (src/util/outfile.c): written to a
 * temporary file in the same directory, fsync'd, then renamed over the target, whose
 * permissions it keeps. */
#include "engine/gguf.h"
#include "engine/tensor.h"
#include "util/outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *key;
    size_t key_len;
    uint32_t type;
    uint8_t *val;      /* serialized value (after the type field) */
    size_t val_len;
} wkv;

typedef struct {
    char *name;
    int type, n_dims;
    int64_t ne[GGUF_MAX_DIMS];
    const void *data;
    size_t nbytes;
} wtensor;

struct gguf_writer {
    wkv *kv;
    size_t n_kv, cap_kv;
    wtensor *t;
    size_t n_t, cap_t;
};

gguf_writer *gguf_writer_new(void) { return calloc(1, sizeof(gguf_writer)); }

void gguf_writer_free(gguf_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n_kv; i++) { free(w->kv[i].key); free(w->kv[i].val); }
    for (size_t i = 0; i < w->n_t; i++) free(w->t[i].name);
    free(w->kv);
    free(w->t);
    free(w);
}

/* ---- a growable byte buffer ---- */
typedef struct { uint8_t *p; size_t n, cap; int oom; } bbuf;

static void bb_put(bbuf *b, const void *d, size_t n) {
    if (b->oom || n == 0) return;
    if (b->n + n < b->n) { b->oom = 1; return; }
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n) {
            if (cap > SIZE_MAX / 2) { b->oom = 1; return; }
            cap *= 2;
        }
        uint8_t *q = realloc(b->p, cap);
        if (!q) { b->oom = 1; return; }
        b->p = q; b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void bb_u32(bbuf *b, uint32_t v) { bb_put(b, &v, 4); }
static void bb_u64(bbuf *b, uint64_t v) { bb_put(b, &v, 8); }
static void bb_str(bbuf *b, const char *s, size_t n) { bb_u64(b, n); bb_put(b, s, n); }

/* Sets key to a serialized value (takes ownership of val); replaces an existing key. */
static int set_kv(gguf_writer *w, const char *key, size_t key_len, uint32_t type, bbuf *val) {
    if (!w || !key || val->oom) { free(val->p); return val->oom ? VERS_ENOMEM : VERS_EINVAL; }
    for (size_t i = 0; i < w->n_kv; i++)
        if (w->kv[i].key_len == key_len && !memcmp(w->kv[i].key, key, key_len)) {
            free(w->kv[i].val);
            w->kv[i].type = type; w->kv[i].val = val->p; w->kv[i].val_len = val->n;
            return VERS_OK;
        }
    if (w->n_kv == w->cap_kv) {
        size_t cap = w->cap_kv ? 2 * w->cap_kv : 32;
        wkv *q = realloc(w->kv, cap * sizeof *q);
        if (!q) { free(val->p); return VERS_ENOMEM; }
        w->kv = q; w->cap_kv = cap;
    }
    char *k = malloc(key_len + 1);
    if (!k) { free(val->p); return VERS_ENOMEM; }
    memcpy(k, key, key_len);
    k[key_len] = 0;
    w->kv[w->n_kv++] = (wkv){k, key_len, type, val->p, val->n};
    return VERS_OK;
}

static int set_scalar(gguf_writer *w, const char *key, uint32_t type, const void *v, size_t n) {
    bbuf b = {0};
    bb_put(&b, v, n);
    return set_kv(w, key, key ? strlen(key) : 0, type, &b);
}

int gguf_writer_set_u32(gguf_writer *w, const char *key, uint32_t v) { return set_scalar(w, key, GGUF_UINT32, &v, 4); }
int gguf_writer_set_i32(gguf_writer *w, const char *key, int32_t v) { return set_scalar(w, key, GGUF_INT32, &v, 4); }
int gguf_writer_set_u64(gguf_writer *w, const char *key, uint64_t v) { return set_scalar(w, key, GGUF_UINT64, &v, 8); }
int gguf_writer_set_f32(gguf_writer *w, const char *key, float v) { return set_scalar(w, key, GGUF_FLOAT32, &v, 4); }
int gguf_writer_set_bool(gguf_writer *w, const char *key, int v) {
    uint8_t b = v ? 1 : 0;
    return set_scalar(w, key, GGUF_BOOL, &b, 1);
}

int gguf_writer_set_str(gguf_writer *w, const char *key, const char *v) {
    if (!v) return VERS_EINVAL;
    bbuf b = {0};
    bb_str(&b, v, strlen(v));
    return set_kv(w, key, key ? strlen(key) : 0, GGUF_STRING, &b);
}

int gguf_writer_set_arr_str(gguf_writer *w, const char *key, const char *const *v, const size_t *lens, uint64_t n) {
    if (n && !v) return VERS_EINVAL;
    bbuf b = {0};
    bb_u32(&b, GGUF_STRING);
    bb_u64(&b, n);
    for (uint64_t i = 0; i < n; i++) {
        if (!v[i]) { free(b.p); return VERS_EINVAL; }
        bb_str(&b, v[i], lens ? lens[i] : strlen(v[i]));
    }
    return set_kv(w, key, key ? strlen(key) : 0, GGUF_ARRAY, &b);
}

static int set_arr_num(gguf_writer *w, const char *key, uint32_t et, const void *v, size_t esz, uint64_t n) {
    if (n && !v) return VERS_EINVAL;
    if (n > SIZE_MAX / esz) return VERS_ENOMEM;
    bbuf b = {0};
    bb_u32(&b, et);
    bb_u64(&b, n);
    bb_put(&b, v, (size_t)n * esz);
    return set_kv(w, key, key ? strlen(key) : 0, GGUF_ARRAY, &b);
}
int gguf_writer_set_arr_f32(gguf_writer *w, const char *key, const float *v, uint64_t n) {
    return set_arr_num(w, key, GGUF_FLOAT32, v, 4, n);
}
int gguf_writer_set_arr_i32(gguf_writer *w, const char *key, const int32_t *v, uint64_t n) {
    return set_arr_num(w, key, GGUF_INT32, v, 4, n);
}

static size_t scalar_size(uint32_t t) {
    switch (t) {
    case GGUF_UINT8: case GGUF_INT8: case GGUF_BOOL: return 1;
    case GGUF_UINT16: case GGUF_INT16: return 2;
    case GGUF_UINT32: case GGUF_INT32: case GGUF_FLOAT32: return 4;
    case GGUF_UINT64: case GGUF_INT64: case GGUF_FLOAT64: return 8;
    default: return 0;
    }
}

int gguf_writer_copy_kvs(gguf_writer *w, const gguf_file *g, const char *const *skip) {
    if (!w || !g) return VERS_EINVAL;
    for (uint64_t i = 0; i < g->n_kv; i++) {
        const gguf_kv *kv = &g->kv[i];
        int skipped = 0;
        for (const char *const *s = skip; s && *s; s++)
            if (gguf_str_eq(kv->key, *s)) { skipped = 1; break; }
        if (skipped) continue;
        bbuf b = {0};
        if (kv->type == GGUF_STRING) {
            bb_str(&b, kv->str.ptr, kv->str.len);
        } else if (kv->type == GGUF_ARRAY) {
            bb_u32(&b, kv->arr_type);
            bb_u64(&b, kv->arr_n);
            if (kv->arr_type == GGUF_STRING) {
                for (uint64_t j = 0; j < kv->arr_n; j++) bb_str(&b, kv->arr_str[j].ptr, kv->arr_str[j].len);
            } else {
                bb_put(&b, kv->data, (size_t)kv->arr_n * scalar_size(kv->arr_type));
            }
        } else {
            bb_put(&b, kv->data, scalar_size(kv->type));
        }
        int rc = set_kv(w, kv->key.ptr, kv->key.len, kv->type, &b);
        if (rc) return rc;
    }
    return VERS_OK;
}

int gguf_writer_add_tensor(gguf_writer *w, const char *name, int type, int n_dims,
                           const int64_t *ne, const void *data) {
    if (!w || !name || !ne || n_dims < 1 || n_dims > GGUF_MAX_DIMS) return VERS_EINVAL;
    const vers_type_traits *tr = vers_type_get(type);
    if (!tr) return VERS_EINVAL;
    size_t len = strlen(name);
    for (size_t i = 0; i < w->n_t; i++)
        if (!strcmp(w->t[i].name, name)) return VERS_EINVAL;
    wtensor t = {0};
    t.type = type; t.n_dims = n_dims; t.data = data;
    uint64_t rows = 1;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) {
        t.ne[d] = d < n_dims ? ne[d] : 1;
        if (t.ne[d] < 1) return VERS_EINVAL;
        if (d > 0 && __builtin_mul_overflow(rows, (uint64_t)t.ne[d], &rows)) return VERS_EINVAL;
    }
    size_t rs = vers_row_size(type, t.ne[0]);
    uint64_t nb;
    if (!rs || __builtin_mul_overflow((uint64_t)rs, rows, &nb) || nb > SIZE_MAX) return VERS_EINVAL;
    if (nb && !data) return VERS_EINVAL;
    t.nbytes = (size_t)nb;
    if (w->n_t == w->cap_t) {
        size_t cap = w->cap_t ? 2 * w->cap_t : 64;
        wtensor *q = realloc(w->t, cap * sizeof *q);
        if (!q) return VERS_ENOMEM;
        w->t = q; w->cap_t = cap;
    }
    t.name = malloc(len + 1);
    if (!t.name) return VERS_ENOMEM;
    memcpy(t.name, name, len + 1);
    w->t[w->n_t++] = t;
    return VERS_OK;
}

/* ---- writing ---- */
static uint32_t writer_alignment(const gguf_writer *w) {
    for (size_t i = 0; i < w->n_kv; i++)
        if (!strcmp(w->kv[i].key, "general.alignment") && w->kv[i].type == GGUF_UINT32 && w->kv[i].val_len == 4) {
            uint32_t a;
            memcpy(&a, w->kv[i].val, 4);
            if (a && !(a & (a - 1))) return a;
        }
    return 32;
}

int gguf_writer_write(gguf_writer *w, const char *path, vers_err *err) {
    if (!w || !path) return vers_errorf(err, VERS_EINVAL, "gguf_writer_write: bad arguments");
    for (size_t i = 0; i < w->n_kv; i++)
        if (!strcmp(w->kv[i].key, "general.alignment")) {
            uint32_t a = 0;
            if (w->kv[i].type == GGUF_UINT32 && w->kv[i].val_len == 4) memcpy(&a, w->kv[i].val, 4);
            if (!a || (a & (a - 1)))
                return vers_errorf(err, VERS_EINVAL, "general.alignment must be a u32 power of two");
        }
    const uint32_t align = writer_alignment(w);

    /* header, kvs and tensor infos in memory (small); data streamed from the tensors */
    bbuf h = {0};
    bb_put(&h, "GGUF", 4);
    bb_u32(&h, 3);
    bb_u64(&h, w->n_t);
    bb_u64(&h, w->n_kv);
    for (size_t i = 0; i < w->n_kv; i++) {
        bb_str(&h, w->kv[i].key, w->kv[i].key_len);
        bb_u32(&h, w->kv[i].type);
        bb_put(&h, w->kv[i].val, w->kv[i].val_len);
    }
    uint64_t off = 0;
    for (size_t i = 0; i < w->n_t; i++) {
        const wtensor *t = &w->t[i];
        bb_str(&h, t->name, strlen(t->name));
        bb_u32(&h, (uint32_t)t->n_dims);
        for (int d = 0; d < t->n_dims; d++) bb_u64(&h, (uint64_t)t->ne[d]);
        bb_u32(&h, (uint32_t)t->type);
        bb_u64(&h, off);
        off += (t->nbytes + align - 1) / align * align;
    }
    static const uint8_t zeros[256] = {0};
    while (h.n % align) bb_put(&h, zeros, (align - h.n % align) < sizeof zeros ? align - h.n % align : sizeof zeros);
    if (h.oom) { free(h.p); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }

    vers_outfile o;
    int rc = vers_outfile_open(&o, path, err);
    if (rc) { free(h.p); return rc; }
    int bad = fwrite(h.p, 1, h.n, o.f) != h.n;
    for (size_t i = 0; i < w->n_t && !bad; i++) {
        const wtensor *t = &w->t[i];
        if (fwrite(t->data, 1, t->nbytes, o.f) != t->nbytes) { bad = 1; break; }
        size_t pad = (align - t->nbytes % align) % align;
        while (pad > 0 && !bad) {
            size_t k = pad < sizeof zeros ? pad : sizeof zeros;
            bad = fwrite(zeros, 1, k, o.f) != k;
            pad -= k;
        }
    }
    free(h.p);
    return vers_outfile_commit(&o, bad, err);
}
