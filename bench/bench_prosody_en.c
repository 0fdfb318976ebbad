/* bench/bench_prosody_en.c — speed of the English prosody module (src/prosody/en_*.c).
 *
 *   build/bench/bench_prosody_en [FILE]
 * prints: dictionary load time (median of 9), en_scan_line throughput (lines/s on one
 * core, over FILE's non-empty lines repeated to ≥ 200k lines; default: the Browning
 * sonnets in ../shared, else built-in lines), en_word_syllables per call (the writer's
 * per-token question) and en_scan_meter throughput, all in CPU time of one thread.
 * Results go in docs/BENCHMARKS.md. */
#include "prosody/en.h"
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
