/* tests/test_engine_sampler.c — the samplers behave as defined (engine.h): greedy and its
 * ties, temperature, top-k, top-p (llama2.c's rule), min-p, repetition penalty, logit bias,
 * the hook, masking, seeded reproducibility; the llama2.c RNG's exact stream. */
#include "test.h"
#include "vers.h"
#include "engine/rng.h"
#include <math.h>

#define NV 16

static vers_sampler *mk(vers_sampler_params p) {
    vers_sampler *s = NULL;
    vers_err err;
    if (vers_sampler_new(&p, NV, &s, &err)) printf("sampler_new: %s\n", err.msg);
    return s;
}

/* counts of each token over n draws */
static void histogram(vers_sampler *s, const float *lg, int n, int *cnt) {
    memset(cnt, 0, sizeof(int) * NV);
    for (int i = 0; i < n; i++) {
        int t = vers_sampler_sample(s, lg);
        if (t >= 0 && t < NV) cnt[t]++;
    }
}

static void mask_odd(void *ud, float *lg, int n) {
    int *calls = ud;
    (*calls)++;
    for (int i = 1; i < n; i += 2) lg[i] = -INFINITY;
}

static void mask_all(void *ud, float *lg, int n) {
    (void)ud;
    for (int i = 0; i < n; i++) lg[i] = -INFINITY;
}

static vers_sampler *mk6(vers_sampler_params p) {
    vers_sampler *s = NULL; vers_err e;
    return vers_sampler_new(&p, 6, &s, &e) == VERS_OK ? s : NULL;
}

int main(void) {
    float lg[NV];
    for (int i = 0; i < NV; i++) lg[i] = (float)i * 0.25f;   /* token 15 best */
    int cnt[NV];

    T_CASE("llama2.c rng: xorshift64* stream, seed used as is") {
        vers_rng r;
        vers_rng_seed(&r, VERS_RNG_LLAMA2C, 133742);
        /* reference: run.c's random_u32 computed by hand for state 133742 */
        uint64_t st = 133742;
        for (int i = 0; i < 1000; i++) {
            st ^= st >> 12; st ^= st << 25; st ^= st >> 27;
            uint32_t want = (uint32_t)((st * 0x2545F4914F6CDD1Dull) >> 32);
            uint32_t got = vers_rng_u32(&r);
            if (got != want) { T_CHECK(0, "draw %d: %u vs %u", i, got, want); break; }
        }
        float f = vers_rng_f32(&r);
        T_CHECK(f >= 0.0f && f < 1.0f, "f32 draw %g", f);
        vers_rng a, b;
        vers_rng_seed(&a, VERS_RNG_VERS, 0); vers_rng_seed(&b, VERS_RNG_VERS, 1);
        T_CHECK(vers_rng_u32(&a) != vers_rng_u32(&b), "vers seeds 0 and 1 give the same first draw");
    }
    T_CASE("greedy: argmax, lowest id on ties, no draw, logits untouched") {
        vers_sampler_params p = vers_sampler_default_params();
        p.temp = 0;
        vers_sampler *s = mk(p);
        T_CHECK(vers_sampler_sample(s, lg) == 15, "argmax");
        float tie[NV] = { 0 };
        tie[3] = 2; tie[9] = 2;
        T_CHECK(vers_sampler_sample(s, tie) == 3, "tie goes to lowest id");
        T_CHECK(tie[3] == 2 && tie[9] == 2 && tie[0] == 0, "input modified");
        T_CHECK(vers_sampler_probs(s) == NULL, "greedy has no probabilities");
        vers_sampler_free(s);
    }
    T_CASE("temperature: low temp ~ greedy, high temp ~ uniform; probabilities sum to 1") {
        vers_sampler_params p = vers_sampler_default_params();
        p.temp = 0.01f; p.seed = 7;
        vers_sampler *s = mk(p);
        histogram(s, lg, 200, cnt);
        T_CHECK(cnt[15] == 200, "temp 0.01 drew other tokens (%d of 200 were 15)", cnt[15]);
        const float *pr = vers_sampler_probs(s);
        double sum = 0;
        for (int i = 0; i < NV; i++) sum += pr[i];
        T_CHECK(fabs(sum - 1) < 1e-5, "probabilities sum %g", sum);
        vers_sampler_free(s);
        p.temp = 100.0f;
        s = mk(p);
        histogram(s, lg, 16000, cnt);
        int mn = cnt[0], mx = cnt[0];
        for (int i = 1; i < NV; i++) { if (cnt[i] < mn) mn = cnt[i]; if (cnt[i] > mx) mx = cnt[i]; }
        T_CHECK(mn > 800 && mx < 1200, "temp 100 not near uniform: %d..%d", mn, mx);
        vers_sampler_free(s);
    }
    T_CASE("top-k: only the k best tokens are drawn, ties kept by lowest id") {
        vers_sampler_params p = vers_sampler_default_params();
        p.top_k = 3; p.temp = 50.0f; p.seed = 1;
        vers_sampler *s = mk(p);
        histogram(s, lg, 3000, cnt);
        int other = 0;
        for (int i = 0; i < 13; i++) other += cnt[i];
        T_CHECK(other == 0 && cnt[13] > 800 && cnt[14] > 800 && cnt[15] > 800, "top-3: others %d, %d %d %d", other, cnt[13], cnt[14], cnt[15]);
        vers_sampler_free(s);
        float flat[NV];
        for (int i = 0; i < NV; i++) flat[i] = 1.0f;
        p.top_k = 2;
        s = mk(p);
        histogram(s, flat, 1000, cnt);
        T_CHECK(cnt[0] + cnt[1] == 1000, "ties: top-2 of equal logits must be ids 0 and 1");
        vers_sampler_free(s);
    }
    T_CASE("top-p: smallest set whose mass exceeds p (llama2.c's rule)") {
        float x[NV];
        for (int i = 0; i < NV; i++) x[i] = -30.0f;
        x[2] = logf(0.5f); x[5] = logf(0.3f); x[7] = logf(0.2f);   /* probs 0.5 0.3 0.2 */
        vers_sampler_params p = vers_sampler_default_params();
        p.top_p = 0.7f; p.seed = 3;
        vers_sampler *s = mk(p);
        histogram(s, x, 5000, cnt);
        /* cum 0.5, 0.8 > 0.7 -> keep {2, 5}, renormalised 0.625 / 0.375 */
        T_CHECK(cnt[7] == 0 && cnt[2] + cnt[5] == 5000, "kept set: %d %d %d", cnt[2], cnt[5], cnt[7]);
        T_CHECK(fabs(cnt[2] / 5000.0 - 0.625) < 0.03, "p(2) = %g", cnt[2] / 5000.0);
        vers_sampler_free(s);
        p.top_p = 0.4f;
        s = mk(p);
        histogram(s, x, 500, cnt);
        T_CHECK(cnt[2] == 500, "top-p 0.4 must keep only the best");
        vers_sampler_free(s);
    }
    T_CASE("min-p: tokens below min_p x p_max never drawn") {
        float x[NV];
        for (int i = 0; i < NV; i++) x[i] = -30.0f;
        x[1] = logf(0.6f); x[4] = logf(0.3f); x[9] = logf(0.1f);
        vers_sampler_params p = vers_sampler_default_params();
        p.min_p = 0.2f; p.seed = 11;          /* cut 0.12: drops token 9 */
        vers_sampler *s = mk(p);
        histogram(s, x, 4000, cnt);
        T_CHECK(cnt[9] == 0 && cnt[1] + cnt[4] == 4000, "min-p kept: %d %d %d", cnt[1], cnt[4], cnt[9]);
        T_CHECK(fabs(cnt[1] / 4000.0 - 2.0 / 3.0) < 0.03, "p(1) = %g", cnt[1] / 4000.0);
        vers_sampler_free(s);
    }
    T_CASE("repetition penalty: llama.cpp rule on the last n accepted tokens, each once") {
        float x[NV] = { 0 };
        x[3] = 2.0f; x[4] = 1.9f; x[5] = -1.0f; x[6] = -1.05f;
        vers_sampler_params p = vers_sampler_default_params();
        p.temp = 0; p.repeat_penalty = 1.5f; p.repeat_last_n = 2;
        vers_sampler *s = mk(p);
        vers_sampler_accept(s, 3);
        vers_sampler_accept(s, 3);                   /* twice: penalised once (2/1.5 = 1.33) */
        T_CHECK(vers_sampler_sample(s, x) == 4, "penalised 3 still wins");
        vers_sampler_accept(s, 7); vers_sampler_accept(s, 8);   /* window of 2: 3 forgotten */
        T_CHECK(vers_sampler_sample(s, x) == 3, "window did not slide");
        vers_sampler_reset(s);
        float y[NV];
        for (int i = 0; i < NV; i++) y[i] = -5.0f;
        y[5] = -1.0f; y[6] = -1.4f;                  /* negative logit: multiplied (-1.5) */
        vers_sampler_accept(s, 5);
        T_CHECK(vers_sampler_sample(s, y) == 6, "negative logit not pushed down");
        vers_sampler_free(s);
    }
    T_CASE("logit bias and hook: applied before everything, masked tokens never drawn") {
        vers_logit_bias b[2] = { { 15, -100.0f }, { 2, 10.0f } };
        vers_sampler_params p = vers_sampler_default_params();
        p.temp = 0; p.bias = b; p.n_bias = 2;
        vers_sampler *s = mk(p);
        T_CHECK(vers_sampler_sample(s, lg) == 2, "bias");
        vers_sampler_free(s);
        int calls = 0;
        p = vers_sampler_default_params();
        p.hook = mask_odd; p.hook_ud = &calls; p.seed = 5; p.temp = 3.0f;
        s = mk(p);
        histogram(s, lg, 2000, cnt);
        int odd = 0;
        for (int i = 1; i < NV; i += 2) odd += cnt[i];
        T_CHECK(odd == 0 && calls == 2000, "hook: %d odd draws, %d calls", odd, calls);
        vers_sampler_free(s);
        p.hook = mask_all;
        s = mk(p);
        T_CHECK(vers_sampler_sample(s, lg) == -1, "all masked must give -1");
        vers_sampler_free(s);
        vers_logit_bias bad = { NV, 1.0f };
        p = vers_sampler_default_params();
        p.bias = &bad; p.n_bias = 1;
        vers_sampler *s2 = NULL; vers_err err;
        T_CHECK(vers_sampler_new(&p, NV, &s2, &err) == VERS_EINVAL && !s2, "bias id out of range accepted");
        p = vers_sampler_default_params(); p.min_p = 2.0f;
        T_CHECK(vers_sampler_new(&p, NV, &s2, &err) == VERS_EINVAL, "min_p 2 accepted");
    }
    T_CASE("seeded: same seed same draws, reset replays, other seed differs") {
        vers_sampler_params p = vers_sampler_default_params();
        p.seed = 42; p.temp = 2.0f;
        vers_sampler *a = mk(p), *b = mk(p);
        int seq[64], same = 1;
        for (int i = 0; i < 64; i++) { seq[i] = vers_sampler_sample(a, lg); same &= seq[i] == vers_sampler_sample(b, lg); }
        T_CHECK(same, "same seed, different draws");
        vers_sampler_reset(a);
        same = 1;
        for (int i = 0; i < 64; i++) same &= seq[i] == vers_sampler_sample(a, lg);
        T_CHECK(same, "reset does not replay");
        vers_sampler_free(b);
        p.seed = 43;
        b = mk(p);
        int diff = 0;
        for (int i = 0; i < 64; i++) diff += seq[i] != vers_sampler_sample(b, lg);
        T_CHECK(diff > 0, "seed 43 == seed 42");
        vers_sampler_free(a); vers_sampler_free(b);
    }
    T_CASE("fuzz regression: a tiny temperature overflowing to inf gives the argmax, never -1") {
        /* found by fuzz/fuzz_sampler: x/temp overflowed to +inf, softmax made NaN and the
         * sampler read logits[-1] */
        float big[6] = {3e30f, -1e30f, 2e30f, 0.0f, -INFINITY, NAN};
        vers_sampler_params p = vers_sampler_default_params();
        p.temp = 1e-30f; p.top_k = 3; p.seed = 7;
        vers_sampler *a = mk6(p);
        for (int i = 0; i < 8; i++) { int t = vers_sampler_sample(a, big); T_CHECK(t == 0, "got %d", t); }
        float dead[6] = {-INFINITY, NAN, -INFINITY, -INFINITY, NAN, -INFINITY};
        T_CHECK(vers_sampler_sample(a, dead) == -1, "all masked must give -1");
        vers_sampler_free(a);
    }
    T_DONE();
}
