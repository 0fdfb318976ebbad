/* fuzz/fuzz_prosody.c — libFuzzer target for `vers check`'s library side: poems and form
 * files as hostile input.
 *
 * Build and run (from the repository root, with data/cmudict.txt present or not):
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     fuzz/fuzz_prosody.c src/prosody/[a-z]*.c src/util/[a-z]*.c -lm -o build-fuzz/fuzz_prosody
 *   nice build-fuzz/fuzz_prosody -max_len=4096 fuzz/corpus/prosody
 *
 * Input: byte 0 chooses what the rest is.
 *   bits 0-1: 0 a poem in English, 1 in French, 2 language guessed, 3 a form file
 *   bits 2-6: a poem is checked against built-in form (n % (count + 1)), the last = none
 * Checks besides the sanitizers: the analysis has as many scheme letters as lines (plus
 * stanza spaces), its JSON is produced; a form file that parses can be planned, and its
 * formatted text parses back to the same text. */
#include "vers.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vers_prosody *P;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!size) return 0;
    if (!P && vers_prosody_open(NULL, &P, NULL)) abort();
    unsigned mode = data[0] & 3, pick = (data[0] >> 2) & 31;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (mode == 3) {
        vers_form *f = NULL;
        if (vers_form_parse(text, len, "fuzz", &f, NULL) == 0) {
            vers_plan *plan = NULL;
            if (vers_form_plan(f, 0, 0, 0, 0, 'f', &plan, NULL) == 0 && (!plan || plan->n_lines <= 0)) abort();
            vers_plan_free(plan);
            size_t need = vers_form_format(f, NULL, 0);
            char *a = malloc(need + 1), *b = malloc(need + 1);
            if (a && b) {
                vers_form_format(f, a, need + 1);
                vers_form *g = NULL;
                if (vers_form_parse(a, strlen(a), "again", &g, NULL)) abort();
                size_t need2 = vers_form_format(g, NULL, 0);
                if (need2 != need) abort();
                vers_form_format(g, b, need + 1);
                if (strcmp(a, b)) abort();
                vers_form_free(g);
            }
            free(a); free(b);
            vers_form_free(f);
        }
        return 0;
    }
    vers_form *form = NULL;
    int n = vers_form_builtin_count();
    if ((int)pick % (n + 1) < n) vers_form_builtin_get((int)pick % (n + 1), &form, NULL);
    int lang = mode == 0 ? VERS_LANG_EN : mode == 1 ? VERS_LANG_FR : VERS_LANG_AUTO;
    vers_analyse_opts o = {lang, form, 1};
    vers_analysis *a = NULL;
    if (vers_analyse(P, text, len, &o, &a, NULL) == 0) {
        if ((int)strlen(a->scheme) != a->n_lines + (a->n_stanzas ? a->n_stanzas - 1 : 0)) abort();
        char *js = NULL;
        size_t jl = 0;
        if (vers_analysis_json(a, &js, &jl, NULL) == 0 && (!js || strlen(js) != jl)) abort();
        free(js);
        vers_analysis_free(a);
    }
    vers_form_free(form);
    return 0;
}
