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

/* Vowel classes per letter: 1 vowel, 0 consonant (u of qu/gu/cueil, e of gea/geo, y glide). */
static void classify(const unsigned char *w, int n, unsigned char *isv) {
    for (int i = 0; i < n; i++) isv[i] = (unsigned char)is_v(w[i]);
    for (int i = 0; i < n; i++) {
        unsigned c = w[i];
        unsigned nx = i + 1 < n ? w[i + 1] : 0;
        if (c == 'u' && i > 0 && w[i - 1] == 'q') isv[i] = 0;
        else if (c == 'u' && i > 0 && w[i - 1] == 'g' && nx && is_v(nx) && !is_trema(nx)) isv[i] = 0;
        else if (c == 'u' && i > 0 && w[i - 1] == 'c' && nx == 'e' && i + 2 < n && w[i + 2] == 'i') isv[i] = 0; /* cueillir */
        else if (c == 'e' && i > 0 && (w[i - 1] == 'g' || w[i - 1] == L_CCED || w[i - 1] == 'c') &&
                 (nx == 'a' || nx == 'o' || nx == L_ACIRC || nx == L_OCIRC) &&
                 !(nx == 'a' && i + 2 < n && w[i + 2] == 'u')) isv[i] = 0;
        else if (c == 'y') {
            int pv = i > 0 && isv[i - 1];
            int nv = nx && is_v(nx);
            if (nv && pv) isv[i] = 0;                  /* voyage: the vowel before keeps its nucleus */
            if (nv && i == 0 && !(nx == 'e' && n >= 4 && w[2] == 'u' && w[3] == 's')) isv[i] = 0;  /* yeux, yole: glide; y-euse */
        }
    }
}

/* 1st person plural verb ending -ions (nous étions: synérèse) rather than a plural noun in
 * -ion (nations: diérèse).  w[0..n) ends in "ions"; guesses from the letters before. */
static int is_verb_ions(const unsigned char *w, int n) {
    static const char *const nouns[] = { "lions", "millions", "billions", "trillions", "rébellions",
        "missions", "commissions", "émissions", "permissions", "soumissions", "transmissions",
        "rémissions", "admissions", "omissions", "questions", "suggestions", "digestions",
        "bastions", "combustions", "gestions", "champions", "lampions", "horions", "mentions" };
    static const char *const verbs[] = { "restions", "disions", "lisions", "redisions", "relisions",
        "médisions", "prédisions", "interdisions", "cousions", "causions", "osions", "posions",
        "reposions", "partions", "sortions", "repartions", "ressortions" };
    char buf[FR_MAXW * 3 + 1];
    fr_letters_to_utf8(w, n, buf, sizeof buf);
    for (size_t k = 0; k < sizeof nouns / sizeof *nouns; k++) if (!strcmp(buf, nouns[k])) return 0;
    for (size_t k = 0; k < sizeof verbs / sizeof *verbs; k++) if (!strcmp(buf, verbs[k])) return 1;
    int s = n - 4;
    if (s < 1) return 0;
    unsigned p = w[s - 1], pp = s >= 2 ? w[s - 2] : 0;
    switch (p) {
    case 'v': case 'm': case 'd': case 'y': case 'b': case 'f': case 'h': case 'u': case 'i': case 'l': case 'c': return 1;
    case 'r': return is_v(pp);
    case 'n': return pp == 'e' || pp == 'n' || !is_v(pp);   /* venions, tournions; not opinions, unions */
    case 'g': return pp == 'n';
    case 'p': return pp == 'p';
    case 's':
        if (pp == 's') return (s >= 3 && (w[s - 3] == 'i' || w[s - 3] == 'u') && s >= 4 && is_v(w[s - 4])) ||
                              (s >= 3 && w[s - 3] == 'i') || (s >= 3 && w[s - 3] == 'u' && n <= 8);
        return s >= 3 && pp == 'i' && (w[s - 3] == 'a' || w[s - 3] == 'u');
    case 't':
        if (pp == 'n') return !(s >= 4 && w[s - 3] == 'e') || (s >= 4 && w[s - 4] == 's');
        if (pp == 't') return 1;
        return pp == L_EACUTE || pp == L_ECIRC || pp == 'e' || pp == L_UCIRC || pp == L_OCIRC;
    default: return 0;
    }
}

/* Diérèse (1), synérèse (0) or either (OPT: synérèse read, diérèse allowed) of i/y at
 * index i followed by the vowel unit at j. */
#define OPT 2
static int dierese_i(const unsigned char *w, int n, int a, int i, int j) {
    unsigned c = w[i], d = w[j];
    unsigned p = i > 0 ? w[i - 1] : 0;
    if (i != a) return 0;                                            /* after a vowel: glide */
    if (i >= 2 && is_liquid(p) && is_stop(w[i - 2])) {               /* ouvri-er, pri-ère */
        if ((d == 'o') && j + 3 == n && w[j + 1] == 'n' && w[j + 2] == 's' && is_verb_ions(w, n)) return OPT; /* nous offri-ons */
        return 1;
    }
    if (i == 0 || (i == 1 && p == 'h')) return 1;                    /* iode, hiérarchie, hyène */
    if (i >= 2 && p == 'u' && w[i - 2] == 'q' &&
        (d == L_EACUTE || d == L_EGRAVE || (d == 'e' && j + 1 < n && w[j + 1] == 't'))) return 1; /* inqui-et */
    if (c == 'y') return 1;                                          /* alcy-on */
    if (d == 'e' && j + 1 < n && w[j + 1] == 'u') {                  /* ieu */
        unsigned f = j + 2 < n ? w[j + 2] : 0;
        if (f == 'x' || f == 's') return 1;                          /* mystéri-eux, radi-euse */
        if (f == 'r' && p == 'r' && (i == 1 || is_v(w[i - 2]))) return 1;      /* intéri-eur, ri-eur */
        return 0;
    }
    if (d == 'o' || d == L_OCIRC) {
        if (j + 1 < n && w[j + 1] == 'n') {
            if (j + 3 == n && w[j + 2] == 's' && fr_verb_ier(w, i + 1) && !(n == 7 && memcmp(w, "allions", 7) == 0))
                return 1;                                            /* glorifi-ons, ni-ons (not nous allions) */
            if (j + 3 == n && w[j + 2] == 's' && is_verb_ions(w, n)) return 0;   /* nous étions */
            return 1;                                                /* nati-on, li-on */
        }
        if (p == 'p' || p == 'f' || p == 'k' || (p == 'r' && i >= 2 && w[i - 2] == 'r')) return 0;  /* pioche, fiole, kiosque */
        return 1;                                                    /* vi-olon, chari-ot, lori-ot */
    }
    if (d == 'a' && p == 'd' && i == 1 && j + 1 < n && w[j + 1] == 'b') return OPT;   /* diable, diabolique */
    if (d == 'a' || d == L_ACIRC || d == L_AGRAVE || d == 'u') return 1;   /* di-amant, mendi-ant */
    if (d == 'e' && j + 1 < n && w[j + 1] == 'n') {                  /* -ien */
        int k = j + 2;
        unsigned f = k < n ? w[k] : 0;
        if (f == 'c' || f == L_CCED) return 1;                       /* sci-ence, pati-ence */
        int tail = f == 0 || (f == 's' && k + 1 == n) || f == 't' ||
                   (f == 'n' && k + 1 < n && w[k + 1] == 'e') || (f == 't' && k + 1 < n && w[k + 1] == 'a');
        if (!tail) return 0;                                         /* viendra, bientôt */
        if (p == 'r' && i >= 2 && is_v(w[i - 2])) return 1;           /* ori-ent, aéri-en, histori-en */
        if (p == 'l' || p == 'g' || p == 'p') return 1;              /* li-en, itali-en */
        if ((p == 'n' || p == 'm' || p == 's' || p == 'd' || (p == 'b' && w[i - 2] != 'm')) && i >= 2) return OPT;  /* plutoni-en, bohémi-en, prussi-en,
                                                                        gardi-en: poets vary (not mien, sien) */
        if (p == 'c' && i >= 2 && w[i - 2] == 'i') return 1;         /* musici-en */
        return 0;                                                    /* bien, chien, gardien, tient */
    }
    if (d == L_EACUTE && j + 2 < n && w[j + 1] == 't' && w[j + 2] == L_EACUTE) return 1;  /* soci-été, pi-été */
    if (d == 'e' && j + 1 < n && w[j + 1] == 'l' && (j + 2 == n || (j + 3 == n && w[j + 2] == 's'))) {
        if (p == 't') return 1;                                      /* essenti-el */
        if (p == 'c' && i >= 2) return 1;                            /* artifici-el, not ciel */
        if (p == 'r' && i >= 2 && is_v(w[i - 2])) return 1;          /* immatéri-el, Ari-el */
        return 0;
    }
    if (d == 'e' && j + 2 < n && w[j + 1] == 't' && w[j + 2] == 't' && (p == 'l' || p == 'r')) return 1;  /* ari-ette, Juli-ette (miette, serviette: one) */
    if (d == 'e' && j + 2 < n && w[j + 1] == 's' && w[j + 2] == 's') return 1;  /* li-esse, hardi-esse */
    /* -ier verbs: li-er, li-ez, confi-é (not fière, fierté, lierre, relief) */
    if ((d == L_EACUTE || (d == 'e' && j + 2 == n && (w[j + 1] == 'r' || w[j + 1] == 'z'))) && fr_verb_ier(w, i + 1)) return 1;
    return 0;                                                        /* pitié, premier, lumière */
}

/* Diérèse of u (not of qu/gu) at index i followed by the vowel unit at j. */
static int dierese_u(const unsigned char *w, int n, int a, int i, int j) {
    unsigned d = w[j];
    if (i != a) return 0;
    if (d == 'i' || d == L_ICIRC || d == 'y') {
        unsigned f = j + 1 < n ? w[j + 1] : 0;
        unsigned p = i > 0 ? w[i - 1] : 0;
        if (p == 'r' && f == 'n') return 1;                          /* ru-ine */
        if ((p == 'l' || p == 'r') && f == 'd') return 1;            /* flu-ide, dru-ide */
        if (f == 't' && j + 2 < n && w[j + 2] == L_EACUTE) return 1; /* fatu-ité */
        if (p == 's' && f == 'c') return 1;                          /* su-icide */
        if (p == 'r' && i >= 2 && w[i - 2] == 'b' && (f == 's' || f == 'r')) return 1;  /* bru-issement, bru-ire */
        return 0;                                                    /* nuit, lui, bruit */
    }
    return 1;                                                        /* tu-er, nu-age, cru-el */
}

/* Diérèse of ou at index i (u at i+1) followed by the vowel unit at j. */
static int dierese_ou(const unsigned char *w, int n, int j) {
    unsigned d = w[j], f = j + 1 < n ? w[j + 1] : 0;
    if (d == 'i' && f == 'l') return 0;                              /* fenouil, mouiller */
    if (d == 'e' && f == 's' && j + 2 < n && w[j + 2] == 't') return 0;  /* ouest */
    if (d == 'a' && f == 't') return 0;                              /* ouate */
    if (d == 'e' && f == 't' && j + 2 < n && w[j + 2] == 't' && j >= 3 && w[j - 3] == 'f') return 0;  /* fouetter (alou-ette) */
    return 1;                                                        /* jou-er, jou-ir, lou-ange */
}

/* Length of the vowel unit (digraph) starting at i inside the group [i, b). */
static int unit_len(const unsigned char *w, int i, int b) {
    unsigned c = w[i], d = i + 1 < b ? w[i + 1] : 0, e = i + 2 < b ? w[i + 2] : 0;
    if (c == 'e' && d == 'a' && e == 'u') return 3;                  /* eau */
    if (c == 'o' && d == 'e' && e == 'u') return 3;                  /* oeu */
    if (c == L_OE) return d == 'u' ? 2 : 1;                          /* œu, œ */
    if (c == 'o' && (d == 'u' || d == L_UCIRC || d == L_UGRAVE)) return 2;
    if ((c == 'a' || c == 'e' || c == 'o') && (d == 'i' || d == L_ICIRC || d == 'y')) return 2;
    if ((c == 'a' || c == 'e') && (d == 'u' || d == L_UCIRC)) return 2;
    if (c == 'o' && d == 'e') return 2;                              /* moelle */
    if (c == 'o' && d == L_ECIRC) return 2;                          /* poêle */
    return 1;
}

/* Number of nuclei in the vowel group [a, b) of w (n letters of the whole word). */
/* *dier counts the diérèses read (i, u, ou + vowel as two syllables by the rules above:
 * li-on, pri-ère, tu-er), *more the optional ones. */
static int group_nuclei(const unsigned char *w, int n, int stem, int a, int b, int *more, int *dier) {
    /* an unaccented e after a vowel and before consonant + vowel is silent:
     * oubli(e)rai, dévou(e)ment, gai(e)té, fé(e)rie, tu(e)rie */
    if (b - a >= 2 && w[b - 1] == 'e' && b + 1 < stem && !is_v(w[b]) && w[b] != 'x' && is_v(w[b + 1]) &&
        w[b] != w[b + 1])
        b--;
    int count = 1;
    int i = a;
    while (i < b) {
        int ul = unit_len(w, i, b);
        int j = i + ul;
        if (j >= b) break;
        unsigned c = w[i], d = w[j];
        int split;   /* 0, 1, or OPT */
        int semi = 0;   /* a vowel that could be a glide (i, u, ou): a split is a diérèse */
        if (is_trema(d)) split = 1;
        else if (ul == 1 && is_e_acc(c)) split = 1;                              /* ré-el, cré-a */
        else if (ul == 1 && c == L_IUML) split = 0;                             /* naïa-de, aïeux: glide */
        else if (ul == 1 && (c == 'i' || c == 'y' || c == L_ICIRC)) split = dierese_i(w, n, a, i, j), semi = 1;
        else if (ul == 1 && (c == 'u' || c == L_UCIRC)) split = dierese_u(w, n, a, i, j), semi = 1;
        else if (ul == 2 && c == 'o' && w[i + 1] != 'e' && w[i + 1] != L_ECIRC) split = dierese_ou(w, n, j), semi = 1;
        else if (ul == 1 && c == 'a') {
            if (d == 'o' && j + 1 < n && w[j + 1] == 'n' && (j + 2 == n || (j + 3 == n && w[j + 2] == 's'))) split = 0; /* paon */
            else if (d == 'o' && j + 1 < b && (w[j + 1] == 'u' || w[j + 1] == L_UCIRC)) split = 0;   /* août */
            else split = 1;                                                      /* cha-os, a-érien */
        } else if (ul == 1 && c == 'o') split = !(d == 'e');                     /* po-ète, o-asis */
        else if (ul == 1 && c == 'e') split = !(d == 'a' || d == 'o' || d == L_ACIRC || d == L_OCIRC || d == 'u'); /* geai, Jean */
        else {                                                                   /* digraph + vowel */
            if (d == 'e') split = (j + 1 < n && w[j + 1] == 't');                /* bleu-et; else e muet */
            else if (d == 'i' && c == 'e' && w[i + 1] == 'u' && !(j + 1 < n && w[j + 1] == 'l')) split = 1;  /* bleu-ir */
            else if (d == 'i' || d == 'y') split = 0;
            else split = 1;
        }
        if (split == OPT) (*more)++;
        else { count += split; *dier += semi && split; }
        i = j;
    }
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
    int syl = 0, more = 0, less = 0, dier = 0;
    int i = 0;
    while (i < stem) {
        if (!isv[i]) { i++; continue; }
        int a = i;
        while (i < stem && isv[i]) i++;
        int g = group_nuclei(w, n, stem, a, i, &more, &dier);
        syl += g;
    }
    int xs, xm, xl;
    if (fr_word_syl_exception(w, n, &xs, &xm, &xl)) {
        /* the list gives the count: the diérèses are what it has above the rules' reading
         * without any (pati-ent 3 against 2, fi-évreux 3 against 2) */
        int base = syl - dier;
        dier = xs > base ? xs - base : 0;
        syl = xs; more = xm; less = xl;
    }
    s->syl = syl;
    s->dierese = dier;
    s->opt_more = more;
    s->opt_less = less;
    s->e_final = efin;
    s->fem = fem;
    unsigned c0 = w[0];
    s->vowel_start = is_v(c0) || (c0 == 'h' && !fr_h_aspire(w, n));
    if (c0 == 'y' && n > 1 && is_v(w[1])) s->vowel_start = isv[0] || (n == 4 && memcmp(w, "yeux", 4) == 0);  /* d'yeux, l'yeuse, la yole */
    if ((c0 == 'o' || c0 == 'u' || c0 == 'y') && fr_disjunct_vowel(w, n)) s->vowel_start = 0;                         /* le onze, le oui */
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

/* Interjections (ô, ah, oh, eh, hé, ha, ho) and "y" (il y a) before a vowel are
 * tolerated by classical usage. */
static int hiatus_tolerated(const fr_tok *t) {
    const unsigned char *w = t->w;
    if (t->n == 1) return w[0] == L_OCIRC || w[0] == 'y';
    if (t->n == 2 && w[1] == 'h') return w[0] == 'a' || w[0] == 'o' || w[0] == 'e';
    if (t->n == 2 && w[0] == 'h') return w[1] == 'a' || w[1] == 'o' || w[1] == L_EACUTE;
    return 0;
}

/* "-je", "-ce" after a hyphen (dis-je, est-ce): their e stays mute at line end. */
static int enclitic_je(const fr_tok *t) {
    return t->hyph_before && t->n == 2 && (t->w[0] == 'j' || t->w[0] == 'c') && t->w[1] == 'e';
}

/* Contribution of word i's final e muet given the next word. */
static int efinal_counts(const line_words *L, int i) {
    const fr_wsyl *s = &L->syl[i];
    if (i + 1 >= L->n) return s->syl == 0 && s->e_final && !enclitic_je(&L->tok[i]) ? 1 : 0;   /* dis-le counts */
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

/* Whether a caesura can fall after syllable pos: a word's last sounded syllable is the
 * pos-th, its final e muet (if any) is elided, and the next word is not joined to it by a
 * hyphen.  delta: optional syllables the chosen count needs (given to the first words that
 * have them, the usual reading otherwise). */
static int caesura_after(const line_words *L, int delta, int pos_wanted) {
    int pos = 0;
    for (int i = 0; i < L->n; i++) {
        int c = L->syl[i].syl;
        if (delta > 0 && L->syl[i].opt_more) { c += 1; delta--; }
        else if (delta < 0 && L->syl[i].opt_less) { c -= 1; delta++; }
        pos += c;
        if (pos == pos_wanted && c > 0)
            return !efinal_counts(L, i) && i + 1 < L->n && !L->tok[i + 1].hyph_before &&
                   (L->tok[i].hyph_before || !fr_proclitic(L->tok[i].w, L->tok[i].n));   /* dispersez-les | */
        pos += efinal_counts(L, i);
        if (pos >= pos_wanted) return 0;
    }
    return 0;
}

int fr_caesura(const char *text, size_t len, int target, int pos) {
    if (!text || pos <= 0) return 0;
    line_words L;
    scan_words(text, len, &L);
    int total = 0, more = 0, less = 0;
    for (int i = 0; i < L.n; i++) { total += L.counted[i]; more += L.syl[i].opt_more; less += L.syl[i].opt_less; }
    int chosen = target > 0 && target >= total - less && target <= total + more ? target : total;
    return caesura_after(&L, chosen - total, pos);
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

    if (out->syllables == 12) out->caesura_ok = caesura_after(&L, out->syllables - total, 6);
    /* hiatus */
    for (int i = 0; i + 1 < L.n; i++)
        if (L.syl[i].ends_vowel && L.syl[i + 1].vowel_start && !L.tok[i + 1].hyph_before && !hiatus_tolerated(&L.tok[i]))
            out->hiatus++;
    /* last word: gender, rhyme */
    if (L.n > 0) {
        const fr_tok *t = &L.tok[L.n - 1];
        const fr_wsyl *s = &L.syl[L.n - 1];
        int fem = (s->fem && s->syl > 0) || enclitic_je(t);
        out->gender = fem ? 'f' : 'm';
        fr_letters_to_utf8(t->w, t->n, out->last_word, sizeof out->last_word);
        if (enclitic_je(t) && L.n >= 2) {
            /* "que sais-je": the rhyme is heard on sais + je (norvège / sais-je) */
            char *k = out->rhyme_key;
            fr_rhyme_key(&L.tok[L.n - 2], 0, k, sizeof out->rhyme_key - 2);
            size_t kl = strlen(k);
            k[kl] = t->w[0] == 'j' ? 'Z' : 's';
            k[kl + 1] = '@';
            k[kl + 2] = 0;
        } else
            fr_rhyme_key(t, fem, out->rhyme_key, sizeof out->rhyme_key);
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
        o->dierese = L.syl[i].dierese;
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
