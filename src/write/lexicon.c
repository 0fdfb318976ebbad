/* src/write/lexicon.c — the words of one language: which words a line may contain.
 *
 * A French poem may use French words only, an English one English words only: the lexicon
 * of a language is its system word list (Debian's wfrench or wamerican), normalised (lower
 * case, œ → oe, æ → ae, ’ → ') and sorted, so that one binary search answers both "is this
 * a word" and "does some word begin with these letters" — the second lets the writer refuse,
 * token by token, a word piece that no word of the language continues, instead of spelling
 * glued pieces to the letter limit and backing out of them.
 *
 * Words joined by apostrophes and hyphens follow the language's rules: French elisions
 * (l'âme, qu'il, jusqu'au, aujourd'hui), hyphenated pronouns (dis-moi, a-t-il); English
 * contractions and possessives (he'd, lion's, lovers'), poetic elisions (heav'n = heaven,
 * o'er, th'), compounds (well-known).  Each part must be a word (or a clitic) of the
 * language.  Without a word list there is no lexicon and every word is allowed. */
#include "write/wr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEX_MAX_WORD 64

/* Appends code point c to out (UTF-8); 0 ok, -1 no room. */
static int put_cp(char *out, int *n, int cap, uint32_t c) {
    if (c < 0x80) { if (*n + 1 >= cap) return -1; out[(*n)++] = (char)c; }
    else if (c < 0x800) {
        if (*n + 2 >= cap) return -1;
        out[(*n)++] = (char)(0xC0 | (c >> 6)); out[(*n)++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        if (*n + 3 >= cap) return -1;
        out[(*n)++] = (char)(0xE0 | (c >> 12)); out[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (c & 0x3F));
    } else return -1;
    return 0;
}

int wr_norm_word(const char *w, int len, char *out, int cap) {
    int n = 0;
    for (int i = 0; i < len;) {
        const unsigned char *u = (const unsigned char *)w + i;
        /* a lead byte whose continuation has not been spelled yet: kept as it is */
        if (u[0] >= 0xC0 && u[0] < 0xE0 && i + 1 == len) {
            if (n + 1 >= cap) return -1;
            out[n++] = (char)u[0];
            break;
        }
        int adv; uint32_t c = wr_lower(wr_utf8_next(w + i, len - i, &adv));
        if (adv <= 0 || c == 0xFFFD) return -1;
        i += adv;
        if (c == 0x2019) c = '\'';
        if (c == 0x153 || c == 0xE6) {                       /* œ, æ: the word lists spell oe, ae */
            if (put_cp(out, &n, cap, c == 0x153 ? 'o' : 'a') || put_cp(out, &n, cap, 'e')) return -1;
            continue;
        }
        if (put_cp(out, &n, cap, c)) return -1;
    }
    out[n] = 0;
    return n;
}

/* Word lists carry slurs; the writer never offers them as rhyme words nor accepts them
 * spelled in pieces. */
static const char *const BLOCKED[] = {
    "nigger", "niggers", "nigga", "niggas", "niggard", "niggardly", "faggot", "faggots", "fag",
    "fags", "fagging", "fagot", "fagots", "faggoting", "kike", "kikes", "spic", "spics", "chink", "chinks", "wetback", "wetbacks", "gook",
    "gooks", "coon", "coons", "darkie", "darky", "retard", "retards", "tranny", "dyke", "dykes",
    "cunt", "cunts", "whore", "whores", "slut", "sluts", "bitch", "bitches", "twat", "wank",
    "nègre", "nègres", "négresse", "pédé", "pédés", "salope", "salopes", "pute", "putes",
    "enculé", "enculés", "bougnoule", "bougnoules", "youpin", "youpins", "bicot", "bicots",
    "gouine", "gouines", "connard", "connards", "connasse", "tapette", NULL};

int wr_is_blocked_word(const char *w, int len) {
    char low[LEX_MAX_WORD + 4];
    int n = wr_norm_word(w, len, low, LEX_MAX_WORD);
    if (n <= 0) return 0;
    for (const char *const *b = BLOCKED; *b; b++)
        if (!strcmp(*b, low)) return 1;
    return 0;
}

/* ---- building ----------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A word list entry the lexicon takes: letters, inner apostrophes and hyphens, and no part
 * that is a blocked word. */
static int lex_entry_ok(const char *w, int len) {
    if (len <= 0) return 0;
    int part = 0;
    for (int i = 0; i <= len;) {
        int adv = 1; uint32_t c = i < len ? wr_utf8_next(w + i, len - i, &adv) : '-';
        if (adv <= 0 || c == 0xFFFD) return 0;
        if (c == '\'' || c == 0x2019 || c == '-') {
            if (i > part && wr_is_blocked_word(w + part, i - part)) return 0;
            part = i + adv;
        } else if (!wr_is_letter(c)) return 0;
        i += adv;
    }
    return 1;
}

int wr_lexicon_index(wr_lexicon *lx) {
    free(lx->sorted); lx->sorted = NULL; lx->n = 0;
    if (!lx->text || lx->len < 2 || lx->text[0] != 0 || lx->text[lx->len - 1] != 0) return -1;
    uint32_t n = 0;
    for (size_t i = 1; i < lx->len; i++) if (lx->text[i] == 0) n++;
    lx->sorted = malloc(sizeof *lx->sorted * (n + 1));
    if (!lx->sorted) return -1;
    size_t at = 1;
    for (uint32_t k = 0; k < n; k++) {
        lx->sorted[k] = (uint32_t)at;
        size_t l = strlen(lx->text + at);
        if (l == 0) { free(lx->sorted); lx->sorted = NULL; return -1; }  /* empty word */
        /* strictly increasing: the binary searches rely on it (a bad cache is refused) */
        if (k > 0 && strcmp(lx->text + lx->sorted[k - 1], lx->text + at) >= 0) { free(lx->sorted); lx->sorted = NULL; return -1; }
        at += l + 1;
    }
    lx->n = n;
    return 0;
}

/* Words of one list that are far more often the other language's words: a French list holds
 * "and", "in", "have" (rare loans), an English one "la", "est"; a model drifting into the
 * other language writes them, so the lexicon leaves them out. */
static const char *const FOREIGN_IN_FR[] = {"and", "but", "in", "for", "have", "if", "must", "do", "am", "are",
                                            "the", "of", "to", "with", "is", "it", NULL};
static const char *const FOREIGN_IN_EN[] = {"la", "le", "les", "des", "de", "du", "une", "et", "est", "qui", "que",
                                            "dans", "avec", "mais", "nous", "vous", "je", "il", "elle", "mes",
                                            NULL};

static int foreign_word(const char *w, int lang) {
    for (const char *const *f = lang == WR_LANG_FR ? FOREIGN_IN_FR : FOREIGN_IN_EN; *f; f++)
        if (!strcmp(*f, w)) return 1;
    return 0;
}

int wr_lexicon_load_text(wr_lexicon *lx, const char *src, size_t src_len, int lang) {
    memset(lx, 0, sizeof *lx);
    lx->lang = lang;
    size_t cap = src_len + 2, len = 0, nw = 0, wcap = 1 << 12;
    char *text = malloc(cap);
    char **words = malloc(sizeof *words * wcap);
    char norm[LEX_MAX_WORD + 4];
    int rc = -1;
    if (!text || !words) goto out;
    for (size_t at = 0; at < src_len;) {
        const char *line = src + at;
        const char *nl = memchr(line, '\n', src_len - at);
        size_t ll = nl ? (size_t)(nl - line) : src_len - at;
        at += ll + (nl ? 1 : 0);
        if (ll > 0 && line[0] == '#') continue;                      /* a comment */
        size_t l = 0;                                                /* the first field */
        while (l < ll && line[l] != '\t' && line[l] != '\r') l++;
        if (l == 0 || l > LEX_MAX_WORD || !lex_entry_ok(line, (int)l)) continue;
        int n = wr_norm_word(line, (int)l, norm, LEX_MAX_WORD);
        if (n <= 0 || foreign_word(norm, lang)) continue;
        if (len + (size_t)n + 1 > cap) continue;                     /* cannot happen: norm is no longer than the line */
        if (nw == wcap) {
            char **nwd = realloc(words, sizeof *words * wcap * 2);
            if (!nwd) goto out;
            words = nwd; wcap *= 2;
        }
        memcpy(text + len, norm, (size_t)n + 1);
        words[nw++] = text + len;
        len += (size_t)n + 1;
    }
    qsort(words, nw, sizeof *words, cmp_str);
    lx->text = malloc(len + 2);
    if (!lx->text) goto out;
    lx->text[0] = 0;
    size_t at = 1;
    for (size_t i = 0; i < nw; i++) {
        if (i > 0 && !strcmp(words[i], words[i - 1])) continue;       /* duplicates after lower-casing */
        size_t l = strlen(words[i]);
        memcpy(lx->text + at, words[i], l + 1);
        at += l + 1;
    }
    lx->len = at;
    if (nw == 0 || wr_lexicon_index(lx) < 0) goto out;
    rc = 0;
out:
    free(text); free(words);
    if (rc) { free(lx->text); free(lx->sorted); memset(lx, 0, sizeof *lx); }
    return rc;
}

int wr_lexicon_load_list(wr_lexicon *lx, const char *path, int lang) {
    memset(lx, 0, sizeof *lx);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0) break;
        if (len == cap) {
            if (cap >= ((size_t)1 << 30)) { free(buf); buf = NULL; break; }   /* no word list is a gigabyte */
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb; cap *= 2;
        }
    }
    int bad = !buf || ferror(f);
    fclose(f);
    int rc = bad ? -1 : wr_lexicon_load_text(lx, buf, len, lang);
    free(buf);
    return rc;
}

void wr_lexicon_free(wr_lexicon *lx) {
    free(lx->text); free(lx->sorted);
    memset(lx, 0, sizeof *lx);
}

/* ---- queries ------------------------------------------------------------------------------ */

/* First word >= key (index in sorted). */
static uint32_t lower_bound(const wr_lexicon *lx, const char *key) {
    uint32_t lo = 0, hi = lx->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(lx->text + lx->sorted[mid], key) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static int has_norm(const wr_lexicon *lx, const char *key) {
    uint32_t i = lower_bound(lx, key);
    return i < lx->n && !strcmp(lx->text + lx->sorted[i], key);
}

static int prefix_norm(const wr_lexicon *lx, const char *key, int n) {
    if (n == 0) return 1;
    uint32_t i = lower_bound(lx, key);
    return i < lx->n && !strncmp(lx->text + lx->sorted[i], key, (size_t)n);
}

/* A prefix ending in a lone lead byte: the letter it opens may normalise to two letters
 * (Œ → oe, Æ → ae), so those readings are tried too. */
static int prefix_any(const wr_lexicon *lx, char *key, int n) {
    if (n > 0 && ((unsigned char)key[n - 1] == 0xC5 || (unsigned char)key[n - 1] == 0xC3)) {
        if (prefix_norm(lx, key, n)) return 1;
        char save = key[n - 1];
        key[n - 1] = (unsigned char)save == 0xC5 ? 'o' : 'a';
        int ok = prefix_norm(lx, key, n);
        key[n - 1] = save;
        return ok;
    }
    return prefix_norm(lx, key, n);
}

int wr_lexicon_has(const wr_lexicon *lx, const char *w, int len) {
    if (!lx || !lx->n) return 1;
    char buf[LEX_MAX_WORD + 4];
    int n = wr_norm_word(w, len, buf, LEX_MAX_WORD);
    return n > 0 && has_norm(lx, buf);
}

int wr_lexicon_prefix(const wr_lexicon *lx, const char *w, int len) {
    if (!lx || !lx->n) return 1;
    char buf[LEX_MAX_WORD + 4];
    int n = wr_norm_word(w, len, buf, LEX_MAX_WORD);
    return n >= 0 && prefix_any(lx, buf, n);
}

/* ---- words made of parts ------------------------------------------------------------------- */

static const char *const CLITIC_FR[] = {"l'", "d'", "j'", "m'", "t'", "s'", "n'", "c'", "qu'", "jusqu'", "lorsqu'", "puisqu'", "quoiqu'", "presqu'", "entr'",
                                        "prud'", "grand'", NULL};
static const char *const PRONOUN_EN[] = {"i", "you", "he", "she", "it", "we", "they", "who", "that", "there",
                                         "what", "where", "how", "here", NULL};
static const char *const CONTR_EN[] = {"d", "ll", "ve", "re", "m", "s", NULL};
static const char *const HEAD_EN[] = {"o", "th", NULL};
static const char *const ELIDED_EN[] = {"n", "ns", "r", "rs", "ry", "ring", "rings", "d", "st", "dst", NULL};

static int in_list(const char *const *l, const char *s) {
    for (; *l; l++) if (!strcmp(*l, s)) return 1;
    return 0;
}
static int prefix_of_list(const char *const *l, const char *s, int n) {
    for (; *l; l++) if (!strncmp(*l, s, (size_t)n)) return 1;
    return 0;
}

static int is_sep(char c) { return c == '\'' || c == '-'; }

/* one letter that is a word by itself */
static int one_letter_word(const char *s, int n, int lang) {
    int adv; uint32_t c = wr_utf8_next(s, n, &adv);
    if (adv != n) return -1;                                  /* not one letter */
    if (lang == WR_LANG_FR) return c == 'a' || c == 'y' || c == 0xE0 || c == 0xF4;   /* a, y, à, ô */
    return c == 'a' || c == 'i' || c == 'o';
}

/* s: normalised, n bytes, NUL-terminated at n.  whole = 1: must be a complete word;
 * 0: must be the beginning of one. */
static int parts_ok(const wr_lexicon *lx, int lang, char *s, int n, int whole, int depth) {
    if (n == 0) return !whole;
    int one = one_letter_word(s, n, lang);
    if (one >= 0 && whole) return one;
    if (whole ? has_norm(lx, s) : prefix_any(lx, s, n)) return 1;
    if (depth >= 4) return 0;
    int k = 1;
    while (k < n && !is_sep(s[k])) k++;
    if (k >= n) return 0;
    char sep = s[k];
    char *tail = s + k + 1;
    int tn = n - k - 1;
    char head[LEX_MAX_WORD + 4];
    memcpy(head, s, (size_t)k); head[k] = 0;
    if (sep == '-') {
        int h = has_norm(lx, head) || (lang == WR_LANG_FR && !strcmp(head, "t"));
        if (one_letter_word(head, k, lang) == 0 && strcmp(head, "t")) h = 0;
        return h && (tn > 0 || !whole) && parts_ok(lx, lang, tail, tn, whole, depth + 1);
    }
    if (lang == WR_LANG_FR) {
        head[k] = '\''; head[k + 1] = 0;
        if (!has_norm(lx, head) && !in_list(CLITIC_FR, head)) return 0;
        /* an elided word comes before a vowel or an h only: "n'a", "l'homme", never "n'titre" */
        if (tn > 0 && strcmp(head, "grand'")) {               /* grand'mère keeps its old form */
            int adv; uint32_t c = wr_utf8_next(tail, tn, &adv);
            if (!wr_is_vowel(c, lang) && c != 'h') return 0;
        }
        return (tn > 0 || !whole) && parts_ok(lx, lang, tail, tn, whole, depth + 1);
    }
    /* English.  Possessives after any word (lion's, lovers'); contractions after pronouns
     * (he'd, we'll, I'm); th' and o' before a word (th'expanse); an elided e before the
     * endings poets elide it in (heav'n, pow'r, ev'ry, lov'd, know'st, wand'ring), which may
     * take a possessive (heav'n's).  Listed forms (o'er, don't, ne'er) were found above. */
    int head_word = has_norm(lx, head) && one_letter_word(head, k, lang) != 0;
    if (head_word && (!wr_is_stop_word(head, k, lang) || in_list(PRONOUN_EN, head))) {   /* not and's */
        if (whole ? !strcmp(tail, "s") || (tn == 0 && head[k - 1] == 's') : tn == 0 || !strcmp(tail, "s")) return 1;
        if (in_list(PRONOUN_EN, head) && (whole ? in_list(CONTR_EN, tail) : prefix_of_list(CONTR_EN, tail, tn))) return 1;
    }
    if (in_list(HEAD_EN, head) && (tn > 0 || !whole) && parts_ok(lx, lang, tail, tn, whole, depth + 1)) return 1;
    int t = 0;
    while (t < tn && !is_sep(tail[t])) t++;
    char part[LEX_MAX_WORD + 4];
    memcpy(part, tail, (size_t)t); part[t] = 0;
    if (k < 2 || !(t == tn && !whole ? prefix_of_list(ELIDED_EN, part, t) : in_list(ELIDED_EN, part))) return 0;
    char el[2 * LEX_MAX_WORD + 8];
    memcpy(el, head, (size_t)k); el[k] = 'e';
    memcpy(el + k + 1, part, (size_t)t); el[k + 1 + t] = 0;
    if (t == tn) return whole ? has_norm(lx, el) : prefix_norm(lx, el, k + 1 + t);
    const char *rest = tail + t;                               /* after the elided word: 's */
    return has_norm(lx, el) && (whole ? !strcmp(rest, "'s") : !strncmp(rest, "'s", strlen(rest)));
}

/* An elided French clitic that lost its apostrophe ("qu je", "jusqu au"): the corpus has
 * a few hundred of them, so the frequency list counts "qu" and "jusqu" as words; they are
 * fragments, never a word of a line. */
static int clitic_stem(const char *s, int n) {
    static const char *stems[] = {"qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu", "quelqu", "entr"};
    for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++)
        if ((int)strlen(stems[i]) == n && !memcmp(stems[i], s, (size_t)n)) return 1;
    return 0;
}

static int word_query(const wr_lexicon *lx, int lang, const char *w, int len, int whole) {
    char buf[LEX_MAX_WORD + 4];
    int n = wr_norm_word(w, len, buf, LEX_MAX_WORD);
    if (n < 0) return 0;
    if (n > 0 && is_sep(buf[0])) return 0;                   /* a word begins with a letter */
    if (whole && lang == WR_LANG_FR && n > 0 && buf[n - 1] == '\'') return 0;   /* l' needs its word */
    if (whole && lang == WR_LANG_FR && clitic_stem(buf, n)) return 0;
    if (!lx || !lx->n) return !whole || one_letter_word(buf, n, lang) != 0;
    return parts_ok(lx, lang, buf, n, whole, 0);
}

int wr_word_ok(const wr_lexicon *lx, int lang, const char *w, int len) {
    return len > 0 && word_query(lx, lang, w, len, 1);
}
int wr_word_viable(const wr_lexicon *lx, int lang, const char *w, int len) {
    return word_query(lx, lang, w, len, 0);
}
