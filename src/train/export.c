/* src/train/export.c — checkpoint to GGUF.
 *
 * Export writes a GGUF v3 "llama" model that llama.cpp and the engine load (an LSTM run:
 * "vers-lstm", which only the engine loads, with vers-lstm.* keys and lstm_* tensors): hyper-
 * parameters under llama.*, the byte-level BPE under tokenizer.ggml.* (model "gpt2",
 * pre "gpt-2"), the run's provenance under vers.*, matrices as F32/F16/Q8_0 and norms as
 * F32 (as llama.cpp does).  RoPE is trained in ggml's NORM mode (adjacent pairs), the
 * layout GGUF llama models already use, so Q and K need no permutation either way.
 * The reverse direction (fine-tuning from a GGUF) is init_gguf.c. */
#include "train/trainer.h"
#include "train/bpe.h"
#include "engine/gguf.h"
#include "engine/tensor.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vers_trainer_export(vers_trainer *t, const char *path, int type, vers_err *err) {
    if (type != VT_F32 && type != VT_F16 && type != VT_Q8_0)
        return vers_errorf(err, VERS_EINVAL, "export type must be F32, F16 or Q8_0");
    if (!t->tok && !t->tok_gguf) return vers_errorf(err, VERS_EINVAL, "the run has no tokenizer to export");
    const vers_tmodel *m = t->m;
    const vers_tconfig *c = &m->c;
    gguf_writer *w = gguf_writer_new();
    if (!w) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    void **bufs = calloc((size_t)m->n_tensors, sizeof *bufs);
    int rc = bufs ? 0 : VERS_ENOMEM;
    char note[256];
    if (!t->tok && !rc) {
        /* another model's tokenizer: every key of its GGUF first (tokenizer.ggml.*), ours
         * below replace the rest */
        gguf_file *g = NULL;
        vers_err e2;
        if ((rc = gguf_open(t->tok_gguf, &g, &e2))) {
            vers_errorf(err, rc, "%s: the tokenizer's model %s: %s", path, t->tok_gguf, e2.msg);
            gguf_writer_free(w); free(bufs);
            return rc;
        }
        rc = gguf_writer_copy_kvs(w, g, NULL);
        gguf_close(g);
    }
#define CK(x) do { if (!rc && (x)) rc = VERS_ENOMEM; } while (0)
    const int lstm = c->arch == VERS_ARCH_LSTM;
    CK(gguf_writer_set_str(w, "general.architecture", lstm ? "vers-lstm" : "llama"));
    CK(gguf_writer_set_str(w, "general.name", "vers"));
    CK(gguf_writer_set_u32(w, "general.file_type", type == VT_F32 ? 0 : type == VT_F16 ? 1 : 7));
    if (lstm) {   /* vers-lstm (docs/TRAINING.md): llama.cpp does not load it; the engine does */
        CK(gguf_writer_set_u32(w, "vers-lstm.context_length", (uint32_t)c->ctx_len));
        CK(gguf_writer_set_u32(w, "vers-lstm.embedding_length", (uint32_t)c->dim));
        CK(gguf_writer_set_u32(w, "vers-lstm.block_count", (uint32_t)c->n_layers));
        CK(gguf_writer_set_f32(w, "vers-lstm.layer_norm_rms_epsilon", c->norm_eps));
        CK(gguf_writer_set_u32(w, "vers-lstm.vocab_size", (uint32_t)c->vocab_size));
    } else {
    CK(gguf_writer_set_u32(w, "llama.context_length", (uint32_t)c->ctx_len));
    CK(gguf_writer_set_u32(w, "llama.embedding_length", (uint32_t)c->dim));
    CK(gguf_writer_set_u32(w, "llama.block_count", (uint32_t)c->n_layers));
    CK(gguf_writer_set_u32(w, "llama.feed_forward_length", (uint32_t)c->hidden_dim));
    CK(gguf_writer_set_u32(w, "llama.attention.head_count", (uint32_t)c->n_heads));
    CK(gguf_writer_set_u32(w, "llama.attention.head_count_kv", (uint32_t)c->n_kv_heads));
    CK(gguf_writer_set_u32(w, "llama.rope.dimension_count", (uint32_t)(c->dim / c->n_heads)));
    CK(gguf_writer_set_f32(w, "llama.rope.freq_base", c->rope_theta));
    CK(gguf_writer_set_f32(w, "llama.attention.layer_norm_rms_epsilon", c->norm_eps));
    CK(gguf_writer_set_u32(w, "llama.vocab_size", (uint32_t)c->vocab_size));
    }
    /* tokenizer: padded with unused control tokens when the model's vocabulary is larger */
    int nt = t->tok ? vers_bpe_vocab_size(t->tok) : 0, nm = t->tok ? vers_bpe_n_merges(t->tok) : 0, nv = t->tok ? c->vocab_size : 0;
    const char **ts = calloc((size_t)nv, sizeof *ts), **ms = calloc((size_t)nm + 1, sizeof *ms);
    size_t *tl = calloc((size_t)nv, sizeof *tl), *ml = calloc((size_t)nm + 1, sizeof *ml);
    int32_t *ty = calloc((size_t)nv, sizeof *ty);
    char (*pad)[24] = nv > nt ? calloc((size_t)(nv - nt), sizeof *pad) : NULL;
    if (!ms || !ml || (nv && (!ts || !tl || !ty)) || (nv > nt && !pad)) rc = VERS_ENOMEM;
    if (!rc && t->tok) {
        for (int i = 0; i < nt; i++) { ts[i] = vers_bpe_token(t->tok, i, &tl[i]); ty[i] = vers_bpe_token_type(t->tok, i); }
        for (int i = nt; i < nv; i++) { snprintf(pad[i - nt], sizeof pad[0], "<|unused%d|>", i - nt); ts[i] = pad[i - nt]; tl[i] = strlen(ts[i]); ty[i] = 5; }
        for (int j = 0; j < nm; j++) ms[j] = vers_bpe_merge(t->tok, j, &ml[j]);
    }
    if (t->tok) {
        CK(gguf_writer_set_str(w, "tokenizer.ggml.model", "gpt2"));
        CK(gguf_writer_set_str(w, "tokenizer.ggml.pre", "gpt-2"));
        CK(gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", ts, tl, (uint64_t)nv));
        CK(gguf_writer_set_arr_i32(w, "tokenizer.ggml.token_type", ty, (uint64_t)nv));
        CK(gguf_writer_set_arr_str(w, "tokenizer.ggml.merges", ms, ml, (uint64_t)nm));
        int bos = t->tok->special[VERS_TOK_BOS], eos = t->tok->special[VERS_TOK_EOS], padid = vers_bpe_special_id(t->tok, "<|pad|>");
        if (bos >= 0) CK(gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)bos));
        if (eos >= 0) CK(gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)eos));
        if (padid >= 0) CK(gguf_writer_set_u32(w, "tokenizer.ggml.padding_token_id", (uint32_t)padid));
        CK(gguf_writer_set_bool(w, "tokenizer.ggml.add_bos_token", bos >= 0));
        CK(gguf_writer_set_bool(w, "tokenizer.ggml.add_eos_token", 0));
    }
    /* provenance */
    CK(gguf_writer_set_u64(w, "vers.train.steps", (uint64_t)t->step));
    CK(gguf_writer_set_u64(w, "vers.train.tokens", (uint64_t)t->tokens_seen));
    CK(gguf_writer_set_f32(w, "vers.train.loss", t->last_loss));
    if (isfinite(t->last_val)) CK(gguf_writer_set_f32(w, "vers.train.val_loss", t->last_val));
    snprintf(note, sizeof note, "batch %d x %d x %d, lr %g, wd %g, warmup %lld, steps %lld, seed %llu",
             t->o.batch, t->o.seq_len, t->o.accum, t->o.lr, t->o.weight_decay, (long long)t->o.warmup,
             (long long)t->o.steps, (unsigned long long)t->o.seed);
    CK(gguf_writer_set_str(w, "vers.train.recipe", note));
    for (int i = 0; i < t->n_notes; i++) CK(gguf_writer_set_str(w, t->note_k[i], t->note_v[i]));
    /* tensors */
    for (int i = 0; i < m->n_tensors && !rc; i++) {
        const vers_tparam *p = &m->tensors[i];
        const float *src = m->params + p->offset;
        int ty_ = p->ne1 == 1 ? VT_F32 : type;
        if (ty_ == VT_Q8_0 && p->ne0 % 32) ty_ = VT_F16;
        int64_t ne[2] = {p->ne0, p->ne1};
        size_t nb = vers_row_size(ty_, p->ne0) * (size_t)p->ne1;
        if (ty_ == VT_F32) { CK(gguf_writer_add_tensor(w, p->name, VT_F32, p->ne1 == 1 ? 1 : 2, ne, src)); continue; }
        if (!(bufs[i] = malloc(nb))) { rc = VERS_ENOMEM; break; }
        for (int64_t r = 0; r < p->ne1 && !rc; r++)
            if (vers_quantize_row(ty_, src + r * p->ne0, (char *)bufs[i] + r * vers_row_size(ty_, p->ne0), p->ne0)) rc = VERS_EINVAL;
        CK(gguf_writer_add_tensor(w, p->name, ty_, 2, ne, bufs[i]));
    }
#undef CK
    if (!rc) rc = gguf_writer_write(w, path, err);
    else vers_errorf(err, rc, "%s: cannot build the GGUF (%s)", path, rc == VERS_ENOMEM ? "out of memory" : "bad tensor");
    gguf_writer_free(w);
    if (bufs) for (int i = 0; i < m->n_tensors; i++) free(bufs[i]);
    free(bufs); free(ts); free(ms); free(tl); free(ml); free(ty); free(pad);
    return rc;
}

