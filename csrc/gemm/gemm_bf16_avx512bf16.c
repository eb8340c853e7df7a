/* The bfloat16 GEMM on AVX-512 BF16 (built with -mavx512bf16; run only when
 * CPUID reports it, see dispatch/kernels.c). */
#define SFX bf16_avx512
#define BF16_KERNEL fnn_ukr_avx512_bf16
#define BF16_MR FNN_UKR_AVX512_MR_BF16
#define BF16_NR FNN_UKR_AVX512_NR_BF16
#define BF16_NAME "gemm_bf16_avx512bf16"
#include "gemm/bf16_driver.h"
