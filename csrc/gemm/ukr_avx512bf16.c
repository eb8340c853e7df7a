/* AVX-512 BF16 micro-kernel (compiled with -mavx512bf16): 12x32 float32
 * accumulators, each vdpbf16ps adding the products of one bfloat16 pair of A
 * (broadcast) with 16 pairs of the B panel: twice the multiply-adds of an
 * FMA per instruction. */
#include <immintrin.h>
#include "gemm/ukr.h"

#define T float
#define AT uint32_t
#define NAME fnn_ukr_avx512_bf16
#define MR FNN_UKR_AVX512_MR_BF16
#define NR FNN_UKR_AVX512_NR_BF16
#define VL 16
#define V __m512
#define VB __m512i
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VLOADB(p) _mm512_loadu_si512(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSET1(x) _mm512_set1_ps(x)
#define VSET1A(x) _mm512_set1_epi32((int)(x))
#define VFMA(x, y, z) _mm512_dpbf16_ps(z, (__m512bh)(x), (__m512bh)(y))
#define VMUL(x, y) _mm512_mul_ps(x, y)
#define VFMA_C(x, y, z) _mm512_fmadd_ps(x, y, z)
#include "gemm/ukr_simd.h"
