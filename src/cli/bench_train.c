/* src/cli/bench_train.c — `vers bench train`: trainer speed on llm.c's CPU benchmark shape
 * as a llama (or a given shape): tokens/s, MFU = 6*N*tokens/s over the 2-core FMA peak it
 * measures itself, and peak memory.  Reached from cmd_bench.c.  --peak measures and prints the
 * peak alone: the figure a report divides a run's FLOP rate by (bench/thesis-report.sh). */
#include "cli.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bench_one(const vers_tconfig *c, long B, long steps, long threads, int prec, vers_train_bench *r) {
    vers_err err;
    if (vers_bench_train(c, (int)B, c->ctx_len, (int)steps, (int)threads, prec, r, &err)) return cli_error("bench", "%s", err.msg);
    return 0;
}

static int cmp_d(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int cli_bench_train(int argc, char **argv) {
    enum { O_DIM = 256, O_LAYERS, O_HEADS, O_HIDDEN, O_VOCAB, O_SEQ, O_BATCH, O_STEPS, O_JSON, O_PREC, O_PAIRS, O_PEAK };
    static const struct option opts[] = {
        {"threads", required_argument, 0, 't'}, {"steps", required_argument, 0, O_STEPS},
        {"dim", required_argument, 0, O_DIM}, {"layers", required_argument, 0, O_LAYERS},
        {"heads", required_argument, 0, O_HEADS}, {"hidden", required_argument, 0, O_HIDDEN},
        {"vocab", required_argument, 0, O_VOCAB}, {"seq", required_argument, 0, O_SEQ},
        {"batch", required_argument, 0, O_BATCH}, {"json", no_argument, 0, O_JSON},
        {"precision", required_argument, 0, O_PREC}, {"pairs", required_argument, 0, O_PAIRS},
        {"peak", no_argument, 0, O_PEAK},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    vers_tconfig c = {384, 6, 6, 6, 1024, 8192, 256, 10000.0f, 1e-5f, 1, VERS_ARCH_LLAMA};
    long threads = vers_n_cores() < 2 ? vers_n_cores() : 2, steps = 5, B = 4, v, pairs = 1;
    int json = 0, ch, precs[2], np = 0, peak_only = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
        switch (ch) {
        case 't': if (cli_parse_int(optarg, 1, 256, &threads)) return cli_error("bench", "bad --threads"); break;
        case O_STEPS: if (cli_parse_int(optarg, 1, 1000, &steps)) return cli_error("bench", "bad --steps"); break;
        case O_PAIRS: if (cli_parse_int(optarg, 1, 100, &pairs)) return cli_error("bench", "bad --pairs"); break;
#define SHAPE(K, field) case K: if (cli_parse_int(optarg, 1, 1 << 20, &v)) return cli_error("bench", "bad " #field); field = (int)v; break;
        SHAPE(O_DIM, c.dim) SHAPE(O_LAYERS, c.n_layers) SHAPE(O_HIDDEN, c.hidden_dim) SHAPE(O_VOCAB, c.vocab_size)
        SHAPE(O_SEQ, c.ctx_len)
#undef SHAPE
        case O_HEADS: if (cli_parse_int(optarg, 1, 1024, &v)) return cli_error("bench", "bad --heads"); c.n_heads = c.n_kv_heads = (int)v; break;
        case O_BATCH: if (cli_parse_int(optarg, 1, 1 << 16, &B)) return cli_error("bench", "bad --batch"); break;
        case O_JSON: json = 1; break;
        case O_PEAK: peak_only = 1; break;
        case O_PREC:
            if (!strcmp(optarg, "fp32")) { precs[0] = VERS_PREC_FP32; np = 1; }
            else if (!strcmp(optarg, "bf16")) { precs[0] = VERS_PREC_BF16; np = 1; }
            else if (!strcmp(optarg, "both")) { precs[0] = VERS_PREC_FP32; precs[1] = VERS_PREC_BF16; np = 2; }
            else return cli_error("bench", "bad --precision '%s' (fp32, bf16 or both)", optarg);
            break;
        case 'h':
            printf("usage: vers bench train [-t N] [--steps N] [--precision fp32|bf16|both] [--pairs N] [--peak]\n"
                   "                        [--dim 384 --layers 6 --heads 6 --hidden 1024 --vocab 8192 --seq 256 --batch 4] [--json]\n"
                   "Tokens/s of whole training steps on random tokens; GFLOP/s = 6 x (matrix parameters) x tokens/s;\n"
                   "MFU against the peak of the widest instruction this CPU has for the precision (measured here\n"
                   "with all threads at once).  --precision both alternates the two, --pairs times (medians).\n"
                   "--peak: measure and print only that peak (GFLOP/s of -t threads for the precision: the larger of\n"
                   "their wall-clock rate and threads x the best rate per CPU-second of one, so a busy machine does\n"
                   "not lower it), and the instruction it was measured on.\n");
            return 0;
        default: return cli_bad_option("bench", "t:h", argv);
        }
    }
    if (optind < argc) return cli_error("bench", "unexpected argument '%s'", argv[optind]);
    if (!np) { precs[0] = vers_train_bf16_native() ? VERS_PREC_BF16 : VERS_PREC_FP32; np = 1; }
    if (peak_only) {
        if (json) printf("{\"threads\":%ld,\"results\":[", threads);
        for (int i = 0; i < np; i++) {
            const char *instr;
            double peak = vers_train_peak_gflops(precs[i], (int)threads, &instr);
            if (json) printf("%s{\"precision\":\"%s\",\"peak_gflops\":%.1f,\"peak_instruction\":\"%s\"}", i ? "," : "",
                             vers_prec_name(precs[i]), peak, instr);
            else printf("peak %s: %.1f GFLOP/s (%s, %ld thread%s, measured)\n", vers_prec_name(precs[i]), peak, instr, threads,
                        threads > 1 ? "s" : "");
        }
        if (json) printf("]}\n");
        return 0;
    }
    double tps[2][100], gf[2][100];
    vers_train_bench r[2] = {{0}};
    for (long p = 0; p < pairs; p++)
        for (int i = 0; i < np; i++) {
            if (bench_one(&c, B, steps, threads, precs[i], &r[i])) return 2;
            tps[i][p] = r[i].tokens_per_s; gf[i][p] = r[i].gflops;
        }
    if (json) printf("{\"threads\":%ld,\"pairs\":%ld,\"results\":[", threads, pairs);
    for (int i = 0; i < np; i++) {
        const char *instr;
        double peak = vers_train_peak_gflops(precs[i], (int)threads, &instr);
        double t_lo = 1e30, t_hi = 0;
        for (long p = 0; p < pairs; p++) { if (tps[i][p] < t_lo) t_lo = tps[i][p]; if (tps[i][p] > t_hi) t_hi = tps[i][p]; }
        qsort(tps[i], (size_t)pairs, sizeof(double), cmp_d);
        qsort(gf[i], (size_t)pairs, sizeof(double), cmp_d);
        double mt = tps[i][pairs / 2], mg = gf[i][pairs / 2], mfu = 100.0 * mg / peak;
        double other = r[i].step_s;
        for (int k = 0; k < r[i].n_parts; k++) other -= r[i].part_s[k];
        if (json) {
            printf("%s{\"time_split_pct\":{", i ? "," : "");
            for (int k = 0; k < r[i].n_parts; k++) printf("\"%s\":%.1f,", r[i].part_name[k], 100 * r[i].part_s[k] / r[i].step_s);
            printf("\"other\":%.1f},", 100 * other / r[i].step_s);
        }
        if (json)
            printf("%s\"precision\":\"%s\",\"kernel\":\"%s\",\"tokens_per_s\":%.1f,\"tokens_per_s_min\":%.1f,\"tokens_per_s_max\":%.1f,"
                   "\"gflops\":%.2f,\"peak_gflops\":%.1f,\"peak_instruction\":\"%s\",\"mfu_pct\":%.2f,"
                   "\"gflops_per_cpu_s\":%.2f,\"flop_params\":%lld,\"step_s\":%.4f,\"peak_rss_mb\":%.0f}",
                   "", vers_prec_name(precs[i]), vers_train_kernel_name(precs[i]), mt, t_lo, t_hi, mg, peak, instr, mfu,
                   r[i].gflops_per_cpu_s, (long long)r[i].flop_params, r[i].step_s, r[i].peak_rss_mb);
        else
            printf("train %s %ldx%d (dim %d, %d layers, vocab %d, N=%.2fM), %ld thread%s, kernel %s: %.0f tokens/s (%.0f-%.0f over %ld), "
                   "%.1f GFLOP/s, MFU %.1f%% of %.0f GFLOP/s (%s, %ld core%s, measured); %.1f GFLOP per CPU-second; peak memory %.0f MB\n",
                   vers_prec_name(precs[i]), B, c.ctx_len, c.dim, c.n_layers, c.vocab_size, r[i].flop_params / 1e6, threads,
                   threads > 1 ? "s" : "", vers_train_kernel_name(precs[i]), mt, t_lo, t_hi, pairs, mg, mfu, peak, instr, threads,
                   threads > 1 ? "s" : "", r[i].gflops_per_cpu_s, r[i].peak_rss_mb);
        if (!json) {
            printf("  time per step %.1f ms:", 1e3 * r[i].step_s);
            for (int k = 0; k < r[i].n_parts; k++) printf(" %s %.1f%%", r[i].part_name[k], 100 * r[i].part_s[k] / r[i].step_s);
            printf(" other %.1f%%\n", 100 * other / r[i].step_s);
        }
    }
    if (json) printf("]}\n");
    return 0;
}
