/* src/prosody/en_cut.c — an English word's letters cut into the syllables its scansion
 * counts, for a reader to see which letters carry a stress (vers serve's page, the
 * "parts" of `vers check --json`).  The count is given (the reading the metre chose:
 * "heaven" as one syllable or two); the spelling only says where the cuts fall:
 *   1. vowel letters (a e i o u; y unless it opens a syllable: yes, beyond; u after q, and
 *      after g before a vowel: quiet, guard) make groups, one syllable each, except a
 *      silent e: final after a consonant (compare, fire; not -le: lit-tle), or before a
 *      final -s/-d (loves, loved);
 *   2. too many groups for the count: an e between consonants goes first (ev'ry, heav'n),
 *      then another one-letter group inside the word (fam'ly), then the last group;
 *   3. too few: a group is split where two vowels are heard apart (qui-et, glo-ri-ous,
 *      be-ing, cru-el, cre-ate, po-em), then a silent e is heard (wan-ted, ro-ses,
 *      fi-re), then the longest group is split, then a syllabic l/m/n/r (rhy-thm);
 *   4. between two syllables one consonant goes to the second (pa-per), a pair that opens
 *      syllables stays together (mo-ther, chil-dren, lit-tle), ck ng gh stay with the
 *      first (sing-er), else the last consonant goes to the second (sum-mer, com-pare).
 * No allocation; words are at most EN_SPLIT_MAX letters (en_split.c). */
#include "prosody/en_internal.h"
#include <string.h>

#define CUT_MAX 128

static int is_vowel_letter(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* A letter pair that opens English syllables (between vowels it goes to the second). */
static int onset_pair(char a, char b) {
    static const char *const pairs[] = {"bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "gu", "kn",
                                        "ph", "pl", "pr", "qu", "sh", "th", "tr", "wh", "wr"};
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        if (pairs[i][0] == a && pairs[i][1] == b) return 1;
    return 0;
}

static int coda_pair(char a, char b) {
    return (a == 'c' && b == 'k') || (a == 'n' && b == 'g') || (a == 'g' && b == 'h');
}

typedef struct group { int s, e; int on; int silent; } group;   /* letters [s, e) */

/* Where a group of vowels is best heard as two (the letter the second begins at), with a
 * rank (lower first); 0 when it has no place. */
static int hiatus(const char *w, int n, const group *g, int *rank) {
    int best = 0, br = 99;
    for (int p = g->s + 1; p < g->e; p++) {
        char a = w[p - 1], b = w[p];
        char before = p - 2 >= 0 ? w[p - 2] : 0;
        int r = 99;
        if ((a == 'i' || a == 'y') && !(b == 'e' && p + 1 == n)) r = 1;             /* qui-et, glo-ri-ous, ly-ing */
        else if (b == 'i' && p + 2 < n && w[p + 1] == 'n' && w[p + 2] == 'g') r = 2;  /* be-ing, go-ing */
        else if (a == 'u' && before != 'q' && before != 'g') r = 3;                   /* cru-el, ru-in */
        else if (a == 'e' && (b == 'a' || b == 'o')) r = 4;                           /* cre-ate, the-o-ry */
        else if (a == 'o' && (b == 'e' || b == 'a' || b == 'i')) r = 5;               /* po-em, sto-ic */
        if (r < br) { br = r; best = p; }
    }
    *rank = br;
    return best;
}

void en_syllable_cuts(const char *w, size_t len, int nsyl, int *cut) {
    if (nsyl <= 0 || !cut) return;
    cut[0] = 0;
    if (nsyl == 1) return;
    int n = len > CUT_MAX ? CUT_MAX : (int)len;
    unsigned char v[CUT_MAX];
    for (int i = 0; i < n; i++) {
        char c = w[i], nx = i + 1 < n ? w[i + 1] : 0, pv = i > 0 ? w[i - 1] : 0;
        v[i] = (unsigned char)is_vowel_letter(c);
        if (c == 'y') v[i] = !(is_vowel_letter(nx) && (i == 0 || is_vowel_letter(pv)));
        if (c == 'u' && (pv == 'q' || (pv == 'g' && is_vowel_letter(nx)))) v[i] = 0;
    }
    /* 1. groups */
    group g[CUT_MAX];
    int ng = 0;
    for (int i = 0; i < n;) {
        if (!v[i]) { i++; continue; }
        int s = i;
        while (i < n && v[i]) i++;
        g[ng++] = (group){s, i, 1, 0};
    }
    if (ng > 1) {
        group *l = &g[ng - 1];
        int after = n - l->e;                   /* letters after the last group */
        int single_e = l->e - l->s == 1 && w[l->s] == 'e' && l->s > 0 && !v[l->s - 1] && w[l->s - 1] != '\'';
        int le = l->s >= 2 && w[l->s - 1] == 'l' && !v[l->s - 2];
        if (single_e && after == 0 && !le) l->silent = 1;                               /* compare, fire */
        if (single_e && after == 1 && (w[n - 1] == 's' || w[n - 1] == 'd')) l->silent = 1;  /* loves, loved */
        if (l->silent) l->on = 0;
    }
    int on = 0;
    for (int k = 0; k < ng; k++) on += g[k].on;
    /* 2. too many */
    while (on > nsyl) {
        int drop = -1;
        for (int k = ng - 2; k >= 1 && drop < 0; k--)          /* ev'ry, heav'n: an e inside */
            if (g[k].on && g[k].e - g[k].s == 1 && w[g[k].s] == 'e') drop = k;
        if (drop < 0 && ng >= 2 && g[ng - 1].on && g[ng - 1].e - g[ng - 1].s == 1 && w[g[ng - 1].s] == 'e') drop = ng - 1;
        for (int k = ng - 2; k >= 1 && drop < 0; k--)          /* fam'ly */
            if (g[k].on && g[k].e - g[k].s == 1) drop = k;
        for (int k = ng - 1; k >= 1 && drop < 0; k--) if (g[k].on) drop = k;
        if (drop < 0) break;
        g[drop].on = 0;
        on--;
    }
    /* 3. too few: split a group, hear a silent e, split again, a syllabic consonant */
    while (on < nsyl && ng < CUT_MAX) {
        int at = -1, best = 0, br = 99;
        for (int k = 0; k < ng; k++) {
            if (!g[k].on) continue;
            int r, p = hiatus(w, n, &g[k], &r);
            if (p && r < br) { br = r; best = p; at = k; }
        }
        if (at < 0)
            for (int k = ng - 1; k >= 0 && at < 0; k--)
                if (g[k].silent && !g[k].on) { g[k].on = 1; g[k].silent = 0; on++; at = -2; }
        if (at == -2) continue;
        if (at < 0) {
            int longest = 1;
            for (int k = 0; k < ng; k++)
                if (g[k].on && g[k].e - g[k].s > longest) { longest = g[k].e - g[k].s; at = k; }
            if (at >= 0) best = g[at].s + (g[at].e - g[at].s) / 2;
        }
        if (at < 0) {
            /* rhy-thm, pri-sm: l m n r after a consonant, past the last syllable */
            int last = 0;
            for (int k = 0; k < ng; k++) if (g[k].on) last = g[k].e;
            int p = -1;
            for (int i = n - 1; i > last && p < 0; i--)
                if ((w[i] == 'l' || w[i] == 'm' || w[i] == 'n' || w[i] == 'r') && !v[i - 1] && w[i - 1] != '\'') p = i;
            if (p < 0) break;
            int k = ng;
            while (k > 0 && g[k - 1].s > p) k--;
            memmove(&g[k + 1], &g[k], sizeof *g * (size_t)(ng - k));
            g[k] = (group){p, p + 1, 1, 0};
            ng++;
            on++;
            continue;
        }
        /* split g[at] at best: the second half is a group of its own, after it */
        memmove(&g[at + 2], &g[at + 1], sizeof *g * (size_t)(ng - at - 1));
        g[at + 1] = (group){best, g[at].e, 1, 0};
        g[at].e = best;
        ng++;
        on++;
    }
    /* 4. the cuts between the syllables' vowels */
    int k = 1, prev = -1;
    for (int j = 0; j < ng; j++) {
        if (!g[j].on) continue;
        if (prev >= 0 && k < nsyl) {
            int e = g[prev].e, s = g[j].s, c = s - e, at;
            int final_le = s == n - 1 && w[s] == 'e' && s >= 1 && w[s - 1] == 'l';
            if (c == 0) at = s;
            else if (c >= 2 && (onset_pair(w[s - 2], w[s - 1]) || final_le)) at = s - 2;   /* mo-ther, lit-tle */
            else if (c == 2 && coda_pair(w[e], w[e + 1])) at = s;                          /* sing-er */
            else at = s - 1;                                                               /* pa-per, sum-mer */
            cut[k++] = at;
        }
        prev = j;
    }
    /* fewer places than syllables (an abbreviation read out): what remains gets a letter
     * each while there are letters, then none */
    for (; k < nsyl; k++) cut[k] = cut[k - 1] < n ? cut[k - 1] + 1 : n;
}
