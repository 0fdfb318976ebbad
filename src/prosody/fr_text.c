/* src/prosody/fr_text.c — splitting a French verse line into words, in fr letters.
 *
 * Any bytes are accepted: invalid UTF-8 and symbols act as punctuation.  Apostrophes
 * (' ’ ʼ) end an elided word (l', qu', jusqu'); hyphens split words but are remembered
 * (dis-je, a-t-il) since the e of "-je", "-ce", "-le" behaves like a final e.  Digits are
 * read out as French number words so that "1830" counts as "mil huit cent trente". */
#include "prosody/fr_internal.h"
#include "util/utf8.h"
#include <stdio.h>
#include <string.h>

int fr_is_vowel(unsigned c) {
    switch (c) {
    case 'a': case 'e': case 'i': case 'o': case 'u': case 'y':
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE6:
    case 0xE8: case 0xE9: case 0xEA: case 0xEB: case 0xEC: case 0xED: case 0xEE: case 0xEF:
    case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6: case 0xF9: case 0xFA: case 0xFB:
    case 0xFC: case 0xFD: case 0xFF: case L_OE:
        return 1;
    default:
        return 0;
    }
}

/* The code point at s[i..n) into *cp and its length, without moving (the scanner looks
 * ahead); an invalid byte is U+FFFD of length 1.  util/utf8.h decodes. */
static int utf8_at(const unsigned char *s, size_t i, size_t n, unsigned *cp) {
    uint32_t v;
    size_t k = utf8_decode(s + i, n - i, &v);
    *cp = k ? v : UTF8_REPLACEMENT;
    return k ? (int)k : 1;
}

/* Code point → fr letter (0 when not a letter). */
static unsigned fr_letter(unsigned cp) {
    if (cp >= 'a' && cp <= 'z') return cp;
    if (cp >= 'A' && cp <= 'Z') return cp + 32;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) cp += 0x20;     /* Latin-1 upper → lower */
    if (cp >= 0xDF && cp <= 0xFF && cp != 0xF7) {
        if (cp == 0xDF) return 's';
        if (cp == 0xF1) return 'n';                              /* ñ */
        if (cp == 0xF0 || cp == 0xF8 || cp == 0xFE) return 0;
        return cp;
    }
    if (cp == 0x152 || cp == 0x153) return L_OE;
    if (cp == 0x178) return L_YUML;
    return 0;
}

static int is_apostrophe(unsigned cp) { return cp == '\'' || cp == 0x2019 || cp == 0x2BC || cp == 0x2018; }
static int is_hyphen(unsigned cp) { return cp == '-' || cp == 0x2010 || cp == 0x2011; }

/* ---- numbers read out ------------------------------------------------------------- */

static const char *const units[] = { "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept",
    "huit", "neuf", "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize",
    "dix sept", "dix huit", "dix neuf" };
static const char *const tens[] = { "", "", "vingt", "trente", "quarante", "cinquante",
    "soixante", "soixante", "quatre vingt", "quatre vingt" };

/* Appends the words of n (0..999999) to buf, space-separated. */
static void number_words(unsigned long n, char *buf, size_t cap) {
    char tmp[64];
    if (n >= 1000) {
        unsigned long th = n / 1000;
        if (th > 1) number_words(th, buf, cap);
        /* years 1001..1999 are read "mil huit cent" */
        strncat(buf, th == 1 && n % 1000 ? " mil " : " mille ", cap - strlen(buf) - 1);
        n %= 1000;
        if (!n) return;
    }
    if (n >= 100) {
        unsigned long h = n / 100;
        if (h > 1) { snprintf(tmp, sizeof tmp, " %s", units[h]); strncat(buf, tmp, cap - strlen(buf) - 1); }
        strncat(buf, " cent ", cap - strlen(buf) - 1);
        n %= 100;
        if (!n) return;
    }
    if (n < 20) { snprintf(tmp, sizeof tmp, " %s ", units[n]); strncat(buf, tmp, cap - strlen(buf) - 1); return; }
    unsigned long t = n / 10, u = n % 10;
    if (t == 7 || t == 9) u += 10;
    snprintf(tmp, sizeof tmp, " %s %s%s ", tens[t], (u == 1 || u == 11) && t != 8 ? "et " : "",
             u ? units[u] : "");
    strncat(buf, tmp, cap - strlen(buf) - 1);
}

/* Adds word bytes (UTF-8, letters only) as a token. */
static int push_word(const unsigned char *s, size_t a, size_t b, int start, int len,
                     fr_tok *out, int max, int count, int hyph, int number) {
    if (count < max) {
        fr_tok *t = &out[count];
        memset(t, 0, sizeof *t);
        t->start = start; t->len = len;
        t->hyph_before = (unsigned char)hyph;
        t->is_number = (unsigned char)number;
        size_t i = a;
        while (i < b) {
            unsigned cp; int k = utf8_at(s, i, b, &cp); i += (size_t)k;
            unsigned l = fr_letter(cp);
            if (l && t->n < FR_MAXW) t->w[t->n++] = (unsigned char)l;
        }
        t->w[t->n] = 0;
    }
    return count + 1;
}

int fr_tokenize(const char *text, size_t len, fr_tok *out, int max) {
    const unsigned char *s = (const unsigned char *)text;
    int count = 0;
    size_t i = 0;
    int hyph = 0;
    while (i < len) {
        unsigned cp; int k = utf8_at(s, i, len, &cp);
        if (k == 1 && cp >= '0' && cp <= '9') {            /* a number (ASCII digits only: an overlong UTF-8 '1' must not loop) */
            size_t j = i; unsigned long v = 0; int digits = 0;
            while (j < len && s[j] >= '0' && s[j] <= '9') { if (digits < 6) v = v * 10 + (s[j] - '0'); digits++; j++; }
            char words[256] = "";
            number_words(v, words, sizeof words);
            const unsigned char *ws = (const unsigned char *)words;
            size_t wn = strlen(words), p = 0;
            while (p < wn) {
                while (p < wn && ws[p] == ' ') p++;
                size_t q = p;
                while (q < wn && ws[q] != ' ') q++;
                if (q > p) count = push_word(ws, p, q, (int)i, (int)(j - i), out, max, count, hyph, 1), hyph = 0;
                p = q;
            }
            i = j;
            continue;
        }
        if (!fr_letter(cp)) {
            if (is_hyphen(cp)) hyph = 1;
            else if (count > 0 && count <= max && cp != ' ' && cp != '\t') out[count - 1].punct_after = 1, hyph = 0;
            else hyph = 0;
            i += (size_t)k;
            continue;
        }
        size_t a = i;                                       /* a run of letters */
        while (i < len) {
            k = utf8_at(s, i, len, &cp);
            if (!fr_letter(cp)) break;
            i += (size_t)k;
        }
        size_t b = i;
        int elided = 0;
        if (i < len) {
            k = utf8_at(s, i, len, &cp);
            if (is_apostrophe(cp)) { elided = 1; i += (size_t)k; }
        }
        count = push_word(s, a, b, (int)a, (int)(i - a), out, max, count, hyph, 0);
        if (count <= max) out[count - 1].elided = (unsigned char)elided;
        hyph = 0;
    }
    return count;
}

void fr_letters_to_utf8(const unsigned char *w, int n, char *out, size_t cap) {
    size_t o = 0;
    if (!cap) return;
    for (int i = 0; i < n; i++) {
        unsigned c = w[i];
        unsigned cp = c == L_OE ? 0x153 : c;
        unsigned char buf[3]; int k;
        if (cp < 0x80) { buf[0] = (unsigned char)cp; k = 1; }
        else if (cp < 0x800) { buf[0] = (unsigned char)(0xC0 | (cp >> 6)); buf[1] = (unsigned char)(0x80 | (cp & 0x3F)); k = 2; }
        else { buf[0] = (unsigned char)(0xE0 | (cp >> 12)); buf[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); buf[2] = (unsigned char)(0x80 | (cp & 0x3F)); k = 3; }
        if (o + (size_t)k >= cap) break;
        memcpy(out + o, buf, (size_t)k); o += (size_t)k;
    }
    out[o] = 0;
}
