/* tests/test_train_struct.c — structure codes for fine-tuning on poems
 * (src/train/struct_codes.c): the rhyme table from a corpus, the layout with
 * <syl:N><rh:K> before each line and <stanza> between stanzas, the text's own tokens
 * unchanged, the table kept as notes, and `vers train --struct-codes` end to end. */
#include "test.h"
#include "vers/train.h"
#include "vers/prosody.h"
#include "train/bpe.h"

static const char *corpus =
    "@@ id: f1\n@@ lang: fr\n@@ kind: poem\n@@ title: Mon rêve familier\n\n"
    "Je fais souvent ce rêve étrange et pénétrant\n"
    "D'une femme inconnue, et que j'aime, et qui m'aime,\n"
    "Et qui n'est, chaque fois, ni tout à fait la même\n"
    "Ni tout à fait une autre, et m'aime et me comprend.\n\n"
    "Car elle me comprend, et mon coeur, transparent\n"
    "Pour elle seule, hélas ! cesse d'être un problème\n"
    "Pour elle seule, et les moiteurs de mon front blême,\n"
    "Elle seule les sait rafraîchir, en pleurant.\n@@@\n"
    "@@ id: e1\n@@ lang: en\n@@ kind: poem\n@@ title: Sonnet\n\n"
    "Shall I compare thee to a summer's day?\n"
    "Thou art more lovely and more temperate:\n"
    "Rough winds do shake the darling buds of May,\n"
    "And summer's lease hath all too short a date;\n@@@\n"
    "@@ id: p1\n@@ lang: en\n@@ kind: prose\n@@ title: Chapter\n\n"
    "It was a dark and stormy night; the rain fell in torrents.\n\nExcept at occasional intervals.\n@@@\n";

static int is_code(const vers_bpe *b, int32_t id) {
    return id >= vers_bpe_struct_id(b, 0) && id <= vers_bpe_struct_id(b, VERS_BPE_N_STRUCT - 1);
}

static int first_doc(const vers_doc *d, void *ctx) {
    vers_doc *out = ctx;
    if (!out[0].body) out[0] = *d; else if (!out[1].body) out[1] = *d; else if (!out[2].body) out[2] = *d;
    return 0;
}

int main(void) {
    const char *dir = t_tmpdir();
    char path[512]; snprintf(path, sizeof path, "%s/c.txt", dir);
    FILE *f = fopen(path, "w"); fputs(corpus, f); fclose(f);
    vers_err err;
    vers_bpe *b = NULL;
    size_t l = strlen(corpus);
    const char *txt = corpus;
    T_CASE("struct: tokenizer with codes") { T_CHECK(vers_bpe_train(&txt, &l, 1, 620, &b, &err) == 0, "%s", err.msg); }
    if (!b) T_DONE();
    vers_prosody *p = NULL;
    T_CASE("struct: prosody") { T_CHECK(vers_prosody_open(NULL, &p, &err) == 0, "%s", err.msg); }
    if (!p) T_DONE();
    const char *files[1] = {path};
    vers_data_opts o = {files, 1, 0.0, 1, NULL, NULL, NULL, NULL};
    vers_struct_table *t = NULL;
    T_CASE("struct: rhyme table counted from the poems (training split), most frequent first") {
        T_CHECK(vers_struct_table_build(p, &o, &t, &err) == 0, "%s", err.msg);
        if (t) {
            int nf = vers_struct_table_count(t, VERS_LANG_FR), ne = vers_struct_table_count(t, VERS_LANG_EN);
            printf("  %d French keys (first %s), %d English keys (first %s)\n", nf, vers_struct_table_key(t, VERS_LANG_FR, 0), ne, vers_struct_table_key(t, VERS_LANG_EN, 0));
            T_CHECK(nf >= 2 && nf <= 8 && ne >= 2 && ne <= 4, "key counts %d %d (prose must not count)", nf, ne);
            vers_line a;
            const char *ln = "Et qui n'est, chaque fois, ni tout à fait la même";
            vers_scan_line(p, VERS_LANG_FR, ln, strlen(ln), 0, &a);
            int idx = vers_struct_table_rhyme(t, VERS_LANG_FR, a.rhyme_key);
            T_CHECK(idx >= 0 && idx < 2, "the 4-times rhyme (-ème) is among the first two: %d (%s)", idx, a.rhyme_key);
            T_CHECK(vers_struct_table_rhyme(t, VERS_LANG_FR, "zzz") == -1, "unknown key");
        }
    }
    vers_doc docs[3] = {{0}};
    vers_corpus_parse(corpus, l, first_doc, docs, &err);
    T_CASE("struct: a poem gets <syl:N><rh:K> before each line and <stanza> between stanzas; its text tokens are unchanged") {
        int32_t *a = NULL, *c = NULL; size_t na = 0, nc = 0, ca = 0, cc = 0;
        T_CHECK(t && vers_doc_tokenize(b, &docs[0], &a, &na, &ca) == 0 && vers_doc_tokenize_struct(b, t, p, &docs[0], &c, &nc, &cc) == 0, "tokenize");
        size_t k = 0; int syl = 0, rh = 0, st = 0, same = 1;
        for (size_t i = 0; t && i < nc; i++) {
            if (is_code(b, c[i])) {
                if (c[i] == vers_bpe_struct_id(b, VERS_STRUCT_STANZA)) st++;
                else if (c[i] < vers_bpe_struct_id(b, VERS_STRUCT_RHYME)) syl++;
                else rh++;
                continue;
            }
            same &= k < na && a[k] == c[i]; k++;
        }
        T_CHECK(same && k == na, "without the codes, the tokens differ from the plain layout");
        T_CHECK(syl == 8 && rh == 8 && st == 1, "codes: %d syl, %d rh, %d stanza", syl, rh, st);
        /* the first line: an alexandrine, right after the prefix's newline */
        int first_syl = -1;
        for (size_t i = 0; i < nc; i++) if (is_code(b, c[i]) && c[i] < vers_bpe_struct_id(b, VERS_STRUCT_RHYME)) { first_syl = c[i] - vers_bpe_struct_id(b, VERS_STRUCT_SYL) + 1; break; }
        T_CHECK(first_syl == 12, "first line <syl:%d>, want 12", first_syl);
        size_t dl = vers_bpe_decode(b, c, nc, NULL, 0);
        char *dec = malloc(dl + 1); vers_bpe_decode(b, c, nc, dec, dl); dec[dl] = 0;
        T_CHECK(strstr(dec, "\n<syl:12><rh:") && strstr(dec, "\n\n<stanza><syl:"), "layout: %.200s", dec);
        free(dec); free(a); free(c);
    }
    T_CASE("struct: prose is laid out as without codes") {
        int32_t *a = NULL, *c = NULL; size_t na = 0, nc = 0, ca = 0, cc = 0;
        vers_doc_tokenize(b, &docs[2], &a, &na, &ca);
        vers_doc_tokenize_struct(b, t, p, &docs[2], &c, &nc, &cc);
        T_CHECK(na == nc && !memcmp(a, c, na * 4), "prose changed");
        free(a); free(c);
    }
    T_CASE("struct: the table survives as notes") {
        char *nf = t ? vers_struct_table_note(t, VERS_LANG_FR) : NULL, *ne = t ? vers_struct_table_note(t, VERS_LANG_EN) : NULL;
        vers_struct_table *u = NULL;
        T_CHECK(nf && ne && vers_struct_table_from_notes(nf, ne, &u, &err) == 0 && vers_struct_table_hash(u) == vers_struct_table_hash(t), "round trip");
        vers_struct_table *bad = NULL;
        T_CHECK(vers_struct_table_from_notes("a||b", "", &bad, &err) != 0 && !bad, "empty key refused");
        vers_struct_table_free(u); free(nf); free(ne);
    }
    T_CASE("struct: vers train --struct-codes trains, keeps the table in the checkpoint, resumes with it") {
        static char out[1 << 15];
        char tokp[600]; snprintf(tokp, sizeof tokp, "%s/t.vtok", dir);
        vers_bpe_save(b, tokp, &err);
        char cmd[4096], cwd[1024];
        const char *vers = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
        snprintf(cmd, sizeof cmd, "cd %s && %s/%s train --tokenizer t.vtok --struct-codes --dim 16 --layers 1 --heads 2 --hidden 16 "
                 "--batch 1 --seq 128 --steps 2 --val-frac 0 --eval-every 0 -t 1 -c s.ckpt --log s.csv c.txt 2>&1 && "
                 "%s/%s train --resume -c s.ckpt --log s.csv --steps 3 c.txt 2>&1 && %s/%s export s.ckpt s.gguf && %s/%s info s.gguf 2>&1 | grep -c vers.struct.rhyme",
                 dir, getcwd(cwd, sizeof cwd), vers, cwd, vers, cwd, vers, cwd, vers);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "structure codes in poems") && strstr(out, "from step 2") && strstr(out, "\n2\n"), "rc %d: %s", rc, out);
    }
    T_CASE("struct: vers write feeds the codes to a model fine-tuned with them (and not with --no-codes)") {
        static char out[1 << 16];
        char cmd[4096], cwd[1024];
        const char *vers = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
        for (int no = 0; no < 2; no++) {
            snprintf(cmd, sizeof cmd, "cd %s && %s/%s write -m s.gguf --lang fr --form quatrain --seed 3 --json %s 2>&1",
                     dir, getcwd(cwd, sizeof cwd), vers, no ? "--no-codes" : "");
            int rc = t_run(cmd, out, sizeof out);
            T_CHECK(rc == 0 && strstr(out, no ? "\"codes\":false" : "\"codes\":true") && strstr(out, "\"ok\":true"),
                    "%s: rc %d: %.600s", no ? "--no-codes" : "codes", rc, out);
        }
    }
    vers_struct_table_free(t);
    vers_prosody_close(p);
    vers_bpe_free(b);
    T_DONE();
}
