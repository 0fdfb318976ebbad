/* src/prosody/form_resolve.c — the one path from command-line options to a form, shared by
 * `vers check` and `vers write` (docs/DESIGN.md, "The path of --form").
 *
 * A built-in name or a spec file comes first, then --scheme / --syllables / --lines /
 * --acrostic are set on top as form-file lines would be.  Both commands resolve the same
 * request the same way, so a poem written for a request is checked against the very form
 * it was written for. */
#include "prosody/prosody_internal.h"
#include <stdio.h>
#include <string.h>

int vers_form_resolve(const vers_form_request *rq, vers_form **out, int *lang_out, vers_err *err) {
    vers_form *f = NULL;
    int rc = VERS_OK;
    *out = NULL;
    if (lang_out) *lang_out = rq->lang;
    if (rq->lang != VERS_LANG_AUTO && rq->lang != VERS_LANG_EN && rq->lang != VERS_LANG_FR)
        return vers_errorf(err, VERS_EINVAL, "bad language %d", rq->lang);
    if ((rq->spec_path || rq->spec_form) && rq->form) return vers_errorf(err, VERS_EINVAL, "give --form or --spec, not both");
    const int constrained = rq->scheme || rq->syllables || rq->lines || rq->acrostic;
    if (rq->spec_form) rc = vers_form_copy(rq->spec_form, &f, err);
    else if (rq->spec_path) rc = vers_form_load(rq->spec_path, &f, err);
    else if (rq->form) {
        /* no language given: the form of the poem's language (when there is a poem), else
         * the first form of that name in either language */
        int flang = rq->lang ? rq->lang : rq->text ? vers_detect_lang(rq->text, rq->text_len) : VERS_LANG_AUTO;
        rc = vers_form_builtin(rq->form, flang, &f, err);
        if (rc && !rq->lang && flang != VERS_LANG_AUTO) rc = vers_form_builtin(rq->form, VERS_LANG_AUTO, &f, err);
    } else if (constrained) rc = vers_form_new("custom", rq->lang, &f, err);
    else if (rq->none_is_free) rc = vers_form_builtin("free", rq->lang, &f, err);
    else return VERS_OK;                                  /* no form: analysis only */
    if (rc) return rc;
    const char *keys[] = {"scheme", "syllables", "lines", "acrostic"};
    const char *vals[] = {rq->scheme, rq->syllables, rq->lines, rq->acrostic};
    for (int i = 0; i < 4; i++) {
        if (!vals[i]) continue;
        vers_err e2 = {0};
        if ((rc = vers_form_set(f, keys[i], vals[i], &e2))) {
            vers_form_free(f);
            return vers_errorf(err, rc, "--%s: %s", keys[i], e2.msg);
        }
    }
    if (lang_out && rq->lang == VERS_LANG_AUTO && vers_form_lang(f)) *lang_out = vers_form_lang(f);
    *out = f;
    return VERS_OK;
}
