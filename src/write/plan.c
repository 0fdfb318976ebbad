/* src/write/plan.c — a poem's plan: what each verse line must be (syllables, rhyme group,
 * gender, refrain, stanza break, acrostic letter), built from a rhyme scheme.
 *
 * Scheme notation: one letter per line, a space between stanzas ("ABBA ABBA CCD EED").
 * Letters of the same name (any case) rhyme together; '-' or '.' is an unrhymed line.  A
 * letter followed by digits ("A1", "A2") names a refrain: its later occurrences repeat the
 * first one verbatim (villanelle: "A1bA2 abA1 abA2 abA1 abA2 abA1A2"). */
#include "write/wr.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 256

int wr_plan_from_scheme(wr_plan *p, const char *scheme, int syl_lo, int syl_hi, int lang, vers_err *err) {
    memset(p, 0, sizeof *p);
    if (!scheme) return vers_errorf(err, VERS_EINVAL, "no rhyme scheme");
    if (syl_lo < 0 || syl_hi < syl_lo || syl_hi > 40)
        return vers_errorf(err, VERS_EINVAL, "syllables per line must be between 1 and 40");
    p->lines = calloc(MAX_LINES, sizeof *p->lines);
    if (!p->lines) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    p->lang = lang;
    int group_of[128];
    for (int i = 0; i < 128; i++) group_of[i] = -1;
    struct { char letter; int num; int line; } refr[64];
    int n_refr = 0;
    for (const char *s = scheme; *s;) {
        unsigned char ch = (unsigned char)*s;
        if (ch == ' ' || ch == '|' || ch == '/' || ch == '\t' || ch == '\n') {
            if (p->n > 0) p->lines[p->n - 1].stanza_end = 1;
            if (ch == '|') break;                       /* "X | Y": alternatives, take the first */
            s++;
            continue;
        }
        if (p->n >= MAX_LINES) { wr_plan_free(p); return vers_errorf(err, VERS_EINVAL, "scheme has more than %d lines", MAX_LINES); }
        wr_line_plan *lp = &p->lines[p->n];
        lp->syl_lo = syl_lo; lp->syl_hi = syl_hi;
        lp->target = syl_hi;
        lp->rhyme = -1; lp->refrain_of = -1; lp->rentrement_of = -1;
        if (ch == '-' || ch == '.') { s++; p->n++; continue; }
        if (!isalpha(ch)) { wr_plan_free(p); return vers_errorf(err, VERS_EINVAL, "bad character '%c' in rhyme scheme", ch); }
        int key = tolower(ch);
        if (group_of[key] < 0) group_of[key] = p->n_groups++;
        lp->rhyme = group_of[key];
        s++;
        if (isdigit((unsigned char)*s)) {
            int num = 0;
            while (isdigit((unsigned char)*s)) { num = num * 10 + (*s - '0'); s++; if (num > 99) break; }
            int found = -1;
            for (int r = 0; r < n_refr; r++) if (refr[r].letter == key && refr[r].num == num) found = refr[r].line;
            if (found >= 0) lp->refrain_of = found;
            else if (n_refr < 64) { refr[n_refr].letter = (char)key; refr[n_refr].num = num; refr[n_refr].line = p->n; n_refr++; }
        }
        p->n++;
    }
    if (p->n == 0) { wr_plan_free(p); return vers_errorf(err, VERS_EINVAL, "empty rhyme scheme"); }
    p->lines[p->n - 1].stanza_end = 0;
    return VERS_OK;
}

void wr_plan_free(wr_plan *p) { free(p->lines); memset(p, 0, sizeof *p); }

/* Classical alternance: two adjacent lines that do not rhyme together have different
 * genders.  Genders are given per rhyme group by a two-colouring of that adjacency graph;
 * where the graph is not two-colourable (a stanza "ABC"), the later edge is left free. */
void wr_plan_alternate(wr_plan *p) {
    int g = p->n_groups;
    if (g <= 0) return;
    int *col = calloc((size_t)g, sizeof *col);
    if (!col) return;
    /* colour in order of first appearance; each group takes the colour opposite to a
     * coloured neighbour's */
    for (int i = 0; i < p->n; i++) {
        int a = p->lines[i].rhyme;
        if (a < 0 || col[a]) continue;
        int want = 0;
        for (int j = 0; j < p->n && !want; j++) {
            int b = p->lines[j].rhyme;
            if (b != a) continue;
            int nb[2] = {j > 0 ? p->lines[j - 1].rhyme : -1, j + 1 < p->n ? p->lines[j + 1].rhyme : -1};
            for (int k = 0; k < 2 && !want; k++)
                if (nb[k] >= 0 && nb[k] != a && col[nb[k]]) want = col[nb[k]] == 'm' ? 'f' : 'm';
        }
        col[a] = want ? want : 'f';
    }
    for (int i = 0; i < p->n; i++)
        if (p->lines[i].rhyme >= 0) p->lines[i].gender = col[p->lines[i].rhyme];
    free(col);
}

int wr_plan_acrostic(wr_plan *p, const char *word, vers_err *err) {
    uint32_t letters[MAX_LINES];
    int n = 0, len = (int)strlen(word);
    for (int i = 0; i < len;) {
        int adv; uint32_t c = wr_utf8_next(word + i, len - i, &adv);
        if (adv <= 0) break;
        i += adv;
        if (c == ' ' || c == '-' || c == '\'') continue;
        if (!wr_is_letter(c)) return vers_errorf(err, VERS_EINVAL, "acrostic word must be letters");
        if (n >= MAX_LINES) return vers_errorf(err, VERS_EINVAL, "acrostic word too long");
        letters[n++] = wr_lower(c);
    }
    if (n == 0) return vers_errorf(err, VERS_EINVAL, "empty acrostic word");
    if (n != p->n)
        return vers_errorf(err, VERS_EINVAL, "acrostic \"%s\" has %d letters but the poem has %d lines", word, n, p->n);
    for (int i = 0; i < n; i++) {
        if (p->lines[i].refrain_of >= 0 && letters[i] != letters[p->lines[i].refrain_of])
            return vers_errorf(err, VERS_EINVAL, "acrostic letter %d falls on a refrain with another first letter", i + 1);
        p->lines[i].acrostic = letters[i];
    }
    return VERS_OK;
}
