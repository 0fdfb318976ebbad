/* src/write/bind_engine.c — the writer's language model (wr_lm) over the engine: a GGUF
 * model, one context (KV cache) and the model's tokenizer.  Token bytes are the pieces the
 * tokenizer decodes to ("▁the" → " the", <0x0A> → "\n", GPT-2 "Ġthe" → " the"); control,
 * unknown and unused tokens have none (-1), so the writer never emits them. */
#include "write/bind.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "engine/gguf.h"

static int e_eval(void *ud, const int *toks, int n, float *logits, vers_err *err) {
    wr_engine_lm *e = ud;
    if (e->cancelled && e->cancelled(e->cancel_ud)) return vers_errorf(err, VERS_ECANCEL, "cancelled");
    int rc = vers_decode(e->ctx, (const int32_t *)toks, n, 0, err);
    if (rc) return rc;
    const float *l = vers_ctx_logits(e->ctx, -1);
    if (!l) return vers_errorf(err, VERS_EFAIL, "the model produced no logits");
    memcpy(logits, l, sizeof(float) * (size_t)e->n_vocab);
    return VERS_OK;
}

static int e_truncate(void *ud, int n) { return vers_ctx_truncate(((wr_engine_lm *)ud)->ctx, n); }
static int e_n_past(void *ud) { return vers_ctx_pos(((wr_engine_lm *)ud)->ctx); }

static int e_tokenize(void *ud, const char *text, int len, int *out, int cap) {
    wr_engine_lm *e = ud;
    int32_t *ids = NULL; size_t n = 0;
    vers_err err = {0};
    if (vers_tokenize(e->tok, text, (size_t)len, 0, 0, &ids, &n, &err)) return -1;
    if (n > (size_t)cap) { free(ids); return -1; }
    for (size_t i = 0; i < n; i++) out[i] = ids[i];
    free(ids);
    return (int)n;
}

static int e_token_bytes(void *ud, int t, char *buf, int cap) {
    wr_engine_lm *e = ud;
    int type = vers_token_type(e->tok, t);
    if (type != VERS_TOKEN_NORMAL && type != VERS_TOKEN_BYTE) return -1;
    size_t len = 0;
    const char *p = vers_token_piece(e->tok, t, 0, &len);
    if (!p || len == 0 || len > (size_t)cap) return -1;
    memcpy(buf, p, len);
    return (int)len;
}

static int e_branch_open(void *ud, int n, int cap, vers_err *err) {
    return vers_ctx_branch_open(((wr_engine_lm *)ud)->ctx, n, cap, err);
}
static int e_branch_eval(void *ud, const int *toks, const int *branch, int n, float *logits, vers_err *err) {
    wr_engine_lm *e = ud;
    if (e->cancelled && e->cancelled(e->cancel_ud)) return vers_errorf(err, VERS_ECANCEL, "cancelled");
    return vers_decode_branches(((wr_engine_lm *)ud)->ctx, (const int32_t *)toks, branch, n, logits, err);
}
static int e_branch_truncate(void *ud, int b, int len) {
    return vers_ctx_branch_truncate(((wr_engine_lm *)ud)->ctx, b, len);
}
static int e_branch_commit(void *ud, int b, int n, vers_err *err) {
    return vers_ctx_branch_commit(((wr_engine_lm *)ud)->ctx, b, n, err);
}

static int e_special(void *ud, const char *text) {
    return vers_token_special(((wr_engine_lm *)ud)->tok, text);
}

/* The structure codes of a model fine-tuned with them: the control tokens and the rhyme
 * tables its GGUF carries (vers.struct.rhyme.fr / .en: keys joined by '|'). 1 when found. */
static int read_codes(wr_engine_lm *e) {
    wr_codes *c = &e->codes;
    char name[32];
    for (int n = 1; n <= WR_CODE_SYL; n++) {
        snprintf(name, sizeof name, "<syl:%d>", n);
        if ((c->syl[n] = vers_token_special(e->tok, name)) < 0) return 0;
    }
    for (int k = 0; k < WR_CODE_RH; k++) {
        snprintf(name, sizeof name, "<rh:%d>", k);
        if ((c->rh[k] = vers_token_special(e->tok, name)) < 0) return 0;
    }
    if ((c->rh_other = vers_token_special(e->tok, "<rh:other>")) < 0 || (c->stanza = vers_token_special(e->tok, "<stanza>")) < 0)
        return 0;
    static const char *keys[2] = {"vers.struct.rhyme.en", "vers.struct.rhyme.fr"};   /* WR_LANG_EN, WR_LANG_FR */
    int any = 0;
    for (int l = 0; l < 2; l++) {
        gguf_str v;
        c->n_key[l] = 0;
        if (gguf_get_str(vers_model_gguf(e->model), keys[l], &v) != 0) continue;
        for (uint64_t i = 0; i < v.len && c->n_key[l] < WR_CODE_RH;) {
            uint64_t j = i;
            while (j < v.len && v.ptr[j] != '|') j++;
            if (j - i > 0 && j - i < sizeof c->key[l][0]) {
                memcpy(c->key[l][c->n_key[l]], v.ptr + i, (size_t)(j - i));
                c->key[l][c->n_key[l]][j - i] = 0;
            } else c->key[l][c->n_key[l]][0] = 0;      /* a key too long: never matched */
            c->n_key[l]++;
            i = j + 1;
        }
        any = 1;
    }
    return any;
}

int wr_engine_lm_open(wr_engine_lm *e, const char *path, int n_threads, vers_err *err) {
    memset(e, 0, sizeof *e);
    vers_model_params mp = {n_threads};
    int rc = vers_model_load(path, &mp, &e->model, err);
    if (rc) return rc;
    if ((rc = vers_tokenizer_from_gguf(vers_model_gguf(e->model), &e->tok, err))) goto fail;
    vers_ctx_params cp = vers_ctx_default_params();
    int train_ctx = vers_model_get_info(e->model)->n_ctx_train;
    cp.n_ctx = train_ctx > 0 && train_ctx < 2048 ? train_ctx : 2048;
    const uint64_t n_params = vers_model_get_info(e->model)->n_params;
    /* The writer decodes one token at a time.  A model this small decodes a token faster than
     * threads can be woken for it, whatever was asked. */
    if (n_params < 2000000) n_threads = 1;
    /* By default (n_threads <= 0) a small model takes one thread: a token's ~50 parallel
     * regions cost more than a second thread saves, and on a shared machine a thread that
     * cannot run stalls every region (issue 16: a French sonnet took 22 s at the default
     * against 2.9 s with -t 1 on a busy 2-core machine, 7.7 s beside one 2-thread job).
     * Larger models, whose matrix products do pay for threads, take every core. */
    if (n_threads <= 0) n_threads = n_params < WR_SMALL_MODEL_PARAMS ? 1 : vers_n_cores();
    cp.n_threads = n_threads;
    if ((rc = vers_ctx_new(e->model, &cp, &e->ctx, err))) goto fail;
    e->n_vocab = vers_model_n_vocab(e->model);
    if ((int)vers_tokenizer_n_vocab(e->tok) < e->n_vocab) e->n_vocab = (int)vers_tokenizer_n_vocab(e->tok);
    wr_lm *lm = &e->lm;
    lm->ud = e;
    lm->n_vocab = e->n_vocab;
    lm->n_ctx = vers_ctx_n_ctx(e->ctx);
    lm->bos = vers_tokenizer_adds_bos(e->tok) ? vers_token_bos(e->tok) : -1;
    lm->eval = e_eval;
    lm->truncate = e_truncate;
    lm->n_past = e_n_past;
    lm->tokenize = e_tokenize;
    lm->token_bytes = e_token_bytes;
    lm->special = e_special;
    if (read_codes(e)) lm->codes = &e->codes;
    /* the LSTM's state is no KV cache: its candidates are decoded one after another */
    if (vers_model_get_info(e->model)->arch != VERS_ARCH_LSTM) {
        lm->branch_open = e_branch_open;
        lm->branch_eval = e_branch_eval;
        lm->branch_truncate = e_branch_truncate;
        lm->branch_commit = e_branch_commit;
    }
    return VERS_OK;
fail:
    wr_engine_lm_close(e);
    return rc;
}

void wr_engine_lm_close(wr_engine_lm *e) {
    if (e->ctx) vers_ctx_free(e->ctx);
    if (e->tok) vers_tokenizer_free(e->tok);
    if (e->model) vers_model_free(e->model);
    memset(e, 0, sizeof *e);
}
