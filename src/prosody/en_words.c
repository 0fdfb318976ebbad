/* src/prosody/en_words.c — from a written word to its possible spoken readings.
 *
 * A word of verse may be read several ways: CMUdict's variants ("every" 3 or 2 syllables),
 * and the elisions poets and readers use ("heaven" as heav'n, "flower" as one syllable,
 * "glorious" as glor-yous).  en_word_readings() gives the usual reading first, then the
 * shorter ones, each as a string of syllable classes the metre fitter understands:
 *     P primary stress of a polysyllable      U unstressed syllable of a polysyllable
 *     S secondary stress of a polysyllable    C content monosyllable   F function monosyllable
 * The spelling is honoured: o'er, e'en, ne'er, th', 'tis, -'d, -'st, heav'n are already
 * elided (and counted as written), -èd is a syllable.  Everything is looked up in O(1)
 * and no memory is allocated, so the writer can call it for every token. */
#include "prosody/en_internal.h"
#include <string.h>

/* Monosyllables normally unstressed in verse: articles, prepositions, pronouns,
 * auxiliaries, conjunctions.  Sorted for bsearch. */
static const char *const function_words[] = {
    "'tis", "'twas", "a", "am", "an", "and", "are", "art", "as", "at", "be", "but", "by",
    "can", "could", "did", "do", "does", "dost", "doth", "e'er", "em", "er", "for", "from",
    "had", "has", "hast", "hath", "have", "he", "her", "him", "his", "i", "if", "in", "is",
    "it", "its", "may", "me", "might", "mine", "must", "my", "nor", "o", "o'", "of", "on",
    "or", "our", "shall", "she", "should", "so", "than", "that", "the", "thee", "their",
    "them", "then", "they", "thine", "this", "those", "thou", "thro", "through", "thus", "thy",
    "till", "tis", "to", "too", "twas", "up", "upon", "us", "was", "we", "were", "wert",
    "what", "when", "where", "which", "while", "who", "whom", "whose", "will", "with", "would",
    "ye", "yet", "you", "your",
};

static int cmp_word(const char *w, size_t n, const char *s) {
    int c = strncmp(w, s, n);
    if (c) return c;
    return s[n] ? -1 : 0;
}

int en_is_function_word(const char *w, size_t n) {
    size_t lo = 0, hi = sizeof function_words / sizeof function_words[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp_word(w, n, function_words[mid]);
        if (c == 0) return 1;
        if (c < 0) hi = mid; else lo = mid + 1;
    }
    return 0;
}

/* Spelled elisions with a fixed pronunciation. */
static const struct { const char *w, *ph; } spelled[] = {
    {"o'er", "OW1 R"}, {"e'er", "EH1 R"}, {"ne'er", "N EH1 R"}, {"e'en", "IY1 N"},
    {"ev'n", "IY1 V N"}, {"heav'n", "HH EH1 V N"}, {"heav'ns", "HH EH1 V N Z"}, {"ev'ry", "EH1 V R IY0"},
    {"o'", "AH0"}, {"i'", "IH0"}, {"th'", ""}, {"t'", ""}, {"'tis", "T IH1 Z"}, {"'twas", "T W AH1 Z"},
    {"'twere", "T W ER1"}, {"'twill", "T W IH1 L"}, {"'twould", "T W UH1 D"}, {"'gainst", "G EH1 N S T"},
    {"'mid", "M IH1 D"}, {"'midst", "M IH1 D S T"}, {"'mong", "M AH1 NG"}, {"'mongst", "M AH1 NG S T"},
    {"'neath", "N IY1 TH"}, {"'tween", "T W IY1 N"}, {"'twixt", "T W IH1 K S T"}, {"ta'en", "T EY1 N"},
    {"whate'er", "W AH0 T EH1 R"}, {"where'er", "W EH0 R EH1 R"}, {"howe'er", "HH AW0 EH1 R"},
    {"whene'er", "W EH0 N EH1 R"}, {"whoe'er", "HH UW0 EH1 R"}, {"e'erlasting", "EH1 R L AE2 S T IH0 NG"},
    {"giv'n", "G IH1 V N"}, {"driv'n", "D R IH1 V N"}, {"ris'n", "R IH1 Z N"}, {"sev'n", "S EH1 V N"},
    {"pow'r", "P AW1 R"}, {"flow'r", "F L AW1 R"}, {"flow'rs", "F L AW1 R Z"}, {"pow'rs", "P AW1 R Z"},
    {"tow'r", "T AW1 R"}, {"show'r", "SH AW1 R"}, {"show'rs", "SH AW1 R Z"}, {"o'erflow", "OW1 R F L OW2"},
    {"is't", "IH1 Z T"}, {"do't", "D UW1 T"}, {"on't", "AA1 N T"}, {"in't", "IH1 N T"},
};

static int spelled_lookup(const char *w, size_t n, en_pron *p) {
    for (size_t i = 0; i < sizeof spelled / sizeof spelled[0]; i++)
        if (cmp_word(w, n, spelled[i].w) == 0) {
            en_parse_phones(spelled[i].ph, strlen(spelled[i].ph), p);
            return 1;
        }
    return 0;
}

/* Removes the vowel at phone index i (a syncope), keeping its consonants. */
static void drop_vowel(en_pron *p, int i) {
    memmove(p->ph + i, p->ph + i + 1, (size_t)(p->n - i - 1));
    p->n--;
}

/* Index of the last vowel, or -1. */
static int last_vowel(const en_pron *p) {
    for (int i = p->n - 1; i >= 0; i--) if (en_phone_is_vowel(EN_PH(p->ph[i]))) return i;
    return -1;
}

/* Looks a word up, with the fall-backs for words that carry their own spelling tricks.
 * Returns the number of prons (≥ 1: the guesser always answers). */
static int pronounce(const en_dict *d, const char *w, size_t n, int accented_ed, en_pron *out, int max) {
    char buf[EN_MAX_WORD + 4];
    int k;
    if (n == 0) return 0;
    if (n > EN_MAX_WORD) { en_guess_pron(w, n, &out[0]); return 1; }
    if (spelled_lookup(w, n, &out[0])) return 1;
    if (accented_ed) {
        /* -èd: a syllable even where the dictionary drops it ("belovèd", "blessèd") */
        k = en_dict_lookup(d, w, n, out, max);
        if (k == 0) { en_guess_pron(w, n, &out[0]); k = 1; }
        for (int i = 0; i < k; i++) {
            en_pron *p = &out[i];
            int lv = last_vowel(p);
            int ends_d = p->n >= 1 && (EN_PH(p->ph[p->n - 1]) == EN_D || EN_PH(p->ph[p->n - 1]) == EN_T);
            if (ends_d && !(lv == p->n - 2) && p->n + 1 < EN_MAX_PHONES) {
                p->ph[p->n - 1] = EN_MK(EN_IH, 0);
                p->ph[p->n++] = EN_MK(EN_D, 0);
            }
        }
        return k;
    }
    k = en_dict_lookup(d, w, n, out, max);
    if (k) return k;
    if (w[0] == '\'') return pronounce(d, w + 1, n - 1, 0, out, max);   /* an opening quote */
    const char *ap = memchr(w, '\'', n);
    if (ap) {
        size_t a = (size_t)(ap - w);
        /* possessive 's / s' : the word, plus a sibilant syllable only after a sibilant */
        if ((a == n - 2 && w[n - 1] == 's') || a == n - 1) {
            int kk = pronounce(d, w, a, 0, out, max);
            if (a == n - 2 && kk > 0) {
                for (int i = 0; i < kk; i++) {
                    en_pron *p = &out[i];
                    int last = p->n ? EN_PH(p->ph[p->n - 1]) : -1;
                    if (p->n + 2 > EN_MAX_PHONES) continue;
                    if (last == EN_S || last == EN_Z || last == EN_SH || last == EN_ZH || last == EN_CH || last == EN_JH) {
                        p->ph[p->n++] = EN_MK(EN_IH, 0); p->ph[p->n++] = EN_MK(EN_Z, 0);
                    } else {
                        p->ph[p->n++] = EN_MK((last == EN_P || last == EN_T || last == EN_K || last == EN_F || last == EN_TH) ? EN_S : EN_Z, 0);
                    }
                }
            }
            return kk;
        }
        /* -'d / -'st / -'n / -'ry ...: the apostrophe stands for an e that is not spoken.
         * Look the full form up and drop that vowel. */
        if (n + 1 < sizeof buf) {
            memcpy(buf, w, a);
            buf[a] = 'e';
            memcpy(buf + a + 1, w + a + 1, n - a - 1);
            size_t m = n;
            en_pron full[EN_MAX_PRONS];
            int kk = en_dict_lookup(d, buf, m, full, EN_MAX_PRONS);
            if (kk == 0) { en_guess_pron(buf, m, &full[0]); kk = 1; }
            /* the vowel to drop: the one the e made, counted from the end by the letters after it */
            int full_syl = en_pron_syllables(&full[0]);
            /* prefer a dictionary variant that is already one syllable shorter */
            for (int i = 1; i < kk; i++)
                if (en_pron_syllables(&full[i]) == full_syl - 1) { out[0] = full[i]; return 1; }
            out[0] = full[0];
            /* which vowel: letters after the apostrophe hold how many vowels? */
            int after = 0;
            for (size_t i = a + 1; i < n; i++) {
                char c = w[i];
                if ((c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || (c == 'y' && i == n - 1)) &&
                    (i == a + 1 || !(w[i - 1] == 'a' || w[i - 1] == 'e' || w[i - 1] == 'i' || w[i - 1] == 'o' || w[i - 1] == 'u')))
                    after++;
            }
            int seen = 0;
            for (int i = out[0].n - 1; i >= 0; i--) {
                if (!en_phone_is_vowel(EN_PH(out[0].ph[i]))) continue;
                if (seen == after) {
                    if (EN_ST(out[0].ph[i]) != 1 && en_pron_syllables(&out[0]) > 1) drop_vowel(&out[0], i);
                    break;
                }
                seen++;
            }
            return 1;
        }
    }
    /* hyphens and digits are split off by the tokenizer; the rest is guessed */
    memcpy(buf, w, n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) if (w[i] != '\'') buf[m++] = w[i];
    if (m != n) {
        k = en_dict_lookup(d, buf, m, out, max);
        if (k) return k;
    }
    en_guess_pron(buf, m, &out[0]);
    return 1;
}

static void classes_of(const en_pron *p, int function_word, char *cls, int *nsyl) {
    int n = 0, nv = en_pron_syllables(p);
    for (int i = 0; i < p->n && n < EN_WORD_MAX_SYL; i++) {
        int ph = EN_PH(p->ph[i]);
        if (!en_phone_is_vowel(ph)) continue;
        int st = EN_ST(p->ph[i]);
        if (nv == 1) cls[n++] = function_word ? 'F' : 'C';
        else cls[n++] = st == 1 ? 'P' : st == 2 ? 'S' : 'U';
    }
    /* a polysyllable without primary stress (rare in CMUdict): promote its first S or syllable */
    if (n > 1 && !memchr(cls, 'P', (size_t)n)) {
        char *s = memchr(cls, 'S', (size_t)n);
        if (s) *s = 'P'; else cls[0] = 'P';
    }
    cls[n] = 0;
    *nsyl = n;
}

/* Optional elisions on one pronunciation: returns the vowel index to drop, or -1.
 * which = 0 the first candidate, 1 the second... */
static int elision_at(const en_pron *p, int which) {
    int found = 0;
    for (int i = 0; i < p->n; i++) {
        int ph = EN_PH(p->ph[i]);
        if (!en_phone_is_vowel(ph)) continue;
        int st = EN_ST(p->ph[i]);
        int next = i + 1 < p->n ? EN_PH(p->ph[i + 1]) : -1;
        int next_st = i + 1 < p->n ? EN_ST(p->ph[i + 1]) : 0;
        int prev = i > 0 ? EN_PH(p->ph[i - 1]) : -1;
        int cand = -1;
        /* synaeresis: vowel + unstressed vowel ("flower", "fire", "glorious", "being") */
        if (next >= 0 && en_phone_is_vowel(next) && next_st == 0) cand = i + 1;
        /* syncope: unstressed ER/AH/IH between a consonant and a vowel (ev'ry, mast'ry, gen'ral) */
        else if (st == 0 && (ph == EN_ER || ph == EN_AH || ph == EN_IH || ph == EN_EH) && prev >= 0 && !en_phone_is_vowel(prev)) {
            if (ph == EN_ER && next >= 0 && en_phone_is_vowel(next)) cand = i;
            else if ((next == EN_R || next == EN_L || next == EN_N) && i + 2 < p->n && en_phone_is_vowel(EN_PH(p->ph[i + 2]))) cand = i;
            /* heav'n, seav'n, ris'n, ev'n: a final -en after a fricative */
            else if (next == EN_N && (i + 2 == p->n || (i + 3 == p->n && (EN_PH(p->ph[i + 2]) == EN_Z || EN_PH(p->ph[i + 2]) == EN_D))) &&
                     (prev == EN_V || prev == EN_Z || prev == EN_DH || prev == EN_TH)) cand = i;
        }
        if (cand >= 0) {
            if (found == which) return cand;
            found++;
        }
    }
    return -1;
}

int en_word_readings(const en_dict *d, const char *w, size_t n, int accented_ed, en_reading *rd, int max, en_pron *usual) {
    en_pron prons[EN_MAX_PRONS];
    int k = pronounce(d, w, n, accented_ed, prons, EN_MAX_PRONS);
    int fw = en_is_function_word(w, n);
    int nr = 0;
    if (usual) { if (k > 0) *usual = prons[0]; else usual->n = 0; }
    if (k == 0) return 0;
    /* th', t': a syllable-less proclitic */
    if (prons[0].n == 0) {
        rd[0].nsyl = 0; rd[0].cls[0] = 0;
        return 1;
    }
    /* Variants of different lengths ("our" 1 or 2, "temperate" 2 or 3): the poet's
     * spelling is the best witness, so the variant with the spelled number of syllables
     * becomes the usual one. */
    if (k > 1 && !accented_ed) {
        int c0 = en_pron_syllables(&prons[0]), differ = 0;
        for (int i = 1; i < k; i++) differ |= en_pron_syllables(&prons[i]) != c0;
        if (differ) {
            en_pron g;
            char buf[EN_MAX_WORD + 1];
            size_t m = 0;
            for (size_t i = 0; i < n && m < EN_MAX_WORD; i++) if (w[i] != '\'') buf[m++] = w[i];
            en_guess_pron(buf, m, &g);
            int gs = en_pron_syllables(&g);
            for (int i = 1; i < k && c0 != gs; i++)
                if (en_pron_syllables(&prons[i]) == gs) {
                    en_pron t = prons[0]; prons[0] = prons[i]; prons[i] = t;
                    break;
                }
            if (usual) *usual = prons[0];
        }
    }
    for (int i = 0; i < k && nr < max; i++) {
        en_reading r;
        classes_of(&prons[i], fw, r.cls, &r.nsyl);
        int dup = 0;
        for (int j = 0; j < nr; j++) dup |= rd[j].nsyl == r.nsyl;
        if (!dup) rd[nr++] = r;
    }
    /* elisions of the usual pronunciation, one and then two vowels fewer */
    en_pron e = prons[0];
    for (int step = 0; step < 2 && nr < max; step++) {
        int at = elision_at(&e, 0);
        if (at < 0) break;
        drop_vowel(&e, at);
        en_reading r;
        classes_of(&e, fw, r.cls, &r.nsyl);
        if (r.nsyl == 0) break;
        int dup = 0;
        for (int j = 0; j < nr; j++) dup |= rd[j].nsyl == r.nsyl;
        if (!dup) rd[nr++] = r;
    }
    return nr;
}
