/* include/vers/write.h — public API of the writer: poems that keep their form.
 *
 *   vers_writer *w;   vers_writer_open("model.gguf", 2, &w, &err);
 *   vers_write_opts o = vers_write_default_opts();
 *   o.lang = "fr"; o.form = "sonnet"; o.theme = "la mer"; o.seed = 7;
 *   vers_poem_out p;  if (vers_write(w, &o, 0, &p, &err) == VERS_OK) puts(p.text);
 *   vers_poem_out_free(&p);  vers_writer_close(w);
 *
 * Guarantee: vers_write returns VERS_OK only with a poem that passes the same check
 * `vers check` runs for the requested form (options applied); when no such poem is found
 * within the search budget it returns VERS_EFAIL and no poem.  Bad requests (unknown form,
 * impossible syllable count, a scheme that does not fit the line count, ...) give
 * VERS_EINVAL / VERS_ENOTFOUND with a one-line message. */
#ifndef VERS_WRITE_H
#define VERS_WRITE_H
#include "vers/common.h"
#include <stdint.h>

typedef struct vers_writer vers_writer;

typedef struct vers_write_opts {
    const char *lang;          /* "fr", "en" or NULL (the form's language, else English) */
    const char *form;          /* a form vers check knows (e.g. "sonnet"); NULL: "free", or
                                  a plain form built from scheme/syllables/lines */
    const char *spec_path;     /* a user form file (docs/FORMS.md), instead of form */
    const struct vers_form *spec; /* a user form already read (vers_form_load), instead of
                                  form / spec_path: a FIFO or a pipe can be read only once */
    const char *theme;         /* title/theme of the poem, or NULL */
    const char *scheme;        /* replaces the form's rhyme scheme ("ABAB CDCD"), or NULL */
    int syllables;             /* replaces the form's syllables per line (0 = keep; <0 invalid) */
    int lines;                 /* number of lines (0 = the form's) */
    const char *acrostic;      /* first letters of the lines spell this word, or NULL */
    uint64_t seed;
    float temp;                /* sampling temperature (defaults: vers_write_default_opts) */
    int candidates;            /* candidate lines sampled per line */
    long budget;               /* token evaluations per poem, all retries, before giving up */
    int no_codes;              /* 1: do not feed structure codes (<syl:N><rh:K>) even when the
                                  model was fine-tuned with them (for A/B comparisons) */
    /* progress, all optional (vers serve streams lines with them): on_line(ud, i, text, syl)
     * when line i (0-based) is kept for now, text as the poem prints it, syl its syllables;
     * on_line(ud, i, NULL, 0) when lines i.. are withdrawn (the search went back).  Only the
     * poem vers_write returns is final.  cancelled(ud), polled before every model
     * evaluation: non-zero stops the poem with VERS_ECANCEL. */
    void (*on_line)(void *ud, int index, const char *text, int syllables);
    int (*cancelled)(void *ud);
    void *progress_ud;
} vers_write_opts;

vers_write_opts vers_write_default_opts(void);

typedef struct vers_poem_out {
    char *text;                /* the poem: lines, blank lines between stanzas, final '\n' */
    char *analysis_json;       /* the analysis `vers check --json` gives for it */
    char form[64];             /* the form it was checked against */
    int n_lines;
    int n_tokens;              /* generated tokens of the kept lines */
    double logprob;            /* their summed model log-probability (natural log) */
    int end_tokens;            /* tokens of the line-end words (refrains not counted) */
    int end_rare;              /* of those, tokens the model gave p < 1e-3 before the masks */
    double seconds;            /* wall time of this poem */
    long evals;                /* tokens the model evaluated, all candidates and retries */
    int line_attempts, line_backups, restarts;
    int codes;                 /* 1 when structure codes were fed before the lines */
} vers_poem_out;

/* Checks a request without a model: the form resolves, the options apply, a plan exists.
 * VERS_OK, or the error vers_write would give for it (VERS_EINVAL / VERS_ENOTFOUND / VERS_EIO). */
int  vers_write_validate(const vers_write_opts *o, vers_err *err);
/* Opens a model for writing (GGUF: llama, qwen2, gpt2) with n_threads (0 = the writer chooses:
 * one thread for a model under 50M parameters, which decodes a token faster than threads
 * can share it, else every core). */
int  vers_writer_open(const char *model_path, int n_threads, vers_writer **out, vers_err *err);
void vers_writer_close(vers_writer *w);
/* Writes poem number `index` of a request (poem i of `-n N --seed S` does not depend on N). */
int  vers_write(vers_writer *w, const vers_write_opts *o, int index, vers_poem_out *out, vers_err *err);
void vers_poem_out_free(vers_poem_out *p);
/* The object `vers write --json` prints for poem `index` of a request with `seed`: text,
 * form, seed, index, scores and the analysis, on one line (no newline at the end),
 * malloc'd into *json.  VERS_OK or VERS_ENOMEM. */
int  vers_poem_json(const vers_poem_out *p, uint64_t seed, long index, char **json, size_t *len, vers_err *err);

#endif
