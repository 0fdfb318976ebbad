/* tests/test_train_grad.c — gradient check: each layer's backward and the whole model's
 * against central finite differences of a double-precision reference forward written
 * here independently (plain loops).  Relative error = ||g - g_fd|| / max(||g||, ||g_fd||)
 * per tensor; the bound is 1e-3 and the measured values are printed. */
#include "test.h"
#include "vers/train.h"
#include "train/internal.h"
#include "train/layers.h"
#include "train/vmath.h"
#include <math.h>

static trng R;
static void rnd(float *p, int64_t n, float s) { for (int64_t i = 0; i < n; i++) p[i] = (float)trng_normal(&R) * s; }
static double relerr(const double *a, const double *b, int64_t n) {
    double d = 0, na = 0, nb = 0;
    for (int64_t i = 0; i < n; i++) { d += (a[i] - b[i]) * (a[i] - b[i]); na += a[i] * a[i]; nb += b[i] * b[i]; }
    double m = sqrt(na > nb ? na : nb);
    return m == 0 ? 0 : sqrt(d) / m;
}
static double *dup_d(const float *p, int64_t n) { double *d = malloc(sizeof(double) * n); for (int64_t i = 0; i < n; i++) d[i] = p[i]; return d; }
static double worst;
static void report(const char *what, double e) { printf("  %-34s rel err %.2e\n", what, e); if (e > worst) worst = e; }

/* ---- double reference layers ---- */
static void d_rmsnorm(double *o, const double *x, const double *w, int N, int C, double eps) {
    for (int n = 0; n < N; n++) {
        double ss = 0; for (int c = 0; c < C; c++) ss += x[n*C+c] * x[n*C+c];
        double r = 1.0 / sqrt(ss / C + eps);
        for (int c = 0; c < C; c++) o[n*C+c] = x[n*C+c] * r * w[c];
    }
}
static void d_matmul(double *y, const double *x, const double *W, int N, int I, int O) {
    for (int n = 0; n < N; n++) for (int o = 0; o < O; o++) {
        double s = 0; for (int i = 0; i < I; i++) s += x[n*I+i] * W[o*I+i]; y[n*O+o] = s;
    }
}
static void d_rope(double *x, int ld, int N, int T, int nh, int hd, double base) {
    for (int n = 0; n < N; n++) for (int h = 0; h < nh; h++) for (int i = 0; i < hd / 2; i++) {
        double th = (n % T) * pow(base, -2.0 * i / hd);
        double *v = x + (int64_t)n * ld + h * hd, a = v[2*i], b = v[2*i+1];
        v[2*i] = a * cos(th) - b * sin(th); v[2*i+1] = a * sin(th) + b * cos(th);
    }
}
static const int *d_seg;   /* document starts for d_attention (NULL: plain causal) */
static void d_attention(double *out, const double *qkv, int B, int T, int H, int KVH, int hd) {
    int D = H * hd, KVD = KVH * hd, ld = D + 2 * KVD;
    double *s = malloc(sizeof(double) * T);
    for (int b = 0; b < B; b++) for (int h = 0; h < H; h++) {
        int kh = h / (H / KVH);
        for (int t = 0; t < T; t++) {
            const double *q = qkv + (int64_t)(b*T+t) * ld + h * hd;
            double mx = -1e300, sum = 0;
            const int st = d_seg ? d_seg[b * T + t] : 0;
            for (int u = st; u <= t; u++) {
                const double *k = qkv + (int64_t)(b*T+u) * ld + D + kh * hd;
                double d = 0; for (int i = 0; i < hd; i++) d += q[i] * k[i];
                s[u] = d / sqrt((double)hd); if (s[u] > mx) mx = s[u];
            }
            for (int u = st; u <= t; u++) { s[u] = exp(s[u] - mx); sum += s[u]; }
            double *o = out + (int64_t)(b*T+t) * D + h * hd;
            for (int i = 0; i < hd; i++) o[i] = 0;
            for (int u = st; u <= t; u++) {
                const double *v = qkv + (int64_t)(b*T+u) * ld + D + KVD + kh * hd;
                for (int i = 0; i < hd; i++) o[i] += s[u] / sum * v[i];
            }
        }
    }
    free(s);
}
static void d_swiglu(double *o, const double *h, int N, int F) {
    for (int n = 0; n < N; n++) for (int i = 0; i < F; i++) {
        double g = h[n*2*F+i], u = h[n*2*F+F+i]; o[n*F+i] = g / (1 + exp(-g)) * u;
    }
}
static double d_xent(const double *lg, const int32_t *tg, int N, int V) {
    double L = 0;
    for (int n = 0; n < N; n++) {
        double mx = -1e300, s = 0;
        for (int i = 0; i < V; i++) if (lg[n*V+i] > mx) mx = lg[n*V+i];
        for (int i = 0; i < V; i++) s += exp(lg[n*V+i] - mx);
        L += log(s) + mx - lg[n*V+tg[n]];
    }
    return L / N;
}

/* whole model in double, params p (float layout of vers_tmodel) */
static double d_model_loss(const vers_tmodel *m, const double *p, const int32_t *tok, const int32_t *tg, int B, int T) {
    const vers_tconfig *c = &m->c;
    int D = c->dim, F = c->hidden_dim, V = c->vocab_size, N = B * T, ld = m->qkv_ld;
    double *x = calloc((size_t)N * D, 8), *xn = calloc((size_t)N * D, 8), *qkv = calloc((size_t)N * ld, 8);
    double *a = calloc((size_t)N * D, 8), *t1 = calloc((size_t)N * D, 8), *h13 = calloc((size_t)N * 2 * F, 8);
    double *hg = calloc((size_t)N * F, 8), *lg = calloc((size_t)N * V, 8);
    for (int n = 0; n < N; n++) for (int i = 0; i < D; i++) x[n*D+i] = p[m->off_emb + (int64_t)tok[n]*D + i];
    for (int l = 0; l < c->n_layers; l++) {
        const double *base = p + m->off_layers + (int64_t)l * m->lo.size;
        d_rmsnorm(xn, x, base + m->lo.attn_norm, N, D, c->norm_eps);
        d_matmul(qkv, xn, base + m->lo.wqkv, N, D, ld);
        d_rope(qkv, ld, N, T, c->n_heads, m->hd, c->rope_theta);
        d_rope(qkv + D, ld, N, T, c->n_kv_heads, m->hd, c->rope_theta);
        d_attention(a, qkv, B, T, c->n_heads, c->n_kv_heads, m->hd);
        d_matmul(t1, a, base + m->lo.wo, N, D, D);
        for (int64_t i = 0; i < (int64_t)N * D; i++) x[i] += t1[i];
        d_rmsnorm(xn, x, base + m->lo.ffn_norm, N, D, c->norm_eps);
        d_matmul(h13, xn, base + m->lo.w13, N, D, 2 * F);
        d_swiglu(hg, h13, N, F);
        d_matmul(t1, hg, base + m->lo.w2, N, F, D);
        for (int64_t i = 0; i < (int64_t)N * D; i++) x[i] += t1[i];
    }
    d_rmsnorm(xn, x, p + m->off_out_norm, N, D, c->norm_eps);
    d_matmul(lg, xn, p + (c->tied ? m->off_emb : m->off_out), N, D, V);
    double L = d_xent(lg, tg, N, V);
    free(x); free(xn); free(qkv); free(a); free(t1); free(h13); free(hg); free(lg);
    return L;
}

/* ---- the LSTM, written here again in double precision (lstm.c's equations) ---- */
static double d_sig(double x) { return 1.0 / (1.0 + exp(-x)); }
static double d_lstm_loss(const vers_tmodel *m, const double *p, const int32_t *tok, const int32_t *tg, int B, int T, int doc) {
    const vers_tconfig *c = &m->c;
    const int D = c->dim, V = c->vocab_size, L = c->n_layers, N = B * T, G = 4 * D;
    double *x = malloc(sizeof(double) * N * D), *y = malloc(sizeof(double) * N * D), *xn = malloc(sizeof(double) * N * D);
    double *lg = malloc(sizeof(double) * N * V), *h = malloc(sizeof(double) * D), *cc = malloc(sizeof(double) * D), *a = malloc(sizeof(double) * G);
    for (int n = 0; n < N; n++) for (int j = 0; j < D; j++) x[n * D + j] = p[m->off_emb + (int64_t)tok[n] * D + j];
    for (int l = 0; l < L; l++) {
        const double *wih = p + m->off_layers + (int64_t)l * m->lo.size, *whh = wih + 4 * D * D, *bb = wih + 8 * D * D;
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                int n = b * T + t;
                if (t == 0 || tok[n] == doc) for (int j = 0; j < D; j++) h[j] = cc[j] = 0;
                for (int g = 0; g < G; g++) {
                    double s = bb[g];
                    for (int k = 0; k < D; k++) s += x[n * D + k] * wih[g * D + k] + h[k] * whh[g * D + k];
                    a[g] = s;
                }
                for (int j = 0; j < D; j++) {
                    double ig = d_sig(a[j]), fg = d_sig(a[D + j]), gg = tanh(a[2 * D + j]), og = d_sig(a[3 * D + j]);
                    cc[j] = fg * cc[j] + ig * gg;
                    h[j] = og * tanh(cc[j]);
                    y[n * D + j] = h[j];
                }
            }
        }
        memcpy(x, y, sizeof(double) * N * D);
    }
    d_rmsnorm(xn, x, p + m->off_out_norm, N, D, c->norm_eps);
    d_matmul(lg, xn, p + (c->tied ? m->off_emb : m->off_out), N, D, V);
    double Lx = d_xent(lg, tg, N, V);
    free(x); free(y); free(xn); free(lg); free(h); free(cc); free(a);
    return Lx;
}

static void check_lstm(int tied) {
    vers_tconfig c = {.dim = 6, .n_layers = 2, .n_heads = 1, .n_kv_heads = 1, .hidden_dim = 6, .vocab_size = 11,
                      .ctx_len = 8, .rope_theta = 10000.0f, .norm_eps = 1e-5f, .tied = tied, .arch = VERS_ARCH_LSTM};
    vers_tmodel *m; vers_err err;
    int B = 2, T = 7;
    T_CHECK(vers_tmodel_new(&c, B, T, 7, &m, &err) == 0, "new: %s", err.msg);
    if (!m) return;
    vers_tmodel_set_doc_token(m, 3);   /* token 3 restarts the state, as <|bos|> */
    for (int i = 0; i < m->n_tensors; i++) {
        vers_tparam *t = &m->tensors[i];
        rnd(m->params + t->offset, t->ne0 * t->ne1, 0.5f);
        if (t->ne1 == 1 && strstr(t->name, "norm")) for (int64_t j = 0; j < t->ne0; j++) m->params[t->offset + j] += 1.0f;
    }
    int32_t tok[14], tg[14];
    for (int i = 0; i < B * T; i++) { tok[i] = (int32_t)trng_below(&R, c.vocab_size); tg[i] = (int32_t)trng_below(&R, c.vocab_size); }
    tok[4] = 3;   /* a document starts inside the first window */
    vers_tmodel_zero_grad(m);
    float loss = vers_tmodel_forward(m, tok, tg, B, T);
    vers_tmodel_backward(m, tok, tg, 1.0f);
    double *p = dup_d(m->params, m->n_params);
    double L0 = d_lstm_loss(m, p, tok, tg, B, T, 3);
    T_CHECK(fabs(L0 - loss) < 1e-4, "lstm forward loss %f vs double %f", loss, L0);
    for (int i = 0; i < m->n_tensors; i++) {
        vers_tparam *t = &m->tensors[i];
        int64_t n = t->ne0 * t->ne1, ns = n < 40 ? n : 40;
        double *fd = malloc(sizeof(double) * ns), *an = malloc(sizeof(double) * ns);
        for (int64_t q = 0; q < ns; q++) {
            int64_t j = n <= 40 ? q : (int64_t)trng_below(&R, (uint64_t)n);
            double hh = 1e-5, save = p[t->offset + j];
            p[t->offset + j] = save + hh; double lp = d_lstm_loss(m, p, tok, tg, B, T, 3);
            p[t->offset + j] = save - hh; double lm = d_lstm_loss(m, p, tok, tg, B, T, 3);
            p[t->offset + j] = save;
            fd[q] = (lp - lm) / (2 * hh); an[q] = m->grads[t->offset + j];
        }
        char what[96]; snprintf(what, sizeof what, "lstm%s %s", tied ? " tied" : "", t->name);
        double e = relerr(an, fd, ns);
        report(what, e);
        T_CHECK(e < 1e-3, "%s: rel err %.2e", what, e);
        free(fd); free(an);
    }
    free(p);
    vers_tmodel_free(m);
}

static void check_model(int tied, int kvh) {
    vers_tconfig c = {.dim = 16, .n_layers = 2, .n_heads = 4, .n_kv_heads = kvh, .hidden_dim = 24,
                      .vocab_size = 13, .ctx_len = 8, .rope_theta = 10000.0f, .norm_eps = 1e-5f, .tied = tied};
    vers_tmodel *m; vers_err err;
    int B = 2, T = 7;
    T_CHECK(vers_tmodel_new(&c, B, T, 7, &m, &err) == 0, "new: %s", err.msg);
    /* larger-than-init weights so every path carries signal */
    for (int i = 0; i < m->n_tensors; i++) {
        vers_tparam *t = &m->tensors[i];
        if (t->ne1 > 1) rnd(m->params + t->offset, t->ne0 * t->ne1, 0.3f);
        else for (int64_t j = 0; j < t->ne0; j++) m->params[t->offset + j] = 1.0f + 0.3f * (float)trng_normal(&R);
    }
    int32_t tok[14], tg[14];
    for (int i = 0; i < B * T; i++) { tok[i] = (int32_t)trng_below(&R, c.vocab_size); tg[i] = (int32_t)trng_below(&R, c.vocab_size); }
    vers_tmodel_zero_grad(m);
    float loss = vers_tmodel_forward(m, tok, tg, B, T);
    vers_tmodel_backward(m, tok, tg, 1.0f);
    double *p = dup_d(m->params, m->n_params);
    double L0 = d_model_loss(m, p, tok, tg, B, T);
    T_CHECK(fabs(L0 - loss) < 1e-4, "forward loss %f vs double %f", loss, L0);
    for (int i = 0; i < m->n_tensors; i++) {
        vers_tparam *t = &m->tensors[i];
        int64_t n = t->ne0 * t->ne1;
        /* up to 40 entries per tensor (all of the small ones), chosen at random */
        int64_t ns = n < 40 ? n : 40;
        double *fd = malloc(sizeof(double) * ns), *an = malloc(sizeof(double) * ns);
        for (int64_t q = 0; q < ns; q++) {
            int64_t j = n <= 40 ? q : (int64_t)trng_below(&R, (uint64_t)n);
            double h = 1e-5, save = p[t->offset + j];
            p[t->offset + j] = save + h; double lp = d_model_loss(m, p, tok, tg, B, T);
            p[t->offset + j] = save - h; double lm = d_model_loss(m, p, tok, tg, B, T);
            p[t->offset + j] = save;
            fd[q] = (lp - lm) / (2 * h);
            an[q] = m->grads[t->offset + j];
        }
        char what[96]; snprintf(what, sizeof what, "model%s%s %s", tied ? " tied" : "", kvh < 4 ? " gqa" : "", t->name);
        double e = relerr(an, fd, ns);
        if (strstr(t->name, "blk.0") || !strstr(t->name, "blk.")) report(what, e);
        else if (e > worst) worst = e;
        T_CHECK(e < 1e-3, "%s: rel err %.2e", what, e);
        free(fd); free(an);
    }
    free(p);
    vers_tmodel_free(m);
}

/* attention_forward/_backward (GQA 4 heads / 2 kv, head dim 4) against d_attention and its
 * central differences; with seg, also that no probability falls outside a row's document */
static void check_attention(int B, int T, const int *seg, const char *label) {
    const int H = 4, KVH = 2, hd = 4, D = 16, ld = D + 2 * KVH * hd, NN = B * T;
    float *qkv = malloc(sizeof(float) * NN * ld), *dout = malloc(sizeof(float) * NN * D);
    float *out = malloc(sizeof(float) * NN * D), *att = malloc(sizeof(float) * B * H * T * T);
    float *dqkv = malloc(sizeof(float) * NN * ld), *scr = malloc(sizeof(float) * ATT_MAX_THREADS * T * T);
    rnd(qkv, NN * ld, 1); rnd(dout, NN * D, 1);
    attention_forward(TG_FP32, out, att, qkv, B, T, H, KVH, hd, seg);
    attention_backward(TG_FP32, dqkv, dout, qkv, att, B, T, H, KVH, hd, scr);
    if (seg) {
        int leak = 0;
        for (int b = 0; b < B; b++)
            for (int h = 0; h < H; h++)
                for (int t = 0; t < T; t++) {
                    const float *pr = att + (((int64_t)b * H + h) * T + t) * T;
                    double sum = 0;
                    for (int u = 0; u < T; u++) {
                        if ((u < seg[b * T + t] || u > t) && pr[u] != 0.0f) leak++;
                        sum += pr[u];
                    }
                    if (fabs(sum - 1.0) > 1e-5) leak++;
                }
        T_CHECK(leak == 0, "%d probabilities outside a row's document (or rows not summing to 1)", leak);
    }
    d_seg = seg;
    double *xd = dup_d(qkv, NN * ld), *o = malloc(sizeof(double) * NN * D);
    double *fd = malloc(sizeof(double) * NN * ld), *an = malloc(sizeof(double) * NN * ld);
    d_attention(o, xd, B, T, H, KVH, hd);
    double fe = 0; for (int i = 0; i < NN * D; i++) fe = fmax(fe, fabs(o[i] - out[i]));
    for (int j = 0; j < NN * ld; j++) {
        double s = xd[j], lp = 0, lm = 0;
        xd[j] = s + 1e-6; d_attention(o, xd, B, T, H, KVH, hd); for (int i = 0; i < NN * D; i++) lp += o[i] * dout[i];
        xd[j] = s - 1e-6; d_attention(o, xd, B, T, H, KVH, hd); for (int i = 0; i < NN * D; i++) lm += o[i] * dout[i];
        xd[j] = s; fd[j] = (lp - lm) / 2e-6; an[j] = dqkv[j];
    }
    d_seg = NULL;
    double e = relerr(an, fd, NN * ld);
    char name[64];
    snprintf(name, sizeof name, "%s dqkv", label);
    report(name, e);
    T_CHECK(e < 1e-3 && fe < 1e-5, "%s %.2e fwd %.2e", label, e, fe);
    free(qkv); free(dout); free(out); free(att); free(dqkv); free(scr); free(xd); free(o); free(fd); free(an);
}

int main(void) {
    trng_seed(&R, 1234);
    vers_train_set_threads(2);
    const int N = 6, C = 10;
    T_CASE("grad: rmsnorm") {
        float x[60], w[10], dout[60], out[60], rstd[6], dx[60] = {0}, dw[10] = {0};
        rnd(x, 60, 1); rnd(w, 10, 1); rnd(dout, 60, 1);
        rmsnorm_forward(out, rstd, x, w, N, C, 1e-5f);
        rmsnorm_backward(dx, dw, dout, x, w, rstd, N, C);
        double *xd = dup_d(x, 60), *wd = dup_d(w, 10), o[60], fdx[60], fdw[10], ax[60], aw[10];
        for (int which = 0; which < 2; which++) {
            double *v = which ? wd : xd; int n = which ? 10 : 60;
            for (int j = 0; j < n; j++) {
                double s = v[j], lp = 0, lm = 0;
                v[j] = s + 1e-6; d_rmsnorm(o, xd, wd, N, C, 1e-5); for (int i = 0; i < 60; i++) lp += o[i] * dout[i];
                v[j] = s - 1e-6; d_rmsnorm(o, xd, wd, N, C, 1e-5); for (int i = 0; i < 60; i++) lm += o[i] * dout[i];
                v[j] = s; (which ? fdw : fdx)[j] = (lp - lm) / 2e-6;
            }
        }
        for (int i = 0; i < 60; i++) ax[i] = dx[i];
        for (int i = 0; i < 10; i++) aw[i] = dw[i];
        double e1 = relerr(ax, fdx, 60), e2 = relerr(aw, fdw, 10);
        report("rmsnorm dx", e1); report("rmsnorm dw", e2);
        T_CHECK(e1 < 1e-3 && e2 < 1e-3, "rmsnorm %.2e %.2e", e1, e2);
        free(xd); free(wd);
    }
    T_CASE("grad: matmul") {
        const int I = 7, O = 5;
        float x[42], W[35], dy[30], y[30], dx[42], dW[35] = {0};
        rnd(x, 42, 1); rnd(W, 35, 1); rnd(dy, 30, 1);
        matmul_forward(TG_FP32, y, x, W, N, I, O);
        matmul_backward(TG_FP32, dx, dW, dy, x, W, N, I, O, 0);
        double *xd = dup_d(x, 42), *Wd = dup_d(W, 35), yd[30], fdx[42], fdW[35], ax[42], aW[35];
        for (int which = 0; which < 2; which++) {
            double *v = which ? Wd : xd; int n = which ? 35 : 42;
            for (int j = 0; j < n; j++) {
                double s = v[j], lp = 0, lm = 0;
                v[j] = s + 1e-6; d_matmul(yd, xd, Wd, N, I, O); for (int i = 0; i < 30; i++) lp += yd[i] * dy[i];
                v[j] = s - 1e-6; d_matmul(yd, xd, Wd, N, I, O); for (int i = 0; i < 30; i++) lm += yd[i] * dy[i];
                v[j] = s; (which ? fdW : fdx)[j] = (lp - lm) / 2e-6;
            }
        }
        for (int i = 0; i < 42; i++) ax[i] = dx[i];
        for (int i = 0; i < 35; i++) aW[i] = dW[i];
        double e1 = relerr(ax, fdx, 42), e2 = relerr(aW, fdW, 35);
        report("matmul dx", e1); report("matmul dW", e2);
        T_CHECK(e1 < 1e-3 && e2 < 1e-3, "matmul %.2e %.2e", e1, e2);
        free(xd); free(Wd);
    }
    T_CASE("grad: rope") {
        const int T = 6, nh = 2, hd = 8, ld = 20, NN = 12;   /* 2 sequences; 4 spare columns */
        float x[240], dout[240], g[240]; int pos[12];
        rnd(x, 240, 1); rnd(dout, 240, 1);
        for (int n = 0; n < NN; n++) pos[n] = n % T;
        memcpy(g, dout, sizeof g);
        float cs[6 * 4], sn[6 * 4];
        rope_table(cs, sn, T, hd, 10000.0f);
        rope_backward(g, ld, pos, NN, nh, hd, cs, sn);
        double *xd = dup_d(x, 240), fd[240], an[240], tmp[240];
        for (int j = 0; j < 240; j++) {
            double s = xd[j], lp = 0, lm = 0;
            xd[j] = s + 1e-6; memcpy(tmp, xd, sizeof tmp); d_rope(tmp, ld, NN, T, nh, hd, 10000.0);
            for (int i = 0; i < 240; i++) lp += tmp[i] * dout[i];
            xd[j] = s - 1e-6; memcpy(tmp, xd, sizeof tmp); d_rope(tmp, ld, NN, T, nh, hd, 10000.0);
            for (int i = 0; i < 240; i++) lm += tmp[i] * dout[i];
            xd[j] = s; fd[j] = (lp - lm) / 2e-6; an[j] = g[j];
        }
        /* forward too: float rope vs double rope */
        float xf[240]; memcpy(xf, x, sizeof xf); rope_forward(xf, ld, pos, NN, nh, hd, cs, sn);
        memcpy(tmp, xd, sizeof tmp); d_rope(tmp, ld, NN, T, nh, hd, 10000.0);
        double fe = 0; for (int i = 0; i < 240; i++) fe = fmax(fe, fabs(xf[i] - tmp[i]));
        double e = relerr(an, fd, 240);
        report("rope dx", e);
        T_CHECK(e < 1e-3 && fe < 1e-5, "rope %.2e fwd %.2e", e, fe);
        free(xd);
    }
    T_CASE("grad: attention (causal, GQA 4 heads / 2 kv)") {
        /* T = 67 crosses the 64-row query block of attention_forward */
        check_attention(1, 67, NULL, "attention");
    }
    T_CASE("grad: attention masked at document starts (a window holding three documents)") {
        int seg[2 * 67];
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 67; t++) seg[b * 67 + t] = b == 0 ? (t < 20 ? 0 : t < 45 ? 20 : 45) : (t < 66 ? 0 : 66);
        check_attention(2, 67, seg, "masked attention");
    }
    T_CASE("model: with a document token, a document after another in a window sees nothing of it") {
        vers_tconfig c = {.dim = 16, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2, .hidden_dim = 24,
                          .vocab_size = 13, .ctx_len = 32, .rope_theta = 10000.0f, .norm_eps = 1e-5f, .tied = 0};
        vers_tmodel *m = NULL; vers_err err;
        const int T = 24, BOS = 1;
        T_CHECK(vers_tmodel_new(&c, 1, T, 11, &m, &err) == 0, "new: %s", err.msg);
        if (m) {
            /* window a: the tail of one document, then BOS + a second document; window b:
             * BOS + the same second document at the start, then another text */
            int32_t a[24], b[24];
            for (int i = 0; i < T; i++) { a[i] = (int32_t)(2 + (i * 5) % 11); b[i] = (int32_t)(2 + (i * 7) % 11); }
            const int at = 9, len = T - at;
            a[at] = BOS;
            for (int i = 0; i < len; i++) b[i] = a[at + i];
            const int V = c.vocab_size;
            float *la = malloc(sizeof(float) * T * V), *lb = malloc(sizeof(float) * T * V);
            for (int masked = 1; masked >= 0; masked--) {
                vers_tmodel_set_doc_token(m, masked ? BOS : -1);
                vers_tmodel_forward(m, a, NULL, 1, T);
                memcpy(la, m->logits, sizeof(float) * T * V);
                vers_tmodel_forward(m, b, NULL, 1, T);
                memcpy(lb, m->logits, sizeof(float) * T * V);
                double d = 0;
                for (int i = 0; i < len; i++)
                    for (int v = 0; v < V; v++) d = fmax(d, fabs(la[(at + i) * V + v] - lb[i * V + v]));
                if (masked) T_CHECK(d < 1e-4, "document logits differ by %.2e with the mask", d);
                else T_CHECK(d > 1e-3, "without the mask the second document should see the first (%.2e)", d);
            }
            free(la); free(lb);
            vers_tmodel_free(m);
        }
    }
    T_CASE("grad: swiglu") {
        const int F = 5;
        float h[60], dout[30], out[30], dh[60];
        rnd(h, 60, 2); rnd(dout, 30, 1);
        swiglu_forward(out, h, N, F);
        swiglu_backward(dh, dout, h, N, F);
        double *hd_ = dup_d(h, 60), o[30], fd[60], an[60];
        for (int j = 0; j < 60; j++) {
            double s = hd_[j], lp = 0, lm = 0;
            hd_[j] = s + 1e-6; d_swiglu(o, hd_, N, F); for (int i = 0; i < 30; i++) lp += o[i] * dout[i];
            hd_[j] = s - 1e-6; d_swiglu(o, hd_, N, F); for (int i = 0; i < 30; i++) lm += o[i] * dout[i];
            hd_[j] = s; fd[j] = (lp - lm) / 2e-6; an[j] = dh[j];
        }
        double e = relerr(an, fd, 60);
        report("swiglu dh", e);
        T_CHECK(e < 1e-3, "swiglu %.2e", e);
        free(hd_);
    }
    T_CASE("grad: cross-entropy") {
        const int V = 9;
        float lg[54], lossv[6]; int32_t tg[6];
        rnd(lg, 54, 2);
        for (int i = 0; i < N; i++) tg[i] = (int32_t)trng_below(&R, V);
        double *ld_ = dup_d(lg, 54), fd[54], an[54];
        crossentropy_forward(lg, lossv, tg, N, V);
        double lf = 0; for (int i = 0; i < N; i++) lf += lossv[i];
        crossentropy_backward(lg, tg, N, V, 1.0f / N);
        for (int j = 0; j < 54; j++) {
            double s = ld_[j];
            ld_[j] = s + 1e-6; double lp = d_xent(ld_, tg, N, V);
            ld_[j] = s - 1e-6; double lm = d_xent(ld_, tg, N, V);
            ld_[j] = s; fd[j] = (lp - lm) / 2e-6; an[j] = lg[j];
        }
        double e = relerr(an, fd, 54);
        report("cross-entropy dlogits", e);
        T_CHECK(e < 1e-3 && fabs(lf / N - d_xent(ld_, tg, N, V)) < 1e-5, "xent %.2e", e);
        free(ld_);
    }
    T_CASE("grad: embedding") {
        float emb[40], out[30], dout[30], demb[40] = {0}; int32_t tok[3] = {1, 3, 1};
        rnd(emb, 40, 1); rnd(dout, 30, 1);
        embedding_forward(out, tok, emb, 3, 10);
        embedding_backward(demb, dout, tok, 3, 10);
        double e = 0;
        for (int c = 0; c < 10; c++) {
            e = fmax(e, fabs(demb[10 + c] - (dout[c] + dout[20 + c])));
            e = fmax(e, fabs(demb[30 + c] - dout[10 + c]));
            e = fmax(e, fabs(demb[c]) + fabs(demb[20 + c]) + fabs(out[10 + c] - emb[30 + c]));
        }
        report("embedding (exact)", e);
        T_CHECK(e < 1e-6, "embedding %.2e", e);
    }
    T_CASE("grad: whole model, untied") { check_model(0, 4); }
    T_CASE("grad: whole model, tied, GQA") { check_model(1, 2); }
    printf("worst relative error %.2e (bound 1e-3)\n", worst);
    T_CASE("grad: LSTM (2 layers, a document restart inside the window), untied and tied") { check_lstm(0); check_lstm(1); }
    T_CASE("vexpf: within 2 ulp of exp over the range the trainer uses, 0 beyond") {
        double worst = 0; float at = 0;
        for (int i = 0; i <= 2000000; i++) {
            float x = -87.0f + 175.0f * (float)i / 2000000.0f;
            double ref = exp((double)x), e = fabs(vexpf(x) - ref) / ref;
            if (e > worst) { worst = e; at = x; }
        }
        printf("  vexpf: worst relative error %.2e (%.2f ulp) at %g\n", worst, worst / 5.96e-8, at);
        T_CHECK(worst < 2.4e-7, "relative error %.2e at %g", worst, at);
        T_CHECK(vexpf(-1000.0f) < 1e-37f && vexpf(0.0f) == 1.0f && isnan(vexpf(NAN)) && vexpf(INFINITY) > 1e38f, "ends and NaN");
    }
    T_DONE();
}
