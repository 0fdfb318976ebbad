/* src/engine/branch.c — several continuations of one prefix, decoded together (the
 * writer's candidate lines, issue 16).
 *
 * The cache's first br_base positions are the shared prefix; each branch has a tail of up
 * to br_cap positions of its own, [branch][layer][kv head][slot][head_dim] like the cache,
 * so a head's tail is one run.  A forward pass over branch rows is the ordinary batched
 * pass (one multi-row product per weight: the weights stream once for all candidates)
 * with each row's position, K/V slot and attention span taken from row_pos / row_slot /
 * row_branch (kv.c attends over prefix + own tail).  Committing a branch copies its tail
 * into the cache after the prefix, so the kept line costs no second evaluation. */
#include "engine/model.h"
#include <stdlib.h>
#include <string.h>

void vers_ctx_branch_close(vers_ctx *c) { c->n_branch = 0; }

int vers_ctx_branch_open(vers_ctx *c, int n_branch, int cap, vers_err *err) {
    const vers_model_info *hp = &c->m->info;
    c->n_branch = 0;
    if (hp->arch == VERS_ARCH_LSTM)
        return vers_errorf(err, VERS_EUNSUPPORTED, "branches: the LSTM's state is not a KV cache");
    if (n_branch < 1 || cap < 1 || n_branch > 4096 || cap > c->n_ctx)
        return vers_errorf(err, VERS_EINVAL, "branches: %d tails of %d positions", n_branch, cap);
    if (c->pos + cap > c->n_ctx)
        return vers_errorf(err, VERS_EINVAL, "context full: %d + %d positions > %d", c->pos, cap, c->n_ctx);
    if (n_branch > c->br_alloc || cap > c->br_cap) {
        const int nb = n_branch > c->br_alloc ? n_branch : c->br_alloc, nc = cap > c->br_cap ? cap : c->br_cap;
        const size_t elts = (size_t)nb * hp->n_layer * hp->n_head_kv * (size_t)nc * hp->head_dim;
        void *bk = malloc(elts * c->kv_elt), *bv = malloc(elts * c->kv_elt);
        int *len = calloc((size_t)nb, sizeof *len);
        float *tmp = malloc(sizeof(float) * (size_t)c->n_att_threads * hp->head_dim);
        float *att = malloc(sizeof(float) * (size_t)c->n_att_threads * ((size_t)c->n_ctx + nc));
        int *rp = malloc(sizeof(int) * (size_t)c->n_batch), *rs = malloc(sizeof(int) * (size_t)c->n_batch);
        if (!bk || !bv || !len || !tmp || !att || !rp || !rs) {
            free(bk); free(bv); free(len); free(tmp); free(att); free(rp); free(rs);
            return vers_errorf(err, VERS_ENOMEM, "out of memory for %d branches of %d positions", n_branch, cap);
        }
        free(c->bk_cache); free(c->bv_cache); free(c->br_len); free(c->br_tmp); free(c->att); free(c->row_pos); free(c->row_slot);
        c->bk_cache = bk; c->bv_cache = bv; c->br_len = len; c->br_tmp = tmp; c->att = att; c->row_pos = rp; c->row_slot = rs;
        c->br_alloc = nb; c->br_cap = nc;
    }
    /* a tail's layout depends on br_cap: it is fixed while branches are open */
    c->n_branch = n_branch;
    c->br_base = c->pos;
    memset(c->br_len, 0, sizeof(int) * (size_t)n_branch);
    c->n_logits = 0;
    return VERS_OK;
}

int vers_ctx_branch_len(const vers_ctx *c, int b) {
    return b >= 0 && b < c->n_branch ? c->br_len[b] : -1;
}

int vers_ctx_branch_truncate(vers_ctx *c, int b, int len) {
    if (b < 0 || b >= c->n_branch || len < 0 || len > c->br_len[b]) return VERS_EINVAL;
    c->br_len[b] = len;
    return VERS_OK;
}

int vers_decode_branches(vers_ctx *c, const int32_t *tokens, const int *branch, int n_rows,
                         float *logits, vers_err *err) {
    const int n_vocab = c->m->info.n_vocab;
    if (c->n_branch <= 0) return vers_errorf(err, VERS_EINVAL, "decode: no branches open");
    if (n_rows <= 0 || !tokens || !branch || !logits) return vers_errorf(err, VERS_EINVAL, "decode: no tokens");
    if (n_rows > c->n_batch)
        return vers_errorf(err, VERS_EINVAL, "decode: %d rows > a batch of %d", n_rows, c->n_batch);
    for (int r = 0; r < n_rows; r++) {
        if (tokens[r] < 0 || tokens[r] >= n_vocab)
            return vers_errorf(err, VERS_EINVAL, "token id %d out of range (vocabulary of %d)", (int)tokens[r], n_vocab);
        if (branch[r] < 0 || branch[r] >= c->n_branch)
            return vers_errorf(err, VERS_EINVAL, "decode: branch %d of %d", branch[r], c->n_branch);
    }
    /* each row's slot: after its branch's tail and the earlier rows of the same branch */
    for (int r = 0; r < n_rows; r++) {
        int slot = c->br_len[branch[r]];
        for (int q = 0; q < r; q++) if (branch[q] == branch[r]) slot++;
        if (slot >= c->br_cap)
            return vers_errorf(err, VERS_EINVAL, "branch %d full: %d positions", branch[r], c->br_cap);
        c->row_slot[r] = slot;
        c->row_pos[r] = c->br_base + slot;
    }
    c->row_branch = branch;
    int rc = c->m->info.arch == VERS_ARCH_GPT2 ? model_forward_gpt2(c, tokens, n_rows, 0, logits)
                                                : model_forward_llama(c, tokens, n_rows, 0, logits);
    c->row_branch = NULL;
    if (rc) return vers_errorf(err, rc, "decode failed (tensor conversion)");
    for (int r = 0; r < n_rows; r++) c->br_len[branch[r]]++;
    c->n_logits = 0;                     /* the cache's own last logits are not these */
    return VERS_OK;
}

int vers_ctx_branch_commit(vers_ctx *c, int b, int n, vers_err *err) {
    const vers_model_info *hp = &c->m->info;
    if (b < 0 || b >= c->n_branch || n < 0 || n > c->br_len[b])
        return vers_errorf(err, VERS_EINVAL, "commit: branch %d, %d positions", b, n);
    const size_t D = (size_t)hp->head_dim, row = D * c->kv_elt;
    for (int l = 0; l < hp->n_layer; l++)
        for (int g = 0; g < hp->n_head_kv; g++) {
            const size_t to = (((size_t)l * hp->n_head_kv + (size_t)g) * c->n_ctx + (size_t)c->br_base) * row;
            const size_t from = ((((size_t)b * hp->n_layer + (size_t)l) * hp->n_head_kv + (size_t)g) * c->br_cap) * row;
            memcpy((uint8_t *)c->k_cache + to, (const uint8_t *)c->bk_cache + from, (size_t)n * row);
            memcpy((uint8_t *)c->v_cache + to, (const uint8_t *)c->bv_cache + from, (size_t)n * row);
        }
    c->stamp++;
    if (c->stamp == 0) {
        for (int i = 0; i < c->n_ctx; i++) c->written[i] = 1;
        c->stamp = 2;
    }
    for (int i = 0; i < n; i++) c->written[c->br_base + i] = c->stamp;
    c->pos = c->br_base + n;
    c->n_branch = 0;
    c->n_logits = 0;
    return VERS_OK;
}
