/* The AMX micro-kernel on the real tile instructions (built with -mamx-tile
 * -mamx-bf16; run only where dispatch/amx.c finds AMX usable). */
#ifndef FNN_NO_AMX
#include <immintrin.h>

#define AMX_CAT_(a, b) a##_##b
#define AMX_CAT(a, b) AMX_CAT_(a, b)
#define NAME fnn_ukr_amx_bf16
#define BEGIN fnn_amx_thread_begin
#define END fnn_amx_thread_end
#define AMX_LOADCONFIG(cfg) _tile_loadconfig(cfg)
#define AMX_RELEASE() _tile_release()
#define AMX_ZERO(t) _tile_zero(t)
#define AMX_LOAD(t, base, stride) _tile_loadd(t, base, stride)
#define AMX_STORE(t, base, stride) _tile_stored(t, base, stride)
#define AMX_DP(c, a, b) _tile_dpbf16ps(c, a, b)
#include "gemm/ukr_amx.h"
#endif
