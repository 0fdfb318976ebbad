/* src/write/write_api.c — the public writer (include/vers/write.h): a model opened once,
 * per language a token table, a rhyme index (cached on disk) and an ear; per request the
 * form resolved exactly as `vers check` resolves it (built-in name or spec file, then
 * --scheme / --syllables / --lines / --acrostic applied on top), its plan, the search, and
 * the final check. */
#include "write/bind.h"
#include "vers/write.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct lang_state {
    int built;
    wr_tokens tt;
    wr_rhyme_index ix;
    wr_prosody_oracle po;
    wr_writer *w;
} lang_state;

struct vers_writer {
    wr_engine_lm lm;
    vers_prosody *pros;
    lang_state L[2];
};

vers_write_opts vers_write_default_opts(void) {
    vers_write_opts o;
    memset(&o, 0, sizeof o);
    o.temp = 0.8f;
    o.candidates = 3;
    o.budget = 40000;
    return o;
}

int vers_writer_open(const char *model_path, int n_threads, vers_writer **out, vers_err *err) {
    *out = NULL;
    if (!model_path) return vers_errorf(err, VERS_EINVAL, "no model given");
    vers_writer *w = calloc(1, sizeof *w);
    if (!w) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    int rc = wr_engine_lm_open(&w->lm, model_path, n_threads > 0 ? n_threads : vers_n_cores(), err);
    if (rc) { free(w); return rc; }
    if ((rc = vers_prosody_open(NULL, &w->pros, err))) { wr_engine_lm_close(&w->lm); free(w); return rc; }
    *out = w;
    return VERS_OK;
}

void vers_writer_close(vers_writer *w) {
    if (!w) return;
    for (int l = 0; l < 2; l++) {
        lang_state *s = &w->L[l];
        if (!s->built) continue;
        wr_writer_free(s->w);
        wr_rhyme_index_free(&s->ix);
        wr_tokens_free(&s->tt);
        wr_prosody_oracle_free(&s->po);
    }
    vers_prosody_close(w->pros);
    wr_engine_lm_close(&w->lm);
    free(w);
}

static int lang_open(vers_writer *w, int lang, vers_err *err) {
    lang_state *s = &w->L[lang];
    if (s->built) return VERS_OK;
    wr_prosody_oracle_init(&s->po, w->pros, lang);
    int rc = wr_tokens_build(&s->tt, &w->lm.lm, lang, err);
    if (rc) return rc;
    char dir[1024];
    const char *cache = wr_cache_dir(dir, sizeof dir) == 0 ? dir : NULL;
    if (getenv("VERS_NO_CACHE")) cache = NULL;
    rc = wr_rhyme_index_build(&s->ix, &w->lm.lm, &s->tt, &s->po.or, wr_default_wordlist(lang), cache, err);
    if (rc) { wr_tokens_free(&s->tt); return rc; }
    rc = wr_writer_new(&s->w, &w->lm.lm, &s->po.or, &s->tt, &s->ix, err);
    if (rc) { wr_rhyme_index_free(&s->ix); wr_tokens_free(&s->tt); return rc; }
    s->built = 1;
    return VERS_OK;
}

/* The form as `vers check` would build it from the same options. */
static int resolve_form(const vers_write_opts *o, int vlang, vers_form **out, vers_err *err) {
    vers_form *f = NULL;
    int rc;
    *out = NULL;
    if ((o->spec_path || o->spec) && o->form) return vers_errorf(err, VERS_EINVAL, "give --form or --spec, not both");
    if (o->spec) rc = vers_form_copy(o->spec, &f, err);
    else if (o->spec_path) rc = vers_form_load(o->spec_path, &f, err);
    else if (o->form) {
        rc = vers_form_builtin(o->form, vlang, &f, err);
        if (rc && vlang == VERS_LANG_AUTO) rc = vers_form_builtin(o->form, VERS_LANG_AUTO, &f, err);
    } else if (o->scheme || o->syllables || o->lines || o->acrostic) rc = vers_form_new("custom", vlang, &f, err);
    else rc = vers_form_builtin("free", vlang, &f, err);
    if (rc) return rc;
    char num[32], lines[32];
    snprintf(num, sizeof num, "%d", o->syllables);
    snprintf(lines, sizeof lines, "%d", o->lines);
    const char *keys[] = {"scheme", "syllables", "lines", "acrostic"};
    const char *vals[] = {o->scheme, o->syllables ? num : NULL, o->lines ? lines : NULL, o->acrostic};
    for (int i = 0; i < 4; i++) {
        if (!vals[i]) continue;
        vers_err e2 = {0};
        if ((rc = vers_form_set(f, keys[i], vals[i], &e2))) {
            vers_form_free(f);
            return vers_errorf(err, rc, "--%s: %s", keys[i], e2.msg);
        }
    }
    *out = f;
    return VERS_OK;
}

int vers_write_validate(const vers_write_opts *o, vers_err *err) {
    if (o->syllables < 0) return vers_errorf(err, VERS_EINVAL, "--syllables must be at least 1");
    if (o->lines < 0) return vers_errorf(err, VERS_EINVAL, "--lines must be at least 1");
    int vlang = VERS_LANG_AUTO;
    if (o->lang && (vlang = vers_lang_parse(o->lang)) < 0)
        return vers_errorf(err, VERS_EINVAL, "--lang: '%s' is not fr or en", o->lang);
    vers_form *form = NULL;
    int rc = resolve_form(o, vlang, &form, err);
    if (rc) return rc;
    vers_plan *vp = NULL;
    rc = vers_form_plan(form, 0, 0, 0, 0, 'f', &vp, err);
    if (!rc) {
        wr_plan plan;
        rc = wr_plan_from_vers(&plan, vp, vers_form_tag(form), err);
        if (!rc) wr_plan_free(&plan);
        vers_plan_free(vp);
    }
    vers_form_free(form);
    return rc;
}

int vers_write(vers_writer *w, const vers_write_opts *o, int index, vers_poem_out *out, vers_err *err) {
    memset(out, 0, sizeof *out);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (o->syllables < 0) return vers_errorf(err, VERS_EINVAL, "--syllables must be at least 1");
    if (o->lines < 0) return vers_errorf(err, VERS_EINVAL, "--lines must be at least 1");
    int vlang = VERS_LANG_AUTO;
    if (o->lang) {
        vlang = vers_lang_parse(o->lang);
        if (vlang < 0) return vers_errorf(err, VERS_EINVAL, "--lang: '%s' is not fr or en", o->lang);
    }
    vers_form *form = NULL;
    int rc = resolve_form(o, vlang, &form, err);
    if (rc) return rc;
    if (vlang == VERS_LANG_AUTO) vlang = vers_form_lang(form) ? vers_form_lang(form) : VERS_LANG_EN;
    int lang = vlang == VERS_LANG_FR ? WR_LANG_FR : WR_LANG_EN;
    vers_plan *vp = NULL;
    uint64_t rng = o->seed * 0x9E3779B97F4A7C15ull + (uint64_t)index * 0xD1B54A32D192ED03ull + 1;
    char first_gender = (wr_rng_next(&rng) & 1) ? 'm' : 'f';
    if ((rc = vers_form_plan(form, 0, 0, 0, 0, first_gender, &vp, err))) { vers_form_free(form); return rc; }
    vp->lang = vlang;
    wr_plan plan;
    if ((rc = wr_plan_from_vers(&plan, vp, vers_form_tag(form), err))) goto done_plan;
    plan.lang = lang;
    if ((rc = lang_open(w, lang, err))) goto done;
    lang_state *s = &w->L[lang];
    s->po.plan = vp;
    s->po.form = form;
    wr_params par = {0};
    par.seed = o->seed;
    par.temp = o->temp > 0 ? o->temp : 0.8f;
    par.min_p = 0.02f;
    par.candidates = o->candidates > 0 ? o->candidates : 3;
    par.max_attempts = 8 * par.candidates;
    par.budget = o->budget > 0 ? o->budget : 40000;
    par.theme = o->theme;
    par.theme_bias = 1.0f;
    par.word_bias = 1.0f;
    wr_result res = {0};
    /* A search that dead-ends often succeeds from another start: up to four independent
     * searches (seeded from the same rng, so still reproducible) share the budget, each
     * taking half of what is left (the last all of it). */
    const long total_budget = par.budget;
    long used = 0;
    int attempts = 0, backups = 0;
    for (int attempt = 0; attempt < 4 && (attempt == 0 || total_budget - used >= 100); attempt++) {
        long left = total_budget - used;
        par.budget = attempt < 3 ? left / 2 : left;
        if (attempt > 0) { wr_result_free(&res); memset(&res, 0, sizeof res); }
        rc = wr_write(s->w, &plan, &par, &rng, &res, err);
        used += res.evals;
        attempts += res.line_attempts; backups += res.line_backups;
        out->restarts += res.poem_restarts;
        if (rc != VERS_EFAIL) break;
        out->restarts += 1;
    }
    out->line_attempts = attempts; out->line_backups = backups; out->evals = used;
    if (rc == VERS_OK) {
        out->text = res.text; res.text = NULL;
        out->n_tokens = res.n_tokens; out->logprob = res.logprob;
        out->n_lines = plan.n;
        snprintf(out->form, sizeof out->form, "%s", vers_form_name(form));
        vers_analyse_opts ao = {vlang, form, 1};
        vers_analysis *a = NULL;
        size_t jl = 0;
        if (vers_analyse(w->pros, out->text, strlen(out->text), &ao, &a, err) == VERS_OK) {
            if (!a->ok) {                       /* cannot happen: wr_write checked it */
                rc = vers_errorf(err, VERS_EFAIL, "internal: the poem found does not pass the check");
                free(out->text); out->text = NULL;
            } else vers_analysis_json(a, &out->analysis_json, &jl, err);
            vers_analysis_free(a);
        }
    }
    wr_result_free(&res);
    s->po.plan = NULL; s->po.form = NULL;
done:
    wr_plan_free(&plan);
done_plan:
    vers_plan_free(vp);
    vers_form_free(form);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return rc;
}

void vers_poem_out_free(vers_poem_out *p) {
    free(p->text); free(p->analysis_json);
    memset(p, 0, sizeof *p);
}
