/* src/prosody/en_split.c — splitting a line of English verse into words.
 *
 * Verse is typeset with curly apostrophes and quotes, dashes, accents (-èd, naïve), old
 * elisions (o'er, th', 'tis) and numbers.  We fold everything to lower-case ASCII words
 * with straight apostrophes, which is what the dictionary is keyed by:
 *   - letters: ASCII and Latin-1/Latin Extended-A letters folded to their base letter;
 *   - apostrophes ' ’ ‘ ʼ: kept inside a word, at its start (’tis) and at its end (th’, o’),
 *     dropped when they are quotation marks (word lookup strips what it cannot use);
 *   - hyphens and every other character separate words ("wished-for" is two words);
 *   - digits: read out ("1850" → eighteen fifty, "42" → forty two), "&" as "and";
 *     a number alone at the start or end of a line with words is a line number: skipped;
 *   - invalid UTF-8 bytes are separators.
 * A word longer than EN_SPLIT_MAX bytes is cut there (the rest of its letters are dropped):
 * a 10 MB "word" is not English, and the count stays bounded. */
#include "prosody/en_internal.h"
#include "util/utf8.h"
#include <string.h>

#define EN_SPLIT_MAX 96

/* Folds a code point to lower-case ASCII letters (up to 2), 0 if not a letter. */
static int fold_letter(unsigned cp, char out[2], int *is_grave_e) {
    *is_grave_e = 0;
    if (cp < 0x80) {
        if (cp >= 'a' && cp <= 'z') { out[0] = (char)cp; return 1; }
        if (cp >= 'A' && cp <= 'Z') { out[0] = (char)(cp + 32); return 1; }
        return 0;
    }
    static const char latin1[] =          /* U+00C0 .. U+00FF, '.' = not a letter */
        "aaaaaa.ceeeeiiii" "dnooooo.ouuuuyts"
        "aaaaaa.ceeeeiiii" "dnooooo.ouuuuyty";
    if (cp >= 0xC0 && cp <= 0xFF) {
        char c = latin1[cp - 0xC0];
        if (cp == 0xC6 || cp == 0xE6) { out[0] = 'a'; out[1] = 'e'; return 2; }
        if (cp == 0xDF) { out[0] = 's'; out[1] = 's'; return 2; }
        if (c == '.') return 0;
        if (cp == 0xE8 || cp == 0xC8) *is_grave_e = 1;
        out[0] = c;
        return 1;
    }
    if (cp == 0x152 || cp == 0x153) { out[0] = 'o'; out[1] = 'e'; return 2; }
    if (cp >= 0x100 && cp <= 0x17F) {     /* Latin Extended-A: pairs of upper/lower case */
        static const char ext[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiijjjjkkklllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
        size_t k = cp - 0x100;
        if (k < sizeof ext - 1) { out[0] = ext[k]; return 1; }
    }
    return 0;
}

static int is_apostrophe(unsigned cp) { return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x2BC; }

static const char *const ones[] = {"zero", "one", "two", "three", "four", "five", "six", "seven",
    "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    "seventeen", "eighteen", "nineteen"};
static const char *const tens[] = {"", "", "twenty", "thirty", "forty", "fifty", "sixty",
    "seventy", "eighty", "ninety"};

/* The splitter's output: the word callback, and where the words being said come from. */
typedef struct splitter {
    en_word_src_fn fn;
    void *ctx;
    en_src src;          /* of the word being said: digits and '&' say words that span them */
} splitter;

static int say(splitter *sp, const char *w) { return sp->fn(sp->ctx, w, strlen(w), 0, &sp->src); }

static int say_below_100(splitter *sp, unsigned v) {
    if (v < 20) return say(sp, ones[v]);
    if (say(sp, tens[v / 10])) return 1;
    return v % 10 ? say(sp, ones[v % 10]) : 0;
}

static int say_below_1000(splitter *sp, unsigned v) {
    if (v >= 100) {
        if (say(sp, ones[v / 100]) || say(sp, "hundred")) return 1;
        v %= 100;
        if (!v) return 0;
        if (say(sp, "and")) return 1;
    }
    return say_below_100(sp, v);
}

/* Reads a run of digits as English words; long runs digit by digit. */
static int say_number(splitter *sp, const char *dig, size_t n) {
    while (n > 1 && dig[0] == '0') { if (say(sp, "oh")) return 1; dig++; n--; }
    if (n > 6) {
        for (size_t i = 0; i < n; i++) if (say(sp, ones[dig[i] - '0'])) return 1;
        return 0;
    }
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10 + (unsigned)(dig[i] - '0');
    if (n == 4 && v >= 1100 && v < 2000 && v % 100 != 0)        /* a year: eighteen fifty */
        return say_below_100(sp, v / 100) || (v % 100 < 10 ? say(sp, "oh") || say(sp, ones[v % 100])
                                                           : say_below_100(sp, v % 100));
    if (v >= 1000) {
        if (say_below_1000(sp, v / 1000) || say(sp, "thousand")) return 1;
        v %= 1000;
        if (!v) return 0;
        if (v < 100 && say(sp, "and")) return 1;
    }
    if (v == 0) return say(sp, "zero");
    return say_below_1000(sp, v);
}

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

/* Editors number lines ("5 Sharp violins proclaim", "and sneer of cold command, 5");
 * poets spell their numbers out.  A run of digits standing alone at the start or the end
 * of a line that also has letters is such a number: we skip it. */
static void strip_line_numbers(const unsigned char *s, size_t *start, size_t *len) {
    size_t a = *start, b = *start + *len;
    int letters = 0;
    for (size_t i = a; i < b && !letters; i++) letters = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z');
    if (!letters) return;
    while (a < b && is_space(s[a])) a++;
    size_t d = a;
    while (d < b && s[d] >= '0' && s[d] <= '9') d++;
    if (d > a && d - a <= 4 && d < b && is_space(s[d])) a = d;
    while (b > a && is_space(s[b - 1])) b--;
    size_t e = b;
    while (e > a && s[e - 1] >= '0' && s[e - 1] <= '9') e--;
    if (e < b && b - e <= 4 && e > a && is_space(s[e - 1])) b = e;
    *start = a; *len = b - a;
}

void en_split_words_src(const char *text, size_t len, en_word_src_fn fn, void *ctx) {
    const unsigned char *s = (const unsigned char *)text;
    size_t start = 0;
    strip_line_numbers(s, &start, &len);
    len += start;                  /* offsets below are the text's own */
    splitter sp = {fn, ctx, {0, 0, NULL}};
    char w[EN_SPLIT_MAX + 2];
    size_t at[EN_SPLIT_MAX + 2];   /* where each letter of w was read */
    size_t wend = 0;               /* end of the word's last letter read (kept or cut) */
    size_t n = 0;
    int grave_ed = 0, last_grave = -1;
    size_t i = start;
    char digits[32];
    size_t nd = 0, dstart = 0, dend = 0;
#define FLUSH_WORD() do { \
        while (n > 0 && w[n - 1] == '\'' && !(n == 2 || (n == 3 && w[0] == 't' && w[1] == 'h'))) n--; \
        if (n > 0 && !(n == 1 && w[0] == '\'')) { \
            grave_ed = last_grave >= 0 && (size_t)last_grave == n - 2 && w[n - 1] == 'd'; \
            sp.src.start = at[0]; \
            sp.src.end = w[n - 1] == '\'' || wend < at[n - 1] ? at[n] : wend; \
            sp.src.at = at; \
            if (fn(ctx, w, n, grave_ed, &sp.src)) return; } \
        n = 0; last_grave = -1; } while (0)
#define FLUSH_DIGITS() do { \
        if (nd) { \
            sp.src.start = dstart; sp.src.end = dend; sp.src.at = NULL; \
            if (say_number(&sp, digits, nd)) return; \
            nd = 0; } } while (0)
    while (i < len) {
        size_t cp_at = i;
        unsigned cp = utf8_next(s, len, &i);
        char f[2];
        int grave;
        int k = fold_letter(cp, f, &grave);
        if (k > 0) {
            FLUSH_DIGITS();
            for (int j = 0; j < k; j++) {
                if (grave && j == 0) last_grave = (int)n;
                if (n < EN_SPLIT_MAX) { at[n] = cp_at; w[n++] = f[j]; at[n] = i; }
            }
            wend = i;
            continue;
        }
        if (cp >= '0' && cp <= '9') {
            FLUSH_WORD();
            if (!nd) dstart = cp_at;
            if (nd < sizeof digits) digits[nd++] = (char)cp;
            dend = i;
            continue;
        }
        if (cp == ',' && nd && i < len && s[i] >= '0' && s[i] <= '9') continue;   /* 10,000 */
        FLUSH_DIGITS();
        if (cp == '&') {                      /* "& what dread feet" */
            FLUSH_WORD();
            sp.src.start = cp_at; sp.src.end = i; sp.src.at = NULL;
            if (say(&sp, "and")) return;
            continue;
        }
        if (is_apostrophe(cp)) {
            /* keep it when a letter follows or precedes; quotes are trimmed at the flush */
            int next_letter = 0;
            if (i < len) {
                size_t j = i;
                unsigned nc = utf8_next(s, len, &j);
                char g[2]; int gg;
                next_letter = fold_letter(nc, g, &gg) > 0;
            }
            if (n > 0 || next_letter) { if (n < EN_SPLIT_MAX) { at[n] = cp_at; w[n++] = '\''; at[n] = i; } }
            continue;
        }
        FLUSH_WORD();
    }
    FLUSH_WORD();
    FLUSH_DIGITS();
#undef FLUSH_WORD
#undef FLUSH_DIGITS
}

/* en_split_words: the same words, without their sources */
typedef struct plain { en_word_fn fn; void *ctx; } plain;

static int plain_cb(void *ctx, const char *w, size_t len, int accented_ed, const en_src *src) {
    (void)src;
    const plain *p = ctx;
    return p->fn(p->ctx, w, len, accented_ed);
}

void en_split_words(const char *text, size_t len, en_word_fn fn, void *ctx) {
    plain p = {fn, ctx};
    en_split_words_src(text, len, plain_cb, &p);
}
