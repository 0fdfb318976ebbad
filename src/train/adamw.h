/* src/train/adamw.h — AdamW with decoupled weight decay, global-norm gradient clipping and
 * the learning-rate schedule (linear warm-up, cosine decay to a floor). */
#ifndef VERS_TRAIN_ADAMW_H
#define VERS_TRAIN_ADAMW_H
#include <stdint.h>

/* Global L2 norm of g[n], summed in fixed-size chunks (same value at any thread count). */
double grad_norm(const float *g, int64_t n);
/* One AdamW update of p[n] (t = step number, from 1):
 *   g' = g * gscale;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2
 *   p -= lr * (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + wd * p) */
void adamw_update(float *p, const float *g, float *m, float *v, int64_t n, float lr, float b1, float b2,
                  float eps, float wd, float gscale, int64_t t);
/* Learning rate at step s (0-based) of `total`: warm-up over `warmup` steps, then cosine
 * from lr to lr*min_frac. */
float lr_schedule(int64_t s, int64_t total, int64_t warmup, float lr, float min_frac);
#endif
