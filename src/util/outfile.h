/* src/util/outfile.h — writing a user's output file without ever losing a file.
 *
 * Every command that writes a file (tokenizer-train, export, quantize, plot, the train
 * token cache) goes through here, so that:
 *   - an output that is the same file as an input (same device and inode, whatever the
 *     path says: links, "./x", "../d/x") is refused before anything is written;
 *   - a regular file (or a new one) is written to a temporary file in the same directory,
 *     flushed, fsync'd and renamed over the target only when complete: a full disk, a
 *     crash or an error leaves the old file as it was.  The replacement keeps the old
 *     file's permission bits (a new file gets 0666 less the umask, as with fopen);
 *   - a target that is not a regular file (a FIFO, a terminal, /dev/stdout, /dev/null) is
 *     opened and written directly: it cannot be renamed over, and a rename would replace
 *     the device node or the link instead of writing to it.  A symbolic link to a regular
 *     file is followed: the file it points to is replaced, the link stays. */
#ifndef VERS_UTIL_OUTFILE_H
#define VERS_UTIL_OUTFILE_H
#include "vers/common.h"
#include <stdio.h>

typedef struct vers_outfile {
    FILE *f;              /* write here (binary mode) */
    char *target;         /* the file that is replaced (the path, or where its link points) */
    char *tmp;            /* the temporary file; NULL when written directly */
} vers_outfile;

/* 1 when paths a and b name the same existing file (device and inode), else 0. */
int vers_same_file(const char *a, const char *b);

/* VERS_EINVAL with "OUT: is also an input (INPUT); choose another output" when out is the
 * same file as one of inputs[0..n-1] (NULL entries skipped), else VERS_OK. */
int vers_out_not_input(const char *out, const char *const *inputs, int n, vers_err *err);

/* Opens path for writing as above.  Errors: VERS_EIO (message "PATH: cannot create ...:
 * strerror"), VERS_ENOMEM. */
int vers_outfile_open(vers_outfile *o, const char *path, vers_err *err);

/* Flushes, syncs, closes and renames into place.  bad != 0 (an earlier write failed)
 * aborts instead.  On any failure the temporary file is removed, the target is untouched,
 * and the message is "PATH: cannot write: strerror".  o is released either way. */
int vers_outfile_commit(vers_outfile *o, int bad, vers_err *err);

/* Closes and removes the temporary file: the target stays as it was. */
void vers_outfile_abort(vers_outfile *o);

#endif
