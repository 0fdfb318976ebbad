/* src/util/err.c — error values (see include/vers/common.h) and small portable helpers. */
#include "vers/common.h"
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

int vers_errorf(vers_err *e, int code, const char *fmt, ...) {
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        e->code = code;
    }
    return code;
}

int vers_n_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 256 ? 256 : (int)n);
}
