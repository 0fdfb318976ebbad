/* src/prosody/en_internal.h — what the English prosody files (en_*.c) share privately:
 * the phoneme code, dictionary lookup, the guesser, and the per-word "reading" that the
 * scanner fits to a metre.
 *
 * Phonemes are ARPAbet, one byte each: low 6 bits the phoneme index in en_phone_names,
 * high 2 bits the stress of a vowel (0 unstressed, 1 primary, 2 secondary); consonants
 * carry stress 0.  en_phone_is_vowel() tells them apart. */
#ifndef VERS_PROSODY_EN_INTERNAL_H
#define VERS_PROSODY_EN_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "prosody/en.h"

enum {
    EN_AA, EN_AE, EN_AH, EN_AO, EN_AW, EN_AY, EN_B, EN_CH, EN_D, EN_DH, EN_EH, EN_ER, EN_EY,
    EN_F, EN_G, EN_HH, EN_IH, EN_IY, EN_JH, EN_K, EN_L, EN_M, EN_N, EN_NG, EN_OW, EN_OY,
    EN_P, EN_R, EN_S, EN_SH, EN_T, EN_TH, EN_UH, EN_UW, EN_V, EN_W, EN_Y, EN_Z, EN_ZH,
    EN_NPHONES
};
extern const char en_phone_names[EN_NPHONES][3];
/* 1 when en_rhyme.c's name -> phone tables agree with en_phone_names. */
int en_phone_tables_ok(void);
#define EN_PH(p) ((p) & 63)
#define EN_ST(p) ((p) >> 6)
#define EN_MK(ph, st) ((uint8_t)((ph) | ((st) << 6)))
int en_phone_is_vowel(int ph);

#define EN_MAX_PHONES 48   /* longest pronunciation we keep (CMUdict's longest is ~30) */
#define EN_MAX_WORD 64     /* longest word (bytes) we look up; longer ones go to the guesser */
#define EN_MAX_PRONS 4     /* pronunciation variants kept per word */

/* One pronunciation. */
typedef struct en_pron {
    int n;
    uint8_t ph[EN_MAX_PHONES];
} en_pron;

/* Dictionary lookup of a normalised (lower-case ASCII, straight apostrophe) word.
 * Fills up to max variants, returns how many (0 = not in the dictionary). */
int en_dict_lookup(const en_dict *d, const char *w, size_t len, en_pron *out, int max);

/* Pronunciations of a normalised word (dictionary, spelled elisions, apostrophes,
 * old spellings, morphology, else the guesser); returns how many (≥ 1 for a word). */
int en_pronounce(const en_dict *d, const char *w, size_t len, int accented_ed, en_pron *out, int max);

/* Rule-based letter-to-sound for a normalised word: a plausible ARPAbet pronunciation with
 * stress (syllable count by vowel groups with English spelling rules, stress by suffix). */
void en_guess_pron(const char *w, size_t len, en_pron *out);

/* Parses "AH0 B AW1 T" into p; returns 0 or -1 on an unknown symbol. */
int en_parse_phones(const char *s, size_t len, en_pron *p);

/* Number of vowels (syllables) in a pronunciation. */
int en_pron_syllables(const en_pron *p);

/* Rhyme key of a pronunciation: from the last primary-stressed vowel (or the last
 * secondary-stressed, or last vowel, when there is no primary) to the end, phoneme names
 * joined without separators or stress digits ("AYT" for "night").  Returns its length,
 * and sets *feminine when a vowel follows the stressed one. */
int en_pron_rhyme_key(const en_pron *p, char *key, size_t size, int *feminine);

/* Word classes used for monosyllable stress (w normalised, as for en_dict_lookup). */
int en_is_function_word(const char *w, size_t len);

/* One way of reading a word aloud: its syllables as classes for the metre fitter:
 *   P primary stress of a polysyllable   S secondary stress   U unstressed syllable
 *   C content monosyllable               F function monosyllable (pronoun, preposition...)
 *   A article (the, a, an): a function word that stays light even on a beat */
#define EN_WORD_MAX_SYL 24
enum {
    EN_RD_USUAL,        /* the dictionary's (or the spelling's) reading */
    EN_RD_VARIANT,      /* another dictionary pronunciation */
    EN_RD_PROCLITIC,    /* the/to elided before a vowel */
    EN_RD_SYNCOPE,      /* an r-coloured or consonant-flanked vowel dropped: ev'ry, pow'r, heav'n */
    EN_RD_HIATUS,       /* two vowels merged: glor-yous, be-ing as one */
    EN_RD_DOUBLE        /* two elisions */
};
typedef struct en_reading {
    int nsyl;
    int kind;                   /* EN_RD_*: what choosing it costs the metre fitter */
    char cls[EN_WORD_MAX_SYL + 1];
} en_reading;

/* Readings of a normalised word, the usual one first, then shorter ones that the
 * dictionary's variants or optional elisions allow (at most max, distinct counts).
 * accented_ed: the word was written with -èd (that syllable is spoken).  *usual (may be
 * NULL) gets the usual pronunciation, for the rhyme key.  Returns the number of readings
 * (0 only for an empty word); a proclitic th' has one reading of 0 syllables. */
int en_word_readings(const en_dict *d, const char *w, size_t len, int accented_ed,
                     en_reading *rd, int max, en_pron *usual);

/* Splits UTF-8 text into normalised words (lower-case ASCII letters and apostrophes;
 * accents folded; hyphens, dashes and other punctuation separate words; numbers read out
 * as words).  Calls fn for each word; stops early when fn returns nonzero. */
typedef int (*en_word_fn)(void *ctx, const char *w, size_t len, int accented_ed);
void en_split_words(const char *text, size_t len, en_word_fn fn, void *ctx);
/* The same words with where each was read in text: bytes [start, end), and at[k] the
 * byte where letter k of the word begins (at[len] its end); at is NULL for the words said
 * for digits or '&' (each spans them all: "1850" says eighteen fifty). */
typedef struct en_src {
    size_t start, end;
    const size_t *at;
} en_src;
typedef int (*en_word_src_fn)(void *ctx, const char *w, size_t len, int accented_ed, const en_src *src);
void en_split_words_src(const char *text, size_t len, en_word_src_fn fn, void *ctx);

/* A word's letters (as en_split_words gives them) cut into nsyl syllables by its spelling
 * (en_cut.c): cut[k] = the letter where syllable k begins (cut[0] = 0, increasing; cuts
 * repeat len when the word has fewer letters than syllables).  Shows a reader which
 * letters carry which syllable; the count is the scansion's, not the spelling's. */
void en_syllable_cuts(const char *w, size_t len, int nsyl, int *cut);

/* Metre fitting (en_meter.c).  A word of the line and its readings. */
#define EN_METER_MAX 128
typedef struct en_mword {
    const en_reading *rd;
    int nrd;
} en_mword;

/* Chooses a reading per word (choice[i]) and a metrical parse for the line, writes the
 * realised stress ('0'/'1' per syllable, NUL-terminated, cut to stress_size - 1) and
 * returns the syllable count.  target > 0: the count nearest to it wins; templ ("-+-+" or
 * "0101", may be NULL) fixes the strong positions; prior (may be NULL) is what the poem
 * around the line says about its metre (en_prior in en.h).  info (may be NULL) gets the
 * parse's shape.  Words past the 64th take reading 0. */
typedef struct en_parse_info {
    int cost;          /* the parse's cost, in the fitter's tenths */
    int beats;         /* strong positions */
    int doubles;       /* weak syllables that follow a weak one (two-syllable dips) */
    int onset;         /* weak syllables before the first beat */
    char first;        /* class of the first syllable (P S U C F), 0 none */
} en_parse_info;
int en_meter_parse(const en_mword *w, int nw, int target, const char *templ, const en_prior *prior,
                   int *choice, char *stress, int stress_size, en_parse_info *info);

#endif
