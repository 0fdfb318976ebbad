/* src/prosody/en_meter.c — fitting a line to a metre: which reading of each word, which
 * syllables are stressed.
 *
 * Dictionary stress is not the stress a reader gives a line: "Could frame thy fearful
 * symmetry" is read 01010101, the monosyllable "thy" and the last syllable of "symmetry"
 * taking the stress the iambic metre gives them; and "every" is two syllables in "A mark
 * in every face I meet" because the metre wants it so.  As metrical parsers do (Hanson &
 * Kiparsky; Heuser's Prosodic), we parse the syllables into alternating strong (S) and
 * weak (W) positions, a W position holding one or two syllables, so iambic, trochaic,
 * anapestic and dactylic lines and their usual variations (initial inversion, feminine
 * ending, headless line, an extra weak syllable) are all parses.  A parse pays for
 *   - a primary stress of a polysyllable in W, a content monosyllable in W (less),
 *   - an unstressed syllable of a polysyllable in S (less when its neighbours in the word
 *     are unstressed too, as in sym-me-TRY, which readers promote), a function word in S,
 *   - two weak syllables in one position, two S positions in a row (a clash),
 *   - each word read other than its usual way (a dictionary variant, an elision).
 * Dynamic programming over words: for each reading of a word a 5×4 table gives the best
 * path through its syllables from the state before it (S, W1, W2, start) to the state
 * after; the line's DP combines them, with the syllable count in the state when a count
 * is asked for.  With a template (en_scan_meter) the count aims at its length and a
 * position that disagrees with the template pays a little (C_OFF_TEMPLATE): the template
 * decides the ambiguous syllables, the words' own stresses still win.
 * The cheapest parse decides: lexical stress stays, the ambiguous syllables
 * (monosyllables, secondary stresses, promotable ones) take their position's value. */
#include "prosody/en_internal.h"
#include <string.h>

/* States after a syllable: strong, first or second weak syllable of a dip, or the weak
 * syllable that opens the line (an anacrusis, free in any metre); NE end states, then the
 * line's start. */
enum { Q_S, Q_W1, Q_W2, Q_I1, NE, Q_START = NE, NQ };

/* Costs in tenths.  Set by hand on fbfv/epg64 (see docs/EVALUATION.md); the results are
 * flat around these values, i.e. not finely tuned to the data. */
enum {
    C_P_IN_W = 20, C_S_IN_W = 3, C_C_IN_W = 7, C_F_IN_S = 5,
    C_U_IN_S = 15, C_UPROM_IN_S = 6,
    C_DOUBLE_W = 6, C_CLASH = 15, C_END_W2 = 4, C_SINGLE_W3 = 4, C_INIT_DOUBLE = 2,
    R_VARIANT = 20, R_SYNCOPE = 9, R_PROCLITIC = 9, R_HIATUS = 9, R_DOUBLE = 18,
    C_OFF_TEMPLATE = 2,
    INF = 1 << 28,
};

/* U that readers may promote: not next to its word's primary stress. */
static int promotable(const char *cls, int nsyl, int k) {
    if (cls[k] != 'U' || nsyl < 3) return 0;
    if (k > 0 && cls[k - 1] == 'P') return 0;
    if (k + 1 < nsyl && cls[k + 1] == 'P') return 0;
    return 1;
}

static int cost_in(const char *cls, int nsyl, int k, int strong) {
    char c = cls[k];
    if (strong) {
        if (c == 'F' || c == 'A') return C_F_IN_S;
        if (c == 'U') return promotable(cls, nsyl, k) ? C_UPROM_IN_S : C_U_IN_S;
        return 0;
    }
    if (c == 'P') return C_P_IN_W;
    if (c == 'S') return C_S_IN_W;
    if (c == 'C') return C_C_IN_W;
    return 0;
}

/* The stress a reader gives syllable k in its position.  A content monosyllable in a weak
 * position keeps its stress ("Most like", "Half sunk"), except in a triple metre, where
 * the two weak syllables of a foot are read light ("a young LA-dy").  An article on a beat
 * stays light ("with the FIRST sleep", "to the e-TER-nal"): it leans on its noun, and both
 * gold sets read it so (fbfv 24 of 26 promoted articles unstressed, epg64 10 of 12). */
static char realise(const char *cls, int nsyl, int k, int strong, int ternary) {
    char c = cls[k];
    if (strong) return (c == 'A' || (c == 'U' && !promotable(cls, nsyl, k))) ? '0' : '1';
    return (c == 'P' || (c == 'C' && !ternary)) ? '1' : '0';
}

static int reading_cost(const en_reading *r) {
    switch (r->kind) {
    case EN_RD_USUAL: return 0;
    case EN_RD_VARIANT: return R_VARIANT;
    case EN_RD_PROCLITIC: return R_PROCLITIC;
    case EN_RD_SYNCOPE: return R_SYNCOPE;
    case EN_RD_HIATUS: return R_HIATUS;
    default: return R_DOUBLE;
    }
}

/* Transition cost from state a to the position of the next syllable b (S or W1/W2). */
static int trans(int a, int b, int ternary, int rising) {
    switch (a) {
    case Q_START: return (b == Q_S || b == Q_I1) ? 0 : INF;
    case Q_S: return b == Q_S ? C_CLASH : b == Q_W1 ? 0 : INF;
    /* in a poem of rising metre, two light syllables before the first beat ("And the
     * YEL-low", "In the HOWL-ing") are how such lines are read, not a function word
     * promoted to a beat; in falling metre ("IN the FOR-ests") they are not */
    case Q_I1: return b == Q_S ? 0 : b == Q_W2 ? (!rising ? C_DOUBLE_W : ternary ? 0 : C_INIT_DOUBLE) : INF;
    /* in triple metre the one-syllable dip inside a line is the variation */
    case Q_W1: return b == Q_S ? (ternary ? C_SINGLE_W3 : 0) : b == Q_W2 ? (ternary ? 0 : C_DOUBLE_W) : INF;
    default: return b == Q_S ? 0 : INF;           /* Q_W2 */
    }
}

/* Strength the template gives absolute syllable j (past its end: the last foot repeats). */
static int templ_strong(const char *tpos, int tl, int j) {
    if (j < tl) return tpos[j];
    return tl >= 2 ? tpos[tl - 2 + ((j - tl) & 1)] : 0;
}

/* Best path through one reading's syllables from state q0 to each end state: cost T[qe],
 * strong-position mask M[qe].  With a template, a position that disagrees with it at
 * absolute index abs0 + k costs C_OFF_TEMPLATE. */
static void word_path(const en_reading *r, int q0, const char *tpos, int tl, int abs0, int ternary,
                      int rising, int T[NE], uint32_t M[NE]) {
    int cost[NE], ncost[NE];
    uint32_t mask[NE], nmask[NE];
    for (int q = 0; q < NE; q++) { cost[q] = INF; mask[q] = 0; }
    for (int k = 0; k < r->nsyl; k++) {
        int ts = tpos ? templ_strong(tpos, tl, abs0 + k) : -1;
        for (int q = 0; q < NE; q++) { ncost[q] = INF; nmask[q] = 0; }
        for (int b = 0; b < NE; b++) {
            int sc = cost_in(r->cls, r->nsyl, k, b == Q_S) + (ts >= 0 && ts != (b == Q_S) ? C_OFF_TEMPLATE : 0);
            for (int a = 0; a < NQ; a++) {
                int base = k == 0 ? (a == q0 ? 0 : INF) : (a < NE ? cost[a] : INF);
                if (base >= INF) continue;
                int t = trans(a, b, ternary, rising);
                if (t >= INF) continue;
                int v = base + t + sc;
                if (v < ncost[b]) {
                    ncost[b] = v;
                    nmask[b] = (k == 0 ? 0 : mask[a]) | (b == Q_S ? 1u << k : 0);
                }
            }
        }
        memcpy(cost, ncost, sizeof cost);
        memcpy(mask, nmask, sizeof mask);
    }
    for (int q = 0; q < NE; q++) { T[q] = cost[q]; M[q] = mask[q]; }
}

#define MW 64     /* words fitted */
#define CW 24     /* syllable-count cells per word boundary (target mode) */

typedef struct back { signed char r, q0; unsigned char rel; uint32_t mask; } back;

int en_meter_parse(const en_mword *w, int nw, int target, const char *templ, const en_prior *prior,
                   int *choice, char *stress, int stress_size, en_parse_info *info) {
    int ternary = prior && prior->ternary, rising = prior && prior->rising;
    if (nw > MW) nw = MW;
    int tl = 0;
    char tpos[EN_METER_MAX];
    if (templ)
        for (const char *t = templ; *t && tl < EN_METER_MAX; t++) {
            if (*t == '+' || *t == '1') tpos[tl++] = 1;
            else if (*t == '-' || *t == '0') tpos[tl++] = 0;
        }
    if (tl > 0) target = tl;
    int counted = target > 0;
    /* prefix minimum of syllables: cells are counts relative to it */
    int pmin[MW + 1];
    pmin[0] = 0;
    for (int i = 0; i < nw; i++) {
        int mn = w[i].rd[0].nsyl;
        for (int r = 1; r < w[i].nrd; r++) if (w[i].rd[r].nsyl < mn) mn = w[i].rd[r].nsyl;
        pmin[i + 1] = pmin[i] + mn;
    }
    int ncell = counted ? CW : 1;
    int cost[2][CW][NQ];
    back bk[MW][CW][NQ];
    for (int c = 0; c < ncell; c++) for (int q = 0; q < NQ; q++) cost[0][c][q] = INF;
    cost[0][0][Q_START] = 0;
    for (int i = 0; i < nw; i++) {
        int (*cur)[NQ] = cost[i & 1], (*nxt)[NQ] = cost[(i + 1) & 1];
        for (int c = 0; c < ncell; c++) for (int q = 0; q < NQ; q++) { nxt[c][q] = INF; bk[i][c][q].r = -1; }
        int nrd = w[i].nrd < 4 ? w[i].nrd : 4;
        for (int r = 0; r < nrd; r++) {
            const en_reading *rd = &w[i].rd[r];
            int T[NQ][NE];
            uint32_t M[NQ][NE];
            if (!tl && rd->nsyl > 0)   /* no template: the word's paths do not depend on where it starts */
                for (int q0 = 0; q0 < NQ; q0++) word_path(rd, q0, NULL, 0, 0, ternary, rising, T[q0], M[q0]);
            int rc = reading_cost(rd);
            for (int c = 0; c < ncell; c++) {
                int nc = counted ? c + pmin[i] + rd->nsyl - pmin[i + 1] : 0;
                if (nc < 0 || nc >= ncell) continue;
                for (int q0 = 0; q0 < NQ; q0++) {
                    int base = cur[c][q0];
                    if (base >= INF) continue;
                    if (rd->nsyl == 0) {
                        int v = base + rc;
                        if (v < nxt[nc][q0]) { nxt[nc][q0] = v; bk[i][nc][q0] = (back){(signed char)r, (signed char)q0, (unsigned char)c, 0}; }
                        continue;
                    }
                    if (tl) word_path(rd, q0, tpos, tl, c + pmin[i], ternary, rising, T[q0], M[q0]);
                    for (int qe = 0; qe < NE; qe++) {
                        int t = T[q0][qe];
                        if (t >= INF) continue;
                        int v = base + rc + t;
                        if (v < nxt[nc][qe]) { nxt[nc][qe] = v; bk[i][nc][qe] = (back){(signed char)r, (signed char)q0, (unsigned char)c, M[q0][qe]}; }
                    }
                }
            }
        }
    }
    /* the end: nearest count to the target, then the cheapest parse */
    int (*fin)[NQ] = cost[nw & 1];
    int bc = -1, bq = -1, bv = INF, bd = INF;
    for (int c = 0; c < ncell; c++)
        for (int q = 0; q < NQ; q++) {
            if (fin[c][q] >= INF) continue;
            int v = fin[c][q] + (q == Q_W2 ? C_END_W2 : 0);
            int dist = counted ? (c + pmin[nw] > target ? c + pmin[nw] - target : target - c - pmin[nw]) : 0;
            if (dist < bd || (dist == bd && v < bv)) { bd = dist; bv = v; bc = c; bq = q; }
        }
    uint32_t masks[MW];
    for (int i = 0; i < nw; i++) { choice[i] = 0; masks[i] = 0; }
    if (bc >= 0)
        for (int i = nw - 1, c = bc, q = bq; i >= 0; i--) {
            back b = bk[i][c][q];
            if (b.r < 0) break;   /* cannot happen on a finite path */
            choice[i] = b.r;
            masks[i] = b.mask;
            c = b.rel; q = b.q0;
        }
    int n = 0, total = 0, beats = 0, doubles = 0, prev_strong = 1, onset = -1;
    char prev = '0';
    if (info) info->first = 0;
    for (int i = 0; i < nw; i++) {
        const en_reading *rd = &w[i].rd[choice[i]];
        total += rd->nsyl;
        for (int k = 0; k < rd->nsyl; k++, n++) {
            int strong = (masks[i] >> k) & 1;
            beats += strong;
            if (strong && onset < 0) onset = n;
            if (n == 0 && info) info->first = rd->cls[k];
            char r = realise(rd->cls, rd->nsyl, k, strong, ternary);
            /* A stress clash that readers resolve: a function word promoted to a beat right
             * after a weak syllable that keeps its stress stays light, the stress being the
             * content word's ("stamped on these", "ROUND the de-CAY", "the FROST out OF" read
             * FROST out of).  Both gold sets agree: stress +0.2 on each one's tuning part. */
            if (strong && rd->cls[k] == 'F' && !prev_strong && prev == '1' && n > 0) r = '0';
            doubles += !strong && !prev_strong;
            prev_strong = strong;
            prev = r;
            if (n < stress_size - 1) stress[n] = r;
        }
    }
    if (stress_size > 0) stress[n < stress_size - 1 ? n : stress_size - 1] = 0;
    if (info) { info->cost = bv; info->beats = beats; info->doubles = doubles; info->onset = onset < 0 ? n : onset; }
    return total;
}
