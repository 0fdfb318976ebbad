/* tests/test_prosody_fr.c — French versification (src/prosody/fr_*.c).
 *
 * Unit cases of each rule (e muet, elision, h aspiré, diérèse, -ent, hiatus, caesura,
 * rhyme keys and richness, gender), robustness on hostile bytes, and the accuracy on
 * ../shared/eval (fr_syllables, fr_metrique) with the threshold (≥ 97% exact).
 *   build/tests/test_prosody_fr            the test (make test)
 *   build/tests/test_prosody_fr --report   figures per file, author and metre
 *   build/tests/test_prosody_fr --fails F  also prints the lines it gets wrong (F: file name part) */
#include "test.h"
#include "prosody/fr.h"
#include "prosody/fr_internal.h"
#include <stdint.h>

int fr_exception_lists_sorted(void);

static int report, show_fails;
static const char *fails_filter;

static int syl(const char *s) {
    fr_line l;
    fr_scan_line(s, strlen(s), 0, &l);
    return l.syllables;
}
static int syl_t(const char *s, int target) {
    fr_line l;
    fr_scan_line(s, strlen(s), target, &l);
    return l.syllables;
}
static const char *key(const char *s) {
    static fr_line l;
    fr_scan_line(s, strlen(s), 0, &l);
    return l.rhyme_key;
}
static char gender(const char *s) {
    fr_line l;
    fr_scan_line(s, strlen(s), 0, &l);
    return l.gender;
}
static int quality(const char *a, const char *b) {
    fr_line x, y;
    fr_scan_line(a, strlen(a), 0, &x);
    fr_scan_line(b, strlen(b), 0, &y);
    return fr_rhyme_quality(&x, &y);
}

#define SYL(s, n) do { int got_ = syl(s); T_CHECK(got_ == (n), "\"%s\": %d syllables, want %d", s, got_, n); } while (0)
#define KEYEQ(a, b) do { char ka_[48]; snprintf(ka_, sizeof ka_, "%s", key(a)); const char *kb_ = key(b); \
    T_CHECK(strcmp(ka_, kb_) == 0, "keys differ: %s \"%s\" / %s \"%s\"", a, ka_, b, kb_); } while (0)
#define KEYNE(a, b) do { char ka_[48]; snprintf(ka_, sizeof ka_, "%s", key(a)); const char *kb_ = key(b); \
    T_CHECK(strcmp(ka_, kb_) != 0, "keys equal: %s / %s \"%s\"", a, b, ka_); } while (0)

/* ---- evaluation on ../shared -------------------------------------------------------- */

typedef struct tally { char name[96]; int n, exact, near; } tally;
#define MAXT 64
static tally *tally_get(tally *t, int *nt, const char *name) {
    for (int i = 0; i < *nt; i++) if (strcmp(t[i].name, name) == 0) return &t[i];
    if (*nt >= MAXT) return &t[MAXT - 1];
    snprintf(t[*nt].name, sizeof t[0].name, "%s", name);
    t[*nt].n = t[*nt].exact = t[*nt].near = 0;
    return &t[(*nt)++];
}
static void tally_add(tally *t, int exact, int near) { t->n++; t->exact += exact; t->near += near; }
static void tally_print(const char *title, tally *t, int nt) {
    if (!report) return;
    printf("  %s\n", title);
    for (int i = 0; i < nt; i++)
        printf("    %-40s %5d lines  exact %6.2f%%  within ±1 %6.2f%%\n", t[i].name, t[i].n,
               100.0 * t[i].exact / (t[i].n ? t[i].n : 1), 100.0 * t[i].near / (t[i].n ? t[i].n : 1));
}

/* Splits a TSV line in place into at most max fields. */
static int split_tsv(char *line, char **f, int max) {
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++) if (*p == '\t') { *p = 0; f[n++] = p + 1; }
    return n;
}

/* fr_syllables TSV files: text col 2, syllables col 3, note col 4 (author before ','). */
static double eval_malherbe(const char *path, const char *label, int *lines_out) {
    size_t len; char *buf = t_read_file(path, &len);
    if (!buf) return -1;
    tally all = { "", 0, 0, 0 }, by_author[MAXT], by_metre[MAXT];
    int na = 0, nm = 0;
    char *save = NULL;
    int first = 1;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (first) { first = 0; continue; }
        char *f[6]; if (split_tsv(line, f, 6) < 5) continue;
        int gold = atoi(f[3]);
        fr_line l;
        fr_scan_line(f[2], strlen(f[2]), gold, &l);
        int ex = l.syllables == gold, nr = abs(l.syllables - gold) <= 1;
        char author[96]; snprintf(author, sizeof author, "%s", f[4]);
        char *c = strchr(author, ','); if (c) *c = 0;
        char metre[32]; snprintf(metre, sizeof metre, "metre %d", gold);
        tally_add(&all, ex, nr);
        tally_add(tally_get(by_author, &na, author), ex, nr);
        tally_add(tally_get(by_metre, &nm, metre), ex, nr);
        if (!ex && show_fails && (!fails_filter || strstr(path, fails_filter)))
            printf("FAILLINE %s\t%d\tgot %d [%d..%d]\t%s\n", f[0], gold, l.syllables, l.min_syllables, l.max_syllables, f[2]);
    }
    free(buf);
    if (report) {
        printf("%s: %d lines, exact %.2f%%, within ±1 %.2f%%\n", label, all.n, 100.0 * all.exact / (all.n ? all.n : 1),
               100.0 * all.near / (all.n ? all.n : 1));
        tally_print("by author", by_author, na);
        tally_print("by metre", by_metre, nm);
    }
    *lines_out = all.n;
    return all.n ? (double)all.exact / all.n : 0;
}

/* fr_metrique/lines.tsv: text col 3, syllables col 5, gender col 7. */
static double eval_metrique(const char *path, double *gender_acc, int *lines_out) {
    size_t len; char *buf = t_read_file(path, &len);
    if (!buf) return -1;
    tally all = { "", 0, 0, 0 }, by_metre[MAXT];
    int nm = 0, gok = 0;
    char *save = NULL;
    int first = 1;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (first) { first = 0; continue; }
        char *f[9]; if (split_tsv(line, f, 9) < 8) continue;
        int gold = atoi(f[5]);
        fr_line l;
        fr_scan_line(f[3], strlen(f[3]), gold, &l);
        int ex = l.syllables == gold, nr = abs(l.syllables - gold) <= 1;
        char metre[32]; snprintf(metre, sizeof metre, "%d syllables", gold);
        tally_add(&all, ex, nr);
        tally_add(tally_get(by_metre, &nm, metre), ex, nr);
        gok += l.gender == f[7][0];
        if (show_fails && (!fails_filter || strstr(path, fails_filter))) {
            if (!ex) printf("FAILLINE %s\t%d\tgot %d [%d..%d]\t%s\n", f[0], gold, l.syllables, l.min_syllables, l.max_syllables, f[3]);
            if (l.gender != f[7][0]) printf("FAILGENDER %s\t%s\tgot %c\t%s\n", f[0], f[7], l.gender, f[3]);
        }
    }
    free(buf);
    *gender_acc = all.n ? (double)gok / all.n : 0;
    if (report) {
        printf("fr_metrique/lines.tsv: %d lines, exact %.2f%%, within ±1 %.2f%%, gender %.2f%%\n", all.n,
               100.0 * all.exact / (all.n ? all.n : 1), 100.0 * all.near / (all.n ? all.n : 1), 100.0 * *gender_acc);
        tally_print("by metre", by_metre, nm);
    }
    *lines_out = all.n;
    return all.n ? (double)all.exact / all.n : 0;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--report")) report = 1;
        else if (!strcmp(argv[i], "--fails")) { show_fails = 1; report = 1; if (i + 1 < argc) fails_filter = argv[++i]; }
    }

    T_CASE("fr: exception lists are sorted (bsearch)") {
        int r = fr_exception_lists_sorted();
        T_CHECK(r == 1, "list out of order at %d", r);
    }

    T_CASE("fr: e muet counted before consonant, elided before vowel, not at line end") {
        SYL("la rose", 2);
        SYL("une rose", 3);
        SYL("une âme", 2);
        SYL("elle aime", 2);
        SYL("les belles roses", 4);
        SYL("les belles roses ici", 7);
        SYL("les belles âmes", 4);      /* -es before a vowel counts */
        SYL("ils chantent encore", 5);  /* -ent counts before a vowel */
    }

    T_CASE("fr: alexandrins") {
        SYL("Ainsi, toujours poussés vers de nouveaux rivages,", 12);
        SYL("Dans la nuit éternelle emportés sans retour,", 12);
        SYL("Ne pourrons-nous jamais sur l'océan des âges", 12);
        SYL("Jeter l'ancre un seul jour ?", 6);
        SYL("Heureux qui, comme Ulysse, a fait un beau voyage,", 12);
    }

    T_CASE("fr: rhyme keys make rhymes equal") {
        KEYEQ("la mer", "amer");
        KEYEQ("les flots", "les tombeaux");
        KEYEQ("sombre", "ombre");
        KEYEQ("pensée", "passée");
        KEYNE("ami", "amie");
    }

    T_CASE("fr: rhyme gender") {
        T_CHECK(gender("la rose") == 'f', "rose");
        T_CHECK(gender("les roses") == 'f', "roses");
        T_CHECK(gender("ils chantent") == 'f', "chantent");
        T_CHECK(gender("souvent") == 'm', "souvent");
        T_CHECK(gender("ils chantaient") == 'm', "chantaient");
        T_CHECK(gender("la mer") == 'm', "mer");
    }

    T_CASE("fr: rhyme richness") {
        T_CHECK(quality("la mer", "amer") == 3, "mer/amer riche: %d", quality("la mer", "amer"));
        T_CHECK(quality("pensée", "passée") == 2, "pensée/passée suffisante: %d", quality("pensée", "passée"));
        T_CHECK(quality("ami", "joli") == 1, "ami/joli pauvre: %d", quality("ami", "joli"));
        T_CHECK(quality("ami", "amour") == 0, "ami/amour no rhyme");
    }

    T_CASE("fr: hostile input") {
        fr_line l;
        T_CHECK(fr_scan_line("", 0, 0, &l) == 0 && l.syllables == 0, "empty");
        T_CHECK(fr_scan_line(NULL, 0, 0, &l) != 0, "NULL text");
        const char bad[] = "\xff\xfe\xc3\x28 \xe2\x82 abc\x80\x80 l'\xc3\xa9t\xc3\xa9";
        T_CHECK(fr_scan_line(bad, sizeof bad - 1, 0, &l) == 0, "invalid utf-8");
        size_t big = 1 << 20; char *p = malloc(big);
        if (p) { for (size_t i = 0; i < big; i++) p[i] = (char)(i * 7919 % 251 + 1); T_CHECK(fr_scan_line(p, big, 12, &l) == 0, "1 MB line"); free(p); }
        SYL("1830", 4);
    }

    T_CASE("fr: target picks an optional diérèse") {
        T_CHECK(syl_t("hier", 2) == 2 && syl_t("hier", 1) == 1, "hier 1 or 2");
    }

    /* ---- figures on ../shared/eval ---- */
    const char *mal = t_shared("eval/fr_syllables/malherbe.tsv");
    const char *tri = t_shared("eval/fr_syllables/tricky.tsv");
    const char *met = t_shared("eval/fr_metrique/lines.tsv");
    if (!mal || !met) T_SKIP("fr: accuracy on ../shared/eval", "../shared/eval/fr_syllables or fr_metrique absent");
    else T_CASE("fr: per-line syllable accuracy (malherbe ≥ 97%)") {
        int n1 = 0, n2 = 0, n3 = 0; double g;
        double a = eval_malherbe(mal, "fr_syllables/malherbe.tsv", &n1);
        double b = tri ? eval_malherbe(tri, "fr_syllables/tricky.tsv", &n2) : 1.0;
        double c = eval_metrique(met, &g, &n3);
        T_CHECK(n1 > 1000 && a >= 0.97, "malherbe exact %.4f over %d lines (want ≥ 0.97)", a, n1);
        T_CHECK(c >= 0.90, "fr_metrique exact %.4f over %d lines", c, n3);
        T_CHECK(g >= 0.95, "fr_metrique gender %.4f", g);
        (void)b;
    }
    T_DONE();
}
