/* bench/write_seeds.c — poems for a list of seeds, back to back in one process, as
 * `vers serve` writes them (each seed's poem at index 0: the bytes `vers write --seed S`
 * prints).  bench/serve_load.py's baseline: the same poems the server wrote under load,
 * with the same options, so that the two poems-per-minute figures are of identical work.
 *
 *   build/bench/write_seeds -m MODEL [--lang L] [--form F] [--theme T] [-t THREADS] < SEEDS
 *
 * SEEDS: one seed a line.  Prints one line per seed: vers write --json's object, or
 * {"seed":S,"error":"..."} when no poem was found within the budget (vers serve's 422);
 * then on stderr "write_seeds: N seeds, P poems in T s (W s wall with reading the seeds)",
 * T the wall time of vers_write alone (the model loaded before, as the server's is). */
#include "vers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    const char *model = NULL;
    int threads = 0;
    vers_write_opts o = vers_write_default_opts();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) { fprintf(stderr, "write_seeds: %s needs a value\n", a); return 2; }
        if (!strcmp(a, "-m")) model = v;
        else if (!strcmp(a, "--lang")) o.lang = v;
        else if (!strcmp(a, "--form")) o.form = v;
        else if (!strcmp(a, "--theme")) o.theme = v;
        else if (!strcmp(a, "-t")) threads = atoi(v);
        else { fprintf(stderr, "write_seeds: unknown option %s (see the file's header)\n", a); return 2; }
        i++;
    }
    if (!model) { fprintf(stderr, "write_seeds: -m MODEL is required\n"); return 2; }
    vers_err err = {0};
    if (vers_write_validate(&o, &err)) { fprintf(stderr, "write_seeds: %s\n", err.msg); return 2; }
    vers_writer *w = NULL;
    if (vers_writer_open(model, threads, &w, &err)) { fprintf(stderr, "write_seeds: %s: %s\n", model, err.msg); return 2; }
    char line[64];
    long seeds = 0, poems = 0;
    double t0 = now(), busy = 0;
    while (fgets(line, sizeof line, stdin)) {
        char *end;
        unsigned long long s = strtoull(line, &end, 10);
        if (end == line) continue;
        o.seed = s;
        seeds++;
        vers_poem_out p;
        memset(&err, 0, sizeof err);
        double t = now();
        int rc = vers_write(w, &o, 0, &p, &err);
        char *js = NULL;
        size_t jl = 0;
        if (rc == VERS_OK) rc = vers_poem_json(&p, o.seed, 0, &js, &jl, &err);
        busy += now() - t;
        if (rc == VERS_OK) { fwrite(js, 1, jl, stdout); putchar('\n'); poems++; }
        else if (rc == VERS_EFAIL) printf("{\"seed\":%llu,\"error\":\"no poem within the budget\"}\n", s);
        else { fprintf(stderr, "write_seeds: seed %llu: %s\n", s, err.msg); free(js); vers_poem_out_free(&p); break; }
        fflush(stdout);
        free(js);
        vers_poem_out_free(&p);
    }
    fprintf(stderr, "write_seeds: %ld seeds, %ld poems in %.1f s (%.1f s wall with reading the seeds)\n", seeds, poems,
            busy, now() - t0);
    vers_writer_close(w);
    return 0;
}
