/* src/write/common_words.c — the words a reader knows: per language, the frequency list
 * shipped in lexicon/ (made by scripts/build-lexicon.py from the training corpus: at most
 * 30,000 forms, each seen 5 times in 3 records, no fragments, not the other language's),
 * compiled in by scripts/gen-lexicon.sh so that the writer reads no file at run time.
 * The rhyme index takes its line-end words from these lists only (rhyme_trie.c). */
#include "write/wr.h"

extern const char wr_common_words_fr[], wr_common_words_en[];
extern const size_t wr_common_words_fr_len, wr_common_words_en_len;

int wr_common_words(wr_lexicon *lx, int lang) {
    if (lang == WR_LANG_FR) return wr_lexicon_load_text(lx, wr_common_words_fr, wr_common_words_fr_len, lang);
    return wr_lexicon_load_text(lx, wr_common_words_en, wr_common_words_en_len, lang);
}
