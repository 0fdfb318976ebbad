/* src/cli/main.c — `vers COMMAND [options]`: dispatches to src/cli/cmd_*.c. */
#include "cli.h"
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct command { const char *name; int (*fn)(int, char **); const char *help; };
#define CLI_ROW(name, help) { #name, cmd_##name, help },
static const struct command commands[] = { CLI_COMMANDS(CLI_ROW) };
#undef CLI_ROW

static void usage(FILE *f) {
    fprintf(f, "usage: vers COMMAND [options]   (vers COMMAND --help for each)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s", commands[i].name);
        for (char *p = name; *p; p++) if (*p == '_') *p = '-';
        fprintf(f, "  %-16s %s\n", name, commands[i].help);
    }
    fprintf(f, "\nexit codes: 0 ok, 1 the requested result does not hold, 2 bad usage or input\n");
}

int main(int argc, char **argv) {
    /* `vers train` handles SIGINT/SIGTERM (checkpoint, then stop): they are blocked from the
     * first instruction, across the re-exec below, until cmd_train has its handlers, so a
     * signal in the first milliseconds waits for them instead of killing the run. */
    if (argc > 1 && !strcmp(argv[1], "train")) {
        sigset_t s;
        sigemptyset(&s); sigaddset(&s, SIGINT); sigaddset(&s, SIGTERM);
        sigprocmask(SIG_BLOCK, &s, NULL);
    }
    /* A decode opens ~50 parallel regions per token.  Threads that go to sleep at once
     * (OMP_WAIT_POLICY=passive) pay a wake-up per region: 24M Q4_0, 2 threads, quiet machine,
     * tg128 286 t/s against 1864 spinning.  Threads that spin without end stall when the
     * cores are shared (tg 24 t/s against 530 sleeping, loaded machine).  A short spin, then
     * sleep, keeps both: 1824 t/s quiet; beside 2 busy processes 478-891 (passive 182,
     * active 350-639).  libgomp reads the setting when it starts, before main: so set it
     * and start again, unless the user chose a policy or a spin count. */
    if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT")) {
        setenv("GOMP_SPINCOUNT", "10000", 1);
        execv("/proc/self/exe", argv);          /* on failure: carry on as we are */
    }
    if (argc < 2) { usage(stderr); return 2; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) { printf("vers 0.1\n"); return 0; }
    /* getopt's own messages would be a second stderr line: each command prints one
     * (cli_bad_option) */
    opterr = 0;
    char name[64];
    snprintf(name, sizeof name, "%s", argv[1]);
    for (char *p = name; *p; p++) if (*p == '-') *p = '_';
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    return cli_error(argv[1], "unknown command (try 'vers --help')");
}
