/* CPU features from CPUID/XGETBV, read once.  An ISA counts only if the OS
 * saves its registers (XCR0), as numpy's npy_cpu_features does. */
#include "fastnn.h"

#if !defined(FNN_GENERIC_ONLY) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>

static unsigned long long read_xcr0(void)
{
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static unsigned detect(void)
{
    unsigned eax, ebx, ecx, edx, f = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int osxsave = (ecx >> 27) & 1, fma = (ecx >> 12) & 1;
    if (!osxsave) return 0;
    unsigned long long xcr0 = read_xcr0();
    int ymm_ok = (xcr0 & 0x6) == 0x6;
    int zmm_ok = (xcr0 & 0xe6) == 0xe6;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    if (ymm_ok && ((ebx >> 5) & 1)) f |= FNN_CPU_AVX2;
    if (ymm_ok && fma) f |= FNN_CPU_FMA;
    if (zmm_ok) {
        if ((ebx >> 16) & 1) f |= FNN_CPU_AVX512F;
        if ((ebx >> 17) & 1) f |= FNN_CPU_AVX512DQ;
        if ((ebx >> 30) & 1) f |= FNN_CPU_AVX512BW;
        if ((ebx >> 31) & 1) f |= FNN_CPU_AVX512VL;
        __cpuid_count(7, 1, eax, ebx, ecx, edx);
        if ((eax >> 5) & 1) f |= FNN_CPU_AVX512BF16;
    }
    /* AMX counts once the OS saves the tile state (XCR0 bits 17, 18); the
     * per-process permission is dispatch/amx.c's. */
    if ((xcr0 & 0x60000) == 0x60000) {
        __cpuid_count(7, 0, eax, ebx, ecx, edx);
        if ((edx >> 24) & 1) f |= FNN_CPU_AMX_TILE;
        if ((edx >> 22) & 1) f |= FNN_CPU_AMX_BF16;
    }
    return f;
}
#else
static unsigned detect(void) { return 0; }
#endif

unsigned fnn_cpu_features(void)
{
    static int done = 0;
    static unsigned features = 0;
    if (!done) { features = detect(); done = 1; } /* idempotent: a race is harmless */
    return features;
}
