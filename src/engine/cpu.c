/* src/engine/cpu.c — which instruction-set level the kernels run at (tensor.h): the
 * highest the CPU has, lowered by VERS_NO_SIMD=1 (scalar) or VERS_NO_AVX512=1 / its older
 * name VERS_NO_VNNI=1 (AVX2).  Decided once; tests force a level to compare the twins. */
#include "engine/tensor.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* -1 = not decided yet (benign race: every thread computes the same value). */
static int level_state = -1;

static int env_on(const char *name) {
    const char *e = getenv(name);
    return e && *e && strcmp(e, "0") != 0;
}

/* what the CPU has */
static int hw_level(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    unsigned a, b, c, d;
    /* F16C: CPUID.1:ECX bit 29 (clang's __builtin_cpu_supports does not know "f16c") */
    const int f16c = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29));
    if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c)) return VERS_ISA_SCALAR;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni"))
        return VERS_ISA_AVX512;
    return VERS_ISA_AVX2;
#else
    return VERS_ISA_SCALAR;
#endif
}

/* what the environment allows */
static int env_cap(void) {
    if (env_on("VERS_NO_SIMD")) return VERS_ISA_SCALAR;
    if (env_on("VERS_NO_AVX512") || env_on("VERS_NO_VNNI")) return VERS_ISA_AVX2;
    return VERS_ISA_AVX512;
}

int vers_simd_level(void) {
    int s = __atomic_load_n(&level_state, __ATOMIC_RELAXED);
    if (s < 0) {
        const int hw = hw_level(), cap = env_cap();
        s = hw < cap ? hw : cap;
        __atomic_store_n(&level_state, s, __ATOMIC_RELAXED);
    }
    return s;
}

int vers_simd_enabled(void) { return vers_simd_level() >= VERS_ISA_AVX2; }

void vers_simd_force_level(int level) {
    const int hw = hw_level();
    __atomic_store_n(&level_state, level < 0 ? 0 : level < hw ? level : hw, __ATOMIC_RELAXED);
}

/* on: what the CPU and the AVX-512 switch allow (the twins' comparison keeps VERS_NO_AVX512) */
void vers_simd_force(int on) {
    if (!on) { vers_simd_force_level(VERS_ISA_SCALAR); return; }
    const int cap = env_on("VERS_NO_AVX512") || env_on("VERS_NO_VNNI") ? VERS_ISA_AVX2 : VERS_ISA_AVX512;
    vers_simd_force_level(cap);
}
