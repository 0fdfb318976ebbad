/* src/prosody/fr_exceptions.c — the word lists of French versification, compiled in.
 *
 * Each list is a sorted array of UTF-8 strings (byte order, as `LC_ALL=C sort` gives;
 * tests/test_prosody_fr.c checks the order) searched by bsearch, so a look-up costs a few
 * string compares.  Lists hold words, never lines of any corpus. */
#include "prosody/fr_internal.h"
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int in_list(const char *const *list, size_t n, const char *key) {
    return bsearch(&key, list, n, sizeof *list, cmp_str) != NULL;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- h aspiré: prefixes of words whose h blocks elision and liaison (la haine) ------- */
static const char *const h_aspire_prefix[] = {
    "hache", "hachis", "hagard", "haie", "haillon", "haine", "haineu", "hair", "hais", "hait",
    "halage", "halbran", "haletant", "haleter", "hall", "halo", "halte", "hamac", "hameau", "hampe",
    "hanche", "hangar", "hanneton", "hant", "happe", "happer", "harangu", "haras", "harass",
    "harcel", "harcèl", "hardi", "harem", "hareng", "hargn", "haricot", "harnach", "harnais",
    "harpe", "harpie", "harpon", "hasard", "haschisch", "hase", "hauban", "haubert", "hausse",
    "haut", "havane", "havre", "hay", "haï", "hennir", "henniss", "henri", "hernie", "hersant",
    "herse", "heurt", "hibou", "hideu", "hisse", "hisser", "hiérarch", "hobereau", "hoch",
    "hollandais", "hollande", "homard", "hongr", "honni", "honte", "honteu", "hoquet", "horde",
    "hors", "hotte", "houblon", "houe", "houille", "houl", "houp", "hourra", "hourvari", "housse",
    "houx", "hublot", "huche", "hue", "huer", "huguenot", "huit", "hulotte", "humer", "humé", "hun",
    "hune", "huppe", "hure", "hurl", "hussard", "hutte", "hâle", "hâlé", "hât", "hâtif", "hâtiv",
    "hérault", "héraut", "hériss", "hérisson", "hérissé", "héron", "héros", "hêtre",
};

/* ---- words beginning with a vowel that take no elision (le onze, le oui) ------------- */
static const char *const disjunct_vowel[] = {
    "onze", "onzième", "oui", "ouistiti", "uhlan", "yacht", "yatagan", "yole",
};

/* ---- words in -ent whose -ent is sounded (not a 3rd person plural verb) ---------------
 * Checked after the rules of fr_ent_not_verb (the -ement adverbs, -amment...). */
static const char *const ent_sounded[] = {
    "absent", "accent", "accident", "adhérent", "adjacent", "adolescent", "affluent", "agent",
    "antécédent", "apparent", "ardent", "argent", "arpent", "auvent", "bivouac", "cent", "client",
    "coefficient", "cohérent", "compétent", "conscient", "consent", "content", "continent",
    "contingent", "convalescent", "convergent", "couvent", "dent", "différent", "diligent",
    "divergent", "décent", "déficient", "déférent", "dément", "effervescent", "efficient",
    "entregent", "excellent", "excédent", "expédient", "fervent", "flatulent", "fluorescent",
    "fréquent", "gent", "immanent", "imminent", "impatient", "impertinent", "impotent", "imprudent",
    "impudent", "impénitent", "incandescent", "incident", "incohérent", "inconscient",
    "inconséquent", "incontinent", "inconvénient", "indifférent", "indigent", "indolent",
    "indulgent", "indécent", "influent", "ingrédient", "inhérent", "innocent", "insolent",
    "intelligent", "intermittent", "jacent", "lent", "luminescent", "malcontent", "ment",
    "munificent", "mécontent", "négligent", "occident", "omnipotent", "omniprésent", "omniscient",
    "onguent", "opulent", "orient", "parent", "patent", "patient", "permanent", "pertinent",
    "phosphorescent", "pressent", "prudent", "précédent", "présent", "putrescent", "pénitent",
    "quotient", "repent", "ressent", "rouent", "récent", "récipient", "régent", "sanguinolent",
    "sent", "sergent", "serpent", "somnolent", "souvent", "strident", "subséquent", "succulent",
    "talent", "tangent", "torrent", "transparent", "trident", "truculent", "turbulent", "urgent",
    "vent", "violent", "virulent", "éloquent", "émergent", "éminent", "émollient", "équivalent",
    "évanescent", "évident",
};

/* -ment words that ARE verbs (aimer → ils aiment) where the rules would say adverb/noun */
static const char *const ment_verbs[] = {
    "abîment", "acclament", "affament", "allument", "animent", "assomment", "blâment", "briment",
    "chôment", "clament", "compriment", "consomment", "consument", "diffament", "déciment",
    "déclament", "décriment", "dénomment", "déprime", "dépriment", "dîment", "embaument",
    "enflamment", "enrhument", "entament", "escriment", "essaiment", "estiment", "exclament",
    "exhument", "expriment", "frment", "griment", "hument", "impriment", "inhument", "intiment",
    "liment", "miment", "nomment", "oppriment", "parfument", "plument", "priment", "proclament",
    "présument", "pâment", "périment", "rallument", "rament", "raniment", "ranimment", "renomment",
    "riment", "réclament", "répriment", "résument", "somment", "subliment", "suppriment",
    "surnomment", "sèment", "trament", "écument", "étament",
};

/* -ment words after a consonant that are nouns (the rule says verb: ils dorment) */
static const char *const ment_nouns[] = {
    "comment", "ferment", "sarment", "serment", "tourment",
};

/* ---- proclitics: words that lean on the next one, so a caesura cannot follow them --- */
static const char *const proclitics[] = {
    "au", "aux", "ce", "ces", "cet", "cette", "chez", "dans", "de", "des", "du", "en", "et", "je",
    "la", "le", "les", "leur", "leurs", "ma", "me", "mes", "mon", "ne", "nos", "notre", "ou", "par",
    "pour", "que", "qui", "sa", "sans", "se", "ses", "son", "sous", "sur", "ta", "te", "tes", "ton",
    "tu", "un", "une", "vos", "votre", "à",
};

static int to_utf8(const unsigned char *w, int n, char *buf, size_t cap) {
    fr_letters_to_utf8(w, n, buf, cap);
    return (int)strlen(buf);
}

int fr_h_aspire(const unsigned char *w, int n) {
    if (n < 2 || w[0] != 'h') return 0;
    char buf[FR_MAXW * 3 + 1];
    int len = to_utf8(w, n, buf, sizeof buf);
    /* try every prefix length (UTF-8 boundaries only) */
    for (int k = 2; k <= len && k <= 12; k++) {
        if (k < len && ((unsigned char)buf[k] & 0xC0) == 0x80) continue;
        char c = buf[k]; buf[k] = 0;
        int hit = in_list(h_aspire_prefix, N_OF(h_aspire_prefix), buf);
        buf[k] = c;
        if (hit) return 1;
    }
    return 0;
}

int fr_proclitic(const unsigned char *w, int n) {
    if (n > 6) return 0;
    char buf[FR_MAXW * 3 + 1];
    to_utf8(w, n, buf, sizeof buf);
    return in_list(proclitics, N_OF(proclitics), buf);
}

int fr_disjunct_vowel(const unsigned char *w, int n) {
    char buf[FR_MAXW * 3 + 1];
    to_utf8(w, n, buf, sizeof buf);
    return in_list(disjunct_vowel, N_OF(disjunct_vowel), buf);
}

static int ends(const unsigned char *w, int n, const char *suf) {
    int k = (int)strlen(suf);
    return n >= k && memcmp(w + n - k, suf, (size_t)k) == 0;
}

int fr_ent_not_verb(const unsigned char *w, int n) {
    if (n < 3 || !ends(w, n, "ent")) return 0;
    char buf[FR_MAXW * 3 + 1];
    to_utf8(w, n, buf, sizeof buf);
    if (in_list(ent_sounded, N_OF(ent_sounded), buf)) return 1;
    if (n == 3) return 1;
    if (ends(w, n, "tient") || ends(w, n, "vient")) return 1;       /* il tient, il vient */
    if (ends(w, n, "ment")) {
        if (in_list(ment_verbs, N_OF(ment_verbs), buf)) return 0;
        if (in_list(ment_nouns, N_OF(ment_nouns), buf)) return 1;
        unsigned p = n >= 5 ? w[n - 5] : 0;
        if (p == 'm') {                                              /* ardemment, savamment */
            unsigned q = n >= 6 ? w[n - 6] : 0;
            return q == 'e' || q == 'a';
        }
        if (p == 'i' && n >= 6 && w[n - 6] == 'a')                   /* ils aiment vs vraiment */
            return (n == 8 && memcmp(w, "vrai", 4) == 0) || (n == 7 && memcmp(w, "gaim", 4) == 0);
        return fr_is_vowel(p);                                       /* moment, doucement */
    }
    return 0;
}

/* ---- words whose count the rules get wrong or where poets vary -----------------------
 * syl: syllables without a final e muet; more/less: optional diérèse / synérèse. */
typedef struct syl_exc { const char *word; signed char syl, more, less; } syl_exc;
static const syl_exc syl_exceptions[] = {
    { "adieux", 2, 0, 0 }, { "ancien", 2, 1, 0 }, { "ancienne", 2, 1, 0 }, { "anciennes", 2, 1, 0 },
    { "anciens", 2, 1, 0 }, { "aïeux", 2, 1, 0 }, { "bréviaire", 2, 1, 0 },
    { "bréviaires", 2, 1, 0 }, { "cieux", 1, 0, 0 }, { "deum", 2, 0, 0 }, { "diable", 1, 1, 0 },
    { "diables", 1, 1, 0 }, { "diacre", 1, 0, 0 }, { "diacres", 1, 0, 0 }, { "dieux", 1, 0, 0 },
    { "duègne", 1, 0, 0 }, { "duègnes", 1, 0, 0 }, { "essieux", 2, 0, 0 }, { "fier", 1, 1, 0 },
    { "fiers", 1, 1, 0 }, { "fiévreuse", 3, 0, 0 }, { "fiévreuses", 3, 0, 0 },
    { "fiévreux", 3, 0, 0 }, { "fouet", 1, 1, 0 }, { "fouets", 1, 1, 0 }, { "hier", 1, 1, 0 },
    { "impatient", 4, 0, 0 }, { "juan", 1, 0, 0 }, { "lieux", 1, 0, 0 }, { "marionnette", 3, 0, 0 },
    { "marionnettes", 3, 0, 0 }, { "messieurs", 2, 0, 0 }, { "mieux", 1, 0, 0 },
    { "milieux", 2, 0, 0 }, { "monsieur", 2, 0, 0 }, { "ouest", 1, 0, 0 }, { "oui", 1, 0, 0 },
    { "ouï", 2, 0, 0 }, { "patient", 3, 0, 0 }, { "pays", 2, 0, 0 }, { "paysage", 3, 0, 0 },
    { "paysages", 3, 0, 0 }, { "paysan", 3, 0, 0 }, { "paysanne", 3, 0, 0 },
    { "paysannes", 3, 0, 0 }, { "paysans", 3, 0, 0 }, { "piastre", 1, 0, 0 },
    { "piastres", 1, 0, 0 }, { "quotidien", 4, 0, 0 }, { "quotidienne", 4, 0, 0 },
    { "quotidiennes", 4, 0, 0 }, { "quotidiens", 4, 0, 0 }, { "quotient", 3, 0, 0 },
    { "toast", 1, 0, 0 }, { "toasts", 1, 0, 0 }, { "vaurien", 2, 0, 0 }, { "vauriens", 2, 0, 0 },
    { "vieil", 1, 0, 0 }, { "vieux", 1, 0, 0 }, { "viol", 1, 1, 0 }, { "viols", 1, 1, 0 },
    { "écuelle", 2, 0, 0 }, { "écuelles", 2, 0, 0 }, { "épieux", 2, 0, 0 }, { "étions", 2, 0, 0 },
};

static int cmp_exc(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, ((const syl_exc *)b)->word);
}

int fr_word_syl_exception(const unsigned char *w, int n, int *syl, int *more, int *less) {
    if (n < 3 || n > 12) return 0;                      /* the list holds words of 3..12 letters */
    char buf[FR_MAXW * 3 + 1];
    to_utf8(w, n, buf, sizeof buf);
    const char *key = buf;
    const syl_exc *e = bsearch(&key, syl_exceptions, N_OF(syl_exceptions), sizeof *syl_exceptions, cmp_exc);
    if (!e) return 0;
    *syl = e->syl; *more = e->more; *less = e->less;
    return 1;
}

/* ---- -ier verbs: stems ending in i whose i + vowel is a diérèse (li-er, confi-é) -----
 * Short stems must match the whole stem (li-er, but not pa-lier); long ones may end a
 * longer stem (ré-concili-er, dé-préci-er). */
static const char *const ier_verb_stems[] = {
    "alli", "défi", "déli", "déni", "fi", "li", "mari", "méfi", "ni", "palli", "ralli", "reli",
    "remari", "reni", "ri", "souri", "épi",
};
static const char *const ier_verb_suffixes[] = {
    "aliéni", "amnisti", "appréci", "asphyxi", "associ", "balbuti", "bli", "calomni", "charri",
    "châti", "concili", "confi", "congédi", "contrari", "copi", "cri", "dévi", "envi", "expi",
    "expédi", "extasi", "humili", "initi", "injuri", "irradi", "licenci", "mendi", "négoci",
    "officii", "parodi", "plagi", "pli", "pri", "psalmodi", "radi", "remerci", "répudi", "spoli",
    "studi", "tri", "vari", "émaci", "étudi",
};

int fr_verb_ier(const unsigned char *w, int n) {
    /* n = letters of the stem up to and including the i */
    char buf[FR_MAXW * 3 + 1];
    to_utf8(w, n, buf, sizeof buf);
    if (in_list(ier_verb_stems, N_OF(ier_verb_stems), buf)) return 1;
    size_t len = strlen(buf);
    for (size_t k = 0; k < N_OF(ier_verb_suffixes); k++) {
        size_t m = strlen(ier_verb_suffixes[k]);
        if (len >= m && memcmp(buf + len - m, ier_verb_suffixes[k], m) == 0) return 1;
    }
    /* -ifier verbs: glorifi-er, sacrifi-é */
    if (n >= 4 && w[n - 1] == 'i' && w[n - 2] == 'f' && w[n - 3] == 'i') return 1;
    return 0;
}

/* Exposed for the test that checks every list is sorted. */
int fr_exception_lists_sorted(void) {
    const char *const *lists[] = { proclitics, h_aspire_prefix, disjunct_vowel, ent_sounded, ment_verbs, ment_nouns, ier_verb_stems };
    size_t ns[] = { N_OF(proclitics), N_OF(h_aspire_prefix), N_OF(disjunct_vowel), N_OF(ent_sounded), N_OF(ment_verbs), N_OF(ment_nouns), N_OF(ier_verb_stems) };
    for (size_t l = 0; l < N_OF(lists); l++)
        for (size_t i = 1; i < ns[l]; i++)
            if (strcmp(lists[l][i - 1], lists[l][i]) >= 0) return -(int)(l * 1000 + i) - 1;
    for (size_t i = 1; i < N_OF(syl_exceptions); i++)
        if (strcmp(syl_exceptions[i - 1].word, syl_exceptions[i].word) >= 0) return -(int)(9000 + i);
    for (size_t i = 0; i < N_OF(syl_exceptions); i++) {     /* fr_word_syl_exception skips other lengths */
        int chars = 0;
        for (const char *p = syl_exceptions[i].word; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
        if (chars < 3 || chars > 12) return -(int)(9500 + i);
    }
    return 1;
}
