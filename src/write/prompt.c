/* src/write/prompt.c — the tokens a poem starts from.
 *
 * Models trained by vers know control tokens (DESIGN.md): the poem opens with
 *     <|bos|><fr><sonnet><title>la mer</title>\n
 * and the theme enters as the title.  Other models get a plain-text preamble in the poem's
 * language ("A poem about the sea.\n\n").  The preamble's text is returned too, so that the
 * writer can refuse lines that merely copy it. */
#include "write/wr.h"
#include <stdio.h>
#include <string.h>

static int push(int *out, int *n, int cap, int t) {
    if (*n >= cap) return -1;
    out[(*n)++] = t;
    return 0;
}

static int push_text(const wr_lm *lm, const char *text, int *out, int *n, int cap) {
    int len = (int)strlen(text);
    if (len == 0) return 0;
    int k = lm->tokenize(lm->ud, text, len, out + *n, cap - *n);
    if (k < 0) return -1;
    *n += k;
    return 0;
}

int wr_prompt_tokens(const wr_lm *lm, int lang, const char *tag, const char *theme, int *out, int cap,
                     char *preamble, size_t preamble_cap, vers_err *err) {
    int n = 0;
    if (preamble && preamble_cap) preamble[0] = 0;
    if (theme && strlen(theme) > 200) return vers_errorf(err, VERS_EINVAL, "theme longer than 200 bytes"), -1;
    if (lm->bos >= 0 && push(out, &n, cap, lm->bos)) goto full;
    int t_lang = lm->special(lm->ud, lang == WR_LANG_FR ? "<fr>" : "<en>");
    char tag_tok[40];
    int t_form = -1;
    if (tag && *tag && (size_t)snprintf(tag_tok, sizeof tag_tok, "<%s>", tag) < sizeof tag_tok)
        t_form = lm->special(lm->ud, tag_tok);
    if (t_form < 0) t_form = lm->special(lm->ud, "<poem>");
    int t_title = lm->special(lm->ud, "<title>"), t_title_end = lm->special(lm->ud, "</title>");
    if (t_lang >= 0 && t_form >= 0) {
        if (push(out, &n, cap, t_lang) || push(out, &n, cap, t_form)) goto full;
        if (theme && *theme && t_title >= 0 && t_title_end >= 0) {
            if (push(out, &n, cap, t_title) || push_text(lm, theme, out, &n, cap) ||
                push(out, &n, cap, t_title_end)) goto full;
            if (preamble) snprintf(preamble, preamble_cap, "%s", theme);
        }
        if (push_text(lm, "\n", out, &n, cap)) goto full;
        return n;
    }
    char text[512];
    int fr = lang == WR_LANG_FR;
    if (theme && *theme) snprintf(text, sizeof text, fr ? "Un poème sur %s.\n\n" : "A poem about %s.\n\n", theme);
    else snprintf(text, sizeof text, "%s", fr ? "Un poème.\n\n" : "A poem.\n\n");
    if (push_text(lm, text, out, &n, cap)) goto full;
    if (preamble) snprintf(preamble, preamble_cap, "%s", text);
    if (n == 0) return vers_errorf(err, VERS_EUNSUPPORTED, "the model cannot encode a prompt"), -1;
    return n;
full:
    return vers_errorf(err, VERS_EINVAL, "prompt too long"), -1;
}
