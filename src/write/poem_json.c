/* src/write/poem_json.c — the JSON object of one written poem (vers_poem_json): what
 * `vers write --json` prints per poem and what `vers serve` answers to POST /api/write, so
 * that both are the same bytes from one writer. */
#include "vers/write.h"
#include "util/json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vers_poem_json(const vers_poem_out *p, uint64_t seed, long index, char **json, size_t *len, vers_err *err) {
    *json = NULL;
    if (len) *len = 0;
    json_buf b;
    json_init(&b);
    char num[512];
    json_raw(&b, "{\"text\":");
    json_cstr(&b, p->text ? p->text : "");
    json_raw(&b, ",\"form\":");
    json_cstr(&b, p->form);
    snprintf(num, sizeof num,
             ",\"seed\":%llu,\"index\":%ld,\"scores\":{\"tokens\":%d,\"logprob\":%.4f,"
             "\"logprob_per_token\":%.4f,\"seconds\":%.4f,\"evals\":%ld,\"line_attempts\":%d,"
             "\"line_backups\":%d,\"restarts\":%d,\"end_tokens\":%d,\"end_rare\":%d,\"codes\":%s},\"analysis\":",
             (unsigned long long)seed, index, p->n_tokens, p->logprob,
             p->n_tokens ? p->logprob / p->n_tokens : 0.0, p->seconds, p->evals, p->line_attempts,
             p->line_backups, p->restarts, p->end_tokens, p->end_rare, p->codes ? "true" : "false");
    json_raw(&b, num);
    size_t a0 = b.n;
    json_raw(&b, p->analysis_json ? p->analysis_json : "null");
    /* one object per line: the analysis's layout newlines (never inside its strings, where
     * they are escaped) become spaces */
    if (!b.oom)
        for (size_t i = a0; i < b.n; i++) if (b.p[i] == '\n' || b.p[i] == '\r') b.p[i] = ' ';
    json_raw(&b, "}");
    if (b.oom) { json_free(&b); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    *json = b.p;
    if (len) *len = b.n;
    return VERS_OK;
}
