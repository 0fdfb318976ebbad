/* src/cli/cmd_write.c — `vers write`: poems in a form, each checked before it is printed.
 *
 * Text output: each poem, a blank line between poems.  --json: one JSON object per poem per
 * line (poem text, the analysis `vers check --json` gives, and the scores).  A poem that
 * could not be found within the search budget is reported on stderr and makes the exit
 * status 1; the poems found are still printed, never a broken one. */
#include "cli.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    const vers_write_opts d = vers_write_default_opts();   /* the defaults, from their one place */
    fprintf(f,
        "usage: vers write [--lang fr|en] [--form NAME | --spec FILE] [--theme TEXT]\n"
        "                  [--scheme \"ABAB CDCD\"] [--syllables N] [--lines N] [--acrostic WORD]\n"
        "                  [-m MODEL] [--seed N] [--temp T] [-n COUNT] [--json] [-t THREADS]\n"
        "  Writes poems that keep a form: metre, rhyme, stanzas, refrains.  Every poem printed\n"
        "  passes `vers check` for the same form and options; when none is found within the\n"
        "  search budget, vers write says so and exits 1.\n"
        "  --form NAME       a form vers check knows (vers check --list-forms), default free\n"
        "  --spec FILE       a form file of your own (docs/FORMS.md)\n"
        "  --theme TEXT      the poem's subject (its title for vers models)\n"
        "  --scheme S        rhyme scheme replacing the form's (spaces between stanzas)\n"
        "  --syllables N     syllables per line;  --lines N  number of lines\n"
        "  --acrostic WORD   the lines' first letters spell WORD\n"
        "  -m, --model FILE  GGUF model (default: the shipped model)\n"
        "  --seed N          random seed (same seed, same poems)\n"
        "  --temp T          sampling temperature (default %g)\n"
        "  -n, --count N     number of poems (default 1)\n"
        "  --candidates K    candidate lines sampled per line (default %d)\n"
        "  --budget N        model evaluations per poem before giving up (default %ld)\n"
        "  --no-codes        do not feed structure codes (<syl:N><rh:K> before each line) to a\n"
        "                    model fine-tuned with them (they are fed by default)\n"
        "  --json            one JSON object per poem: text, analysis, scores\n"
        "  -t, --threads N   threads (default: 1 for a model under 50M parameters, else cores)\n", (double)d.temp, d.candidates, d.budget);
}

/* The poem's language as the writer chooses it: --lang, else the form's, else English. */
static int poem_lang(const vers_write_opts *o) {
    if (o->lang) return vers_lang_parse(o->lang);
    int lang = VERS_LANG_AUTO;
    if (o->spec) lang = vers_form_lang(o->spec);
    else if (o->form) {
        vers_form *f = NULL;
        if (vers_form_builtin(o->form, VERS_LANG_AUTO, &f, NULL) == 0) lang = vers_form_lang(f);
        vers_form_free(f);
    }
    return lang == VERS_LANG_FR ? VERS_LANG_FR : VERS_LANG_EN;
}

int cmd_write(int argc, char **argv) {
    static const struct option opts[] = {
        {"lang", required_argument, 0, 'l'}, {"form", required_argument, 0, 'f'},
        {"spec", required_argument, 0, 'S'}, {"theme", required_argument, 0, 'T'},
        {"scheme", required_argument, 0, 's'}, {"syllables", required_argument, 0, 'y'},
        {"lines", required_argument, 0, 'L'}, {"acrostic", required_argument, 0, 'a'},
        {"model", required_argument, 0, 'm'}, {"seed", required_argument, 0, 'r'},
        {"temp", required_argument, 0, 'e'}, {"count", required_argument, 0, 'n'},
        {"json", no_argument, 0, 'j'}, {"threads", required_argument, 0, 't'},
        {"candidates", required_argument, 0, 'k'}, {"budget", required_argument, 0, 'b'},
        {"no-codes", no_argument, 0, 'C'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    vers_write_opts o = vers_write_default_opts();
    const char *model = NULL;
    long count = 1, threads = 0, v;
    double d;
    int json = 0, c;
    optind = 1;
    opterr = 0;                      /* our own one-line message below */
    while ((c = getopt_long(argc, argv, "m:n:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': o.lang = optarg; break;
        case 'f': o.form = optarg; break;
        case 'S': o.spec_path = optarg; break;
        case 'T': o.theme = optarg; break;
        case 's': o.scheme = optarg; break;
        case 'y':
            if (cli_parse_int(optarg, 1, 40, &v)) return cli_error("write", "--syllables: '%s' is not a count from 1 to 40", optarg);
            o.syllables = (int)v; break;
        case 'L':
            if (cli_parse_int(optarg, 1, 200, &v)) return cli_error("write", "--lines: '%s' is not a count from 1 to 200", optarg);
            o.lines = (int)v; break;
        case 'a': o.acrostic = optarg; break;
        case 'm': model = optarg; break;
        case 'r':
            if (cli_parse_u64(optarg, &o.seed)) return cli_error("write", "--seed: '%s' is not a number from 0 to 18446744073709551615", optarg);
            break;
        case 'e':
            if (cli_parse_float(optarg, &d) || d < 0 || d > 5) return cli_error("write", "--temp: '%s' is not a temperature from 0 to 5", optarg);
            o.temp = d == 0 ? 1e-4f : (float)d; break;
        case 'n':
            if (cli_parse_int(optarg, 1, 100000, &count)) return cli_error("write", "-n: '%s' is not a count", optarg);
            break;
        case 't':
            if (cli_parse_int(optarg, 1, 256, &threads)) return cli_error("write", "--threads: '%s' is not a count", optarg);
            break;
        case 'C': o.no_codes = 1; break;
        case 'k':
            if (cli_parse_int(optarg, 1, 8, &v)) return cli_error("write", "--candidates: '%s' is not from 1 to 8", optarg);
            o.candidates = (int)v; break;
        case 'b':
            if (cli_parse_int(optarg, 100, 100000000, &v)) return cli_error("write", "--budget: '%s' is not a count from 100", optarg);
            o.budget = v; break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("write", "m:n:t:h", argv);
        }
    }
    if (optind < argc) return cli_error("write", "unexpected argument '%s' (vers write --help)", argv[optind]);
    if (o.form && o.spec_path) return cli_error("write", "give --form or --spec, not both");
    if (!model) model = cli_default_model();
    if (!model) return cli_error("write", "no model: give -m MODEL (or set VERS_MODEL)");

    vers_err err = {0};
    /* the spec is read once, here: a FIFO or a pipe (--spec <(...)) has no second reading,
     * and a file edited meanwhile must not change the form between poems */
    vers_form *spec = NULL;
    if (o.spec_path) {
        if (vers_form_load(o.spec_path, &spec, &err)) return cli_lib_error(o.spec_path, err.msg);
        o.spec = spec;
        o.spec_path = NULL;
    }
    if (vers_write_validate(&o, &err)) { vers_form_free(spec); return cli_error("write", "%s", err.msg); }
    if (poem_lang(&o) == VERS_LANG_EN) {     /* English without its dictionary: say so once */
        vers_prosody *p = NULL;
        if (vers_prosody_open(NULL, &p, NULL) == 0) cli_dict_warning(p);
        vers_prosody_close(p);
    }
    vers_writer *w = NULL;
    if (vers_writer_open(model, (int)threads, &w, &err)) { vers_form_free(spec); return cli_error(model, "%s", err.msg); }
    int failed = 0, rc = 0;
    for (long i = 0; i < count; i++) {
        vers_poem_out p;
        memset(&err, 0, sizeof err);
        int r = vers_write(w, &o, (int)i, &p, &err);
        if (r == VERS_EFAIL) {
            fprintf(stderr, "vers: write: poem %ld: %s\n", i + 1, err.msg);
            failed++;
            vers_poem_out_free(&p);
            continue;
        }
        if (r) { rc = cli_error("write", "%s", err.msg); vers_poem_out_free(&p); break; }
        if (json) {
            char *js = NULL;
            size_t jl = 0;
            if (vers_poem_json(&p, o.seed, i, &js, &jl, &err)) { rc = cli_error("write", "%s", err.msg); vers_poem_out_free(&p); break; }
            fwrite(js, 1, jl, stdout);
            putchar('\n');
            free(js);
        } else {
            if (i > 0) putchar('\n');
            fputs(p.text, stdout);
        }
        fflush(stdout);
        vers_poem_out_free(&p);
    }
    vers_writer_close(w);
    vers_form_free(spec);
    if (rc) return rc;
    return failed ? 1 : 0;
}
