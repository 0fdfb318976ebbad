/* src/write/wr.h — the writer's internal interfaces.
 *
 * The writer decodes poems line by line under metre and rhyme constraints.  It talks to
 * the rest of vers through two small tables of functions, so that its search can be
 * tested with a fake model and a simple ear, and bound to the real engine and prosody:
 *
 *   wr_lm      a language model with its tokenizer: bytes of a token, append tokens and
 *              get the next-token logits, truncate the KV cache back to position n.
 *   wr_oracle  a prosodic ear: scan one line (metrical syllables, gender, rhyme key),
 *              say whether two scanned lines rhyme, whether a line meets its plan, and
 *              give the final verdict on a whole poem (the same check `vers check` runs).
 *
 * A request is the prosody layer's plan of its form (vers_plan, from vers_form_plan: one
 * vers_plan_line per verse line: syllable range, rhyme group, gender, refrain, stanza,
 * acrostic letter), passed with the form itself to the search and to every question the
 * search asks the ear: there is no second plan type.  constraints.c classifies the model's
 * tokens once (wr_tokinfo) and builds every per-step mask; rhyme_trie.c holds the
 * rhyme-compatible words as token paths; writer.c searches.  docs/DESIGN.md has the layer
 * map and the path of --form from the command line to the logit mask. */
#ifndef VERS_WR_H
#define VERS_WR_H
#include "vers/common.h"
#include "vers/prosody.h"
#include <stdint.h>
#include <stddef.h>

/* ---- language model ------------------------------------------------------------------ */
/* Structure codes (a model fine-tuned with `vers train --struct-codes`): before each line of
 * a poem, [<stanza>] <syl:N> <rh:K>, K indexing the language's table of frequent rhyme keys
 * (the prosody's rhyme_key strings) or <rh:other>. */
#define WR_CODE_SYL 24
#define WR_CODE_RH 256
typedef struct wr_codes {
    int syl[WR_CODE_SYL + 1];  /* token of <syl:N>, N = 1..24 */
    int rh[WR_CODE_RH];        /* token of <rh:K> */
    int rh_other, stanza;
    int n_key[2];              /* keys per language (WR_LANG_EN, WR_LANG_FR) */
    char key[2][WR_CODE_RH][48];
} wr_codes;

typedef struct wr_lm {
    void *ud;
    int n_vocab;
    int n_ctx;                 /* positions the KV cache holds */
    int bos;                   /* -1 when the model has none */
    /* Appends n tokens at the current position; writes the logits after the last one
     * (n_vocab floats) into logits.  Returns VERS_OK or an error code. */
    int (*eval)(void *ud, const int *toks, int n, float *logits, vers_err *err);
    /* Drops every position >= n_past (KV cache truncation). */
    int (*truncate)(void *ud, int n_past);
    int (*n_past)(void *ud);
    /* Tokenizes text (no BOS); returns the token count, or -1 if it does not fit cap. */
    int (*tokenize)(void *ud, const char *text, int len, int *out, int cap);
    /* Bytes the token stands for in text (SPM '▁' -> ' ', byte tokens -> the byte);
     * returns the length, or -1 for a control/special token. */
    int (*token_bytes)(void *ud, int tok, char *buf, int cap);
    /* Id of a special token given by its text (e.g. "<fr>"), or -1. */
    int (*special)(void *ud, const char *text);
    /* Branches (NULL when the model has none): several continuations of the current
     * position decoded together, as vers_ctx_branch_open / vers_decode_branches /
     * vers_ctx_branch_truncate / vers_ctx_branch_commit (include/vers/engine.h). */
    int (*branch_open)(void *ud, int n, int cap, vers_err *err);
    int (*branch_eval)(void *ud, const int *toks, const int *branch, int n, float *logits, vers_err *err);
    int (*branch_truncate)(void *ud, int b, int len);
    int (*branch_commit)(void *ud, int b, int n, vers_err *err);
    const wr_codes *codes;     /* NULL: the model knows no structure codes */
} wr_lm;

/* ---- prosody --------------------------------------------------------------------------- */
enum { WR_LANG_EN = 0, WR_LANG_FR = 1 };
#define WR_MAX_SYL_PLAN 40     /* most syllables a line may ask for */

typedef struct wr_scan {
    int syl;                   /* metrical syllables (the count the check uses) */
    int syl_min, syl_max;      /* range over optional readings */
    int gender;                /* 'm', 'f' or 0 */
    int caesura_ok;            /* 1 when the line has a valid caesura (or none asked) */
    char rhyme_key[48];        /* phonetic ending; "" when the line has no word */
    _Alignas(8) unsigned char ext[320]; /* the binding's own analysis of the line */
} wr_scan;

/* What the writer reads of a plan line (vers_plan_line), in the writer's terms. */
/* The syllable count the search aims at inside [syl_min, syl_max] (0: free). */
static inline int wr_line_target(const vers_plan_line *pl) { return pl->syllables > 0 ? pl->syllables : pl->syl_max; }
/* 1 when a blank line follows line i. */
static inline int wr_stanza_end(const vers_plan *p, int i) {
    return i + 1 < p->n_lines && p->lines[i + 1].stanza != p->lines[i].stanza;
}
/* The acrostic letter of a plan line as a lower-case code point, 0 when none. */
uint32_t wr_line_initial(const vers_plan_line *pl);
/* Whether the writer can take a plan: lines, syllables it can count to.  VERS_EINVAL with
 * the line named when not (vers_write_validate and wr_write both ask). */
int wr_plan_check(const vers_plan *plan, vers_err *err);

typedef struct wr_oracle {
    void *ud;
    int lang;
    /* Scans one line of text as a whole verse line (its last word is line-final).
     * target is the syllable count the caller hopes for (0 unknown; used for readings). */
    int (*scan)(void *ud, const char *text, int len, int target, wr_scan *out);
    /* 1 when two scanned lines rhyme by the check's rule for this plan (its quality). */
    int (*rhymes)(void *ud, const vers_plan *plan, const wr_scan *a, const wr_scan *b);
    /* 1 when line i (text, scanned as s) meets line i of the plan given the lines before it
     * (prev_texts / prev_scans, i entries): syllables, gender, alternance, caesura, rhyme. */
    int (*line_ok)(void *ud, const vers_plan *plan, int i, const char *text, int len, const wr_scan *s,
                   const char *const *prev_texts, const wr_scan *prev_scans);
    /* Final verdict on the whole poem written for form / plan (the check `vers check` runs
     * with that form): 1 passes, 0 fails (why filled), <0 error. */
    int (*check_poem)(void *ud, const vers_form *form, const vers_plan *plan, const char *poem,
                      size_t len, char *why, size_t whylen);
} wr_oracle;

/* ---- token table (constraints.c) ------------------------------------------------------- */
enum { WR_TOK_BAD = 0, WR_TOK_WORD, WR_TOK_PUNCT, WR_TOK_NEWLINE };

typedef struct wr_tokinfo {
    uint8_t kind;              /* WR_TOK_* */
    uint8_t lead_space;        /* starts a new word */
    uint8_t vg;                /* vowel groups in its letters */
    uint8_t v_first, v_last;   /* begins / ends with a vowel letter */
    uint8_t silent_e;          /* ends with e after a consonant (English silent e) */
    uint8_t u8_in;             /* continuation bytes it starts with (completing a char) */
    uint8_t u8_out;            /* continuation bytes still owed after it (0 or 1) */
    uint8_t u8_lead;           /* the lead byte it leaves open (u8_out) */
    uint8_t u8_cont;           /* the continuation byte it starts with (u8_in) */
    uint8_t caps_first;        /* its first letter is upper case */
    uint8_t caps_inside;       /* an upper-case letter after its first letter */
    uint8_t n_letters;
    uint32_t first_letter;     /* lower-cased first letter code point (0 none/unknown) */
    uint8_t punct;             /* the punctuation byte for WR_TOK_PUNCT */
    uint8_t n_bytes;
} wr_tokinfo;

typedef struct wr_tokens {
    int n;
    wr_tokinfo *info;
    char *bytes;               /* all token bytes, token t at off[t], length info[t].n_bytes */
    uint32_t *off;
    int newline;               /* a token that is exactly "\n" (-1 none) */
    uint64_t checksum;         /* FNV-1a over all token bytes: keys the rhyme cache */
} wr_tokens;

int  wr_tokens_build(wr_tokens *tt, const wr_lm *lm, int lang, vers_err *err);
void wr_tokens_free(wr_tokens *tt);
static inline const char *wr_tok_text(const wr_tokens *tt, int t) { return tt->bytes + tt->off[t]; }

/* Syllable estimate of a word written in letters (vowel groups, language rules of thumb). */
int wr_word_estimate(const char *w, int len, int lang);
/* UTF-8 helpers shared by the writer files. */
uint32_t wr_utf8_next(const char *s, int len, int *adv);
uint32_t wr_lower(uint32_t c);
int wr_is_letter(uint32_t c);
int wr_is_vowel(uint32_t c, int lang);
/* 1 when lead byte + continuation byte make a letter the writer allows (Latin-1 letters, œ). */
int wr_u8_pair_ok(unsigned lead, unsigned cont);

/* ---- lexicon (lexicon.c) ------------------------------------------------------------------ */
/* The words of one language (its system word list), normalised by wr_norm_word and sorted:
 * text holds them NUL-terminated in byte order after a leading NUL; sorted[i] is the offset
 * of the i-th.  n == 0: no lexicon, every word allowed. */
typedef struct wr_lexicon {
    int lang;
    uint32_t n;
    char *text; size_t len;
    uint32_t *sorted;
} wr_lexicon;

/* Lower case, œ → oe, æ → ae, ’ → '; a final lone UTF-8 lead byte is kept.  Returns the
 * length written to out (NUL-terminated) or -1. */
int  wr_norm_word(const char *w, int len, char *out, int cap);
/* Reads a word list (one word a line; a line may go on after a tab, '#' lines are comments);
 * 0 ok, -1 unreadable, empty or out of memory. */
int  wr_lexicon_load_list(wr_lexicon *lx, const char *path, int lang);
/* The same from text in memory. */
int  wr_lexicon_load_text(wr_lexicon *lx, const char *text, size_t len, int lang);
/* The words a reader knows in a language (WR_LANG_*): the frequency list shipped in
 * lexicon/ (scripts/build-lexicon.py: the corpus's most frequent forms), compiled in.
 * Line-end and rhyme words come from it only.  0 ok, -1 out of memory. */
int  wr_common_words(wr_lexicon *lx, int lang);
/* The words the writer may rhyme on: wr_common_words less the words where vers's rhyme key
 * and an independent ear (espeak-ng, CMUdict) disagree (lexicon/rhyme-doubt-*.txt). */
int  wr_rhyme_words(wr_lexicon *lx, int lang);
/* The words the corpus uses around a frequent word (lexicon/theme-*.txt): the list after the
 * word, space-separated, its length in *len; NULL when the word has none. */
const char *wr_theme_neighbours(int lang, const char *word, int wlen, int *len);
/* Rebuilds lx->sorted from lx->text (after a cache load); -1 when text is not a valid,
 * strictly sorted word sequence. */
int  wr_lexicon_index(wr_lexicon *lx);
void wr_lexicon_free(wr_lexicon *lx);
/* Drops from a language's lexicon the words frequent in the other language's corpus (its
 * shipped frequency list) and not in this one's: Debian's wfrench holds "eyes" and
 * "mach", and a model drifting into English wrote "ô mach eyes" in a French sonnet.
 * Returns the words dropped, or -1 (out of memory; the lexicon is then empty). */
int wr_lexicon_drop_foreign(wr_lexicon *lx, int lang);
/* 1 for a slur of the block list (any case): never a rhyme word, never in a lexicon. */
int  wr_is_blocked_word(const char *w, int len);
/* 1 when the word (any case, UTF-8) is in the lexicon, or when there is no lexicon. */
int  wr_lexicon_has(const wr_lexicon *lx, const char *w, int len);
/* 1 when some word of the lexicon begins with these letters (or no lexicon). */
int  wr_lexicon_prefix(const wr_lexicon *lx, const char *w, int len);
/* 1 when w is a word of the language: a listed word, or parts joined by apostrophes and
 * hyphens by the language's rules (l'âme, jusqu'au, dis-moi; he'd, lion's, heav'n);
 * one-letter words only when real (a, à, y, ô; a, i, o), with or without a lexicon. */
int  wr_word_ok(const wr_lexicon *lx, int lang, const char *w, int len);
/* 1 when w (a word being spelled, possibly ending inside a letter) can still become one. */
int  wr_word_viable(const wr_lexicon *lx, int lang, const char *w, int len);

/* ---- rhyme index (rhyme_trie.c) ---------------------------------------------------------- */
typedef struct wr_word {
    uint32_t text_off;         /* into idx->text, NUL-terminated, no leading space */
    uint32_t tok_off;          /* into idx->toks: tokens of " word" */
    uint8_t n_tok;
    uint8_t syl;               /* syllables as a line-final word */
    uint8_t gender;            /* 'm' / 'f' / 0 */
    uint8_t vowel_initial;     /* begins with a vowel or mute h (elision before it) */
    int32_t cls;               /* rhyme class (words with equal rhyme keys) */
} wr_word;

typedef struct wr_rhyme_index {
    int n_words, n_cls;
    wr_word *words;            /* sorted by class, then by token path */
    int32_t *cls_start;        /* n_cls + 1 offsets into words */
    uint32_t *cls_key;         /* offset into text of each class's rhyme key */
    char *text; size_t text_len;
    int32_t *toks; size_t n_toks;
    /* the lexicon of the index's language (empty without a word list): every word of a line
     * must be one of its words */
    wr_lexicon lex;
    int from_cache;
} wr_rhyme_index;

/* Builds (or loads from the cache dir, when cache_dir is not NULL) the rhyme index of a
 * model's tokenizer for a language: the line-end words are the words a reader knows (common,
 * wr_common_words) when given, else the word list file's, else the model's own whole-word
 * tokens; each is tokenized, scanned and grouped by rhyme key.  The word list file (may be
 * NULL) is the lexicon every word of a line must belong to. */
int  wr_rhyme_index_build(wr_rhyme_index *ix, const wr_lm *lm, const wr_tokens *tt,
                          const wr_oracle *or, const char *wordlist, const wr_lexicon *common,
                          const char *cache_dir, vers_err *err);
void wr_rhyme_index_free(wr_rhyme_index *ix);
static inline const char *wr_word_text(const wr_rhyme_index *ix, const wr_word *w) { return ix->text + w->text_off; }
/* 1 for a function word of the language ("the", "to"; "le", "de"), lower case. */
int wr_is_stop_word(const char *w, int len, int lang);
/* Class whose key equals key, or -1. */
int wr_rhyme_class_find(const wr_rhyme_index *ix, const char *key);
/* Default cache directory ($XDG_CACHE_HOME/vers or ~/.cache/vers) into buf; 0 ok. */
int wr_cache_dir(char *buf, size_t cap);
/* Default word list for a language (system dictionary) or NULL. */
const char *wr_default_wordlist(int lang);

/* ---- prompt (prompt.c) ------------------------------------------------------------------- */
/* Tokens that open a poem: control tags when the model has them (<fr><sonnet><title>…</title>\n;
 * tag is the form's, vers_form_tag, or NULL), otherwise a plain-text preamble.  Returns the
 * count or -1 on error (err filled). */
int wr_prompt_tokens(const wr_lm *lm, int lang, const char *tag, const char *theme, int *out, int cap,
                     char *preamble_text, size_t preamble_cap, vers_err *err);

/* ---- drawing tokens (draw.c) ------------------------------------------------------------ */
/* A draw from masked logits (-INFINITY = forbidden) at a temperature with a min-p cut, from
 * which tokens can be refused one by one without a new pass over the vocabulary. */
typedef struct wr_draw {
    int *idx; double *wt;      /* the tokens within min-p of the best, and their weights */
    int n, cap, best;
    int live;                  /* entries not refused (a refused one keeps weight 0) */
    int picked;                /* list index of the last pick */
    double sum;
} wr_draw;
int  wr_draw_init(wr_draw *d, int n_vocab);
void wr_draw_free(wr_draw *d);
/* Builds the list from x; returns its length (0: nothing allowed). */
int  wr_draw_prepare(wr_draw *d, const float *x, int n, float temp, float min_p);
/* A token from the list (one uniform draw), or -1 when it is empty. */
int  wr_draw_pick(wr_draw *d, uint64_t *rng);
/* Forbids t (x[t] = -INFINITY) and takes it out of the list. */
void wr_draw_refuse(wr_draw *d, float *x, int n, int t, float temp, float min_p);

/* ---- writer (writer.c) ------------------------------------------------------------------- */
/* The search's settings.  Their defaults live in wr_params_default() and nowhere else:
 * vers_write_default_opts and the CLI's help read them from there. */
typedef struct wr_params {
    uint64_t seed;
    float temp;                /* sampling temperature */
    float min_p;               /* min-p cut relative to the best token */
    int candidates;            /* candidate lines kept per line */
    int max_attempts;          /* line attempts before backing up a line */
    long budget;               /* token evaluations for one poem, all searches, before giving up */
    const char *theme;         /* words that get a logit bias and may not be copied */
    float theme_bias;          /* logit bias on theme word tokens */
    float word_bias;           /* logit bias on tokens that are whole words of the language */
    float end_min_p;           /* an end word is entered only by a token the model gives at
                                  least this probability before the masks (0: any) */
    float tok_min_p;           /* no token of a line the model gives less than this unmasked
                                  (the masks left only unlikely ones: back up instead) */
    float end_cont_max;        /* an end word ends only where the model gives its going on
                                  (a piece that continues it) at most this probability
                                  (0 or 1: no such check) */
    int no_codes;              /* 1: do not feed structure codes even when the model knows them */
    /* progress (may be NULL): on_line(ud, i, text, syl) when line i (0-based) is kept for now
     * (text as the poem will print it), on_line(ud, i, NULL, 0) when lines i.. are withdrawn
     * (a backup, or a new search from line 0).  Only reports; the search does not change. */
    void (*on_line)(void *ud, int index, const char *text, int syllables);
    void *on_line_ud;
} wr_params;
wr_params wr_params_default(void);

typedef struct wr_result {
    char *text;                /* the poem, lines separated by '\n', stanzas by a blank line */
    int n_tokens;              /* generated tokens of the kept lines */
    double logprob;            /* sum of model log-probabilities of those tokens */
    int end_tokens;            /* tokens of the kept lines' end words (refrains not counted) */
    int end_rare;              /* of those, the ones the model gave p < 1e-3 before masking */
    long evals;                /* tokens evaluated by the model, all attempts */
    int line_attempts, line_backups, poem_restarts;
    int codes;                 /* 1 when structure codes were fed before the lines */
} wr_result;

typedef struct wr_writer wr_writer;
int  wr_writer_new(wr_writer **out, const wr_lm *lm, const wr_oracle *or, const wr_tokens *tt,
                   const wr_rhyme_index *ix, vers_err *err);
void wr_writer_free(wr_writer *w);
/* Writes one poem for plan (vers_form_plan of form; form may be NULL for a plan made by
 * hand: no control tag then).  VERS_OK with a poem that passed the oracle's check_poem,
 * VERS_EFAIL when none was found within the budget, other codes for errors.  rng state
 * lives in *rng. */
int  wr_write(wr_writer *w, const vers_form *form, const vers_plan *plan, const wr_params *par,
              uint64_t *rng, wr_result *res, vers_err *err);
void wr_result_free(wr_result *r);

/* rng: splitmix64 step and uniform float in [0,1) */
static inline uint64_t wr_rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
/* The first state of a poem's stream.  wr_rng_next walks one cycle of 2^64 states by a
 * fixed step, so states seed * step + c would make seed s's draws seed s+1's shifted by one
 * (seeds 202 and 204 wrote the same sonnet): the state is a hash of seed and index instead,
 * a random point of the cycle. */
static inline uint64_t wr_rng_init(uint64_t seed, uint64_t index) {
    uint64_t s = seed, h = wr_rng_next(&s);
    s = h ^ (index * 0xD1B54A32D192ED03ull);
    return wr_rng_next(&s);
}
static inline double wr_rng_unif(uint64_t *s) { return (double)(wr_rng_next(s) >> 11) * (1.0 / 9007199254740992.0); }
#endif
