/* src/engine/gguf.c — the GGUF reader: v1 (u32 counts and lengths), v2 and v3 (u64).
 *
 * The file is mapped read-only and every count, length and offset is checked against the
 * bytes that remain before it is used, so a truncated or hostile file gives VERS_EFORMAT
 * and a one-line message, never an out-of-bounds read.  Strings and tensor data are used
 * in place (gguf_str points into the mapping).  Only small index arrays are allocated:
 * the kv and tensor tables, string-array views, and name-sorted orders for lookups and
 * duplicate detection. */
#include "engine/gguf.h"
#include "engine/tensor.h"
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define GGUF_MAGIC "GGUF"
#define GGUF_DEFAULT_ALIGNMENT 32u

/* Bytes of one scalar value of each type (0 for string/array: variable). */
static size_t gguf_scalar_size(gguf_type t) {
    switch (t) {
    case GGUF_UINT8: case GGUF_INT8: case GGUF_BOOL: return 1;
    case GGUF_UINT16: case GGUF_INT16: return 2;
    case GGUF_UINT32: case GGUF_INT32: case GGUF_FLOAT32: return 4;
    case GGUF_UINT64: case GGUF_INT64: case GGUF_FLOAT64: return 8;
    default: return 0;
    }
}

static const char *gguf_type_name(gguf_type t) {
    static const char *names[GGUF_NTYPES] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                             "bool", "string", "array", "u64", "i64", "f64"};
    return (unsigned)t < GGUF_NTYPES ? names[t] : "?";
}

/* ---- a bounds-checked cursor over the file ---- */
typedef struct {
    const uint8_t *p, *end;
    int v1;          /* GGUF v1: counts, lengths and dims are u32 */
    vers_err *err;
} cursor;

static size_t cur_left(const cursor *c) { return (size_t)(c->end - c->p); }

static int cur_u32(cursor *c, uint32_t *out, const char *what) {
    *out = 0;
    if (cur_left(c) < 4) return vers_errorf(c->err, VERS_EFORMAT, "truncated file (reading %s)", what);
    memcpy(out, c->p, 4); c->p += 4;
    return VERS_OK;
}
static int cur_u64(cursor *c, uint64_t *out, const char *what) {
    *out = 0;
    if (cur_left(c) < 8) return vers_errorf(c->err, VERS_EFORMAT, "truncated file (reading %s)", what);
    memcpy(out, c->p, 8); c->p += 8;
    return VERS_OK;
}
/* A count, length or dimension: u32 in v1, u64 from v2 on. */
static int cur_size(cursor *c, uint64_t *out, const char *what) {
    if (c->v1) {
        uint32_t v = 0; int rc = cur_u32(c, &v, what);
        *out = v;
        return rc;
    }
    return cur_u64(c, out, what);
}
static int cur_str(cursor *c, gguf_str *s, const char *what) {
    uint64_t n;
    int rc = cur_size(c, &n, what);
    if (rc) return rc;
    if (n > cur_left(c))
        return vers_errorf(c->err, VERS_EFORMAT, "%s: string length %llu exceeds the %zu bytes left",
                           what, (unsigned long long)n, cur_left(c));
    s->ptr = (const char *)c->p; s->len = n;
    c->p += n;
    return VERS_OK;
}

/* ---- name-sorted orders (duplicates, binary-search lookups) ---- */
static int str_cmp(gguf_str a, gguf_str b) {
    size_t n = a.len < b.len ? (size_t)a.len : (size_t)b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c) return c;
    return a.len < b.len ? -1 : a.len > b.len;
}
static int str_cmp_c(gguf_str a, const char *b, size_t blen) {
    size_t n = a.len < blen ? (size_t)a.len : blen;
    int c = n ? memcmp(a.ptr, b, n) : 0;
    if (c) return c;
    return a.len < blen ? -1 : a.len > blen;
}

/* qsort has no context argument in C11: sort (name, index) pairs instead. */
typedef struct { gguf_str name; uint64_t idx; } name_idx;
static int name_idx_cmp(const void *a, const void *b) {
    const name_idx *x = a, *y = b;
    int c = str_cmp(x->name, y->name);
    if (c) return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Private part of a gguf_file: the orders used by lookups. */
typedef struct {
    gguf_file pub;
    uint64_t *kv_order;       /* kv indices sorted by key */
    uint64_t *tensor_order;   /* tensor indices sorted by name */
} gguf_file_impl;

/* Builds the name order of n items; reports the first duplicate name. */
static int build_order(const gguf_str *names, size_t stride, uint64_t n, uint64_t **order_out,
                       const char *what, vers_err *err) {
    *order_out = NULL;
    if (n == 0) return VERS_OK;
    name_idx *tmp = malloc(n * sizeof *tmp);
    uint64_t *order = malloc(n * sizeof *order);
    if (!tmp || !order) { free(tmp); free(order); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    for (uint64_t i = 0; i < n; i++) {
        tmp[i].name = *(const gguf_str *)((const char *)names + i * stride);
        tmp[i].idx = i;
    }
    qsort(tmp, n, sizeof *tmp, name_idx_cmp);
    for (uint64_t i = 0; i < n; i++) {
        if (i > 0 && str_cmp(tmp[i - 1].name, tmp[i].name) == 0) {
            int len = tmp[i].name.len > 200 ? 200 : (int)tmp[i].name.len;
            int rc = vers_errorf(err, VERS_EFORMAT, "duplicate %s '%.*s'", what, len, tmp[i].name.ptr);
            free(tmp); free(order);
            return rc;
        }
        order[i] = tmp[i].idx;
    }
    free(tmp);
    *order_out = order;
    return VERS_OK;
}

/* Printable excerpt of a name for messages. */
#define NAME_FMT "'%.*s'"
#define NAME_ARG(s) (int)((s).len > 200 ? 200 : (s).len), (s).ptr

/* ---- metadata ---- */
static int read_kv(cursor *c, gguf_kv *kv, uint64_t i) {
    vers_err *err = c->err;
    int rc = cur_str(c, &kv->key, "metadata key");
    if (rc) return rc;
    uint32_t t;
    if ((rc = cur_u32(c, &t, "metadata value type"))) return rc;
    if (t >= GGUF_NTYPES)
        return vers_errorf(err, VERS_EFORMAT, "metadata " NAME_FMT ": unknown value type %u",
                           NAME_ARG(kv->key), t);
    kv->type = (gguf_type)t;
    if (kv->type == GGUF_STRING) {
        if ((rc = cur_str(c, &kv->str, "metadata string"))) return rc;
        kv->data = (const uint8_t *)kv->str.ptr;
        return VERS_OK;
    }
    if (kv->type != GGUF_ARRAY) {
        size_t sz = gguf_scalar_size(kv->type);
        if (cur_left(c) < sz)
            return vers_errorf(err, VERS_EFORMAT, "metadata " NAME_FMT ": truncated value", NAME_ARG(kv->key));
        kv->data = c->p;
        c->p += sz;
        return VERS_OK;
    }
    uint32_t at;
    if ((rc = cur_u32(c, &at, "array element type"))) return rc;
    if (at >= GGUF_NTYPES || at == GGUF_ARRAY)
        return vers_errorf(err, VERS_EFORMAT, "metadata " NAME_FMT ": bad array element type %u",
                           NAME_ARG(kv->key), at);
    kv->arr_type = (gguf_type)at;
    uint64_t n;
    if ((rc = cur_size(c, &n, "array length"))) return rc;
    /* Each element takes at least its scalar size (strings: the length field). */
    size_t min_sz = at == GGUF_STRING ? (c->v1 ? 4 : 8) : gguf_scalar_size(kv->arr_type);
    if (n > cur_left(c) / min_sz)
        return vers_errorf(err, VERS_EFORMAT, "metadata " NAME_FMT ": array of %llu %s exceeds the %zu bytes left",
                           NAME_ARG(kv->key), (unsigned long long)n, gguf_type_name(kv->arr_type), cur_left(c));
    kv->arr_n = n;
    kv->data = c->p;
    if (at != GGUF_STRING) {
        c->p += n * min_sz;
        return VERS_OK;
    }
    kv->arr_str = malloc((n ? n : 1) * sizeof *kv->arr_str);
    if (!kv->arr_str) return vers_errorf(err, VERS_ENOMEM, "out of memory (array of %llu strings)",
                                         (unsigned long long)n);
    for (uint64_t j = 0; j < n; j++)
        if ((rc = cur_str(c, &kv->arr_str[j], "array string"))) {
            /* add which key failed to the message */
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
            return vers_errorf(err, rc, "metadata " NAME_FMT "[%llu]: %s", NAME_ARG(kv->key),
                               (unsigned long long)j, msg);
        }
    (void)i;
    return VERS_OK;
}

/* ---- tensor infos ---- */
static int read_tensor_info(cursor *c, gguf_tensor *t) {
    vers_err *err = c->err;
    int rc = cur_str(c, &t->name, "tensor name");
    if (rc) return rc;
    uint32_t nd;
    if ((rc = cur_u32(c, &nd, "tensor n_dims"))) return rc;
    if (nd < 1 || nd > GGUF_MAX_DIMS)
        return vers_errorf(err, VERS_EFORMAT, "tensor " NAME_FMT ": n_dims %u (must be 1..%d)",
                           NAME_ARG(t->name), nd, GGUF_MAX_DIMS);
    t->n_dims = (int)nd;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) t->ne[d] = 1;
    for (uint32_t d = 0; d < nd; d++) {
        uint64_t ne;
        if ((rc = cur_size(c, &ne, "tensor dimension"))) return rc;
        if (ne < 1 || ne > (uint64_t)INT64_MAX)
            return vers_errorf(err, VERS_EFORMAT, "tensor " NAME_FMT ": dimension %u is %llu",
                               NAME_ARG(t->name), d, (unsigned long long)ne);
        t->ne[d] = (int64_t)ne;
    }
    uint32_t type;
    if ((rc = cur_u32(c, &type, "tensor type"))) return rc;
    const vers_type_traits *tr = vers_type_get((int)type);
    if (!tr)
        return vers_errorf(err, VERS_EFORMAT, "tensor " NAME_FMT ": unknown type %u", NAME_ARG(t->name), type);
    t->type = (int)type;
    if ((rc = cur_u64(c, &t->offset, "tensor offset"))) return rc;
    if (t->ne[0] % tr->blck_size != 0)
        return vers_errorf(err, VERS_EFORMAT, "tensor " NAME_FMT ": row length %lld is not a multiple of %s's block size %d",
                           NAME_ARG(t->name), (long long)t->ne[0], tr->name, tr->blck_size);
    /* nbytes = blocks per row * type size * rows, every product checked */
    uint64_t rows = 1, nb;
    for (int d = 1; d < GGUF_MAX_DIMS; d++)
        if (__builtin_mul_overflow(rows, (uint64_t)t->ne[d], &rows))
            return vers_errorf(err, VERS_EFORMAT, "tensor " NAME_FMT ": shape too large", NAME_ARG(t->name));
    uint64_t nel;
    if (__builtin_mul_overflow(rows, (uint64_t)t->ne[0], &nel) || nel > (uint64_t)INT64_MAX ||
        __builtin_mul_overflow((uint64_t)t->ne[0] / (uint64_t)tr->blck_size, (uint64_t)tr->type_size, &nb) ||
        __builtin_mul_overflow(nb, rows, &nb) || nb > SIZE_MAX)
        return vers_errorf(err, VERS_EFORMAT, "tensor " NAME_FMT ": shape too large", NAME_ARG(t->name));
    t->nbytes = (size_t)nb;
    return VERS_OK;
}

typedef struct { uint64_t off; uint64_t end; uint64_t idx; } span;
static int span_cmp(const void *a, const void *b) {
    const span *x = a, *y = b;
    if (x->off != y->off) return x->off < y->off ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void gguf_free_tables(gguf_file *g) {
    if (g->kv)
        for (uint64_t i = 0; i < g->n_kv; i++) free(g->kv[i].arr_str);
    free(g->kv);
    free(g->tensors);
    gguf_file_impl *im = (gguf_file_impl *)g;
    free(im->kv_order);
    free(im->tensor_order);
}

/* Parses and validates base[0..size) into g (tables allocated; base not owned here). */
static int gguf_parse(gguf_file *g, vers_err *err) {
    gguf_file_impl *im = (gguf_file_impl *)g;
    cursor c = {g->base, g->base + g->size, 0, err};
    int rc;
    if (g->size < 4 || memcmp(g->base, GGUF_MAGIC, 4) != 0)
        return vers_errorf(err, VERS_EFORMAT, "not a GGUF file (bad magic)");
    c.p += 4;
    uint32_t version;
    if ((rc = cur_u32(&c, &version, "version"))) return rc;
    if (version == 0 || version > 3) {
        if ((version & 0xFFFF) == 0 && (version >> 16) >= 1 && (version >> 24) <= 3)
            return vers_errorf(err, VERS_EUNSUPPORTED, "big-endian GGUF files are not supported");
        return vers_errorf(err, VERS_EFORMAT, "unsupported GGUF version %u (reads 1, 2, 3)", version);
    }
    g->version = (int)version;
    c.v1 = version == 1;
    uint64_t n_tensors, n_kv;
    if ((rc = cur_size(&c, &n_tensors, "tensor count"))) return rc;
    if ((rc = cur_size(&c, &n_kv, "metadata count"))) return rc;
    /* Smallest kv: key length + value type + 1 byte; smallest tensor info: name length +
     * n_dims + one dim + type + offset. */
    size_t len_sz = c.v1 ? 4 : 8;
    if (n_kv > cur_left(&c) / (len_sz + 4 + 1))
        return vers_errorf(err, VERS_EFORMAT, "metadata count %llu exceeds what the file can hold",
                           (unsigned long long)n_kv);
    if (n_tensors > cur_left(&c) / (len_sz + 4 + len_sz + 4 + 8))
        return vers_errorf(err, VERS_EFORMAT, "tensor count %llu exceeds what the file can hold",
                           (unsigned long long)n_tensors);
    g->kv = calloc(n_kv ? n_kv : 1, sizeof *g->kv);
    g->tensors = calloc(n_tensors ? n_tensors : 1, sizeof *g->tensors);
    if (!g->kv || !g->tensors) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < n_kv; i++) {
        g->n_kv = i + 1;   /* so that gguf_free_tables frees what was allocated */
        if ((rc = read_kv(&c, &g->kv[i], i))) return rc;
    }
    g->n_kv = n_kv;
    if ((rc = build_order(&g->kv[0].key, sizeof(gguf_kv), n_kv, &im->kv_order, "metadata key", err)))
        return rc;

    g->alignment = GGUF_DEFAULT_ALIGNMENT;
    int64_t ai = gguf_find_key(g, "general.alignment");
    if (ai >= 0) {
        const gguf_kv *kv = &g->kv[ai];
        uint32_t a = 0;
        if (kv->type != GGUF_UINT32)
            return vers_errorf(err, VERS_EFORMAT, "general.alignment has type %s (must be u32)",
                               gguf_type_name(kv->type));
        memcpy(&a, kv->data, 4);
        if (a == 0 || (a & (a - 1)) != 0)
            return vers_errorf(err, VERS_EFORMAT, "general.alignment %u is not a power of two", a);
        g->alignment = a;
    }

    g->n_tensors = n_tensors;
    for (uint64_t i = 0; i < n_tensors; i++)
        if ((rc = read_tensor_info(&c, &g->tensors[i]))) return rc;
    if ((rc = build_order(&g->tensors[0].name, sizeof(gguf_tensor), n_tensors, &im->tensor_order,
                          "tensor name", err)))
        return rc;

    /* Data section: first multiple of the alignment after the tensor infos. */
    uint64_t pos = (uint64_t)(c.p - g->base);
    uint64_t data_off = (pos + g->alignment - 1) / g->alignment * g->alignment;
    if (n_tensors > 0 && data_off > g->size)
        return vers_errorf(err, VERS_EFORMAT, "truncated file (tensor data section missing)");
    g->data_offset = (size_t)(data_off > g->size ? g->size : data_off);
    uint64_t data_size = g->size - g->data_offset;

    span *sp = malloc((n_tensors ? n_tensors : 1) * sizeof *sp);
    if (!sp) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < n_tensors; i++) {
        gguf_tensor *t = &g->tensors[i];
        if (t->offset % g->alignment != 0) {
            free(sp);
            return vers_errorf(err, VERS_EFORMAT, "tensor " NAME_FMT ": offset %llu is not a multiple of the alignment %u",
                               NAME_ARG(t->name), (unsigned long long)t->offset, g->alignment);
        }
        if (t->offset > data_size || t->nbytes > data_size - t->offset) {
            free(sp);
            return vers_errorf(err, VERS_EFORMAT, "tensor " NAME_FMT ": data (offset %llu, %zu bytes) past the end of the file",
                               NAME_ARG(t->name), (unsigned long long)t->offset, t->nbytes);
        }
        t->data = g->base + g->data_offset + t->offset;
        /* Kernels read blocks and floats in place: the data must sit at an address aligned
         * for its type (a legal file with general.alignment 1 or 2 may not be). */
        const size_t ts = vers_type_get(t->type)->type_size;
        const uintptr_t need = ts & 7 ? (uintptr_t)(ts & (~ts + 1)) : 8;
        if ((uintptr_t)t->data % need != 0) {
            free(sp);
            return vers_errorf(err, VERS_EUNSUPPORTED, "tensor " NAME_FMT ": data at file offset %zu is not %u-byte aligned for %s (general.alignment %u)",
                               NAME_ARG(t->name), (size_t)((const uint8_t *)t->data - g->base), (unsigned)need,
                               vers_type_name(t->type), g->alignment);
        }
        sp[i].off = t->offset; sp[i].end = t->offset + t->nbytes; sp[i].idx = i;
    }
    qsort(sp, n_tensors, sizeof *sp, span_cmp);
    for (uint64_t i = 1; i < n_tensors; i++)
        if (sp[i].off < sp[i - 1].end) {
            const gguf_tensor *a = &g->tensors[sp[i - 1].idx], *b = &g->tensors[sp[i].idx];
            rc = vers_errorf(err, VERS_EFORMAT, "tensors " NAME_FMT " and " NAME_FMT " overlap",
                             NAME_ARG(a->name), NAME_ARG(b->name));
            free(sp);
            return rc;
        }
    free(sp);
    return VERS_OK;
}

static int gguf_finish_open(gguf_file_impl *im, gguf_file **out, vers_err *err) {
    int rc = gguf_parse(&im->pub, err);
    if (rc) {
        gguf_close(&im->pub);
        return rc;
    }
    *out = &im->pub;
    return VERS_OK;
}

int gguf_open_memory(const void *buf, size_t size, gguf_file **out, vers_err *err) {
    *out = NULL;
    if (!buf && size) return vers_errorf(err, VERS_EINVAL, "gguf_open_memory: NULL buffer");
    gguf_file_impl *im = calloc(1, sizeof *im);
    if (!im) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    im->pub.base = buf ? buf : (const uint8_t *)"";
    im->pub.size = size;
    return gguf_finish_open(im, out, err);
}

int gguf_open(const char *path, gguf_file **out, vers_err *err) {
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return vers_errorf(err, VERS_EIO, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno; close(fd);
        return vers_errorf(err, VERS_EIO, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) { close(fd); return vers_errorf(err, VERS_EIO, "not a regular file"); }
    if (st.st_size < 8) { close(fd); return vers_errorf(err, VERS_EFORMAT, "not a GGUF file (%lld bytes)", (long long)st.st_size); }
    if ((uint64_t)st.st_size > SIZE_MAX) { close(fd); return vers_errorf(err, VERS_EFORMAT, "file too large"); }
    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (map == MAP_FAILED) return vers_errorf(err, VERS_EIO, "cannot map: %s", strerror(e));
    gguf_file_impl *im = calloc(1, sizeof *im);
    if (!im) { munmap(map, size); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    im->pub.base = map;
    im->pub.size = size;
    im->pub.mapped = 1;
    im->pub.owns_base = 1;
    return gguf_finish_open(im, out, err);
}

void gguf_close(gguf_file *g) {
    if (!g) return;
    gguf_free_tables(g);
    if (g->owns_base) {
        if (g->mapped) munmap((void *)g->base, g->size);
        else free((void *)g->base);
    }
    free(g);
}

/* ---- lookups ---- */
int64_t gguf_find_key(const gguf_file *g, const char *key) {
    if (!g || !key) return -1;
    const gguf_file_impl *im = (const gguf_file_impl *)g;
    size_t klen = strlen(key);
    uint64_t lo = 0, hi = g->n_kv;
    if (!im->kv_order) {   /* during parsing, before the order exists */
        for (uint64_t i = 0; i < g->n_kv; i++)
            if (str_cmp_c(g->kv[i].key, key, klen) == 0) return (int64_t)i;
        return -1;
    }
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int c = str_cmp_c(g->kv[im->kv_order[mid]].key, key, klen);
        if (c == 0) return (int64_t)im->kv_order[mid];
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return -1;
}

const gguf_tensor *gguf_find_tensor(const gguf_file *g, const char *name) {
    if (!g || !name) return NULL;
    const gguf_file_impl *im = (const gguf_file_impl *)g;
    size_t nlen = strlen(name);
    if (!im->tensor_order) {
        for (uint64_t i = 0; i < g->n_tensors; i++)
            if (str_cmp_c(g->tensors[i].name, name, nlen) == 0) return &g->tensors[i];
        return NULL;
    }
    uint64_t lo = 0, hi = g->n_tensors;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int c = str_cmp_c(g->tensors[im->tensor_order[mid]].name, name, nlen);
        if (c == 0) return &g->tensors[im->tensor_order[mid]];
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return NULL;
}

int gguf_str_eq(gguf_str s, const char *c) {
    if (!c) return 0;
    size_t n = strlen(c);
    return s.len == n && (n == 0 || memcmp(s.ptr, c, n) == 0);
}

/* ---- typed getters ---- */
/* Reads an integer-typed value at p.  Returns 1 if unsigned (in *u), -1 if signed (in *s),
 * 0 if t is not an integer type.  bool counts as an integer only when allow_bool. */
static int read_int(gguf_type t, const uint8_t *p, uint64_t *u, int64_t *s, int allow_bool) {
    switch (t) {
    case GGUF_BOOL: if (!allow_bool) return 0; /* fall through */
    case GGUF_UINT8: *u = p[0]; return 1;
    case GGUF_UINT16: { uint16_t v; memcpy(&v, p, 2); *u = v; return 1; }
    case GGUF_UINT32: { uint32_t v; memcpy(&v, p, 4); *u = v; return 1; }
    case GGUF_UINT64: { uint64_t v; memcpy(&v, p, 8); *u = v; return 1; }
    case GGUF_INT8: { int8_t v; memcpy(&v, p, 1); *s = v; return -1; }
    case GGUF_INT16: { int16_t v; memcpy(&v, p, 2); *s = v; return -1; }
    case GGUF_INT32: { int32_t v; memcpy(&v, p, 4); *s = v; return -1; }
    case GGUF_INT64: { int64_t v; memcpy(&v, p, 8); *s = v; return -1; }
    default: return 0;
    }
}

static const gguf_kv *find_kv(const gguf_file *g, const char *key) {
    int64_t i = gguf_find_key(g, key);
    return i < 0 ? NULL : &g->kv[i];
}

int gguf_get_u64(const gguf_file *g, const char *key, uint64_t *out) {
    const gguf_kv *kv = find_kv(g, key);
    if (!kv) return VERS_ENOTFOUND;
    uint64_t u = 0; int64_t s = 0;
    int k = read_int(kv->type, kv->data, &u, &s, 0);
    if (k == 0) return VERS_EFORMAT;
    if (k < 0) { if (s < 0) return VERS_EFORMAT; u = (uint64_t)s; }
    *out = u;
    return VERS_OK;
}

int gguf_get_u32(const gguf_file *g, const char *key, uint32_t *out) {
    uint64_t v;
    int rc = gguf_get_u64(g, key, &v);
    if (rc) return rc;
    if (v > UINT32_MAX) return VERS_EFORMAT;
    *out = (uint32_t)v;
    return VERS_OK;
}

int gguf_get_i64(const gguf_file *g, const char *key, int64_t *out) {
    const gguf_kv *kv = find_kv(g, key);
    if (!kv) return VERS_ENOTFOUND;
    uint64_t u = 0; int64_t s = 0;
    int k = read_int(kv->type, kv->data, &u, &s, 0);
    if (k == 0) return VERS_EFORMAT;
    if (k > 0) { if (u > (uint64_t)INT64_MAX) return VERS_EFORMAT; s = (int64_t)u; }
    *out = s;
    return VERS_OK;
}

int gguf_get_f32(const gguf_file *g, const char *key, float *out) {
    const gguf_kv *kv = find_kv(g, key);
    if (!kv) return VERS_ENOTFOUND;
    if (kv->type == GGUF_FLOAT32) { memcpy(out, kv->data, 4); return VERS_OK; }
    if (kv->type == GGUF_FLOAT64) { double d; memcpy(&d, kv->data, 8); *out = (float)d; return VERS_OK; }
    uint64_t u = 0; int64_t s = 0;
    int k = read_int(kv->type, kv->data, &u, &s, 0);
    if (k == 0) return VERS_EFORMAT;
    *out = k > 0 ? (float)u : (float)s;
    return VERS_OK;
}

int gguf_get_bool(const gguf_file *g, const char *key, int *out) {
    const gguf_kv *kv = find_kv(g, key);
    if (!kv) return VERS_ENOTFOUND;
    uint64_t u = 0; int64_t s = 0;
    int k = read_int(kv->type, kv->data, &u, &s, 1);
    if (k == 0) return VERS_EFORMAT;
    *out = k > 0 ? u != 0 : s != 0;
    return VERS_OK;
}

int gguf_get_str(const gguf_file *g, const char *key, gguf_str *out) {
    const gguf_kv *kv = find_kv(g, key);
    if (!kv) return VERS_ENOTFOUND;
    if (kv->type != GGUF_STRING) return VERS_EFORMAT;
    *out = kv->str;
    return VERS_OK;
}

const gguf_kv *gguf_get_arr(const gguf_file *g, const char *key) {
    const gguf_kv *kv = find_kv(g, key);
    return kv && kv->type == GGUF_ARRAY ? kv : NULL;
}

int64_t gguf_arr_i64(const gguf_kv *kv, uint64_t i) {
    if (!kv || kv->type != GGUF_ARRAY || i >= kv->arr_n) return 0;
    size_t sz = gguf_scalar_size(kv->arr_type);
    if (!sz) return 0;
    const uint8_t *p = kv->data + i * sz;
    if (kv->arr_type == GGUF_FLOAT32) { float f; memcpy(&f, p, 4); return (f >= -9.2e18f && f <= 9.2e18f) ? (int64_t)f : 0; }
    if (kv->arr_type == GGUF_FLOAT64) { double d; memcpy(&d, p, 8); return (d >= -9.2e18 && d <= 9.2e18) ? (int64_t)d : 0; }
    uint64_t u = 0; int64_t s = 0;
    int k = read_int(kv->arr_type, p, &u, &s, 1);
    if (k > 0) return (int64_t)u;
    return k < 0 ? s : 0;
}

double gguf_arr_f64(const gguf_kv *kv, uint64_t i) {
    if (!kv || kv->type != GGUF_ARRAY || i >= kv->arr_n) return 0;
    size_t sz = gguf_scalar_size(kv->arr_type);
    if (!sz) return 0;
    const uint8_t *p = kv->data + i * sz;
    if (kv->arr_type == GGUF_FLOAT32) { float f; memcpy(&f, p, 4); return f; }
    if (kv->arr_type == GGUF_FLOAT64) { double d; memcpy(&d, p, 8); return d; }
    uint64_t u = 0; int64_t s = 0;
    int k = read_int(kv->arr_type, p, &u, &s, 1);
    if (k > 0) return (double)u;
    return k < 0 ? (double)s : 0;
}
