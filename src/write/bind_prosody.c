/* src/write/bind_prosody.c — the writer's ear (wr_oracle) over the prosody API.
 *
 * scan: vers_scan_line at the line's target; rhymes: vers_lines_rhyme at the plan's
 * quality; line_ok: vers_check_line on the plan it is given, the very test the whole-poem
 * check applies to a line given the lines before it; check_poem: vers_analyse with the form
 * it is given, as `vers check`.  The ear keeps no request of its own: plan and form come
 * with every question. */
#include "write/bind.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(vers_line) <= sizeof(((wr_scan *)0)->ext), "wr_scan.ext too small for vers_line");

static int b_scan(void *ud, const char *text, int len, int target, wr_scan *out) {
    wr_prosody_oracle *po = ud;
    vers_line vl;
    memset(out, 0, sizeof *out);
    int rc = vers_scan_line(po->p, po->vlang, text, (size_t)len, target, &vl);
    if (rc) return rc;
    out->syl = vl.syllables;
    out->syl_min = vl.min_syllables;
    out->syl_max = vl.max_syllables;
    out->gender = po->vlang == VERS_LANG_FR ? vl.gender : 0;
    out->caesura_ok = vl.caesura_ok;
    snprintf(out->rhyme_key, sizeof out->rhyme_key, "%s", vl.rhyme_key);
    memcpy(out->ext, &vl, sizeof vl);
    return VERS_OK;
}

static int b_rhymes(void *ud, const vers_plan *plan, const wr_scan *a, const wr_scan *b) {
    (void)ud;
    vers_line x, y;
    memcpy(&x, a->ext, sizeof x); memcpy(&y, b->ext, sizeof y);
    int q = plan ? plan->min_quality : 1;
    return vers_lines_rhyme(&x, &y, q);
}

static int b_line_ok(void *ud, const vers_plan *plan, int i, const char *text, int len, const wr_scan *s,
                     const char *const *prev_texts, const wr_scan *prev_scans) {
    wr_prosody_oracle *po = ud;
    (void)s;
    if (!plan || i < 0 || i >= plan->n_lines) return 0;
    if (i + 1 > po->cap_lines) {
        int cap = i + 64;
        vers_line *nl = realloc(po->lines, sizeof *nl * (size_t)cap);
        if (!nl) return 0;
        po->lines = nl; po->cap_lines = cap;
    }
    for (int j = 0; j < i; j++) memcpy(&po->lines[j], prev_scans[j].ext, sizeof(vers_line));
    int k = vers_check_line(po->p, plan, i, po->lines, prev_texts, text, (size_t)len, NULL, NULL, 0);
    return k == 0;
}

static int b_check(void *ud, const vers_form *form, const vers_plan *plan, const char *poem, size_t len,
                   char *why, size_t whylen) {
    wr_prosody_oracle *po = ud;
    (void)plan;
    if (!form) { snprintf(why, whylen, "no form to check against"); return -1; }
    vers_analyse_opts ao = {po->vlang, form, 0};
    vers_analysis *a = NULL;
    vers_err err = {0};
    if (vers_analyse(po->p, poem, len, &ao, &a, &err)) { snprintf(why, whylen, "%s", err.msg); return -1; }
    int ok = a->ok ? 1 : 0;
    if (!ok) {
        if (a->n_violations > 0) {
            const vers_violation *v = &a->violations[0];
            snprintf(why, whylen, "line %d: %s: expected %s, found %s", v->line, v->what, v->expected, v->found);
        } else snprintf(why, whylen, "the poem does not conform");
    }
    vers_analysis_free(a);
    return ok;
}

void wr_prosody_oracle_init(wr_prosody_oracle *po, const vers_prosody *p, int lang) {
    memset(po, 0, sizeof *po);
    po->p = p;
    po->vlang = lang == WR_LANG_FR ? VERS_LANG_FR : VERS_LANG_EN;
    po->or.ud = po;
    po->or.lang = lang;
    po->or.scan = b_scan;
    po->or.rhymes = b_rhymes;
    po->or.line_ok = b_line_ok;
    po->or.check_poem = b_check;
}

void wr_prosody_oracle_free(wr_prosody_oracle *po) { free(po->lines); po->lines = NULL; po->cap_lines = 0; }
