/* tests/test_reliability.c — issue 20's attacks, each replayed: outputs that are inputs,
 * full disks, closed pipes, FIFOs, permissions of replaced files, hostile options, one
 * enormous stanza.  Every case here failed on commit 1c68094 (see docs/RELIABILITY.md). */
#include "test.h"
#include "vers.h"
#include "prosody/prosody_internal.h"
#include "prosody/en_internal.h"
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

static const char *vers;
static char out[1 << 16], cmd[4096];

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}
static char *tmp(const char *name) {
    static char buf[8][512];
    static int slot;
    char *b = buf[slot++ & 7];
    snprintf(b, sizeof buf[0], "%s/%s", t_tmpdir(), name);
    return b;
}
/* one line "vers: ...\n" */
static int one_line(const char *s) {
    return !strncmp(s, "vers: ", 6) && strchr(s, '\n') == s + strlen(s) - 1;
}

/* scheme_detect's steps for a poem of n lines: one stanza, or stanzas of cycling lengths */
static unsigned long long scheme_work(vers_prosody *P, int n, int cycle) {
    static const char *const ends[] = {"night", "light", "day", "way", "sea", "free", "moon", "soon",
                                       "tree", "me", "fire", "desire", "heart", "apart", "rain", "again"};
    size_t cap = (size_t)n * 48 + 1, len = 0;
    char *text = malloc(cap);
    unsigned x = 7;
    int left = cycle ? 1 : n, next = 1;
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        len += (size_t)snprintf(text + len, cap - len, "the quiet %s falls on the %s\n", ends[(x >> 8) % 16], ends[(x >> 16) % 16]);
        if (cycle && --left == 0 && len + 1 < cap) { text[len++] = '\n'; next = next % cycle + 1; left = next; }
    }
    vers_analyse_opts o = {VERS_LANG_EN, NULL, 0};
    vers_analysis *a = NULL;
    unsigned long long w0 = scheme_detect_work;
    int rc = vers_analyse(P, text, len, &o, &a, NULL);
    unsigned long long w = scheme_detect_work - w0;
    if (!rc) vers_analysis_free(a);
    free(text);
    return rc ? 0 : w;
}

/* runs cmd (sh), stdout+stderr into out; exit status */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return t_run(cmd, out, sizeof out);
}
static char *slurp(const char *path) { return t_read_file(path, NULL); }
static int same_text(const char *path, const char *text) {
    char *s = slurp(path);
    int ok = s && !strcmp(s, text);
    free(s);
    return ok;
}
static unsigned mode_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0;
}

int main(void) {
    vers = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
    setenv("XDG_CACHE_HOME", t_tmpdir(), 1);

    T_CASE("scheme: detection work grows linearly with one stanza's length") {
        vers_prosody *P = NULL;
        T_CHECK(vers_prosody_open(NULL, &P, NULL) == 0, "prosody");
        unsigned long long a = scheme_work(P, 1000, 0), b = scheme_work(P, 8000, 0);
        /* 8x the lines: 8x the work (quadratic was 64x); a little slack for the ends */
        T_CHECK(a > 0 && b > 0 && b <= a * 8 + a / 4, "1000 lines: %llu steps, 8000 lines: %llu (%.1fx)", a, b, a ? (double)b / (double)a : 0);
        /* many stanzas of 60 different lengths: the usual scheme per length, found by one sort */
        unsigned long long c = scheme_work(P, 3000, 60), d = scheme_work(P, 24000, 60);
        T_CHECK(c > 0 && d > 0 && d <= c * 9, "3000 lines: %llu steps, 24000 lines: %llu (%.1fx)", c, d, c ? (double)d / (double)c : 0);
        vers_prosody_close(P);
    }

    T_CASE("scheme: a prepared ending scores as the plain call; the phone tables match the names") {
        T_CHECK(en_phone_tables_ok(), "en_rhyme.c's phone tables disagree with en_phone_names");
        vers_prosody *P = NULL;
        vers_prosody_open(NULL, &P, NULL);
        const char *lines[] = {"the quiet night", "a distant light", "the fire", "my desire", "the sea", "a melody",
                               "love", "move", "the wind", "the mind", "liberty", "to die", "la nuit", "la pluie"};
        int n = (int)(sizeof lines / sizeof lines[0]), bad = 0;
        vers_line L[16];
        for (int i = 0; i < n; i++) vers_scan_line(P, i >= 12 ? VERS_LANG_FR : VERS_LANG_EN, lines[i], strlen(lines[i]), 0, &L[i]);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                rhyme_prep a, b;
                rhyme_prep_init(&a, &L[i]); rhyme_prep_init(&b, &L[j]);
                int once = rhyme_score_prep(P, &a, &b), again = rhyme_score_prep(P, &a, &b), plain = rhyme_score_in(P, &L[i], &L[j]);
                bad += once != plain || again != plain;
            }
        T_CHECK(bad == 0, "%d pairs differ", bad);
        T_CHECK(rhyme_score_in(P, &L[0], &L[1]) >= 20 && rhyme_score_in(P, &L[2], &L[3]) >= 20, "night/light, fire/desire do not rhyme");
        vers_prosody_close(P);
    }

    const char *rel_m = t_shared("reference/gguf/stories260K.gguf");
    char *m = rel_m ? realpath(rel_m, NULL) : NULL;     /* the commands run in the temporary directory */
    char bin[2200], cwd[1024];
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = 0;
    snprintf(bin, sizeof bin, "%s%s%s", vers[0] == '/' ? "" : cwd, vers[0] == '/' ? "" : "/", vers);
    const char *dir = t_tmpdir();
    /* a corpus with enough distinct pairs for a 600-token tokenizer */
    static char corpus_text[1 << 15];
    {
        const char *syl[] = {"ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "de", "po", "gu", "fe"};
        size_t n = 0;
        unsigned x = 3;
        for (int d = 0; d < 4; d++) {
            n += (size_t)snprintf(corpus_text + n, sizeof corpus_text - n, "@@ id: d%d\n@@ lang: %s\n@@ kind: poem\n\n", d, d % 2 ? "fr" : "en");
            for (int w = 0; w < 600; w++) {
                x = x * 1103515245u + 12345u;
                n += (size_t)snprintf(corpus_text + n, sizeof corpus_text - n, "%s%s%s%s", syl[(x >> 8) % 12], syl[(x >> 12) % 12],
                                      syl[(x >> 16) % 12], w % 9 == 8 ? "\n" : " ");
            }
            n += (size_t)snprintf(corpus_text + n, sizeof corpus_text - n, "\n@@@\n");
        }
    }
    write_file(tmp("c.txt"), corpus_text);

    /* ---- item 2: an output that is an input is refused, by device and inode ---- */
    T_CASE("output = input: every command that writes a file refuses, and the input is untouched") {
        write_file(tmp("log.csv"), "step,loss,val_loss\n1,5.0,\n2,4.0,4.5\n");
        write_file(tmp("x.bin"), "not a checkpoint\n");
        T_CHECK(link(tmp("c.txt"), tmp("hard.txt")) == 0, "link: %s", strerror(errno));
        const char *cases[] = {
            "tokenizer-train -v 600 -o c.txt c.txt",
            "tokenizer-train -v 600 -o hard.txt c.txt",          /* another name, same inode */
            "tokenizer-train -v 600 -o ./c.txt c.txt",
            "export x.bin x.bin",
            "export x.bin ./x.bin",
            "quantize x.bin ./x.bin Q8_0",
            "plot log.csv -o log.csv",
            "plot log.csv -o ./log.csv",
            "train --tokenizer x.bin -c c.txt c.txt",            /* the corpus as checkpoint */
            "train --tokenizer x.bin --tokens c.txt c.txt",      /* the corpus as token cache */
            "train --tokenizer x.bin --log hard.txt c.txt",
            "train --tokenizer x.bin --export c.txt c.txt",
            "train --tokenizer x.bin -c x.bin c.txt",            /* the tokenizer as checkpoint */
            "train --tokenizer x.bin -c a.ckpt --log a.ckpt c.txt",
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int rc = run("cd %s && %s %s 2>&1 >/dev/null", dir, bin, cases[i]);
            T_CHECK(rc == 2 && one_line(out) && (strstr(out, "is also an input") || strstr(out, "two outputs")),
                    "'%s': exit %d: %s", cases[i], rc, out);
        }
        T_CHECK(same_text(tmp("c.txt"), corpus_text), "the corpus changed");
        T_CHECK(same_text(tmp("x.bin"), "not a checkpoint\n"), "x.bin changed");
        T_CHECK(same_text(tmp("log.csv"), "step,loss,val_loss\n1,5.0,\n2,4.0,4.5\n"), "the log changed");
        T_CHECK(access(tmp("c.txt.tmp"), F_OK) != 0, "a temporary file was left");
    }

    /* ---- item 11: temp + rename keeps permissions; FIFOs are written directly ---- */
    T_CASE("replaced outputs keep their permissions; a new one gets the umask's") {
        write_file(tmp("tok.vtok"), "old\n");
        chmod(tmp("tok.vtok"), 0640);
        int rc = run("cd %s && %s tokenizer-train -v 600 -o tok.vtok c.txt 2>&1", dir, bin);
        T_CHECK(rc == 0, "tokenizer-train: %d %s", rc, out);
        T_CHECK(mode_of(tmp("tok.vtok")) == 0640, "tok.vtok mode %o, want 640", mode_of(tmp("tok.vtok")));
        write_file(tmp("l.svg"), "old\n");
        chmod(tmp("l.svg"), 0604);
        rc = run("cd %s && %s plot log.csv -o l.svg 2>&1", dir, bin);
        T_CHECK(rc == 0 && mode_of(tmp("l.svg")) == 0604, "plot: %d, mode %o: %s", rc, mode_of(tmp("l.svg")), out);
        char *svg = slurp(tmp("l.svg"));
        T_CHECK(svg && !strncmp(svg, "<svg", 4), "not replaced");
        free(svg);
        rc = run("cd %s && umask 027 && %s plot log.csv -o new.svg 2>&1", dir, bin);
        T_CHECK(rc == 0 && mode_of(tmp("new.svg")) == 0640, "new file mode %o, want 640", mode_of(tmp("new.svg")));
        /* a link to a file: the file is replaced, the link stays a link */
        T_CHECK(symlink("l.svg", tmp("link.svg")) == 0, "symlink");
        rc = run("cd %s && %s plot log.csv -o link.svg 2>&1", dir, bin);
        struct stat st;
        T_CHECK(rc == 0 && lstat(tmp("link.svg"), &st) == 0 && S_ISLNK(st.st_mode), "the link was replaced: %s", out);
    }
    T_CASE("an output that is a FIFO is written into, not replaced") {
        T_CHECK(mkfifo(tmp("out.fifo"), 0600) == 0, "mkfifo");
        int rc = run("cd %s && (timeout 20 cat out.fifo > got.svg &) && timeout 20 %s plot log.csv -o out.fifo 2>&1; s=$?; sleep 0.3; echo $s", dir, bin);
        struct stat st;
        T_CHECK(stat(tmp("out.fifo"), &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO was replaced by a file (%s)", out);
        char *got = slurp(tmp("got.svg"));
        T_CHECK(got && !strncmp(got, "<svg", 4), "the reader got: %.40s (rc %d)", got ? got : "(nothing)", rc);
        free(got);
    }

    T_CASE("an output that is standard output is written directly, with no summary inside it") {
        /* /proc/self/fd/1 rather than /dev/stdout: 1c68094 renamed a temporary file over the
         * path given, which under /dev would have replaced the system's /dev/stdout */
        int rc = run("cd %s && %s plot log.csv -o /proc/self/fd/1 > via.svg 2>err.txt; echo $?; cat err.txt", dir, bin);
        char *svg = slurp(tmp("via.svg"));
        size_t n = svg ? strlen(svg) : 0;
        T_CHECK(rc == 0 && atoi(out) == 0, "exit: %s", out);
        T_CHECK(svg && !strncmp(svg, "<svg", 4) && n > 8 && !strcmp(svg + n - 7, "</svg>\n"), "not the SVG alone: %.40s ... %s",
                svg ? svg : "(none)", svg && n > 20 ? svg + n - 20 : "");
        free(svg);
    }

    /* ---- item 3: a failed write to standard output ---- */
    T_CASE("output to a full disk: exit 2 and one line, for every command") {
        write_file(tmp("poem.txt"), "The river runs beneath the hill,\nAnd carries leaves along the stream;\n");
        /* French text: English would add the one-line warning of a missing CMU dictionary */
        write_file(tmp("vers.txt"), "Le vent se leve, il faut tenter de vivre.\nLa mer, la mer, toujours recommencee.\n");
        const char *cases[] = {"check vers.txt", "check --json vers.txt", "--help", "check --help", "check --list-forms",
                               "tokenize --help"};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int rc = run("cd %s && %s %s 2>&1 >/dev/full", dir, bin, cases[i]);
            T_CHECK(rc == 2 && !strcmp(out, "vers: write: cannot write the output: No space left on device\n"),
                    "'%s': exit %d: %s", cases[i], rc, out);
        }
        /* (no "-o /dev/stdout" here: on 1c68094 that renamed a file over /dev/stdout itself) */
        /* more than one buffer of output: the reason survives the first failed write */
        FILE *f = fopen(tmp("long.txt"), "w");
        for (int i = 0; i < 3000 && f; i++) fprintf(f, "la nuit tombe doucement sur la mer %d\n", i);
        if (f) fclose(f);
        int rc = run("cd %s && %s check --json long.txt 2>&1 >/dev/full", dir, bin);
        T_CHECK(rc == 2 && !strcmp(out, "vers: write: cannot write the output: No space left on device\n"), "long: %d %s", rc, out);
        if (m) {
            rc = run("%s info %s 2>&1 >/dev/full", bin, m);
            T_CHECK(rc == 2 && strstr(out, "No space left on device"), "info: %d %s", rc, out);
            rc = run("%s generate -m %s -p Once -n 8 --seed 1 2>&1 >/dev/full", bin, m);
            T_CHECK(rc == 2 && !strcmp(out, "vers: write: cannot write the output: No space left on device\n"), "generate: %d %s", rc, out);
        }
    }

    /* ---- item 10: a closed pipe ---- */
    T_CASE("a closed pipe ends the command quietly") {
        /* SIGPIPE ignored (as under Python or some shells): the write error must not print */
        int rc = run("cd %s && { trap '' PIPE; %s check long.txt 2>err.txt | head -1 >/dev/null; echo ${PIPESTATUS:-}; } ; cat err.txt", dir, bin);
        T_CHECK(rc == 0 && !strstr(out, "vers:"), "check: %s", out);
        if (m) {
            rc = run("cd %s && { trap '' PIPE; %s generate -m %s -p Once -n 200 --ignore-eos --seed 1 2>err.txt | head -c 1 >/dev/null; }; cat err.txt", dir, bin, m);
            T_CHECK(rc == 0 && !strstr(out, "vers:"), "generate: %s", out);
        }
        rc = run("cd %s && %s check long.txt 2>err.txt | head -1 >/dev/null; cat err.txt", dir, bin);
        T_CHECK(out[0] == 0, "default SIGPIPE: %s", out);
    }

    /* ---- item 6: --spec read once ---- */
    if (!m) T_SKIP("write --spec FIFO", "stories260K absent");
    else T_CASE("write --spec FIFO reads the spec once and does not hang") {
        T_CHECK(mkfifo(tmp("spec.fifo"), 0600) == 0, "mkfifo");
        write_file(tmp("h.form"), "name: h\nlang: en\nlines: 3\nsyllables: 5 | 7 | 5\n");
        int rc = run("cd %s && (cat h.form > spec.fifo &) && timeout 120 %s write -m %s --spec spec.fifo --seed 1 -n 2 --budget 3000 >/dev/null 2>&1; echo $?",
                     dir, bin, m);
        int st = atoi(out);
        T_CHECK(rc == 0 && (st == 0 || st == 1), "exit %d (124: it hung on a second open of the FIFO)", st);
    }

    /* ---- small: options ---- */
    T_CASE("hostile option values are refused with one line naming the option") {
        struct { const char *args, *want; } cases[] = {
            {"write -m /nonexistent.gguf --seed -5", "--seed"},
            {"write -m /nonexistent.gguf --seed 18446744073709551616", "--seed"},
            {"write -m /nonexistent.gguf --seed +7", "--seed"},
            {"generate -m /nonexistent.gguf --seed -5", "--seed"},
            {"generate -m /nonexistent.gguf --seed 99999999999999999999", "--seed"},
            {"write -m /nonexistent.gguf --lang en --form quatrain --acrostic \xf0\x9f\x8c\x8a\xf0\x9f\x8c\x99", "acrostic"},
            {"write -m /nonexistent.gguf --lang en --form quatrain --acrostic 'm00n'", "acrostic"},
            {"check --form quatrain --acrostic \xf0\x9f\x8c\x8a poem.txt", "acrostic"},
            {"train --tokenizer tok.vtok --seq x c.txt", "--seq"},
            {"train --tokenizer tok.vtok --dim -1 c.txt", "--dim"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int rc = run("cd %s && %s %s 2>&1 >/dev/null", dir, bin, cases[i].args);
            T_CHECK(rc == 2 && one_line(out) && strstr(out, cases[i].want) && !strstr(out, "o.") && !strstr(out, "cfg."),
                    "'%s': exit %d: %s", cases[i].args, rc, out);
        }
        int rc = run("cd %s && %s write -m /nonexistent.gguf --lang en --form quatrain --acrostic 'Mo on' 2>&1 >/dev/null", dir, bin);
        T_CHECK(!strstr(out, "acrostic"), "letters and a space are an acrostic: %s", out);
        (void)rc;
        rc = run("cd %s && %s train --tokenizer tok.vtok --dim 16 --layers 1 --heads 2 --hidden 32 --batch 1 --seq 8 --steps 1 "
                 "-c up.ckpt --log up.csv --upsample garbage c.txt 2>&1 >/dev/null", dir, bin);
        T_CHECK(rc == 2 && one_line(out) && strstr(out, "--upsample") && strstr(out, "garbage"), "--upsample garbage: %d %s", rc, out);
        T_CHECK(access(tmp("up.ckpt"), F_OK) != 0, "a run with --upsample garbage trained");
        rc = run("cd %s && %s write -m /nonexistent.gguf --spec /nonexistent/x.form 2>&1", dir, bin);
        T_CHECK(rc == 2 && !strncmp(out, "vers: /nonexistent/x.form: ", 27) && one_line(out), "spec message: %s", out);
    }

    T_CASE("fuzz regression: --lines under a form's refrains is refused (the form stays parseable)") {
        int rc = run("cd %s && %s check --lang en --form villanelle --lines 12 poem.txt 2>&1 >/dev/null", dir, bin);
        T_CHECK(rc == 2 && one_line(out) && strstr(out, "refrain line 18 beyond the form's 12 lines"), "exit %d: %s", rc, out);
        /* every built-in form with every line count from 1 to 30: formatted, it parses again */
        int bad = 0;
        for (int i = 0; i < vers_form_builtin_count(); i++)
            for (int n = 1; n <= 30; n++) {
                vers_form *f = NULL, *g = NULL;
                char num[16];
                snprintf(num, sizeof num, "%d", n);
                if (vers_form_builtin_get(i, &f, NULL) == 0 && vers_form_set(f, "lines", num, NULL) == 0) {
                    size_t need = vers_form_format(f, NULL, 0);
                    char *txt = malloc(need + 1);
                    vers_form_format(f, txt, need + 1);
                    if (vers_form_parse(txt, need, "again", &g, NULL)) bad++;
                    free(txt);
                }
                vers_form_free(f); vers_form_free(g);
            }
        T_CHECK(bad == 0, "%d forms with --lines do not parse back", bad);
    }

    T_CASE("messages: vers: FILE: message, the file named once") {
        struct { const char *args, *start; } cases[] = {
            {"check --spec /nonexistent/x.form poem.txt", "vers: /nonexistent/x.form: cannot open: "},
            {"write -m /nonexistent.gguf --spec /nonexistent/x.form", "vers: /nonexistent/x.form: cannot open: "},
            {"check --spec poem.txt poem.txt", "vers: poem.txt:1: "},
            {"plot log.csv -o /nonexistent/d/x.svg", "vers: /nonexistent/d/x.svg: cannot create a temporary file"},
            {"tokenizer-train -v 600 -o /nonexistent/d/t.vtok c.txt", "vers: /nonexistent/d/t.vtok: cannot create a temporary file"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int rc = run("cd %s && %s %s 2>&1 >/dev/null", dir, bin, cases[i].args);
            const char *second = strstr(out + 6, cases[i].start + 6);
            T_CHECK(rc == 2 && one_line(out) && !strncmp(out, cases[i].start, strlen(cases[i].start)) &&
                    (!second || !strstr(second + 1, cases[i].start + 6)), "'%s': exit %d: %s", cases[i].args, rc, out);
        }
        if (m) {
            int rc = run("cd %s && %s quantize %s /nonexistent/d/q.gguf Q8_0 2>&1 >/dev/null", dir, bin, m);
            T_CHECK(rc == 2 && one_line(out) && !strncmp(out, "vers: /nonexistent/d/q.gguf: cannot", 35) &&
                    !strstr(out + 10, "/nonexistent/d/q.gguf"), "quantize: %s", out);
        }
    }

    T_CASE("a bare CR is a line break (CR LF stays one)") {
        vers_prosody *P = NULL;
        vers_prosody_open(NULL, &P, NULL);
        const char *texts[] = {"the night\rfalls on the sea\n", "the night\r\nfalls on the sea\r\n", "la nuit\rtombe\r\rsur la mer"};
        int want_lines[] = {2, 2, 3}, want_stanzas[] = {1, 1, 2};
        for (int i = 0; i < 3; i++) {
            vers_analysis *a = NULL;
            int rc = vers_analyse(P, texts[i], strlen(texts[i]), NULL, &a, NULL);
            T_CHECK(rc == 0 && a->n_lines == want_lines[i] && a->n_stanzas == want_stanzas[i], "text %d: %d lines, %d stanzas", i,
                    a ? a->n_lines : -1, a ? a->n_stanzas : -1);
            T_CHECK(rc || !strstr(a->lines[0].text, "nightfalls") , "joined");
            if (!rc) vers_analysis_free(a);
        }
        vers_prosody_close(P);
    }

    if (!m) T_SKIP("generate past the context", "stories260K absent");
    else T_CASE("generate -n past the context says so on stderr") {
        int rc = run("%s generate -m %s -p Once -n 2000 --ignore-eos --seed 1 2>&1 >/dev/null", bin, m);
        T_CHECK(rc == 0 && one_line(out) && strstr(out, "context") && strstr(out, "2000"), "exit %d: %s", rc, out);
        rc = run("%s generate -m %s -p Once -n 5 --ignore-eos --seed 1 2>&1 >/dev/null", bin, m);
        T_CHECK(rc == 0 && out[0] == 0, "a short run printed: %s", out);
    }

    /* ---- small: the token cache ---- */
    T_CASE("a failed train leaves no token cache") {
        /* a tiny document cannot fill a sequence of 256: the run fails after tokenizing */
        write_file(tmp("small.txt"), "@@ id: a\n@@ lang: en\n\nthe sea\n@@@\n");
        int rc = run("cd %s && %s train --tokenizer tok.vtok --dim 16 --layers 1 --heads 2 --hidden 32 --seq 256 --steps 1 "
                     "-c fail.ckpt --log fail.csv small.txt 2>&1 >/dev/null", dir, bin);
        T_CHECK(rc == 2, "exit %d: %s", rc, out);
        T_CHECK(access(tmp("fail.ckpt.tokens"), F_OK) != 0, "fail.ckpt.tokens left behind");
    }
    T_CASE("the token cache's document counts are inside its checksum") {
        static char text[1 << 15];      /* enough distinct pairs for 600 tokens */
        const char *syl[] = {"ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "de", "po", "gu", "fe"};
        size_t tl = 0;
        for (unsigned i = 0, x = 1; tl + 16 < sizeof text; i++) {
            x = x * 1103515245u + 12345u;
            tl += (size_t)snprintf(text + tl, sizeof text - tl, "%s%s%s ", syl[(x >> 8) % 12], syl[(x >> 12) % 12], syl[(x >> 16) % 12]);
        }
        const char *tp = text;
        vers_bpe *b = NULL;
        vers_err e = {0};
        T_CHECK(vers_bpe_train(&tp, &tl, 1, 600, &b, &e) == 0, "bpe: %s", e.msg);
        char many[4096] = "";
        for (int i = 0; i < 20; i++)
            snprintf(many + strlen(many), sizeof many - strlen(many), "@@ id: d%d\n@@ lang: en\n\nthe sea at night %d\n@@@\n", i, i);
        write_file(tmp("docs.txt"), many);
        const char *files[] = {tmp("docs.txt")};
        vers_data_opts o = {.files = files, .n_files = 1, .val_frac = 0.2, .seed = 1, .cache_path = tmp("docs.tokens")};
        vers_tokens t1, t2;
        memset(&t1, 0, sizeof t1); memset(&t2, 0, sizeof t2);
        T_CHECK(b && vers_tokens_build(b, &o, &t1, NULL) == 0, "build");
        /* header: magic 8, key 8, n_train 8, n_val 8, docs_train 8 (offset 32) */
        FILE *f = fopen(tmp("docs.tokens"), "r+b");
        int64_t forged = 12345;
        T_CHECK(f && fseek(f, 32, SEEK_SET) == 0 && fwrite(&forged, 8, 1, f) == 1, "forge");
        if (f) fclose(f);
        T_CHECK(b && vers_tokens_build(b, &o, &t2, NULL) == 0, "rebuild");
        T_CHECK(t2.n_docs_train == t1.n_docs_train && t2.n_docs_val == t1.n_docs_val,
                "forged count read back: %lld train docs, want %lld", (long long)t2.n_docs_train, (long long)t1.n_docs_train);
        vers_tokens_free(&t1); vers_tokens_free(&t2);
        vers_bpe_free(b);
    }

    /* ---- small: the CMU dictionary's absence ---- */
    T_CASE("English without the CMU dictionary: one warning per run; French: none") {
        write_file(tmp("fr.txt"), "Le vent se leve, il faut tenter de vivre.\nLa mer, la mer, toujours recommencee.\n");
        int rc = run("cd %s && VERS_CMUDICT=/nonexistent %s check poem.txt 2>&1 >/dev/null", dir, bin);
        T_CHECK(rc == 0 && one_line(out) && strstr(out, "warning") && strstr(out, "CMU"), "en: %d %s", rc, out);
        rc = run("cd %s && VERS_CMUDICT=/nonexistent %s check fr.txt 2>&1 >/dev/null", dir, bin);
        T_CHECK(rc == 0 && out[0] == 0, "fr: %d %s", rc, out);
        if (access("data/cmudict.txt", R_OK) == 0) {
            rc = run("cd %s && %s check poem.txt 2>&1 >/dev/null", dir, bin);
            T_CHECK(rc == 0 && out[0] == 0, "with the dictionary: %d %s", rc, out);
        }
        if (m) {
            rc = run("cd %s && VERS_CMUDICT=/nonexistent %s write -m %s --lang en --form haiku --seed 1 -n 2 --budget 2000 2>&1 >/dev/null | grep -c warning", dir, bin, m);
            T_CHECK(atoi(out) == 1, "write: %s warnings", out);
        }
    }
    T_CASE("setup.sh: without the dictionary it ends with a notice; apt shows its progress") {
        /* a copy of the script with stubs: no network, no root, no build */
        int rc = run("cd %s && mkdir -p su/scripts su/bin && cp %s/scripts/setup.sh su/scripts/ && "
                     "printf '#!/bin/sh\\nexit 0\\n' > su/scripts/fetch-cmudict.sh && "
                     "printf '#!/bin/sh\\necho apt-get \"$@\"\\n' > su/bin/apt-get && "
                     "printf '#!/bin/sh\\nexit 0\\n' > su/bin/make && printf '#!/bin/sh\\nexec \"$@\"\\n' > su/bin/sudo && "
                     "printf '#!/bin/sh\\nexit 0\\n' > su/bin/npm && "
                     "chmod +x su/scripts/*.sh su/bin/* && PATH=$PWD/su/bin:$PATH sh su/scripts/setup.sh 2>&1", dir, cwd);
        T_CHECK(rc == 0, "setup.sh exit %d: %s", rc, out);
        T_CHECK(strstr(out, "NOTICE") && strstr(out, "data/cmudict.txt") && strstr(out, "fetch-cmudict.sh") && strstr(out, "English"),
                "no notice: %s", out);
        T_CHECK(strstr(out, "apt-get install") && !strstr(out, "-qq"), "apt runs quietly: %s", out);
    }
    free(m);
    T_DONE();
}
