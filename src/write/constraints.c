/* src/write/constraints.c — syllable-budget and rhyme masks over the model's tokens.
 *
 * A line is decoded in three modes.  FREE: any word piece whose estimated syllables leave
 * room for an end word; no line break.  END: the last word is being spelled along one of
 * the rhyme words that fit the count exactly (a path in the rhyme index).  DONE: the end
 * word is complete; only punctuation and the line break remain.  Estimates guide the
 * masks; the exact count comes from the prosody oracle at word boundaries and at the line's
 * end, so a wrong estimate can cost a retry but never a wrong line. */
#include "write/constraints.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void wr_ls_init(wr_line_state *ls) {
    memset(ls, 0, sizeof *ls);
    ls->base_c = ls->base_v = -1;
    ls->end_word = -1;
    ls->caes_c = ls->caes_v = -1;
}

int wr_ls_append(wr_line_state *ls, const wr_tokens *tt, int tok) {
    const wr_tokinfo *ti = &tt->info[tok];
    const char *b = wr_tok_text(tt, tok);
    int n = ti->n_bytes;
    if (ti->kind == WR_TOK_NEWLINE) return 0;
    if (ls->len == 0 && ti->lead_space) { b++; n--; }
    if (ls->len + n >= WR_LINE_BYTES) return -1;
    int new_word = ti->kind == WR_TOK_WORD && (ti->lead_space || ls->len == 0 || ls->after_punct);
    if (ti->kind == WR_TOK_PUNCT) {
        ls->in_word = 0; ls->after_punct = 1; ls->n_punct_done++;
    } else if (new_word) {
        ls->word_start = ls->len + (ti->lead_space && ls->len > 0 ? 1 : 0);
        ls->word_vg = ti->vg; ls->word_v_last = ti->v_last; ls->word_silent_e = ti->silent_e;
        ls->word_letters = 1;
        ls->word_nletters = ti->n_letters;
        ls->word_spaced = ti->lead_space;
        ls->in_word = 1; ls->after_punct = 0;
    } else {                                            /* continues the word */
        ls->word_vg += ti->vg - (ls->word_v_last && ti->v_first ? 1 : 0);
        if (ti->vg || ti->v_first) ls->word_v_last = ti->v_last;
        if (ti->n_bytes > ti->u8_in) ls->word_silent_e = ti->silent_e;
        ls->word_letters++;
        ls->word_nletters += ti->n_letters;
    }
    memcpy(ls->text + ls->len, b, (size_t)n);
    ls->len += n;
    ls->text[ls->len] = 0;
    ls->u8_owed = ti->u8_out;
    ls->u8_lead = ti->u8_lead;
    ls->base_c = ls->base_v = -1;
    ls->caes_c = ls->caes_v = -1;
    return 0;
}

static int clamp_est(int vg, int silent_e) {
    int e = vg - (silent_e && vg > 1 ? 1 : 0);
    return e < 1 ? 1 : e;
}

int wr_est_start(const wr_tokinfo *ti) { return clamp_est(ti->vg, ti->silent_e); }

int wr_est_continue(const wr_line_state *ls, const wr_tokinfo *ti, int lang) {
    (void)lang;
    int vg = ls->word_vg + ti->vg - (ls->word_v_last && ti->v_first ? 1 : 0);
    int se = ti->n_bytes > ti->u8_in ? ti->silent_e : ls->word_silent_e;
    return clamp_est(vg, se);
}

/* French words whose vowel is elided before a vowel or a mute h: "de âme" is "d'âme". */
static const char *const ELIDABLE_FR[] = {"le", "la", "de", "je", "me", "te", "se", "ne", "que", "ce",
                                          "jusque", "lorsque", "puisque", "quoique", NULL};

int wr_fr_elidable(const char *w, int len) {
    char low[16];
    if (len <= 0 || len >= (int)sizeof low) return 0;
    for (int i = 0; i < len; i++) low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
    low[len] = 0;
    for (const char *const *e = ELIDABLE_FR; *e; e++) if (!strcmp(*e, low)) return 1;
    return 0;
}

/* French: the word just ended is elidable, so the next may not begin with a vowel (a word
 * beginning with h is left to the ear: h muet or aspiré). */
static int elision_due(const wr_line_state *ls, int lang) {
    return lang == WR_LANG_FR && ls->in_word && !ls->after_punct && !ls->u8_owed &&
           wr_fr_elidable(ls->text + ls->word_start, ls->len - ls->word_start);
}

int wr_mask_free(float *logits, const wr_tokens *tt, const wr_line_state *ls, int lang,
                 int hi, int min_end, int caesura, uint32_t acrostic, int closable,
                 const unsigned char *start_ok) {
    int allowed = 0;
    const int elide = elision_due(ls, lang);
    int at_start = ls->len == 0;
    int base = ls->base_c >= 0 ? ls->base_c : ls->before_word;   /* count if a word starts now */
    int base_v = ls->base_v >= 0 ? ls->base_v : base;
    int caes = caesura && !ls->caes_done ? caesura : 0;          /* still to be placed */
    for (int t = 0; t < tt->n; t++) {
        const wr_tokinfo *ti = &tt->info[t];
        int ok = 0;
        if (ti->kind == WR_TOK_WORD) {
            if (ls->u8_owed) {
                ok = ti->u8_in == ls->u8_owed && !ti->lead_space && wr_u8_pair_ok((unsigned)ls->u8_lead, ti->u8_cont) &&
                     !ti->caps_inside && ls->word_nletters + ti->n_letters <= 20;
                if (ok) {
                    int after = ls->before_word + wr_est_continue(ls, ti, lang);
                    ok = after + min_end <= hi;
                }
            } else if (ti->u8_in) {
                ok = 0;
            } else if (at_start || ti->lead_space) {
                if (!closable || (start_ok && !start_ok[t])) { logits[t] = -INFINITY; continue; }
                int b = at_start ? 0 : ti->v_first ? base_v : base;
                int after = b + wr_est_start(ti);
                ok = after + min_end <= hi && !ti->caps_inside;
                if (ok && at_start && acrostic) ok = ti->first_letter == acrostic;
                /* a line opens on a word: a spaced token or a capital, not the tail of a word */
                if (ok && at_start && !ti->lead_space && !ti->caps_first) ok = 0;
                /* the caesura: a word begins before it or right on it (a valid one), and does
                 * not look as if it will run across it */
                if (ok && caes && !at_start) ok = (ti->v_first ? ls->caes_v : ls->caes_c) > 0;
                if (ok && caes && b < caes && after > caes) ok = 0;
                if (ok && elide && ti->v_first && ti->first_letter != 'y') ok = 0;
            } else if (!ls->after_punct) {
                int after = ls->before_word + wr_est_continue(ls, ti, lang);
                ok = after + min_end <= hi && !ti->caps_first && !ti->caps_inside &&
                     ls->word_nletters + ti->n_letters <= 20;
                if (ok && caes && ls->before_word < caes && after > caes) ok = 0;
            }
        } else if (ti->kind == WR_TOK_PUNCT) {
            /* one mark after a word, never at the start; the count must leave room still */
            ok = !at_start && !ls->after_punct && !ls->u8_owed && ls->in_word && closable &&
                 ls->n_punct_done < 3 && base + min_end <= hi && ti->punct != ':';
        }
        if (!ok) logits[t] = -INFINITY;
        else allowed++;
    }
    return allowed;
}

/* ---- one step --------------------------------------------------------------------------- */

/* Adds the first tokens of the end words that bring the line to [lo,hi] (entry marks, fit). */
static int mask_end_entries(wr_masker *m, const wr_line_rules *r, const wr_line_state *ls,
                            const float *logits, float *x) {
    const wr_rhyme_index *ix = m->ix;
    int added = 0;
    int bc = ls->base_c, bv = ls->base_v;
    if (elision_due(ls, r->lang)) bv = -1;               /* "de" before "âme": no */
    const int caes = r->caesura && !ls->caes_done ? r->caesura : 0;
    if (caes) {                                          /* an end word may only follow the caesura */
        if (!(bc == caes && ls->caes_c > 0)) bc = -1;
        if (!(bv == caes && ls->caes_v > 0)) bv = -1;
    }
    int n_fit = wr_endset_fits(r->es, ix, bc, bv, r->lo, r->hi, m->fit, m->fit_cap);
    int kept = 0;
    for (int k = 0; k < n_fit; k++) {
        const wr_word *wd = &ix->words[m->fit[k]];
        int t0 = ix->toks[wd->tok_off];
        /* " the" begins "theatre", but a model that says " the" means the word: a token that
         * is a word itself enters only its own end word */
        if (wd->n_tok > 1 && m->tok_is_word[t0]) continue;
        if (logits[t0] < m->floor) continue;             /* the model does not want this word here */
        m->fit[kept++] = m->fit[k];
        if (!m->entry[t0]) {
            m->entry[t0] = 1;
            if (x[t0] == -INFINITY) added++;
            x[t0] = logits[t0];
        }
    }
    m->n_fit = kept;
    return added;
}

/* END mode: the next token of an end word still spelled; once one is complete, punctuation
 * and the line break.  DONE mode: the line break. */
static int mask_end_word(const wr_masker *m, const wr_line_rules *r, const wr_line_state *ls, const int *alive,
                         const float *logits, float *x) {
    const wr_tokens *tt = m->tt;
    const wr_rhyme_index *ix = m->ix;
    int n_allowed = 0, complete = 0;
    for (int t = 0; t < tt->n; t++) x[t] = -INFINITY;
    if (ls->mode == WR_MODE_END) {
        /* only the pieces the model wants (above the floor): when it wants none, the step is a
         * dead end and the search backs up to another end word, rather than forcing a piece
         * on the model (issue 16: forced pieces were 7-13% of French end-word tokens; with
         * this, none, for ~8% more evaluations) */
        int wanted = !m->relax_end;
        for (int k = 0; k < ls->n_alive && !wanted; k++) {
            const wr_word *wd = &ix->words[alive[k]];
            if (wd->n_tok > ls->depth && logits[ix->toks[wd->tok_off + ls->depth]] >= m->floor) wanted = 1;
        }
        for (int k = 0; k < ls->n_alive; k++) {
            const wr_word *wd = &ix->words[alive[k]];
            if (wd->n_tok > ls->depth) {
                int t = ix->toks[wd->tok_off + ls->depth];
                if (wanted && logits[t] < m->floor) continue;
                if (x[t] == -INFINITY) { x[t] = logits[t]; n_allowed++; }
            } else complete = 1;
        }
        if (complete)
            for (int t = 0; t < tt->n; t++) {
                int p = tt->info[t].kind == WR_TOK_PUNCT ? tt->info[t].punct : 0;
                /* the poem ends on a full stop (or ! ?), not a comma, nor in mid-sentence */
                if (!p || p == ':' || (r->last && p != '.' && p != '!' && p != '?')) continue;
                if (x[t] == -INFINITY) { x[t] = logits[t]; n_allowed++; }
            }
        if (r->last) complete = 0;                       /* the line break comes after the stop */
    } else complete = 1;
    if (complete) { if (x[tt->newline] == -INFINITY) n_allowed++; x[tt->newline] = logits[tt->newline]; }
    return n_allowed;
}

int wr_mask_step(wr_masker *m, const wr_line_rules *r, const wr_line_state *ls, const int *alive,
                 int closable, int lost, const int *ban, int n_ban, const float *logits, float *x) {
    const int nv = m->tt->n;
    int n_allowed = 0;
    m->n_fit = 0;
    memcpy(x, logits, sizeof(float) * (size_t)nv);
    if (ls->mode == WR_MODE_FREE) {
        const int caes = r->caesura && !ls->caes_done ? r->caesura : 0;
        const int can_end = !lost && ls->len > 0 && !ls->u8_owed && ls->in_word && closable;
        if (lost) for (int t = 0; t < nv; t++) x[t] = -INFINITY;
        else n_allowed = wr_mask_free(x, m->tt, ls, r->lang, r->hi, r->es->min_syl, caes,
                                      ls->len == 0 ? r->acrostic : 0, closable, m->start_ok);
        if (can_end) n_allowed += mask_end_entries(m, r, ls, logits, x);
        for (int t = 0; t < nv; t++)
            if (m->bias[t] != 0.0f && x[t] != -INFINITY) x[t] += m->bias[t];
    } else n_allowed = mask_end_word(m, r, ls, alive, logits, x);
    for (int k = 0; k < n_ban; k++) {
        int t = ban[k];
        if (x[t] != -INFINITY) { x[t] = -INFINITY; n_allowed--; }
    }
    return n_allowed;
}

void wr_mask_release(wr_masker *m) {
    for (int k = 0; k < m->n_fit; k++) m->entry[m->ix->toks[m->ix->words[m->fit[k]].tok_off]] = 0;
}

void wr_mask_pieces_off(const wr_masker *m, float *x) {
    for (int u = 0; u < m->tt->n; u++)
        if (m->tt->info[u].kind == WR_TOK_WORD && !m->tt->info[u].lead_space && !m->entry[u]) x[u] = -INFINITY;
}

/* ---- end sets ----------------------------------------------------------------------------- */

#define WR_NB (2 * (WR_MAX_SYL + 1))

int wr_endset_build(wr_endset *es, const wr_rhyme_index *ix, const int *allowed_cls, int n_cls_allowed,
                    int gender, const unsigned char *used_word, int max_syl, int lang) {
    (void)lang;
    memset(es, 0, sizeof *es);
    int total = 0;
    for (int k = 0; k < n_cls_allowed; k++) {
        int c = allowed_cls[k];
        total += ix->cls_start[c + 1] - ix->cls_start[c];
    }
    es->words = malloc(sizeof(int) * (size_t)(total > 0 ? total : 1));
    if (!es->words) return VERS_ENOMEM;
    int count[WR_NB];
    memset(count, 0, sizeof count);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            int off = 0;
            for (int b = 0; b < WR_NB; b++) { es->start[b] = off; off += count[b]; count[b] = 0; }
            es->start[WR_NB] = off;
            es->n = off;
        }
        for (int k = 0; k < n_cls_allowed; k++) {
            int c = allowed_cls[k];
            for (int wi = ix->cls_start[c]; wi < ix->cls_start[c + 1]; wi++) {
                const wr_word *w = &ix->words[wi];
                if (w->syl < 1 || w->syl > max_syl || w->syl > WR_MAX_SYL) continue;
                if (gender && w->gender && w->gender != gender) continue;
                if (used_word && used_word[wi]) continue;
                int b = (w->vowel_initial ? 1 : 0) * (WR_MAX_SYL + 1) + w->syl;
                if (pass == 1) es->words[es->start[b] + count[b]] = wi;
                count[b]++;
            }
        }
    }
    es->min_syl = 0;
    for (int s = 1; s <= WR_MAX_SYL && !es->min_syl; s++)
        if (count[s] || count[WR_MAX_SYL + 1 + s]) es->min_syl = s;
    return VERS_OK;
}

void wr_endset_free(wr_endset *es) { free(es->words); memset(es, 0, sizeof *es); }

int wr_endset_fits(const wr_endset *es, const wr_rhyme_index *ix, int base_c, int base_v,
                   int lo, int hi, int *out, int cap) {
    (void)ix;
    int n = 0;
    for (int vi = 0; vi < 2; vi++) {
        int base = vi ? base_v : base_c;
        if (base < 0) continue;
        for (int s = lo - base; s <= hi - base; s++) {
            if (s < 1 || s > WR_MAX_SYL) continue;
            int b = vi * (WR_MAX_SYL + 1) + s;
            for (int k = es->start[b]; k < es->start[b + 1] && n < cap; k++) out[n++] = es->words[k];
        }
    }
    return n;
}
