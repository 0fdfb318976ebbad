/* fuzz/fuzz_tokenizer.c — libFuzzer target for both tokenizers.
 *
 * Build and run (from the repository root):
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     fuzz/fuzz_tokenizer.c src/engine/tokenizer*.c src/engine/unicode*.c src/engine/gguf.c \
 *     src/engine/tensor.c src/util/err.c -lm -o build/fuzz_tokenizer
 *   nice build/fuzz_tokenizer -max_len=4096 fuzz/corpus/tokenizer
 *
 * Input: byte 0 chooses the vocabulary and the flags, the rest is the text.
 *   bits 0-2: vocabulary: 0 SPM (bytes, pieces, specials), 1-5 byte-level BPE with the
 *             pre-tokenizers gpt-2, llama-bpe, qwen2, default, smollm; 6-7 a vocabulary
 *             built from the input itself (lines before the first NUL are tokens and
 *             "a b" lines are merges; the text follows the NUL)
 *   bit 3: add_special, bit 4: parse_special.
 * Checks besides the sanitizers: every id is in range; for the fixed vocabularies decoding
 * gives the text back (valid UTF-8 without U+2581); streaming decoding equals whole decoding. */
#include "vers.h"
#include "engine/unicode.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vers_tokenizer *vocabs[6];

static vers_tokenizer *make_spm(void) {
    static const char *pieces[] = { "\xe2\x96\x81", "a", "b", "ab", ("\xe2\x96\x81" "a"), ("\xe2\x96\x81" "ab"),
        "c", "bc", "\xc3\xa9", "\xe2\x96\x81\xe2\x96\x81", "e", "es", ("\xe2\x96\x81" "es") };
    enum { NP = sizeof pieces / sizeof pieces[0], N = 3 + 256 + NP + 2 };
    static char bytes[256][8];
    const char *tok[N]; float sc[N]; int32_t ty[N];
    tok[0] = "<unk>"; tok[1] = "<s>"; tok[2] = "</s>";
    ty[0] = VERS_TOKEN_UNKNOWN; ty[1] = ty[2] = VERS_TOKEN_CONTROL;
    sc[0] = sc[1] = sc[2] = 0;
    for (int b = 0; b < 256; b++) {
        snprintf(bytes[b], sizeof bytes[b], "<0x%02X>", b);
        tok[3 + b] = bytes[b]; ty[3 + b] = VERS_TOKEN_BYTE; sc[3 + b] = 0;
    }
    for (int i = 0; i < NP; i++) { tok[259 + i] = pieces[i]; ty[259 + i] = VERS_TOKEN_NORMAL; sc[259 + i] = -(float)(i % 5); }
    tok[259 + NP] = "<fr>"; ty[259 + NP] = VERS_TOKEN_CONTROL; sc[259 + NP] = 0;
    tok[260 + NP] = "<sonnet>"; ty[260 + NP] = VERS_TOKEN_USER_DEFINED; sc[260 + NP] = 0;
    vers_vocab_desc d;
    vers_vocab_desc_init(&d);
    d.model = "llama"; d.n_tokens = N; d.tokens = tok; d.scores = sc; d.types = ty;
    vers_tokenizer *t = NULL;
    vers_err e;
    if (vers_tokenizer_from_arrays(&d, &t, &e)) { fprintf(stderr, "%s\n", e.msg); abort(); }
    return t;
}

static vers_tokenizer *make_bpe(const char *pre) {
    static char chars[256][4];
    static const char *extra[] = { "he", "ll", "llo", "hello", "\xc4\xa0h", "\xc4\xa0hello", "\xc4\xa0\xc4\xa0",
        "\xc3\x83\xc2\xa9", "12", "123", "<|endoftext|>", "<fr>", "<en>" };
    static const char *merges[] = { "h e", "l l", "ll o", "he llo", "\xc4\xa0 h", "\xc4\xa0h ello",
        "\xc4\xa0 hello", "\xc4\xa0 \xc4\xa0", "\xc3\x83 \xc2\xa9", "1 2", "12 3" };
    enum { NE = sizeof extra / sizeof extra[0], N = 256 + NE };
    const char *tok[N]; int32_t ty[N];
    for (int b = 0; b < 256; b++) {
        uint8_t u[4]; size_t l = vu_encode(vu_byte_to_cp((uint8_t)b), u);
        memcpy(chars[b], u, l); chars[b][l] = 0;
        tok[b] = chars[b]; ty[b] = VERS_TOKEN_NORMAL;
    }
    for (int i = 0; i < NE; i++) { tok[256 + i] = extra[i]; ty[256 + i] = i >= NE - 3 ? VERS_TOKEN_CONTROL : VERS_TOKEN_NORMAL; }
    vers_vocab_desc d;
    vers_vocab_desc_init(&d);
    d.model = "gpt2"; d.pre = pre; d.n_tokens = N; d.tokens = tok; d.types = ty;
    d.n_merges = sizeof merges / sizeof merges[0]; d.merges = merges;
    d.bos_id = d.eos_id = 256 + NE - 3;
    vers_tokenizer *t = NULL;
    vers_err e;
    if (vers_tokenizer_from_arrays(&d, &t, &e)) { fprintf(stderr, "%s\n", e.msg); abort(); }
    return t;
}

/* strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF) */
static int strict_utf8(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t k;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xc2 && c <= 0xdf) k = 2;
        else if (c >= 0xe0 && c <= 0xef) k = 3;
        else if (c >= 0xf0 && c <= 0xf4) k = 4;
        else return 0;
        if (i + k > n) return 0;
        for (size_t j = 1; j < k; j++) if ((s[i + j] & 0xc0) != 0x80) return 0;
        if (k == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0))) return 0;
        if (k == 4 && ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90))) return 0;
        i += k;
    }
    return 1;
}

static void check_decoding(const vers_tokenizer *t, const int32_t *ids, size_t n, int flags) {
    vers_err e;
    char *whole; size_t wl;
    if (vers_detokenize(t, ids, n, flags, &whole, &wl, &e)) abort();
    vers_detok d;
    if (vers_detok_init(&d, t, flags, &e)) abort();
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *p = vers_detok_feed(&d, ids[i], &len, NULL, NULL);
        if (!p || o + len > wl || memcmp(whole + o, p, len)) abort();
        o += len;
    }
    size_t fl;
    const char *p = vers_detok_flush(&d, &fl);
    if (o + fl != wl || memcmp(whole + o, p, fl)) abort();
    vers_detok_free(&d);
    free(whole);
}

/* A vocabulary from the fuzzer's bytes: NUL ends it; lines with a space are merges. */
static vers_tokenizer *vocab_from(const uint8_t *data, size_t size, int bpe, size_t *used) {
    const uint8_t *end = memchr(data, 0, size);
    size_t vl = end ? (size_t)(end - data) : size;
    *used = end ? vl + 1 : size;
    const char *tok[300], *mg[300]; size_t tl[300], ml[300]; int32_t ty[300]; float sc[300];
    uint32_t nt = 0, nm = 0;
    size_t i = 0;
    while (i < vl && nt < 300 && nm < 300) {
        const uint8_t *nl = memchr(data + i, '\n', vl - i);
        size_t l = nl ? (size_t)(nl - (data + i)) : vl - i;
        if (bpe && l > 2 && memchr(data + i + 1, ' ', l - 1)) { mg[nm] = (const char *)data + i; ml[nm++] = l; }
        else {
            tok[nt] = (const char *)data + i; tl[nt] = l;
            ty[nt] = l ? (data[i] % 7) : VERS_TOKEN_NORMAL;
            sc[nt] = l ? (float)(int8_t)data[i + l - 1] : 0.0f;
            nt++;
        }
        i += l + 1;
    }
    vers_vocab_desc d;
    vers_vocab_desc_init(&d);
    d.model = bpe ? "gpt2" : "llama";
    d.pre = bpe ? "qwen2" : NULL;
    d.n_tokens = nt; d.tokens = tok; d.token_lens = tl; d.types = ty; d.scores = sc;
    d.n_merges = nm; d.merges = mg; d.merge_lens = ml;
    d.bos_id = 1; d.eos_id = 2;
    vers_tokenizer *t = NULL;
    vers_err e;
    if (vers_tokenizer_from_arrays(&d, &t, &e)) return NULL;
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    if (!vocabs[0]) {
        vocabs[0] = make_spm();
        vocabs[1] = make_bpe("gpt-2"); vocabs[2] = make_bpe("llama-bpe");
        vocabs[3] = make_bpe("qwen2"); vocabs[4] = make_bpe(NULL); vocabs[5] = make_bpe("smollm");
    }
    unsigned mode = data[0] & 7, add = (data[0] >> 3) & 1, special = (data[0] >> 4) & 1;
    data++; size--;
    vers_tokenizer *own = NULL, *t;
    if (mode >= 6) {
        size_t used;
        own = vocab_from(data, size, mode == 7, &used);
        if (!own) return 0;
        data += used; size -= used;
        t = own;
    } else {
        t = vocabs[mode];
    }
    int32_t *ids; size_t n;
    vers_err e;
    if (vers_tokenize(t, (const char *)data, size, add, special, &ids, &n, &e)) abort();
    uint32_t nv = vers_tokenizer_n_vocab(t);
    for (size_t i = 0; i < n; i++) if (ids[i] < 0 || (uint32_t)ids[i] >= nv) abort();
    int flags = VERS_DETOK_STRIP_SPACE | (special ? VERS_DETOK_SPECIAL : 0);
    check_decoding(t, ids, n, flags);
    check_decoding(t, ids, n, 0);
    if (!own && !special && strict_utf8(data, size) && !memmem(data, size, "\xe2\x96\x81", 3)) {
        char *txt; size_t tl;
        if (vers_detokenize(t, ids, n, VERS_DETOK_STRIP_SPACE, &txt, &tl, &e)) abort();
        if (tl != size || memcmp(txt, data, size)) {
            fprintf(stderr, "round trip differs (mode %u)\n", mode);
            abort();
        }
        free(txt);
    }
    free(ids);
    vers_tokenizer_free(own);
    return 0;
}
