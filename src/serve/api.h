/* src/serve/api.h — vers serve's JSON API, without HTTP: request bodies read into the
 * options the library takes (the fields are the CLI's options), and the answers built with
 * the library's own JSON (vers_poem_json, vers_analysis_json), so the server adds no second
 * writer or checker.  Every error is a one-line message for a 400. */
#ifndef VERS_SERVE_API_H
#define VERS_SERVE_API_H
#include "serve/jobs.h"

/* POST /api/write: body → j's request (lang, form, spec, theme, scheme, syllables, lines,
 * acrostic, seed, temp), checked with vers_write_validate.  0, or -1 with msg. */
int serve_parse_write(const char *body, size_t n, serve_job *j, char *msg, size_t cap);
/* POST /api/check: body (text, lang, form, spec, scheme, syllables, lines, acrostic) → the
 * analysis JSON `vers check --json` prints, malloc'd.  0; -1 with msg for a bad request. */
int serve_check(const vers_prosody *p, const char *body, size_t n, char **json, size_t *len, char *msg, size_t cap);
/* GET /api/forms: [{"name","lang","summary","aliases","description"}, ...], malloc'd. */
int serve_forms_json(char **json, size_t *len);
/* {"error":"msg"} */
char *serve_error_json(const char *msg, size_t *len);
#endif
