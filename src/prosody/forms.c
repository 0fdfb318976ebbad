/* src/prosody/forms.c — the built-in forms (the files of forms/ compiled into forms_builtin.c)
 * looked up by name and language, and plans: a form instantiated for a number of lines,
 * line by line (syllable range and target, rhyme id, gender of the alternance, caesura,
 * refrains, acrostic letter).  The plan is the contract between the writer and `check`. */
#include "prosody/prosody_internal.h"
#include "prosody/forms_builtin.h"
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vers_form_builtin_count(void) { return forms_builtin_n; }

int vers_form_builtin_get(int i, vers_form **out, vers_err *err) {
    if (!out) return vers_errorf(err, VERS_EINVAL, "form: NULL argument");
    *out = NULL;
    if (i < 0 || i >= forms_builtin_n) return vers_errorf(err, VERS_EINVAL, "form: no built-in form %d", i);
    return vers_form_parse(forms_builtin[i].text, strlen(forms_builtin[i].text), forms_builtin[i].file, out, err);
}

static int has_word(const char *list, const char *w) {
    size_t n = strlen(w);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != ',') e++;
        if ((size_t)(e - p) == n && !strncmp(p, w, n)) return 1;
        p = e;
    }
    return 0;
}

int vers_form_builtin(const char *name, int lang, vers_form **out, vers_err *err) {
    if (!name || !out) return vers_errorf(err, VERS_EINVAL, "form: NULL argument");
    *out = NULL;
    char want[96];
    snprintf(want, sizeof want, "%s-%s", name, vers_lang_name(lang));
    /* three passes: exact name, NAME-LANG, alias for the language */
    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < forms_builtin_n; i++) {
            vers_form *f;
            int rc = vers_form_builtin_get(i, &f, err);
            if (rc) return rc;
            int lang_ok = lang == VERS_LANG_AUTO || f->lang == VERS_LANG_AUTO || f->lang == lang;
            int hit = pass == 0 ? !strcmp(f->name, name) && lang_ok
                    : pass == 1 ? lang != VERS_LANG_AUTO && !strcmp(f->name, want)
                    : lang_ok && (has_word(f->aliases, name) || !strcmp(f->tag, name));
            if (hit) { *out = f; return VERS_OK; }
            vers_form_free(f);
        }
    }
    return vers_errorf(err, VERS_ENOTFOUND, "no form '%s'%s%s (vers check --list-forms)", name,
                       lang ? " for " : "", lang ? vers_lang_name(lang) : "");
}

/* ---- plans ---- */

void vers_plan_free(vers_plan *plan) {
    if (!plan) return;
    free(plan->lines);
    free(plan->stanza_lines);
    free(plan);
}

static int plan_fail(vers_plan *plan, vers_err *err, int code, const char *msg) {
    vers_plan_free(plan);
    return vers_errorf(err, code, "%s", msg);
}

/* Assigns 'm'/'f' to rhyme ids so that consecutive lines of different rhymes differ. */
static int alternate_genders(vers_plan *plan, char first, char *msg, size_t msize) {
    int n = plan->n_lines, max_id = -1;
    for (int i = 0; i < n; i++) if (plan->lines[i].rhyme > max_id) max_id = plan->lines[i].rhyme;
    if (max_id < 0) return 0;
    char *g = calloc((size_t)max_id + 1, 1);
    if (!g) { snprintf(msg, msize, "out of memory"); return VERS_ENOMEM; }
    /* Lines are visited in order; each line's id either has a gender (check it against the
     * previous line) or takes the opposite of the previous rhymed line.  Since every
     * constraint links consecutive lines, this greedy pass finds the colouring when one
     * exists, except when an id seen earlier disagrees: then none exists for this start. */
    char prev = 0;
    int prev_id = -1;
    for (int i = 0; i < n; i++) {
        int id = plan->lines[i].rhyme;
        if (id < 0) { prev = 0; prev_id = -1; continue; }
        char want = prev == 0 ? (g[id] ? g[id] : first) : (id == prev_id ? prev : (prev == 'm' ? 'f' : 'm'));
        if (g[id] && g[id] != want) {
            snprintf(msg, msize, "the scheme cannot alternate masculine and feminine rhymes (line %d)", i + 1);
            free(g);
            return VERS_EINVAL;
        }
        g[id] = want;
        prev = want; prev_id = id;
    }
    for (int i = 0; i < n; i++) if (plan->lines[i].rhyme >= 0) plan->lines[i].gender = g[plan->lines[i].rhyme];
    free(g);
    return 0;
}

int vers_form_plan(const vers_form *f, int n_lines, int alt_scheme, int alt_syllables,
                   int alt_stanzas, char first_gender, vers_plan **out, vers_err *err) {
    return form_plan(f, n_lines, alt_scheme, alt_syllables, alt_stanzas, first_gender, 0, out, err);
}

int form_plan(const vers_form *f, int n_lines, int alt_scheme, int alt_syllables,
              int alt_stanzas, char first_gender, int lenient, vers_plan **out, vers_err *err) {
    if (!f || !out) return vers_errorf(err, VERS_EINVAL, "plan: NULL argument");
    *out = NULL;
    if (alt_scheme < 0 || alt_scheme >= vers_form_alternatives(f, "scheme") ||
        alt_syllables < 0 || alt_syllables >= vers_form_alternatives(f, "syllables") ||
        alt_stanzas < 0 || alt_stanzas >= vers_form_alternatives(f, "stanzas"))
        return vers_errorf(err, VERS_EINVAL, "plan: no such alternative");
    int n = n_lines;
    if (n <= 0) n = form_natural_lines(f);
    if (n <= 0) n = f->default_lines;
    if (n <= 0) n = f->lines.lo;
    if (n <= 0) return vers_errorf(err, VERS_EINVAL, "form %s: no line count (give one, e.g. --lines)", f->name);
    if (n > 100000) return vers_errorf(err, VERS_EINVAL, "form %s: %d lines is too many", f->name, n);
    if (!lenient && f->lines.hi && (n < f->lines.lo || n > f->lines.hi))
        return vers_errorf(err, VERS_EINVAL, "form %s: %d lines, expected %d%s", f->name, n, f->lines.lo,
                           f->lines.hi == f->lines.lo ? "" : f->lines.hi == INT_MAX ? " or more" : " or so");
    vers_plan *plan = calloc(1, sizeof *plan);
    if (!plan) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    snprintf(plan->name, sizeof plan->name, "%s", f->name);
    plan->lang = f->lang;
    plan->min_quality = f->min_quality ? f->min_quality : default_min_quality(f->lang);
    plan->n_lines = n;
    plan->lines = calloc((size_t)n, sizeof *plan->lines);
    plan->stanza_lines = calloc((size_t)n, sizeof *plan->stanza_lines);
    int *ids = calloc((size_t)n, sizeof *ids);
    if (!plan->lines || !plan->stanza_lines || !ids) { free(ids); return plan_fail(plan, err, VERS_ENOMEM, "out of memory"); }
    char msg[256];

    /* rhymes */
    for (int i = 0; i < n; i++) ids[i] = -1;
    if (f->n_scheme) {
        const form_scheme *s = &f->scheme[alt_scheme];
        if (form_scheme_expand(s, n, ids)) {
            free(ids);
            int below = 0, above = 0;
            if (s->repeat) form_scheme_near(s, n, &below, &above);
            if (below || above)
                snprintf(msg, sizeof msg, "form %s: its scheme cannot end after %d lines (%d or %d would close its rhymes)",
                         f->name, n, below ? below : above, above ? above : below);
            else snprintf(msg, sizeof msg, "form %s: its scheme has %d lines, not %d", f->name, s->n, n);
            return plan_fail(plan, err, VERS_EINVAL, msg);
        }
    }
    for (int i = 0; i < n; i++) {
        vers_plan_line *pl = &plan->lines[i];
        pl->rhyme = ids[i];
        pl->letter = ids[i] < 0 ? '-' : scheme_letter(ids[i]);
        pl->refrain_of = pl->rentrement_of = -1;
    }
    free(ids);

    /* syllables */
    if (f->n_syl) {
        const form_syllables *s = &f->syl[alt_syllables];
        for (int i = 0; i < n; i++) {
            form_range r = s->e[i % s->n];
            vers_plan_line *pl = &plan->lines[i];
            if (!r.hi) continue;
            pl->syl_min = r.lo - f->tolerance < 1 ? 1 : r.lo - f->tolerance;
            pl->syl_max = r.hi + f->tolerance;
            pl->syllables = (r.lo + r.hi + 1) / 2;
            if (f->caesura && pl->syllables > f->caesura) pl->caesura = f->caesura;
        }
    }

    /* stanzas: the form's layout, else the scheme's groups, else one stanza */
    int k = 0;
    if (f->n_stanzas) {
        k = form_stanzas_expand(&f->stanzas[alt_stanzas], n, plan->stanza_lines, n);
        if (k < 0 && lenient) k = 0;
        if (k < 0) {
            snprintf(msg, sizeof msg, "form %s: %d lines do not fill its stanzas", f->name, n);
            return plan_fail(plan, err, VERS_EINVAL, msg);
        }
    }
    if (!k && f->n_scheme) {
        const form_scheme *s = &f->scheme[alt_scheme];
        int sum = 0;
        for (int g = 0; g < s->n_groups && sum < n; g++) { plan->stanza_lines[k++] = s->group_len[g]; sum += s->group_len[g]; }
        while (s->repeat && sum < n) { int gl = s->group_len[s->n_groups - 1]; plan->stanza_lines[k++] = gl; sum += gl; }
        if (sum != n || (s->n_groups < 2 && !s->repeat)) k = 0;
    }
    if (!k) { plan->stanza_lines[0] = n; k = 1; }
    plan->n_stanzas = k;
    for (int s = 0, i = 0; s < k; s++)
        for (int j = 0; j < plan->stanza_lines[s] && i < n; j++) plan->lines[i++].stanza = s;

    /* refrains and rentrements */
    for (int r = 0; r < f->n_refrains; r++) {
        int first = f->refrain[r][0] - 1;
        for (int j = 0; j < f->refrain_n[r]; j++) {
            int l = f->refrain[r][j] - 1;
            if (l >= n && lenient) break;
            if (l >= n) { snprintf(msg, sizeof msg, "form %s: refrain line %d beyond %d lines", f->name, l + 1, n); return plan_fail(plan, err, VERS_EINVAL, msg); }
            if (j) plan->lines[l].refrain_of = first;
        }
    }
    for (int j = 0; j < f->n_rentrement; j++) {
        int l = f->rentrement[j] - 1;
        if (l >= n && lenient) break;
        if (l >= n) { snprintf(msg, sizeof msg, "form %s: rentrement line %d beyond %d lines", f->name, l + 1, n); return plan_fail(plan, err, VERS_EINVAL, msg); }
        vers_plan_line *pl = &plan->lines[l];
        pl->rentrement_of = 0;
        pl->syl_min = pl->syl_max = pl->syllables = pl->caesura = 0;
        pl->rhyme = -1; pl->letter = '-';
    }

    /* acrostic */
    if (f->acrostic[0]) {
        char word[256];
        text_fold(f->acrostic, strlen(f->acrostic), word, sizeof word);
        int i = 0;
        for (const char *c = word; *c; c++) {
            if (!isalpha((unsigned char)*c)) continue;
            if (i >= n && lenient) break;
            if (i >= n) { snprintf(msg, sizeof msg, "acrostic '%s' is longer than the %d lines", f->acrostic, n); return plan_fail(plan, err, VERS_EINVAL, msg); }
            plan->lines[i].initial[0] = (char)toupper((unsigned char)*c);
            i++;
        }
    }

    /* chains of lines sharing a rhyme id (checks walk them instead of the whole poem) */
    {
        int max_id = -1;
        for (int i = 0; i < n; i++) if (plan->lines[i].rhyme > max_id) max_id = plan->lines[i].rhyme;
        int *last = malloc(sizeof *last * (size_t)(max_id + 2));
        if (!last) return plan_fail(plan, err, VERS_ENOMEM, "out of memory");
        for (int g = 0; g <= max_id; g++) last[g] = -1;
        for (int i = 0; i < n; i++) {
            int id = plan->lines[i].rhyme;
            plan->lines[i].rhyme_prev = id >= 0 ? last[id] : -1;
            if (id >= 0) last[id] = i;
        }
        free(last);
    }

    /* alternance of rhyme genders (French) */
    if (f->alternance) {
        int rc = alternate_genders(plan, first_gender == 'm' ? 'm' : 'f', msg, sizeof msg);
        if (rc == VERS_EINVAL && lenient) rc = 0;
        if (rc) return plan_fail(plan, err, rc, msg);
    }
    *out = plan;
    return VERS_OK;
}
