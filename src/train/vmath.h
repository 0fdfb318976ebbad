/* src/train/vmath.h — what the trainer's elementwise loops share: vexpf, an exp that the
 * compiler can vectorise (no libm call), and TRAIN_CLONES, which compiles a function for
 * AVX-512, AVX2 and plain x86-64 and picks one at load time (ifunc).
 *
 * Results do not depend on the clone: every operation is either exact per element (fmaf,
 * rintf, bit moves) or a fixed sequence of IEEE operations, and no reduction is left to the
 * vectoriser (sums keep their written order; see layers.c).  OpenMP's outlined loop bodies
 * do not inherit a function's clones, so the cloned functions are the row or chunk bodies
 * that the parallel loops call. */
#ifndef VERS_TRAIN_VMATH_H
#define VERS_TRAIN_VMATH_H
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define TRAIN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TRAIN_CLONES
#endif

/* e^x for x in [-87.3, 88.7] (clamped outside), relative error below 2 ulp: x = n ln2 + r
 * with |r| <= ln2/2 (ln2 in two parts), a degree-6 polynomial for e^r, times 2^n.  NaN
 * gives NaN (the trainer's non-finite check must see it); it is kept out of the integer
 * conversion, where it would be undefined. */
static inline float vexpf(float x0) {
    float x = x0 != x0 ? 0.0f : x0;
    x = x < -87.3f ? -87.3f : x > 88.7f ? 88.7f : x;
    float n = rintf(x * 1.44269504089f);
    float r = fmaf(n, -0.693359375f, x);
    r = fmaf(n, 2.12194440e-4f, r);
    float p = 1.9875691500e-4f;
    p = fmaf(p, r, 1.3981999507e-3f);
    p = fmaf(p, r, 8.3334519073e-3f);
    p = fmaf(p, r, 4.1665795894e-2f);
    p = fmaf(p, r, 1.6666665459e-1f);
    p = fmaf(p, r, 5.0000001201e-1f);
    p = fmaf(p, r * r, r) + 1.0f;
    uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return x0 != x0 ? x0 : p * scale;
}
#endif
