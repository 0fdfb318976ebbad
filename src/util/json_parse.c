/* src/util/json_parse.c — the strict flat-object JSON reader (json_parse.h): a request body
 * of vers serve.  Every length comes from the input and is checked against what is left. */
#include "util/json_parse.h"
#include "util/utf8.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rd {
    const unsigned char *s;
    size_t n, i;
    char *msg;
    size_t cap;
} rd;

static int fail(rd *r, const char *fmt, ...) {
    char m[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(r->msg, r->cap, "invalid JSON at byte %zu: %s", r->i, m);
    return -1;
}

static void ws(rd *r) {
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r')) r->i++;
}

static int hex4(rd *r, uint32_t *v) {
    if (r->n - r->i < 4) return fail(r, "truncated \\u escape");
    uint32_t x = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c = r->s[r->i + (size_t)k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return fail(r, "bad \\u escape");
        x = x * 16 + (uint32_t)d;
    }
    r->i += 4;
    *v = x;
    return 0;
}

static size_t put_utf8(char *o, uint32_t c) {
    if (c < 0x80) { o[0] = (char)c; return 1; }
    if (c < 0x800) { o[0] = (char)(0xC0 | (c >> 6)); o[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    if (c < 0x10000) { o[0] = (char)(0xE0 | (c >> 12)); o[1] = (char)(0x80 | ((c >> 6) & 0x3F)); o[2] = (char)(0x80 | (c & 0x3F)); return 3; }
    o[0] = (char)(0xF0 | (c >> 18)); o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F)); o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* A string at r->i (on its opening quote): decoded into a malloc'd buffer. */
static int string(rd *r, char **out, size_t *len) {
    *out = NULL;
    r->i++;                                     /* the quote */
    /* the decoded text is never longer than the escaped one */
    size_t end = r->i;
    while (end < r->n && r->s[end] != '"') end += r->s[end] == '\\' ? 2 : 1;
    if (end >= r->n) return fail(r, "unterminated string");
    char *o = malloc(end - r->i + 1);
    if (!o) return fail(r, "out of memory");
    size_t k = 0;
    while (r->i < r->n && r->s[r->i] != '"') {
        unsigned char c = r->s[r->i];
        if (c < 0x20) { free(o); return fail(r, "control character in a string"); }
        if (c != '\\') { o[k++] = (char)c; r->i++; continue; }
        if (r->i + 1 >= r->n) { free(o); return fail(r, "unterminated string"); }
        unsigned char e = r->s[r->i + 1];
        r->i += 2;
        uint32_t cp;
        switch (e) {
        case '"': o[k++] = '"'; break;
        case '\\': o[k++] = '\\'; break;
        case '/': o[k++] = '/'; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u':
            if (hex4(r, &cp)) { free(o); return -1; }
            if (cp >= 0xDC00 && cp <= 0xDFFF) { free(o); return fail(r, "lone low surrogate"); }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (r->n - r->i < 2 || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u') { free(o); return fail(r, "lone high surrogate"); }
                r->i += 2;
                if (hex4(r, &lo)) { free(o); return -1; }
                if (lo < 0xDC00 || lo > 0xDFFF) { free(o); return fail(r, "lone high surrogate"); }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0) { free(o); return fail(r, "NUL character in a string"); }
            k += put_utf8(o + k, cp);           /* \uXXXX is 6 bytes in, at most 4 out */
            break;
        default: free(o); return fail(r, "bad escape '\\%c'", e >= 0x20 && e < 0x7F ? e : '?');
        }
    }
    if (r->i >= r->n) { free(o); return fail(r, "unterminated string"); }
    r->i++;                                     /* the closing quote */
    o[k] = 0;
    *out = o;
    *len = k;
    return 0;
}

/* A number (RFC 8259 grammar) copied as text. */
static int number(rd *r, char *out, size_t cap) {
    size_t st = r->i;
    if (r->i < r->n && r->s[r->i] == '-') r->i++;
    if (r->i >= r->n || r->s[r->i] < '0' || r->s[r->i] > '9') return fail(r, "bad number");
    if (r->s[r->i] == '0') r->i++;
    else while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9') r->i++;
    if (r->i < r->n && r->s[r->i] == '.') {
        r->i++;
        if (r->i >= r->n || r->s[r->i] < '0' || r->s[r->i] > '9') return fail(r, "bad number");
        while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9') r->i++;
    }
    if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
        r->i++;
        if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-')) r->i++;
        if (r->i >= r->n || r->s[r->i] < '0' || r->s[r->i] > '9') return fail(r, "bad number");
        while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9') r->i++;
    }
    if (r->i - st >= cap) return fail(r, "number too long");
    memcpy(out, r->s + st, r->i - st);
    out[r->i - st] = 0;
    return 0;
}

static int word(rd *r, const char *w) {
    size_t l = strlen(w);
    if (r->n - r->i < l || memcmp(r->s + r->i, w, l)) return -1;
    r->i += l;
    return 0;
}

void json_object_free(json_object *o) {
    if (!o) return;
    for (int i = 0; i < o->n; i++) free(o->f[i].str);
    free(o->f);
    o->f = NULL;
    o->n = 0;
}

const json_field *json_get(const json_object *o, const char *key) {
    for (int i = 0; i < o->n; i++) if (!strcmp(o->f[i].key, key)) return &o->f[i];
    return NULL;
}

/* a message names what the client sent: its control characters (a key may hold "\n"
 * once decoded) become '?', so the message stays one line */
static void one_line(char *msg) {
    for (unsigned char *p = (unsigned char *)msg; *p; p++) if (*p < 0x20 || *p == 0x7F) *p = '?';
}

static int parse(const char *s, size_t n, int max_fields, json_object *out, char *msg, size_t msg_cap);

int json_parse_object(const char *s, size_t n, int max_fields, json_object *out, char *msg, size_t msg_cap) {
    if (msg_cap) msg[0] = 0;
    int rc = parse(s, n, max_fields, out, msg, msg_cap);
    if (rc && msg_cap) one_line(msg);
    return rc;
}

static int parse(const char *s, size_t n, int max_fields, json_object *out, char *msg, size_t msg_cap) {
    memset(out, 0, sizeof *out);
    rd r = {(const unsigned char *)s, n, 0, msg, msg_cap};
    /* the whole body is UTF-8 first: a reason that names the byte */
    for (size_t i = 0; i < n;) {
        size_t k = utf8_decode(r.s + i, n - i, NULL);
        if (k == 0) { snprintf(msg, msg_cap, "invalid UTF-8 at byte %zu", i); return -1; }
        if (r.s[i] == 0) { snprintf(msg, msg_cap, "NUL byte at byte %zu", i); return -1; }
        i += k;
    }
    if (max_fields < 1) max_fields = 1;
    out->f = calloc((size_t)max_fields, sizeof *out->f);
    if (!out->f) { snprintf(msg, msg_cap, "out of memory"); return -1; }
    ws(&r);
    if (r.i >= n || r.s[r.i] != '{') { fail(&r, "expected an object '{'"); goto bad; }
    r.i++;
    ws(&r);
    if (r.i < n && r.s[r.i] == '}') { r.i++; goto end; }
    for (;;) {
        ws(&r);
        if (r.i >= n || r.s[r.i] != '"') { fail(&r, "expected a key in quotes"); goto bad; }
        char *key = NULL;
        size_t kl = 0;
        if (string(&r, &key, &kl)) goto bad;
        if (kl >= sizeof out->f[0].key || memchr(key, 0, kl)) {
            snprintf(msg, msg_cap, "unknown field '%.40s%s'", key, kl > 40 ? "..." : "");
            free(key);
            goto bad;
        }
        for (int i = 0; i < out->n; i++)
            if (!strcmp(out->f[i].key, key)) { snprintf(msg, msg_cap, "field '%s' given twice", key); free(key); goto bad; }
        if (out->n >= max_fields) { snprintf(msg, msg_cap, "too many fields (at most %d)", max_fields); free(key); goto bad; }
        json_field *f = &out->f[out->n++];
        memcpy(f->key, key, kl + 1);
        free(key);
        ws(&r);
        if (r.i >= n || r.s[r.i] != ':') { fail(&r, "expected ':'"); goto bad; }
        r.i++;
        ws(&r);
        if (r.i >= n) { fail(&r, "expected a value"); goto bad; }
        unsigned char c = r.s[r.i];
        if (c == '"') { f->type = JSON_STRING; if (string(&r, &f->str, &f->len)) goto bad; }
        else if (c == '-' || (c >= '0' && c <= '9')) { f->type = JSON_NUMBER; if (number(&r, f->num, sizeof f->num)) goto bad; }
        else if (!word(&r, "true")) { f->type = JSON_BOOL; f->b = 1; }
        else if (!word(&r, "false")) { f->type = JSON_BOOL; f->b = 0; }
        else if (!word(&r, "null")) f->type = JSON_NULL;
        else if (c == '{' || c == '[') { snprintf(msg, msg_cap, "field '%s': nested values are not accepted", f->key); goto bad; }
        else { fail(&r, "expected a value"); goto bad; }
        ws(&r);
        if (r.i < n && r.s[r.i] == ',') { r.i++; continue; }
        if (r.i < n && r.s[r.i] == '}') { r.i++; break; }
        fail(&r, "expected ',' or '}'");
        goto bad;
    }
end:
    ws(&r);
    if (r.i != n) { fail(&r, "text after the object"); goto bad; }
    return 0;
bad:
    json_object_free(out);
    return -1;
}
