/* src/cli/cmd_tokenize.c — `vers tokenize`: the tokens of a text with a model's tokenizer
 * (only the tokenizer is read from the GGUF file, not the weights). */
#include "cli.h"
#include "util/utf8.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
        "usage: vers tokenize [-m MODEL] (-p TEXT | -f FILE) [--ids] [--json] [--no-bos] [--special]\n"
        "  -m, --model FILE   GGUF model whose tokenizer to use (default: the shipped model)\n"
        "  -p, --prompt TEXT  text to tokenize\n"
        "  -f, --file FILE    read the text from FILE ('-': standard input)\n"
        "      --ids          print only the ids, space-separated, on one line\n"
        "      --json         print JSON: {\"model\", \"tokenizer\", \"pre\", \"n_tokens\", \"tokens\": [{\"id\", \"piece\"}]}\n"
        "      --no-bos       do not add BOS/EOS even where the model asks for them\n"
        "      --special      special-token text in the input (<s>, <|endoftext|>, <fr> ...) becomes\n"
        "                     that token; without it, it is plain text\n"
        "Default output: one line per token, \"ID -> 'PIECE'\" (control tokens shown by name,\n"
        "non-printable bytes escaped).\n");
}

static char *read_all(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap + 1);
    if (!p) return NULL;
    for (;;) {
        size_t r = fread(p + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
        if (n == cap) {
            char *q = cap < ((size_t)1 << 40) ? realloc(p, 2 * cap + 1) : NULL;
            if (!q) { free(p); return NULL; }
            p = q; cap *= 2;
        }
    }
    if (ferror(f)) { free(p); return NULL; }
    p[n] = 0;
    *len = n;
    return p;
}

/* Writes a piece quoted for the terminal: C-like escapes, bytes that are not valid UTF-8
 * as \xHH.  (The JSON output goes through cli_put_json.) */
static void put_piece(FILE *o, const char *p, size_t n) {
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = utf8_decode(s + i, n - i, NULL);
        if (k == 0) { fprintf(o, "\\x%02x", c); i++; continue; }
        if (k > 1) { fwrite(s + i, 1, k, o); i += k; continue; }
        i++;
        if (c == '\n') fputs("\\n", o);
        else if (c == '\t') fputs("\\t", o);
        else if (c == '\r') fputs("\\r", o);
        else if (c == '\\') fputs("\\\\", o);
        else if (c == '\'') fputs("\\'", o);
        else if (c < 0x20 || c == 0x7f) fprintf(o, "\\x%02x", c);
        else fputc((int)c, o);
    }
}

/* 1 when the piece is not whole UTF-8 (part of a character). */
static int piece_invalid(const char *p, size_t n) {
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = utf8_decode((const unsigned char *)p + i, n - i, NULL))) return 1;
    return 0;
}

int cmd_tokenize(int argc, char **argv) {
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "prompt", required_argument, 0, 'p' },
        { "file", required_argument, 0, 'f' }, { "ids", no_argument, 0, 'i' },
        { "json", no_argument, 0, 'j' }, { "no-bos", no_argument, 0, 'b' },
        { "special", no_argument, 0, 's' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *model = NULL, *prompt = NULL, *file = NULL;
    int ids_only = 0, json = 0, add_special = 1, parse_special = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:p:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'p': prompt = optarg; break;
        case 'f': file = optarg; break;
        case 'i': ids_only = 1; break;
        case 'j': json = 1; break;
        case 'b': add_special = 0; break;
        case 's': parse_special = 1; break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("tokenize", "m:p:f:h", argv);
        }
    }
    if (optind < argc) return cli_error("tokenize", "unexpected argument '%s' (see --help)", argv[optind]);
    if (!prompt == !file) return cli_error("tokenize", "give exactly one of -p TEXT or -f FILE (see --help)");
    if (!model && !(model = cli_default_model()))
        return cli_error("tokenize", "no model given (-m) and no shipped model found");

    char *text = NULL;
    size_t len = 0;
    if (file) {
        FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
        if (!f) return cli_error(file, "cannot open");
        text = read_all(f, &len);
        if (f != stdin) fclose(f);
        if (!text) return cli_error(file, "cannot read");
    } else {
        len = strlen(prompt);
    }

    vers_tokenizer *t = NULL;
    vers_err err;
    if (vers_tokenizer_load(model, &t, &err)) { free(text); return cli_error(model, "%s", err.msg); }
    int32_t *ids = NULL;
    size_t n = 0;
    if (vers_tokenize(t, text ? text : prompt, len, add_special, parse_special, &ids, &n, &err)) {
        vers_tokenizer_free(t); free(text);
        return cli_error(model, "%s", err.msg);
    }

    /* the whole output is built first, then written: nothing is printed half */
    char *out = NULL;
    size_t out_len = 0;
    FILE *o = open_memstream(&out, &out_len);
    if (!o) { free(ids); vers_tokenizer_free(t); free(text); return cli_error("tokenize", "out of memory"); }
    if (json) {
        fputs("{\"model\": ", o);
        cli_put_json(o, model, strlen(model));
        fputs(", \"tokenizer\": ", o);
        cli_put_json(o, vers_tokenizer_model(t), strlen(vers_tokenizer_model(t)));
        fputs(", \"pre\": ", o);
        cli_put_json(o, vers_tokenizer_pre(t), strlen(vers_tokenizer_pre(t)));
        fprintf(o, ", \"n_tokens\": %zu, \"tokens\": [", n);
        for (size_t i = 0; i < n; i++) {
            size_t pl;
            const char *p = vers_token_piece(t, ids[i], 1, &pl);
            fprintf(o, "%s{\"id\": %d, \"piece\": ", i ? ", " : "", (int)ids[i]);
            cli_put_json(o, p, pl);
            if (piece_invalid(p, pl)) {   /* part of a character: give the exact bytes too */
                fputs(", \"bytes\": \"", o);
                for (size_t k = 0; k < pl; k++) fprintf(o, "%02x", (unsigned char)p[k]);
                fputc('"', o);
            }
            fputc('}', o);
        }
        fputs("]}\n", o);
    } else if (ids_only) {
        for (size_t i = 0; i < n; i++) fprintf(o, "%s%d", i ? " " : "", (int)ids[i]);
        fputc('\n', o);
    } else {
        for (size_t i = 0; i < n; i++) {
            size_t pl;
            const char *p = vers_token_piece(t, ids[i], 1, &pl);
            fprintf(o, "%6d -> '", (int)ids[i]);
            put_piece(o, p, pl);
            fputs("'\n", o);
        }
    }
    int bad = ferror(o);
    fclose(o);
    free(ids); vers_tokenizer_free(t); free(text);
    if (bad || !out) { free(out); return cli_error("tokenize", "out of memory"); }
    fwrite(out, 1, out_len, stdout);
    free(out);
    return fflush(stdout) == 0 ? 0 : cli_error("tokenize", "cannot write the output");
}
