/* tests/test_write.c — the writer's search on a fake model and the spelling-rule ear:
 * every poem returned passes the plan's check (verified again here, independently of the
 * writer's own final check), failures are reported as VERS_EFAIL (never a broken poem),
 * seeds reproduce, impossible plans are refused, and the parts (token table, rhyme index
 * cache, prompt) behave.  Plans come the way `vers write` makes them: a form (here a form
 * file's text), then vers_form_plan. */
#include "test.h"
#include "write/constraints.h"
#include "doubles/doubles.h"
#include <math.h>
#include <ctype.h>
#include <strings.h>

typedef struct rig {
    wr_lm lm; wr_oracle or; wr_tokens tt; wr_rhyme_index ix; wr_writer *w;
} rig;

static int rig_open(rig *r, int lang, const char *cache) {
    vers_err e = {0};
    /* a word list with words the fake model can only spell in pieces */
    char wl[512];
    snprintf(wl, sizeof wl, "%s/words-%d.txt", t_tmpdir(), lang);
    FILE *f = fopen(wl, "w");
    if (!f) return -1;
    fputs(lang == WR_LANG_FR ? "rivage\nvisage\nsombre\nnombre\nFrance\nl'eau\n" : "night\nlight\nflight\nsight\nBoston\ndon't\n", f);
    fclose(f);
    memset(r, 0, sizeof *r);
    if (wr_fake_lm_new(&r->lm, lang, 1234, &e)) return -1;
    wr_simple_oracle(&r->or, lang);
    if (wr_tokens_build(&r->tt, &r->lm, lang, &e)) return -1;
    if (wr_rhyme_index_build(&r->ix, &r->lm, &r->tt, &r->or, NULL, NULL, cache, &e)) { printf("index: %s\n", e.msg); return -1; }
    if (wr_writer_new(&r->w, &r->lm, &r->or, &r->tt, &r->ix, &e)) return -1;
    return 0;
}

static void rig_close(rig *r) {
    wr_writer_free(r->w); wr_rhyme_index_free(&r->ix); wr_tokens_free(&r->tt); wr_fake_lm_free(&r->lm);
}

static wr_params params(uint64_t seed) {
    wr_params p = {0};
    p.seed = seed; p.temp = 0.8f; p.min_p = 0.02f; p.candidates = 3; p.max_attempts = 24;
    p.budget = 60000; p.theme = "sea"; p.theme_bias = 1.0f;
    return p;
}

/* checks that do not trust the writer: bytes, line count, no control text */
static int clean_text(const char *t, int want_lines) {
    int lines = 0;
    for (const char *p = t; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '<' || (c >= '0' && c <= '9') || (c < 0x20 && c != '\n')) return 0;
        if (c == '\n' && p > t && p[-1] != '\n') lines++;
    }
    int len = (int)strlen(t);
    for (int i = 0; i < len;) { int adv; if (wr_utf8_next(t + i, len - i, &adv) == 0xFFFD) return 0; i += adv; }
    return lines == want_lines;
}

/* A request as a form file's text (docs/FORMS.md) and its plan: the path `vers write` takes. */
typedef struct req { vers_form *form; vers_plan *plan; } req;

static int req_open(req *r, const char *form_text, int lang, char first_gender) {
    vers_err e = {0};
    memset(r, 0, sizeof *r);
    if (vers_form_parse(form_text, strlen(form_text), "test.form", &r->form, &e) ||
        vers_form_plan(r->form, 0, 0, 0, 0, first_gender, &r->plan, &e)) {
        printf("form: %s\n", e.msg);
        vers_form_free(r->form);
        return -1;
    }
    r->plan->lang = lang == WR_LANG_FR ? VERS_LANG_FR : VERS_LANG_EN;
    return 0;
}
static void req_close(req *r) { vers_plan_free(r->plan); vers_form_free(r->form); memset(r, 0, sizeof *r); }

/* A model whose every fifth word token is one it does not want (logit - 12, p < 1e-6): a
 * wrapper over the fake model that also counts the tokens the writer draws and how many of
 * them were such tokens.  A draw is a token fed alone at a position whose logits the model
 * gave for the same history before (the writer truncates and re-feeds between steps). */
typedef struct poisoned {
    wr_lm in; long draws, bad; unsigned char *bad_tok;
    unsigned char *boost_tok; float boost; unsigned char *piece;  /* after a boost_tok, pieces + boost */
    int *hist; uint64_t *hash; int n, cap;          /* the history and its prefix hashes */
    float *seen; uint64_t *seen_hash;                /* per position: the logits given there */
} poisoned;
static int pz_eval(void *ud, const int *toks, int n, float *logits, vers_err *err) {
    poisoned *z = ud;
    const int nv = z->in.n_vocab;
    if (z->n + n > z->cap) return vers_errorf(err, VERS_EINVAL, "poisoned model: context full");
    if (n == 1 && z->seen_hash[z->n] == z->hash[z->n] && z->hash[z->n] != 0) { z->draws++; z->bad += z->bad_tok[toks[0]]; }
    int rc = z->in.eval(z->in.ud, toks, n, logits, err);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        z->hist[z->n] = toks[i];
        z->hash[z->n + 1] = (z->hash[z->n] ^ (uint64_t)(toks[i] + 1)) * 0x100000001B3ull + 1;
        z->n++;
    }
    for (int t = 0; t < nv; t++) if (z->bad_tok[t]) logits[t] -= 12.0f;
    if (z->boost_tok[toks[n - 1]])
        for (int t = 0; t < nv; t++) if (z->piece[t]) logits[t] += z->boost;
    memcpy(z->seen + (size_t)z->n * nv, logits, sizeof(float) * (size_t)nv);
    z->seen_hash[z->n] = z->hash[z->n];
    return VERS_OK;
}
static int pz_truncate(void *ud, int n) { poisoned *z = ud; if (n >= 0 && n < z->n) z->n = n; return z->in.truncate(z->in.ud, n); }
static int pz_n_past(void *ud) { poisoned *z = ud; return z->in.n_past(z->in.ud); }
static int pz_tokenize(void *ud, const char *s, int len, int *out, int cap) { poisoned *z = ud; return z->in.tokenize(z->in.ud, s, len, out, cap); }
static int pz_bytes(void *ud, int t, char *buf, int cap) { poisoned *z = ud; return z->in.token_bytes(z->in.ud, t, buf, cap); }
static int pz_special(void *ud, const char *s) { poisoned *z = ud; return z->in.special(z->in.ud, s); }

/* A run of six 8-line poems on the wrapped fake model: options in, counts out. */
typedef struct pz_run {
    float tok_min_p, end_cont_max;     /* the writer's settings */
    int poison;                        /* every fifth word token unwanted */
    const char *boost_words;           /* after these words ("a|b|c") the model wants them to go on... */
    float boost;                       /* ...by this much on every continuing piece */
    int found; long draws, bad, end_rare, boost_ends;
} pz_run;

/* whether the line's last word is one of words ("a|b|c") */
static int last_word_in(const char *line, int len, const char *words) {
    while (len > 0 && !isalpha((unsigned char)line[len - 1])) len--;
    int b = len;
    while (b > 0 && isalpha((unsigned char)line[b - 1])) b--;
    char key[66];
    if (len - b < 1 || len - b > 62) return 0;
    key[0] = '|'; memcpy(key + 1, line + b, (size_t)(len - b)); key[len - b + 1] = '|'; key[len - b + 2] = 0;
    for (char *k = key; *k; k++) *k = (char)tolower((unsigned char)*k);
    char all[256];
    snprintf(all, sizeof all, "|%s|", words);
    return strstr(all, key) != NULL;
}

static int poisoned_run(pz_run *o) {
    poisoned z; memset(&z, 0, sizeof z);
    vers_err e = {0};
    if (wr_fake_lm_new(&z.in, WR_LANG_EN, 1234, &e)) return -1;
    z.bad_tok = calloc((size_t)z.in.n_vocab, 1);
    z.piece = calloc((size_t)z.in.n_vocab, 1);
    z.boost_tok = calloc((size_t)z.in.n_vocab, 1);
    z.cap = z.in.n_ctx;
    z.hist = calloc((size_t)z.cap + 1, sizeof(int));
    z.hash = calloc((size_t)z.cap + 1, sizeof(uint64_t));
    z.seen = calloc((size_t)(z.cap + 1) * (size_t)z.in.n_vocab, sizeof(float));
    z.seen_hash = calloc((size_t)z.cap + 1, sizeof(uint64_t));
    if (!z.bad_tok || !z.piece || !z.boost_tok || !z.hist || !z.hash || !z.seen || !z.seen_hash) return -1;
    z.hash[0] = 0x9E3779B97F4A7C15ull;
    z.boost = o->boost;
    int n_boost = 0;
    for (int t = 0, k = 0; t < z.in.n_vocab; t++) {
        char b[64]; int l = z.in.token_bytes(z.in.ud, t, b, sizeof b);
        int word = l > 0 && l < 64 && !memchr(b, '\n', (size_t)l) && ((b[0] == ' ' && l > 1) || (b[0] >= 'a' && b[0] <= 'z'));
        if (o->poison && word && k++ % 5 == 2) z.bad_tok[t] = 1;
        z.piece[t] = l > 0 && l < 64 && b[0] >= 'a' && b[0] <= 'z';
        if (o->boost_words && l > 1 && b[0] == ' ' && last_word_in(b, l, o->boost_words)) { z.boost_tok[t] = 1; n_boost++; }
    }
    if (o->boost_words && !n_boost) return -1;
    wr_lm lm = z.in;
    lm.ud = &z; lm.eval = pz_eval; lm.truncate = pz_truncate; lm.n_past = pz_n_past;
    lm.tokenize = pz_tokenize; lm.token_bytes = pz_bytes; lm.special = pz_special;
    lm.branch_open = NULL; lm.branch_eval = NULL; lm.branch_truncate = NULL; lm.branch_commit = NULL;
    wr_oracle or; wr_simple_oracle(&or, WR_LANG_EN);
    wr_tokens tt; wr_rhyme_index ix; wr_writer *w = NULL;
    o->found = -1; o->end_rare = o->boost_ends = 0;
    if (!wr_tokens_build(&tt, &lm, WR_LANG_EN, &e)) {
        if (!wr_rhyme_index_build(&ix, &lm, &tt, &or, NULL, NULL, NULL, &e)) {
            if (!wr_writer_new(&w, &lm, &or, &tt, &ix, &e)) {
                o->found = 0;
                for (int s = 0; s < 6; s++) {
                    req q;
                    if (req_open(&q, "name: t\nlang: en\nstanzas: 4 4\nscheme: ABAB CDCD\nsyllables: 8\n", WR_LANG_EN, 'm')) continue;
                    wr_params p = params((uint64_t)s);
                    p.tok_min_p = o->tok_min_p; p.end_cont_max = o->end_cont_max;
                    uint64_t rng = wr_rng_init((uint64_t)s, 0);
                    wr_result res = {0};
                    if (wr_write(w, q.form, q.plan, &p, &rng, &res, &e) == VERS_OK) {
                        o->found++; o->end_rare += res.end_rare;
                        for (const char *a = res.text; *a;) {
                            const char *b = strchr(a, '\n');
                            int len = b ? (int)(b - a) : (int)strlen(a);
                            if (o->boost_words && last_word_in(a, len, o->boost_words)) o->boost_ends++;
                            a += len + (b ? 1 : 0);
                        }
                    }
                    wr_result_free(&res);
                    req_close(&q);
                }
                wr_writer_free(w);
            }
            wr_rhyme_index_free(&ix);
        }
        wr_tokens_free(&tt);
    }
    o->draws = z.draws; o->bad = z.bad;
    free(z.bad_tok); free(z.piece); free(z.boost_tok); free(z.hist); free(z.hash); free(z.seen); free(z.seen_hash);
    wr_fake_lm_free(&z.in);
    return o->found;
}

typedef struct form_case { const char *name; int lang; const char *form_text; } form_case;

static void run_form(rig *r, const form_case *fc, int seeds, int *ok, int *fail, int *bad) {
    *ok = *fail = *bad = 0;
    for (int s = 0; s < seeds; s++) {
        req q; vers_err e = {0};
        if (req_open(&q, fc->form_text, fc->lang, (s & 1) ? 'm' : 'f')) { (*bad)++; continue; }
        wr_params p = params((uint64_t)s);
        uint64_t rng = (uint64_t)s * 7919 + 1;
        wr_result res = {0};
        int rc = wr_write(r->w, q.form, q.plan, &p, &rng, &res, &e);
        if (rc == VERS_OK) {
            char why[256] = "";
            int good = r->or.check_poem(r->or.ud, q.form, q.plan, res.text, strlen(res.text), why, sizeof why) == 1 &&
                       clean_text(res.text, q.plan->n_lines);
            /* a poem whose last line is written (not a refrain) ends on a full stop, ! or ? */
            if (good && !strstr(fc->form_text, "refrain") && !strstr(fc->form_text, "rentrement")) {
                size_t l = strlen(res.text);
                while (l > 0 && res.text[l - 1] == '\n') l--;
                if (l == 0 || !strchr(".!?", res.text[l - 1])) { good = 0; snprintf(why, sizeof why, "no full stop at the end"); }
            }
            if (good) (*ok)++;
            else { (*bad)++; printf("BROKEN %s seed %d: %s\n%s\n", fc->name, s, why, res.text); }
        } else if (rc == VERS_EFAIL) {
            (*fail)++;
            if (res.text) (*bad)++;                     /* a failure must not leave a poem */
        } else { (*bad)++; printf("error %s: %s\n", fc->name, e.msg); }
        wr_result_free(&res);
        req_close(&q);
    }
}

int main(void) {
    const form_case forms[] = {
        {"en sonnet", WR_LANG_EN, "name: t\nlang: en\nstanzas: 4 4 4 2\nscheme: ABAB CDCD EFEF GG\nsyllables: 10\n"},
        {"en quatrain", WR_LANG_EN, "name: t\nlang: en\nstanzas: 4\nscheme: ABAB\nsyllables: 8\n"},
        {"en couplets", WR_LANG_EN, "name: t\nlang: en\nstanzas: 2 2 2\nscheme: AA BB CC\nsyllables: 8-10\n"},
        {"en haiku", WR_LANG_EN, "name: t\nlang: en\nstanzas: 3\nlines: 3\nsyllables: 5 7 5\n"},
        {"en limerick", WR_LANG_EN, "name: t\nlang: en\nstanzas: 5\nscheme: AABBA\nsyllables: 8 8 5 5 8\n"},
        {"en villanelle", WR_LANG_EN, "name: t\nlang: en\nstanzas: 3 3 3 3 3 4\nscheme: ABA ABA ABA ABA ABA ABAA\n"
                                      "syllables: 10\nrefrain: 1 6 12 18\nrefrain: 3 9 15 19\n"},
        {"fr sonnet", WR_LANG_FR, "name: t\nlang: fr\nstanzas: 4 4 3 3\nscheme: ABBA ABBA CCD EED\nsyllables: 12\nalternance: yes\n"},
        {"fr quatrain", WR_LANG_FR, "name: t\nlang: fr\nstanzas: 4\nscheme: ABAB\nsyllables: 8\nalternance: yes\n"},
        {"fr haiku", WR_LANG_FR, "name: t\nlang: fr\nstanzas: 3\nlines: 3\nsyllables: 5 7 5\n"},
        {"fr rondeau", WR_LANG_FR, "name: t\nlang: fr\nstanzas: 5 4 6\nscheme: AABBA AAB- AABBA-\nsyllables: 10\n"
                                   "alternance: yes\nrentrement: 9 15\n"},
    };
    rig en, fr;
    const char *cache = t_tmpdir();
    int have_en = rig_open(&en, WR_LANG_EN, cache) == 0;
    int have_fr = rig_open(&fr, WR_LANG_FR, cache) == 0;
    T_CASE("write: fake models and rhyme indexes build") {
        T_CHECK(have_en && have_fr, "rig failed");
        if (have_en) T_CHECK(en.ix.n_words > 50 && en.ix.n_cls > 10, "en index %d words %d classes", en.ix.n_words, en.ix.n_cls);
    }
    if (!have_en || !have_fr) T_DONE();

    T_CASE("write: no token the model gives p < tok_min_p is drawn (the masks back up instead)") {
        pz_run a = {.poison = 1}, b = {.poison = 1, .tok_min_p = wr_params_default().tok_min_p};
        poisoned_run(&a); poisoned_run(&b);
        printf("  poisoned model, 6 seeds: without the floor %d poems, %ld of %ld draws unwanted; "
               "with it %d poems, %ld of %ld (forced end pieces %ld)\n", a.found, a.bad, a.draws, b.found, b.bad, b.draws, b.end_rare);
        T_CHECK(a.found > 0 && b.found > 0 && b.draws > 100, "poems %d %d draws %ld", a.found, b.found, b.draws);
        T_CHECK(a.bad > 0, "the unwanted tokens are never forced: the check below proves nothing");
        /* relax_end, the last resort, may force an end word's later pieces (counted) */
        T_CHECK(b.bad <= b.end_rare, "%ld unwanted tokens drawn, %ld forced end pieces", b.bad, b.end_rare);
    }

    T_CASE("write: a line does not end on a word the model wants to go on (end_cont_max)") {
        /* after these words the model wants a continuing piece (+4 on each): each is the start
         * of a longer word there, not a line end */
        const char *ws = "night|light|bright|white|sight|flight|delight|day|way|stay|away|play|grey|sea|me|tree|free|see|be";
        pz_run a = {.boost_words = ws, .boost = 4.0f}, b = a;
        b.end_cont_max = wr_params_default().end_cont_max;
        poisoned_run(&a); poisoned_run(&b);
        printf("  lines ending on one of those words: %ld in %d poems without the check, %ld in %d with it\n",
               a.boost_ends, a.found, b.boost_ends, b.found);
        T_CHECK(a.found > 0 && b.found > 0, "poems %d %d", a.found, b.found);
        T_CHECK(a.boost_ends > 0, "no line ends on those words even without the check: it proves nothing");
        T_CHECK(b.boost_ends == 0, "%ld lines end on those words", b.boost_ends);
    }

    T_CASE("write: the poems' random streams of nearby seeds and indexes share no draws") {
        /* wr_rng_next steps one 2^64 cycle by a constant: a first state linear in the seed made
         * seed s's stream seed s+1's shifted by one draw (seeds 202 and 204 gave one sonnet). */
        enum { SEEDS = 48, IDX = 3, DRAWS = 64 };
        static uint64_t d[SEEDS * IDX][DRAWS];
        for (int s = 0; s < SEEDS; s++)
            for (int i = 0; i < IDX; i++) {
                uint64_t r = wr_rng_init((uint64_t)s + 200, (uint64_t)i);
                for (int k = 0; k < DRAWS; k++) d[s * IDX + i][k] = wr_rng_next(&r);
            }
        int shared = 0;
        for (int a = 0; a < SEEDS * IDX; a++)
            for (int b = a + 1; b < SEEDS * IDX; b++)
                for (int k = 0; k < DRAWS; k++)
                    for (int m = 0; m < DRAWS; m++) shared += d[a][k] == d[b][m];
        T_CHECK(shared == 0, "%d draws shared between streams", shared);
        uint64_t r1 = wr_rng_init(7, 0), r2 = wr_rng_init(7, 0);
        T_CHECK(wr_rng_next(&r1) == wr_rng_next(&r2), "same seed, same stream");
    }

    T_CASE("write: wr_utf8_next is util/utf8.h's strict decoder (U+FFFD and one byte when invalid)") {
        const char *in[] = {"a", "\xc3\xa9", "\xe2\x80\x99", "\xf0\x9f\x98\x80", "\x80", "\xc0\x80", "\xed\xa0\x80", "\xc3"};
        uint32_t want[] = {'a', 0xE9, 0x2019, 0x1F600, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD};
        int adv_want[] = {1, 2, 3, 4, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++) {
            int adv = -1;
            uint32_t c = wr_utf8_next(in[i], (int)strlen(in[i]), &adv);
            T_CHECK(c == want[i] && adv == adv_want[i], "%d: %x adv %d", i, c, adv);
        }
        int adv = -1;
        T_CHECK(wr_utf8_next("a", 0, &adv) == 0 && adv == 0, "empty");
    }
    T_CASE("write: token table classifies pieces, punctuation, junk") {
        int nl = 0, bad = 0, ctl = en.lm.n_vocab - 1;
        for (int t = 0; t < en.tt.n; t++) { nl += en.tt.info[t].kind == WR_TOK_NEWLINE; }
        T_CHECK(nl == 1 && en.tt.newline >= 0, "newline tokens %d", nl);
        T_CHECK(en.tt.info[ctl].kind == WR_TOK_BAD, "control token not banned");
        for (int t = 0; t < en.tt.n; t++) {
            const char *s = wr_tok_text(&en.tt, t);
            if (en.tt.info[t].kind != WR_TOK_BAD && (!strcmp(s, "7") || !strcmp(s, " "))) bad++;
            if (!strcmp(s, "\xC3")) T_CHECK(en.tt.info[t].u8_out == 1, "open UTF-8 byte not tracked");
            if (!strcmp(s, " sea")) T_CHECK(en.tt.info[t].kind == WR_TOK_WORD && en.tt.info[t].lead_space && en.tt.info[t].vg == 1, "' sea' info");
            if (!strcmp(s, ",")) T_CHECK(en.tt.info[t].kind == WR_TOK_PUNCT, "',' not punct");
        }
        T_CHECK(bad == 0, "junk tokens allowed: %d", bad);
        T_CHECK(wr_word_estimate("desire", 6, WR_LANG_EN) == 2, "desire %d", wr_word_estimate("desire", 6, WR_LANG_EN));
        T_CHECK(wr_word_estimate("evening", 7, WR_LANG_EN) == 3, "evening");
    }

    T_CASE("write: rhyme index groups words by key and reloads from its cache") {
        char wl[512]; snprintf(wl, sizeof wl, "%s/words-0.txt", t_tmpdir());
        wr_rhyme_index lix; vers_err e = {0};
        int rc = wr_rhyme_index_build(&lix, &en.lm, &en.tt, &en.or, wl, NULL, cache, &e);
        T_CHECK(rc == 0, "word-list index: %s", e.msg);
        int c = -1, proper = 0, light = 0, vocab_only = 0;
        for (int i = 0; rc == 0 && i < lix.n_words; i++) {
            const char *w = wr_word_text(&lix, &lix.words[i]);
            if (!strcmp(w, "Boston") || !strcmp(w, "don't")) proper++;
            if (!strcmp(w, "night")) c = lix.words[i].cls;      /* spelled in two pieces */
            if (!strcmp(w, "sea")) vocab_only++;                /* a token, not in the list */
        }
        T_CHECK(!proper, "capitalised or elided words indexed");
        T_CHECK(!vocab_only, "with a word list, vocabulary words outside it are indexed");
        T_CHECK(c >= 0, "night not indexed");
        if (c >= 0) for (int i = lix.cls_start[c]; i < lix.cls_start[c + 1]; i++)
            light |= !strcmp(wr_word_text(&lix, &lix.words[i]), "light");
        T_CHECK(light, "light not with night");
        T_CHECK(c < 0 || wr_rhyme_class_find(&lix, "ight") == c, "class lookup");
        int stop = 0;
        for (int i = 0; i < en.ix.n_words; i++) stop |= !strcmp(wr_word_text(&en.ix, &en.ix.words[i]), "the");
        T_CHECK(!stop, "function word 'the' may end a line");
        wr_rhyme_index again;
        rc = wr_rhyme_index_build(&again, &en.lm, &en.tt, &en.or, wl, NULL, cache, &e);
        T_CHECK(rc == 0 && again.from_cache, "not loaded from cache (rc %d)", rc);
        T_CHECK(rc == 0 && again.n_words == lix.n_words && !memcmp(again.toks, lix.toks, sizeof(int) * lix.n_toks), "cache differs");
        if (rc == 0) wr_rhyme_index_free(&again);
        /* a corrupt cache file is rebuilt, not trusted */
        char cmd[600];
        snprintf(cmd, sizeof cmd, "for f in %s/rhyme-en-*.bin; do printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' | dd of=$f bs=1 seek=40 conv=notrunc 2>/dev/null; done", cache);
        T_CHECK(system(cmd) == 0, "corrupting cache");
        rc = wr_rhyme_index_build(&again, &en.lm, &en.tt, &en.or, wl, NULL, cache, &e);
        T_CHECK(rc == 0 && !again.from_cache && again.n_words == lix.n_words, "corrupt cache trusted");
        if (rc == 0) wr_rhyme_index_free(&again);
        wr_rhyme_index_free(&lix);
    }

    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        char name[96];
        snprintf(name, sizeof name, "write: %s, 20 seeds, every poem passes", forms[f].name);
        T_CASE(name) {
            int ok, fail, bad;
            run_form(forms[f].lang == WR_LANG_FR ? &fr : &en, &forms[f], 20, &ok, &fail, &bad);
            printf("  %-14s ok %2d  failed %2d  broken %d\n", forms[f].name, ok, fail, bad);
            T_CHECK(bad == 0, "%d broken poems", bad);
            T_CHECK(ok >= 10, "only %d/20 poems found", ok);
        }
    }

    T_CASE("write: French elision where it is due, and only there") {
        static const char words[] = "# a comment line\ntitre\t9\t3\nhomme\nâme\nmère\nhaine\n";
        wr_lexicon lx;
        T_CHECK(wr_lexicon_load_text(&lx, words, sizeof words - 1, WR_LANG_FR) == 0 && lx.n == 5, "list of %u", lx.n);
        T_CHECK(!wr_word_ok(&lx, WR_LANG_FR, "n'titre", 7), "n'titre accepted");
        T_CHECK(wr_word_ok(&lx, WR_LANG_FR, "l'âme", 6) && wr_word_ok(&lx, WR_LANG_FR, "l'homme", 7), "l'âme / l'homme refused");
        T_CHECK(wr_word_ok(&lx, WR_LANG_FR, "grand'mère", 11), "grand'mère refused");
        /* the shipped list counts "qu" (an elided que whose apostrophe was lost in the corpus) */
        wr_lexicon com;
        T_CHECK(wr_common_words(&com, WR_LANG_FR) == 0, "French list");
        T_CHECK(!wr_word_ok(&com, WR_LANG_FR, "qu", 2) && !wr_word_ok(&com, WR_LANG_FR, "jusqu", 5), "a clitic stem taken as a word");
        T_CHECK(wr_word_ok(&com, WR_LANG_FR, "qu'il", 6) && wr_word_ok(&com, WR_LANG_FR, "que", 3), "qu'il / que refused");
        wr_lexicon_free(&com);
        T_CHECK(wr_word_viable(&lx, WR_LANG_FR, "d'", 2) && !wr_word_viable(&lx, WR_LANG_FR, "d'ti", 4), "d' viability");
        T_CHECK(wr_fr_elidable("de", 2) && wr_fr_elidable("Que", 3) && !wr_fr_elidable("des", 3) && !wr_fr_elidable("si", 2), "elidable words");
        wr_lexicon_free(&lx);
    }

    T_CASE("write: acrostic") {
        req q; vers_err e = {0};
        T_CHECK(req_open(&q, "name: t\nlang: en\nstanzas: 4\nscheme: AABB\nsyllables: 6-8\nacrostic: Sway\n", WR_LANG_EN, 0) == 0, "form");
        int ok = 0;
        for (int s = 0; s < 5; s++) {
            wr_params pr = params((uint64_t)s); uint64_t rng = (uint64_t)s + 99; wr_result res = {0};
            if (wr_write(en.w, q.form, q.plan, &pr, &rng, &res, &e) == VERS_OK) {
                ok++;
                const char *l = res.text;
                const char want[] = "sway";
                for (int i = 0; i < 4 && l; i++) {
                    T_CHECK((l[0] | 32) == want[i], "line %d starts with %c", i + 1, l[0]);
                    l = strchr(l, '\n'); if (l) l++;
                }
            }
            wr_result_free(&res);
        }
        T_CHECK(ok >= 2, "acrostic found %d/5", ok);
        req_close(&q);
    }

    T_CASE("write: same seed, same poem; other seed, other poem") {
        req q; vers_err e = {0};
        T_CHECK(req_open(&q, "name: t\nlang: en\nstanzas: 4\nscheme: ABAB\nsyllables: 8\n", WR_LANG_EN, 0) == 0, "form");
        char *t[3] = {0};
        uint64_t seeds[3] = {5, 5, 6};
        for (int k = 0; k < 3; k++) {
            wr_params pr = params(seeds[k]); uint64_t rng = seeds[k]; wr_result res = {0};
            if (wr_write(en.w, q.form, q.plan, &pr, &rng, &res, &e) == VERS_OK) t[k] = strdup(res.text);
            wr_result_free(&res);
        }
        T_CHECK(t[0] && t[1] && !strcmp(t[0], t[1]), "same seed differs");
        T_CHECK(t[0] && t[2] && strcmp(t[0], t[2]), "other seed same poem");
        for (int k = 0; k < 3; k++) free(t[k]);
        req_close(&q);
    }

    T_CASE("write: impossible requests fail cleanly") {
        req q; vers_err e = {0};
        /* one-syllable lines: need a word + end word */
        T_CHECK(req_open(&q, "name: t\nlang: en\nstanzas: 4\nscheme: AAAA\nsyllables: 1\n", WR_LANG_EN, 0) == 0, "form");
        wr_params pr = params(1); pr.budget = 3000; uint64_t rng = 1; wr_result res = {0};
        int rc = wr_write(en.w, q.form, q.plan, &pr, &rng, &res, &e);
        T_CHECK(rc == VERS_EFAIL && res.text == NULL, "rc %d", rc);
        T_CHECK(strstr(e.msg, "no poem") != NULL, "message: %s", e.msg);
        wr_result_free(&res);
        req_close(&q);
        /* 26 distinct rhymes in 26 lines of 2 syllables: runs out of classes or budget, never prints */
        T_CHECK(req_open(&q, "name: t\nlang: en\nstanzas: 26\nscheme: ABCDEFGHIJKLMNOPQRSTUVWXYZ\nsyllables: 2\n", WR_LANG_EN, 0) == 0, "form");
        pr.budget = 20000;
        rc = wr_write(en.w, q.form, q.plan, &pr, &rng, &res, &e);
        if (rc == VERS_OK) {
            char why[256];
            T_CHECK(en.or.check_poem(en.or.ud, q.form, q.plan, res.text, strlen(res.text), why, sizeof why) == 1, "broken: %s", why);
        } else T_CHECK(rc == VERS_EFAIL && !res.text, "rc %d", rc);
        wr_result_free(&res);
        req_close(&q);
    }

    rig_close(&en); rig_close(&fr);
    T_DONE();
}
