/* tests/test_train_bpe.c — the BPE learner and encoder: GPT-2 pre-tokenization pieces,
 * byte-exact round trips of French/English text (accents, œ, curly quotes, em dashes,
 * invalid UTF-8), determinism, the tokenizer file, corpus records to documents. */
#include "test.h"
#include "vers/train.h"
#include "train/bpe.h"

typedef struct { char out[4096]; size_t n; } pieces;
static int collect(const char *p, size_t n, void *ctx) {
    pieces *c = ctx;
    if (c->n + n + 1 < sizeof c->out) { memcpy(c->out + c->n, p, n); c->n += n; c->out[c->n++] = '|'; c->out[c->n] = 0; }
    return 0;
}
static const char *split(const char *s) {
    static pieces c; c.n = 0; c.out[0] = 0;
    bpe_pretokenize(s, strlen(s), collect, &c);
    return c.out;
}

static int roundtrip(const vers_bpe *b, const char *s, size_t len, size_t *ntok) {
    int32_t *ids = NULL; size_t n = 0, cap = 0;
    if (vers_bpe_encode(b, s, len, &ids, &n, &cap)) return 0;
    char *out = malloc(len + 1);
    size_t k = vers_bpe_decode(b, ids, n, out, len + 1);
    int ok = k == len && !memcmp(out, s, len);
    if (ntok) *ntok = n;
    free(out); free(ids);
    return ok;
}

typedef struct { char **t; size_t *l; int n, cap; } texts;
static int take_body(const vers_doc *d, void *ctx) {
    texts *x = ctx;
    if (x->n == x->cap) return 1;
    x->t[x->n] = (char *)d->body; x->l[x->n] = d->body_len; x->n++;
    return 0;
}

typedef struct { const vers_bpe *b; char *out; size_t n; int docs; } dctx;
static int decode_doc(const vers_doc *dd, void *ctx) {
    dctx *q = ctx; int32_t *ids = NULL; size_t n = 0, cap = 0;
    if (vers_doc_tokenize(q->b, dd, &ids, &n, &cap)) return 1;
    q->n += vers_bpe_decode(q->b, ids, n, q->out + q->n, 512 - q->n);
    q->docs++; free(ids); return 0;
}

int main(void) {
    T_CASE("bpe: gpt-2 pre-tokenizer pieces (llama.cpp rules)") {
        T_CHECK(!strcmp(split("Hello world's  end!!"), "Hello| world|'s| | end|!!|"), "%s", split("Hello world's  end!!"));
        T_CHECK(!strcmp(split("l'aurore, où"), "l|'|aurore|,| où|"), "%s", split("l'aurore, où"));
        T_CHECK(!strcmp(split("a  \n\nb 12 3"), "a|  \n|\n|b| 12| 3|"), "%s", split("a  \n\nb 12 3"));
        T_CHECK(!strcmp(split("Œuvre — « là »\n"), "Œuvre| —| «| là| »|\n|"), "%s", split("Œuvre — « là »\n"));
        T_CHECK(!strcmp(split("we'll they're"), "we|'ll| they|'re|"), "%s", split("we'll they're"));
    }
    const char *corpus_fr = t_shared("corpus/poetry-fr-02.txt"), *corpus_en = t_shared("corpus/poetry-en-01.txt");
    texts x = {malloc(sizeof(char *) * 600), malloc(sizeof(size_t) * 600), 0, 300};
    char *bf = NULL, *be = NULL; size_t lf = 0, le = 0;
    vers_err err;
    if (corpus_fr && corpus_en && !vers_corpus_read(corpus_fr, &bf, &lf, &err) && !vers_corpus_read(corpus_en, &be, &le, &err)) {
        vers_corpus_parse(bf, lf, take_body, &x, &err);
        x.cap = 600;
        vers_corpus_parse(be, le, take_body, &x, &err);
    } else {
        static const char *fallback = "Le vent se lève, il faut tenter de vivre.\nThe wind is rising; we must try to live.\n";
        for (int i = 0; i < 50; i++) { x.t[x.n] = (char *)fallback; x.l[x.n++] = strlen(fallback); }
    }
    vers_bpe *b = NULL, *b2 = NULL;
    T_CASE("bpe: learns 2000 tokens, deterministic") {
        int rc = vers_bpe_train((const char *const *)x.t, x.l, x.n, x.n > 100 ? 2000 : 600, &b, &err);
        T_CHECK(rc == 0, "train: %s", err.msg);
        rc = vers_bpe_train((const char *const *)x.t, x.l, x.n, x.n > 100 ? 2000 : 600, &b2, &err);
        T_CHECK(rc == 0 && b && b2 && vers_bpe_hash(b) == vers_bpe_hash(b2), "two runs differ");
        if (b) printf("  %d texts, vocab %d, %d merges\n", x.n, vers_bpe_vocab_size(b), vers_bpe_n_merges(b));
    }
    if (b) {
        static const char *samples[] = {
            "Ô temps ! suspends ton vol, et vous, heures propices !\nSuspendez votre cours :",
            "Œdipe et sœur — « l’œuvre » était là… — c’est l’été, Noël, ça, où, à, ï, û, É, È",
            "“Tis the season”, she said — ‘quite so’ — naïve café façade; 1875–1890.",
            "tabs\tand  double  spaces   \n\n\n  indented\r\nCRLF",
            "日本語のテキスト, Ελληνικά, русский, emoji 🌊🌙",
            "invalid \xff\xfe bytes \xc3 truncated \xe2\x80 and \x80 stray",
        };
        T_CASE("bpe: byte-exact round trips (accents, œ, quotes, dashes, invalid UTF-8)") {
            for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
                size_t nt = 0;
                T_CHECK(roundtrip(b, samples[i], strlen(samples[i]), &nt), "sample %zu did not round-trip", i);
            }
            int allok = 1; size_t bytes = 0, toks = 0;
            for (int i = 0; i < x.n; i++) { size_t nt; allok &= roundtrip(b, x.t[i], x.l[i], &nt); bytes += x.l[i]; toks += nt; }
            T_CHECK(allok, "a corpus body did not round-trip");
            printf("  corpus sample: %zu bytes -> %zu tokens (%.2f bytes/token)\n", bytes, toks, toks ? (double)bytes / toks : 0.0);
            T_CHECK(toks * 2 < bytes, "compression too weak: %zu bytes, %zu tokens", bytes, toks);
        }
        T_CASE("bpe: special spellings are not special in text") {
            int32_t *ids = NULL; size_t n = 0, cap = 0;
            vers_bpe_encode(b, "<fr><sonnet>", 12, &ids, &n, &cap);
            int none = 1;
            for (size_t i = 0; i < n; i++) if (ids[i] < VERS_BPE_N_SPECIAL) none = 0;
            T_CHECK(none && n > 2, "special token produced from text");
            T_CHECK(vers_bpe_special_id(b, "<sonnet>") == 6 && vers_bpe_token_type(b, 6) == 3, "special ids");
            free(ids);
        }
        T_CASE("bpe: tokenizer file round trip; corrupt file refused") {
            char path[512]; snprintf(path, sizeof path, "%s/tok.vtok", t_tmpdir());
            vers_bpe *c = NULL;
            T_CHECK(vers_bpe_save(b, path, &err) == 0, "save: %s", err.msg);
            T_CHECK(vers_bpe_load(path, &c, &err) == 0 && c && vers_bpe_hash(c) == vers_bpe_hash(b), "load: %s", err.msg);
            if (c) {
                int ok = 1;
                for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
                    int32_t *i1 = NULL, *i2 = NULL; size_t n1 = 0, n2 = 0, c1 = 0, c2 = 0;
                    vers_bpe_encode(b, samples[i], strlen(samples[i]), &i1, &n1, &c1);
                    vers_bpe_encode(c, samples[i], strlen(samples[i]), &i2, &n2, &c2);
                    ok &= n1 == n2 && !memcmp(i1, i2, n1 * 4);
                    free(i1); free(i2);
                }
                T_CHECK(ok, "reloaded tokenizer encodes differently");
                vers_bpe_free(c); c = NULL;
            }
            size_t n; char *raw = t_read_file(path, &n);
            if (raw && n > 100) {
                raw[n / 2] ^= 0x20;
                FILE *f = fopen(path, "wb"); fwrite(raw, 1, n, f); fclose(f);
                T_CHECK(vers_bpe_load(path, &c, &err) != 0 && c == NULL, "corrupt file loaded");
                f = fopen(path, "wb"); fwrite(raw, 1, n / 3, f); fclose(f);
                T_CHECK(vers_bpe_load(path, &c, &err) == VERS_EFORMAT, "truncated file loaded");
            }
            free(raw);
        }
        T_CASE("bpe: corpus record -> document tokens") {
            const char *rec = "@@ id: x\n@@ lang: fr\n@@ kind: poem\n@@ form: sonnet\n@@ title: Le Lac\n\nAinsi, toujours\npoussés.\n@@@\n@@ id: y\n@@ lang: en\n@@ kind: prose\n\nA chapter.\n";
            static char out[512];
            dctx dc = {b, out, 0, 0};
            int rc = vers_corpus_parse(rec, strlen(rec), decode_doc, &dc, &err);
            T_CHECK(rc == 0 && dc.docs == 2, "parse rc %d docs %d", rc, dc.docs);
            const char *want = "<|bos|><fr><sonnet><title>Le Lac</title>\nAinsi, toujours\npoussés.\n<|eos|><|bos|><en><prose>\nA chapter.\n<|eos|>";
            T_CHECK(dc.n == strlen(want) && !memcmp(out, want, dc.n), "documents:\n%.*s", (int)dc.n, out);
        }
    }
    T_CASE("bpe: vocabulary too large for the corpus is refused") {
        const char *tiny = "abc abc abd";
        size_t l = strlen(tiny);
        vers_bpe *t = NULL;
        int rc = vers_bpe_train(&tiny, &l, 1, 1000, &t, &err);
        T_CHECK(rc == VERS_EINVAL && !t && strstr(err.msg, "too large"), "rc %d: %s", rc, err.msg);
    }
    T_CASE("data: missing, empty, binary corpus files refused in one line") {
        char *buf; size_t n;
        T_CHECK(vers_corpus_read("/nonexistent/x.txt", &buf, &n, &err) == VERS_EIO, "missing");
        char path[512]; snprintf(path, sizeof path, "%s/empty.txt", t_tmpdir());
        FILE *f = fopen(path, "wb"); fclose(f);
        T_CHECK(vers_corpus_read(path, &buf, &n, &err) == VERS_EFORMAT && strstr(err.msg, "empty"), "empty: %s", err.msg);
        f = fopen(path, "wb"); fwrite("ab\0cd", 1, 5, f); fclose(f);
        T_CHECK(vers_corpus_read(path, &buf, &n, &err) == VERS_EFORMAT && strstr(err.msg, "binary"), "binary: %s", err.msg);
        T_CHECK(!strchr(err.msg, '\n'), "message has a newline");
    }
    T_CASE("bpe: structure codes reserved as control tokens after the tags, found by spelling, kept by save/load") {
        const char *txt = "la mer, la mer, toujours recommencée; the sea, the sea, the restless sea";
        size_t l = strlen(txt);
        vers_bpe *t = NULL, *u = NULL;
        T_CHECK(vers_bpe_train(&txt, &l, 1, VERS_BPE_N_SPECIAL + VERS_BPE_N_STRUCT + 256 + 10, &t, &err) == 0, "%s", err.msg);
        int ok = t != NULL;
        for (int i = 0; ok && i < VERS_BPE_N_STRUCT; i++) {
            char sp[16];
            vers_bpe_struct_spelling(i, sp);
            int id = vers_bpe_struct_id(t, i);
            ok = id == VERS_BPE_N_SPECIAL + i && vers_bpe_special_id(t, sp) == id && vers_bpe_token_type(t, id) == 3;
            if (!ok) printf("  code %d (%s): id %d\n", i, sp, id);
        }
        T_CHECK(ok, "ids of the structure codes");
        if (t) {
            T_CHECK(vers_bpe_special_id(t, "<syl:12>") == VERS_BPE_N_SPECIAL + 11 && vers_bpe_special_id(t, "<rh:0>") == VERS_BPE_N_SPECIAL + 24 &&
                    vers_bpe_special_id(t, "<rh:other>") == VERS_BPE_N_SPECIAL + 280 && vers_bpe_special_id(t, "<stanza>") == VERS_BPE_N_SPECIAL + 281,
                    "spellings");
            T_CHECK(vers_bpe_special_id(t, "<syl:07>") < 0 && vers_bpe_special_id(t, "<syl:25>") < 0 && vers_bpe_special_id(t, "<rh:256>") < 0 &&
                    vers_bpe_special_id(t, "<syl:0>") < 0, "non-canonical spellings are not codes");
            int32_t *ids = NULL; size_t n = 0, cap = 0;
            vers_bpe_encode(t, "<syl:12>", 8, &ids, &n, &cap);
            int plain = 1;
            for (size_t i = 0; i < n; i++) plain &= vers_bpe_token_type(t, ids[i]) != 3;
            T_CHECK(plain, "ordinary text never becomes a structure code");
            free(ids);
            char path[512]; snprintf(path, sizeof path, "%s/struct.vtok", t_tmpdir());
            T_CHECK(vers_bpe_save(t, path, &err) == 0 && vers_bpe_load(path, &u, &err) == 0, "%s", err.msg);
            if (u) T_CHECK(vers_bpe_struct_id(u, VERS_STRUCT_STANZA) == vers_bpe_struct_id(t, VERS_STRUCT_STANZA) && vers_bpe_hash(u) == vers_bpe_hash(t), "after load");
        }
        vers_bpe_free(t); vers_bpe_free(u);
    }
    vers_bpe_free(b); vers_bpe_free(b2);
    free(bf); free(be); free(x.t); free(x.l);
    T_DONE();
}
