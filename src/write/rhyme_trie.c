/* src/write/rhyme_trie.c — the rhyme index: every word the model can spell that may end a
 * verse line, as a token path, with its syllables, gender and rhyme class.
 *
 * Words come from the system word list of the language (Debian's wamerican / wfrench; the
 * model's own whole-word tokens when there is none).  Each is tokenized as " word" (the way it follows
 * another word), scanned by the prosody oracle as a one-word line (its line-final count,
 * gender and rhyme key), and grouped with the words of equal rhyme key.  Inside a class the
 * words are sorted by token path, so the words sharing a prefix are a contiguous range: the
 * writer walks that implicit trie token by token.  Building costs a second or two for a big
 * word list, so the index — with the language's lexicon (lexicon.c) — is cached under
 * $XDG_CACHE_HOME/vers (or ~/.cache/vers), one file per language and tokenizer, keyed by a
 * checksum of the tokenizer, the language, the word list, the build's checksum of the code and
 * lists the index is made from (wr_index_code_id) and the oracle's answers on probe words
 * (the dictionary read at run time). */
#include "write/wr.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_WORD_TOKENS 5
#define MAX_WORD_SYL 4
#define MAX_WORD_BYTES 32

typedef struct cand {
    char word[MAX_WORD_BYTES];
    char key[48];
    int toks[MAX_WORD_TOKENS];
    int n_tok, syl, gender, vi;
} cand;

extern const unsigned long long wr_index_code_id;   /* build/gen/index_code_id.c */

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *u = p;
    for (size_t i = 0; i < n; i++) h = (h ^ u[i]) * 0x100000001b3ull;
    return h;
}

int wr_cache_dir(char *buf, size_t cap) {
    const char *x = getenv("XDG_CACHE_HOME");
    int n;
    if (x && *x) n = snprintf(buf, cap, "%s/vers", x);
    else {
        const char *home = getenv("HOME");
        if (!home || !*home) return -1;
        n = snprintf(buf, cap, "%s/.cache/vers", home);
    }
    return (n > 0 && (size_t)n < cap) ? 0 : -1;
}

const char *wr_default_wordlist(int lang) {
    const char *env = getenv(lang == WR_LANG_FR ? "VERS_WORDS_FR" : "VERS_WORDS_EN");
    if (env && *env) return access(env, R_OK) == 0 ? env : NULL;
    const char *p = lang == WR_LANG_FR ? "/usr/share/dict/french" : "/usr/share/dict/american-english";
    return access(p, R_OK) == 0 ? p : NULL;
}

/* Function words end a line badly ("saw an", "went to"): never rhyme words. */
static const char *const STOP_EN[] = {
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "as", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "has", "have",
    "had", "it", "its", "you", "he", "she", "we", "they", "him", "her", "us", "them", "my", "your",
    "his", "our", "their", "this", "that", "these", "those", "not", "if", "than", "then", "when",
    "who", "whom", "which", "what", "can", "could", "would", "should", "will", "shall", "may",
    "might", "must", "into", "onto", "upon", "s", "t", "ll", "ve", "re", "d", "o", "y", "mr", "mrs",
    "st", "etc", "isn", "didn", "doesn", "wasn", "aren", "don", "won", "shan", "hadn", "hasn", NULL};
static const char *const STOP_FR[] = {
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "mais", "ni", "car", "donc", "au",
    "aux", "en", "dans", "par", "pour", "sur", "sous", "avec", "sans", "chez", "ce", "cet", "cette",
    "ces", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos",
    "leur", "leurs", "je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "me", "te", "se",
    "ne", "que", "qui", "dont", "est", "sont", "suis", "es", "ai", "as", "ont", "lui", "quel",
    "quelle", "quels", "quelles", "y", "a", "o", NULL};

int wr_is_stop_word(const char *w, int len, int lang) {
    for (const char *const *s = lang == WR_LANG_FR ? STOP_FR : STOP_EN; *s; s++)
        if ((int)strlen(*s) == len && !memcmp(*s, w, (size_t)len)) return 1;
    return 0;
}

/* A word fit to end a line: lower-case letters only (an inner hyphen or apostrophe is not
 * taken: they make poor rhyme words and odd token paths), not a function word. */
static int good_word(const char *w, int len, int lang) {
    if (len < 1 || len >= MAX_WORD_BYTES || wr_is_stop_word(w, len, lang) || wr_is_blocked_word(w, len)) return 0;
    int letters = 0;
    for (int i = 0; i < len;) {
        int adv; uint32_t c = wr_utf8_next(w + i, len - i, &adv);
        if (adv <= 0 || c == 0xFFFD) return 0;
        if (!wr_is_letter(c) || wr_lower(c) != c) return 0;
        letters++;
        i += adv;
    }
    return letters >= 2;
}

/* Tokens of " word" whose bytes spell exactly " word", or 0. */
static int word_tokens(const wr_lm *lm, const wr_tokens *tt, const char *w, int len, int *out) {
    char buf[MAX_WORD_BYTES + 2];
    buf[0] = ' '; memcpy(buf + 1, w, (size_t)len);
    int tries[2][2] = {{0, len + 1}, {1, len}};
    for (int k = 0; k < 2; k++) {
        int tmp[16];
        int n = lm->tokenize(lm->ud, buf + tries[k][0], tries[k][1], tmp, 16);
        if (n <= 0 || n > MAX_WORD_TOKENS) continue;
        char got[64]; int gl = 0, ok = 1;
        for (int i = 0; i < n && ok; i++) {
            int t = tmp[i];
            if (t < 0 || t >= tt->n || tt->info[t].kind != WR_TOK_WORD) { ok = 0; break; }
            if (i > 0 && tt->info[t].lead_space) { ok = 0; break; }
            int nb = tt->info[t].n_bytes;
            if (gl + nb > (int)sizeof got) { ok = 0; break; }
            memcpy(got + gl, wr_tok_text(tt, t), (size_t)nb); gl += nb;
        }
        if (ok && gl == len + 1 && !memcmp(got, buf, (size_t)len + 1)) {
            memcpy(out, tmp, sizeof(int) * (size_t)n);
            return n;
        }
    }
    return 0;
}

static int scan_word(const wr_oracle *or, const char *w, int len, cand *c) {
    wr_scan s;
    if (or->scan(or->ud, w, len, 0, &s) != VERS_OK) return 0;
    if (s.syl < 1 || s.syl > MAX_WORD_SYL || !s.rhyme_key[0]) return 0;
    c->syl = s.syl; c->gender = s.gender;
    snprintf(c->key, sizeof c->key, "%s", s.rhyme_key);
    int adv; uint32_t f = wr_lower(wr_utf8_next(w, len, &adv));
    c->vi = wr_is_vowel(f, or->lang);
    if (f == 'h' && or->lang == WR_LANG_FR) {
        /* mute or aspirated h: does a mute e before it elide? */
        char line[MAX_WORD_BYTES + 16]; wr_scan a;
        int n = snprintf(line, sizeof line, "belle %.*s", len, w);
        if (or->scan(or->ud, line, n, 0, &a) == VERS_OK && a.syl == s.syl + 1) c->vi = 1;
    }
    return 1;
}

static int cand_cmp(const void *pa, const void *pb) {
    const cand *a = pa, *b = pb;
    int k = strcmp(a->key, b->key);
    if (k) return k;
    for (int i = 0; i < a->n_tok && i < b->n_tok; i++)
        if (a->toks[i] != b->toks[i]) return a->toks[i] < b->toks[i] ? -1 : 1;
    if (a->n_tok != b->n_tok) return a->n_tok - b->n_tok;
    return strcmp(a->word, b->word);
}

/* ---- word set (open addressing on the word text) ------------------------------------------ */
typedef struct wset { char (*w)[MAX_WORD_BYTES]; size_t cap, n; } wset;

static int wset_add(wset *s, const char *w, int len) {
    if ((s->n + 1) * 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 4096;
        char (*nw)[MAX_WORD_BYTES] = calloc(nc, MAX_WORD_BYTES);
        if (!nw) return -1;
        for (size_t i = 0; i < s->cap; i++) if (s->w[i][0]) {
            uint64_t h = fnv(0xcbf29ce484222325ull, s->w[i], strlen(s->w[i]));
            size_t j = h & (nc - 1);
            while (nw[j][0]) j = (j + 1) & (nc - 1);
            memcpy(nw[j], s->w[i], MAX_WORD_BYTES);
        }
        free(s->w); s->w = nw; s->cap = nc;
    }
    uint64_t h = fnv(0xcbf29ce484222325ull, w, (size_t)len);
    size_t j = h & (s->cap - 1);
    while (s->w[j][0]) {
        if ((int)strlen(s->w[j]) == len && !memcmp(s->w[j], w, (size_t)len)) return 0;
        j = (j + 1) & (s->cap - 1);
    }
    memcpy(s->w[j], w, (size_t)len); s->w[j][len] = 0;
    s->n++;
    return 1;
}

/* ---- cache -------------------------------------------------------------------------------- */
/* File: magic, key (what the index was built from), payload length, payload checksum, payload.
 * The payload is checked whole before it is parsed, and every count and offset in it is
 * checked again while parsing: any mismatch means "rebuild", never a crash. */
#define CACHE_MAGIC "VRSRHY09"

typedef struct buf { unsigned char *p; size_t n, cap; int bad; } buf;

static void put(buf *b, const void *src, size_t n) {
    if (b->bad) return;
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 1 << 16;
        while (nc < b->n + n) nc *= 2;
        unsigned char *np = realloc(b->p, nc);
        if (!np) { b->bad = 1; return; }
        b->p = np; b->cap = nc;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

/* 8 bytes per step: checks a payload of megabytes in about a millisecond */
static uint64_t payload_sum(const unsigned char *p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v; memcpy(&v, p + i, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdull; h ^= h >> 29;
    }
    for (; i < n; i++) { h = (h ^ p[i]) * 0x100000001b3ull; }
    h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53ull; h ^= h >> 33;
    return h;
}

static int cache_save(const wr_rhyme_index *ix, const char *path, uint64_t key) {
    buf b = {0};
    uint32_t hdr[4] = {(uint32_t)ix->n_words, (uint32_t)ix->n_cls, (uint32_t)ix->text_len, (uint32_t)ix->n_toks};
    put(&b, hdr, sizeof hdr);
    for (int i = 0; i < ix->n_words; i++) {
        const wr_word *w = &ix->words[i];
        uint32_t rec[4] = {w->text_off, w->tok_off,
                           (uint32_t)w->n_tok | (uint32_t)w->syl << 8 | (uint32_t)w->gender << 16 | (uint32_t)w->vowel_initial << 24,
                           (uint32_t)w->cls};
        put(&b, rec, sizeof rec);
    }
    put(&b, ix->cls_start, 4 * ((size_t)ix->n_cls + 1));
    put(&b, ix->cls_key, 4 * (size_t)ix->n_cls);
    put(&b, ix->text, ix->text_len);
    put(&b, ix->toks, 4 * ix->n_toks);
    uint64_t ll = ix->lex.n ? ix->lex.len : 0;
    put(&b, &ll, 8);
    if (ll) put(&b, ix->lex.text, ll);
    if (b.bad) { free(b.p); return -1; }
    uint64_t head[2] = {b.n, payload_sum(b.p, b.n)};
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) { free(b.p); return -1; }
    int ok = fwrite(CACHE_MAGIC, 1, 8, f) == 8 && fwrite(&key, 8, 1, f) == 1 && fwrite(head, 8, 2, f) == 2 &&
             fwrite(b.p, 1, b.n, f) == b.n;
    free(b.p);
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) { unlink(tmp); return -1; }
    return 0;
}

typedef struct rd { const unsigned char *p; size_t n, at; } rd;
static int take(rd *r, void *dst, size_t n) {
    if (n > r->n - r->at) return -1;
    memcpy(dst, r->p + r->at, n);
    r->at += n;
    return 0;
}

static int cache_parse(wr_rhyme_index *ix, rd *r, int n_vocab, int lang) {
    uint32_t hdr[4];
    if (take(r, hdr, sizeof hdr)) return -1;
    if (hdr[0] > (1u << 24) || hdr[1] > hdr[0] + 1 || hdr[2] > (1u << 28) || hdr[3] > (1u << 26) || hdr[2] == 0) return -1;
    ix->n_words = (int)hdr[0]; ix->n_cls = (int)hdr[1]; ix->text_len = hdr[2]; ix->n_toks = hdr[3];
    ix->words = calloc((size_t)ix->n_words + 1, sizeof *ix->words);
    ix->cls_start = calloc((size_t)ix->n_cls + 1, sizeof *ix->cls_start);
    ix->cls_key = calloc((size_t)ix->n_cls + 1, sizeof *ix->cls_key);
    ix->text = malloc(ix->text_len + 1);
    ix->toks = malloc(sizeof *ix->toks * (ix->n_toks + 1));
    if (!ix->words || !ix->cls_start || !ix->cls_key || !ix->text || !ix->toks) return -1;
    for (int i = 0; i < ix->n_words; i++) {
        uint32_t rec[4];
        if (take(r, rec, sizeof rec)) return -1;
        wr_word *w = &ix->words[i];
        w->text_off = rec[0]; w->tok_off = rec[1];
        w->n_tok = rec[2] & 0xFF; w->syl = (rec[2] >> 8) & 0xFF; w->gender = (rec[2] >> 16) & 0xFF;
        w->vowel_initial = (rec[2] >> 24) & 0xFF; w->cls = (int32_t)rec[3];
        if (w->text_off >= ix->text_len || w->n_tok < 1 || w->n_tok > MAX_WORD_TOKENS ||
            (size_t)w->tok_off + w->n_tok > ix->n_toks || w->cls < 0 || w->cls >= ix->n_cls) return -1;
    }
    if (take(r, ix->cls_start, 4 * ((size_t)ix->n_cls + 1)) || take(r, ix->cls_key, 4 * (size_t)ix->n_cls) ||
        take(r, ix->text, ix->text_len) || take(r, ix->toks, 4 * ix->n_toks)) return -1;
    if (ix->text[ix->text_len - 1] != 0) return -1;
    if (ix->cls_start[0] != 0 || ix->cls_start[ix->n_cls] != ix->n_words) return -1;
    for (int c = 0; c < ix->n_cls; c++) {
        if (ix->cls_start[c] > ix->cls_start[c + 1] || ix->cls_key[c] >= ix->text_len) return -1;
        for (int i = ix->cls_start[c]; i < ix->cls_start[c + 1]; i++) if (ix->words[i].cls != c) return -1;
    }
    for (size_t i = 0; i < ix->n_toks; i++) if (ix->toks[i] < 0 || ix->toks[i] >= n_vocab) return -1;
    uint64_t ll;
    if (take(r, &ll, 8) || ll > (1u << 28)) return -1;
    if (ll) {
        ix->lex.lang = lang;
        ix->lex.len = (size_t)ll;
        if (!(ix->lex.text = malloc(ix->lex.len + 1)) || take(r, ix->lex.text, ix->lex.len)) return -1;
        if (wr_lexicon_index(&ix->lex) < 0) return -1;        /* checks it is sorted and terminated */
    }
    return r->at == r->n ? 0 : -1;
}

static int cache_load(wr_rhyme_index *ix, const char *path, uint64_t key, int n_vocab, int lang) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char magic[8]; uint64_t k, head[2];
    unsigned char *p = NULL;
    int ok = fread(magic, 1, 8, f) == 8 && !memcmp(magic, CACHE_MAGIC, 8) &&
             fread(&k, 8, 1, f) == 1 && k == key && fread(head, 8, 2, f) == 2 && head[0] < (1ull << 30);
    if (ok) ok = (p = malloc(head[0] + 1)) != NULL && fread(p, 1, head[0], f) == head[0] && fgetc(f) == EOF &&
                 payload_sum(p, head[0]) == head[1];
    fclose(f);
    if (ok) {
        rd r = {p, head[0], 0};
        ok = cache_parse(ix, &r, n_vocab, lang) == 0;
    }
    free(p);
    if (!ok) { wr_rhyme_index_free(ix); return -1; }
    ix->from_cache = 1;
    return 0;
}

static uint64_t index_key(const wr_tokens *tt, const wr_oracle *or, const char *wordlist, const wr_lexicon *common) {
    uint64_t h = fnv(0xcbf29ce484222325ull, &tt->checksum, 8);
    if (common && common->n) h = fnv(h, common->text, common->len);
    /* what the lexicon and the rhyme words keep from a word list changes with the code: the
     * build's checksum of the prosody, the word rules and the lists (the Makefile's INDEX_CODE) */
    h = fnv(h, &wr_index_code_id, sizeof wr_index_code_id);
    h = fnv(h, &or->lang, sizeof or->lang);
    if (wordlist) {
        struct stat st;
        h = fnv(h, wordlist, strlen(wordlist));
        if (stat(wordlist, &st) == 0) {
            int64_t sz = (int64_t)st.st_size, mt = (int64_t)st.st_mtime;
            h = fnv(h, &sz, 8); h = fnv(h, &mt, 8);
        }
    }
    /* the oracle's answers on a few words: a change in prosody invalidates the cache */
    static const char *probe[] = {"love", "fire", "sea", "evening", "heaven", "mer", "rivage",
                                  "soleil", "aimée", "nation", "hier", "ombre", "roses", "étaient",
                                  "index", "clam", "hymen", "patient"};
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++) {
        wr_scan s; memset(&s, 0, sizeof s);
        if (or->scan(or->ud, probe[i], (int)strlen(probe[i]), 0, &s) == VERS_OK) {
            int v[2] = {s.syl, s.gender};
            h = fnv(h, v, sizeof v);
            h = fnv(h, s.rhyme_key, strlen(s.rhyme_key));
        }
    }
    return h;
}

int wr_rhyme_class_find(const wr_rhyme_index *ix, const char *key) {
    int lo = 0, hi = ix->n_cls - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int k = strcmp(ix->text + ix->cls_key[mid], key);
        if (!k) return mid;
        if (k < 0) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

void wr_rhyme_index_free(wr_rhyme_index *ix) {
    free(ix->words); free(ix->cls_start); free(ix->cls_key); free(ix->text); free(ix->toks);
    wr_lexicon_free(&ix->lex);
    memset(ix, 0, sizeof *ix);
}

/* Rhyme-word candidates: the words a reader knows (common) when given; else the word list's
 * words, or without one the model's whole-word tokens. */
static int collect(wset *set, const wr_tokens *tt, const char *wordlist, const wr_lexicon *common, int lang) {
    if (common && common->n) {
        for (uint32_t i = 0; i < common->n; i++) {
            const char *w = common->text + common->sorted[i];
            int len = (int)strlen(w);
            if (good_word(w, len, lang) && wset_add(set, w, len) < 0) return -1;
        }
        return 0;
    }
    FILE *f = wordlist ? fopen(wordlist, "r") : NULL;
    if (!f) {
        for (int t = 0; t < tt->n; t++) {
            const wr_tokinfo *ti = &tt->info[t];
            if (ti->kind != WR_TOK_WORD || !ti->lead_space || ti->u8_in || ti->u8_out) continue;
            const char *w = wr_tok_text(tt, t) + 1;
            int len = ti->n_bytes - 1;
            if (good_word(w, len, lang) && wset_add(set, w, len) < 0) return -1;
        }
        return 0;
    }
    char line[256];
    while (fgets(line, sizeof line, f)) {
        int len = (int)strcspn(line, "\r\n");
        if (good_word(line, len, lang) && wset_add(set, line, len) < 0) { fclose(f); return -1; }
    }
    fclose(f);
    return 0;
}

int wr_rhyme_index_build(wr_rhyme_index *ix, const wr_lm *lm, const wr_tokens *tt,
                         const wr_oracle *or, const char *wordlist, const wr_lexicon *common,
                         const char *cache_dir, vers_err *err) {
    memset(ix, 0, sizeof *ix);
    uint64_t key = index_key(tt, or, wordlist, common);
    char path[1100] = "";
    if (cache_dir) {
        snprintf(path, sizeof path, "%s/rhyme-%s-%016llx.bin", cache_dir,
                 or->lang == WR_LANG_FR ? "fr" : "en", (unsigned long long)key);
        if (cache_load(ix, path, key, tt->n, or->lang) == 0) return VERS_OK;
    }
    wset set = {0};
    /* the lexicon is the word list of this language only: a French poem takes no English
     * words, an English one no French */
    if (wordlist && wr_lexicon_load_list(&ix->lex, wordlist, or->lang) < 0) {
        wr_rhyme_index_free(ix);
        return vers_errorf(err, VERS_EIO, "%s: cannot read the word list", wordlist);
    }
    if (wordlist && wr_lexicon_drop_foreign(&ix->lex, or->lang) < 0) {
        wr_rhyme_index_free(ix);
        return vers_errorf(err, VERS_ENOMEM, "out of memory");
    }
    if (collect(&set, tt, wordlist, common, or->lang) < 0) {
        free(set.w); wr_rhyme_index_free(ix);
        return vers_errorf(err, VERS_ENOMEM, "out of memory");
    }
    cand *cs = malloc(sizeof *cs * (set.n + 1));
    if (!cs) { free(set.w); wr_rhyme_index_free(ix); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    size_t nc = 0;
    for (size_t i = 0; i < set.cap; i++) {
        if (!set.w[i][0]) continue;
        cand *c = &cs[nc];
        memset(c, 0, sizeof *c);
        int len = (int)strlen(set.w[i]);
        memcpy(c->word, set.w[i], (size_t)len + 1);
        c->n_tok = word_tokens(lm, tt, c->word, len, c->toks);
        if (!c->n_tok || !scan_word(or, c->word, len, c)) continue;
        nc++;
    }
    free(set.w);
    qsort(cs, nc, sizeof *cs, cand_cmp);
    size_t text_cap = 1;
    int n_cls = 0;
    for (size_t i = 0; i < nc; i++) {
        text_cap += strlen(cs[i].word) + 1;
        if (i == 0 || strcmp(cs[i].key, cs[i - 1].key)) { n_cls++; text_cap += strlen(cs[i].key) + 1; }
    }
    ix->words = calloc(nc + 1, sizeof *ix->words);
    ix->cls_start = calloc((size_t)n_cls + 1, sizeof *ix->cls_start);
    ix->cls_key = calloc((size_t)n_cls + 1, sizeof *ix->cls_key);
    ix->text = malloc(text_cap);
    ix->toks = malloc(sizeof *ix->toks * (nc * MAX_WORD_TOKENS + 1));
    if (!ix->words || !ix->cls_start || !ix->cls_key || !ix->text || !ix->toks) {
        free(cs); wr_rhyme_index_free(ix);
        return vers_errorf(err, VERS_ENOMEM, "out of memory");
    }
    size_t tl = 0, tk = 0;
    int c = -1;
    for (size_t i = 0; i < nc; i++) {
        if (i == 0 || strcmp(cs[i].key, cs[i - 1].key)) {
            c++;
            ix->cls_start[c] = (int32_t)i;
            ix->cls_key[c] = (uint32_t)tl;
            size_t kl = strlen(cs[i].key) + 1;
            memcpy(ix->text + tl, cs[i].key, kl); tl += kl;
        }
        wr_word *w = &ix->words[i];
        size_t wl = strlen(cs[i].word) + 1;
        w->text_off = (uint32_t)tl;
        memcpy(ix->text + tl, cs[i].word, wl); tl += wl;
        w->tok_off = (uint32_t)tk;
        w->n_tok = (uint8_t)cs[i].n_tok;
        memcpy(ix->toks + tk, cs[i].toks, sizeof(int) * (size_t)cs[i].n_tok); tk += (size_t)cs[i].n_tok;
        w->syl = (uint8_t)cs[i].syl; w->gender = (uint8_t)cs[i].gender;
        w->vowel_initial = (uint8_t)cs[i].vi; w->cls = c;
    }
    ix->n_words = (int)nc; ix->n_cls = n_cls;
    ix->cls_start[n_cls] = (int32_t)nc;
    if (tl == 0) ix->text[tl++] = 0;
    ix->text_len = tl; ix->n_toks = tk;
    free(cs);
    if (ix->n_words == 0) {
        wr_rhyme_index_free(ix);
        return vers_errorf(err, VERS_EUNSUPPORTED, "no rhyme words can be spelled with this model's tokens");
    }
    if (cache_dir) {
        if (mkdir(cache_dir, 0755) != 0 && errno == ENOENT) {
            char parent[1100]; snprintf(parent, sizeof parent, "%s", cache_dir);
            char *sl = strrchr(parent, '/');
            if (sl) { *sl = 0; mkdir(parent, 0755); mkdir(cache_dir, 0755); }
        }
        cache_save(ix, path, key);                  /* a cache we cannot write is not an error */
    }
    return VERS_OK;
}
