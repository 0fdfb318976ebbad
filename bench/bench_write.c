/* bench/bench_write.c — speed and quality of `vers write`, per form.
 *
 *   build/bench/bench_write -m MODEL [-t THREADS] [-n SEEDS] [--lang en|fr|all] [FORM ...]
 *
 * For each form it writes SEEDS poems (seeds 1..SEEDS) and prints one line: poems found
 * (success rate), mean and median wall seconds per poem, mean CPU seconds per poem (all
 * threads; the one to read on a busy machine), mean model log-probability per token,
 * distinct-2 (distinct word bigrams / all bigrams, over all poems of the form), the rate of
 * lines whose end word was already used in the poem (refrains excluded), the mean number
 * of model evaluations per poem, and what a reader would notice at the line ends: the share
 * of line-end words outside the language's shipped frequency list (lexicon/, end_out), the
 * share that are words of the other language's list only (end_fgn), the share of line-end
 * word tokens the model gave a probability below 1e-3 before the masks (rare), and the mean
 * share of repeated content words per poem (rep_cw); and an independent ear (ear): the
 * share of poems all of whose rhymes (the lines the form's plan groups) end on the same
 * sounds in espeak-ng's phonemes (bench/espeak_ear.h).  --themes gives seed s a theme of a
 * fixed list and counts the poems that show it; --no-codes writes without structure codes
 * (the A/B of a model fine-tuned with them).  The rhyme index is built (or loaded
 * from its cache) before the clock starts.  scripts/eval-write.sh runs it; docs/EVALUATION.md and docs/BENCHMARKS.md
 * record its output. */
#include "vers.h"
#include "write/wr.h"
#include "espeak_ear.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <time.h>

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct form_run { const char *lang, *form; } form_run;

static const form_run ALL[] = {
    {"en", "sonnet"}, {"en", "sonnet-petrarchan"}, {"en", "haiku"}, {"en", "limerick"},
    {"en", "villanelle"}, {"en", "quatrain"}, {"en", "couplets"}, {"en", "ballad"},
    {"en", "blank-verse"}, {"en", "terza-rima"}, {"en", "free"},
    {"fr", "sonnet"}, {"fr", "quatrain"}, {"fr", "haiku"}, {"fr", "rondeau"},
    {"fr", "octosyllabes"}, {"fr", "alexandrins"}, {"fr", "free"},
};

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* words of a poem, lower-cased, one string per word; lines separated by "\n" entries */
static int words_of(const char *t, char (*w)[32], int cap) {
    int n = 0;
    for (const char *p = t; *p && n < cap;) {
        if (*p == '\n') { if (n > 0 && strcmp(w[n - 1], "\n")) strcpy(w[n++], "\n"); p++; continue; }
        if (!(isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80)) { p++; continue; }
        int l = 0;
        while (*p && (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80 || *p == '\'')) {
            if (l < 31) w[n][l++] = (char)tolower((unsigned char)*p);
            p++;
        }
        w[n][l] = 0; n++;
    }
    return n;
}

#define MAXW 4096
typedef struct bigrams { char (*k)[64]; int cap, n; } bigrams;
static int bigram_add(bigrams *b, const char *x, const char *y) {
    char key[64];
    snprintf(key, sizeof key, "%.31s %.31s", x, y);
    for (int i = 0; i < b->n; i++) if (!strcmp(b->k[i], key)) return 0;
    if (b->n == b->cap) {
        int nc = b->cap ? 2 * b->cap : 1024;
        char (*nk)[64] = realloc(b->k, sizeof *nk * (size_t)nc);
        if (!nk) return 0;
        b->k = nk; b->cap = nc;
    }
    strcpy(b->k[b->n++], key);
    return 1;
}

/* The last word of a line (its letters, apostrophes and hyphens), a French clitic taken off
 * ("l'âme" is "âme" in the list). */
static int last_word(const char *line, size_t len, char *out, size_t cap) {
    size_t e = len;
    while (e > 0 && !(isalpha((unsigned char)line[e - 1]) || (unsigned char)line[e - 1] >= 0x80)) e--;
    size_t b = e;
    while (b > 0 && (isalpha((unsigned char)line[b - 1]) || (unsigned char)line[b - 1] >= 0x80 || line[b - 1] == '\'' || line[b - 1] == '-')) b--;
    const char *ap = memchr(line + b, '\'', e - b);
    if (ap && ap + 1 < line + e) b = (size_t)(ap + 1 - line);
    if (e <= b || e - b >= cap) return 0;
    memcpy(out, line + b, e - b);
    out[e - b] = 0;
    return (int)(e - b);
}

/* The last word of each verse line of a poem (blank lines skipped), lower case kept as is. */
static int poem_end_words(const char *text, char (*out)[64], int cap) {
    int n = 0;
    for (const char *l = text; *l && n < cap;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        if (len > 0) { if (!last_word(l, len, out[n], 64)) out[n][0] = 0; n++; }
        l = nl ? nl + 1 : l + len;
    }
    return n;
}

/* 1 when espeak-ng hears every rhyme the writer's plan asked for (each line against the first
 * line of its rhyme group; the plan is the one vers write makes: the form's first
 * alternatives), 0 when not, -1 when espeak is unavailable. */
static int ear_poem(const char *text, const vers_plan *plan, const char *lang) {
    static char words[512][64];
    int n = poem_end_words(text, words, 512);
    if (n != plan->n_lines) return 0;
    for (int i = 0; i < n; i++) {
        int g = plan->lines[i].rhyme;
        if (g < 0 || plan->lines[i].refrain_of >= 0 || plan->lines[i].rentrement_of >= 0) continue;
        int j = 0;
        while (j < i && (plan->lines[j].rhyme != g || plan->lines[j].refrain_of >= 0 || plan->lines[j].rentrement_of >= 0)) j++;
        if (j == i || !strcmp(words[i], words[j])) continue;
        int r = ear_rhymes(lang, words[j], words[i]);
        /* VERS_BENCH_SHOW_DEAF=1: the pairs the ear does not hear, on stderr */
        if (r == 0 && getenv("VERS_BENCH_SHOW_DEAF")) fprintf(stderr, "ear (%s): '%s' / '%s'\n", lang, words[j], words[i]);
        if (r <= 0) return r;
    }
    return 1;
}

/* --themes: seed s of a form gets theme THEMES[lang][(s - 1) % 10] (fixed before any poem
 * was looked at: the panel's themes and their like), and the poem counts as showing it when
 * it holds the theme word or one of its 50 co-occurring words (lexicon/theme-*.txt). */
static const char *THEMES[2][10] = {
    {"the sea", "night", "love", "death", "spring", "the city", "winter", "a garden", "time", "the moon"},
    {"la mer", "la nuit", "l'amour", "la mort", "le printemps", "la ville", "l'hiver", "le jardin", "le temps", "la lune"}};

/* 1 when the poem's words hold the theme's content word or one of its neighbours */
static int theme_shows(char (*words)[32], int n, const char *theme, int lang) {
    const char *s = theme;
    while (*s) {
        while (*s == ' ' || *s == '\'') s++;
        const char *e = s;
        while (*e && *e != ' ' && *e != '\'') e++;
        int len = (int)(e - s);
        if (len >= 3) {
            for (int i = 0; i < n; i++) if ((int)strlen(words[i]) == len && !strncmp(words[i], s, (size_t)len)) return 1;
            int nl = 0;
            const char *nb = wr_theme_neighbours(lang, s, len, &nl);
            for (int k = 0; nb && k < nl;) {
                int j = k;
                while (j < nl && nb[j] != ' ') j++;
                for (int i = 0; i < n; i++) if ((int)strlen(words[i]) == j - k && !strncmp(words[i], nb + k, (size_t)(j - k))) return 1;
                k = j + 1;
            }
        }
        s = e;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *model = getenv("VERS_MODEL");
    int themes = 0, no_codes = 0;
    const char *lang_sel = "all";
    int threads = 2, seeds = 20, nf = 0;
    form_run sel[64];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") && i + 1 < argc) model = argv[++i];
        else if (!strcmp(argv[i], "-t") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-n") && i + 1 < argc) seeds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--lang") && i + 1 < argc) lang_sel = argv[++i];
        else if (!strcmp(argv[i], "--themes")) themes = 1;
        else if (!strcmp(argv[i], "--no-codes")) no_codes = 1;
        else if (argv[i][0] != '-' && nf < 64) {
            char *c = strchr(argv[i], ':');     /* en:sonnet */
            if (c) { *c = 0; sel[nf].lang = argv[i]; sel[nf].form = c + 1; }
            else { sel[nf].lang = NULL; sel[nf].form = argv[i]; }
            nf++;
        } else { fprintf(stderr, "usage: bench_write -m MODEL [-t N] [-n SEEDS] [--lang en|fr|all] [--themes] [--no-codes] [LANG:FORM ...]\n"); return 2; }
    }
    if (!model) { fprintf(stderr, "bench_write: give -m MODEL\n"); return 2; }
    if (seeds < 1) seeds = 1;
    if (nf == 0)
        for (size_t k = 0; k < sizeof ALL / sizeof ALL[0]; k++)
            if (!strcmp(lang_sel, "all") || !strcmp(lang_sel, ALL[k].lang)) sel[nf++] = ALL[k];
    vers_err err = {0};
    vers_writer *w;
    if (vers_writer_open(model, threads, &w, &err)) { fprintf(stderr, "bench_write: %s: %s\n", model, err.msg); return 2; }
    /* warm-up: the rhyme indexes are built or loaded outside the timings */
    for (int l = 0; l < 2; l++) {
        vers_write_opts o = vers_write_default_opts();
        o.lang = l ? "fr" : "en"; o.form = "haiku"; o.seed = 999; o.budget = 2000;
        vers_poem_out p;
        vers_write(w, &o, 0, &p, &err);
        vers_poem_out_free(&p);
    }
    wr_lexicon common[2];
    if (wr_common_words(&common[0], WR_LANG_EN) || wr_common_words(&common[1], WR_LANG_FR)) { fprintf(stderr, "bench_write: out of memory\n"); return 2; }
    printf("model %s, %d threads, %d seeds per form%s\n", model, threads, seeds, no_codes ? ", structure codes off" : "");
    printf("%-4s %-18s %7s %8s %8s %8s %9s %9s %8s %8s %7s %7s %7s %7s %7s\n", "lang", "form", "found", "mean_s", "median_s",
           "cpu_s", "logp/tok", "distinct2", "rep_end", "evals", "end_out", "end_fgn", "rare", "rep_cw", "ear");
    if (themes) printf("(--themes: seed s takes theme s of the language's list of 10; column theme: poems showing it)\n");
    int total_ok = 0, total = 0;
    long all_end = 0, all_out = 0, all_fgn = 0, all_etok = 0, all_rare = 0, all_ear = 0, all_ear_n = 0;
    double all_rep_cw = 0;
    int all_theme = 0;
    static char words[MAXW][32];
    for (int f = 0; f < nf; f++) {
        double *secs = calloc((size_t)seeds, sizeof *secs);
        bigrams bg = {0};
        int ok = 0, n_big = 0, end_lines = 0, end_rep = 0, tok = 0;
        int end_out = 0, end_fgn = 0, end_tok = 0, end_rare = 0, ear_ok = 0, ear_n = 0, theme_ok = 0;
        /* the plan vers write makes for this form (first alternatives): the rhymes it asked for */
        vers_form *form = NULL;
        vers_plan *plan = NULL;
        int flang = sel[f].lang ? vers_lang_parse(sel[f].lang) : VERS_LANG_AUTO;
        if (vers_form_builtin(sel[f].form, flang < 0 ? VERS_LANG_AUTO : flang, &form, &err) == 0)
            vers_form_plan(form, 0, 0, 0, 0, 'f', &plan, &err);
        double rep_cw = 0;
        long attempts = 0, backups = 0;
        double lp = 0, sum_s = 0, sum_cpu = 0;
        long evals = 0;
        for (int s = 1; s <= seeds; s++) {
            vers_write_opts o = vers_write_default_opts();
            o.lang = sel[f].lang; o.form = sel[f].form; o.seed = (uint64_t)s;
            const int is_fr = flang == VERS_LANG_FR || (sel[f].lang && !strcmp(sel[f].lang, "fr"));
            if (themes) o.theme = THEMES[is_fr][(s - 1) % 10];
            o.no_codes = no_codes;
            vers_poem_out p;
            memset(&err, 0, sizeof err);
            double c0 = cpu_now();
            int rc = vers_write(w, &o, 0, &p, &err);
            sum_cpu += cpu_now() - c0;
            total++;
            sum_s += p.seconds;
            secs[s - 1] = p.seconds;
            evals += p.evals;
            if (rc == VERS_OK) {
                ok++;
                attempts += p.line_attempts; backups += p.line_backups;
                tok += p.n_tokens; lp += p.logprob;
                end_tok += p.end_tokens; end_rare += p.end_rare;
                const int fr = p.analysis_json && strstr(p.analysis_json, "\"lang\":\"fr\"");
                int n = words_of(p.text, words, MAXW);
                if (themes) theme_ok += theme_shows(words, n, o.theme, fr ? WR_LANG_FR : WR_LANG_EN);
                /* repeated content words: words of 3 letters or more that are not function
                 * words, seen before in the poem */
                int cw = 0, cw_rep = 0;
                for (int i = 0; i < n; i++) {
                    int l = (int)strlen(words[i]);
                    if (l < 3 || !strcmp(words[i], "\n") || wr_is_stop_word(words[i], l, fr ? WR_LANG_FR : WR_LANG_EN)) continue;
                    cw++;
                    for (int k = 0; k < i; k++) if (!strcmp(words[k], words[i])) { cw_rep++; break; }
                }
                rep_cw += cw ? (double)cw_rep / cw : 0.0;
                int heard = plan ? ear_poem(p.text, plan, fr ? "fr" : "en") : -1;
                if (heard >= 0) { ear_n++; ear_ok += heard; }
                for (int i = 0; i + 1 < n; i++) {
                    if (!strcmp(words[i], "\n") || !strcmp(words[i + 1], "\n")) continue;
                    n_big++; bigram_add(&bg, words[i], words[i + 1]);
                }
                /* end words: the word before each "\n"; a line equal to an earlier one
                 * (refrain) is not counted */
                char seen_end[256][32]; int n_end = 0;
                const char *line = p.text;
                char seen_lines[256][160]; int n_lines = 0;
                for (int i = 0; i < n; i++) {
                    if (strcmp(words[i], "\n") || i == 0) continue;
                    const char *nl = strchr(line, '\n');
                    size_t ll = nl ? (size_t)(nl - line) : strlen(line);
                    char cur[160]; snprintf(cur, sizeof cur, "%.*s", (int)(ll < 159 ? ll : 159), line);
                    line = nl ? nl + 1 : line + ll;
                    while (*line == '\n') line++;
                    int refrain = 0;
                    for (int k = 0; k < n_lines; k++) if (!strncmp(seen_lines[k], cur, strlen(cur)) || !strncmp(cur, seen_lines[k], strlen(cur))) refrain = 1;
                    if (n_lines < 256) snprintf(seen_lines[n_lines++], 160, "%s", cur);
                    if (refrain) continue;
                    end_lines++;
                    char lw[64];
                    int ll2 = last_word(cur, strlen(cur), lw, sizeof lw);
                    if (ll2 > 0 && !wr_lexicon_has(&common[fr ? 1 : 0], lw, ll2)) {
                        end_out++;
                        if (wr_lexicon_has(&common[fr ? 0 : 1], lw, ll2)) end_fgn++;
                    }
                    int rep = 0;
                    for (int k = 0; k < n_end; k++) if (!strcmp(seen_end[k], words[i - 1])) rep = 1;
                    end_rep += rep;
                    if (n_end < 256) snprintf(seen_end[n_end++], 32, "%s", words[i - 1]);
                }
            }
            vers_poem_out_free(&p);
        }
        qsort(secs, (size_t)seeds, sizeof *secs, cmp_d);
        printf("%-4s %-18s %3d/%-3d %8.3f %8.3f %8.3f %9.3f %9.3f %8.3f %8ld %7.3f %7.3f %7.3f %7.3f %7.3f\n", sel[f].lang ? sel[f].lang : "-",
               sel[f].form, ok, seeds, sum_s / seeds, secs[seeds / 2], sum_cpu / seeds, tok ? lp / tok : 0.0,
               n_big ? (double)bg.n / n_big : 0.0, end_lines ? (double)end_rep / end_lines : 0.0,
               evals / seeds, end_lines ? (double)end_out / end_lines : 0.0, end_lines ? (double)end_fgn / end_lines : 0.0,
               end_tok ? (double)end_rare / end_tok : 0.0, ok ? rep_cw / ok : 0.0, ear_n ? (double)ear_ok / ear_n : -1.0);
        printf("     per poem: %.1f line attempts, %.2f line backups%s\n", ok ? (double)attempts / ok : 0.0,
               ok ? (double)backups / ok : 0.0, no_codes ? " (codes off)" : "");
        if (themes) printf("     theme shows in %d/%d poems\n", theme_ok, ok);
        all_theme += theme_ok;
        all_end += end_lines; all_out += end_out; all_fgn += end_fgn; all_etok += end_tok; all_rare += end_rare;
        all_rep_cw += rep_cw; all_ear += ear_ok; all_ear_n += ear_n;
        vers_plan_free(plan); vers_form_free(form);
        fflush(stdout);
        total_ok += ok;
        free(bg.k); free(secs);
    }
    printf("total: %d/%d poems found; line-end words outside the list %.3f, of the other language %.3f; "
           "line-end tokens with p < 1e-3 before masking %.3f; repeated content words %.3f; "
           "poems whose rhymes espeak-ng hears %ld/%ld\n", total_ok, total,
           all_end ? (double)all_out / all_end : 0.0, all_end ? (double)all_fgn / all_end : 0.0,
           all_etok ? (double)all_rare / all_etok : 0.0, total_ok ? all_rep_cw / total_ok : 0.0, all_ear, all_ear_n);
    if (themes) printf("total: the theme shows in %d/%d poems\n", all_theme, total_ok);
    wr_lexicon_free(&common[0]); wr_lexicon_free(&common[1]);
    vers_writer_close(w);
    return 0;
}
