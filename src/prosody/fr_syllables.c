/* src/prosody/fr_syllables.c — metrical syllables of French words and lines.
 *
 * A word is read as letters grouped into vowel groups; each group is one nucleus unless a
 * rule splits it (tréma, é + vowel, diérèse of i/u/ou + vowel by the classical rules).  The
 * final e muet of a word (-e, -es, -ent of verbs) is kept apart: whether it counts depends
 * on the next word (fr.h).  An e after a vowel (vie, joie, prient, dévouement) never
 * counts, as in 19th-century usage.  Where poets vary (hier, ancien, lion in Baudelaire's
 * time) the word carries an optional syllable and the line's count becomes a range. */
#include "prosody/fr_internal.h"
#include "vers/common.h"
#include <string.h>

static int is_v(unsigned c) { return fr_is_vowel(c); }
static int is_trema(unsigned c) { return c == L_IUML || c == L_EUML || c == L_UUML || c == L_YUML; }
static int is_e_acc(unsigned c) { return c == L_EACUTE || c == L_EGRAVE || c == L_ECIRC; }
static int is_liquid(unsigned c) { return c == 'l' || c == 'r'; }
static int is_stop(unsigned c) {
    return c == 'b' || c == 'c' || c == 'd' || c == 'f' || c == 'g' || c == 'k' || c == 'p' ||
           c == 't' || c == 'v';
}

static int ends_with(const unsigned char *w, int n, const char *suf) {
    int k = (int)strlen(suf);
    return n >= k && memcmp(w + n - k, suf, (size_t)k) == 0;
}

/* Vowel classes per letter: 1 vowel, 0 consonant (u of qu/gu, e of gea/geo, y glide). */
static void classify(const unsigned char *w, int n, unsigned char *isv) {
    for (int i = 0; i < n; i++) isv[i] = (unsigned char)is_v(w[i]);
    for (int i = 0; i < n; i++) {
        unsigned c = w[i];
        unsigned nx = i + 1 < n ? w[i + 1] : 0;
        if (c == 'u' && i > 0 && w[i - 1] == 'q') isv[i] = 0;
        else if (c == 'u' && i > 0 && w[i - 1] == 'g' && nx && is_v(nx) && !is_trema(nx)) isv[i] = 0;
        else if (c == 'e' && i > 0 && (w[i - 1] == 'g' || w[i - 1] == L_CCED || w[i - 1] == 'c') &&
                 (nx == 'a' || nx == 'o' || nx == L_ACIRC || nx == L_OCIRC) &&
                 !(nx == 'a' && i + 2 < n && w[i + 2] == 'u')) isv[i] = 0;
        else if (c == 'y') {
            int pv = i > 0 && isv[i - 1];
            int nv = nx && is_v(nx);
            if (nv && (i == 0 || pv)) isv[i] = 0;  /* yeux, voyage: glide; the vowel before keeps its nucleus */
        }
    }
}

/* Number of nuclei in the vowel group g[a..b) of word w (classified by isv), with optional
 * diérèse/synérèse.  The rules of classical versification (see the file header). */
static int group_nuclei(const unsigned char *w, int n, int a, int b, int *more, int *less) {
    int count = 1;
    int i = a;
    /* consonants before the group: CL cluster (pri-er, ou-vri-er) */
    int cl = a >= 2 && is_liquid(w[a - 1]) && is_stop(w[a - 2]);
    int cons_before = a > 0;
    while (i < b - 1) {
        unsigned c = w[i], d = w[i + 1];
        int adv = 1;
        /* digraph units that never split */
        if ((c == 'e' && d == 'a' && i + 2 < b && w[i + 2] == 'u') ) { i += 3; continue; }       /* eau */
        if (c == 'o' && d == 'u') {                                                              /* ou + vowel */
            i += 2;
            if (i < b) {
                unsigned e = w[i];
                if (is_trema(e)) { count++; i++; continue; }
                if (e == 'i' && i + 1 < n && w[i + 1] == 'l') { i++; continue; }                 /* fenouil, mouiller */
                if (e == 'e' && i + 1 == b && i + 1 < n && w[i + 1] == 's' && i + 2 == n) break; /* joues: e muet */
                if (e == 'e' && i + 1 < n && (w[i + 1] == 'm' || i + 1 == n)) break;             /* dévouement */
                if (e == 'e' && ends_with(w, n, "ent") && i == n - 3) break;                     /* jouent */
                if ((e == 'e' && i + 1 < n && w[i + 1] == 's' && i + 2 < n && w[i + 2] == 't')) { i++; continue; } /* ouest */
                if (e == 'a' && i + 1 < n && w[i + 1] == 't' && i + 2 < n && w[i + 2] == 'e') { i++; continue; } /* ouate */
                count++;
            }
            continue;
        }
        if (c == L_OE || (c == 'o' && d == 'e' && i + 2 < b && w[i + 2] == 'u')) {              /* œu, oeu */
            i += (c == L_OE) ? (d == 'u' ? 2 : 1) : 3;
            if (i < b && w[i] != 'i') count += (i < b);                                          /* œil: œ + il */
            continue;
        }
        if (is_trema(d)) { count++; i += 2; continue; }
        if ((c == 'a' || c == 'e' || c == 'o') && (d == 'i' || d == L_ICIRC || d == 'u' || d == L_UCIRC || d == 'y')) {
            i += 2;                                                                              /* ai ei oi au eu oy */
            if (i < b) {
                unsigned e = w[i];
                if (c == 'o' && d == 'i' && e == 'e') { i++; continue; }                         /* oie- */
                if (c == 'a' && d == 'i' && e == 'e') { i++; continue; }                         /* gaiement */
                if (e == 'e' && (ends_with(w, n, "ent") || ends_with(w, n, "es") || ends_with(w, n, "e"))) { i++; continue; }
                if (c == 'e' && d == 'u' && e == 'i') { i++; continue; }                         /* cueillir, feuille */
                if (c == 'a' && d == 'i' && e == 'e') { i++; continue; }
                if (is_e_acc(e) || e == 'a' || e == 'o' || e == 'i') count++;                   /* réunion? rare */
            }
            continue;
        }
        if (is_e_acc(c)) {                                                                       /* é + vowel */
            if (d == 'e' && (i + 2 == n || (i + 2 < n && (w[i + 2] == 's' || w[i + 2] == 'n' || w[i + 2] == 'm')))) { i += 2; continue; }
            count++; i++; continue;
        }
        if (c == 'e' && (d == 'a' || d == 'o' || d == L_ACIRC)) { i++; continue; }              /* jean, geai */
        if (c == 'a' && (is_e_acc(d) || d == 'o' || d == 'a')) {
            if (d == 'o' && i + 2 < n && w[i + 2] == 'n' && (i + 3 == n || (i + 4 == n && w[i + 3] == 's'))) { i += 2; continue; } /* paon */
            if (d == 'o' && i + 2 < b && w[i + 2] == 'u') { i += 3; continue; }                /* août */
            count++; i++; continue;
        }
        if (c == 'o' && (is_e_acc(d) || d == 'a' || d == 'o')) {
            if (d == L_ECIRC) { i += 2; continue; }                                             /* poêle */
            count++; i++; continue;
        }
        if (c == 'o' && d == 'e') { i += 2; continue; }                                         /* moelle */
        if (c == 'i' || c == 'y' || c == L_ICIRC) {                                             /* i + vowel: diérèse? */
            int j = i + 1;
            /* what follows */
            int dier;
            if (cl) dier = 1;
            else if (!cons_before && i == a && a == 0) dier = 1;                                 /* iode */
            else if (d == 'e' && j + 1 < n && w[j + 1] == 'u') {                                /* ieu */
                /* -ieux, -ieuse adjectives: diérèse (mystéri-eux); cieux, mieux, lieux: one */
                int k = j + 2;
                dier = (k < n && (w[k] == 'x' || w[k] == 's'));
                if (dier && a >= 1) {
                    unsigned p = w[a - 1];
                    if ((p == 'c' || p == 'm' || p == 'v' || p == 'l' || p == 'd') && (a == 1 || !is_v(w[a - 2]) || p == 'l' || p == 'd' || p == 'v')) {
                        /* cieux mieux vieux lieux dieux: monosyllabic stems */
                        if (a == 1 || (p == 'd' && a >= 2) || (p == 'l') || (p == 'v' && a == 1) ) dier = 0;
                    }
                    if (p == 'v' && a == 1) dier = 0;
                }
                i = j + 2;
                count += dier;
                continue;
            } else if (d == 'o' || d == L_OCIRC) {
                dier = 1;                                                                        /* nati-on, vi-olon */
                if (j + 1 < n && w[j + 1] == 'n' && j + 2 < n && w[j + 2] == 's' && j + 3 == n) {
                    /* -ions: verb ending (synérèse) unless a noun of -tion/-sion/-gion/-lion */
                    unsigned p = a >= 1 ? w[a - 1] : 0;
                    if (!(p == 't' || p == 's' || p == 'x' || p == 'g' || p == 'l')) dier = 0;
                }
            } else if (d == 'a' || d == L_ACIRC || d == L_AGRAVE || d == 'u') {
                dier = 1;
                if (d == 'a' && j + 1 < n && w[j + 1] == 'i') dier = 1;
            } else if (d == 'e' && j + 1 < n && w[j + 1] == 'n') {                              /* -ien */
                dier = 0;
                unsigned p = a >= 1 ? w[a - 1] : 0;
                int k = j + 2;
                int tail_t = k < n && w[k] == 't' && k + 1 == n;                                 /* -ient */
                int tail_c = k < n && w[k] == 'c';                                               /* -ience */
                if (tail_c) dier = 1;
                else if (tail_t && (p == 'c' || p == 'l' || (p == 't' && a >= 2 && w[a - 2] == 'a'))) dier = 1; /* client, patient */
                else if (!tail_t && (k == n || (k < n && (w[k] == 's' || w[k] == 'n')))) {
                    /* -ien(s), -ienne: diérèse in nouns of -ien (li-en, musici-en, indi-en), not
                     * in bien rien chien mien tien sien viens tiens chrétien */
                    if (p == 'l' || (p == 'c' && a >= 2 && w[a - 2] == 'i') || p == 'd' || p == 'r') dier = 1;
                    if (p == 'r' && a == 1) dier = 0;                                           /* rien */
                    if (p == 't' || p == 'v' || p == 'b' || p == 'h' || p == 'm' || p == 's') dier = 0;
                }
            } else {                                                                             /* ié iè ie */
                dier = 0;
            }
            count += dier;
            i++;
            continue;
        }
        if (c == 'u' || c == L_UCIRC) {                                                          /* u + vowel */
            if (d == 'i' || d == L_ICIRC || d == 'y') {                                          /* nuit: one, ruine: two */
                if (cl == 0 && a >= 1 && w[a - 1] == 'r' && i + 2 < n && w[i + 2] == 'n') count++;
                else if (a >= 2 && w[a - 1] == 'l' && w[a - 2] == 'f' && i + 2 < n && w[i + 2] == 'd') count++;
                i += 2; continue;
            }
            if (d == 'e' && (ends_with(w, n, "ent") || i + 2 == n || (i + 2 < n && w[i + 2] == 'm'))) { i += 2; continue; } /* tuent, dénuement */
            if (d == 'e' && i + 3 == n && w[i + 2] == 's') { i += 2; continue; }
            count++; i++; continue;
        }
        i += adv;
    }
    (void)more; (void)less;
    return count;
}

void fr_word_syllables(const fr_tok *t, fr_wsyl *s) {
    memset(s, 0, sizeof *s);
    const unsigned char *w = t->w;
    int n = t->n;
    if (n == 0) return;
    unsigned char isv[FR_MAXW + 1];
    classify(w, n, isv);

    /* final e muet */
    int stem = n;           /* letters before the e muet ending */
    int efin = 0, fem = 0;
    if (!t->elided) {
        int k = 0;
        if (w[n - 1] == 'e' || (w[n - 1] == L_EUML && n >= 3 && w[n - 2] == 'u' && w[n - 3] == 'g')) k = 1;
        else if (n >= 2 && w[n - 1] == 's' && (w[n - 2] == 'e' || w[n - 2] == L_EUML)) k = 2;
        else if (n >= 3 && ends_with(w, n, "ent") && !fr_ent_not_verb(w, n)) k = 3;
        if (k) {
            int e = n - k;              /* index of the e */
            int has_v = 0;
            for (int i = 0; i < e; i++) if (isv[i]) { has_v = 1; break; }
            if (has_v) {
                stem = e;
                fem = 1;
                if (isv[e - 1] && !(w[e - 1] == 'u' && e >= 2 && (w[e - 2] == 'q' || w[e - 2] == 'g')))
                    efin = 0;           /* vie, joies, prient: the e is silent */
                else efin = (k == 1) ? 1 : 2;
                if (k == 3 && e >= 2 && isv[e - 1] && (w[e - 1] == 'i' || w[e - 1] == 'y') &&
                    (w[e - 2] == 'a' || w[e - 2] == 'o')) fem = 0;   /* -aient, -oient: masculine */
            } else if (k == 1) {
                /* le, de, que, je, ce: the e is the only vowel; it elides before a vowel */
                stem = e; efin = 1;
            }
        }
    }
    /* nuclei in the stem */
    int syl = 0, more = 0, less = 0;
    int i = 0;
    while (i < stem) {
        if (!isv[i]) { i++; continue; }
        int a = i;
        while (i < stem && isv[i]) i++;
        int g = group_nuclei(w, stem, a, i, &more, &less);
        for (int q = 0; q < g && syl < FR_MAXW; q++) s->nucleus_end[syl + q] = i;
        syl += g;
    }
    int xs, xm, xl;
    if (fr_word_syl_exception(w, n, &xs, &xm, &xl)) { syl = xs; more = xm; less = xl; }
    s->syl = syl;
    s->opt_more = more;
    s->opt_less = less;
    s->e_final = efin;
    s->fem = fem;
    unsigned c0 = w[0];
    s->vowel_start = is_v(c0) || (c0 == 'h' && !fr_h_aspire(w, n));
    if (c0 == 'y' && n > 1 && is_v(w[1]) && t->n > 1) s->vowel_start = 1;   /* yeux: d'yeux */
    if (fr_disjunct_vowel(w, n)) s->vowel_start = 0;                         /* le onze, le oui */
    s->ends_vowel = !t->elided && efin == 0 && !fem && syl > 0 && is_v(w[n - 1]);
    if (n == 2 && w[0] == 'e' && w[1] == 't') s->ends_vowel = 1;             /* et: never a liaison */
}

/* ---- lines -------------------------------------------------------------------------- */

#define FR_MAXTOK 128

typedef struct line_words {
    fr_tok tok[FR_MAXTOK];
    fr_wsyl syl[FR_MAXTOK];
    int n;
    int counted[FR_MAXTOK];   /* syllables each word contributes, its final e included */
} line_words;

/* Contribution of word i's final e muet given the next word. */
static int efinal_counts(const line_words *L, int i) {
    const fr_wsyl *s = &L->syl[i];
    if (i + 1 >= L->n) return s->syl == 0 && s->e_final ? 1 : 0;   /* line end: dis-le counts */
    if (s->e_final == 2) return 1;
    if (s->e_final == 1) return L->syl[i + 1].vowel_start ? 0 : 1;
    return 0;
}

static void scan_words(const char *text, size_t len, line_words *L) {
    int n = fr_tokenize(text, len, L->tok, FR_MAXTOK);
    if (n > FR_MAXTOK) n = FR_MAXTOK;
    L->n = n;
    for (int i = 0; i < n; i++) fr_word_syllables(&L->tok[i], &L->syl[i]);
    for (int i = 0; i < n; i++) L->counted[i] = L->syl[i].syl + efinal_counts(L, i);
}

int fr_scan_line(const char *text, size_t len, int target, fr_line *out) {
    if (!out) return VERS_EINVAL;
    memset(out, 0, sizeof *out);
    out->gender = 'm';
    if (!text) return VERS_EINVAL;
    /* long lines: a verse has at most a few dozen words; the tail past FR_MAXTOK words is
     * not counted, but the last word (rhyme) is taken from the true end */
    line_words L;
    scan_words(text, len, &L);
    int total = 0, more = 0, less = 0;
    for (int i = 0; i < L.n; i++) {
        total += L.counted[i];
        more += L.syl[i].opt_more;
        less += L.syl[i].opt_less;
    }
    out->min_syllables = total - less;
    out->max_syllables = total + more;
    out->syllables = total;
    if (target > 0 && target >= out->min_syllables && target <= out->max_syllables) out->syllables = target;

    /* caesura: the usual reading, adjusted by optional syllables only when the chosen
     * count needs them (first the words of the first hemistich are tried) */
    if (out->syllables == 12) {
        int pos = 0;
        out->caesura_ok = 0;
        int delta = out->syllables - total;      /* to distribute */
        for (int i = 0; i < L.n; i++) {
            int c = L.syl[i].syl;
            if (delta > 0 && L.syl[i].opt_more) { c += 1; delta--; }
            else if (delta < 0 && L.syl[i].opt_less) { c -= 1; delta++; }
            pos += c;
            if (pos == 6 && c > 0) {
                int ef = efinal_counts(&L, i);
                if (!ef && i + 1 < L.n && !L.tok[i + 1].hyph_before) out->caesura_ok = 1;
                break;
            }
            pos += efinal_counts(&L, i);
            if (pos >= 6) break;
        }
    }
    /* hiatus */
    for (int i = 0; i + 1 < L.n; i++)
        if (L.syl[i].ends_vowel && L.syl[i + 1].vowel_start && !L.tok[i + 1].hyph_before) out->hiatus++;
    /* last word: gender, rhyme */
    if (L.n > 0) {
        const fr_tok *t = &L.tok[L.n - 1];
        const fr_wsyl *s = &L.syl[L.n - 1];
        out->gender = s->fem && s->syl > 0 ? 'f' : 'm';
        fr_letters_to_utf8(t->w, t->n, out->last_word, sizeof out->last_word);
        fr_rhyme_key(t, s->fem && s->syl > 0, out->rhyme_key, sizeof out->rhyme_key);
    }
    return VERS_OK;
}

int fr_syllabify_words(const char *text, size_t len, fr_word *out, int max) {
    if (!text) return -1;
    line_words L;
    scan_words(text, len, &L);
    for (int i = 0; i < L.n && i < max; i++) {
        fr_word *o = &out[i];
        o->start = L.tok[i].start;
        o->len = L.tok[i].len;
        o->syllables = L.syl[i].syl;
        o->optional = L.syl[i].opt_more;
        o->optional_less = L.syl[i].opt_less;
        o->e_final = (char)L.syl[i].e_final;
        o->vowel_start = (char)L.syl[i].vowel_start;
        o->ends_vowel = (char)L.syl[i].ends_vowel;
    }
    return L.n;
}

int fr_count_prefix(const char *text, size_t len, int *done, int *min_done, int *max_done, int *pending) {
    if (!text || !done || !min_done || !max_done || !pending) return VERS_EINVAL;
    line_words L;
    scan_words(text, len, &L);
    int total = 0, more = 0, less = 0;
    for (int i = 0; i < L.n; i++) {
        total += (i + 1 < L.n) ? L.counted[i] : L.syl[i].syl;
        more += L.syl[i].opt_more;
        less += L.syl[i].opt_less;
    }
    *pending = L.n > 0 && L.syl[L.n - 1].e_final ? 1 : 0;
    *done = total;
    *min_done = total - less;
    *max_done = total + more;
    return VERS_OK;
}
