/* src/prosody/fr.h — French versification (versification classique), internal interface.
 *
 * Text in, analysis out; no dictionaries to load, no global state, thread-safe, no
 * allocation: every exception list is compiled in (fr_exceptions.c).  A line is scanned by
 * rule over its spelling:
 *   - e muet counted before a consonant, elided before a vowel or h muet, never counted at
 *     line end (-e, -es, -ent of 3rd person plural verbs);
 *   - h aspiré by a word list (la haine, le héros);
 *   - diérèse/synérèse by rules (-ion after a consonant, consonant+liquid+i+vowel, ...) with
 *     an exception list; where usage varies, the word has an optional syllable and
 *     fr_scan_line picks the count that fits the target (min_syllables..max_syllables);
 *   - rhyme key: a phonetic transcription (ASCII alphabet below) of the line's last word from
 *     its last tonic vowel on; gender m/f.
 * Speed: a 12-syllable line scans in 2-5 microseconds on one core (bench/bench_prosody_fr.c).
 *
 * Phoneme alphabet of rhyme_key (one ASCII character per phoneme):
 *   vowels  a (a, â)  e (é)  E (è, ê, ai)  i  o (o, au, eau, ô)  u (ou)  y (u)  9 (eu)
 *           @ (e muet, only at the end of a feminine key)
 *           A (an/en)  I (in/ain/ein/un)  N (on)
 *   glides  j (yod)  w (oi = wa)  H (ui)
 *   consonants p b t d k g f v s z S (ch) Z (j, ge) m n J (gn) l R (r)
 * A feminine key ends with '@' (the e muet), so that equal keys mean "rhyme" for words of
 * the same gender as well as the same sound: ombre/sombre "NbR@", mer/amer "ER",
 * flots/tombeaux "o", pensée/passée "e@".  Keys merge o/O, 9/2, a/â, as rhymes do; é (e)
 * and è (E) stay apart in an open final syllable (aimé/aimait), as in classical rhyme. */
#ifndef VERS_PROSODY_FR_H
#define VERS_PROSODY_FR_H
#include <stddef.h>

typedef struct fr_line {
    int syllables;        /* metrical count chosen (fits target when possible) */
    int min_syllables, max_syllables; /* range allowed by optional diérèse/synérèse */
    char gender;          /* 'm' or 'f' (rhyme gender: feminine = ends in e muet: -e, -es, -ent of verbs) */
    char rhyme_key[48];   /* phonetic ending from the last tonic vowel on (alphabet above, ASCII) */
    int caesura_ok;       /* for 12 syllables: the 6th syllable ends a word and isn't an e muet (1), else 0
                           * (nor a proclitic: see fr_caesura) */
    int hiatus;           /* count of hiatus (vowel + vowel across words, forbidden classically;
                           * after ô, ah, oh, eh and "y" tolerated) */
    char last_word[64];   /* last word, lower-cased UTF-8 */
} fr_line;

/* Scans one verse line (UTF-8, any bytes accepted; invalid bytes are treated as
 * punctuation).  target_syllables: the metre wanted (0 = unknown: the usual reading).
 * Returns 0, or VERS_EINVAL when text or out is NULL.  An empty line gives syllables 0,
 * gender 'm', empty rhyme_key and last_word. */
int fr_scan_line(const char *text, size_t len, int target_syllables /* 0 = unknown */, fr_line *out);

/* Rhyme richness between two scanned lines: 0 no rhyme, 1 pauvre (tonic vowel only),
 * 2 suffisante (vowel + one consonant, or two phonemes), 3 riche (3 or more shared
 * phonemes).  Lines of different gender never rhyme (0). */
int fr_rhyme_quality(const fr_line *a, const fr_line *b);

/* Per-word syllable information, for the writer (which counts a line as it grows token by
 * token).  The metrical count of a sequence of words w[0..n-1] ending a line is
 *     sum(w[i].syllables) + sum over i < n-1 of (w[i].e_final && !(w[i].e_final == 1 && w[i+1].vowel_start))
 * i.e. a word's final e muet counts before a consonant-initial word (or h aspiré), is elided
 * before a vowel / h muet when it is a bare -e (e_final == 1), always counts when it is -es
 * or -ent (e_final == 2), and never counts at line end. */
typedef struct fr_word {
    int start, len;       /* byte span of the word in the text scanned */
    int syllables;        /* syllables without the final e muet, usual reading */
    int optional;         /* extra syllables a diérèse may add (0 or 1: "hier" 1+1, "gardien" 2+1) */
    int optional_less;    /* syllables a synérèse may remove (0 or 1; no word of the lists uses it yet) */
    int dierese;          /* diérèses the usual reading counts in syllables (li-on, pri-ère, tu-er) */
    char e_final;         /* 0 none, 1 final -e (elidable), 2 final -es / verb -ent (not elidable) */
    char vowel_start;     /* 1: begins with a vowel or h muet (elides a preceding bare -e) */
    char ends_vowel;      /* 1: ends in a sounded vowel (hiatus when the next word starts with one) */
} fr_word;

/* Splits text into words (an apostrophe ends a word: "l'amour" is l' + amour; a hyphen
 * separates words: "dis-je" is dis + je; digits are read out as number words, each word
 * spanning the digits) and fills up to max entries of out.  Returns the number of words
 * found (may exceed max: only max were written), or -1 when text is NULL. */
int fr_syllabify_words(const char *text, size_t len, fr_word *out, int max);

/* Metrical count of a line prefix being written: *done is the count of everything up to
 * the last word excluding that word's final e muet, *pending is 1 when the last word ends
 * in an e muet whose count depends on what follows (0 at line end or before a vowel for a
 * bare -e; 1 before a consonant).  min_done and max_done give the range with optional
 * diérèses.  Returns 0, or VERS_EINVAL on NULL arguments. */
int fr_count_prefix(const char *text, size_t len, int *done, int *min_done, int *max_done, int *pending);

/* Whether a caesura can fall after syllable pos (1..) of the line read with target
 * syllables (0 = usual reading): the pos-th syllable ends a word, is not an e muet, no
 * hyphen joins the next word, and the word is not a proclitic (article, preposition,
 * clitic pronoun: "tous les | aspects" has none).  fr_line.caesura_ok is fr_caesura(.., 6) for alexandrins;
 * décasyllabes use pos 4 (4+6) or 5 (5+5). */
int fr_caesura(const char *text, size_t len, int target, int pos);

#endif
