/* src/prosody/en_words.c — from a written word to its possible spoken readings.
 *
 * A word of verse may be read several ways: CMUdict's variants ("every" 3 or 2 syllables),
 * and the elisions poets and readers use ("heaven" as heav'n, "flower" as one syllable,
 * "glorious" as glor-yous).  en_word_readings() gives the usual reading first, then the
 * shorter ones, each as a string of syllable classes the metre fitter understands:
 *     P primary stress of a polysyllable      U unstressed syllable of a polysyllable
 *     S secondary stress of a polysyllable    C content monosyllable   F function monosyllable
 * The spelling is honoured: o'er, e'en, ne'er, th', 'tis, -'d, -'st, heav'n are already
 * elided (and counted as written), -èd is a syllable.  Words CMUdict lacks are tried as
 * Early Modern spellings (vnto, ouer, sleepe), then by morphology (kindle-s, measure-less,
 * un-lovely, where-of), and last go to the guesser (en_guess.c).  Everything is a few hash
 * lookups and no memory is allocated, so the writer can call it for every token. */
#include "prosody/en_internal.h"
#include <string.h>

/* Monosyllables normally unstressed in verse: articles and determiners (some, such, these,
 * no), prepositions, pronouns and their contractions with an auxiliary (I'll, you're, it's),
 * auxiliaries (with their archaic -st forms), not, conjunctions, wh-words.  Sorted (strcmp
 * order) for the binary search. */
static const char *const function_words[] = {
    "'tis", "'twas", "a", "am", "an", "and", "are", "art", "as", "at", "be", "been", "but",
    "by", "can", "canst", "could", "couldst", "did", "didst", "do", "does", "dost", "doth",
    "e'er", "em", "er", "ere", "for", "from", "had", "hadst", "has", "hast", "hath", "have",
    "he", "he'd", "he'll", "he's", "her", "him", "his", "how", "i", "i'd", "i'll", "i'm",
    "i've", "if", "in", "is", "it", "it'll", "it's", "its", "lest", "may", "me", "might",
    "mine", "must", "my", "no", "nor", "not", "o", "o'", "of", "on", "or", "our", "shall",
    "shalt", "she", "she'd", "she'll", "she's", "should", "shouldst", "so", "some", "such",
    "than", "that", "that's", "the", "thee", "their", "them", "then", "there", "there's",
    "these", "they", "they'd", "they'll", "they're", "they've", "thine", "this", "tho",
    "those", "thou", "thou'll", "though", "thro", "through", "thus", "thy", "till", "tis",
    "to", "too", "twas", "upon", "us", "was", "wast", "we", "we'd", "we'll", "we're",
    "we've", "were", "wert", "what", "what's", "when", "whence", "where", "which", "while",
    "whilst", "who", "who's", "whom", "whose", "why", "will", "wilt", "with", "would",
    "wouldst", "ye", "yet", "you", "you'd", "you'll", "you're", "you've", "your",
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
    {"th", ""}, {"s", ""}, {"d", ""}, {"t", ""}, {"ll", ""}, {"st", ""},   /* clitics set apart: "th ’ ethereal" */
    {"is't", "IH1 Z T"}, {"do't", "D UW1 T"}, {"on't", "AA1 N T"}, {"in't", "IH1 N T"},
};

/* Words whose spoken form drops a vowel the spelling keeps, as the dictionary's own
 * compounds do (every-thing, every-where are ev-ry there): the spoken form is the usual
 * reading and the dictionary's full one an option (the tuning parts of the gold sets read
 * "every" as two syllables wherever it occurs). */
static const struct { const char *w, *ph; } spoken[] = {
    {"every", "EH1 V R IY0"},
};

static const char *spoken_form(const char *w, size_t n) {
    for (size_t i = 0; i < sizeof spoken / sizeof spoken[0]; i++)
        if (cmp_word(w, n, spoken[i].w) == 0) return spoken[i].ph;
    return NULL;
}

static int spelled_lookup(const char *w, size_t n, en_pron *p) {
    if (n > 2 && !memchr(w, '\'', n)) return 0;     /* every entry is short or has an apostrophe */
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

/* Appends phonemes (text) to p. */
static void append_phones(en_pron *p, const char *text) {
    en_pron t;
    if (en_parse_phones(text, strlen(text), &t) != 0) return;
    for (int i = 0; i < t.n && p->n < EN_MAX_PHONES; i++) p->ph[p->n++] = t.ph[i];
}

static int last_phone(const en_pron *p) { return p->n ? EN_PH(p->ph[p->n - 1]) : -1; }
static int is_sibilant(int ph) { return ph == EN_S || ph == EN_Z || ph == EN_SH || ph == EN_ZH || ph == EN_CH || ph == EN_JH; }
static int is_voiceless(int ph) { return ph == EN_P || ph == EN_T || ph == EN_K || ph == EN_F || ph == EN_TH || ph == EN_S || ph == EN_SH || ph == EN_CH; }

/* Looks up a stem the way English spelling hides it: as is, with a final e restored
 * (lov-ed), a doubled consonant undone (sinn-eth), i back to y (piti-ed). */
static int lookup_stem(const en_dict *d, const char *w, size_t n, en_pron *out) {
    char buf[EN_MAX_WORD + 2];
    if (n < 2 || n > EN_MAX_WORD) return 0;
    if (en_dict_lookup(d, w, n, out, 1)) return 1;
    memcpy(buf, w, n);
    buf[n] = 'e';
    if (en_dict_lookup(d, buf, n + 1, out, 1)) return 1;
    if (n >= 3 && w[n - 1] == w[n - 2] && !strchr("aeioulsf", w[n - 1]) && en_dict_lookup(d, w, n - 1, out, 1)) return 1;
    if (w[n - 1] == 'i') { buf[n - 1] = 'y'; if (en_dict_lookup(d, buf, n, out, 1)) return 1; }
    return 0;
}

/* Early Modern English spelling (Spenser, the 1609 Sonnets): u for v and v for u, i for
 * j, a final e or doubled consonant plus e, -nesse, -ie for -y.  Tries the modern forms
 * in the dictionary; returns 1 when one is found. */
static int old_spelling_lookup(const en_dict *d, const char *w, size_t n, en_pron *out) {
    char b[EN_MAX_WORD + 2];
    if (n < 2 || n > EN_MAX_WORD) return 0;
    memcpy(b, w, n);
    int changed = 0;
    if (b[0] == 'v' && n > 1 && !strchr("aeiouy", b[1])) { b[0] = 'u'; changed = 1; }      /* vnto */
    if (b[0] == 'i' && n > 1 && strchr("aeiou", b[1])) { b[0] = 'j'; changed = 1; }          /* ioy */
    for (size_t i = 1; i + 1 < n; i++)                                                        /* ouer, graue */
        if (b[i] == 'u' && strchr("aeiouy", b[i - 1]) && strchr("aeiouy", b[i + 1]) && b[i + 1] != 'u') { b[i] = 'v'; changed = 1; }
    if (changed && en_dict_lookup(d, b, n, out, 1)) return 1;
    /* the Latin digraphs ae, oe (æ, œ) before a consonant are one vowel, spelled e today:
     * primaeval, foetid (not a final one: Da-na-e) */
    char e[EN_MAX_WORD + 2];
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        e[ne++] = w[i];
        if ((w[i] == 'a' || w[i] == 'o') && i + 2 < n && w[i + 1] == 'e' && !strchr("aeiouy", w[i + 2])) { e[ne - 1] = 'e'; i++; }
    }
    if (ne != n && en_dict_lookup(d, e, ne, out, 1)) return 1;
    size_t m = n;
    if (m > 5 && !memcmp(b + m - 5, "nesse", 5)) m--;                                        /* -nesse */
    else if (m > 3 && b[m - 1] == 'e' && !strchr("aeiou", b[m - 2])) {                         /* sleepe, helpe */
        m--;
        if (m > 3 && b[m - 1] == b[m - 2] && b[m - 1] != 's' && b[m - 1] != 'l') {              /* sonne: try both */
            if (en_dict_lookup(d, b, m, out, 1)) return 1;
            m--;
        }
    } else if (m > 3 && b[m - 2] == 'i' && b[m - 1] == 'e') { b[m - 2] = 'y'; m--; }           /* -ie */
    if (m != n && en_dict_lookup(d, b, m, out, 1)) return 1;
    return 0;
}

/* Words CMUdict lacks but whose parts it has: inflections and derivations (kindle-s,
 * measure-less, love-th), prefixes (un-lovely), compounds (where-of).  Returns 1 when
 * found.  depth bounds the recursion (un-love-li-ness). */
static int morph_lookup(const en_dict *d, const char *w, size_t n, en_pron *out, int depth) {
    static const struct { const char *suf, *ph; int kind, min_stem; } sufs[] = {
        /* kind: 0 fixed phonemes, 1 -ed, 2 -s/-es; min_stem: letters the stem needs
         * (short stems are common before -less, -ness, -ful, -ly: sun-less, sad-ness) */
        {"nesse", "N AH0 S", 0, 3}, {"ness", "N AH0 S", 0, 3}, {"less", "L AH0 S", 0, 3}, {"ful", "F AH0 L", 0, 3},
        {"fully", "F AH0 L IY0", 0, 3}, {"ment", "M AH0 N T", 0, 4}, {"ments", "M AH0 N T S", 0, 4},
        {"ly", "L IY0", 0, 3}, {"ing", "IH0 NG", 0, 3}, {"ings", "IH0 NG Z", 0, 3}, {"eth", "IH0 TH", 0, 3},
        {"est", "IH0 S T", 0, 3}, {"st", "S T", 0, 4}, {"th", "TH", 0, 4}, {"er", "ER0", 0, 4}, {"ers", "ER0 Z", 0, 4},
        {"dom", "D AH0 M", 0, 4}, {"hood", "HH UH2 D", 0, 4}, {"like", "L AY2 K", 0, 4}, {"ship", "SH IH2 P", 0, 4},
        {"some", "S AH0 M", 0, 4}, {"ward", "W ER0 D", 0, 4}, {"wards", "W ER0 D Z", 0, 4},
        {"ed", "", 1, 3}, {"d", "", 1, 3}, {"es", "", 2, 3}, {"s", "", 2, 3},
    };
    static const struct { const char *pre, *ph; } pres[] = {
        {"un", "AH0 N"}, {"re", "R IY0"}, {"dis", "D IH0 S"}, {"mis", "M IH0 S"}, {"over", "OW2 V ER0"},
        {"under", "AH2 N D ER0"}, {"out", "AW2 T"}, {"fore", "F AO2 R"}, {"be", "B IH0"}, {"en", "IH0 N"},
        {"em", "IH0 M"}, {"in", "IH0 N"}, {"im", "IH0 M"}, {"non", "N AA2 N"}, {"up", "AH2 P"}, {"a", "AH0"},
    };
    if (depth > 2 || n < 4 || n > EN_MAX_WORD) return 0;
    for (size_t i = 0; i < sizeof sufs / sizeof sufs[0]; i++) {
        size_t sl = strlen(sufs[i].suf);
        /* inflections take short stems (sob-s, lov-eth); derivations need 4 letters */
        size_t minstem = sufs[i].min_stem;
        if (n < sl + minstem || memcmp(w + n - sl, sufs[i].suf, sl) != 0) continue;
        en_pron st;
        if (!lookup_stem(d, w, n - sl, &st) && !morph_lookup(d, w, n - sl, &st, depth + 1)) continue;
        int lp = last_phone(&st);
        if (sufs[i].kind == 1) append_phones(&st, (lp == EN_T || lp == EN_D) ? "IH0 D" : is_voiceless(lp) ? "T" : "D");
        else if (sufs[i].kind == 2) append_phones(&st, is_sibilant(lp) ? "IH0 Z" : is_voiceless(lp) ? "S" : "Z");
        else append_phones(&st, sufs[i].ph);
        *out = st;
        return 1;
    }
    for (size_t i = 0; i < sizeof pres / sizeof pres[0]; i++) {
        size_t pl = strlen(pres[i].pre);
        if (n < pl + 3 || memcmp(w, pres[i].pre, pl) != 0) continue;
        en_pron st;
        if (!en_dict_lookup(d, w + pl, n - pl, &st, 1) && !morph_lookup(d, w + pl, n - pl, &st, depth + 1)) continue;
        en_pron p;
        en_parse_phones(pres[i].ph, strlen(pres[i].ph), &p);
        for (int k = 0; k < st.n && p.n < EN_MAX_PHONES; k++) p.ph[p.n++] = st.ph[k];
        *out = p;
        return 1;
    }
    /* compound of two dictionary words (each at least 3 letters, or a short particle
     * at the end: where-of, there-in); the second loses its primary stress */
    for (size_t k = n - 2; k >= 3; k--) {
        size_t rl = n - k;
        if (rl < 3 && !(rl == 2 && (!memcmp(w + k, "of", 2) || !memcmp(w + k, "in", 2) || !memcmp(w + k, "on", 2) ||
                                    !memcmp(w + k, "by", 2) || !memcmp(w + k, "to", 2) || !memcmp(w + k, "at", 2))))
            continue;
        en_pron a1, b1;
        if (!en_dict_lookup(d, w, k, &a1, 1) || !en_dict_lookup(d, w + k, rl, &b1, 1)) continue;
        for (int j = 0; j < b1.n && a1.n < EN_MAX_PHONES; j++) {
            uint8_t ph = b1.ph[j];
            if (EN_ST(ph) == 1) ph = EN_MK(EN_PH(ph), 2);
            a1.ph[a1.n++] = ph;
        }
        *out = a1;
        return 1;
    }
    return 0;
}

/* Looks a word up, with the fall-backs for words that carry their own spelling tricks.
 * Returns the number of prons (≥ 1: the guesser always answers). */
int en_pronounce(const en_dict *d, const char *w, size_t n, int accented_ed, en_pron *out, int max) {
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
    const char *sp = k ? spoken_form(w, n) : NULL;
    if (sp) {
        if (k == max) k--;
        memmove(&out[1], &out[0], sizeof out[0] * (size_t)k);
        en_parse_phones(sp, strlen(sp), &out[0]);
        return k + 1;
    }
    if (k) return k;
    if (w[0] == '\'') return en_pronounce(d, w + 1, n - 1, 0, out, max);   /* an opening quote */
    const char *ap = memchr(w, '\'', n);
    if (ap) {
        size_t a = (size_t)(ap - w);
        /* possessive 's / s' : the word, plus a sibilant syllable only after a sibilant */
        if ((a == n - 2 && w[n - 1] == 's') || a == n - 1) {
            int kk = en_pronounce(d, w, a, 0, out, max);
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
            /* Does the apostrophe take a syllable away?  The spelling says how many are
             * left: "heav'n" (1) vs heaven (2) drops one; "whisper'd" (2) vs whispered (2)
             * drops none, the e of -ed being silent anyway. */
            char el[EN_MAX_WORD + 1];
            size_t em = 0;
            for (size_t i = 0; i < n; i++) if (w[i] != '\'') el[em++] = w[i];
            en_pron g;
            en_guess_pron(el, em, &g);
            int spelled = en_pron_syllables(&g);
            int full_syl = en_pron_syllables(&full[0]);
            out[0] = full[0];
            if (spelled >= full_syl) return 1;
            /* prefer a dictionary variant that is already one syllable shorter */
            for (int i = 1; i < kk; i++)
                if (en_pron_syllables(&full[i]) == full_syl - 1) { out[0] = full[i]; return 1; }
            /* which vowel: the letters after the apostrophe hold how many vowels? */
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
    if (!en_dict_guess_only(d) && (old_spelling_lookup(d, buf, m, &out[0]) || morph_lookup(d, buf, m, &out[0], 0))) return 1;
    en_guess_pron(buf, m, &out[0]);
    return 1;
}

static void classes_of(const en_pron *p, const char *w, size_t wn, char *cls, int *nsyl) {
    int n = 0, nv = en_pron_syllables(p);
    int function_word = nv == 1 && en_is_function_word(w, wn);
    /* the articles lean on their noun: never stressed, even on a beat */
    int article = function_word && ((wn == 3 && !memcmp(w, "the", 3)) || (wn == 1 && w[0] == 'a') || (wn == 2 && !memcmp(w, "an", 2)));
    for (int i = 0; i < p->n && n < EN_WORD_MAX_SYL; i++) {
        int ph = EN_PH(p->ph[i]);
        if (!en_phone_is_vowel(ph)) continue;
        int st = EN_ST(p->ph[i]);
        if (nv == 1) cls[n++] = article ? 'A' : function_word ? 'F' : 'C';
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

/* Syllables the spelling shows (the guesser's count). */
static int spelled_syllables(const char *w, size_t n) {
    en_pron g;
    char buf[EN_MAX_WORD + 1];
    size_t m = 0;
    for (size_t i = 0; i < n && m < EN_MAX_WORD; i++) if (w[i] != '\'') buf[m++] = w[i];
    en_guess_pron(buf, m, &g);
    return en_pron_syllables(&g);
}

/* "fire", "hire", "choirs": one spelled vowel before r, but older verse (and CMUdict's
 * first reading) gives them two syllables, fi-er; we keep that. */
static int fire_like(const char *w, size_t n, const en_pron *p) {
    int vg = 0;
    for (size_t i = 0; i < n; i++)
        if (strchr("aeiouy", w[i]) && (i == 0 || !strchr("aeiouy", w[i - 1]))) vg++;
    if (n >= 1 && w[n - 1] == 'e') vg--;
    else if (n >= 2 && w[n - 2] == 'e' && (w[n - 1] == 's' || w[n - 1] == 'd')) vg--;
    if (vg != 1) return 0;
    for (int i = 0; i + 1 < p->n; i++)
        if (EN_PH(p->ph[i]) == EN_AY && EN_PH(p->ph[i + 1]) == EN_ER) return 1;
    return 0;
}

int en_word_readings(const en_dict *d, const char *w, size_t n, int accented_ed, en_reading *rd, int max, en_pron *usual) {
    en_pron prons[EN_MAX_PRONS];
    int k = en_pronounce(d, w, n, accented_ed, prons, EN_MAX_PRONS);
    int nr = 0;
    if (usual) { if (k > 0) *usual = prons[0]; else usual->n = 0; }
    if (k == 0) return 0;
    /* th', t': a syllable-less proclitic */
    if (prons[0].n == 0) {
        rd[0].nsyl = 0; rd[0].cls[0] = 0; rd[0].kind = EN_RD_USUAL;
        return 1;
    }
    /* Variants of different lengths ("our" 1 or 2, "temperate" 2 or 3): the poet's
     * spelling is the best witness, so the variant with the spelled number of syllables
     * becomes the usual one. */
    if (k > 1 && !accented_ed && !fire_like(w, n, &prons[0]) && !spoken_form(w, n)) {
        int c0 = en_pron_syllables(&prons[0]), differ = 0;
        for (int i = 1; i < k; i++) differ |= en_pron_syllables(&prons[i]) != c0;
        if (differ) {
            int gs = spelled_syllables(w, n);
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
        classes_of(&prons[i], w, n, r.cls, &r.nsyl);
        r.kind = i == 0 ? EN_RD_USUAL : EN_RD_VARIANT;
        int dup = 0;
        for (int j = 0; j < nr; j++) dup |= rd[j].nsyl == r.nsyl;
        if (!dup) rd[nr++] = r;
    }
    /* elisions of the usual pronunciation, one and then two vowels fewer */
    en_pron e = prons[0];
    int promotable_at = -1;
    for (int step = 0; step < 2 && nr < max; step++) {
        int at = elision_at(&e, 0);
        if (at < 0) break;
        /* an r-coloured vowel (flow-er, ev-er-y) or a vowel between consonants (heav-en)
         * elides naturally; a plain hiatus (be-ing, qui-et) rarely does */
        int natural = EN_PH(e.ph[at]) == EN_ER || at == 0 || !en_phone_is_vowel(EN_PH(e.ph[at - 1]));
        /* ...the spelling may make it usual, but not after a secondary stress (sapphire)
         * nor in a past tense (de-si-red, ad-mi-red: -ed keeps the word long in verse) */
        int promote = natural;
        if (at > 0 && en_phone_is_vowel(EN_PH(e.ph[at - 1])) && EN_ST(e.ph[at - 1]) == 2) promote = 0;
        if (n > 2 && w[n - 2] == 'e' && w[n - 1] == 'd') promote = 0;
        drop_vowel(&e, at);
        if (step == 0 && promote) promotable_at = nr;
        en_reading r;
        classes_of(&e, w, n, r.cls, &r.nsyl);
        r.kind = step ? EN_RD_DOUBLE : natural ? EN_RD_SYNCOPE : EN_RD_HIATUS;
        if (r.nsyl == 0) break;
        int dup = 0;
        for (int j = 0; j < nr; j++) dup |= rd[j].nsyl == r.nsyl;
        if (!dup) rd[nr++] = r;
        else if (step == 0) promotable_at = -1;
    }
    /* "our", "scours", "desiring": when the spelling has one vowel fewer than the
     * dictionary's reading and an elision gives just that, the elided reading is usual. */
    if (promotable_at > 0 && promotable_at < nr && !accented_ed && !fire_like(w, n, &prons[0]) &&
        rd[promotable_at].nsyl == spelled_syllables(w, n) && rd[0].nsyl == rd[promotable_at].nsyl + 1) {
        en_reading t = rd[0];
        rd[0] = rd[promotable_at];
        rd[0].kind = EN_RD_USUAL;
        rd[promotable_at] = t;
        rd[promotable_at].kind = EN_RD_VARIANT;
    }
    return nr;
}
