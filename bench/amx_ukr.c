/* The AMX micro-kernel against the tile unit's limit, in one run: cycles
 * (TSC) per tdpbf16ps of fastnn's kernel (csrc/gemm/ukr_amx.h, the build's
 * own header) over the packed operands of the recipe's products, beside a
 * loop of tdpbf16ps alone (the probe: no loads, four accumulators).  The
 * host's tile rate moves from minute to minute on a shared machine, so the
 * probe runs between the kernel's rounds and each round is reported as a
 * share of the probe next to it.
 *
 *   gcc -O2 -mamx-tile -mamx-bf16 -mavx512f -mavx512bw -mavx512vl -mavx512dq \
 *       -Icsrc bench/amx_ukr.c -o /tmp/amx_ukr && /tmp/amx_ukr
 *
 * To tune the kernel, compare it with another version of its header in the
 * same process, alternated round by round (the ratio of each round pair is
 * immune to the host's drift):
 *
 *   git show HEAD:csrc/gemm/ukr_amx.h > /tmp/ukr_amx_base.h
 *   gcc ... -Icsrc -DBASELINE='"/tmp/ukr_amx_base.h"' bench/amx_ukr.c -o /tmp/amx_ukr
 *
 * Shapes: m x n x k as the driver calls the kernel over one packed block
 * (A: m rows of k units, B: n / 32 panels of k units x 32), C row-major
 * with row stride n.  k units are pairs of bfloat16 values (kc 512 values =
 * 256 units).  Linux only (the AMX permission call). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>
#include "gemm/amx_asm.h"

#define AMX_CAT_(a, b) a##_##b
#define AMX_CAT(a, b) AMX_CAT_(a, b)
#define NAME bench_ukr
#define BEGIN fnn_amx_thread_begin /* the names the probe and the library use */
#define END fnn_amx_thread_end
#include "gemm/ukr_amx.h"
#include "dispatch/peak_amx.c" /* fnn_amx_probe: the library's tdpbf16ps probe */
#include "dispatch/amx.c"      /* fnn_amx_unusable_reason: CPUID, XCR0, the permission */
#include "dispatch/cpu.c"
#ifdef BASELINE
#undef NAME
#undef BEGIN
#undef END
#undef AMX_STEP
#define NAME baseline_ukr
#define BEGIN baseline_begin
#define END baseline_end
#include BASELINE
#endif

#define ROUNDS 21

typedef void (*ukr_fn)(int64_t, const uint32_t *, const uint32_t *, int64_t, float *, int64_t,
                       float, float);

/* TSC cycles per tdpbf16ps of the best of `reps` passes over the block */
static double kernel_cycles(ukr_fn ukr, int64_t m, int64_t n, int64_t ku, const uint32_t *A,
                            const uint32_t *B, float *C, int reps)
{
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        uint64_t t0 = __rdtsc();
        for (int64_t j = 0; j < n / 32; j++)
            for (int64_t i = 0; i < m / 32; i++)
                ukr(ku, A + i * 32 * ku, B + j * ku * 32, 32, C + i * 32 * n + j * 32, n, 1.0f,
                    0.0f);
        double t = (double)(__rdtsc() - t0) / ((m / 32) * (n / 32) * (ku / 16) * 4);
        if (t < best) best = t;
    }
    return best;
}

/* TSC cycles per tdpbf16ps of the library's probe (operands already in
 * tiles, four accumulators), best of 5 */
static double probe_cycles(void)
{
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
        uint64_t t0 = __rdtsc();
        fnn_amx_probe(20000);
        double t = (double)(__rdtsc() - t0) / 80000;
        if (t < best) best = t;
    }
    fnn_amx_thread_begin(); /* the probe released the tiles: configure them for the kernel */
    return best;
}

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(void)
{
    const char *why = fnn_amx_unusable_reason();
    if (why) {
        fprintf(stderr, "no AMX here: %s\n", why);
        return 1;
    }
    static const struct { const char *name; int64_t m, n, ku; } shapes[] = {
        {"forward 784->1024 b128 (kc block)", 128, 1024, 256},
        {"dW 784->1024 b128", 800, 1024, 64},
        {"forward 1024->512 b256 (kc block)", 256, 512, 256},
        {"dW 1024->512 b256", 1024, 512, 128},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const int64_t m = shapes[s].m, n = shapes[s].n, ku = shapes[s].ku;
        uint32_t *A = aligned_alloc(64, m * ku * 4), *B = aligned_alloc(64, n * ku * 4);
        float *C = aligned_alloc(64, m * n * 4);
        for (int64_t i = 0; i < m * ku; i++) A[i] = 0x3f803f80u; /* pairs of 1.0 */
        for (int64_t i = 0; i < n * ku; i++) B[i] = 0x3c003c00u; /* pairs of 2^-7 */
        memset(C, 0, m * n * 4);
        double share[ROUNDS], kern[ROUNDS], speedup[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            const double p = probe_cycles();
#ifdef BASELINE /* which runs first alternates: the second finds the caches warm */
            const double base = r % 2 ? kernel_cycles(baseline_ukr, m, n, ku, A, B, C, 3) : 0;
#endif
            kern[r] = kernel_cycles(bench_ukr, m, n, ku, A, B, C, 3);
            share[r] = p / kern[r];
#ifdef BASELINE
            speedup[r] = (r % 2 ? base : kernel_cycles(baseline_ukr, m, n, ku, A, B, C, 3)) / kern[r];
#else
            speedup[r] = 1;
#endif
        }
        qsort(share, ROUNDS, sizeof *share, by_value);
        qsort(kern, ROUNDS, sizeof *kern, by_value);
        qsort(speedup, ROUNDS, sizeof *speedup, by_value);
        printf("%-36s %4ld x %4ld x %3ld units: %5.1f TSC cycles per tdpbf16ps (median), "
               "%3.0f%% of the probe (median; quartiles %.0f-%.0f%%)",
               shapes[s].name, (long)m, (long)n, (long)ku, kern[ROUNDS / 2],
               100 * share[ROUNDS / 2], 100 * share[ROUNDS / 4], 100 * share[3 * ROUNDS / 4]);
#ifdef BASELINE
        printf("; baseline / this %.3f (quartiles %.3f-%.3f)", speedup[ROUNDS / 2],
               speedup[ROUNDS / 4], speedup[3 * ROUNDS / 4]);
#endif
        printf("\n");
        free(A);
        free(B);
        free(C);
    }
    fnn_amx_thread_end();
    return 0;
}
