/* src/util/json_parse.h — a strict reader for a flat JSON object, what vers serve's API
 * takes as a request body: {"key": value, ...} where every value is a string, a number,
 * true, false or null (no nesting).  Strict on purpose: the whole body must be valid UTF-8
 * (RFC 8259), duplicate keys, trailing commas, comments, control characters inside strings,
 * lone surrogates in \u escapes and a NUL anywhere are refused, so a request means one thing. */
#ifndef VERS_UTIL_JSON_PARSE_H
#define VERS_UTIL_JSON_PARSE_H
#include <stddef.h>

enum { JSON_STRING = 1, JSON_NUMBER, JSON_BOOL, JSON_NULL };

typedef struct json_field {
    char key[32];           /* keys are short names; a longer key is refused as unknown */
    int type;               /* JSON_* */
    char *str;              /* JSON_STRING: the decoded text, NUL-terminated (malloc'd) */
    size_t len;             /* its length in bytes */
    char num[40];           /* JSON_NUMBER: its text as written (checked grammar) */
    int b;                  /* JSON_BOOL */
} json_field;

typedef struct json_object {
    json_field *f;
    int n;
} json_object;

/* Parses s[0..n) as one flat object with at most max_fields members into *out.  0, or -1
 * with a one-line reason in msg (e.g. "invalid JSON at byte 12: expected ':'"). */
int  json_parse_object(const char *s, size_t n, int max_fields, json_object *out, char *msg, size_t msg_cap);
void json_object_free(json_object *o);
/* The member named key, or NULL. */
const json_field *json_get(const json_object *o, const char *key);
#endif
