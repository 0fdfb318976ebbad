/* src/cli/cmd_perplexity.c — `vers perplexity`: how well a model predicts a text.
 *
 * -f FILE: the text is tokenized (no BOS), cut into windows of at most n_ctx-1 tokens; each
 * window is decoded after a BOS (or, for a vocabulary without one, after the window's first
 * token, which is then not scored) and every token is scored by the logits before it.
 * Prints the perplexity exp(mean NLL) and bits per byte = sum NLL / ln 2 / bytes of the text.
 *
 * --heldout CORPUS...: the documents the trainer held out for validation (same split
 * predicate, seed and share, so the CORPUS list must be in the trainer's order), each laid
 * out as the trainer does for a vocabulary with our control tokens, as "title\nbody" after
 * BOS otherwise; only the body's tokens are scored (conditioned on everything before them,
 * overlapping windows for long documents), and bits per byte divide by the body's UTF-8
 * bytes, so that models with different tokenizers compare.  Figures per file, per group
 * (language x kind) and overall.  The library side is src/train/heldout.c.
 *
 * --by-position (either mode): the same figures split by where the scored token sat in its
 * window (issue 17: does a model gain from long context?).  A token's position is its index
 * in the window, i.e. how many tokens of that window it was conditioned on; the window's
 * first token (BOS, or the previous window's last token) is position 0 and never scored.
 * --heldout reads non-overlapping windows then (stride = window - 1) unless --stride is
 * given, so that every token is scored once, at the position a training window puts it. */
#include "cli.h"
#include "vers/tokenizer.h"
#include "engine/gguf.h"
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f) {
    fprintf(f,
        "usage: vers perplexity [-m MODEL] -f FILE [-c N] [-t N] [--kv f32|f16] [--by-position] [--json]\n"
        "       vers perplexity --heldout [-m MODEL] [--seed N] [--val-frac F] [--max-docs N]\n"
        "                       [-c N] [--stride N] [-t N] [--by-position] [--json] CORPUS...\n"
        "  -m, --model FILE   GGUF model (default: the shipped model)\n"
        "  -f, --file FILE    text to score (windows of -c tokens, each after a BOS)\n"
        "  -c, --ctx N        window size in tokens (default min(512, model context))\n"
        "  -t, --threads N    threads (default: all cores)\n"
        "      --kv f32|f16   KV cache type (default f32)\n"
        "      --json         print the figures as a JSON object\n"
        "      --by-position  also split every figure by the scored token's position in its window:\n"
        "                     positions 1-16, 17-64, 65-256, 257-512 (and 513+ for a longer window).\n"
        "                     A token's position is its index in the window = the number of tokens of\n"
        "                     that window it was conditioned on; the window's first token (BOS, or\n"
        "                     the previous window's last token) is position 0 and is never scored,\n"
        "                     so a window of N tokens scores positions 1 to N-1.  Per bucket: tokens,\n"
        "                     mean nats/token, bytes (the UTF-8 bytes its tokens decode to) and bits\n"
        "                     per byte; the buckets' tokens add up to the tokens scored and their\n"
        "                     nats to the total.  With --heldout the windows do not overlap (stride\n"
        "                     = window - 1: each window starts with the previous one's last token, so\n"
        "                     every token is scored once, at the position a training window gives it)\n"
        "                     unless --stride is given; -f windows never overlap (BOS + N-1 tokens)\n"
        "  --heldout          score the documents `vers train` held out for validation from the\n"
        "                     CORPUS files, given in the order they were given to vers train\n"
        "                     (the split depends on each file's position and record number)\n"
        "      --seed N       split seed (default 1: vers train always splits with seed 1)\n"
        "      --val-frac F   held-out share of documents (default 0.02, vers train's default)\n"
        "      --max-docs N   score only the first N held-out documents of each file\n"
        "      --stride N     long documents: window starts advance by N tokens (default\n"
        "                     ctx/2, so a scored token sees at least ctx/2 tokens before it;\n"
        "                     with --by-position, ctx-1: non-overlapping windows)\n"
        "  A held-out document is laid out as in training, <|bos|><lang><form><title>T</title>\\n\n"
        "  BODY<|eos|>, when the model's vocabulary has vers's control tokens, else as BOS T\\nBODY.\n"
        "  Only the body's tokens are scored.  Per file, per group (fr-poem, en-poem, fr-prose,\n"
        "  en-prose, other) and overall: documents, body bytes, tokens scored, mean nats/token,\n"
        "  perplexity, and bits per byte = total nats / ln 2 / UTF-8 bytes of the bodies (the\n"
        "  figure that compares across tokenizers).\n");
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

static void json_str(const char *s) { cli_put_json(stdout, s, strlen(s)); }

/* -log softmax(logits)[target], in double */
static double nll(const float *lg, int n, int target) {
    float mx = lg[0];
    for (int i = 1; i < n; i++) if (lg[i] > mx) mx = lg[i];
    double s = 0;
    for (int i = 0; i < n; i++) s += exp((double)lg[i] - mx);
    return log(s) - ((double)lg[target] - mx);
}

/* ---- --by-position: buckets of window positions ---- */
enum { N_BUCKETS = 5 };
static const int bucket_from[N_BUCKETS] = {1, 17, 65, 257, 513};
static int bucket_of(int pos) { int b = 0; while (b + 1 < N_BUCKETS && pos >= bucket_from[b + 1]) b++; return b; }
static int bucket_to(int b, int window) {      /* the last position of bucket b in windows of `window` */
    int to = b + 1 < N_BUCKETS ? bucket_from[b + 1] - 1 : window - 1;
    return to < window - 1 ? to : window - 1;
}
static int n_buckets(int window) { int n = 0; while (n < N_BUCKETS && bucket_from[n] <= window - 1) n++; return n; }
typedef struct { uint64_t tokens, bytes; double nll; } pos_stat;

/* bytes the token decodes to (control tokens: none) */
static size_t piece_bytes(const vers_tokenizer *t, int32_t id) {
    size_t len = 0;
    vers_token_piece(t, id, 0, &len);
    return len;
}

static void pos_json(const pos_stat *p, int window) {
    printf(",\"by_position\":[");
    for (int b = 0; b < n_buckets(window); b++) {
        printf("%s{\"from\":%d,\"to\":%d,\"tokens\":%llu,\"bytes\":%llu", b ? "," : "", bucket_from[b], bucket_to(b, window),
               (unsigned long long)p[b].tokens, (unsigned long long)p[b].bytes);
        if (p[b].tokens) printf(",\"nll\":%.6f", p[b].nll / (double)p[b].tokens); else printf(",\"nll\":null");
        if (p[b].bytes) printf(",\"bits_per_byte\":%.6f}", p[b].nll / log(2.0) / (double)p[b].bytes);
        else printf(",\"bits_per_byte\":null}");
    }
    printf("]");
}

static void pos_rows(const char *name, const pos_stat *p, int window) {
    for (int b = 0; b < n_buckets(window); b++) {
        char range[32];
        snprintf(range, sizeof range, "%d-%d", bucket_from[b], bucket_to(b, window));
        printf("%-22s %-10s %9llu %10llu", name, range, (unsigned long long)p[b].tokens, (unsigned long long)p[b].bytes);
        if (p[b].tokens) printf(" %9.4f", p[b].nll / (double)p[b].tokens); else printf(" %9s", "-");
        if (p[b].bytes) printf(" %9.4f\n", p[b].nll / log(2.0) / (double)p[b].bytes); else printf(" %9s\n", "-");
    }
}

static void pos_header(void) {
    printf("%-22s %-10s %9s %10s %9s %9s\n", "set", "positions", "tokens", "bytes", "nats/tok", "bits/byte");
}

/* ---- --heldout ---- */
typedef struct { char name[256]; int64_t docs; uint64_t bytes, tokens; double nll; pos_stat pos[N_BUCKETS]; } ho_stat;
enum { G_FR_POEM, G_EN_POEM, G_FR_PROSE, G_EN_PROSE, G_OTHER, N_GROUPS };
static const char *const group_names[N_GROUPS] = {"fr-poem", "en-poem", "fr-prose", "en-prose", "other"};

typedef struct {
    vers_ctx *ctx; const vers_doc_format *fmt; const vers_tokenizer *tok;
    int window, stride, by_pos; long max_docs;
    ho_stat *files, groups[N_GROUPS], all;
    int32_t *ids; size_t cap;
    int32_t *pos; double *tok_nll; size_t pcap;   /* --by-position: per token of a document */
    vers_err *err;
} ho_run;

static int field_is(const char *s, size_t n, const char *lit) { return strlen(lit) == n && !memcmp(s, lit, n); }

static int heldout_doc(const vers_doc *d, int file_no, int64_t doc_no, void *vctx) {
    ho_run *r = vctx;
    ho_stat *fs = &r->files[file_no];
    if (r->max_docs && fs->docs >= r->max_docs) return 0;
    size_t n = 0, b0 = 0, b1 = 0;
    int rc = vers_doc_format_tokens(r->fmt, d, &r->ids, &n, &r->cap, &b0, &b1);
    if (rc) return vers_errorf(r->err, rc, "record %lld: %s", (long long)doc_no,
                               rc == VERS_ENOMEM ? "out of memory" : "cannot lay out the document");
    double nll = 0; size_t cnt = 0;
    if (r->by_pos && n > r->pcap) {
        int32_t *p = realloc(r->pos, n * sizeof *p);
        if (p) r->pos = p;
        double *q = p ? realloc(r->tok_nll, n * sizeof *q) : NULL;
        if (q) r->tok_nll = q;
        if (!p || !q) return vers_errorf(r->err, VERS_ENOMEM, "out of memory");
        r->pcap = n;
    }
    if ((rc = vers_score_tokens_at(r->ctx, r->ids, n, b0, b1, r->window, r->stride, &nll, &cnt,
                                   r->by_pos ? r->pos : NULL, r->by_pos ? r->tok_nll : NULL, r->err))) return rc;
    pos_stat ps[N_BUCKETS] = {{0}};
    if (r->by_pos)
        for (size_t j = b0; j < b1 && j < n; j++) {
            if (r->pos[j] < 1) continue;
            pos_stat *q = &ps[bucket_of(r->pos[j])];
            q->tokens++; q->nll += r->tok_nll[j]; q->bytes += piece_bytes(r->tok, r->ids[j]);
        }
    int fr = field_is(d->lang, d->lang_len, "fr"), en = field_is(d->lang, d->lang_len, "en");
    int poem = field_is(d->kind, d->kind_len, "poem"), prose = field_is(d->kind, d->kind_len, "prose");
    int g = fr && poem ? G_FR_POEM : en && poem ? G_EN_POEM : fr && prose ? G_FR_PROSE : en && prose ? G_EN_PROSE : G_OTHER;
    ho_stat *to[3] = {fs, &r->groups[g], &r->all};
    for (int i = 0; i < 3; i++) {
        to[i]->docs++; to[i]->bytes += d->body_len; to[i]->tokens += cnt; to[i]->nll += nll;
        for (int b = 0; b < N_BUCKETS; b++) { to[i]->pos[b].tokens += ps[b].tokens; to[i]->pos[b].bytes += ps[b].bytes; to[i]->pos[b].nll += ps[b].nll; }
    }
    return 0;
}

/* A comma-separated list in a GGUF string (vers.corpus.files), item i, or "" */
static void list_item(const gguf_file *g, const char *key, int i, char *out, size_t cap) {
    gguf_str s; out[0] = 0;
    if (gguf_get_str(g, key, &s)) return;
    const char *p = s.ptr, *end = s.ptr + s.len;
    for (int k = 0; p <= end; k++) {
        const char *e = memchr(p, ',', (size_t)(end - p)); if (!e) e = end;
        if (k == i) { snprintf(out, cap, "%.*s", (int)(e - p), p); return; }
        p = e + 1;
    }
}

/* The split depends on each file's position: say so when the list differs from the one
 * the model (or, for a fine-tuned model, its starting model) was trained on. */
static void check_corpus_order(const gguf_file *g, char **files, int n) {
    gguf_str s;
    int has = !gguf_get_str(g, "vers.corpus.files", &s), has_init = !gguf_get_str(g, "vers.init.corpus.files", &s);
    if (!has && !has_init) return;
    for (int i = 0; i < n; i++) {
        const char *b = strrchr(files[i], '/'); b = b ? b + 1 : files[i];
        char a[256], c[256];
        list_item(g, "vers.corpus.files", i, a, sizeof a);
        list_item(g, "vers.init.corpus.files", i, c, sizeof c);
        if (strcmp(a, b) && strcmp(c, b)) {
            fprintf(stderr, "vers: perplexity: warning: corpus file %d is %s, but the model was trained with %s there "
                            "(the held-out documents are those of the model's training only with the same file list)\n",
                    i + 1, b, a[0] ? a : c[0] ? c : "no file");
            return;
        }
    }
}

static void stat_json(const ho_stat *s, int by_pos_window) {
    printf("\"docs\":%lld,\"bytes\":%llu,\"tokens\":%llu", (long long)s->docs, (unsigned long long)s->bytes,
           (unsigned long long)s->tokens);
    if (s->tokens) printf(",\"nll\":%.6f,\"perplexity\":%.6f", s->nll / (double)s->tokens, exp(s->nll / (double)s->tokens));
    else printf(",\"nll\":null,\"perplexity\":null");
    if (s->bytes) printf(",\"bits_per_byte\":%.6f", s->nll / log(2.0) / (double)s->bytes);
    else printf(",\"bits_per_byte\":null");
    if (by_pos_window) pos_json(s->pos, by_pos_window);
    printf("}");
}

static void stat_row(const char *name, const ho_stat *s) {
    printf("%-22s %6lld %10llu %9llu", name, (long long)s->docs, (unsigned long long)s->bytes, (unsigned long long)s->tokens);
    if (s->tokens) printf(" %9.4f %10.2f", s->nll / (double)s->tokens, exp(s->nll / (double)s->tokens));
    else printf(" %9s %10s", "-", "-");
    if (s->bytes) printf(" %9.4f\n", s->nll / log(2.0) / (double)s->bytes); else printf(" %9s\n", "-");
}

static int heldout_main(const char *model, char **files, int n_files, long seed, double val_frac, long max_docs,
                        long n_ctx, long stride, long threads, vers_kv_type kv, int json, int by_pos) {
    int rc = 2;
    vers_err err = { 0, "" };
    vers_model *m = NULL;
    vers_tokenizer *tok = NULL;
    vers_ctx *ctx = NULL;
    vers_doc_format *fmt = NULL;
    ho_run r = { 0 };
    vers_model_params mp = { (int)threads };
    if (vers_model_load(model, &mp, &m, &err)) { cli_error(model, "%s", err.msg); goto done; }
    if (vers_tokenizer_from_gguf(vers_model_gguf(m), &tok, &err)) { cli_error(model, "%s", err.msg); goto done; }
    if (vers_doc_format_new(vers_model_gguf(m), tok, &fmt, &err)) { cli_error(model, "%s", err.msg); goto done; }
    check_corpus_order(vers_model_gguf(m), files, n_files);
    const vers_model_info *hp = vers_model_get_info(m);
    if (!n_ctx) n_ctx = hp->n_ctx_train < 512 ? hp->n_ctx_train : 512;
    if (n_ctx > hp->n_ctx_train) n_ctx = hp->n_ctx_train;
    if (n_ctx < 2) { cli_error(model, "context of %ld is too small", n_ctx); goto done; }
    if (!stride) stride = by_pos ? n_ctx - 1 : n_ctx / 2;
    if (stride >= n_ctx) { cli_error("perplexity", "--stride %ld must be below the window (%ld)", stride, n_ctx); goto done; }
    vers_ctx_params cp = vers_ctx_default_params();
    cp.n_ctx = (int)n_ctx; cp.n_threads = (int)threads; cp.kv_type = kv;
    if (vers_ctx_new(m, &cp, &ctx, &err)) { cli_error(model, "%s", err.msg); goto done; }
    r.ctx = ctx; r.fmt = fmt; r.tok = tok; r.by_pos = by_pos; r.window = (int)n_ctx; r.stride = (int)stride; r.max_docs = max_docs; r.err = &err;
    r.files = calloc((size_t)n_files, sizeof *r.files);
    if (!r.files) { cli_error("perplexity", "out of memory"); goto done; }
    for (int i = 0; i < n_files; i++) {
        const char *b = strrchr(files[i], '/');
        snprintf(r.files[i].name, sizeof r.files[i].name, "%s", b ? b + 1 : files[i]);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (vers_heldout_each((const char *const *)files, n_files, (uint64_t)seed, val_frac, heldout_doc, &r, &err)) {
        cli_error("perplexity", "%s", err.msg); goto done;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    const char *layout = vers_doc_format_is_vers(fmt) ? "vers" : "plain";
    if (json) {
        printf("{\"model\":"); json_str(model);
        printf(",\"seed\":%ld,\"val_frac\":%g,\"max_docs\":%ld,\"layout\":\"%s\",\"window\":%ld,\"stride\":%ld,",
               seed, val_frac, max_docs, layout, n_ctx, stride);
        if (by_pos) printf("\"by_position\":\"index in the window (tokens before it there); window start = position 0, not scored\",");
        printf("\"files\":[");
        int bw = by_pos ? (int)n_ctx : 0;
        for (int i = 0; i < n_files; i++) {
            printf("%s{\"file\":", i ? "," : ""); json_str(files[i]); printf(","); stat_json(&r.files[i], bw);
        }
        printf("],\"groups\":{");
        for (int g = 0, k = 0; g < N_GROUPS; g++) {
            if (!r.groups[g].docs) continue;
            printf("%s\"%s\":{", k++ ? "," : "", group_names[g]); stat_json(&r.groups[g], bw);
        }
        printf("},\"all\":{"); stat_json(&r.all, bw);
        printf(",\"seconds\":%.3f}\n", secs);
    } else {
        printf("held-out documents of %d file%s (seed %ld, val-frac %g%s), model %s\n", n_files, n_files > 1 ? "s" : "",
               seed, val_frac, max_docs ? ", first documents only" : "", model);
        printf("layout %s (%s), window %ld, stride %ld; %.1f s\n", layout,
               vers_doc_format_is_vers(fmt) ? "control tokens, as trained" : "BOS + title\\n + body", n_ctx, stride, secs);
        printf("%-22s %6s %10s %9s %9s %10s %9s\n", "set", "docs", "bytes", "tokens", "nats/tok", "perplexity", "bits/byte");
        for (int i = 0; i < n_files; i++) stat_row(r.files[i].name, &r.files[i]);
        for (int g = 0; g < N_GROUPS; g++) if (r.groups[g].docs) stat_row(group_names[g], &r.groups[g]);
        stat_row("all", &r.all);
        if (by_pos) {
            printf("by position in the window (a token's position: how many tokens of its window precede it; "
                   "%s windows of %ld, each token scored once)\n", stride == n_ctx - 1 ? "non-overlapping" : "overlapping", n_ctx);
            pos_header();
            for (int g = 0; g < N_GROUPS; g++) if (r.groups[g].docs) pos_rows(group_names[g], r.groups[g].pos, (int)n_ctx);
            pos_rows("all", r.all.pos, (int)n_ctx);
        }
    }
    rc = 0;
done:
    free(r.ids); free(r.files); free(r.pos); free(r.tok_nll);
    vers_doc_format_free(fmt);
    vers_ctx_free(ctx);
    vers_tokenizer_free(tok);
    vers_model_free(m);
    return rc;
}

int cmd_perplexity(int argc, char **argv) {
    enum { O_JSON = 256, O_KV, O_HELDOUT, O_SEED, O_VALFRAC, O_MAXDOCS, O_STRIDE, O_BYPOS };
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "file", required_argument, 0, 'f' },
        { "ctx", required_argument, 0, 'c' }, { "threads", required_argument, 0, 't' },
        { "kv", required_argument, 0, O_KV }, { "json", no_argument, 0, O_JSON },
        { "heldout", no_argument, 0, O_HELDOUT }, { "seed", required_argument, 0, O_SEED },
        { "val-frac", required_argument, 0, O_VALFRAC }, { "max-docs", required_argument, 0, O_MAXDOCS },
        { "stride", required_argument, 0, O_STRIDE }, { "by-position", no_argument, 0, O_BYPOS },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *model = NULL, *file = NULL;
    long n_ctx = 0, threads = 0, seed = 1, max_docs = 0, stride = 0;
    double val_frac = 0.02;
    int json = 0, heldout = 0, split_opt = 0, by_pos = 0;
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
        case O_HELDOUT: heldout = 1; break;
        case O_BYPOS: by_pos = 1; break;
        case O_SEED: split_opt = 1; if (cli_parse_int(optarg, 0, 0x7fffffffL, &seed)) return cli_error("perplexity", "bad --seed '%s'", optarg); break;
        case O_VALFRAC: split_opt = 1;
            if (cli_parse_float(optarg, &val_frac) || !(val_frac > 0 && val_frac < 1)) return cli_error("perplexity", "bad --val-frac '%s' (0 < F < 1)", optarg);
            break;
        case O_MAXDOCS: split_opt = 1; if (cli_parse_int(optarg, 1, 1L << 30, &max_docs)) return cli_error("perplexity", "bad --max-docs '%s'", optarg); break;
        case O_STRIDE: split_opt = 1; if (cli_parse_int(optarg, 1, 1 << 24, &stride)) return cli_error("perplexity", "bad --stride '%s'", optarg); break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("perplexity", "m:f:c:t:h", argv);
        }
    }
    if (heldout) {
        if (file) return cli_error("perplexity", "give either -f FILE or --heldout CORPUS..., not both");
        if (optind >= argc) return cli_error("perplexity", "--heldout needs the corpus files the model was trained on");
        if (!model) model = cli_default_model();
        if (!model) return cli_error("perplexity", "no model: give -m FILE (or set VERS_MODEL)");
        return heldout_main(model, argv + optind, argc - optind, seed, val_frac, max_docs, n_ctx, stride, threads, kv, json, by_pos);
    }
    if (split_opt) return cli_error("perplexity", "--seed, --val-frac, --max-docs and --stride go with --heldout");
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
    pos_stat ps[N_BUCKETS] = {{0}};
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
            double x = nll(vers_ctx_logits(ctx, j - 1), nv, win[j]);
            sum += x;
            scored++;
            if (by_pos) {   /* j: the tokens of this window before it */
                pos_stat *q = &ps[bucket_of(j)];
                q->tokens++; q->nll += x; q->bytes += piece_bytes(tok, win[j]);
            }
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
               "\"nll\":%.6f,\"perplexity\":%.6f,\"bits_per_byte\":%.6f,\"seconds\":%.3f",
               n_ids, scored, text_len, n_ctx, sum / (double)scored, ppl, bpb, secs);
        if (by_pos) pos_json(ps, (int)n_ctx);
        printf("}\n");
    } else {
        printf("tokens: %zu (scored %zu), bytes: %zu, window: %ld\nperplexity: %.4f\nbits per byte: %.4f\n",
               n_ids, scored, text_len, n_ctx, ppl, bpb);
        if (by_pos) {
            printf("by position in the window (a token's position: how many tokens of its window precede it, "
                   "BOS being position 0; non-overlapping windows, each token scored once)\n");
            pos_header();
            pos_rows("all", ps, (int)n_ctx);
        }
    }
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
