/* tests/test_prosody_en.c — English prosody (src/prosody/en_*.c): unit cases, hostile
 * input, and the accuracy thresholds on ../shared/eval (meter_en, Browning).
 *
 *   build/tests/test_prosody_en            the test (thresholds asserted)
 *   build/tests/test_prosody_en --eval     also prints the figures of docs/EVALUATION.md
 *   build/tests/test_prosody_en --fails    and every line it gets wrong
 * The eval cases skip with a message when ../shared or data/cmudict.txt is absent. */
#include "test.h"
#include "prosody/en.h"
#include "prosody/en_internal.h"
#include <string.h>
#include <pthread.h>

static int verbose, show_fails;

static en_line scan(const en_dict *d, const char *s) {
    en_line l;
    en_scan_line(d, s, strlen(s), 0, &l);
    return l;
}

static int syl(const en_dict *d, const char *w) { return en_word_syllables(d, w, strlen(w), NULL, NULL); }

/* --- meter_en ----------------------------------------------------------------------------- */

typedef struct meter_stats {
    int lines, exact, within1;
    long gold_syl, aligned_syl, aligned_match;
    int aligned_lines, exact_stress;
    int tmpl_lines, tmpl_exact;
    long tmpl_syl, tmpl_match;
    int npoems;
    char poem[128][96];
    int poem_lines[128], poem_ok[128];
} meter_stats;

/* Splits a TSV line into fields (in place). */
static int fields(char *line, char **f, int max) {
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') { *p = 0; f[n++] = p + 1; }
    return n;
}

static void eval_meter(const en_dict *d, const char *path, const char *name, meter_stats *st) {
    memset(st, 0, sizeof *st);
    size_t len;
    char *buf = t_read_file(path, &len);
    if (!buf) return;
    char *save = NULL;
    int first = 1;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (first) { first = 0; continue; }
        char *f[8];
        if (fields(line, f, 8) < 6) continue;
        const char *text = f[2], *gold = f[4];
        char *alts = f[5];
        int gsyl = (int)strlen(gold);
        en_line l;
        en_scan_line(d, text, strlen(text), 0, &l);
        st->lines++;
        st->gold_syl += gsyl;
        int ok = l.syllables == gsyl, best = -1;
        /* best-matching alternative of the predicted length */
        char *as = NULL;
        for (char *a = strtok_r(alts, "|", &as); a; a = strtok_r(NULL, "|", &as)) {
            if ((int)strlen(a) != l.syllables) continue;
            ok = 1;
            int m = 0;
            for (int i = 0; a[i]; i++) m += a[i] == l.stress[i];
            if (m > best) best = m;
        }
        if (l.syllables == gsyl && best < 0) {
            best = 0;
            for (int i = 0; gold[i]; i++) best += gold[i] == l.stress[i];
        }
        if (ok) {
            st->exact++;
            st->aligned_lines++;
            st->aligned_syl += l.syllables;
            st->aligned_match += best;
            if (best == l.syllables) st->exact_stress++;
        }
        if (abs(l.syllables - gsyl) <= 1) st->within1++;
        /* with the line's metrical template given (fbfv's met_template column) */
        if (f[6] && (f[6][0] == '+' || f[6][0] == '-')) {
            en_line m;
            en_scan_meter(d, text, strlen(text), f[6], &m);
            st->tmpl_lines++;
            if (m.syllables == gsyl) {
                st->tmpl_exact++;
                for (int i = 0; gold[i]; i++) st->tmpl_match += gold[i] == m.stress[i];
                st->tmpl_syl += gsyl;
            }
        }
        /* per-poem exact counts, for the breakdown */
        if (st->npoems == 0 || strcmp(st->poem[st->npoems - 1], f[0]) != 0) {
            if (st->npoems < 128) {
                snprintf(st->poem[st->npoems], sizeof st->poem[0], "%s", f[0]);
                st->poem_lines[st->npoems] = st->poem_ok[st->npoems] = 0;
                st->npoems++;
            }
        }
        if (st->npoems > 0) { st->poem_lines[st->npoems - 1]++; st->poem_ok[st->npoems - 1] += ok; }
        if (show_fails && (!ok || best != l.syllables))
            printf("  %s %s %2d/%2d  gold %-16s got %-16s  %s\n", name, ok ? "STRESS" : "COUNT ", l.syllables, gsyl,
                   gold, l.stress, text);
    }
    free(buf);
}

static void print_template(const char *name, const meter_stats *s) {
    if (!s->tmpl_lines) return;
    printf("%s with the metre given (en_scan_meter, met_template): syllables exact %.1f%%, stress aligned %.1f%%\n",
           name, 100.0 * s->tmpl_exact / s->tmpl_lines, 100.0 * s->tmpl_match / (s->tmpl_syl ? s->tmpl_syl : 1));
}

static void print_poems(const char *name, const meter_stats *s) {
    int perfect = 0;
    for (int i = 0; i < s->npoems; i++) perfect += s->poem_ok[i] == s->poem_lines[i];
    printf("%s by poem: %d of %d poems all exact; below 85%%:", name, perfect, s->npoems);
    for (int i = 0; i < s->npoems; i++)
        if (s->poem_ok[i] < 0.85 * s->poem_lines[i]) printf(" %s %d/%d", s->poem[i], s->poem_ok[i], s->poem_lines[i]);
    printf("\n");
}

static void print_meter(const char *name, const meter_stats *s) {
    printf("%s: %d lines; syllables exact %.1f%%, within 1 %.1f%%; stress aligned %.1f%% (%d lines), "
           "overall %.1f%%; exact stress strings %.1f%%\n",
           name, s->lines, 100.0 * s->exact / s->lines, 100.0 * s->within1 / s->lines,
           100.0 * s->aligned_match / (s->aligned_syl ? s->aligned_syl : 1), s->aligned_lines,
           100.0 * s->aligned_match / s->gold_syl, 100.0 * s->exact_stress / s->lines);
}

static void eval_browning(const en_dict *d, const char *path, int target, int *lines, int *in_9_11, int *ten_11) {
    *lines = *in_9_11 = *ten_11 = 0;
    size_t len;
    char *buf = t_read_file(path, &len);
    if (!buf) return;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || !line[0]) continue;
        en_line l;
        en_scan_line(d, line, strlen(line), target, &l);
        (*lines)++;
        *in_9_11 += l.syllables >= 9 && l.syllables <= 11;
        *ten_11 += l.syllables == 10 || l.syllables == 11;
        if (show_fails && !(l.syllables >= 9 && l.syllables <= 11))
            printf("  BROWNING %2d [%d-%d] %s  %s\n", l.syllables, l.min_syllables, l.max_syllables, l.stress, line);
    }
    free(buf);
}

/* Threads share one dictionary: every thread must see the same scans. */
static const char *const thread_lines[] = {
    "Shall I compare thee to a summer's day?", "Tyger! tyger! burning bright",
    "And Heaven's glory o'er the mountain", "The sick'ning stars fade off th' ethereal plain",
    "Volley'd and thunder'd", "O Captain! my Captain! our fearful trip is done,",
};
typedef struct thread_arg { const en_dict *d; en_line out[6]; } thread_arg;
static void *thread_main(void *v) {
    thread_arg *a = v;
    for (int rep = 0; rep < 200; rep++)
        for (int i = 0; i < 6; i++) en_scan_line(a->d, thread_lines[i], strlen(thread_lines[i]), rep & 1 ? 10 : 0, &a->out[i]);
    return NULL;
}

/* --debug TEXT: each word's readings, then the line's scan (for looking at failures). */
static int debug_word(void *ctx, const char *w, size_t n, int ed) {
    en_reading rd[4];
    int k = en_word_readings(ctx, w, n, ed, rd, 4, NULL);
    printf("  %.*s%s:", (int)n, w, ed ? " (-èd)" : "");
    for (int i = 0; i < k; i++) printf(" %d[%s]", rd[i].nsyl, rd[i].cls);
    printf("\n");
    return 0;
}

/* --- rhyme pairs (rhyme/en gold stanzas) ----------------------------------------------- */

typedef struct rhyme_stats { long pos, pos_perfect, pos_any, neg, neg_any, neg_perfect; } rhyme_stats;

static void eval_rhyme_pairs(const en_dict *d, const char *path, rhyme_stats *st) {
    memset(st, 0, sizeof *st);
    size_t len;
    char *buf = t_read_file(path, &len);
    if (!buf) return;
    enum { MAXL = 64 };
    en_line lines[MAXL];
    char scheme[MAXL + 1] = "";
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
        int header = line && line[0] == '#';
        if (!line || (header && n > 0)) {
            /* a stanza ended: score its pairs */
            if (n > 0 && (int)strlen(scheme) == n)
                for (int i = 0; i < n; i++)
                    for (int j = i + 1; j < n; j++) {
                        int q = en_rhyme_quality_dict(d, &lines[i], &lines[j]);
                        if (scheme[i] == scheme[j]) {
                            st->pos++; st->pos_perfect += q >= 2; st->pos_any += q >= 1;
                            if (show_fails && q == 0)
                                printf("  RHYME-MISS %s/%s  %s/%s\n", lines[i].last_word, lines[j].last_word, lines[i].rhyme_key, lines[j].rhyme_key);
                        } else if (show_fails && q >= 2 && q < 3)
                            printf("  RHYME-FALSE %s/%s  %s/%s\n", lines[i].last_word, lines[j].last_word, lines[i].rhyme_key, lines[j].rhyme_key);
                        if (scheme[i] == scheme[j]) {}
                        else { st->neg++; st->neg_any += q >= 1; st->neg_perfect += q >= 2; }
                    }
            n = 0;
            scheme[0] = 0;
        }
        if (!line) break;
        if (header) {
            if (!strncmp(line, "# scheme: ", 10)) snprintf(scheme, sizeof scheme, "%s", line + 10);
            continue;
        }
        if (n < MAXL) en_scan_line(d, line, strlen(line), 0, &lines[n++]);
    }
    free(buf);
}

/* The guesser against the dictionary: share of dictionary words (every 20th) whose
 * syllable count it gets right from the spelling alone. */
static double eval_guesser(const char *dict_path, long *count) {
    size_t len;
    char *buf = t_read_file(dict_path, &len);
    *count = 0;
    if (!buf) return 0;
    long ok = 0, k = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), k++) {
        if (k % 20) continue;
        char *sp = strchr(line, ' ');
        if (!sp || strchr(line, '(') || strchr(line, '\'') || strchr(line, '.') || strchr(line, '-')) continue;
        int gold = 0;
        for (char *p = sp; *p; p++) gold += *p >= '0' && *p <= '2';
        en_pron g;
        en_guess_pron(line, (size_t)(sp - line), &g);
        ok += en_pron_syllables(&g) == gold;
        (*count)++;
    }
    free(buf);
    return *count ? (double)ok / (double)*count : 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--debug")) {
        en_dict *dd = NULL;
        en_dict_load(NULL, &dd, NULL);
        en_split_words(argv[2], strlen(argv[2]), debug_word, dd);
        en_line l;
        en_scan_line(dd, argv[2], strlen(argv[2]), 0, &l);
        printf("%d [%d-%d] %s key %s fem %d last %s\n", l.syllables, l.min_syllables, l.max_syllables, l.stress,
               l.rhyme_key, l.feminine, l.last_word);
        en_dict_free(dd);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--eval")) verbose = 1;
        if (!strcmp(argv[i], "--fails")) verbose = show_fails = 1;
    }
    en_dict *d = NULL;
    vers_err err = {0};
    int rc = en_dict_load(NULL, &d, &err);
    int have_dict = rc == VERS_OK && d && !en_dict_guess_only(d);

    /* the page marks a stressed syllable on its letters: a word cut into the count's
     * syllables by its spelling (en_cut.c), whatever the count */
    T_CASE("en: a word's letters cut into its syllables") {
        struct { const char *w; int nsyl; const char *want; } c[] = {
            {"compare", 2, "com|pare"}, {"summer's", 2, "sum|mer's"}, {"temperate", 3, "tem|pe|rate"},
            {"heaven", 1, "heaven"}, {"heaven", 2, "hea|ven"}, {"every", 2, "eve|ry"}, {"every", 3, "e|ve|ry"},
            {"glorious", 3, "glo|ri|ous"}, {"quiet", 2, "qui|et"}, {"being", 2, "be|ing"}, {"little", 2, "lit|tle"},
            {"children", 2, "chil|dren"}, {"mother", 2, "mo|ther"}, {"rhythm", 2, "rhy|thm"}, {"fire", 1, "fire"},
            {"fire", 2, "fi|re"}, {"loved", 1, "loved"}, {"wanted", 2, "wan|ted"}, {"flower", 1, "flower"},
            {"lovely", 2, "love|ly"}, {"singer", 2, "sing|er"}, {"yes", 1, "yes"}, {"beyond", 2, "be|yond"},
            {"st", 2, "s|t"}, {"a", 3, "a||"},
        };
        for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
            int cut[24];
            size_t n = strlen(c[i].w);
            en_syllable_cuts(c[i].w, n, c[i].nsyl, cut);
            char got[64];
            size_t g = 0;
            for (int k = 0; k < c[i].nsyl; k++) {
                size_t e = k + 1 < c[i].nsyl ? (size_t)cut[k + 1] : n;
                if (k) got[g++] = '|';
                memcpy(got + g, c[i].w + cut[k], e - (size_t)cut[k]);
                g += e - (size_t)cut[k];
            }
            got[g] = 0;
            T_CHECK(!strcmp(got, c[i].want), "%s in %d: %s, not %s", c[i].w, c[i].nsyl, got, c[i].want);
        }
        /* any letters, any count: cut[0] = 0, rising by at least one until the word's end */
        unsigned long long r = 42;
        int bad = 0;
        for (int t = 0; t < 20000; t++) {
            char w[40];
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            int n = 1 + (int)(r >> 59);
            for (int k = 0; k < n; k++) { r = r * 6364136223846793005ull + 1; w[k] = "aeiouybcdglmnrst'"[(r >> 33) % 17]; }
            int nsyl = 1 + (int)((r >> 20) % 12), cut[24];
            en_syllable_cuts(w, (size_t)n, nsyl, cut);
            if (cut[0] != 0) bad++;
            for (int k = 1; k < nsyl; k++)
                if (cut[k] > n || (cut[k] <= cut[k - 1] && cut[k - 1] < n) || cut[k] < cut[k - 1]) { bad++; break; }
        }
        T_CHECK(bad == 0, "%d random words cut out of order", bad);
    }

    T_CASE("en: dictionary load") {
        T_CHECK(rc == VERS_OK && d, "load: %d %s", rc, err.msg);
        if (!have_dict) printf("note: %s\n", err.msg);
    }
    if (!d) T_DONE();

    T_CASE("en: missing explicit path is an error, missing default is a warning") {
        en_dict *x = NULL;
        vers_err e2 = {0};
        T_CHECK(en_dict_load("/nonexistent/cmudict.txt", &x, &e2) == VERS_EIO && !x, "explicit path");
        setenv("VERS_CMUDICT", "/nonexistent/cmudict.txt", 1);
        en_dict *g = NULL;
        e2.code = 0;
        T_CHECK(en_dict_load(NULL, &g, &e2) == VERS_OK && g && en_dict_guess_only(g) && e2.code == VERS_ENOTFOUND,
                "guess-only dict");
        if (g) {
            T_CHECK(syl(g, "beautiful") == 3, "guessed beautiful %d", syl(g, "beautiful"));
            T_CHECK(syl(g, "lines") == 1, "guessed lines %d", syl(g, "lines"));
            T_CHECK(syl(g, "wanted") == 2, "guessed wanted %d", syl(g, "wanted"));
            T_CHECK(syl(g, "table") == 2, "guessed table %d", syl(g, "table"));
        }
        en_dict_free(g);
        unsetenv("VERS_CMUDICT");
    }

    T_CASE("en: malformed dictionary file is rejected") {
        char path[512];
        snprintf(path, sizeof path, "%s/bad_cmudict.txt", t_tmpdir());
        FILE *f = fopen(path, "w");
        if (f) { fputs("hello HH AH0 L OW1\nworld W ER1 L D\nbad XX1 YY\n", f); fclose(f); }
        en_dict *x = NULL;
        vers_err e2 = {0};
        T_CHECK(en_dict_load(path, &x, &e2) == VERS_EFORMAT && !x, "bad phoneme accepted");
        f = fopen(path, "w");
        if (f) { fputs("hello HH AH0 L OW1\nhello(2) HH EH0 L OW1\nworld W ER1 L D\n", f); fclose(f); }
        T_CHECK(en_dict_load(path, &x, &e2) == VERS_OK && x && en_dict_size(x) == 2, "small dict");
        if (x) T_CHECK(syl(x, "hello") == 2, "hello");
        en_dict_free(x);
    }

    T_CASE("en: binary cache is used, and a corrupt or stale one is rebuilt") {
        char path[512], bin[512];
        snprintf(path, sizeof path, "%s/cache_cmudict.txt", t_tmpdir());
        snprintf(bin, sizeof bin, "%s/cache_cmudict.bin", t_tmpdir());
        unlink(bin);
        FILE *f = fopen(path, "w");
        if (f) { fputs("hello HH AH0 L OW1\nhello(2) HH EH0 L OW1\nworld W ER1 L D\n", f); fclose(f); }
        en_dict *x = NULL;
        T_CHECK(en_dict_load(path, &x, NULL) == VERS_OK && x, "first load");
        en_dict_free(x);
        T_CHECK(access(bin, R_OK) == 0, "cache written");
        x = NULL;
        T_CHECK(en_dict_load(path, &x, NULL) == VERS_OK && x && en_dict_size(x) == 2, "cached load");
        if (x) {
            en_pron p[4];
            T_CHECK(en_dict_lookup(x, "hello", 5, p, 4) == 2 && p[0].n == 4, "cached lookup");
            T_CHECK(en_dict_lookup(x, "world", 5, p, 4) == 1 && en_dict_lookup(x, "nope", 4, p, 4) == 0, "cached lookup 2");
        }
        en_dict_free(x);
        /* corrupt every byte of the cache in turn (a few positions): never a crash */
        size_t blen = 0;
        char *img = t_read_file(bin, &blen);
        for (size_t pos = 0; img && pos < blen; pos += 1 + blen / 61) {
            char *bad = malloc(blen);
            if (!bad) break;
            memcpy(bad, img, blen);
            bad[pos] ^= 0x5a;
            f = fopen(bin, "wb");
            if (f) { fwrite(bad, 1, blen, f); fclose(f); }
            free(bad);
            x = NULL;
            int rc2 = en_dict_load(path, &x, NULL);
            T_CHECK(rc2 == VERS_OK && x, "load with corrupt cache byte %zu", pos);
            if (x) {
                en_pron p[4];
                int k = en_dict_lookup(x, "hello", 5, p, 4);
                T_CHECK(k <= 2, "lookup");
                (void)syl(x, "world");
            }
            en_dict_free(x);
        }
        free(img);
        /* truncated cache: rejected and rebuilt */
        f = fopen(bin, "wb");
        if (f) { fputs("VERSCMU1", f); fclose(f); }
        x = NULL;
        T_CHECK(en_dict_load(path, &x, NULL) == VERS_OK && x && en_dict_size(x) == 2, "truncated cache");
        en_dict_free(x);
    }

    T_CASE("en: guesser on words no dictionary has") {
        T_CHECK(syl(d, "wynde") == 1, "wynde %d", syl(d, "wynde"));
        T_CHECK(syl(d, "flimberous") == 3, "flimberous %d", syl(d, "flimberous"));
        T_CHECK(syl(d, "gloaming") >= 2, "gloaming");
        en_pron gp;
        en_guess_pron("tamely", 6, &gp);   /* silent e before -ly: tame-ly */
        T_CHECK(en_pron_syllables(&gp) == 2, "tamely %d", en_pron_syllables(&gp));
        char key[48];
        en_word_rhyme_key(d, "blight", 6, key, sizeof key, NULL);
        T_CHECK(strcmp(key, "AYT") == 0, "blight key %s", key);
    }

    if (!have_dict) {
        T_SKIP("en: dictionary cases", "data/cmudict.txt absent (run scripts/fetch-cmudict.sh)");
    } else {
        T_CASE("en: word syllables and ranges") {
            int mn, mx;
            T_CHECK(syl(d, "beautiful") == 3, "beautiful");
            T_CHECK(en_word_syllables(d, "heaven", 6, &mn, &mx) == 2 && mn == 1 && mx == 2, "heaven %d-%d", mn, mx);
            T_CHECK(en_word_syllables(d, "flower", 6, &mn, &mx) == 2 && mn == 1, "flower min %d", mn);
            /* ev-ry as spoken (and as both gold sets read it), ev-er-y an option */
            T_CHECK(en_word_syllables(d, "every", 5, &mn, &mx) == 2 && mn == 2 && mx == 3, "every %d-%d", mn, mx);
            T_CHECK(syl(d, "o'er") == 1 && syl(d, "e'en") == 1 && syl(d, "ne'er") == 1, "o'er e'en ne'er");
            T_CHECK(syl(d, "heav'n") == 1, "heav'n");
            T_CHECK(syl(d, "press'd") == 1 && syl(d, "lov'd") == 1, "press'd lov'd");
            T_CHECK(syl(d, "belovèd") == 3 && syl(d, "blessèd") == 2 && syl(d, "blessed") >= 1, "-èd");
            T_CHECK(syl(d, "’tis") == 1 && syl(d, "\xe2\x80\x98Tis") == 1, "curly 'tis");
            T_CHECK(syl(d, "wished-for") == 2, "hyphen");
            T_CHECK(syl(d, "primæval") == 3 && syl(d, "primaeval") == 3, "primæval = primeval: %d", syl(d, "primæval"));
            T_CHECK(syl(d, "1850") == 4, "1850: %d", syl(d, "1850"));
            T_CHECK(syl(d, "7") == 2, "7");
            T_CHECK(syl(d, "") == 0 && syl(d, "...!") == 0, "no words");
        }
        T_CASE("en: line scan") {
            en_line l = scan(d, "Shall I compare thee to a summer’s day?");
            T_CHECK(l.syllables == 10, "syllables %d", l.syllables);
            T_CHECK(strcmp(l.stress, "0101010101") == 0, "stress %s", l.stress);
            T_CHECK(strcmp(l.rhyme_key, "EY") == 0 && !l.feminine, "key %s", l.rhyme_key);
            T_CHECK(strcmp(l.last_word, "day") == 0, "last word %s", l.last_word);
            l = scan(d, "Could frame thy fearful symmetry?");
            T_CHECK(strcmp(l.stress, "01010101") == 0, "symmetry: %s", l.stress);
            l = scan(d, "Tyger! tyger! burning bright");
            T_CHECK(strcmp(l.stress, "1010101") == 0, "tyger: %s", l.stress);
            l = scan(d, "To be, or not to be: that is the question:");
            T_CHECK(l.syllables == 11 && l.feminine && strcmp(l.rhyme_key, "EHSCHAHN") == 0, "question %d %s", l.syllables, l.rhyme_key);
            /* a function word ending the line ends a phrase and keeps a stress */
            l = scan(d, "Cannon to right of them,");
            T_CHECK(strcmp(l.stress, "100101") == 0, "right of THEM: %s", l.stress);
            l = scan(d, "A Man's a Man for a' that:");
            T_CHECK(l.syllables == 7 && l.stress[6] == '1', "for a' THAT: %d %s", l.syllables, l.stress);
            /* a function word on a beat right after a weak syllable that keeps its
             * stress stays light: stamped ON these, not stamped on THESE... */
            l = scan(d, "Which yet survive, stamped on these lifeless things,");
            T_CHECK(strcmp(l.stress, "0101100101") == 0, "stamped on these: %s", l.stress);
            l = scan(d, "Nothing beside remains. Round the decay");
            T_CHECK(strcmp(l.stress, "1001011001") == 0, "Round the decay: %s", l.stress);
            /* an article on a beat stays light: with THE first DREAM... is not read */
            l = scan(d, "With the first dream that comes with the first sleep");
            T_CHECK(strcmp(l.stress, "0011010011") == 0, "with the first sleep: %s", l.stress);
            l = scan(d, "And Heaven's glory o'er the mountain");
            T_CHECK(l.min_syllables < l.syllables, "range %d-%d", l.min_syllables, l.max_syllables);
            en_line t;
            const char *s = "And a voice said in mastery, while I strove,";
            en_scan_line(d, s, strlen(s), 10, &t);
            T_CHECK(t.syllables == 10, "target 10: %d", t.syllables);
            en_scan_meter(d, s, strlen(s), "-+-+-+-+-+", &t);
            T_CHECK(t.syllables == 10 && strlen(t.stress) == 10, "meter: %d %s", t.syllables, t.stress);
        }
        T_CASE("en: rhyme quality") {
            en_line a = scan(d, "The woods are lovely, dark and deep"), b = scan(d, "And miles to go before I sleep"),
                    c = scan(d, "Upon the hill I saw a sheep-dog's heap"), e = scan(d, "I fall asleep"),
                    f = scan(d, "Whose woods these are I think I know"), g = scan(d, "once more I fall asleep");
            T_CHECK(en_rhyme_quality(&a, &b) == 2, "deep/sleep");
            T_CHECK(en_rhyme_quality(&b, &f) == 0, "sleep/know");
            T_CHECK(en_rhyme_quality(&e, &g) == 3, "asleep/asleep");
            T_CHECK(en_rhyme_quality(&a, &c) == 2, "deep/heap");
            en_line m = scan(d, "the sun"), n = scan(d, "come"), o = scan(d, "love"), p = scan(d, "prove");
            T_CHECK(en_rhyme_quality(&m, &n) == 1, "sun/come slant");
            T_CHECK(en_rhyme_quality(&o, &p) == 1, "love/prove slant");
            en_line g1 = scan(d, "Nor all that glisters gold; I give"), l1 = scan(d, "and thus we live");
            T_CHECK(en_rhyme_quality_dict(d, &g1, &l1) == 2, "give/live with variants");
            char keys[4][48];
            T_CHECK(en_rhyme_key_variants(d, "wind", 4, keys, 4) == 2, "wind has two keys");
            en_line f1 = scan(d, "the fire"), h1 = scan(d, "and higher");
            T_CHECK(en_rhyme_quality(&f1, &h1) == 2, "fire/higher %s %s", f1.rhyme_key, h1.rhyme_key);
            en_line e1 = scan(d, "my eyes"), m1 = scan(d, "at moonrise");
            T_CHECK(en_rhyme_quality(&e1, &m1) == 1, "eyes/moonrise weak");
            en_line w1 = scan(d, "a word"), s1 = scan(d, "the sword");
            T_CHECK(en_rhyme_quality(&w1, &s1) >= 1, "word/sword eye rhyme");
        }
    }

    T_CASE("en: one dictionary shared by threads gives the same scans") {
        thread_arg a[2] = {{.d = d}, {.d = d}};
        pthread_t th[2];
        int started = 0;
        for (int t = 0; t < 2; t++) started += pthread_create(&th[t], NULL, thread_main, &a[t]) == 0;
        for (int t = 0; t < started; t++) pthread_join(th[t], NULL);
        T_CHECK(started == 2, "threads");
        for (int i = 0; i < 6 && started == 2; i++) {
            en_line one;
            en_scan_line(d, thread_lines[i], strlen(thread_lines[i]), 10, &one);
            T_CHECK(!memcmp(&a[0].out[i], &a[1].out[i], sizeof one) && !memcmp(&one, &a[0].out[i], sizeof one), "line %d", i);
        }
    }

    if (!have_dict)
        T_SKIP("en: elisions, -èd, numbers and feminine endings in lines", "data/cmudict.txt absent (run scripts/fetch-cmudict.sh)");
    else T_CASE("en: elisions, -èd, numbers and feminine endings in lines") {
        en_line l = scan(d, "The sick’ning stars fade off th’ ethereal plain;");
        T_CHECK(l.syllables == 10 || l.syllables == 11, "sick'ning/th': %d", l.syllables);
        l = scan(d, "My belovèd is mine");
        T_CHECK(l.syllables == 6, "belovèd: %d", l.syllables);
        l = scan(d, "In 1850 we were young");
        T_CHECK(l.syllables == 8, "1850 in a line: %d", l.syllables);
        l = scan(d, "5 Sharp violins proclaim");
        T_CHECK(l.syllables == 6, "line number skipped: %d", l.syllables);
        l = scan(d, "What dread hand? & what dread feet?");
        T_CHECK(l.syllables == 7, "&: %d", l.syllables);
        l = scan(d, "A thing of beauty is a joy for ever:");
        T_CHECK(l.syllables == 11 && l.feminine && l.stress[10] == '0', "feminine ever: %d %s", l.syllables, l.stress);
        l = scan(d, "the flower");
        T_CHECK(l.min_syllables == 2 && l.max_syllables == 3, "flower range %d-%d", l.min_syllables, l.max_syllables);
        en_line t;
        const char *s = "The flower that smiles to-day";
        en_scan_line(d, s, strlen(s), 6, &t);
        T_CHECK(t.syllables == 6 && strlen(t.stress) == 6, "target picks flow'r: %d %s", t.syllables, t.stress);
        char st[16];
        T_CHECK(en_word_stress(d, "beautiful", 9, st, sizeof st) == 3 && !strcmp(st, "100"), "word stress %s", st);
        T_CHECK(en_word_stress(d, "the", 3, st, sizeof st) == 1 && !strcmp(st, "0"), "function word %s", st);
        int fem = 0;
        char key[48];
        T_CHECK(en_word_rhyme_key(d, "Mountain,", 9, key, sizeof key, &fem) > 0 && fem && !strcmp(key, "AWNTAHN"), "mountain %s", key);
    }

    T_CASE("en: hostile input never crashes and stays bounded") {
        static const char *const bad[] = {"", "\xff\xfe\xfd", "\xe2\x80", "''''", "-- -- --", "123456789012345678901234567890",
                                          "\xc3", "th' th' th'", "'", "a'b'c'd'e'f", "\xf0\x9f\x98\x80\xf0\x9f\x98\x80"};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            en_line l;
            T_CHECK(en_scan_line(d, bad[i], strlen(bad[i]), 0, &l) == VERS_OK, "rc");
            T_CHECK(strlen(l.stress) < 64 && strlen(l.rhyme_key) < 48, "bounds");
        }
        size_t big = 1 << 20;
        char *s = malloc(big);
        if (s) {
            for (size_t i = 0; i < big; i++) s[i] = "ab cde fgh'ij-\xc3\xa9 "[i % 17];
            en_line l;
            T_CHECK(en_scan_line(d, s, big, 10, &l) == VERS_OK && l.syllables > 10000, "1 MB line: %d", l.syllables);
            memset(s, 'a', big);
            T_CHECK(en_scan_line(d, s, big, 0, &l) == VERS_OK, "1 MB word");
            for (size_t i = 0; i < big; i++) s[i] = (char)(i * 7919u >> 3);
            T_CHECK(en_scan_line(d, s, big, 0, &l) == VERS_OK, "1 MB binary");
            free(s);
        }
        en_line l;
        T_CHECK(en_scan_line(d, NULL, 0, 0, &l) == VERS_OK && l.syllables == 0, "NULL empty");
        T_CHECK(en_scan_line(d, "x", 1, 0, NULL) == VERS_EINVAL, "NULL out");
    }

    const char *fbfv = t_shared("eval/meter_en/fbfv.tsv");
    const char *epg = t_shared("eval/meter_en/epg64.tsv");
    const char *brown = t_shared("eval/browning/sonnets_from_the_portuguese.txt");
    if (!fbfv || !epg || !brown) {
        T_SKIP("en: eval thresholds", "../shared/eval not found (set VERS_SHARED)");
    } else if (!have_dict) {
        T_SKIP("en: eval thresholds", "data/cmudict.txt absent (run scripts/fetch-cmudict.sh)");
    } else {
        static meter_stats a, b;
        eval_meter(d, fbfv, "fbfv", &a);
        eval_meter(d, epg, "epg64", &b);
        int bl, b911, b1011, tl, t911, t1011;
        eval_browning(d, brown, 0, &bl, &b911, &b1011);
        eval_browning(d, brown, 10, &tl, &t911, &t1011);
        if (verbose) {
            print_meter("fbfv", &a);
            print_meter("epg64", &b);
            print_template("fbfv", &a);
            print_poems("fbfv", &a);
            print_poems("epg64", &b);
            printf("browning: %d lines; 9-11 syllables %.1f%%, 10 or 11 %.1f%%; with target 10: %.1f%%, %.1f%%\n",
                   bl, 100.0 * b911 / bl, 100.0 * b1011 / bl, 100.0 * t911 / tl, 100.0 * t1011 / tl);
        }
        const char *rpath = t_shared("eval/rhyme/en/rhymedata_en.txt");
        if (rpath) {
            rhyme_stats rs;
            eval_rhyme_pairs(d, rpath, &rs);
            if (verbose)
                printf("rhyme/en line pairs: rhyming (gold) %ld: quality>=2 %.1f%%, >=1 %.1f%%; "
                       "not rhyming %ld: quality>=2 %.1f%%, >=1 %.1f%%\n",
                       rs.pos, 100.0 * rs.pos_perfect / rs.pos, 100.0 * rs.pos_any / rs.pos, rs.neg,
                       100.0 * rs.neg_perfect / rs.neg, 100.0 * rs.neg_any / rs.neg);
            T_CASE("en: rhyme keys separate gold rhyming pairs from the others") {
                T_CHECK(rs.pos > 10000 && rs.pos_any >= 0.85 * rs.pos && rs.neg_perfect <= 0.03 * rs.neg,
                        "pos %ld/%ld, neg %ld/%ld", rs.pos_any, rs.pos, rs.neg_perfect, rs.neg);
            }
        }
        if (en_dict_path(d)) {
            long cnt;
            double acc = eval_guesser(en_dict_path(d), &cnt);
            if (verbose) printf("guesser: syllable count right on %.1f%% of %ld dictionary words\n", 100.0 * acc, cnt);
            T_CASE("en: guesser syllable counts >= 85% on dictionary words") {
                T_CHECK(cnt > 1000 && acc >= 0.85, "%.3f of %ld", acc, cnt);
            }
        }
        T_CASE("en: fbfv syllables >= 95% exact") {
            T_CHECK(a.lines > 500 && a.exact >= 0.95 * a.lines, "%d/%d", a.exact, a.lines);
        }
        T_CASE("en: fbfv stress >= 85% per syllable (aligned)") {
            T_CHECK(a.aligned_match >= 0.85 * a.aligned_syl, "%ld/%ld", a.aligned_match, a.aligned_syl);
        }
        T_CASE("en: Browning lines 9-11 syllables >= 95%") {
            T_CHECK(bl == 616 && b911 >= 0.95 * bl, "%d/%d", b911, bl);
        }
    }
    en_dict_free(d);
    T_DONE();
}
