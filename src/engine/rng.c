/* src/engine/rng.c — xorshift64* random numbers (see rng.h). */
#include "engine/rng.h"
#include "vers/engine.h"

static uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

void vers_rng_seed(vers_rng *r, int kind, uint64_t seed) {
    uint64_t s = kind == VERS_RNG_LLAMA2C ? seed : splitmix64(seed);
    r->state = s ? s : 1;
}

uint32_t vers_rng_u32(vers_rng *r) {
    r->state ^= r->state >> 12;
    r->state ^= r->state << 25;
    r->state ^= r->state >> 27;
    return (uint32_t)((r->state * 0x2545F4914F6CDD1Dull) >> 32);
}

float vers_rng_f32(vers_rng *r) {
    return (float)(vers_rng_u32(r) >> 8) / 16777216.0f;
}
