/* src/train/lstm.h — the trainer's LSTM model (lstm.c), reached through vers_tmodel when
 * its config's arch is VERS_ARCH_LSTM. */
#ifndef VERS_TRAIN_LSTM_H
#define VERS_TRAIN_LSTM_H
#include "train/internal.h"

int64_t lstm_layer_size(int64_t dim);
int lstm_layout(vers_tmodel *m);              /* offsets, n_params, tensors array */
void lstm_add_tensors(vers_tmodel *m, void (*add)(vers_tmodel *, const char *, int64_t, int64_t, int64_t, int));
int lstm_alloc(vers_tmodel *m, int B, int T); /* activations; 0 or -1 */
void lstm_free(vers_tmodel *m);
void lstm_init(vers_tmodel *m, trng *r);
float lstm_forward(vers_tmodel *m, const int32_t *tokens, const int32_t *targets, int B, int T);
void lstm_backward(vers_tmodel *m, const int32_t *tokens, const int32_t *targets, float grad_scale);
#endif
