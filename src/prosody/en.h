/* src/prosody/en.h — English prosody: pronunciations, syllables, stress, rhyme keys.
 *
 * Internal interface of the English half of the prosody layer.  The public prosody API
 * (include/vers/prosody.h: schemes, forms, `vers check`) and the writer build on it.
 *
 * Pronunciations come from CMUdict (data/cmudict.txt, installed by scripts/fetch-cmudict.sh);
 * words it lacks go through a rule-based guesser (en_guess.c).  Everything here is a pure
 * function of its inputs and the read-only dictionary, so one en_dict can be shared by any
 * number of threads.  Text is UTF-8; curly apostrophes, accented vowels (-èd) and invalid
 * bytes are accepted (invalid bytes count as word separators). */
#ifndef VERS_PROSODY_EN_H
#define VERS_PROSODY_EN_H
#include <stddef.h>
#include "vers/common.h"

typedef struct en_dict en_dict;      /* pronunciations, loaded once, read-only, shareable across threads */

/* Loads the dictionary from path, or when path is NULL from the first readable of:
 * $VERS_CMUDICT, <executable dir>/../data/cmudict.txt, <executable dir>/data/cmudict.txt,
 * ./data/cmudict.txt, /usr/local/share/vers/cmudict.txt, /usr/share/vers/cmudict.txt.
 * A missing dictionary is not an error: *out is still a usable dict that relies on the
 * rule-based guesser only; the function returns VERS_OK and, as a warning, sets
 * err->code = VERS_ENOTFOUND with a message (en_dict_guess_only() then returns 1).
 * An explicit path that cannot be read, or a malformed file, is an error (VERS_EIO /
 * VERS_EFORMAT, *out = NULL). */
int en_dict_load(const char *path /* NULL = default locations */, en_dict **out, vers_err *err);
void en_dict_free(en_dict *d);

/* 1 when no dictionary file was found (guesser only). */
int en_dict_guess_only(const en_dict *d);
/* Path of the file loaded, or NULL. */
const char *en_dict_path(const en_dict *d);
/* Number of distinct words in the dictionary. */
size_t en_dict_size(const en_dict *d);

typedef struct en_line {
    int syllables;                 /* metrical count, with common poetic elisions applied */
    int min_syllables, max_syllables; /* range allowed by optional elisions (e.g. "heaven" 1-2, "flower" 1-2, "every" 2-3) */
    char stress[64];               /* per metrical syllable '0'/'1' (lexical stress, monosyllables by part-of-speech-ish rules: function words unstressed) */
    char rhyme_key[48];            /* phonemes from the last stressed vowel onward (ARPAbet without stress digits, joined) */
    int feminine;                  /* line ends on an unstressed syllable after the last stress */
    char last_word[64];
    int beats;                     /* strong positions of the metrical parse */
    int doubles;                   /* weak syllables after a weak one (the dips of triple metre) */
    int onset;                     /* weak syllables before the first beat */
    char first;                    /* class of the first syllable: P S U (of a polysyllable),
                                      C F (content or function monosyllable), 0 none */
    int cost;                      /* what the reading and its parse cost the metre fitter
                                      (tenths; comparable between readings of one line) */
} en_line;

/* What a whole poem says about the metre of each of its lines (en_poem_metre estimates
 * it from the lines' own scans): a prior for scanning them again. */
typedef struct en_prior {
    int ternary;                   /* triple metre (anapests, dactyls: limericks, ballads):
                                      two-syllable dips cost nothing and are read light */
    int rising;                    /* most lines open on a weak syllable (iambs, anapests):
                                      two light syllables may open a line */
    int beats;                     /* the number of beats most lines have, 0 unknown */
} en_prior;

/* Scans one line (len bytes of text, no NUL needed).  target_syllables > 0 chooses, among
 * the readings the elisions allow, the one closest to that count; 0 = the usual reading.
 * The stress string is fitted to the line's most likely metre (iambic, trochaic, anapestic,
 * dactylic): lexically fixed stresses stay, ambiguous syllables (monosyllables, secondary
 * stresses) follow the metre.  Returns VERS_OK, or VERS_EINVAL for NULL arguments.
 * A line without words gives syllables 0 and empty strings. */
int en_scan_line(const en_dict *d, const char *text, size_t len, int target_syllables /* 0 = unknown */, en_line *out);

/* en_scan_line with what the poem says about its metre (prior may be NULL: none). */
int en_scan_line_prior(const en_dict *d, const char *text, size_t len, int target_syllables,
                       const en_prior *prior, en_line *out);

/* A word of a scanned line: where it is and how the scansion read it (en_scan_words). */
#define EN_WORD_SYL 24
typedef struct en_word_read {
    size_t start, end;             /* bytes of the line's text ("1850": the digits) */
    int syllables;                 /* in the reading the metre chose (0: elided, th') */
    int spoken;                    /* said for digits or '&': no letters to cut (each word
                                      said for them spans them all) */
    size_t cut[EN_WORD_SYL];       /* the byte where syllable k begins (cut[0] = start;
                                      by the spelling: en_syllable_cuts) */
} en_word_read;

/* en_scan_line_prior, and the words of the line that the metre is fitted over (its first
 * 64) into words (up to max), in order: their syllables are the stress string's, word
 * after word.  Returns how many were written, or -1 for NULL arguments. */
int en_scan_words(const en_dict *d, const char *text, size_t len, int target_syllables, const en_prior *prior,
                  en_line *out, en_word_read *words, int max);

/* The poem's metre from its lines as scanned alone (n lines): ternary when most lines
 * with three or more beats parse with a two-syllable dip in most of their feet. */
void en_poem_metre(const en_line *lines, int n, en_prior *out);

/* Whether line l, scanned with the poem's prior p, should be read again with *alt: it
 * opened on two light syllables and so has fewer beats than the poem's lines have.  The
 * caller keeps the new reading when it has p->beats beats. */
int en_poem_reread(const en_prior *p, const en_line *l, en_prior *alt);

/* Like en_scan_line but against a given metrical template ("-+-+-+-+-+" or "0101010101";
 * '+'/'1' strong).  The syllable count is chosen as close as the elisions allow to the
 * template's length and the stress string fitted to it.  Returns VERS_OK or VERS_EINVAL. */
int en_scan_meter(const en_dict *d, const char *text, size_t len, const char *templ, en_line *out);

/* Syllable count of one word (for the writer, called per token: O(1) hash lookup, no
 * allocation).  *min and *max (may be NULL) get the range the elisions allow.  Returns the
 * usual count (>= 0; 0 for a word without letters or digits). */
int en_word_syllables(const en_dict *d, const char *word, size_t len, int *min, int *max);

/* Rhyme key of one word (as en_line.rhyme_key) into key (size bytes); returns its length,
 * 0 when the word has none.  *feminine (may be NULL) = 1 when syllables follow the stress. */
int en_word_rhyme_key(const en_dict *d, const char *word, size_t len, char *key, size_t size, int *feminine);

/* Lexical stress of one word as '0'/'1' per syllable (usual reading) into out (size bytes);
 * returns the number of syllables.  Monosyllables: '0' for function words, '1' otherwise. */
int en_word_stress(const en_dict *d, const char *word, size_t len, char *out, size_t size);

/* 0 none, 1 slant/assonance, 2 perfect, 3 identical word (not a good rhyme).
 * Perfect: same phonemes from the stressed vowel on (ER after a vowel counts as R: fire /
 * higher).  Slant: a weak rhyme on the last syllable (eyes / moonrise, sea / mystery, -y with
 * "I"), the same vowel with agreeing final consonants (time / line), consonance (love /
 * prove), or an eye rhyme (word / sword, love / move). */
int en_rhyme_quality(const en_line *a, const en_line *b);

/* Rhyme keys of every dictionary pronunciation of a word (the usual one first, distinct
 * keys only; "live" → IHV, AYV; "wind" → IHND, AYND); returns how many (0: no letters). */
int en_rhyme_key_variants(const en_dict *d, const char *word, size_t len, char keys[][48], int max);

/* en_rhyme_quality, also trying the other pronunciations of the two last words (live /
 * give, again / plain, wind / mind): the best quality found. */
int en_rhyme_quality_dict(const en_dict *d, const en_line *a, const en_line *b);
/* Its second half, for callers that look each word up once and compare it many times
 * (scheme detection): q = en_rhyme_quality(a, b), ka[0..na) / kb[0..nb) the words' keys
 * from en_rhyme_key_variants (at most EN_RHYME_VARIANTS each). */
#define EN_RHYME_VARIANTS 4
int en_rhyme_quality_variants(const en_line *a, const en_line *b, int q, char ka[][48], int na, char kb[][48], int nb);

#endif
