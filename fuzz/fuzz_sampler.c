/* fuzz/fuzz_sampler.c — libFuzzer target for the sampler: arbitrary parameters (including
 * NaN/inf/negative values), logit vectors with NaN/inf, bias lists with out-of-range token
 * ids and accepted-token histories.  The sampler must either refuse the parameters
 * (vers_sampler_new fails) or return a token id in [0, n_vocab) without reading out of
 * bounds.  Build: make fuzz; run: build-fuzz/fuzz_sampler -max_total_time=600 fuzz/corpus/sampler */
#include "vers.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

static float take_f(const uint8_t **p, size_t *n) {
    float f = 0;
    if (*n >= 4) { memcpy(&f, *p, 4); *p += 4; *n -= 4; }
    return f;
}
static uint32_t take_u(const uint8_t **p, size_t *n) {
    uint32_t u = 0;
    if (*n >= 4) { memcpy(&u, *p, 4); *p += 4; *n -= 4; }
    return u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *p = data; size_t n = size;
    int n_vocab = 1 + (int)(take_u(&p, &n) % 300);
    vers_sampler_params sp = vers_sampler_default_params();
    sp.temp = take_f(&p, &n);
    sp.top_k = (int)take_u(&p, &n);
    sp.top_p = take_f(&p, &n);
    sp.min_p = take_f(&p, &n);
    sp.repeat_penalty = take_f(&p, &n);
    sp.repeat_last_n = (int)(take_u(&p, &n) % 1000) - 10;
    sp.seed = take_u(&p, &n);
    sp.rng = (take_u(&p, &n) & 1) ? VERS_RNG_LLAMA2C : VERS_RNG_VERS;
    vers_logit_bias bias[8];
    int n_bias = (int)(take_u(&p, &n) % 9);
    for (int i = 0; i < n_bias; i++) {
        bias[i].token = (int32_t)take_u(&p, &n);
        bias[i].bias = take_f(&p, &n);
    }
    sp.bias = bias; sp.n_bias = n_bias;
    vers_sampler *s = NULL;
    vers_err err;
    if (vers_sampler_new(&sp, n_vocab, &s, &err) != VERS_OK) return 0;
    float *logits = malloc(sizeof(float) * (size_t)n_vocab);
    if (!logits) { vers_sampler_free(s); return 0; }
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < n_vocab; i++) logits[i] = n ? take_f(&p, &n) : (float)(i % 7);
        int t = vers_sampler_sample(s, logits);
        if (t == -1) {                          /* allowed only when nothing is drawable */
            /* recompute what the sampler saw is not possible from outside (penalty, bias);
             * check at least that -1 never comes from plain finite logits with no penalty */
            int finite = 1;
            for (int i = 0; i < n_vocab; i++) if (!isfinite(logits[i])) finite = 0;
            if (finite && sp.repeat_penalty == 1.0f && n_bias == 0) { fprintf(stderr, "-1 from finite logits\n"); abort(); }
            continue;
        }
        if (t < 0 || t >= n_vocab) { fprintf(stderr, "bad token %d (n_vocab %d temp %g top_k %d top_p %g min_p %g rp %g)\n", t, n_vocab, sp.temp, sp.top_k, sp.top_p, sp.min_p, sp.repeat_penalty); abort(); } /* the contract: always a valid id */
        vers_sampler_accept(s, t);
        vers_sampler_accept(s, (int32_t)take_u(&p, &n)); /* hostile history entry */
    }
    free(logits);
    vers_sampler_free(s);
    return 0;
}
