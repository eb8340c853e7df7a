/* AVX2+FMA micro-kernels (compiled with -mavx2 -mfma): f32 6x16 and f64 6x8,
 * i.e. 12 ymm accumulators + 2 for the B row + 1 broadcast. */
#include <immintrin.h>
#include "gemm/ukr.h"

#define T float
#define NAME fnn_ukr_avx2_f32
#define MR FNN_UKR_AVX2_MR_F32
#define NR FNN_UKR_AVX2_NR_F32
#define VL 8
#define V __m256
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VSET1(x) _mm256_set1_ps(x)
#define VFMA(x, y, z) _mm256_fmadd_ps(x, y, z)
#define VMUL(x, y) _mm256_mul_ps(x, y)
#include "gemm/ukr_simd.h"

#define T double
#define NAME fnn_ukr_avx2_f64
#define MR FNN_UKR_AVX2_MR_F64
#define NR FNN_UKR_AVX2_NR_F64
#define VL 4
#define V __m256d
#define VZERO() _mm256_setzero_pd()
#define VLOAD(p) _mm256_loadu_pd(p)
#define VSTORE(p, v) _mm256_storeu_pd(p, v)
#define VSET1(x) _mm256_set1_pd(x)
#define VFMA(x, y, z) _mm256_fmadd_pd(x, y, z)
#define VMUL(x, y) _mm256_mul_pd(x, y)
#include "gemm/ukr_simd.h"
