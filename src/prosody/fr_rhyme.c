/* src/prosody/fr_rhyme.c — rhyme richness between two French lines.
 *
 * Two lines rhyme when their keys (last tonic vowel onward, plus '@' for a feminine
 * ending) are equal.  Richness counts the phonemes they share backwards from the end,
 * e muet excluded: the tonic vowel alone is "pauvre" (ami/joli), two phonemes "suffisante"
 * (pensée/passée: s+é), three or more "riche" (mer/amer: m+è+r, ombre/sombre). */
#include "prosody/fr_internal.h"
#include <string.h>

int fr_rhyme_quality(const fr_line *a, const fr_line *b) {
    if (!a || !b || !a->rhyme_key[0] || !b->rhyme_key[0]) return 0;
    if (a->gender != b->gender) return 0;
    if (strcmp(a->rhyme_key, b->rhyme_key) != 0) return 0;
    /* whole-word phonemes of both last words */
    char pa[128], pb[128];
    fr_tok ta, tb;
    if (fr_tokenize(a->last_word, strlen(a->last_word), &ta, 1) < 1) return 1;
    if (fr_tokenize(b->last_word, strlen(b->last_word), &tb, 1) < 1) return 1;
    int fa = a->gender == 'f', fb = b->gender == 'f';
    int la = fr_phonemes(ta.w, ta.n, fr_verb_ent(ta.w, ta.n, fa), pa, sizeof pa);
    int lb = fr_phonemes(tb.w, tb.n, fr_verb_ent(tb.w, tb.n, fb), pb, sizeof pb);
    while (la > 0 && pa[la - 1] == '@') la--;
    while (lb > 0 && pb[lb - 1] == '@') lb--;
    int shared = 0;
    while (la > 0 && lb > 0) {
        char x = pa[--la], y = pb[--lb];
        if (x == '@' && y == '@') continue;
        if (x != y) break;
        shared++;
    }
    if (shared <= 1) return 1;
    if (shared == 2) return 2;
    return 3;
}
