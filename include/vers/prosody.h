/* include/vers/prosody.h — public API of the prosody layer: text in, analysis out.
 *
 * A vers_prosody context holds the read-only dictionaries (CMUdict for English), loaded
 * once and shareable by any number of threads.  With it:
 *
 *   - vers_scan_line      one line → syllables, stress (EN), rhyme key, gender (FR)
 *   - vers_rhyme_quality  do two scanned lines rhyme, and how well
 *   - vers_analyse        a whole poem (UTF-8, any number of lines) → lines, stanzas,
 *                         rhyme scheme (letters shared across the whole poem), detected
 *                         form, and when a form is given, violations
 *   - vers_form_*         forms: built-in ones by name and language, user form files
 *                         (docs/FORMS.md), options such as --scheme / --syllables applied
 *                         on top; vers_form_plan turns a form into a line-by-line plan
 *                         (the writer's contract: what each line must satisfy)
 *   - vers_check_line     "does this new line satisfy line i of the plan, given the lines
 *                         before it?" — the very test vers_analyse applies, so a poem built
 *                         line by line under it passes `vers check`.
 *
 * Line numbers in violations are verse numbers: 1-based, blank lines not counted. */
#ifndef VERS_PROSODY_H
#define VERS_PROSODY_H
#include "vers/common.h"

typedef enum { VERS_LANG_AUTO = 0, VERS_LANG_EN = 1, VERS_LANG_FR = 2 } vers_lang;

/* "en", "fr", "auto" <-> vers_lang; vers_lang_parse returns -1 for anything else. */
int vers_lang_parse(const char *s);
const char *vers_lang_name(int lang);

/* ---- context ---------------------------------------------------------------------- */
typedef struct vers_prosody vers_prosody;

/* Opens a context.  en_dict_path NULL = CMUdict from its default locations (see
 * src/prosody/en.h); a missing default dictionary is not an error (the English guesser
 * is used and vers_prosody_warning() says so).  Returns VERS_OK or an error code. */
int vers_prosody_open(const char *en_dict_path, vers_prosody **out, vers_err *err);
void vers_prosody_close(vers_prosody *p);
/* A warning from opening (e.g. "no CMU dictionary found"), or NULL. */
const char *vers_prosody_warning(const vers_prosody *p);

/* Guesses the language of a text (VERS_LANG_EN or VERS_LANG_FR; EN when undecided). */
int vers_detect_lang(const char *text, size_t len);

/* ---- one line --------------------------------------------------------------------- */
typedef struct vers_line {
    int lang;                       /* VERS_LANG_EN or VERS_LANG_FR */
    int syllables;                  /* metrical count (fitted to the target when given) */
    int min_syllables, max_syllables; /* range the elisions / diérèses allow */
    char stress[64];                /* EN: '0'/'1' per syllable; FR: "" */
    char rhyme_key[48];             /* phonetic ending (ARPAbet EN, ASCII phonemes FR) */
    char gender;                    /* FR: 'm'/'f'; EN: 'f' feminine ending, else 'm' */
    int caesura_ok;                 /* FR alexandrine: 6th syllable ends a word, not an e muet */
    int hiatus;                     /* FR: hiatus count */
    char last_word[64];             /* lower-cased last word ("" when the line has none) */
    char alt_key[48];               /* FR: rhyme key of the last word in modern spelling when
                                       it differs (16th-century "loix", "beautez"), else "" */
    char alt_gender;
} vers_line;

/* Scans one line (len bytes, no NUL needed).  target > 0 picks the reading closest to
 * that many syllables; 0 = usual reading.  lang must be EN or FR. */
int vers_scan_line(const vers_prosody *p, int lang, const char *text, size_t len, int target,
                   vers_line *out);

/* Rhyme quality of two scanned lines of the same language.  EN: 0 none, 1 slant,
 * 2 perfect, 3 identical word; "perfect" also when the final syllables agree with the
 * stress elsewhere (wrenched rhymes of older verse: "sea"/"melody") and across
 * dictionary variants ("fire" AYR/AYER).  FR: 0 none, 1 pauvre, 2 suffisante, 3 riche;
 * pauvre also for the same sounded ending despite a doubtful gender or an older
 * spelling.  Returns 0 for lines of different languages or without rhyme words. */
int vers_rhyme_quality(const vers_line *a, const vers_line *b);

/* The rhyme test that schemes and forms use: quality >= min_quality, or, when min_quality
 * is at most 1 (slant / pauvre), an eye rhyme (same written ending, e.g. love/move,
 * 16th-century spellings).  Returns 1 when the lines rhyme. */
int vers_lines_rhyme(const vers_line *a, const vers_line *b, int min_quality);

/* Metrical syllables of a line being written (a prefix, for the writer's token masks):
 * *done = syllables so far excluding a pending final e muet (FR), *pending = 1 when the
 * last word's e muet counts only if a consonant-initial word follows (FR; 0 for EN);
 * *min_done and *max_done = range with optional elisions.  Any pointer but p/text may be NULL. */
int vers_count_prefix(const vers_prosody *p, int lang, const char *text, size_t len,
                      int *done, int *min_done, int *max_done, int *pending);

/* ---- forms ------------------------------------------------------------------------ */
typedef struct vers_form vers_form;

/* Built-in form by name for a language: exact name ("sonnet-fr"), then NAME-LANG
 * ("sonnet" + fr → "sonnet-fr"), then a form whose alias list has NAME for that language.
 * lang AUTO accepts the first match of either language.  VERS_ENOTFOUND when none. */
int vers_form_builtin(const char *name, int lang, vers_form **out, vers_err *err);
/* Parses a form file's text (format in docs/FORMS.md); origin names it in messages. */
int vers_form_parse(const char *text, size_t len, const char *origin, vers_form **out, vers_err *err);
/* Reads and parses a form file. */
int vers_form_load(const char *path, vers_form **out, vers_err *err);
/* An empty form (no constraints: free verse) to fill with vers_form_set. */
int vers_form_new(const char *name, int lang, vers_form **out, vers_err *err);
/* Sets one key as a form file line would ("scheme", "ABAB CDCD"), replacing the old value:
 * how --scheme, --syllables, --lines, --acrostic apply on top of a form. */
int vers_form_set(vers_form *f, const char *key, const char *value, vers_err *err);
/* A fresh copy of a form (free it with vers_form_free). */
int vers_form_copy(const vers_form *f, vers_form **out, vers_err *err);
void vers_form_free(vers_form *f);

const char *vers_form_name(const vers_form *f);
int vers_form_lang(const vers_form *f);         /* VERS_LANG_AUTO = any language */
const char *vers_form_tag(const vers_form *f);  /* control-token name (sonnet, haiku, ...) */
const char *vers_form_description(const vers_form *f);
/* Writes the form back in the form-file format (canonical key order) into buf; returns
 * the length it needs (like snprintf). */
size_t vers_form_format(const vers_form *f, char *buf, size_t size);

/* One line of what the form asks, generated from its keys (what --list-forms shows):
 * "AABBA; syllables 8-10 8-10 5-7 5-7 8-10; stanzas 5".  Returns the length it needs. */
size_t vers_form_summary(const vers_form *f, char *buf, size_t size);
/* The other names --form finds this form by: NAME for a form NAME-LANG, and its aliases,
 * then " with --lang LANG" for a form of one language; "" when none.  Returns the
 * length it needs (like snprintf). */
size_t vers_form_other_names(const vers_form *f, char *buf, size_t size);
/* A form as a command line asks for it: the one path `vers check` and `vers write` share
 * (docs/DESIGN.md).  A built-in name or a spec file, then scheme / syllables / lines /
 * acrostic set on top (form-file syntax: "ABAB CDCD", "10" or "5 7 5", "14", "MER").  With
 * neither a form nor a constraint: NULL (no check) unless none_is_free asks for "free". */
typedef struct vers_form_request {
    int lang;                /* VERS_LANG_*; AUTO: the poem's language, else the form's */
    const char *form;        /* built-in name (vers check --list-forms), or NULL */
    const char *spec_path;   /* a form file instead of form, or NULL */
    const vers_form *spec_form; /* a form file already read (--spec read once), copied; or NULL */
    const char *scheme, *syllables, *lines, *acrostic;   /* overrides, or NULL */
    const char *text;        /* the poem, when there is one: its language picks among forms
                                of the same name when lang is AUTO; NULL otherwise */
    size_t text_len;
    int none_is_free;        /* no form and no constraint: the "free" form instead of NULL */
} vers_form_request;
/* *out: the form, or NULL (see above); *lang_out (may be NULL): the request's language, or
 * when it is AUTO the form's own (AUTO when the form has none).  VERS_EINVAL for --form
 * with --spec or a bad override (message names the option), VERS_ENOTFOUND / VERS_EIO from
 * the form's lookup or file. */
int vers_form_resolve(const vers_form_request *rq, vers_form **out, int *lang_out, vers_err *err);

/* Built-in forms: how many, and a fresh copy of the i-th (free it with vers_form_free). */
int vers_form_builtin_count(void);
int vers_form_builtin_get(int i, vers_form **out, vers_err *err);

/* ---- plans: what each line of a poem in a form must satisfy ------------------------ */
typedef struct vers_plan_line {
    int stanza;              /* 0-based stanza index */
    int syl_min, syl_max;    /* allowed syllable count (0, 0 = free) */
    int syllables;           /* target for writing (0 = free) */
    int rhyme;               /* rhyme id: lines with the same id >= 0 must rhyme; -1 free */
    char letter;             /* the scheme letter shown for it ('-' when free) */
    char gender;             /* FR alternance: 'm' or 'f' required; 0 = free */
    int caesura;             /* syllable after which a caesura is required (0 none) */
    int refrain_of;          /* -1, or the 0-based index of the line this one repeats */
    int rentrement_of;       /* -1, or the index of the line whose opening words it repeats */
    char initial[8];         /* acrostic: required first letter (UTF-8, upper case), "" free */
    int rhyme_prev;          /* the nearest earlier line with the same rhyme id, -1 none */
} vers_plan_line;

typedef struct vers_plan {
    char name[64];
    int lang;
    int min_quality;         /* rhyme quality required (see vers_lines_rhyme) */
    int n_lines;
    vers_plan_line *lines;
    int n_stanzas;
    int *stanza_lines;       /* line count of each stanza (how the writer lays it out) */
} vers_plan;

/* Instantiates a form for n_lines lines (0 = the form's own or default count).
 * alt_scheme / alt_syllables / alt_stanzas choose among the form's `|` alternatives (0 =
 * the first; out of range is VERS_EINVAL).  first_gender 'm' / 'f' / 0 (= 'f') chooses how
 * the alternance starts.  VERS_EINVAL when n_lines does not fit the form, or the scheme
 * cannot alternate genders. */
int vers_form_plan(const vers_form *f, int n_lines, int alt_scheme, int alt_syllables,
                   int alt_stanzas, char first_gender, vers_plan **out, vers_err *err);
void vers_plan_free(vers_plan *plan);
/* Number of alternatives of a key: "scheme", "syllables" or "stanzas" (at least 1). */
int vers_form_alternatives(const vers_form *f, const char *key);

/* ---- violations, checking --------------------------------------------------------- */
typedef struct vers_violation {
    int line;                /* verse number (1-based), 0 = the whole poem */
    char what[16];           /* "lines", "stanzas", "syllables", "rhyme", "gender",
                                "alternance", "caesura", "refrain", "rentrement", "acrostic" */
    char expected[96];
    char found[96];
} vers_violation;

/* Checks line i (0-based) of a plan: text (len bytes) against the plan line and against
 * lines[0..i-1] (already scanned with vers_scan_line at their plan targets, or returned
 * by earlier calls in *scanned) and their texts (texts[0..i-1], NUL-terminated; NULL
 * skips the refrain / rentrement comparisons).  The line is scanned at its plan target;
 * the scan is stored in *scanned when not NULL.  Genders are the plan's (absolute).
 * Returns the number of violations (0 = the line fits) and writes up to max_v of them to
 * v (may be NULL); -1 on bad arguments or allocation failure. */
int vers_check_line(const vers_prosody *p, const vers_plan *plan, int i, const vers_line *lines,
                    const char *const *texts, const char *text, size_t len, vers_line *scanned,
                    vers_violation *v, int max_v);

/* ---- whole poems ------------------------------------------------------------------ */
typedef struct vers_poem_line {
    const char *text;        /* NUL-terminated, trimmed; owned by the analysis */
    int source_line;         /* 1-based line number in the input text */
    int stanza;              /* 0-based */
    int rhyme_id;            /* rhyme group over the whole poem, -1 when no rhyme word */
    char letter;             /* its scheme letter (A-Z, a-z, then cycling; '-' none) */
    vers_line scan;
    int read_target;         /* private: EN: the count its scan was fitted to (0: none) */
    int read_prior;          /* private: EN: the metre this line was read with (analysis.c prior_bits; 0 alone) */
} vers_poem_line;

typedef struct vers_analysis {
    int lang;
    int n_lines;
    vers_poem_line *lines;
    int n_stanzas;
    int *stanza_lines;       /* line count per stanza */
    char *scheme;            /* e.g. "ABAB CDCD EFEF GG" (a space between stanzas) */
    char form[64];           /* detected form's name, "" when none */
    int checked;             /* 1 when a form was given */
    int lines_checked;       /* checked: 1 when each line was checked against a plan of the form
                                (0 when the poem's line count already fails it) */
    int ok;                  /* checked: 1 when the poem conforms */
    int n_violations;
    vers_violation *violations;
    char *text_buf;          /* private: the copy of the text that lines[].text point into */
    const vers_prosody *ctx; /* private: the context it was read with; vers_analysis_json reads
                                English lines' words with it (keep it open until then) */
} vers_analysis;

typedef struct vers_analyse_opts {
    int lang;                /* VERS_LANG_AUTO detects */
    const vers_form *form;   /* NULL: no check (detection only) */
    int detect_form;         /* 1: fill form[] (default behaviour of vers check) */
} vers_analyse_opts;

/* Analyses a poem (len bytes of UTF-8; stanzas are separated by blank lines; any bytes
 * accepted).  opts may be NULL (auto language, detection).  *out is freed with
 * vers_analysis_free.  Errors: VERS_ENOMEM, VERS_EINVAL. */
int vers_analyse(const vers_prosody *p, const char *text, size_t len,
                 const vers_analyse_opts *opts, vers_analysis **out, vers_err *err);
void vers_analysis_free(vers_analysis *a);

/* Scheme letters of stanza s, relabelled from 'A' in order of first appearance inside
 * the stanza (the per-stanza convention of the eval data), into buf (size >= lines+1). */
int vers_stanza_scheme(const vers_analysis *a, int s, char *buf, size_t size);

/* The analysis as one JSON object (docs/FORMS.md lists its fields), NUL-terminated,
 * malloc'd into *json.  English lines' words are read again with the context the analysis
 * was made with, which must still be open.  Returns VERS_OK or VERS_ENOMEM. */
int vers_analysis_json(const vers_analysis *a, char **json, size_t *len, vers_err *err);

/* `vers check` on a poem in memory: the form from rq (vers_form_resolve, rq's text set to
 * this one), then vers_analyse with it.  *out is the analysis (vers_analysis_free), NULL on
 * error; *form_out (form_out may be NULL) the form resolved, NULL when none or when it
 * could not be resolved (vers_form_free).  Errors: those of vers_form_resolve (the form;
 * *form_out stays NULL), then those of vers_analyse (*form_out set). */
int vers_check_text(const vers_prosody *p, const vers_form_request *rq, const char *text, size_t len,
                    vers_form **form_out, vers_analysis **out, vers_err *err);

#endif
