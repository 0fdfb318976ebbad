/* src/engine/gguf.h — GGUF files: a bounds-checked reader (v1, v2, v3; mmap, tensors used
 * in place) and a v3 writer.  Every count, length and offset read from a file is checked
 * against the file size before use; a hostile file gives VERS_EFORMAT and a message. */
#ifndef VERS_GGUF_H
#define VERS_GGUF_H
#include "vers/common.h"
#include <stdint.h>
#include <stddef.h>

/* Metadata value types, numbered as in the GGUF specification. */
typedef enum {
    GGUF_UINT8 = 0, GGUF_INT8 = 1, GGUF_UINT16 = 2, GGUF_INT16 = 3, GGUF_UINT32 = 4,
    GGUF_INT32 = 5, GGUF_FLOAT32 = 6, GGUF_BOOL = 7, GGUF_STRING = 8, GGUF_ARRAY = 9,
    GGUF_UINT64 = 10, GGUF_INT64 = 11, GGUF_FLOAT64 = 12, GGUF_NTYPES = 13
} gguf_type;

/* A string inside the mapped file: NOT NUL-terminated. */
typedef struct { const char *ptr; uint64_t len; } gguf_str;

typedef struct gguf_kv {
    gguf_str key;
    gguf_type type;          /* value type; GGUF_ARRAY for arrays */
    gguf_type arr_type;      /* element type when type == GGUF_ARRAY */
    uint64_t arr_n;          /* element count when type == GGUF_ARRAY */
    const uint8_t *data;     /* scalar value, or first array element, in the file */
    gguf_str *arr_str;       /* for arrays of strings: arr_n strings (allocated) */
    gguf_str str;            /* the value when type == GGUF_STRING */
} gguf_kv;

#define GGUF_MAX_DIMS 4
typedef struct gguf_tensor {
    gguf_str name;
    int n_dims;
    int64_t ne[GGUF_MAX_DIMS]; /* ne[0] = contiguous (row) length; unused dims are 1 */
    int type;                  /* vers_type (tensor.h), the ggml type number */
    uint64_t offset;           /* relative to the data section */
    const void *data;          /* in the mapping (or in memory for files opened from memory) */
    size_t nbytes;
} gguf_tensor;

typedef struct gguf_file {
    int version;
    uint64_t n_kv, n_tensors;
    gguf_kv *kv;
    gguf_tensor *tensors;
    uint32_t alignment;
    const uint8_t *base;      /* the whole file */
    size_t size;
    size_t data_offset;       /* start of the tensor data section */
    int mapped;               /* base is an mmap (else owned malloc or borrowed memory) */
    int owns_base;
} gguf_file;

/* Opens and validates a GGUF file (mmap).  On error returns a code and fills err. */
int gguf_open(const char *path, gguf_file **out, vers_err *err);
/* Same from memory (the buffer must outlive the gguf_file; used by tests and fuzzers). */
int gguf_open_memory(const void *buf, size_t size, gguf_file **out, vers_err *err);
void gguf_close(gguf_file *g);

/* Lookup: index of a key or -1; tensor by name or NULL. */
int64_t gguf_find_key(const gguf_file *g, const char *key);
const gguf_tensor *gguf_find_tensor(const gguf_file *g, const char *name);

/* Typed getters. They accept any integer type that fits (u8..u64, i8..i64, bool for
 * get_bool) and return VERS_ENOTFOUND when absent, VERS_EFORMAT on a type mismatch. */
int gguf_get_u64(const gguf_file *g, const char *key, uint64_t *out);
int gguf_get_u32(const gguf_file *g, const char *key, uint32_t *out);
int gguf_get_i64(const gguf_file *g, const char *key, int64_t *out);
int gguf_get_f32(const gguf_file *g, const char *key, float *out);   /* f32 or f64 or int */
int gguf_get_bool(const gguf_file *g, const char *key, int *out);
int gguf_get_str(const gguf_file *g, const char *key, gguf_str *out);
/* Arrays: returns the kv (type GGUF_ARRAY) or NULL when absent / not an array. */
const gguf_kv *gguf_get_arr(const gguf_file *g, const char *key);
/* Element i of a numeric array converted to double / int64 (0 on bad index or type). */
double gguf_arr_f64(const gguf_kv *kv, uint64_t i);
int64_t gguf_arr_i64(const gguf_kv *kv, uint64_t i);
/* Compares a gguf_str with a C string. */
int gguf_str_eq(gguf_str s, const char *c);

/* ---- writer (GGUF v3) ----
 * Usage: w = gguf_writer_new(); add kvs; add tensors (data copied or referenced until
 * write); gguf_writer_write(w, path) writes atomically (temp file + fsync + rename). */
typedef struct gguf_writer gguf_writer;
gguf_writer *gguf_writer_new(void);
void gguf_writer_free(gguf_writer *w);
int gguf_writer_set_u32(gguf_writer *w, const char *key, uint32_t v);
int gguf_writer_set_i32(gguf_writer *w, const char *key, int32_t v);
int gguf_writer_set_u64(gguf_writer *w, const char *key, uint64_t v);
int gguf_writer_set_f32(gguf_writer *w, const char *key, float v);
int gguf_writer_set_bool(gguf_writer *w, const char *key, int v);
int gguf_writer_set_str(gguf_writer *w, const char *key, const char *v);
int gguf_writer_set_arr_str(gguf_writer *w, const char *key, const char *const *v, const size_t *lens, uint64_t n);
int gguf_writer_set_arr_f32(gguf_writer *w, const char *key, const float *v, uint64_t n);
int gguf_writer_set_arr_i32(gguf_writer *w, const char *key, const int32_t *v, uint64_t n);
/* Copies every kv of g (except those whose key is in skip[], NULL-terminated). */
int gguf_writer_copy_kvs(gguf_writer *w, const gguf_file *g, const char *const *skip);
/* Adds a tensor; data (nbytes = tensor_nbytes(type, ne)) is referenced, not copied: keep it
 * alive until gguf_writer_write returns. */
int gguf_writer_add_tensor(gguf_writer *w, const char *name, int type, int n_dims,
                           const int64_t *ne, const void *data);
int gguf_writer_write(gguf_writer *w, const char *path, vers_err *err);

/* ---- quantization of a model file (vers quantize; gguf_quantize.c) ----
 * type: F32 F16 BF16 Q8_0 Q4_0 Q4_K Q5_K Q6_K Q4_K_M Q5_K_M.  Per-tensor types, tensor
 * order and metadata as llama-quantize writes them (same bytes from the same F32 file). */
typedef struct { int n_quantized, n_copied, n_fallback; } gguf_quantize_stats;
int gguf_quantize(const char *in_path, const char *out_path, const char *type, int n_threads,
                  gguf_quantize_stats *st, vers_err *err);
const char *gguf_quantize_types(void);   /* "F32 F16 ..." */
#endif
