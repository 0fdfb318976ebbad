/* src/cli/cmd_perplexity.c — `vers perplexity`: how well a model predicts a text.
 *
 * The text is tokenized (no BOS), cut into windows of at most n_ctx-1 tokens; each window
 * is decoded after a BOS (or, for a vocabulary without one, after the window's first token,
 * which is then not scored) and every token is scored by the logits before it.  Prints the
 * perplexity exp(mean NLL) and bits per byte = sum NLL / ln 2 / bytes of the text. */
#include "cli.h"
#include "vers/tokenizer.h"
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f) {
    fprintf(f,
        "usage: vers perplexity [-m MODEL] -f FILE [-c N] [-t N] [--kv f32|f16] [--json]\n"
        "  -m, --model FILE   GGUF model (default: the shipped model)\n"
        "  -f, --file FILE    text to score\n"
        "  -c, --ctx N        window size in tokens (default min(512, model context))\n"
        "  -t, --threads N    threads (default: all cores)\n"
        "      --kv f32|f16   KV cache type (default f32)\n"
        "      --json         print the figures as a JSON object\n");
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    fclose(f);
    if (b) { b[n] = 0; *len = (size_t)n; }
    return b;
}

static void json_str(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') printf("\\%c", ch);
        else if (ch < 0x20) printf("\\u%04x", ch);
        else putchar(ch);
    }
    putchar('"');
}

/* -log softmax(logits)[target], in double */
static double nll(const float *lg, int n, int target) {
    float mx = lg[0];
    for (int i = 1; i < n; i++) if (lg[i] > mx) mx = lg[i];
    double s = 0;
    for (int i = 0; i < n; i++) s += exp((double)lg[i] - mx);
    return log(s) - ((double)lg[target] - mx);
}

int cmd_perplexity(int argc, char **argv) {
    enum { O_JSON = 256, O_KV };
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "file", required_argument, 0, 'f' },
        { "ctx", required_argument, 0, 'c' }, { "threads", required_argument, 0, 't' },
        { "kv", required_argument, 0, O_KV }, { "json", no_argument, 0, O_JSON },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *model = NULL, *file = NULL;
    long n_ctx = 0, threads = 0;
    int json = 0;
    vers_kv_type kv = VERS_KV_F32;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:f:c:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'f': file = optarg; break;
        case 'c': if (cli_parse_int(optarg, 2, 1 << 24, &n_ctx)) return cli_error("perplexity", "bad --ctx '%s'", optarg); break;
        case 't': if (cli_parse_int(optarg, 1, 1024, &threads)) return cli_error("perplexity", "bad --threads '%s'", optarg); break;
        case O_KV:
            if (!strcmp(optarg, "f32")) kv = VERS_KV_F32;
            else if (!strcmp(optarg, "f16")) kv = VERS_KV_F16;
            else return cli_error("perplexity", "bad --kv '%s' (f32 or f16)", optarg);
            break;
        case O_JSON: json = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) return cli_error("perplexity", "unexpected argument '%s'", argv[optind]);
    if (!file) return cli_error("perplexity", "no text: give -f FILE");
    if (!model) model = cli_default_model();
    if (!model) return cli_error("perplexity", "no model: give -m FILE (or set VERS_MODEL)");
    size_t text_len = 0;
    char *text = slurp(file, &text_len);
    if (!text) return cli_error(file, "cannot read");

    int rc = 2;
    vers_err err = { 0, "" };
    vers_model *m = NULL;
    vers_tokenizer *tok = NULL;
    vers_ctx *ctx = NULL;
    int32_t *ids = NULL, *win = NULL;
    size_t n_ids = 0;
    vers_model_params mp = { (int)threads };
    if (vers_model_load(model, &mp, &m, &err)) { cli_error(model, "%s", err.msg); goto done; }
    if (vers_tokenizer_from_gguf(vers_model_gguf(m), &tok, &err)) { cli_error(model, "%s", err.msg); goto done; }
    if (vers_tokenize(tok, text, text_len, 0, 0, &ids, &n_ids, &err)) { cli_error(file, "%s", err.msg); goto done; }
    const vers_model_info *hp = vers_model_get_info(m);
    if (!n_ctx) n_ctx = hp->n_ctx_train < 512 ? hp->n_ctx_train : 512;
    if (n_ctx > hp->n_ctx_train) n_ctx = hp->n_ctx_train;
    if (n_ctx < 2) { cli_error(model, "context of %ld is too small", n_ctx); goto done; }
    const int32_t bos = vers_token_bos(tok);
    if (n_ids < (bos >= 0 ? 1u : 2u)) { cli_error(file, "too short to score (%zu tokens)", n_ids); goto done; }
    vers_ctx_params cp = vers_ctx_default_params();
    cp.n_ctx = (int)n_ctx; cp.n_threads = (int)threads; cp.kv_type = kv;
    if (vers_ctx_new(m, &cp, &ctx, &err)) { cli_error(model, "%s", err.msg); goto done; }
    win = malloc(sizeof(int32_t) * (size_t)n_ctx);
    if (!win) { cli_error("perplexity", "out of memory"); goto done; }
    const int nv = hp->n_vocab;
    double sum = 0;
    size_t scored = 0, i = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (i < n_ids) {
        int n = 0;
        const int first_scored = 1;
        if (bos >= 0) win[n++] = bos;
        if (bos < 0 && i > 0) win[n++] = ids[i - 1];   /* context token, scored before */
        while (n < n_ctx && i < n_ids) win[n++] = ids[i++];
        vers_ctx_truncate(ctx, 0);
        if (vers_decode(ctx, win, n, 1, &err)) { cli_error(model, "%s", err.msg); goto done; }
        for (int j = first_scored; j < n; j++) {
            sum += nll(vers_ctx_logits(ctx, j - 1), nv, win[j]);
            scored++;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    double ppl = exp(sum / (double)scored);
    double bpb = text_len ? sum / log(2.0) / (double)text_len : 0;
    if (json) {
        printf("{\"model\":"); json_str(model);
        printf(",\"file\":"); json_str(file);
        printf(",\"tokens\":%zu,\"scored\":%zu,\"bytes\":%zu,\"n_ctx\":%ld,"
               "\"nll\":%.6f,\"perplexity\":%.6f,\"bits_per_byte\":%.6f,\"seconds\":%.3f}\n",
               n_ids, scored, text_len, n_ctx, sum / (double)scored, ppl, bpb, secs);
    } else
        printf("tokens: %zu (scored %zu), bytes: %zu, window: %ld\nperplexity: %.4f\nbits per byte: %.4f\n",
               n_ids, scored, text_len, n_ctx, ppl, bpb);
    rc = 0;
done:
    free(win);
    free(ids);
    vers_ctx_free(ctx);
    vers_tokenizer_free(tok);
    vers_model_free(m);
    free(text);
    return rc;
}
