/* src/prosody/fr_internal.h — what the fr_*.c files share (not for other modules).
 *
 * Words are handled in a one-byte lower-case form ("fr letters"): ASCII letters, and the
 * accented letters of French as their ISO-8859-1 codes (à 0xE0, é 0xE9, ï 0xEF ...), with
 * œ as 0x9C and æ as 0xE6.  Rules then index bytes, and exception lists are compared with
 * memcmp. */
#ifndef VERS_PROSODY_FR_INTERNAL_H
#define VERS_PROSODY_FR_INTERNAL_H
#include <stddef.h>
#include "prosody/fr.h"

#define FR_MAXW 48            /* letters kept per word (longer words are cut: still counted) */

enum {
    L_AGRAVE = 0xE0, L_ACIRC = 0xE2, L_AUML = 0xE4, L_AE = 0xE6, L_CCED = 0xE7,
    L_EGRAVE = 0xE8, L_EACUTE = 0xE9, L_ECIRC = 0xEA, L_EUML = 0xEB,
    L_ICIRC = 0xEE, L_IUML = 0xEF, L_OCIRC = 0xF4, L_OUML = 0xF6,
    L_UGRAVE = 0xF9, L_UCIRC = 0xFB, L_UUML = 0xFC, L_YUML = 0xFF, L_OE = 0x9C
};

/* One word of a line, as fr_tokenize finds it. */
typedef struct fr_tok {
    int start, len;               /* byte span in the original text */
    unsigned char w[FR_MAXW + 1]; /* fr letters, NUL-terminated, without apostrophe */
    int n;                        /* letters in w */
    unsigned char elided;         /* written with a final apostrophe (l', qu', jusqu') */
    unsigned char hyph_before;    /* joined to the previous word by a hyphen (dis-je) */
    unsigned char is_number;      /* spelled out from digits */
    unsigned char punct_after;    /* punctuation between this word and the next */
} fr_tok;

/* Splits text into words; returns the count (up to max written; the true count is
 * returned even when larger).  Digits are read out as French number words. */
int fr_tokenize(const char *text, size_t len, fr_tok *out, int max);

/* Letter classes */
int fr_is_vowel(unsigned c);              /* a e i o u y and accented forms, œ æ */

/* Syllable analysis of one word (fr_syllables.c). */
typedef struct fr_wsyl {
    int syl;              /* syllables excluding a final e muet (usual reading) */
    int opt_more;         /* optional diérèse (+1) */
    int opt_less;         /* optional synérèse (-1) */
    int dierese;          /* diérèses counted in syl (li-on, pri-ère), optional ones not */
    int e_final;          /* 0, 1 (-e elidable), 2 (-es, -ent verb: counts before anything) */
    int vowel_start;      /* begins with vowel or h muet */
    int ends_vowel;       /* ends with a sounded vowel (for hiatus) */
    int fem;              /* ends in an e muet (feminine rhyme), counted or not */
} fr_wsyl;
void fr_word_syllables(const fr_tok *t, fr_wsyl *s);

/* Exception lists (fr_exceptions.c); w is in fr letters, n its length. */
int fr_h_aspire(const unsigned char *w, int n);      /* word starts with an aspirated h */
int fr_ent_not_verb(const unsigned char *w, int n);  /* final -ent is sounded (moment) */
int fr_word_syl_exception(const unsigned char *w, int n, int *syl, int *more, int *less);
int fr_verb_ier(const unsigned char *w, int n);      /* i+vowel of an -ier verb form: diérèse */
int fr_proclitic(const unsigned char *w, int n);    /* article, preposition, clitic: no caesura after it */
int fr_disjunct_vowel(const unsigned char *w, int n); /* vowel-initial but no elision: onze, oui */

/* Phonetic rhyme key of a word (fr_phonetic.c): phonemes from the last tonic vowel on,
 * in the alphabet of fr.h.  prev is the word before (or NULL) for -ent disambiguation. */
void fr_rhyme_key(const fr_tok *t, int e_final, char *key, size_t cap);
/* Whole-word phonemes (used by the key and by tests); returns the length written. */
int fr_phonemes(const unsigned char *w, int n, int verb_ent, char *out, size_t cap);
/* 1 when a word's final -ent is the silent verb ending (feminine rhymes: aiment; and the
 * masculine -aient, -oient), for fr_phonemes's verb_ent. */
int fr_verb_ent(const unsigned char *w, int n, int feminine);

/* UTF-8 of fr letters (for last_word). */
void fr_letters_to_utf8(const unsigned char *w, int n, char *out, size_t cap);

#endif
