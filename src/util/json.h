/* src/util/json.h — a small JSON writer into a growing buffer (any layer may use it).
 * The caller writes the structure (braces, commas); json_string escapes and repairs text:
 * control characters are escaped and invalid UTF-8 bytes become U+FFFD, so the output is
 * always valid JSON whatever bytes a poem had. */
#ifndef VERS_UTIL_JSON_H
#define VERS_UTIL_JSON_H
#include <stddef.h>

typedef struct json_buf {
    char *p;
    size_t n, cap;
    int oom;          /* set when an allocation failed; everything after is dropped */
} json_buf;

void json_init(json_buf *b);
void json_free(json_buf *b);
void json_raw(json_buf *b, const char *s);                 /* as is */
void json_rawn(json_buf *b, const char *s, size_t n);
void json_string(json_buf *b, const char *s, size_t n);     /* "escaped" */
void json_cstr(json_buf *b, const char *s);                 /* "escaped", NUL-terminated; NULL → null */
void json_int(json_buf *b, long long v);
void json_double(json_buf *b, double v);                    /* %.6g; non-finite → null */
void json_bool(json_buf *b, int v);
/* "key": — with a leading comma when first is 0 */
void json_key(json_buf *b, const char *key, int first);
#endif
