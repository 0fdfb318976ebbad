/* src/engine/tokenizer_gguf.c — a tokenizer from a GGUF file's tokenizer.ggml.* keys: the
 * arrays are checked (types, counts) and handed to vers_tokenizer_from_arrays, which copies
 * them, so the file may be closed afterwards.  Keys and defaults as llama.cpp b4747 reads them. */
#include "tokenizer_internal.h"
#include "gguf.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

static int64_t gguf_id(const gguf_file *g, const char *key) {
    uint64_t v;
    if (gguf_get_u64(g, key, &v) != VERS_OK) return -1;
    return v > 0x7fffffff ? 0x7fffffff : (int64_t)v;   /* out of range: ignored later */
}
static int gguf_flag(const gguf_file *g, const char *key) {
    int v;
    if (gguf_get_bool(g, key, &v) != VERS_OK) return -1;
    return v != 0;
}

int vers_tokenizer_from_gguf(const struct gguf_file *g, vers_tokenizer **out, vers_err *err) {
    *out = NULL;
    gguf_str model, pre = { 0 }, name = { 0 };
    if (gguf_get_str(g, "tokenizer.ggml.model", &model) != VERS_OK)
        return vers_errorf(err, VERS_ENOTFOUND, "no tokenizer (tokenizer.ggml.model) in the model file");
    int has_pre = gguf_get_str(g, "tokenizer.ggml.pre", &pre) == VERS_OK;
    int has_name = gguf_get_str(g, "general.name", &name) == VERS_OK;
    const gguf_kv *tok = gguf_get_arr(g, "tokenizer.ggml.tokens");
    if (!tok || tok->arr_type != GGUF_STRING || !tok->arr_str)
        return vers_errorf(err, VERS_EFORMAT, "tokenizer.ggml.tokens is missing or not an array of strings");
    if (tok->arr_n == 0 || tok->arr_n > (1u << 30))
        return vers_errorf(err, VERS_EFORMAT, "tokenizer.ggml.tokens has %llu tokens", (unsigned long long)tok->arr_n);
    uint32_t n = (uint32_t)tok->arr_n;
    const gguf_kv *sc = gguf_get_arr(g, "tokenizer.ggml.scores");
    const gguf_kv *ty = gguf_get_arr(g, "tokenizer.ggml.token_type");
    const gguf_kv *mg = gguf_get_arr(g, "tokenizer.ggml.merges");
    if (sc && ((sc->arr_type != GGUF_FLOAT32 && sc->arr_type != GGUF_INT32) || sc->arr_n < n))
        return vers_errorf(err, VERS_EFORMAT, "tokenizer.ggml.scores: wrong type or fewer than %u values", n);
    if (ty && (ty->arr_type != GGUF_INT32 || ty->arr_n < n))
        return vers_errorf(err, VERS_EFORMAT, "tokenizer.ggml.token_type: wrong type or fewer than %u values", n);
    if (mg && (mg->arr_type != GGUF_STRING || !mg->arr_str || mg->arr_n > (1u << 30)))
        return vers_errorf(err, VERS_EFORMAT, "tokenizer.ggml.merges is not an array of strings");
    int is_gpt2 = gguf_str_eq(model, "gpt2");
    if (is_gpt2 && !mg)
        return vers_errorf(err, VERS_EFORMAT, "cannot find tokenizer merges in model file");

    char model_c[16], pre_c[64], name_c[128];
    snprintf(model_c, sizeof model_c, "%.*s", (int)(model.len < 15 ? model.len : 15), model.ptr);
    if (model.len >= 15 || memchr(model.ptr, 0, model.len))
        return vers_errorf(err, VERS_EUNSUPPORTED, "tokenizer model is not supported (llama, gpt2)");
    snprintf(pre_c, sizeof pre_c, "%.*s", has_pre ? (int)(pre.len < 63 ? pre.len : 63) : 0, has_pre ? pre.ptr : "");
    if (has_pre && (pre.len >= 63 || memchr(pre.ptr, 0, pre.len)))
        return vers_errorf(err, VERS_EUNSUPPORTED, "tokenizer: pre-tokenizer name is not supported");
    snprintf(name_c, sizeof name_c, "%.*s", has_name ? (int)(name.len < 127 ? name.len : 127) : 0, has_name ? name.ptr : "");

    vers_vocab_desc d;
    vers_vocab_desc_init(&d);
    d.model = model_c; d.pre = pre_c; d.name = name_c;
    d.n_tokens = n;
    int rc = VERS_ENOMEM;
    const char **texts = malloc(n * sizeof *texts);
    size_t *lens = malloc(n * sizeof *lens);
    float *scores = sc ? malloc(n * sizeof *scores) : NULL;
    int32_t *types = ty ? malloc(n * sizeof *types) : NULL;
    uint32_t nm = mg ? (uint32_t)mg->arr_n : 0;
    const char **mtexts = nm ? malloc(nm * sizeof *mtexts) : NULL;
    size_t *mlens = nm ? malloc(nm * sizeof *mlens) : NULL;
    if (!texts || !lens || (sc && !scores) || (ty && !types) || (nm && (!mtexts || !mlens))) {
        rc = vers_errorf(err, VERS_ENOMEM, "tokenizer: out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        texts[i] = tok->arr_str[i].ptr;
        lens[i] = (size_t)tok->arr_str[i].len;
        if (scores) {
            if (sc->arr_type == GGUF_FLOAT32) memcpy(&scores[i], sc->data + 4 * (size_t)i, 4);
            else { int32_t v; memcpy(&v, sc->data + 4 * (size_t)i, 4); scores[i] = (float)v; }
        }
        if (types) memcpy(&types[i], ty->data + 4 * (size_t)i, 4);
    }
    for (uint32_t i = 0; i < nm; i++) { mtexts[i] = mg->arr_str[i].ptr; mlens[i] = (size_t)mg->arr_str[i].len; }
    d.tokens = texts; d.token_lens = lens; d.scores = scores; d.types = types;
    d.n_merges = nm; d.merges = mtexts; d.merge_lens = mlens;
    d.bos_id = gguf_id(g, "tokenizer.ggml.bos_token_id");
    d.eos_id = gguf_id(g, "tokenizer.ggml.eos_token_id");
    d.unk_id = gguf_id(g, "tokenizer.ggml.unknown_token_id");
    d.sep_id = gguf_id(g, "tokenizer.ggml.seperator_token_id");
    d.pad_id = gguf_id(g, "tokenizer.ggml.padding_token_id");
    d.eot_id = gguf_id(g, "tokenizer.ggml.eot_token_id");
    d.eom_id = gguf_id(g, "tokenizer.ggml.eom_token_id");
    static const char *const fim_keys[6][2] = {
        { "tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.prefix_token_id" },
        { "tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.suffix_token_id" },
        { "tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.middle_token_id" },
        { "tokenizer.ggml.fim_pad_token_id", NULL },
        { "tokenizer.ggml.fim_rep_token_id", NULL },
        { "tokenizer.ggml.fim_sep_token_id", NULL },
    };
    for (int i = 0; i < 6; i++) {
        d.fim_id[i] = gguf_id(g, fim_keys[i][0]);
        if (fim_keys[i][1]) { int64_t v = gguf_id(g, fim_keys[i][1]); if (v >= 0) d.fim_id[i] = v; }
    }
    d.add_bos = gguf_flag(g, "tokenizer.ggml.add_bos_token");
    d.add_eos = gguf_flag(g, "tokenizer.ggml.add_eos_token");
    d.add_space_prefix = gguf_flag(g, "tokenizer.ggml.add_space_prefix");
    rc = vers_tokenizer_from_arrays(&d, out, err);
done:
    free(texts); free(lens); free(scores); free(types); free(mtexts); free(mlens);
    return rc;
}

int vers_tokenizer_load(const char *path, vers_tokenizer **out, vers_err *err) {
    gguf_file *g = NULL;
    *out = NULL;
    int rc = gguf_open(path, &g, err);
    if (rc) return rc;
    rc = vers_tokenizer_from_gguf(g, out, err);
    gguf_close(g);
    return rc;
}
