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
    T_CASE("cli: unknown command exits 2 with one line") {
        snprintf(cmd, sizeof cmd, "%s frobnicate 2>&1", vers);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 2, "exit %d", rc);
        T_CHECK(!strncmp(out, "vers: frobnicate: ", 18), "message: %s", out);
        T_CHECK(strchr(out, '\n') == out + strlen(out) - 1, "not one line: %s", out);
    }
    T_DONE();
}
