/* tests/test_write_lang.c — a French poem is written in French words only, an English poem
 * in English words only.
 *
 * The writer runs over the shipped model's byte-level BPE tokenizer (8192 pieces learnt from
 * French and English text, so half its whole-word tokens are English words) with seeded
 * pseudo-random logits that favour whole words and, to make the test bite, favour most the
 * words of the *other* language.  Every word of every poem found is then looked up in the
 * language's word list by this test's own reading of the list (elisions and hyphenated
 * words split into listed parts), and no word may be on the other language's list without
 * being on its own.  The lexicon's rules (l'âme, jusqu'au, dis-moi, heav'n, lion's) and the
 * per-language cache are checked directly too. */
#include "test.h"
#include "write/bind.h"
#include "hashed_lm.h"

/* ---- the test's own word lists ------------------------------------------------------------ */
typedef struct dict { char **w; size_t n; } dict;

/* lower case (ASCII, Latin-1 capitals), œ → oe, ’ → ' */
static void norm(const char *s, size_t len, char *out, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < len && n + 3 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') out[n++] = (char)(c + 32);
        else if (c == 0xC3 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9E &&
                 (unsigned char)s[i + 1] != 0x97) { out[n++] = (char)c; out[n++] = (char)(s[i + 1] + 0x20); i++; }
        else if (c == 0xC5 && i + 1 < len && ((unsigned char)s[i + 1] == 0x92 || (unsigned char)s[i + 1] == 0x93)) { out[n++] = 'o'; out[n++] = 'e'; i++; }
        else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x99) { out[n++] = '\''; i += 2; }
        else out[n++] = (char)c;
    }
    out[n] = 0;
}
static int cmpp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int dict_load(dict *d, const char *path) {
    size_t len = 0;
    char *text = t_read_file(path, &len);
    if (!text) return -1;
    size_t cap = 1024; d->w = malloc(sizeof *d->w * cap); d->n = 0;
    for (char *p = text; *p;) {
        char *e = strchr(p, '\n'); if (!e) e = p + strlen(p);
        char buf[128];
        if (e - p > 0 && e - p < 100) {
            norm(p, (size_t)(e - p), buf, sizeof buf);
            if (d->n == cap) { cap *= 2; d->w = realloc(d->w, sizeof *d->w * cap); }
            d->w[d->n++] = strdup(buf);
        }
        p = *e ? e + 1 : e;
    }
    free(text);
    qsort(d->w, d->n, sizeof *d->w, cmpp);
    return 0;
}
static int dict_has(const dict *d, const char *w) {
    return d->n && bsearch(&w, d->w, d->n, sizeof *d->w, cmpp) != NULL;
}
static void dict_free(dict *d) { for (size_t i = 0; i < d->n; i++) free(d->w[i]); free(d->w); }

/* A word of the language by the list: listed, or listed parts joined as the language joins them. */
static int word_in(const dict *d, int fr, const char *w) {
    size_t n = strlen(w);
    if (n == 0) return 0;
    if (!strcmp(w, "a") || (fr && (!strcmp(w, "y") || !strcmp(w, "\xC3\xA0") || !strcmp(w, "\xC3\xB4"))) ||
        (!fr && (!strcmp(w, "i") || !strcmp(w, "o")))) return 1;
    if (n > 1 && dict_has(d, w)) return 1;           /* one-letter words: the list above */
    const char *sep = strpbrk(w + 1, "'-");
    if (!sep) return 0;
    char head[128]; size_t k = (size_t)(sep - w);
    if (k + 2 > sizeof head) return 0;
    memcpy(head, w, k); head[k] = 0;
    const char *tail = sep + 1;
    if (*sep == '-') return (dict_has(d, head) || (fr && !strcmp(head, "t"))) && word_in(d, fr, tail);
    if (fr) {
        static const char *cl[] = {"qu'", "jusqu'", "lorsqu'", "puisqu'", "quoiqu'", "presqu'", "entr'", "prud'", "grand'", NULL};
        head[k] = '\''; head[k + 1] = 0;
        int ok = dict_has(d, head);
        for (int i = 0; cl[i]; i++) ok |= !strcmp(cl[i], head);
        return ok && word_in(d, fr, tail);
    }
    static const char *tails[] = {"s", "d", "ll", "ve", "re", "t", "m", "st", NULL};
    for (int i = 0; tails[i]; i++) if (!strcmp(tail, tails[i]) && dict_has(d, head)) return 1;
    if (!*tail && head[k - 1] == 's' && dict_has(d, head)) return 1;
    if ((!strcmp(head, "o") || !strcmp(head, "th")) && word_in(d, fr, tail)) return 1;
    char el[256];
    snprintf(el, sizeof el, "%se%s", head, tail);                 /* heav'n = heaven */
    return dict_has(d, el);
}

/* Every word of a poem: (words, not in the list, on the other list only).  bad gets the first. */
static void poem_words(const char *poem, const dict *own, const dict *other, int fr, int *words, int *foreign,
                       int *other_only, char *bad, size_t badcap) {
    const char *p = poem;
    while (*p) {
        while (*p && (strchr(" \n,.;:!?\"()", *p))) p++;
        const char *s = p;
        while (*p && !strchr(" \n,.;:!?\"()", *p)) p++;
        if (p == s) continue;
        char w[128];
        norm(s, (size_t)(p - s), w, sizeof w);
        (*words)++;
        if (!word_in(own, fr, w)) {
            (*foreign)++;
            if (!bad[0]) snprintf(bad, badcap, "%s", w);
            if (dict_has(other, w)) (*other_only)++;
        }
    }
}

/* ---- a model over the real tokenizer ------------------------------------------------------ */

/* whole-word tokens get +3; those that are words of `foreign` only (not of `own`) +2 more */
static void set_prior(rl *x, const dict *own, const dict *foreign) {
    for (int t = 0; t < x->n; t++) {
        size_t l; const char *p = vers_token_piece(x->t, t, 0, &l);
        x->prior[t] = 0.0f;
        if (!p || l < 3 || p[0] != ' ') continue;
        x->prior[t] = 3.0f;
        char w[128];
        if (l > 100) continue;
        norm(p + 1, l - 1, w, sizeof w);
        if (dict_has(foreign, w) && !dict_has(own, w)) x->prior[t] = 5.0f;
    }
}

int main(void) {
    const char *model = getenv("VERS_TEST_MODEL") ? getenv("VERS_TEST_MODEL") : "models/vers-default.gguf";
    const char *wl_fr = wr_default_wordlist(WR_LANG_FR), *wl_en = wr_default_wordlist(WR_LANG_EN);
    if (access(model, R_OK) != 0) { T_SKIP("write lang", "models/vers-default.gguf absent"); T_DONE(); }
    if (!wl_fr || !wl_en) { T_SKIP("write lang", "word lists absent (scripts/setup.sh installs wfrench and wamerican)"); T_DONE(); }
    int seeds = getenv("VERS_SANITIZE") ? 5 : 20;
    dict fr = {0}, en = {0};
    int ok_dict = dict_load(&fr, wl_fr) == 0 && dict_load(&en, wl_en) == 0;
    T_CASE("write lang: word lists read") T_CHECK(ok_dict && fr.n > 1000 && en.n > 1000, "fr %zu en %zu", fr.n, en.n);
    if (!ok_dict) T_DONE();

    /* the lexicon's rules, on the real lists */
    wr_lexicon lfr, len_;
    int ok_lex = wr_lexicon_load_list(&lfr, wl_fr, WR_LANG_FR) == 0 && wr_lexicon_load_list(&len_, wl_en, WR_LANG_EN) == 0;
    T_CASE("write lang: lexicon rules") {
        T_CHECK(ok_lex, "lexicons not loaded");
        if (ok_lex) {
            static const char *fr_yes[] = {"l'âme", "L'Âme", "jusqu'au", "aujourd'hui", "dis-moi", "a-t-il", "cœur",
                                           "qu'il", "peut-être", "Étoile", "à", "y", "c'est", NULL};
            static const char *fr_no[] = {"the", "and", "heart", "night", "l'", "xq", "l'heart", "greenfddlr'd", "b",
                                          "lovely", "dis-night", NULL};
            static const char *en_yes[] = {"heav'n", "heav'n's", "lion's", "o'er", "he'd", "lovers'", "night", "I", "well-known",
                                           "ev'ry", NULL};
            static const char *en_no[] = {"rivage", "lux'm'dts", "moi't's", "coeur", "greenfddlr'd", "b", "xyz's", "nuit", NULL};
            for (int i = 0; fr_yes[i]; i++) T_CHECK(wr_word_ok(&lfr, WR_LANG_FR, fr_yes[i], (int)strlen(fr_yes[i])), "fr: '%s' refused", fr_yes[i]);
            for (int i = 0; fr_no[i]; i++) T_CHECK(!wr_word_ok(&lfr, WR_LANG_FR, fr_no[i], (int)strlen(fr_no[i])), "fr: '%s' taken", fr_no[i]);
            for (int i = 0; en_yes[i]; i++) T_CHECK(wr_word_ok(&len_, WR_LANG_EN, en_yes[i], (int)strlen(en_yes[i])), "en: '%s' refused", en_yes[i]);
            for (int i = 0; en_no[i]; i++) T_CHECK(!wr_word_ok(&len_, WR_LANG_EN, en_no[i], (int)strlen(en_no[i])), "en: '%s' taken", en_no[i]);
            static const char *fr_pre[] = {"aujourd'h", "l'am", "jusq", "dis-m", "c\xC5", "ros", "L'", NULL};
            for (int i = 0; fr_pre[i]; i++) T_CHECK(wr_word_viable(&lfr, WR_LANG_FR, fr_pre[i], (int)strlen(fr_pre[i])), "fr: prefix '%s' refused", fr_pre[i]);
            static const char *fr_dead[] = {"bouclidesp", "nght", "l'nght", "xq", NULL};
            for (int i = 0; fr_dead[i]; i++) T_CHECK(!wr_word_viable(&lfr, WR_LANG_FR, fr_dead[i], (int)strlen(fr_dead[i])), "fr: prefix '%s' taken", fr_dead[i]);
            T_CHECK(wr_word_viable(&len_, WR_LANG_EN, "heav'", 5) && wr_word_viable(&len_, WR_LANG_EN, "thr", 3) &&
                    !wr_word_viable(&len_, WR_LANG_EN, "rivag", 5), "en prefixes");
        }
    }
    T_CASE("write lang: the other language's frequent words leave a lexicon") {
        if (ok_lex) {
            int had = wr_lexicon_has(&lfr, "eyes", 4);
            int n0 = (int)lfr.n, dropped = wr_lexicon_drop_foreign(&lfr, WR_LANG_FR);
            printf("  wfrench: %d words, %d dropped as English (eyes in the list: %d)\n", n0, dropped, had);
            T_CHECK(dropped > 0 && (int)lfr.n == n0 - dropped, "dropped %d of %d, %u left", dropped, n0, lfr.n);
            T_CHECK(!wr_lexicon_has(&lfr, "eyes", 4) && wr_lexicon_has(&lfr, "table", 5) && wr_lexicon_has(&lfr, "rivage", 6), "words");
            T_CHECK(wr_word_ok(&lfr, WR_LANG_FR, "l'âme", 6) && wr_word_ok(&lfr, WR_LANG_FR, "aujourd'hui", 11), "rules still hold");
            dropped = wr_lexicon_drop_foreign(&len_, WR_LANG_EN);
            printf("  wamerican: %d dropped as French\n", dropped);
            T_CHECK(dropped >= 0 && wr_lexicon_has(&len_, "eyes", 4) && wr_lexicon_has(&len_, "night", 5), "en words");
        } else T_CHECK(0, "lexicons not loaded");
    }
    if (ok_lex) { wr_lexicon_free(&lfr); wr_lexicon_free(&len_); }

    static rl x;
    vers_err e = {0};
    vers_prosody *pros = NULL;
    int ok_setup = vers_tokenizer_load(model, &x.t, &e) == 0 && vers_prosody_open(NULL, &pros, &e) == 0;
    T_CASE("write lang: tokenizer and prosody open") T_CHECK(ok_setup, "%s", e.msg);
    if (!ok_setup) { dict_free(&fr); dict_free(&en); T_DONE(); }
    x.n = (int)vers_tokenizer_n_vocab(x.t);
    x.prior = calloc((size_t)x.n, sizeof *x.prior);
    x.cap = 1 << 14;
    x.hist = malloc(sizeof(int) * (size_t)x.cap);
    wr_lm lm = {&x, x.n, x.cap, vers_token_bos(x.t), r_eval, r_truncate, r_n_past, r_tokenize, r_bytes, r_special, NULL, NULL, NULL, NULL, NULL};
    const char *cache = t_tmpdir();

    static const struct { const char *form; int lang; } runs[] = {
        {"quatrain", WR_LANG_FR}, {"sonnet", WR_LANG_FR}, {"quatrain", WR_LANG_EN}, {"haiku", WR_LANG_EN},
    };
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        int l = runs[r].lang, vl = l ? VERS_LANG_FR : VERS_LANG_EN;
        const dict *own = l ? &fr : &en, *other = l ? &en : &fr;
        set_prior(&x, own, other);
        wr_prosody_oracle po; wr_tokens tt; wr_rhyme_index ix; wr_writer *w = NULL;
        memset(&tt, 0, sizeof tt); memset(&ix, 0, sizeof ix);
        wr_prosody_oracle_init(&po, pros, l);
        int ok = wr_tokens_build(&tt, &lm, l, &e) == 0 &&
                 wr_rhyme_index_build(&ix, &lm, &tt, &po.or, l ? wl_fr : wl_en, NULL, cache, &e) == 0 &&
                 wr_writer_new(&w, &lm, &po.or, &tt, &ix, &e) == 0;
        vers_form *f0 = NULL;
        ok = ok && vers_form_builtin(runs[r].form, vl, &f0, &e) == 0;
        /* 20 French quatrains and 20 English haiku; a few sonnets and English quatrains */
        int n = !strcmp(runs[r].form, "sonnet") ? (seeds + 7) / 8 : (l == WR_LANG_EN && !strcmp(runs[r].form, "quatrain")) ? (seeds + 1) / 2 : seeds;
        int found = 0, words = 0, foreign = 0, other_only = 0, broken = 0;
        char bad[128] = "", why[600] = "";
        for (int s = 1; ok && s <= n; s++) {
            vers_plan *vp = NULL;
            if (vers_form_plan(f0, 0, 0, 0, 0, (s & 1) ? 'm' : 'f', &vp, &e)) { ok = 0; break; }
            vp->lang = vl;
            wr_params par = {0};
            par.temp = 0.8f; par.min_p = 0.02f; par.candidates = 2; par.max_attempts = 16;
            par.budget = 20000; par.theme = l ? "la mer" : "the sea"; par.theme_bias = 1.0f;
            uint64_t rng = (uint64_t)s * 0x9E3779B97F4A7C15ull + r;
            wr_result res = {0};
            int rc = wr_write(w, f0, vp, &par, &rng, &res, &e);
            if (rc == VERS_OK) {
                found++;
                vers_analyse_opts ao = {vl, f0, 0};
                vers_analysis *a = NULL;
                if (vers_analyse(pros, res.text, strlen(res.text), &ao, &a, &e) != 0 || !a->ok) broken++;
                if (a) vers_analysis_free(a);
                int before = foreign;
                poem_words(res.text, own, other, l, &words, &foreign, &other_only, bad, sizeof bad);
                if (foreign > before) printf("  %s %s seed %d has words not in the list:\n%s\n", l ? "fr" : "en", runs[r].form, s, res.text);
            } else if (rc != VERS_EFAIL) { broken++; snprintf(why, sizeof why, "%s", e.msg); }
            else if (!why[0]) snprintf(why, sizeof why, "%s", e.msg);
            wr_result_free(&res);
            vers_plan_free(vp);
        }
        printf("  %s %-9s found %2d/%d, %d words, %d not in the %s list, %d of the other list only\n", l ? "fr" : "en",
               runs[r].form, found, n, words, foreign, l ? "French" : "English", other_only);
        char name[128];
        snprintf(name, sizeof name, "write lang: %s %s, %d seeds, every word %s", l ? "fr" : "en", runs[r].form, n,
                 l ? "French" : "English");
        T_CASE(name) {
            T_CHECK(ok, "set-up: %s", e.msg);
            T_CHECK(found * 2 >= n, "only %d/%d found (%s)", found, n, why);
            T_CHECK(broken == 0, "%d broken (%s)", broken, why);
            T_CHECK(words > 0 && foreign == 0, "%d of %d words not in the list (first: '%s')", foreign, words, bad);
            T_CHECK(other_only == 0, "%d words of the other language", other_only);
        }
        if (f0) vers_form_free(f0);
        wr_writer_free(w);
        wr_rhyme_index_free(&ix);
        wr_tokens_free(&tt);
        wr_prosody_oracle_free(&po);
    }

    T_CASE("write lang: one cache file per language, each with its own lexicon") {
        wr_prosody_oracle po[2]; wr_tokens tt[2]; wr_rhyme_index ix[2];
        memset(tt, 0, sizeof tt); memset(ix, 0, sizeof ix);
        int ok = 1;
        for (int l = 0; l < 2; l++) {
            wr_prosody_oracle_init(&po[l], pros, l);
            ok = ok && wr_tokens_build(&tt[l], &lm, l, &e) == 0 &&
                 wr_rhyme_index_build(&ix[l], &lm, &tt[l], &po[l].or, l ? wl_fr : wl_en, NULL, cache, &e) == 0;
        }
        T_CHECK(ok, "%s", e.msg);
        if (ok) {
            T_CHECK(ix[0].from_cache && ix[1].from_cache, "not from the cache (%d %d)", ix[0].from_cache, ix[1].from_cache);
            T_CHECK(wr_lexicon_has(&ix[0].lex, "night", 5) && !wr_lexicon_has(&ix[1].lex, "night", 5), "night");
            T_CHECK(wr_lexicon_has(&ix[1].lex, "rivage", 6) && !wr_lexicon_has(&ix[0].lex, "rivage", 6), "rivage");
            /* wfrench holds "eyes": an English word the French corpus does not use is dropped;
             * "table" (frequent in both) and "mer" stay */
            T_CHECK(!wr_lexicon_has(&ix[1].lex, "eyes", 4), "eyes in the French lexicon");
            T_CHECK(wr_lexicon_has(&ix[1].lex, "table", 5) && wr_lexicon_has(&ix[1].lex, "mer", 3), "table, mer");
            T_CHECK(wr_lexicon_has(&ix[0].lex, "eyes", 4) && wr_lexicon_has(&ix[0].lex, "table", 5), "en: eyes, table");
            char cmd[600], out[64] = "";
            snprintf(cmd, sizeof cmd, "ls %s/rhyme-fr-*.bin %s/rhyme-en-*.bin 2>/dev/null | wc -l", cache, cache);
            FILE *p = popen(cmd, "r");
            if (p) { if (!fgets(out, sizeof out, p)) out[0] = 0; pclose(p); }
            T_CHECK(atoi(out) == 2, "cache files: %s", out);
        }
        for (int l = 0; l < 2; l++) { wr_rhyme_index_free(&ix[l]); wr_tokens_free(&tt[l]); wr_prosody_oracle_free(&po[l]); }
    }

    vers_prosody_close(pros);
    vers_tokenizer_free(x.t);
    free(x.hist); free(x.prior);
    dict_free(&fr); dict_free(&en);
    T_DONE();
}
