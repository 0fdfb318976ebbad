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

#define MAX_STEPS 48
#define MAX_BACK 24
#define FIT_CAP 4096
#define MAX_CANDS 8
#define THIN_CLASS 40         /* end words left below which a dead end blames the rhyme class */
#define MAX_REFUSED 32
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
} wr_cand;

typedef struct line_rec {
    wr_cand cands[MAX_CANDS];
    int n_cands;
    int cur;                 /* index of the kept candidate, -1 none */
    int pos;                 /* KV position at the start of the line */
    int refrain;             /* copied from an earlier line */
} line_rec;

struct wr_writer {
    const wr_lm *lm;
    const wr_oracle *or;
    const wr_tokens *tt;
    const wr_rhyme_index *ix;
    int nv;
    float *work;                     /* masked logits of the current step */
    float *bias;                     /* theme bias per token */
    float *step_logits;              /* (MAX_STEPS+1) x nv: logits before each step of a line */
    wr_line_state step_state[MAX_STEPS + 1];
    int step_tok[MAX_STEPS + 1];
    double step_lp[MAX_STEPS + 1];
    double step_lse[MAX_STEPS + 1];  /* log-sum-exp of step_logits[s], when lse_ok[s] */
    unsigned char lse_ok[MAX_STEPS + 1];
    /* the tokens after the line's start that the KV cache holds (path_tok[0..path_n)); the
     * logits after path_tok[s] are step_logits[s + 1].  A new attempt that begins the same
     * way reuses them instead of evaluating the model again. */
    int path_tok[MAX_STEPS + 1];
    int path_n;
    int ban[MAX_STEPS + 1][MAX_BACK + 1];
    int n_ban[MAX_STEPS + 1];
    int *alive;                      /* (MAX_STEPS+1) x FIT_CAP: end words still spelled */
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
    long st_shared, st_refused, st_steps, st_ok, st_dead, st_reject[5], st_pruned, st_reeval, st_prompt, st_back_steps;
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
    w->step_logits = malloc(sizeof(float) * nv * (MAX_STEPS + 1));
    w->alive = malloc(sizeof(int) * FIT_CAP * (MAX_STEPS + 1));
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
    if (draw_rc || !w->work || !w->bias || !w->step_logits || !w->alive || !w->fit || !w->entry || !w->tok_is_word || !w->start_ok || !w->whole_word ||
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
    free(w->work); free(w->bias); free(w->step_logits); free(w->alive); free(w->fit);
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

/* One attempt at a line from the current KV position (p0) and logits l0.  1: candidate in *c;
 * 0: dead end; 2: abandoned as worse than a candidate already found; <0: error. */
static int line_attempt(wr_writer *w, const line_ctx *cx, const wr_params *par, const float *l0, int p0,
                        uint64_t *rng, wr_cand *c, vers_err *err) {
    const wr_tokens *tt = w->tt;
    const wr_rhyme_index *ix = w->ix;
    const int nv = w->nv;
    int step = 0, n_back = 0;
    wr_line_state *ls;
    memcpy(w->step_logits, l0, sizeof(float) * (size_t)nv);
    w->lse_ok[0] = 0;
    wr_ls_init(&w->step_state[0]);
    w->n_ban[0] = 0;
    for (;;) {
        if (w->evals > w->budget) { vers_errorf(err, VERS_EFAIL, "search budget spent"); return -1; }
        ls = &w->step_state[step];
        const float *logits = w->step_logits + (size_t)step * nv;
        float *x = w->work;
        int *alive = w->alive + (size_t)step * FIT_CAP;
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
        if (par->end_min_p > 0.0f && (ls->mode == WR_MODE_END || (ls->len > 0 && ls->in_word && closable))) {
            if (!w->lse_ok[step]) { w->step_lse[step] = log_sum_exp(logits, nv); w->lse_ok[step] = 1; }
            w->mk.floor = (float)(w->step_lse[step] + log((double)par->end_min_p));
        }
        int n_allowed = wr_mask_step(&w->mk, &cx->rules, ls, alive, closable, lost, w->ban[step], w->n_ban[step], logits, x);
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
            if (step == 0 || n_back >= MAX_BACK) return 0;
            step--; n_back++; w->st_back_steps++;
            if (w->n_ban[step] <= MAX_BACK) w->ban[step][w->n_ban[step]++] = w->step_tok[step];
            if (w->path_n > step) w->path_n = step;
            continue;
        }
        wr_line_state next = *ls;
        int *next_alive = w->alive + (size_t)(step + 1) * FIT_CAP;
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
        w->step_tok[step] = t;
        if (!w->lse_ok[step]) { w->step_lse[step] = log_sum_exp(logits, nv); w->lse_ok[step] = 1; }
        w->step_lp[step] = (double)logits[t] - w->step_lse[step];
        if (step >= 8 && cx->prune > -INFINITY) {
            /* a candidate already far behind the best one is not worth finishing */
            double sum = 0.0;
            for (int k = 0; k <= step; k++) sum += w->step_lp[k];
            if (sum / (step + 1) < cx->prune) return 2;
        }
        if (finished) {
            int r = finish_line(w, cx, &next, c);
            if (r < 0) { vers_errorf(err, VERS_EFAIL, "prosody scan failed"); return -1; }
            if (r == 0) return 0;
            c->n_tok = step + 1;
            c->lp = 0.0;
            for (int k = 0; k <= step; k++) { c->toks[k] = w->step_tok[k]; c->lp += w->step_lp[k]; }
            /* how much the masks forced the end word on the model: its tokens' probabilities
             * before masking (step_lp is read from the model's own logits) */
            c->end_toks = c->end_rare = 0;
            for (int k = next.end_from; k <= step; k++)
                if (tt->info[w->step_tok[k]].kind == WR_TOK_WORD) {
                    c->end_toks++;
                    if (w->step_lp[k] < RARE_LOGP) c->end_rare++;
                }
            /* the line break is evaluated so that the next line starts after it */
            if (w->lm->truncate(w->lm->ud, p0 + step) != VERS_OK) { vers_errorf(err, VERS_EFAIL, "KV truncation failed"); return -1; }
            if (w->path_n > step) w->path_n = step;
            if (lm_eval(w, &t, 1, w->work, err)) return -1;
            return 1;
        }
        if (step + 1 >= MAX_STEPS) return 0;
        if (step < w->path_n && w->path_tok[step] == t) {
            /* an earlier attempt at this line began the same way: its cache and logits serve */
            w->st_shared++;
        } else {
            if (w->lm->truncate(w->lm->ud, p0 + step) != VERS_OK) { vers_errorf(err, VERS_EFAIL, "KV truncation failed"); return -1; }
            if (lm_eval(w, &t, 1, w->step_logits + (size_t)(step + 1) * nv, err)) return -1;
            w->lse_ok[step + 1] = 0;
            w->path_tok[step] = t;
            w->path_n = step + 1;
        }
        step++;
        w->step_state[step] = next;
        w->n_ban[step] = 0;
    }
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

static double cand_score(const wr_writer *w, const wr_cand *c) {
    double s = c->lp / (c->n_tok > 0 ? c->n_tok : 1);
    char a[WR_LINE_BYTES], p[sizeof w->prompt_text];
    norm_line(c->text, a, sizeof a);
    norm_line(w->prompt_text, p, sizeof p);
    if (a[0] && strstr(p, a)) s -= 2.0;                 /* copied from the prompt */
    return s;
}

/* Evaluates a kept line's tokens from `from` on (the cache holds those before), and the
 * stanza's blank line; the logits after it go to logits. */
static int eval_line(wr_writer *w, const wr_cand *c, int from, int stanza_end, float *logits, vers_err *err) {
    w->st_reeval += c->n_tok - from + (stanza_end ? 1 : 0);
    int rc = lm_eval(w, c->toks + from, c->n_tok - from, logits, err);
    if (!rc && stanza_end) rc = lm_eval(w, &w->tt->newline, 1, logits, err);
    return rc;
}

static void build_theme_bias(wr_writer *w, const char *theme, float bias, float word_bias) {
    memset(w->bias, 0, sizeof(float) * (size_t)w->nv);
    /* a whole word of the language is favoured over a piece that starts one: fewer words
     * spelled in pieces, fewer pieces refused and dead ends */
    for (int t = 0; t < w->nv; t++) if (w->whole_word[t]) w->bias[t] = word_bias;
    if (!theme || bias == 0.0f) return;
    const char *s = theme;
    while (*s) {
        while (*s == ' ' || *s == ',') s++;
        const char *e = s;
        while (*e && *e != ' ' && *e != ',') e++;
        int len = (int)(e - s);
        if (len >= 3 && len < 40) {                     /* short function words get no bias */
            char buf[48]; int toks[16];
            buf[0] = ' '; memcpy(buf + 1, s, (size_t)len);
            int n = w->lm->tokenize(w->lm->ud, buf, len + 1, toks, 16);
            if (n > 0 && toks[0] >= 0 && toks[0] < w->nv && w->tt->info[toks[0]].kind == WR_TOK_WORD)
                w->bias[toks[0]] += bias;
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

static int write_lines(wr_writer *w, const vers_plan *plan, const wr_params *par, uint64_t *rng,
                       const int *prompt, int n_prompt, line_rec *rec, float *start_logits,
                       wr_result *res, const char **prev, wr_scan *prev_scan, int K, vers_err *err) {
    const int nv = w->nv;
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
                if ((rc = eval_line(w, &rec[j].cands[rec[j].cur], 0, wr_stanza_end(plan, j), l0, err))) return rc;
            floor_line = i;
        }
        rec[i].pos = w->lm->n_past(w->lm->ud);
        w->path_n = 0;
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
            float *l1 = i + 1 < plan->n_lines ? start_logits + (size_t)(i + 1) * nv : w->work;
            if ((rc = eval_line(w, &rec[i].cands[0], 0, stanza_end, l1, err))) return rc;
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
        line_ctx cx = {0};
        cx.plan = plan; cx.index = i; cx.prev_scan = prev_scan;
        cx.lp = lp; cx.target = wr_line_target(lp); cx.lang = w->or->lang; cx.prev_text = prev; cx.n_prev = i;
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
        int last_ok = -1;
        /* the group's first line (it chose the class) and whether the class is thin here */
        int head = -1;
        if (lp->rhyme >= 0)
            for (int j = 0; j < i && head < 0; j++)
                if (plan->lines[j].rhyme == lp->rhyme && !rec[j].refrain && plan->lines[j].rentrement_of < 0) head = j;
        const int thin = head >= 0 && es.n < THIN_CLASS;
        cx.prune = -INFINITY;
        int pruned = 0;
        for (int a = 0; es.n > 0 && a < par->max_attempts && rec[i].n_cands + pruned < K; a++) {
            if (thin && a >= par->max_attempts / 3 && rec[i].n_cands + pruned == 0) break;   /* see below */
            res->line_attempts++;
            wr_cand *c = &rec[i].cands[rec[i].n_cands];
            long e0 = w->evals;
            w->why = -1;
            int r = line_attempt(w, &cx, par, l0, rec[i].pos, rng, c, err);
            long de = w->evals - e0;
            if (r == 1) w->st_ok += de;
            else if (r == 2) w->st_pruned += de;
            else if (r == 0 && w->why < 0) w->st_dead += de;
            else if (r == 0) w->st_reject[w->why] += de;
            if (r < 0) { wr_endset_free(&es); return err && err->code ? err->code : VERS_EFAIL; }
            if (r == 2) pruned++;                      /* worse than a candidate we have */
            if (r != 1) last_ok = -1;                  /* the cache no longer ends with it */
            if (r == 1) {
                c->score = cand_score(w, c);
                last_ok = rec[i].n_cands++;
                double mean = c->lp / c->n_tok - 0.75;
                if (mean > cx.prune) cx.prune = mean;
            }
        }
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
            if (next >= 0) {
                rec[head].cur = next;
                float *l1 = start_logits + (size_t)(head + 1) * nv;
                if ((rc = eval_line(w, &rec[head].cands[next], 0, wr_stanza_end(plan, head), l1, err))) return rc;
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
            for (int j = k + 1; j <= i; j++) { rec[j].n_cands = 0; rec[j].cur = -1; }
            if ((rc = w->lm->truncate(w->lm->ud, rec[k].pos))) return vers_errorf(err, rc, "KV truncation failed");
            float *l1 = start_logits + (size_t)(k + 1) * nv;
            if ((rc = eval_line(w, &rec[k].cands[rec[k].cur], 0, wr_stanza_end(plan, k), l1, err))) return rc;
            i = k + 1;
            continue;
        }
        /* keep the best; when the last attempt was a candidate the KV cache ends with it, else
         * the best is read again */
        int tail = last_ok;
        wr_cand last;
        if (tail >= 0) last = rec[i].cands[tail];
        qsort(rec[i].cands, (size_t)rec[i].n_cands, sizeof(wr_cand), cmp_cand);
        rec[i].cur = 0;
        float *l1 = i + 1 < plan->n_lines ? start_logits + (size_t)(i + 1) * nv : w->work;
        if (tail >= 0 && !stanza_end && !strcmp(last.text, rec[i].cands[0].text) && last.n_tok == rec[i].cands[0].n_tok &&
            !memcmp(last.toks, rec[i].cands[0].toks, sizeof(int) * (size_t)last.n_tok)) {
            /* the cache already ends with this line: its logits are in w->work */
            if (i + 1 < plan->n_lines) memcpy(l1, w->work, sizeof(float) * (size_t)nv);
        } else {
            /* the cache still holds the start the best shares with the last attempt */
            const wr_cand *b = &rec[i].cands[0];
            int common = 0;
            while (common < w->path_n && common < b->n_tok - 1 && b->toks[common] == w->path_tok[common]) common++;
            if ((rc = w->lm->truncate(w->lm->ud, rec[i].pos + common))) return vers_errorf(err, rc, "KV truncation failed");
            if ((rc = eval_line(w, b, common, stanza_end, l1, err))) return rc;
        }
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
    p.candidates = 3;
    p.max_attempts = 8 * p.candidates;
    p.budget = 40000;
    p.theme_bias = 1.0f;
    p.word_bias = 1.0f;
    p.end_min_p = 1e-3f;
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
    w->evals = 0;
    w->st_shared = w->st_steps = w->st_refused = w->st_ok = w->st_dead = w->st_pruned = w->st_reeval = w->st_prompt = w->st_back_steps = 0;
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
    if (getenv("VERS_WRITE_DEBUG"))
        fprintf(stderr, "shared %ld steps %ld refused %ld evals %ld: ok %ld pruned %ld dead %ld (back steps %ld) reject noend %ld lineok %ld range %ld rhyme %ld copy %ld reeval %ld prompt %ld\n",
                w->st_shared, w->st_steps, w->st_refused, w->evals, w->st_ok, w->st_pruned, w->st_dead, w->st_back_steps, w->st_reject[0], w->st_reject[1],
                w->st_reject[2], w->st_reject[3], w->st_reject[4], w->st_reeval, w->st_prompt);
    free(rec); free(start_logits);
    return rc;
}
