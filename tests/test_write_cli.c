/* tests/test_write_cli.c — `vers write` end to end with real models: stories260K (the
 * engine, its SentencePiece tokenizer, the prosody layer) and the tiny llama / qwen2 / gpt2
 * models of llama.cpp.  Every poem printed is piped into `vers check` with the same form
 * (exit 0 required); not-found poems exit 1 with a message; seeds reproduce; impossible
 * or malformed requests exit 2 with one line. */
#include "test.h"
#include <sys/wait.h>


static const char *vers;

/* writes a poem (one run) and checks it with vers check; returns 0 found+passes, 1 not found, -1 broken */
static int write_and_check(const char *model, const char *args, const char *check_args, char *poem, size_t cap) {
    char cmd[2048], out[1 << 14];
    char path[512];
    snprintf(path, sizeof path, "%s/poem.txt", t_tmpdir());
    snprintf(cmd, sizeof cmd, "%s write -m %s %s >%s 2>/dev/null; echo $?", vers, model, args, path);
    t_run(cmd, out, sizeof out);
    int rc = atoi(out);
    size_t len = 0;
    char *text = t_read_file(path, &len);
    if (poem && text) snprintf(poem, cap, "%s", text);
    if (rc == 1) { int empty = !text || len == 0; free(text); return empty ? 1 : -1; }
    if (rc != 0 || !text || len == 0) { free(text); return -1; }
    free(text);
    snprintf(cmd, sizeof cmd, "%s check %s %s >/dev/null 2>&1; echo $?", vers, check_args, path);
    t_run(cmd, out, sizeof out);
    return atoi(out) == 0 ? 0 : -1;
}

/* README.md's example poems: each "`build/vers write ...`" line is followed (after its caption
 * lines) by the poem indented four spaces.  Fills cmd/want for the k-th example; 0 when found. */
static int readme_example(const char *readme, int k, char *cmd, size_t cmdcap, char *want, size_t wantcap) {
    const char *p = readme;
    for (int seen = 0; (p = strstr(p, "`build/vers write ")); p++) {
        if (p != readme && p[-1] != '\n') continue;
        if (seen++ < k) continue;
        const char *end = strchr(p + 1, '`');
        if (!end || (size_t)(end - p - 1) >= cmdcap) return -1;
        snprintf(cmd, cmdcap, "%.*s", (int)(end - p - 1), p + 1);
        const char *l = strchr(end, '\n');
        while (l && strncmp(l + 1, "    ", 4)) l = strchr(l + 1, '\n');   /* caption lines */
        size_t n = 0;
        want[0] = 0;
        while (l && (!strncmp(l + 1, "    ", 4) || (l[1] == '\n' && !strncmp(l + 2, "    ", 4)))) {
            const char *line = l[1] == '\n' ? l + 1 : l + 5, *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            if (n + len + 2 >= wantcap) return -1;
            memcpy(want + n, line, len); n += len; want[n++] = '\n'; want[n] = 0;
            l = nl;
        }
        return n ? 0 : -1;
    }
    return -1;
}

int main(void) {
    vers = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
    const char *m = t_shared("reference/gguf/stories260K.gguf");
    char out[1 << 16], cmd[2048];
    static char poem[1 << 14], poem2[1 << 14];
    setenv("XDG_CACHE_HOME", t_tmpdir(), 1);
    int quick = getenv("VERS_SANITIZE") != NULL;

    T_CASE("write cli: impossible requests exit 2 with one line") {
        const char *bad[] = {
            "--syllables 0", "--lines 3 --scheme ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "--form no-such-form", "--lang xx", "--temp -1", "-n 0", "--form sonnet --spec /nonexistent",
            "--spec /nonexistent/form"};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            snprintf(cmd, sizeof cmd, "%s write -m %s %s 2>&1", vers, m ? m : "/nonexistent.gguf", bad[i]);
            int rc = t_run(cmd, out, sizeof out);
            T_CHECK(rc == 2, "'%s': exit %d: %s", bad[i], rc, out);
            T_CHECK(!strncmp(out, "vers: ", 6) && strchr(out, '\n') == out + strlen(out) - 1, "'%s': not one line: %s", bad[i], out);
        }
        snprintf(cmd, sizeof cmd, "%s write -m /nonexistent.gguf --form haiku 2>&1", vers);
        T_CHECK(t_run(cmd, out, sizeof out) == 2, "missing model: %s", out);
    }
    if (!m) { T_SKIP("write cli: stories260K", "../shared/reference/gguf/stories260K.gguf absent"); T_DONE(); }

    /* each run loads the model and the pronouncing dictionary: few runs here; the breadth of
     * forms x seeds is in test_write_forms, in one process */
    struct { const char *args, *check; } forms[] = {
        {"--lang en --form sonnet --theme 'the sea' --seed 1", "--lang en --form sonnet"},
        {"--lang fr --form sonnet --theme 'la mer' --seed 1", "--lang fr --form sonnet"},
        {"--lang en --form villanelle --seed 2", "--lang en --form villanelle"},
        {"--lang fr --form rondeau --seed 2", "--lang fr --form rondeau"},
        {"--lang en --form quatrain --acrostic moon --seed 3", "--lang en --form quatrain --acrostic moon"},
    };
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if (quick && f >= 2) break;
        char name[256];
        snprintf(name, sizeof name, "write cli: stories260K %s passes vers check", forms[f].args);
        T_CASE(name) {
            int r = write_and_check(m, forms[f].args, forms[f].check, poem, sizeof poem);
            T_CHECK(r == 0, "not found or broken (%d):\n%s", r, poem);
        }
    }

    if (!quick) T_CASE("write cli: same seed, same poem, at any thread count") {
        int a = write_and_check(m, "--lang en --form haiku --seed 11 -t 1", "--lang en --form haiku", poem, sizeof poem);
        int b = write_and_check(m, "--lang en --form haiku --seed 11 -t 2", "--lang en --form haiku", poem2, sizeof poem2);
        T_CHECK(a == 0 && b == 0, "not found (%d %d)", a, b);
        T_CHECK(!strcmp(poem, poem2), "differ:\n%s---\n%s", poem, poem2);
        write_and_check(m, "--lang en --form haiku --seed 12", "--lang en --form haiku", poem2, sizeof poem2);
        T_CHECK(strcmp(poem, poem2), "seed 12 gave seed 11's poem");
    }

    T_CASE("write cli: --json and -n") {
        snprintf(cmd, sizeof cmd, "%s write -m %s --lang en --form haiku --seed 4 -n 2 --json 2>/dev/null", vers, m);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 || rc == 1, "exit %d", rc);
        int objs = 0;
        for (char *p = out; (p = strstr(p, "\"scores\":{")); p++) objs++;
        T_CHECK(rc != 0 || objs == 2, "%d poems", objs);
        int lines = 0;
        for (char *p = out; *p; p++) lines += *p == '\n';
        T_CHECK(rc != 0 || lines == 2, "not one JSON object per line: %d lines", lines);
        T_CHECK(!strncmp(out, "{\"text\":", 8) && strstr(out, "\"analysis\":{") && strstr(out, "\"logprob_per_token\""), "json: %.300s", out);
    }

    /* the shipped model: candidates decoded together as branches, end words only of tokens
     * the model gives p >= 1e-3 (end_rare 0), the same poem at 1 and 2 threads */
    const char *shipped = "models/vers-default.gguf";
    if (access(shipped, R_OK) || quick) T_SKIP("write cli: shipped model", access(shipped, R_OK) ? "models/vers-default.gguf absent" : "skipped under the sanitizers (slow)");
    else T_CASE("write cli: shipped model — French quatrains, no forced end-word token, same poem at -t 1 and -t 2") {
        for (int seed = 1; seed <= 3; seed++) {
            char a[64];
            snprintf(a, sizeof a, "--lang fr --form quatrain --seed %d -t 1", seed);
            int r1 = write_and_check(shipped, a, "--lang fr --form quatrain", poem, sizeof poem);
            snprintf(a, sizeof a, "--lang fr --form quatrain --seed %d -t 2", seed);
            int r2 = write_and_check(shipped, a, "--lang fr --form quatrain", poem2, sizeof poem2);
            T_CHECK(r1 == 0 && r2 == 0, "seed %d: not found or broken (%d %d)", seed, r1, r2);
            T_CHECK(!strcmp(poem, poem2), "seed %d: -t 1 and -t 2 differ:\n%s---\n%s", seed, poem, poem2);
            snprintf(cmd, sizeof cmd, "%s write -m %s --lang fr --form quatrain --seed %d --json 2>&1", vers, shipped, seed);
            int rc = t_run(cmd, out, sizeof out);
            T_CHECK(rc == 0 && strstr(out, "\"end_rare\":0,") && strstr(out, "\"codes\":false"), "seed %d: %.400s", seed, out);
        }
    }

    /* the README's poems are unedited: each is what the command above it prints (this checkout,
     * the shipped model; $M is stories260K) */
    size_t readme_len = 0;
    char *readme = t_read_file("README.md", &readme_len);
    if (!readme || quick || access(shipped, R_OK)) T_SKIP("write cli: README's example poems", !readme ? "README.md absent" : quick ? "skipped under the sanitizers (slow)" : "models/vers-default.gguf absent");
    else T_CASE("write cli: README's example poems are what their commands print") {
        static char want[1 << 14];
        int n = 0;
        for (int k = 0; ; k++) {
            char line[1024];
            if (readme_example(readme, k, line, sizeof line, want, sizeof want)) break;
            n++;
            if (strstr(line, "$M") && !m) { printf("  skipped (no ../shared): %s\n", line); continue; }
            setenv("M", m ? m : "", 1);
            snprintf(cmd, sizeof cmd, "%s%s 2>/dev/null", vers, line + strlen("build/vers"));
            int rc = t_run(cmd, out, sizeof out);
            T_CHECK(rc == 0 && !strcmp(out, want), "%s\nREADME:\n%s---\nprints:\n%s", line, want, out);
        }
        T_CHECK(n >= 6, "%d example commands found in README.md", n);
    }
    free(readme);

    const char *tiny[] = {"reference/llamacpp/models/tiny-llama-F32.gguf", "reference/llamacpp/models/tiny-qwen2-Q8_0.gguf",
                          "reference/llamacpp/models/tiny-gpt2-F16.gguf"};
    for (size_t k = 0; k < sizeof tiny / sizeof tiny[0]; k++) {
        const char *tm = t_shared(tiny[k]);
        char name[256];
        snprintf(name, sizeof name, "write cli: %s writes a checked haiku", tiny[k]);
        if (!tm || quick) { T_SKIP(name, tm ? "skipped under the sanitizers (slow)" : "model absent"); continue; }
        T_CASE(name) {
            /* random weights: words rarely come out whole, so "not found" (exit 1, nothing
             * printed) is a fair answer; a printed poem must pass */
            int r1 = write_and_check(tm, "--lang en --form haiku --seed 1 --budget 20000", "--lang en --form haiku", poem, sizeof poem);
            T_CHECK(r1 >= 0, "haiku broken:\n%s", poem);
            printf("  %s: haiku %s\n", tiny[k], r1 == 0 ? "found, passes vers check" : "not found (exit 1)");
        }
    }
    T_DONE();
}
