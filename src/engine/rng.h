/* src/engine/rng.h — the samplers' random numbers.
 *
 * Both kinds are xorshift64* (Marsaglia/Vigna), the generator of llama2.c's run.c:
 *   VERS_RNG_LLAMA2C  state = seed exactly as run.c (so its samples are reproduced bit for bit;
 *                     seed 0 is remapped to 1 since the all-zero state is a fixed point);
 *   VERS_RNG_VERS     state = splitmix64(seed), so that nearby seeds (0, 1, 2 ...) give
 *                     unrelated streams and seed 0 is valid.
 * A draw in [0,1) is run.c's (float)(u32 >> 8) / 2^24. */
#ifndef VERS_RNG_H
#define VERS_RNG_H
#include <stdint.h>

typedef struct vers_rng { uint64_t state; } vers_rng;

void vers_rng_seed(vers_rng *r, int kind, uint64_t seed);
uint32_t vers_rng_u32(vers_rng *r);
float vers_rng_f32(vers_rng *r);
#endif
