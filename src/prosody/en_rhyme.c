/* src/prosody/en_rhyme.c — English rhyme keys and rhyme quality.
 *
 * A rhyme key is the pronunciation from the last stressed vowel to the end ("night" AYT,
 * "mountain" AWNTAHN), the classical definition of a perfect rhyme.  Keys are phoneme names
 * joined without separators; the only ambiguity (N+G vs NG) is read greedily as NG, which
 * is also what the dictionary almost always means. */
#include "prosody/en_internal.h"
#include <string.h>
#include <stdio.h>
#include <strings.h>

int en_pron_rhyme_key(const en_pron *p, char *key, size_t size, int *feminine) {
    if (feminine) *feminine = 0;
    if (size) key[0] = 0;
    int start = -1, best = -1;
    /* last primary stress; else last secondary; else last vowel */
    for (int pass = 1; pass <= 3 && start < 0; pass++) {
        for (int i = p->n - 1; i >= 0; i--) {
            int ph = EN_PH(p->ph[i]);
            if (!en_phone_is_vowel(ph)) continue;
            if (best < 0) best = i;
            if ((pass == 1 && EN_ST(p->ph[i]) == 1) || (pass == 2 && EN_ST(p->ph[i]) == 2) || pass == 3) { start = i; break; }
        }
    }
    if (start < 0) return 0;
    size_t k = 0;
    for (int i = start; i < p->n; i++) {
        const char *nm = en_phone_names[EN_PH(p->ph[i])];
        size_t l = strlen(nm);
        if (k + l + 1 > size) break;
        memcpy(key + k, nm, l);
        k += l;
        if (i > start && feminine && en_phone_is_vowel(EN_PH(p->ph[i]))) *feminine = 1;
    }
    if (size) key[k < size ? k : size - 1] = 0;
    return (int)k;
}

/* Consonant classes for near rhymes: voiced/voiceless pairs and nasals match. */
static int cons_class(int ph) {
    switch (ph) {
    case EN_P: case EN_B: return 1;
    case EN_T: case EN_D: return 2;
    case EN_K: case EN_G: return 3;
    case EN_F: case EN_V: return 4;
    case EN_TH: case EN_DH: return 5;
    case EN_S: case EN_Z: return 6;
    case EN_SH: case EN_ZH: case EN_CH: case EN_JH: return 7;
    case EN_M: case EN_N: case EN_NG: return 8;
    default: return 20 + ph;
    }
}

/* Splits a joined key back into phoneme indices (greedy two letters first). */
/* Phone index + 1 of a one- / two-letter ARPAbet name (0: none): en_phone_names as tables,
 * because split_key runs for every line pair a rhyme scheme compares, and a scan of the 39
 * names per letter was most of that time.  en_phone_tables_ok() checks them against the
 * names (tests/test_prosody_en.c). */
static const signed char phone1[26] = {[1] = 7, [3] = 9, [5] = 14, [6] = 15, [10] = 20, [11] = 21, [12] = 22, [13] = 23, [15] = 27, [17] = 28, [18] = 29, [19] = 31, [21] = 35, [22] = 36, [24] = 37, [25] = 38};
static const signed char phone2[26][26] = {[0][0] = 1, [0][4] = 2, [0][7] = 3, [0][14] = 4, [0][22] = 5, [0][24] = 6, [2][7] = 8, [3][7] = 10, [4][7] = 11, [4][17] = 12, [4][24] = 13, [7][7] = 16, [8][7] = 17, [8][24] = 18, [9][7] = 19, [13][6] = 24, [14][22] = 25, [14][24] = 26, [18][7] = 30, [19][7] = 32, [20][7] = 33, [20][22] = 34, [25][7] = 39};

int en_phone_tables_ok(void) {
    for (int c0 = 0; c0 < 26; c0++) {
        for (int c1 = -1; c1 < 26; c1++) {
            int want = -1;
            for (int p = 0; p < EN_NPHONES; p++) {
                const char *nm = en_phone_names[p];
                if (nm[0] == 'A' + c0 && (c1 < 0 ? !nm[1] : nm[1] == 'A' + c1 && !nm[2])) want = p;
            }
            if ((c1 < 0 ? phone1[c0] : phone2[c0][c1]) - 1 != want) return 0;
        }
    }
    return 1;
}

static int split_key(const char *key, int *out, int max) {
    int n = 0;
    for (size_t i = 0; key[i] && n < max;) {
        unsigned c0 = (unsigned)((unsigned char)key[i] - 'A');           /* >= 26: not A-Z */
        unsigned c1 = key[i + 1] ? (unsigned)((unsigned char)key[i + 1] - 'A') : 26u;
        if (c0 >= 26) return -1;
        int found = c1 < 26 ? phone2[c0][c1] - 1 : -1;     /* two letters first */
        if (found >= 0) i += 2;
        else if ((found = phone1[c0] - 1) >= 0) i += 1;
        else return -1;
        out[n++] = found;
    }
    /* "fire" AY ER and AY R, "flowers" AW ER Z and AW R Z are one rhyme: ER after a vowel
     * is read as R */
    for (int i = 1; i < n; i++) if (out[i] == EN_ER && en_phone_is_vowel(out[i - 1])) out[i] = EN_R;
    return n;
}

/* The spelled rime of a word: its letters from the last vowel group on, a final silent
 * e kept with the group before it ("love" → "ove", "sword" → "ord").  NULL if none. */
static size_t spelled_rime(const char *w, char *out, size_t size) {
    size_t n = strlen(w);
    if (n >= 4 && w[n - 1] == 's' && w[n - 2] != 's') n--;            /* removes → remove */
    else if (n >= 4 && w[n - 1] == 'd' && w[n - 2] == 'e') n--;       /* loved → love */
    size_t end = n;
    if (n >= 3 && w[n - 1] == 'e' && !strchr("aeiouy", w[n - 2])) end = n - 1;
    size_t i = end;
    while (i > 0 && !strchr("aeiouy", w[i - 1])) i--;           /* the coda */
    if (i == 0) return 0;
    while (i > 1 && strchr("aeiouy", w[i - 2])) i--;            /* the vowel group */
    size_t k = n - (i - 1);
    if (k + 1 > size) return 0;
    memcpy(out, w + i - 1, k);
    out[k] = 0;
    return k;
}

int en_rhyme_quality(const en_line *a, const en_line *b) {
    if (!a || !b || !a->rhyme_key[0] || !b->rhyme_key[0]) return 0;
    if (a->last_word[0] && strcasecmp(a->last_word, b->last_word) == 0) return 3;
    if (strcmp(a->rhyme_key, b->rhyme_key) == 0) return 2;
    int pa[32], pb[32];
    int na = split_key(a->rhyme_key, pa, 32), nb = split_key(b->rhyme_key, pb, 32);
    if (na <= 0 || nb <= 0) return 0;
    if (na == nb && !memcmp(pa, pb, sizeof *pa * (size_t)na)) return 2;
    /* consonants after the stressed vowel */
    int ca[32], cb[32], nca = 0, ncb = 0;
    for (int i = 1; i < na; i++) if (!en_phone_is_vowel(pa[i])) ca[nca++] = cons_class(pa[i]);
    for (int i = 1; i < nb; i++) if (!en_phone_is_vowel(pb[i])) cb[ncb++] = cons_class(pb[i]);
    /* Weak rhymes: the last syllables agree, one of them stressed ("eyes" / moon-RISE,
     * "sea" / mys-te-RY); and the older convention of -y rhyming with "I" (ec-sta-sy / lie). */
    int la = na - 1, lb = nb - 1;
    while (la > 0 && !en_phone_is_vowel(pa[la])) la--;
    while (lb > 0 && !en_phone_is_vowel(pb[lb])) lb--;
    int a_masc = la == 0, b_masc = lb == 0;
    if ((a_masc || b_masc) && !(a_masc && b_masc) && na - la == nb - lb) {
        /* same vowel, final consonants alike up to voicing (sacrifice / thighs) */
        int eq = pa[la] == pb[lb];
        for (int k = 1; eq && k < na - la; k++) eq = cons_class(pa[la + k]) == cons_class(pb[lb + k]);
        int y_i = na - la == nb - lb && ((pa[la] == EN_IY && pb[lb] == EN_AY && !a_masc) || (pb[lb] == EN_IY && pa[la] == EN_AY && !b_masc)) &&
                  !memcmp(pa + la + 1, pb + lb + 1, sizeof *pa * (size_t)(na - la - 1));
        if (eq || y_i) return 1;
    }
    /* eye rhymes, common in older verse: love/move, word/sword, regard/heard's cousins */
    char ra[64], rb[64];
    if (spelled_rime(a->last_word, ra, sizeof ra) >= 3 && spelled_rime(b->last_word, rb, sizeof rb) >= 3 &&
        strcmp(ra, rb) == 0) return 1;
    int same_vowel = pa[0] == pb[0];
    /* the final consonant decides most near rhymes */
    int same_coda = (nca == 0 && ncb == 0) || (nca > 0 && ncb > 0 && ca[nca - 1] == cb[ncb - 1]);
    if (same_vowel && same_coda) return 1;          /* "time/line": nasal codas agree */
    if (same_vowel && (nca == 0 || ncb == 0)) return 1;
    if (!same_vowel && nca > 0 && nca == ncb) {
        int eq = 1;
        for (int i = 0; i < nca; i++) eq &= ca[i] == cb[i];
        if (eq && pa[na - 1] == pb[nb - 1]) return 1; /* consonance: "love/prove" */
    }
    return 0;
}

int en_rhyme_quality_dict(const en_dict *d, const en_line *a, const en_line *b) {
    int q = en_rhyme_quality(a, b);
    if (q >= 2 || !d || !a || !b) return q;
    char ka[EN_MAX_PRONS][48], kb[EN_MAX_PRONS][48];
    int na = en_rhyme_key_variants(d, a->last_word, strlen(a->last_word), ka, EN_MAX_PRONS);
    int nb = en_rhyme_key_variants(d, b->last_word, strlen(b->last_word), kb, EN_MAX_PRONS);
    return en_rhyme_quality_variants(a, b, q, ka, na, kb, nb);
}

_Static_assert(EN_RHYME_VARIANTS == EN_MAX_PRONS, "en.h's variant count is en_internal.h's");

int en_rhyme_quality_variants(const en_line *a, const en_line *b, int q, char ka[][48], int na, char kb[][48], int nb) {
    if (q >= 2 || (na <= 1 && nb <= 1)) return q;
    en_line x = *a, y = *b;
    for (int i = 0; i < (na ? na : 1); i++)
        for (int j = 0; j < (nb ? nb : 1); j++) {
            if (na) memcpy(x.rhyme_key, ka[i], sizeof x.rhyme_key);
            if (nb) memcpy(y.rhyme_key, kb[j], sizeof y.rhyme_key);
            int v = en_rhyme_quality(&x, &y);
            if (v > q) q = v;
            if (q >= 2) return q;
        }
    return q;
}
