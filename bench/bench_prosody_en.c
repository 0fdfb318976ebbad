/* bench/bench_prosody_en.c — speed of the English prosody module (src/prosody/en_*.c).
 *
 *   build/bench/bench_prosody_en [FILE]
 * prints: dictionary load time (median of 9), en_scan_line throughput (lines/s on one
 * core, over FILE's non-empty lines repeated to ≥ 200k lines; default: the Browning
 * sonnets in ../shared, else built-in lines), en_word_syllables per call (the writer's
 * per-token question) and en_scan_meter throughput, and whole poems read as `vers check`
 * reads them (each line alone, the poem's metre, the lines again with it when the poem
 * rises or is in triple metre: FILE's lines as 14-line poems, and a built-in limerick),
 * then through vers_analyse (that reading plus rhyme scheme and form detection); all in
 * CPU time of one thread.  Results go in docs/BENCHMARKS.md. */
#include "prosody/en.h"
#include "vers/prosody.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU time of this thread: the machine is shared, and wall time would measure the others. */
static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *const limerick[] = {
    "There was a young lady from Crewe", "Who wanted to paint the sky blue;", "She climbed up a tree",
    "With a brush and a bee,", "And painted until it was through.",
};

/* Reads poem lines L[0..n) as analysis.c's scan_poem does for English; returns how many
 * lines were read twice. */
static int read_poem(const en_dict *d, const char *const *L, const size_t *len, int n, en_line *e) {
    for (int i = 0; i < n; i++) en_scan_line(d, L[i], len[i], 0, &e[i]);
    en_prior prior = {0};
    en_poem_metre(e, n, &prior);
    if (!prior.ternary && !prior.rising) return 0;
    for (int i = 0; i < n; i++) en_scan_line_prior(d, L[i], len[i], 0, &prior, &e[i]);
    for (int i = 0; i < n; i++) {   /* lines left a beat short by the rising prior */
        en_prior alt;
        en_line t;
        if (!en_poem_reread(&prior, &e[i], &alt)) continue;
        en_scan_line_prior(d, L[i], len[i], 0, &alt, &t);
        if (t.beats == prior.beats) e[i] = t;
    }
    return n;
}

/* Whole poems of `per` lines from lines[0..n), repeated to about 100k lines: µs per line of
 * the reading alone, and of vers_analyse on the same poems as text. */
static void bench_poems(const en_dict *d, const char *const *lines, const size_t *lens, size_t n, int per, const char *what) {
    en_line e[64];
    long read = 0, twice = 0, reps = 100000 / (long)n + 1;
    double a = now();
    for (long r = 0; r < reps; r++)
        for (size_t i = 0; i < n; i += (size_t)per) {
            int k = (int)(n - i < (size_t)per ? n - i : (size_t)per);
            twice += read_poem(d, lines + i, lens + i, k, e);
            read += k;
        }
    double el = now() - a;
    printf("whole poems (%s, %d lines each): %.2f us/line, %.0f%% of lines read twice\n", what, per,
           1e6 * el / (double)read, 100.0 * (double)twice / (double)read);
    vers_prosody *p = NULL;
    vers_err err = {0};
    if (vers_prosody_open(NULL, &p, &err) != VERS_OK) return;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) cap += lens[i] + 1;
    char *text = malloc(cap + 1);
    if (!text) { vers_prosody_close(p); return; }
    vers_analyse_opts o = {.lang = VERS_LANG_EN, .detect_form = 1};
    long done = 0;
    reps = 20000 / (long)n + 1;
    a = now();
    for (long r = 0; r < reps; r++)
        for (size_t i = 0; i < n; i += (size_t)per) {
            size_t at = 0;
            int k = (int)(n - i < (size_t)per ? n - i : (size_t)per);
            for (int j = 0; j < k; j++) { memcpy(text + at, lines[i + j], lens[i + j]); at += lens[i + j]; text[at++] = '\n'; }
            vers_analysis *an = NULL;
            if (vers_analyse(p, text, at, &o, &an, &err) == VERS_OK) { done += an->n_lines; vers_analysis_free(an); }
        }
    el = now() - a;
    printf("vers_analyse (%s): %.2f us/line\n", what, done ? 1e6 * el / (double)done : 0.0);
    free(text);
    vers_prosody_close(p);
}

static const char *const builtin[] = {
    "Shall I compare thee to a summer's day?", "Thou art more lovely and more temperate:",
    "Rough winds do shake the darling buds of May,", "And summer's lease hath all too short a date;",
    "Tyger! tyger! burning bright", "In the forests of the night,", "O Rose, thou art sick!",
    "The woods are lovely, dark and deep,", "But I have promises to keep,",
};

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "../shared/eval/browning/sonnets_from_the_portuguese.txt";
    /* load time */
    double t[9];
    en_dict *d = NULL;
    for (int r = 0; r < 9; r++) {
        vers_err err = {0};
        double a = now();
        if (en_dict_load(NULL, &d, &err) != VERS_OK) { fprintf(stderr, "load: %s\n", err.msg); return 1; }
        t[r] = now() - a;
        if (r < 8) en_dict_free(d);
    }
    qsort(t, 9, sizeof t[0], cmp_double);
    printf("dictionary: %s, %zu words, load %.3f ms (median of 9)\n",
           en_dict_path(d) ? en_dict_path(d) : "(none: guesser only)", en_dict_size(d), 1e3 * t[4]);

    /* lines */
    char *buf = NULL;
    size_t cap = 0, nlines = 0;
    const char **lines = NULL;
    FILE *f = fopen(path, "r");
    if (f) {
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        fseek(f, 0, SEEK_SET);
        if (sz > 0) {
            buf = malloc((size_t)sz + 1);
            if (buf && fread(buf, 1, (size_t)sz, f) == (size_t)sz) {
                buf[sz] = 0;
                for (char *p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) {
                    if (!*p || *p == '#') continue;
                    if (nlines == cap) { cap = cap ? 2 * cap : 1024; lines = realloc(lines, cap * sizeof *lines); }
                    if (!lines) return 1;
                    lines[nlines++] = p;
                }
            }
        }
        fclose(f);
    }
    if (nlines == 0) {
        path = "(built-in lines)";
        lines = (const char **)builtin;
        nlines = sizeof builtin / sizeof builtin[0];
    }
    size_t *lens = malloc(nlines * sizeof *lens);
    if (!lens) return 1;
    for (size_t i = 0; i < nlines; i++) lens[i] = strlen(lines[i]);
    long total = 0, reps = (long)(200000 / nlines) + 1;
    en_line out;
    double a = now();
    for (long r = 0; r < reps; r++)
        for (size_t i = 0; i < nlines; i++) { en_scan_line(d, lines[i], lens[i], 0, &out); total += out.syllables; }
    double el = now() - a;
    printf("en_scan_line: %ld lines of %s in %.3f s: %.0f lines/s, %.2f us/line (checksum %ld)\n",
           reps * (long)nlines, path, el, (double)(reps * (long)nlines) / el, 1e6 * el / (double)(reps * (long)nlines), total);
    a = now();
    total = 0;
    for (long r = 0; r < reps; r++)
        for (size_t i = 0; i < nlines; i++) { en_scan_meter(d, lines[i], lens[i], "-+-+-+-+-+", &out); total += out.syllables; }
    el = now() - a;
    printf("en_scan_meter (iambic pentameter template): %.0f lines/s, %.2f us/line\n",
           (double)(reps * (long)nlines) / el, 1e6 * el / (double)(reps * (long)nlines));

    bench_poems(d, lines, lens, nlines, 14, path);
    size_t ll[5];
    for (int i = 0; i < 5; i++) ll[i] = strlen(limerick[i]);
    bench_poems(d, limerick, ll, 5, 5, "a limerick, triple metre");

    /* per-word calls, as the writer makes them */
    static const char *const words[] = {"the", "beautiful", "heaven", "flower", "thee", "summer's",
                                        "o'er", "symmetry", "gloaming", "unlovely", "whispering", "night"};
    const int nw = sizeof words / sizeof words[0];
    size_t wl[sizeof words / sizeof words[0]];
    for (int i = 0; i < nw; i++) wl[i] = strlen(words[i]);
    long calls = 2000000, s = 0;
    a = now();
    for (long c = 0; c < calls; c++) { int mn, mx; s += en_word_syllables(d, words[c % nw], wl[c % nw], &mn, &mx); }
    el = now() - a;
    printf("en_word_syllables: %.0f ns/call (checksum %ld)\n", 1e9 * el / (double)calls, s);
    char key[48];
    a = now();
    for (long c = 0; c < calls / 4; c++) s += en_word_rhyme_key(d, words[c % nw], wl[c % nw], key, sizeof key, NULL);
    el = now() - a;
    printf("en_word_rhyme_key: %.0f ns/call (checksum %ld)\n", 1e9 * el / (double)(calls / 4), s);
    free(lens);
    if (lines != (const char **)builtin) free(lines);
    free(buf);
    en_dict_free(d);
    return 0;
}
