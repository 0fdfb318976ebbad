/* src/train/trainer.c — the training loop: seeded batch sampling, gradient accumulation,
 * clipping, AdamW with warm-up + cosine schedule, periodic validation loss, checkpoints
 * (periodic, on a stop request, at the end), a per-step CSV/JSONL log and the progress
 * line.  A non-finite loss or gradient stops the run without touching the last good
 * checkpoint. */
#include "train/trainer.h"
#include "train/adamw.h"
#include "train/bpe.h"
#include "vers/tokenizer.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void vers_train_opts_default(vers_train_opts *o) {
    memset(o, 0, sizeof *o);
    o->batch = 8; o->seq_len = 256; o->accum = 1;
    o->steps = 1000; o->warmup = 100;
    o->lr = 1e-3f; o->min_lr_frac = 0.1f; o->weight_decay = 0.1f;
    o->beta1 = 0.9f; o->beta2 = 0.95f; o->eps = 1e-8f; o->clip = 1.0f;
    o->eval_every = 100; o->eval_batches = 8; o->ckpt_every = 200;
    o->seed = 1; o->threads = 1; o->log_every = 10;
}

static double now_s(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int trainer_alloc_state(vers_trainer *t, vers_err *err) {
    int64_t n = t->m->n_params, bt = (int64_t)t->o.batch * t->o.seq_len;
    t->am = calloc((size_t)n, sizeof(float));
    t->av = calloc((size_t)n, sizeof(float));
    t->btok = malloc(sizeof(int32_t) * bt);
    t->btg = malloc(sizeof(int32_t) * bt);
    if (!t->am || !t->av || !t->btok || !t->btg) return vers_errorf(err, VERS_ENOMEM, "out of memory for the optimizer state");
    return 0;
}

static int check_opts(const vers_train_opts *o, vers_err *err) {
    if (o->batch <= 0 || o->seq_len <= 1 || o->accum <= 0 || o->steps < 0 || o->warmup < 0)
        return vers_errorf(err, VERS_EINVAL, "batch, sequence length and accumulation must be positive");
    if (!(o->lr > 0) || !(o->beta1 >= 0 && o->beta1 < 1) || !(o->beta2 >= 0 && o->beta2 < 1) || !(o->eps > 0) ||
        !(o->weight_decay >= 0) || !(o->clip >= 0) || !(o->min_lr_frac >= 0 && o->min_lr_frac <= 1))
        return vers_errorf(err, VERS_EINVAL, "bad optimizer settings");
    const vers_train_limits *l = vers_train_limits_get();
    if (o->batch > l->batch || o->seq_len > l->seq || o->accum > l->accum || o->steps > l->steps || o->warmup > l->steps ||
        o->eval_every < 0 || o->eval_every > l->eval_every || o->eval_batches < 0 || o->eval_batches > l->eval_batches ||
        o->ckpt_every > l->ckpt_every || o->threads > l->threads)
        return vers_errorf(err, VERS_EINVAL, "training options beyond their limits");
    if ((int64_t)o->batch * o->seq_len > l->batch_tokens) return vers_errorf(err, VERS_EINVAL, "batch too large");
    if (o->precision != VERS_PREC_FP32 && o->precision != VERS_PREC_BF16) return vers_errorf(err, VERS_EINVAL, "unknown precision");
    return 0;
}

int vers_trainer_new(const vers_tconfig *c, const vers_train_opts *o, const vers_bpe *tok,
                     vers_trainer **out, vers_err *err) {
    *out = NULL;
    int rc = check_opts(o, err);
    if (rc) return rc;
    if (tok && vers_bpe_vocab_size(tok) > c->vocab_size)
        return vers_errorf(err, VERS_EINVAL, "tokenizer has %d tokens but the model only %d", vers_bpe_vocab_size(tok), c->vocab_size);
    if (o->seq_len > c->ctx_len) return vers_errorf(err, VERS_EINVAL, "sequence length %d exceeds the context %d", o->seq_len, c->ctx_len);
    const int ranks = o->dist ? o->dist->size : 1;
    if (o->batch % ranks)
        return vers_errorf(err, VERS_EINVAL, "the global batch %d is not a multiple of the %d ranks", o->batch, ranks);
    vers_trainer *t = calloc(1, sizeof *t);
    if (!t) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    t->o = *o; t->ckpt_step = -1; t->last_val = NAN; t->last_val_step = -1;
    t->local_batch = o->batch / ranks;
    vers_train_set_threads(o->threads);
    if ((rc = vers_tmodel_new(c, t->local_batch, o->seq_len, o->seed, &t->m, err)) || (rc = trainer_alloc_state(t, err))) {
        vers_trainer_free(t); return rc;
    }
    vers_tmodel_set_precision(t->m, o->precision);
    if (tok) {
        /* keep our own copy (the caller may free theirs) */
        int n = vers_bpe_vocab_size(tok), nm = vers_bpe_n_merges(tok);
        const char **ts = malloc(sizeof *ts * n), **ms = malloc(sizeof *ms * (nm + 1));
        size_t *tl = malloc(sizeof *tl * n), *ml = malloc(sizeof *ml * (nm + 1));
        int32_t *ty = malloc(sizeof *ty * n);
        if (ts && ms && tl && ml && ty) {
            for (int i = 0; i < n; i++) { ts[i] = vers_bpe_token(tok, i, &tl[i]); ty[i] = vers_bpe_token_type(tok, i); }
            for (int j = 0; j < nm; j++) ms[j] = vers_bpe_merge(tok, j, &ml[j]);
            rc = vers_bpe_from_vocab(ts, tl, ty, n, ms, ml, nm, &t->tok, err);
        } else rc = vers_errorf(err, VERS_ENOMEM, "out of memory");
        free(ts); free(ms); free(tl); free(ml); free(ty);
        if (rc) { vers_trainer_free(t); return rc; }
    }
    /* documents are <|bos|>...<|eos|> records packed into the token stream: a window that
     * crosses a record boundary must not let the next record attend to the previous one */
    if (t->tok) vers_tmodel_set_doc_token(t->m, t->tok->special[VERS_TOK_BOS]);
    trng_seed(&t->rng, o->seed ^ 0xba7c4ULL);
    *out = t;
    return 0;
}

void vers_trainer_free(vers_trainer *t) {
    if (!t) return;
    vers_tmodel_free(t->m); vers_bpe_free(t->tok);
    vers_tokenizer_free(t->etok); free(t->tok_gguf);
    free(t->am); free(t->av); free(t->btok); free(t->btg);
    for (int i = 0; i < t->n_notes; i++) { free(t->note_k[i]); free(t->note_v[i]); }
    free(t);
}

vers_tmodel *vers_trainer_model(vers_trainer *t) { return t->m; }
const vers_bpe *vers_trainer_tokenizer(const vers_trainer *t) { return t->tok; }
int64_t vers_trainer_step(const vers_trainer *t) { return t->step; }
const vers_train_opts *vers_trainer_opts(const vers_trainer *t) { return &t->o; }

int vers_trainer_tokens_build(const vers_trainer *t, const vers_data_opts *o, vers_tokens *out, vers_err *err) {
    if (t->tok) return vers_tokens_build(t->tok, o, out, err);
    if (t->etok) return vers_tokens_build_engine(t->etok, o, out, err);
    return vers_errorf(err, VERS_EINVAL, "the run has no tokenizer");
}
float vers_trainer_last_val(const vers_trainer *t) { return t->last_val; }

const char *vers_trainer_note(const vers_trainer *t, const char *key) {
    for (int i = 0; i < t->n_notes; i++) if (!strcmp(t->note_k[i], key)) return t->note_v[i];
    return NULL;
}

int vers_trainer_set_note(vers_trainer *t, const char *key, const char *value) {
    for (int i = 0; i < t->n_notes; i++)
        if (!strcmp(t->note_k[i], key)) {
            char *v = strdup(value); if (!v) return VERS_ENOMEM;
            free(t->note_v[i]); t->note_v[i] = v; return 0;
        }
    if (t->n_notes == TRAINER_MAX_NOTES) return VERS_EINVAL;
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) { free(k); free(v); return VERS_ENOMEM; }
    t->note_k[t->n_notes] = k; t->note_v[t->n_notes] = v; t->n_notes++;
    return 0;
}

/* B windows of T+1 tokens at seeded random offsets of the training stream.  With ranks,
 * every rank draws all B offsets (the same stream as one process) and keeps its own
 * share: windows rank*Bl .. rank*Bl + Bl-1. */
static void sample_batch(vers_trainer *t, const vers_tokens *d) {
    int B = t->o.batch, T = t->o.seq_len, Bl = t->local_batch, first = t->o.dist ? t->o.dist->rank * Bl : 0;
    uint64_t span = d->n_train - (uint64_t)T;   /* starts 0 .. n - T - 1 */
    for (int b = 0; b < B; b++) {
        uint64_t s = trng_below(&t->rng, span);
        if (b < first || b >= first + Bl) continue;
        memcpy(t->btok + (int64_t)(b - first) * T, d->train + s, sizeof(int32_t) * T);
        memcpy(t->btg + (int64_t)(b - first) * T, d->train + s + 1, sizeof(int32_t) * T);
    }
}

/* with ranks: the gradient of each layer is summed as soon as its backward is done */
static void layer_done(void *ctx, int64_t off, int64_t n) {
    vers_trainer *t = ctx;
    t->o.dist->isum_f32(t->o.dist, t->m->grads + off, n);
    t->o.dist->test(t->o.dist);
}

float vers_trainer_eval(vers_trainer *t, const vers_tokens *d) {
    int B = t->o.batch, T = t->o.seq_len, Bl = t->local_batch, first = t->o.dist ? t->o.dist->rank * Bl : 0;
    if (d->n_val < (size_t)T + 1) return NAN;
    int nb = t->o.eval_batches > 0 ? t->o.eval_batches : 1;
    int64_t nwin = (int64_t)nb * B;
    uint64_t span = d->n_val - (uint64_t)T - 1;
    double s = 0;
    for (int i = 0; i < nb; i++) {
        /* a stop request: no figure (one process only: ranks must finish the sum together) */
        if (!t->o.dist && t->o.stop_flag && *t->o.stop_flag) return NAN;
        for (int b = first; b < first + Bl; b++) {
            int64_t w = (int64_t)i * B + b;
            uint64_t st = nwin > 1 ? (uint64_t)((unsigned __int128)span * (uint64_t)w / (uint64_t)(nwin - 1)) : 0;
            memcpy(t->btok + (int64_t)(b - first) * T, d->val + st, sizeof(int32_t) * T);
            memcpy(t->btg + (int64_t)(b - first) * T, d->val + st + 1, sizeof(int32_t) * T);
        }
        s += vers_tmodel_forward(t->m, t->btok, t->btg, Bl, T);
    }
    if (t->o.dist) {   /* the mean of the ranks' means (they score equal token counts) */
        if (t->o.dist->sum_f64(t->o.dist, &s, 1)) return NAN;
        s /= t->o.dist->size;
    }
    return (float)(s / nb);
}

static void fmt_time(char *buf, size_t n, double s) {
    if (!(s >= 0) || s > 1e8) { snprintf(buf, n, "?"); return; }
    long x = (long)(s + 0.5);
    if (x >= 3600) snprintf(buf, n, "%ldh%02ldm", x / 3600, (x / 60) % 60);
    else snprintf(buf, n, "%ldm%02lds", x / 60, x % 60);
}

int vers_trainer_run(vers_trainer *t, const vers_tokens *d, int *stopped, vers_err *err) {
    vers_train_opts *o = &t->o;
    if (stopped) *stopped = 0;
    int B = o->batch, T = o->seq_len;
    if (d->n_train < (size_t)T + 2)
        return vers_errorf(err, VERS_EINVAL, "training split has %zu tokens, fewer than one sequence of %d", d->n_train, T + 1);
    int V = t->m->c.vocab_size;
    for (size_t i = 0; i < d->n_train; i++) if (d->train[i] < 0 || d->train[i] >= V)
        return vers_errorf(err, VERS_EINVAL, "token id %d outside the model's vocabulary of %d", d->train[i], V);
    for (size_t i = 0; i < d->n_val; i++) if (d->val[i] < 0 || d->val[i] >= V)
        return vers_errorf(err, VERS_EINVAL, "token id %d outside the model's vocabulary of %d", d->val[i], V);
    vers_train_set_threads(o->threads);
    FILE *log = NULL;
    int csv = 0;
    if (o->log_path) {
        size_t l = strlen(o->log_path);
        csv = l > 4 && !strcmp(o->log_path + l - 4, ".csv");
        int fresh = t->step == 0;
        log = fopen(o->log_path, fresh ? "w" : "a");
        if (!log) return vers_errorf(err, VERS_EIO, "%s: cannot open the log", o->log_path);
        if (csv && fresh) fprintf(log, "step,loss,val_loss,lr,grad_norm,tokens,elapsed_s,tok_per_s\n");
    }
    const int64_t tok_per_step = (int64_t)B * T * o->accum;
    double sess_t0 = now_s(), sess_train = 0;
    int64_t sess_steps = 0;
    int rc = 0;
    const vers_tmodel *m = t->m;
    while (t->step < o->steps) {
        double t0 = now_s();
        vers_tmodel_zero_grad(t->m);
        double loss = 0;
        /* a stop request between micro-batches abandons the step: the sampler goes back to
         * where the step began, so the checkpoint is exactly the state after the last step */
        trng rng_at_step = t->rng;
        int abandoned = 0;
        vers_dist_ops *dist = o->dist;
        const int Bl = t->local_batch, ranks = dist ? dist->size : 1;
        for (int a = 0; a < o->accum; a++) {
            /* ranks stop together, at a step boundary (below) */
            if (!dist && a > 0 && o->stop_flag && *o->stop_flag) { abandoned = 1; break; }
            sample_batch(t, d);
            loss += vers_tmodel_forward(t->m, t->btok, t->btg, Bl, T) / o->accum;
            if (dist && a == o->accum - 1) vers_tmodel_set_layer_hook(t->m, layer_done, t);
            vers_tmodel_backward(t->m, t->btok, t->btg, 1.0f / ((float)o->accum * ranks));
            vers_tmodel_set_layer_hook(t->m, NULL, NULL);
        }
        if (dist) {   /* the rest of the gradient (embedding, head, final norm), then the loss */
            const vers_tmodel *mm = t->m;
            int drc = dist->isum_f32(dist, mm->grads, mm->off_layers);
            if (!drc) drc = dist->isum_f32(dist, mm->grads + mm->off_out_norm, mm->n_params - mm->off_out_norm);
            if (!drc) drc = dist->wait_all(dist);
            if (!drc) { drc = dist->sum_f64(dist, &loss, 1); loss /= ranks; }
            if (drc) { rc = vers_errorf(err, VERS_EIO, "step %lld: the ranks' sum failed", (long long)t->step + 1); break; }
        }
        if (abandoned) {
            t->rng = rng_at_step;
            if (o->ckpt_path && t->ckpt_step != t->step && (rc = vers_trainer_save(t, o->ckpt_path, err))) break;
            if (stopped) *stopped = 1;
            break;
        }
        double topt = t->m->prof_on ? now_s() : 0;
        double gn = grad_norm(t->m->grads, m->n_params);
        if (!isfinite(loss) || !isfinite(gn)) {
            if (t->ckpt_step >= 0)
                rc = vers_errorf(err, VERS_EFAIL, "loss is %s at step %lld: stopped; the last good checkpoint (step %lld) is kept",
                                 isfinite(loss) ? "finite but the gradient is not" : (isnan(loss) ? "nan" : "inf"),
                                 (long long)t->step + 1, (long long)t->ckpt_step);
            else
                rc = vers_errorf(err, VERS_EFAIL, "loss is %s at step %lld: stopped (no checkpoint written yet)",
                                 isfinite(loss) ? "finite but the gradient is not" : (isnan(loss) ? "nan" : "inf"), (long long)t->step + 1);
            break;
        }
        float gscale = (o->clip > 0 && gn > o->clip) ? (float)(o->clip / gn) : 1.0f;
        float lr = lr_schedule(t->step, o->steps, o->warmup, o->lr, o->min_lr_frac);
        for (int i = 0; i < m->n_tensors; i++) {
            const vers_tparam *p = &m->tensors[i];
            float wd = (p->decay || o->decay_all) ? o->weight_decay : 0.0f;
            int64_t n = p->ne0 * p->ne1;
            adamw_update(t->m->params + p->offset, t->m->grads + p->offset, t->am + p->offset, t->av + p->offset,
                         n, lr, o->beta1, o->beta2, o->eps, wd, gscale, t->step + 1);
        }
        if (t->m->prof_on) t->m->prof[TP_OPT] += now_s() - topt;
        t->step++;
        t->tokens_seen += tok_per_step;
        t->last_loss = (float)loss;
        double dt = now_s() - t0;
        sess_train += dt; sess_steps++;
        t->elapsed_s += dt;
        int evald = 0;
        if (o->eval_every > 0 && (t->step % o->eval_every == 0 || t->step == o->steps)) {
            float v = vers_trainer_eval(t, d);
            if (!(o->stop_flag && *o->stop_flag)) { t->last_val = v; t->last_val_step = t->step; evald = 1; }
        }
        double tps = sess_train > 0 ? sess_steps * tok_per_step / sess_train : 0;
        if (log) {
            char vbuf[32] = "";
            if (evald && isfinite(t->last_val)) snprintf(vbuf, sizeof vbuf, "%.6f", t->last_val);
            if (csv) fprintf(log, "%lld,%.6f,%s,%.6g,%.4f,%lld,%.2f,%.1f\n", (long long)t->step, loss, vbuf, lr, gn,
                             (long long)t->tokens_seen, t->elapsed_s, tps);
            else fprintf(log, "{\"step\":%lld,\"loss\":%.6f,\"val_loss\":%s,\"lr\":%.6g,\"grad_norm\":%.4f,\"tokens\":%lld,\"elapsed_s\":%.2f,\"tok_per_s\":%.1f}\n",
                         (long long)t->step, loss, vbuf[0] ? vbuf : "null", lr, gn, (long long)t->tokens_seen, t->elapsed_s, tps);
            fflush(log);
        }
        if (o->progress) {
            char eta[32], vb[32] = "-";
            fmt_time(eta, sizeof eta, tps > 0 ? (double)(o->steps - t->step) * tok_per_step / tps : -1);
            if (isfinite(t->last_val)) snprintf(vb, sizeof vb, "%.4f", t->last_val);
            if (o->progress_tty)
                fprintf(o->progress, "\rstep %lld/%lld  loss %.4f  val %s  lr %.2e  %.0f tok/s  ETA %s\033[K",
                        (long long)t->step, (long long)o->steps, loss, vb, lr, tps, eta);
            else if (evald || t->step % (o->log_every > 0 ? o->log_every : 1) == 0 || t->step == o->steps)
                fprintf(o->progress, "step %lld/%lld loss %.4f val %s lr %.2e tok/s %.0f eta %s\n",
                        (long long)t->step, (long long)o->steps, loss, vb, lr, tps, eta);
            fflush(o->progress);
        }
        int stop = (o->stop_flag && *o->stop_flag) || (o->stop_after > 0 && t->step >= o->stop_after);
        if (o->dist && o->dist->max_i32(o->dist, &stop)) { rc = vers_errorf(err, VERS_EIO, "the ranks could not agree to stop"); break; }
        int periodic = o->ckpt_every > 0 && t->step % o->ckpt_every == 0;
        if (o->ckpt_path && (stop || periodic || t->step == o->steps)) {
            if (!o->dist || o->dist->rank == 0) { if ((rc = vers_trainer_save(t, o->ckpt_path, err))) break; }
            else t->ckpt_step = t->step;   /* rank 0 writes it */
        }
        if (stop) { if (stopped) *stopped = 1; break; }
    }
    if (o->progress && o->progress_tty) { fputc('\n', o->progress); fflush(o->progress); }
    if (log) fclose(log);
    (void)sess_t0;
    return rc;
}
