/* tdpbf16ps throughput probe: four independent 16 x 16 accumulators (the
 * micro-kernel's 2 x 2), each instruction 16 x 16 x 32 multiply-adds, as
 * the FMA probes of peak_avx512.c count theirs.  Runs on the calling thread
 * with the micro-kernel's tile configuration; only where AMX is usable. */
#ifndef FNN_NO_AMX
#include <stdint.h>
#include "gemm/amx_asm.h"
#include "gemm/ukr.h"

float fnn_amx_probe(int64_t iters)
{
    /* bfloat16 pairs (1e-7, 1e-7) and (1, 1): finite sums however long */
    uint32_t tiny[16 * 16] __attribute__((aligned(64)));
    uint32_t one[16 * 16] __attribute__((aligned(64)));
    float out[16 * 16] __attribute__((aligned(64)));
    for (int i = 0; i < 16 * 16; i++) {
        tiny[i] = 0x33d633d6u;
        one[i] = 0x3f803f80u;
    }
    fnn_amx_thread_begin();
    AMX_ZERO(0);
    AMX_ZERO(1);
    AMX_ZERO(2);
    AMX_ZERO(3);
    AMX_LOAD(4, tiny, 64);
    AMX_LOAD(5, tiny, 64);
    AMX_LOAD(6, one, 64);
    AMX_LOAD(7, one, 64);
    for (int64_t i = 0; i < iters; i++) {
        AMX_DP(0, 4, 6);
        AMX_DP(1, 4, 7);
        AMX_DP(2, 5, 6);
        AMX_DP(3, 5, 7);
    }
    AMX_STORE(0, out, 64);
    fnn_amx_thread_end();
    return out[0];
}
#endif
