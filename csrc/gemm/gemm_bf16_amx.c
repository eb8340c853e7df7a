/* The bfloat16 GEMM on AMX tiles (built with -mamx-tile -mamx-bf16 and
 * AVX-512 for the packing; run only where dispatch/amx.c finds AMX usable). */
#ifndef FNN_NO_AMX
#define SFX bf16_amx
#define BF16_KERNEL fnn_ukr_amx_bf16
#define BF16_MR FNN_UKR_AMX_MR_BF16
#define BF16_NR FNN_UKR_AMX_NR_BF16
#define BF16_NAME "gemm_bf16_amx"
#define BF16_PACK_FILE "gemm/pack_amx.inc"
#define BF16_K_PAD FNN_UKR_AMX_K_STEP
#define BF16_THREAD_BEGIN() fnn_amx_thread_begin()
#define BF16_THREAD_END() fnn_amx_thread_end()
#include "gemm/bf16_driver.h"
#endif
