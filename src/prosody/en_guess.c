/* src/prosody/en_guess.c — rule-based letter-to-sound for words CMUdict lacks.
 *
 * Good enough for a scanner: it must get the number of syllables right (vowel groups, with
 * English spelling's silent letters: final -e, -ed and -es after most consonants, "-le"
 * after a consonant counting, vowel pairs that split such as "-ia", "-eo", "-uou"), a
 * plausible stress (by suffix and prefix, else on the first syllable), and a rhyme tail
 * close enough to CMUdict's ARPAbet for words to rhyme with dictionary words ("-ight" AY T,
 * "-ee" IY, "a_e" EY).  It reads lower-case ASCII with apostrophes removed by the caller. */
#include "prosody/en_internal.h"
#include <string.h>

static int is_v(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

/* Is letter i of w a vowel letter?  y is a consonant at the start of the word and
 * between a vowel and a vowel (beyond, lawyer); elsewhere a vowel (dying, rhyme). */
static int vowel_at(const char *w, size_t n, size_t i) {
    char c = w[i];
    if (c != 'y') return is_v(c);
    if (i == 0) return !(n > 1 && is_v(w[1]));
    if (i + 1 < n && is_v(w[i + 1]) && w[i + 1] != 'y' && is_v(w[i - 1]) && w[i - 1] != 'y') return 0;
    return 1;
}

static int ends_with(const char *w, size_t n, const char *suf) {
    size_t k = strlen(suf);
    return n >= k && memcmp(w + n - k, suf, k) == 0;
}

typedef struct gp { en_pron *p; int vowel_pos[24]; int nv; } gp;

static void push(gp *g, int ph) {
    if (g->p->n >= EN_MAX_PHONES) return;
    if (en_phone_is_vowel(ph)) {
        if (g->nv < 24) g->vowel_pos[g->nv++] = g->p->n;
        else return;
    }
    g->p->ph[g->p->n++] = EN_MK(ph, 0);
}

/* Vowel group starting at i (length gl) → phonemes.  open: followed by a single consonant
 * and a vowel, or a magic e (long vowel); final: nothing after but consonants. */
static void vowel_group(gp *g, const char *v, size_t gl, int open, const char *rest, size_t rn) {
    char a = v[0], b = gl > 1 ? v[1] : 0;
    int r_follows = rn > 0 && rest[0] == 'r' && (rn == 1 || !is_v(rest[1]));
    if (gl >= 2) {
        if (a == 'e' && b == 'e') { push(g, EN_IY); return; }
        if (a == 'e' && b == 'a') { push(g, r_follows ? EN_IH : EN_IY); return; }
        if (a == 'o' && b == 'o') { push(g, EN_UW); return; }
        if ((a == 'o' && b == 'u') || (a == 'o' && b == 'w')) {
            if (gl == 2 && rn >= 2 && rest[0] == 'g' && rest[1] == 'h') { push(g, EN_AO); return; }
            push(g, EN_AW); return;
        }
        if (a == 'o' && b == 'a') { push(g, EN_OW); return; }
        if ((a == 'a' && b == 'i') || (a == 'a' && b == 'y') || (a == 'e' && b == 'y') || (a == 'e' && b == 'i')) { push(g, EN_EY); return; }
        if ((a == 'o' && b == 'i') || (a == 'o' && b == 'y')) { push(g, EN_OY); return; }
        if ((a == 'a' && b == 'u') || (a == 'a' && b == 'w')) { push(g, EN_AO); return; }
        if (a == 'i' && b == 'e') { push(g, EN_IY); return; }
        if ((a == 'e' && b == 'w') || (a == 'u' && b == 'e') || (a == 'u' && b == 'i')) { push(g, EN_UW); return; }
        if (a == 'o' && b == 'e') { push(g, EN_OW); return; }
        if (a == 'y' && b == 'e') { push(g, EN_AY); return; }
    }
    if (r_follows && gl == 1) {
        switch (a) {
        case 'a': push(g, EN_AA); return;
        case 'o': push(g, EN_AO); return;
        case 'e': case 'i': case 'u': case 'y': push(g, EN_ER); return;
        }
    }
    if (a == 'i' && rn >= 2 && rest[0] == 'g' && rest[1] == 'h') { push(g, EN_AY); return; }
    switch (a) {
    case 'a': push(g, open ? EN_EY : EN_AE); return;
    case 'e': push(g, open ? EN_IY : EN_EH); return;
    case 'i': push(g, open ? EN_AY : EN_IH); return;
    case 'o': push(g, open ? EN_OW : EN_AA); return;
    case 'u': push(g, open ? EN_UW : EN_AH); return;
    case 'y': push(g, open ? EN_AY : EN_IH); return;
    }
    push(g, EN_AH);
}

/* Does the vowel pair a,b (inside one vowel letter run) split into two syllables? */
static int splits(const char *w, size_t n, size_t i) {
    char a = w[i], b = w[i + 1];
    if (a == 'i' && (b == 'a' || b == 'o')) {
        /* -tion, -sion, -cian, -gion, -cial: one syllable */
        if (i > 0 && (w[i - 1] == 't' || w[i - 1] == 's' || w[i - 1] == 'c' || w[i - 1] == 'g' || w[i - 1] == 'x'))
            return 0;
        return 1;
    }
    if (a == 'e' && b == 'o') return !(i > 0 && (w[i - 1] == 'g' || w[i - 1] == 'c'));
    if (a == 'u' && (b == 'a' || b == 'o')) return !(i > 0 && (w[i - 1] == 'q' || w[i - 1] == 'g'));
    if (a == 'i' && b == 'u') return 1;
    if (a == 'a' && b == 'e' && i + 2 < n) return 1;     /* Greek names: Pha-e-ton, Da-na-e */
    if (a == 'e' && b == 'a' && i + 2 < n && w[i + 2] == 'l' && i + 3 == n) return 1;   /* real, ideal */
    if (a == 'y' && is_v(b) && b != 'e') return 1;
    return 0;
}

void en_guess_pron(const char *w, size_t n, en_pron *out) {
    out->n = 0;
    gp g = {.p = out, .nv = 0};
    if (n == 0) return;
    /* Silent final e / -es / -ed: decide where the word's spoken letters end. */
    size_t end = n;
    int ed_suffix = 0, es_suffix = 0, le_suffix = 0;
    int nvgroups = 0;
    for (size_t i = 0; i < n; i++)
        if (vowel_at(w, n, i) && (i == 0 || !vowel_at(w, n, i - 1))) nvgroups++;
    if (nvgroups >= 2 && n >= 3) {
        char c1 = w[n - 2];
        if (ends_with(w, n, "ed") && !is_v(w[n - 3])) {
            ed_suffix = 1; end = n - 2;
            if (w[n - 3] == 't' || w[n - 3] == 'd') ed_suffix = 2;   /* "-ted": syllabic */
        } else if (ends_with(w, n, "les") && n >= 4 && !is_v(w[n - 4]) && w[n - 4] != 'l') {
            le_suffix = 2; end = n - 3;                                /* kindles, temples */
        } else if (ends_with(w, n, "es") && !is_v(w[n - 3])) {
            char p = w[n - 3];
            es_suffix = (p == 's' || p == 'x' || p == 'z' || (p == 'h' && n >= 4 && (w[n - 4] == 'c' || w[n - 4] == 's'))
                         || p == 'c' || p == 'g') ? 2 : 1;
            end = n - 2;
        } else if (w[n - 1] == 'e' && !is_v(c1)) {
            end = n - 1;
            if (c1 == 'l' && n >= 3 && !is_v(w[n - 3]) && w[n - 3] != 'l') { le_suffix = 1; end = n - 2; }
        }
    }
    /* Walk the letters. */
    size_t i = 0;
    while (i < end) {
        char c = w[i];
        /* silent e before a final -ly after one consonant and a vowel: home-ly, hame-ly */
        if (c == 'e' && i + 3 == end && w[i + 1] == 'l' && w[i + 2] == 'y' && i >= 2 && !is_v(w[i - 1]) && is_v(w[i - 2])) { i++; continue; }
        if (vowel_at(w, end, i) || (c == 'y' && i + 1 >= end && i > 0)) {
            size_t j = i + 1;
            while (j < end && vowel_at(w, end, j) && !splits(w, end, j - 1)) j++;
            /* open syllable: one consonant then a vowel, or a magic e we cut off */
            size_t k = j;
            while (k < end && !vowel_at(w, end, k)) k++;
            int ncons = (int)(k - j);
            int open = 0;
            if (j - i == 1) {
                if (k == end && ncons <= 1 && end < n && w[end] == 'e' && !es_suffix && !ed_suffix && !le_suffix) open = 1;
                else if (k < end && ncons == 1 && w[j] != 'x') open = 1;
                else if (k == end && ncons == 0 && (c == 'o' || c == 'e' || c == 'i' || c == 'y' || c == 'u')) open = 1;
            }
            vowel_group(&g, w + i, j - i, open, w + j, end - j);
            i = j;
            continue;
        }
        char nx = i + 1 < end ? w[i + 1] : 0;
        if (c == nx && c != 'e') { i++; continue; }               /* double consonant */
        if (c == 'c' && nx == 'h') { push(&g, EN_CH); i += 2; continue; }
        if (c == 's' && nx == 'h') { push(&g, EN_SH); i += 2; continue; }
        if (c == 't' && nx == 'h') { push(&g, EN_TH); i += 2; continue; }
        if (c == 'p' && nx == 'h') { push(&g, EN_F); i += 2; continue; }
        if (c == 'w' && nx == 'h') { push(&g, EN_W); i += 2; continue; }
        if (c == 'g' && nx == 'h') { if (i == 0) push(&g, EN_G); i += 2; continue; }
        if (c == 'c' && nx == 'k') { push(&g, EN_K); i += 2; continue; }
        if (c == 'n' && nx == 'g') { push(&g, EN_NG); i += 2; continue; }
        if (c == 'k' && nx == 'n' && i == 0) { i++; continue; }
        if (c == 'w' && nx == 'r' && i == 0) { i++; continue; }
        if (c == 'q') { push(&g, EN_K); push(&g, EN_W); i += (nx == 'u') ? 2 : 1; continue; }
        if (c == 't' && nx == 'i' && i + 2 < end && (w[i + 2] == 'o' || w[i + 2] == 'a')) { push(&g, EN_SH); i++; continue; }
        switch (c) {
        case 'b': push(&g, EN_B); break;
        case 'c': push(&g, (nx == 'e' || nx == 'i' || nx == 'y') ? EN_S : EN_K); break;
        case 'd': push(&g, EN_D); break;
        case 'f': push(&g, EN_F); break;
        case 'g': push(&g, (nx == 'e' || nx == 'i' || nx == 'y') ? EN_JH : EN_G); break;
        case 'h': if (i == 0 || !is_v(w[i - 1])) push(&g, EN_HH); break;
        case 'j': push(&g, EN_JH); break;
        case 'k': push(&g, EN_K); break;
        case 'l': push(&g, EN_L); break;
        case 'm': push(&g, EN_M); break;
        case 'n': push(&g, EN_N); break;
        case 'p': push(&g, EN_P); break;
        case 'r': if (!(g.p->n > 0 && EN_PH(g.p->ph[g.p->n - 1]) == EN_ER)) push(&g, EN_R); break;
        case 's': push(&g, (i > 0 && i + 1 == end && is_v(w[i - 1])) ? EN_Z : EN_S); break;
        case 't': push(&g, EN_T); break;
        case 'v': push(&g, EN_V); break;
        case 'w': push(&g, EN_W); break;
        case 'x': push(&g, EN_K); push(&g, EN_S); break;
        case 'y': push(&g, EN_Y); break;
        case 'z': push(&g, EN_Z); break;
        default: break;   /* digits, stray bytes: silent */
        }
        i++;
    }
    if (le_suffix) { push(&g, EN_AH); push(&g, EN_L); if (le_suffix == 2) push(&g, EN_Z); }
    if (es_suffix == 2) { push(&g, EN_IH); push(&g, EN_Z); }
    else if (es_suffix == 1) {
        char p = w[n - 3];
        push(&g, (p == 'p' || p == 't' || p == 'k' || p == 'f') ? EN_S : EN_Z);
    }
    if (ed_suffix == 2) { push(&g, EN_IH); push(&g, EN_D); }
    else if (ed_suffix == 1) {
        char p = w[n - 3];
        push(&g, (p == 'p' || p == 'k' || p == 's' || p == 'f' || p == 'x' || (p == 'h' && n >= 4 && (w[n - 4] == 's' || w[n - 4] == 'c'))) ? EN_T : EN_D);
    }
    if (g.nv == 0) {
        /* "hmm", "nth", "b": give it one syllable so it can be counted */
        if (out->n < EN_MAX_PHONES) {
            memmove(out->ph + 1, out->ph, (size_t)out->n);
            out->ph[0] = EN_MK(EN_AH, 1);
            out->n++;
        }
        return;
    }
    /* Stress: suffixes that fix it, prefixes that shift it, else the first syllable. */
    int nv = g.nv, s = 0;
    if (nv >= 2) {
        static const char *const penult[] = {"tion", "sion", "cian", "ic", "ical", "ian", "ial",
                                             "ious", "eous", "ity", "itive", "ify", "ular", "ation"};
        static const char *const antepen[] = {"ity", "ify", "ical", "ular", "ography", "ometry"};
        static const char *const final[] = {"ee", "eer", "ese", "ette", "esque", "oon", "ade"};
        static const char *const prefix[] = {"a", "be", "de", "re", "un", "con", "com", "dis", "ex",
                                             "in", "im", "mis", "pre", "pro", "per", "for", "with", "up"};
        int done = 0;
        for (size_t k = 0; !done && k < sizeof antepen / sizeof antepen[0]; k++)
            if (ends_with(w, n, antepen[k]) && nv >= 3) { s = nv - 3; done = 1; }
        for (size_t k = 0; !done && k < sizeof penult / sizeof penult[0]; k++)
            if (ends_with(w, n, penult[k])) { s = nv - 2; done = 1; }
        for (size_t k = 0; !done && k < sizeof final / sizeof final[0]; k++)
            if (ends_with(w, n, final[k])) { s = nv - 1; done = 1; }
        if (!done && (ends_with(w, n, "ing") || ends_with(w, n, "ed") || ends_with(w, n, "er") ||
                      ends_with(w, n, "ly") || ends_with(w, n, "ness") || ends_with(w, n, "less") ||
                      ends_with(w, n, "ful") || ends_with(w, n, "est") || ends_with(w, n, "eth"))) {
            /* inflectional suffix: stress the stem as a shorter word would */
            s = 0; done = nv >= 3 ? 0 : 1;
        }
        for (size_t k = 0; !done && k < sizeof prefix / sizeof prefix[0]; k++) {
            size_t pl = strlen(prefix[k]);
            if (n > pl + 2 && memcmp(w, prefix[k], pl) == 0 && nv <= 3) { s = 1; done = 1; }
        }
        if (s < 0) s = 0;
    }
    for (int k = 0; k < nv; k++) {
        int pos = g.vowel_pos[k];
        int ph = EN_PH(out->ph[pos]);
        if (k == s) out->ph[pos] = EN_MK(ph, 1);
        else if (ph == EN_IY || ph == EN_ER || ph == EN_OW) out->ph[pos] = EN_MK(ph, 0);
        else if (ph == EN_AY || ph == EN_EY || ph == EN_AW || ph == EN_OY || ph == EN_AO || ph == EN_AA) out->ph[pos] = EN_MK(ph, 2);
        else out->ph[pos] = EN_MK(ph == EN_IH ? EN_IH : EN_AH, 0);
    }
}
