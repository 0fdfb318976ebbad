/* src/engine/sampler.c — token sampling: hook, logit bias, repetition penalty, greedy,
 * temperature, top-k, min-p, softmax, top-p, one uniform draw.
 *
 * With top-k, min-p and the penalty off, the steps are exactly llama2.c run.c's (float32
 * softmax summed in index order, its top-p cut-off and sort, one coin per sampled token), so
 * `--rng llama2c` reproduces run.c's samples byte for byte.  Masking (hook, top-k) sets
 * logits to -INFINITY: those tokens get probability 0 and are never drawn.  Nothing is
 * allocated per call. */
#include "vers/engine.h"
#include "engine/rng.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct { float prob; int index; } prob_index;

struct vers_sampler {
    vers_sampler_params p;
    int n_vocab;
    vers_logit_bias *bias;
    float *work;              /* n_vocab: edited logits, then probabilities */
    prob_index *pi;           /* n_vocab: top-p candidates / top-k heap */
    int32_t *hist;            /* ring of the last repeat_last_n accepted tokens */
    int n_hist, hist_head;
    uint32_t *seen;           /* n_vocab stamps: penalise each token once */
    uint32_t stamp;
    int probs_valid;
    vers_rng rng;
};

vers_sampler_params vers_sampler_default_params(void) {
    vers_sampler_params p;
    memset(&p, 0, sizeof p);
    p.temp = 1.0f;
    p.top_p = 1.0f;
    p.repeat_penalty = 1.0f;
    p.repeat_last_n = 64;
    p.rng = VERS_RNG_VERS;
    return p;
}

int vers_sampler_new(const vers_sampler_params *params, int n_vocab, vers_sampler **out,
                     vers_err *err) {
    *out = NULL;
    vers_sampler_params p = params ? *params : vers_sampler_default_params();
    if (n_vocab <= 0) return vers_errorf(err, VERS_EINVAL, "sampler: n_vocab %d", n_vocab);
    if (!(p.temp == p.temp) || p.top_k < 0 || !(p.top_p == p.top_p) || !(p.min_p >= 0.0f) ||
        p.min_p > 1.0f || !(p.repeat_penalty > 0.0f) || p.repeat_last_n < 0 || p.n_bias < 0 ||
        (p.n_bias > 0 && !p.bias) || (p.rng != VERS_RNG_VERS && p.rng != VERS_RNG_LLAMA2C))
        return vers_errorf(err, VERS_EINVAL, "sampler: invalid parameters");
    for (int i = 0; i < p.n_bias; i++)
        if (p.bias[i].token < 0 || p.bias[i].token >= n_vocab)
            return vers_errorf(err, VERS_EINVAL, "sampler: logit bias token %d out of range",
                               (int)p.bias[i].token);
    vers_sampler *s = calloc(1, sizeof *s);
    if (!s) return vers_errorf(err, VERS_ENOMEM, "sampler: out of memory");
    s->p = p;
    s->n_vocab = n_vocab;
    s->work = malloc(sizeof(float) * (size_t)n_vocab);
    s->pi = malloc(sizeof(prob_index) * (size_t)n_vocab);
    s->seen = calloc((size_t)n_vocab, sizeof(uint32_t));
    s->hist = malloc(sizeof(int32_t) * (size_t)(p.repeat_last_n > 0 ? p.repeat_last_n : 1));
    if (p.n_bias) s->bias = malloc(sizeof(vers_logit_bias) * (size_t)p.n_bias);
    if (!s->work || !s->pi || !s->seen || !s->hist || (p.n_bias && !s->bias)) {
        vers_sampler_free(s);
        return vers_errorf(err, VERS_ENOMEM, "sampler: out of memory");
    }
    if (p.n_bias) memcpy(s->bias, p.bias, sizeof(vers_logit_bias) * (size_t)p.n_bias);
    s->p.bias = s->bias;
    vers_rng_seed(&s->rng, p.rng, p.seed);
    *out = s;
    return VERS_OK;
}

void vers_sampler_free(vers_sampler *s) {
    if (!s) return;
    free(s->work); free(s->pi); free(s->seen); free(s->hist); free(s->bias);
    free(s);
}

void vers_sampler_reset(vers_sampler *s) {
    s->n_hist = s->hist_head = 0;
    s->probs_valid = 0;
    vers_rng_seed(&s->rng, s->p.rng, s->p.seed);
}

void vers_sampler_accept(vers_sampler *s, int32_t token) {
    int cap = s->p.repeat_last_n;
    if (cap <= 0 || token < 0 || token >= s->n_vocab) return;
    s->hist[s->hist_head] = token;
    s->hist_head = (s->hist_head + 1) % cap;
    if (s->n_hist < cap) s->n_hist++;
}

const float *vers_sampler_probs(const vers_sampler *s) {
    return s->probs_valid ? s->work : NULL;
}

/* First index of the maximum (strict >, as run.c); NaN never wins; -1 if all are -inf/NaN. */
static int argmax(const float *x, int n) {
    int best = -1;
    float bv = -INFINITY;
    for (int i = 0; i < n; i++)
        if (x[i] > bv) { bv = x[i]; best = i; }
    return best;
}

/* "a worse than b" for top-k: lower value, or equal value and higher index. */
static int worse(prob_index a, prob_index b) {
    return a.prob < b.prob || (a.prob == b.prob && a.index > b.index);
}

static void heap_down(prob_index *h, int n, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(h[l], h[m])) m = l;
        if (r < n && worse(h[r], h[m])) m = r;
        if (m == i) return;
        prob_index t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

/* Keeps the k largest logits (ties: lowest ids), sets the others to -INFINITY. */
static void top_k_mask(vers_sampler *s, float *x, int n, int k) {
    prob_index *h = s->pi;
    int m = 0;
    for (int i = 0; i < n; i++) {
        prob_index c = { x[i], i };
        if (!(x[i] > -INFINITY)) continue;
        if (m < k) {
            h[m++] = c;
            if (m == k) for (int j = k / 2 - 1; j >= 0; j--) heap_down(h, k, j);
        } else if (worse(h[0], c)) {
            h[0] = c;
            heap_down(h, k, 0);
        }
    }
    if (m < k) return;                     /* fewer than k candidates: nothing to drop */
    s->stamp++;
    if (s->stamp == 0) { memset(s->seen, 0, sizeof(uint32_t) * (size_t)n); s->stamp = 1; }
    for (int j = 0; j < k; j++) s->seen[h[j].index] = s->stamp;
    for (int i = 0; i < n; i++)
        if (s->seen[i] != s->stamp) x[i] = -INFINITY;
}

static int cmp_prob_desc(const void *a, const void *b) {
    const prob_index *x = a, *y = b;
    if (x->prob > y->prob) return -1;
    if (x->prob < y->prob) return 1;
    return x->index - y->index;          /* ties in ascending id, as glibc's stable sort */
}

/* run.c's sample_topp. */
static int sample_top_p(vers_sampler *s, const float *p, int n, float topp, float coin) {
    prob_index *pi = s->pi;
    int n0 = 0;
    const float cutoff = n > 1 ? (1.0f - topp) / (float)(n - 1) : 0.0f;
    for (int i = 0; i < n; i++)
        if (p[i] >= cutoff && p[i] > 0.0f) { pi[n0].index = i; pi[n0].prob = p[i]; n0++; }
    if (n0 == 0) return argmax(p, n);
    qsort(pi, (size_t)n0, sizeof *pi, cmp_prob_desc);
    float cum = 0.0f;
    int last = n0 - 1;
    for (int i = 0; i < n0; i++) {
        cum += pi[i].prob;
        if (cum > topp) { last = i; break; }
    }
    float r = coin * cum, cdf = 0.0f;
    for (int i = 0; i <= last; i++) {
        cdf += pi[i].prob;
        if (r < cdf) return pi[i].index;
    }
    return pi[last].index;
}

/* run.c's sample_mult; the fallback is the last token with a nonzero probability. */
static int sample_mult(const float *p, int n, float coin) {
    float cdf = 0.0f;
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (p[i] > 0.0f) last = i;
        cdf += p[i];
        if (coin < cdf) return i;
    }
    return last;
}

int vers_sampler_sample(vers_sampler *s, const float *logits) {
    const int n = s->n_vocab;
    float *x = s->work;
    s->probs_valid = 0;
    memcpy(x, logits, sizeof(float) * (size_t)n);
    if (s->p.hook) s->p.hook(s->p.hook_ud, x, n);
    for (int i = 0; i < s->p.n_bias; i++) x[s->bias[i].token] += s->bias[i].bias;
    if (s->p.repeat_penalty != 1.0f && s->n_hist > 0) {
        const float r = s->p.repeat_penalty;
        s->stamp++;
        if (s->stamp == 0) { memset(s->seen, 0, sizeof(uint32_t) * (size_t)n); s->stamp = 1; }
        for (int j = 0; j < s->n_hist; j++) {
            int t = s->hist[j];
            if (s->seen[t] == s->stamp) continue;
            s->seen[t] = s->stamp;
            x[t] = x[t] > 0.0f ? x[t] / r : x[t] * r;
        }
    }
    for (int i = 0; i < n; i++) if (x[i] != x[i]) x[i] = -INFINITY;   /* NaN: never drawn */
    if (s->p.temp <= 0.0f) return argmax(x, n);
    int best = argmax(x, n);
    if (best < 0) return -1;                /* every token masked */
    for (int i = 0; i < n; i++) x[i] /= s->p.temp;
    if (s->p.top_k > 0 && s->p.top_k < n) top_k_mask(s, x, n, s->p.top_k);
    /* softmax, as run.c: float max, expf, sequential float sum, divide */
    /* Dividing by a tiny temperature can overflow to +inf (or make NaN from inf/inf):
     * the distribution is then degenerate, so the first maximum is the answer. */
    for (int i = 0; i < n; i++) if (x[i] != x[i]) x[i] = -INFINITY;
    const int top = argmax(x, n);
    if (top < 0 || isinf(x[top])) return top < 0 ? best : top;
    float max = x[top];
    float sum = 0.0f;
    for (int i = 0; i < n; i++) { x[i] = expf(x[i] - max); sum += x[i]; }
    for (int i = 0; i < n; i++) x[i] /= sum;
    if (s->p.min_p > 0.0f) {
        float pmax = 0.0f;
        for (int i = 0; i < n; i++) if (x[i] > pmax) pmax = x[i];
        const float cut = s->p.min_p * pmax;
        float kept = 0.0f;
        for (int i = 0; i < n; i++) { if (x[i] < cut && x[i] < pmax) x[i] = 0.0f; kept += x[i]; }  /* min_p > 1 keeps the top */
        for (int i = 0; i < n; i++) x[i] /= kept;
    }
    s->probs_valid = 1;
    const float coin = vers_rng_f32(&s->rng);
    const float tp = s->p.top_p;
    int tok = (tp <= 0.0f || tp >= 1.0f) ? sample_mult(x, n, coin) : sample_top_p(s, x, n, tp, coin);
    return tok >= 0 ? tok : best;
}
