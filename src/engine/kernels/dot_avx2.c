/* src/engine/kernels/dot_avx2.c — AVX2/FMA twins of dot_scalar.c (compiled with -mavx2
 * -mfma -mf16c; called only when the CPU has them, see vers_simd_enabled). */
#include "engine/kernels/kernels.h"
#include "engine/tensor.h"
#include <immintrin.h>

vk_tile_fn vk_tile_avx2(int wtype) {
    (void)wtype;
    return NULL;
}
