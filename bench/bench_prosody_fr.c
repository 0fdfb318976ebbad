/* bench/bench_prosody_fr.c — speed of the French versification module (one core).
 *
 *   build/bench/bench_prosody_fr [FILE]
 *
 * Scans verse lines with fr_scan_line (syllables, gender, rhyme key, caesura, hiatus),
 * and times what the writer calls per candidate token: fr_count_prefix on a growing line
 * prefix, and fr_rhyme_quality between two scanned lines.  FILE (one verse per line,
 * e.g. a poem) replaces the built-in lines.  Prints lines per second and microseconds per
 * call; the issue asks for at least 20,000 lines per second. */
#include "prosody/fr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const builtin[] = {   /* public-domain verse (Lamartine, Hugo, Baudelaire) */
    "Ainsi, toujours poussés vers de nouveaux rivages,",
    "Dans la nuit éternelle emportés sans retour,",
    "Ne pourrons-nous jamais sur l'océan des âges",
    "Jeter l'ancre un seul jour ?",
    "Demain, dès l'aube, à l'heure où blanchit la campagne,",
    "Je partirai. Vois-tu, je sais que tu m'attends.",
    "J'irai par la forêt, j'irai par la montagne.",
    "Je ne puis demeurer loin de toi plus longtemps.",
    "Homme libre, toujours tu chériras la mer !",
    "La mer est ton miroir ; tu contemples ton âme",
    "Dans le déroulement infini de sa lame,",
    "Et ton esprit n'est pas un gouffre moins amer.",
    "Souvent, pour s'amuser, les hommes d'équipage",
    "Prennent des albatros, vastes oiseaux des mers,",
    "Qui suivent, indolents compagnons de voyage,",
    "Le navire glissant sur les gouffres amers.",
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    const char **lines = (const char **)builtin;
    int n = (int)(sizeof builtin / sizeof *builtin);
    char *buf = NULL;
    if (argc > 1) {
        FILE *f = fopen(argv[1], "rb");
        if (!f) { fprintf(stderr, "bench_prosody_fr: %s: cannot open\n", argv[1]); return 2; }
        fseek(f, 0, SEEK_END); long sz = ftell(f); fseek(f, 0, SEEK_SET);
        if (sz <= 0 || sz > (1L << 28)) { fclose(f); fprintf(stderr, "bench_prosody_fr: %s: bad size\n", argv[1]); return 2; }
        buf = malloc((size_t)sz + 1);
        const char **ls = malloc(sizeof *ls * ((size_t)sz / 2 + 2));
        if (!buf || !ls || fread(buf, 1, (size_t)sz, f) != (size_t)sz) { fclose(f); fprintf(stderr, "bench_prosody_fr: read failed\n"); return 2; }
        fclose(f);
        buf[sz] = 0;
        n = 0;
        for (char *p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) if (*p) ls[n++] = p;
        lines = ls;
        if (n == 0) { fprintf(stderr, "bench_prosody_fr: no lines\n"); return 2; }
    }

    /* 1. whole lines */
    long calls = 0; long checksum = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < n; i++) {
            fr_line l;
            fr_scan_line(lines[i], strlen(lines[i]), 12, &l);
            checksum += l.syllables + l.rhyme_key[0];
            calls++;
        }
        t = now() - t0;
    } while (t < 1.0);
    printf("fr_scan_line:      %10.0f lines/s   %6.2f us/line   (%d distinct lines, checksum %ld)\n",
           calls / t, 1e6 * t / calls, n, checksum);

    /* 2. prefixes as the writer grows a line, one byte boundary at a time */
    calls = 0; t0 = now();
    do {
        for (int i = 0; i < n; i++) {
            size_t len = strlen(lines[i]);
            for (size_t k = 1; k <= len; k += 4) {
                int d, mn, mx, pe;
                fr_count_prefix(lines[i], k, &d, &mn, &mx, &pe);
                checksum += d + pe;
                calls++;
            }
        }
        t = now() - t0;
    } while (t < 1.0);
    printf("fr_count_prefix:   %10.0f calls/s   %6.2f us/call\n", calls / t, 1e6 * t / calls);

    /* 3. rhyme quality between scanned lines */
    fr_line *sc = malloc(sizeof *sc * (size_t)n);
    if (!sc) return 2;
    for (int i = 0; i < n; i++) fr_scan_line(lines[i], strlen(lines[i]), 0, &sc[i]);
    calls = 0; t0 = now();
    do {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) { checksum += fr_rhyme_quality(&sc[i], &sc[j]); calls++; }
        t = now() - t0;
    } while (t < 1.0);
    printf("fr_rhyme_quality:  %10.0f pairs/s   %6.2f us/pair   (checksum %ld)\n", calls / t, 1e6 * t / calls, checksum);
    free(sc);
    if (buf) { free(buf); free((void *)lines); }
    return 0;
}
