/* bench/bench_scheme.c — rhyme-scheme detection (src/prosody/scheme.c) on one huge stanza:
 * the case that was quadratic (issue 20: 400,000 lines in one stanza took 50 s).
 *
 *   build/bench/bench_scheme [N...]      (default: 100000 1000000)
 * For each N: N English lines in a single stanza whose last words are drawn by Zipf's law
 * from 5,000 words of data/cmudict.txt (32 built-in lines without it), scanned once, then
 * scheme_detect timed alone in CPU time of this thread, median of 3 runs, with its work
 * counter (steps per line: flat when the detection is linear).  Prints one line per N.
 * Then the worst case for its memo of rhyme scores: 100,000 lines whose last words are
 * all different (words of data/cmudict.txt; skipped without it).
 * Results go in docs/BENCHMARKS.md. */
#include "prosody/prosody_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *const words[] = {"night", "light", "day", "way", "sea", "free", "moon", "soon",
                                    "tree", "me", "fire", "desire", "heart", "apart", "rain", "again"};

/* Up to cap lines "the quiet night falls on the WORD", one per distinct word of the CMU
 * dictionary (data/cmudict.txt), scanned; returns how many (0 without the file). */
static long dict_lines(vers_prosody *p, vers_line *L, long cap) {
    FILE *f = fopen("data/cmudict.txt", "r");
    if (!f) return 0;
    long n = 0;
    char buf[256], prev[128] = "";
    while (n < cap && fgets(buf, sizeof buf, f)) {
        char w[128];
        if (buf[0] < 'a' || buf[0] > 'z' || sscanf(buf, "%127s", w) != 1 || strchr(w, '(') || !strcmp(w, prev)) continue;
        snprintf(prev, sizeof prev, "%s", w);
        char text[192];
        snprintf(text, sizeof text, "the quiet night falls on the %s", w);
        if (vers_scan_line(p, VERS_LANG_EN, text, strlen(text), 0, &L[n]) == 0 && L[n].last_word[0]) n++;
    }
    fclose(f);
    return n;
}

static double median3(const double *t) {
    double a = t[0], b = t[1], c = t[2];
    return a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
}

int main(int argc, char **argv) {
    vers_prosody *p = NULL;
    vers_err err = {0};
    if (vers_prosody_open(NULL, &p, &err)) { fprintf(stderr, "bench_scheme: %s\n", err.msg); return 2; }
    /* the vocabulary of endings: 5,000 dictionary words (else 32 built-in lines), drawn
     * with Zipf's law (weight 1/rank) as a long poem's rhyme words are: the common ones
     * return often, most words rarely */
    enum { VOCAB = 5000 };
    vers_line *base = malloc(sizeof *base * VOCAB);
    double *cum = malloc(sizeof *cum * VOCAB);
    if (!base || !cum) return 2;
    long nb = dict_lines(p, base, VOCAB);
    if (nb == 0) {
        for (int k = 0; k < 32; k++) {
            char text[128];
            snprintf(text, sizeof text, "the quiet %s falls on the %s", words[k / 2 % 16], words[(k * 7 + 3) % 16]);
            if (vers_scan_line(p, VERS_LANG_EN, text, strlen(text), 0, &base[k])) { fprintf(stderr, "bench_scheme: scan failed\n"); return 2; }
        }
        nb = 32;
    }
    /* shuffle the dictionary order (alphabetical neighbours would share endings) */
    unsigned x = 12345;
    for (long i = nb - 1; i > 0; i--) {
        x = x * 1103515245u + 12345u;
        long j = (long)((x >> 8) % (unsigned)(i + 1));
        vers_line t = base[i]; base[i] = base[j]; base[j] = t;
    }
    double total = 0;
    for (long k = 0; k < nb; k++) { total += 1.0 / (double)(k + 1); cum[k] = total; }
    long sizes[8] = {100000, 1000000};
    int n_sizes = 2;
    if (argc > 1) {
        n_sizes = 0;
        for (int a = 1; a < argc && n_sizes < 8; a++) sizes[n_sizes++] = atol(argv[a]);
    }
    printf("scheme_detect, one stanza, endings from %ld words (Zipf), CPU seconds of one thread (median of 3)\n", nb);
    for (int s = 0; s < n_sizes; s++) {
        long n = sizes[s];
        if (n <= 0 || n > 10000000) { fprintf(stderr, "bench_scheme: N from 1 to 10^7\n"); return 2; }
        vers_line *L = malloc(sizeof *L * (size_t)n);
        int *stanza = calloc((size_t)n, sizeof *stanza), *ids = malloc(sizeof *ids * (size_t)n);
        if (!L || !stanza || !ids) { fprintf(stderr, "bench_scheme: out of memory\n"); return 2; }
        for (long i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            double u = (double)(x >> 8) / 16777216.0 * total;
            long lo = 0, hi = nb - 1;                  /* first k with cum[k] >= u */
            while (lo < hi) { long mid = (lo + hi) / 2; if (cum[mid] >= u) hi = mid; else lo = mid + 1; }
            L[i] = base[lo];
        }
        double t[3];
        unsigned long long work = 0;
        int groups = 0;
        for (int r = 0; r < 3; r++) {
            unsigned long long w0 = scheme_detect_work;
            double t0 = now();
            groups = scheme_detect(p, L, stanza, (int)n, ids);
            t[r] = now() - t0;
            work = scheme_detect_work - w0;
            if (groups < 0) { fprintf(stderr, "bench_scheme: out of memory\n"); return 2; }
        }
        double med = median3(t);
        printf("%8ld lines: %.3f s  (%.2f us/line), %d rhyme groups, work %llu (%.1f per line)\n", n, med,
               1e6 * med / (double)n, groups, work, (double)work / (double)n);
        free(L); free(stanza); free(ids);
    }
    /* every ending distinct: nothing to reuse */
    long cap = 100000;
    vers_line *L = malloc(sizeof *L * (size_t)cap);
    long n = L ? dict_lines(p, L, cap) : 0;
    if (n > 0) {
        int *stanza = calloc((size_t)n, sizeof *stanza), *ids = malloc(sizeof *ids * (size_t)n);
        if (!stanza || !ids) return 2;
        unsigned long long w0 = scheme_detect_work;
        double t0 = now();
        int groups = scheme_detect(p, L, stanza, (int)n, ids);
        double t = now() - t0;
        printf("%8ld lines, every last word different: %.3f s  (%.2f us/line), %d rhyme groups, work %.1f per line\n",
               n, t, 1e6 * t / (double)n, groups, (double)(scheme_detect_work - w0) / (double)n);
        free(stanza); free(ids);
    }
    free(L); free(base); free(cum);
    vers_prosody_close(p);
    return 0;
}
