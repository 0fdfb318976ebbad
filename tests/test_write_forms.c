/* tests/test_write_forms.c — every built-in form, in every language it has, written with the
 * real ear (the prosody layer: vers_check_line while writing, vers_analyse at the end) over
 * a real tokenizer (stories260K's SentencePiece vocabulary, byte-fallback pieces) with
 * seeded pseudo-random logits that favour whole-word tokens (a model that speaks in words,
 * if not in sense): 20 seeds each (5 under the sanitizers).  Each poem returned
 * is checked again here with vers_analyse against the form, as `vers check --form` does;
 * poems not found are counted and reported, never returned. */
#include "test.h"
#include "write/bind.h"
#include "hashed_lm.h"
#include <strings.h>


/* 1 when a French poem has an elidable word before a plain vowel ("de âme", "que il"): the
 * writer elides wherever it is due. */
static int elision_missed(const char *t) {
    static const char *const el[] = {"le", "la", "de", "je", "me", "te", "se", "ne", "que", "ce", NULL};
    char prev[16] = "";
    for (const char *p = t; *p;) {
        while (*p == ' ' || *p == '\n') { if (*p == '\n') prev[0] = 0; p++; }
        const char *s = p;
        while (*p && *p != ' ' && *p != '\n') p++;
        size_t n = (size_t)(p - s);
        if (n == 0) continue;
        unsigned char c = (unsigned char)(s[0] | 0x20);
        int vowel = strchr("aeiou", c) != NULL || ((unsigned char)s[0] == 0xC3 && s[1] && strchr("\xA0\xA2\xA9\xA8\xAA\xAE\xB4\xBB\x80\x89\x8A", s[1]));
        for (int k = 0; prev[0] && el[k]; k++)
            if (!strcasecmp(prev, el[k]) && vowel) return 1;
        if (n < sizeof prev && !strchr(",;:.!?", s[n - 1])) { memcpy(prev, s, n); prev[n] = 0; }
        else prev[0] = 0;
    }
    return 0;
}

int main(void) {
    const char *gguf = t_shared("reference/gguf/stories260K.gguf");
    if (!gguf) { T_SKIP("write forms", "../shared/reference/gguf/stories260K.gguf absent"); T_DONE(); }
    int seeds = getenv("VERS_SANITIZE") ? 5 : 20;
    static rl x;
    vers_err e = {0};
    vers_prosody *pros = NULL;
    int ok_setup = vers_tokenizer_load(gguf, &x.t, &e) == 0 && vers_prosody_open(NULL, &pros, &e) == 0;
    T_CASE("write forms: tokenizer and prosody open") T_CHECK(ok_setup, "%s", e.msg);
    if (!ok_setup) T_DONE();
    x.n = (int)vers_tokenizer_n_vocab(x.t);
    x.prior = calloc((size_t)x.n, sizeof *x.prior);
    for (int t = 0; t < x.n; t++) {
        size_t l; const char *p = vers_token_piece(x.t, t, 0, &l);
        if (p && l > 2 && p[0] == ' ') x.prior[t] = 3.0f;
    }
    x.cap = 1 << 14;
    x.hist = malloc(sizeof(int) * (size_t)x.cap);
    wr_lm lm = {&x, x.n, x.cap, vers_token_bos(x.t), r_eval, r_truncate, r_n_past, r_tokenize, r_bytes, r_special, NULL, NULL, NULL, NULL, NULL};
    struct { wr_prosody_oracle po; wr_tokens tt; wr_rhyme_index ix; wr_writer *w; wr_lexicon common; int ok; } L[2];
    memset(L, 0, sizeof L);
    const char *cache = t_tmpdir();
    for (int l = 0; l < 2; l++) {
        wr_prosody_oracle_init(&L[l].po, pros, l);
        L[l].ok = wr_rhyme_words(&L[l].common, l) == 0 && wr_tokens_build(&L[l].tt, &lm, l, &e) == 0 &&
                  wr_rhyme_index_build(&L[l].ix, &lm, &L[l].tt, &L[l].po.or, wr_default_wordlist(l), &L[l].common, cache, &e) == 0 &&
                  wr_writer_new(&L[l].w, &lm, &L[l].po.or, &L[l].tt, &L[l].ix, &e) == 0;
        T_CASE(l ? "write forms: French rhyme index" : "write forms: English rhyme index") {
            T_CHECK(L[l].ok && L[l].ix.n_words > 100, "%s (%d words)", e.msg, L[l].ix.n_words);
            /* the line-end words are the words a reader knows, and only those */
            int outside = 0;
            for (int k = 0; L[l].ok && k < L[l].ix.n_words; k++) {
                const char *wd = wr_word_text(&L[l].ix, &L[l].ix.words[k]);
                if (!wr_lexicon_has(&L[l].common, wd, (int)strlen(wd))) { if (!outside) printf("  outside: %s\n", wd); outside++; }
            }
            T_CHECK(outside == 0, "%d rhyme words outside the frequency list", outside);
            T_CHECK(L[l].common.n > 20000 && L[l].common.n <= 30000, "%u words in the list", L[l].common.n);
            /* words vers and the independent ear hear differently are no rhyme words */
            const char *doubt = l ? "der" : "gladness";
            T_CHECK(!wr_lexicon_has(&L[l].common, doubt, (int)strlen(doubt)), "%s still a rhyme word", doubt);
            if (!l) {   /* English has two ears: CMUdict /peɪt/, espeak-ng's American voice another reading */
                T_CHECK(!wr_lexicon_has(&L[l].common, "pate", 4), "pate still a rhyme word");
                T_CHECK(wr_lexicon_has(&L[l].common, "mate", 4), "mate no longer a rhyme word");
            }
            int other = 0;
            const char *foreign[] = {"and", "the", "de", "est"};
            for (int k = 0; k < 4; k++) other += wr_lexicon_has(&L[l].common, foreign[k], (int)strlen(foreign[k]));
            T_CHECK(other == 2, "%d of and/the/de/est in the %s list", other, l ? "French" : "English");
        }
    }
    int total_ok = 0, total_fail = 0;
    for (int fi = 0; fi < vers_form_builtin_count(); fi++) {
        vers_form *f0 = NULL;
        if (vers_form_builtin_get(fi, &f0, &e)) continue;
        int fl = vers_form_lang(f0);
        for (int l = 0; l < 2; l++) {
            int vl = l ? VERS_LANG_FR : VERS_LANG_EN;
            if (fl != VERS_LANG_AUTO && fl != vl) continue;
            if (!L[l].ok) continue;
            char name[128];
            snprintf(name, sizeof name, "write forms: %s (%s), %d seeds", vers_form_name(f0), l ? "fr" : "en", seeds);
            int ok = 0, fail = 0, broken = 0;
            char first_why[600] = "";
            for (int s = 1; s <= seeds; s++) {
                vers_plan *vp = NULL;
                uint64_t rng = (uint64_t)s * 0x9E3779B97F4A7C15ull + (uint64_t)fi;
                if (vers_form_plan(f0, 0, 0, 0, 0, (s & 1) ? 'm' : 'f', &vp, &e)) { broken++; snprintf(first_why, sizeof first_why, "plan: %s", e.msg); break; }
                vp->lang = vl;
                wr_params par = {0};
                par.temp = 0.8f; par.min_p = 0.02f; par.candidates = 2; par.max_attempts = 16;
                par.budget = 20000; par.theme = l ? "la mer" : "the sea"; par.theme_bias = 1.0f;
                /* no floor on end-word tokens: this LM's probabilities are a prior over word
                 * starts, with no opinion on how a word goes on (every later piece would fall
                 * below it); the floor is tested with the shipped model (test_write_cli) */
                par.end_min_p = 0.0f;
                wr_result res = {0};
                int rc = wr_write(L[l].w, f0, vp, &par, &rng, &res, &e);
                if (rc == VERS_OK) {
                    vers_analyse_opts ao = {vl, f0, 0};
                    vers_analysis *a = NULL;
                    if (vers_analyse(pros, res.text, strlen(res.text), &ao, &a, &e) == 0 && a->ok) ok++;
                    else {
                        broken++;
                        printf("BROKEN %s seed %d:\n%s\n", vers_form_name(f0), s, res.text);
                    }
                    if (a) vers_analysis_free(a);
                    if (l == WR_LANG_FR && elision_missed(res.text)) {
                        broken++;
                        printf("ELISION MISSED %s seed %d:\n%s\n", vers_form_name(f0), s, res.text);
                    }
                    for (const char *p = res.text; *p; p++)
                        if (*p == '<' || (*p > 0 && *p < ' ' && *p != '\n')) { broken++; break; }
                } else if (rc == VERS_EFAIL) {
                    fail++;
                    if (res.text) broken++;
                    if (!first_why[0]) snprintf(first_why, sizeof first_why, "%s", e.msg);
                } else { broken++; snprintf(first_why, sizeof first_why, "error %d: %s", rc, e.msg); }
                wr_result_free(&res);
                vers_plan_free(vp);
            }
            printf("  %-22s %s  found %2d/%d  not found %2d  broken %d  %s\n", vers_form_name(f0), l ? "fr" : "en",
                   ok, seeds, fail, broken, fail ? first_why : "");
            total_ok += ok; total_fail += fail;
            T_CASE(name) {
                T_CHECK(broken == 0, "%d broken poems (%s)", broken, first_why);
                T_CHECK(ok * 2 >= seeds, "only %d/%d found (%s)", ok, seeds, first_why);
            }
        }
        vers_form_free(f0);
    }
    printf("  total: %d found, %d not found\n", total_ok, total_fail);
    for (int l = 0; l < 2; l++) {
        wr_writer_free(L[l].w); wr_rhyme_index_free(&L[l].ix); wr_tokens_free(&L[l].tt); wr_prosody_oracle_free(&L[l].po);
        wr_lexicon_free(&L[l].common);
    }
    vers_prosody_close(pros);
    vers_tokenizer_free(x.t);
    free(x.hist); free(x.prior);
    T_DONE();
}
