/* src/train/init_gguf.c — starts a trainer from a llama-architecture GGUF (fine-tuning):
 * hyperparameters from llama.*, the byte-level BPE from tokenizer.ggml.* (its own bos/eos
 * ids kept), weights from F32/F16/BF16 tensors.  GGUF llama models already use ggml's NORM
 * RoPE layout (adjacent pairs), which is what the trainer computes, so Q/K are taken as
 * they are. */
#include "train/trainer.h"
#include "train/bpe.h"
#include "engine/gguf.h"
#include "engine/tensor.h"
#include "vers/tokenizer.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- init from a GGUF ---- */
int trainer_attach_gguf_tokenizer(vers_trainer *t, const char *path, vers_err *err) {
    char full[PATH_MAX];
    if (!realpath(path, full)) return vers_errorf(err, VERS_EIO, "%s: cannot resolve the path", path);
    vers_err e2;
    int rc = vers_tokenizer_load(full, &t->etok, &e2);
    if (rc) return vers_errorf(err, rc, "%s: tokenizer: %s", path, e2.msg);
    free(t->tok_gguf);
    if (!(t->tok_gguf = strdup(full))) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    if (vers_tokenizer_n_vocab(t->etok) > (uint32_t)t->m->c.vocab_size)
        return vers_errorf(err, VERS_EFORMAT, "%s: tokenizer larger than the embedding", path);
    vers_tmodel_set_doc_token(t->m, vers_token_bos(t->etok));   /* its documents start with its bos */
    return vers_trainer_set_note(t, "vers.train.tokenizer_gguf", full) ? vers_errorf(err, VERS_ENOMEM, "out of memory") : 0;
}

static int get_u32(const gguf_file *g, const char *k, uint32_t *v, uint32_t dflt, int required) {
    int rc = gguf_get_u32(g, k, v);
    if (rc == VERS_ENOTFOUND && !required) { *v = dflt; return 0; }
    return rc;
}

/* The byte-level BPE of a GGUF's tokenizer.ggml.* arrays, with its own bos/eos ids (used for
 * fine-tuning and by the held-out evaluation). */
int trainer_bpe_from_gguf(const gguf_file *g, vers_bpe **out, vers_err *err) {
    *out = NULL;
    const gguf_kv *kt = gguf_get_arr(g, "tokenizer.ggml.tokens"), *ktt = gguf_get_arr(g, "tokenizer.ggml.token_type"),
                  *km = gguf_get_arr(g, "tokenizer.ggml.merges");
    if (!kt || kt->arr_type != GGUF_STRING || !kt->arr_str || (km && (km->arr_type != GGUF_STRING || !km->arr_str)) ||
        (ktt && ktt->arr_n != kt->arr_n) || kt->arr_n > (1u << 24))
        return vers_errorf(err, VERS_EFORMAT, "tokenizer arrays missing or malformed");
    int n = (int)kt->arr_n, nm = km ? (int)km->arr_n : 0, rc;
    const char **ts = calloc((size_t)n + 1, sizeof *ts), **ms = calloc((size_t)nm + 1, sizeof *ms);
    size_t *tl = calloc((size_t)n + 1, sizeof *tl), *ml = calloc((size_t)nm + 1, sizeof *ml);
    int32_t *ty = calloc((size_t)n + 1, sizeof *ty);
    if (!ts || !ms || !tl || !ml || !ty) rc = vers_errorf(err, VERS_ENOMEM, "out of memory");
    else {
        for (int i = 0; i < n; i++) { ts[i] = kt->arr_str[i].ptr; tl[i] = kt->arr_str[i].len; ty[i] = ktt ? (int32_t)gguf_arr_i64(ktt, (uint64_t)i) : 1; }
        for (int j = 0; j < nm; j++) { ms[j] = km->arr_str[j].ptr; ml[j] = km->arr_str[j].len; }
        rc = vers_bpe_from_vocab(ts, tl, ty, n, ms, ml, nm, out, err);
    }
    free(ts); free(ms); free(tl); free(ml); free(ty);
    if (rc) return rc;
    uint32_t id;
    if (!gguf_get_u32(g, "tokenizer.ggml.bos_token_id", &id) && id < (uint32_t)n) (*out)->special[VERS_TOK_BOS] = (int32_t)id;
    if (!gguf_get_u32(g, "tokenizer.ggml.eos_token_id", &id) && id < (uint32_t)n) (*out)->special[VERS_TOK_EOS] = (int32_t)id;
    return 0;
}

/* The init model's own history (vers.train.*, vers.corpus.*: its recipe, steps, losses,
 * corpus checksums) is kept as vers.init.* notes, so that a fine-tuned model still says
 * how its starting point was made.  One level only: the init model's vers.init.* keys
 * are not nested further. */
static void carry_provenance(const gguf_file *g, vers_trainer *t) {
    for (uint64_t i = 0; i < g->n_kv; i++) {
        const gguf_kv *kv = &g->kv[i];
        const char *k = kv->key.ptr;
        size_t kl = (size_t)kv->key.len;
        if (kl < 12 || kl > 200 || memcmp(k, "vers.", 5) || !memcmp(k, "vers.init.", 10)) continue;
        char key[256], val[2048];
        snprintf(key, sizeof key, "vers.init.%.*s", (int)(kl - 5), k + 5);
        switch (kv->type) {
        case GGUF_STRING:
            snprintf(val, sizeof val, "%.*s", (int)(kv->str.len < 2000 ? kv->str.len : 2000), kv->str.ptr); break;
        case GGUF_UINT64: case GGUF_UINT32: case GGUF_INT64: case GGUF_INT32: {
            int64_t x = 0;
            if (kv->type == GGUF_UINT32 || kv->type == GGUF_INT32) { int32_t y; memcpy(&y, kv->data, 4); x = kv->type == GGUF_UINT32 ? (int64_t)(uint32_t)y : y; }
            else memcpy(&x, kv->data, 8);
            snprintf(val, sizeof val, "%lld", (long long)x); break;
        }
        case GGUF_FLOAT32: { float f; memcpy(&f, kv->data, 4); snprintf(val, sizeof val, "%.6g", f); break; }
        default: continue;
        }
        if (vers_trainer_set_note(t, key, val)) return;   /* table full: keep what fits */
    }
}

int vers_trainer_new_from_gguf(const char *path, const vers_train_opts *o, vers_trainer **out, vers_err *err) {
    *out = NULL;
    gguf_file *g = NULL;
    vers_err e2;
    int rc = gguf_open(path, &g, &e2);
    if (rc) return vers_errorf(err, rc, "%s: %s", path, e2.msg);
    vers_trainer *t = NULL;
    vers_bpe *tok = NULL;
    gguf_str s;
    if (gguf_get_str(g, "general.architecture", &s)) { s.ptr = "?"; s.len = 1; }
    if (!gguf_str_eq(s, "llama")) {
        rc = vers_errorf(err, VERS_EUNSUPPORTED, "%s: architecture '%.*s' is not llama; --init needs a llama-architecture model",
                         path, (int)(s.len > 40 ? 40 : s.len), s.ptr);
        goto out;
    }
    uint32_t D, L, H, KVH, F, ctx, rot;
    float theta = 10000.0f, eps = 1e-5f;
    if (get_u32(g, "llama.embedding_length", &D, 0, 1) || get_u32(g, "llama.block_count", &L, 0, 1) ||
        get_u32(g, "llama.attention.head_count", &H, 0, 1) || get_u32(g, "llama.feed_forward_length", &F, 0, 1) ||
        get_u32(g, "llama.attention.head_count_kv", &KVH, 0, 0) || get_u32(g, "llama.context_length", &ctx, 2048, 0)) {
        rc = vers_errorf(err, VERS_EFORMAT, "%s: llama hyperparameters missing or malformed", path); goto out;
    }
    if (!KVH) KVH = H;
    if (gguf_get_f32(g, "llama.rope.freq_base", &theta) == VERS_EFORMAT || gguf_get_f32(g, "llama.attention.layer_norm_rms_epsilon", &eps) == VERS_EFORMAT) {
        rc = vers_errorf(err, VERS_EFORMAT, "%s: rope/norm settings malformed", path); goto out;
    }
    if (H == 0 || D % H) { rc = vers_errorf(err, VERS_EFORMAT, "%s: bad head count", path); goto out; }
    if (!get_u32(g, "llama.rope.dimension_count", &rot, D / H, 0) && rot != D / H) {
        rc = vers_errorf(err, VERS_EUNSUPPORTED, "%s: partial RoPE (%u of %u dims) is not supported by the trainer", path, rot, D / H); goto out;
    }
    /* tokenizer: byte-level BPE becomes ours (checkpointed with the run); any other
     * (SentencePiece) stays the engine's, read again from this file when needed */
    int foreign = gguf_get_str(g, "tokenizer.ggml.model", &s) || !gguf_str_eq(s, "gpt2");
    if (!foreign) {
        if ((rc = trainer_bpe_from_gguf(g, &tok, &e2))) {
            if (rc == VERS_ENOMEM) vers_errorf(err, rc, "out of memory");
            else vers_errorf(err, rc, "%s: %s", path, e2.msg);
            goto out;
        }
    }
    const gguf_tensor *emb = gguf_find_tensor(g, "token_embd.weight");
    if (!emb || emb->n_dims != 2 || emb->ne[0] != D) { rc = vers_errorf(err, VERS_EFORMAT, "%s: token_embd.weight missing or of the wrong shape", path); goto out; }
    vers_tconfig c = {(int)D, (int)L, (int)H, (int)KVH, (int)F, (int)emb->ne[1], (int)ctx, theta, eps,
                      gguf_find_tensor(g, "output.weight") == NULL, VERS_ARCH_LLAMA};
    if (tok && vers_bpe_vocab_size(tok) > c.vocab_size) { rc = vers_errorf(err, VERS_EFORMAT, "%s: tokenizer larger than the embedding", path); goto out; }
    vers_train_opts oo = *o;
    if (oo.seq_len > c.ctx_len) oo.seq_len = c.ctx_len;
    if ((rc = vers_trainer_new(&c, &oo, tok, &t, &e2))) { vers_errorf(err, rc, "%s: %s", path, e2.msg); goto out; }
    if (tok) {   /* the tokenizer copy loses bos/eos overrides: carry them */
        t->tok->special[VERS_TOK_BOS] = tok->special[VERS_TOK_BOS];
        t->tok->special[VERS_TOK_EOS] = tok->special[VERS_TOK_EOS];
    } else if ((rc = trainer_attach_gguf_tokenizer(t, path, err))) goto out;
    vers_tmodel *m = t->m;
    for (int i = 0; i < m->n_tensors; i++) {
        const vers_tparam *p = &m->tensors[i];
        const gguf_tensor *gt = gguf_find_tensor(g, p->name);
        if (!gt) { rc = vers_errorf(err, VERS_EFORMAT, "%s: tensor %s missing", path, p->name); goto out; }
        if (gt->ne[0] != p->ne0 || (p->ne1 > 1 ? gt->ne[1] != p->ne1 : gt->ne[1] != 1) || gt->ne[2] != 1 || gt->ne[3] != 1) {
            rc = vers_errorf(err, VERS_EFORMAT, "%s: tensor %s has shape %lldx%lld, expected %lldx%lld", path, p->name,
                             (long long)gt->ne[0], (long long)gt->ne[1], (long long)p->ne0, (long long)p->ne1); goto out;
        }
        if (gt->type != VT_F32 && gt->type != VT_F16 && gt->type != VT_BF16) {
            rc = vers_errorf(err, VERS_EUNSUPPORTED, "%s: tensor %s is %s; --init needs F32/F16/BF16 weights (not quantized)",
                             path, p->name, vers_type_name(gt->type)); goto out;
        }
        if (gt->nbytes < vers_row_size(gt->type, p->ne0) * (size_t)p->ne1 ||
            vers_to_float(gt->type, gt->data, m->params + p->offset, p->ne0 * p->ne1)) {
            rc = vers_errorf(err, VERS_EFORMAT, "%s: tensor %s data is truncated", path, p->name); goto out;
        }
    }
    {
        const char *base = strrchr(path, '/');
        vers_trainer_set_note(t, "vers.train.init", base ? base + 1 : path);
    }
    carry_provenance(g, t);
    *out = t; t = NULL;
out:
    vers_trainer_free(t);
    vers_bpe_free(tok);
    gguf_close(g);
    return rc;
}
