/* src/prosody/analysis.c — a whole poem: lines and stanzas, language, per-line scans,
 * rhyme scheme, detected form, and the check against a requested form (vers_analyse),
 * plus its JSON form.  Any bytes are accepted: NUL bytes become spaces, invalid UTF-8 is
 * left to the scanners (which treat it as punctuation) and repaired in JSON output. */
#include "prosody/prosody_internal.h"
#include "util/json.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VIOLATIONS 100000

typedef struct vbuf { vers_violation *v; int n, cap, oom; } vbuf;

static vers_violation *vb_next(vbuf *b) {
    if (b->n == b->cap) {
        if (b->cap >= MAX_VIOLATIONS) return NULL;
        int cap = b->cap ? b->cap * 2 : 16;
        vers_violation *v = realloc(b->v, sizeof *v * (size_t)cap);
        if (!v) { b->oom = 1; return NULL; }
        b->v = v; b->cap = cap;
    }
    vers_violation *x = &b->v[b->n++];
    memset(x, 0, sizeof *x);
    return x;
}

static void vb_add(vbuf *b, int line, const char *what, const char *expected, const char *found) {
    vers_violation *x = vb_next(b);
    if (!x) return;
    x->line = line;
    snprintf(x->what, sizeof x->what, "%s", what);
    snprintf(x->expected, sizeof x->expected, "%s", expected);
    snprintf(x->found, sizeof x->found, "%s", found);
}

void vers_analysis_free(vers_analysis *a) {
    if (!a) return;
    free(a->text_buf);
    free(a->lines);
    free(a->stanza_lines);
    free(a->scheme);
    free(a->violations);
    free(a);
}

/* ---- splitting ---- */

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

/* Splits buf (NUL-terminated copy, modified in place) into verse lines; returns the count
 * or -1 on allocation failure.  Blank lines end stanzas.  A line ends at LF, CR LF, or a
 * bare CR (old Mac files, text pasted from some editors): a bare CR inside a line would
 * otherwise join two verses, or two words ("nuit\rtombe" read as "nuittombe"). */
static int split_lines(char *buf, size_t len, vers_poem_line **out, int *n_stanzas) {
    size_t count = 0;
    for (size_t i = 0; i < len; i++) count += buf[i] == '\n' || (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n'));
    count++;
    if (count > (size_t)INT_MAX / 2) return -1;
    vers_poem_line *lines = calloc(count, sizeof *lines);
    if (!lines) return -1;
    int n = 0, stanza = 0, in_stanza = 0, src = 0;
    size_t pos = 0;
    while (pos <= len) {
        size_t end = pos, next;
        while (end < len && buf[end] != '\n' && buf[end] != '\r') end++;
        next = end + 1 + (end + 1 < len && buf[end] == '\r' && buf[end + 1] == '\n');   /* CR LF: one break */
        src++;
        buf[end] = 0;
        char *s = buf + pos;
        while (is_space(*s)) s++;
        size_t l = strlen(s);
        while (l && is_space(s[l - 1])) s[--l] = 0;
        if (!l) {
            if (in_stanza) { stanza++; in_stanza = 0; }
        } else {
            lines[n].text = s;
            lines[n].source_line = src;
            lines[n].stanza = stanza;
            n++;
            in_stanza = 1;
        }
        pos = next;
    }
    *n_stanzas = n ? lines[n - 1].stanza + 1 : 0;
    *out = lines;
    return n;
}

/* ---- per-line scans ---- */

/* Refits lines to the poem's commonest length where their elisions allow it (French: a
 * poem's lines share a metre, and the count picks among diérèse and synérèse). */
static int fit_to_metre(const vers_prosody *p, int lang, const vers_poem_line *L, int n, vers_line *out) {
    int hist[65] = {0}, total = 0;
    for (int i = 0; i < n; i++) {
        int s = out[i].syllables;
        if (s > 0 && s <= 64) { hist[s]++; total++; }
    }
    int mode = 0;
    for (int s = 1; s <= 64; s++) if (hist[s] > hist[mode]) mode = s;
    if (!mode || hist[mode] * 10 < total * 3) return VERS_OK;
    for (int i = 0; i < n; i++) {
        vers_line *s = &out[i];
        if (s->syllables == mode || s->min_syllables > mode || s->max_syllables < mode) continue;
        int rc = vers_scan_line(p, lang, L[i].text, strlen(L[i].text), mode, s);
        if (rc) return rc;
    }
    return VERS_OK;
}

/* Scans the poem's lines into out[], at target[i] syllables (target NULL: none).  This is
 * the one whole-poem reading that the analysis and the form check share.  English: each
 * line alone, then, when the poem as a whole is in triple metre, again with that as a
 * prior (en_poem.c); the poem's commonest length is not forced on English lines, whose
 * lengths vary more than their metre (a reader's extra syllables).  French: without
 * targets, lines are refitted to the poem's commonest length. */
enum { PRIOR_USED = 1 << 8 };   /* the line was read with a prior (en_scan_line_prior) */
static int prior_bits(const en_prior *pr) {
    return PRIOR_USED | (pr->ternary ? 1 : 0) | (pr->rising ? 2 : 0) | ((pr->beats > 0 && pr->beats < 64 ? pr->beats : 0) << 2);
}

/* prior_out[i] (English): the metre line i was read with, as prior_bits, 0 when it was read
 * alone — the poem's, or the one a line that lost a beat was read again with. */
static int scan_poem(const vers_prosody *p, int lang, const vers_poem_line *L, int n, const int *target, vers_line *out,
                     int *prior_out) {
    for (int i = 0; i < n; i++) prior_out[i] = 0;
    if (lang == VERS_LANG_EN) {
        if (!p || !p->en) return VERS_EINVAL;
        en_line *e = calloc((size_t)(n ? n : 1), sizeof *e);
        if (!e) return VERS_ENOMEM;
        int rc = VERS_OK;
        for (int i = 0; i < n && !rc; i++)
            rc = en_scan_line(p->en, L[i].text, strlen(L[i].text), target ? target[i] : 0, &e[i]);
        en_prior prior = {0};
        if (!rc) en_poem_metre(e, n, &prior);
        for (int i = 0; i < n && !rc && (prior.ternary || prior.rising); i++) {
            rc = en_scan_line_prior(p->en, L[i].text, strlen(L[i].text), target ? target[i] : 0, &prior, &e[i]);
            prior_out[i] = prior_bits(&prior);
        }
        /* lines that lost a beat to the prior's light opening (en_poem_reread) */
        for (int i = 0; i < n && !rc; i++) {
            en_prior alt;
            en_line t;
            if (!en_poem_reread(&prior, &e[i], &alt)) continue;
            rc = en_scan_line_prior(p->en, L[i].text, strlen(L[i].text), target ? target[i] : 0, &alt, &t);
            if (!rc && t.beats == prior.beats) { e[i] = t; prior_out[i] = prior_bits(&alt); }
        }
        for (int i = 0; i < n && !rc; i++) vline_from_en(&e[i], &out[i]);
        free(e);
        return rc;
    }
    for (int i = 0; i < n; i++) {
        int rc = vers_scan_line(p, lang, L[i].text, strlen(L[i].text), target ? target[i] : 0, &out[i]);
        if (rc) return rc;
    }
    return target ? VERS_OK : fit_to_metre(p, lang, L, n, out);
}

/* ---- checking against a form ---- */

static void layout_text(char *buf, size_t size, const int *len, int n) {
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < n && at + 8 < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%d", i ? " " : "", len[i]);
    if (n && at + 8 >= size) snprintf(buf + (size > 5 ? size - 5 : 0), 5, "...");
}

static void stanzas_text(char *buf, size_t size, const form_stanzas *s) {
    if (s->any) { snprintf(buf, size, "any"); return; }
    layout_text(buf, size, s->len, s->n);
    if (s->repeat) snprintf(buf + strlen(buf), size - strlen(buf), " ...");
}

/* Checks the poem against every combination of the form's alternatives and keeps the one
 * with the fewest violations; the scans of that combination replace a->lines[].scan. */
static int check_form(const vers_prosody *p, vers_analysis *a, const vers_form *f, vbuf *out, vers_err *err) {
    int n = a->n_lines;
    char e[96], g[96];
    if (f->n_stanzas) {
        int ok = 0;
        for (int s = 0; s < f->n_stanzas && !ok; s++) ok = form_stanzas_match(&f->stanzas[s], a->stanza_lines, a->n_stanzas);
        if (!ok) {
            stanzas_text(e, sizeof e, &f->stanzas[0]);
            layout_text(g, sizeof g, a->stanza_lines, a->n_stanzas);
            vb_add(out, 0, "stanzas", e, g[0] ? g : "none");
        }
    }
    int lines_ok = 1;
    if (f->lines.hi && (n < f->lines.lo || n > f->lines.hi)) lines_ok = 0;
    int fixed = form_natural_lines(f);
    if (fixed && f->n_scheme && !f->scheme[0].repeat && n != fixed) lines_ok = 0;
    if (!lines_ok || n == 0) {
        if (f->lines.hi && f->lines.hi != f->lines.lo) {
            if (f->lines.hi == INT_MAX) snprintf(e, sizeof e, "%d or more lines", f->lines.lo);
            else snprintf(e, sizeof e, "%d-%d lines", f->lines.lo, f->lines.hi);
        } else snprintf(e, sizeof e, "%d lines", fixed ? fixed : f->lines.lo);
        snprintf(g, sizeof g, "%d", n);
        vb_add(out, 0, "lines", e, g);
        return out->oom ? vers_errorf(err, VERS_ENOMEM, "out of memory") : VERS_OK;
    }

    int n_sch = vers_form_alternatives(f, "scheme"), n_syl = vers_form_alternatives(f, "syllables");
    vers_line *scans = malloc(sizeof *scans * (size_t)n * 2);
    int *target = malloc(sizeof *target * (size_t)n);
    const char **texts = malloc(sizeof *texts * (size_t)n);
    size_t *lens = malloc(sizeof *lens * (size_t)n);
    vers_violation *v = malloc(sizeof *v * (size_t)n * 4);
    vers_violation *best_v = malloc(sizeof *best_v * (size_t)n * 4);
    if (!scans || !target || !texts || !lens || !v || !best_v) {
        free(scans); free(target); free(texts); free(lens); free(v); free(best_v);
        return vers_errorf(err, VERS_ENOMEM, "out of memory");
    }
    vers_line *best_scans = scans + n;
    int *ids = malloc(sizeof *ids * (size_t)n);
    /* the best plan's targets and, per line, the metre each scan was read with (now and best) */
    int *best_target = malloc(sizeof *best_target * (size_t)(3 * n));
    if (!ids || !best_target) {
        free(scans); free(target); free(texts); free(lens); free(v); free(best_v); free(ids); free(best_target);
        return vers_errorf(err, VERS_ENOMEM, "out of memory");
    }
    /* how the best scans were read (English words are read again the same way) */
    int *prior = best_target + n, *best_prior = best_target + 2 * n, best_own = 0;
    for (int i = 0; i < n; i++) { texts[i] = a->lines[i].text; lens[i] = strlen(texts[i]); ids[i] = a->lines[i].rhyme_id; }
    int best_k = INT_MAX, rc = VERS_OK;
    for (int b = 0; b < n_syl && best_k; b++) {
        int scanned = 0;   /* scans at this alternative's targets, made with its first plan */
        for (int sa = 0; sa < n_sch && best_k; sa++) {
            vers_plan *plan;
            vers_err e2 = {0};
            int prc = form_plan(f, n, sa, b, 0, 'f', 1, &plan, &e2);
            if (prc == VERS_ENOMEM) { rc = vers_errorf(err, prc, "out of memory"); goto done; }
            if (prc) continue;
            if (plan->lang == VERS_LANG_AUTO) plan->lang = a->lang;
            if (!scanned) {
                scanned = 1;
                for (int i = 0; i < n; i++) target[i] = plan->lines[i].syllables;
                rc = scan_poem(p, a->lang, a->lines, n, target, scans, prior);
                if (!f->n_syl) for (int i = 0; i < n; i++) scans[i] = a->lines[i].scan;
                if (rc) { vers_plan_free(plan); vers_errorf(err, rc, "scan failed"); goto done; }
            }
            check_ctx c = {p, plan, scans, texts, lens, 0, 1, ids};
            int k = 0;
            for (int i = 0; i < n; i++) {
                int room = n * 4 - k;
                int got = check_plan_line(&c, i, v + k, room);
                k += got < room ? got : room;
            }
            if (k < best_k) {
                best_k = k;
                memcpy(best_v, v, sizeof *v * (size_t)k);
                memcpy(best_scans, scans, sizeof *scans * (size_t)n);
                memcpy(best_target, target, sizeof *target * (size_t)n);
                memcpy(best_prior, prior, sizeof *prior * (size_t)n);
                best_own = !f->n_syl;          /* the analysis's own scans, read as they were */
            }
            vers_plan_free(plan);
        }
    }
    if (best_k == INT_MAX) {
        int below = 0, above = 0;
        if (f->n_scheme && f->scheme[0].repeat) form_scheme_near(&f->scheme[0], n, &below, &above);
        if (below && above) snprintf(e, sizeof e, "%d or %d lines (the scheme's)", below, above);
        else if (below || above) snprintf(e, sizeof e, "%d lines (the scheme's)", below ? below : above);
        else snprintf(e, sizeof e, "%d lines (the scheme's)", f->n_scheme ? f->scheme[0].n : 0);
        snprintf(g, sizeof g, "%d", n);
        vb_add(out, 0, "lines", e, g);
    } else {
        a->lines_checked = 1;
        for (int i = 0; i < n; i++) {
            a->lines[i].scan = best_scans[i];
            if (!best_own) { a->lines[i].read_target = best_target[i]; a->lines[i].read_prior = best_prior[i]; }
        }
        for (int i = 0; i < best_k; i++) {
            vers_violation *x = vb_next(out);
            if (x) *x = best_v[i];
        }
    }
    if (out->oom) rc = vers_errorf(err, VERS_ENOMEM, "out of memory");
done:
    free(scans); free(target); free(texts); free(lens); free(v); free(best_v); free(ids); free(best_target);
    return rc;
}

/* ---- detection of the form ---- */

/* Does the poem, as scanned, plausibly follow form f?  Lenient: a few imperfect rhymes in
 * long poems, 80% of lines readable at the form's length, 75% of refrains repeated. */
/* Lines of the poem whose rhyme fails plan line i's test (check_rhyme_ok, the form
 * check's own), given the scans and detected rhyme groups of the analysis. */
static int plan_rhyme_failures(const vers_prosody *p, const vers_analysis *a, const vers_plan *plan,
                               const vers_line *scans, const int *ids) {
    check_ctx c = {p, plan, scans, NULL, NULL, 0, 0, ids};
    int bad = 0;
    for (int i = 0; i < a->n_lines; i++) {
        int first;
        bad += !check_rhyme_ok(&c, i, &first);
    }
    return bad;
}

/* Scans and rhyme groups of the analysis as arrays (for check_ctx). */
static int analysis_arrays(const vers_analysis *a, vers_line **scans, int **ids) {
    int n = a->n_lines;
    *scans = malloc(sizeof **scans * (size_t)(n ? n : 1));
    *ids = malloc(sizeof **ids * (size_t)(n ? n : 1));
    if (!*scans || !*ids) { free(*scans); free(*ids); return VERS_ENOMEM; }
    for (int i = 0; i < n; i++) { (*scans)[i] = a->lines[i].scan; (*ids)[i] = a->lines[i].rhyme_id; }
    return VERS_OK;
}

static int detect_match(const vers_prosody *p, vers_analysis *a, const vers_form *f, double rhymed_share,
                        const vers_line *scans, const int *ids) {
    int n = a->n_lines;
    if (!n) return 0;
    if (f->lang != VERS_LANG_AUTO && f->lang != a->lang) return 0;
    if (f->lines.hi && (n < f->lines.lo || n > f->lines.hi)) return 0;
    if (f->n_scheme && !f->scheme[0].repeat && f->scheme[0].n != n) {
        int any = 0;
        for (int s = 0; s < f->n_scheme; s++) any |= f->scheme[s].repeat || f->scheme[s].n == n;
        if (!any) return 0;
    }
    if (f->n_stanzas) {
        int ok = 0;
        for (int s = 0; s < f->n_stanzas && !ok; s++) ok = form_stanzas_match(&f->stanzas[s], a->stanza_lines, a->n_stanzas);
        if (!ok) return 0;
    }
    int constrained = f->n_scheme || f->n_syl || f->n_refrains || f->n_rentrement;
    if (!constrained) return 0;        /* free verse is decided by the caller */
    if (!f->n_scheme && rhymed_share >= 0.3 && n > 3) return 0;   /* a rhymed poem is not blank verse */

    int matched = 0;
    for (int sa = 0; sa < vers_form_alternatives(f, "scheme") && !matched; sa++) {
        vers_plan *plan;
        if (form_plan(f, n, sa, 0, 0, 'f', 1, &plan, NULL)) continue;
        if (plan->lang == VERS_LANG_AUTO) plan->lang = a->lang;
        int bad = plan_rhyme_failures(p, a, plan, scans, ids);
        int refr_total = 0, refr_ok = 0;
        for (int i = 0; i < n; i++) {
            const vers_plan_line *pl = &plan->lines[i];
            if (pl->refrain_of >= 0) {
                refr_total++;
                char x[512], y[512];
                text_fold(a->lines[i].text, strlen(a->lines[i].text), x, sizeof x);
                text_fold(a->lines[pl->refrain_of].text, strlen(a->lines[pl->refrain_of].text), y, sizeof y);
                refr_ok += !strcmp(x, y);
            }
            if (pl->rentrement_of >= 0) {
                refr_total++;
                char x[512], y[512];
                size_t nx = text_fold(a->lines[i].text, strlen(a->lines[i].text), x, sizeof x);
                text_fold(a->lines[0].text, strlen(a->lines[0].text), y, sizeof y);
                refr_ok += nx && !strncmp(x, y, nx) && (y[nx] == 0 || y[nx] == ' ');
            }
        }
        vers_plan_free(plan);
        if (bad > n / 20) continue;
        if (refr_total && refr_ok * 4 < refr_total * 3) continue;
        matched = 1;
    }
    if (!matched) return 0;
    if (!f->n_syl) return 1;
    for (int b = 0; b < f->n_syl; b++) {
        const form_syllables *s = &f->syl[b];
        if (s->any) return 1;
        int fit = 0, counted = 0;
        vers_plan *plan;
        if (form_plan(f, n, 0, b, 0, 'f', 1, &plan, NULL)) {
            /* scheme of another length: the syllable entries still cycle over lines */
            plan = NULL;
        }
        for (int i = 0; i < n; i++) {
            int lo, hi;
            if (plan) { lo = plan->lines[i].syl_min; hi = plan->lines[i].syl_max; }
            else { form_range r = s->e[i % s->n]; lo = r.lo - f->tolerance; hi = r.hi + f->tolerance; }
            if (!hi) continue;
            counted++;
            const vers_line *L = &a->lines[i].scan;
            fit += L->max_syllables >= lo && L->min_syllables <= hi;
        }
        vers_plan_free(plan);
        if (!counted || fit * 5 >= counted * 4) return 1;
    }
    return 0;
}

/* Names the built-in form the poem follows in a->form ("free" for free verse, "" none);
 * returns that form (the caller frees it), or NULL. */
static vers_form *detect_form(const vers_prosody *p, vers_analysis *a) {
    int n = a->n_lines, rhymed = 0;
    vers_form *chosen = NULL;
    a->form[0] = 0;
    if (!n) return NULL;
    int *count = calloc((size_t)n, sizeof *count);
    if (!count) return NULL;
    for (int i = 0; i < n; i++) if (a->lines[i].rhyme_id >= 0) count[a->lines[i].rhyme_id]++;
    for (int i = 0; i < n; i++) if (a->lines[i].rhyme_id >= 0 && count[a->lines[i].rhyme_id] > 1) rhymed++;
    free(count);
    double share = (double)rhymed / n;
    int best = -1;
    vers_line *scans;
    int *ids;
    if (analysis_arrays(a, &scans, &ids)) return NULL;
    for (int i = 0; i < vers_form_builtin_count(); i++) {
        vers_form *f;
        if (vers_form_builtin_get(i, &f, NULL)) continue;
        if (detect_match(p, a, f, share, scans, ids)) {
            int s = form_specificity(f);
            if (s > best) {
                best = s;
                snprintf(a->form, sizeof a->form, "%s", f->name);
                vers_form_free(chosen);
                chosen = f;
                continue;
            }
        }
        vers_form_free(f);
    }
    free(scans);
    free(ids);
    if (best < 0) {
        /* free verse: little rhyme and no dominant length */
        int hist[65] = {0}, top = 0;
        for (int i = 0; i < n; i++) { int s = a->lines[i].scan.syllables; if (s > 0 && s <= 64) hist[s]++; }
        for (int s = 1; s <= 64; s++) {
            int near = hist[s] + hist[s - 1] + (s < 64 ? hist[s + 1] : 0);
            if (near > top) top = near;
        }
        if (share < 0.3 && top * 2 < n) snprintf(a->form, sizeof a->form, "free");
    }
    return chosen;
}

/* ---- one rhyme judgement for the scheme and the form ---- */

/* Sets the poem's rhyme groups (ids[i], -1 none): renumbered in order of first
 * appearance, with their letters and the scheme string. */
static void set_scheme(vers_analysis *a, int *ids) {
    int n = a->n_lines, next = 0;
    int *map = malloc(sizeof *map * (size_t)(2 * n + 1));
    if (map) {
        for (int g = 0; g <= 2 * n; g++) map[g] = -1;
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] > 2 * n) continue;
            if (map[ids[i]] < 0) map[ids[i]] = next++;
            ids[i] = map[ids[i]];
        }
        free(map);
    }
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        a->lines[i].rhyme_id = ids[i];
        a->lines[i].letter = scheme_letter(ids[i]);
        if (i && a->lines[i].stanza != a->lines[i - 1].stanza) a->scheme[at++] = ' ';
        a->scheme[at++] = a->lines[i].letter;
    }
    a->scheme[at] = 0;
}

/* The scheme shown must say what the form check says (issue 21: a limerick that passes
 * `--form limerick` is not shown as AABBC).  When the form's rhyme test (check_rhyme_ok,
 * with the same pairwise judgement the detector uses) holds on every line for one of its
 * scheme alternatives, but the detected groups do not put each of that alternative's
 * rhyme groups under one letter, the letters are taken from the form: its rhyme groups,
 * and the detector's groups for the lines the form leaves free.  When the detected
 * letters already fit a passing alternative (a quatrain AAAA read as ABAB), they stay. */
static int agree_with_form(const vers_prosody *p, vers_analysis *a, const vers_form *f) {
    int n = a->n_lines;
    if (!f || !f->n_scheme || !n) return VERS_OK;
    vers_line *scans;
    int *ids;
    if (analysis_arrays(a, &scans, &ids)) return VERS_ENOMEM;
    vers_plan *use = NULL;
    int fits = 0, rc = VERS_OK;
    for (int sa = 0; sa < vers_form_alternatives(f, "scheme") && !fits; sa++) {
        vers_plan *plan;
        int prc = form_plan(f, n, sa, 0, 0, 'f', 1, &plan, NULL);
        if (prc == VERS_ENOMEM) { rc = prc; break; }
        if (prc) continue;
        if (plan->lang == VERS_LANG_AUTO) plan->lang = a->lang;
        if (plan_rhyme_failures(p, a, plan, scans, ids)) { vers_plan_free(plan); continue; }
        fits = 1;
        for (int i = 0; i < n && fits; i++) {
            int j = plan->lines[i].rhyme_prev;
            if (plan->lines[i].rhyme >= 0 && j >= 0 && j < i) fits = ids[i] >= 0 && ids[i] == ids[j];
        }
        if (fits || use) vers_plan_free(plan);
        else use = plan;
    }
    if (use && !fits && rc == VERS_OK) {
        /* form groups first (0..n-1), the detector's groups of free lines after them */
        for (int i = 0; i < n; i++) {
            int g = use->lines[i].rhyme;
            ids[i] = g >= 0 && g < n ? g : ids[i] >= 0 ? n + ids[i] : -1;
        }
        set_scheme(a, ids);
    }
    vers_plan_free(use);
    free(scans);
    free(ids);
    return rc;
}

/* ---- the analysis ---- */

int vers_analyse(const vers_prosody *p, const char *text, size_t len,
                 const vers_analyse_opts *opts, vers_analysis **out, vers_err *err) {
    if (!out || (!text && len)) return vers_errorf(err, VERS_EINVAL, "analyse: NULL argument");
    *out = NULL;
    vers_analyse_opts def = {VERS_LANG_AUTO, NULL, 1};
    if (!opts) opts = &def;
    if (len > (size_t)INT_MAX / 2) return vers_errorf(err, VERS_EINVAL, "text too large");
    vers_analysis *a = calloc(1, sizeof *a);
    char *buf = malloc(len + 1);
    if (!a || !buf) { free(a); free(buf); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    if (len) memcpy(buf, text, len);
    buf[len] = 0;
    for (size_t i = 0; i < len; i++) if (!buf[i]) buf[i] = ' ';
    int rc = VERS_OK;
    int n = split_lines(buf, len, &a->lines, &a->n_stanzas);
    if (n < 0) { free(buf); free(a); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    a->n_lines = n;
    a->text_buf = buf;

    a->lang = opts->lang;
    if (a->lang != VERS_LANG_EN && a->lang != VERS_LANG_FR) {
        a->lang = opts->form && opts->form->lang ? opts->form->lang : vers_detect_lang(buf, len);
    }
    a->stanza_lines = calloc((size_t)(a->n_stanzas ? a->n_stanzas : 1), sizeof *a->stanza_lines);
    int *stanza = malloc(sizeof *stanza * (size_t)(n ? n : 1));
    int *ids = malloc(sizeof *ids * (size_t)(n ? n : 1));
    vers_line *scans = malloc(sizeof *scans * (size_t)(n ? n : 1));
    if (!a->stanza_lines || !stanza || !ids || !scans) { rc = vers_errorf(err, VERS_ENOMEM, "out of memory"); goto fail; }
    for (int i = 0; i < n; i++) { a->stanza_lines[a->lines[i].stanza]++; stanza[i] = a->lines[i].stanza; }

    a->ctx = p;
    int *prior = malloc(sizeof *prior * (size_t)(n ? n : 1));
    rc = prior ? scan_poem(p, a->lang, a->lines, n, NULL, scans, prior) : VERS_ENOMEM;
    if (rc) { free(prior); vers_errorf(err, rc, rc == VERS_ENOMEM ? "out of memory" : "scan failed"); goto fail; }
    for (int i = 0; i < n; i++) { a->lines[i].scan = scans[i]; a->lines[i].read_prior = prior[i]; }
    free(prior);
    if (scheme_detect(p, scans, stanza, n, ids) < 0) { rc = vers_errorf(err, VERS_ENOMEM, "out of memory"); goto fail; }
    a->scheme = malloc((size_t)n + (size_t)a->n_stanzas + 1);
    if (!a->scheme) { rc = vers_errorf(err, VERS_ENOMEM, "out of memory"); goto fail; }
    set_scheme(a, ids);

    vers_form *detected = opts->detect_form ? detect_form(p, a) : NULL;
    if (opts->form) {
        vbuf vb = {0};
        a->checked = 1;
        rc = check_form(p, a, opts->form, &vb, err);
        a->violations = vb.v;
        a->n_violations = vb.n;
        if (rc) { vers_form_free(detected); goto fail; }
        a->ok = vb.n == 0;
    }
    /* the letters shown agree with the form checked, else with the form detected */
    rc = agree_with_form(p, a, opts->form ? opts->form : detected);
    vers_form_free(detected);
    if (rc) { vers_errorf(err, rc, "out of memory"); goto fail; }
    free(stanza); free(ids); free(scans);
    *out = a;
    return VERS_OK;
fail:
    free(stanza); free(ids); free(scans);
    vers_analysis_free(a);
    return rc;
}

int vers_stanza_scheme(const vers_analysis *a, int s, char *buf, size_t size) {
    if (!a || !buf || !size || s < 0 || s >= a->n_stanzas) return VERS_EINVAL;
    int map[64];
    int n_map = 0, k = 0;
    int keys[64];
    for (int i = 0; i < a->n_lines; i++) {
        if (a->lines[i].stanza != s) continue;
        if ((size_t)k + 1 >= size) return VERS_EINVAL;
        int id = a->lines[i].rhyme_id;
        char c = '-';
        if (id >= 0) {
            int m = -1;
            for (int j = 0; j < n_map; j++) if (keys[j] == id) m = j;
            if (m < 0 && n_map < 52) { keys[n_map] = id; map[n_map] = n_map; m = n_map++; }
            c = m < 0 ? '?' : scheme_letter(map[m]);
        }
        buf[k++] = c;
    }
    buf[k] = 0;
    return VERS_OK;
}

/* ---- JSON ---- */

/* A French line's words as the count reads them, for a reader to see it (vers serve's page
 * marks them): each word's text, its final e muet — "counted" (before a consonant, or -es /
 * -ent), "elided" (a bare -e before a vowel or h muet), "mute" (at the line's end) — and
 * whether a diérèse is read in it: one the rules always count (li-on, pri-ère, nati-on), or
 * an optional one the count takes to fit its target.  Which of the words that allow an
 * optional one take it is not recorded by the scan; the first ones are marked, as the
 * caesura check reads them (fr_syllables.c). */
static void fr_words_json(json_buf *b, const vers_poem_line *l) {
    fr_word w[128];
    size_t len = strlen(l->text);
    int n = fr_syllabify_words(l->text, len, w, 128);
    if (n > 128) n = 128;
    int extra = l->scan.syllables - l->scan.min_syllables;
    json_raw(b, "[");
    for (int i = 0; i < n; i++) {
        if (w[i].start < 0 || w[i].len < 0 || (size_t)w[i].start + (size_t)w[i].len > len) break;
        if (i) json_raw(b, ",");
        json_raw(b, "{");
        json_key(b, "word", 1); json_string(b, l->text + w[i].start, (size_t)w[i].len);
        json_key(b, "syllables", 0); json_int(b, w[i].syllables);
        if (w[i].e_final) {
            const char *e = i + 1 == n ? "mute" : (w[i].e_final == 1 && w[i + 1].vowel_start) ? "elided" : "counted";
            json_key(b, "e", 0); json_cstr(b, e);
        }
        int chosen = w[i].optional > 0 && extra > 0;
        extra -= chosen;
        if (w[i].dierese > 0 || chosen) { json_key(b, "dierese", 0); json_bool(b, 1); }
        json_raw(b, "}");
    }
    json_raw(b, "]");
}

/* An English line's words as its scansion read them (vers serve's page marks the stressed
 * syllables in the text): each word's text, its syllables in the reading the count took
 * (0 for an elided th'), their stresses (the line's stress string, word after word) and
 * "parts", the word's text cut into those syllables by its spelling (en_cut.c).  The
 * words are read again as the line's scan was (its target and the poem's metre); should
 * that reading differ from the scan, no words are given rather than wrong ones.  Words
 * said for digits ("1850": eighteen fifty) are one word, without parts. */
static int en_words_json(json_buf *b, const vers_prosody *p, const vers_poem_line *l) {
    enum { MAXW = 64 };
    en_word_read w[MAXW];
    en_line e;
    en_prior pr = {l->read_prior & 1, (l->read_prior >> 1) & 1, (l->read_prior >> 2) & 63};
    size_t len = strlen(l->text);
    if (!p || !p->en) return 0;
    int n = en_scan_words(p->en, l->text, len, l->read_target, (l->read_prior & PRIOR_USED) ? &pr : NULL, &e, w, MAXW);
    if (n < 0 || e.syllables != l->scan.syllables || strcmp(e.stress, l->scan.stress)) return 0;
    size_t ns = strlen(e.stress);
    json_key(b, "words", 0);
    json_raw(b, "[");
    size_t at = 0;                 /* the next word's first syllable in the stress string */
    for (int i = 0, first = 1; i < n;) {
        /* words said for the same digits are one */
        int j = i + 1, syl = w[i].syllables;
        while (w[i].spoken && j < n && w[j].spoken && w[j].start == w[i].start) syl += w[j++].syllables;
        if (w[i].end > len || w[i].start > w[i].end || at + (size_t)syl > ns) break;
        if (!first) json_raw(b, ",");
        first = 0;
        json_raw(b, "{");
        json_key(b, "word", 1); json_string(b, l->text + w[i].start, w[i].end - w[i].start);
        json_key(b, "syllables", 0); json_int(b, syl);
        json_key(b, "stress", 0); json_string(b, e.stress + at, (size_t)syl);
        if (!w[i].spoken && syl <= EN_WORD_SYL) {
            json_key(b, "parts", 0); json_raw(b, "[");
            for (int k = 0; k < syl; k++) {
                size_t s = w[i].cut[k], t = k + 1 < syl ? w[i].cut[k + 1] : w[i].end;
                if (s < w[i].start || s > w[i].end) s = w[i].end;      /* cannot happen: en_cut's cuts */
                if (t < s || t > w[i].end) t = s;                       /* rise inside the word */
                if (k) json_raw(b, ",");
                json_string(b, l->text + s, t - s);
            }
            json_raw(b, "]");
        }
        json_raw(b, "}");
        at += (size_t)syl;
        i = j;
    }
    json_raw(b, "]");
    return 1;
}

/* Per-line verdicts for counting lines (issue 17: the share of a sample's lines that scan
 * and rhyme): rhymes[i] = 1 when line i shares its rhyme group with another line of the
 * poem; bad_metre[i] = 1 when the form check found a syllable or caesura violation on it. */
static int line_verdicts(const vers_analysis *a, char **rhymes, char **bad_metre) {
    int n = a->n_lines;
    int *count = calloc((size_t)n + 1, sizeof *count);
    *rhymes = calloc((size_t)n + 1, 1);
    *bad_metre = calloc((size_t)n + 1, 1);
    if (!count || !*rhymes || !*bad_metre) { free(count); free(*rhymes); free(*bad_metre); return VERS_ENOMEM; }
    for (int i = 0; i < n; i++) if (a->lines[i].rhyme_id >= 0 && a->lines[i].rhyme_id < n) count[a->lines[i].rhyme_id]++;
    for (int i = 0; i < n; i++) (*rhymes)[i] = a->lines[i].rhyme_id >= 0 && a->lines[i].rhyme_id < n && count[a->lines[i].rhyme_id] > 1;
    for (int k = 0; k < a->n_violations; k++) {
        const vers_violation *v = &a->violations[k];
        if (v->line >= 1 && v->line <= n && (!strcmp(v->what, "syllables") || !strcmp(v->what, "caesura"))) (*bad_metre)[v->line - 1] = 1;
    }
    free(count);
    return VERS_OK;
}

int vers_analysis_json(const vers_analysis *a, char **json, size_t *len, vers_err *err) {
    if (!a || !json) return vers_errorf(err, VERS_EINVAL, "json: NULL argument");
    char *rhymes, *bad_metre;
    if (line_verdicts(a, &rhymes, &bad_metre)) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    json_buf b;
    json_init(&b);
    json_raw(&b, "{");
    json_key(&b, "lang", 1); json_cstr(&b, vers_lang_name(a->lang));
    json_key(&b, "lines", 0); json_raw(&b, "[");
    for (int i = 0; i < a->n_lines; i++) {
        const vers_poem_line *l = &a->lines[i];
        char letter[2] = {l->letter, 0};
        if (i) json_raw(&b, ",");
        json_raw(&b, "\n{");
        json_key(&b, "text", 1); json_cstr(&b, l->text);
        json_key(&b, "line", 0); json_int(&b, l->source_line);
        json_key(&b, "stanza", 0); json_int(&b, l->stanza + 1);
        json_key(&b, "syllables", 0); json_int(&b, l->scan.syllables);
        json_key(&b, "min_syllables", 0); json_int(&b, l->scan.min_syllables);
        json_key(&b, "max_syllables", 0); json_int(&b, l->scan.max_syllables);
        if (a->lang == VERS_LANG_EN) { json_key(&b, "stress", 0); json_cstr(&b, l->scan.stress); }
        json_key(&b, "rhyme", 0); if (l->rhyme_id >= 0) json_cstr(&b, letter); else json_raw(&b, "null");
        json_key(&b, "rhyme_key", 0); json_cstr(&b, l->scan.rhyme_key);
        json_key(&b, "last_word", 0); json_cstr(&b, l->scan.last_word);
        if (a->lang == VERS_LANG_FR) {
            char g[2] = {l->scan.gender, 0};
            json_key(&b, "gender", 0); json_cstr(&b, g);
            json_key(&b, "caesura_ok", 0); json_bool(&b, l->scan.caesura_ok);
            json_key(&b, "hiatus", 0); json_int(&b, l->scan.hiatus);
            json_key(&b, "words", 0); fr_words_json(&b, l);
        } else {
            json_key(&b, "feminine", 0); json_bool(&b, l->scan.gender == 'f');
            en_words_json(&b, a->ctx, l);
        }
        json_key(&b, "rhymes", 0); json_bool(&b, rhymes[i]);
        if (a->checked) {
            json_key(&b, "scans", 0);
            if (a->lines_checked) json_bool(&b, !bad_metre[i]); else json_raw(&b, "null");
        }
        json_raw(&b, "}");
    }
    json_raw(&b, "]");
    json_key(&b, "stanzas", 0); json_raw(&b, "[");
    for (int s = 0; s < a->n_stanzas; s++) { if (s) json_raw(&b, ","); json_int(&b, a->stanza_lines[s]); }
    json_raw(&b, "]");
    json_key(&b, "scheme", 0); json_cstr(&b, a->scheme ? a->scheme : "");
    json_key(&b, "form", 0); if (a->form[0]) json_cstr(&b, a->form); else json_raw(&b, "null");
    if (a->checked) {
        json_key(&b, "ok", 0); json_bool(&b, a->ok);
        json_key(&b, "violations", 0); json_raw(&b, "[");
        for (int i = 0; i < a->n_violations; i++) {
            const vers_violation *v = &a->violations[i];
            if (i) json_raw(&b, ",");
            json_raw(&b, "\n{");
            json_key(&b, "line", 1); json_int(&b, v->line);
            json_key(&b, "what", 0); json_cstr(&b, v->what);
            json_key(&b, "expected", 0); json_cstr(&b, v->expected);
            json_key(&b, "found", 0); json_cstr(&b, v->found);
            json_raw(&b, "}");
        }
        json_raw(&b, "]");
    }
    json_raw(&b, "}\n");
    free(rhymes); free(bad_metre);
    if (b.oom) { json_free(&b); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    *json = b.p;
    if (len) *len = b.n;
    return VERS_OK;
}
