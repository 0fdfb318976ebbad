/* src/write/writer.c — the search that writes a poem.
 *
 * The poem is decoded line by line.  For each line the writer samples several candidate
 * lines from the same KV-cache position (truncating back between them), each token drawn
 * from the model's logits under the masks of constraints.c: the syllable budget, the
 * acrostic letter, and at the end a rhyme word from the rhyme index that completes the
 * count exactly and rhymes with the line's partner.  A step with no allowed token backs up
 * one token (the KV cache is truncated, the token banned at that step); a candidate line is
 * kept only when the oracle's exact scan agrees (count, gender, caesura, rhyme, not a copy of
 * an earlier line).  The best candidate by mean log-probability (penalised when it copies the
 * prompt) is kept.  A line with no candidate at all makes the search back up to the previous
 * line and take its next candidate.  The finished poem goes through the oracle's final check
 * (the same check `vers check` runs): only a poem that passes is returned. */
#include "write/constraints.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#define MAX_STEPS 48
#define MAX_BACK 24
#define FIT_CAP 4096
#define MAX_CANDS 8
#define THIN_CLASS 40         /* end words left below which a dead end blames the rhyme class */
#define MAX_REFUSED 32
#define THEME_TOKS 128
#define RARE_LOGP (-6.907755278982137)   /* log(1e-3): an end-word token the model did not want */        /* word pieces refused in one step before pieces are given up */

typedef struct wr_cand {
    char text[WR_LINE_BYTES];
    int toks[MAX_STEPS + 2];
    int n_tok;
    double lp;
    double score;
    wr_scan scan;
    int end_word;
    int end_toks, end_rare;  /* tokens of the end word; those the model gave p < 1e-3 unmasked */
    int slot, id;            /* the slot that wrote it; its index when found (cand_logits) */
} wr_cand;

typedef struct line_rec {
    wr_cand cands[MAX_CANDS];
    int n_cands;
    int cur;                 /* index of the kept candidate, -1 none */
    int pos;                 /* KV position at the start of the line */
    int refrain;             /* copied from an earlier line */
    int codes[3], n_codes;   /* structure codes fed before the line (cache positions pos..) */
} line_rec;

/* One line attempt in flight, in its slot.  A slot's model state is a branch of the KV
 * cache after the line's start (or, without branches, the cache itself): path_tok[0..path_n)
 * are the tokens it holds; the logits after path_tok[s] are step_logits[s + 1].  A new
 * attempt in the slot that begins the same way reuses them instead of evaluating again. */
typedef struct wr_att {
    float *step_logits;              /* (MAX_STEPS+1) x nv: logits before each step of a line */
    wr_line_state step_state[MAX_STEPS + 1];
    int step_tok[MAX_STEPS + 1];
    double step_lp[MAX_STEPS + 1];
    double step_lse[MAX_STEPS + 1];  /* log-sum-exp of step_logits[s], when lse_ok[s] */
    unsigned char lse_ok[MAX_STEPS + 1];
    int path_tok[MAX_STEPS + 1];
    int path_n;
    int ban[MAX_STEPS + 1][MAX_BACK + 1];
    int n_ban[MAX_STEPS + 1];
    int *alive;                      /* (MAX_STEPS+1) x FIT_CAP: end words still spelled */
    int step, n_back;
    int running;                     /* an attempt is in flight */
    int pend_tok, pend_finish;       /* the token waiting for the model; 1: it ends the line */
    wr_line_state pend_state;        /* the state after it */
    wr_cand cand;                    /* the line, once finished */
    int fresh;                       /* the slot's cache ends with the candidate of this id (-1 none) */
} wr_att;

struct wr_writer {
    const wr_lm *lm;
    const wr_oracle *or;
    const wr_tokens *tt;
    const wr_rhyme_index *ix;
    int nv;
    float *work;                     /* masked logits of the current step */
    float *bias;                     /* theme bias per token */
    wr_att *att;                     /* [MAX_CANDS]: the line attempts in flight (slots) */
    float *cand_logits;              /* [MAX_CANDS] x nv: logits after each candidate's line break */
    float *row_logits;               /* [MAX_CANDS] x nv: one batched evaluation's rows */
    int branches;                    /* the model decodes several slots in one pass */
    int *cls_code;                   /* n_cls: a rhyme class's <rh:K> index, -1 <rh:other>; NULL: no codes */
    float *code_logits;              /* nv: logits after a line's codes */
    int use_codes;                   /* this poem feeds structure codes */
    int line_cap;                    /* tokens a line may take here (context left) */
    char theme_words[4096];          /* the theme's words and their neighbours, NUL-separated */
    int theme_len;
    int theme_tok[THEME_TOKS];       /* the tokens build_theme_bias raised, and by how much */
    float theme_amt[THEME_TOKS];
    int n_theme_tok;
    float theme_scale;               /* the share of those raises in bias now */
    int *fit;                        /* FIT_CAP */
    unsigned char *entry;            /* nv: tokens that begin a fitting end word */
    unsigned char *tok_is_word;      /* nv: the token alone (after its space) is a word */
    unsigned char *start_ok;         /* nv: the token can begin a word of the language */
    unsigned char *whole_word;       /* nv: the token (after its space) is a word of the language */
    wr_draw draw;
    wr_masker mk;                    /* the masks' fixed inputs and scratch (constraints.c) */
    unsigned char *used_word;        /* n_words */
    int *cls_list;                   /* n_cls */
    int *cls_count;                  /* n_cls */
    unsigned char *cls_bad;          /* n_cls: classes that ran short in this search */
    long evals, budget;
    char prompt_text[1024];
    /* where the evaluations went (printed with VERS_WRITE_DEBUG) */
    int why;
    long st_shared, st_refused, st_end_cont, st_steps, st_ok, st_dead, st_reject[5], st_pruned, st_reeval, st_prompt, st_back_steps;
};

int wr_writer_new(wr_writer **out, const wr_lm *lm, const wr_oracle *or, const wr_tokens *tt,
                  const wr_rhyme_index *ix, vers_err *err) {
    *out = NULL;
    wr_writer *w = calloc(1, sizeof *w);
    if (!w) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    w->lm = lm; w->or = or; w->tt = tt; w->ix = ix; w->nv = lm->n_vocab;
    size_t nv = (size_t)w->nv;
    w->work = malloc(sizeof(float) * nv);
    w->bias = calloc(nv, sizeof(float));
    w->att = calloc(MAX_CANDS, sizeof *w->att);
    w->cand_logits = malloc(sizeof(float) * nv * MAX_CANDS);
    w->row_logits = malloc(sizeof(float) * nv * MAX_CANDS);
    int att_ok = w->att != NULL;
    for (int k = 0; att_ok && k < MAX_CANDS; k++) {
        w->att[k].step_logits = malloc(sizeof(float) * nv * (MAX_STEPS + 1));
        w->att[k].alive = malloc(sizeof(int) * FIT_CAP * (MAX_STEPS + 1));
        att_ok = w->att[k].step_logits && w->att[k].alive;
    }
    w->branches = lm->branch_open != NULL;
    const int lslot = or->lang == WR_LANG_FR ? WR_LANG_FR : WR_LANG_EN;
    if (lm->codes && lm->codes->n_key[lslot] > 0) {
        /* each rhyme class's code: its key looked up in the model's table */
        w->cls_code = malloc(sizeof(int) * ((size_t)ix->n_cls + 1));
        w->code_logits = malloc(sizeof(float) * nv);
        if (w->cls_code)
            for (int c = 0; c < ix->n_cls; c++) {
                const char *key = ix->text + ix->cls_key[c];
                w->cls_code[c] = -1;
                for (int k = 0; k < lm->codes->n_key[lslot] && w->cls_code[c] < 0; k++)
                    if (!strcmp(lm->codes->key[lslot][k], key)) w->cls_code[c] = k;
            }
        att_ok = att_ok && w->cls_code && w->code_logits;
    }
    w->fit = malloc(sizeof(int) * FIT_CAP);
    w->entry = calloc(nv, 1);
    w->tok_is_word = calloc(nv, 1);
    w->start_ok = calloc(nv, 1);
    w->whole_word = calloc(nv, 1);
    /* word lists hold abbreviations ("sh", "gr"): a token counts as a word when it is a
     * function word, or a listed word of four letters or more */
    if (w->tok_is_word)
        for (int t = 0; t < w->nv; t++) {
            const wr_tokinfo *ti = &tt->info[t];
            if (ti->kind != WR_TOK_WORD || !ti->lead_space || ti->u8_out || ti->u8_in) continue;
            const char *s = wr_tok_text(tt, t) + 1;
            int len = ti->n_bytes - 1;
            w->tok_is_word[t] = (unsigned char)(wr_is_stop_word(s, len, or->lang) ||
                                                (ti->n_letters >= 4 && ix->lex.n && wr_lexicon_has(&ix->lex, s, len)));
        }
    if (w->start_ok)
        for (int t = 0; t < w->nv; t++) {
            const wr_tokinfo *ti = &tt->info[t];
            if (ti->kind != WR_TOK_WORD || ti->u8_in) continue;
            const char *s = wr_tok_text(tt, t) + ti->lead_space;
            w->start_ok[t] = (unsigned char)wr_word_viable(&ix->lex, or->lang, s, ti->n_bytes - ti->lead_space);
            if (w->whole_word && ti->lead_space && !ti->u8_out && ix->lex.n)
                w->whole_word[t] = (unsigned char)wr_word_ok(&ix->lex, or->lang, s, ti->n_bytes - 1);
        }
    w->used_word = calloc((size_t)ix->n_words + 1, 1);
    w->cls_list = malloc(sizeof(int) * ((size_t)ix->n_cls + 1));
    w->cls_count = malloc(sizeof(int) * ((size_t)ix->n_cls + 1));
    w->cls_bad = calloc((size_t)ix->n_cls + 1, 1);
    int draw_rc = wr_draw_init(&w->draw, w->nv);
    if (draw_rc || !att_ok || !w->cand_logits || !w->row_logits || !w->work || !w->bias || !w->fit || !w->entry || !w->tok_is_word || !w->start_ok || !w->whole_word ||
        !w->used_word || !w->cls_list || !w->cls_count || !w->cls_bad) {
        wr_writer_free(w);
        return vers_errorf(err, VERS_ENOMEM, "out of memory");
    }
    w->mk = (wr_masker){.tt = tt, .ix = ix, .start_ok = w->start_ok, .tok_is_word = w->tok_is_word,
                        .bias = w->bias, .entry = w->entry, .fit = w->fit, .fit_cap = FIT_CAP, .floor = -INFINITY};
    *out = w;
    return VERS_OK;
}

void wr_writer_free(wr_writer *w) {
    if (!w) return;
    if (w->att) for (int k = 0; k < MAX_CANDS; k++) { free(w->att[k].step_logits); free(w->att[k].alive); }
    free(w->att); free(w->cand_logits); free(w->row_logits); free(w->cls_code); free(w->code_logits);
    free(w->work); free(w->bias); free(w->fit);
    free(w->entry); free(w->tok_is_word); free(w->start_ok); free(w->whole_word); wr_draw_free(&w->draw); free(w->used_word); free(w->cls_list); free(w->cls_count); free(w->cls_bad);
    free(w);
}

void wr_result_free(wr_result *r) { free(r->text); memset(r, 0, sizeof *r); }

/* ---- model access ------------------------------------------------------------------------- */

static int lm_eval(wr_writer *w, const int *toks, int n, float *logits, vers_err *err) {
    if (n <= 0) return VERS_OK;
    if (w->lm->n_past(w->lm->ud) + n > w->lm->n_ctx)
        return vers_errorf(err, VERS_EFAIL, "the poem does not fit the model's context of %d tokens", w->lm->n_ctx);
    w->evals += n;
    return w->lm->eval(w->lm->ud, toks, n, logits, err);
}

static double log_sum_exp(const float *x, int n) {
    float mx = -INFINITY;
    for (int i = 0; i < n; i++) if (x[i] > mx) mx = x[i];
    double s = 0.0;
    for (int i = 0; i < n; i++) s += exp((double)(x[i] - mx));
    return (double)mx + log(s);
}

/* ---- exact counts from the oracle --------------------------------------------------------- */

/* Syllables of the line so far if a one-syllable word followed (consonant- or vowel-initial):
 * the count of every completed word, with elisions before the next word done right. */
static int probe_counts(wr_writer *w, wr_line_state *ls, int lang) {
    if (ls->base_c >= 0) return 0;
    static const char *probe_c[2] = {"cat", "pas"}, *probe_v[2] = {"ask", "or"};
    char buf[WR_LINE_BYTES + 8];
    wr_scan s, p;
    for (int k = 0; k < (lang == WR_LANG_FR ? 2 : 1); k++) {
        const char *pr = k ? probe_v[lang] : probe_c[lang];
        int n = snprintf(buf, sizeof buf, "%s %s", ls->text, pr);
        if (w->or->scan(w->or->ud, buf, n, 0, &s) != VERS_OK) return -1;
        if (w->or->scan(w->or->ud, pr, (int)strlen(pr), 0, &p) != VERS_OK) return -1;
        int c = s.syl - p.syl;
        if (c < 0) c = 0;
        if (k == 0) ls->base_c = c; else ls->base_v = c;
    }
    if (lang != WR_LANG_FR) ls->base_v = ls->base_c;
    return 0;
}

/* Whether a caesura after syllable c can fall at the end of the line so far, before a
 * consonant- or vowel-initial word: the line is completed with one-syllable words to its
 * target and scanned whole, so the ear decides (e muet at the caesura, a proclitic before
 * it).  1 when it can or when the ear cannot tell. */
static int caesura_test(wr_writer *w, const wr_line_state *ls, int vowel, int c, int target) {
    if (target <= c || target - c > 16) return 1;
    char buf[WR_LINE_BYTES + 80];
    int n = snprintf(buf, sizeof buf, "%s %s", ls->text, vowel ? "or" : "pas");
    for (int k = 1; k < target - c && n + 5 < (int)sizeof buf; k++) n += snprintf(buf + n, sizeof buf - (size_t)n, " pas");
    wr_scan s;
    if (w->or->scan(w->or->ud, buf, n, target, &s) != VERS_OK || s.syl != target) return 1;
    return s.caesura_ok ? 1 : 0;
}

/* ---- one line ----------------------------------------------------------------------------- */

typedef struct line_ctx {
    const vers_plan *plan;
    int index;
    const wr_scan *prev_scan;        /* scans of the kept lines before this one */
    const vers_plan_line *lp;
    int target;                      /* syllables aimed at (wr_line_target) */
    wr_line_rules rules;             /* what the masks hold to: range, end words, caesura, ... */
    const wr_scan *partner;          /* scan of the line this one must rhyme with, or NULL */
    int lang;
    const char **prev_text;          /* earlier lines, to refuse copies */
    int n_prev;
    int themed;                      /* an earlier line already holds a theme word */
    double prune;                    /* give up a candidate whose mean log-prob falls this far
                                        below the best one's (-INFINITY: never) */
} line_ctx;

static void norm_line(const char *s, char *out, size_t cap) {
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if ((c >= 'a' && c <= 'z') || c >= 0x80) out[n++] = (char)c;
    }
    out[n] = 0;
}

/* French elision where it is due: no "de" / "que" / "le" ... before a word that begins with a
 * vowel or a mute h (the ear tells a mute h: a mute e before the word is elided).  The masks
 * refuse the plain vowels; a word begun with h, or spelled in pieces, is checked here. */
static int elision_ok(const wr_writer *w, const char *text, int len) {
    int a0 = -1, a1 = -1;                      /* the previous word, when only a space follows it */
    for (int i = 0; i < len;) {
        if (text[i] == ' ') { i++; continue; }
        int s = i;
        while (i < len && text[i] != ' ') i++;
        int e = i;
        if (a0 >= 0 && wr_fr_elidable(text + a0, a1 - a0)) {
            int adv; uint32_t c = wr_lower(wr_utf8_next(text + s, e - s, &adv));
            if (wr_is_vowel(c, WR_LANG_FR) && c != 'y') return 0;
            if (c == 'h') {
                int we = s;
                while (we < e && !strchr(",;:.!?", text[we])) we++;
                char buf[WR_LINE_BYTES + 8];
                int n = snprintf(buf, sizeof buf, "belle %.*s", we - s, text + s);
                wr_scan x, y;
                if (n > 0 && n < (int)sizeof buf && w->or->scan(w->or->ud, text + s, we - s, 0, &x) == VERS_OK &&
                    w->or->scan(w->or->ud, buf, n, 0, &y) == VERS_OK && y.syl == x.syl + 1) return 0;
            }
        }
        /* a word followed by punctuation is no clitic of the next */
        int last = e - 1;
        if (strchr(",;:.!?", text[last])) a0 = -1;
        else { a0 = s; a1 = e; }
    }
    return 1;
}

static int finish_line(wr_writer *w, const line_ctx *cx, const wr_line_state *ls, wr_cand *c) {
    int len = ls->len;
    while (len > 0 && ls->text[len - 1] == ' ') len--;
    memcpy(c->text, ls->text, (size_t)len);
    c->text[len] = 0;
    if (ls->end_word < 0) { w->why = 0; return 0; }
    if (w->or->scan(w->or->ud, c->text, len, cx->target, &c->scan) != VERS_OK) return -1;
    if (cx->lang == WR_LANG_FR && !elision_ok(w, c->text, len)) return 0;
    w->why = 1;
    if (!w->or->line_ok(w->or->ud, cx->plan, cx->index, c->text, len, &c->scan, cx->prev_text, cx->prev_scan)) return 0;
    w->why = 2;
    if (cx->lp->syl_max == 0 && (c->scan.syl < cx->rules.lo || c->scan.syl > cx->rules.hi)) return 0;
    w->why = 3;
    if (cx->partner && !w->or->rhymes(w->or->ud, cx->plan, &c->scan, cx->partner)) return 0;
    w->why = 4;
    char a[WR_LINE_BYTES], b[WR_LINE_BYTES];
    norm_line(c->text, a, sizeof a);
    for (int i = 0; i < cx->n_prev; i++) {
        norm_line(cx->prev_text[i], b, sizeof b);
        if (!strcmp(a, b)) return 0;
    }
    c->end_word = ls->end_word;
    return 1;
}

/* The current word if token t continued it: can it still become a word of the language? */
static int piece_viable(const wr_writer *w, const wr_line_state *ls, int t) {
    char buf[WR_LINE_BYTES + 64];
    int n = ls->len - ls->word_start, nb = w->tt->info[t].n_bytes;
    if (n < 0 || n + nb >= (int)sizeof buf) return 0;
    memcpy(buf, ls->text + ls->word_start, (size_t)n);
    memcpy(buf + n, wr_tok_text(w->tt, t), (size_t)nb);
    return wr_word_viable(&w->ix->lex, w->or->lang, buf, n + nb);
}

enum { ATT_DEAD = 0, ATT_CAND = 1, ATT_PRUNED = 2, ATT_NEED = 3 };

/* Starts an attempt in slot A at the line's start, whose logits are l0. */
static void att_begin(wr_writer *w, wr_att *A, const float *l0) {
    memcpy(A->step_logits, l0, sizeof(float) * (size_t)w->nv);
    A->lse_ok[0] = 0;
    wr_ls_init(&A->step_state[0]);
    A->n_ban[0] = 0;
    A->step = 0; A->n_back = 0;
    A->running = 1; A->pend_finish = 0;
}

/* Runs attempt A until it needs the model or ends.  ATT_NEED: A->pend_tok must be evaluated
 * at A->step of the line (the slot's cache cut back to that step), then att_resume;
 * ATT_CAND: a candidate in A->cand; ATT_DEAD: dead end; ATT_PRUNED: abandoned as worse than a
 * candidate already found; <0: error. */
static int att_run(wr_writer *w, wr_att *A, const line_ctx *cx, const wr_params *par, uint64_t *rng,
                   vers_err *err) {
    const wr_tokens *tt = w->tt;
    const wr_rhyme_index *ix = w->ix;
    const int nv = w->nv;
    int step = A->step, n_back = A->n_back;
    wr_line_state *ls;
    wr_cand *c = &A->cand;
    for (;;) {
        if (w->evals > w->budget) { vers_errorf(err, VERS_EFAIL, "search budget spent"); return -1; }
        ls = &A->step_state[step];
        const float *logits = A->step_logits + (size_t)step * nv;
        float *x = w->work;
        int *alive = A->alive + (size_t)step * FIT_CAP;
        int closable = 1, lost = 0;
        if (ls->mode == WR_MODE_FREE) {
            /* a word spelled in pieces (or begun by a piece, at the line's start) must be a
             * word before another begins */
            if (ls->in_word && !ls->u8_owed)
                closable = wr_word_ok(&ix->lex, cx->lang, ls->text + ls->word_start, ls->len - ls->word_start);
            if (ls->len > 0 && !ls->u8_owed && probe_counts(w, ls, cx->lang) < 0) {
                vers_errorf(err, VERS_EFAIL, "prosody scan failed");
                return -1;
            }
            const int caes = cx->rules.caesura && !ls->caes_done ? cx->rules.caesura : 0;
            if (caes && ls->len > 0 && !ls->u8_owed && ls->base_c >= 0) {
                /* a word boundary past the caesura without one: the line is lost, back up */
                lost = ls->base_c > caes && ls->base_v > caes;
                if (ls->caes_c < 0) {
                    ls->caes_c = ls->base_c < caes ? 1 : ls->base_c > caes ? 0 : caesura_test(w, ls, 0, caes, cx->target);
                    ls->caes_v = ls->base_v < caes ? 1 : ls->base_v > caes ? 0 : caesura_test(w, ls, 1, caes, cx->target);
                }
            }
        }
        w->mk.floor = -INFINITY;
        /* every token of an end word, wherever it is entered (after a word, after punctuation,
         * at the line's start), must be one the model gives at least end_min_p */
        if (par->end_min_p > 0.0f) {
            if (!A->lse_ok[step]) { A->step_lse[step] = log_sum_exp(logits, nv); A->lse_ok[step] = 1; }
            w->mk.floor = (float)(A->step_lse[step] + log((double)par->end_min_p));
        }
        int n_allowed = wr_mask_step(&w->mk, &cx->rules, ls, alive, closable, lost, A->ban[step], A->n_ban[step], logits, x);
        if (n_allowed > 0 && par->tok_min_p > 0.0f && !w->mk.relax_end) {
            /* the masks may leave only tokens the model does not want ("you'll let me know's
             * dear"): those are not drawn; with none left the attempt backs up (but for the
             * last resort of relax_end, whose forced pieces are counted in end_rare) */
            if (!A->lse_ok[step]) { A->step_lse[step] = log_sum_exp(logits, nv); A->lse_ok[step] = 1; }
            const float fl = (float)(A->step_lse[step] + log((double)par->tok_min_p));
            n_allowed = 0;
            for (int v = 0; v < nv; v++)
                if (x[v] != -INFINITY) { if (logits[v] < fl) x[v] = -INFINITY; else n_allowed++; }
        }
        if (n_allowed > 0 && ls->mode == WR_MODE_END && par->end_cont_max > 0.0f && par->end_cont_max < 1.0f) {
            /* a word of the list may be the start of a longer one the model is spelling
             * ("les cieux dard|aient"): it ends the line only where the model does not
             * mostly want it to go on */
            if (!A->lse_ok[step]) { A->step_lse[step] = log_sum_exp(logits, nv); A->lse_ok[step] = 1; }
            double cont = 0.0;
            for (int v = 0; v < nv; v++)
                if (tt->info[v].kind == WR_TOK_WORD && !tt->info[v].lead_space) cont += exp((double)logits[v] - A->step_lse[step]);
            if (cont > par->end_cont_max)
                for (int v = 0; v < nv; v++)
                    if (x[v] != -INFINITY && (v == tt->newline || tt->info[v].kind == WR_TOK_PUNCT)) {
                        x[v] = -INFINITY; n_allowed--; w->st_end_cont++;
                    }
        }
        const int n_fit = w->mk.n_fit;
        int t = -1;
        int n_refused = 0;
        w->st_steps++;
        if (n_allowed > 0 && wr_draw_prepare(&w->draw, x, nv, par->temp, par->min_p) > 0)
            for (;;) {
                t = wr_draw_pick(&w->draw, rng);
                if (t < 0 || x[t] == -INFINITY) { t = -1; break; }
                /* a piece that no word of the language continues is refused here rather than
                 * masked: checking the few tokens drawn is cheaper than checking them all */
                const wr_tokinfo *ti = &tt->info[t];
                const int tr = t;
                if (ls->mode == WR_MODE_FREE && ti->kind == WR_TOK_WORD && ls->len > 0 && !ti->lead_space &&
                    !ls->after_punct && !w->entry[t] && !piece_viable(w, ls, t)) {
                    w->st_refused++;
                    t = -1;
                    if (++n_refused < MAX_REFUSED) {
                        wr_draw_refuse(&w->draw, x, nv, tr, par->temp, par->min_p);
                        continue;
                    }
                    /* the model wants pieces no word continues: the word ends here or never */
                    wr_mask_pieces_off(&w->mk, x);
                    if (wr_draw_prepare(&w->draw, x, nv, par->temp, par->min_p) > 0) continue;
                    break;
                }
                break;
            }
        if (t < 0) {
            /* dead end: back up one token and forbid it there */
            wr_mask_release(&w->mk);
            if (step == 0 || n_back >= MAX_BACK) { A->running = 0; return ATT_DEAD; }
            step--; n_back++; w->st_back_steps++;
            if (A->n_ban[step] <= MAX_BACK) A->ban[step][A->n_ban[step]++] = A->step_tok[step];
            if (A->path_n > step) A->path_n = step;
            continue;
        }
        wr_line_state next = *ls;
        int *next_alive = A->alive + (size_t)(step + 1) * FIT_CAP;
        int finished = 0;
        if (ls->mode == WR_MODE_FREE && w->entry[t]) {
            next.mode = WR_MODE_END; next.depth = 1; next.n_alive = 0; next.end_from = step;
            next.caes_done = 1;
            for (int k = 0; k < n_fit; k++) {
                const wr_word *wd = &ix->words[w->fit[k]];
                if (ix->toks[wd->tok_off] == t) next_alive[next.n_alive++] = w->fit[k];
            }
            wr_ls_append(&next, tt, t);
        } else if (ls->mode == WR_MODE_END && (t == tt->newline || tt->info[t].kind == WR_TOK_PUNCT)) {
            for (int k = 0; k < ls->n_alive; k++)
                if (ix->words[alive[k]].n_tok == ls->depth) next.end_word = alive[k];
            if (t == tt->newline) finished = 1;
            else { next.mode = WR_MODE_DONE; wr_ls_append(&next, tt, t); }
        } else if (ls->mode == WR_MODE_END) {
            next.n_alive = 0;
            for (int k = 0; k < ls->n_alive; k++) {
                const wr_word *wd = &ix->words[alive[k]];
                if (wd->n_tok > ls->depth && ix->toks[wd->tok_off + ls->depth] == t) next_alive[next.n_alive++] = alive[k];
            }
            next.depth = ls->depth + 1;
            wr_ls_append(&next, tt, t);
        } else if (ls->mode == WR_MODE_DONE) {
            finished = 1;
        } else {
            if (wr_ls_append(&next, tt, t) < 0) return 0;
            if (tt->info[t].kind == WR_TOK_WORD && (tt->info[t].lead_space || ls->len == 0 || ls->after_punct)) {
                int bc = ls->base_c >= 0 ? ls->base_c : ls->before_word;
                int b = tt->info[t].v_first && ls->base_v >= 0 ? ls->base_v : bc;
                next.before_word = ls->len == 0 ? 0 : b;
                if (ls->len > 0 && cx->lp->caesura > 0 && b == cx->lp->caesura) next.caes_done = 1;
            }
        }
        wr_mask_release(&w->mk);
        A->step_tok[step] = t;
        if (!A->lse_ok[step]) { A->step_lse[step] = log_sum_exp(logits, nv); A->lse_ok[step] = 1; }
        A->step_lp[step] = (double)logits[t] - A->step_lse[step];
        if (step >= 8 && cx->prune > -INFINITY) {
            /* a candidate already far behind the best one is not worth finishing */
            double sum = 0.0;
            for (int k = 0; k <= step; k++) sum += A->step_lp[k];
            if (sum / (step + 1) < cx->prune) { A->running = 0; return ATT_PRUNED; }
        }
        if (finished) {
            int r = finish_line(w, cx, &next, c);
            if (r < 0) { vers_errorf(err, VERS_EFAIL, "prosody scan failed"); return -1; }
            if (r == 0) { A->running = 0; return ATT_DEAD; }
            c->n_tok = step + 1;
            c->lp = 0.0;
            for (int k = 0; k <= step; k++) { c->toks[k] = A->step_tok[k]; c->lp += A->step_lp[k]; }
            /* how much the masks forced the end word on the model: its tokens' probabilities
             * before masking (step_lp is read from the model's own logits) */
            c->end_toks = c->end_rare = 0;
            for (int k = next.end_from; k <= step; k++)
                if (tt->info[A->step_tok[k]].kind == WR_TOK_WORD) {
                    c->end_toks++;
                    if (A->step_lp[k] < RARE_LOGP) c->end_rare++;
                }
            /* the line break is evaluated too, so that the next line can start after it */
            A->step = step; A->n_back = n_back;
            A->pend_tok = t; A->pend_finish = 1;
            if (step < A->path_n && A->path_tok[step] == t) { w->st_shared++; A->running = 0; return ATT_CAND; }
            return ATT_NEED;
        }
        if (step + 1 >= MAX_STEPS || step + 2 >= w->line_cap) { A->running = 0; return ATT_DEAD; }
        if (step < A->path_n && A->path_tok[step] == t) {
            /* an earlier attempt in this slot began the same way: its cache and logits serve */
            w->st_shared++;
            step++;
            A->step_state[step] = next;
            A->n_ban[step] = 0;
            continue;
        }
        A->step = step; A->n_back = n_back;
        A->pend_tok = t; A->pend_finish = 0; A->pend_state = next;
        return ATT_NEED;
    }
}

/* The model's logits after A->pend_tok (evaluated at A->step): the attempt goes on
 * (ATT_NEED is never returned here; run att_run again) or, after its line break, has its
 * candidate (ATT_CAND). */
static int att_resume(wr_writer *w, wr_att *A, const float *logits) {
    const int step = A->step, nv = w->nv;
    memcpy(A->step_logits + (size_t)(step + 1) * nv, logits, sizeof(float) * (size_t)nv);
    A->lse_ok[step + 1] = 0;
    A->path_tok[step] = A->pend_tok;
    A->path_n = step + 1;
    if (A->pend_finish) { A->running = 0; return ATT_CAND; }
    A->step = step + 1;
    A->step_state[step + 1] = A->pend_state;
    A->n_ban[step + 1] = 0;
    return ATT_NEED;
}

/* ---- the poem ----------------------------------------------------------------------------- */

/* Rhyme classes a line may end in: its partner's class, or for the first line of a group a
 * class with enough unused words for the whole group and not taken by another group. */
static int allowed_classes(wr_writer *w, const vers_plan *plan, const line_rec *rec, int i, int *out,
                           uint64_t *rng) {
    const wr_rhyme_index *ix = w->ix;
    const vers_plan_line *lp = &plan->lines[i];
    int g = lp->rhyme;
    if (g >= 0) {
        for (int j = 0; j < i; j++)
            if (plan->lines[j].rhyme == g && rec[j].cur >= 0) {
                out[0] = ix->words[rec[j].cands[rec[j].cur].end_word].cls;
                return 1;
            }
    }
    int need = 1;
    if (g >= 0) {
        need = 0;
        for (int j = i; j < plan->n_lines; j++) if (plan->lines[j].rhyme == g && plan->lines[j].refrain_of < 0) need++;
    }
    memset(w->cls_count, 0, sizeof(int) * (size_t)ix->n_cls);
    for (int k = 0; k < ix->n_words; k++) {
        const wr_word *wd = &ix->words[k];
        if (w->used_word[k] || wd->syl < 1) continue;
        if (lp->gender && wd->gender && wd->gender != lp->gender) continue;
        if (wd->n_tok > 1 && w->tok_is_word[ix->toks[wd->tok_off]]) continue;   /* not enterable */
        w->cls_count[wd->cls]++;
    }
    for (int j = 0; j < i; j++)                        /* classes of other groups are taken */
        if (rec[j].cur >= 0 && plan->lines[j].rentrement_of < 0)
            w->cls_count[ix->words[rec[j].cands[rec[j].cur].end_word].cls] = 0;
    int n = 0;
    /* a margin: some words of a class will not fit the later lines' syllables, and the model
     * will not want most of them; a class that already dead-ended a line is tried last */
    int want[3] = {need > 1 ? 4 * need + 8 : 1, need > 1 ? 2 * need : 1, need};
    for (int pass = 0; pass < 6 && n == 0; pass++)
        for (int c = 0; c < ix->n_cls; c++)
            if (w->cls_count[c] >= want[pass % 3] && (pass >= 3 || !w->cls_bad[c])) out[n++] = c;
    /* a big index: a random choice of classes, so that the end words offered are many
     * (enough for the model to choose from) and not always the same ones */
    int words = 0, m = 0;
    for (int k = 0; k < n && words < FIT_CAP / 2; k++) {
        int r = k + (int)(wr_rng_next(rng) % (uint64_t)(n - k));
        int c = out[r]; out[r] = out[k]; out[k] = c;
        words += w->cls_count[c];
        m = k + 1;
    }
    return m;
}

static int cmp_cand(const void *a, const void *b) {
    double x = ((const wr_cand *)a)->score, y = ((const wr_cand *)b)->score;
    return x > y ? -1 : x < y ? 1 : 0;
}

/* The words of a line, lower-cased (ASCII; other bytes kept), into buf: offsets and lengths. */
static int line_words(const char *text, char *buf, size_t cap, int *off, int *len, int max) {
    int n = 0; size_t o = 0;
    for (const char *p = text; *p && n < max;) {
        while (*p && !(((unsigned char)*p >= 0x80) || isalpha((unsigned char)*p))) p++;
        if (!*p) break;
        off[n] = (int)o;
        while (*p && (((unsigned char)*p >= 0x80) || isalpha((unsigned char)*p) || *p == '\'' || *p == '-') && o + 1 < cap)
            buf[o++] = (char)tolower((unsigned char)*p++);
        len[n] = (int)o - off[n];
        buf[o++] = 0;
        if (o >= cap) break;
        n++;
    }
    return n;
}

static int theme_has(const wr_writer *w, const char *s, int len);

#define REPEAT_WORD_PENALTY 0.35     /* per content word the poem already has (mean log-prob units) */
#define REPEAT_BIGRAM_PENALTY 0.25   /* per word pair the poem already has */
#define STUTTER_PENALTY 1.0          /* per word or word pair repeated at once in the line */
#define THEME_BONUS 0.3              /* a line that holds a theme word (or a neighbour of one),
                                        while no earlier line does */
#define THEME_AFTER 0.25f            /* the theme bias's share once a line holds a theme word:
                                        at full strength the theme word came back in every line
                                        ("the sea ... the sea's grey ... I meet the sea") */

/* A candidate's score: mean log-probability per token, less penalties for a copy of the
 * prompt, content words already in the poem (or twice in the line) and word pairs already
 * in the poem (the model's favourite nouns come back in every line unless told not to),
 * plus a bonus when the line holds a word of the theme or one the corpus uses around it. */
static double cand_score(const wr_writer *w, const line_ctx *cx, const wr_cand *c) {
    double s = c->lp / (c->n_tok > 0 ? c->n_tok : 1);
    char a[WR_LINE_BYTES], p[sizeof w->prompt_text];
    norm_line(c->text, a, sizeof a);
    norm_line(w->prompt_text, p, sizeof p);
    if (a[0] && strstr(p, a)) s -= 2.0;                 /* copied from the prompt */
    char wb[WR_LINE_BYTES + 64], pb[WR_LINE_BYTES + 64];
    int wo[48], wl[48], po[48], pl[48];
    int n = line_words(c->text, wb, sizeof wb, wo, wl, 48);
    int themed = 0;
    for (int i = 0; i < n && !themed; i++) themed = theme_has(w, wb + wo[i], wl[i]);
    if (themed && !cx->themed) s += THEME_BONUS;
    for (int i = 0; i < n; i++) {
        const char *x = wb + wo[i];
        int content = wl[i] >= 3 && !wr_is_stop_word(x, wl[i], cx->lang);
        int rep = 0;
        for (int j = 0; j < i && content && !rep; j++) rep = wl[j] == wl[i] && !memcmp(wb + wo[j], x, (size_t)wl[i]);
        for (int l = 0; l < cx->n_prev && content && !rep; l++) {
            int m = line_words(cx->prev_text[l], pb, sizeof pb, po, pl, 48);
            for (int j = 0; j < m && !rep; j++) rep = pl[j] == wl[i] && !memcmp(pb + po[j], x, (size_t)wl[i]);
        }
        if (rep) s -= REPEAT_WORD_PENALTY;
        if (i == 0) continue;
        /* "The the wind", "I know I know": a word or a pair said again at once */
        if (wl[i] == wl[i - 1] && !memcmp(wb + wo[i - 1], x, (size_t)wl[i])) s -= STUTTER_PENALTY;
        else if (i >= 3 && wl[i] == wl[i - 2] && wl[i - 1] == wl[i - 3] && !memcmp(wb + wo[i - 2], x, (size_t)wl[i]) &&
                 !memcmp(wb + wo[i - 3], wb + wo[i - 1], (size_t)wl[i - 1])) s -= STUTTER_PENALTY;
        int bi = 0;                                      /* the pair (i-1, i) */
        for (int l = 0; l < cx->n_prev && !bi; l++) {
            int m = line_words(cx->prev_text[l], pb, sizeof pb, po, pl, 48);
            for (int j = 1; j < m && !bi; j++)
                bi = pl[j] == wl[i] && pl[j - 1] == wl[i - 1] && !memcmp(pb + po[j], x, (size_t)wl[i]) &&
                     !memcmp(pb + po[j - 1], wb + wo[i - 1], (size_t)wl[i - 1]);
        }
        if (bi) s -= REPEAT_BIGRAM_PENALTY;
    }
    return s;
}

/* Evaluates a kept line from `from` on (the cache holds what comes before): its structure
 * codes (from counts them), its tokens, and the stanza's blank line; the logits after it go
 * to logits. */
static int eval_line(wr_writer *w, const line_rec *r, const wr_cand *c, int from, int stanza_end, float *logits, vers_err *err) {
    int seq[3 + MAX_STEPS + 2], n = 0;
    for (int k = 0; k < r->n_codes; k++) seq[n++] = r->codes[k];
    for (int k = 0; k < c->n_tok; k++) seq[n++] = c->toks[k];
    if (from < 0 || from >= n) return vers_errorf(err, VERS_EFAIL, "line re-read from %d of %d tokens", from, n);
    w->st_reeval += n - from + (stanza_end ? 1 : 0);
    int rc = lm_eval(w, seq + from, n - from, logits, err);
    if (!rc && stanza_end) rc = lm_eval(w, &w->tt->newline, 1, logits, err);
    return rc;
}

#define THEME_NEIGHBOUR_SHARE 0.5f   /* a theme word's neighbours get this share of its bias */

/* Biases one word's first token (" word"), when it is a word of the language; returns the token. */
static int bias_word(wr_writer *w, const char *s, int len, float bias, int whole_only) {
    char buf[48]; int toks[16];
    if (len < 1 || len >= 40) return -1;
    buf[0] = ' '; memcpy(buf + 1, s, (size_t)len);
    int n = w->lm->tokenize(w->lm->ud, buf, len + 1, toks, 16);
    if (n <= 0 || toks[0] < 0 || toks[0] >= w->nv || w->tt->info[toks[0]].kind != WR_TOK_WORD) return -1;
    /* a neighbour spelled in pieces would raise a piece that begins many other words */
    if (whole_only && (n != 1 || !w->whole_word[toks[0]])) return -1;
    w->bias[toks[0]] += bias;
    if (w->n_theme_tok < THEME_TOKS) { w->theme_tok[w->n_theme_tok] = toks[0]; w->theme_amt[w->n_theme_tok++] = bias; }
    return toks[0];
}

/* the theme's words, for cand_score */
static void theme_add(wr_writer *w, const char *s, int len) {
    if (len <= 0 || w->theme_len + len + 1 >= (int)sizeof w->theme_words) return;
    memcpy(w->theme_words + w->theme_len, s, (size_t)len);
    w->theme_len += len;
    w->theme_words[w->theme_len++] = 0;
}
static int theme_has(const wr_writer *w, const char *s, int len) {
    for (int at = 0; at < w->theme_len;) {
        int l = (int)strlen(w->theme_words + at);
        if (l == len && !memcmp(w->theme_words + at, s, (size_t)len)) return 1;
        at += l + 1;
    }
    return 0;
}

/* Sets the theme words' raises to `scale` of build_theme_bias's. */
static void theme_bias_scale(wr_writer *w, float scale) {
    for (int k = 0; k < w->n_theme_tok; k++) w->bias[w->theme_tok[k]] += w->theme_amt[k] * (scale - w->theme_scale);
    w->theme_scale = scale;
}

/* whether a line holds a theme word (or a neighbour) */
static int line_themed(const wr_writer *w, const char *text) {
    char wb[WR_LINE_BYTES + 64];
    int wo[48], wl[48];
    int n = line_words(text, wb, sizeof wb, wo, wl, 48);
    for (int i = 0; i < n; i++) if (theme_has(w, wb + wo[i], wl[i])) return 1;
    return 0;
}

/* The theme shows: its words (3 letters or more) get a logit bias, and the words the corpus
 * uses around them (wr_theme_neighbours, whole-word tokens only) a smaller one. */
static void build_theme_bias(wr_writer *w, const char *theme, float bias, float word_bias) {
    memset(w->bias, 0, sizeof(float) * (size_t)w->nv);
    w->theme_len = 0;
    w->n_theme_tok = 0;
    w->theme_scale = 1.0f;
    /* a whole word of the language is favoured over a piece that starts one: fewer words
     * spelled in pieces, fewer pieces refused and dead ends */
    for (int t = 0; t < w->nv; t++) if (w->whole_word[t]) w->bias[t] = word_bias;
    if (!theme || bias == 0.0f) return;
    const char *s = theme;
    while (*s) {
        while (*s == ' ' || *s == ',' || *s == '\'') s++;
        const char *e = s;
        while (*e && *e != ' ' && *e != ',' && *e != '\'') e++;
        int len = (int)(e - s);
        if (len >= 3 && len < 40) {                     /* short function words get no bias */
            bias_word(w, s, len, bias, 0);
            char low[48];
            for (int k = 0; k < len; k++) low[k] = (char)tolower((unsigned char)s[k]);
            theme_add(w, low, len);
            int nl = 0;
            const char *nb = wr_theme_neighbours(w->or->lang, low, len, &nl);
            for (int k = 0; nb && k < nl;) {
                int j = k;
                while (j < nl && nb[j] != ' ') j++;
                bias_word(w, nb + k, j - k, bias * THEME_NEIGHBOUR_SHARE, 1);
                theme_add(w, nb + k, j - k);
                k = j + 1;
            }
        }
        s = e;
    }
}

static int write_lines(wr_writer *w, const vers_plan *plan, const wr_params *par, uint64_t *rng,
                       const int *prompt, int n_prompt, line_rec *rec, float *start_logits,
                       wr_result *res, const char **prev, wr_scan *prev_scan, int K, vers_err *err);

static int write_once(wr_writer *w, const vers_plan *plan, const wr_params *par, uint64_t *rng,
                      const int *prompt, int n_prompt, line_rec *rec, float *start_logits,
                      wr_result *res, vers_err *err) {
    int K = par->candidates < 1 ? 1 : par->candidates > MAX_CANDS ? MAX_CANDS : par->candidates;
    int rc;
    if ((rc = w->lm->truncate(w->lm->ud, 0)) != VERS_OK) return vers_errorf(err, rc, "KV truncation failed");
    w->st_prompt += n_prompt;
    if ((rc = lm_eval(w, prompt, n_prompt, start_logits, err))) return rc; /* line i's at i*nv */
    const char **prev = malloc(sizeof *prev * (size_t)(plan->n_lines + 1));
    wr_scan *prev_scan = malloc(sizeof *prev_scan * (size_t)(plan->n_lines + 1));
    if (!prev || !prev_scan) { free(prev); free(prev_scan); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    rc = write_lines(w, plan, par, rng, prompt, n_prompt, rec, start_logits, res, prev, prev_scan, K, err);
    free(prev); free(prev_scan);
    return rc;
}

/* ---- the candidates of one line ---------------------------------------------------------- */

/* Evaluates the tokens the attempts in flight wait for: one multi-row pass over their
 * branches (each slot's tail cut back to the attempt's step first), or without branches
 * the one slot's token at the line's start p0 + step. */
static int eval_rows(wr_writer *w, const int *slot, int n, int p0, vers_err *err) {
    int toks[MAX_CANDS];
    for (int r = 0; r < n; r++) {
        wr_att *A = &w->att[slot[r]];
        toks[r] = A->pend_tok;
        A->fresh = -1;                               /* the slot's cache is rewritten */
        int rc = w->branches ? w->lm->branch_truncate(w->lm->ud, slot[r], A->step)
                             : w->lm->truncate(w->lm->ud, p0 + A->step);
        if (rc != VERS_OK) return vers_errorf(err, VERS_EFAIL, "KV truncation failed");
    }
    if (w->evals > w->budget) return vers_errorf(err, VERS_EFAIL, "search budget spent");
    w->evals += n;
    if (w->branches) return w->lm->branch_eval(w->lm->ud, toks, slot, n, w->row_logits, err);
    if (w->lm->n_past(w->lm->ud) + 1 > w->lm->n_ctx)
        return vers_errorf(err, VERS_EFAIL, "the poem does not fit the model's context of %d tokens", w->lm->n_ctx);
    return w->lm->eval(w->lm->ud, toks, 1, w->row_logits, err);
}

/* A finished attempt's line becomes candidate rec->n_cands; logits: those after its break. */
static void add_cand(wr_writer *w, line_ctx *cx, line_rec *rec, wr_att *A, int slot, const float *logits) {
    if (rec->n_cands >= MAX_CANDS) return;
    A->cand.slot = slot; A->cand.id = rec->n_cands;
    memcpy(w->cand_logits + (size_t)rec->n_cands * w->nv, logits, sizeof(float) * (size_t)w->nv);
    A->fresh = rec->n_cands;
    A->cand.score = cand_score(w, cx, &A->cand);
    rec->cands[rec->n_cands++] = A->cand;
    double mean = A->cand.lp / A->cand.n_tok - 0.75;
    if (mean > cx->prune) cx->prune = mean;
}

/* Samples candidate lines for one plan line: up to K attempts in flight at once, one slot
 * each (K branches of the cache decoded together; one slot without branches), new
 * attempts started as others end, until K candidates (or attempts pruned as worse than one
 * found), max_attempts, or a thin rhyme class that yields nothing early. */
/* Whether another attempt may start: more could still be needed (done = candidates found +
 * attempts pruned, running = attempts in flight), attempts are left, and a thin rhyme class
 * has not yielded nothing for a third of them. */
static int may_start(const wr_params *par, int any_end, int thin, int K, int started, int done, int running) {
    if (!any_end || started >= par->max_attempts || done + running >= K) return 0;
    return !(thin && started >= par->max_attempts / 3 && done == 0);
}

static int search_line(wr_writer *w, line_ctx *cx, const wr_params *par, uint64_t *rng, const float *l0, int p0,
                       int K, int any_end, int thin, line_rec *rec, int *pruned, wr_result *res, vers_err *err) {
    const int nslot = w->branches ? K : 1, nv = w->nv;
    int rc;
    for (int k = 0; k < nslot; k++) { w->att[k].path_n = 0; w->att[k].running = 0; w->att[k].fresh = -1; }
    w->line_cap = w->lm->n_ctx - p0 < MAX_STEPS + 2 ? w->lm->n_ctx - p0 : MAX_STEPS + 2;
    if (w->line_cap < 2)
        return vers_errorf(err, VERS_EFAIL, "the poem does not fit the model's context of %d tokens", w->lm->n_ctx);
    if (w->branches && (rc = w->lm->branch_open(w->lm->ud, nslot, w->line_cap, err))) return rc;
    int started = 0;
    for (;;) {
        int running = 0, rows[MAX_CANDS], n_rows = 0;
        for (int k = 0; k < nslot; k++) running += w->att[k].running;
        /* attempts in every free slot, while more could still be needed */
        for (int k = 0; k < nslot; k++) {
            wr_att *A = &w->att[k];
            while (!A->running) {
                if (!may_start(par, any_end, thin, K, started, rec->n_cands + *pruned, running)) break;
                att_begin(w, A, l0);
                started++; running++;
                res->line_attempts++;
                long e0 = w->evals;
                w->why = -1;
                int r = att_run(w, A, cx, par, rng, err);
                if (r == ATT_NEED) { rows[n_rows++] = k; break; }
                running--;
                long de = w->evals - e0;
                if (r < 0) return err && err->code ? err->code : VERS_EFAIL;
                if (r == ATT_PRUNED) { (*pruned)++; w->st_pruned += de; }
                else if (r == ATT_DEAD) { if (w->why < 0) w->st_dead += de; else w->st_reject[w->why] += de; }
                else add_cand(w, cx, rec, A, k, A->step_logits + (size_t)(A->step + 1) * nv);   /* the slot's cache held it all */
            }
        }
        /* the attempts already in flight go on to their next token */
        for (int k = 0; k < nslot; k++) {
            wr_att *A = &w->att[k];
            int queued = 0;
            for (int r = 0; r < n_rows; r++) queued |= rows[r] == k;
            if (!A->running || queued) continue;
            if (rec->n_cands + *pruned >= K) { A->running = 0; continue; }
            int r = att_run(w, A, cx, par, rng, err);
            if (r == ATT_NEED) { rows[n_rows++] = k; continue; }
            if (r < 0) return err && err->code ? err->code : VERS_EFAIL;
            if (r == ATT_PRUNED) (*pruned)++;
            else if (r == ATT_CAND) add_cand(w, cx, rec, A, k, A->step_logits + (size_t)(A->step + 1) * nv);
        }
        if (n_rows == 0) {
            int any = 0;
            for (int k = 0; k < nslot; k++) any |= w->att[k].running;
            if (!any && !may_start(par, any_end, thin, K, started, rec->n_cands + *pruned, 0)) break;
            continue;
        }
        if ((rc = eval_rows(w, rows, n_rows, p0, err))) return rc;
        w->st_ok += n_rows;
        for (int r = 0; r < n_rows; r++) {
            wr_att *A = &w->att[rows[r]];
            if (att_resume(w, A, w->row_logits + (size_t)r * nv) != ATT_CAND) continue;
            add_cand(w, cx, rec, A, rows[r], w->row_logits + (size_t)r * nv);
        }
    }
    return VERS_OK;
}

/* Makes the cache end with the kept line c (and the stanza's blank line) at p0, the logits
 * after it in l1: the slot that wrote it is committed when its cache still ends with it,
 * else the line is read again from what the cache shares with it. */
static int keep_line(wr_writer *w, const line_rec *r, const wr_cand *c, int stanza_end, float *l1, vers_err *err) {
    const wr_att *A = &w->att[c->slot];
    const int p0 = r->pos + r->n_codes;
    int rc;
    if (A->fresh == c->id) {
        if (w->branches && (rc = w->lm->branch_commit(w->lm->ud, c->slot, c->n_tok, err))) return rc;
        if (w->lm->n_past(w->lm->ud) != p0 + c->n_tok) return vers_errorf(err, VERS_EFAIL, "the cache lost the kept line");
        memcpy(l1, w->cand_logits + (size_t)c->id * w->nv, sizeof(float) * (size_t)w->nv);
        if (stanza_end) rc = lm_eval(w, &w->tt->newline, 1, l1, err);
        return rc ? rc : VERS_OK;
    }
    int common = 0;
    if (!w->branches)          /* the cache still holds the slot's path */
        while (common < A->path_n && common < c->n_tok - 1 && c->toks[common] == A->path_tok[common]) common++;
    if ((rc = w->lm->truncate(w->lm->ud, p0 + common))) return vers_errorf(err, rc, "KV truncation failed");
    return eval_line(w, r, c, r->n_codes + common, stanza_end, l1, err);
}

/* The structure codes before line i, evaluated from the line's start (rec->pos): <stanza>
 * when a stanza begins, <syl:N> for the line's target, and <rh:K>.  The line that opens a
 * rhyme group (or rhymes with none) lets the model choose K: among the codes of the
 * classes allowed here, one drawn by the model's probability of its code after <syl:N>;
 * the allowed classes are then those of that code.  A line of a group takes its head's
 * code.  The logits after the codes go to w->code_logits. */
static int line_codes(wr_writer *w, const vers_plan *plan, int i, const wr_params *par, uint64_t *rng, line_rec *rec,
                      int *n_cls, vers_err *err) {
    const wr_codes *cd = w->lm->codes;
    const vers_plan_line *lp = &plan->lines[i];
    int rc, n = 0;
    if (i > 0 && lp->stanza != plan->lines[i - 1].stanza) rec->codes[n++] = cd->stanza;
    int syl = wr_line_target(lp);
    if (syl <= 0) syl = w->or->lang == WR_LANG_FR ? 8 : 7;   /* a free line: the middle of its range */
    rec->codes[n++] = cd->syl[syl < 1 ? 1 : syl > WR_CODE_SYL ? WR_CODE_SYL : syl];
    if ((rc = lm_eval(w, rec->codes, n, w->code_logits, err))) return rc;
    /* the codes the allowed classes have, weighted by the model */
    const float *lg = w->code_logits;
    int code = -2;
    if (*n_cls == 1) code = w->cls_code[w->cls_list[0]];
    else {
        double best = -INFINITY, mx = -INFINITY;
        for (int k = 0; k < *n_cls; k++) {
            int c = w->cls_code[w->cls_list[k]];
            float l = lg[c >= 0 ? cd->rh[c] : cd->rh_other];
            if (l > mx) mx = l;
        }
        /* Gumbel-max draw over the distinct codes present, at the writer's temperature */
        unsigned char seen[WR_CODE_RH + 1];
        memset(seen, 0, sizeof seen);
        const double temp = par->temp > 0.05f ? par->temp : 0.05;
        for (int k = 0; k < *n_cls; k++) {
            int c = w->cls_code[w->cls_list[k]];
            if (seen[c + 1]) continue;
            seen[c + 1] = 1;
            double u = ((double)(wr_rng_next(rng) >> 11) + 0.5) / 9007199254740992.0;
            double g = ((double)lg[c >= 0 ? cd->rh[c] : cd->rh_other] - mx) / temp - log(-log(u));
            if (g > best) { best = g; code = c; }
        }
        int m = 0;
        for (int k = 0; k < *n_cls; k++) if (w->cls_code[w->cls_list[k]] == code) w->cls_list[m++] = w->cls_list[k];
        *n_cls = m;
    }
    rec->codes[n] = code >= 0 ? cd->rh[code] : cd->rh_other;
    if ((rc = lm_eval(w, rec->codes + n, 1, w->code_logits, err))) return rc;
    rec->n_codes = n + 1;
    return VERS_OK;
}

/* The opening words of a line, for a rondeau's rentrement: up to the first punctuation
 * mark, at most four words and never the whole line. */
static int opening_words(const char *line, char *out, size_t cap) {
    int n = (int)strlen(line), words = 0, end = -1, in = 0;
    for (int k = 0; k <= n; k++) {
        unsigned char ch = k < n ? (unsigned char)line[k] : ' ';
        int part = ch != ' ' && !strchr(",;:.!?", ch);
        if (part && !in) words++;
        if (!part && in) {                                /* a word ends at k */
            if (words >= 2 && (strchr(",;:.!?", ch) || words == 4)) { end = k; break; }
            if (words == 2 && end < 0) end = k;           /* fallback: two words */
        }
        in = part;
        if (ch && strchr(",;:.!?", ch) && words >= 1 && end < 0) { end = k; break; }
    }
    if (end <= 0 || end >= n || (size_t)end >= cap) return -1;
    memcpy(out, line, (size_t)end);
    out[end] = 0;
    return end;
}

/* Upper-cases the first letter of a line (ASCII, Latin-1, œ). */
static void capitalise(char *s, size_t len) {
    unsigned char *u = (unsigned char *)s;
    if (len >= 1 && u[0] >= 'a' && u[0] <= 'z') u[0] = (unsigned char)(u[0] - 32);
    else if (len >= 2 && u[0] == 0xC3 && u[1] >= 0xA0 && u[1] <= 0xBE && u[1] != 0xB7) u[1] = (unsigned char)(u[1] - 0x20);
    else if (len >= 2 && u[0] == 0xC5 && u[1] == 0x93) u[1] = 0x92;
}

/* Progress for wr_params.on_line: line i kept as c (capitalised as the poem prints it), or
 * lines i.. withdrawn when c is NULL. */
static void report_line(const wr_params *par, int i, const wr_cand *c) {
    if (!par->on_line) return;
    if (!c) { par->on_line(par->on_line_ud, i, NULL, 0); return; }
    char t[sizeof c->text];
    snprintf(t, sizeof t, "%s", c->text);
    capitalise(t, strlen(t));
    par->on_line(par->on_line_ud, i, t, c->scan.syl);
}

static int write_lines(wr_writer *w, const vers_plan *plan, const wr_params *par, uint64_t *rng,
                       const int *prompt, int n_prompt, line_rec *rec, float *start_logits,
                       wr_result *res, const char **prev, wr_scan *prev_scan, int K, vers_err *err) {
    const int nv = w->nv;
    report_line(par, 0, NULL);
    const wr_rhyme_index *ix = w->ix;
    int rc, floor_line = 0, backups = 0;
    int i = 0;
    for (int j = 0; j < plan->n_lines; j++) { rec[j].n_cands = 0; rec[j].cur = -1; rec[j].refrain = 0; }
    memset(w->cls_bad, 0, (size_t)ix->n_cls);
    while (i < plan->n_lines) {
        const vers_plan_line *lp = &plan->lines[i];
        const int stanza_end = wr_stanza_end(plan, i);
        float *l0 = start_logits + (size_t)i * nv;
        /* a long poem on a short context: start again from the prompt and the last lines */
        if (w->lm->n_past(w->lm->ud) + 2 * MAX_STEPS + 4 > w->lm->n_ctx) {
            if ((rc = w->lm->truncate(w->lm->ud, 0))) return vers_errorf(err, rc, "KV truncation failed");
            if ((rc = lm_eval(w, prompt, n_prompt, l0, err))) return rc;
            int first = i;
            int room = w->lm->n_ctx - n_prompt - 2 * MAX_STEPS - 4, used = 0;
            while (first > 0 && used + rec[first - 1].cands[rec[first - 1].cur].n_tok + 1 <= room / 2) {
                first--; used += rec[first].cands[rec[first].cur].n_tok + 1;
            }
            for (int j = first; j < i; j++)
                if ((rc = eval_line(w, &rec[j], &rec[j].cands[rec[j].cur], 0, wr_stanza_end(plan, j), l0, err))) return rc;
            floor_line = i;
        }
        rec[i].pos = w->lm->n_past(w->lm->ud);
        if ((lp->refrain_of >= 0 && lp->refrain_of < i) || (lp->rentrement_of >= 0 && lp->rentrement_of < i)) {
            line_rec *src = &rec[lp->refrain_of >= 0 ? lp->refrain_of : lp->rentrement_of];
            wr_cand *c = &rec[i].cands[0];
            *c = src->cands[src->cur];
            if (lp->refrain_of < 0) {                  /* rentrement: the opening words */
                int len = opening_words(src->cands[src->cur].text, c->text, sizeof c->text);
                int nt = len > 0 ? w->lm->tokenize(w->lm->ud, c->text, len, c->toks, MAX_STEPS) : -1;
                if (nt <= 0) return vers_errorf(err, VERS_EFAIL, "line %d: cannot form the rentrement", i + 1);
                c->toks[nt++] = w->tt->newline;
                c->n_tok = nt;
                if (w->or->scan(w->or->ud, c->text, len, 0, &c->scan)) return vers_errorf(err, VERS_EFAIL, "prosody scan failed");
            }
            rec[i].n_cands = 1; rec[i].cur = 0; rec[i].refrain = 1;
            rec[i].n_codes = 0;
            if (w->use_codes) {
                if (i > 0 && lp->stanza != plan->lines[i - 1].stanza) rec[i].codes[rec[i].n_codes++] = w->lm->codes->stanza;
                int syl = c->scan.syl < 1 ? 1 : c->scan.syl > WR_CODE_SYL ? WR_CODE_SYL : c->scan.syl;
                rec[i].codes[rec[i].n_codes++] = w->lm->codes->syl[syl];
                int k = c->end_word >= 0 && c->end_word < ix->n_words ? w->cls_code[ix->words[c->end_word].cls] : -1;
                rec[i].codes[rec[i].n_codes++] = k >= 0 ? w->lm->codes->rh[k] : w->lm->codes->rh_other;
            }
            float *l1 = i + 1 < plan->n_lines ? start_logits + (size_t)(i + 1) * nv : w->work;
            if ((rc = eval_line(w, &rec[i], &rec[i].cands[0], 0, stanza_end, l1, err))) return rc;
            report_line(par, i, &rec[i].cands[0]);
            i++;
            continue;
        }
        /* used end words: those of the kept lines before this one */
        memset(w->used_word, 0, (size_t)ix->n_words);
        for (int j = 0; j < i; j++) {
            const wr_cand *c = &rec[j].cands[rec[j].cur];
            if (plan->lines[j].rentrement_of < 0) w->used_word[c->end_word] = 1;
            prev[j] = c->text;
            prev_scan[j] = c->scan;
        }
        int n_cls = allowed_classes(w, plan, rec, i, w->cls_list, rng);
        rec[i].n_codes = 0;
        if (w->use_codes) {
            if ((rc = line_codes(w, plan, i, par, rng, &rec[i], &n_cls, err))) return rc;
            l0 = w->code_logits;
        }
        line_ctx cx = {0};
        cx.plan = plan; cx.index = i; cx.prev_scan = prev_scan;
        cx.lp = lp; cx.target = wr_line_target(lp); cx.lang = w->or->lang; cx.prev_text = prev; cx.n_prev = i;
        /* the theme is pushed until a line holds it, then only gently */
        for (int j = 0; j < i && !cx.themed; j++) cx.themed = line_themed(w, prev[j]);
        theme_bias_scale(w, cx.themed ? THEME_AFTER : 1.0f);
        wr_line_rules *ru = &cx.rules;
        ru->lang = cx.lang;
        ru->last = i + 1 == plan->n_lines;
        ru->acrostic = wr_line_initial(lp);
        ru->caesura = cx.lang == WR_LANG_FR && lp->caesura > 0 ? lp->caesura : 0;
        ru->lo = lp->syl_min; ru->hi = lp->syl_max;
        /* a free line: about the length of a verse line of the language */
        if (ru->hi == 0) { ru->lo = cx.lang == WR_LANG_FR ? 6 : 5; ru->hi = cx.lang == WR_LANG_FR ? 10 : 9; }
        for (int j = 0; j < i; j++)
            if (lp->rhyme >= 0 && plan->lines[j].rhyme == lp->rhyme) { cx.partner = &rec[j].cands[rec[j].cur].scan; break; }
        wr_endset es;
        if (wr_endset_build(&es, ix, w->cls_list, n_cls, lp->gender, w->used_word, ru->hi - 1, cx.lang))
            return vers_errorf(err, VERS_ENOMEM, "out of memory");
        ru->es = &es;
        rec[i].n_cands = 0;
        /* the group's first line (it chose the class) and whether the class is thin here */
        int head = -1;
        if (lp->rhyme >= 0)
            for (int j = 0; j < i && head < 0; j++)
                if (plan->lines[j].rhyme == lp->rhyme && !rec[j].refrain && plan->lines[j].rentrement_of < 0) head = j;
        const int thin = head >= 0 && es.n < THIN_CLASS;
        cx.prune = -INFINITY;
        int pruned = 0;
        rc = search_line(w, &cx, par, rng, l0, rec[i].pos + rec[i].n_codes, K, es.n > 0, thin, &rec[i], &pruned, res, err);
        if (!rc && rec[i].n_cands == 0 && es.n > 0) {
            /* no line with every end-word piece one the model wants: before backing up (a
             * rondeau's two rhymes run thin), once more letting a word's later pieces be
             * forced when the model wants none (counted in end_rare) */
            w->mk.relax_end = 1;
            rc = search_line(w, &cx, par, rng, l0, rec[i].pos + rec[i].n_codes, K, 1, thin, &rec[i], &pruned, res, err);
            w->mk.relax_end = 0;
        }
        if (rc) { wr_endset_free(&es); return rc; }
        if (getenv("VERS_WRITE_DEBUG"))
            fprintf(stderr, "line %d: classes %d end words %d (min syl %d) candidates %d pruned %d\n",
                    i + 1, n_cls, es.n, es.min_syl, rec[i].n_cands, pruned);
        wr_endset_free(&es);
        if (rec[i].n_cands == 0 && head >= floor_line && thin && backups < 4 * plan->n_lines + 16) {
            /* the group's rhyme class runs short: it was chosen by the group's first line, so
             * that line is written again (or its next candidate of another class taken), and the
             * class is offered last from now on */
            backups++;
            res->line_backups++;
            const line_rec *h = &rec[head];
            w->cls_bad[ix->words[h->cands[h->cur].end_word].cls] = 1;
            int next = -1;
            for (int k = h->cur + 1; k < h->n_cands && next < 0; k++)
                if (!w->cls_bad[ix->words[h->cands[k].end_word].cls]) next = k;
            for (int j = head + 1; j <= i; j++) { rec[j].n_cands = 0; rec[j].cur = -1; }
            if ((rc = w->lm->truncate(w->lm->ud, rec[head].pos))) return vers_errorf(err, rc, "KV truncation failed");
            report_line(par, head, NULL);
            if (next >= 0) {
                rec[head].cur = next;
                report_line(par, head, &rec[head].cands[next]);
                float *l1 = start_logits + (size_t)(head + 1) * nv;
                if ((rc = eval_line(w, &rec[head], &rec[head].cands[next], 0, wr_stanza_end(plan, head), l1, err))) return rc;
                i = head + 1;
            } else {
                rec[head].n_cands = 0; rec[head].cur = -1;
                i = head;
            }
            continue;
        }
        if (rec[i].n_cands == 0) {
            /* no line here: take the next candidate of the nearest earlier line that has one */
            int k = i - 1;
            while (k >= floor_line && (rec[k].refrain || rec[k].cur + 1 >= rec[k].n_cands)) k--;
            if (k < floor_line || ++backups > 4 * plan->n_lines + 16)
                return vers_errorf(err, VERS_EFAIL, "no line %d found within the search budget", i + 1);
            res->line_backups++;
            rec[k].cur++;
            report_line(par, k, NULL);
            report_line(par, k, &rec[k].cands[rec[k].cur]);
            for (int j = k + 1; j <= i; j++) { rec[j].n_cands = 0; rec[j].cur = -1; }
            if ((rc = w->lm->truncate(w->lm->ud, rec[k].pos))) return vers_errorf(err, rc, "KV truncation failed");
            float *l1 = start_logits + (size_t)(k + 1) * nv;
            if ((rc = eval_line(w, &rec[k], &rec[k].cands[rec[k].cur], 0, wr_stanza_end(plan, k), l1, err))) return rc;
            i = k + 1;
            continue;
        }
        /* keep the best: its slot's cache may still end with it (then it is committed as it
         * is), else the line is read again from what the cache still shares with it */
        qsort(rec[i].cands, (size_t)rec[i].n_cands, sizeof(wr_cand), cmp_cand);
        rec[i].cur = 0;
        float *l1 = i + 1 < plan->n_lines ? start_logits + (size_t)(i + 1) * nv : w->work;
        if ((rc = keep_line(w, &rec[i], &rec[i].cands[0], stanza_end, l1, err))) return rc;
        report_line(par, i, &rec[i].cands[0]);
        i++;
    }
    /* the poem's text */
    size_t cap = 16;
    for (int j = 0; j < plan->n_lines; j++) cap += strlen(rec[j].cands[rec[j].cur].text) + 2;
    char *text = malloc(cap);
    if (!text) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    size_t n = 0;
    res->n_tokens = 0; res->logprob = 0.0; res->end_tokens = res->end_rare = 0;
    for (int j = 0; j < plan->n_lines; j++) {
        const wr_cand *c = &rec[j].cands[rec[j].cur];
        size_t l = strlen(c->text);
        memcpy(text + n, c->text, l);
        capitalise(text + n, l);                         /* a verse line opens on a capital */
        n += l;
        text[n++] = '\n';
        if (wr_stanza_end(plan, j) && j + 1 < plan->n_lines) text[n++] = '\n';
        if (!rec[j].refrain) {
            res->n_tokens += c->n_tok; res->logprob += c->lp;
            res->end_tokens += c->end_toks; res->end_rare += c->end_rare;
        }
    }
    text[n] = 0;
    free(res->text);
    res->text = text;
    return VERS_OK;
}

int wr_plan_check(const vers_plan *plan, vers_err *err) {
    if (!plan || plan->n_lines <= 0) return vers_errorf(err, VERS_EINVAL, "the form has no lines");
    for (int i = 0; i < plan->n_lines; i++) {
        const vers_plan_line *lp = &plan->lines[i];
        if (lp->syl_max < 0 || lp->syl_min > lp->syl_max)
            return vers_errorf(err, VERS_EINVAL, "line %d: impossible syllable count", i + 1);
        if (lp->syl_max > WR_MAX_SYL) return vers_errorf(err, VERS_EINVAL, "line %d: more than %d syllables", i + 1, WR_MAX_SYL);
    }
    return VERS_OK;
}

uint32_t wr_line_initial(const vers_plan_line *pl) {
    int len = (int)strnlen(pl->initial, sizeof pl->initial), adv = 0;
    if (len == 0) return 0;
    uint32_t c = wr_utf8_next(pl->initial, len, &adv);
    return c == 0xFFFD ? 0 : wr_lower(c);
}

wr_params wr_params_default(void) {
    wr_params p;
    memset(&p, 0, sizeof p);
    p.temp = 0.8f;
    p.min_p = 0.02f;
    p.candidates = 8;
    p.max_attempts = 4 * p.candidates;
    p.budget = 40000;
    p.theme_bias = 1.0f;
    p.word_bias = 1.0f;
    p.end_min_p = 1e-3f;
    p.tok_min_p = 1e-4f;
    p.end_cont_max = 0.5f;
    return p;
}

/* The one retry loop: a search that dead-ends often succeeds from another start, so up to
 * WR_SEARCHES independent searches (drawing on the same rng, so still reproducible) share
 * the budget, each taking half of what is left (the last all of it).  A search ends with a
 * poem that passed the oracle's final check, or fails; nothing else is returned. */
#define WR_SEARCHES 4
int wr_write(wr_writer *w, const vers_form *form, const vers_plan *plan, const wr_params *par,
             uint64_t *rng, wr_result *res, vers_err *err) {
    memset(res, 0, sizeof *res);
    int rc = wr_plan_check(plan, err);
    if (rc) return rc;
    int prompt[512];
    int n_prompt = wr_prompt_tokens(w->lm, w->or->lang, form ? vers_form_tag(form) : NULL, par->theme, prompt, 512,
                                    w->prompt_text, sizeof w->prompt_text, err);
    if (n_prompt < 0) return err && err->code ? err->code : VERS_EFAIL;
    build_theme_bias(w, par->theme, par->theme_bias, par->word_bias);
    line_rec *rec = calloc((size_t)plan->n_lines, sizeof *rec);
    float *start_logits = malloc(sizeof(float) * (size_t)w->nv * ((size_t)plan->n_lines + 1));
    if (!rec || !start_logits) { free(rec); free(start_logits); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    w->use_codes = w->cls_code != NULL && !par->no_codes;
    w->evals = 0;
    w->st_shared = w->st_steps = w->st_refused = w->st_end_cont = w->st_ok = w->st_dead = w->st_pruned = w->st_reeval = w->st_prompt = w->st_back_steps = 0;
    memset(w->st_reject, 0, sizeof w->st_reject);
    const long total = par->budget > 0 ? par->budget : wr_params_default().budget;
    rc = VERS_EFAIL;
    char why[512] = "";
    for (int search = 0; search < WR_SEARCHES && (search == 0 || total - w->evals >= 100); search++) {
        long left = total - w->evals;
        w->budget = w->evals + (search + 1 < WR_SEARCHES ? left / 2 : left);
        if (search > 0) res->poem_restarts++;
        vers_err e1 = {0};
        rc = write_once(w, plan, par, rng, prompt, n_prompt, rec, start_logits, res, &e1);
        if (rc == VERS_OK) {
            int ok = w->or->check_poem(w->or->ud, form, plan, res->text, strlen(res->text), why, sizeof why);
            if (ok == 1) break;
            if (ok < 0) { rc = vers_errorf(err, VERS_EFAIL, "check failed: %s", why); break; }
            rc = VERS_EFAIL;
            continue;
        }
        if (rc != VERS_EFAIL) { if (err) *err = e1; break; }
        snprintf(why, sizeof why, "%s", e1.msg);
    }
    if (rc == VERS_EFAIL) {
        vers_errorf(err, VERS_EFAIL, "no poem found within the search budget (%s)", why[0] ? why : "no candidate");
        free(res->text); res->text = NULL;
    }
    res->evals = w->evals;
    res->codes = w->use_codes;
    if (getenv("VERS_WRITE_DEBUG"))
        fprintf(stderr, "shared %ld steps %ld refused %ld evals %ld: ok %ld pruned %ld dead %ld (back steps %ld) reject noend %ld lineok %ld range %ld rhyme %ld copy %ld reeval %ld prompt %ld; word ends refused %ld\n",
                w->st_shared, w->st_steps, w->st_refused, w->evals, w->st_ok, w->st_pruned, w->st_dead, w->st_back_steps, w->st_reject[0], w->st_reject[1],
                w->st_reject[2], w->st_reject[3], w->st_reject[4], w->st_reeval, w->st_prompt, w->st_end_cont);
    free(rec); free(start_logits);
    return rc;
}
