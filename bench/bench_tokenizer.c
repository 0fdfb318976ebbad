/* bench/bench_tokenizer.c — tokenizer speed: time to build a tokenizer from a GGUF file and
 * tokenization throughput on a text file.
 *
 *   build/bench/bench_tokenizer MODEL.gguf TEXT [MAX_BYTES]
 *
 * Prints: load ms (best of 5: open GGUF + build hash tables + pieces), then tokenizing the
 * text line by line (the whole file, or its first MAX_BYTES): MB/s and tokens/s (best of 3),
 * and the tokens per byte.  One thread; times are the thread's CPU time. */
#include "vers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);   /* CPU time: steady on a busy machine */
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_tokenizer MODEL.gguf TEXT [MAX_BYTES]\n");
        return 2;
    }
    vers_err err;
    vers_tokenizer *t = NULL;
    double best_load = 1e9;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        if (vers_tokenizer_load(argv[1], &t, &err)) { fprintf(stderr, "%s: %s\n", argv[1], err.msg); return 2; }
        double dt = now() - t0;
        if (dt < best_load) best_load = dt;
        if (r < 4) vers_tokenizer_free(t);
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) { fprintf(stderr, "%s: cannot open\n", argv[2]); return 2; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (argc > 3 && atol(argv[3]) > 0 && atol(argv[3]) < size) size = atol(argv[3]);
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "read failed\n"); return 2; }
    fclose(f);
    double best = 1e9;
    size_t total = 0;
    for (int r = 0; r < 3; r++) {
        total = 0;
        double t0 = now();
        for (long pos = 0; pos < size;) {
            const char *nl = memchr(text + pos, '\n', (size_t)(size - pos));
            long end = nl ? (long)(nl - text) + 1 : size;
            int32_t *ids; size_t n;
            if (vers_tokenize(t, text + pos, (size_t)(end - pos), 0, 0, &ids, &n, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
            total += n;
            free(ids);
            pos = end;
        }
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    printf("%s: %s/%s, %u tokens: load %.1f ms; %ld bytes -> %zu tokens (%.3f tokens/byte): "
           "%.2f MB/s, %.0f tokens/s\n", argv[1], vers_tokenizer_model(t), vers_tokenizer_pre(t),
           vers_tokenizer_n_vocab(t), best_load * 1e3, size, total, (double)total / (double)size,
           size / best / 1e6, total / best);
    vers_tokenizer_free(t);
    free(text);
    return 0;
}
