/* src/prosody/en_meter.c — fitting a line's syllables to a metre, to say which are stressed.
 *
 * Dictionary stress is not the stress a reader gives a line: "Could frame thy fearful
 * symmetry" is read 01010101, the monosyllable "thy" and the last syllable of "symmetry"
 * taking the stress the iambic metre gives them.  So, as metrical parsers do (Hanson &
 * Kiparsky; Heuser's Prosodic), we parse the syllables into alternating strong (S) and
 * weak (W) positions by dynamic programming.  A W position holds one or two syllables, so
 * iambic, trochaic, anapestic and dactylic lines and their usual variations (initial
 * inversion, feminine ending, headless line, an extra weak syllable) are all parses; each
 * parse pays for
 *   - a primary stress of a polysyllable in W, a content monosyllable in W (less),
 *   - an unstressed syllable of a polysyllable in S (less when its neighbours in the word
 *     are unstressed too, as in sym-me-TRY, where readers promote it),
 *   - two weak syllables in one position, and two S positions in a row (a clash).
 * The cheapest parse then decides the ambiguous syllables: lexical stress stays, the
 * others take their position's value.  With a template (en_scan_meter) the positions are
 * given.  Cost: O(n) with 3 states — nanoseconds per syllable. */
#include "prosody/en_internal.h"
#include <string.h>

enum { ST_S, ST_W1, ST_W2, NST };

/* Costs in tenths. */
enum {
    C_P_IN_W = 20, C_S_IN_W = 3, C_C_IN_W = 7, C_F_IN_S = 5,
    C_U_IN_S = 15, C_UPROM_IN_S = 6,
    C_DOUBLE_W = 6, C_CLASH = 15, C_END_W2 = 4,
};

/* U that readers may promote: not next to the word's primary stress. */
static int promotable(const en_syl *syl, int n, int i) {
    if (syl[i].cls != 'U' || syl[i].word_len < 3) return 0;
    if (i > 0 && syl[i - 1].word == syl[i].word && syl[i - 1].cls == 'P') return 0;
    if (i + 1 < n && syl[i + 1].word == syl[i].word && syl[i + 1].cls == 'P') return 0;
    return 1;
}

static int cost_in(const en_syl *syl, int n, int i, int strong) {
    char c = syl[i].cls;
    if (strong) {
        if (c == 'F') return C_F_IN_S;
        if (c == 'U') return promotable(syl, n, i) ? C_UPROM_IN_S : C_U_IN_S;
        return 0;
    }
    if (c == 'P') return C_P_IN_W;
    if (c == 'S') return C_S_IN_W;
    if (c == 'C') return C_C_IN_W;
    return 0;
}

static char realise(const en_syl *syl, int n, int i, int strong) {
    char c = syl[i].cls;
    if (strong) return (c == 'U' && !promotable(syl, n, i)) ? '0' : '1';
    return (c == 'P' || c == 'C') ? '1' : '0';
}

void en_meter_fit(const en_syl *syl, int n, const char *templ, char *stress) {
    if (n <= 0) { stress[0] = 0; return; }
    if (n > EN_METER_MAX) n = EN_METER_MAX;
    if (templ) {
        int tl = 0;
        char pos[EN_METER_MAX];
        for (const char *t = templ; *t && tl < EN_METER_MAX; t++) {
            if (*t == '+' || *t == '1') pos[tl++] = 1;
            else if (*t == '-' || *t == '0') pos[tl++] = 0;
        }
        if (tl == n) {
            for (int i = 0; i < n; i++) stress[i] = realise(syl, n, i, pos[i]);
            stress[n] = 0;
            return;
        }
    }
    int cost[EN_METER_MAX][NST];
    signed char from[EN_METER_MAX][NST];
    const int INF = 1 << 28;
    for (int s = 0; s < NST; s++) { cost[0][s] = INF; from[0][s] = -1; }
    cost[0][ST_S] = cost_in(syl, n, 0, 1);
    cost[0][ST_W1] = cost_in(syl, n, 0, 0);
    for (int i = 1; i < n; i++) {
        int cs = cost_in(syl, n, i, 1), cw = cost_in(syl, n, i, 0);
        /* into S: from W1, W2, or S (clash) */
        int b = cost[i - 1][ST_W1], bf = ST_W1;
        if (cost[i - 1][ST_W2] < b) { b = cost[i - 1][ST_W2]; bf = ST_W2; }
        if (cost[i - 1][ST_S] + C_CLASH < b) { b = cost[i - 1][ST_S] + C_CLASH; bf = ST_S; }
        cost[i][ST_S] = b + cs; from[i][ST_S] = (signed char)bf;
        /* into a new W: from S */
        cost[i][ST_W1] = cost[i - 1][ST_S] + cw; from[i][ST_W1] = ST_S;
        /* second syllable of a W */
        cost[i][ST_W2] = cost[i - 1][ST_W1] + C_DOUBLE_W + cw; from[i][ST_W2] = ST_W1;
    }
    int best = ST_S, bc = cost[n - 1][ST_S];
    if (cost[n - 1][ST_W1] < bc) { bc = cost[n - 1][ST_W1]; best = ST_W1; }
    if (cost[n - 1][ST_W2] + C_END_W2 < bc) { best = ST_W2; }
    for (int i = n - 1; i >= 0; i--) {
        stress[i] = realise(syl, n, i, best == ST_S);
        best = from[i][best];
        if (best < 0) best = ST_S;
    }
    stress[n] = 0;
}
