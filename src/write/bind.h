/* src/write/bind.h — the writer's two interfaces bound to the real layers: wr_lm over the
 * engine (bind_engine.c) and wr_oracle over the prosody API (bind_prosody.c), whose final
 * check is vers_analyse with the requested form: the check `vers check` runs. */
#ifndef VERS_WR_BIND_H
#define VERS_WR_BIND_H
#include "write/wr.h"
#include "vers/engine.h"
#include "vers/tokenizer.h"
#include "vers/prosody.h"

typedef struct wr_engine_lm {
    wr_lm lm;
    vers_model *model;
    vers_ctx *ctx;
    vers_tokenizer *tok;
    int n_vocab;
    wr_codes codes;            /* lm.codes points here when the model has them */
    /* polled before every evaluation when set: non-zero stops the search (VERS_ECANCEL) */
    int (*cancelled)(void *ud);
    void *cancel_ud;
} wr_engine_lm;

/* Below this many parameters the writer's default is one thread (bind_engine.c says why). */
#define WR_SMALL_MODEL_PARAMS 50000000ull
/* Opens a model for the writer; n_threads <= 0 chooses (one thread for a small model). */
int  wr_engine_lm_open(wr_engine_lm *e, const char *path, int n_threads, vers_err *err);
void wr_engine_lm_close(wr_engine_lm *e);

typedef struct wr_prosody_oracle {
    wr_oracle or;
    const vers_prosody *p;
    int vlang;                       /* VERS_LANG_EN / VERS_LANG_FR */
    vers_line *lines; int cap_lines; /* scratch for vers_check_line */
} wr_prosody_oracle;

void wr_prosody_oracle_init(wr_prosody_oracle *po, const vers_prosody *p, int lang /* WR_LANG_* */);
void wr_prosody_oracle_free(wr_prosody_oracle *po);
#endif
