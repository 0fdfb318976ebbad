/* include/vers/tokenizer.h — tokenizers built from GGUF metadata, exact as llama.cpp b4747.
 *
 * Two families:
 *   "llama"  SentencePiece-style: a dummy-prefix space, spaces written as U+2581, pieces
 *            merged by score, unknown bytes as <0xHH> tokens;
 *   "gpt2"   byte-level BPE: a pre-tokenizer splits the text into words (by
 *            tokenizer.ggml.pre: gpt-2, llama-bpe/llama3, qwen2, smollm/starcoder, default),
 *            each word's bytes are written as GPT-2 characters and merged by rank.
 * Special tokens (GGUF token type CONTROL or USER_DEFINED, e.g. <s>, <|endoftext|>, <fr>)
 * are matched in the input text when parse_special is set; USER_DEFINED ones always
 * (llama.cpp does the same).  Decoding gives exact bytes, also when a character's bytes are
 * spread over several tokens: use the streaming decoder (vers_detok) to print text as it
 * is generated without cutting a character in two.
 *
 * A tokenizer is immutable once made: any number of threads may use it at once. */
#ifndef VERS_TOKENIZER_H
#define VERS_TOKENIZER_H
#include "vers/common.h"
#include <stddef.h>
#include <stdint.h>

typedef struct vers_tokenizer vers_tokenizer;
struct gguf_file;

/* Token types, numbered as GGUF's tokenizer.ggml.token_type. */
enum {
    VERS_TOKEN_UNDEFINED = 0, VERS_TOKEN_NORMAL = 1, VERS_TOKEN_UNKNOWN = 2,
    VERS_TOKEN_CONTROL = 3, VERS_TOKEN_USER_DEFINED = 4, VERS_TOKEN_UNUSED = 5,
    VERS_TOKEN_BYTE = 6
};

/* A vocabulary given as plain arrays (what the GGUF keys tokenizer.ggml.* hold). */
typedef struct vers_vocab_desc {
    const char *model;              /* "llama" (SPM) or "gpt2" (byte-level BPE) */
    const char *pre;                /* tokenizer.ggml.pre; NULL or "" = "default" */
    const char *name;               /* general.name (llama.cpp gives "phi-3" models rstrip) */
    uint32_t n_tokens;
    const char *const *tokens;      /* n_tokens texts */
    const size_t *token_lens;       /* their lengths; NULL = NUL-terminated */
    const float *scores;            /* NULL = all 0 */
    const int32_t *types;           /* VERS_TOKEN_*; NULL = all NORMAL */
    uint32_t n_merges;              /* gpt2 only: "left right" strings, rank = index */
    const char *const *merges;
    const size_t *merge_lens;       /* NULL = NUL-terminated */
    /* ids from tokenizer.ggml.*_token_id; -1 = absent (the family's default is used) */
    int64_t bos_id, eos_id, unk_id, sep_id, pad_id, eot_id, eom_id;
    int64_t fim_id[6];              /* fim pre, suf, mid, pad, rep, sep */
    /* tokenizer.ggml.add_bos_token / add_eos_token / add_space_prefix: -1 = absent */
    int add_bos, add_eos, add_space_prefix;
} vers_vocab_desc;

/* Sets every field of d to "absent". */
void vers_vocab_desc_init(vers_vocab_desc *d);

/* Builds a tokenizer from arrays (copied: the caller's arrays may go away after). */
int vers_tokenizer_from_arrays(const vers_vocab_desc *d, vers_tokenizer **out, vers_err *err);
/* Builds a tokenizer from a GGUF file's tokenizer.ggml.* keys (copied: g may be closed after). */
int vers_tokenizer_from_gguf(const struct gguf_file *g, vers_tokenizer **out, vers_err *err);
/* Opens a GGUF file, reads its tokenizer, closes it. */
int vers_tokenizer_load(const char *path, vers_tokenizer **out, vers_err *err);
void vers_tokenizer_free(vers_tokenizer *t);

/* Tokenizes text[0..len) (any bytes; invalid UTF-8 is handled as llama.cpp does).
 * add_special: add BOS (and EOS) where the model asks for it (add_bos_token /
 * add_eos_token), as llama.cpp's add_special.  parse_special: special-token text in the
 * input becomes that token; otherwise it is plain text.  On success *ids is a malloc'd
 * array of *n_ids ids (free() it; NULL when *n_ids == 0). */
int vers_tokenize(const vers_tokenizer *t, const char *text, size_t len, int add_special,
                  int parse_special, int32_t **ids, size_t *n_ids, vers_err *err);

/* Facts about the vocabulary. */
uint32_t vers_tokenizer_n_vocab(const vers_tokenizer *t);
const char *vers_tokenizer_model(const vers_tokenizer *t);   /* "llama" or "gpt2" */
const char *vers_tokenizer_pre(const vers_tokenizer *t);     /* pre-tokenizer name used */
int32_t vers_token_bos(const vers_tokenizer *t);             /* -1 when none */
int32_t vers_token_eos(const vers_tokenizer *t);
int32_t vers_token_unk(const vers_tokenizer *t);
int32_t vers_token_pad(const vers_tokenizer *t);
int32_t vers_token_eot(const vers_tokenizer *t);
int vers_tokenizer_adds_bos(const vers_tokenizer *t);        /* add_bos_token in effect */
int vers_tokenizer_adds_space_prefix(const vers_tokenizer *t);
/* End of generation: eos, eot, eom and the tokens llama.cpp treats as such by name. */
int vers_token_is_eog(const vers_tokenizer *t, int32_t id);
int vers_token_type(const vers_tokenizer *t, int32_t id);    /* VERS_TOKEN_*; -1 bad id */
/* The token's text as the vocabulary spells it ("▁the", "Ġthe", "<0x0A>"); NULL bad id. */
const char *vers_token_text(const vers_tokenizer *t, int32_t id, size_t *len);
/* Id of the token whose vocabulary text is exactly text[0..len), or -1. */
int32_t vers_token_find(const vers_tokenizer *t, const char *text, size_t len);
/* Id of the special (CONTROL / USER_DEFINED) token spelled by the C string text,
 * e.g. "<fr>", or -1 when the vocabulary has no such special token. */
int32_t vers_token_special(const vers_tokenizer *t, const char *text);

/* The bytes a token decodes to (llama.cpp's token_to_piece): "▁" becomes a space,
 * <0xHH> the byte HH, GPT-2 characters their bytes.  special = 0: control and unknown
 * tokens decode to nothing.  The bytes may be an incomplete UTF-8 character.  Never
 * NULL for a valid id (NULL with *len = 0 for a bad one); not NUL-terminated. */
const char *vers_token_piece(const vers_tokenizer *t, int32_t id, int special, size_t *len);
/* Longest piece of any token (bytes). */
size_t vers_tokenizer_max_piece(const vers_tokenizer *t);

/* Decodes a whole id sequence to a malloc'd NUL-terminated string (*len bytes without
 * the NUL).  flags: VERS_DETOK_SPECIAL renders control tokens' text;
 * VERS_DETOK_STRIP_SPACE removes the one leading space the llama tokenizer's dummy
 * prefix adds to the first text piece (after BOS), so that decode(tokenize(s)) == s. */
enum { VERS_DETOK_SPECIAL = 1, VERS_DETOK_STRIP_SPACE = 2 };
int vers_detokenize(const vers_tokenizer *t, const int32_t *ids, size_t n, int flags,
                    char **out, size_t *len, vers_err *err);

/* Streaming decoder: feed ids one at a time; each call returns the bytes that are now
 * complete UTF-8 characters and holds back the first bytes of a character whose rest
 * has not come yet.  Bytes that can never form a character (stray continuation bytes,
 * a lead byte followed by a non-continuation) are passed through as they are, so the
 * concatenation of all outputs plus vers_detok_flush is exactly the bytes of the pieces.
 * raw_piece (optional): the token's own piece bytes, for callers who need them. */
typedef struct vers_detok {
    const vers_tokenizer *t;
    int flags;            /* VERS_DETOK_* */
    int started;          /* a text piece has been produced (for STRIP_SPACE) */
    uint8_t pend[4];      /* held-back bytes of an incomplete character */
    size_t n_pend;
    char *buf;            /* output buffer, valid until the next call */
    size_t cap;
} vers_detok;
int vers_detok_init(vers_detok *d, const vers_tokenizer *t, int flags, vers_err *err);
void vers_detok_free(vers_detok *d);
void vers_detok_reset(vers_detok *d);
/* Returns the complete bytes (*len of them; not NUL-terminated), or NULL with *len = 0
 * for a bad id.  raw/raw_len, when not NULL, receive the token's own piece. */
const char *vers_detok_feed(vers_detok *d, int32_t id, size_t *len,
                            const char **raw, size_t *raw_len);
/* Returns the held-back bytes (an incomplete character at the end of the stream). */
const char *vers_detok_flush(vers_detok *d, size_t *len);
#endif
