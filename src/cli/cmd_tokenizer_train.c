/* src/cli/cmd_tokenizer_train.c — `vers tokenizer-train`: learns a byte-level BPE from
 * corpus files (record bodies and titles; headers are not text) and writes a .vtok file
 * that `vers train --tokenizer` reads. */
#include "cli.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f, "usage: vers tokenizer-train [options] CORPUS...\n"
               "  -o, --output FILE     tokenizer file to write (default tokenizer.vtok)\n"
               "  -v, --vocab N         vocabulary size incl. %d tags, %d structure codes (<syl:N> <rh:K>\n"
               "                        <rh:other> <stanza>) and 256 byte tokens (default 8192)\n"
               "      --max-bytes N     learn from at most N bytes of text, spread over the files (default all)\n"
               "      --json            print a JSON summary\n", VERS_BPE_N_SPECIAL, VERS_BPE_N_STRUCT);
}

typedef struct { const char **t; size_t *l; size_t n, cap, bytes, budget; } texts;
static int push(texts *x, const char *p, size_t n) {
    if (!n || x->bytes >= x->budget) return 0;
    if (x->n == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 4096;
        const char **t = realloc(x->t, nc * sizeof *t); if (!t) return VERS_ENOMEM; x->t = t;
        size_t *l = realloc(x->l, nc * sizeof *l); if (!l) return VERS_ENOMEM; x->l = l;
        x->cap = nc;
    }
    x->t[x->n] = p; x->l[x->n] = n; x->n++; x->bytes += n;
    return 0;
}
static int take(const vers_doc *d, void *ctx) {
    texts *x = ctx;
    int rc = push(x, d->title, d->title_len);
    return rc ? rc : push(x, d->body, d->body_len);
}

int cmd_tokenizer_train(int argc, char **argv) {
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"vocab", required_argument, 0, 'v'},
        {"max-bytes", required_argument, 0, 'm'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = "tokenizer.vtok";
    long vocab = 8192, maxb = 0; int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:v:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'v': if (cli_parse_int(optarg, 300, 1 << 20, &vocab)) return cli_error("tokenizer-train", "--vocab: expected 300..1048576"); break;
        case 'm': if (cli_parse_int(optarg, 1, 1L << 40, &maxb)) return cli_error("tokenizer-train", "--max-bytes: expected a positive number"); break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("tokenizer-train", "o:v:h", argv);
        }
    }
    int nf = argc - optind;
    if (nf <= 0) { usage(stderr); return cli_error("tokenizer-train", "no corpus files given"); }
    if (cli_check_outputs(&out, 1, (const char *const *)argv + optind, nf)) return 2;
    char **bufs = calloc((size_t)nf, sizeof *bufs);
    texts x = {0};
    int rc = bufs ? 0 : 2;
    vers_err err;
    for (int i = 0; i < nf && !rc; i++) {
        size_t len;
        if (vers_corpus_read(argv[optind + i], &bufs[i], &len, &err)) { fprintf(stderr, "vers: %s\n", err.msg); rc = 2; break; }
        /* an equal share of the byte budget per file */
        x.budget = maxb ? x.bytes + (size_t)maxb / (size_t)nf : (size_t)-1;
        int prc = vers_corpus_parse(bufs[i], len, take, &x, &err);
        if (prc == VERS_EFORMAT) rc = cli_error(argv[optind + i], "%s", err.msg);
        else if (prc) rc = cli_error("tokenizer-train", "out of memory");
    }
    vers_bpe *b = NULL;
    if (!rc && vers_bpe_train(x.t, x.l, (int)x.n, (int)vocab, &b, &err)) rc = cli_error("tokenizer-train", "%s", err.msg);
    if (!rc && vers_bpe_save(b, out, &err)) { fprintf(stderr, "vers: %s\n", err.msg); rc = 2; }
    if (!rc && !cli_is_stdout(out)) {      /* a summary inside the tokenizer would spoil it */
        if (json) printf("{\"output\":\"%s\",\"vocab\":%d,\"merges\":%d,\"text_bytes\":%zu,\"texts\":%zu}\n", out,
                         vers_bpe_vocab_size(b), vers_bpe_n_merges(b), x.bytes, x.n);
        else printf("%s: %d tokens (%d special, %d structure codes, 256 bytes, %d merges) learned from %zu bytes of text\n", out,
                    vers_bpe_vocab_size(b), VERS_BPE_N_SPECIAL, VERS_BPE_N_STRUCT, vers_bpe_n_merges(b), x.bytes);
    }
    vers_bpe_free(b);
    for (int i = 0; i < nf; i++) free(bufs[i]);
    free(bufs); free(x.t); free(x.l);
    return rc;
}
