/* tests/test_prosody_check.c — the public prosody API: form files (parsing, errors,
 * round trip), built-in forms and their lookup, plans (rhyme ids, alternance, refrains,
 * rentrement, acrostic), scheme detection and form detection on small poems written for
 * these tests, `vers check` against forms (violations with line numbers), the writer's
 * line-by-line entry agreeing with the whole-poem check, JSON, hostile input, and the
 * CLI's exit codes. */
#include "test.h"
#include "vers.h"
#include <sys/wait.h>

static vers_prosody *P;

static vers_analysis *analyse(const char *text, int lang, const vers_form *f) {
    vers_analyse_opts o = {lang, f, 1};
    vers_analysis *a = NULL;
    vers_err err = {0};
    if (vers_analyse(P, text, strlen(text), &o, &a, &err)) { printf("  analyse: %s\n", err.msg); return NULL; }
    return a;
}


static const char *EN_QUATRAIN =
    "The river runs beneath the hill,\n"
    "And carries leaves along the stream;\n"
    "The evening air is calm and still,\n"
    "And all the valley seems a dream.\n";

static const char *EN_HAIKU =
    "morning light on snow\n"
    "a small bird crosses the field\n"
    "leaving tiny tracks\n";

static const char *EN_COUPLETS =
    "I walked along the winding shore\n"
    "And heard the distant breakers roar;\n"
    "The gulls were crying overhead,\n"
    "The western sky was burning red.\n";

static const char *FR_QUATRAIN =
    "Le soir tombe sans bruit sur la plaine endormie,\n"
    "Et le vent doucement se couche dans les bois ;\n"
    "La lune au ciel d'argent semble une pâle amie,\n"
    "Et le ruisseau lointain murmure à demi-voix.\n";

int main(void) {
    vers_err err = {0};
    if (vers_prosody_open(NULL, &P, &err)) { printf("FAIL prosody_open: %s\n", err.msg); return 1; }
    int have_dict = vers_prosody_warning(P) == NULL;

    T_CASE("form: parse a user form file") {
        const char *text =
            "# my form\n"
            "name: my-form\nlang: fr\ntag: quatrain\n"
            "stanzas: 4 4 | 8\n"
            "scheme: ABAB CDCD | ABBA CDDC\n"
            "syllables: 12 12 12 6\n"
            "caesura: 6\nalternance: yes\nrhyme: suffisante\n";
        vers_form *f = NULL;
        int rc = vers_form_parse(text, strlen(text), "test", &f, &err);
        T_CHECK(rc == 0, "parse: %s", err.msg);
        if (f) {
            T_CHECK(!strcmp(vers_form_name(f), "my-form"), "name %s", vers_form_name(f));
            T_CHECK(vers_form_lang(f) == VERS_LANG_FR, "lang");
            T_CHECK(vers_form_alternatives(f, "scheme") == 2, "scheme alternatives");
            T_CHECK(vers_form_alternatives(f, "stanzas") == 2, "stanza alternatives");
            /* round trip: format, parse, format again gives the same text */
            char a[2048], b[2048];
            vers_form_format(f, a, sizeof a);
            vers_form *g = NULL;
            T_CHECK(vers_form_parse(a, strlen(a), "again", &g, &err) == 0, "reparse: %s", err.msg);
            if (g) { vers_form_format(g, b, sizeof b); T_CHECK(!strcmp(a, b), "round trip:\n%s---\n%s", a, b); }
            vers_form_free(g);
            vers_plan *plan = NULL;
            T_CHECK(vers_form_plan(f, 0, 0, 0, 0, 'f', &plan, &err) == 0, "plan: %s", err.msg);
            if (plan) {
                T_CHECK(plan->n_lines == 8, "lines %d", plan->n_lines);
                T_CHECK(plan->lines[3].syllables == 6 && plan->lines[7].syllables == 6, "syllables cycle");
                T_CHECK(plan->lines[0].caesura == 6 && plan->lines[3].caesura == 0, "caesura on 12s only");
                T_CHECK(plan->min_quality == 2, "min quality %d", plan->min_quality);
                T_CHECK(plan->n_stanzas == 2 && plan->stanza_lines[0] == 4, "stanzas");
                T_CHECK(plan->lines[4].rhyme == plan->lines[6].rhyme && plan->lines[4].rhyme != plan->lines[0].rhyme, "ids");
            }
            vers_plan_free(plan);
        }
        vers_form_free(f);
    }

    T_CASE("form: bad form files are one-line errors") {
        const char *bad[] = {
            "name: x\nfoo: bar\n", "name: x\nscheme: AB1B\n", "name: x\nsyllables: 0\n",
            "name: x\nsyllables: 12-x\n", "name: x\nscheme: ... AB\n", "lang: fr\n",
            "name: x\nlang: de\n", "name: x\nstanzas: 4 * 4\n", "name: x\nrefrain: 3 1\n",
            "name: x\nscheme: A|B|C|D|E|F|G|H|I|J|K|L|M|N|O|P|Q\n", "name: x\nscheme:\n",
            "name: x\nno colon here\n", "name: x\nalternance: maybe\n", "name: x\nrhyme: great\n",
            "name: x\nlines: -3\n", "name: x\nsyllables: 99\n", "name: bad name!\n",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            vers_form *f = NULL;
            vers_err e = {0};
            int rc = vers_form_parse(bad[i], strlen(bad[i]), "bad.form", &f, &e);
            T_CHECK(rc == VERS_EFORMAT && !f, "accepted: %s", bad[i]);
            T_CHECK(!strchr(e.msg, '\n') && !strncmp(e.msg, "bad.form", 8), "message: %s", e.msg);
            vers_form_free(f);
        }
        const char nul[] = "name: x\n\0scheme: AA\n";
        vers_form *f = NULL;
        T_CHECK(vers_form_parse(nul, sizeof nul - 1, "nul", &f, &err) == VERS_EFORMAT, "NUL accepted");
        vers_form_free(f);
        T_CHECK(vers_form_load("/nonexistent/x.form", &f, &err) == VERS_EIO, "missing file");
    }

    T_CASE("forms: every built-in parses and plans each alternative") {
        int n = vers_form_builtin_count();
        T_CHECK(n >= 15, "only %d built-in forms", n);
        for (int i = 0; i < n; i++) {
            vers_form *f = NULL;
            if (vers_form_builtin_get(i, &f, &err)) { T_CHECK(0, "built-in %d: %s", i, err.msg); continue; }
            for (int a = 0; a < vers_form_alternatives(f, "scheme"); a++)
                for (int b = 0; b < vers_form_alternatives(f, "syllables"); b++) {
                    vers_plan *plan = NULL;
                    int rc = vers_form_plan(f, 0, a, b, 0, 'f', &plan, &err);
                    T_CHECK(rc == 0 && plan && plan->n_lines > 0, "%s alt %d/%d: %s", vers_form_name(f), a, b, err.msg);
                    vers_plan_free(plan);
                }
            vers_form_free(f);
        }
    }

    T_CASE("forms: lookup by name and language") {
        struct { const char *name; int lang; const char *want; } q[] = {
            {"sonnet", VERS_LANG_FR, "sonnet-fr"}, {"sonnet", VERS_LANG_EN, "sonnet-en"},
            {"haiku", VERS_LANG_EN, "haiku-en"}, {"haiku", VERS_LANG_FR, "haiku-fr"},
            {"quatrain", VERS_LANG_FR, "quatrain-fr"}, {"villanelle", VERS_LANG_FR, "villanelle"},
            {"limerick", VERS_LANG_EN, "limerick"}, {"rondeau", VERS_LANG_FR, "rondeau"},
            {"petrarchan", VERS_LANG_EN, "sonnet-petrarchan"}, {"octosyllabes", VERS_LANG_FR, "octosyllabes"},
            {"free", VERS_LANG_EN, "free"}, {"couplets", VERS_LANG_EN, "couplets"},
            {"sonnet-shakespearean", VERS_LANG_AUTO, "sonnet-shakespearean"},
        };
        for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
            vers_form *f = NULL;
            int rc = vers_form_builtin(q[i].name, q[i].lang, &f, &err);
            T_CHECK(rc == 0 && f && !strcmp(vers_form_name(f), q[i].want), "%s/%d → %s (%s)", q[i].name, q[i].lang,
                    f ? vers_form_name(f) : "none", err.msg);
            vers_form_free(f);
        }
        vers_form *f = NULL;
        T_CHECK(vers_form_builtin("ghazal-xyz", VERS_LANG_EN, &f, &err) == VERS_ENOTFOUND && !f, "unknown form found");
        T_CHECK(vers_form_builtin("limerick", VERS_LANG_FR, &f, &err) == VERS_ENOTFOUND, "limerick is English");
    }

    T_CASE("plans: sonnet-fr rhymes and alternance") {
        vers_form *f = NULL;
        vers_plan *plan = NULL;
        T_CHECK(vers_form_builtin("sonnet", VERS_LANG_FR, &f, &err) == 0, "%s", err.msg);
        if (f && vers_form_plan(f, 0, 0, 0, 0, 'f', &plan, &err) == 0) {
            T_CHECK(plan->n_lines == 14, "%d lines", plan->n_lines);
            const char *want = "ABBAABBACCDEED";
            for (int i = 0; i < 14; i++) T_CHECK(plan->lines[i].letter == want[i], "line %d letter %c", i + 1, plan->lines[i].letter);
            T_CHECK(plan->lines[0].gender == 'f' && plan->lines[1].gender == 'm', "genders %c %c", plan->lines[0].gender, plan->lines[1].gender);
            for (int i = 1; i < 14; i++)
                if (plan->lines[i].rhyme != plan->lines[i - 1].rhyme)
                    T_CHECK(plan->lines[i].gender != plan->lines[i - 1].gender, "alternance broken at line %d", i + 1);
            T_CHECK(plan->lines[0].syllables == 12 && plan->lines[0].caesura == 6, "alexandrins");
            T_CHECK(plan->n_stanzas == 4 && plan->stanza_lines[2] == 3, "stanzas");
        }
        vers_plan_free(plan);
        /* a scheme that cannot alternate */
        vers_form *g = NULL;
        vers_form_new("x", VERS_LANG_FR, &g, &err);
        vers_form_set(g, "scheme", "ABCA", &err);
        vers_form_set(g, "alternance", "yes", &err);
        plan = NULL;
        T_CHECK(vers_form_plan(g, 0, 0, 0, 0, 'f', &plan, &err) == VERS_EINVAL && !plan, "ABCA alternates?");
        vers_form_free(g);
        vers_form_free(f);
    }

    T_CASE("plans: repeats, refrains, rentrement, acrostic") {
        vers_form *f = NULL;
        vers_plan *plan = NULL;
        vers_form_builtin("couplets", VERS_LANG_EN, &f, &err);
        if (f && !vers_form_plan(f, 6, 0, 0, 0, 0, &plan, &err)) {
            int want[] = {0, 0, 1, 1, 2, 2};
            for (int i = 0; i < 6; i++) T_CHECK(plan->lines[i].rhyme == want[i], "couplets line %d id %d", i, plan->lines[i].rhyme);
        }
        vers_plan_free(plan); plan = NULL;
        T_CHECK(f && vers_form_plan(f, 1, 0, 0, 0, 0, &plan, &err) == VERS_EINVAL, "1 line of couplets");
        vers_form_free(f); f = NULL;
        vers_form_new("tr", VERS_LANG_EN, &f, &err);
        vers_form_set(f, "scheme", "ABA BCB ...", &err);
        if (!vers_form_plan(f, 9, 0, 0, 0, 0, &plan, &err)) {
            const char *want = "ABABCBCDC";
            for (int i = 0; i < 9; i++) T_CHECK(plan->lines[i].letter == want[i], "terza rima line %d: %c", i + 1, plan->lines[i].letter);
            T_CHECK(plan->n_stanzas == 3, "stanzas %d", plan->n_stanzas);
        }
        vers_plan_free(plan); plan = NULL;
        vers_form_set(f, "acrostic", "Été", &err);
        vers_form_set(f, "scheme", "AA ...", &err);
        if (!vers_form_plan(f, 4, 0, 0, 0, 0, &plan, &err)) {
            T_CHECK(!strcmp(plan->lines[0].initial, "E") && !strcmp(plan->lines[1].initial, "T") && !strcmp(plan->lines[2].initial, "E")
                    && !plan->lines[3].initial[0], "acrostic %s %s %s", plan->lines[0].initial, plan->lines[1].initial, plan->lines[2].initial);
        }
        vers_plan_free(plan); plan = NULL;
        T_CHECK(vers_form_plan(f, 2, 0, 0, 0, 0, &plan, &err) == VERS_EINVAL, "acrostic longer than the poem");
        vers_form_free(f); f = NULL;
        vers_form_builtin("villanelle", VERS_LANG_EN, &f, &err);
        if (f && !vers_form_plan(f, 0, 0, 0, 0, 0, &plan, &err)) {
            T_CHECK(plan->n_lines == 19, "villanelle %d lines", plan->n_lines);
            T_CHECK(plan->lines[5].refrain_of == 0 && plan->lines[17].refrain_of == 0, "A1");
            T_CHECK(plan->lines[8].refrain_of == 2 && plan->lines[18].refrain_of == 2, "A2");
            T_CHECK(plan->lines[0].refrain_of == -1, "line 1 is no refrain");
        }
        vers_plan_free(plan); plan = NULL;
        vers_form_free(f); f = NULL;
        vers_form_builtin("rondeau", VERS_LANG_FR, &f, &err);
        if (f && !vers_form_plan(f, 0, 0, 0, 0, 0, &plan, &err)) {
            T_CHECK(plan->n_lines == 15, "rondeau %d lines", plan->n_lines);
            T_CHECK(plan->lines[8].rentrement_of == 0 && plan->lines[14].rentrement_of == 0, "rentrement");
            T_CHECK(plan->lines[8].rhyme == -1 && plan->lines[8].syl_max == 0, "rentrement is free");
            T_CHECK(plan->lines[9].rhyme == plan->lines[0].rhyme, "third stanza A");
        }
        vers_plan_free(plan);
        vers_form_free(f);
    }

    if (!have_dict) T_SKIP("analysis: English poems", "no CMU dictionary (run scripts/fetch-cmudict.sh)");
    else T_CASE("analysis: English quatrain, haiku, couplets") {
        vers_analysis *a = analyse(EN_QUATRAIN, VERS_LANG_AUTO, NULL);
        T_CHECK(a && a->lang == VERS_LANG_EN, "lang");
        if (a) {
            T_CHECK(!strcmp(a->scheme, "ABAB"), "scheme %s", a->scheme);
            T_CHECK(a->n_lines == 4 && a->lines[0].scan.syllables == 8, "syllables %d", a->lines[0].scan.syllables);
            T_CHECK(!strcmp(a->form, "quatrain-en"), "form %s", a->form);
            T_CHECK(strlen(a->lines[0].scan.stress) == 8, "stress %s", a->lines[0].scan.stress);
        }
        vers_analysis_free(a);
        a = analyse(EN_HAIKU, VERS_LANG_EN, NULL);
        if (a) {
            T_CHECK(!strcmp(a->form, "haiku-en"), "form %s", a->form);
            T_CHECK(a->lines[0].scan.syllables == 5 && a->lines[1].scan.syllables == 7 && a->lines[2].scan.syllables == 5, "5-7-5");
        }
        vers_analysis_free(a);
        a = analyse(EN_COUPLETS, VERS_LANG_EN, NULL);
        if (a) { T_CHECK(!strcmp(a->scheme, "AABB"), "scheme %s", a->scheme); }
        vers_analysis_free(a);
        /* letters run over the whole poem: the second stanza reuses A and B */
        a = analyse("The day is bright\nAnd I am free\nI sing of light\nBeneath the tree\n\n"
                    "Come walk tonight\nAnd stay with me\n", VERS_LANG_EN, NULL);
        if (a) T_CHECK(!strcmp(a->scheme, "ABAB AB"), "scheme %s", a->scheme);
        vers_analysis_free(a);
        /* a headless line of a four-beat rising poem keeps its four beats: I WAS an-GRY,
         * not i was AN-gry (two light syllables open rising lines only when no beat is lost) */
        a = analyse("I was angry with my friend:\nI told my wrath, my wrath did end.\n"
                    "I was angry with my foe:\nI told it not, my wrath did grow.\n", VERS_LANG_EN, NULL);
        if (a) T_CHECK(!strcmp(a->lines[0].scan.stress, "1010101") && !strcmp(a->lines[2].scan.stress, "1010101"),
                       "headless lines %s %s", a->lines[0].scan.stress, a->lines[2].scan.stress);
        vers_analysis_free(a);
    }

    if (!have_dict) T_SKIP("check: English forms", "no CMU dictionary");
    else T_CASE("check: English forms, violations with line numbers") {
        vers_form *f = NULL;
        vers_form_builtin("haiku", VERS_LANG_EN, &f, &err);
        vers_analysis *a = analyse(EN_HAIKU, VERS_LANG_EN, f);
        T_CHECK(a && a->checked && a->ok && a->n_violations == 0, "haiku fails: %s", a && a->n_violations ? a->violations[0].what : "");
        vers_analysis_free(a);
        a = analyse("morning light on the snow\na small bird crosses the field\nleaving tiny tracks\n", VERS_LANG_EN, f);
        T_CHECK(a && !a->ok && a->n_violations == 1 && a->violations[0].line == 1 && !strcmp(a->violations[0].what, "syllables"),
                "haiku with a 6-syllable line: %d violations", a ? a->n_violations : -1);
        vers_analysis_free(a);
        a = analyse("one line only\n", VERS_LANG_EN, f);
        int found = 0;
        for (int i = 0; a && i < a->n_violations; i++) found += a->violations[i].line == 0 && !strcmp(a->violations[i].what, "lines");
        T_CHECK(a && !a->ok && found == 1, "short haiku");
        vers_analysis_free(a);
        vers_form_free(f); f = NULL;
        vers_form_new("custom", VERS_LANG_EN, &f, &err);
        vers_form_set(f, "scheme", "AABB", &err);
        a = analyse(EN_QUATRAIN, VERS_LANG_EN, f);
        T_CHECK(a && !a->ok, "ABAB passes AABB");
        if (a) {
            int lines[2] = {0, 0}, k = 0;
            for (int i = 0; i < a->n_violations && k < 2; i++) if (!strcmp(a->violations[i].what, "rhyme")) lines[k++] = a->violations[i].line;
            T_CHECK(lines[0] == 2 && lines[1] == 4, "rhyme violations on lines %d, %d", lines[0], lines[1]);
        }
        vers_analysis_free(a);
        vers_form_set(f, "scheme", "ABAB", &err);
        vers_form_set(f, "syllables", "8", &err);
        vers_form_set(f, "acrostic", "TATA", &err);
        a = analyse(EN_QUATRAIN, VERS_LANG_EN, f);
        T_CHECK(a && a->ok, "quatrain fails ABAB/8/TATA: %s %s", a && a->n_violations ? a->violations[0].what : "", a && a->n_violations ? a->violations[0].found : "");
        vers_analysis_free(a);
        vers_form_free(f);
    }

    T_CASE("analysis: French quatrain, gender, alternance") {
        vers_analysis *a = analyse(FR_QUATRAIN, VERS_LANG_AUTO, NULL);
        T_CHECK(a && a->lang == VERS_LANG_FR, "lang");
        if (a) {
            T_CHECK(!strcmp(a->scheme, "ABAB"), "scheme %s", a->scheme);
            T_CHECK(a->lines[0].scan.gender == 'f' && a->lines[1].scan.gender == 'm', "genders %c %c", a->lines[0].scan.gender, a->lines[1].scan.gender);
            for (int i = 0; i < 4; i++) T_CHECK(a->lines[i].scan.syllables == 12, "line %d: %d syllables", i + 1, a->lines[i].scan.syllables);
        }
        vers_analysis_free(a);
        vers_form *f = NULL;
        vers_form_builtin("quatrain", VERS_LANG_FR, &f, &err);
        a = analyse(FR_QUATRAIN, VERS_LANG_FR, f);
        T_CHECK(a && a->ok, "quatrain-fr fails: %s", a && a->n_violations ? a->violations[0].what : "");
        vers_analysis_free(a);
        /* two feminine rhymes in a row break the alternance */
        a = analyse("Le soir tombe sans bruit sur la plaine endormie,\n"
                    "Et le vent doucement se couche dans la plaine ;\n"
                    "La lune au ciel d'argent semble une pâle amie,\n"
                    "Et le ruisseau lointain murmure avec sa peine.\n", VERS_LANG_FR, f);
        int alt = 0;
        for (int i = 0; a && i < a->n_violations; i++) alt += !strcmp(a->violations[i].what, "alternance");
        T_CHECK(a && !a->ok && alt >= 1, "alternance not reported");
        vers_analysis_free(a);
        vers_form_free(f);
    }

    T_CASE("writer entry: vers_check_line agrees with the whole-poem check") {
        vers_form *f = NULL;
        vers_plan *plan = NULL;
        vers_form_builtin("quatrain", VERS_LANG_FR, &f, &err);
        if (f && !vers_form_plan(f, 4, 0, 0, 0, 'f', &plan, &err)) {
            const char *lines[4] = {
                "Le soir tombe sans bruit sur la plaine endormie,",
                "Et le vent doucement se couche dans les bois ;",
                "La lune au ciel d'argent semble une pâle amie,",
                "Et le ruisseau lointain murmure à demi-voix."};
            vers_line scans[4];
            for (int i = 0; i < 4; i++) {
                vers_violation v[8];
                int k = vers_check_line(P, plan, i, scans, lines, lines[i], strlen(lines[i]), &scans[i], v, 8);
                T_CHECK(k == 0, "line %d: %d violations (%s: expected %s, found %s)", i + 1, k, k > 0 ? v[0].what : "",
                        k > 0 ? v[0].expected : "", k > 0 ? v[0].found : "");
            }
            vers_violation v[8];
            const char *bad = "Et le ruisseau lointain murmure sous la lune.";
            int k = vers_check_line(P, plan, 3, scans, lines, bad, strlen(bad), NULL, v, 8);
            T_CHECK(k >= 1, "a line that does not rhyme passes");
            int done = 0, pending = 0;
            T_CHECK(vers_count_prefix(P, VERS_LANG_FR, "Le soir tombe", 13, &done, NULL, NULL, &pending) == 0, "prefix");
            T_CHECK(done == 3 && pending == 1, "prefix count %d pending %d", done, pending);
        }
        vers_plan_free(plan);
        vers_form_free(f);
    }

    T_CASE("rhyme: quality and the scheme test") {
        vers_line a, b, c;
        vers_scan_line(P, VERS_LANG_FR, "sur la plaine endormie", 22, 0, &a);
        vers_scan_line(P, VERS_LANG_FR, "une pâle amie", 15, 0, &b);
        vers_scan_line(P, VERS_LANG_FR, "dans les bois", 12, 0, &c);
        T_CHECK(vers_rhyme_quality(&a, &b) >= 1 && vers_lines_rhyme(&a, &b, 1), "endormie/amie");
        T_CHECK(vers_rhyme_quality(&a, &c) == 0 && !vers_lines_rhyme(&a, &c, 1), "endormie/bois");
        vers_scan_line(P, VERS_LANG_FR, "les loix", 7, 0, &a);
        vers_scan_line(P, VERS_LANG_FR, "les rois", 7, 0, &b);
        T_CHECK(vers_lines_rhyme(&a, &b, 1), "16th-century loix/rois");
    }

    T_CASE("json: fields and repaired bytes") {
        vers_form *f = NULL;
        vers_form_builtin("quatrain", VERS_LANG_FR, &f, &err);
        char text[512];
        snprintf(text, sizeof text, "%s\xff\xfe \"quoted\"\n", FR_QUATRAIN);
        vers_analysis *a = analyse(text, VERS_LANG_FR, f);
        char *js = NULL;
        size_t len = 0;
        T_CHECK(a && vers_analysis_json(a, &js, &len, &err) == 0 && js, "json");
        if (js) {
            const char *keys[] = {"\"lines\":", "\"stanzas\":", "\"scheme\":", "\"form\":", "\"ok\":false", "\"violations\":",
                                  "\"gender\":\"f\"", "\"syllables\":12", "\"rhyme\":\"A\"", "\"rhyme_key\":", "\\ufffd", "\\\"quoted\\\""};
            for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) T_CHECK(strstr(js, keys[i]) != NULL, "no %s in %s", keys[i], js);
            T_CHECK(strlen(js) == len, "length");
        }
        free(js);
        vers_analysis_free(a);
        vers_form_free(f);
    }

    T_CASE("json: per-line verdicts: rhymes (a shared rhyme letter), scans (no syllable or caesura violation; null unchecked)") {
        /* 4 lines, the third one syllable short and the fourth rhyming with nothing */
        const char *poem = "The sun goes down behind the quiet hill,\nThe evening settles over field and town,\n"
                           "The birds are silent and the air is,\nAnd far away a lonely candle burns.\n";
        vers_form *f = NULL;
        vers_form_request rq = {0};
        rq.lang = VERS_LANG_EN; rq.syllables = "10";
        T_CHECK(vers_form_resolve(&rq, &f, NULL, &err) == 0, "form: %s", err.msg);
        vers_analysis *a = analyse(poem, VERS_LANG_EN, f);
        char *js = NULL;
        size_t len = 0;
        T_CHECK(a && vers_analysis_json(a, &js, &len, &err) == 0 && js, "json");
        if (js) {
            int scans[4] = {-1, -1, -1, -1}, rhymes[4] = {-1, -1, -1, -1};
            const char *p = js;
            for (int i = 0; i < 4 && (p = strstr(p, "\"rhymes\":")); i++) {
                rhymes[i] = !strncmp(p + 9, "true", 4);
                const char *q = strstr(p, "\"scans\":");
                scans[i] = q && !strncmp(q + 8, "true", 4) ? 1 : q && !strncmp(q + 8, "false", 5) ? 0 : -1;
                p++;
            }
            int want_r[4];
            for (int i = 0; i < 4; i++) {
                int shared = 0;
                for (int j = 0; j < 4; j++) shared |= j != i && a->lines[i].rhyme_id >= 0 && a->lines[j].rhyme_id == a->lines[i].rhyme_id;
                want_r[i] = shared;
            }
            T_CHECK(scans[0] == 1 && scans[1] == 1 && scans[2] == 0 && scans[3] == 1, "scans %d %d %d %d: %s", scans[0], scans[1], scans[2], scans[3], js);
            T_CHECK(rhymes[0] == want_r[0] && rhymes[1] == want_r[1] && rhymes[2] == want_r[2] && rhymes[3] == want_r[3] &&
                    rhymes[3] == 0, "rhymes %d %d %d %d, letters %s", rhymes[0], rhymes[1], rhymes[2], rhymes[3], a->scheme);
        }
        free(js);
        vers_analysis_free(a);
        vers_form_free(f);
        /* no form: rhymes only; a line count the form refuses: scans null */
        a = analyse("Roses are red,\nthe sky is blue,\nthe night is said,\nand I love you.\n", VERS_LANG_EN, NULL);
        js = NULL;
        T_CHECK(a && vers_analysis_json(a, &js, &len, &err) == 0 && js && !strstr(js, "\"scans\"") && strstr(js, "\"rhymes\":true"), "%s", js ? js : "");
        free(js); vers_analysis_free(a);
        f = NULL;
        vers_form_builtin("sonnet", VERS_LANG_EN, &f, &err);
        a = analyse(poem, VERS_LANG_EN, f);
        js = NULL;
        T_CHECK(a && vers_analysis_json(a, &js, &len, &err) == 0 && js && strstr(js, "\"scans\":null") && !strstr(js, "\"scans\":true"), "%s", js ? js : "");
        free(js); vers_analysis_free(a); vers_form_free(f);
    }

    /* vers check --json's words of an English line: its syllables as the scansion counts
     * them, their stresses (the line's stress string, word after word) and the word cut
     * into those syllables, for vers serve's page to mark the stressed ones in the text */
    T_CASE("json: English words, their syllables and stresses") {
        if (!have_dict) { T_SKIP("json: English words", "no CMU dictionary (scripts/fetch-cmudict.sh)"); }
        else {
        struct { const char *text, *form, *syl, *want; } cases[] = {
            {"Shall I compare thee to a summer's day?\n", NULL, NULL,
             "\"stress\":\"0101010101\",\"rhyme\":\"A\",\"rhyme_key\":\"EY\",\"last_word\":\"day\",\"feminine\":false,"
             "\"words\":[{\"word\":\"Shall\",\"syllables\":1,\"stress\":\"0\",\"parts\":[\"Shall\"]},"
             "{\"word\":\"I\",\"syllables\":1,\"stress\":\"1\",\"parts\":[\"I\"]},"
             "{\"word\":\"compare\",\"syllables\":2,\"stress\":\"01\",\"parts\":[\"com\",\"pare\"]},"
             "{\"word\":\"thee\",\"syllables\":1,\"stress\":\"0\",\"parts\":[\"thee\"]},"
             "{\"word\":\"to\",\"syllables\":1,\"stress\":\"1\",\"parts\":[\"to\"]},"
             "{\"word\":\"a\",\"syllables\":1,\"stress\":\"0\",\"parts\":[\"a\"]},"
             "{\"word\":\"summer's\",\"syllables\":2,\"stress\":\"10\",\"parts\":[\"sum\",\"mer's\"]},"
             "{\"word\":\"day\",\"syllables\":1,\"stress\":\"1\",\"parts\":[\"day\"]}],\"rhymes\":false}"},
            {"Thou art more lovely and more temperate:\n", NULL, NULL,
             "{\"word\":\"lovely\",\"syllables\":2,\"stress\":\"10\",\"parts\":[\"love\",\"ly\"]},"},
            {"Thou art more lovely and more temperate:\n", NULL, NULL,
             "{\"word\":\"temperate\",\"syllables\":3,\"stress\":\"101\",\"parts\":[\"tem\",\"pe\",\"rate\"]}]"},
            /* a form's count read back: 7 syllables elide the "The" of "The evening" */
            {"The evening air is calm and still,\nThe evening air is calm and still,\n", "couplets", "7",
             "\"stress\":\"1010101\",\"rhyme\":\"A\",\"rhyme_key\":\"IHL\",\"last_word\":\"still\",\"feminine\":false,"
             "\"words\":[{\"word\":\"The\",\"syllables\":0,\"stress\":\"\",\"parts\":[]},"
             "{\"word\":\"evening\",\"syllables\":2,\"stress\":\"10\",\"parts\":[\"eve\",\"ning\"]},"},
            /* a headless line read again with the poem's beats (en_poem_reread) lists its words
             * as read then: I WAS an-GRY */
            {"I was angry with my friend:\nI told my wrath, my wrath did end.\n"
             "I was angry with my foe:\nI told it not, my wrath did grow.\n", NULL, NULL,
             "\"stress\":\"1010101\",\"rhyme\":\"A\",\"rhyme_key\":\"EHND\",\"last_word\":\"friend\",\"feminine\":false,"
             "\"words\":[{\"word\":\"I\",\"syllables\":1,\"stress\":\"1\",\"parts\":[\"I\"]},"
             "{\"word\":\"was\",\"syllables\":1,\"stress\":\"0\",\"parts\":[\"was\"]},"
             "{\"word\":\"angry\",\"syllables\":2,\"stress\":\"10\",\"parts\":[\"an\",\"gry\"]},"},
            /* digits read out are one word, without parts */
            {"In 1850 the river rose\n", NULL, NULL,
             "{\"word\":\"1850\",\"syllables\":4,\"stress\":\"0110\"},{\"word\":\"the\","},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            vers_form *f = NULL;
            if (cases[i].form) {
                vers_form_builtin(cases[i].form, VERS_LANG_EN, &f, &err);
                if (f) vers_form_set(f, "syllables", cases[i].syl, &err);
            }
            vers_analysis *a = analyse(cases[i].text, VERS_LANG_EN, f);
            char *js = NULL;
            size_t len = 0;
            T_CHECK(a && vers_analysis_json(a, &js, &len, &err) == 0 && js, "json");
            T_CHECK(js && strstr(js, cases[i].want), "case %zu: no\n%s\nin\n%s", i, cases[i].want, js ? js : "");
            free(js);
            vers_analysis_free(a);
            vers_form_free(f);
        }
        }
    }

    /* every diérèse the count uses is marked, the rules' own (li-on, pri-ère, nati-on) as
     * well as an optional one the metre takes (hi-er); not a glide (pitié, ciel, chien) */
    T_CASE("json: French diérèse marked wherever the count has one") {
        const char *poem = "Le lion, terreur des forêts,\nLe roi des animaux dormait,\nHier encore il était roi\n\n"
                           "Et la prière monte au ciel comme une flamme ;\nLa nation entière a pitié de ce chien\n";
        vers_analysis *a = analyse(poem, VERS_LANG_FR, NULL);
        char *js = NULL;
        size_t len = 0;
        T_CHECK(a && vers_analysis_json(a, &js, &len, &err) == 0 && js, "json");
        const char *want[] = {"{\"word\":\"lion\",\"syllables\":2,\"dierese\":true}",
                              "{\"word\":\"Hier\",\"syllables\":1,\"dierese\":true}",
                              "{\"word\":\"prière\",\"syllables\":2,\"e\":\"counted\",\"dierese\":true}",
                              "{\"word\":\"nation\",\"syllables\":3,\"dierese\":true}",
                              "{\"word\":\"monte\",\"syllables\":1,\"e\":\"elided\"}",
                              "{\"word\":\"pitié\",\"syllables\":2}", "{\"word\":\"ciel\",\"syllables\":1}",
                              "{\"word\":\"entière\",\"syllables\":2,\"e\":\"elided\"}",
                              "{\"word\":\"chien\",\"syllables\":1}"};
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
            T_CHECK(js && strstr(js, want[i]), "no %s in %s", want[i], js ? js : "");
        free(js);
        vers_analysis_free(a);
    }

    T_CASE("hostile input: empty, binary, punctuation, digits, long line, many lines") {
        vers_analysis *a = analyse("", VERS_LANG_AUTO, NULL);
        T_CHECK(a && a->n_lines == 0 && a->n_stanzas == 0 && !strcmp(a->scheme, ""), "empty");
        vers_analysis_free(a);
        char bin[1024];
        for (int i = 0; i < 1023; i++) bin[i] = (char)(i * 37 + 11);
        bin[1023] = 0;
        vers_analyse_opts o = {VERS_LANG_AUTO, NULL, 1};
        T_CHECK(vers_analyse(P, bin, sizeof bin, &o, &a, &err) == 0, "binary: %s", err.msg);
        vers_analysis_free(a);
        /* an overlong UTF-8 encoding of a digit once looped forever in the French reader */
        a = analyse("abc \xe0\x80\xb1 def\n\xc0\xb1 2\n", VERS_LANG_FR, NULL);
        T_CHECK(a && a->n_lines == 2, "overlong digits (fr)");
        vers_analysis_free(a);
        a = analyse("abc \xe0\x80\xb1 def\n\xc0\xb1 2\n", VERS_LANG_EN, NULL);
        T_CHECK(a && a->n_lines == 2, "overlong digits (en)");
        vers_analysis_free(a);
        a = analyse("!!! ??? ...\n12 345 6789\n---\n", VERS_LANG_EN, NULL);
        T_CHECK(a && a->n_lines == 3, "punctuation/digits");
        vers_analysis_free(a);
        size_t big = 1 << 20;
        char *line = malloc(big + 1);
        for (size_t i = 0; i < big; i++) line[i] = "la mer "[i % 7];
        line[big] = 0;
        a = analyse(line, VERS_LANG_FR, NULL);
        T_CHECK(a && a->n_lines == 1, "1 MB line");
        vers_analysis_free(a);
        /* 10,000 lines in one call */
        size_t n = 10000, cap = n * 40;
        char *many = malloc(cap), *p = many;
        for (size_t i = 0; i < n; i++) p += sprintf(p, "%s\n", i % 2 ? "Et le vent se couche dans les bois" : "Le soir tombe sur la plaine");
        a = analyse(many, VERS_LANG_FR, NULL);
        T_CHECK(a && a->n_lines == 10000 && strlen(a->scheme) == 10000, "10,000 lines");
        vers_analysis_free(a);
        free(many);
        free(line);
    }

    T_CASE("cli: vers check exit codes and output") {
        static char out[1 << 16];
        char cmd[2048];
        const char *vers = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
        const char *dir = t_tmpdir();
        char path[300], spec[300];
        snprintf(path, sizeof path, "%s/q.txt", dir);
        snprintf(spec, sizeof spec, "%s/q.form", dir);
        FILE *fp = fopen(path, "w");
        if (fp) { fputs(FR_QUATRAIN, fp); fclose(fp); }
        fp = fopen(spec, "w");
        if (fp) { fputs("name: mine\nlang: fr\nscheme: ABAB\nsyllables: 12\n", fp); fclose(fp); }
        snprintf(cmd, sizeof cmd, "%s check %s --form quatrain 2>&1", vers, path);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "ok"), "quatrain: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s check %s --spec %s 2>&1", vers, path, spec);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0, "spec: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s check %s --form sonnet 2>&1", vers, path);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 1 && strstr(out, "poem: lines: expected 14 lines, found 4"), "sonnet: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s check %s --scheme AABB --syllables 10 2>&1", vers, path);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 1 && strstr(out, "line 1: syllables: expected 10 syllables, found 12") && strstr(out, "line 2: rhyme:"), "AABB/10: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s check %s --json 2>&1", vers, path);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && out[0] == '{' && strstr(out, "\"scheme\":\"ABAB\""), "json: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s check %s --form nosuchform 2>&1", vers, path);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 2 && !strncmp(out, "vers: ", 6) && strchr(out, '\n') == out + strlen(out) - 1, "unknown form: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s check /nonexistent/poem.txt 2>&1", vers);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 2 && !strncmp(out, "vers: /nonexistent/poem.txt: ", 29), "missing file: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s check %s --scheme 'A1B' 2>&1", vers, path);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 2, "bad scheme: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "%s check --list-forms 2>&1", vers);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "sonnet-fr") && strstr(out, "villanelle"), "list: rc %d", rc);
        snprintf(cmd, sizeof cmd, "printf '' | %s check - --form haiku --lang en 2>&1", vers);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 1, "empty stdin vs haiku: rc %d: %s", rc, out);
    }

    T_CASE("form resolve: one path for check and write") {
        vers_err e = {0};
        vers_form *f = NULL;
        int lang = -1;
        const char *fr_text = "Le soleil se couche et la mer est belle\nEt les oiseaux chantent dans le ciel\n";
        /* a poem's language picks the form of that name */
        vers_form_request rq = {.form = "sonnet", .text = fr_text, .text_len = strlen(fr_text)};
        T_CHECK(vers_form_resolve(&rq, &f, &lang, &e) == 0 && f && !strcmp(vers_form_name(f), "sonnet-fr") &&
                lang == VERS_LANG_FR, "sonnet for a French poem: %s lang %d", f ? vers_form_name(f) : e.msg, lang);
        vers_form_free(f); f = NULL;
        /* a language given wins over the poem's */
        rq.lang = VERS_LANG_EN;
        T_CHECK(vers_form_resolve(&rq, &f, &lang, &e) == 0 && f && !strcmp(vers_form_name(f), "sonnet-en") &&
                lang == VERS_LANG_EN, "sonnet --lang en: %s", f ? vers_form_name(f) : e.msg);
        vers_form_free(f); f = NULL;
        /* no poem, no language (vers write): the first form of that name, its language reported */
        vers_form_request wq = {.form = "rondeau"};
        T_CHECK(vers_form_resolve(&wq, &f, &lang, &e) == 0 && f && lang == VERS_LANG_FR, "rondeau: lang %d", lang);
        vers_form_free(f); f = NULL;
        /* overrides apply on top, as form-file lines; a bad one names its option */
        vers_form_request oq = {.lang = VERS_LANG_EN, .form = "quatrain", .syllables = "6"};
        T_CHECK(vers_form_resolve(&oq, &f, &lang, &e) == 0 && f, "quatrain --syllables 6: %s", e.msg);
        if (f) {
            vers_plan *plan = NULL;
            T_CHECK(vers_form_plan(f, 0, 0, 0, 0, 'f', &plan, &e) == 0 && plan->lines[0].syllables == 6, "syllables not applied");
            vers_plan_free(plan);
        }
        vers_form_free(f); f = NULL;
        oq.scheme = "A1B";
        T_CHECK(vers_form_resolve(&oq, &f, &lang, &e) != 0 && !f && !strncmp(e.msg, "--scheme: ", 10), "bad scheme: %s", e.msg);
        /* constraints alone make a custom form; nothing at all: no form, or "free" for the writer */
        vers_form_request cq = {.scheme = "AABB"};
        T_CHECK(vers_form_resolve(&cq, &f, &lang, &e) == 0 && f && !strcmp(vers_form_name(f), "custom"), "custom");
        vers_form_free(f); f = NULL;
        vers_form_request nq = {0};
        T_CHECK(vers_form_resolve(&nq, &f, &lang, &e) == 0 && !f, "no form asked, one given");
        nq.none_is_free = 1;
        T_CHECK(vers_form_resolve(&nq, &f, &lang, &e) == 0 && f && !strcmp(vers_form_name(f), "free"), "free");
        vers_form_free(f); f = NULL;
        vers_form_request bq = {.form = "sonnet", .spec_path = "x.form"};
        T_CHECK(vers_form_resolve(&bq, &f, &lang, &e) == VERS_EINVAL && !f, "form and spec accepted");
        vers_form_request uq = {.form = "no-such-form"};
        T_CHECK(vers_form_resolve(&uq, &f, &lang, &e) == VERS_ENOTFOUND && !f, "unknown form: %d", e.code);
    }

    vers_prosody_close(P);
    T_DONE();
}
