/* src/engine/tokenizer.c — the vocabulary side of the tokenizers: building a tokenizer from
 * arrays or GGUF metadata (hash tables for token texts and merges), llama.cpp's rules for
 * special tokens (defaults, detection by name, the partition of the input around special
 * token text), token pieces, whole and streaming decoding.  The two algorithms live in
 * tokenizer_spm.c and tokenizer_bpe.c.  Reference: llama.cpp b4747, src/llama-vocab.cpp. */
#include "tokenizer_internal.h"
#include "unicode.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

/* ---------- small helpers ---------- */

int vtok_push(vtok_ids *a, int32_t id) {
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        int32_t *v = realloc(a->v, cap * sizeof *v);
        if (!v) return VERS_ENOMEM;
        a->v = v; a->cap = cap;
    }
    a->v[a->n++] = id;
    return VERS_OK;
}

uint64_t vtok_hash_bytes(const void *p, size_t n, uint64_t h) {
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++) { h ^= s[i]; h *= 1099511628211ull; }
    return h;
}

static uint64_t pair_hash(const char *l, size_t ln, const char *r, size_t rn) {
    uint64_t h = vtok_hash_bytes(l, ln, VTOK_HASH_SEED);
    h ^= 0xff; h *= 1099511628211ull;               /* a separator: ("ab","c") != ("a","bc") */
    return vtok_hash_bytes(r, rn, h);
}

/* A slot holds the high half of the key's hash (to skip most mismatches without touching
 * the text) and the entry's index + 1. */
#define SLOT_TAG(h) ((h) >> 32 << 32)
#define SLOT_IDX(e) ((uint32_t)(e) - 1)

int32_t vtok_find(const struct vers_tokenizer *t, const char *s, size_t n) {
    uint64_t h = vtok_hash_bytes(s, n, VTOK_HASH_SEED), i = h & t->hash_mask;
    for (;;) {
        uint64_t e = t->hash[i];
        if (!e) return -1;
        uint32_t id = SLOT_IDX(e);
        if (SLOT_TAG(e) == SLOT_TAG(h) && t->text_len[id] == n &&
            !memcmp(t->text + t->text_off[id], s, n)) return (int32_t)id;
        i = (i + 1) & t->hash_mask;
    }
}

int32_t vtok_merge_rank(const struct vers_tokenizer *t, const char *l, size_t ln,
                        const char *r, size_t rn) {
    if (!t->n_merges) return -1;
    uint64_t h = pair_hash(l, ln, r, rn), i = h & t->mhash_mask;
    for (;;) {
        uint64_t e = t->mhash[i];
        if (!e) return -1;
        uint32_t k = SLOT_IDX(e);
        const char *m = t->mtext + t->m_off[k];
        if (SLOT_TAG(e) == SLOT_TAG(h) && t->m_llen[k] == ln && t->m_rlen[k] == rn && !memcmp(m, l, ln) &&
            !memcmp(m + ln + 1, r, rn))
            return t->m_rank[k];
        i = (i + 1) & t->mhash_mask;
    }
}

static uint64_t table_size(uint64_t n) {   /* power of two >= 2n, at least 16 */
    uint64_t s = 16;
    while (s < 2 * n) s <<= 1;
    return s;
}

static int is_ascii_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

void vers_vocab_desc_init(vers_vocab_desc *d) {
    memset(d, 0, sizeof *d);
    d->bos_id = d->eos_id = d->unk_id = d->sep_id = d->pad_id = d->eot_id = d->eom_id = -1;
    for (int i = 0; i < 6; i++) d->fim_id[i] = -1;
    d->add_bos = d->add_eos = d->add_space_prefix = -1;
}

void vers_tokenizer_free(vers_tokenizer *t) {
    if (!t) return;
    free(t->text); free(t->text_off); free(t->text_len); free(t->score);
    free(t->ttype); free(t->tflags); free(t->hash);
    free(t->mtext); free(t->m_off); free(t->m_llen); free(t->m_rlen); free(t->m_rank);
    free(t->mhash); free(t->special);
    free(t->piece); free(t->piece_off); free(t->piece_len);
    free(t);
}

/* ---------- pre-tokenizer names (llama.cpp llama_vocab::impl::load) ---------- */

static const struct { const char *name; int pre; int llama3; } PRE_NAMES[] = {
    { "default", VTOK_PRE_DEFAULT, 0 },
    { "llama3", VTOK_PRE_LLAMA3, 1 }, { "llama-v3", VTOK_PRE_LLAMA3, 1 },
    { "llama-bpe", VTOK_PRE_LLAMA3, 1 }, { "falcon3", VTOK_PRE_LLAMA3, 1 },
    { "dbrx", VTOK_PRE_LLAMA3, 0 }, { "smaug-bpe", VTOK_PRE_LLAMA3, 0 },
    { "gpt-2", VTOK_PRE_GPT2, 0 }, { "phi-2", VTOK_PRE_GPT2, 0 },
    { "jina-es", VTOK_PRE_GPT2, 0 }, { "jina-de", VTOK_PRE_GPT2, 0 },
    { "gigachat", VTOK_PRE_GPT2, 0 }, { "jina-v2-es", VTOK_PRE_GPT2, 0 },
    { "jina-v2-de", VTOK_PRE_GPT2, 0 }, { "mpt", VTOK_PRE_GPT2, 0 },
    { "olmo", VTOK_PRE_GPT2, 0 }, { "jais", VTOK_PRE_GPT2, 0 },
    { "qwen2", VTOK_PRE_QWEN2, 0 }, { "deepseek-r1-qwen", VTOK_PRE_QWEN2, 0 },
    { "stablelm2", VTOK_PRE_QWEN2, 0 }, { "megrez", VTOK_PRE_QWEN2, 0 },
    { "starcoder", VTOK_PRE_STARCODER, 0 }, { "refact", VTOK_PRE_STARCODER, 0 },
    { "command-r", VTOK_PRE_STARCODER, 0 }, { "smollm", VTOK_PRE_STARCODER, 0 },
    { "codeshell", VTOK_PRE_STARCODER, 0 }, { "exaone", VTOK_PRE_STARCODER, 0 },
    { "minerva-7b", VTOK_PRE_STARCODER, 0 },
};

/* ---------- special-token detection by name (llama.cpp b4747) ---------- */

static const char *const EOT_NAMES[] = { "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
    "<|endoftext|>", "<EOT>", "<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>", NULL };
static const char *const EOM_NAMES[] = { "<|eom_id|>", NULL };
static const char *const FIM_NAMES[6][5] = {
    { "<|fim_prefix|>", "<fim-prefix>", "<\xef\xbd\x9c" "fim\xe2\x96\x81" "begin\xef\xbd\x9c>", "<PRE>", NULL },
    { "<|fim_suffix|>", "<fim-suffix>", "<\xef\xbd\x9c" "fim\xe2\x96\x81" "hole\xef\xbd\x9c>", "<SUF>", NULL },
    { "<|fim_middle|>", "<fim-middle>", "<\xef\xbd\x9c" "fim\xe2\x96\x81" "end\xef\xbd\x9c>", "<MID>", NULL },
    { "<|fim_pad|>", "<fim-pad>", "<PAD>", NULL, NULL },
    { "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", NULL },
    { "<|file_sep|>", NULL, NULL, NULL, NULL },
};
static const char *const EOG_NAMES[] = { "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
    "<|endoftext|>", "<|eom_id|>", "<EOT>", NULL };

/* Lowest id among the tokens named in names, or -1.  (llama.cpp walks an unordered_map,
 * so with several candidates its choice depends on hashing; we take the lowest id.) */
static int32_t find_by_names(const vers_tokenizer *t, const char *const *names) {
    int32_t best = -1;
    for (int i = 0; names[i]; i++) {
        int32_t id = vtok_find(t, names[i], strlen(names[i]));
        if (id >= 0 && (best < 0 || id < best)) best = id;
    }
    return best;
}

/* An id from the file: -1 absent; out of range: warned away by llama.cpp, keep default. */
static int32_t pick_id(int64_t from_file, int32_t dflt, uint32_t n) {
    if (dflt >= 0 && (uint32_t)dflt >= n) dflt = -1;
    if (from_file < 0) return dflt;
    if ((uint64_t)from_file >= n) return dflt;
    return (int32_t)from_file;
}

/* ---------- pieces ---------- */

static uint8_t hexval(char c) {
    if (c >= '0' && c <= '9') return (uint8_t)(c - '0');
    if (c >= 'a' && c <= 'f') return (uint8_t)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (uint8_t)(c - 'A' + 10);
    return 0xff;
}

/* Byte of a <0xHH> token: llama.cpp reads strtol(text.substr(3, 2), 16). */
static int byte_token_value(const char *s, size_t n) {
    if (n < 3) return -1;
    int v = 0, digits = 0;
    for (size_t i = 3; i < n && i < 5; i++) {
        uint8_t h = hexval(s[i]);
        if (h == 0xff) break;
        v = v * 16 + h; digits++;
    }
    return digits ? v : 0;
}

/* Appends to buf (grown as needed) the decoded piece of token id; returns VERS_OK/ENOMEM. */
typedef struct { char *p; size_t n, cap; } vbuf;
static int vbuf_add(vbuf *b, const void *s, size_t n) {
    if (n > SIZE_MAX / 2 - b->n) return VERS_ENOMEM;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return VERS_ENOMEM;
        b->p = p; b->cap = cap;
    }
    if (n && s) memcpy(b->p + b->n, s, n);
    b->n += n;
    return VERS_OK;
}

static int piece_of(const vers_tokenizer *t, uint32_t id, vbuf *b) {
    const char *s = t->text + t->text_off[id];
    size_t n = t->text_len[id];
    switch (t->ttype[id]) {
    case VERS_TOKEN_CONTROL: case VERS_TOKEN_UNKNOWN: case VERS_TOKEN_USER_DEFINED:
        return vbuf_add(b, s, n);
    case VERS_TOKEN_BYTE: {
        int v = byte_token_value(s, n);
        if (v < 0) return VERS_OK;
        uint8_t c = (uint8_t)v;
        return vbuf_add(b, &c, 1);
    }
    case VERS_TOKEN_NORMAL:
        if (vbuf_add(b, NULL, n)) return VERS_ENOMEM;   /* room: a piece is never longer */
        b->n -= n;
        if (t->type == VTOK_SPM) {          /* U+2581 -> ' ' */
            for (size_t i = 0; i < n;) {
                if (i + 3 <= n && !memcmp(s + i, "\xe2\x96\x81", 3)) {
                    b->p[b->n++] = ' ';
                    i += 3;
                } else {
                    b->p[b->n++] = s[i++];
                }
            }
            return VERS_OK;
        } else {                            /* GPT-2 characters -> bytes */
            for (size_t i = 0; i < n;) {
                uint32_t cp = vu_decode((const uint8_t *)s, n, &i);
                int byte = vu_cp_to_byte(cp);
                if (byte >= 0 && b->n < b->cap) {
                    b->p[b->n++] = (char)byte;
                } else if (byte >= 0) {
                    uint8_t c = (uint8_t)byte;
                    if (vbuf_add(b, &c, 1)) return VERS_ENOMEM;
                } else {                    /* llama_decode_text's marker, as it writes it */
                    uint8_t u[4]; size_t k = vu_encode(cp, u);
                    char hex[16];
                    if (vbuf_add(b, "[UNK_BYTE_0x", 12)) return VERS_ENOMEM;
                    for (size_t j = 0; j < k; j++) {
                        snprintf(hex, sizeof hex, "%02x", u[j]);
                        if (vbuf_add(b, hex, 2)) return VERS_ENOMEM;
                    }
                    if (vbuf_add(b, s, n) || vbuf_add(b, "]", 1)) return VERS_ENOMEM;
                }
            }
            return VERS_OK;
        }
    default:                                /* UNDEFINED, UNUSED: nothing */
        return VERS_OK;
    }
}

/* ---------- construction ---------- */

static int cmp_special(const void *a, const void *b, void *ctx) {
    const vers_tokenizer *t = ctx;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    if (t->text_len[x] != t->text_len[y]) return t->text_len[x] > t->text_len[y] ? -1 : 1;
    return x < y ? -1 : x > y;               /* equal lengths: by id (llama.cpp: unspecified) */
}

static int contains_ci(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && (p[i] | 0x20) == needle[i]) i++;
        if (i == n) return 1;
    }
    return 0;
}

int vers_tokenizer_from_arrays(const vers_vocab_desc *d, vers_tokenizer **out, vers_err *err) {
    *out = NULL;
    if (!d || !d->model) return vers_errorf(err, VERS_EINVAL, "tokenizer: no tokenizer model given");
    vers_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return vers_errorf(err, VERS_ENOMEM, "tokenizer: out of memory");
    int rc = VERS_ENOMEM;
    const uint32_t n = d->n_tokens;

    if (!strcmp(d->model, "llama")) {
        t->type = VTOK_SPM; t->pre = VTOK_PRE_NONE;
        snprintf(t->model_name, sizeof t->model_name, "llama");
        snprintf(t->pre_name, sizeof t->pre_name, "default");
    } else if (!strcmp(d->model, "gpt2")) {
        t->type = VTOK_BPE;
        snprintf(t->model_name, sizeof t->model_name, "gpt2");
        const char *pre = d->pre && *d->pre ? d->pre : "default";
        t->pre = -1;
        for (size_t i = 0; i < sizeof PRE_NAMES / sizeof PRE_NAMES[0]; i++)
            if (!strcmp(pre, PRE_NAMES[i].name)) {
                t->pre = PRE_NAMES[i].pre;
                t->ignore_merges = PRE_NAMES[i].llama3;
                t->add_bos = PRE_NAMES[i].llama3;   /* llama3 family: add_bos default true */
            }
        if (t->pre < 0) {
            rc = vers_errorf(err, VERS_EUNSUPPORTED, "tokenizer: pre-tokenizer '%.60s' is not supported", pre);
            goto fail;
        }
        snprintf(t->pre_name, sizeof t->pre_name, "%s", pre);
    } else {
        rc = vers_errorf(err, VERS_EUNSUPPORTED, "tokenizer: tokenizer model '%.40s' is not supported (llama, gpt2)", d->model);
        goto fail;
    }
    if (n == 0 || !d->tokens) { rc = vers_errorf(err, VERS_EFORMAT, "tokenizer: the vocabulary is empty"); goto fail; }
    if (n > (1u << 30)) { rc = vers_errorf(err, VERS_EFORMAT, "tokenizer: %u tokens is too many", n); goto fail; }
    t->n_tokens = n;

    /* token texts: one arena; an empty text becomes "[EMPTY_<id>]" as in llama.cpp */
    t->text_off = malloc(n * sizeof *t->text_off);
    t->text_len = malloc(n * sizeof *t->text_len);
    t->score = malloc(n * sizeof *t->score);
    t->ttype = malloc(n);
    t->tflags = calloc(n, 1);
    if (!t->text_off || !t->text_len || !t->score || !t->ttype || !t->tflags) goto nomem;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = d->tokens[i] ? (d->token_lens ? d->token_lens[i] : strlen(d->tokens[i])) : 0;
        if (len == 0) len = 32;   /* room for [EMPTY_n] */
        if (len > 0x3fffffff) { rc = vers_errorf(err, VERS_EFORMAT, "tokenizer: token %u is too long", i); goto fail; }
        total += len + 1;
    }
    if (total > SIZE_MAX / 2) goto nomem;
    t->text = malloc((size_t)total);
    if (!t->text) goto nomem;
    uint64_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = d->tokens[i] ? (d->token_lens ? d->token_lens[i] : strlen(d->tokens[i])) : 0;
        t->text_off[i] = off;
        if (len == 0) {
            len = (size_t)snprintf(t->text + off, 32, "[EMPTY_%u]", i);
        } else {
            memcpy(t->text + off, d->tokens[i], len);
            t->text[off + len] = 0;
        }
        t->text_len[i] = (uint32_t)len;
        off += len + 1;
        float sc = d->scores ? d->scores[i] : 0.0f;
        t->score[i] = sc;
        int ty = d->types ? d->types[i] : VERS_TOKEN_NORMAL;
        t->ttype[i] = (uint8_t)(ty >= 0 && ty <= VERS_TOKEN_BYTE ? ty : VERS_TOKEN_UNDEFINED);
    }

    /* text -> id; llama.cpp refuses a vocabulary with a duplicate text */
    t->hash_mask = table_size(n) - 1;
    t->hash = calloc(t->hash_mask + 1, sizeof *t->hash);
    if (!t->hash) goto nomem;
    /* hashes first, then inserts with the slot a few entries ahead prefetched: the table
     * is larger than the cache and these misses were most of the load time */
    uint64_t *hvs = malloc((size_t)n * sizeof *hvs);
    if (!hvs) goto nomem;
    for (uint32_t i = 0; i < n; i++)
        hvs[i] = vtok_hash_bytes(t->text + t->text_off[i], t->text_len[i], VTOK_HASH_SEED);
    for (uint32_t i = 0; i < n; i++) {
        const char *s = t->text + t->text_off[i];
        size_t len = t->text_len[i];
        if (i + 16 < n) __builtin_prefetch(&t->hash[hvs[i + 16] & t->hash_mask], 1);
        uint64_t hv = hvs[i], h = hv & t->hash_mask;
        for (;;) {
            uint64_t e = t->hash[h];
            if (!e) { t->hash[h] = SLOT_TAG(hv) | (i + 1); break; }
            uint32_t o = SLOT_IDX(e);
            if (SLOT_TAG(e) == SLOT_TAG(hv) && t->text_len[o] == len && !memcmp(t->text + t->text_off[o], s, len)) {
                rc = vers_errorf(err, VERS_EFORMAT, "tokenizer: duplicate token text at ids %u and %u", o, i);
                free(hvs);
                goto fail;
            }
            h = (h + 1) & t->hash_mask;
        }
    }
    free(hvs);

    /* merges: "left right" split at the first space after the first byte; the first
     * occurrence of a pair keeps its rank (std::unordered_map::emplace) */
    if (t->type == VTOK_BPE) {
        if (!d->merges && d->n_merges) { rc = vers_errorf(err, VERS_EFORMAT, "tokenizer: merges missing"); goto fail; }
        uint32_t nm = d->n_merges;
        uint64_t mtotal = 0;
        for (uint32_t i = 0; i < nm; i++) {
            size_t len = d->merges[i] ? (d->merge_lens ? d->merge_lens[i] : strlen(d->merges[i])) : 0;
            if (len > 0x3fffffff) { rc = vers_errorf(err, VERS_EFORMAT, "tokenizer: merge %u is too long", i); goto fail; }
            mtotal += len + 1;
        }
        if (mtotal > SIZE_MAX / 2) goto nomem;
        if (nm) {
            t->mtext = malloc((size_t)mtotal);
            t->m_off = malloc(nm * sizeof *t->m_off);
            t->m_llen = malloc(nm * sizeof *t->m_llen);
            t->m_rlen = malloc(nm * sizeof *t->m_rlen);
            t->m_rank = malloc(nm * sizeof *t->m_rank);
            t->mhash_mask = table_size(nm) - 1;
            t->mhash = calloc(t->mhash_mask + 1, sizeof *t->mhash);
            if (!t->mtext || !t->m_off || !t->m_llen || !t->m_rlen || !t->m_rank || !t->mhash) goto nomem;
        }
        uint64_t moff = 0;
        uint32_t k = 0;
        uint64_t *mh = nm ? malloc((size_t)nm * sizeof *mh) : NULL;
        uint32_t *msplit = nm ? malloc((size_t)nm * sizeof *msplit) : NULL;
        if (nm && (!mh || !msplit)) { free(mh); free(msplit); goto nomem; }
        for (uint32_t i = 0; i < nm; i++) {
            const char *s = d->merges[i];
            size_t len = s ? (d->merge_lens ? d->merge_lens[i] : strlen(s)) : 0;
            const char *sp = len > 1 ? memchr(s + 1, ' ', len - 1) : NULL;
            /* no space: llama.cpp keeps ("", ""), and "x ": ("x", ""); no symbol is empty */
            if (!sp || (size_t)(sp - s) + 1 == len) { msplit[i] = UINT32_MAX; mh[i] = 0; continue; }
            msplit[i] = (uint32_t)(sp - s);
            mh[i] = pair_hash(s, msplit[i], sp + 1, len - msplit[i] - 1);
        }
        for (uint32_t i = 0; i < nm; i++) {
            if (i + 16 < nm) __builtin_prefetch(&t->mhash[mh[i + 16] & t->mhash_mask], 1);
            if (msplit[i] == UINT32_MAX) continue;
            const char *s = d->merges[i];
            size_t len = d->merge_lens ? d->merge_lens[i] : strlen(s);
            const char *sp = s + msplit[i];
            size_t ln = msplit[i], rn = len - ln - 1;
            uint64_t hv = mh[i], h = hv & t->mhash_mask;
            int dup = 0;
            for (;;) {
                uint64_t e = t->mhash[h];
                if (!e) break;
                uint32_t o = SLOT_IDX(e);
                const char *m = t->mtext + t->m_off[o];
                if (SLOT_TAG(e) == SLOT_TAG(hv) && t->m_llen[o] == ln && t->m_rlen[o] == rn && !memcmp(m, s, ln) &&
                    !memcmp(m + ln + 1, sp + 1, rn)) { dup = 1; break; }
                h = (h + 1) & t->mhash_mask;
            }
            if (dup) continue;
            memcpy(t->mtext + moff, s, len);
            t->mtext[moff + ln] = 0;
            t->mtext[moff + len] = 0;
            t->m_off[k] = moff; t->m_llen[k] = (uint32_t)ln; t->m_rlen[k] = (uint32_t)rn;
            t->m_rank[k] = (int32_t)i;
            t->mhash[h] = SLOT_TAG(hv) | (k + 1);
            moff += len + 1;
            k++;
        }
        free(mh); free(msplit);
        t->n_merges = k;
    }

    /* flags and special ids (llama.cpp: defaults per family, then the file's keys) */
    if (t->type == VTOK_SPM) {
        t->add_space_prefix = 1; t->add_bos = 1; t->add_eos = 0;
        t->bos = pick_id(d->bos_id, 1, n); t->eos = pick_id(d->eos_id, 2, n);
        t->unk = pick_id(d->unk_id, 0, n);
    } else {
        t->add_space_prefix = 0; t->add_eos = 0;
        t->bos = pick_id(d->bos_id, 11, n); t->eos = pick_id(d->eos_id, 11, n);
        t->unk = pick_id(d->unk_id, -1, n);
    }
    t->sep = pick_id(d->sep_id, -1, n); t->pad = pick_id(d->pad_id, -1, n);
    t->eot = pick_id(d->eot_id, -1, n); t->eom = pick_id(d->eom_id, -1, n);
    int32_t fim[6];
    for (int i = 0; i < 6; i++) fim[i] = pick_id(d->fim_id[i], -1, n);
    if (d->add_space_prefix >= 0) t->add_space_prefix = d->add_space_prefix != 0;
    if (d->add_bos >= 0) t->add_bos = d->add_bos != 0;
    if (d->add_eos >= 0) t->add_eos = d->add_eos != 0;

    /* tokens found by name are made CONTROL (llama.cpp's "auto-detect special tokens") */
    if (t->eot < 0 && (t->eot = find_by_names(t, EOT_NAMES)) >= 0) t->ttype[t->eot] = VERS_TOKEN_CONTROL;
    if (t->eom < 0 && (t->eom = find_by_names(t, EOM_NAMES)) >= 0) t->ttype[t->eom] = VERS_TOKEN_CONTROL;
    for (int i = 0; i < 6; i++)
        if (fim[i] < 0 && (fim[i] = find_by_names(t, FIM_NAMES[i])) >= 0) t->ttype[fim[i]] = VERS_TOKEN_CONTROL;
    for (int i = 3; i < 6; i++) if (fim[i] >= 0) t->tflags[fim[i]] |= VTOK_F_EOG;
    for (int i = 0; EOG_NAMES[i]; i++) {
        int32_t id = vtok_find(t, EOG_NAMES[i], strlen(EOG_NAMES[i]));
        if (id >= 0) { t->tflags[id] |= VTOK_F_EOG; t->ttype[id] = VERS_TOKEN_CONTROL; }
    }
    if (t->eos >= 0) t->tflags[t->eos] |= VTOK_F_EOG;
    if (t->eot >= 0) t->tflags[t->eot] |= VTOK_F_EOG;
    if (t->eom >= 0) t->tflags[t->eom] |= VTOK_F_EOG;

    /* special tokens, longest text first */
    uint32_t ns = 0;
    for (uint32_t i = 0; i < n; i++) {
        int ty = t->ttype[i];
        ns += ty == VERS_TOKEN_CONTROL || ty == VERS_TOKEN_USER_DEFINED || ty == VERS_TOKEN_UNKNOWN;
    }
    if (ns) {
        t->special = malloc(ns * sizeof *t->special);
        if (!t->special) goto nomem;
        for (uint32_t i = 0, k = 0; i < n; i++) {
            int ty = t->ttype[i];
            if (ty == VERS_TOKEN_CONTROL || ty == VERS_TOKEN_USER_DEFINED || ty == VERS_TOKEN_UNKNOWN)
                t->special[k++] = (int32_t)i;
        }
        qsort_r(t->special, ns, sizeof *t->special, cmp_special, t);
    }
    t->n_special = ns;

    /* decoded pieces of every token (control tokens rendered) */
    {
        vbuf b = { 0 };
        t->piece_off = malloc(n * sizeof *t->piece_off);
        t->piece_len = malloc(n * sizeof *t->piece_len);
        if (!t->piece_off || !t->piece_len) goto nomem;
        for (uint32_t i = 0; i < n; i++) {
            size_t before = b.n;
            if (piece_of(t, i, &b)) { free(b.p); goto nomem; }
            t->piece_off[i] = before;
            t->piece_len[i] = (uint32_t)(b.n - before);
            if (b.n - before > t->max_piece) t->max_piece = b.n - before;
        }
        if (!b.p && !(b.p = malloc(1))) goto nomem;
        t->piece = b.p;
    }

    /* phi-3: special tokens eat the white space that follows them (llama.cpp's rule by name) */
    if (d->name && (contains_ci(d->name, "phi-3") || contains_ci(d->name, "phi3"))) {
        for (uint32_t i = 0; i < ns; i++) t->tflags[t->special[i]] |= VTOK_F_RSTRIP;
        static const char *const on[] = { "</s>" }, *const off[] = { "<unk>", "<s>", "<|endoftext|>" };
        int32_t id = vtok_find(t, on[0], strlen(on[0]));
        if (id >= 0) t->tflags[id] |= VTOK_F_RSTRIP;
        for (int i = 0; i < 3; i++)
            if ((id = vtok_find(t, off[i], strlen(off[i]))) >= 0) t->tflags[id] &= (uint8_t)~VTOK_F_RSTRIP;
    }

    /* SPM byte fallback: <0xHH>, else the one-byte token; BPE: GPT-2 characters */
    for (int b = 0; b < 256; b++) {
        uint8_t u[4];
        t->byte_enc_len[b] = (uint8_t)vu_encode(vu_byte_to_cp((uint8_t)b), u);
        memcpy(t->byte_enc[b], u, 2);
        t->byte_tok[b] = -1;
        if (t->type != VTOK_SPM) continue;
        char buf[8];
        snprintf(buf, sizeof buf, "<0x%02X>", b);
        int32_t id = vtok_find(t, buf, 6);
        if (id < 0) { char c = (char)b; id = vtok_find(t, &c, 1); }
        t->byte_tok[b] = id;
    }

    *out = t;
    return VERS_OK;
nomem:
    rc = vers_errorf(err, VERS_ENOMEM, "tokenizer: out of memory");
fail:
    vers_tokenizer_free(t);
    return rc;
}

/* ---------- tokenize ---------- */

typedef struct { int32_t tok; size_t off, len; } frag;   /* tok < 0: raw text */
typedef struct { frag *v; size_t n, cap; } frags;

static int frag_push(frags *f, int32_t tok, size_t off, size_t len) {
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        frag *v = realloc(f->v, cap * sizeof *v);
        if (!v) return VERS_ENOMEM;
        f->v = v; f->cap = cap;
    }
    f->v[f->n++] = (frag){ tok, off, len };
    return VERS_OK;
}

/* llama.cpp's tokenizer_st_partition: for each special token, longest first, split every
 * raw fragment around its occurrences. */
static int partition(const vers_tokenizer *t, const char *text, size_t len, int parse_special,
                     frags *cur) {
    frags nxt = { 0 };
    if (len && frag_push(cur, -1, 0, len)) return VERS_ENOMEM;
    for (uint32_t si = 0; si < t->n_special; si++) {
        int32_t id = t->special[si];
        int ty = t->ttype[id];
        if (!parse_special && (ty == VERS_TOKEN_CONTROL || ty == VERS_TOKEN_UNKNOWN)) continue;
        const char *st = t->text + t->text_off[id];
        size_t sl = t->text_len[id];
        int found = 0;
        for (size_t k = 0; k < cur->n && !found; k++)
            if (cur->v[k].tok < 0 && cur->v[k].len >= sl &&
                memmem(text + cur->v[k].off, cur->v[k].len, st, sl)) found = 1;
        if (!found) continue;
        nxt.n = 0;
        for (size_t k = 0; k < cur->n; k++) {
            frag f = cur->v[k];
            if (f.tok >= 0) { if (frag_push(&nxt, f.tok, 0, 0)) goto nomem; continue; }
            size_t pos = f.off, end = f.off + f.len;
            for (;;) {
                const char *m = end - pos >= sl ? memmem(text + pos, end - pos, st, sl) : NULL;
                if (!m) break;
                size_t mpos = (size_t)(m - text), llen = mpos - pos;
                if (t->tflags[id] & VTOK_F_LSTRIP)
                    while (llen > 0 && is_ascii_space((unsigned char)text[pos + llen - 1])) llen--;
                if (llen && frag_push(&nxt, -1, pos, llen)) goto nomem;
                if (frag_push(&nxt, id, 0, 0)) goto nomem;
                pos = mpos + sl;
                if (pos >= end) break;
                if (t->tflags[id] & VTOK_F_RSTRIP)
                    while (pos < end && is_ascii_space((unsigned char)text[pos])) pos++;
            }
            if (pos < end && frag_push(&nxt, -1, pos, end - pos)) goto nomem;
        }
        frags tmp = *cur; *cur = nxt; nxt = tmp;
    }
    free(nxt.v);
    return VERS_OK;
nomem:
    free(nxt.v);
    return VERS_ENOMEM;
}

int vers_tokenize(const vers_tokenizer *t, const char *text, size_t len, int add_special,
                  int parse_special, int32_t **ids, size_t *n_ids, vers_err *err) {
    *ids = NULL; *n_ids = 0;
    if (!t || (!text && len)) return vers_errorf(err, VERS_EINVAL, "tokenize: bad arguments");
    frags fr = { 0 };
    vtok_ids out = { 0 };
    char *buf = NULL;
    int rc = partition(t, text, len, parse_special, &fr);
    if (rc) goto done;
    if (add_special && t->add_bos && t->bos >= 0 && (rc = vtok_push(&out, t->bos))) goto done;
    int prev_special = 1;    /* SPM: a dummy-prefix space at the start and after special tokens */
    for (size_t k = 0; k < fr.n; k++) {
        frag f = fr.v[k];
        if (f.tok >= 0) {
            if ((rc = vtok_push(&out, f.tok))) goto done;
            prev_special = 1;
            continue;
        }
        if (t->type == VTOK_SPM) {
            /* (optional ' ') + text, every ' ' written as U+2581 (3 bytes) */
            if (f.len > (SIZE_MAX - 8) / 3) { rc = VERS_ENOMEM; goto done; }
            char *nb = realloc(buf, 3 * (f.len + 1));
            if (!nb) { rc = VERS_ENOMEM; goto done; }
            buf = nb;
            size_t m = 0;
            if (t->add_space_prefix && prev_special) { memcpy(buf, "\xe2\x96\x81", 3); m = 3; }
            for (size_t i = 0; i < f.len; i++) {
                char c = text[f.off + i];
                if (c == ' ') { memcpy(buf + m, "\xe2\x96\x81", 3); m += 3; }
                else buf[m++] = c;
            }
            rc = vtok_spm_tokenize(t, buf, m, &out);
        } else {
            rc = vtok_bpe_tokenize(t, text + f.off, f.len, &out);
        }
        if (rc) goto done;
        prev_special = 0;
    }
    if (add_special && t->add_eos && t->eos >= 0 && (rc = vtok_push(&out, t->eos))) goto done;
done:
    free(fr.v); free(buf);
    if (rc) {
        free(out.v);
        return vers_errorf(err, rc, "tokenize: %s", rc == VERS_ENOMEM ? "out of memory" : "failed");
    }
    *ids = out.v; *n_ids = out.n;
    return VERS_OK;
}

/* ---------- accessors ---------- */

uint32_t vers_tokenizer_n_vocab(const vers_tokenizer *t) { return t->n_tokens; }
const char *vers_tokenizer_model(const vers_tokenizer *t) { return t->model_name; }
const char *vers_tokenizer_pre(const vers_tokenizer *t) { return t->pre_name; }
int32_t vers_token_bos(const vers_tokenizer *t) { return t->bos; }
int32_t vers_token_eos(const vers_tokenizer *t) { return t->eos; }
int32_t vers_token_unk(const vers_tokenizer *t) { return t->unk; }
int32_t vers_token_pad(const vers_tokenizer *t) { return t->pad; }
int32_t vers_token_eot(const vers_tokenizer *t) { return t->eot; }
int vers_tokenizer_adds_bos(const vers_tokenizer *t) { return t->add_bos && t->bos >= 0; }
int vers_tokenizer_adds_space_prefix(const vers_tokenizer *t) { return t->add_space_prefix; }
size_t vers_tokenizer_max_piece(const vers_tokenizer *t) { return t->max_piece; }

int vers_token_is_eog(const vers_tokenizer *t, int32_t id) {
    return id >= 0 && (uint32_t)id < t->n_tokens && (t->tflags[id] & VTOK_F_EOG);
}
int vers_token_type(const vers_tokenizer *t, int32_t id) {
    return id >= 0 && (uint32_t)id < t->n_tokens ? t->ttype[id] : -1;
}
const char *vers_token_text(const vers_tokenizer *t, int32_t id, size_t *len) {
    if (id < 0 || (uint32_t)id >= t->n_tokens) { if (len) *len = 0; return NULL; }
    if (len) *len = t->text_len[id];
    return t->text + t->text_off[id];
}
int32_t vers_token_find(const vers_tokenizer *t, const char *text, size_t len) {
    return text ? vtok_find(t, text, len) : -1;
}
int32_t vers_token_special(const vers_tokenizer *t, const char *text) {
    if (!text) return -1;
    int32_t id = vtok_find(t, text, strlen(text));
    if (id < 0) return -1;
    int ty = t->ttype[id];
    return ty == VERS_TOKEN_CONTROL || ty == VERS_TOKEN_USER_DEFINED ? id : -1;
}

const char *vers_token_piece(const vers_tokenizer *t, int32_t id, int special, size_t *len) {
    if (id < 0 || (uint32_t)id >= t->n_tokens) { *len = 0; return NULL; }
    int ty = t->ttype[id];
    if (!special && (ty == VERS_TOKEN_CONTROL || ty == VERS_TOKEN_UNKNOWN)) {
        *len = 0;
        return t->piece + t->piece_off[id];
    }
    *len = t->piece_len[id];
    return t->piece + t->piece_off[id];
}

/* ---------- decoding ---------- */

static int is_special_type(int ty) {
    return ty == VERS_TOKEN_CONTROL || ty == VERS_TOKEN_USER_DEFINED || ty == VERS_TOKEN_UNKNOWN;
}

/* The piece to emit for id under the detok flags; updates *started (STRIP_SPACE state). */
static const char *emit_piece(const vers_tokenizer *t, int32_t id, int flags, int *started, size_t *len) {
    const char *p = vers_token_piece(t, id, flags & VERS_DETOK_SPECIAL, len);
    if (!p) return NULL;
    if (is_special_type(t->ttype[id])) { *started = 0; return p; }
    if ((flags & VERS_DETOK_STRIP_SPACE) && t->add_space_prefix && !*started && *len && p[0] == ' ') {
        p++; (*len)--;
    }
    *started = 1;
    return p;
}

int vers_detokenize(const vers_tokenizer *t, const int32_t *ids, size_t n, int flags,
                    char **out, size_t *len, vers_err *err) {
    vbuf b = { 0 };
    int started = 0;
    *out = NULL; *len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t pl;
        const char *p = emit_piece(t, ids[i], flags, &started, &pl);
        if (!p) { free(b.p); return vers_errorf(err, VERS_EINVAL, "detokenize: token id %d out of range", (int)ids[i]); }
        if (vbuf_add(&b, p, pl)) { free(b.p); return vers_errorf(err, VERS_ENOMEM, "detokenize: out of memory"); }
    }
    if (vbuf_add(&b, "", 1)) { free(b.p); return vers_errorf(err, VERS_ENOMEM, "detokenize: out of memory"); }
    *out = b.p; *len = b.n - 1;
    return VERS_OK;
}

int vers_detok_init(vers_detok *d, const vers_tokenizer *t, int flags, vers_err *err) {
    memset(d, 0, sizeof *d);
    d->t = t; d->flags = flags;
    d->cap = t->max_piece + 8;
    d->buf = malloc(d->cap);
    if (!d->buf) return vers_errorf(err, VERS_ENOMEM, "detokenize: out of memory");
    return VERS_OK;
}
void vers_detok_free(vers_detok *d) { free(d->buf); d->buf = NULL; }
void vers_detok_reset(vers_detok *d) { d->started = 0; d->n_pend = 0; }

/* Bytes a UTF-8 lead byte announces; 1 for ASCII, continuation bytes and 0xF8..0xFF. */
static size_t utf8_need(uint8_t c) {
    if (c >= 0xc0 && c <= 0xdf) return 2;
    if (c >= 0xe0 && c <= 0xef) return 3;
    if (c >= 0xf0 && c <= 0xf7) return 4;
    return 1;
}

const char *vers_detok_feed(vers_detok *d, int32_t id, size_t *len, const char **raw, size_t *raw_len) {
    size_t pl;
    const char *p = emit_piece(d->t, id, d->flags, &d->started, &pl);
    if (raw) *raw = p;
    if (raw_len) *raw_len = p ? pl : 0;
    if (!p) { *len = 0; return NULL; }
    size_t n = d->n_pend;
    memcpy(d->buf, d->pend, n);
    memcpy(d->buf + n, p, pl);
    n += pl;
    /* hold back a trailing lead byte whose continuation bytes have not all come yet */
    size_t keep = 0;
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        uint8_t c = (uint8_t)d->buf[n - back];
        if ((c & 0xc0) == 0x80) continue;             /* continuation: look further back */
        if (utf8_need(c) > back) keep = back;
        break;
    }
    d->n_pend = keep;
    memcpy(d->pend, d->buf + n - keep, keep);
    *len = n - keep;
    return d->buf;
}

const char *vers_detok_flush(vers_detok *d, size_t *len) {
    memcpy(d->buf, d->pend, d->n_pend);
    *len = d->n_pend;
    d->n_pend = 0;
    return d->buf;
}
