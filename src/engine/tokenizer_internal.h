/* src/engine/tokenizer_internal.h — what tokenizer.c (vocabulary, special tokens, pieces),
 * tokenizer_spm.c and tokenizer_bpe.c share: the tokenizer's layout and small helpers. */
#ifndef VERS_TOKENIZER_INTERNAL_H
#define VERS_TOKENIZER_INTERNAL_H
#include "vers/tokenizer.h"
#include <stdint.h>
#include <stddef.h>

enum { VTOK_SPM = 1, VTOK_BPE = 2 };

/* Pre-tokenizer families (llama.cpp's LLAMA_VOCAB_PRE_TYPE_* that share one regex set). */
enum {
    VTOK_PRE_NONE = 0,      /* SPM: no pre-tokenizer */
    VTOK_PRE_DEFAULT,       /* 4 regexes: punctuation runs, gpt-2, \p{N}+, [0-9]{3} */
    VTOK_PRE_GPT2,          /* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
    VTOK_PRE_LLAMA3,        /* (?i:'s|..)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
    VTOK_PRE_QWEN2,         /* as LLAMA3 with \p{N} (one digit) */
    VTOK_PRE_STARCODER      /* \p{N} then gpt-2 */
};

/* per-token flags besides the type */
enum { VTOK_F_RSTRIP = 1, VTOK_F_LSTRIP = 2, VTOK_F_EOG = 4 };

struct vers_tokenizer {
    int type;                 /* VTOK_SPM / VTOK_BPE */
    int pre;                  /* VTOK_PRE_* */
    int ignore_merges;        /* llama3: a word that is a token is not merged */
    int add_bos, add_eos, add_space_prefix;
    int32_t bos, eos, unk, sep, pad, eot, eom;
    uint32_t n_tokens;

    char *text;               /* token texts, each NUL-terminated */
    uint64_t *text_off;
    uint32_t *text_len;
    float *score;
    uint8_t *ttype;           /* effective VERS_TOKEN_* type */
    uint8_t *tflags;          /* VTOK_F_* */
    uint64_t *hash;           /* open addressing: (hash >> 32) << 32 | (id + 1), 0 = empty */
    uint64_t hash_mask;

    /* BPE merges: "left right" stored as left NUL right NUL; rank = index in the file */
    char *mtext;
    uint64_t *m_off;
    uint32_t *m_llen, *m_rlen;
    int32_t *m_rank;
    uint32_t n_merges;        /* unique (left, right) pairs kept */
    uint64_t *mhash;          /* (hash >> 32) << 32 | (index + 1), 0 = empty */
    uint64_t mhash_mask;

    int32_t *special;         /* CONTROL / USER_DEFINED / UNKNOWN tokens, longest first */
    uint32_t n_special;

    char *piece;              /* decoded pieces (control tokens rendered) */
    uint64_t *piece_off;
    uint32_t *piece_len;
    size_t max_piece;

    uint8_t byte_enc[256][2]; /* BPE: the GPT-2 character of each byte, as UTF-8 */
    uint8_t byte_enc_len[256];
    int32_t byte_tok[256];    /* SPM: token of byte b (<0xHH>, else the 1-byte token), -1 none */
    char model_name[8];
    char pre_name[64];
};

/* A growable id array. */
typedef struct vtok_ids { int32_t *v; size_t n, cap; } vtok_ids;
int vtok_push(vtok_ids *a, int32_t id);   /* VERS_OK or VERS_ENOMEM */

uint64_t vtok_hash_bytes(const void *p, size_t n, uint64_t h);
#define VTOK_HASH_SEED 1469598103934665603ull

/* Token id of the exact text s[0..n), or -1. */
int32_t vtok_find(const struct vers_tokenizer *t, const char *s, size_t n);
/* Rank of the merge (left, right), or -1. */
int32_t vtok_merge_rank(const struct vers_tokenizer *t, const char *l, size_t ln,
                        const char *r, size_t rn);

/* Tokenizes one text fragment (no special tokens in it) and appends the ids.
 * spm: the fragment already has its dummy prefix and U+2581 spaces. */
int vtok_spm_tokenize(const struct vers_tokenizer *t, const char *s, size_t n, vtok_ids *out);
int vtok_bpe_tokenize(const struct vers_tokenizer *t, const char *s, size_t n, vtok_ids *out);

/* The pre-tokenizer on its own (for tests): splits code points cp[0..n) into words;
 * on success *lens holds *n_words word lengths in code points (malloc'd). */
int vtok_pretokenize(int pre, const uint32_t *cp, size_t n, size_t **lens, size_t *n_words);
#endif
