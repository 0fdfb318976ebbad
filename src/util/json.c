/* src/util/json.c — see json.h. */
#include "util/json.h"
#include "util/utf8.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_init(json_buf *b) { memset(b, 0, sizeof *b); }
void json_free(json_buf *b) { free(b->p); memset(b, 0, sizeof *b); }

static int reserve(json_buf *b, size_t extra) {
    if (b->oom) return -1;
    if (b->n + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra + 1) {
        if (cap > ((size_t)-1) / 2) { b->oom = 1; return -1; }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = 1; return -1; }
    b->p = p; b->cap = cap;
    return 0;
}

void json_rawn(json_buf *b, const char *s, size_t n) {
    if (reserve(b, n)) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void json_raw(json_buf *b, const char *s) { json_rawn(b, s, strlen(s)); }

void json_string(json_buf *b, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    if (reserve(b, n + 2)) return;
    json_rawn(b, "\"", 1);
    size_t run = 0;   /* start of the pending run of bytes copied as is */
    for (size_t i = 0; i < n;) {
        unsigned c = u[i];
        const char *esc = NULL;
        char tmp[8];
        size_t k = utf8_decode(u + i, n - i, NULL);
        if (k == 1 && (c < 0x20 || c == '"' || c == '\\')) {
            switch (c) {
            case '"': esc = "\\\""; break;
            case '\\': esc = "\\\\"; break;
            case '\n': esc = "\\n"; break;
            case '\t': esc = "\\t"; break;
            case '\r': esc = "\\r"; break;
            default: snprintf(tmp, sizeof tmp, "\\u%04x", c); esc = tmp;
            }
        } else if (k == 0) {
            esc = "\\ufffd";
            k = 1;
        }
        if (esc) {
            json_rawn(b, s + run, i - run);
            json_raw(b, esc);
            i += k;
            run = i;
        } else i += k;
    }
    json_rawn(b, s + run, n - run);
    json_rawn(b, "\"", 1);
}

void json_cstr(json_buf *b, const char *s) {
    if (!s) json_raw(b, "null");
    else json_string(b, s, strlen(s));
}

void json_int(json_buf *b, long long v) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", v);
    json_raw(b, tmp);
}

void json_double(json_buf *b, double v) {
    char tmp[40];
    if (!isfinite(v)) { json_raw(b, "null"); return; }
    snprintf(tmp, sizeof tmp, "%.6g", v);
    json_raw(b, tmp);
}

void json_bool(json_buf *b, int v) { json_raw(b, v ? "true" : "false"); }

void json_key(json_buf *b, const char *key, int first) {
    if (!first) json_rawn(b, ",", 1);
    json_cstr(b, key);
    json_rawn(b, ":", 1);
}
