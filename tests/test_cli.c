/* tests/test_cli.c — the CLI's contract: --help everywhere, exit codes, one-line errors. */
#include "test.h"
#include <sys/wait.h>


int main(void) {
    static char out[1 << 16];
    const char *vers = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
    char cmd[512];
    const char *cmds[] = {"write", "check", "generate", "tokenize", "perplexity", "info", "bench",
                          "quantize", "tokenizer-train", "train", "export", "plot"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char name[64]; snprintf(name, sizeof name, "cli: %s --help exits 0", cmds[i]);
        T_CASE(name) {
            snprintf(cmd, sizeof cmd, "%s %s --help 2>&1", vers, cmds[i]);
            int rc = t_run(cmd, out, sizeof out);
            T_CHECK(rc == 0, "exit %d", rc);
            T_CHECK(strstr(out, "usage") != NULL, "no usage line: %s", out);
        }
    }
    /* every bad option: exit 2 and exactly one stderr line "vers: CMD: ..." (getopt's own
     * message would be a second line) */
    const char *bad[] = {"--bogus", "-Z", "--help=1", "--bogus=3"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char name[80]; snprintf(name, sizeof name, "cli: %s: a bad option is one stderr line, exit 2", cmds[i]);
        T_CASE(name) {
            for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
                snprintf(cmd, sizeof cmd, "%s %s %s 2>&1 >/dev/null", vers, cmds[i], bad[b]);
                int rc = t_run(cmd, out, sizeof out);
                char want[64]; snprintf(want, sizeof want, "vers: %s: ", cmds[i]);
                T_CHECK(rc == 2, "%s: exit %d", bad[b], rc);
                T_CHECK(!strncmp(out, want, strlen(want)), "%s: message: %s", bad[b], out);
                T_CHECK(strchr(out, '\n') == out + strlen(out) - 1, "%s: not one line: %s", bad[b], out);
            }
        }
    }
    T_CASE("cli: an option missing its value is one line too") {
        const char *cases[] = {"check --form", "write -m", "info -m", "generate --prompt", "bench -t"};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            snprintf(cmd, sizeof cmd, "%s %s 2>&1 >/dev/null", vers, cases[i]);
            int rc = t_run(cmd, out, sizeof out);
            T_CHECK(rc == 2 && strstr(out, "needs a value") && strchr(out, '\n') == out + strlen(out) - 1,
                    "%s: exit %d: %s", cases[i], rc, out);
        }
    }
    const char *gguf = t_shared("reference/gguf/stories260K.gguf");
    if (!gguf) T_SKIP("cli: vers info -m FILE", "../shared/reference/gguf/stories260K.gguf not found (set VERS_SHARED)");
    else T_CASE("cli: vers info -m FILE is vers info FILE") {
        static char out2[1 << 16];
        snprintf(cmd, sizeof cmd, "%s info -m '%s' 2>&1", vers, gguf);
        int rc = t_run(cmd, out, sizeof out);
        snprintf(cmd, sizeof cmd, "%s info '%s' 2>&1", vers, gguf);
        int rc2 = t_run(cmd, out2, sizeof out2);
        T_CHECK(rc == 0 && rc2 == 0, "exit %d / %d: %s", rc, rc2, out);
        T_CHECK(!strcmp(out, out2) && strstr(out, "GGUF version"), "outputs differ: %.200s", out);
        snprintf(cmd, sizeof cmd, "%s info -m '%s' '%s' 2>&1", vers, gguf, gguf);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 2 && !strncmp(out, "vers: info: ", 12), "-m and FILE: exit %d: %s", rc, out);
    }
    T_CASE("cli: --list-forms explains the names (sonnet with --lang fr is sonnet-fr)") {
        snprintf(cmd, sizeof cmd, "%s check --list-forms 2>&1", vers);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "also --form sonnet with --lang fr"), "exit %d: %.300s", rc, out);
        T_CHECK(strstr(out, "limerick") && strstr(out, "8-10 8-10 5-7 5-7 8-10"), "limerick limits");
    }
    T_CASE("cli: unknown command exits 2 with one line") {
        snprintf(cmd, sizeof cmd, "%s frobnicate 2>&1", vers);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 2, "exit %d", rc);
        T_CHECK(!strncmp(out, "vers: frobnicate: ", 18), "message: %s", out);
        T_CHECK(strchr(out, '\n') == out + strlen(out) - 1, "not one line: %s", out);
    }
    T_DONE();
}
