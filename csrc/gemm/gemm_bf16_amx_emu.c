/* The AMX bfloat16 GEMM driver on emulated tiles (amx_emu.h): the same
 * driver, packing and kernel as gemm_bf16_amx.c, runnable on every CPU, for
 * tests (engine "amx-emulated"). */
#define SFX bf16_amx_emu
#define BF16_KERNEL fnn_ukr_amx_emu_bf16
#define BF16_MR FNN_UKR_AMX_MR_BF16
#define BF16_NR FNN_UKR_AMX_NR_BF16
#define BF16_NAME "gemm_bf16_amx_emulated"
#define BF16_PACK_FILE "gemm/pack_amx.inc"
#define BF16_K_PAD FNN_UKR_AMX_K_STEP
#define BF16_THREAD_BEGIN() fnn_amx_emu_thread_begin()
#define BF16_THREAD_END() fnn_amx_emu_thread_end()
#include "gemm/bf16_driver.h"
