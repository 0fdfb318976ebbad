/* src/prosody/en_scan.c — scanning a line of English verse: syllables, stress, rhyme.
 *
 * 1. The line is split into words (en_split.c) and each word gets its readings
 *    (en_words.c): the usual one and the shorter ones elision allows; "the"/"to" before a
 *    vowel may also elide (th'eternal).
 * 2. en_meter.c chooses a reading per word and the stresses together, by fitting the
 *    line to a metre; when a count is asked for (a form's metre), the reachable count
 *    nearest to it wins.
 * No allocation: a line holds at most EN_LINE_WORDS words for the fit (words past that
 * are counted, not fitted), so scanning a line costs microseconds. */
#include "prosody/en_internal.h"
#include <string.h>

#define EN_LINE_WORDS 64
#define EN_READINGS 4
_Static_assert(EN_WORD_SYL == EN_WORD_MAX_SYL, "a word's cuts hold its longest reading");

typedef struct scan_word {
    en_reading rd[EN_READINGS];
    int nrd;
    int vowel_initial;   /* begins with a vowel sound: the/to before it may elide */
    int elidable;        /* "the" or "to" */
    int ordinal;         /* which of the splitter's words it is (en_scan_words finds it again) */
} scan_word;

typedef struct scan_ctx {
    const en_dict *d;
    scan_word words[EN_LINE_WORDS];
    int nwords;
    int said;            /* words the splitter gave */
    long extra_syl, extra_min, extra_max;   /* words past EN_LINE_WORDS */
    char last[64];
    en_pron last_pron;
} scan_ctx;

static int add_word(void *vctx, const char *w, size_t n, int accented_ed, const en_src *src) {
    (void)src;
    scan_ctx *c = vctx;
    int ordinal = c->said++;
    en_reading rd[EN_READINGS];
    en_pron usual;
    int nr = en_word_readings(c->d, w, n, accented_ed, rd, EN_READINGS, &usual);
    if (nr == 0) return 0;
    size_t k = n < sizeof c->last - 1 ? n : sizeof c->last - 1;
    memcpy(c->last, w, k);
    c->last[k] = 0;
    c->last_pron = usual;
    if (c->nwords >= EN_LINE_WORDS) {
        int mn = rd[0].nsyl, mx = rd[0].nsyl;
        for (int i = 1; i < nr; i++) { if (rd[i].nsyl < mn) mn = rd[i].nsyl; if (rd[i].nsyl > mx) mx = rd[i].nsyl; }
        c->extra_syl += rd[0].nsyl; c->extra_min += mn; c->extra_max += mx;
        return c->extra_syl > 100000000L;   /* beyond any poem: stop counting */
    }
    scan_word *sw = &c->words[c->nwords++];
    memcpy(sw->rd, rd, sizeof rd[0] * (size_t)nr);
    sw->nrd = nr;
    sw->ordinal = ordinal;
    sw->vowel_initial = usual.n > 0 && en_phone_is_vowel(EN_PH(usual.ph[0]));
    sw->elidable = (n == 3 && memcmp(w, "the", 3) == 0) || (n == 2 && memcmp(w, "to", 2) == 0);
    return 0;
}

static void read_line(scan_ctx *c, const en_dict *d, const char *text, size_t len) {
    c->d = d;
    c->nwords = 0;
    c->said = 0;
    c->extra_syl = c->extra_min = c->extra_max = 0;
    c->last[0] = 0;
    c->last_pron.n = 0;
    en_split_words_src(text, len, add_word, c);
    /* A function word that ends the line ends its phrase too, and a phrase's last word
     * keeps a stress ("Cannon to right of THEM", "for a' THAT"): it is read as a content
     * word, which a weak position demotes only at a cost.  Both gold sets agree (a line-final
     * function word is stressed in 90% of fbfv's lines and 87% of epg64's). */
    if (c->nwords > 0) {
        scan_word *w = &c->words[c->nwords - 1];
        for (int r = 0; r < w->nrd; r++)
            if (w->rd[r].nsyl == 1 && w->rd[r].cls[0] == 'F') w->rd[r].cls[0] = 'C';
    }
    for (int i = 0; i + 1 < c->nwords; i++) {
        scan_word *w = &c->words[i];
        if (w->elidable && c->words[i + 1].vowel_initial && w->nrd < EN_READINGS) {
            w->rd[w->nrd].nsyl = 0;
            w->rd[w->nrd].cls[0] = 0;
            w->rd[w->nrd].kind = EN_RD_PROCLITIC;
            w->nrd++;
        }
    }
}

static void range(const scan_ctx *c, int *mn, int *mx) {
    long a = c->extra_min, b = c->extra_max;
    for (int i = 0; i < c->nwords; i++) {
        const scan_word *w = &c->words[i];
        int lo = w->rd[0].nsyl, hi = lo;
        for (int r = 1; r < w->nrd; r++) {
            if (w->rd[r].nsyl < lo) lo = w->rd[r].nsyl;
            if (w->rd[r].nsyl > hi) hi = w->rd[r].nsyl;
        }
        a += lo; b += hi;
    }
    *mn = a > 1000000 ? 1000000 : (int)a;
    *mx = b > 1000000 ? 1000000 : (int)b;
}

static void finish(const scan_ctx *c, en_line *out) {
    size_t k = strlen(c->last);
    memcpy(out->last_word, c->last, k + 1);
    out->rhyme_key[0] = 0;
    out->feminine = 0;
    if (c->last_pron.n > 0) {
        int fem = 0;
        en_pron_rhyme_key(&c->last_pron, out->rhyme_key, sizeof out->rhyme_key, &fem);
        out->feminine = fem;
    }
}

/* en_scan_words's second pass over the line: each fitted word's place and cuts */
typedef struct where_ctx {
    const scan_ctx *c;
    const int *choice;
    en_word_read *out;
    int max, next, said;      /* next: the fitted word looked for */
} where_ctx;

static int where_word(void *vctx, const char *w, size_t n, int accented_ed, const en_src *src) {
    (void)accented_ed;
    where_ctx *x = vctx;
    int ordinal = x->said++;
    if (x->next >= x->c->nwords || x->next >= x->max) return 1;
    const scan_word *sw = &x->c->words[x->next];
    if (sw->ordinal != ordinal) return 0;        /* a word without syllables: not fitted */
    int nsyl = sw->rd[x->choice[x->next]].nsyl;
    en_word_read *o = &x->out[x->next++];
    o->start = src->start;
    o->end = src->end;
    o->syllables = nsyl;
    o->spoken = src->at == NULL;
    int cut[EN_WORD_MAX_SYL];
    for (int k = 0; k < EN_WORD_MAX_SYL; k++) cut[k] = 0;
    int nc = nsyl < EN_WORD_MAX_SYL ? nsyl : EN_WORD_MAX_SYL;   /* a reading has no more (en_reading.cls) */
    if (!o->spoken && nc > 0) en_syllable_cuts(w, n, nc, cut);
    for (int k = 0; k < EN_WORD_MAX_SYL; k++) o->cut[k] = o->spoken || k >= nc ? src->start : src->at[cut[k]];
    return 0;
}

static int scan(const en_dict *d, const char *text, size_t len, int target, const char *templ,
                const en_prior *prior, en_line *out, en_word_read *words, int max_words, int *n_words) {
    if (!out || (!text && len)) return VERS_EINVAL;
    memset(out, 0, sizeof *out);
    if (!text) return VERS_OK;
    scan_ctx c;
    read_line(&c, d, text, len);
    range(&c, &out->min_syllables, &out->max_syllables);
    en_mword mw[EN_LINE_WORDS];
    int choice[EN_LINE_WORDS];
    for (int i = 0; i < c.nwords; i++) { mw[i].rd = c.words[i].rd; mw[i].nrd = c.words[i].nrd; }
    en_parse_info info;
    int total = en_meter_parse(mw, c.nwords, target, templ, prior, choice, out->stress, (int)sizeof out->stress, &info);
    out->beats = info.beats;
    out->doubles = info.doubles;
    out->cost = info.cost;
    out->onset = info.onset;
    out->first = info.first;
    long syl_all = total + c.extra_syl;
    out->syllables = syl_all > 1000000 ? 1000000 : (int)syl_all;
    finish(&c, out);
    if (words) {
        where_ctx x = {&c, choice, words, max_words, 0, 0};
        en_split_words_src(text, len, where_word, &x);
        *n_words = x.next;
    }
    return VERS_OK;
}

int en_scan_line(const en_dict *d, const char *text, size_t len, int target_syllables, en_line *out) {
    return scan(d, text, len, target_syllables, NULL, NULL, out, NULL, 0, NULL);
}

int en_scan_line_prior(const en_dict *d, const char *text, size_t len, int target_syllables,
                       const en_prior *prior, en_line *out) {
    return scan(d, text, len, target_syllables, NULL, prior, out, NULL, 0, NULL);
}

int en_scan_words(const en_dict *d, const char *text, size_t len, int target_syllables, const en_prior *prior,
                  en_line *out, en_word_read *words, int max) {
    if (!words || max < 0) return -1;
    int n = 0;
    if (scan(d, text, len, target_syllables, NULL, prior, out, words, max, &n)) return -1;
    return n;
}

int en_scan_meter(const en_dict *d, const char *text, size_t len, const char *templ, en_line *out) {
    if (!templ) return scan(d, text, len, 0, NULL, NULL, out, NULL, 0, NULL);
    int tl = 0;
    for (const char *t = templ; *t; t++) tl += (*t == '+' || *t == '-' || *t == '0' || *t == '1');
    return scan(d, text, len, tl, templ, NULL, out, NULL, 0, NULL);
}

/* --- single words (the writer's per-token questions) ----------------------------------- */

typedef struct word_ctx {
    const en_dict *d;
    int usual, mn, mx;
    char *stress;
    size_t ssize, slen;
    en_pron last;
} word_ctx;

static int word_cb(void *vctx, const char *w, size_t n, int accented_ed) {
    word_ctx *c = vctx;
    en_reading rd[EN_READINGS];
    int nr = en_word_readings(c->d, w, n, accented_ed, rd, EN_READINGS, &c->last);
    if (nr == 0) return 0;
    int lo = rd[0].nsyl, hi = lo;
    for (int i = 1; i < nr; i++) { if (rd[i].nsyl < lo) lo = rd[i].nsyl; if (rd[i].nsyl > hi) hi = rd[i].nsyl; }
    c->usual += rd[0].nsyl; c->mn += lo; c->mx += hi;
    if (c->stress)
        for (int k = 0; k < rd[0].nsyl && c->slen + 1 < c->ssize; k++) {
            char cl = rd[0].cls[k];
            c->stress[c->slen++] = (cl == 'P' || cl == 'C') ? '1' : '0';
        }
    return c->usual > 100000000;
}

int en_word_syllables(const en_dict *d, const char *word, size_t len, int *min, int *max) {
    word_ctx c = {.d = d};
    if (word) en_split_words(word, len, word_cb, &c);
    if (min) *min = c.mn;
    if (max) *max = c.mx;
    return c.usual;
}

int en_word_stress(const en_dict *d, const char *word, size_t len, char *out, size_t size) {
    word_ctx c = {.d = d, .stress = out, .ssize = size};
    if (word) en_split_words(word, len, word_cb, &c);
    if (out && size) out[c.slen] = 0;
    return c.usual;
}

int en_word_rhyme_key(const en_dict *d, const char *word, size_t len, char *key, size_t size, int *feminine) {
    word_ctx c = {.d = d};
    if (feminine) *feminine = 0;
    if (key && size) key[0] = 0;
    if (!word || !key || !size) return 0;
    en_split_words(word, len, word_cb, &c);
    if (c.last.n == 0) return 0;
    return en_pron_rhyme_key(&c.last, key, size, feminine);
}

/* --- all rhyme keys of a word ----------------------------------------------------------- */

typedef struct last_ctx { char w[EN_MAX_WORD + 1]; size_t n; int ed; } last_ctx;

static int last_cb(void *vctx, const char *w, size_t n, int accented_ed) {
    last_ctx *c = vctx;
    if (n > EN_MAX_WORD) n = EN_MAX_WORD;
    memcpy(c->w, w, n);
    c->n = n;
    c->ed = accented_ed;
    return 0;
}

int en_rhyme_key_variants(const en_dict *d, const char *word, size_t len, char keys[][48], int max) {
    if (!word || !keys || max <= 0) return 0;
    last_ctx c = {.n = 0};
    en_split_words(word, len, last_cb, &c);
    if (c.n == 0) return 0;
    en_pron p[EN_MAX_PRONS];
    int k = en_pronounce(d, c.w, c.n, c.ed, p, EN_MAX_PRONS), nk = 0;
    /* the usual key first: the one en_scan_line reports */
    en_reading rd[EN_READINGS];
    en_pron usual;
    if (en_word_readings(d, c.w, c.n, c.ed, rd, EN_READINGS, &usual) > 0 && usual.n > 0)
        if (en_pron_rhyme_key(&usual, keys[0], 48, NULL) > 0) nk = 1;
    for (int i = 0; i < k && nk < max; i++) {
        char key[48];
        if (en_pron_rhyme_key(&p[i], key, sizeof key, NULL) <= 0) continue;
        int dup = 0;
        for (int j = 0; j < nk; j++) dup |= strcmp(keys[j], key) == 0;
        if (!dup) memcpy(keys[nk++], key, sizeof key);
    }
    return nk;
}
