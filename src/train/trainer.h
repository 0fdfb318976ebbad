/* src/train/trainer.h — the training run's state, shared by trainer.c (the loop),
 * checkpoint.c (saving/resuming it) and export.c (GGUF). */
#ifndef VERS_TRAIN_TRAINER_H
#define VERS_TRAIN_TRAINER_H
#include "train/internal.h"
#include "train/dist.h"

#define TRAINER_MAX_NOTES 48

struct vers_trainer {
    vers_tmodel *m;
    vers_train_opts o;
    vers_bpe *tok;                  /* our byte-level BPE (NULL when etok is used) */
    struct vers_tokenizer *etok;    /* another model's tokenizer (e.g. SentencePiece), from --init */
    char *tok_gguf;                 /* the GGUF that holds etok's metadata (export copies it) */
    float *am, *av;                 /* AdamW moments */
    int64_t step;                   /* optimizer steps done */
    trng rng;                       /* batch sampling */
    float last_loss, last_val;
    int64_t last_val_step;
    double elapsed_s;               /* training time over all sessions */
    int64_t tokens_seen;
    int n_notes;
    char *note_k[TRAINER_MAX_NOTES], *note_v[TRAINER_MAX_NOTES];
    int32_t *btok, *btg;            /* one micro-batch: B*T inputs and targets */
    int64_t ckpt_step;              /* step of the last checkpoint written or loaded (-1 none) */
    int local_batch;                /* sequences per micro-batch on this rank (batch / ranks) */
};

/* Allocates moments and batch buffers for a trainer whose model and options are set. */
int trainer_alloc_state(vers_trainer *t, vers_err *err);
/* Loads etok from path and remembers the path (init_gguf.c). */
int trainer_attach_gguf_tokenizer(vers_trainer *t, const char *path, vers_err *err);
/* Checkpoint I/O (checkpoint.c). */
int checkpoint_load(const char *path, const vers_train_opts *o, vers_trainer **out, vers_err *err);
#endif
