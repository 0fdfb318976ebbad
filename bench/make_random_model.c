/* bench/make_random_model.c — writes a llama model with random weights, for benchmarks:
 * a GGUF file (any weight type vers can quantize to) and, optionally, the same F32 weights
 * in llama2.c's legacy .bin format plus a tokenizer.bin, so that run.c can race vers on
 * identical weights.  The vocabulary is synthetic SentencePiece-style (<unk> <s> </s>,
 * 256 byte tokens, then "▁tNNN" pieces).  Weights: N(0,1) * 0.5/sqrt(n_in), norms 1.
 *
 *   make_random_model -o m.gguf [--dim 288] [--layers 6] [--heads 6] [--kv-heads H]
 *       [--ff 768] [--vocab 32000] [--ctx 512] [--type F32|F16|Q8_0|Q4_0|Q4_K|Q6_K ...]
 *       [--seed 1] [--llama2c m.bin --tok tokenizer.bin]
 *   make_random_model --from model.gguf --llama2c m.bin --tok tokenizer.bin
 *       converts an existing llama GGUF (e.g. stories260K) to llama2.c's format instead.
 * Model files are big: write them under /work/scratch, never into the repository. */
#include "vers.h"
#include "engine/gguf.h"
#include "engine/tensor.h"
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 1;
static double unif(void) {
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return ((rng_state * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
}
static float gauss(void) {
    double u = unif(), v = unif();
    if (u < 1e-300) u = 1e-300;
    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

typedef struct { char name[64]; int n_dims; int64_t ne[2]; float *f; void *q; } tensor;
static tensor *T; static int nT;

static float *add(const char *name, int64_t ne0, int64_t ne1, int norm) {
    T = realloc(T, sizeof(tensor) * (size_t)(nT + 1));
    tensor *t = &T[nT++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->n_dims = ne1 > 1 ? 2 : 1;
    t->ne[0] = ne0; t->ne[1] = ne1;
    t->q = NULL;
    size_t n = (size_t)(ne0 * ne1);
    t->f = malloc(sizeof(float) * n);
    float s = 0.5f / sqrtf((float)ne0);
    for (size_t i = 0; i < n; i++) t->f[i] = norm ? 1.0f : gauss() * (ne1 > 1 ? s : 1.0f);
    return t->f;
}

static float *find(const char *name) {
    for (int i = 0; i < nT; i++) if (!strcmp(T[i].name, name)) return T[i].f;
    return NULL;
}

static int write_bin(const char *bin, int dim, int FF, int L, int H, int KV, int V, int C);
static int write_tok(const char *tokbin, char **toks, const float *scores, int V);

/* --from: dequantize every tensor of a llama GGUF and write the llama2.c files */
static int convert(const char *from, const char *bin, const char *tokbin) {
    gguf_file *g;
    vers_err err;
    if (!bin || gguf_open(from, &g, &err)) { fprintf(stderr, "%s: %s\n", from, bin ? err.msg : "need --llama2c"); return 2; }
    uint32_t dim, FF, L, H, KV, C;
    if (gguf_get_u32(g, "llama.embedding_length", &dim) || gguf_get_u32(g, "llama.feed_forward_length", &FF) ||
        gguf_get_u32(g, "llama.block_count", &L) || gguf_get_u32(g, "llama.attention.head_count", &H) ||
        gguf_get_u32(g, "llama.context_length", &C)) { fprintf(stderr, "%s: not a llama model\n", from); return 2; }
    if (gguf_get_u32(g, "llama.attention.head_count_kv", &KV)) KV = H;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        const gguf_tensor *t = &g->tensors[i];
        char nm[64];
        snprintf(nm, sizeof nm, "%.*s", (int)t->name.len, t->name.ptr);
        float *f = add(nm, t->ne[0], t->ne[1], 0);
        for (int64_t r = 0; r < t->ne[1]; r++)
            vers_to_float(t->type, (const char *)t->data + (size_t)r * vers_row_size(t->type, t->ne[0]), f + r * t->ne[0], t->ne[0]);
    }
    const gguf_kv *tk = gguf_get_arr(g, "tokenizer.ggml.tokens");
    const gguf_kv *sc = gguf_get_arr(g, "tokenizer.ggml.scores");
    const int V = tk ? (int)tk->arr_n : 0;
    if (!find("output.weight")) { const gguf_tensor *e = gguf_find_tensor(g, "token_embd.weight");
        float *o = add("output.weight", e->ne[0], e->ne[1], 0); memcpy(o, find("token_embd.weight"), sizeof(float) * e->ne[0] * e->ne[1]); }
    int rc = write_bin(bin, (int)dim, (int)FF, (int)L, (int)H, (int)KV, V, (int)C);
    if (!rc && tokbin && tk) {
        char **toks = malloc(sizeof(char *) * V);
        float *scores = malloc(sizeof(float) * V);
        for (int i = 0; i < V; i++) {
            gguf_str s = tk->arr_str[i];
            toks[i] = calloc(s.len + 1, 1);
            size_t n = 0;
            for (uint64_t j = 0; j < s.len; j++) {   /* U+2581 -> space */
                if (j + 2 < s.len && (unsigned char)s.ptr[j] == 0xE2 && (unsigned char)s.ptr[j + 1] == 0x96 &&
                    (unsigned char)s.ptr[j + 2] == 0x81) { toks[i][n++] = ' '; j += 2; }
                else toks[i][n++] = s.ptr[j];
            }
            scores[i] = sc ? (float)gguf_arr_f64(sc, (uint64_t)i) : 0.0f;
        }
        rc = write_tok(tokbin, toks, scores, V);
        for (int i = 0; i < V; i++) free(toks[i]);
        free(toks); free(scores);
    }
    gguf_close(g);
    return rc;
}

int main(int argc, char **argv) {
    static const struct option opts[] = {
        { "dim", 1, 0, 'd' }, { "layers", 1, 0, 'l' }, { "heads", 1, 0, 'H' }, { "kv-heads", 1, 0, 'K' },
        { "ff", 1, 0, 'f' }, { "vocab", 1, 0, 'v' }, { "ctx", 1, 0, 'c' }, { "type", 1, 0, 'T' },
        { "seed", 1, 0, 's' }, { "llama2c", 1, 0, 'b' }, { "tok", 1, 0, 'k' }, { "from", 1, 0, 'F' }, { 0, 0, 0, 0 } };
    const char *from = NULL;
    int dim = 288, L = 6, H = 6, KV = 0, FF = 768, V = 32000, C = 512;
    const char *type = "F32", *out = NULL, *bin = NULL, *tokbin = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'd': dim = atoi(optarg); break;
        case 'l': L = atoi(optarg); break;
        case 'H': H = atoi(optarg); break;
        case 'K': KV = atoi(optarg); break;
        case 'f': FF = atoi(optarg); break;
        case 'v': V = atoi(optarg); break;
        case 'c': C = atoi(optarg); break;
        case 'T': type = optarg; break;
        case 's': rng_state = strtoull(optarg, NULL, 10) * 2654435761u + 1; break;
        case 'b': bin = optarg; break;
        case 'k': tokbin = optarg; break;
        case 'F': from = optarg; break;
        default: fprintf(stderr, "see the header of bench/make_random_model.c\n"); return 2;
        }
    }
    if (from) return convert(from, bin, tokbin);
    if (!KV) KV = H;
    int wt = vers_type_from_name(type);
    if (!out || wt < 0 || dim % H || H % KV || V < 260) { fprintf(stderr, "make_random_model: bad arguments\n"); return 2; }
    const int hd = dim / H, kvd = KV * hd;
    char nm[64];
    add("token_embd.weight", dim, V, 0);
    add("output_norm.weight", dim, 1, 1);
    add("output.weight", dim, V, 0);
    for (int l = 0; l < L; l++) {
#define A(s, a, b, n) snprintf(nm, sizeof nm, "blk.%d." s ".weight", l), add(nm, a, b, n)
        A("attn_norm", dim, 1, 1); A("attn_q", dim, dim, 0); A("attn_k", dim, kvd, 0); A("attn_v", dim, kvd, 0);
        A("attn_output", dim, dim, 0); A("ffn_norm", dim, 1, 1); A("ffn_gate", dim, FF, 0);
        A("ffn_up", dim, FF, 0); A("ffn_down", FF, dim, 0);
#undef A
    }
    /* vocabulary */
    char **toks = malloc(sizeof(char *) * V);
    size_t *lens = malloc(sizeof(size_t) * V);
    float *scores = malloc(sizeof(float) * V);
    int32_t *types = malloc(sizeof(int32_t) * V);
    for (int i = 0; i < V; i++) {
        toks[i] = malloc(32);
        if (i == 0) strcpy(toks[i], "<unk>");
        else if (i == 1) strcpy(toks[i], "<s>");
        else if (i == 2) strcpy(toks[i], "</s>");
        else if (i < 259) sprintf(toks[i], "<0x%02X>", i - 3);
        else if (i == 259) strcpy(toks[i], "\xe2\x96\x81");   /* a lone space: run.c's dummy prefix */
        else sprintf(toks[i], "\xe2\x96\x81t%d", i);
        lens[i] = strlen(toks[i]);
        scores[i] = i < 259 ? 0.0f : -(float)(i - 259);
        types[i] = i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1;
    }
    gguf_writer *w = gguf_writer_new();
    gguf_writer_set_str(w, "general.architecture", "llama");
    gguf_writer_set_str(w, "general.name", "vers-random-bench");
    gguf_writer_set_u32(w, "llama.context_length", (uint32_t)C);
    gguf_writer_set_u32(w, "llama.embedding_length", (uint32_t)dim);
    gguf_writer_set_u32(w, "llama.feed_forward_length", (uint32_t)FF);
    gguf_writer_set_u32(w, "llama.block_count", (uint32_t)L);
    gguf_writer_set_u32(w, "llama.attention.head_count", (uint32_t)H);
    gguf_writer_set_u32(w, "llama.attention.head_count_kv", (uint32_t)KV);
    gguf_writer_set_u32(w, "llama.rope.dimension_count", (uint32_t)hd);
    gguf_writer_set_f32(w, "llama.rope.freq_base", 10000.0f);
    gguf_writer_set_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    gguf_writer_set_str(w, "tokenizer.ggml.model", "llama");
    gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", (const char *const *)toks, lens, (uint64_t)V);
    gguf_writer_set_arr_f32(w, "tokenizer.ggml.scores", scores, (uint64_t)V);
    gguf_writer_set_arr_i32(w, "tokenizer.ggml.token_type", types, (uint64_t)V);
    gguf_writer_set_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", 1);
    gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", 2);
    gguf_writer_set_bool(w, "tokenizer.ggml.add_bos_token", 1);
    for (int i = 0; i < nT; i++) {
        tensor *t = &T[i];
        int ty = t->n_dims == 2 ? wt : VT_F32;
        size_t rs = vers_row_size(ty, t->ne[0]);
        if (!rs) { fprintf(stderr, "%s: row %lld not a multiple of the %s block\n", t->name, (long long)t->ne[0], type); return 2; }
        t->q = malloc(rs * (size_t)t->ne[1]);
        for (int64_t r = 0; r < t->ne[1]; r++)
            if (vers_quantize_row(ty, t->f + r * t->ne[0], (char *)t->q + (size_t)r * rs, t->ne[0])) {
                fprintf(stderr, "cannot quantize to %s\n", type); return 2;
            }
        if (gguf_writer_add_tensor(w, t->name, ty, t->n_dims, t->ne, t->q)) { fprintf(stderr, "add_tensor failed\n"); return 2; }
    }
    vers_err err;
    if (gguf_writer_write(w, out, &err)) { fprintf(stderr, "%s: %s\n", out, err.msg); return 2; }
    gguf_writer_free(w);
    if (bin && write_bin(bin, dim, FF, L, H, KV, V, C)) return 2;
    if (tokbin) {
        char **pieces = malloc(sizeof(char *) * V);
        for (int i = 0; i < V; i++) {
            pieces[i] = malloc(32);
            if (i == 259) strcpy(pieces[i], " ");
            else if (i > 259) sprintf(pieces[i], " t%d", i);
            else strcpy(pieces[i], toks[i]);
        }
        if (write_tok(tokbin, pieces, scores, V)) return 2;
        for (int i = 0; i < V; i++) free(pieces[i]);
        free(pieces);
    }
    for (int i = 0; i < nT; i++) { free(T[i].f); free(T[i].q); }
    for (int i = 0; i < V; i++) free(toks[i]);
    free(T); free(toks); free(lens); free(scores); free(types);
    return 0;
}

/* llama2.c legacy format: Config, then the arrays in run.c's order */
static int write_bin(const char *bin, int dim, int FF, int L, int H, int KV, int V, int C) {
    const int hd = dim / H, kvd = KV * hd;
    char nm[64];
    FILE *f = fopen(bin, "wb");
    if (!f) { fprintf(stderr, "%s: cannot write\n", bin); return 2; }
    int cfg[7] = { dim, FF, L, H, KV, -V, C };   /* negative vocab: separate classifier */
    fwrite(cfg, sizeof cfg, 1, f);
#define PUT(name, n) do { float *p_ = find(name); if (!p_) { fprintf(stderr, "no %s\n", name); fclose(f); return 2; } \
                          fwrite(p_, sizeof(float), (size_t)(n), f); } while (0)
#define PUTL(s, n) for (int l = 0; l < L; l++) { snprintf(nm, sizeof nm, "blk.%d." s ".weight", l); PUT(nm, n); }
    PUT("token_embd.weight", (size_t)V * dim);
    PUTL("attn_norm", dim); PUTL("attn_q", (size_t)dim * dim); PUTL("attn_k", (size_t)dim * kvd);
    PUTL("attn_v", (size_t)dim * kvd); PUTL("attn_output", (size_t)dim * dim); PUTL("ffn_norm", dim);
    PUTL("ffn_gate", (size_t)dim * FF); PUTL("ffn_down", (size_t)dim * FF); PUTL("ffn_up", (size_t)dim * FF);
    PUT("output_norm.weight", dim);
    float *zeros = calloc((size_t)C * hd, sizeof(float));
    fwrite(zeros, sizeof(float), (size_t)C * hd, f);   /* freq_cis_real + imag (unused by run.c) */
    free(zeros);
    PUT("output.weight", (size_t)V * dim);
#undef PUT
#undef PUTL
    return fclose(f) ? 2 : 0;
}

/* llama2.c tokenizer.bin: max length, then (score, length, bytes) per token */
static int write_tok(const char *tokbin, char **toks, const float *scores, int V) {
    FILE *f = fopen(tokbin, "wb");
    if (!f) { fprintf(stderr, "%s: cannot write\n", tokbin); return 2; }
    int maxlen = 1;
    for (int i = 0; i < V; i++) if ((int)strlen(toks[i]) > maxlen) maxlen = (int)strlen(toks[i]);
    fwrite(&maxlen, sizeof maxlen, 1, f);
    for (int i = 0; i < V; i++) {
        int len = (int)strlen(toks[i]);
        fwrite(&scores[i], sizeof(float), 1, f);
        fwrite(&len, sizeof len, 1, f);
        fwrite(toks[i], 1, (size_t)len, f);
    }
    return fclose(f) ? 2 : 0;
}
