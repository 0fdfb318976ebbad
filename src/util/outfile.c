/* src/util/outfile.c — output files through a temporary file and a rename, refusing an
 * output that is an input (see outfile.h for the rules and why). */
#include "util/outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vers_same_file(const char *a, const char *b) {
    struct stat x, y;
    if (!a || !b || stat(a, &x) != 0 || stat(b, &y) != 0) return 0;
    return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int vers_out_not_input(const char *out, const char *const *inputs, int n, vers_err *err) {
    for (int i = 0; i < n; i++)
        if (inputs[i] && vers_same_file(out, inputs[i]))
            return strcmp(out, inputs[i])
                       ? vers_errorf(err, VERS_EINVAL, "%s: is also an input (%s); choose another output", out, inputs[i])
                       : vers_errorf(err, VERS_EINVAL, "%s: is also an input; choose another output", out);
    return VERS_OK;
}

/* Pseudo-files whose links must never be resolved and replaced (/dev/stdout -> the shell's
 * redirection target, /proc/self/fd/N). */
static int is_special_dir(const char *path) {
    return !strncmp(path, "/dev/", 5) || !strncmp(path, "/proc/", 6);
}

int vers_outfile_open(vers_outfile *o, const char *path, vers_err *err) {
    memset(o, 0, sizeof *o);
    struct stat st;
    int keep_mode = 0, direct = 0;
    mode_t mode = 0;
    char *target = NULL;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) return vers_errorf(err, VERS_EIO, "%s: %s", path, strerror(errno));
        target = strdup(path);                     /* a new file */
    } else if (S_ISREG(st.st_mode)) {
        target = strdup(path);
        keep_mode = 1; mode = st.st_mode;
    } else if (S_ISLNK(st.st_mode) && !is_special_dir(path) && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        target = realpath(path, NULL);             /* replace the file, keep the link */
        if (!target) return vers_errorf(err, VERS_EIO, "%s: %s", path, strerror(errno));
        keep_mode = 1; mode = st.st_mode;
    } else direct = 1;                             /* FIFO, device, /dev/stdout, dangling link */
    if (direct) {
        if (!(o->f = fopen(path, "wb"))) return vers_errorf(err, VERS_EIO, "%s: %s", path, strerror(errno));
        if (!(o->target = strdup(path))) { fclose(o->f); o->f = NULL; return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
        return VERS_OK;
    }
    if (!target) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    size_t cap = strlen(target) + 48;
    char *tmp = malloc(cap);
    if (!tmp) { free(target); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    int fd = -1;
    static unsigned counter;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(tmp, cap, "%s.tmp.%ld.%u", target, (long)getpid(), counter++);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);   /* 0666 less the umask */
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        int e = errno;
        vers_errorf(err, VERS_EIO, "%s: cannot create a temporary file beside it: %s", path, strerror(e));
        free(tmp); free(target);
        return VERS_EIO;
    }
    if (keep_mode) {
        /* the replaced file's permissions (and owner, where we may: as root) */
        if (fchmod(fd, mode & 07777) != 0) { /* the umask's mode stays: not worth failing */ }
        if ((st.st_uid != geteuid() || st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) != 0) { }
    }
    if (!(o->f = fdopen(fd, "wb"))) {
        close(fd); unlink(tmp); free(tmp); free(target);
        return vers_errorf(err, VERS_ENOMEM, "out of memory");
    }
    o->tmp = tmp;
    o->target = target;
    return VERS_OK;
}

static void release(vers_outfile *o) {
    free(o->tmp); free(o->target);
    memset(o, 0, sizeof *o);
}

int vers_outfile_commit(vers_outfile *o, int bad, vers_err *err) {
    if (!o->f) { release(o); return vers_errorf(err, VERS_EINVAL, "output: not open"); }
    int e = bad ? (errno ? errno : EIO) : 0;
    if (fflush(o->f) != 0 && !e) e = errno;
    if (ferror(o->f) && !e) e = EIO;
    if (!e && o->tmp && fsync(fileno(o->f)) != 0) e = errno;
    if (fclose(o->f) != 0 && !e) e = errno;
    if (!e && o->tmp && rename(o->tmp, o->target) != 0) e = errno;
    if (e) {
        if (o->tmp) unlink(o->tmp);
        vers_errorf(err, VERS_EIO, "%s: cannot write: %s", o->target, strerror(e));
        release(o);
        return VERS_EIO;
    }
    if (o->tmp) {                                  /* the rename itself survives a crash */
        char *slash = strrchr(o->target, '/');
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - o->target) + 1 : 1, slash ? o->target : ".");
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) { (void)fsync(dfd); close(dfd); }
    }
    release(o);
    return VERS_OK;
}

void vers_outfile_abort(vers_outfile *o) {
    if (o->f) fclose(o->f);
    if (o->tmp) unlink(o->tmp);
    release(o);
}
