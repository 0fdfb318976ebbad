/* src/cli/cmd_generate.c — `vers generate`: plain text continuation of a prompt.
 * Prints the prompt and its continuation (llama.cpp/llama2.c style), streamed a line at a
 * time, then one newline; or, with --ids, the token ids fed and generated, one per line.
 * --special reads control-token text in the prompt as those tokens, so that a sample can
 * start where a training document does (<fr><sonnet><title>T</title>, issue 17). */
#include "cli.h"
#include "vers/tokenizer.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f) {
    fprintf(f,
        "usage: vers generate [-m MODEL] [-p TEXT | -f FILE] [-n N] [options]\n"
        "  -m, --model FILE        GGUF model (default: the shipped model)\n"
        "  -p, --prompt TEXT       prompt text (default: empty, i.e. BOS only)\n"
        "  -f, --file FILE         read the prompt from FILE\n"
        "  -n, --tokens N          tokens to generate at most (default 128); stops earlier at\n"
        "                          end of text or BOS unless --ignore-eos\n"
        "      --temp T            temperature (default 0.8; 0 = greedy)\n"
        "      --top-k K           keep the K most likely tokens (default 40; 0 = off)\n"
        "      --top-p P           nucleus sampling (default 0.95; 1 = off)\n"
        "      --min-p P           drop tokens below P x the best one's probability (default 0.05)\n"
        "      --repeat-penalty R  penalise the last 64 tokens (default 1 = off)\n"
        "      --seed S            random seed (default: from the clock)\n"
        "      --rng vers|llama2c  random generator; llama2c also takes run.c's defaults\n"
        "                          (temp 1, top-p 0.9, no top-k/min-p) and reproduces its samples\n"
        "      --ids               print the token ids (prompt, then generated), one per line\n"
        "      --special           special-token text in the prompt (<|bos|>, <fr>, <sonnet>,\n"
        "                          <title> ...) becomes that token, as in vers tokenize --special;\n"
        "                          the prompt is echoed as given (generated control tokens print\n"
        "                          as nothing, as without it)\n"
        "      --ignore-eos        do not stop at end-of-text tokens\n"
        "  -t, --threads N         threads (default: all cores)\n"
        "      --kv f32|f16        KV cache type (default f32; f16 is llama.cpp's default)\n"
        "  -c, --ctx N             context size (default: prompt + N, at most the model's)\n");
}

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    for (;;) {
        if (!b) break;
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (n < cap) break;
        char *nb = realloc(b, 2 * cap + 1);
        if (!nb) { free(b); b = NULL; break; }
        b = nb; cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b || bad) { free(b); return NULL; }
    b[n] = 0;
    *len = n;
    return b;
}

static void put_bytes(const char *s, size_t n) {
    if (!n) return;
    fwrite(s, 1, n, stdout);
    if (memchr(s, '\n', n)) fflush(stdout);
}

int cmd_generate(int argc, char **argv) {
    enum { O_TEMP = 256, O_TOPK, O_TOPP, O_MINP, O_REP, O_SEED, O_RNG, O_IDS, O_KV, O_IGNORE, O_SPECIAL };
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "prompt", required_argument, 0, 'p' },
        { "file", required_argument, 0, 'f' }, { "tokens", required_argument, 0, 'n' },
        { "threads", required_argument, 0, 't' }, { "ctx", required_argument, 0, 'c' },
        { "temp", required_argument, 0, O_TEMP }, { "top-k", required_argument, 0, O_TOPK },
        { "top-p", required_argument, 0, O_TOPP }, { "min-p", required_argument, 0, O_MINP },
        { "repeat-penalty", required_argument, 0, O_REP }, { "seed", required_argument, 0, O_SEED },
        { "rng", required_argument, 0, O_RNG }, { "ids", no_argument, 0, O_IDS },
        { "kv", required_argument, 0, O_KV }, { "ignore-eos", no_argument, 0, O_IGNORE },
        { "special", no_argument, 0, O_SPECIAL },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *model = NULL, *prompt = NULL, *file = NULL;
    long n_gen = 128, threads = 0, n_ctx = 0, top_k = -1;
    double temp = -1, top_p = -1, min_p = -1, rep = 1.0;
    int have_seed = 0, want_ids = 0, ignore_eos = 0, special = 0;
    unsigned long long seed = 0;
    vers_rng_kind rng = VERS_RNG_VERS;
    vers_kv_type kv = VERS_KV_F32;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:p:f:n:t:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'p': prompt = optarg; break;
        case 'f': file = optarg; break;
        case 'n': if (cli_parse_int(optarg, 0, 1 << 24, &n_gen)) return cli_error("generate", "bad -n '%s'", optarg); break;
        case 't': if (cli_parse_int(optarg, 1, 1024, &threads)) return cli_error("generate", "bad --threads '%s'", optarg); break;
        case 'c': if (cli_parse_int(optarg, 1, 1 << 24, &n_ctx)) return cli_error("generate", "bad --ctx '%s'", optarg); break;
        case O_TEMP: if (cli_parse_float(optarg, &temp) || temp < 0) return cli_error("generate", "bad --temp '%s'", optarg); break;
        case O_TOPK: if (cli_parse_int(optarg, 0, 1 << 30, &top_k)) return cli_error("generate", "bad --top-k '%s'", optarg); break;
        case O_TOPP: if (cli_parse_float(optarg, &top_p) || top_p < 0 || top_p > 1) return cli_error("generate", "bad --top-p '%s'", optarg); break;
        case O_MINP: if (cli_parse_float(optarg, &min_p) || min_p < 0 || min_p > 1) return cli_error("generate", "bad --min-p '%s'", optarg); break;
        case O_REP: if (cli_parse_float(optarg, &rep) || !(rep > 0)) return cli_error("generate", "bad --repeat-penalty '%s'", optarg); break;
        case O_SEED: {
            uint64_t sv;
            if (cli_parse_u64(optarg, &sv)) return cli_error("generate", "--seed: '%s' is not a number from 0 to 18446744073709551615", optarg);
            seed = sv;
            have_seed = 1;
            break;
        }
        case O_RNG:
            if (!strcmp(optarg, "vers")) rng = VERS_RNG_VERS;
            else if (!strcmp(optarg, "llama2c")) rng = VERS_RNG_LLAMA2C;
            else return cli_error("generate", "bad --rng '%s' (vers or llama2c)", optarg);
            break;
        case O_IDS: want_ids = 1; break;
        case O_IGNORE: ignore_eos = 1; break;
        case O_SPECIAL: special = 1; break;
        case O_KV:
            if (!strcmp(optarg, "f32")) kv = VERS_KV_F32;
            else if (!strcmp(optarg, "f16")) kv = VERS_KV_F16;
            else return cli_error("generate", "bad --kv '%s' (f32 or f16)", optarg);
            break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("generate", "m:p:f:n:t:c:h", argv);
        }
    }
    if (optind < argc) return cli_error("generate", "unexpected argument '%s'", argv[optind]);
    if (prompt && file) return cli_error("generate", "give -p or -f, not both");
    if (!model) model = cli_default_model();
    if (!model) return cli_error("generate", "no model: give -m FILE (or set VERS_MODEL)");

    char *text = NULL;
    size_t text_len = 0;
    if (file) {
        text = read_all(file, &text_len);
        if (!text) return cli_error(file, "cannot read");
    } else {
        text_len = prompt ? strlen(prompt) : 0;
        text = malloc(text_len + 1);
        if (!text) return cli_error("generate", "out of memory");
        memcpy(text, prompt ? prompt : "", text_len + 1);
    }

    int rc = 2;
    vers_err err = { 0, "" };
    vers_model *m = NULL;
    vers_tokenizer *tok = NULL;
    vers_ctx *ctx = NULL;
    vers_sampler *smp = NULL;
    int32_t *ids = NULL, *seq = NULL;
    size_t n_ids = 0;
    vers_detok dt;
    int dt_ok = 0;
    vers_model_params mp = { (int)threads };
    if (vers_model_load(model, &mp, &m, &err)) { cli_error(model, "%s", err.msg); goto done; }
    if (vers_tokenizer_from_gguf(vers_model_gguf(m), &tok, &err)) { cli_error(model, "%s", err.msg); goto done; }
    if (vers_tokenize(tok, text, text_len, 1, special, &ids, &n_ids, &err)) { cli_error(model, "%s", err.msg); goto done; }
    if (n_ids == 0) {   /* e.g. gpt2 without add_bos and an empty prompt: start from BOS */
        int32_t b = vers_token_bos(tok);
        if (b < 0) { cli_error("generate", "empty prompt and the model has no BOS token"); goto done; }
        ids = malloc(sizeof *ids);
        if (!ids) { cli_error("generate", "out of memory"); goto done; }
        ids[0] = b; n_ids = 1;
    }
    const vers_model_info *hp = vers_model_get_info(m);
    if ((long)n_ids > hp->n_ctx_train || (n_ctx && (long)n_ids > n_ctx)) {
        cli_error("generate", "prompt of %zu tokens does not fit the context of %ld", n_ids,
                  n_ctx ? n_ctx : (long)hp->n_ctx_train);
        goto done;
    }
    if (!n_ctx) n_ctx = (long)n_ids + n_gen;
    if (n_ctx > hp->n_ctx_train) n_ctx = hp->n_ctx_train;
    long asked = n_gen;                /* what -n asked: the context may hold fewer */
    if (n_gen > n_ctx - (long)n_ids + 1) n_gen = n_ctx - (long)n_ids + 1;
    vers_ctx_params cp = vers_ctx_default_params();
    cp.n_ctx = (int)n_ctx; cp.n_threads = (int)threads; cp.kv_type = kv;
    if (vers_ctx_new(m, &cp, &ctx, &err)) { cli_error(model, "%s", err.msg); goto done; }

    vers_sampler_params sp = vers_sampler_default_params();
    int l2c = rng == VERS_RNG_LLAMA2C;
    sp.temp = temp >= 0 ? (float)temp : (l2c ? 1.0f : 0.8f);
    sp.top_k = top_k >= 0 ? (int)top_k : (l2c ? 0 : 40);
    sp.top_p = top_p >= 0 ? (float)top_p : (l2c ? 0.9f : 0.95f);
    sp.min_p = min_p >= 0 ? (float)min_p : (l2c ? 0.0f : 0.05f);
    sp.repeat_penalty = (float)rep;
    sp.rng = rng;
    sp.seed = have_seed ? seed : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if (vers_sampler_new(&sp, vers_model_n_vocab(m), &smp, &err)) { cli_error("generate", "%s", err.msg); goto done; }
    for (size_t i = 0; i < n_ids; i++) vers_sampler_accept(smp, ids[i]);

    seq = malloc(sizeof(int32_t) * (n_ids + (size_t)n_gen + 1));
    if (!seq) { cli_error("generate", "out of memory"); goto done; }
    memcpy(seq, ids, sizeof(int32_t) * n_ids);
    size_t n_seq = n_ids;
    if (!want_ids) {
        if (vers_detok_init(&dt, tok, VERS_DETOK_STRIP_SPACE, &err)) { cli_error("generate", "%s", err.msg); goto done; }
        dt_ok = 1;
        for (size_t i = 0; i < n_ids; i++) {
            size_t len;
            const char *s = vers_detok_feed(&dt, ids[i], &len, NULL, NULL);
            if (!special) put_bytes(s, len);
        }
        if (special) {   /* its control tokens decode to nothing: show the text given */
            size_t len;
            vers_detok_flush(&dt, &len);
            put_bytes(text, text_len);
        }
    }
    if (vers_decode(ctx, ids, (int)n_ids, 0, &err)) { cli_error(model, "%s", err.msg); goto done; }
    const int32_t bos = vers_token_bos(tok);
    long made = 0;
    int ended = 0;                     /* an end-of-text token (or no token) stopped it */
    for (long i = 0; i < n_gen; i++) {
        int t = vers_sampler_sample(smp, vers_ctx_logits(ctx, -1));
        if (t < 0) { ended = 1; break; }
        if (!ignore_eos && (t == bos || vers_token_is_eog(tok, t))) { ended = 1; break; }
        seq[n_seq++] = t;
        made++;
        vers_sampler_accept(smp, t);
        if (!want_ids) {
            size_t len;
            const char *s = vers_detok_feed(&dt, t, &len, NULL, NULL);
            put_bytes(s, len);
        }
        if (i + 1 == n_gen || vers_ctx_pos(ctx) >= vers_ctx_n_ctx(ctx)) break;
        int32_t tt = t;
        if (vers_decode(ctx, &tt, 1, 0, &err)) { cli_error(model, "%s", err.msg); goto done; }
    }
    if (want_ids) {
        for (size_t i = 0; i < n_seq; i++) printf("%d\n", (int)seq[i]);
    } else {
        size_t len;
        const char *s = vers_detok_flush(&dt, &len);
        put_bytes(s, len);
        putchar('\n');
    }
    rc = 0;                            /* a failed write is reported by main (src/cli/main.c) */
    if (!ended && made < asked) {      /* cut short by the context, not by the model */
        fflush(stdout);
        fprintf(stderr, "vers: generate: stopped after %ld of the %ld tokens asked: the context of %ld tokens is full\n",
                made, asked, n_ctx);
    }
done:
    if (dt_ok) vers_detok_free(&dt);
    free(seq);
    free(ids);
    vers_sampler_free(smp);
    vers_ctx_free(ctx);
    vers_tokenizer_free(tok);
    vers_model_free(m);
    free(text);
    return rc;
}
