/* src/prosody/prosody.c — the prosody context and one-line entry points of the public API:
 * scanning a line in either language, rhyme quality and the rhyme test schemes use, prefix
 * counting for the writer, language guessing, and the text folding shared by the checks. */
#include "prosody/prosody_internal.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vers_lang_parse(const char *s) {
    if (!s) return -1;
    if (!strcmp(s, "en") || !strcmp(s, "english")) return VERS_LANG_EN;
    if (!strcmp(s, "fr") || !strcmp(s, "french") || !strcmp(s, "français")) return VERS_LANG_FR;
    if (!strcmp(s, "auto")) return VERS_LANG_AUTO;
    return -1;
}

const char *vers_lang_name(int lang) {
    return lang == VERS_LANG_EN ? "en" : lang == VERS_LANG_FR ? "fr" : "auto";
}

int vers_prosody_open(const char *en_dict_path, vers_prosody **out, vers_err *err) {
    if (!out) return vers_errorf(err, VERS_EINVAL, "prosody: NULL argument");
    *out = NULL;
    vers_prosody *p = calloc(1, sizeof *p);
    if (!p) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    vers_err e = {0};
    int rc = en_dict_load(en_dict_path, &p->en, &e);
    if (rc) { free(p); return vers_errorf(err, rc, "%s", e.msg); }
    if (e.code) snprintf(p->warning, sizeof p->warning, "%s", e.msg);
    *out = p;
    return VERS_OK;
}

void vers_prosody_close(vers_prosody *p) {
    if (!p) return;
    en_dict_free(p->en);
    free(p);
}

const char *vers_prosody_warning(const vers_prosody *p) {
    return p && p->warning[0] ? p->warning : NULL;
}

/* ---- scanning ---- */

void vline_from_en(const en_line *e, vers_line *o) {
    memset(o, 0, sizeof *o);
    o->lang = VERS_LANG_EN;
    o->syllables = e->syllables;
    o->min_syllables = e->min_syllables;
    o->max_syllables = e->max_syllables;
    snprintf(o->stress, sizeof o->stress, "%s", e->stress);
    snprintf(o->rhyme_key, sizeof o->rhyme_key, "%s", e->rhyme_key);
    o->gender = e->feminine ? 'f' : 'm';
    o->caesura_ok = 1;
    snprintf(o->last_word, sizeof o->last_word, "%s", e->last_word);
}

static void to_en(const vers_line *o, en_line *e) {
    memset(e, 0, sizeof *e);
    e->syllables = o->syllables;
    e->min_syllables = o->min_syllables;
    e->max_syllables = o->max_syllables;
    snprintf(e->stress, sizeof e->stress, "%s", o->stress);
    snprintf(e->rhyme_key, sizeof e->rhyme_key, "%s", o->rhyme_key);
    e->feminine = o->gender == 'f';
    snprintf(e->last_word, sizeof e->last_word, "%s", o->last_word);
}

static void from_fr(const fr_line *f, vers_line *o) {
    memset(o, 0, sizeof *o);
    o->lang = VERS_LANG_FR;
    o->syllables = f->syllables;
    o->min_syllables = f->min_syllables;
    o->max_syllables = f->max_syllables;
    snprintf(o->rhyme_key, sizeof o->rhyme_key, "%s", f->rhyme_key);
    o->gender = f->gender == 'f' ? 'f' : 'm';
    o->caesura_ok = f->caesura_ok;
    o->hiatus = f->hiatus;
    snprintf(o->last_word, sizeof o->last_word, "%s", f->last_word);
}

static void to_fr(const vers_line *o, fr_line *f) {
    memset(f, 0, sizeof *f);
    f->syllables = o->syllables;
    f->min_syllables = o->min_syllables;
    f->max_syllables = o->max_syllables;
    f->gender = o->gender;
    snprintf(f->rhyme_key, sizeof f->rhyme_key, "%s", o->rhyme_key);
    f->caesura_ok = o->caesura_ok;
    f->hiatus = o->hiatus;
    snprintf(f->last_word, sizeof f->last_word, "%s", o->last_word);
}

int vers_scan_line(const vers_prosody *p, int lang, const char *text, size_t len, int target,
                   vers_line *out) {
    if (!out || (!text && len)) return VERS_EINVAL;
    if (!text) text = "";
    if (target < 0) target = 0;
    if (lang == VERS_LANG_FR) {
        fr_line f;
        int rc = fr_scan_line(text, len, target, &f);
        if (rc) return rc;
        from_fr(&f, out);
        char modern[96];
        if (fr_modern_spelling(out->last_word, modern, sizeof modern)) {
            fr_line m;
            if (!fr_scan_line(modern, strlen(modern), 0, &m) && strcmp(m.rhyme_key, f.rhyme_key)) {
                snprintf(out->alt_key, sizeof out->alt_key, "%s", m.rhyme_key);
                out->alt_gender = m.gender;
            }
        }
        return VERS_OK;
    }
    if (lang == VERS_LANG_EN) {
        if (!p || !p->en) return VERS_EINVAL;
        en_line e;
        int rc = en_scan_line(p->en, text, len, target, &e);
        if (rc) return rc;
        vline_from_en(&e, out);
        return VERS_OK;
    }
    return VERS_EINVAL;
}

/* ---- rhyme similarity ---- */

/* English keys: ARPAbet names joined ("AYT").  Split greedily (two letters first). */
static const char *const en_names[] = {
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH",
    "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH",
    "UH", "UW", "V", "W", "Y", "Z", "ZH"};
enum { P_AH = 2, P_AY = 5, P_ER = 11, P_IH = 16, P_IY = 17, P_R = 27, P_NPH = 39 };

static int en_is_vowel_ph(int ph) { return en_names[ph][0] == 'A' || en_names[ph][0] == 'E' || en_names[ph][0] == 'I' || en_names[ph][0] == 'O' || en_names[ph][0] == 'U'; }

/* Splits key[i..] into phonemes; two-letter names first, backtracking when the rest
 * does not parse ("IHTHHAEL" is IH TH HH AE L, not IH T HH ...). */
static int en_split_at(const char *key, size_t i, int *out, int n, int max) {
    if (!key[i]) return n;
    if (n >= max) return -1;
    for (int len = 2; len >= 1; len--) {
        if (len == 2 && !key[i + 1]) continue;
        for (int p = 0; p < P_NPH; p++) {
            const char *nm = en_names[p];
            if ((nm[1] ? 2 : 1) != len || nm[0] != key[i] || (len == 2 && nm[1] != key[i + 1])) continue;
            out[n] = p;
            int r = en_split_at(key, i + (size_t)len, out, n + 1, max);
            if (r >= 0) return r;
        }
    }
    return -1;
}

static int en_split(const char *key, int *out, int max) {
    int n = en_split_at(key, 0, out, 0, max);
    if (n < 0) return -1;
    /* "fire" AY ER / AY R, "flowers" AW ER Z / AW R Z: a vowel then ER is read as vowel + R */
    for (int i = 1; i < n; i++) if (out[i] == P_ER && en_is_vowel_ph(out[i - 1])) out[i] = P_R;
    /* ER elsewhere is AH + R, so that "burn" and "scorn" share their coda RN */
    for (int i = 0; i < n && n < max; i++)
        if (out[i] == P_ER) {
            memmove(out + i + 2, out + i + 1, sizeof *out * (size_t)(n - i - 1));
            out[i] = P_AH; out[i + 1] = P_R;
            n++;
        }
    return n;
}

enum { PREP_EN = 1, PREP_VAR = 2, PREP_PH = 4, PREP_EYE = 8 };

void rhyme_prep_init(rhyme_prep *r, const vers_line *line) { r->line = line; r->ready = 0; }

/* Fills one part of a prepared ending, once. */
static void prep_need(const vers_prosody *p, rhyme_prep *r, int what) {
    if (r->ready & what) return;
    const vers_line *a = r->line;
    if (what == PREP_EN) to_en(a, &r->x);
    else if (what == PREP_VAR) r->n_var = en_rhyme_key_variants(p->en, a->last_word, strlen(a->last_word), r->var, EN_RHYME_VARIANTS);
    else if (what == PREP_PH) r->n_ph = en_split(a->rhyme_key, r->ph, 32);
    else eye_key(a->last_word, a->lang, r->eye, sizeof r->eye);
    r->ready |= what;
}

static int en_score(const vers_prosody *p, rhyme_prep *ra, rhyme_prep *rb) {
    prep_need(p, ra, PREP_EN); prep_need(p, rb, PREP_EN);
    /* with the dictionary, the other pronunciations of both words count too (live/give) */
    int q = en_rhyme_quality(&ra->x, &rb->x);
    if (q < 2 && p && p->en) {
        prep_need(p, ra, PREP_VAR); prep_need(p, rb, PREP_VAR);
        q = en_rhyme_quality_variants(&ra->x, &rb->x, q, ra->var, ra->n_var, rb->var, rb->n_var);
    }
    if (q >= 3) return 30;
    if (q == 2) return 20;
    prep_need(p, ra, PREP_PH); prep_need(p, rb, PREP_PH);
    const int *pa = ra->ph, *pb = rb->ph;
    int na = ra->n_ph, nb = rb->n_ph;
    int best = q == 1 ? 10 : 0;
    if (na > 0 && nb > 0) {
        if (na == nb && !memcmp(pa, pb, sizeof *pa * (size_t)na)) return 20;
        /* the final syllables: from the last vowel on */
        int ta = na - 1, tb = nb - 1;
        while (ta >= 0 && !en_is_vowel_ph(pa[ta])) ta--;
        while (tb >= 0 && !en_is_vowel_ph(pb[tb])) tb--;
        if (ta < 0 || tb < 0) return best;
        int la = na - ta, lb = nb - tb;
        if (la == lb && !memcmp(pa + ta, pb + tb, sizeof *pa * (size_t)la)) {
            int weak = la == 1 && (pa[ta] == P_AH || pa[ta] == P_IH || pa[ta] == P_ER);
            /* an open weak vowel ("-er", "-a") needs the consonant before it too */
            if (!weak || (ta > 0 && tb > 0 && pa[ta - 1] == pb[tb - 1])) return 15;
        }
        /* the unstressed "-y" of older verse rhymes on "-eye" ("liberty"/"die") */
        int ya = la == 1 && pa[ta] == P_IY && ta > 0, yb = lb == 1 && pb[tb] == P_IY && tb > 0;
        if ((ya && lb == 1 && (pb[tb] == P_AY || pb[tb] == P_IY)) || (yb && la == 1 && (pa[ta] == P_AY || pa[ta] == P_IY)))
            return 15;
        /* same coda after the last vowel, one of the two unstressed there ("withal"/"fall",
         * "solitude"/"stood") */
        if ((ta > 0 || tb > 0 || la > 2) && la > 1 && la == lb && !memcmp(pa + ta + 1, pb + tb + 1, sizeof *pa * (size_t)(la - 1)))
            if (best < 10) best = 10;
    }
    return best;
}

/* French keys: strip e muet, read a final glide as its vowel, keep the last vowel + coda. */
static void fr_norm(const char *key, char *out, size_t size) {
    char t[64];
    size_t n = 0;
    for (const char *c = key; *c && n + 1 < sizeof t; c++) if (*c != '@') t[n++] = *c;
    t[n] = 0;
    if (n && t[n - 1] == 'j') t[n - 1] = 'i';
    if (n && t[n - 1] == 'w') t[n - 1] = 'u';
    if (n && t[n - 1] == 'H') t[n - 1] = 'y';
    long i = (long)n - 1;
    while (i >= 0 && !strchr("aeEioOuy29AIN", t[i])) i--;
    if (i < 0) { out[0] = 0; return; }
    snprintf(out, size, "%s", t + i);
}

static int fr_score(const vers_line *a, const vers_line *b) {
    fr_line x, y;
    to_fr(a, &x); to_fr(b, &y);
    int q = fr_rhyme_quality(&x, &y);
    if (a->last_word[0] && !strcmp(a->last_word, b->last_word)) return 30;
    if (q > 0) return 20 + q;
    const char *ka[2] = {a->rhyme_key, a->alt_key}, *kb[2] = {b->rhyme_key, b->alt_key};
    char na[64], nb[64];
    for (int i = 0; i < 2; i++) {
        if (!ka[i][0]) continue;
        fr_norm(ka[i], na, sizeof na);
        if (!na[0]) continue;
        for (int j = 0; j < 2; j++) {
            if (!kb[j][0]) continue;
            fr_norm(kb[j], nb, sizeof nb);
            if (!strcmp(na, nb)) return 15;
        }
    }
    return 0;
}

int rhyme_score_prep(const vers_prosody *p, rhyme_prep *ra, rhyme_prep *rb) {
    const vers_line *a = ra->line, *b = rb->line;
    if (!a || !b || a->lang != b->lang || !a->last_word[0] || !b->last_word[0]) return 0;
    int sc = a->lang == VERS_LANG_FR ? fr_score(a, b) : en_score(p, ra, rb);
    if (sc) return sc;
    prep_need(p, ra, PREP_EYE); prep_need(p, rb, PREP_EYE);
    return ra->eye[0] && !strcmp(ra->eye, rb->eye) ? 5 : 0;
}

int rhyme_score_in(const vers_prosody *p, const vers_line *a, const vers_line *b) {
    rhyme_prep x, y;
    rhyme_prep_init(&x, a); rhyme_prep_init(&y, b);
    return rhyme_score_prep(p, &x, &y);
}

int rhyme_score(const vers_line *a, const vers_line *b) { return rhyme_score_in(NULL, a, b); }

/* Quality level of a rhyme score (see rhyme_score): the scale vers_rhyme_quality reports. */
static int score_quality(int lang, int sc) {
    if (lang == VERS_LANG_FR) {
        if (sc >= 30) return 3;
        if (sc > 20) return sc - 20;
        return sc >= 15 ? 1 : 0;
    }
    return sc >= 30 ? 3 : sc >= 15 ? 2 : sc >= 10 ? 1 : 0;
}

int vers_rhyme_quality(const vers_line *a, const vers_line *b) {
    if (!a || !b) return 0;
    return score_quality(a->lang, rhyme_score(a, b));
}

int lines_rhyme_in(const vers_prosody *p, const vers_line *a, const vers_line *b, int min_quality) {
    int sc = rhyme_score_in(p, a, b);
    if (min_quality <= 1) return sc >= 5;
    return score_quality(a->lang, sc) >= min_quality;
}

int vers_lines_rhyme(const vers_line *a, const vers_line *b, int min_quality) {
    if (!a || !b) return 0;
    return lines_rhyme_in(NULL, a, b, min_quality);
}

int vers_count_prefix(const vers_prosody *p, int lang, const char *text, size_t len,
                      int *done, int *min_done, int *max_done, int *pending) {
    if (!text && len) return VERS_EINVAL;
    if (!text) text = "";
    int d = 0, lo = 0, hi = 0, pe = 0;
    if (lang == VERS_LANG_FR) {
        int rc = fr_count_prefix(text, len, &d, &lo, &hi, &pe);
        if (rc) return rc;
    } else if (lang == VERS_LANG_EN) {
        if (!p || !p->en) return VERS_EINVAL;
        en_line e;
        int rc = en_scan_line(p->en, text, len, 0, &e);
        if (rc) return rc;
        d = e.syllables; lo = e.min_syllables; hi = e.max_syllables;
    } else return VERS_EINVAL;
    if (done) *done = d;
    if (min_done) *min_done = lo;
    if (max_done) *max_done = hi;
    if (pending) *pending = pe;
    return VERS_OK;
}

const char *quality_name(int lang, int q) {
    static const char *en[] = {"none", "slant", "perfect", "identical"};
    static const char *fr[] = {"none", "pauvre", "suffisante", "riche"};
    if (q < 0) q = 0;
    if (q > 3) q = 3;
    return lang == VERS_LANG_FR ? fr[q] : en[q];
}

int default_min_quality(int lang) { (void)lang; return 1; }

/* ---- text folding ---- */

/* U+00C0..U+00FF folded to ASCII ("" = separator). */
static const char *const latin1_fold[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};

size_t text_fold(const char *s, size_t len, char *out, size_t size) {
    size_t n = 0;
    int space = 1;   /* collapse leading / repeated separators */
    if (!size) return 0;
    for (size_t i = 0; i < len && n + 3 < size;) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        char one[2] = {0, 0};
        if (c < 128) {
            if (isalnum(c)) { one[0] = (char)tolower(c); rep = one; }
            i++;
        } else if (c == 0xC3 && i + 1 < len && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
            rep = latin1_fold[(unsigned char)s[i + 1] - 0x80];
            i += 2;
        } else if (c == 0xC5 && i + 1 < len && ((unsigned char)s[i + 1] == 0x92 || (unsigned char)s[i + 1] == 0x93)) {
            rep = "oe";
            i += 2;
        } else {
            /* any other sequence (curly quotes, dashes, invalid bytes) separates words */
            i++;
            while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        }
        if (rep && *rep) {
            for (const char *r = rep; *r && n + 1 < size; r++) out[n++] = *r;
            space = 0;
        } else if (!space) {
            out[n++] = ' ';
            space = 1;
        }
    }
    while (n && out[n - 1] == ' ') n--;
    out[n] = 0;
    return n;
}

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }
static int is_vowel_en(char c) { return is_vowel(c) || c == 'w'; }

void eye_key(const char *word, int lang, char *out, size_t size) {
    char w[128];
    size_t n = text_fold(word, strlen(word), w, sizeof w);
    out[0] = 0;
    /* the last word only */
    char *sp = strrchr(w, ' ');
    const char *s = sp ? sp + 1 : w;
    n = strlen(s);
    if (n < 3) return;
    long end = (long)n;   /* the part that must be equal runs from `start` to the end */
    long i = end - 1;
    /* skip the unsounded tail: EN silent final e; FR feminine -e, -es, -ent */
    long tail = end;
    if (lang == VERS_LANG_FR) {
        if (n > 3 && !strcmp(s + n - 3, "ent")) tail = end - 3;
        else if (n > 2 && !strcmp(s + n - 2, "es")) tail = end - 2;
        else if (s[n - 1] == 'e') tail = end - 1;
    } else if (s[n - 1] == 'e' && !is_vowel(s[n - 2])) tail = end - 1;
    i = tail - 1;
    int (*vow)(char) = lang == VERS_LANG_FR ? is_vowel : is_vowel_en;
    while (i >= 0 && !vow(s[i])) i--;            /* final consonants */
    while (i >= 0 && vow(s[i])) i--;             /* the last sounded vowel group */
    long start = i + 1;
    if (start >= tail) return;                    /* no vowel in the sounded part */
    /* short endings take the consonant before them ("-fie", "-vie"); "-ow" stands alone */
    if (end - start < 3 && !(lang != VERS_LANG_FR && end - start == 2 && s[end - 1] == 'w')) {
        if (start == 0 || end - start + 1 < 3) return;
        start--;
    }
    snprintf(out, size, "%s", s + start);
}

int text_initial(const char *s, size_t len) {
    /* fold a short prefix: enough for the first letter after any punctuation */
    size_t take = len < 64 ? len : 64;
    char tmp[200];
    text_fold(s, take, tmp, sizeof tmp);
    for (char *c = tmp; *c; c++) if (isalpha((unsigned char)*c)) return toupper((unsigned char)*c);
    return 0;
}

int fr_caesura_at(const char *text, size_t len, int n) {
    fr_word w[128];
    int nw = fr_syllabify_words(text, len, w, 128);
    if (nw <= 0) return 0;
    if (nw > 128) nw = 128;
    int lo = 0, hi = 0;
    for (int k = 0; k < nw; k++) {
        lo += w[k].syllables - w[k].optional_less;
        hi += w[k].syllables + w[k].optional;
        int next_vowel = k + 1 < nw && w[k + 1].vowel_start;
        int counted_e = w[k].e_final && !(w[k].e_final == 1 && next_vowel);
        if (k + 1 < nw && lo <= n && n <= hi && !counted_e) return 1;
        if (counted_e) { lo++; hi++; }
        if (lo > n) break;
    }
    return 0;
}

/* Older French spellings of a rhyme word brought to modern ones where the sound is
 * unambiguous: -ez → -és, final -z → -s, -ault → -aut, oy → oi, ay → ai, uy → ui,
 * -ict → -it, ë → e.  Returns 1 when the word changed. */
int fr_modern_spelling(const char *w, char *out, size_t size) {
    static const struct { const char *from, *to; int at_end; } rules[] = {
        {"ez", "\xc3\xa9s", 1}, {"z", "s", 1}, {"ault", "aut", 0}, {"aulx", "aux", 1}, {"oult", "out", 0},
        {"oy", "oi", 0}, {"ay", "ai", 0}, {"uy", "ui", 0}, {"ict", "it", 1}, {"ictz", "its", 1},
        {"\xc3\xab", "e", 0}, {"ij", "ii", 0}, {"oulx", "oux", 1},
        {"estr", "\xc3\xaatr", 0}, {"ast", "\xc3\xa2t", 0}, {"ost", "\xc3\xb4t", 0}, {"esm", "\xc3\xaam", 0},
    };
    size_t n = strlen(w);
    if (!size || n + 8 >= size) { if (size) out[0] = 0; return 0; }
    snprintf(out, size, "%s", w);
    int changed = 0;
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        size_t fl = strlen(rules[r].from), tl = strlen(rules[r].to);
        char *p = out;
        while ((p = strstr(p, rules[r].from)) != NULL) {
            size_t cur = strlen(out);
            if (rules[r].at_end && p + fl != out + cur) { p += fl; continue; }
            if (cur - fl + tl + 1 > size) break;
            memmove(p + tl, p + fl, cur - (size_t)(p - out) - fl + 1);
            memcpy(p, rules[r].to, tl);
            p += tl;
            changed = 1;
        }
    }
    return changed;
}

/* ---- language guess ---- */

static int in_list(const char *w, const char *const *list) {
    for (; *list; list++) if (!strcmp(w, *list)) return 1;
    return 0;
}

int vers_detect_lang(const char *text, size_t len) {
    static const char *const fr[] = {
        "le", "la", "les", "de", "des", "du", "et", "un", "une", "je", "tu", "il", "elle", "nous",
        "vous", "ils", "que", "qui", "dans", "pour", "sur", "ne", "pas", "est", "mon", "ma", "mes",
        "ton", "ta", "tes", "son", "sa", "ses", "ce", "cette", "au", "aux", "plus", "comme", "mais",
        "ou", "sous", "sans", "avec", "leur", "leurs", "quand", "en", "se", "lui", "moi", "toi",
        "qu", "l", "d", "j", "n", "s", "c", "m", "t", "vos", "nos", "cest", "tout", "sont", NULL};
    static const char *const en[] = {
        "the", "and", "of", "to", "in", "is", "that", "it", "with", "my", "i", "you", "he", "she",
        "his", "her", "we", "they", "not", "be", "for", "on", "as", "at", "this", "but", "thy",
        "thou", "thee", "me", "all", "was", "are", "from", "by", "so", "what", "when", "which",
        "or", "have", "had", "will", "shall", "their", "there", "no", "an", "o", "like", "love",
        "your", "our", "were", "him", "them", "who", "how", "upon", NULL};
    long nfr = 0, nen = 0, accents = 0;
    size_t lim = len < (1u << 16) ? len : (1u << 16);   /* 64 KiB decide it */
    for (size_t i = 0; i + 1 < lim; i++) {
        unsigned char c = (unsigned char)text[i], d = (unsigned char)text[i + 1];
        if (c == 0xC3 && (d == 0xA9 || d == 0xA8 || d == 0xAA || d == 0xA0 || d == 0xA7 || d == 0xA2 ||
                          d == 0xB4 || d == 0xBB || d == 0xAE || d == 0x89)) accents++;
    }
    char word[32];
    size_t wn = 0;
    for (size_t i = 0; i <= lim; i++) {
        unsigned char c = i < lim ? (unsigned char)text[i] : ' ';
        if (c < 128 && isalpha(c)) { if (wn + 1 < sizeof word) word[wn++] = (char)tolower(c); continue; }
        if (c >= 128) { wn = sizeof word; continue; }    /* accented word: not in the lists */
        if (wn && wn < sizeof word) {
            word[wn] = 0;
            nfr += in_list(word, fr);
            nen += in_list(word, en);
        }
        wn = 0;
    }
    return nfr * 2 + accents > nen * 2 ? VERS_LANG_FR : VERS_LANG_EN;
}
