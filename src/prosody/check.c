/* src/prosody/check.c — does line i of a poem fit line i of a plan?  Syllables, rhyme with
 * its earlier partners, gender (absolute for the writer, the alternance rule for a finished
 * poem), caesura, refrains, rentrement, acrostic.  vers_check_line (the writer's entry) and
 * vers_analyse (`vers check`) both come here, so they cannot disagree. */
#include "prosody/prosody_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(vers_violation *v, int max_v, int *k, int line, const char *what,
                const char *expected, const char *found) {
    if (*k < max_v && v) {
        vers_violation *x = &v[*k];
        x->line = line;
        snprintf(x->what, sizeof x->what, "%s", what);
        snprintf(x->expected, sizeof x->expected, "%s", expected);
        snprintf(x->found, sizeof x->found, "%s", found);
    }
    (*k)++;
}

static const vers_line *line_at(const check_ctx *c, int j) { return &c->lines[j]; }

/* Folded text equality (refrains): case, accents and punctuation ignored. */
static int same_text(const char *a, size_t la, const char *b, size_t lb) {
    size_t cap = (la > lb ? la : lb) * 2 + 8;
    char *x = malloc(cap), *y = malloc(cap);
    int eq = 0;
    if (x && y) {
        text_fold(a, la, x, cap);
        text_fold(b, lb, y, cap);
        eq = !strcmp(x, y);
    }
    free(x); free(y);
    return eq;
}

/* Is the folded a a non-empty run of whole opening words of b? */
static int opening_words(const char *a, size_t la, const char *b, size_t lb) {
    size_t cap = (la > lb ? la : lb) * 2 + 8;
    char *x = malloc(cap), *y = malloc(cap);
    int ok = 0;
    if (x && y) {
        size_t nx = text_fold(a, la, x, cap);
        text_fold(b, lb, y, cap);
        ok = nx > 0 && !strncmp(x, y, nx) && (y[nx] == 0 || y[nx] == ' ');
    }
    free(x); free(y);
    return ok;
}

static void quote_word(char *buf, size_t size, const vers_line *l) {
    if (l->last_word[0]) snprintf(buf, size, "\"%.40s\"", l->last_word);
    else snprintf(buf, size, "no rhyme word");
}

int check_rhyme_ok(const check_ctx *c, int i, int *first) {
    const vers_plan *plan = c->plan;
    const vers_line *L = line_at(c, i);
    int ok = 0;
    *first = -1;
    if (plan->lines[i].rhyme < 0) return 1;
    /* (j must decrease: a plan built by hand with zeroed links cannot loop) */
    for (int j = plan->lines[i].rhyme_prev, k2 = i; j >= 0 && j < k2 && !ok; k2 = j, j = plan->lines[j].rhyme_prev) {
        *first = j;   /* ends as the earliest line of the rhyme, the one messages name */
        ok = lines_rhyme_in(c->p, L, line_at(c, j), plan->min_quality) ||
             (c->rhyme_ids && c->rhyme_ids[i] >= 0 && c->rhyme_ids[i] == c->rhyme_ids[j]);
    }
    return *first < 0 || ok;
}

int check_plan_line(const check_ctx *c, int i, vers_violation *v, int max_v) {
    const vers_plan *plan = c->plan;
    const vers_plan_line *pl = &plan->lines[i];
    const vers_line *L = line_at(c, i);
    const char *text = c->texts ? c->texts[i] : NULL;
    size_t len = c->lens ? c->lens[i] : (text ? strlen(text) : 0);
    int line = i + 1, k = 0;
    char e[96], f[96];

    if (pl->syl_max) {
        if (L->syllables < pl->syl_min || L->syllables > pl->syl_max) {
            if (pl->syl_min == pl->syl_max) snprintf(e, sizeof e, "%d syllables", pl->syl_min);
            else snprintf(e, sizeof e, "%d-%d syllables", pl->syl_min, pl->syl_max);
            snprintf(f, sizeof f, "%d", L->syllables);
            add(v, max_v, &k, line, "syllables", e, f);
        }
    }

    if (pl->rhyme >= 0) {
        int first = -1, ok = check_rhyme_ok(c, i, &first);
        if (first >= 0 && !ok) {
            char w[48], g[48];
            quote_word(w, sizeof w, line_at(c, first));
            quote_word(g, sizeof g, L);
            snprintf(e, sizeof e, "%c: a %s rhyme with line %d %.47s", pl->letter,
                     quality_name(L->lang, plan->min_quality), first + 1, w);
            if (L->rhyme_key[0]) snprintf(f, sizeof f, "%.47s /%.40s/", g, L->rhyme_key);
            else snprintf(f, sizeof f, "%s", g);
            add(v, max_v, &k, line, "rhyme", e, f);
        } else if (first < 0 && !L->last_word[0]) {
            add(v, max_v, &k, line, "rhyme", "a line ending on a word", "no word");
        }
    }

    if (L->lang == VERS_LANG_FR && pl->gender && pl->rhyme >= 0 && L->last_word[0]) {
        if (c->absolute_gender) {
            if (L->gender != pl->gender) {
                snprintf(e, sizeof e, "%s rhyme", pl->gender == 'f' ? "feminine" : "masculine");
                snprintf(f, sizeof f, "%s (\"%s\")", L->gender == 'f' ? "feminine" : "masculine", L->last_word);
                add(v, max_v, &k, line, "gender", e, f);
            }
        } else if (i > 0) {
            const vers_plan_line *pp = &plan->lines[i - 1];
            const vers_line *P = line_at(c, i - 1);
            if (pp->gender && pp->rhyme >= 0 && pp->rhyme != pl->rhyme && P->last_word[0] && P->gender == L->gender) {
                snprintf(e, sizeof e, "%s rhyme after line %d's %s one", L->gender == 'f' ? "masculine" : "feminine",
                         i, L->gender == 'f' ? "feminine" : "masculine");
                snprintf(f, sizeof f, "%s (\"%s\")", L->gender == 'f' ? "feminine" : "masculine", L->last_word);
                add(v, max_v, &k, line, "alternance", e, f);
            }
        }
    }

    if (pl->caesura && L->lang == VERS_LANG_FR && pl->syllables >= 10) {
        int ok;
        if (pl->caesura == 6 && L->syllables == 12) ok = L->caesura_ok;
        else ok = text ? fr_caesura_at(text, len, pl->caesura) : 1;
        if (!ok) {
            snprintf(e, sizeof e, "a caesura after syllable %d", pl->caesura);
            add(v, max_v, &k, line, "caesura", e, "none (word or e muet across it)");
        }
    }

    if (pl->refrain_of >= 0 && text && c->compare_texts) {
        int r = pl->refrain_of;
        size_t rl = c->lens ? c->lens[r] : strlen(c->texts[r]);
        if (!same_text(text, len, c->texts[r], rl)) {
            snprintf(e, sizeof e, "line %d repeated", r + 1);
            snprintf(f, sizeof f, "%.80s", text);
            add(v, max_v, &k, line, "refrain", e, f);
        }
    }

    if (pl->rentrement_of >= 0 && text && c->compare_texts) {
        int r = pl->rentrement_of;
        size_t rl = c->lens ? c->lens[r] : strlen(c->texts[r]);
        if (!opening_words(text, len, c->texts[r], rl)) {
            snprintf(e, sizeof e, "the opening words of line %d", r + 1);
            snprintf(f, sizeof f, "%.80s", text);
            add(v, max_v, &k, line, "rentrement", e, f);
        }
    }

    if (pl->initial[0] && text) {
        int got = text_initial(text, len);
        if (got != (unsigned char)pl->initial[0]) {
            snprintf(e, sizeof e, "initial %s", pl->initial);
            snprintf(f, sizeof f, "%c", got ? got : '-');
            add(v, max_v, &k, line, "acrostic", e, f);
        }
    }
    return k;
}

int vers_check_line(const vers_prosody *p, const vers_plan *plan, int i, const vers_line *lines,
                    const char *const *texts, const char *text, size_t len, vers_line *scanned,
                    vers_violation *v, int max_v) {
    if (!plan || i < 0 || i >= plan->n_lines || (i > 0 && !lines) || (!text && len)) return -1;
    if (!text) text = "";
    int lang = plan->lang;
    if (lang == VERS_LANG_AUTO) lang = i > 0 ? lines[0].lang : vers_detect_lang(text, len);
    vers_line *all = malloc(sizeof *all * (size_t)(i + 1));
    const char **tx = malloc(sizeof *tx * (size_t)(i + 1));
    size_t *lens = malloc(sizeof *lens * (size_t)(i + 1));
    if (!all || !tx || !lens) { free(all); free(tx); free(lens); return -1; }
    if (i) memcpy(all, lines, sizeof *all * (size_t)i);
    if (vers_scan_line(p, lang, text, len, plan->lines[i].syllables, &all[i])) {
        free(all); free(tx); free(lens);
        return -1;
    }
    int have_texts = texts != NULL;
    for (int j = 0; j < i; j++) { tx[j] = have_texts ? texts[j] : ""; lens[j] = have_texts && texts[j] ? strlen(texts[j]) : 0; if (!tx[j]) tx[j] = ""; }
    tx[i] = text; lens[i] = len;
    /* without the earlier texts, refrains and rentrements cannot be compared */
    check_ctx c = {p, plan, all, tx, lens, 1, have_texts, NULL};
    int k = check_plan_line(&c, i, v, max_v);
    if (scanned) *scanned = all[i];
    free(all); free(tx); free(lens);
    return k;
}
