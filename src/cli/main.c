/* src/cli/main.c — `vers COMMAND [options]`: dispatches to src/cli/cmd_*.c, then makes
 * sure what the command printed reached its destination. */
#include "cli.h"
#include <getopt.h>
#include <errno.h>
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

/* A full disk or a failing device loses the output the command printed: the exit status
 * and one line say so (every command, in one place).  stdio forgets why a write failed
 * (a later fflush only sees the error flag), so standard output goes through a stream of
 * our own whose write keeps the errno.  A reader that went away (| head -1) is not an
 * error: quietly keep the command's status.  Where SIGPIPE is not ignored, the first write
 * to the closed pipe ends the process by the signal, also quietly. */
static int out_errno;

static ssize_t out_write(void *cookie, const char *buf, size_t n) {
    (void)cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(STDOUT_FILENO, buf + done, n - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) { out_errno = k < 0 ? errno : EIO; return done ? (ssize_t)done : -1; }
        done += (size_t)k;
    }
    return (ssize_t)done;
}

static void own_stdout(void) {
    cookie_io_functions_t io = {NULL, out_write, NULL, NULL};
    FILE *f = fopencookie(NULL, "w", io);
    if (!f) return;                              /* keep the usual stdout */
    /* a terminal sees each line as it comes, as with the usual stdout */
    setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, 1 << 16);
    stdout = f;
}

static int finish_output(int rc) {
    int e = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) e = out_errno ? out_errno : EIO;
    if (fclose(stdout) != 0 && !e) e = out_errno ? out_errno : EIO;
    if (!e || e == EPIPE) return rc;
    return cli_error("write", "cannot write the output: %s", strerror(e));
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
    own_stdout();
    if (argc < 2) { usage(stderr); return 2; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return finish_output(0);
    }
    if (!strcmp(argv[1], "--version")) { printf("vers 0.1\n"); return finish_output(0); }
    /* getopt's own messages would be a second stderr line: each command prints one
     * (cli_bad_option) */
    opterr = 0;
    char name[64];
    snprintf(name, sizeof name, "%s", argv[1]);
    for (char *p = name; *p; p++) if (*p == '-') *p = '_';
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name)) return finish_output(commands[i].fn(argc - 1, argv + 1));
    return cli_error(argv[1], "unknown command (try 'vers --help')");
}
