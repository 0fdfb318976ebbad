/* src/prosody/prosody_internal.h — what the files of the public prosody API share:
 * the context, the parsed form, text normalisation and the scheme detector.
 * The language halves (fr.h, en.h) know nothing of this file. */
#ifndef VERS_PROSODY_INTERNAL_H
#define VERS_PROSODY_INTERNAL_H
#include "vers/prosody.h"
#include "prosody/en.h"
#include "prosody/fr.h"

struct vers_prosody {
    en_dict *en;
    char warning[512];
};

/* ---- forms (form_spec.c parses and formats, forms.c looks up and plans) ---- */
#define FORM_MAX_ALT 16        /* `|` alternatives per key */
#define FORM_MAX_ITEMS 512     /* letters / entries per alternative */
#define FORM_MAX_REFRAINS 8

typedef struct form_range { int lo, hi; } form_range;   /* lo == hi == 0: any */

typedef struct form_scheme {   /* one scheme alternative, e.g. "ABBA ABBA CCD EED" or "AA ..." */
    int n;                     /* letters in the written pattern (spaces removed) */
    int ids[FORM_MAX_ITEMS];   /* letter ids in order of first appearance, -1 = free ('-') */
    char letters[FORM_MAX_ITEMS]; /* the letters as written */
    int n_groups;
    int group_len[FORM_MAX_ITEMS]; /* space-separated groups */
    int repeat;                /* written with a trailing "...": the last group repeats */
    int shift;                 /* letter-id shift per repetition */
} form_scheme;

typedef struct form_syllables {  /* one syllables alternative: entries cycle over lines */
    int n;
    form_range e[FORM_MAX_ITEMS];
    int any;                   /* "*" alone: no constraint */
} form_syllables;

typedef struct form_stanzas {  /* one stanzas alternative */
    int n;
    int len[FORM_MAX_ITEMS];
    int repeat;                /* trailing "...": the last count repeats */
    int any;                   /* "*": any layout */
} form_stanzas;

struct vers_form {
    char name[64];
    int lang;                  /* VERS_LANG_AUTO = any */
    char tag[32];
    char aliases[128];         /* space-separated */
    char description[256];
    int n_scheme;   form_scheme *scheme;       /* 0 = no rhyme constraint */
    int n_syl;      form_syllables *syl;       /* 0 = no syllable constraint */
    int n_stanzas;  form_stanzas *stanzas;     /* 0 = any layout */
    form_range lines;          /* total lines (0,0 any; hi = INT_MAX for "N+") */
    int default_lines;         /* lines the writer makes when the count is free */
    int caesura;               /* 0 none */
    int alternance;            /* FR: alternate masculine / feminine rhymes */
    int min_quality;           /* rhyme quality required (0 = the language default) */
    int tolerance;             /* syllables: ± allowed when checking */
    int n_refrains;
    int refrain_n[FORM_MAX_REFRAINS];
    int refrain[FORM_MAX_REFRAINS][32];        /* 1-based line numbers */
    int n_rentrement;
    int rentrement[32];        /* 1-based lines repeating the opening words of line 1 */
    char acrostic[128];        /* UTF-8 word, "" none */
};

/* Letters of the scheme pattern expanded to n lines: ids[i] (-1 free).  Returns -1 when
 * a non-repeating pattern does not have exactly n letters, or a repeating one would stop
 * with a rhyme of its own group left open (couplets need an even number of lines). */
int form_scheme_expand(const form_scheme *s, int n, int *ids);
/* The line counts nearest to n (below, above; 0 when none) that the scheme fits. */
void form_scheme_near(const form_scheme *s, int n, int *below, int *above);
/* Expected stanza layout for n lines; returns the number of stanzas written to len (up to
 * max), 0 when the alternative accepts any layout, -1 when n lines cannot fit it. */
int form_stanzas_expand(const form_stanzas *s, int n, int *len, int max);
/* Does a poem's stanza layout fit this alternative? */
int form_stanzas_match(const form_stanzas *s, const int *len, int n_stanzas);
/* Minimal number of lines of a form (its scheme or stanzas), 0 when free. */
int form_natural_lines(const vers_form *f);
/* Specificity used to choose among several detected forms (higher = more specific). */
int form_specificity(const vers_form *f);
/* vers_form_plan; lenient (for checking a finished poem) tolerates a line count outside
 * the form's range, stanzas that do not fit (one stanza), refrains or an acrostic beyond
 * the poem and a scheme that cannot alternate.  A scheme of another length still fails. */
int form_plan(const vers_form *f, int n_lines, int alt_scheme, int alt_syllables,
              int alt_stanzas, char first_gender, int lenient, vers_plan **out, vers_err *err);
/* Deep copy into a fresh allocation. */
int form_copy(const vers_form *src, vers_form **out, vers_err *err);
/* Name of a rhyme-quality level for messages ("slant", "suffisante", ...). */
const char *quality_name(int lang, int q);
/* Default minimal rhyme quality of a language for schemes and forms. */
int default_min_quality(int lang);

/* ---- scanning (prosody.c) ---- */
/* An English scan as the public vers_line. */
void vline_from_en(const en_line *e, vers_line *o);

/* ---- text helpers (prosody.c) ---- */
/* Lower-cases, folds Latin accents to ASCII (œ → oe), turns everything else into single
 * spaces, trims.  Writes at most size-1 bytes; returns the length. */
size_t text_fold(const char *s, size_t len, char *out, size_t size);
/* Written ending of a word for eye rhymes ("love" → "ove"), "" when too short. */
void eye_key(const char *word, int lang, char *out, size_t size);
/* First letter (folded, upper case ASCII) of a text, 0 when none. */
int text_initial(const char *s, size_t len);
/* Does FR text allow a caesura after syllable n (word boundary, not on a counted e muet)? */
int fr_caesura_at(const char *text, size_t len, int n);

/* Graded likeness of two lines' endings (prosody.c): 30 same word, 20+ exact rhyme
 * (FR 21-23 by richness), 15 same final syllable / normalised key (wrenched rhymes,
 * dictionary variants, older spellings), 10 slant (EN), 5 eye rhyme, 0 none. */
int rhyme_score(const vers_line *a, const vers_line *b);
/* The same with the context's dictionary (English: every pronunciation of both words). */
int rhyme_score_in(const vers_prosody *p, const vers_line *a, const vers_line *b);
/* The one pairwise rhyme judgement of schemes, forms and the writer: rhyme_score_in at
 * quality >= min_quality, or, when min_quality is at most 1, an eye rhyme too (p may be
 * NULL: vers_lines_rhyme). */
int lines_rhyme_in(const vers_prosody *p, const vers_line *a, const vers_line *b, int min_quality);
/* A line's ending prepared for many comparisons: what rhyme_score_in derives from one line
 * (its English reading, dictionary keys, phonemes, eye key), each derived on first need
 * and kept.  rhyme_score_prep(p, a, b) == rhyme_score_in(p, a->line, b->line). */
typedef struct rhyme_prep {
    const vers_line *line;
    int ready;                                   /* which parts below are filled */
    en_line x;
    int n_var;
    char var[EN_RHYME_VARIANTS][48];
    int n_ph, ph[32];
    char eye[64];
} rhyme_prep;
void rhyme_prep_init(rhyme_prep *r, const vers_line *line);
int rhyme_score_prep(const vers_prosody *p, rhyme_prep *a, rhyme_prep *b);
/* Older French spelling of a word modernised (see prosody.c); 1 when it changed. */
int fr_modern_spelling(const char *w, char *out, size_t size);

/* ---- scheme detection (scheme.c) ---- */
/* Groups lines into rhyme groups over the whole poem: ids[i] = group (-1 for a line
 * without rhyme word), numbered in order of first appearance.  stanza[i] = the line's
 * stanza.  Returns the number of groups, or -1 on allocation failure. */
int scheme_detect(const vers_prosody *p, const vers_line *lines, const int *stanza, int n, int *ids);
/* Rhyme scores of a poem's line pairs (rhyme_memo.c): rhyme_score_in of lines i and j of L,
 * computed once per distinct pair of endings.  NULL from _new when memory is short. */
typedef struct rhyme_memo rhyme_memo;
rhyme_memo *rhyme_memo_new(const vers_prosody *p, const vers_line *L, int n);
int rhyme_memo_score(rhyme_memo *m, int i, int j);
void rhyme_memo_free(rhyme_memo *m);
/* Steps taken by scheme_detect in this thread since the program started (each line pair
 * compared, each line of each candidate pattern, each sort comparison): the tests read it
 * to show that the work grows linearly with the stanza, not with its square. */
extern _Thread_local unsigned long long scheme_detect_work;
/* Letter shown for group id g. */
char scheme_letter(int g);

/* ---- checking (check.c) ---- */
typedef struct check_ctx {
    const vers_prosody *p;
    const vers_plan *plan;
    const vers_line *lines;        /* scans of lines 0..i */
    const char *const *texts;      /* texts of lines 0..i (may be NULL: no refrain checks) */
    const size_t *lens;
    int absolute_gender;           /* 1: plan genders (writer); 0: alternance rule only */
    int compare_texts;             /* 1: texts of earlier lines known (refrains) */
    const int *rhyme_ids;          /* detected rhyme groups of the poem (NULL: none): lines the
                                      scheme detector joined in context count as rhyming */
} check_ctx;
/* The rhyme test of plan line i (with one of its group's earlier lines, by lines_rhyme_in
 * or a shared detected rhyme group): 1 when it holds or nothing is asked.  *first = the
 * group's earliest line, -1 when line i opens its group. */
int check_rhyme_ok(const check_ctx *c, int i, int *first);
/* Violations of line i; returns their count, writes up to max_v. */
int check_plan_line(const check_ctx *c, int i, vers_violation *v, int max_v);
#endif
