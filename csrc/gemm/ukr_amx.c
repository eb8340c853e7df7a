/* The AMX micro-kernel on the real tile instructions (built with -mamx-tile
 * -mamx-bf16; run only where dispatch/amx.c finds AMX usable). */
#ifndef FNN_NO_AMX
#include <immintrin.h>

#define AMX_CAT_(a, b) a##_##b
#define AMX_CAT(a, b) AMX_CAT_(a, b)
#define NAME fnn_ukr_amx_bf16
#define BEGIN fnn_amx_thread_begin
#define END fnn_amx_thread_end
/* Configuration, loads and stores in our own asm: GCC 12's intrinsics tell
 * the compiler that ldtilecfg reads 8 bytes and that tileloadd/tilestored
 * touch no memory, so it dropped the stores that fill the configuration
 * (ldtilecfg then faults) and may move the tail copies and the reads of the
 * stored accumulators across the tile instructions. */
#define AMX_LOADCONFIG(cfg) __asm__ volatile("ldtilecfg %0" ::"m"(*(const fnn_amx_tilecfg *)(cfg)))
#define AMX_RELEASE() _tile_release()
#define AMX_ZERO(t) _tile_zero(t)
#define AMX_LOAD(t, base, stride)                                                           \
    __asm__ volatile("tileloadd (%0,%1,1), %%tmm" #t ::"r"((const void *)(base)),            \
                     "r"((long)(stride)) : "memory")
#define AMX_STORE(t, base, stride)                                                          \
    __asm__ volatile("tilestored %%tmm" #t ", (%0,%1,1)" ::"r"((void *)(base)),              \
                     "r"((long)(stride)) : "memory")
#define AMX_DP(c, a, b) _tile_dpbf16ps(c, a, b)
#include "gemm/ukr_amx.h"
#endif
