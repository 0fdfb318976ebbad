/* src/write/constraints.h — the state of the line being decoded and every mask built from
 * it at a step: the syllable budget (tokens that would overshoot the line's count are
 * forbidden, the line break only after a rhyme word that meets the count), the caesura,
 * the acrostic letter, the rhyme masks (the last word must be a path of the rhyme index's
 * words compatible with the line's rhyme partner), the biases, the tokens banned after a
 * dead end.  writer.c computes what needs the ear (exact counts, caesura gates) and asks
 * wr_mask_step for the step's logits; no mask is built anywhere else. */
#ifndef VERS_WR_CONSTRAINTS_H
#define VERS_WR_CONSTRAINTS_H
#include "write/wr.h"

#define WR_LINE_BYTES 400
#define WR_MAX_SYL 40

enum { WR_MODE_FREE = 0, WR_MODE_END, WR_MODE_DONE };

/* The end words a line may close on: words of the rhyme index that are allowed (rhyme class,
 * gender, not used yet), bucketed by (vowel-initial, syllables). */
typedef struct wr_endset {
    int n;
    int *words;                          /* indices into the index, grouped by bucket */
    int start[2 * (WR_MAX_SYL + 1) + 1]; /* bucket b = vi*(WR_MAX_SYL+1)+syl holds
                                            words[start[b] .. start[b+1]) */
    int min_syl;                         /* smallest syllable count present (0 if empty) */
} wr_endset;

typedef struct wr_line_state {
    char text[WR_LINE_BYTES];
    int len;                             /* bytes of text */
    int word_start;                      /* where the current word begins in text */
    int in_word;                         /* text ends inside a word */
    int after_punct;
    int u8_owed;                         /* continuation bytes the next token must supply */
    int u8_lead;                         /* the lead byte they complete */
    int word_nletters;                   /* letters of the current word */
    int word_spaced;                     /* it began with a token that has a leading space */
    int word_vg, word_v_last, word_silent_e, word_letters;
    int before_word;                     /* syllables before the current word (estimate) */
    int base_c, base_v;                  /* exact count if the line broke here, before a
                                            consonant / vowel word (-1 = not computed) */
    int mode;                            /* WR_MODE_* */
    int depth;                           /* tokens of the end word taken (END mode) */
    int n_alive;                         /* end words still matching (END mode) */
    int end_word;                        /* chosen end word index once complete, else -1 */
    int end_from;                        /* step at which the end word began (END mode) */
    int n_punct_done;
    /* French caesura: caes_done once a word boundary fell on it; before that, whether a
     * consonant- / vowel-initial word may begin here (its count stays before the caesura or
     * lands on a valid one); -1 = not computed */
    int caes_done, caes_c, caes_v;
} wr_line_state;

void wr_ls_init(wr_line_state *ls);
/* Appends a token's bytes to the line (a space at line start is dropped). */
int  wr_ls_append(wr_line_state *ls, const wr_tokens *tt, int tok);

/* Syllable estimate of the current word if token tok continued it. */
int  wr_est_continue(const wr_line_state *ls, const wr_tokinfo *ti, int lang);
/* Syllable estimate of a new word made of token tok alone. */
int  wr_est_start(const wr_tokinfo *ti);

/* Masks logits (sets forbidden ones to -INFINITY) for a FREE-mode step:
 * budget hi = most syllables, min_end = fewest syllables an end word needs, caesura (0 none),
 * acrostic letter (0 none, only at line start); closable = 0 when the current word (spelled
 * in pieces) is no word yet, so that it must go on; start_ok (NULL: all) marks the tokens
 * that can begin a word of the language.  With a caesura the gates ls->caes_c / caes_v must
 * be computed (writer.c) before a new word may begin.  Returns the number of allowed tokens. */
int  wr_mask_free(float *logits, const wr_tokens *tt, const wr_line_state *ls, int lang,
                  int hi, int min_end, int caesura, uint32_t acrostic, int closable,
                  const unsigned char *start_ok);

/* 1 for a French word whose vowel is elided before a vowel or mute h (le, de, que, ...). */
int  wr_fr_elidable(const char *w, int len);

/* What stays fixed over one line's steps. */
typedef struct wr_line_rules {
    const wr_endset *es;                 /* the end words the line may close on */
    int lang;                            /* WR_LANG_* */
    int lo, hi;                          /* syllable range aimed at */
    int caesura;                         /* syllable after which the caesura falls (0 none) */
    int last;                            /* the poem's last line: it ends on a full stop */
    uint32_t acrostic;                   /* the first letter, lower case (0 none) */
} wr_line_rules;

/* What stays fixed over a writer's life, and the scratch of one step.  entry marks the first
 * tokens of the end words that fit this step (fit[0..n_fit)); wr_mask_release clears them. */
typedef struct wr_masker {
    const wr_tokens *tt;
    const wr_rhyme_index *ix;
    const unsigned char *start_ok;       /* n_vocab: the token can begin a word of the language */
    const unsigned char *tok_is_word;    /* n_vocab: the token (after its space) is a word itself */
    const float *bias;                   /* n_vocab: added to the allowed logits of a FREE step */
    unsigned char *entry;                /* n_vocab scratch, all 0 between steps */
    int *fit;                            /* fit_cap scratch: end words that fit this step */
    int fit_cap, n_fit;
    float floor;                         /* this step's least model logit for an end-word token:
                                            a word is entered and spelled on only by tokens at
                                            least this likely (-INFINITY: no floor) */
    int relax_end;                       /* 1: a word entered may be spelled on by pieces below
                                            the floor when the model wants none (the writer's
                                            last resort for a line before it backs up) */
} wr_masker;

/* The step's logits x from the model's logits: x[t] = -INFINITY for every forbidden token.
 * ls is the line so far (base counts and caesura gates computed when needed); alive the end
 * words still spelled in END mode; closable = 0 when the current word is no word yet; lost =
 * 1 when the line went past its caesura without one (nothing is allowed); ban the tokens
 * refused at this step after dead ends.  Returns the number of allowed tokens. */
int  wr_mask_step(wr_masker *m, const wr_line_rules *r, const wr_line_state *ls, const int *alive,
                  int closable, int lost, const int *ban, int n_ban, const float *logits, float *x);
/* Clears the entry marks of the last wr_mask_step. */
void wr_mask_release(wr_masker *m);
/* Forbids every token that continues a word (no leading space) and begins no end word: the
 * model wants pieces no word continues, so the word ends here or never. */
void wr_mask_pieces_off(const wr_masker *m, float *x);

/* End set building. */
int  wr_endset_build(wr_endset *es, const wr_rhyme_index *ix, const int *allowed_cls, int n_cls_allowed,
                     int gender, const unsigned char *used_word, int max_syl, int lang);
void wr_endset_free(wr_endset *es);
/* Marks in `allow` (n_vocab bytes, set to 1) the first tokens of end words that bring the
 * line to [lo,hi] from base counts base_c/base_v, collecting those words in out (cap). */
int  wr_endset_fits(const wr_endset *es, const wr_rhyme_index *ix, int base_c, int base_v,
                    int lo, int hi, int *out, int cap);
#endif
