/* src/train/checkpoint.c — training checkpoints: everything a run needs to continue
 * bit-for-bit (model shape, options, step, RNG, weights, AdamW moments, tokenizer, notes).
 *
 * Layout (little-endian): "VERSCKP1", u32 version, then the sections written in order,
 * then a u64 hash of every byte before it and the u64 total length.  Version 2 (this one)
 * adds after the run options: architecture (vers_arch: llama 0, LSTM 3), precision of the matrix products, the thread
 * count and the number of ranks the run was saved with (defaults a resume reuses); version
 * 1 files are still read (llama, FP32, threads and ranks from the command line).  Every
 * header value is held to the command line's limits before anything is allocated, and the
 * parameter section's length is checked against the shape first.  Writing goes to
 * PATH.tmp, is fsync'd, renamed over PATH and the directory fsync'd, so the previous good
 * checkpoint survives a crash at any point.  Loading checks length and hash before using
 * anything, and every count against the bytes present. */
#include "train/trainer.h"
#include "train/bpe.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CKPT_MAGIC "VERSCKP1"
#define CKPT_VERSION 2u
#define HBLK (1 << 20)

/* word-wise FNV-style hash over 1 MiB blocks (fast enough for hundreds of MB) */
static uint64_t hash_block(uint64_t h, const unsigned char *p, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) { uint64_t w; memcpy(&w, p + i, 8); h = (h ^ w) * 0x100000001b3ULL; h ^= h >> 29; }
    for (; i < n; i++) { h = (h ^ p[i]) * 0x100000001b3ULL; }
    return h;
}

typedef struct { int fd; unsigned char *buf; size_t n; uint64_t h, total; int bad; } cwriter;
static void cw_flush(cwriter *w) {
    if (!w->n) return;
    w->h = hash_block(w->h, w->buf, w->n);
    size_t off = 0;
    while (off < w->n) {
        ssize_t k = write(w->fd, w->buf + off, w->n - off);
        if (k < 0) { if (errno == EINTR) continue; w->bad = 1; break; }
        off += (size_t)k;
    }
    w->n = 0;
}
static void cw_put(cwriter *w, const void *p, size_t n) {
    const unsigned char *b = p;
    w->total += n;
    while (n) {
        size_t k = HBLK - w->n < n ? HBLK - w->n : n;
        memcpy(w->buf + w->n, b, k); w->n += k; b += k; n -= k;
        if (w->n == HBLK) cw_flush(w);
    }
}
static void cw_u32(cwriter *w, uint32_t v) { cw_put(w, &v, 4); }
static void cw_u64(cwriter *w, uint64_t v) { cw_put(w, &v, 8); }
static void cw_f32(cwriter *w, float v) { cw_put(w, &v, 4); }
static void cw_f64(cwriter *w, double v) { cw_put(w, &v, 8); }
static void cw_str(cwriter *w, const char *s, size_t n) { cw_u32(w, (uint32_t)n); cw_put(w, s, n); }

int vers_trainer_save(vers_trainer *t, const char *path, vers_err *err) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return vers_errorf(err, VERS_EIO, "%s: %s", tmp, strerror(errno));
    cwriter w = {fd, malloc(HBLK), 0, 0xcbf29ce484222325ULL, 0, 0};
    if (!w.buf) { close(fd); remove(tmp); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    const vers_tconfig *c = &t->m->c;
    const vers_train_opts *o = &t->o;
    cw_put(&w, CKPT_MAGIC, 8); cw_u32(&w, CKPT_VERSION);
    /* model shape */
    cw_u32(&w, (uint32_t)c->dim); cw_u32(&w, (uint32_t)c->n_layers); cw_u32(&w, (uint32_t)c->n_heads);
    cw_u32(&w, (uint32_t)c->n_kv_heads); cw_u32(&w, (uint32_t)c->hidden_dim); cw_u32(&w, (uint32_t)c->vocab_size);
    cw_u32(&w, (uint32_t)c->ctx_len); cw_f32(&w, c->rope_theta); cw_f32(&w, c->norm_eps); cw_u32(&w, (uint32_t)c->tied);
    /* options that define the run */
    cw_u32(&w, (uint32_t)o->batch); cw_u32(&w, (uint32_t)o->seq_len); cw_u32(&w, (uint32_t)o->accum);
    cw_u64(&w, (uint64_t)o->steps); cw_u64(&w, (uint64_t)o->warmup);
    cw_f32(&w, o->lr); cw_f32(&w, o->min_lr_frac); cw_f32(&w, o->weight_decay); cw_f32(&w, o->beta1);
    cw_f32(&w, o->beta2); cw_f32(&w, o->eps); cw_f32(&w, o->clip); cw_u32(&w, (uint32_t)o->decay_all);
    cw_u32(&w, (uint32_t)o->eval_every); cw_u32(&w, (uint32_t)o->eval_batches); cw_u32(&w, (uint32_t)o->ckpt_every);
    cw_u64(&w, o->seed);
    /* version 2 */
    cw_u32(&w, (uint32_t)c->arch); cw_u32(&w, (uint32_t)vers_tmodel_precision(t->m));
    cw_u32(&w, (uint32_t)(o->threads > 0 ? o->threads : 1)); cw_u32(&w, (uint32_t)(o->dist ? o->dist->size : 1));
    /* progress */
    cw_u64(&w, (uint64_t)t->step); for (int i = 0; i < 4; i++) cw_u64(&w, t->rng.s[i]);
    cw_f32(&w, t->last_loss); cw_f32(&w, t->last_val); cw_u64(&w, (uint64_t)t->last_val_step);
    cw_f64(&w, t->elapsed_s); cw_u64(&w, (uint64_t)t->tokens_seen);
    /* tokenizer */
    int nt = t->tok ? vers_bpe_vocab_size(t->tok) : 0, nm = t->tok ? vers_bpe_n_merges(t->tok) : 0;
    cw_u32(&w, (uint32_t)nt); cw_u32(&w, (uint32_t)nm);
    for (int i = 0; i < nt; i++) { size_t l; const char *s = vers_bpe_token(t->tok, i, &l); cw_u32(&w, (uint32_t)vers_bpe_token_type(t->tok, i)); cw_str(&w, s, l); }
    for (int j = 0; j < nm; j++) { size_t l; const char *s = vers_bpe_merge(t->tok, j, &l); cw_str(&w, s, l); }
    /* notes */
    cw_u32(&w, (uint32_t)t->n_notes);
    for (int i = 0; i < t->n_notes; i++) { cw_str(&w, t->note_k[i], strlen(t->note_k[i])); cw_str(&w, t->note_v[i], strlen(t->note_v[i])); }
    /* tensors */
    int64_t n = t->m->n_params;
    cw_u64(&w, (uint64_t)n);
    cw_put(&w, t->m->params, sizeof(float) * n);
    cw_put(&w, t->am, sizeof(float) * n);
    cw_put(&w, t->av, sizeof(float) * n);
    cw_flush(&w);
    uint64_t tail[2] = {w.h, w.total + 16};
    size_t off = 0;
    while (!w.bad && off < sizeof tail) {
        ssize_t k = write(fd, (char *)tail + off, sizeof tail - off);
        if (k < 0) { if (errno == EINTR) continue; w.bad = 1; break; }
        off += (size_t)k;
    }
    free(w.buf);
    int bad = w.bad || fsync(fd) != 0;
    bad |= close(fd) != 0;
    if (bad) { remove(tmp); return vers_errorf(err, VERS_EIO, "%s: cannot write the checkpoint (disk full?)", path); }
    if (rename(tmp, path)) { int e = errno; remove(tmp); return vers_errorf(err, VERS_EIO, "%s: %s", path, strerror(e)); }
    char dirbuf[4200];
    snprintf(dirbuf, sizeof dirbuf, "%s", path);
    int dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { fsync(dfd); close(dfd); }
    t->ckpt_step = t->step;
    return 0;
}

/* ---- reading ---- */
typedef struct { const unsigned char *p; size_t n, pos; int bad; } creader;
static void cr_get(creader *r, void *out, size_t n) {
    if (r->bad || n > r->n - r->pos) { r->bad = 1; memset(out, 0, n); return; }
    memcpy(out, r->p + r->pos, n); r->pos += n;
}
static uint32_t cr_u32(creader *r) { uint32_t v; cr_get(r, &v, 4); return v; }
static uint64_t cr_u64(creader *r) { uint64_t v; cr_get(r, &v, 8); return v; }
static float cr_f32(creader *r) { float v; cr_get(r, &v, 4); return v; }
static double cr_f64(creader *r) { double v; cr_get(r, &v, 8); return v; }
static const char *cr_str(creader *r, size_t *len) {
    uint32_t l = cr_u32(r);
    if (r->bad || l > r->n - r->pos) { r->bad = 1; *len = 0; return ""; }
    const char *s = (const char *)r->p + r->pos; r->pos += l; *len = l;
    return s;
}

int checkpoint_load(const char *path, const vers_train_opts *over, vers_trainer **out, vers_err *err) {
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return vers_errorf(err, VERS_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) { close(fd); return vers_errorf(err, VERS_EIO, "%s: not a regular file", path); }
    size_t n = (size_t)st.st_size;
    if (n < 8 + 4 + 16) { close(fd); return vers_errorf(err, VERS_EFORMAT, "%s: not a vers checkpoint (too short)", path); }
    const unsigned char *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return vers_errorf(err, VERS_EIO, "%s: cannot map: %s", path, strerror(errno));
    int rc = VERS_EFORMAT;
    vers_trainer *t = NULL;
    if (memcmp(p, CKPT_MAGIC, 8)) { vers_errorf(err, rc, "%s: not a vers checkpoint", path); goto out; }
    uint64_t tail[2];
    memcpy(tail, p + n - 16, 16);
    if (tail[1] != n) { vers_errorf(err, rc, "%s: truncated or corrupt checkpoint (length %zu, header says %llu)", path, n, (unsigned long long)tail[1]); goto out; }
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t off = 0; off < n - 16; off += HBLK) h = hash_block(h, p + off, (n - 16 - off) < HBLK ? n - 16 - off : HBLK);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION   /* fuzz/fuzz_checkpoint.c: reach the parser */
    if (h != tail[0]) { vers_errorf(err, rc, "%s: corrupt checkpoint (checksum mismatch)", path); goto out; }
#endif
    creader r = {p, n - 16, 8, 0};
    uint32_t version = cr_u32(&r);
    if (version != 1 && version != CKPT_VERSION) {
        vers_errorf(err, VERS_EUNSUPPORTED, "%s: checkpoint version %u not supported (this vers reads 1 and %u)", path, version, CKPT_VERSION);
        rc = VERS_EUNSUPPORTED; goto out;
    }
    vers_tconfig c;
    /* every value is read as a 64-bit quantity and held to the command line's limits
     * (vers_train_limits) before it becomes an int or sizes an allocation */
    uint64_t hv[32]; int nh = 0;
    for (int i = 0; i < 7; i++) hv[nh++] = cr_u32(&r);          /* dim .. ctx */
    c.rope_theta = cr_f32(&r); c.norm_eps = cr_f32(&r); hv[nh++] = cr_u32(&r);   /* tied */
    hv[nh++] = cr_u32(&r); hv[nh++] = cr_u32(&r); hv[nh++] = cr_u32(&r);         /* batch seq accum */
    hv[nh++] = cr_u64(&r); hv[nh++] = cr_u64(&r);                                /* steps warmup */
    vers_train_opts o = *over;
    o.lr = cr_f32(&r); o.min_lr_frac = cr_f32(&r); o.weight_decay = cr_f32(&r); o.beta1 = cr_f32(&r);
    o.beta2 = cr_f32(&r); o.eps = cr_f32(&r); o.clip = cr_f32(&r);
    hv[nh++] = cr_u32(&r);                                                       /* decay_all */
    hv[nh++] = cr_u32(&r); hv[nh++] = cr_u32(&r); hv[nh++] = cr_u32(&r);         /* eval_every eval_batches ckpt_every */
    o.seed = cr_u64(&r);
    uint64_t arch = VERS_ARCH_LLAMA, prec = VERS_PREC_FP32, threads = 0, ranks = 1;
    if (version >= 2) { arch = cr_u32(&r); prec = cr_u32(&r); threads = cr_u32(&r); ranks = cr_u32(&r); }
    if (r.bad) { vers_errorf(err, rc, "%s: truncated checkpoint header", path); goto out; }
    const vers_train_limits *lim = vers_train_limits_get();
    struct { const char *what; uint64_t v, lo, hi; } chk[] = {
        {"dim", hv[0], 2, (uint64_t)lim->dim}, {"layers", hv[1], 1, (uint64_t)lim->layers},
        {"heads", hv[2], 1, (uint64_t)lim->heads}, {"kv heads", hv[3], 1, (uint64_t)lim->heads},
        {"hidden", hv[4], 1, (uint64_t)lim->hidden}, {"vocabulary", hv[5], 1, 1u << 24},
        {"context", hv[6], 2, (uint64_t)lim->ctx}, {"tied", hv[7], 0, 1},
        {"batch", hv[8], 1, (uint64_t)lim->batch}, {"sequence", hv[9], 2, (uint64_t)lim->seq},
        {"accumulation", hv[10], 1, (uint64_t)lim->accum}, {"steps", hv[11], 1, (uint64_t)lim->steps},
        {"warmup", hv[12], 0, (uint64_t)lim->steps}, {"decay-all", hv[13], 0, 1},
        {"eval-every", hv[14], 0, (uint64_t)lim->eval_every}, {"eval-batches", hv[15], 1, (uint64_t)lim->eval_batches},
        {"ckpt-every", hv[16], 0, (uint64_t)lim->ckpt_every}, {"architecture", arch, VERS_ARCH_LLAMA, VERS_ARCH_LSTM},
        {"precision", prec, VERS_PREC_FP32, VERS_PREC_BF16}, {"threads", threads, 0, (uint64_t)lim->threads},
        {"ranks", ranks, 1, 1u << 20},
    };
    for (size_t i = 0; i < sizeof chk / sizeof chk[0]; i++)
        if (chk[i].v < chk[i].lo || chk[i].v > chk[i].hi) {
            vers_errorf(err, rc, "%s: bad checkpoint header: %s %llu outside %llu..%llu", path, chk[i].what,
                        (unsigned long long)chk[i].v, (unsigned long long)chk[i].lo, (unsigned long long)chk[i].hi);
            goto out;
        }
    c.dim = (int)hv[0]; c.n_layers = (int)hv[1]; c.n_heads = (int)hv[2]; c.n_kv_heads = (int)hv[3];
    c.hidden_dim = (int)hv[4]; c.vocab_size = (int)hv[5]; c.ctx_len = (int)hv[6]; c.tied = (int)hv[7];
    c.arch = (int)arch;
    if (c.arch != VERS_ARCH_LLAMA && c.arch != VERS_ARCH_LSTM) { vers_errorf(err, rc, "%s: bad checkpoint header: architecture %d", path, c.arch); goto out; }
    o.batch = (int)hv[8]; o.seq_len = (int)hv[9]; o.accum = (int)hv[10];
    o.steps = over->steps > 0 ? over->steps : (int64_t)hv[11];
    o.warmup = (int64_t)hv[12]; o.decay_all = (int)hv[13];
    o.eval_every = (int)hv[14]; o.eval_batches = (int)hv[15]; o.ckpt_every = (int)hv[16];
    if (over->ckpt_every >= 0) o.ckpt_every = over->ckpt_every;      /* < 0: not given, keep the run's */
    o.threads = over->threads > 0 ? over->threads : threads > 0 ? (int)threads : 1;
    o.precision = (int)prec;
    vers_err e2;
    if (tconfig_check(&c, &e2)) { vers_errorf(err, rc, "%s: bad model shape: %s", path, e2.msg); goto out; }
    if ((int64_t)o.batch * o.seq_len > lim->batch_tokens) { vers_errorf(err, rc, "%s: bad checkpoint header: batch %d x %d too large", path, o.batch, o.seq_len); goto out; }
    /* the parameter section must be there before the model is allocated */
    int64_t want = vers_tconfig_n_params(&c);
    if (want <= 0 || (uint64_t)want > (n - 16) / 12) { vers_errorf(err, rc, "%s: parameter section does not match the model shape", path); goto out; }
    if ((rc = vers_trainer_new(&c, &o, NULL, &t, &e2))) { vers_errorf(err, rc, "%s: %s", path, e2.msg); goto out; }
    rc = VERS_EFORMAT;
    uint64_t step = cr_u64(&r);
    for (int i = 0; i < 4; i++) t->rng.s[i] = cr_u64(&r);
    if (step > (uint64_t)lim->steps) { vers_errorf(err, rc, "%s: bad checkpoint header: step %llu outside 0..%lld", path, (unsigned long long)step, (long long)lim->steps); goto out; }
    t->step = (int64_t)step;
    t->last_loss = cr_f32(&r); t->last_val = cr_f32(&r); t->last_val_step = (int64_t)cr_u64(&r);
    t->elapsed_s = cr_f64(&r); t->tokens_seen = (int64_t)cr_u64(&r);
    if (!(t->elapsed_s >= 0 && t->elapsed_s < 1e12) || t->tokens_seen < 0) { vers_errorf(err, rc, "%s: bad checkpoint header: progress", path); goto out; }
    uint32_t nt = cr_u32(&r), nm = cr_u32(&r);
    if (r.bad || nt > (uint32_t)c.vocab_size || nm > nt) { vers_errorf(err, rc, "%s: bad tokenizer section", path); goto out; }
    if (nt) {
        const char **ts = calloc(nt, sizeof *ts), **ms = calloc(nm + 1, sizeof *ms);
        size_t *tl = calloc(nt, sizeof *tl), *ml = calloc(nm + 1, sizeof *ml);
        int32_t *ty = calloc(nt, sizeof *ty);
        if (!ts || !ms || !tl || !ml || !ty) { free(ts); free(ms); free(tl); free(ml); free(ty); rc = vers_errorf(err, VERS_ENOMEM, "out of memory"); goto out; }
        for (uint32_t i = 0; i < nt; i++) { ty[i] = (int32_t)cr_u32(&r); ts[i] = cr_str(&r, &tl[i]); }
        for (uint32_t j = 0; j < nm; j++) ms[j] = cr_str(&r, &ml[j]);
        int trc = r.bad ? VERS_EFORMAT : vers_bpe_from_vocab(ts, tl, ty, (int)nt, ms, ml, (int)nm, &t->tok, &e2);
        free(ts); free(ms); free(tl); free(ml); free(ty);
        if (trc) { vers_errorf(err, trc, "%s: bad tokenizer section%s%s", path, r.bad ? "" : ": ", r.bad ? "" : e2.msg); rc = trc; goto out; }
        vers_tmodel_set_doc_token(t->m, t->tok->special[VERS_TOK_BOS]);   /* as vers_trainer_new */
    }
    uint32_t nn = cr_u32(&r);
    if (r.bad || nn > TRAINER_MAX_NOTES) { vers_errorf(err, rc, "%s: bad notes section", path); goto out; }
    for (uint32_t i = 0; i < nn; i++) {
        size_t kl, vl; const char *k = cr_str(&r, &kl), *v = cr_str(&r, &vl);
        if (r.bad) break;
        char *kk = strndup(k, kl), *vv = strndup(v, vl);
        if (!kk || !vv || vers_trainer_set_note(t, kk, vv)) { free(kk); free(vv); rc = vers_errorf(err, VERS_ENOMEM, "out of memory"); goto out; }
        free(kk); free(vv);
    }
    if (!t->tok) {   /* a run on another model's tokenizer: read it again from its GGUF */
        const char *src = NULL;
        for (int i = 0; i < t->n_notes; i++) if (!strcmp(t->note_k[i], "vers.train.tokenizer_gguf")) src = t->note_v[i];
        if (src) {
            char *copy = strdup(src);
            int arc = copy ? trainer_attach_gguf_tokenizer(t, copy, &e2) : VERS_ENOMEM;
            free(copy);
            if (arc) { rc = vers_errorf(err, arc, "%s: the run's tokenizer cannot be read: %s", path, e2.msg); goto out; }
        }
    }
    uint64_t np = cr_u64(&r);
    if (r.bad || np != (uint64_t)t->m->n_params || (n - 16 - r.pos) != np * 12) {
        vers_errorf(err, rc, "%s: parameter section does not match the model shape", path); goto out;
    }
    cr_get(&r, t->m->params, np * 4); cr_get(&r, t->am, np * 4); cr_get(&r, t->av, np * 4);
    if (r.bad) { vers_errorf(err, rc, "%s: truncated checkpoint", path); goto out; }
    t->ckpt_step = t->step;
    *out = t; t = NULL;
    rc = 0;
out:
    vers_trainer_free(t);
    munmap((void *)p, n);
    return rc;
}

int vers_trainer_resume(const char *ckpt_path, const vers_train_opts *o, vers_trainer **out, vers_err *err) {
    return checkpoint_load(ckpt_path, o, out, err);
}
