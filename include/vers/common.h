/* include/vers/common.h — error values shared by every layer of libvers.
 *
 * Library functions never exit or abort on bad input: they return one of the VERS_E*
 * codes (0 = success) and, when given a vers_err, fill it with a one-line message that
 * the CLI prints as "vers: FILE: message". */
#ifndef VERS_COMMON_H
#define VERS_COMMON_H
#include <stddef.h>
#include <stdint.h>

enum {
    VERS_OK = 0,
    VERS_EIO = 1,          /* cannot open/read/write a file */
    VERS_EFORMAT = 2,      /* malformed or hostile input file */
    VERS_ENOMEM = 3,       /* allocation failed */
    VERS_EINVAL = 4,       /* bad argument from the caller */
    VERS_EUNSUPPORTED = 5, /* valid input we do not handle (arch, tensor type, ...) */
    VERS_ENOTFOUND = 6,    /* a key, token or name is missing */
    VERS_EFAIL = 7,        /* the requested result does not hold (e.g. no poem in budget) */
    VERS_ECANCEL = 8       /* the caller asked to stop (vers_write_opts.cancelled) */
};

typedef struct vers_err {
    int code;
    char msg[512];
} vers_err;

/* Fills e (if not NULL) with a printf-style message and returns code. */
int vers_errorf(vers_err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Number of usable CPU cores (default thread count). */
int vers_n_cores(void);

#endif
