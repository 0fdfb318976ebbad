/* src/cli/cmd_check.c — `vers check [FILE|-]`: analyses a poem (syllables, stress, rhyme,
 * scheme, form) and, given a form, spec or constraints, checks it: exit 0 when it
 * conforms, 1 with one line per violation when it does not, 2 on bad input. */
#include "cli.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT ((size_t)1 << 30)

static void usage(FILE *f) {
    fprintf(f,
        "usage: vers check [FILE|-] [--lang fr|en|auto] [--form NAME | --spec FILE]\n"
        "                  [--scheme \"ABBA ABBA CCD EED\"] [--syllables N] [--lines N]\n"
        "                  [--acrostic WORD] [--json] [-v] [--list-forms] [--show-form]\n"
        "  Analyses a poem (UTF-8; stanzas separated by blank lines; stdin when FILE is - or absent):\n"
        "  syllables, stress (en), rhyme letter and key, gender (fr), stanzas, scheme, form.\n"
        "  With a form or constraint, checks it: exit 0 conforms, 1 does not (one line per\n"
        "  violation: line, what, expected, found), 2 bad usage or input.\n"
        "  --form NAME       a built-in form (--list-forms), e.g. sonnet, haiku, rondeau\n"
        "  --spec FILE       a form file of your own (docs/FORMS.md)\n"
        "  --scheme S        rhyme scheme; '|' separates alternatives, '...' repeats the last group\n"
        "  --syllables N     syllables per line (N, N-M, or one entry per line: \"5 7 5\")\n"
        "  --lines N         number of lines;  --acrostic WORD  initials of the lines\n"
        "  --dict FILE       CMU pronouncing dictionary (default: the installed one)\n"
        "  --json            the whole analysis as one JSON object\n"
        "  -v, --verbose     with a form: also print the analysis\n");
}

static char *read_all(FILE *fp, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap + 1);
    if (!p) return NULL;
    for (;;) {
        size_t r = fread(p + n, 1, cap - n, fp);
        n += r;
        if (r == 0) break;
        if (n == cap) {
            if (cap >= MAX_INPUT) { free(p); errno = EFBIG; return NULL; }
            char *q = realloc(p, cap * 2 + 1);
            if (!q) { free(p); return NULL; }
            p = q; cap *= 2;
        }
    }
    if (ferror(fp)) { free(p); return NULL; }
    p[n] = 0;
    *len = n;
    return p;
}

/* Each built-in form: name, language, what it asks (generated from the form file's keys),
 * the other names --form finds it by, and its description. */
static void list_forms(void) {
    for (int i = 0; i < vers_form_builtin_count(); i++) {
        vers_form *f;
        if (vers_form_builtin_get(i, &f, NULL)) continue;
        int l = vers_form_lang(f);
        char sum[1024], names[256];
        vers_form_summary(f, sum, sizeof sum);
        vers_form_other_names(f, names, sizeof names);
        printf("%-22s %-4s %s\n", vers_form_name(f), l ? vers_lang_name(l) : "any", sum);
        if (names[0]) printf("%-27s also --form %s\n", "", names);
        printf("%-27s %s\n", "", vers_form_description(f));
        vers_form_free(f);
    }
    printf("\n--form NAME --lang L finds the form NAME, else NAME-L, else a form with NAME among its\n"
           "aliases: `--form sonnet --lang fr` is sonnet-fr, in vers check and vers write alike.\n");
}

static void print_analysis(const vers_analysis *a) {
    for (int i = 0; i < a->n_lines; i++) {
        const vers_poem_line *l = &a->lines[i];
        if (i && l->stanza != a->lines[i - 1].stanza) printf("\n");
        if (a->lang == VERS_LANG_EN)
            printf("%4d %3d %-16s %c  %s\n", i + 1, l->scan.syllables, l->scan.stress, l->letter, l->text);
        else
            printf("%4d %3d %c %c  %s\n", i + 1, l->scan.syllables, l->scan.gender, l->letter, l->text);
    }
    printf("lang: %s\nstanzas: %d (lines:", vers_lang_name(a->lang), a->n_stanzas);
    for (int s = 0; s < a->n_stanzas; s++) printf(" %d", a->stanza_lines[s]);
    printf(")\nscheme: %s\nform: %s\n", a->scheme, a->form[0] ? a->form : "-");
}

int cmd_check(int argc, char **argv) {
    static const struct option opts[] = {
        {"lang", required_argument, 0, 'l'}, {"form", required_argument, 0, 'f'},
        {"spec", required_argument, 0, 's'}, {"scheme", required_argument, 0, 'S'},
        {"syllables", required_argument, 0, 'y'}, {"lines", required_argument, 0, 'n'},
        {"acrostic", required_argument, 0, 'a'}, {"json", no_argument, 0, 'j'},
        {"verbose", no_argument, 0, 'v'}, {"list-forms", no_argument, 0, 'L'},
        {"show-form", no_argument, 0, 'F'}, {"dict", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *lang_s = "auto", *form_name = NULL, *spec = NULL, *scheme = NULL, *syl = NULL;
    const char *lines_s = NULL, *acrostic = NULL, *dict = NULL;
    int json = 0, verbose = 0, show_form = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "l:f:s:jvh", opts, NULL)) != -1) {
        switch (c) {
        case 'l': lang_s = optarg; break;
        case 'f': form_name = optarg; break;
        case 's': spec = optarg; break;
        case 'S': scheme = optarg; break;
        case 'y': syl = optarg; break;
        case 'n': lines_s = optarg; break;
        case 'a': acrostic = optarg; break;
        case 'j': json = 1; break;
        case 'v': verbose = 1; break;
        case 'F': show_form = 1; break;
        case 'd': dict = optarg; break;
        case 'L': list_forms(); return 0;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("check", "l:f:s:jvh", argv);
        }
    }
    int lang = vers_lang_parse(lang_s);
    if (lang < 0) return cli_error("check", "--lang: '%s' is not fr, en or auto", lang_s);
    if (form_name && spec) return cli_error("check", "give --form or --spec, not both");   /* before reading stdin */
    if (optind + 1 < argc) return cli_error("check", "one input file at most (vers check --help)");
    const char *path = optind < argc ? argv[optind] : "-";

    size_t len = 0;
    char *text;
    if (!strcmp(path, "-")) text = read_all(stdin, &len);
    else {
        FILE *fp = fopen(path, "rb");
        if (!fp) return cli_error(path, "cannot open: %s", strerror(errno));
        text = read_all(fp, &len);
        fclose(fp);
    }
    if (!text) return cli_error(path, "cannot read: %s", strerror(errno ? errno : EIO));

    vers_err err = {0};
    vers_form *form = NULL;
    int rc = 0;
    vers_prosody *p = NULL;
    if (vers_prosody_open(dict, &p, &err)) {
        free(text);
        return cli_error(dict ? dict : "check", "%s", err.msg);
    }
    vers_form_request rq = {.lang = lang, .form = form_name, .spec_path = spec, .scheme = scheme,
                            .syllables = syl, .lines = lines_s, .acrostic = acrostic};
    vers_analysis *a = NULL;
    if (vers_check_text(p, &rq, text, len, &form, &a, &err)) {
        if (form || !(form_name || spec || scheme || syl || lines_s || acrostic)) rc = cli_error(path, "%s", err.msg);
        else {                               /* the form's own error */
            /* a spec file's own error names the file already: printed once */
            size_t sl = spec ? strlen(spec) : 0;
            if (sl && !strncmp(err.msg, spec, sl) && err.msg[sl] == ':') rc = cli_lib_error(spec, err.msg);
            else rc = cli_error("check", "%s", err.msg);
        }
        a = NULL;
    }
    if (form && show_form) {
        size_t need = vers_form_format(form, NULL, 0);
        char *buf = malloc(need + 1);
        if (buf) { vers_form_format(form, buf, need + 1); fputs(buf, stdout); free(buf); }
    }
    if (a && a->lang == VERS_LANG_EN) cli_dict_warning(p);
    if (!a) {
    } else if (json) {
        char *js = NULL;
        size_t jl = 0;
        if (vers_analysis_json(a, &js, &jl, &err)) rc = cli_error(path, "%s", err.msg);
        else { fwrite(js, 1, jl, stdout); free(js); rc = a->checked && !a->ok ? 1 : 0; }
    } else {
        if (!form || verbose) print_analysis(a);
        if (form) {
            for (int i = 0; i < a->n_violations; i++) {
                const vers_violation *v = &a->violations[i];
                if (v->line) printf("line %d: %s: expected %s, found %s\n", v->line, v->what, v->expected, v->found);
                else printf("poem: %s: expected %s, found %s\n", v->what, v->expected, v->found);
            }
            if (a->ok) printf("%s: ok\n", vers_form_name(form));
            rc = a->ok ? 0 : 1;
        }
    }
    vers_analysis_free(a);
    vers_prosody_close(p);
    vers_form_free(form);
    free(text);
    return rc;
}
