/* tests/test.h — the tiny test harness every tests/test_*.c includes.
 *
 * A test program is a sequence of cases:
 *     T_CASE("gguf: v3 header") { T_CHECK(x == 3, "version %d", x); }
 * or with begin/end calls.  A case passes when none of its checks failed.  T_SKIP marks
 * a case skipped with a reason (e.g. ../shared absent).  main() ends with T_DONE(),
 * which prints the summary line "N passed, N failed, N skipped" that tests/run sums. */
#ifndef VERS_TEST_H
#define VERS_TEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <ftw.h>

static int t_passed, t_failed, t_skipped, t_case_failed, t_in_case;
static __attribute__((unused)) const char *t_case_name;

static __attribute__((unused)) void t_begin(const char *name) { t_case_name = name; t_case_failed = 0; t_in_case = 1; }
static __attribute__((unused)) void t_end(void) {
    if (!t_in_case) return;
    t_in_case = 0;
    if (t_case_failed) t_failed++; else t_passed++;
}
static __attribute__((unused)) void t_skip(const char *name, const char *why) {
    printf("SKIP %s: %s\n", name, why);
    t_skipped++;
}
static __attribute__((unused)) void t_fail_msg(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    printf("FAIL %s (%s:%d): ", t_case_name ? t_case_name : "?", file, line);
    va_start(ap, fmt); vprintf(fmt, ap); va_end(ap);
    printf("\n");
    t_case_failed = 1;
}
/* for (...) loop trick: runs the body once between t_begin and t_end */
#define T_CASE(name) for (int t_once_ = (t_begin(name), 1); t_once_; t_once_ = 0, t_end())
#define T_CHECK(cond, ...) do { if (!(cond)) t_fail_msg(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define T_SKIP(name, why) t_skip(name, why)
#define T_DONE() do { printf("%d passed, %d failed, %d skipped\n", t_passed, t_failed, t_skipped); \
                      return t_failed ? 1 : 0; } while (0)

/* Path of a file under ../shared (or $VERS_SHARED), or NULL when it is absent: tests then skip. */
static __attribute__((unused)) const char *t_shared(const char *rel) {
    static char buf[8][1024]; static int slot;
    const char *root = getenv("VERS_SHARED");
    if (!root || !*root) root = "../shared";
    char *b = buf[slot++ & 7];
    snprintf(b, sizeof buf[0], "%s/%s", root, rel);
    return access(b, R_OK) == 0 ? b : NULL;
}

/* Reads a whole file; returns malloc'd NUL-terminated bytes (length in *len) or NULL. */
static __attribute__((unused)) char *t_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0; char *p = malloc(cap + 1);
    size_t r;
    while (p && (r = fread(p + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) { char *q = realloc(p, 2 * cap + 1); if (!q) { free(p); p = NULL; break; } p = q; cap *= 2; }
    }
    fclose(f);
    if (!p) return NULL;
    p[n] = 0; if (len) *len = n;
    return p;
}

/* Temporary directory for files a test writes, removed with its contents at exit
 * (VERS_KEEP_TMP=1 keeps it for a look after a failure). */
static char t_tmpdir_path[256];
static pid_t t_tmpdir_owner;   /* forked children that exit must not remove it */
static int t_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}
static void t_tmpdir_cleanup(void) {
    if (t_tmpdir_path[0] && strcmp(t_tmpdir_path, "/tmp") && getpid() == t_tmpdir_owner && !getenv("VERS_KEEP_TMP"))
        nftw(t_tmpdir_path, t_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
static __attribute__((unused)) const char *t_tmpdir(void) {
    if (!t_tmpdir_path[0]) {
        snprintf(t_tmpdir_path, sizeof t_tmpdir_path, "/tmp/vers-test-XXXXXX");
        if (!mkdtemp(t_tmpdir_path)) snprintf(t_tmpdir_path, sizeof t_tmpdir_path, "/tmp");
        else { t_tmpdir_owner = getpid(); atexit(t_tmpdir_cleanup); }
    }
    return t_tmpdir_path;
}
/* Runs a shell command, captures up to outlen-1 bytes of its stdout; returns its exit status
 * (-1 when it did not exit normally). */
static __attribute__((unused)) int t_run(const char *cmd, char *out, size_t outlen) {
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t n = fread(out, 1, outlen - 1, p); out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
