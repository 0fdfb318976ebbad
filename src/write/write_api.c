/* src/write/write_api.c — the public writer (include/vers/write.h): a model opened once,
 * per language a token table, a rhyme index (cached on disk) and an ear; per request the
 * form from vers_form_resolve (the path `vers check` takes with the same options), its
 * plan (vers_form_plan), the search (wr_write, which retries and runs the final check),
 * and the analysis of the poem found. */
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

/* The public defaults are the search's (wr_params_default): one place for both. */
vers_write_opts vers_write_default_opts(void) {
    const wr_params d = wr_params_default();
    vers_write_opts o;
    memset(&o, 0, sizeof o);
    o.temp = d.temp;
    o.candidates = d.candidates;
    o.budget = d.budget;
    return o;
}

int vers_writer_open(const char *model_path, int n_threads, vers_writer **out, vers_err *err) {
    *out = NULL;
    if (!model_path) return vers_errorf(err, VERS_EINVAL, "no model given");
    vers_writer *w = calloc(1, sizeof *w);
    if (!w) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    int rc = wr_engine_lm_open(&w->lm, model_path, n_threads, err);   /* 0: the writer chooses */
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
    wr_lexicon common;
    if (wr_rhyme_words(&common, lang)) { wr_tokens_free(&s->tt); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    rc = wr_rhyme_index_build(&s->ix, &w->lm.lm, &s->tt, &s->po.or, wr_default_wordlist(lang), &common, cache, err);
    wr_lexicon_free(&common);
    if (rc) { wr_tokens_free(&s->tt); return rc; }
    rc = wr_writer_new(&s->w, &w->lm.lm, &s->po.or, &s->tt, &s->ix, err);
    if (rc) { wr_rhyme_index_free(&s->ix); wr_tokens_free(&s->tt); return rc; }
    s->built = 1;
    return VERS_OK;
}

/* A request's form, language and plan: the form through vers_form_resolve, as `vers check`
 * resolves the same options; the plan through vers_form_plan, then checked for the search.
 * No language and a form of none: English. */
typedef struct request {
    vers_form *form;
    vers_plan *plan;
    int vlang;                       /* VERS_LANG_EN / VERS_LANG_FR */
} request;

static void request_free(request *r) { vers_plan_free(r->plan); vers_form_free(r->form); memset(r, 0, sizeof *r); }

static int request_open(const vers_write_opts *o, char first_gender, request *r, vers_err *err) {
    memset(r, 0, sizeof *r);
    if (o->syllables < 0) return vers_errorf(err, VERS_EINVAL, "--syllables must be at least 1");
    if (o->lines < 0) return vers_errorf(err, VERS_EINVAL, "--lines must be at least 1");
    int vlang = VERS_LANG_AUTO;
    if (o->lang && (vlang = vers_lang_parse(o->lang)) < 0)
        return vers_errorf(err, VERS_EINVAL, "--lang: '%s' is not fr or en", o->lang);
    char syl[32], lines[32];
    snprintf(syl, sizeof syl, "%d", o->syllables);
    snprintf(lines, sizeof lines, "%d", o->lines);
    vers_form_request rq = {.lang = vlang, .form = o->form, .spec_path = o->spec_path, .spec_form = o->spec,
                            .scheme = o->scheme,
                            .syllables = o->syllables ? syl : NULL, .lines = o->lines ? lines : NULL,
                            .acrostic = o->acrostic, .none_is_free = 1};
    int rc = vers_form_resolve(&rq, &r->form, &vlang, err);
    if (rc) return rc;
    r->vlang = vlang == VERS_LANG_FR ? VERS_LANG_FR : VERS_LANG_EN;
    if ((rc = vers_form_plan(r->form, 0, 0, 0, 0, first_gender, &r->plan, err)) ||
        (rc = wr_plan_check(r->plan, err))) { request_free(r); return rc; }
    r->plan->lang = r->vlang;
    return VERS_OK;
}

int vers_write_validate(const vers_write_opts *o, vers_err *err) {
    request r;
    int rc = request_open(o, 'f', &r, err);
    if (!rc) request_free(&r);
    return rc;
}

/* The search's settings: the defaults, with what the request sets. */
static wr_params request_params(const vers_write_opts *o) {
    wr_params par = wr_params_default();
    par.seed = o->seed;
    if (o->temp > 0) par.temp = o->temp;
    if (o->candidates > 0) { par.candidates = o->candidates; par.max_attempts = 4 * par.candidates; }
    if (o->budget > 0) par.budget = o->budget;
    par.theme = o->theme;
    par.no_codes = o->no_codes;
    par.on_line = o->on_line;
    par.on_line_ud = o->progress_ud;
    return par;
}

int vers_write(vers_writer *w, const vers_write_opts *o, int index, vers_poem_out *out, vers_err *err) {
    memset(out, 0, sizeof *out);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t rng = wr_rng_init(o->seed, (uint64_t)index);
    char first_gender = (wr_rng_next(&rng) & 1) ? 'm' : 'f';
    request r;
    int rc = request_open(o, first_gender, &r, err);
    if (rc) return rc;
    const int lang = r.vlang == VERS_LANG_FR ? WR_LANG_FR : WR_LANG_EN;
    if ((rc = lang_open(w, lang, err))) { request_free(&r); return rc; }
    lang_state *s = &w->L[lang];
    const wr_params par = request_params(o);
    wr_result res = {0};
    w->lm.cancelled = o->cancelled;          /* for this poem only */
    w->lm.cancel_ud = o->progress_ud;
    rc = wr_write(s->w, r.form, r.plan, &par, &rng, &res, err);
    w->lm.cancelled = NULL;
    w->lm.cancel_ud = NULL;
    out->line_attempts = res.line_attempts; out->line_backups = res.line_backups;
    out->restarts = res.poem_restarts; out->evals = res.evals;
    if (rc == VERS_OK) {
        out->text = res.text; res.text = NULL;
        out->n_tokens = res.n_tokens; out->logprob = res.logprob;
        out->end_tokens = res.end_tokens; out->end_rare = res.end_rare;
        out->codes = res.codes;
        out->n_lines = r.plan->n_lines;
        snprintf(out->form, sizeof out->form, "%s", vers_form_name(r.form));
        vers_analyse_opts ao = {r.vlang, r.form, 1};
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
    request_free(&r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return rc;
}

void vers_poem_out_free(vers_poem_out *p) {
    free(p->text); free(p->analysis_json);
    memset(p, 0, sizeof *p);
}
