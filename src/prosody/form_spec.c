/* src/prosody/form_spec.c — the form file format (docs/FORMS.md): parsing, setting one key,
 * writing a form back, and expanding its patterns (scheme with "...", stanza layouts).
 *
 * A form file is lines "key: value"; '#' starts a comment; blank lines are ignored.
 * Values with alternatives separate them with '|'.  Every number read is range-checked:
 * a form file is user input. */
#include "prosody/prosody_internal.h"
#include "util/utf8.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FORM_FILE (1 << 20)
#define MAX_SYLLABLES 64
#define MAX_LINES 100000

static const char *skip_ws(const char *s) { while (*s == ' ' || *s == '\t') s++; return s; }

/* Splits value on '|' into at most FORM_MAX_ALT trimmed pieces (copied into buf). */
static int split_alts(const char *value, char parts[][1024], int max, vers_err *err, const char *key) {
    int n = 0;
    const char *s = value;
    for (;;) {
        const char *bar = strchr(s, '|');
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        if (n == max) return vers_errorf(err, VERS_EFORMAT, "%s: more than %d alternatives", key, max), -1;
        while (len && (*s == ' ' || *s == '\t')) { s++; len--; }
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
        if (len >= 1024) return vers_errorf(err, VERS_EFORMAT, "%s: value too long", key), -1;
        if (!len) return vers_errorf(err, VERS_EFORMAT, "%s: empty alternative", key), -1;
        memcpy(parts[n], s, len);
        parts[n][len] = 0;
        n++;
        if (!bar) break;
        s = bar + 1;
    }
    return n;
}

/* "N", "N-M", "N+", "*" → range; returns 0 or -1. */
static int parse_range(const char *tok, size_t len, int maxv, form_range *r) {
    if (len == 1 && tok[0] == '*') { r->lo = r->hi = 0; return 0; }
    long a = 0, b;
    size_t i = 0;
    if (i >= len || !isdigit((unsigned char)tok[i])) return -1;
    while (i < len && isdigit((unsigned char)tok[i])) { a = a * 10 + (tok[i] - '0'); if (a > maxv) return -1; i++; }
    if (i == len) { b = a; }
    else if (tok[i] == '+' && i + 1 == len) { b = INT_MAX; }
    else if (tok[i] == '-') {
        i++; b = 0;
        if (i >= len) return -1;
        while (i < len && isdigit((unsigned char)tok[i])) { b = b * 10 + (tok[i] - '0'); if (b > maxv) return -1; i++; }
        if (i != len || b < a) return -1;
    } else return -1;
    if (a < 1) return -1;
    r->lo = (int)a; r->hi = (int)b;
    return 0;
}

static int is_ellipsis(const char *t, size_t len) {
    return (len == 3 && !memcmp(t, "...", 3)) || (len == 3 && !memcmp(t, "\xe2\x80\xa6", 3));
}

static int parse_scheme(const char *v, form_scheme *s, vers_err *err) {
    memset(s, 0, sizeof *s);
    int map[128];
    for (int i = 0; i < 128; i++) map[i] = -1;
    int next = 0;
    const char *p = v;
    while (*p) {
        p = skip_ws(p);
        if (!*p) break;
        const char *t = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        size_t len = (size_t)(p - t);
        if (is_ellipsis(t, len)) {
            if (*skip_ws(p)) return vers_errorf(err, VERS_EFORMAT, "scheme: '...' must come last");
            if (!s->n_groups) return vers_errorf(err, VERS_EFORMAT, "scheme: '...' with nothing to repeat");
            s->repeat = 1;
            break;
        }
        if (s->n_groups >= FORM_MAX_ITEMS) return vers_errorf(err, VERS_EFORMAT, "scheme: too many groups");
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)t[i];
            if (s->n >= FORM_MAX_ITEMS) return vers_errorf(err, VERS_EFORMAT, "scheme: more than %d lines", FORM_MAX_ITEMS);
            if (c == '-' || c == '.') { s->ids[s->n] = -1; s->letters[s->n++] = '-'; continue; }
            if (!isalpha(c) || c >= 128)
                return vers_errorf(err, VERS_EFORMAT, "scheme: '%c' is not a letter (A-Z, a-z, or - for a free line)",
                                   c < 128 && isprint(c) ? c : '?');
            if (map[c] < 0) map[c] = next++;
            s->ids[s->n] = map[c];
            s->letters[s->n++] = (char)c;
        }
        s->group_len[s->n_groups++] = (int)len;
    }
    if (!s->n) return vers_errorf(err, VERS_EFORMAT, "scheme: empty");
    if (s->repeat) {
        /* The shift of one repetition: the step between the last two groups when they
         * differ by a constant (terza rima ABA BCB → 1), else past every letter used. */
        int gl = s->group_len[s->n_groups - 1], start = s->n - gl;
        int shift = -1;
        if (s->n_groups >= 2 && s->group_len[s->n_groups - 2] == gl) {
            int d = INT_MIN, same = 1;
            for (int i = 0; i < gl; i++) {
                int a = s->ids[start - gl + i], b = s->ids[start + i];
                if ((a < 0) != (b < 0)) { same = 0; break; }
                if (a < 0) continue;
                if (d == INT_MIN) d = b - a; else if (b - a != d) { same = 0; break; }
            }
            if (same && d > 0) shift = d;
        }
        if (shift < 0) {
            int lo = INT_MAX;
            for (int i = start; i < s->n; i++) if (s->ids[i] >= 0 && s->ids[i] < lo) lo = s->ids[i];
            shift = lo == INT_MAX ? 0 : next - lo;
        }
        s->shift = shift;
    }
    return VERS_OK;
}

static int parse_syllables(const char *v, form_syllables *s, vers_err *err) {
    memset(s, 0, sizeof *s);
    const char *p = v;
    while (*p) {
        p = skip_ws(p);
        if (!*p) break;
        const char *t = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        size_t len = (size_t)(p - t);
        if (len == 1 && *t == '/') continue;   /* optional visual separator between stanzas */
        if (s->n >= FORM_MAX_ITEMS) return vers_errorf(err, VERS_EFORMAT, "syllables: too many entries");
        if (parse_range(t, len, MAX_SYLLABLES, &s->e[s->n]) || s->e[s->n].hi == INT_MAX)
            return vers_errorf(err, VERS_EFORMAT, "syllables: '%.*s' is not N, N-M or * (1..%d)", (int)(len > 20 ? 20 : len), t, MAX_SYLLABLES);
        s->n++;
    }
    if (!s->n) return vers_errorf(err, VERS_EFORMAT, "syllables: empty");
    s->any = 1;
    for (int i = 0; i < s->n; i++) if (s->e[i].hi) s->any = 0;
    return VERS_OK;
}

static int parse_stanzas(const char *v, form_stanzas *s, vers_err *err) {
    memset(s, 0, sizeof *s);
    const char *p = v;
    while (*p) {
        p = skip_ws(p);
        if (!*p) break;
        const char *t = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        size_t len = (size_t)(p - t);
        if (len == 1 && *t == '*') { if (s->n || *skip_ws(p)) return vers_errorf(err, VERS_EFORMAT, "stanzas: '*' stands alone"); s->any = 1; return VERS_OK; }
        if (is_ellipsis(t, len)) {
            if (*skip_ws(p) || !s->n) return vers_errorf(err, VERS_EFORMAT, "stanzas: '...' must follow a count and come last");
            s->repeat = 1;
            break;
        }
        form_range r;
        if (s->n >= FORM_MAX_ITEMS) return vers_errorf(err, VERS_EFORMAT, "stanzas: too many entries");
        if (parse_range(t, len, 10000, &r) || r.lo != r.hi)
            return vers_errorf(err, VERS_EFORMAT, "stanzas: '%.*s' is not a line count", (int)(len > 20 ? 20 : len), t);
        s->len[s->n++] = r.lo;
    }
    if (!s->n) return vers_errorf(err, VERS_EFORMAT, "stanzas: empty");
    return VERS_OK;
}

static int parse_line_list(const char *v, int *out, int max, const char *key, vers_err *err) {
    int n = 0;
    const char *p = v;
    while (*p) {
        p = skip_ws(p);
        if (!*p) break;
        if (*p == ',') { p++; continue; }
        const char *t = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',') p++;
        form_range r;
        if (parse_range(t, (size_t)(p - t), MAX_LINES, &r) || r.lo != r.hi)
            return vers_errorf(err, VERS_EFORMAT, "%s: expected line numbers", key), -1;
        if (n >= max) return vers_errorf(err, VERS_EFORMAT, "%s: more than %d lines", key, max), -1;
        if (n && r.lo <= out[n - 1]) return vers_errorf(err, VERS_EFORMAT, "%s: line numbers must increase", key), -1;
        out[n++] = r.lo;
    }
    return n;
}

static int parse_bool(const char *v, int *out) {
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "oui")) { *out = 1; return 0; }
    if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "non")) { *out = 0; return 0; }
    return -1;
}

static int parse_quality(const char *v, int *out) {
    static const struct { const char *name; int q; } names[] = {
        {"any", 0}, {"eye", 1}, {"slant", 1}, {"pauvre", 1}, {"perfect", 2}, {"suffisante", 2},
        {"riche", 3}, {"1", 1}, {"2", 2}, {"3", 3},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(v, names[i].name)) { *out = names[i].q; return 0; }
    return -1;
}

static int copy_field(char *dst, size_t size, const char *v, const char *key, vers_err *err) {
    size_t n = strlen(v);
    if (n >= size) return vers_errorf(err, VERS_EFORMAT, "%s: longer than %zu bytes", key, size - 1);
    memcpy(dst, v, n + 1);
    return VERS_OK;
}

/* Every refrain line within the form's line count; what (may be NULL) starts the message. */
static int refrains_fit(const vers_form *f, const char *what, vers_err *err) {
    for (int r = 0; r < f->n_refrains; r++)
        if (f->lines.hi && f->lines.hi != INT_MAX && f->refrain[r][f->refrain_n[r] - 1] > f->lines.hi)
            return vers_errorf(err, VERS_EFORMAT, "%s%srefrain line %d beyond the form's %d lines", what ? what : "",
                               what ? ": " : "", f->refrain[r][f->refrain_n[r] - 1], f->lines.hi);
    return VERS_OK;
}

int vers_form_set(vers_form *f, const char *key, const char *value, vers_err *err) {
    if (!f || !key || !value) return vers_errorf(err, VERS_EINVAL, "form: NULL argument");
    char (*alts)[1024] = NULL;
    int rc = VERS_OK;
    const char *v = skip_ws(value);
    /* Keys whose values have alternatives are parsed into a heap buffer (no shared state). */
    int has_alts = !strcmp(key, "scheme") || !strcmp(key, "syllables") || !strcmp(key, "stanzas");
    int n_alts = 0;
    if (has_alts) {
        alts = malloc(sizeof(char[1024]) * FORM_MAX_ALT);
        if (!alts) return vers_errorf(err, VERS_ENOMEM, "out of memory");
        n_alts = split_alts(v, alts, FORM_MAX_ALT, err, key);
        if (n_alts < 0) { free(alts); return err ? err->code : VERS_EFORMAT; }
    }
    if (!strcmp(key, "name")) {
        if (!*v) rc = vers_errorf(err, VERS_EFORMAT, "name: empty");
        else {
            for (const char *c = v; *c; c++)
                if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
                    { rc = vers_errorf(err, VERS_EFORMAT, "name: use letters, digits, '-', '_', '.'"); break; }
            if (!rc) rc = copy_field(f->name, sizeof f->name, v, key, err);
        }
    } else if (!strcmp(key, "lang")) {
        int l = !strcmp(v, "any") ? VERS_LANG_AUTO : vers_lang_parse(v);
        if (l < 0) rc = vers_errorf(err, VERS_EFORMAT, "lang: '%s' is not fr, en or any", v);
        else f->lang = l;
    } else if (!strcmp(key, "tag")) {
        rc = copy_field(f->tag, sizeof f->tag, v, key, err);
    } else if (!strcmp(key, "aliases")) {
        rc = copy_field(f->aliases, sizeof f->aliases, v, key, err);
    } else if (!strcmp(key, "description")) {
        rc = copy_field(f->description, sizeof f->description, v, key, err);
    } else if (!strcmp(key, "scheme")) {
        form_scheme *s = calloc((size_t)n_alts, sizeof *s);
        if (!s) rc = vers_errorf(err, VERS_ENOMEM, "out of memory");
        for (int i = 0; !rc && i < n_alts; i++) rc = parse_scheme(alts[i], &s[i], err);
        if (rc) free(s);
        else { free(f->scheme); f->scheme = s; f->n_scheme = n_alts; }
    } else if (!strcmp(key, "syllables")) {
        form_syllables *s = calloc((size_t)n_alts, sizeof *s);
        if (!s) rc = vers_errorf(err, VERS_ENOMEM, "out of memory");
        for (int i = 0; !rc && i < n_alts; i++) rc = parse_syllables(alts[i], &s[i], err);
        if (rc) free(s);
        else { free(f->syl); f->syl = s; f->n_syl = n_alts; }
    } else if (!strcmp(key, "stanzas")) {
        form_stanzas *s = calloc((size_t)n_alts, sizeof *s);
        if (!s) rc = vers_errorf(err, VERS_ENOMEM, "out of memory");
        for (int i = 0; !rc && i < n_alts; i++) rc = parse_stanzas(alts[i], &s[i], err);
        if (rc) free(s);
        else { free(f->stanzas); f->stanzas = s; f->n_stanzas = n_alts; }
    } else if (!strcmp(key, "lines")) {
        form_range r;
        if (parse_range(v, strlen(v), MAX_LINES, &r)) rc = vers_errorf(err, VERS_EFORMAT, "lines: '%s' is not N, N-M, N+ or *", v);
        else f->lines = r;
    } else if (!strcmp(key, "default-lines")) {
        form_range r;
        if (parse_range(v, strlen(v), MAX_LINES, &r) || r.lo != r.hi) rc = vers_errorf(err, VERS_EFORMAT, "default-lines: '%s' is not a line count", v);
        else f->default_lines = r.lo;
    } else if (!strcmp(key, "caesura")) {
        form_range r;
        if (!strcmp(v, "no") || !strcmp(v, "0")) f->caesura = 0;
        else if (parse_range(v, strlen(v), MAX_SYLLABLES, &r) || r.lo != r.hi) rc = vers_errorf(err, VERS_EFORMAT, "caesura: '%s' is not a syllable number", v);
        else f->caesura = r.lo;
    } else if (!strcmp(key, "alternance")) {
        if (parse_bool(v, &f->alternance)) rc = vers_errorf(err, VERS_EFORMAT, "alternance: '%s' is not yes or no", v);
    } else if (!strcmp(key, "rhyme")) {
        if (parse_quality(v, &f->min_quality)) rc = vers_errorf(err, VERS_EFORMAT, "rhyme: '%s' is not eye, slant, perfect, pauvre, suffisante, riche or 1-3", v);
    } else if (!strcmp(key, "tolerance")) {
        if (!strcmp(v, "0")) f->tolerance = 0;
        else { form_range r;
            if (parse_range(v, strlen(v), 4, &r) || r.lo != r.hi) rc = vers_errorf(err, VERS_EFORMAT, "tolerance: '%s' is not 0-4", v);
            else f->tolerance = r.lo; }
    } else if (!strcmp(key, "refrain")) {
        if (f->n_refrains >= FORM_MAX_REFRAINS) rc = vers_errorf(err, VERS_EFORMAT, "refrain: more than %d refrains", FORM_MAX_REFRAINS);
        else {
            int n = parse_line_list(v, f->refrain[f->n_refrains], 32, key, err);
            if (n < 0) rc = err ? err->code : VERS_EFORMAT;
            else if (n < 2) rc = vers_errorf(err, VERS_EFORMAT, "refrain: list at least two lines (the first and its repeats)");
            else f->refrain_n[f->n_refrains++] = n;
        }
    } else if (!strcmp(key, "rentrement")) {
        int n = parse_line_list(v, f->rentrement, 32, key, err);
        if (n < 0) rc = err ? err->code : VERS_EFORMAT;
        else if (n && f->rentrement[0] < 2) rc = vers_errorf(err, VERS_EFORMAT, "rentrement: line 1 cannot repeat itself");
        else f->n_rentrement = n;
    } else if (!strcmp(key, "acrostic")) {
        /* every character a letter (accented Latin ones fold to theirs) or a space: anything
         * else (digits, emoji, punctuation) would be dropped by the plan, leaving lines
         * unconstrained while the check says ok */
        int letters = 0;
        const char *bad = NULL;
        size_t bad_len = 0;
        for (size_t i = 0, n = strlen(v); i < n && !bad;) {
            unsigned char c = (unsigned char)v[i];
            size_t k = utf8_decode((const unsigned char *)v + i, n - i, NULL);
            if (k == 0) k = 1;                     /* invalid UTF-8: that byte is the bad one */
            char folded[16];
            size_t m = c < 0x80 ? 0 : text_fold(v + i, k, folded, sizeof folded);
            int ok = c < 0x80 ? (isalpha(c) || c == ' ') : m > 0;
            for (size_t j = 0; ok && j < m; j++) ok = isalpha((unsigned char)folded[j]);
            if (!ok) { bad = v + i; bad_len = k; }
            letters += ok && c != ' ';
            i += k;
        }
        if (bad) rc = vers_errorf(err, VERS_EFORMAT, "acrostic: '%.*s' is not a letter (the lines' first letters spell the word)", (int)bad_len, bad);
        else if (!letters && *v) rc = vers_errorf(err, VERS_EFORMAT, "acrostic: '%s' has no letters", v);
        else rc = copy_field(f->acrostic, sizeof f->acrostic, v, key, err);
    } else {
        rc = vers_errorf(err, VERS_EFORMAT, "unknown key '%s'", key);
    }
    free(alts);
    /* --lines on a form with refrains (or a refrain after lines:): the refrains must still
     * fit, else the form would hold a line it can never have (and, written back with
     * vers_form_format, not parse again) */
    if (!rc && (!strcmp(key, "lines") || !strcmp(key, "refrain"))) rc = refrains_fit(f, NULL, err);
    return rc;
}

int vers_form_new(const char *name, int lang, vers_form **out, vers_err *err) {
    if (!out) return vers_errorf(err, VERS_EINVAL, "form: NULL argument");
    *out = NULL;
    vers_form *f = calloc(1, sizeof *f);
    if (!f) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    f->lang = lang == VERS_LANG_EN || lang == VERS_LANG_FR ? lang : VERS_LANG_AUTO;
    snprintf(f->name, sizeof f->name, "%s", name && *name ? name : "custom");
    *out = f;
    return VERS_OK;
}

void vers_form_free(vers_form *f) {
    if (!f) return;
    free(f->scheme); free(f->syl); free(f->stanzas);
    free(f);
}

static int validate(const vers_form *f, const char *origin, vers_err *err) {
    if (!f->name[0]) return vers_errorf(err, VERS_EFORMAT, "%s: no 'name:'", origin);
    return refrains_fit(f, origin, err);
}

int vers_form_parse(const char *text, size_t len, const char *origin, vers_form **out, vers_err *err) {
    if (!out || (!text && len)) return vers_errorf(err, VERS_EINVAL, "form: NULL argument");
    *out = NULL;
    if (!origin) origin = "form";
    if (len > MAX_FORM_FILE) return vers_errorf(err, VERS_EFORMAT, "%s: larger than %d bytes", origin, MAX_FORM_FILE);
    vers_form *f;
    int rc = vers_form_new("", VERS_LANG_AUTO, &f, err);
    if (rc) return rc;
    f->name[0] = 0;
    char line[2048];
    size_t pos = 0;
    int lineno = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        lineno++;
        size_t n = end - pos;
        if (n >= sizeof line) { vers_form_free(f); return vers_errorf(err, VERS_EFORMAT, "%s:%d: line too long", origin, lineno); }
        memcpy(line, text + pos, n);
        line[n] = 0;
        pos = end + 1;
        if (memchr(line, 0, n)) { vers_form_free(f); return vers_errorf(err, VERS_EFORMAT, "%s:%d: NUL byte", origin, lineno); }
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        n = strlen(line);
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r')) line[--n] = 0;
        char *s = (char *)skip_ws(line);
        if (!*s) continue;
        char *colon = strchr(s, ':');
        if (!colon) { vers_form_free(f); return vers_errorf(err, VERS_EFORMAT, "%s:%d: expected 'key: value'", origin, lineno); }
        *colon = 0;
        char *k = s, *ke = colon;
        while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t')) *--ke = 0;
        for (char *c = k; *c; c++) *c = (char)tolower((unsigned char)*c);
        vers_err e2 = {0};
        rc = vers_form_set(f, k, skip_ws(colon + 1), &e2);
        if (rc) { vers_form_free(f); return vers_errorf(err, rc, "%s:%d: %s", origin, lineno, e2.msg); }
    }
    rc = validate(f, origin, err);
    if (rc) { vers_form_free(f); return rc; }
    *out = f;
    return VERS_OK;
}

int vers_form_load(const char *path, vers_form **out, vers_err *err) {
    if (!path || !out) return vers_errorf(err, VERS_EINVAL, "form: NULL argument");
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return vers_errorf(err, VERS_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = malloc(MAX_FORM_FILE + 1);
    if (!buf) { fclose(fp); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    size_t n = fread(buf, 1, MAX_FORM_FILE + 1, fp);
    int bad = ferror(fp);
    fclose(fp);
    int rc;
    if (bad) rc = vers_errorf(err, VERS_EIO, "%s: read error", path);
    else if (n > MAX_FORM_FILE) rc = vers_errorf(err, VERS_EFORMAT, "%s: larger than %d bytes", path, MAX_FORM_FILE);
    else rc = vers_form_parse(buf, n, path, out, err);
    free(buf);
    return rc;
}

int form_copy(const vers_form *src, vers_form **out, vers_err *err) {
    *out = NULL;
    vers_form *f = malloc(sizeof *f);
    if (!f) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    *f = *src;
    f->scheme = NULL; f->syl = NULL; f->stanzas = NULL;
    if (src->n_scheme && !(f->scheme = malloc(sizeof *f->scheme * (size_t)src->n_scheme))) goto oom;
    if (src->n_syl && !(f->syl = malloc(sizeof *f->syl * (size_t)src->n_syl))) goto oom;
    if (src->n_stanzas && !(f->stanzas = malloc(sizeof *f->stanzas * (size_t)src->n_stanzas))) goto oom;
    if (src->n_scheme) memcpy(f->scheme, src->scheme, sizeof *f->scheme * (size_t)src->n_scheme);
    if (src->n_syl) memcpy(f->syl, src->syl, sizeof *f->syl * (size_t)src->n_syl);
    if (src->n_stanzas) memcpy(f->stanzas, src->stanzas, sizeof *f->stanzas * (size_t)src->n_stanzas);
    *out = f;
    return VERS_OK;
oom:
    vers_form_free(f);
    return vers_errorf(err, VERS_ENOMEM, "out of memory");
}

int vers_form_copy(const vers_form *f, vers_form **out, vers_err *err) {
    if (!f || !out) return vers_errorf(err, VERS_EINVAL, "form: NULL argument");
    return form_copy(f, out, err);
}

/* ---- expansion ---- */

int form_scheme_expand(const form_scheme *s, int n, int *ids) {
    if (!s->repeat) {
        if (n != s->n) return -1;
        for (int i = 0; i < n; i++) ids[i] = s->ids[i];
        return 0;
    }
    int gl = s->group_len[s->n_groups - 1], start = s->n - gl;
    for (int i = 0; i < n; i++) {
        if (i < s->n) { ids[i] = s->ids[i]; continue; }
        int k = (i - start) / gl, j = (i - start) % gl;   /* k-th repetition of the last group */
        int id = s->ids[start + j];
        ids[i] = id < 0 ? -1 : id + k * s->shift;
    }
    /* A repeated group whose rhymes are its own (couplets AA, quatrains ABAB, not terza
     * rima's ABA BCB) may stop inside a repetition only where each rhyme it opened is
     * closed: couplets take an even number of lines, "AA BB C" is not couplets. */
    int own = 1;
    for (int j = 0; j < gl && own; j++)
        for (int q = 0; q < gl && own; q++)
            if (s->ids[start + j] >= 0 && s->ids[start + q] >= 0 && s->ids[start + q] == s->ids[start + j] + s->shift) own = 0;
    int r = n > start ? (n - start) % gl : 0;
    if (own && n > start && r)
        for (int j = 0; j < r; j++) {
            int id = s->ids[start + j], in_part = 0, in_group = 0;
            if (id < 0) continue;
            for (int q = 0; q < gl; q++) { in_group += s->ids[start + q] == id; in_part += q < r && s->ids[start + q] == id; }
            if (in_part == 1 && in_group > 1) return -1;
        }
    return 0;
}

void form_scheme_near(const form_scheme *s, int n, int *below, int *above) {
    enum { REACH = 2 * FORM_MAX_ITEMS };
    int *ids = malloc(sizeof *ids * (size_t)(n + REACH + 1));
    *below = *above = 0;
    if (!ids) return;
    for (int m = n - 1; m >= 1 && !*below; m--) if (!form_scheme_expand(s, m, ids)) *below = m;
    for (int m = n + 1; m <= n + REACH && !*above; m++) if (!form_scheme_expand(s, m, ids)) *above = m;
    free(ids);
}

int form_stanzas_expand(const form_stanzas *s, int n, int *len, int max) {
    if (s->any) return 0;
    int k = 0, sum = 0;
    for (int i = 0; i < s->n && sum < n; i++) {
        if (k >= max) return -1;
        len[k++] = s->len[i]; sum += s->len[i];
    }
    while (s->repeat && sum < n) {
        if (k >= max) return -1;
        len[k++] = s->len[s->n - 1]; sum += s->len[s->n - 1];
    }
    if (sum != n) {
        /* a repeating layout may end on a shorter stanza only when the form says so: no */
        return -1;
    }
    return k;
}

int form_stanzas_match(const form_stanzas *s, const int *len, int n_stanzas) {
    if (s->any) return 1;
    if (!s->repeat && n_stanzas != s->n) return 0;
    if (s->repeat && n_stanzas < s->n) return 0;
    for (int i = 0; i < n_stanzas; i++) {
        int want = i < s->n ? s->len[i] : s->len[s->n - 1];
        if (len[i] != want) return 0;
    }
    return 1;
}

int form_natural_lines(const vers_form *f) {
    if (f->lines.lo && f->lines.lo == f->lines.hi) return f->lines.lo;
    if (f->n_scheme && !f->scheme[0].repeat) return f->scheme[0].n;
    if (f->n_stanzas && !f->stanzas[0].any && !f->stanzas[0].repeat) {
        int sum = 0;
        for (int i = 0; i < f->stanzas[0].n; i++) sum += f->stanzas[0].len[i];
        return sum;
    }
    if (f->n_syl && !f->syl[0].any && f->syl[0].n > 1) return f->syl[0].n;
    return 0;
}

int form_specificity(const vers_form *f) {
    int s = 0;
    if (f->lines.lo && f->lines.lo == f->lines.hi) s += 4;
    else if (f->n_scheme && !f->scheme[0].repeat) s += 4;
    if (f->n_scheme) s += f->n_scheme == 1 ? 4 : 3;
    if (f->n_syl) {
        int any = 0;
        for (int i = 0; i < f->n_syl; i++) any |= f->syl[i].any;
        if (!any) s += f->n_syl == 1 ? 3 : 2;
    }
    if (f->n_refrains || f->n_rentrement) s += 4;
    if (f->n_stanzas && !f->stanzas[0].any) s += 1;
    /* among equals, the form with fewer scheme alternatives is the more specific */
    return s * 100 - (f->n_scheme < 99 ? f->n_scheme : 99);
}

/* ---- formatting back ---- */

static size_t put(char *buf, size_t size, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t put(char *buf, size_t size, size_t at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(at < size ? buf + at : NULL, at < size ? size - at : 0, fmt, ap);
    va_end(ap);
    return at + (n > 0 ? (size_t)n : 0);
}

static size_t put_range(char *buf, size_t size, size_t at, form_range r) {
    if (!r.hi) return put(buf, size, at, "*");
    if (r.hi == INT_MAX) return put(buf, size, at, "%d+", r.lo);
    if (r.lo == r.hi) return put(buf, size, at, "%d", r.lo);
    return put(buf, size, at, "%d-%d", r.lo, r.hi);
}

/* The value of a scheme key ("ABBA ABBA CCD EED | ABBA ABBA CCD EDE"). */
static size_t put_schemes(char *buf, size_t size, size_t at, const vers_form *f) {
    for (int a = 0; a < f->n_scheme; a++) {
        const form_scheme *s = &f->scheme[a];
        at = put(buf, size, at, a ? " | " : "");
        int k = 0;
        for (int g = 0; g < s->n_groups; g++) {
            at = put(buf, size, at, "%s%.*s", g ? " " : "", s->group_len[g], s->letters + k);
            k += s->group_len[g];
        }
        if (s->repeat) at = put(buf, size, at, " ...");
    }
    return at;
}

/* The value of a syllables key ("8-10 8-10 5-7 5-7 8-10 | *"). */
static size_t put_syllables(char *buf, size_t size, size_t at, const vers_form *f) {
    for (int a = 0; a < f->n_syl; a++) {
        at = put(buf, size, at, a ? " |" : "");
        for (int i = 0; i < f->syl[a].n; i++) {
            at = put(buf, size, at, a || i ? " " : "");
            at = put_range(buf, size, at, f->syl[a].e[i]);
        }
    }
    return at;
}

/* The value of a stanzas key ("4 4 3 3 | 14"). */
static size_t put_stanzas(char *buf, size_t size, size_t at, const vers_form *f) {
    for (int a = 0; a < f->n_stanzas; a++) {
        at = put(buf, size, at, a ? " | " : "");
        if (f->stanzas[a].any) { at = put(buf, size, at, "*"); continue; }
        for (int i = 0; i < f->stanzas[a].n; i++) at = put(buf, size, at, "%s%d", i ? " " : "", f->stanzas[a].len[i]);
        if (f->stanzas[a].repeat) at = put(buf, size, at, " ...");
    }
    return at;
}

size_t vers_form_format(const vers_form *f, char *buf, size_t size) {
    size_t at = 0;
    if (buf && size) buf[0] = 0;
    if (!f) return 0;
    at = put(buf, size, at, "name: %s\nlang: %s\n", f->name, f->lang ? vers_lang_name(f->lang) : "any");
    if (f->tag[0]) at = put(buf, size, at, "tag: %s\n", f->tag);
    if (f->aliases[0]) at = put(buf, size, at, "aliases: %s\n", f->aliases);
    if (f->description[0]) at = put(buf, size, at, "description: %s\n", f->description);
    if (f->n_stanzas) { at = put(buf, size, at, "stanzas: "); at = put_stanzas(buf, size, at, f); at = put(buf, size, at, "\n"); }
    if (f->lines.lo || f->lines.hi) { at = put(buf, size, at, "lines: "); at = put_range(buf, size, at, f->lines); at = put(buf, size, at, "\n"); }
    if (f->default_lines) at = put(buf, size, at, "default-lines: %d\n", f->default_lines);
    if (f->n_scheme) { at = put(buf, size, at, "scheme: "); at = put_schemes(buf, size, at, f); at = put(buf, size, at, "\n"); }
    if (f->n_syl) { at = put(buf, size, at, "syllables: "); at = put_syllables(buf, size, at, f); at = put(buf, size, at, "\n"); }
    if (f->tolerance) at = put(buf, size, at, "tolerance: %d\n", f->tolerance);
    if (f->caesura) at = put(buf, size, at, "caesura: %d\n", f->caesura);
    if (f->alternance) at = put(buf, size, at, "alternance: yes\n");
    if (f->min_quality) at = put(buf, size, at, "rhyme: %d\n", f->min_quality);
    for (int r = 0; r < f->n_refrains; r++) {
        at = put(buf, size, at, "refrain:");
        for (int i = 0; i < f->refrain_n[r]; i++) at = put(buf, size, at, " %d", f->refrain[r][i]);
        at = put(buf, size, at, "\n");
    }
    if (f->n_rentrement) {
        at = put(buf, size, at, "rentrement:");
        for (int i = 0; i < f->n_rentrement; i++) at = put(buf, size, at, " %d", f->rentrement[i]);
        at = put(buf, size, at, "\n");
    }
    if (f->acrostic[0]) at = put(buf, size, at, "acrostic: %s\n", f->acrostic);
    return at;
}

size_t vers_form_summary(const vers_form *f, char *buf, size_t size) {
    size_t at = 0;
    if (buf && size) buf[0] = 0;
    if (!f) return 0;
    const char *sep = "";
    if (f->n_scheme) { at = put_schemes(buf, size, at, f); sep = "; "; }
    else if (f->n_syl) { at = put(buf, size, at, "unrhymed"); sep = "; "; }
    if (f->n_syl) {
        at = put(buf, size, at, "%ssyllables ", sep);
        at = put_syllables(buf, size, at, f);
        if (f->tolerance) at = put(buf, size, at, " (\u00b1%d)", f->tolerance);
        sep = "; ";
    }
    if (f->lines.hi == INT_MAX) { at = put(buf, size, at, "%s%d or more lines", sep, f->lines.lo); sep = "; "; }
    else if (f->lines.hi && f->lines.lo != f->lines.hi) { at = put(buf, size, at, "%s%d-%d lines", sep, f->lines.lo, f->lines.hi); sep = "; "; }
    if (f->n_stanzas && !(f->n_stanzas == 1 && f->stanzas[0].any)) {
        at = put(buf, size, at, "%sstanzas ", sep);
        at = put_stanzas(buf, size, at, f);
        sep = "; ";
    }
    if (f->caesura) { at = put(buf, size, at, "%scaesura %d", sep, f->caesura); sep = "; "; }
    if (f->alternance) { at = put(buf, size, at, "%salternance", sep); sep = "; "; }
    for (int r = 0; r < f->n_refrains; r++) {
        at = put(buf, size, at, "%srefrain", sep);
        for (int i = 0; i < f->refrain_n[r]; i++) at = put(buf, size, at, " %d", f->refrain[r][i]);
        sep = "; ";
    }
    if (f->n_rentrement) {
        at = put(buf, size, at, "%srentrement", sep);
        for (int i = 0; i < f->n_rentrement; i++) at = put(buf, size, at, " %d", f->rentrement[i]);
        sep = "; ";
    }
    if (!at) at = put(buf, size, at, "no constraint");
    return at;
}

size_t vers_form_other_names(const vers_form *f, char *buf, size_t size) {
    size_t at = 0;
    if (buf && size) buf[0] = 0;
    if (!f) return 0;
    /* NAME-LANG is found as NAME with that language (vers_form_builtin's second step) */
    const char *lang = f->lang ? vers_lang_name(f->lang) : NULL;
    size_t nl = strlen(f->name), ll = lang ? strlen(lang) : 0;
    char base[64] = "";
    if (lang && nl > ll + 1 && f->name[nl - ll - 1] == '-' && !strcmp(f->name + nl - ll, lang))
        snprintf(base, sizeof base, "%.*s", (int)(nl - ll - 1), f->name);
    if (base[0]) at = put(buf, size, at, "%s", base);
    const char *a = f->aliases;
    while (*a) {
        while (*a == ' ') a++;
        size_t k = strcspn(a, " ");
        if (!k) break;
        if (!(base[0] && k == strlen(base) && !strncmp(a, base, k)))
            at = put(buf, size, at, "%s%.*s", at ? ", " : "", (int)k, a);
        a += k;
    }
    if (at && lang) at = put(buf, size, at, " with --lang %s", lang);
    return at;
}

const char *vers_form_name(const vers_form *f) { return f ? f->name : ""; }
int vers_form_lang(const vers_form *f) { return f ? f->lang : VERS_LANG_AUTO; }
const char *vers_form_tag(const vers_form *f) { return f ? (f->tag[0] ? f->tag : "poem") : "poem"; }
const char *vers_form_description(const vers_form *f) { return f ? f->description : ""; }

int vers_form_alternatives(const vers_form *f, const char *key) {
    if (!f || !key) return 1;
    int n = 0;
    if (!strcmp(key, "scheme")) n = f->n_scheme;
    else if (!strcmp(key, "syllables")) n = f->n_syl;
    else if (!strcmp(key, "stanzas")) n = f->n_stanzas;
    return n < 1 ? 1 : n;
}
