/* src/cli/bench_train.c — `vers bench train`: trainer speed on llm.c's CPU benchmark shape
 * as a llama (or a given shape): tokens/s, MFU = 6*N*tokens/s over the 2-core FMA peak it
 * measures itself, and peak memory.  Reached from cmd_bench.c. */
#include "cli.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cli_bench_train(int argc, char **argv) {
    enum { O_DIM = 256, O_LAYERS, O_HEADS, O_HIDDEN, O_VOCAB, O_SEQ, O_BATCH, O_STEPS, O_JSON };
    static const struct option opts[] = {
        {"threads", required_argument, 0, 't'}, {"steps", required_argument, 0, O_STEPS},
        {"dim", required_argument, 0, O_DIM}, {"layers", required_argument, 0, O_LAYERS},
        {"heads", required_argument, 0, O_HEADS}, {"hidden", required_argument, 0, O_HIDDEN},
        {"vocab", required_argument, 0, O_VOCAB}, {"seq", required_argument, 0, O_SEQ},
        {"batch", required_argument, 0, O_BATCH}, {"json", no_argument, 0, O_JSON},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    vers_tconfig c = {384, 6, 6, 6, 1024, 8192, 256, 10000.0f, 1e-5f, 1};
    long threads = vers_n_cores() < 2 ? vers_n_cores() : 2, steps = 5, B = 4, v;
    int json = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
        switch (ch) {
        case 't': if (cli_parse_int(optarg, 1, 256, &threads)) return cli_error("bench", "bad --threads"); break;
        case O_STEPS: if (cli_parse_int(optarg, 1, 1000, &steps)) return cli_error("bench", "bad --steps"); break;
#define SHAPE(K, field) case K: if (cli_parse_int(optarg, 1, 1 << 20, &v)) return cli_error("bench", "bad " #field); field = (int)v; break;
        SHAPE(O_DIM, c.dim) SHAPE(O_LAYERS, c.n_layers) SHAPE(O_HIDDEN, c.hidden_dim) SHAPE(O_VOCAB, c.vocab_size)
        SHAPE(O_SEQ, c.ctx_len)
#undef SHAPE
        case O_HEADS: if (cli_parse_int(optarg, 1, 1024, &v)) return cli_error("bench", "bad --heads"); c.n_heads = c.n_kv_heads = (int)v; break;
        case O_BATCH: if (cli_parse_int(optarg, 1, 1 << 16, &B)) return cli_error("bench", "bad --batch"); break;
        case O_JSON: json = 1; break;
        case 'h':
            printf("usage: vers bench train [-t N] [--steps N] [--dim 384 --layers 6 --heads 6 --hidden 1024 --vocab 8192 --seq 256 --batch 4] [--json]\n");
            return 0;
        default: return 2;
        }
    }
    double core = vers_fma_core_peak_gflops(0), p2 = vers_fma_peak_gflops(2);
    if (p2 < 2 * core) p2 = 2 * core;   /* a busy machine: the per-core rate is the reliable one */
    vers_train_bench r;
    vers_err err;
    if (vers_bench_train(&c, (int)B, c.ctx_len, (int)steps, (int)threads, &r, &err)) return cli_error("bench", "%s", err.msg);
    double mfu = 100.0 * r.gflops / p2;
    if (json)
        printf("{\"threads\":%ld,\"tokens_per_s\":%.1f,\"gflops\":%.2f,\"fma_peak_2cores_gflops\":%.1f,\"mfu_pct\":%.2f,"
               "\"flop_params\":%lld,\"step_s\":%.4f,\"peak_rss_mb\":%.0f}\n",
               threads, r.tokens_per_s, r.gflops, p2, mfu, (long long)r.flop_params, r.step_s, r.peak_rss_mb);
    else
        printf("train %dx%d (dim %d, %d layers, vocab %d, N=%.2fM), %ld thread%s: %.0f tokens/s, %.1f GFLOP/s, "
               "MFU %.1f%% of the 2-core FMA peak %.0f GFLOP/s, peak memory %.0f MB\n",
               (int)B, c.ctx_len, c.dim, c.n_layers, c.vocab_size, r.flop_params / 1e6, threads, threads > 1 ? "s" : "",
               r.tokens_per_s, r.gflops, mfu, p2, r.peak_rss_mb);
    return 0;
}
