/* fuzz/fuzz_form.c — libFuzzer target for form spec files (docs/FORMS.md) as hostile input:
 * every path a user's `--spec FILE` takes, in `vers check` and in `vers write`.
 *
 * Build and run (from the repository root; docs/RELIABILITY.md has the figures):
 *   make build-fuzz/fuzz_form
 *   nice -n 10 build-fuzz/fuzz_form -max_len=4096 -timeout=10 CORPUS_DIR fuzz/corpus/form
 *
 * Input: byte 0 chooses options, the rest is a form file, optionally followed by a line
 * "%%" and a poem to check against it.
 *   bits 0-1: which key vers_form_set applies on top (none, scheme, syllables, lines), its
 *             value being the first line of the poem part (so options meet hostile forms)
 *   bits 2-4: line count asked of vers_form_plan (0 = the form's own, else 1..28)
 *   bit 5:    first gender 'm' instead of 'f'
 *   bits 6-7: poem language: auto, en, fr, the form's
 * Checks besides the sanitizers: a form that parses formats to text that parses back to the
 * same text; every alternative (scheme x syllables x stanzas, at most 4 each) plans or fails
 * with a message, and a plan has lines; the writer's validation (its own plan) gives a
 * status and a message on failure; a poem checked against the form gives a well-formed
 * analysis and JSON. */
#include "vers.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vers_prosody *P;

static void round_trip(const vers_form *f) {
    size_t need = vers_form_format(f, NULL, 0);
    char *a = malloc(need + 1), *b = malloc(need + 1);
    if (a && b) {
        vers_form_format(f, a, need + 1);
        if (strlen(a) != need) abort();
        vers_form *g = NULL;
        vers_err e = {0};
        if (vers_form_parse(a, need, "again", &g, &e)) { fprintf(stderr, "%s\n---\n%s\n", e.msg, a); abort(); }
        if (vers_form_format(g, NULL, 0) != need) abort();
        vers_form_format(g, b, need + 1);
        if (strcmp(a, b)) abort();
        vers_form_free(g);
    }
    free(a); free(b);
}

static void plans(const vers_form *f, int n_lines, char gender) {
    int ns = vers_form_alternatives(f, "scheme"), ny = vers_form_alternatives(f, "syllables"),
        nz = vers_form_alternatives(f, "stanzas");
    if (ns < 1 || ny < 1 || nz < 1) abort();
    for (int s = 0; s < ns && s < 4; s++)
        for (int y = 0; y < ny && y < 4; y++)
            for (int z = 0; z < nz && z < 4; z++) {
                vers_plan *plan = NULL;
                vers_err e = {0};
                int rc = vers_form_plan(f, n_lines, s, y, z, gender, &plan, &e);
                if (rc == 0 && (!plan || plan->n_lines <= 0)) abort();
                if (rc != 0 && (plan || !e.msg[0])) abort();
                vers_plan_free(plan);
            }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!size) return 0;
    if (!P && vers_prosody_open(NULL, &P, NULL)) abort();
    unsigned opt = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1, form_len = len;
    const char *poem = NULL;
    size_t poem_len = 0;
    for (size_t i = 0; i + 2 < len; i++)      /* "%%" alone on a line splits form and poem */
        if ((i == 0 || text[i - 1] == '\n') && text[i] == '%' && text[i + 1] == '%' && text[i + 2] == '\n') {
            form_len = i;
            poem = text + i + 3;
            poem_len = len - i - 3;
            break;
        }
    vers_form *f = NULL;
    vers_err e = {0};
    if (vers_form_parse(text, form_len, "fuzz", &f, &e)) {
        if (f || !e.msg[0]) abort();                  /* a refusal says why, and yields nothing */
        return 0;
    }
    round_trip(f);
    if ((opt & 3) && poem) {                          /* an option on top of the form */
        static const char *keys[] = {NULL, "scheme", "syllables", "lines"};
        char val[256];
        size_t n = 0;
        while (n < poem_len && n < sizeof val - 1 && poem[n] != '\n') { val[n] = poem[n]; n++; }
        val[n] = 0;
        vers_err e2 = {0};
        if (vers_form_set(f, keys[opt & 3], val, &e2) == 0) round_trip(f);
        else if (!e2.msg[0]) abort();
    }
    int n_lines = (opt >> 2) & 7;
    plans(f, n_lines ? n_lines * 4 - 3 : 0, (opt & 32) ? 'm' : 'f');

    vers_write_opts wo = vers_write_default_opts();   /* the writer's own plan of the form */
    wo.spec = f;
    vers_err e3 = {0};
    if (vers_write_validate(&wo, &e3) != 0 && !e3.msg[0]) abort();

    if (poem) {
        int pl = opt >> 6;
        int lang = pl == 0 ? VERS_LANG_AUTO : pl == 1 ? VERS_LANG_EN : pl == 2 ? VERS_LANG_FR : vers_form_lang(f);
        vers_analyse_opts o = {lang, f, 1};
        vers_analysis *a = NULL;
        if (vers_analyse(P, poem, poem_len, &o, &a, NULL) == 0) {
            if ((int)strlen(a->scheme) != a->n_lines + (a->n_stanzas ? a->n_stanzas - 1 : 0)) abort();
            if (!a->checked || (a->ok && a->n_violations)) abort();
            char *js = NULL;
            size_t jl = 0;
            if (vers_analysis_json(a, &js, &jl, NULL) == 0 && (!js || strlen(js) != jl)) abort();
            free(js);
            vers_analysis_free(a);
        }
    }
    vers_form_free(f);
    return 0;
}
