/* bench/copy_rate.c — does a model copy its training corpus?  (`make eval-model`, issue 6)
 *
 *   copy_rate [--json] [-v] [--min-words N] [--ngram N] --corpus FILE... POEMS.txt
 *
 * Two shares over generated poems:
 *   lines:   of the generated lines with at least --min-words words (default 3), the share
 *            whose normalised text is, verbatim, a whole line of some corpus document body;
 *   8-grams: of the poems' word 8-grams (runs of 8 consecutive words, within lines and
 *            across line and stanza breaks inside a poem), the share that occur anywhere in
 *            a corpus body (across its line breaks too; never across documents).
 * Normalised: lower case (ASCII, Latin-1, Latin Extended-A), every character that is not a
 * letter or digit (punctuation, apostrophes, quotes, dashes, spaces) a word break, so
 * "L’Aube, — douce !" is the words "l aube douce".  Counts are of occurrences (a line
 * generated twice counts twice), matched through 64-bit hashes of the normalised words.
 *
 * Memory does not grow with the corpus: the poems' lines and n-grams go into small hash
 * sets first, then the corpus is streamed once (one file in memory at a time) and every
 * corpus line and n-gram is looked up in them.
 *
 * POEMS.txt: when any line starts with '#', poems are separated by those lines (and blank
 * lines are stanza breaks inside a poem); otherwise poems are separated by blank lines
 * (the output of `vers write -n N`, where a poem with stanzas then counts as several).
 * Corpus files: the trainer's record format (headers are not text) or plain text.
 * Exit 0, or 2 on bad usage or unreadable input. */
#include "vers.h"
#include "util/utf8.h"
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- normalisation ---- */
static uint32_t cr_lower(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if (c == 0x178) return 0xFF;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    return c;
}
/* letters and digits: ASCII alphanumerics, Latin letters, and any other script; not the
 * Latin-1 symbols, general punctuation, arrows, CJK punctuation or replacement marks */
static int cr_is_word_char(uint32_t c) {
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c < 0xC0) return c == 0xAA || c == 0xB5 || c == 0xBA;
    if (c == 0xD7 || c == 0xF7) return 0;
    if (c >= 0x2000 && c <= 0x2BFF) return 0;
    if (c >= 0x3000 && c <= 0x303F) return 0;
    if (c >= 0xFE00 && c <= 0xFE6F) return 0;
    if (c >= 0xFF00 && c <= 0xFF20) return 0;
    if (c == 0xFFFD) return 0;
    return 1;
}
/* next code point of s[*i..n) (an invalid byte is U+FFFD, a non-letter) */
static uint32_t cr_next(const char *s, size_t n, size_t *i) {
    return utf8_next((const unsigned char *)s, n, i);
}

static uint64_t cr_mix(uint64_t z) {   /* splitmix64 finaliser */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL; z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
/* hash of a word sequence (a line, an n-gram) from its words' hashes */
static uint64_t cr_seq(const uint64_t *w, size_t n) {
    uint64_t h = 0x51ed270b27e5a1f3ULL ^ n;
    for (size_t i = 0; i < n; i++) h = cr_mix(h * 0x9e3779b97f4a7c15ULL + w[i]);
    return h;
}

/* Calls fn(word hash, start, end, ctx) for each word of s[0..n) (start/end: byte offsets of
 * the word in s, for showing it). */
static void cr_words(const char *s, size_t n, void (*fn)(uint64_t h, size_t a, size_t b, void *ctx), void *ctx) {
    size_t i = 0, start = 0;
    uint64_t h = 0; int in = 0;
    while (i < n) {
        size_t at = i;
        uint32_t c = cr_next(s, n, &i);
        if (cr_is_word_char(c)) {
            if (!in) { in = 1; h = 0xcbf29ce484222325ULL; start = at; }
            h = (h ^ cr_lower(c)) * 0x100000001b3ULL;   /* FNV-1a over code points */
        } else if (in) { in = 0; fn(cr_mix(h), start, at, ctx); }
    }
    if (in) fn(cr_mix(h), start, n, ctx);
}

/* ---- a set of 64-bit keys with a "seen in the corpus" flag ---- */
typedef struct { uint64_t *k; unsigned char *used, *hit; size_t cap, n; } cr_set;
static int cr_set_init(cr_set *s, size_t want) {
    size_t cap = 64;
    while (cap < 2 * want + 16) cap *= 2;
    s->k = calloc(cap, sizeof *s->k); s->used = calloc(cap, 1); s->hit = calloc(cap, 1);
    s->cap = cap; s->n = 0;
    return s->k && s->used && s->hit ? 0 : -1;
}
static void cr_set_free(cr_set *s) { free(s->k); free(s->used); free(s->hit); memset(s, 0, sizeof *s); }
/* slot of key (inserted when add), or -1 when absent */
static long cr_set_find(cr_set *s, uint64_t key, int add) {
    size_t m = s->cap - 1, i = (size_t)cr_mix(key) & m;
    while (s->used[i]) {
        if (s->k[i] == key) return (long)i;
        i = (i + 1) & m;
    }
    if (!add) return -1;
    s->used[i] = 1; s->k[i] = key; s->n++;
    return (long)i;
}

/* ---- the poems ---- */
typedef struct { const char *text; size_t len; int poem; int n_words; uint64_t key; } cr_line;
typedef struct { uint64_t h; size_t a, b; int poem; } cr_word;   /* a, b: offsets in the file */
typedef struct {
    const char *text; size_t len;
    cr_line *lines; size_t n_lines, cap_lines;
    cr_word *words; size_t n_words, cap_words;
    int n_poems;
} cr_poems;

typedef struct { cr_poems *p; size_t base; int n; uint64_t *hs; size_t cap; int fail; } cr_line_ctx;
static void cr_poem_word(uint64_t h, size_t a, size_t b, void *vctx) {
    cr_line_ctx *c = vctx;
    cr_poems *p = c->p;
    if (p->n_words == p->cap_words) {
        size_t nc = p->cap_words ? 2 * p->cap_words : 1024;
        cr_word *q = realloc(p->words, nc * sizeof *q);
        if (!q) { c->fail = 1; return; }
        p->words = q; p->cap_words = nc;
    }
    p->words[p->n_words++] = (cr_word){h, c->base + a, c->base + b, p->n_poems - 1};
    c->n++;
}

static int cr_poems_parse(const char *text, size_t len, cr_poems *p) {
    memset(p, 0, sizeof *p);
    p->text = text; p->len = len;
    int hash_sep = len && text[0] == '#';
    for (size_t i = 1; i < len && !hash_sep; i++) hash_sep = text[i] == '#' && text[i - 1] == '\n';
    int open = 0;   /* inside a poem */
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        const char *l = text + i; size_t ll = e - i;
        while (ll && (l[ll - 1] == '\r' || l[ll - 1] == ' ' || l[ll - 1] == '\t')) ll--;
        size_t lead = 0;
        while (lead < ll && (l[lead] == ' ' || l[lead] == '\t')) lead++;
        if (hash_sep && ll && l[0] == '#') open = 0;
        else if (lead == ll) { if (!hash_sep) open = 0; }
        else {
            if (!open) { p->n_poems++; open = 1; }
            if (p->n_lines == p->cap_lines) {
                size_t nc = p->cap_lines ? 2 * p->cap_lines : 256;
                cr_line *q = realloc(p->lines, nc * sizeof *q);
                if (!q) return -1;
                p->lines = q; p->cap_lines = nc;
            }
            size_t w0 = p->n_words;
            cr_line_ctx c = {p, i, 0, NULL, 0, 0};
            cr_words(l, ll, cr_poem_word, &c);
            if (c.fail) return -1;
            uint64_t *hs = malloc(((size_t)c.n + 1) * sizeof *hs);
            if (!hs) return -1;
            for (int k = 0; k < c.n; k++) hs[k] = p->words[w0 + (size_t)k].h;
            p->lines[p->n_lines++] = (cr_line){l, ll, p->n_poems - 1, c.n, cr_seq(hs, (size_t)c.n)};
            free(hs);
        }
        i = e + 1;
    }
    return 0;
}
static void cr_poems_free(cr_poems *p) { free(p->lines); free(p->words); memset(p, 0, sizeof *p); }

/* ---- result ---- */
typedef struct {
    int min_words, ngram;
    int corpus_files; long long corpus_docs, corpus_lines, corpus_words, corpus_ngrams;
    int poems; long long lines, lines_considered, lines_copied, ngrams, ngrams_copied;
    double seconds;
} cr_result;

typedef struct {
    cr_set *lines, *grams; int ngram;
    uint64_t ring[64]; long long n_in_doc;
    long long words, ngrams, nlines, docs;
    uint64_t line_w[4096]; int line_n; int line_over;
} cr_scan;

static void cr_corpus_word(uint64_t h, size_t a, size_t b, void *vctx) {
    (void)a; (void)b;
    cr_scan *s = vctx;
    s->words++;
    if (s->line_n < 4096) s->line_w[s->line_n++] = h; else s->line_over = 1;
    s->ring[s->n_in_doc % s->ngram] = h;
    s->n_in_doc++;
    if (s->n_in_doc >= s->ngram) {
        uint64_t w[64];
        for (int k = 0; k < s->ngram; k++) w[k] = s->ring[(s->n_in_doc - s->ngram + k) % s->ngram];
        s->ngrams++;
        long i = cr_set_find(s->grams, cr_seq(w, (size_t)s->ngram), 0);
        if (i >= 0) s->grams->hit[i] = 1;
    }
}

static int cr_corpus_doc(const vers_doc *d, void *vctx) {
    cr_scan *s = vctx;
    s->n_in_doc = 0;
    s->docs++;
    const char *p = d->body, *end = d->body + d->body_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        s->line_n = 0; s->line_over = 0;
        cr_words(p, (size_t)(e - p), cr_corpus_word, s);
        if (s->line_n) {
            s->nlines++;
            if (!s->line_over) {
                long i = cr_set_find(s->lines, cr_seq(s->line_w, (size_t)s->line_n), 0);
                if (i >= 0) s->lines->hit[i] = 1;
            }
        }
        p = e + 1;
    }
    return 0;
}

/* The whole measurement.  With a non-NULL `show`, the copied lines and n-grams are printed
 * there. */
static int copy_rate_compute(const char *const *corpus, int n_corpus, const char *poems_text, size_t poems_len,
                             int min_words, int ngram, FILE *show, cr_result *r, vers_err *err) {
    memset(r, 0, sizeof *r);
    r->min_words = min_words; r->ngram = ngram;
    if (ngram < 1 || ngram > 64) return vers_errorf(err, VERS_EINVAL, "n-gram length must be 1..64");
    cr_poems p;
    cr_set lines = {0}, grams = {0};
    int rc = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (cr_poems_parse(poems_text, poems_len, &p) || cr_set_init(&lines, p.n_lines) || cr_set_init(&grams, p.n_words)) {
        rc = vers_errorf(err, VERS_ENOMEM, "out of memory"); goto out;
    }
    r->poems = p.n_poems;
    for (size_t i = 0; i < p.n_lines; i++)
        if (p.lines[i].n_words >= min_words) cr_set_find(&lines, p.lines[i].key, 1);
    uint64_t w[64];
    for (size_t i = 0; i + (size_t)ngram <= p.n_words; i++) {
        if (p.words[i].poem != p.words[i + (size_t)ngram - 1].poem) continue;
        for (int k = 0; k < ngram; k++) w[k] = p.words[i + (size_t)k].h;
        cr_set_find(&grams, cr_seq(w, (size_t)ngram), 1);
    }
    cr_scan s = {.lines = &lines, .grams = &grams, .ngram = ngram};
    for (int f = 0; f < n_corpus; f++) {
        char *buf; size_t len;
        vers_err e2 = {0, ""};
        if ((rc = vers_corpus_read(corpus[f], &buf, &len, &e2))) { vers_errorf(err, rc, "%s", e2.msg); goto out; }
        e2.msg[0] = 0;
        rc = vers_corpus_parse(buf, len, cr_corpus_doc, &s, &e2);
        free(buf);
        if (rc) { vers_errorf(err, rc, "%s: %s", corpus[f], e2.msg); goto out; }
        r->corpus_files++;
    }
    r->corpus_docs = s.docs;
    r->corpus_lines = s.nlines; r->corpus_words = s.words; r->corpus_ngrams = s.ngrams;
    for (size_t i = 0; i < p.n_lines; i++) {
        r->lines++;
        if (p.lines[i].n_words < min_words) continue;
        r->lines_considered++;
        long k = cr_set_find(&lines, p.lines[i].key, 0);
        if (k >= 0 && lines.hit[k]) {
            r->lines_copied++;
            if (show) fprintf(show, "copied line (poem %d): %.*s\n", p.lines[i].poem + 1, (int)p.lines[i].len, p.lines[i].text);
        }
    }
    for (size_t i = 0; i + (size_t)ngram <= p.n_words; i++) {
        if (p.words[i].poem != p.words[i + (size_t)ngram - 1].poem) continue;
        r->ngrams++;
        for (int k = 0; k < ngram; k++) w[k] = p.words[i + (size_t)k].h;
        long k = cr_set_find(&grams, cr_seq(w, (size_t)ngram), 0);
        if (k >= 0 && grams.hit[k]) {
            r->ngrams_copied++;
            if (show) {
                fprintf(show, "copied %d-gram (poem %d): ", ngram, p.words[i].poem + 1);
                for (size_t c = p.words[i].a; c < p.words[i + (size_t)ngram - 1].b; c++)
                    if (poems_text[c] == '\n') fputs(" / ", show); else fputc(poems_text[c], show);
                fputc('\n', show);
            }
        }
    }
out:
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    cr_poems_free(&p); cr_set_free(&lines); cr_set_free(&grams);
    return rc;
}

#ifndef COPY_RATE_NO_MAIN
static void usage(FILE *f) {
    fprintf(f,
        "usage: copy_rate [--json] [-v] [--min-words N] [--ngram N] --corpus FILE... POEMS.txt\n"
        "  Share of the poems' lines (of N+ words, default 3) that are verbatim lines of the\n"
        "  corpus bodies, and share of their word 8-grams found anywhere in the corpus, after\n"
        "  normalising (lower case, punctuation and spaces collapsed to word breaks).\n"
        "  POEMS.txt: poems separated by lines starting with '#' when there are any, else by\n"
        "  blank lines.  -v lists the copied lines and n-grams on stderr.\n");
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, k;
    char *b = malloc(cap);
    while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) { char *q = realloc(b, 2 * cap); if (!q) { free(b); b = NULL; break; } b = q; cap *= 2; }
    }
    fclose(f);
    if (b) *len = n;
    return b;
}

int main(int argc, char **argv) {
    enum { O_JSON = 256, O_CORPUS, O_MINW, O_NGRAM };
    static const struct option opts[] = {
        {"json", no_argument, 0, O_JSON}, {"corpus", required_argument, 0, O_CORPUS},
        {"min-words", required_argument, 0, O_MINW}, {"ngram", required_argument, 0, O_NGRAM},
        {"verbose", no_argument, 0, 'v'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char **corpus = calloc((size_t)argc + 1, sizeof *corpus);
    int n_corpus = 0, json = 0, verbose = 0, min_words = 3, ngram = 8, c;
    if (!corpus) return 2;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case O_JSON: json = 1; break;
        case O_CORPUS: corpus[n_corpus++] = optarg; break;
        case O_MINW: min_words = atoi(optarg); if (min_words < 1) { fprintf(stderr, "copy_rate: bad --min-words\n"); return 2; } break;
        case O_NGRAM: ngram = atoi(optarg); if (ngram < 1 || ngram > 64) { fprintf(stderr, "copy_rate: --ngram must be 1..64\n"); return 2; } break;
        case 'v': verbose = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    /* --corpus A B C POEMS: every free argument but the last is a corpus file too */
    if (optind >= argc || (n_corpus == 0 && argc - optind < 2)) {
        fprintf(stderr, "copy_rate: give --corpus FILE... and the poems file (copy_rate --help)\n");
        return 2;
    }
    for (int i = optind; i < argc - 1; i++) corpus[n_corpus++] = argv[i];
    const char *poems_path = argv[argc - 1];
    size_t plen = 0;
    char *ptext = slurp(poems_path, &plen);
    if (!ptext) { fprintf(stderr, "copy_rate: %s: cannot read\n", poems_path); return 2; }
    cr_result r;
    vers_err err = {0, ""};
    int rc = copy_rate_compute(corpus, n_corpus, ptext, plen, min_words, ngram, verbose ? stderr : NULL, &r, &err);
    free(ptext);
    if (rc) { fprintf(stderr, "copy_rate: %s\n", err.msg); free(corpus); return 2; }
    double lr = r.lines_considered ? 100.0 * (double)r.lines_copied / (double)r.lines_considered : 0;
    double nr = r.ngrams ? 100.0 * (double)r.ngrams_copied / (double)r.ngrams : 0;
    if (json)
        printf("{\"corpus_files\":%d,\"corpus_docs\":%lld,\"corpus_lines\":%lld,\"corpus_words\":%lld,\"corpus_ngrams\":%lld,"
               "\"poems\":%d,\"lines\":%lld,\"min_words\":%d,\"lines_considered\":%lld,\"lines_copied\":%lld,"
               "\"line_copy_pct\":%.4f,\"ngram\":%d,\"ngrams\":%lld,\"ngrams_copied\":%lld,\"ngram_copy_pct\":%.4f,"
               "\"seconds\":%.2f}\n",
               r.corpus_files, r.corpus_docs, r.corpus_lines, r.corpus_words, r.corpus_ngrams, r.poems, r.lines, r.min_words,
               r.lines_considered, r.lines_copied, lr, r.ngram, r.ngrams, r.ngrams_copied, nr, r.seconds);
    else {
        printf("corpus: %d files, %lld documents, %lld lines, %lld words, %lld word %d-grams (%.1f s)\n", r.corpus_files, r.corpus_docs, r.corpus_lines,
               r.corpus_words, r.corpus_ngrams, r.ngram, r.seconds);
        printf("poems: %d, lines %lld (%lld of %d+ words)\n", r.poems, r.lines, r.lines_considered, r.min_words);
        printf("lines copied verbatim: %lld of %lld (%.2f%%)\n", r.lines_copied, r.lines_considered, lr);
        printf("%d-grams copied: %lld of %lld (%.2f%%)\n", r.ngram, r.ngrams_copied, r.ngrams, nr);
    }
    free(corpus);
    return 0;
}
#endif
