/* Is AMX usable by this process, and if not why: the CPU (CPUID leaf 7
 * EDX bit 24 AMX-TILE, bit 22 AMX-BF16), the OS (XCR0 bits 17 XTILECFG and
 * 18 XTILEDATA) and, on Linux, the permission every process must ask for
 * before its first tile instruction (arch_prctl ARCH_REQ_XCOMP_PERM, which
 * can be refused, e.g. ENOSPC when the signal stack is too small).  Checked
 * once per process. */
#include <stdio.h>
#include <string.h>
#include "fastnn.h"
#include "dispatch/kernels.h"

#if FNN_HAVE_AMX
#include <cpuid.h>
#include <errno.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18
#define XCR0_TILE_BITS ((1ull << 17) | (1ull << 18))
#define AMX_DRIVER_NEEDS (FNN_CPU_AVX512F | FNN_CPU_AVX512BW | FNN_CPU_AVX512VL | \
                          FNN_CPU_AVX512DQ | FNN_CPU_AVX512BF16)

static char refused[96];

static const char *check(void)
{
    unsigned eax, ebx, ecx, edx;
    if (__get_cpuid_max(0, 0) < 7) return "cpu lacks amx-tile";
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    if (!((edx >> 24) & 1)) return "cpu lacks amx-tile";
    if (!((edx >> 22) & 1)) return "cpu lacks amx-bf16";
    __cpuid(1, eax, ebx, ecx, edx);
    if (!((ecx >> 27) & 1)) return "os does not enable XTILEDATA in XCR0";
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((((unsigned long long)hi << 32 | lo) & XCR0_TILE_BITS) != XCR0_TILE_BITS)
        return "os does not enable XTILEDATA in XCR0";
    if ((fnn_cpu_features() & AMX_DRIVER_NEEDS) != AMX_DRIVER_NEEDS)
        return "cpu or os lacks avx512-bf16 (the amx driver packs with it)";
#ifdef __linux__
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0) {
        snprintf(refused, sizeof refused, "arch_prctl refused: %s", strerror(errno));
        return refused;
    }
#endif
    return NULL;
}
#else
static const char *check(void) { return "build without AMX"; }
#endif

const char *fnn_amx_unusable_reason(void)
{
    /* 0 = not checked, 1 = checking, 2 = done: the permission call runs once */
    static int state;
    static const char *reason;
    int zero = 0;
    if (__atomic_compare_exchange_n(&state, &zero, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        reason = check();
        __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
    }
    while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2) {
    }
    return reason;
}
