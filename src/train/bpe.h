/* src/train/bpe.h — internals shared by the byte-level BPE encoder (bpe.c) and learner
 * (bpe_train.c): the vocabulary struct, hash maps and GPT-2 pre-tokenization. */
#ifndef VERS_TRAIN_BPE_H
#define VERS_TRAIN_BPE_H
#include "vers/train.h"
#include <stddef.h>
#include <stdint.h>

/* open-addressing map from byte strings to int (keys referenced, not copied) */
typedef struct { const char **k; uint32_t *klen; int32_t *v; uint64_t *h; size_t cap, n; } smap;
int smap_init(smap *m, size_t cap);
void smap_free(smap *m);
int32_t *smap_get(const smap *m, const char *k, uint32_t len);
/* Returns the slot's value pointer (new slots hold -1); NULL on allocation failure. */
int32_t *smap_put(smap *m, const char *k, uint32_t len);

/* open-addressing map from u64 to two int32 values */
typedef struct { uint64_t *k; int32_t *a, *b; size_t cap, n; } umap;
int umap_init(umap *m, size_t cap);
void umap_free(umap *m);
/* index of key or -1 */
int64_t umap_find(const umap *m, uint64_t key);
/* index of key, inserted with a=b=0 if new; -1 on allocation failure */
int64_t umap_put(umap *m, uint64_t key);

struct vers_bpe {
    int n_tokens, n_merges;
    char **raw; uint32_t *raw_len;      /* token bytes (specials: their spelling) */
    char **spell; uint32_t *spell_len;  /* bytes_to_unicode spelling, as stored in GGUF */
    int32_t *type;                      /* 1 normal, 3 control */
    char **merge_str; uint32_t *merge_len; /* "A B" in spelling form */
    int32_t byte_id[256];
    smap by_raw;                        /* raw bytes -> id (ordinary tokens only) */
    umap merges;                        /* (left << 32 | right) -> a: rank, b: result id */
    int32_t special[VERS_BPE_N_SPECIAL];/* ids of our special tokens (-1 when absent) */
    int32_t structure[VERS_BPE_N_STRUCT];/* ids of the structure codes (-1 when absent) */
};

/* Splits text into GPT-2 pre-tokenizer pieces (llama.cpp's "gpt-2" pre-type: 's 't 're 've
 * 'm 'll 'd,  ?\p{L}+,  ?\p{N}+,  ?[^\s\p{L}\p{N}]+,  \s+(?!\S),  \s+).  Invalid UTF-8
 * bytes count as U+FFFD for classification but stay as their own bytes in the pieces.
 * Calls fn(piece, len, ctx) for each; stops and returns fn's value if non-zero. */
int bpe_pretokenize(const char *text, size_t len, int (*fn)(const char *p, size_t n, void *ctx), void *ctx);

/* Allocates an empty vocabulary with room for cap tokens. */
vers_bpe *bpe_alloc(int cap);
/* Appends a token given its raw bytes (type 1) or a special (type 3); returns its id. */
int bpe_add_token(vers_bpe *b, const char *raw, size_t len, int type);
/* Appends merge (left, right) -> result; ranks follow call order. */
int bpe_add_merge(vers_bpe *b, int left, int right, int result);
/* Encodes one piece into ids (appends). */
int bpe_encode_piece(const vers_bpe *b, const char *p, size_t n, int32_t **ids, size_t *cnt, size_t *cap);
#endif
