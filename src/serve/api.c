/* src/serve/api.c — the JSON API's requests and answers (api.h).  Unknown fields are
 * refused (a typo must not silently write another poem); null means "not given". */
#include "serve/api.h"
#include "util/json_parse.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 16

static int is_one_of(const char *k, const char *const *names) {
    for (; *names; names++) if (!strcmp(k, *names)) return 1;
    return 0;
}

/* every field known, of the type it must have; msg otherwise */
static int check_fields(const json_object *o, const char *const *strs, const char *const *nums, char *msg, size_t cap) {
    for (int i = 0; i < o->n; i++) {
        const json_field *f = &o->f[i];
        int s = is_one_of(f->key, strs), num = nums && is_one_of(f->key, nums);
        if (!s && !num) { snprintf(msg, cap, "unknown field '%s'", f->key); return -1; }
        if (f->type == JSON_NULL) continue;
        if (s && num && (f->type == JSON_STRING || f->type == JSON_NUMBER)) continue;
        if (s && !num && f->type != JSON_STRING) { snprintf(msg, cap, "field '%s' must be a string", f->key); return -1; }
        if (num && !s && f->type != JSON_NUMBER) { snprintf(msg, cap, "field '%s' must be a number", f->key); return -1; }
    }
    return 0;
}

static const char *str_of(const json_object *o, const char *k) {
    const json_field *f = json_get(o, k);
    return f && f->type == JSON_STRING ? f->str : NULL;
}

/* an integer field, given as a number or a string of digits, in [lo, hi]; 1 when absent */
static int u64_of(const json_object *o, const char *k, unsigned long long lo, unsigned long long hi,
                  unsigned long long *out, char *msg, size_t cap) {
    const json_field *f = json_get(o, k);
    if (!f || f->type == JSON_NULL) return 1;
    const char *s = f->type == JSON_STRING ? f->str : f->num;
    char *end;
    errno = 0;
    unsigned long long v = s[0] >= '0' && s[0] <= '9' ? strtoull(s, &end, 10) : 0;
    if (!(s[0] >= '0' && s[0] <= '9') || *end || errno || v < lo || v > hi) {
        snprintf(msg, cap, "field '%s': '%.40s' is not a whole number from %llu to %llu", k, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static char *dup_field(serve_job *j, int slot, const char *s) {
    if (!s) return NULL;
    j->strs[slot] = strdup(s);
    return j->strs[slot];
}

int serve_parse_write(const char *body, size_t n, serve_job *j, char *msg, size_t cap) {
    static const char *const strs[] = {"lang", "form", "spec", "theme", "scheme", "acrostic", "seed", NULL};
    static const char *const nums[] = {"syllables", "lines", "seed", "temp", NULL};
    json_object o;
    if (json_parse_object(body, n, MAX_FIELDS, &o, msg, cap)) return -1;
    int rc = -1;
    vers_write_opts w = vers_write_default_opts();
    unsigned long long v;
    if (check_fields(&o, strs, nums, msg, cap)) goto out;
    int r;
    if ((r = u64_of(&o, "seed", 0, ~0ull, &v, msg, cap)) < 0) goto out;
    if (r == 0) w.seed = v;
    if ((r = u64_of(&o, "syllables", 1, 40, &v, msg, cap)) < 0) goto out;
    if (r == 0) w.syllables = (int)v;
    if ((r = u64_of(&o, "lines", 1, 200, &v, msg, cap)) < 0) goto out;
    if (r == 0) w.lines = (int)v;
    const json_field *t = json_get(&o, "temp");
    if (t && t->type == JSON_NUMBER) {
        char *end;
        double d = strtod(t->num, &end);
        if (*end || !(d >= 0 && d <= 5)) { snprintf(msg, cap, "field 'temp': '%s' is not a temperature from 0 to 5", t->num); goto out; }
        w.temp = d == 0 ? 1e-4f : (float)d;    /* as vers write --temp 0 */
    }
    if (str_of(&o, "form") && str_of(&o, "spec")) { snprintf(msg, cap, "give form or spec, not both"); goto out; }
    w.lang = dup_field(j, 0, str_of(&o, "lang"));
    w.form = dup_field(j, 1, str_of(&o, "form"));
    w.theme = dup_field(j, 2, str_of(&o, "theme"));
    w.scheme = dup_field(j, 3, str_of(&o, "scheme"));
    w.acrostic = dup_field(j, 4, str_of(&o, "acrostic"));
    const json_field *sp = json_get(&o, "spec");
    if (sp && sp->type == JSON_STRING) {
        vers_err err = {0};
        if (vers_form_parse(sp->str, sp->len, "spec", &j->spec, &err)) { snprintf(msg, cap, "%s", err.msg); goto out; }
        w.spec = j->spec;
    }
    vers_err err = {0};
    if (vers_write_validate(&w, &err)) { snprintf(msg, cap, "%s", err.msg); goto out; }
    j->o = w;
    rc = 0;
out:
    json_object_free(&o);
    if (rc) serve_job_free_request(j);
    return rc;
}

int serve_check(const vers_prosody *p, const char *body, size_t n, char **json, size_t *len, char *msg, size_t cap) {
    static const char *const strs[] = {"text", "lang", "form", "spec", "scheme", "syllables", "lines", "acrostic", NULL};
    static const char *const nums[] = {"syllables", "lines", NULL};
    json_object o;
    *json = NULL;
    if (json_parse_object(body, n, MAX_FIELDS, &o, msg, cap)) return -1;
    int rc = -1;
    vers_form *spec = NULL, *form = NULL;
    vers_analysis *a = NULL;
    vers_err err = {0};
    if (check_fields(&o, strs, nums, msg, cap)) goto out;
    const json_field *text = json_get(&o, "text");
    if (!text || text->type != JSON_STRING) { snprintf(msg, cap, "field 'text' (the poem) is required"); goto out; }
    const char *ls = str_of(&o, "lang");
    int lang = vers_lang_parse(ls ? ls : "auto");
    if (lang < 0) { snprintf(msg, cap, "field 'lang': '%.20s' is not fr, en or auto", ls); goto out; }
    if (str_of(&o, "form") && str_of(&o, "spec")) { snprintf(msg, cap, "give form or spec, not both"); goto out; }
    const json_field *sp = json_get(&o, "spec");
    if (sp && sp->type == JSON_STRING && vers_form_parse(sp->str, sp->len, "spec", &spec, &err)) {
        snprintf(msg, cap, "%s", err.msg);
        goto out;
    }
    /* syllables / lines as vers check takes them: text ("5 7 5") or a number */
    const json_field *sy = json_get(&o, "syllables"), *li = json_get(&o, "lines");
    const char *syl = sy && sy->type != JSON_NULL ? (sy->type == JSON_STRING ? sy->str : sy->num) : NULL;
    const char *lines = li && li->type != JSON_NULL ? (li->type == JSON_STRING ? li->str : li->num) : NULL;
    vers_form_request rq = {.lang = lang, .form = str_of(&o, "form"), .spec_form = spec,
                            .scheme = str_of(&o, "scheme"), .syllables = syl, .lines = lines,
                            .acrostic = str_of(&o, "acrostic")};
    if (vers_check_text(p, &rq, text->str, text->len, &form, &a, &err)) { snprintf(msg, cap, "%s", err.msg); goto out; }
    if (vers_analysis_json(a, json, len, &err)) { snprintf(msg, cap, "%s", err.msg); goto out; }
    rc = 0;
out:
    vers_analysis_free(a);
    vers_form_free(form);
    vers_form_free(spec);
    json_object_free(&o);
    return rc;
}

int serve_forms_json(char **json, size_t *len) {
    json_buf b;
    json_init(&b);
    json_raw(&b, "[");
    int first = 1;
    for (int i = 0; i < vers_form_builtin_count(); i++) {
        vers_form *f;
        if (vers_form_builtin_get(i, &f, NULL)) continue;
        char sum[1024], names[256];
        vers_form_summary(f, sum, sizeof sum);
        vers_form_other_names(f, names, sizeof names);
        int l = vers_form_lang(f);
        if (!first) json_raw(&b, ",");
        first = 0;
        json_raw(&b, "{");
        json_key(&b, "name", 1); json_cstr(&b, vers_form_name(f));
        json_key(&b, "lang", 0); json_cstr(&b, l ? vers_lang_name(l) : "any");
        json_key(&b, "summary", 0); json_cstr(&b, sum);
        json_key(&b, "aliases", 0); json_cstr(&b, names);
        json_key(&b, "description", 0); json_cstr(&b, vers_form_description(f));
        json_raw(&b, "}");
        vers_form_free(f);
    }
    json_raw(&b, "]");
    if (b.oom) { json_free(&b); return -1; }
    *json = b.p;
    *len = b.n;
    return 0;
}

char *serve_error_json(const char *msg, size_t *len) {
    /* one line, whatever the request put in it (a form name with a newline...) */
    char m[1024];
    snprintf(m, sizeof m, "%s", msg);
    for (unsigned char *p = (unsigned char *)m; *p; p++) if (*p < 0x20 || *p == 0x7F) *p = ' ';
    json_buf b;
    json_init(&b);
    json_raw(&b, "{\"error\":");
    json_cstr(&b, m);
    json_raw(&b, "}\n");
    if (b.oom) { json_free(&b); *len = 0; return NULL; }
    *len = b.n;
    return b.p;
}
