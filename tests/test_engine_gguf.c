/* tests/test_engine_gguf.c — the GGUF reader on real files (stories260K v3 and v1, the
 * llama.cpp vocab and tiny model files) and on hostile files built here: each must give
 * VERS_EFORMAT with a message, never a crash (the suite also runs under ASan+UBSan). */
#include "test.h"
#include "engine/gguf.h"
#include "engine/tensor.h"
#include <stdint.h>
#include <sys/wait.h>

/* ---- a small GGUF builder for synthetic files ---- */
typedef struct { uint8_t *p; size_t n, cap; int v1; } buf;

static void b_put(buf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n) cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q) { fprintf(stderr, "oom\n"); exit(1); }
        b->p = q; b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void b_u32(buf *b, uint32_t v) { b_put(b, &v, 4); }
static void b_u64(buf *b, uint64_t v) { b_put(b, &v, 8); }
static void b_size(buf *b, uint64_t v) { if (b->v1) b_u32(b, (uint32_t)v); else b_u64(b, v); }
static void b_str(buf *b, const char *s) { b_size(b, strlen(s)); b_put(b, s, strlen(s)); }
static void b_pad(buf *b, size_t align) { while (b->n % align) { uint8_t z = 0; b_put(b, &z, 1); } }

/* Knobs for hostile variants of the synthetic file. */
typedef struct {
    uint32_t version;
    const char *magic;
    uint64_t n_kv_override, n_tensors_override;  /* 0 = true counts */
    uint32_t arr_type;          /* element type of "test.arr" (default i32) */
    uint64_t arr_n_override;
    uint64_t keylen_override;   /* length written for the first key */
    uint32_t value_type_override;
    uint32_t alignment; int alignment_type;  /* written as general.alignment */
    const char *dup_key;        /* extra kv with this key */
    uint32_t n_dims0; uint64_t ne0_0, ne1_0; uint32_t type0;  /* tensor a */
    uint64_t off0, off1;        /* offsets (relative) of tensors a and b */
    int set_off;
    const char *name1;          /* name of tensor b */
} knobs;

static knobs defaults(void) {
    knobs k = {0};
    k.version = 3; k.magic = "GGUF"; k.arr_type = GGUF_INT32; k.alignment = 32;
    k.alignment_type = GGUF_UINT32;
    k.n_dims0 = 2; k.ne0_0 = 8; k.ne1_0 = 2; k.type0 = VT_F32; k.name1 = "b.weight";
    k.value_type_override = 0xFFFFFFFF;
    return k;
}

/* File: kvs general.architecture (string), general.alignment, test.arr (array), test.strs
 * (array of 3 strings), [dup]; tensors a.weight (F32 8x2 = 64 bytes), b.weight (Q8_0 32x1 =
 * 34 bytes).  b ends exactly at the end of the file, so every truncation cuts data. */
static buf build(const knobs *k) {
    buf b = {0};
    b.v1 = k->version == 1;
    b_put(&b, k->magic, 4);
    b_u32(&b, k->version);
    int n_kv = 4 + (k->dup_key ? 1 : 0);
    b_size(&b, k->n_tensors_override ? k->n_tensors_override : 2);
    b_size(&b, k->n_kv_override ? k->n_kv_override : (uint64_t)n_kv);
    /* kv 1 */
    if (k->keylen_override) { b_size(&b, k->keylen_override); b_put(&b, "general.architecture", 20); }
    else b_str(&b, "general.architecture");
    b_u32(&b, k->value_type_override != 0xFFFFFFFF ? k->value_type_override : GGUF_STRING);
    b_str(&b, "llama");
    /* kv 2 */
    b_str(&b, "general.alignment");
    b_u32(&b, (uint32_t)k->alignment_type);
    if (k->alignment_type == GGUF_UINT64) b_u64(&b, k->alignment); else b_u32(&b, k->alignment);
    /* kv 3: array */
    b_str(&b, "test.arr");
    b_u32(&b, GGUF_ARRAY);
    b_u32(&b, k->arr_type);
    b_size(&b, k->arr_n_override ? k->arr_n_override : 3);
    for (int i = 0; i < 3; i++) { int32_t v = (i + 1) * 10; b_put(&b, &v, 4); }
    /* kv 4: array of strings */
    b_str(&b, "test.strs");
    b_u32(&b, GGUF_ARRAY);
    b_u32(&b, GGUF_STRING);
    b_size(&b, 3);
    b_str(&b, "un"); b_str(&b, ""); b_str(&b, "trois");
    if (k->dup_key) { b_str(&b, k->dup_key); b_u32(&b, GGUF_UINT8); uint8_t v = 1; b_put(&b, &v, 1); }
    /* tensor infos */
    uint32_t align = k->alignment ? k->alignment : 32;
    uint64_t a_bytes = k->ne0_0 * k->ne1_0 * 4;
    uint64_t off_a = k->set_off ? k->off0 : 0;
    uint64_t off_b = k->set_off ? k->off1 : (a_bytes + align - 1) / align * align;
    b_str(&b, "a.weight");
    b_u32(&b, k->n_dims0);
    for (uint32_t d = 0; d < k->n_dims0 && d < 8; d++) b_size(&b, d == 0 ? k->ne0_0 : d == 1 ? k->ne1_0 : 1);
    b_u32(&b, k->type0);
    b_u64(&b, off_a);
    b_str(&b, k->name1);
    b_u32(&b, 1);
    b_size(&b, 32);
    b_u32(&b, VT_Q8_0);
    b_u64(&b, off_b);
    b_pad(&b, align);
    size_t data = b.n;
    /* data: a = 0.5*i, b = Q8_0 block with d = 1.0 (0x3C00), q = i - 16 */
    for (uint64_t i = 0; i < 16 && i < a_bytes / 4; i++) { float f = 0.5f * (float)i; b_put(&b, &f, 4); }
    while (off_b < 4096 && b.n < data + off_b) { uint8_t z = 0; b_put(&b, &z, 1); }
    uint16_t d16 = 0x3C00; b_put(&b, &d16, 2);
    for (int i = 0; i < 32; i++) { int8_t q = (int8_t)(i - 16); b_put(&b, &q, 1); }
    return b;
}

static int open_buf(const buf *b, gguf_file **g, vers_err *err) {
    memset(err, 0, sizeof *err);
    return gguf_open_memory(b->p, b->n, g, err);
}

/* Expects rc == VERS_EFORMAT with a message. */
static void expect_bad(const char *what, const knobs *k) {
    buf b = build(k);
    gguf_file *g = NULL; vers_err err;
    int rc = open_buf(&b, &g, &err);
    T_CHECK(rc == VERS_EFORMAT, "%s: rc %d (%s)", what, rc, err.msg);
    if (getenv("VERS_TEST_VERBOSE")) printf("  %-40s -> %s\n", what, err.msg);
    T_CHECK(err.msg[0] != 0, "%s: empty message", what);
    T_CHECK(g == NULL, "%s: file returned", what);
    gguf_close(g);
    free(b.p);
}

static void check_synthetic(gguf_file *g, int version) {
    T_CHECK(g->version == version, "version %d", g->version);
    T_CHECK(g->n_kv == 4 && g->n_tensors == 2, "counts %llu %llu", (unsigned long long)g->n_kv,
            (unsigned long long)g->n_tensors);
    gguf_str s;
    T_CHECK(gguf_get_str(g, "general.architecture", &s) == VERS_OK && gguf_str_eq(s, "llama"), "arch");
    uint32_t u;
    T_CHECK(gguf_get_u32(g, "general.alignment", &u) == VERS_OK && u == 32, "alignment");
    T_CHECK(gguf_get_u32(g, "general.architecture", &u) == VERS_EFORMAT, "type mismatch");
    T_CHECK(gguf_get_u32(g, "nope", &u) == VERS_ENOTFOUND, "absent");
    const gguf_kv *arr = gguf_get_arr(g, "test.arr");
    T_CHECK(arr && arr->arr_n == 3 && gguf_arr_i64(arr, 2) == 30 && gguf_arr_f64(arr, 1) == 20.0 &&
            gguf_arr_i64(arr, 3) == 0, "int array");
    const gguf_kv *strs = gguf_get_arr(g, "test.strs");
    T_CHECK(strs && strs->arr_n == 3 && gguf_str_eq(strs->arr_str[0], "un") &&
            gguf_str_eq(strs->arr_str[1], "") && gguf_str_eq(strs->arr_str[2], "trois"), "string array");
    const gguf_tensor *a = gguf_find_tensor(g, "a.weight"), *b = gguf_find_tensor(g, "b.weight");
    T_CHECK(a && a->type == VT_F32 && a->ne[0] == 8 && a->ne[1] == 2 && a->nbytes == 64, "tensor a");
    T_CHECK(b && b->type == VT_Q8_0 && b->ne[0] == 32 && b->nbytes == 34 && b->offset == 64, "tensor b");
    T_CHECK(!gguf_find_tensor(g, "c.weight") && !gguf_find_tensor(g, "a.weigh"), "absent tensor");
    if (a) { float f; memcpy(&f, (const uint8_t *)a->data + 12, 4); T_CHECK(f == 1.5f, "a[3] = %g", f); }
    if (b) {
        float out[32];
        T_CHECK(vers_to_float(VT_Q8_0, b->data, out, 32) == VERS_OK && out[0] == -16.f && out[31] == 15.f,
                "b dequantized");
    }
}

static void test_synthetic(void) {
    T_CASE("gguf: synthetic v3 and v1 files read back") {
        for (int v = 1; v <= 3; v++) {
            knobs k = defaults(); k.version = (uint32_t)v;
            buf b = build(&k);
            gguf_file *g; vers_err err;
            int rc = open_buf(&b, &g, &err);
            T_CHECK(rc == VERS_OK, "v%d: %s", v, err.msg);
            if (rc == VERS_OK) check_synthetic(g, v);
            gguf_close(g);
            free(b.p);
        }
    }
    T_CASE("gguf: every truncation of a v3 and a v1 file is rejected") {
        for (int v = 1; v <= 3; v += 2) {
            knobs k = defaults(); k.version = (uint32_t)v;
            buf b = build(&k);
            int bad = 0;
            for (size_t n = 0; n < b.n; n++) {
                gguf_file *g = NULL; vers_err err = {0};
                uint8_t *copy = malloc(n ? n : 1);   /* exact-size copy: ASan sees any overread */
                memcpy(copy, b.p, n);
                int rc = gguf_open_memory(copy, n, &g, &err);
                if (rc != VERS_EFORMAT || !err.msg[0]) { bad++; if (bad < 4) printf("  v%d truncated at %zu: rc %d\n", v, n, rc); }
                gguf_close(g);
                free(copy);
            }
            T_CHECK(bad == 0, "v%d: %d truncations accepted", v, bad);
            free(b.p);
        }
    }
}

static void test_hostile(void) {
    T_CASE("gguf: hostile headers and metadata") {
        knobs k;
        k = defaults(); k.magic = "GGUG"; expect_bad("wrong magic", &k);
        k = defaults(); k.version = 0; expect_bad("version 0", &k);
        k = defaults(); k.version = 4; expect_bad("version 4", &k);
        k = defaults(); k.n_kv_override = UINT64_MAX; expect_bad("huge kv count", &k);
        k = defaults(); k.n_kv_override = 1000; expect_bad("kv count too large", &k);
        k = defaults(); k.n_tensors_override = 1ull << 40; expect_bad("huge tensor count", &k);
        k = defaults(); k.n_tensors_override = 3; expect_bad("one tensor too many", &k);
        k = defaults(); k.keylen_override = 1ull << 62; expect_bad("huge key length", &k);
        k = defaults(); k.version = 1; k.keylen_override = 0xFFFFFFF0u; expect_bad("v1 huge key length", &k);
        k = defaults(); k.value_type_override = 13; expect_bad("unknown value type", &k);
        k = defaults(); k.arr_type = 13; expect_bad("unknown array type", &k);
        k = defaults(); k.arr_type = GGUF_ARRAY; expect_bad("nested array", &k);
        k = defaults(); k.arr_n_override = UINT64_MAX / 2; expect_bad("huge array count", &k);
        k = defaults(); k.arr_type = GGUF_STRING; expect_bad("array of strings with bad lengths", &k);
        k = defaults(); k.dup_key = "test.arr"; expect_bad("duplicate key", &k);
        k = defaults(); k.alignment = 3; expect_bad("alignment not a power of two", &k);
        k = defaults(); k.alignment = 0; expect_bad("alignment 0", &k);
        k = defaults(); k.alignment_type = GGUF_UINT64; expect_bad("alignment of type u64", &k);
    }
    T_CASE("gguf: hostile tensor infos") {
        knobs k;
        k = defaults(); k.n_dims0 = 5; expect_bad("n_dims 5", &k);
        k = defaults(); k.n_dims0 = 0; expect_bad("n_dims 0", &k);
        k = defaults(); k.ne1_0 = 0; expect_bad("dimension 0", &k);
        k = defaults(); k.set_off = 1; k.off1 = 64; k.ne0_0 = 1ull << 40; k.ne1_0 = 1ull << 40; expect_bad("shape overflow", &k);
        k = defaults(); k.set_off = 1; k.off1 = 64; k.ne0_0 = (uint64_t)INT64_MAX + 1; expect_bad("dimension > INT64_MAX", &k);
        k = defaults(); k.set_off = 1; k.off1 = 64; k.ne1_0 = 1ull << 30; expect_bad("data past the end", &k);
        k = defaults(); k.type0 = 4; expect_bad("removed type 4", &k);
        k = defaults(); k.type0 = 99; expect_bad("unknown type 99", &k);
        k = defaults(); k.type0 = VT_Q8_0; k.ne0_0 = 33; expect_bad("row not a multiple of the block", &k);
        k = defaults(); k.set_off = 1; k.off0 = 4; k.off1 = 64; expect_bad("misaligned offset", &k);
        k = defaults(); k.set_off = 1; k.off0 = 0; k.off1 = 32; expect_bad("overlapping tensors", &k);
        k = defaults(); k.set_off = 1; k.off0 = 0; k.off1 = 0; expect_bad("same offset", &k);
        k = defaults(); k.set_off = 1; k.off0 = 0; k.off1 = 1ull << 60; expect_bad("offset far past the end", &k);
        k = defaults(); k.set_off = 1; k.off0 = 0; k.off1 = UINT64_MAX - 31; expect_bad("offset wrapping", &k);
        k = defaults(); k.name1 = "a.weight"; expect_bad("duplicate tensor name", &k);
        k = defaults(); k.set_off = 1; k.off1 = 64; k.version = 1; k.ne0_0 = 0xFFFFFFFFu; k.ne1_0 = 0xFFFFFFFFu; expect_bad("v1 huge shape", &k);
    }
    T_CASE("gguf: general.alignment 1 with misaligned tensor data is refused, not read (fuzz finding)") {
        static const char *names[] = {"b", "bb", "bbb", "bbbb", "bbbbb", "bbbbbb", "bbbbbbb", "bbbbbbbb"};
        int refused = 0, accepted = 0;
        for (int i = 0; i < 8; i++) {
            knobs k = defaults(); k.alignment = 1; k.name1 = names[i];
            buf b = build(&k);
            uint8_t *copy = malloc(b.n + 16);
            uint8_t *al = copy + (16 - (uintptr_t)copy % 16) % 16;   /* 16-aligned copy */
            memcpy(al, b.p, b.n);
            gguf_file *g = NULL; vers_err err = {0};
            int rc = gguf_open_memory(al, b.n, &g, &err);
            if (rc == VERS_OK) {
                accepted++;
                for (uint64_t j = 0; j < g->n_tensors; j++)
                    T_CHECK((uintptr_t)g->tensors[j].data % 2 == 0, "misaligned tensor accepted");
                float out[32];
                const gguf_tensor *t = gguf_find_tensor(g, names[i]);
                T_CHECK(t && vers_to_float(t->type, t->data, out, 32) == 0, "dequantize");
            } else {
                T_CHECK(rc == VERS_EUNSUPPORTED && strstr(err.msg, "aligned"), "rc %d: %s", rc, err.msg);
                refused++;
            }
            gguf_close(g);
            free(copy); free(b.p);
        }
        T_CHECK(refused > 0 && accepted > 0, "refused %d accepted %d (want both cases exercised)", refused, accepted);
    }
    T_CASE("gguf: random corruption never crashes") {
        knobs k = defaults();
        buf b = build(&k);
        uint64_t state = 0x9E3779B97F4A7C15ull;
        int ok = 0, bad = 0, nomsg = 0;
        uint8_t *copy = malloc(b.n);
        for (int it = 0; it < 3000; it++) {
            memcpy(copy, b.p, b.n);
            int nflip = 1 + (int)(state % 4);
            for (int f = 0; f < nflip; f++) {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                copy[state % b.n] = (uint8_t)(state >> 32);
            }
            gguf_file *g = NULL; vers_err err = {0};
            int rc = gguf_open_memory(copy, b.n, &g, &err);
            if (rc == VERS_OK) {
                ok++;
                /* whatever was accepted must be self-consistent */
                for (uint64_t i = 0; i < g->n_tensors; i++) {
                    const gguf_tensor *t = &g->tensors[i];
                    if ((const uint8_t *)t->data < g->base || (const uint8_t *)t->data + t->nbytes > g->base + g->size) bad++;
                }
            } else if (!err.msg[0]) nomsg++;
            gguf_close(g);
        }
        free(copy); free(b.p);
        T_CHECK(bad == 0 && nomsg == 0, "%d tensors out of bounds, %d errors without message", bad, nomsg);
        T_CHECK(ok > 0, "no mutation accepted at all (the test is not exercising the success path)");
    }
}

/* ---- real files ---- */
static void compare_files(gguf_file *a, gguf_file *b) {
    T_CHECK(a->n_kv == b->n_kv && a->n_tensors == b->n_tensors, "counts differ");
    for (uint64_t i = 0; i < a->n_kv && i < b->n_kv; i++) {
        const gguf_kv *x = &a->kv[i], *y = &b->kv[i];
        T_CHECK(x->key.len == y->key.len && !memcmp(x->key.ptr, y->key.ptr, x->key.len), "key %llu", (unsigned long long)i);
        T_CHECK(x->type == y->type, "type of kv %llu", (unsigned long long)i);
        if (x->type == GGUF_STRING)
            T_CHECK(x->str.len == y->str.len && !memcmp(x->str.ptr, y->str.ptr, x->str.len), "string kv %llu", (unsigned long long)i);
        else if (x->type == GGUF_ARRAY) {
            T_CHECK(x->arr_type == y->arr_type && x->arr_n == y->arr_n, "array kv %llu", (unsigned long long)i);
            for (uint64_t j = 0; j < x->arr_n && j < y->arr_n; j++) {
                if (x->arr_type == GGUF_STRING) {
                    if (x->arr_str[j].len != y->arr_str[j].len || memcmp(x->arr_str[j].ptr, y->arr_str[j].ptr, x->arr_str[j].len)) {
                        T_CHECK(0, "string %llu of kv %llu", (unsigned long long)j, (unsigned long long)i); break;
                    }
                } else if (gguf_arr_f64(x, j) != gguf_arr_f64(y, j)) {
                    T_CHECK(0, "element %llu of kv %llu", (unsigned long long)j, (unsigned long long)i); break;
                }
            }
        } else {
            double dx = 0, dy = 0; float fx, fy;
            if (x->type == GGUF_FLOAT32 || x->type == GGUF_FLOAT64) { memcpy(&fx, x->data, 4); memcpy(&fy, y->data, 4); dx = fx; dy = fy; }
            else { int64_t ix = 0, iy = 0; memcpy(&ix, x->data, x->type == GGUF_UINT32 || x->type == GGUF_INT32 ? 4 : 1); memcpy(&iy, y->data, x->type == GGUF_UINT32 || x->type == GGUF_INT32 ? 4 : 1); dx = (double)ix; dy = (double)iy; }
            T_CHECK(dx == dy, "value of kv %llu", (unsigned long long)i);
        }
    }
    for (uint64_t i = 0; i < a->n_tensors && i < b->n_tensors; i++) {
        const gguf_tensor *x = &a->tensors[i], *y = &b->tensors[i];
        T_CHECK(x->name.len == y->name.len && !memcmp(x->name.ptr, y->name.ptr, x->name.len) &&
                x->type == y->type && x->n_dims == y->n_dims && !memcmp(x->ne, y->ne, sizeof x->ne) &&
                x->nbytes == y->nbytes && !memcmp(x->data, y->data, x->nbytes), "tensor %llu differs", (unsigned long long)i);
    }
}

static void test_stories(void) {
    const char *p3 = t_shared("reference/gguf/stories260K.gguf");
    const char *p1 = t_shared("reference/gguf/stories260K-v1.gguf");
    if (!p3 || !p1) { T_SKIP("gguf: stories260K", "../shared/reference/gguf absent"); return; }
    T_CASE("gguf: stories260K v3 metadata and tensors") {
        gguf_file *g = NULL; vers_err err = {0};
        int rc = gguf_open(p3, &g, &err);
        T_CHECK(rc == VERS_OK, "open: %s", err.msg);
        if (rc) break;
        T_CHECK(g->version == 3 && g->n_kv == 21 && g->n_tensors == 48 && g->alignment == 32 && g->mapped, "header");
        uint32_t u; float f; int bl; gguf_str s;
        T_CHECK(gguf_get_u32(g, "llama.context_length", &u) == 0 && u == 512, "context_length");
        T_CHECK(gguf_get_u32(g, "llama.attention.head_count_kv", &u) == 0 && u == 4, "head_count_kv");
        T_CHECK(gguf_get_f32(g, "llama.rope.freq_base", &f) == 0 && f == 10000.f, "freq_base");
        T_CHECK(gguf_get_f32(g, "llama.attention.layer_norm_rms_epsilon", &f) == 0 && f == 1e-5f, "eps");
        T_CHECK(gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &bl) == 0 && bl == 1, "add_bos");
        T_CHECK(gguf_get_bool(g, "tokenizer.ggml.add_eos_token", &bl) == 0 && bl == 0, "add_eos");
        T_CHECK(gguf_get_str(g, "general.name", &s) == 0 && gguf_str_eq(s, "stories260K"), "name");
        const gguf_kv *tok = gguf_get_arr(g, "tokenizer.ggml.tokens");
        T_CHECK(tok && tok->arr_type == GGUF_STRING && tok->arr_n == 512 &&
                gguf_str_eq(tok->arr_str[403], "\xe2\x96\x81Once") && gguf_str_eq(tok->arr_str[3], "<0x00>"), "tokens");
        const gguf_kv *sc = gguf_get_arr(g, "tokenizer.ggml.scores");
        T_CHECK(sc && sc->arr_n == 512 && gguf_arr_f64(sc, 261) == -2.0 && gguf_arr_f64(sc, 0) == 0.0, "scores");
        const gguf_kv *tt = gguf_get_arr(g, "tokenizer.ggml.token_type");
        T_CHECK(tt && gguf_arr_i64(tt, 0) == 2 && gguf_arr_i64(tt, 1) == 3 && gguf_arr_i64(tt, 100) == 6 &&
                gguf_arr_i64(tt, 300) == 1, "token types");
        const gguf_tensor *t = gguf_find_tensor(g, "token_embd.weight");
        T_CHECK(t && t->type == VT_F32 && t->n_dims == 2 && t->ne[0] == 64 && t->ne[1] == 512 && t->nbytes == 64 * 512 * 4,
                "token_embd");
        t = gguf_find_tensor(g, "blk.4.ffn_down.weight");
        T_CHECK(t && t->ne[0] == 172 && t->ne[1] == 64, "ffn_down shape");
        t = gguf_find_tensor(g, "blk.0.attn_k.weight");
        T_CHECK(t && t->ne[0] == 64 && t->ne[1] == 32, "attn_k shape");
        const gguf_tensor *e = gguf_find_tensor(g, "token_embd.weight"), *o = gguf_find_tensor(g, "output.weight");
        T_CHECK(e && o && !memcmp(e->data, o->data, e->nbytes), "output = token_embd (shared classifier)");
        T_CHECK(g->tensors[0].data == g->base + g->data_offset && g->data_offset % 32 == 0, "data section");
        gguf_close(g);
    }
    T_CASE("gguf: stories260K v1 equals v3") {
        gguf_file *a = NULL, *b = NULL; vers_err err = {0};
        int rc1 = gguf_open(p1, &a, &err), rc3 = gguf_open(p3, &b, &err);
        T_CHECK(rc1 == 0 && rc3 == 0, "open: %s", err.msg);
        if (rc1 == 0 && rc3 == 0) { T_CHECK(a->version == 1, "v1"); compare_files(a, b); }
        gguf_close(a); gguf_close(b);
    }
    T_CASE("gguf: stories260K truncated at many points") {
        size_t n = 0;
        char *data = t_read_file(p3, &n);
        T_CHECK(data != NULL, "read");
        if (!data) break;
        int bad = 0;
        for (size_t cut = 0; cut < n; cut += (cut < 20000 ? 7 : 4099)) {
            gguf_file *g = NULL; vers_err err = {0};
            int rc = gguf_open_memory(data, cut, &g, &err);
            if (rc != VERS_EFORMAT || !err.msg[0]) bad++;
            gguf_close(g);
        }
        T_CHECK(bad == 0, "%d truncations accepted", bad);
        free(data);
    }
}

static void test_llamacpp_files(void) {
    static const char *vocabs[] = {"gpt-2", "llama-bpe", "llama-spm", "phi-3", "qwen2"};
    int found = 0;
    T_CASE("gguf: llama.cpp vocab files") {
        for (int i = 0; i < 5; i++) {
            char rel[256];
            snprintf(rel, sizeof rel, "reference/llama.cpp-vocab/ggml-vocab-%s.gguf", vocabs[i]);
            const char *p = t_shared(rel);
            if (!p) continue;
            found++;
            gguf_file *g = NULL; vers_err err = {0};
            int rc = gguf_open(p, &g, &err);
            T_CHECK(rc == VERS_OK, "%s: %s", vocabs[i], err.msg);
            if (rc) continue;
            gguf_str s;
            T_CHECK(gguf_get_str(g, "tokenizer.ggml.model", &s) == 0 && s.len > 0, "%s: tokenizer model", vocabs[i]);
            const gguf_kv *tok = gguf_get_arr(g, "tokenizer.ggml.tokens");
            T_CHECK(tok && tok->arr_type == GGUF_STRING && tok->arr_n > 1000, "%s: tokens", vocabs[i]);
            gguf_close(g);
        }
    }
    if (!found) printf("SKIP note: no llama.cpp vocab files\n");

    static const char *archs[] = {"llama", "qwen2", "gpt2"};
    static const char *types[] = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K_M", "Q6_K"};
    const char *probe = t_shared("reference/llamacpp/models/tiny-llama-F32.gguf");
    if (!probe) { T_SKIP("gguf: llama.cpp tiny models", "../shared/reference/llamacpp absent"); return; }
    T_CASE("gguf: llama.cpp tiny models (18 files) and their tensor types") {
        for (int a = 0; a < 3; a++)
            for (int t = 0; t < 6; t++) {
                char rel[256];
                snprintf(rel, sizeof rel, "reference/llamacpp/models/tiny-%s-%s.gguf", archs[a], types[t]);
                const char *p = t_shared(rel);
                T_CHECK(p != NULL, "%s missing", rel);
                if (!p) continue;
                gguf_file *g = NULL; vers_err err = {0};
                int rc = gguf_open(p, &g, &err);
                T_CHECK(rc == VERS_OK, "%s: %s", rel, err.msg);
                if (rc) continue;
                gguf_str s;
                T_CHECK(gguf_get_str(g, "general.architecture", &s) == 0 && gguf_str_eq(s, archs[a]), "%s: arch", rel);
                /* every tensor is a type we multiply, and 1-D tensors are F32 */
                for (uint64_t i = 0; i < g->n_tensors; i++) {
                    const gguf_tensor *x = &g->tensors[i];
                    const vers_type_traits *tr = vers_type_get(x->type);
                    T_CHECK(tr && tr->supported, "%s: tensor type %d", rel, x->type);
                    if (x->n_dims == 1) T_CHECK(x->type == VT_F32, "%s: 1-D tensor not F32", rel);
                }
                const gguf_tensor *ffn_down = gguf_find_tensor(g, "blk.0.ffn_down.weight");
                T_CHECK(ffn_down != NULL, "%s: ffn_down", rel);
                if (ffn_down) {
                    int want = t == 0 ? VT_F32 : t == 1 ? VT_F16 : t == 2 ? VT_Q8_0 : t == 3 ? VT_Q4_0 : VT_Q6_K;
                    T_CHECK(ffn_down->type == want, "%s: ffn_down type %s", rel, vers_type_name(ffn_down->type));
                }
                if (t == 4 && a == 0) {
                    const gguf_tensor *q = gguf_find_tensor(g, "blk.0.attn_q.weight"), *v = gguf_find_tensor(g, "blk.0.attn_v.weight");
                    T_CHECK(q && v && q->type == VT_Q4_K && v->type == VT_Q6_K, "Q4_K_M mix");
                }
                if (t == 4 && a == 2) {
                    const gguf_tensor *qkv = gguf_find_tensor(g, "blk.0.attn_qkv.weight");
                    T_CHECK(qkv && qkv->type == VT_Q5_K, "gpt2 Q4_K_M: attn_qkv Q5_K");
                }
                gguf_close(g);
            }
    }
}

/* Writes g's kvs and tensors through the writer; returns the path or NULL. */
static const char *rewrite(gguf_file *g, const char *name) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", t_tmpdir(), name);
    gguf_writer *w = gguf_writer_new();
    int rc = gguf_writer_copy_kvs(w, g, NULL);
    for (uint64_t i = 0; i < g->n_tensors && !rc; i++) {
        const gguf_tensor *t = &g->tensors[i];
        char tn[256];
        snprintf(tn, sizeof tn, "%.*s", (int)t->name.len, t->name.ptr);
        rc = gguf_writer_add_tensor(w, tn, t->type, t->n_dims, t->ne, t->data);
    }
    vers_err err = {0};
    if (!rc) rc = gguf_writer_write(w, path, &err);
    gguf_writer_free(w);
    T_CHECK(rc == 0, "write %s: rc %d %s", name, rc, err.msg);
    return rc ? NULL : path;
}

static void test_writer(void) {
    const char *p3 = t_shared("reference/gguf/stories260K.gguf");
    const char *p1 = t_shared("reference/gguf/stories260K-v1.gguf");
    if (!p3 || !p1) { T_SKIP("gguf: writer round trip", "../shared/reference/gguf absent"); return; }
    T_CASE("gguf: writer round trip of stories260K (v3 and v1 sources) gives the v3 file's bytes") {
        size_t n3 = 0;
        char *orig = t_read_file(p3, &n3);
        for (int src = 0; src < 2; src++) {
            gguf_file *g = NULL, *r = NULL; vers_err err = {0};
            if (gguf_open(src ? p1 : p3, &g, &err)) { T_CHECK(0, "open: %s", err.msg); continue; }
            const char *out = rewrite(g, src ? "from-v1.gguf" : "from-v3.gguf");
            if (out) {
                T_CHECK(gguf_open(out, &r, &err) == 0, "reopen: %s", err.msg);
                if (r) { T_CHECK(r->version == 3, "version"); compare_files(g->version == 3 ? g : r, r); if (g->version == 1) { gguf_file *o = NULL; if (!gguf_open(p3, &o, &err)) { compare_files(o, r); gguf_close(o); } } }
                size_t n = 0;
                char *bytes = t_read_file(out, &n);
                T_CHECK(bytes && orig && n == n3 && !memcmp(bytes, orig, n), "%s: bytes differ from stories260K.gguf (%zu vs %zu)",
                        src ? "v1" : "v3", n, n3);
                free(bytes);
                gguf_close(r);
                unlink(out);
            }
            gguf_close(g);
        }
        free(orig);
    }
    T_CASE("gguf: writer setters, replacement, alignment, bad arguments") {
        gguf_writer *w = gguf_writer_new();
        T_CHECK(w != NULL, "new");
        gguf_writer_set_str(w, "general.architecture", "llama");
        gguf_writer_set_u32(w, "a.u32", 7);
        gguf_writer_set_u32(w, "a.u32", 8);   /* replaces, keeps position */
        gguf_writer_set_i32(w, "a.i32", -5);
        gguf_writer_set_u64(w, "a.u64", 1ull << 40);
        gguf_writer_set_f32(w, "a.f32", 0.25f);
        gguf_writer_set_bool(w, "a.bool", 1);
        gguf_writer_set_u32(w, "general.alignment", 64);
        const char *strs[] = {"x", "yy", "\xe2\x96\x81z"};
        float fs[] = {1.5f, -2.f};
        int32_t is[] = {3, -4, 5};
        gguf_writer_set_arr_str(w, "a.strs", strs, NULL, 3);
        gguf_writer_set_arr_f32(w, "a.fs", fs, 2);
        gguf_writer_set_arr_i32(w, "a.is", is, 3);
        float data[96];
        for (int i = 0; i < 96; i++) data[i] = (float)i;
        int64_t ne1[1] = {3}, ne2[2] = {32, 2};
        uint8_t q8[2 * 34];
        vers_quantize_row(VT_Q8_0, data, q8, 64);
        T_CHECK(gguf_writer_add_tensor(w, "t.small", VT_F32, 1, ne1, data) == 0, "add f32");
        T_CHECK(gguf_writer_add_tensor(w, "t.q8", VT_Q8_0, 2, ne2, q8) == 0, "add q8_0");
        T_CHECK(gguf_writer_add_tensor(w, "t.q8", VT_F32, 1, ne1, data) == VERS_EINVAL, "duplicate name");
        int64_t bad[1] = {33};
        T_CHECK(gguf_writer_add_tensor(w, "t.bad", VT_Q8_0, 1, bad, q8) == VERS_EINVAL, "row not a multiple of 32");
        T_CHECK(gguf_writer_add_tensor(w, "t.bad", 4, 1, ne1, data) == VERS_EINVAL, "unknown type");
        T_CHECK(gguf_writer_add_tensor(w, "t.bad", VT_F32, 5, ne2, data) == VERS_EINVAL, "5 dims");
        char path[512];
        snprintf(path, sizeof path, "%s/setters.gguf", t_tmpdir());
        vers_err err = {0};
        T_CHECK(gguf_writer_write(w, path, &err) == 0, "write: %s", err.msg);
        vers_err err2 = {0};
        T_CHECK(gguf_writer_write(w, "/nonexistent-dir/x.gguf", &err2) == VERS_EIO && err2.msg[0], "unwritable path");
        gguf_writer_free(w);
        gguf_file *g = NULL;
        T_CHECK(gguf_open(path, &g, &err) == 0, "reopen: %s", err.msg);
        if (g) {
            uint32_t u; int64_t i64; uint64_t u64; float f; int b; gguf_str s;
            T_CHECK(g->n_kv == 10 && g->alignment == 64 && g->data_offset % 64 == 0, "kv count %llu, alignment %u",
                    (unsigned long long)g->n_kv, g->alignment);
            T_CHECK(gguf_str_eq(g->kv[1].key, "a.u32") && gguf_get_u32(g, "a.u32", &u) == 0 && u == 8, "replaced u32");
            T_CHECK(gguf_get_i64(g, "a.i32", &i64) == 0 && i64 == -5 && gguf_get_u64(g, "a.i32", &u64) == VERS_EFORMAT, "i32");
            T_CHECK(gguf_get_u64(g, "a.u64", &u64) == 0 && u64 == 1ull << 40 && gguf_get_u32(g, "a.u64", &u) == VERS_EFORMAT, "u64");
            T_CHECK(gguf_get_f32(g, "a.f32", &f) == 0 && f == 0.25f && gguf_get_bool(g, "a.bool", &b) == 0 && b == 1, "f32/bool");
            T_CHECK(gguf_get_str(g, "general.architecture", &s) == 0 && gguf_str_eq(s, "llama"), "string");
            const gguf_kv *a = gguf_get_arr(g, "a.strs");
            T_CHECK(a && a->arr_n == 3 && gguf_str_eq(a->arr_str[2], "\xe2\x96\x81z"), "string array");
            a = gguf_get_arr(g, "a.fs");
            T_CHECK(a && gguf_arr_f64(a, 0) == 1.5 && gguf_arr_f64(a, 1) == -2.0, "f32 array");
            a = gguf_get_arr(g, "a.is");
            T_CHECK(a && gguf_arr_i64(a, 1) == -4, "i32 array");
            const gguf_tensor *t = gguf_find_tensor(g, "t.q8");
            T_CHECK(t && t->offset % 64 == 0 && t->nbytes == 68 && !memcmp(t->data, q8, 68), "q8 tensor");
            t = gguf_find_tensor(g, "t.small");
            T_CHECK(t && t->nbytes == 12 && !memcmp(t->data, data, 12), "f32 tensor");
            gguf_close(g);
        }
        unlink(path);
    }
}

static void test_quantize_files(void) {
    static const char *archs[] = {"llama", "qwen2", "gpt2"};
    static const char *types[] = {"F16", "Q8_0", "Q4_0", "Q6_K", "Q4_K_M"};
    if (!t_shared("reference/llamacpp/models/tiny-llama-F32.gguf")) {
        T_SKIP("gguf: quantize reproduces llama-quantize files", "../shared/reference/llamacpp absent");
        return;
    }
    T_CASE("gguf: gguf_quantize of the tiny F32 models gives llama-quantize's files byte for byte (15 files)") {
        for (int a = 0; a < 3; a++)
            for (int t = 0; t < 5; t++) {
                char rel[256], out[512];
                snprintf(rel, sizeof rel, "reference/llamacpp/models/tiny-%s-F32.gguf", archs[a]);
                const char *in = t_shared(rel);
                snprintf(rel, sizeof rel, "reference/llamacpp/models/tiny-%s-%s.gguf", archs[a], types[t]);
                const char *want = t_shared(rel);
                snprintf(out, sizeof out, "%s/q-%s-%s.gguf", t_tmpdir(), archs[a], types[t]);
                gguf_quantize_stats st; vers_err err = {0};
                int rc = gguf_quantize(in, out, types[t], 2, &st, &err);
                T_CHECK(rc == 0, "%s %s: %s", archs[a], types[t], err.msg);
                size_t n1 = 0, n2 = 0;
                char *b1 = t_read_file(out, &n1), *b2 = want ? t_read_file(want, &n2) : NULL;
                T_CHECK(b1 && b2 && n1 == n2 && !memcmp(b1, b2, n1), "%s %s: bytes differ (%zu vs %zu)", archs[a], types[t], n1, n2);
                free(b1); free(b2);
                unlink(out);
            }
    }
    T_CASE("gguf: gguf_quantize errors") {
        vers_err err = {0};
        const char *in = t_shared("reference/llamacpp/models/tiny-llama-F32.gguf");
        T_CHECK(gguf_quantize(in, "/tmp/x.gguf", "Q3_K", 1, NULL, &err) == VERS_EINVAL && err.msg[0], "unknown type");
        T_CHECK(gguf_quantize("/nonexistent.gguf", "/tmp/x.gguf", "Q4_0", 1, NULL, &err) == VERS_EIO, "missing input");
        T_CHECK(gguf_quantize(in, "/nonexistent-dir/x.gguf", "Q4_0", 1, NULL, &err) == VERS_EIO, "unwritable output");
    }
}

/* vers info / vers quantize through the CLI (from the repository root, as tests/run runs). */
static int run_cmd(const char *cmd, char *out, size_t outlen) {
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t n = fread(out, 1, outlen - 1, p); out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli_info(void) {
    const char *p3 = t_shared("reference/gguf/stories260K.gguf");
    const char *vers = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
    if (!p3 || access(vers, X_OK)) { T_SKIP("gguf: vers info", "no stories260K or no build/vers"); return; }
    static char out[1 << 16];
    char cmd[1024];
    T_CASE("gguf: vers info text, --json --tensors, errors") {
        snprintf(cmd, sizeof cmd, "%s info %s", vers, p3);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 0 && strstr(out, "GGUF version 3") && strstr(out, "llama.context_length") &&
                strstr(out, "F32       48 tensors"), "text: %.300s", out);
        snprintf(cmd, sizeof cmd, "%s info --json --tensors %s", vers, p3);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 0 && strstr(out, "\"version\":3") &&
                strstr(out, "\"name\":\"blk.4.ffn_norm.weight\",\"type\":\"F32\",\"shape\":[64]") &&
                strstr(out, "\"tokenizer.ggml.tokens\":{\"type\":\"string\",\"n\":512"), "json: %.300s", out);
        snprintf(cmd, sizeof cmd, "%s info /etc/hostname 2>&1", vers);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 2 && !strncmp(out, "vers: /etc/hostname: ", 21) &&
                strchr(out, '\n') == out + strlen(out) - 1, "bad file: %s", out);
        snprintf(cmd, sizeof cmd, "%s quantize %s %s/x.gguf Q9 2>&1", vers, p3, t_tmpdir());
        T_CHECK(run_cmd(cmd, out, sizeof out) == 2 && !strncmp(out, "vers: Q9: unknown type", 22), "bad type: %s", out);
        snprintf(cmd, sizeof cmd, "%s quantize --json %s %s/x.gguf Q8_0", vers, p3, t_tmpdir());
        T_CHECK(run_cmd(cmd, out, sizeof out) == 0 && strstr(out, "\"quantized\":37,\"copied\":11,\"fallback\":5"), "quantize stories260K (ffn_down rows of 172 fall back to F16): %s", out);
    }
}

static void test_errors_io(void) {
    T_CASE("gguf: missing file and directory give VERS_EIO") {
        gguf_file *g = NULL; vers_err err = {0};
        T_CHECK(gguf_open("/nonexistent/x.gguf", &g, &err) == VERS_EIO && err.msg[0], "missing");
        T_CHECK(gguf_open("/tmp", &g, &err) == VERS_EIO, "directory");
        T_CHECK(gguf_open_memory("GG", 2, &g, &err) == VERS_EFORMAT, "2 bytes");
        T_CHECK(gguf_open_memory(NULL, 0, &g, &err) == VERS_EFORMAT, "empty");
    }
}

int main(void) {
    test_synthetic();
    test_hostile();
    test_stories();
    test_llamacpp_files();
    test_errors_io();
    test_writer();
    test_quantize_files();
    test_cli_info();
    T_DONE();
}
