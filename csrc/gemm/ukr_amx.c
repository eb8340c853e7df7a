/* The AMX micro-kernel on the real tile instructions (built with -mamx-tile
 * -mamx-bf16; run only where dispatch/amx.c finds AMX usable). */
#ifndef FNN_NO_AMX
#include "gemm/amx_asm.h"

#define AMX_CAT_(a, b) a##_##b
#define AMX_CAT(a, b) AMX_CAT_(a, b)
#define NAME fnn_ukr_amx_bf16
#define BEGIN fnn_amx_thread_begin
#define END fnn_amx_thread_end
#include "gemm/ukr_amx.h"
#endif
