/* src/cli/cli.c — helpers shared by the command files (errors, default model, numbers). */
#include "cli.h"
#include "util/json.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_error(const char *what, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "vers: %s: ", what ? what : "error");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

int cli_put_json(FILE *f, const char *s, size_t n) {
    json_buf b;
    json_init(&b);
    json_string(&b, s ? s : "", s ? n : 0);
    int rc = b.oom ? -1 : fwrite(b.p, 1, b.n, f) == b.n ? 0 : -1;
    json_free(&b);
    return rc;
}

int cli_bad_option(const char *cmd, const char *shortopts, char **argv) {
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    if (!arg) arg = "";
    int is_long = arg[0] == '-' && arg[1] == '-';
    /* getopt leaves in optopt the option it refused: 0 for an unknown long one */
    if (is_long && optopt && strchr(arg, '='))
        return cli_error(cmd, "option '%.*s' takes no value (vers %s --help)", (int)strcspn(arg, "="), arg, cmd);
    if (is_long && optopt) return cli_error(cmd, "option '%s' needs a value (vers %s --help)", arg, cmd);
    if (!is_long && optopt && optopt != ':' && strchr(shortopts, optopt))
        return cli_error(cmd, "option '-%c' needs a value (vers %s --help)", optopt, cmd);
    if (!is_long && optopt) return cli_error(cmd, "unknown option '-%c' (vers %s --help)", optopt, cmd);
    return cli_error(cmd, "unknown option '%s' (vers %s --help)", arg, cmd);
}

const char *cli_default_model(void) {
    static char path[PATH_MAX + 64];
    const char *env = getenv("VERS_MODEL");
    if (env && *env) return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        for (int up = 0; up < 3; up++) {          /* build/vers -> repo root; bin/vers -> prefix */
            char *slash = strrchr(exe, '/');
            if (!slash) break;
            *slash = 0;
            snprintf(path, sizeof path, "%s/models/vers-default.gguf", exe);
            if (access(path, R_OK) == 0) return path;
            snprintf(path, sizeof path, "%s/share/vers/models/vers-default.gguf", exe);
            if (access(path, R_OK) == 0) return path;
        }
    }
    if (access("models/vers-default.gguf", R_OK) == 0) return "models/vers-default.gguf";
    return NULL;
}

int cli_parse_int(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return -1;
    char *end; errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cli_parse_float(const char *s, double *out) {
    if (!s || !*s) return -1;
    char *end; errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || v != v) return -1;
    *out = v;
    return 0;
}
