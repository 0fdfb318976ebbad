/* tests/test_engine_tokenizer.c — the tokenizers against llama.cpp b4747: every .inp/.out
 * case of ../shared/reference/llama.cpp-vocab and ../shared/reference/llamacpp/dev/tok,
 * stories260K's prompt ids, round trips, streaming decoding, special tokens, small
 * hand-made vocabularies (from arrays) and hostile vocabularies. */
#include "test.h"
#include "vers.h"
#include "engine/unicode.h"
#include "engine/tokenizer_internal.h"
#include "engine/gguf.h"
#include <stdint.h>
#include <sys/wait.h>

/* ---------- the .inp / .out format (VOCABS.md) ---------- */

typedef struct { char **inp; size_t *inp_len; char **out; size_t n; char *ibuf, *obuf; } cases;

static void cases_free(cases *c) {
    free(c->inp); free(c->inp_len); free(c->out); free(c->ibuf); free(c->obuf);
    memset(c, 0, sizeof *c);
}

/* Splits .inp on "\n__ggml_vocab_test__\n" (every case followed by one) and .out in lines. */
static int cases_read(const char *inp_path, const char *out_path, cases *c) {
    memset(c, 0, sizeof *c);
    size_t il, ol;
    c->ibuf = t_read_file(inp_path, &il);
    c->obuf = t_read_file(out_path, &ol);
    if (!c->ibuf || !c->obuf) return -1;
    static const char sep[] = "\n__ggml_vocab_test__\n";
    size_t cap = 256;
    c->inp = malloc(cap * sizeof *c->inp); c->inp_len = malloc(cap * sizeof *c->inp_len);
    c->out = malloc(cap * sizeof *c->out);
    size_t pos = 0;
    for (;;) {
        char *m = memmem(c->ibuf + pos, il - pos, sep, sizeof sep - 1);
        if (!m) break;
        if (c->n == cap) return -1;
        c->inp[c->n] = c->ibuf + pos;
        c->inp_len[c->n] = (size_t)(m - (c->ibuf + pos));
        c->n++;
        pos = (size_t)(m - c->ibuf) + sizeof sep - 1;
    }
    size_t k = 0;
    char *line = c->obuf;
    while (k < c->n && line < c->obuf + ol) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        c->out[k++] = line;
        if (!nl) break;
        line = nl + 1;
    }
    return k == c->n ? 0 : -1;
}

/* Parses "  1 2 3 " into ids. */
static size_t parse_ids(const char *s, int32_t *ids, size_t cap) {
    size_t n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\r') s++;
        if (!*s) break;
        char *e;
        long v = strtol(s, &e, 10);
        if (e == s) break;
        if (n < cap) ids[n] = (int32_t)v;
        n++;
        s = e;
    }
    return n;
}

static int valid_utf8(const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        size_t before = i;
        uint32_t cp = vu_decode((const uint8_t *)s, n, &i);
        if (cp == VU_REPLACEMENT && !(i - before == 3 && !memcmp(s + before, "\xef\xbf\xbd", 3))) return 0;
        if (cp >= 0xd800 && cp <= 0xdfff) return 0;
    }
    return 1;
}

static int32_t idbuf[1 << 16];

/* Runs every case of one .inp/.out pair; returns the number that failed (-1: files absent). */
static int run_cases(const vers_tokenizer *t, const char *inp, const char *outp, const char *label,
                     int *n_cases, int *n_roundtrip) {
    cases c;
    const char *ip = t_shared(inp), *op = t_shared(outp);
    if (!ip || !op) return -1;
    if (cases_read(ip, op, &c)) { printf("FAIL %s: cannot parse %s\n", label, inp); cases_free(&c); return 1; }
    int bad = 0;
    *n_cases = (int)c.n; *n_roundtrip = 0;
    for (size_t i = 0; i < c.n; i++) {
        int32_t *ids; size_t n;
        vers_err e;
        if (vers_tokenize(t, c.inp[i], c.inp_len[i], 0, 0, &ids, &n, &e)) { bad++; continue; }
        size_t ne = parse_ids(c.out[i], idbuf, sizeof idbuf / sizeof idbuf[0]);
        int ok = ne == n;
        for (size_t k = 0; ok && k < n; k++) ok = ids[k] == idbuf[k];
        if (!ok) {
            bad++;
            if (bad <= 3) {
                printf("FAIL %s case %zu (%zu bytes \"%.*s\"): got", label, i, c.inp_len[i],
                       (int)(c.inp_len[i] < 60 ? c.inp_len[i] : 60), c.inp[i]);
                for (size_t k = 0; k < n && k < 30; k++) printf(" %d", ids[k]);
                printf(" | want %s\n", c.out[i]);
            }
        }
        /* round trip: decoding gives the input back where llama.cpp's would */
        if (ok && valid_utf8(c.inp[i], c.inp_len[i]) &&
            !memmem(c.inp[i], c.inp_len[i], "\xe2\x96\x81", 3) &&
            !memmem(c.inp[i], c.inp_len[i], "</s>", 4)) {
            char *txt; size_t tl;
            if (vers_detokenize(t, ids, n, VERS_DETOK_STRIP_SPACE, &txt, &tl, &e) == VERS_OK) {
                if (tl == c.inp_len[i] && !memcmp(txt, c.inp[i], tl)) (*n_roundtrip)++;
                else { bad++; printf("FAIL %s case %zu: round trip gives \"%.60s\"\n", label, i, txt); }
                free(txt);
            } else bad++;
        }
        free(ids);
    }
    cases_free(&c);
    return bad;
}

static vers_tokenizer *load_shared(const char *rel) {
    const char *p = t_shared(rel);
    if (!p) return NULL;
    vers_tokenizer *t = NULL;
    vers_err e;
    if (vers_tokenizer_load(p, &t, &e)) { printf("load %s: %s\n", rel, e.msg); return NULL; }
    return t;
}

/* ---------- small vocabularies made here ---------- */

/* SPM: bytes, a few pieces with scores, two special tokens */
static vers_tokenizer *make_spm(void) {
    static const char *pieces[] = { "<unk>", "<s>", "</s>", "\xe2\x96\x81", "a", "b", "ab",
        ("\xe2\x96\x81" "a"), ("\xe2\x96\x81" "ab"), "c", "bc", "<fr>", "<sonnet>", "\xc3\xa9" };
    static const float psc[] = { 0, 0, 0, -1, -2, -2, -1.5f, -1, -0.5f, -2, -0.2f, 0, 0, -3 };
    static const int32_t pty[] = { 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 4, 1 };
    enum { NP = sizeof pieces / sizeof pieces[0], N = NP + 256 };
    static char bytes[256][8];
    const char *tok[N]; float sc[N]; int32_t ty[N];
    for (int i = 0; i < 3; i++) { tok[i] = pieces[i]; sc[i] = psc[i]; ty[i] = pty[i]; }
    for (int b = 0; b < 256; b++) {
        snprintf(bytes[b], sizeof bytes[b], "<0x%02X>", b);
        tok[3 + b] = bytes[b]; sc[3 + b] = 0; ty[3 + b] = VERS_TOKEN_BYTE;
    }
    for (int i = 3; i < NP; i++) { tok[256 + i] = pieces[i]; sc[256 + i] = psc[i]; ty[256 + i] = pty[i]; }
    vers_vocab_desc d;
    vers_vocab_desc_init(&d);
    d.model = "llama"; d.n_tokens = N; d.tokens = tok; d.scores = sc; d.types = ty;
    vers_tokenizer *t = NULL;
    vers_err e;
    if (vers_tokenizer_from_arrays(&d, &t, &e)) printf("make_spm: %s\n", e.msg);
    return t;
}

/* the same without the dummy prefix (tokenizer.ggml.add_space_prefix = false) */
static vers_tokenizer *make_spm_noprefix(void) {
    const char *tok[] = { "<unk>", "<s>", "</s>", "\xe2\x96\x81", "a", "b", "ab", ("\xe2\x96\x81" "a") };
    vers_vocab_desc d;
    vers_vocab_desc_init(&d);
    d.model = "llama"; d.n_tokens = 8; d.tokens = tok; d.add_space_prefix = 0; d.add_bos = 0;
    vers_tokenizer *t = NULL;
    vers_err e;
    if (vers_tokenizer_from_arrays(&d, &t, &e)) printf("make_spm_noprefix: %s\n", e.msg);
    return t;
}

/* byte-level BPE: the 256 byte characters, merges "h e", "he llo"... and specials */
static vers_tokenizer *make_bpe(const char *pre) {
    static char chars[256][4];
    static const char *extra[] = { "he", "ll", "llo", "hello", "\xc4\xa0h", "\xc4\xa0hello",
        "<|endoftext|>", "<fr>", "<en>" };
    static const char *merges[] = { "h e", "l l", "ll o", "he llo", "\xc4\xa0 h", "\xc4\xa0h ello",
        "\xc4\xa0h ello", "\xc4\xa0 hello", "nospace" };
    enum { NE = sizeof extra / sizeof extra[0], N = 256 + NE };
    const char *tok[N]; int32_t ty[N];
    for (int b = 0; b < 256; b++) {
        uint8_t u[4]; size_t l = vu_encode(vu_byte_to_cp((uint8_t)b), u);
        memcpy(chars[b], u, l); chars[b][l] = 0;
        tok[b] = chars[b]; ty[b] = VERS_TOKEN_NORMAL;
    }
    for (int i = 0; i < NE; i++) { tok[256 + i] = extra[i]; ty[256 + i] = i >= 6 ? VERS_TOKEN_CONTROL : VERS_TOKEN_NORMAL; }
    vers_vocab_desc d;
    vers_vocab_desc_init(&d);
    d.model = "gpt2"; d.pre = pre; d.n_tokens = N; d.tokens = tok; d.types = ty;
    d.n_merges = sizeof merges / sizeof merges[0]; d.merges = merges;
    d.bos_id = d.eos_id = 256 + 6;
    vers_tokenizer *t = NULL;
    vers_err e;
    if (vers_tokenizer_from_arrays(&d, &t, &e)) printf("make_bpe: %s\n", e.msg);
    return t;
}

static int ids_eq(const int32_t *a, size_t n, const int32_t *b, size_t m) {
    if (n != m) return 0;
    for (size_t i = 0; i < n; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static int tok_eq(const vers_tokenizer *t, const char *s, int add, int special, const int32_t *want, size_t nw) {
    int32_t *ids; size_t n;
    vers_err e;
    if (vers_tokenize(t, s, strlen(s), add, special, &ids, &n, &e)) return 0;
    int ok = ids_eq(ids, n, want, nw);
    if (!ok) { printf("  \"%s\" ->", s); for (size_t i = 0; i < n; i++) printf(" %d", ids[i]); printf("\n"); }
    free(ids);
    return ok;
}

/* Splits s with a pre-tokenizer and joins the words with '|'. */
static char *pre_join(int pre, const char *s) {
    static char out[1024];
    uint32_t cp[256]; size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len && n < 256;) cp[n++] = vu_decode((const uint8_t *)s, len, &i);
    size_t *wl, nw;
    out[0] = 0;
    if (vtok_pretokenize(pre, cp, n, &wl, &nw)) return out;
    size_t o = 0, c = 0;
    for (size_t w = 0; w < nw; w++) {
        if (w) out[o++] = '|';
        for (size_t k = 0; k < wl[w]; k++) o += vu_encode(cp[c++], (uint8_t *)out + o);
    }
    out[o] = 0;
    free(wl);
    return out;
}


/* ---------- GGUF files made in memory (for the metadata checks) ---------- */

typedef struct { uint8_t *p; size_t n, cap; uint64_t n_kv; } gbuf;
static void gb_raw(gbuf *b, const void *s, size_t n) {
    if (b->n + n > b->cap) { b->cap = (b->n + n) * 2 + 256; b->p = realloc(b->p, b->cap); }
    memcpy(b->p + b->n, s, n); b->n += n;
}
static void gb_u32(gbuf *b, uint32_t v) { gb_raw(b, &v, 4); }
static void gb_u64(gbuf *b, uint64_t v) { gb_raw(b, &v, 8); }
static void gb_str(gbuf *b, const char *s) { gb_u64(b, strlen(s)); gb_raw(b, s, strlen(s)); }
static void gb_key(gbuf *b, const char *k, uint32_t type) { gb_str(b, k); gb_u32(b, type); b->n_kv++; }
static void gb_kv_str(gbuf *b, const char *k, const char *v) { gb_key(b, k, GGUF_STRING); gb_str(b, v); }
static void gb_kv_u32(gbuf *b, const char *k, uint32_t v) { gb_key(b, k, GGUF_UINT32); gb_u32(b, v); }
static void gb_kv_strs(gbuf *b, const char *k, const char *const *v, uint64_t n) {
    gb_key(b, k, GGUF_ARRAY); gb_u32(b, GGUF_STRING); gb_u64(b, n);
    for (uint64_t i = 0; i < n; i++) gb_str(b, v[i]);
}
static void gb_kv_i32s(gbuf *b, const char *k, uint32_t type, const int32_t *v, uint64_t n) {
    gb_key(b, k, GGUF_ARRAY); gb_u32(b, type); gb_u64(b, n);
    gb_raw(b, v, 4 * n);
}
/* header + the kvs written so far (b->p holds only kvs until then) */
static uint8_t *gb_file(gbuf *b, size_t *len) {
    gbuf f = { 0 };
    gb_raw(&f, "GGUF", 4); gb_u32(&f, 3); gb_u64(&f, 0); gb_u64(&f, b->n_kv);
    gb_raw(&f, b->p, b->n);
    while (f.n % 32) { uint8_t z = 0; gb_raw(&f, &z, 1); }
    *len = f.n;
    return f.p;
}

/* A byte-level vocabulary file; what = which part to break (0: none). */
static int gguf_vocab(int what, vers_tokenizer **t, vers_err *e) {
    static char chars[256][4];
    const char *tok[258]; int32_t ty[258];
    for (int i = 0; i < 256; i++) {
        uint8_t u[4]; size_t l = vu_encode(vu_byte_to_cp((uint8_t)i), u);
        memcpy(chars[i], u, l); chars[i][l] = 0; tok[i] = chars[i]; ty[i] = 1;
    }
    tok[256] = "ab"; ty[256] = 1; tok[257] = "<|endoftext|>"; ty[257] = 3;
    const char *merges[] = { "a b" };
    gbuf b = { 0 };
    if (what != 1) gb_kv_str(&b, "tokenizer.ggml.model", what == 2 ? "bert" : "gpt2");
    gb_kv_str(&b, "tokenizer.ggml.pre", what == 3 ? "nonesuch" : "gpt-2");
    if (what == 4) gb_kv_str(&b, "tokenizer.ggml.tokens", "a");
    else gb_kv_strs(&b, "tokenizer.ggml.tokens", tok, 258);
    if (what == 5) gb_kv_strs(&b, "tokenizer.ggml.scores", tok, 258);
    if (what == 6) gb_kv_i32s(&b, "tokenizer.ggml.token_type", GGUF_INT32, ty, 100);
    else gb_kv_i32s(&b, "tokenizer.ggml.token_type", what == 7 ? GGUF_UINT32 : GGUF_INT32, ty, 258);
    if (what != 8) gb_kv_strs(&b, "tokenizer.ggml.merges", merges, 1);
    gb_kv_u32(&b, "tokenizer.ggml.bos_token_id", what == 9 ? 4000000000u : 257);
    gb_kv_u32(&b, "tokenizer.ggml.eos_token_id", 257);
    size_t len;
    uint8_t *file = gb_file(&b, &len);
    gguf_file *g = NULL;
    int rc = gguf_open_memory(file, len, &g, e);
    if (rc == VERS_OK) rc = vers_tokenizer_from_gguf(g, t, e);
    gguf_close(g);
    free(file); free(b.p);
    return rc;
}

/* Runs a shell command, returns its exit code and its output (stdout + stderr). */
static int run_cmd(const char *cmd, char *out, size_t cap) {
    FILE *f = popen(cmd, "r");
    if (!f) return -1;
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = 0;
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv) {
    (void)argc;
    T_CASE("unicode: categories, white space, UTF-8 rules, GPT-2 byte map") {
        T_CHECK(vu_is_letter('a') && vu_is_letter(0xe9) && vu_is_letter(0x4e00) && !vu_is_letter('1'), "letters");
        T_CHECK(vu_is_number('7') && vu_is_number(0x00b2) && vu_is_number(0x0660), "numbers");
        T_CHECK(vu_is_space(' ') && vu_is_space(0xa0) && vu_is_space(0x202f) && vu_is_space(0x3000) &&
                !vu_is_space(0x200b) && !vu_is_space(0x1c), "white space");
        T_CHECK((vu_flags(0x2ec00) & VU_CAT_MASK) == VU_LETTER, "Unicode 15.1 CJK extension I");
        T_CHECK((vu_flags(0x1f600) & VU_CAT_MASK) == VU_SYMBOL && (vu_flags(0xab) & VU_CAT_MASK) == VU_PUNCT, "categories");
        T_CHECK((vu_flags(0x378) & VU_CAT_MASK) == VU_UNDEFINED && vu_flags(0x110000) == VU_UNDEFINED, "unassigned");
        size_t p = 0;
        const uint8_t bad1[] = { 0xc3 }, bad2[] = { 0xe2, 0x82, 0x41 }, over[] = { 0xc0, 0x80 }, big[] = { 0xf4, 0x90, 0x80, 0x80 };
        T_CHECK(vu_decode(bad1, 1, &p) == 0xfffd && p == 1, "truncated");
        p = 0; T_CHECK(vu_decode(bad2, 3, &p) == 0xfffd && p == 1, "bad continuation");
        p = 0; T_CHECK(vu_decode(over, 2, &p) == 0 && p == 2, "overlong accepted as llama.cpp does");
        p = 0; T_CHECK(vu_decode(big, 4, &p) == 0xfffd && p == 1, "past U+10FFFF");
        int ok = 1;
        for (int b = 0; b < 256; b++) ok &= vu_cp_to_byte(vu_byte_to_cp((uint8_t)b)) == b;
        T_CHECK(ok && vu_byte_to_cp(' ') == 0x120 && vu_byte_to_cp('a') == 'a' && vu_byte_to_cp(0xad) == 0x143, "byte map");
        T_CHECK(vu_cp_to_byte(0x20) == -1 && vu_cp_to_byte(0x144) == -1, "byte map inverse");
    }

    T_CASE("pre-tokenizers: gpt-2, llama-3, qwen2, default, starcoder word splits") {
        const char *s = "Hello world's  12345 ,,!\n\n  x";
        T_CHECK(!strcmp(pre_join(VTOK_PRE_GPT2, s), "Hello| world|'s| | 12345| ,,!|\n\n | x") ||
                (printf("  gpt2: [%s]\n", pre_join(VTOK_PRE_GPT2, s)), 0), "gpt2");
        T_CHECK(!strcmp(pre_join(VTOK_PRE_LLAMA3, s), "Hello| world|'s| | |123|45| ,,!\n\n| | x") ||
                (printf("  llama3: [%s]\n", pre_join(VTOK_PRE_LLAMA3, s)), 0), "llama3");
        T_CHECK(!strcmp(pre_join(VTOK_PRE_QWEN2, s), "Hello| world|'s| | |1|2|3|4|5| ,,!\n\n| | x") ||
                (printf("  qwen2: [%s]\n", pre_join(VTOK_PRE_QWEN2, s)), 0), "qwen2");
        T_CHECK(!strcmp(pre_join(VTOK_PRE_LLAMA3, "I'M 'Ll"), "I|'M| '|Ll") ||
                (printf("  llama3: [%s]\n", pre_join(VTOK_PRE_LLAMA3, "I'M 'Ll")), 0), "llama3 case-folded contractions");
        T_CHECK(!strcmp(pre_join(VTOK_PRE_DEFAULT, "a1234567 b.c"), "a|123|456|7| b|.|c") ||
                (printf("  default: [%s]\n", pre_join(VTOK_PRE_DEFAULT, "a1234567 b.c")), 0), "default");
        T_CHECK(!strcmp(pre_join(VTOK_PRE_STARCODER, "ab 123"), "ab| |1|2|3") ||
                (printf("  starcoder: [%s]\n", pre_join(VTOK_PRE_STARCODER, "ab 123")), 0), "starcoder");
        T_CHECK(!strcmp(pre_join(VTOK_PRE_GPT2, ""), ""), "empty");
    }

    T_CASE("spm from arrays: merges by score, byte fallback, special tokens, BOS") {
        vers_tokenizer *t = make_spm();
        T_CHECK(t != NULL, "built");
        if (t) {
            int32_t sp = vers_token_find(t, "\xe2\x96\x81", 3);
            int32_t ab_ = vers_token_find(t, ("\xe2\x96\x81" "ab"), 5), c = vers_token_find(t, "c", 1);
            int32_t bc = vers_token_find(t, "bc", 2), fr = vers_token_special(t, "<fr>");
            int32_t so = vers_token_special(t, "<sonnet>");
            T_CHECK(fr > 0 && so > 0 && vers_token_special(t, "a") < 0, "special lookup");
            /* " abc": ▁a b c -> "▁ab"(-0.5) vs "bc"(-0.2): bc first, then ▁a (-1) */
            int32_t w1[] = { 1, vers_token_find(t, ("\xe2\x96\x81" "a"), 4), bc };
            T_CHECK(tok_eq(t, "abc", 1, 0, w1, 3), "abc");
            int32_t w2[] = { ab_ };
            T_CHECK(tok_eq(t, "ab", 0, 0, w2, 1), "ab");
            int32_t w3[] = { sp, 3 + 0xe2, 3 + 0x82, 3 + 0xac };   /* € by bytes */
            T_CHECK(tok_eq(t, "\xe2\x82\xac", 0, 0, w3, 4), "byte fallback");
            int32_t sa = vers_token_find(t, ("\xe2\x96\x81" "a"), 4);
            int32_t w4[] = { 1, fr, sa, c };                       /* prefix space again after <fr> */
            T_CHECK(tok_eq(t, "<fr>ac", 1, 1, w4, 4), "parse_special");
            int32_t *ids; size_t n; vers_err e;
            T_CHECK(vers_tokenize(t, "<fr>", 4, 0, 0, &ids, &n, &e) == 0 && n > 1, "no parse_special: plain text");
            free(ids);
            int32_t w5[] = { so, sa };                             /* USER_DEFINED: always */
            T_CHECK(tok_eq(t, "<sonnet>a", 0, 0, w5, 2), "user-defined token always matched");
            T_CHECK(tok_eq(t, "", 0, 0, NULL, 0), "empty");
            int32_t w6[] = { 1 };
            T_CHECK(tok_eq(t, "", 1, 0, w6, 1), "empty with BOS");
            size_t pl; const char *pc = vers_token_piece(t, ab_, 0, &pl);
            T_CHECK(pl == 3 && !memcmp(pc, " ab", 3), "piece ▁ab");
            pc = vers_token_piece(t, 3 + 0x0a, 0, &pl);
            T_CHECK(pl == 1 && pc[0] == '\n', "byte piece");
            vers_token_piece(t, 1, 0, &pl);
            T_CHECK(pl == 0, "control piece hidden");
            pc = vers_token_piece(t, 1, 1, &pl);
            T_CHECK(pl == 3 && !memcmp(pc, "<s>", 3), "control piece rendered");
            T_CHECK(vers_token_is_eog(t, 2) && !vers_token_is_eog(t, 1), "eog");
            vers_tokenizer_free(t);
        }
    }

    T_CASE("spm without dummy prefix, without BOS, without byte tokens") {
        vers_tokenizer *t = make_spm_noprefix();
        T_CHECK(t != NULL, "built");
        if (t) {
            int32_t w1[] = { 6, 7 };                 /* "ab ▁a": no prefix, no BOS */
            T_CHECK(tok_eq(t, "ab a", 1, 0, w1, 2), "no prefix");
            int32_t w2[] = { 4, 0, 0 };              /* "é" has no token and no byte tokens: <unk> per byte */
            T_CHECK(tok_eq(t, "a\xc3\xa9", 1, 0, w2, 3), "unknown bytes -> <unk>");
            T_CHECK(!vers_tokenizer_adds_bos(t) && !vers_tokenizer_adds_space_prefix(t), "flags");
            vers_tokenizer_free(t);
        }
    }

    T_CASE("streaming decode: a character split over byte-fallback tokens") {
        vers_tokenizer *t = make_spm();
        if (t) {
            /* "é€x" with € (E2 82 AC) as three byte tokens, é as its own token */
            int32_t *ids; size_t n; vers_err e;
            const char *s = "\xc3\xa9\xe2\x82\xac" "a\xf0\x9f\x98\x80";
            T_CHECK(vers_tokenize(t, s, strlen(s), 1, 0, &ids, &n, &e) == 0, "tokenize");
            vers_detok d;
            T_CHECK(vers_detok_init(&d, t, VERS_DETOK_STRIP_SPACE, &e) == 0, "init");
            char out[64]; size_t o = 0; int split_seen = 0, all_whole = 1;
            for (size_t i = 0; i < n; i++) {
                size_t len, rl; const char *raw;
                const char *p = vers_detok_feed(&d, ids[i], &len, &raw, &rl);
                T_CHECK(p != NULL, "feed");
                if (rl == 1 && ((uint8_t)raw[0] & 0x80)) split_seen = 1;
                if (len && !valid_utf8(p, len)) all_whole = 0;
                memcpy(out + o, p, len); o += len;
            }
            size_t fl; vers_detok_flush(&d, &fl);
            T_CHECK(fl == 0, "nothing held at the end");
            T_CHECK(split_seen && all_whole, "split over tokens (%d), whole characters out (%d)", split_seen, all_whole);
            T_CHECK(o == strlen(s) && !memcmp(out, s, o), "exact bytes");
            /* an incomplete character at the end is given back by flush */
            vers_detok_reset(&d);
            size_t len; vers_detok_feed(&d, 3 + 0xe2, &len, NULL, NULL);
            T_CHECK(len == 0, "lead byte held");
            vers_detok_feed(&d, 3 + 0x82, &len, NULL, NULL);
            T_CHECK(len == 0, "still held");
            const char *p = vers_detok_flush(&d, &fl);
            T_CHECK(fl == 2 && (uint8_t)p[0] == 0xe2 && (uint8_t)p[1] == 0x82, "flush gives the bytes back");
            /* a stray continuation byte passes through */
            vers_detok_reset(&d);
            vers_detok_feed(&d, 3 + 0x82, &len, NULL, NULL);
            T_CHECK(len == 1, "stray continuation passes");
            T_CHECK(vers_detok_feed(&d, -1, &len, NULL, NULL) == NULL && len == 0, "bad id");
            vers_detok_free(&d);
            free(ids);
            vers_tokenizer_free(t);
        }
    }

    T_CASE("bpe from arrays: merges by rank, specials, pieces, round trip") {
        vers_tokenizer *t = make_bpe("gpt-2");
        T_CHECK(t != NULL, "built");
        if (t) {
            int32_t hello = vers_token_find(t, "hello", 5), shello = vers_token_find(t, "\xc4\xa0hello", 7);
            int32_t eot = vers_token_special(t, "<|endoftext|>"), fr = vers_token_special(t, "<fr>");
            int32_t w1[] = { hello, shello, '!' };
            T_CHECK(tok_eq(t, "hello hello!", 1, 0, w1, 3), "merges");
            int32_t w2[] = { fr, hello, eot };
            T_CHECK(tok_eq(t, "<fr>hello<|endoftext|>", 0, 1, w2, 3), "parse_special");
            int32_t *ids; size_t n; vers_err e;
            T_CHECK(vers_tokenize(t, "<fr>", 4, 0, 0, &ids, &n, &e) == 0 && n == 4, "no parse_special: 4 byte tokens");
            free(ids);
            T_CHECK(vers_token_is_eog(t, eot) && vers_token_eos(t) == eot && !vers_tokenizer_adds_bos(t), "eos");
            const char *s = "h\xc3\xa9llo \xe2\x82\xac\n\t x";
            T_CHECK(vers_tokenize(t, s, strlen(s), 0, 0, &ids, &n, &e) == 0, "tokenize");
            char *txt; size_t tl;
            T_CHECK(vers_detokenize(t, ids, n, 0, &txt, &tl, &e) == 0 && tl == strlen(s) && !memcmp(txt, s, tl), "round trip");
            free(txt); free(ids);
            size_t pl; const char *p = vers_token_piece(t, shello, 0, &pl);
            T_CHECK(pl == 6 && !memcmp(p, " hello", 6), "piece");
            T_CHECK(!strcmp(vers_tokenizer_model(t), "gpt2") && !strcmp(vers_tokenizer_pre(t), "gpt-2"), "names");
            vers_tokenizer_free(t);
        }
        t = make_bpe("llama-bpe");   /* ignore_merges: a word that is a token is taken whole */
        if (t) {
            int32_t w[] = { vers_token_find(t, "hello", 5) };
            T_CHECK(tok_eq(t, "hello", 0, 0, w, 1), "llama-bpe");
            vers_tokenizer_free(t);
        }
    }

    T_CASE("hostile vocabularies are refused with a message") {
        const char *tok[] = { "a", "b", "a" };
        vers_vocab_desc d; vers_tokenizer *t = NULL; vers_err e;
        vers_vocab_desc_init(&d);
        d.model = "llama"; d.n_tokens = 3; d.tokens = tok;
        T_CHECK(vers_tokenizer_from_arrays(&d, &t, &e) == VERS_EFORMAT && t == NULL, "duplicate");
        d.n_tokens = 0;
        T_CHECK(vers_tokenizer_from_arrays(&d, &t, &e) == VERS_EFORMAT, "empty");
        d.n_tokens = 2; d.model = "bert";
        T_CHECK(vers_tokenizer_from_arrays(&d, &t, &e) == VERS_EUNSUPPORTED, "model");
        d.model = "gpt2"; d.pre = "no-such-pre";
        T_CHECK(vers_tokenizer_from_arrays(&d, &t, &e) == VERS_EUNSUPPORTED && strstr(e.msg, "no-such-pre"), "pre");
        /* odd but legal: empty texts, bad types, out-of-range ids, merges without space */
        const char *tok2[] = { "", "x", "<0x41", "y" };
        const int32_t ty[] = { 1, 99, 6, 3 };
        const char *mg[] = { "xy", "x y", "x y", " x" };
        d.pre = NULL; d.n_tokens = 4; d.tokens = tok2; d.types = ty; d.merges = mg; d.n_merges = 4;
        d.bos_id = 1000; d.eos_id = 3;
        T_CHECK(vers_tokenizer_from_arrays(&d, &t, &e) == VERS_OK && t, "odd vocabulary accepted");
        if (t) {
            size_t l; const char *s = vers_token_text(t, 0, &l);
            T_CHECK(s && l == 9 && memcmp(s, "[EMPTY_0]", 9) == 0, "empty renamed");
            T_CHECK(vers_token_bos(t) == -1 && vers_token_eos(t) == 3, "ids");
            int32_t *ids; size_t n;
            T_CHECK(vers_tokenize(t, "xyzy\xff\xfe", 6, 1, 1, &ids, &n, &e) == 0, "tokenizes");
            free(ids);
            vers_tokenizer_free(t);
        }
    }


    T_CASE("GGUF metadata: wrong types, short arrays, missing keys give an error") {
        vers_tokenizer *t = NULL; vers_err e;
        int rc = gguf_vocab(0, &t, &e);
        T_CHECK(rc == VERS_OK && t, "valid file: %s", rc ? e.msg : "");
        if (t) {
            int32_t w[] = { 256, 'c' };
            T_CHECK(tok_eq(t, "abc", 0, 0, w, 2), "tokenizes");
            T_CHECK(vers_token_bos(t) == 257, "bos");
            vers_tokenizer_free(t); t = NULL;
        }
        static const struct { int what, code; const char *why; } B[] = {
            { 1, VERS_ENOTFOUND, "no tokenizer.ggml.model" }, { 2, VERS_EUNSUPPORTED, "model bert" },
            { 3, VERS_EUNSUPPORTED, "unknown pre" }, { 4, VERS_EFORMAT, "tokens not an array" },
            { 5, VERS_EFORMAT, "scores of strings" }, { 6, VERS_EFORMAT, "token types short" },
            { 7, VERS_EFORMAT, "token types u32" }, { 8, VERS_EFORMAT, "gpt2 without merges" },
        };
        for (size_t i = 0; i < sizeof B / sizeof B[0]; i++) {
            rc = gguf_vocab(B[i].what, &t, &e);
            T_CHECK(rc == B[i].code && !t && e.msg[0], "%s: rc %d (%s)", B[i].why, rc, e.msg);
            vers_tokenizer_free(t); t = NULL;
        }
        rc = gguf_vocab(9, &t, &e);   /* an out-of-range id is ignored, as llama.cpp does */
        T_CHECK(rc == VERS_OK && t && vers_token_bos(t) == 11, "bos out of range -> default 11");
        vers_tokenizer_free(t);
    }

    /* ---------- llama.cpp's own cases ---------- */
    static const struct { const char *vocab, *gguf, *name; } V[] = {
        { "llama-spm", "reference/llama.cpp-vocab/ggml-vocab-llama-spm.gguf", "ggml-vocab-llama-spm" },
        { "phi-3", "reference/llama.cpp-vocab/ggml-vocab-phi-3.gguf", "ggml-vocab-phi-3" },
        { "gpt-2", "reference/llama.cpp-vocab/ggml-vocab-gpt-2.gguf", "ggml-vocab-gpt-2" },
        { "llama-bpe", "reference/llama.cpp-vocab/ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-bpe" },
        { "qwen2", "reference/llama.cpp-vocab/ggml-vocab-qwen2.gguf", "ggml-vocab-qwen2" },
        { "tiny-llama", "reference/llamacpp/models/tiny-llama-F32.gguf", NULL },
        { "tiny-qwen2", "reference/llamacpp/models/tiny-qwen2-F32.gguf", NULL },
        { "tiny-gpt2", "reference/llamacpp/models/tiny-gpt2-F32.gguf", NULL },
    };
    for (size_t v = 0; v < sizeof V / sizeof V[0]; v++) {
        char label[128];
        snprintf(label, sizeof label, "llama.cpp cases: %s", V[v].vocab);
        if (!t_shared(V[v].gguf)) { T_SKIP(label, "../shared/reference absent"); continue; }
        T_CASE(label) {
            vers_tokenizer *t = load_shared(V[v].gguf);
            T_CHECK(t != NULL, "load %s", V[v].gguf);
            if (t) {
            char inp[256], outp[256];
            int total = 0, rt_total = 0;
            if (V[v].name) {
                snprintf(inp, sizeof inp, "reference/llama.cpp-vocab/%s.gguf.inp", V[v].name);
                snprintf(outp, sizeof outp, "reference/llama.cpp-vocab/%s.gguf.out", V[v].name);
                int nc, nr, bad = run_cases(t, inp, outp, label, &nc, &nr);
                T_CHECK(bad == 0, "%d failed of %d (llama.cpp-vocab)", bad, nc);
                total += nc; rt_total += nr;
            }
            snprintf(inp, sizeof inp, "reference/llamacpp/dev/tok/%s.inp", V[v].vocab);
            snprintf(outp, sizeof outp, "reference/llamacpp/dev/tok/%s.out", V[v].vocab);
            int nc, nr, bad = run_cases(t, inp, outp, label, &nc, &nr);
            T_CHECK(bad == 0, "%d failed of %d (dev/tok)", bad, nc);
            total += nc; rt_total += nr;
            if (getenv("VERS_TEST_VERBOSE")) printf("  %s: %d cases, %d round trips\n", V[v].vocab, total, rt_total);
            vers_tokenizer_free(t);
            }
        }
    }

    if (!t_shared("reference/gguf/stories260K.gguf")) T_SKIP("stories260K prompt ids", "../shared/reference absent");
    else T_CASE("stories260K prompt ids (README-stories260K.md)") {
        vers_tokenizer *t = load_shared("reference/gguf/stories260K.gguf");
        T_CHECK(t != NULL, "load");
        static const struct { const char *p; int32_t ids[8]; size_t n; } P[] = {
            { "Once upon a time", { 1, 403, 407, 261, 378 }, 5 },
            { "The little girl", { 1, 291, 376, 298, 315, 421 }, 6 },
            { "Lily and Tom", { 1, 317, 269, 274, 287 }, 5 },
            { "One day, a", { 1, 385, 328, 432, 261 }, 5 },
            { "The sun", { 1, 291, 262, 379 }, 4 },
        };
        for (size_t i = 0; t && i < sizeof P / sizeof P[0]; i++)
            T_CHECK(tok_eq(t, P[i].p, 1, 0, P[i].ids, P[i].n), "prompt \"%s\"", P[i].p);
        T_CHECK(t && vers_tokenizer_adds_bos(t) && vers_token_bos(t) == 1 && vers_token_eos(t) == 2, "bos/eos");
        vers_tokenizer_free(t);
    }

    if (!t_shared("reference/llama.cpp-vocab/ggml-vocab-llama-bpe.gguf")) T_SKIP("special tokens of real vocabularies", "../shared/reference absent");
    else T_CASE("special tokens of real vocabularies: llama-bpe, qwen2, phi-3") {
        vers_tokenizer *t = load_shared("reference/llama.cpp-vocab/ggml-vocab-llama-bpe.gguf");
        if (t) {
            int32_t w[] = { 128000, 128000, 9906, 128001 };
            T_CHECK(tok_eq(t, "<|begin_of_text|>Hello<|end_of_text|>", 1, 1, w, 4), "llama-bpe parse_special + BOS");
            T_CHECK(vers_token_is_eog(t, 128009) && vers_token_eot(t) == 128009, "<|eot_id|> is eog");
            vers_tokenizer_free(t);
        }
        t = load_shared("reference/llama.cpp-vocab/ggml-vocab-qwen2.gguf");
        if (t) {
            int32_t w[] = { 151644, 872, 198 };
            T_CHECK(tok_eq(t, "<|im_start|>user\n", 1, 1, w, 3), "qwen2 chat tokens");
            T_CHECK(!vers_tokenizer_adds_bos(t) && vers_token_type(t, 151700) == VERS_TOKEN_UNUSED, "qwen2 facts");
            size_t pl; vers_token_piece(t, 151700, 1, &pl);
            T_CHECK(pl == 0, "unused token decodes to nothing");
            vers_tokenizer_free(t);
        }
        t = load_shared("reference/llama.cpp-vocab/ggml-vocab-phi-3.gguf");
        if (t) {   /* </s> is USER_DEFINED and rstrip in phi-3: matched even without parse_special */
            int32_t *a = NULL, *b = NULL; size_t na = 0, nb = 0; vers_err e;
            T_CHECK(vers_tokenize(t, "x</s>   y", 9, 0, 0, &a, &na, &e) == 0 &&
                    vers_tokenize(t, "x</s>y", 6, 0, 0, &b, &nb, &e) == 0, "tokenize");
            T_CHECK(ids_eq(a, na, b, nb) && na >= 2 && a[1] == 2, "rstrip after </s>");
            free(a); free(b);
            vers_tokenizer_free(t);
        }
    }
    /* the CLI next to this test program: build/tests/x -> build/vers */
    char vers[512];
    snprintf(vers, sizeof vers, "%s", argv[0]);
    char *slash = strrchr(vers, '/');
    if (slash) { *slash = 0; slash = strrchr(vers, '/'); }
    if (slash) snprintf(slash, sizeof vers - (size_t)(slash - vers), "/vers");
    const char *st = t_shared("reference/gguf/stories260K.gguf");
    if (!slash || access(vers, X_OK) != 0) T_SKIP("vers tokenize CLI", "vers binary not built");
    else if (!st) T_SKIP("vers tokenize CLI", "../shared/reference absent");
    else T_CASE("vers tokenize CLI: --ids, --json, -f -, --no-bos, errors") {
        char cmd[2048], out[8192];
        snprintf(cmd, sizeof cmd, "%s tokenize -m %s -p 'Once upon a time' --ids 2>&1", vers, st);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 0 && !strcmp(out, "1 403 407 261 378\n"), "--ids: %s", out);
        snprintf(cmd, sizeof cmd, "printf 'The sun' | %s tokenize -m %s -f - --no-bos --ids 2>&1", vers, st);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 0 && !strcmp(out, "291 262 379\n"), "-f - --no-bos: %s", out);
        snprintf(cmd, sizeof cmd, "%s tokenize -m %s -p 'Lily' --json 2>&1", vers, st);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 0 && strstr(out, "\"tokenizer\": \"llama\"") &&
                strstr(out, "{\"id\": 1, \"piece\": \"<s>\"}"), "--json: %s", out);
        snprintf(cmd, sizeof cmd, "%s tokenize -m %s -p 'a\tb' 2>&1", vers, st);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 0 && strstr(out, "     1 -> '<s>'\n") && strstr(out, "\\t"), "lines: %s", out);
        snprintf(cmd, sizeof cmd, "%s tokenize --help 2>&1", vers);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 0 && !strncmp(out, "usage: vers tokenize", 20), "--help: %s", out);
        snprintf(cmd, sizeof cmd, "%s tokenize -m /nonexistent.gguf -p x 2>&1", vers);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 2 && !strncmp(out, "vers: ", 6) && strchr(out, '\n') == out + strlen(out) - 1,
                "missing model: %s", out);
        snprintf(cmd, sizeof cmd, "%s tokenize -m %s 2>&1", vers, st);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 2 && !strncmp(out, "vers: ", 6), "no text: %s", out);
        snprintf(cmd, sizeof cmd, "%s tokenize -m %s -p x --bogus 2>/dev/null", vers, st);
        T_CHECK(run_cmd(cmd, out, sizeof out) == 2, "bad option");
    }
    T_DONE();
}
