/* tests/doubles/simple_oracle.c — a small ear by spelling rules, for tests of the search.
 *
 * Syllables are vowel groups (English: a final e after a consonant other than l is mute;
 * French: a final e/es/ent is mute at the line's end and elided before a vowel or h,
 * counted before a consonant).  The rhyme key is the last sounded vowel group and what
 * follows it; French gender is feminine after a mute e.  Its check_poem verifies the plan
 * itself: line count, stanzas, syllables, genders, rhymes within and across groups,
 * refrains, distinct end words, acrostic.  It is deliberately independent of src/prosody so
 * that the writer's tests exercise the search, not the ear; the real binding checks with
 * the same code as `vers check`. */
#include "doubles.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sword { const char *s; int len; } sword;

static int split_words(const char *t, int len, sword *out, int cap) {
    int n = 0, i = 0;
    while (i < len) {
        while (i < len) {
            int adv; uint32_t c = wr_utf8_next(t + i, len - i, &adv);
            if (adv <= 0) return n;
            if (wr_is_letter(c)) break;
            i += adv;
        }
        int s = i;
        while (i < len) {
            int adv; uint32_t c = wr_utf8_next(t + i, len - i, &adv);
            if (adv <= 0 || !(wr_is_letter(c) || c == '-')) break;
            i += adv;
        }
        if (i > s && n < cap) { out[n].s = t + s; out[n].len = i - s; n++; }
        if (i < len && t[i] == '\'') i++;          /* l'âme: two words, the first elided */
    }
    return n;
}

/* letters of a word, lower-cased, as code points */
static int letters(const sword *w, uint32_t *out, int cap) {
    int n = 0;
    for (int i = 0; i < w->len && n < cap;) {
        int adv; uint32_t c = wr_utf8_next(w->s + i, w->len - i, &adv);
        if (adv <= 0) break;
        i += adv;
        if (wr_is_letter(c)) out[n++] = wr_lower(c);
    }
    return n;
}

/* French mute ending: -e, -es, -ent (verbs; taken for every word here) after a consonant */
static int fr_mute_len(const uint32_t *c, int n) {
    if (n >= 2 && c[n - 1] == 'e' && !wr_is_vowel(c[n - 2], 1)) return 1;
    if (n >= 3 && c[n - 2] == 'e' && c[n - 1] == 's' && !wr_is_vowel(c[n - 3], 1)) return 2;
    if (n >= 4 && c[n - 3] == 'e' && c[n - 2] == 'n' && c[n - 1] == 't' && !wr_is_vowel(c[n - 4], 1)) return 3;
    return 0;
}

static int groups(const uint32_t *c, int n, int lang, int *last_group_start) {
    int g = 0, prev = 0;
    for (int i = 0; i < n; i++) {
        int v = wr_is_vowel(c[i], lang);
        if (v && !prev) { g++; if (last_group_start) *last_group_start = i; }
        prev = v;
    }
    return g;
}

static int simple_scan(void *ud, const char *text, int len, int target, wr_scan *out) {
    int lang = (int)(intptr_t)ud;
    (void)target;
    memset(out, 0, sizeof *out);
    out->caesura_ok = 1;
    sword ws[128];
    int nw = split_words(text, len, ws, 128);
    int syl = 0;
    for (int k = 0; k < nw; k++) {
        uint32_t c[64];
        int n = letters(&ws[k], c, 64), lg = 0;
        int last = k == nw - 1;
        if (lang == WR_LANG_FR) {
            int mute = fr_mute_len(c, n);
            int g = groups(c, n - mute, lang, &lg);
            if (g == 0) g = 1;
            if (mute && !last) {
                uint32_t nc[64];
                int nn = letters(&ws[k + 1], nc, 64);
                int elide = nn > 0 && (wr_is_vowel(nc[0], 1) || nc[0] == 'h') && mute == 1;
                if (!elide) g++;
            }
            syl += g;
            if (last) {
                out->gender = mute ? 'f' : 'm';
                int s = 0; groups(c, n - mute, lang, &s);
                char *p = out->rhyme_key; int pl = 0;
                for (int i = s; i < n && pl < 40; i++) {
                    char b[4]; int bl = 0; uint32_t ch = c[i];
                    if (ch < 0x80) b[bl++] = (char)ch;
                    else { b[bl++] = (char)(0xC0 | (ch >> 6)); b[bl++] = (char)(0x80 | (ch & 0x3F)); }
                    memcpy(p + pl, b, (size_t)bl); pl += bl;
                }
                p[pl] = 0;
            }
        } else {
            int g = groups(c, n, lang, &lg);
            int mute = n > 2 && c[n - 1] == 'e' && !wr_is_vowel(c[n - 2], 0) && c[n - 2] != 'l' && g > 1;
            if (mute) g--;
            if (g == 0) g = 1;
            syl += g;
            if (last) {
                int s = 0;
                groups(c, n - (mute ? 1 : 0), lang, &s);
                int pl = 0;
                for (int i = s; i < n && pl < 40; i++) if (c[i] < 0x80) out->rhyme_key[pl++] = (char)c[i];
                out->rhyme_key[pl] = 0;
                out->gender = 'm';
            }
        }
    }
    out->syl = out->syl_min = out->syl_max = syl;
    return VERS_OK;
}

static int simple_rhymes(void *ud, const vers_plan *plan, const wr_scan *a, const wr_scan *b) {
    (void)ud; (void)plan;
    return a->rhyme_key[0] && !strcmp(a->rhyme_key, b->rhyme_key) && a->gender == b->gender;
}

static int plan_line_ok(const wr_scan *s, const vers_plan_line *lp) {
    if (lp->syl_max > 0 && (s->syl < lp->syl_min || s->syl > lp->syl_max)) return 0;
    if (lp->gender && s->gender != lp->gender) return 0;
    return 1;
}

static int simple_line_ok(void *ud, const vers_plan *plan, int i, const char *text, int len, const wr_scan *s,
                          const char *const *prev_texts, const wr_scan *prev_scans) {
    (void)ud; (void)text; (void)len; (void)prev_texts;
    const vers_plan_line *lp = &plan->lines[i];
    if (!plan_line_ok(s, lp)) return 0;
    for (int j = 0; j < i; j++) {
        const vers_plan_line *pj = &plan->lines[j];
        if (pj->rhyme < 0 || lp->rhyme < 0 || pj->refrain_of >= 0 || pj->rentrement_of >= 0) continue;
        int rh = simple_rhymes(ud, plan, s, &prev_scans[j]);
        if ((pj->rhyme == lp->rhyme) != rh) return 0;
    }
    return 1;
}

static int last_word(const char *t, int len, char *out, int cap) {
    sword ws[128];
    int n = split_words(t, len, ws, 128);
    if (n == 0) { out[0] = 0; return 0; }
    int l = ws[n - 1].len < cap - 1 ? ws[n - 1].len : cap - 1;
    for (int i = 0; i < l; i++) { char c = ws[n - 1].s[i]; out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }
    out[l] = 0;
    return 1;
}

static int simple_check(void *ud, const vers_form *form, const vers_plan *plan, const char *poem, size_t len,
                        char *why, size_t whylen) {
    (void)form;
    const char *line[256]; int llen[256], blank_after[256];
    int n = 0;
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && poem[e] != '\n') e++;
        if (e > i) {
            if (n >= 256) { snprintf(why, whylen, "too many lines"); return 0; }
            line[n] = poem + i; llen[n] = (int)(e - i); blank_after[n] = 0; n++;
        } else if (n > 0) blank_after[n - 1] = 1;
        i = e + 1;
    }
    if (n != plan->n_lines) { snprintf(why, whylen, "%d lines, expected %d", n, plan->n_lines); return 0; }
    wr_scan sc[256];
    char ew[256][40];
    for (int k = 0; k < n; k++) {
        const vers_plan_line *lp = &plan->lines[k];
        if (memchr(line[k], '<', (size_t)llen[k])) { snprintf(why, whylen, "line %d: control text", k + 1); return 0; }
        simple_scan(ud, line[k], llen[k], 0, &sc[k]);
        last_word(line[k], llen[k], ew[k], 40);
        if (lp->rentrement_of < 0 && !plan_line_ok(&sc[k], lp)) {
            snprintf(why, whylen, "line %d: %d syllables gender %c, expected %d-%d %c", k + 1, sc[k].syl,
                     sc[k].gender ? sc[k].gender : '-', lp->syl_min, lp->syl_max, lp->gender ? lp->gender : '-');
            return 0;
        }
        if ((k + 1 < n) && (blank_after[k] != wr_stanza_end(plan, k))) { snprintf(why, whylen, "line %d: stanza break", k + 1); return 0; }
        if (wr_line_initial(lp)) {
            int adv; uint32_t c = 0;
            for (int j = 0; j < llen[k]; j += adv) { c = wr_utf8_next(line[k] + j, llen[k] - j, &adv); if (adv <= 0 || wr_is_letter(c)) break; }
            if (wr_lower(c) != wr_line_initial(lp)) { snprintf(why, whylen, "line %d: acrostic letter", k + 1); return 0; }
        }
        if (lp->rentrement_of >= 0) {
            int j = lp->rentrement_of;
            if (llen[k] > llen[j] || memcmp(line[j], line[k], (size_t)llen[k]) ||
                (llen[k] < llen[j] && wr_is_letter((unsigned char)line[j][llen[k]]))) {
                snprintf(why, whylen, "line %d: rentrement differs", k + 1); return 0;
            }
            continue;
        }
        if (lp->refrain_of >= 0) {
            int j = lp->refrain_of;
            if (llen[j] != llen[k] || memcmp(line[j], line[k], (size_t)llen[k])) { snprintf(why, whylen, "line %d: refrain differs", k + 1); return 0; }
            continue;
        }
        for (int j = 0; j < k; j++) {
            if (plan->lines[j].refrain_of >= 0 || plan->lines[j].rentrement_of >= 0) continue;
            if (!strcmp(ew[j], ew[k])) { snprintf(why, whylen, "line %d: end word \"%s\" repeated", k + 1, ew[k]); return 0; }
            if (llen[j] == llen[k] && !memcmp(line[j], line[k], (size_t)llen[k])) { snprintf(why, whylen, "line %d: repeats line %d", k + 1, j + 1); return 0; }
            int same = lp->rhyme >= 0 && plan->lines[j].rhyme == lp->rhyme;
            int rh = simple_rhymes(ud, plan, &sc[j], &sc[k]);
            if (same && !rh) { snprintf(why, whylen, "line %d does not rhyme with line %d", k + 1, j + 1); return 0; }
            if (!same && lp->rhyme >= 0 && plan->lines[j].rhyme >= 0 && rh) { snprintf(why, whylen, "line %d rhymes with line %d of another rhyme", k + 1, j + 1); return 0; }
        }
    }
    return 1;
}

void wr_simple_oracle(wr_oracle *or, int lang) {
    memset(or, 0, sizeof *or);
    or->ud = (void *)(intptr_t)lang;
    or->lang = lang;
    or->scan = simple_scan;
    or->rhymes = simple_rhymes;
    or->line_ok = simple_line_ok;
    or->check_poem = simple_check;
}
