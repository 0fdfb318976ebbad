/* tests/test_train_export.c — trainer -> GGUF -> engine: the exported model reproduces
 * the trainer's logits through the engine (F32 within 1e-4; F16/Q8_0 reported), the
 * engine's gpt2 tokenizer encodes exactly as the trainer's BPE, --init reads the file back
 * into identical weights, a SentencePiece llama (stories260K) is fine-tuned, checkpointed
 * and exported, and a model of another architecture is refused. */
#include "test.h"
#include "vers/train.h"
#include "vers/engine.h"
#include "vers/tokenizer.h"
#include "train/trainer.h"
#include "engine/gguf.h"
#include "engine/tensor.h"
#include <math.h>

static const char *samples[] = {
    "Ô temps ! suspends ton vol, et vous, heures propices !\nSuspendez votre cours :\n",
    "Œdipe et sœur — « l’œuvre » était là… c’est l’été, Noël; ça, où, à, ï, û, É.\n",
    "“Tis the season”, she said — ‘quite so’ — naïve café façade; 1875–1890.\n",
    "  indented\n\n\nthree   spaces\tand tab, we'll see what they're doing'\n",
};

int main(void) {
    const char *dir = t_tmpdir();
    char pf32[512], pf16[512], pq8[512], pbad[512];
    snprintf(pf32, sizeof pf32, "%s/m32.gguf", dir); snprintf(pf16, sizeof pf16, "%s/m16.gguf", dir);
    snprintf(pq8, sizeof pq8, "%s/m8.gguf", dir); snprintf(pbad, sizeof pbad, "%s/gpt2.gguf", dir);
    vers_err err;
    /* a tokenizer from the samples (repeated) and a small untied GQA model, trained a few
     * steps so its weights are not the initial ones */
    const char *texts[4]; size_t lens[4];
    for (int i = 0; i < 4; i++) { texts[i] = samples[i]; lens[i] = strlen(samples[i]); }
    vers_bpe *tok = NULL;
    T_CASE("export: tokenizer and model trained") {
        T_CHECK(vers_bpe_train(texts, lens, 4, 580, &tok, &err) == 0, "bpe: %s", err.msg);
    }
    if (!tok) T_DONE();
    vers_tconfig c = {.dim = 64, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2, .hidden_dim = 96,
                      .vocab_size = 616, .ctx_len = 64, .rope_theta = 10000.0f, .norm_eps = 1e-5f, .tied = 0};
    vers_train_opts o;
    vers_train_opts_default(&o);
    o.batch = 2; o.seq_len = 32; o.steps = 5; o.warmup = 1; o.eval_every = 0; o.ckpt_every = 0; o.threads = 1;
    vers_trainer *t = NULL;
    T_CASE("export: trainer created") { T_CHECK(vers_trainer_new(&c, &o, tok, &t, &err) == 0, "new: %s", err.msg); }
    if (!t) T_DONE();
    vers_tokens d = {0};
    int32_t *ids = NULL; size_t n = 0, cap = 0;
    for (int r = 0; r < 8; r++) for (int i = 0; i < 4; i++) vers_bpe_encode(tok, samples[i], strlen(samples[i]), &ids, &n, &cap);
    d.train = ids; d.n_train = n;
    int stopped;
    T_CASE("export: five training steps") { T_CHECK(vers_trainer_run(t, &d, &stopped, &err) == 0, "run: %s", err.msg); }
    vers_trainer_set_note(t, "vers.corpus.sha256", "test");
    T_CASE("export: F32, F16 and Q8_0 GGUF written") {
        T_CHECK(vers_trainer_export(t, pf32, VT_F32, &err) == 0, "f32: %s", err.msg);
        T_CHECK(vers_trainer_export(t, pf16, VT_F16, &err) == 0, "f16: %s", err.msg);
        T_CHECK(vers_trainer_export(t, pq8, VT_Q8_0, &err) == 0, "q8: %s", err.msg);
    }
    /* the trainer's own logits for a 32-token sequence */
    const int T = 32;
    int32_t seq[32];
    for (int i = 0; i < T; i++) seq[i] = ids[i];
    vers_tmodel *m = vers_trainer_model(t);
    vers_tmodel_forward(m, seq, NULL, 1, T);
    const int V = c.vocab_size;
    float *ref = malloc(sizeof(float) * T * V);
    memcpy(ref, vers_tmodel_logits(m), sizeof(float) * T * V);
    const char *paths[3] = {pf32, pf16, pq8};
    const char *names[3] = {"F32", "F16", "Q8_0"};
    const double bound[3] = {1e-4, 5e-2, 1e-1};
    for (int k = 0; k < 3; k++) {
        char nm[96]; snprintf(nm, sizeof nm, "export: %s GGUF through the engine matches the trainer's logits", names[k]);
        T_CASE(nm) {
            vers_model *em = NULL; vers_ctx *ctx = NULL;
            T_CHECK(vers_model_load(paths[k], NULL, &em, &err) == 0, "load: %s", err.msg);
            if (em) T_CHECK(vers_ctx_new(em, NULL, &ctx, &err) == 0, "ctx: %s", err.msg);
            if (ctx) {
                T_CHECK(vers_decode(ctx, seq, T, 1, &err) == 0, "decode: %s", err.msg);
                double md = 0, mx = 0;
                for (int i = 0; i < T; i++) {
                    const float *l = vers_ctx_logits(ctx, i);
                    if (!l) { md = INFINITY; break; }
                    for (int v = 0; v < V; v++) { md = fmax(md, fabs(l[v] - ref[i * V + v])); mx = fmax(mx, fabs(ref[i * V + v])); }
                }
                printf("  %s: max |engine - trainer| = %.2e over %d x %d logits (max |logit| %.2f)\n", names[k], md, T, V, mx);
                T_CHECK(md < bound[k], "%s max diff %.3e", names[k], md);
            }
            vers_ctx_free(ctx); vers_model_free(em);
        }
    }
    T_CASE("export: the engine's gpt2 tokenizer encodes as the trainer's BPE") {
        vers_tokenizer *et = NULL;
        T_CHECK(vers_tokenizer_load(pf32, &et, &err) == 0, "tokenizer: %s", err.msg);
        if (et) {
            T_CHECK(!strcmp(vers_tokenizer_model(et), "gpt2") && !strcmp(vers_tokenizer_pre(et), "gpt-2"), "model %s pre %s",
                    vers_tokenizer_model(et), vers_tokenizer_pre(et));
            const char *extra[] = {"invalid-free mixed: L'âme, l'œil; “quote” — dash… 42 cats.\n\n  x",
                                   "The quick brown fox's tail; Où sont les neiges d'antan ?\r\n"};
            int same = 1;
            for (int i = 0; i < 6; i++) {
                const char *s = i < 4 ? samples[i] : extra[i - 4];
                int32_t *a = NULL, *b = NULL; size_t na = 0, nb = 0, ca = 0;
                vers_bpe_encode(tok, s, strlen(s), &a, &na, &ca);
                if (vers_tokenize(et, s, strlen(s), 0, 0, &b, &nb, &err)) same = 0;
                else if (na != nb || memcmp(a, b, na * 4)) { same = 0; printf("  differs on sample %d (%zu vs %zu ids)\n", i, na, nb); }
                free(a); free(b);
            }
            T_CHECK(same, "tokenizations differ");
            int32_t *b = NULL; size_t nb = 0;
            const char *pre = "<fr><sonnet><title>la mer</title>\n";
            T_CHECK(vers_tokenize(et, pre, strlen(pre), 0, 1, &b, &nb, &err) == 0 && nb >= 5 &&
                    b[0] == vers_bpe_special_id(tok, "<fr>") && b[1] == vers_bpe_special_id(tok, "<sonnet>") &&
                    b[2] == vers_bpe_special_id(tok, "<title>"), "control tokens not parsed as specials");
            free(b);
            vers_tokenizer_free(et);
        }
    }
    T_CASE("export: --init reads the F32 GGUF back into identical weights") {
        vers_trainer *u = NULL;
        T_CHECK(vers_trainer_new_from_gguf(pf32, &o, &u, &err) == 0, "init: %s", err.msg);
        if (u) {
            vers_tmodel *um = vers_trainer_model(u);
            T_CHECK(vers_tmodel_n_params(um) == vers_tmodel_n_params(m) &&
                    !memcmp(vers_tmodel_params(um), vers_tmodel_params(m), sizeof(float) * vers_tmodel_n_params(m)), "weights differ");
            /* same encodings (the file's vocabulary is padded to the model's 616 with unused tokens) */
            int same = vers_bpe_vocab_size(vers_trainer_tokenizer(u)) == 616;
            for (int i = 0; i < 4; i++) {
                int32_t *a = NULL, *b = NULL; size_t na = 0, nb = 0, ca = 0, cb = 0;
                vers_bpe_encode(tok, samples[i], strlen(samples[i]), &a, &na, &ca);
                vers_bpe_encode(vers_trainer_tokenizer(u), samples[i], strlen(samples[i]), &b, &nb, &cb);
                same &= na == nb && !memcmp(a, b, na * 4);
                free(a); free(b);
            }
            T_CHECK(same, "tokenizer differs");
            vers_trainer_free(u);
        }
        T_CHECK(vers_trainer_new_from_gguf(pf16, &o, &u, &err) == 0, "init from F16: %s", err.msg);
        vers_trainer_free(u); u = NULL;
        int rc = vers_trainer_new_from_gguf(pq8, &o, &u, &err);
        T_CHECK(rc == VERS_EUNSUPPORTED && !u && strstr(err.msg, "Q8_0"), "Q8_0 init: rc %d %s", rc, err.msg);
        printf("  refused: %s\n", err.msg);
    }
    T_CASE("export: --init of a non-llama model is one clear error") {
        gguf_writer *w = gguf_writer_new();
        gguf_writer_set_str(w, "general.architecture", "gpt2");
        float z[4] = {0};
        int64_t ne[2] = {4, 1};
        gguf_writer_add_tensor(w, "token_embd.weight", VT_F32, 2, ne, z);
        T_CHECK(gguf_writer_write(w, pbad, &err) == 0, "write: %s", err.msg);
        gguf_writer_free(w);
        vers_trainer *u = NULL;
        int rc = vers_trainer_new_from_gguf(pbad, &o, &u, &err);
        T_CHECK(rc == VERS_EUNSUPPORTED && !u && strstr(err.msg, "not llama") && !strchr(err.msg, '\n'), "rc %d: %s", rc, err.msg);
        printf("  refused: %s\n", err.msg);
    }
    T_CASE("export: provenance metadata in the GGUF") {
        gguf_file *g = NULL;
        T_CHECK(gguf_open(pf16, &g, &err) == 0, "%s", err.msg);
        if (g) {
            uint64_t steps = 0; gguf_str s;
            T_CHECK(gguf_get_u64(g, "vers.train.steps", &steps) == 0 && steps == 5, "steps %llu", (unsigned long long)steps);
            T_CHECK(gguf_get_str(g, "vers.corpus.sha256", &s) == 0 && gguf_str_eq(s, "test"), "corpus note");
            T_CHECK(gguf_get_str(g, "tokenizer.ggml.pre", &s) == 0 && gguf_str_eq(s, "gpt-2"), "pre");
            gguf_close(g);
        }
    }
    const char *st = t_shared("reference/gguf/stories260K.gguf");
    if (!st) T_SKIP("export: fine-tune a SentencePiece llama (stories260K)", "../shared/reference/gguf/stories260K.gguf absent");
    else T_CASE("export: fine-tune a SentencePiece llama (stories260K): train, checkpoint, export, engine logits") {
        char pst[512], pck[512];
        snprintf(pst, sizeof pst, "%s/st.gguf", dir); snprintf(pck, sizeof pck, "%s/st.ckpt", dir);
        vers_train_opts so = o;
        so.batch = 2; so.seq_len = 32; so.steps = 3; so.ckpt_path = pck;
        vers_trainer *u = NULL;
        T_CHECK(vers_trainer_new_from_gguf(st, &so, &u, &err) == 0, "init: %s", err.msg);
        vers_tokens sd = {0};
        char path[512]; snprintf(path, sizeof path, "%s/story.txt", dir);
        FILE *f = fopen(path, "w");
        for (int i = 0; i < 20; i++) fprintf(f, "Once upon a time, a cat sat by the sea and sang %d songs.\n", i);
        fclose(f);
        const char *files[1] = {path};
        vers_data_opts dopt = {files, 1, 0.0, 1, NULL, NULL, NULL, NULL};
        if (u) T_CHECK(vers_trainer_tokens_build(u, &dopt, &sd, &err) == 0 && sd.n_train > 100, "tokens: %s", err.msg);
        if (u && sd.n_train > 100) {
            T_CHECK(sd.train[0] == 1 && sd.train[1] != 1, "document does not start with the model's <s>: %d %d", sd.train[0], sd.train[1]);
            T_CHECK(vers_trainer_run(u, &sd, &stopped, &err) == 0, "run: %s", err.msg);
            vers_trainer_free(u); u = NULL;
            vers_train_opts ro = so; ro.steps = 0;
            T_CHECK(vers_trainer_resume(pck, &ro, &u, &err) == 0, "resume: %s", err.msg);
        }
        if (u) {
            T_CHECK(vers_trainer_export(u, pst, VT_F32, &err) == 0, "export: %s", err.msg);
            vers_tmodel *um = vers_trainer_model(u);
            int32_t q[16]; for (int i = 0; i < 16; i++) q[i] = sd.train[i];
            vers_tmodel_forward(um, q, NULL, 1, 16);
            const float *tl = vers_tmodel_logits(um);
            vers_model *em = NULL; vers_ctx *ctx = NULL; double md = 0;
            T_CHECK(vers_model_load(pst, NULL, &em, &err) == 0, "load: %s", err.msg);
            if (em && vers_ctx_new(em, NULL, &ctx, &err) == 0 && vers_decode(ctx, q, 16, 1, &err) == 0) {
                int nv = vers_model_n_vocab(em);
                for (int i = 0; i < 16; i++) for (int v = 0; v < nv; v++) md = fmax(md, fabs(vers_ctx_logits(ctx, i)[v] - tl[i * nv + v]));
                printf("  stories260K fine-tuned 3 steps: max |engine - trainer| = %.2e\n", md);
                T_CHECK(md < 1e-4, "max diff %.3e", md);
            } else T_CHECK(0, "engine: %s", err.msg);
            vers_ctx_free(ctx); vers_model_free(em);
            vers_tokenizer *a = NULL, *b = NULL;
            T_CHECK(vers_tokenizer_load(st, &a, &err) == 0 && vers_tokenizer_load(pst, &b, &err) == 0, "tokenizers");
            if (a && b) {
                const char *txt = "Once upon a time, Œdipe — “quoted” — sat.";
                int32_t *ia = NULL, *ib = NULL; size_t na = 0, nb = 0;
                vers_tokenize(a, txt, strlen(txt), 1, 0, &ia, &na, &err); vers_tokenize(b, txt, strlen(txt), 1, 0, &ib, &nb, &err);
                T_CHECK(na == nb && na > 0 && !memcmp(ia, ib, na * 4), "exported tokenizer differs");
                free(ia); free(ib);
            }
            vers_tokenizer_free(a); vers_tokenizer_free(b);
        }
        vers_tokens_free(&sd);
        vers_trainer_free(u);
    }
    free(ref); free(ids);
    vers_trainer_free(t);
    vers_bpe_free(tok);
    T_DONE();
}
