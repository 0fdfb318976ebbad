/* src/cli/cmd_bench.c — `vers bench`: decoding speed of a model on this machine.
 *
 *   pp512  one 512-token batch from an empty cache (prompt processing), tokens/s
 *   tg128  128 tokens decoded one at a time from an empty cache (generation), tokens/s
 * as llama-bench measures them (best of -r repetitions, mean also shown), plus a STREAM
 * triad measured in the same run with the same threads, and the fraction of that bandwidth
 * tg reaches (bytes of weights and KV read per token x tokens/s / triad GB/s), the load time
 * and the resident memory. */
#include "cli.h"
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void usage(FILE *f) {
    fprintf(f,
        "usage: vers bench [-m MODEL] [-t|--threads N] [-p N] [-n N] [-r N] [--kv f32|f16] [--json]\n"
        "  -m, --model FILE   GGUF model (default: the shipped model)\n"
        "  -t, --threads N    threads (default: all cores)\n"
        "  -p, --pp N         prompt batch size (default 512, at most the model's context)\n"
        "  -n, --tg N         tokens generated one at a time (default 128)\n"
        "  -r, --reps N       repetitions, best reported (default 3)\n"
        "      --kv f32|f16   KV cache type (default f32)\n"
        "      --json         print the figures as a JSON object\n");
}

/* STREAM triad a = b + s*c over doubles; best GB/s of 5 runs (24 bytes per element). */
static double triad_gbs(int threads) {
    const size_t n = (size_t)1 << 23;                   /* 64 MiB per array */
    double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double));
    double best = 0;
    if (a && b && c) {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (size_t i = 0; i < n; i++) { a[i] = 0; b[i] = 1.0; c[i] = 2.0; }
        for (int r = 0; r < 5; r++) {
            double t0 = now();
#pragma omp parallel for num_threads(threads) schedule(static)
            for (size_t i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
            double dt = now() - t0;
            double g = 24.0 * (double)n / dt / 1e9;
            if (g > best) best = g;
        }
        if (a[n / 2] != 7.0) best = 0;                 /* keep the loop honest */
    }
    free(a); free(b); free(c);
    return best;
}

static long status_kib(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    const size_t n = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, n)) { v = strtol(line + n, NULL, 10); break; }
    fclose(f);
    return v;
}
static long rss_kib(void) { return status_kib("VmRSS:"); }
static long rss_hwm_kib(void) { return status_kib("VmHWM:"); }

/* Resident memory by kind, from /proc/self/smaps: pages of the model file's mapping, and
 * anonymous memory (heap, unnamed mappings: scratch, KV cache, repacked weights, thread
 * stacks).  What is neither (the binary, libc, libgomp, OpenBLAS: code pages a first decode
 * touches) belongs to the process, not to the model.  -1 where smaps cannot be read. */
typedef struct { long file_kib, anon_kib; } rss_split;
static rss_split rss_by_kind(const char *model_path) {
    rss_split r = { -1, -1 };
    char real[4096];
    if (!realpath(model_path, real)) return r;
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return r;
    r.file_kib = r.anon_kib = 0;
    char line[4352];
    int kind = 0;   /* of the current mapping: 1 model file, 2 anonymous, 0 other */
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        int off = 0;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s%n", &lo, &hi, &off) == 2 && off > 0) {
            const char *name = line + off;
            while (*name == ' ') name++;
            size_t n = strcspn(name, "\n");
            kind = n == 0 || !strncmp(name, "[heap]", 6) ? 2
                 : (n == strlen(real) && !strncmp(name, real, n)) ? 1 : 0;
            continue;
        }
        if (!strncmp(line, "Rss:", 4)) {
            long v = strtol(line + 4, NULL, 10);
            if (kind == 1) r.file_kib += v;
            else if (kind == 2) r.anon_kib += v;
        }
    }
    fclose(f);
    return r;
}

int cmd_bench(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "train")) return cli_bench_train(argc - 1, argv + 1);
    enum { O_JSON = 256, O_KV };
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "threads", required_argument, 0, 't' },
        { "pp", required_argument, 0, 'p' }, { "tg", required_argument, 0, 'n' },
        { "reps", required_argument, 0, 'r' }, { "kv", required_argument, 0, O_KV },
        { "json", no_argument, 0, O_JSON }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *model = NULL;
    long threads = 0, pp = 512, tg = 128, reps = 3;
    int json = 0;
    vers_kv_type kv = VERS_KV_F32;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:t:p:n:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 't': if (cli_parse_int(optarg, 1, 1024, &threads)) return cli_error("bench", "bad --threads '%s'", optarg); break;
        case 'p': if (cli_parse_int(optarg, 0, 1 << 20, &pp)) return cli_error("bench", "bad --pp '%s'", optarg); break;
        case 'n': if (cli_parse_int(optarg, 0, 1 << 20, &tg)) return cli_error("bench", "bad --tg '%s'", optarg); break;
        case 'r': if (cli_parse_int(optarg, 1, 1000, &reps)) return cli_error("bench", "bad --reps '%s'", optarg); break;
        case O_KV:
            if (!strcmp(optarg, "f32")) kv = VERS_KV_F32;
            else if (!strcmp(optarg, "f16")) kv = VERS_KV_F16;
            else return cli_error("bench", "bad --kv '%s' (f32 or f16)", optarg);
            break;
        case O_JSON: json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("bench", "m:t:p:n:r:h", argv);
        }
    }
    if (optind < argc) return cli_error("bench", "unexpected argument '%s'", argv[optind]);
    if (!model) model = cli_default_model();
    if (!model) return cli_error("bench", "no model: give -m FILE (or set VERS_MODEL)");
    if (!threads) threads = vers_n_cores();

    vers_err err = { 0, "" };
    vers_model *m = NULL;
    vers_ctx *ctx = NULL;
    int32_t *toks = NULL;
    int rc = 2;
    /* the process before the model (binary, libc, libgomp, OpenBLAS): the model's own
     * resident memory is what the run adds to it */
    const long rss_base = rss_kib();
    const rss_split split_base = rss_by_kind(model);
    double t0 = now();
    vers_model_params mp = { (int)threads };
    if (vers_model_load(model, &mp, &m, &err)) { cli_error(model, "%s", err.msg); goto done; }
    double load_ms = (now() - t0) * 1e3;
    const vers_model_info *hp = vers_model_get_info(m);
    if (pp > hp->n_ctx_train) pp = hp->n_ctx_train;
    if (tg > hp->n_ctx_train) tg = hp->n_ctx_train;
    /* Generation runs in a context with the default scratch (what `vers generate` and the
     * writer use), and the resident memory is read at its end; the prompt test then gets
     * its own context with one pass of pp tokens, as llama-bench's ubatch, whose scratch
     * shows in rss_peak. */
    vers_ctx_params cp = vers_ctx_default_params();
    cp.n_ctx = (int)(pp > tg ? pp : tg);
    if (cp.n_ctx < 1) cp.n_ctx = 1;
    cp.n_threads = (int)threads;
    cp.kv_type = kv;
    toks = malloc(sizeof(int32_t) * (size_t)(cp.n_ctx));
    if (!toks) { cli_error("bench", "out of memory"); goto done; }
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < cp.n_ctx; i++) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; toks[i] = (int32_t)(s % (uint64_t)hp->n_vocab); }
    if (vers_ctx_new(m, &cp, &ctx, &err)) { cli_error(model, "%s", err.msg); goto done; }
    /* warm-up: one untimed pass of the generation test faults in the weights, the KV cache
     * pages and the scratch (the first pass ran at half speed in one run out of two) */
    for (long i = 0; i < (tg > 0 ? tg : 1); i++)
        if (vers_decode(ctx, toks + i, 1, 0, &err)) { cli_error(model, "%s", err.msg); goto done; }
    double pp_best = 0, pp_sum = 0, tg_best = 0, tg_sum = 0;
    for (long r = 0; r < reps && tg > 0; r++) {
        vers_ctx_truncate(ctx, 0);
        double a = now();
        for (long i = 0; i < tg; i++)
            if (vers_decode(ctx, toks + i, 1, 0, &err)) { cli_error(model, "%s", err.msg); goto done; }
        double tps = (double)tg / (now() - a);
        tg_sum += tps;
        if (tps > tg_best) tg_best = tps;
    }
    long rss = rss_kib();
    const rss_split split = rss_by_kind(model);
    /* the model's part: its file's pages and the anonymous memory added since loading began */
    const long model_kib = split.file_kib >= 0 && split_base.anon_kib >= 0
                               ? split.file_kib + split.anon_kib - split_base.anon_kib : rss - rss_base;
    vers_ctx_free(ctx);
    ctx = NULL;
    cp.n_batch = pp > 0 ? (int)pp : 1;
    if (vers_ctx_new(m, &cp, &ctx, &err)) { cli_error(model, "%s", err.msg); goto done; }
    if (pp > 0 && vers_decode(ctx, toks, 1, 0, &err)) { cli_error(model, "%s", err.msg); goto done; }
    for (long r = 0; r < reps && pp > 0; r++) {
        vers_ctx_truncate(ctx, 0);
        double a = now();
        if (vers_decode(ctx, toks, (int)pp, 0, &err)) { cli_error(model, "%s", err.msg); goto done; }
        double tps = (double)pp / (now() - a);
        pp_sum += tps;
        if (tps > pp_best) pp_best = tps;
    }
    long rss_peak = rss_hwm_kib();
    double kv_bytes_full = 2.0 * hp->n_layer * (double)cp.n_ctx * hp->n_head_kv * hp->head_dim * (kv == VERS_KV_F16 ? 2 : 4);
    double bw = triad_gbs((int)threads);
    double per_tok = (double)hp->bytes_per_token +
                     2.0 * hp->n_layer * (tg / 2.0) * hp->n_head_kv * hp->head_dim * (kv == VERS_KV_F16 ? 2 : 4);
    double frac = bw > 0 ? per_tok * tg_best / (bw * 1e9) : 0;
    double file_mib = (double)hp->file_size / 1048576.0, kv_mib = kv_bytes_full / 1048576.0;
    if (json) {
        printf("{\"arch\":\"%s\",\"type\":\"%s\",\"params\":%llu,\"file_bytes\":%llu,\"threads\":%ld,\"kv\":\"%s\","
               "\"pp\":%ld,\"pp_tps\":%.2f,\"pp_tps_mean\":%.2f,\"tg\":%ld,\"tg_tps\":%.2f,\"tg_tps_mean\":%.2f,"
               "\"triad_gbs\":%.2f,\"tg_bytes_per_token\":%.0f,\"tg_bandwidth_fraction\":%.3f,"
               "\"load_ms\":%.2f,\"rss_kib\":%ld,\"rss_base_kib\":%ld,\"rss_model_kib\":%ld,\"rss_peak_kib\":%ld,\"kv_bytes\":%.0f}\n",
               hp->arch_name, hp->wtype_name, (unsigned long long)hp->n_params,
               (unsigned long long)hp->file_size, threads, kv == VERS_KV_F16 ? "f16" : "f32",
               pp, pp_best, reps ? pp_sum / reps : 0, tg, tg_best, reps ? tg_sum / reps : 0, bw, per_tok, frac,
               load_ms, rss, rss_base, model_kib, rss_peak, kv_bytes_full);
    } else {
        printf("model: %s (%s, %s, %.1fM params, %.1f MiB), threads: %ld, kv: %s\n", model, hp->arch_name,
               hp->wtype_name, (double)hp->n_params / 1e6, file_mib, threads, kv == VERS_KV_F16 ? "f16" : "f32");
        if (pp > 0) printf("pp%ld: %.1f t/s (mean %.1f)\n", pp, pp_best, pp_sum / reps);
        if (tg > 0) printf("tg%ld: %.1f t/s (mean %.1f)\n", tg, tg_best, tg_sum / reps);
        printf("bandwidth: triad %.1f GB/s; tg reads %.1f MB/token = %.1f GB/s = %.0f%% of triad\n", bw,
               per_tok / 1e6, per_tok * tg_best / 1e9, 100 * frac);
        printf("load: %.1f ms; resident while generating: %.1f MiB = the model's %.1f MiB (its file's pages and "
               "the memory allocated for it; file %.1f MiB + KV %.1f MiB = %.0f%%) + the process's %.1f MiB "
               "(binary and libraries); peak %.1f MiB with the pp%ld batch\n", load_ms, rss / 1024.0,
               model_kib / 1024.0, file_mib, kv_mib,
               file_mib + kv_mib > 0 ? 100.0 * (model_kib / 1024.0) / (file_mib + kv_mib) : 0,
               (rss - model_kib) / 1024.0, rss_peak / 1024.0, pp);
    }
    rc = 0;
done:
    free(toks);
    vers_ctx_free(ctx);
    vers_model_free(m);
    return rc;
}
