/* The AMX tile operations as ukr_amx.h names them, on the real instructions
 * (include only in files built with -mamx-tile -mamx-bf16).  Configuration,
 * loads and stores are our own asm: GCC 12's intrinsics tell the compiler
 * that ldtilecfg reads 8 bytes and that tileloadd/tilestored touch no memory,
 * so it dropped the stores that fill the configuration (ldtilecfg then
 * faults) and may move copies into, and reads out of, tile buffers across
 * the tile instructions.  Tile numbers are literals (they name registers). */
#ifndef FASTNN_GEMM_AMX_ASM_H
#define FASTNN_GEMM_AMX_ASM_H
#include <immintrin.h>
#include "gemm/amx_emu.h"

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
#endif
