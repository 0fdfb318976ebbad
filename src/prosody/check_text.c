/* src/prosody/check_text.c — `vers check`'s whole path for a poem in memory
 * (vers_check_text): the form the options ask for (vers_form_resolve), then the analysis
 * with it (vers_analyse).  `vers check` and `vers serve`'s POST /api/check both call it, so
 * the same poem and options give the same verdict and the same JSON. */
#include "vers/prosody.h"
#include <stddef.h>

int vers_check_text(const vers_prosody *p, const vers_form_request *rq, const char *text, size_t len,
                    vers_form **form_out, vers_analysis **out, vers_err *err) {
    *out = NULL;
    if (form_out) *form_out = NULL;
    vers_form_request r = *rq;
    r.text = text;
    r.text_len = len;
    vers_form *form = NULL;
    int lang = r.lang;
    int rc = vers_form_resolve(&r, &form, &lang, err);
    if (rc) return rc;
    if (form_out) *form_out = form;
    vers_analyse_opts ao = {lang, form, 1};
    rc = vers_analyse(p, text, len, &ao, out, err);
    if (rc) *out = NULL;
    if (!form_out) vers_form_free(form);
    return rc;
}
