/* src/prosody/scheme.c — rhyme-scheme detection: which lines of a poem rhyme together.
 *
 * Each stanza is read on its own first:
 *   1. a greedy grouping: exact rhymes first (a line joins the best earlier partner),
 *      then lone lines join a partner through a final-syllable rhyme (wrenched rhymes:
 *      "sea"/"melody"), then through a slant or eye rhyme;
 *   2. that grouping competes with the usual stanza patterns of its length (couplets,
 *      alternate and enclosed quatrains, ballad ABCB, terza rima, sizains, rhyme royal,
 *      ottava rima, sonnets ...): each candidate is scored over the line pairs it links
 *      and leaves apart (a linked pair that does not rhyme costs, an unlinked perfect rhyme
 *      costs), patterns get a small prior, and the best candidate wins.  Poets use the
 *      patterns, and a weak rhyme in a pattern's place (Browning's "enough/off/proof")
 *      is then read as the rhyme the stanza asks for.
 * Then stanzas are linked over the whole poem: a rhyme of a stanza takes the letter of an
 * earlier stanza's rhyme when they rhyme exactly (a sonnet's second quatrain reuses A, B).
 * Pairs are only compared within a window of lines, and the letters are linked through
 * per-class and per-group tables, so the work is linear in the lines, also when one stanza
 * holds them all (a 10^6-line stanza: bench/bench_scheme.c; the growth is tested through
 * scheme_detect_work). */
#include "prosody/prosody_internal.h"
#include <stdlib.h>
#include <string.h>

#define WINDOW 16           /* lines compared backwards when grouping */
#define REACH 2             /* pairs scored by partition_score: at most this far apart.  Further
                               pairs are left to the patterns: a sound taken up again two
                               quatrains later is a new rhyme (ABAB CDCD EFEF, not ABAB CDCD ABAB) */
#define GAP 4               /* greedy: a class is not joined again after this many lines */
#define PRIOR_BASE 1.0      /* a known pattern's prior, plus PRIOR_PER_LINE per line: a pattern */
#define PRIOR_PER_LINE 0.3  /* explains more in a long stanza (a sonnet) than in a couplet */
#define USUAL_BONUS 3.0     /* a stanza's lean toward its poem's usual scheme (one perfect rhyme) */

_Thread_local unsigned long long scheme_detect_work;

char scheme_letter(int g) {
    if (g < 0) return '-';
    g %= 52;
    return (char)(g < 26 ? 'A' + g : 'a' + g - 26);
}

/* ---- candidate patterns: class of line i of a stanza of m lines, -1 = not this length ---- */

typedef struct pattern { const char *letters; int cyclic; } pattern;

/* Cyclic patterns repeat with fresh letters (the shift of form schemes); fixed ones only
 * apply to stanzas of exactly their length. */
static const pattern patterns[] = {
    {"AA", 1}, {"ABAB", 1}, {"ABBA", 1}, {"ABCB", 1}, {"AAA", 1}, {"AABCCB", 1},
    {"A", 0}, {"AABB", 0}, {"ABA", 0}, {"AABA", 0}, {"ABABB", 0}, {"ABAAB", 0}, {"AABBA", 0},
    {"ABABCC", 0}, {"AABBCC", 0}, {"ABABBCC", 0}, {"ABABABCC", 0}, {"ABABCDCD", 0},
    {"ABABBCBC", 0}, {"ABABBCBCC", 0}, {"AABCCBDDB", 0}, {"ABABCCDEED", 0},
    {"ABBAABBACDECDE", 0}, {"ABBAABBACDCDCD", 0}, {"ABBAABBACDDCEE", 0}, {"ABBAABBACDEDCE", 0},
    {"ABBAABBACCDEED", 0}, {"ABBAABBACCDEDE", 0}, {"ABABCDCDEFEFGG", 0}, {"ABABBCBCCDCDEE", 0},
    {"ABAABBACDDCEEC", 0}, {"ABABABCDCDCD", 0}, {"ABAABAABAABAABAA", 0},
    {"ABAABAABAABAABAABAA", 0},
};
#define N_PATTERNS (int)(sizeof patterns / sizeof patterns[0])

/* Terza rima ABA BCB CDC ... is cyclic with a shift of one: built separately. */
static int pattern_class(int p, int i, int m) {
    if (p == N_PATTERNS) {            /* terza rima */
        int k = i / 3, r = i % 3;
        return r == 1 ? k + 1 : k;
    }
    const pattern *pt = &patterns[p];
    int len = (int)strlen(pt->letters);
    if (!pt->cyclic || m % len) {
        /* a cyclic pattern only in whole cycles: couplets do not explain a limerick
         * (AABB + a lone line), the greedy grouping still can */
        if (m != len) return -2;
        return pt->letters[i] - 'A';
    }
    int distinct = 0;
    for (int k = 0; k < len; k++) if (pt->letters[k] - 'A' + 1 > distinct) distinct = pt->letters[k] - 'A' + 1;
    return (i / len) * distinct + (pt->letters[i % len] - 'A');
}

/* Pair weights: what linking (or not linking) two lines with this rhyme score is worth. */
static double link_gain(int sc) {
    if (sc >= 30) return 3.0;
    if (sc >= 20) return 3.0;
    if (sc >= 15) return 2.0;
    if (sc >= 10) return 0.5;
    if (sc >= 5) return 0.5;
    return -2.5;
}
static double apart_cost(int sc) {
    if (sc >= 30) return 1.0;          /* the same word twice need not be a rhyme */
    if (sc >= 20) return 2.0;
    if (sc >= 15) return 1.0;
    if (sc >= 10) return 0.3;
    return 0.0;
}

/* Score of a partition cls[0..m-1] of a stanza given the pair scores S (m x WINDOW).
 * Near pairs (REACH) count both ways.  A line linked further back is scored against its
 * class's nearest earlier line too: a link is a claim that the lines rhyme, so that
 * "Crewe / blue ... through" (AABBA) beats the couplets AABBC, which leave the far perfect
 * rhyme apart for free. */
static double partition_score(const int *cls, int m, const int *S) {
    double s = 0;
    for (int i = 0; i < m; i++)
        for (int d = 1; d <= REACH && i + d < m; d++) {
            scheme_detect_work++;
            int sc = S[i * WINDOW + d - 1];
            if (sc < 0) continue;          /* a line without a rhyme word */
            if (cls[i] == cls[i + d]) s += link_gain(sc);
            else s -= apart_cost(sc);
        }
    for (int j = 0; j < m; j++) {
        int i = j - 1;
        while (i >= 0 && j - i <= REACH && cls[i] != cls[j]) i--;
        if (i >= 0 && j - i <= REACH) continue;        /* linked nearby: scored above */
        for (i = j - REACH - 1; i >= 0 && j - i <= WINDOW && cls[i] != cls[j]; i--) {}
        if (i < 0 || j - i > WINDOW) continue;
        int sc = S[i * WINDOW + (j - i) - 1];
        if (sc >= 0) s += link_gain(sc);
    }
    return s;
}

/* Greedy grouping of one stanza (classes from 0); lines without words get -1. */
static void greedy(const vers_line *L, int m, const int *S, int *cls) {
    int *size = calloc((size_t)m + 1, sizeof *size);
    int *last = calloc((size_t)m + 1, sizeof *last);   /* per class: its latest line */
    int next = 0;
    for (int i = 0; i < m; i++) {
        cls[i] = -1;
        if (!L[i].last_word[0]) continue;
        int best = -1, best_sc = 0;
        for (int d = 1; d <= WINDOW && i - d >= 0; d++) {
            int j = i - d;
            scheme_detect_work++;
            if (cls[j] < 0) continue;
            int sc = S[j * WINDOW + d - 1];
            if (last && i - last[cls[j]] > GAP) continue;   /* a rhyme taken up again later is a new one */
            if (sc >= 20 && sc > best_sc) { best = j; best_sc = sc; }
        }
        cls[i] = best >= 0 ? cls[best] : next++;
        if (size) size[cls[i]]++;
        if (last) last[cls[i]] = i;
    }
    /* lone lines: final-syllable rhymes, then slant and eye rhymes */
    for (int tier = 0; size && tier < 2; tier++) {
        int min = tier == 0 ? 15 : 5;
        for (int i = 0; i < m; i++) {
            if (cls[i] < 0 || size[cls[i]] != 1) continue;
            int best = -1, best_key = -1;
            for (int j = i - 1; j >= 0 && i - j <= WINDOW; j--) {
                scheme_detect_work++;
                if (cls[j] < 0) continue;
                int sc = S[j * WINDOW + (i - j) - 1];
                if (sc < min) continue;
                int key = (size[cls[j]] == 1) * 100 + sc;
                if (key > best_key) { best = j; best_key = key; }
            }
            if (best >= 0) { size[cls[i]]--; cls[i] = cls[best]; size[cls[i]]++; }
        }
    }
    free(size);
    free(last);
}

/* Canonical letters of a partition (relabelled from 'A' in order of first appearance). */
static void canon_of(const int *cls, int m, char *out) {
    int seen[64], n = 0;
    for (int i = 0; i < m; i++) {
        int k = -1;
        for (int j = 0; j < n; j++) if (seen[j] == cls[i]) k = j;
        scheme_detect_work++;
        if (k < 0 && n < 64) { seen[n] = cls[i]; k = n++; }
        out[i] = (char)(k < 0 ? '?' : k < 26 ? 'A' + k : 'a' + (k - 26) % 26);
    }
    out[m] = 0;
}

/* Detects the scheme of one stanza (lines L[0..m-1]) into cls (classes from 0).
 * prefer (may be NULL): the poem's usual scheme for stanzas of this length, worth bonus. */
static int stanza_scheme(rhyme_memo *rm, const vers_line *L, int s0, int m, int *cls, const char *prefer, double bonus) {
    int *S = malloc(sizeof *S * (size_t)m * WINDOW);
    int *cand = malloc(sizeof *cand * (size_t)m);
    if (!S || !cand) { free(S); free(cand); return -1; }
    for (int i = 0; i < m; i++)
        for (int d = 1; d <= WINDOW; d++) {
            int j = i + d;
            scheme_detect_work++;
            S[i * WINDOW + d - 1] = j < m && L[i].last_word[0] && L[j].last_word[0] ? rhyme_memo_score(rm, s0 + i, s0 + j) : -1;
        }
    L += s0;
    greedy(L, m, S, cls);
    char *cb = prefer ? malloc((size_t)m + 1) : NULL;
    double best = partition_score(cls, m, S);
    if (cb) { canon_of(cls, m, cb); if (!strcmp(cb, prefer)) best += bonus; }
    if (m >= 2) {
        for (int pt = 0; pt <= N_PATTERNS; pt++) {
            int ok = 1;
            for (int i = 0; i < m && ok; i++) {
                scheme_detect_work++;
                cand[i] = pattern_class(pt, i, m);
                if (cand[i] == -2) ok = 0;
                else if (!L[i].last_word[0]) cand[i] = -1 - i;   /* no word: a class of its own */
            }
            if (!ok) continue;
            double sc = partition_score(cand, m, S) + PRIOR_BASE + PRIOR_PER_LINE * m;
            if (cb) { canon_of(cand, m, cb); if (!strcmp(cb, prefer)) sc += bonus; }
            if (sc > best) {
                best = sc;
                memcpy(cls, cand, sizeof *cls * (size_t)m);
            }
        }
    }
    free(S);
    free(cand);
    free(cb);
    return 0;
}

/* Stanzas ordered by length, then by canonical scheme: the usual scheme of every length is
 * found in one pass over this order (n log n however many lengths the poem has). */
static _Thread_local char **sort_canon;   /* per thread: analyses may run in parallel */
static _Thread_local const int *sort_len;
static int cmp_stanza(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    scheme_detect_work++;
    if (sort_len[x] != sort_len[y]) return sort_len[x] < sort_len[y] ? -1 : 1;
    int c = strcmp(sort_canon[x], sort_canon[y]);
    return c ? c : (x > y) - (x < y);
}

/* pref[k] = the poem's usual scheme for stanzas of stanza k's length: the most frequent
 * canonical scheme among them when it covers at least half of them (and two stanzas),
 * else NULL (ties: the first in sorted order).  Returns -1 on allocation failure. */
static int usual_schemes(char **canon, const int *len, int ns, const char **pref) {
    int *ord = malloc(sizeof *ord * (size_t)ns);
    if (!ord) return -1;
    for (int k = 0; k < ns; k++) ord[k] = k;
    sort_canon = canon; sort_len = len;     /* qsort has no context argument in C11 */
    qsort(ord, (size_t)ns, sizeof *ord, cmp_stanza);
    for (int a = 0; a < ns;) {
        int e = a;                          /* [a, e): the stanzas of one length */
        while (e < ns && len[ord[e]] == len[ord[a]]) e++;
        const char *best = NULL;
        int best_n = 0;
        for (int r = a; r < e;) {
            int q = r + 1;
            while (q < e && !strcmp(canon[ord[r]], canon[ord[q]])) q++;
            scheme_detect_work += (unsigned long long)(q - r);
            if (q - r > best_n) { best_n = q - r; best = canon[ord[r]]; }
            r = q;
        }
        if (!(best && best_n >= 2 && best_n * 2 >= e - a)) best = NULL;
        for (int r = a; r < e; r++) pref[ord[r]] = best;
        a = e;
    }
    free(ord);
    return 0;
}

int scheme_detect(const vers_prosody *p, const vers_line *L, const int *stanza, int n, int *ids) {
    if (n <= 0) return 0;
    int *cls = malloc(sizeof *cls * (size_t)n);
    int *first = malloc(sizeof *first * (size_t)n);   /* per global group: its first line */
    int *start = malloc(sizeof *start * (size_t)(n + 1)), *len = malloc(sizeof *len * (size_t)(n + 1));
    char **canon = calloc((size_t)n + 1, sizeof *canon);
    const char **pref = NULL;
    int *used = NULL, *class_gid = NULL, *class_k = NULL, n_class = 0;
    int rc = -1, ns = 0;
    rhyme_memo *rm = rhyme_memo_new(p, L, n);    /* each distinct pair of endings scored once */
    if (!cls || !first || !start || !len || !canon || !rm) goto out;
    for (int s0 = 0; s0 < n;) {
        int m = 1;
        while (s0 + m < n && stanza[s0 + m] == stanza[s0]) m++;
        start[ns] = s0; len[ns] = m; ns++;
        s0 += m;
    }
    /* pass 1: each stanza alone */
    for (int k = 0; k < ns; k++) {
        if (stanza_scheme(rm, L, start[k], len[k], cls + start[k], NULL, 0)) goto out;
        if (!(canon[k] = malloc((size_t)len[k] + 1))) goto out;
        canon_of(cls + start[k], len[k], canon[k]);
    }
    /* pass 2: stanzas lean toward the poem's usual scheme for their length */
    double bonus = USUAL_BONUS;
    if (ns > 2) {
        if (!(pref = malloc(sizeof *pref * (size_t)ns)) || usual_schemes(canon, len, ns, pref)) goto out;
        for (int k = 0; k < ns; k++)
            if (pref[k] && strcmp(pref[k], canon[k]) && stanza_scheme(rm, L, start[k], len[k], cls + start[k], pref[k], bonus)) goto out;
    }
    /* used[g] = the last stanza whose lines took group g (two rhymes of one stanza never
     * share a letter); class_gid[c] = the group of class c in the current stanza, valid
     * while class_k[c] is that stanza.  Tables, not scans: one stanza may hold every line. */
    if (!(used = malloc(sizeof *used * (size_t)n))) goto out;
    int n_groups = 0;
    for (int k = 0; k < ns; k++) {
        int s0 = start[k], m = len[k], max_c = -1;
        for (int i = s0; i < s0 + m; i++) if (L[i].last_word[0] && cls[i] > max_c) max_c = cls[i];
        if (max_c >= n_class) {                /* classes are < m + 26 (patterns) */
            int nc = max_c + 1;
            int *a = realloc(class_gid, sizeof *a * (size_t)nc), *b = a ? realloc(class_k, sizeof *b * (size_t)nc) : NULL;
            if (a) class_gid = a;
            if (!a || !b) goto out;
            class_k = b;
            for (int c = n_class; c < nc; c++) class_k[c] = -1;
            n_class = nc;
        }
        /* classes of this stanza → global groups: link to an earlier stanza's group when
         * the class's first line rhymes exactly with one of that group's lines nearby */
        for (int i = s0; i < s0 + m; i++) {
            if (!L[i].last_word[0]) { ids[i] = -1; continue; }
            int c = cls[i];                    /* >= 0: a line with a word has a class */
            scheme_detect_work++;
            if (c >= 0 && class_k[c] == k) { ids[i] = class_gid[c]; continue; }
            int link = -1, best = 0;
            for (int j = s0 - 1; j >= 0 && i - j <= WINDOW; j--) {
                scheme_detect_work++;
                if (ids[j] < 0 || used[ids[j]] == k) continue;
                int sc = rhyme_memo_score(rm, i, j);
                if (sc >= 20 && sc > best) { best = sc; link = ids[j]; }
            }
            if (link >= 0) ids[i] = link;
            else { first[n_groups] = i; used[n_groups] = -1; ids[i] = n_groups++; }
            used[ids[i]] = k;
            if (c >= 0) { class_k[c] = k; class_gid[c] = ids[i]; }
        }
    }
    /* renumber in order of first appearance */
    int *map = first;
    for (int g = 0; g < n_groups; g++) map[g] = -1;
    int next = 0;
    for (int i = 0; i < n; i++) {
        if (ids[i] < 0) continue;
        if (map[ids[i]] < 0) map[ids[i]] = next++;
        ids[i] = map[ids[i]];
    }
    rc = next;
out:
    if (canon) for (int k = 0; k < ns; k++) free(canon[k]);
    free(canon); free(cls); free(first); free(start); free(len);
    free(pref); free(used); free(class_gid); free(class_k);
    rhyme_memo_free(rm);
    return rc;
}
