/* src/cli/cli.c — helpers shared by the command files (errors, default model, numbers). */
#include "cli.h"
#include "util/json.h"
#include "util/outfile.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int cli_parse_u64(const char *s, uint64_t *out) {
    /* digits only: strtoull would take "-5" as 2^64 - 5 and " 7" or "+7" quietly */
    if (!s || !*s) return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return -1;     /* overflow */
        v = v * 10 + d;
    }
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

int cli_check_outputs(const char *const *outs, int n_out, const char *const *ins, int n_in) {
    vers_err err = {0};
    for (int i = 0; i < n_out; i++) {
        if (!outs[i]) continue;
        if (vers_out_not_input(outs[i], ins, n_in, &err)) { fprintf(stderr, "vers: %s\n", err.msg); return 2; }
        for (int j = 0; j < i; j++)     /* two outputs into one file: one would be lost */
            if (outs[j] && (!strcmp(outs[i], outs[j]) || vers_same_file(outs[i], outs[j])))
                return cli_error(outs[i], "given for two outputs; choose another name for one of them");
    }
    return 0;
}

void cli_dict_warning(const vers_prosody *p) {
    static int said;                   /* once per run, however many poems */
    const char *w = vers_prosody_warning(p);
    if (w && !said) { fprintf(stderr, "vers: warning: %s\n", w); said = 1; }
}

int cli_is_stdout(const char *path) {
    struct stat a, b;
    return fstat(STDOUT_FILENO, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int cli_lib_error(const char *what, const char *msg) {
    size_t n = what ? strlen(what) : 0;
    if (n && !strncmp(msg, what, n) && msg[n] == ':') fprintf(stderr, "vers: %s\n", msg);   /* names it already */
    else cli_error(what, "%s", msg);
    return 2;
}
