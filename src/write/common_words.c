/* src/write/common_words.c — the words a reader knows: per language, the frequency list
 * shipped in lexicon/ (made by scripts/build-lexicon.py from the training corpus: at most
 * 30,000 forms, each seen 5 times in 3 records, no fragments, not the other language's),
 * compiled in by scripts/gen-lexicon.sh so that the writer reads no file at run time.
 * The rhyme words are those of the list less the words where vers's rhyme key and an
 * independent ear disagree (lexicon/rhyme-doubt-*.txt, scripts/rhyme-crosscheck.py:
 * espeak-ng for French, CMUdict for English): the rhyme index takes its line-end words
 * from them only (rhyme_trie.c). */
#include "write/wr.h"
#include <stdlib.h>
#include <string.h>

extern const char wr_common_words_fr[], wr_common_words_en[], wr_rhyme_doubt_fr[], wr_rhyme_doubt_en[];
extern const size_t wr_common_words_fr_len, wr_common_words_en_len, wr_rhyme_doubt_fr_len, wr_rhyme_doubt_en_len;
extern const char wr_theme_words_fr[], wr_theme_words_en[];
extern const size_t wr_theme_words_fr_len, wr_theme_words_en_len;

/* The words the corpus uses around a frequent word (lexicon/theme-*.txt, by
 * scripts/build-theme.py): the space-separated list after "word<TAB>", its length in *len;
 * NULL when the word is not one of the list's. */
const char *wr_theme_neighbours(int lang, const char *word, int wlen, int *len) {
    const char *t = lang == WR_LANG_FR ? wr_theme_words_fr : wr_theme_words_en;
    const size_t n = lang == WR_LANG_FR ? wr_theme_words_fr_len : wr_theme_words_en_len;
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(t + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - t) : n;
        const char *tab = memchr(t + at, '\t', end - at);
        if (tab && (size_t)(tab - (t + at)) == (size_t)wlen && !memcmp(t + at, word, (size_t)wlen)) {
            *len = (int)(t + end - (tab + 1));
            return tab + 1;
        }
        at = end + 1;
    }
    return NULL;
}

int wr_common_words(wr_lexicon *lx, int lang) {
    if (lang == WR_LANG_FR) return wr_lexicon_load_text(lx, wr_common_words_fr, wr_common_words_fr_len, lang);
    return wr_lexicon_load_text(lx, wr_common_words_en, wr_common_words_en_len, lang);
}

int wr_rhyme_words(wr_lexicon *lx, int lang) {
    wr_lexicon all, doubt;
    memset(lx, 0, sizeof *lx);
    if (wr_common_words(&all, lang)) return -1;
    const int fr = lang == WR_LANG_FR;
    if (wr_lexicon_load_text(&doubt, fr ? wr_rhyme_doubt_fr : wr_rhyme_doubt_en,
                             fr ? wr_rhyme_doubt_fr_len : wr_rhyme_doubt_en_len, lang)) {
        *lx = all;                                   /* an empty doubt list: every word */
        return 0;
    }
    /* the words of all that doubt does not hold, kept in order: still a sorted lexicon */
    char *text = malloc(all.len + 1);
    if (!text) { wr_lexicon_free(&all); wr_lexicon_free(&doubt); return -1; }
    size_t at = 0;
    text[at++] = 0;
    for (uint32_t i = 0; i < all.n; i++) {
        const char *w = all.text + all.sorted[i];
        size_t l = strlen(w);
        if (wr_lexicon_has(&doubt, w, (int)l)) continue;
        memcpy(text + at, w, l + 1);
        at += l + 1;
    }
    wr_lexicon_free(&all); wr_lexicon_free(&doubt);
    lx->lang = lang; lx->text = text; lx->len = at;
    if (at < 2 || wr_lexicon_index(lx) < 0) { wr_lexicon_free(lx); return -1; }
    return 0;
}

int wr_lexicon_drop_foreign(wr_lexicon *lx, int lang) {
    if (!lx->text || !lx->sorted) return 0;
    wr_lexicon mine, other;
    if (wr_common_words(&mine, lang)) return -1;
    if (wr_common_words(&other, lang == WR_LANG_FR ? WR_LANG_EN : WR_LANG_FR)) { wr_lexicon_free(&mine); return -1; }
    char *text = malloc(lx->len + 1);
    if (!text) { wr_lexicon_free(&mine); wr_lexicon_free(&other); return -1; }
    size_t at = 0;
    text[at++] = 0;
    int dropped = 0;
    for (uint32_t i = 0; i < lx->n; i++) {
        const char *w = lx->text + lx->sorted[i];
        int l = (int)strlen(w);
        if (wr_lexicon_has(&other, w, l) && !wr_lexicon_has(&mine, w, l)) { dropped++; continue; }
        memcpy(text + at, w, (size_t)l + 1);
        at += (size_t)l + 1;
    }
    wr_lexicon_free(&mine); wr_lexicon_free(&other);
    free(lx->text); lx->text = text; lx->len = at;
    if (at < 2 || wr_lexicon_index(lx) < 0) { wr_lexicon_free(lx); return -1; }
    return dropped;
}
