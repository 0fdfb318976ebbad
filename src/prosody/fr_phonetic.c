/* src/prosody/fr_phonetic.c — French spelling → phonemes, for rhyme keys.
 *
 * Rules read a word left to right (digraphs, nasal vowels, soft c/g, s between vowels,
 * silent final consonants, -er = é, -et = è, -ent of verbs silent).  They aim at the end
 * of the word, which is what a rhyme hears; the alphabet is the one of fr.h.  The rules
 * were cross-checked offline against espeak-ng's French (see docs/EVALUATION.md); espeak
 * is never called at run time. */
#include "prosody/fr_internal.h"
#include <stdio.h>
#include <string.h>

static int isv(unsigned c) { return fr_is_vowel(c); }
static int is_front(unsigned c) { return c == 'e' || c == 'i' || c == 'y' || c == L_EACUTE || c == L_EGRAVE || c == L_ECIRC || c == L_EUML || c == L_ICIRC || c == L_IUML; }

/* words whose final -er is [ɛʁ] (the rest: -er = é) */
static const char *const er_sounded[] = {
    "amer", "cancer", "cher", "enfer", "fer", "fier", "hier", "hiver", "mer", "ver", "éther",
    "jupiter", "lucifer", "esther", "stathouder", "magister", "gaster", "frater", "belvéder",
};
/* words whose final -t is sounded */
static const char *const t_sounded[] = {
    "est", "ouest", "net", "sept", "huit", "dot", "mat", "fat", "brut", "zut",
    "direct", "correct", "exact", "strict", "tact", "intact", "compact", "contact", "infect",
    "abject", "verdict", "district", "transit", "zénith", "chut", "yacht", "rut", "lut",
    "lest", "zest", "test",
};
/* words whose final -en is [ɛn] (Latin and foreign words; the rest: -en nasal) */
static const char *const en_sounded[] = {
    "amen", "hymen", "abdomen", "spécimen", "pollen", "lichen", "gluten", "dolmen", "cyclamen", "éden",
};
/* -tient that is no form of tenir: [sjɑ̃] */
static const char *const tient_adj[] = { "patient", "impatient", "quotient", "patients", "impatients", "quotients" };

static int word_in(const char *w8, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++) if (strcmp(w8, list[i]) == 0) return 1;
    return 0;
}

#define PUT(ch) do { if (o + 1 < cap) out[o++] = (ch); } while (0)

int fr_phonemes(const unsigned char *w, int n, int verb_ent, char *out, size_t cap) {
    size_t o = 0;
    if (cap == 0) return 0;
    char w8[FR_MAXW * 3 + 1];
    fr_letters_to_utf8(w, n, w8, sizeof w8);
    /* the end of the word that is silent or special */
    int end = n;
    int final_t_sounded = 0, er_e = 0;
    if (verb_ent && n >= 3 && memcmp(w + n - 3, "ent", 3) == 0) end = n - 2;   /* -ent verb: keep the e (muet) */
    if (n >= 2 && w[n - 1] == 't') final_t_sounded = word_in(w8, t_sounded, sizeof t_sounded / sizeof *t_sounded);
    if (n >= 2 && w[n - 2] == 'e' && w[n - 1] == 'r' && !word_in(w8, er_sounded, sizeof er_sounded / sizeof *er_sounded)) er_e = 1;
    if (n >= 4 && w[n - 3] == 'e' && w[n - 2] == 'r' && w[n - 1] == 's') {
        /* -ers: rochers [e], but vers, univers, fers, hivers [ɛʁ] */
        static const char *const ers_sounded[] = { "vers" };                              /* univers, travers */
        char base[FR_MAXW * 3 + 1];
        fr_letters_to_utf8(w, n - 1, base, sizeof base);
        int sounded = word_in(base, er_sounded, sizeof er_sounded / sizeof *er_sounded);
        for (size_t k = 0; k < sizeof ers_sounded / sizeof *ers_sounded; k++) {
            size_t m = strlen(ers_sounded[k]), l = strlen(w8);
            if (l >= m && strcmp(w8 + l - m, ers_sounded[k]) == 0) sounded = 1;
        }
        if (strcmp(w8, "tiers") == 0) sounded = 1;
        if (!sounded) er_e = 2;
    }
    if (strcmp(w8, "eu") == 0 || strcmp(w8, "eus") == 0 || strcmp(w8, "eut") == 0 || strcmp(w8, "eût") == 0) { snprintf(out, cap, "y"); return 1; }
    if (strcmp(w8, "pays") == 0) { snprintf(out, cap, "pEi"); return (int)strlen(out); }
    if (strcmp(w8, "fils") == 0) { snprintf(out, cap, "fi"); return (int)strlen(out); }
    const int tient_an = word_in(w8, tient_adj, sizeof tient_adj / sizeof *tient_adj);
    const int en_n = n >= 3 && w[n - 1] == 'n' && word_in(w8, en_sounded, sizeof en_sounded / sizeof *en_sounded);
    for (int i = 0; i < end; i++) {
        unsigned c = w[i];
        unsigned c1 = i + 1 < end ? w[i + 1] : 0, c2 = i + 2 < end ? w[i + 2] : 0, c3 = i + 3 < end ? w[i + 3] : 0;
        int at_end = i + 1 >= end;
        /* silent final consonants (those kept are handled by their letter below) */
        if (!isv(c) && c != 'y') {
            int last = i == end - 1;
            int last2 = i == end - 2 && (w[end - 1] == 's' || w[end - 1] == 't' || w[end - 1] == 'x' || w[end - 1] == 'z');
            /* -ex sounds [ɛks] (index, silex), unlike the silent x of prix, voix, deux */
            if (last && c == 'x' && end == n && i >= 1 && w[i - 1] == 'e' && (i < 2 || !isv(w[i - 2]))) { PUT('k'); PUT('s'); continue; }
            if (last && (c == 's' || c == 'x' || c == 'z') && end == n) continue;
            if (last && c == 't' && !final_t_sounded && end == n) continue;
            if (last && (c == 'd' || c == 'p' || c == 'g') && n > 2) continue;
            if (last2 && c == 'f' && w[end - 1] == 's' && i > 0 && (w[i - 1] == 'u' || w[i - 1] == 'r')) continue; /* bœufs, nerfs */
            if (end == n && !final_t_sounded && (c == 'c' || c == 'g' || c == 'p') && i + 1 < end && w[i + 1] == 't' &&
                (i + 2 == end || (i + 3 == end && (w[end - 1] == 's' || w[end - 1] == 'z')))) continue;   /* doigt, respect, nuict */
            if (end == n && (c == 't' || c == 'd') && i + 2 == end && w[end - 1] == 'z') continue;       /* flotz, bledz */
            if (end == n && c == 't' && i + 3 == end && w[i + 1] == 'z') continue;
            if (end == n && c == 'c' && i > 0 && (w[i - 1] == 'n') && i + 1 < end && w[i + 1] == 't') continue; /* saincte */
            if (last2 && (c == 'd' || c == 'p' || c == 't' || c == 'g') && !final_t_sounded && end == n) continue;  /* pieds, temps */
            if (last2 && c == 'c' && i > 0 && w[i - 1] == 'n') continue;                                           /* blancs */
            if (last && c == 'c' && i > 0 && w[i - 1] == 'n') continue;                                            /* blanc */
            if ((last || last2) && c == 'r' && er_e && i > 0 && w[i - 1] == 'e') continue;                         /* aimer */
            if (last2 && c == 's' && (w[end - 1] == 't') && !final_t_sounded) continue;                           /* est */
        }
        switch (c) {
        case 'a': case L_AGRAVE: case L_ACIRC: case L_AUML:
            if (c1 == 'm' && c2 == 'n' && i >= 1 && w[i - 1] == 'd') { PUT('a'); i++; break; }   /* damne */
            if (c1 == 'y' && c2 && !isv(c2)) { PUT('E'); i++; break; }                         /* ayme (old spelling) */
            if ((c1 == 'i' || c1 == L_ICIRC) && !(c2 && (c2 == 'n' || c2 == 'm') && !isv(c3) && c3 != c2)) {
                if (c2 == 'l' && (i + 3 >= end || c3 == 'l' || (c3 == 's' && i + 4 == end))) { PUT('a'); PUT('j'); i += (c3 == 'l') ? 3 : 2; break; } /* travail(s) */
                int fin = i + 2 >= end;
                PUT(fin && end == n ? 'e' : 'E'); i++; break;                                   /* j'ai, mais */
            }
            if ((c1 == 'i') && (c2 == 'n' || c2 == 'm') && !isv(c3) && c3 != c2) { PUT('I'); i += 2; break; }
            if (c1 == 'u') {
                PUT('o'); i++;
                if (c2 == 'l' && i + 2 < end && !isv(w[i + 2]) && w[i + 2] != 'l') i++;          /* faulte, hault: l silent */
                else if (c2 == 'l' && i + 2 == end - 1 && w[end - 1] != 'e') {}
                if (c2 == 'l' && i + 2 == end && end == n && n > 4) i++;                        /* hault */
                break;
            }
            if (c1 == 'y' && isv(c2)) { PUT('E'); PUT('j'); i++; break; }
            /* a final -am(s) is [am] (clam, tram, macadam), but dam [dɑ̃] */
            if (c1 == 'm' && end == n && (i + 2 == end || (i + 3 == end && w[end - 1] == 's')) && strcmp(w8, "dam")) {
                PUT('a'); PUT('m'); i++; break;
            }
            if ((c1 == 'n' || c1 == 'm') && !isv(c2) && c2 != c1 && c2 != 'h') { PUT('A'); i++; break; }
            if (c1 == 'o' && c2 == 'n') { PUT('A'); i += 2; break; }                             /* paon */
            PUT('a'); break;
        case 'e':
            if (c1 == 'a' && c2 == 'u') { PUT('o'); i += 2; break; }
            if (c1 == 'm' && c2 == 'm' && ((i == 1 && w[0] == 'f') || (c3 == 'e' && i + 5 < n && w[i + 4] == 'n' && w[i + 5] == 't'))) {
                PUT('a'); break;                                                               /* femme, ardemment */
            }
            if (c1 == 'u' && c2 == 'i' && c3 == 'l') { PUT('9'); PUT('j'); i += (i + 4 < end && w[i + 4] == 'l') ? 4 : 3; if (i + 1 < end && w[i + 1] == 's' && i + 2 == end) i++; break; } /* deuil(s), feuille */
            if (c1 == 'i' && c2 == 'l' && i >= 2 && w[i - 1] == 'u' && (w[i - 2] == 'c' || w[i - 2] == 'g')) {
                PUT('9'); PUT('j'); i += (c3 == 'l') ? 3 : 2; break;                              /* orgueil, cueille */
            }
            if (c1 == 'u' || c1 == L_UCIRC) { PUT('9'); i++; break; }
            if (c1 == 'i' && (c2 == 'n' || c2 == 'm') && !isv(c3) && c3 != c2) { PUT('I'); i += 2; break; }
            if (c1 == 'i' || c1 == L_ICIRC) { if (c2 == 'l' && (i + 3 >= end || c3 == 'l' || (c3 == 's' && i + 4 == end))) { PUT('E'); PUT('j'); i += (c3 == 'l') ? 3 : 2; break; } PUT('E'); i++; break; }
            if (c1 == 'y' && isv(c2)) { PUT('E'); PUT('j'); i++; break; }
            if ((c1 == 'n' || c1 == 'm') && !isv(c2) && c2 != c1 && c2 != 'h') {
                int after_i = i > 0 && (w[i - 1] == 'i' || w[i - 1] == 'y' || w[i - 1] == L_EACUTE);
                if (en_n && c1 == 'n' && i + 2 == end && end == n) { PUT('E'); PUT('n'); i++; break; }   /* hymen, amen */
                int an = c2 == 'c' || c2 == L_CCED || (c2 == 't' && (tient_an || !(i >= 2 && (w[i - 2] == 't' || w[i - 2] == 'v'))));
                if (after_i && !an) { PUT('I'); i++; break; }                                   /* bien, moyen, tient; science, orient: [ɑ̃] */
                PUT('A'); i++; break;
            }
            if (i >= 1 && (w[i - 1] == 'g' || w[i - 1] == 'c') && (c1 == 'a' || c1 == 'o' || c1 == L_ACIRC || c1 == L_OCIRC)) break; /* mangea */
            if (i == end - 1) { if (n <= 3 && end == n && n >= 2 && i <= 2 && !isv(w[0])) { PUT('@'); } else PUT('@'); break; } /* e final */
            /* e + consonant(s) */
            if (i + 2 == end && (c1 == 'r' || c1 == 'z' || c1 == 'd') && end == n) {
                if (c1 == 'r' && !er_e) { PUT('E'); break; }
                PUT('e'); i++; break;                                                            /* aimer, nez, pied */
            }
            if (i + 3 == end && c1 == 'r' && c2 == 's' && er_e == 2) { PUT('e'); i += 2; break; }
            if (i + 2 == end && c1 == 's' && end == n) {                                        /* les, près / belles */
                int mono = 1;
                for (int k = 0; k < i; k++) if (isv(w[k]) && !(w[k] == 'u' && k > 0 && w[k - 1] == 'q')) mono = 0;
                PUT(!mono ? '@' : n <= 3 ? 'e' : 'E'); i++; break;
            }
            if (c1 && !isv(c1) && c1 != 'x' && c2 == 'e' && (i + 3 == end || (i + 4 == end && w[i + 3] == 's'))) {
                PUT('E'); break;                                                               /* mere, pere (unaccented spelling) */
            }
            if (i + 2 == end && (c1 == 't' ) && end == n) { PUT('E'); i++; break; }             /* -et */
            if (i + 3 == end && c1 == 't' && c2 == 's' && end == n) { PUT('E'); i += 2; break; }
            if (c1 && !isv(c1) && (c2 == 0 || (!isv(c2) && c2 != 'h' && !(c2 == 'r' || c2 == 'l')) || c1 == 'x')) { PUT('E'); break; }
            if (c1 && c1 == c2) { PUT('E'); break; }
            PUT('@'); break;
        case L_EACUTE: PUT('e'); break;
        case L_EGRAVE: case L_ECIRC: case L_EUML: PUT('E'); break;
        case 'i': case L_ICIRC: case L_IUML:
            if ((c1 == 'n' || c1 == 'm') && !isv(c2) && c2 != c1 && c2 != 'h') { PUT('I'); i++; break; }
            if (c1 == 'l' && c2 == 'l' && i > 0 && (!isv(w[i - 1]) || (i >= 2 && w[i - 1] == 'u' && (w[i - 2] == 'q' || w[i - 2] == 'g')))) {
                /* fille [ij], but ville, mille, tranquille [il] */
                int ville = (i == 1 && (w[0] == 'v' || w[0] == 'm')) || (i >= 2 && memcmp(w + i - 2, "qu", 2) == 0) ||
                            (i >= 1 && w[i - 1] == 'v') || strstr(w8, "achill") || strstr(w8, "oscill") ||
                            strstr(w8, "distill") || strstr(w8, "instill") || strstr(w8, "pupill") || (i == 1 && w[0] == 'l');
                PUT('i'); if (ville) { PUT('l'); } else PUT('j');
                i += 2; break;
            }
            if (c1 == 'l' && c2 == 'l') { PUT('j'); i += 2; break; }
            if (c1 == 'e' && (i + 2 == end || (i + 3 == end && w[i + 2] == 's') ||
                              (i + 2 < end && w[i + 2] == 'm' && i + 3 < end && w[i + 3] == 'e'))) { PUT('i'); i++; break; } /* vie, prient */
            if (isv(c1) && c != L_IUML) { PUT('j'); break; }
            PUT('i'); break;
        case 'o': case L_OCIRC: case L_OUML:
            if (c1 == 'm' && c2 == 'n' && i >= 2 && w[i - 1] == 't' && w[i - 2] == 'u') { PUT('o'); i++; break; } /* automne */
            if (c1 == 'u' || c1 == L_UCIRC || c1 == L_UGRAVE) {
                if (c2 == 'i' && c3 == 'l') { PUT('u'); PUT('j'); i += (i + 4 < end && w[i + 4] == 'l') ? 4 : 3; break; }
                PUT('u'); i++; break;
            }
            if ((c1 == 'i' || c1 == L_ICIRC) && (c2 == 'n') && !isv(c3)) { PUT('w'); PUT('I'); i += 2; break; }
            if (c1 == 'y' && (!isv(c2) || (c2 == 'e' && (i + 3 == end || (i + 4 == end && w[i + 3] == 's'))))) {
                PUT('w'); PUT('a'); i++; break;                                                 /* roy, loix, joye (old spelling) */
            }
            if (c1 == 'i' || c1 == L_ICIRC) { PUT('w'); PUT('a'); i++; break; }
            if (c1 == 'y' && isv(c2)) { PUT('w'); PUT('a'); PUT('j'); i++; break; }
            if (c1 == 'e' && c2 == 'u') { PUT('9'); i += 2; break; }
            if ((c1 == 'n' || c1 == 'm') && !isv(c2) && c2 != c1 && c2 != 'h') { PUT('N'); i++; break; }
            PUT('o'); break;
        case L_OE:
            if (c1 == 'u') i++;
            if (c1 == 'i' && c2 == 'l') { PUT('9'); PUT('j'); i += 2; break; }
            PUT('9'); break;
        case 'u': case L_UCIRC: case L_UGRAVE: case L_UUML:
            if (i > 0 && (w[i - 1] == 'q' || (w[i - 1] == 'g' && is_front(c1) && c1 != L_IUML && c1 != L_EUML))) break;
            if ((c1 == 'n' || c1 == 'm') && !isv(c2) && c2 != c1 && c2 != 'h') {
                if (c1 == 'm' && i + 2 == end) { PUT('o'); PUT('m'); i++; break; }             /* album */
                PUT('I'); i++; break;
            }
            if (c1 == 'e' && c2 == 'i' && c3 == 'l') { PUT('9'); PUT('j'); i += 3; if (i + 1 < end && w[i + 1] == 'l') i++; break; }
            if (c1 == 'i' || c1 == L_ICIRC) { PUT('H'); PUT('i'); i++; break; }
            PUT('y'); break;
        case 'y': case L_YUML:
            if (isv(c1)) { PUT('j'); break; }
            if ((c1 == 'n' || c1 == 'm') && !isv(c2) && c2 != c1) { PUT('I'); i++; break; }
            PUT('i'); break;
        case 'b': PUT('b'); if (c1 == 'b') i++; break;
        case 'c':
            if (c1 == 'h') { PUT('S'); i++; break; }
            if (c1 == 'c' && is_front(c2)) { PUT('k'); PUT('s'); i++; break; }
            if (is_front(c1)) { PUT('s'); break; }
            if (c1 == 'c' || c1 == 'k' || c1 == 'q') { PUT('k'); i++; if (c2 == 'u' && w[i] == 'q') {} break; }
            PUT('k'); break;
        case L_CCED: PUT('s'); break;
        case 'd': PUT('d'); if (c1 == 'd') i++; break;
        case 'f': PUT('f'); if (c1 == 'f') i++; break;
        case 'g':
            if (c1 == 'n') { PUT('J'); i++; break; }
            if (is_front(c1)) { PUT('Z'); break; }
            if (c1 == 'g') { i++; PUT('g'); break; }
            PUT('g'); break;
        case 'h': break;
        case 'j': PUT('Z'); break;
        case 'k': PUT('k'); break;
        case 'l': PUT('l'); if (c1 == 'l') i++; break;
        case 'm': if (c1 == 'm') i++; PUT('m'); break;
        case 'n': if (c1 == 'n') i++; PUT('n'); break;
        case 'p':
            if (c1 == 'h') { PUT('f'); i++; break; }
            if (c1 == 'p') i++;
            if (c1 == 't' && i > 0 && i + 2 < end && 0) break;
            PUT('p'); break;
        case 'q': PUT('k'); if (c1 == 'u') i++; break;
        case 'r': PUT('R'); if (c1 == 'r') i++; break;
        case 's':
            if (c1 == 's') { PUT('s'); i++; break; }
            if (c1 == 'c' && is_front(c2)) { PUT('s'); i++; break; }
            if (c1 == 'h') { PUT('S'); i++; break; }
            if (i > 0 && isv(w[i - 1]) && isv(c1)) { PUT('z'); break; }
            PUT('s'); break;
        case 't':
            if (c1 == 'h') { PUT('t'); i++; break; }
            if (c1 == 't') { i++; PUT('t'); break; }
            if (c1 == 'i' && c2 == 'o' && c3 == 'n' && i > 0 && w[i - 1] != 's' && w[i - 1] != 'x') { PUT('s'); break; }
            PUT('t'); break;
        case 'v': case 'w': PUT(c == 'v' ? 'v' : 'w'); break;
        case 'x':
            if (at_end) break;
            PUT('k'); PUT('s'); break;
        case 'z': PUT('z'); break;
        default: break;
        }
    }
    out[o] = 0;
    return (int)o;
}

static int is_vowel_ph(char c) { return c && strchr("aeEiouy9AIN", c) != NULL; }

int fr_verb_ent(const unsigned char *w, int n, int feminine) {
    if (n < 3 || memcmp(w + n - 3, "ent", 3) != 0) return 0;
    if (feminine) return 1;
    /* -aient, -oient: the verb ending after a vowel, a masculine rhyme (étaient = [etɛ]) */
    return n >= 5 && (w[n - 4] == 'i' || w[n - 4] == 'y') && (w[n - 5] == 'a' || w[n - 5] == 'o');
}

void fr_rhyme_key(const fr_tok *t, int feminine, char *key, size_t cap) {
    char ph[128];
    if (cap == 0) return;
    key[0] = 0;
    int verb_ent = fr_verb_ent(t->w, t->n, feminine);
    int len = fr_phonemes(t->w, t->n, verb_ent, ph, sizeof ph);
    /* drop the final e muet(s) and what the verb -ent left */
    while (len > 0 && (ph[len - 1] == '@')) len--;
    int v = len - 1;
    while (v >= 0 && !is_vowel_ph(ph[v])) v--;
    if (v < 0) { v = 0; }
    size_t o = 0;
    for (int i = v; i < len && o + 2 < cap; i++) key[o++] = ph[i];
    if (feminine && o + 1 < cap) key[o++] = '@';
    key[o] = 0;
}
