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

/* Narrow C (ukr_narrow.h): two ymm per row, so up to 16 float (8 double)
 * columns, e.g. a 10-class output layer, on 12 accumulators; A read in place. */

#define T float
#define NAME fnn_ukr_avx2n_f32
#define MR FNN_UKR_AVX2N_MR_F32
#define VL 8
#define NV 2
#define V __m256
#define M __m256i
#define VMASK(r) _mm256_cmpgt_epi32(_mm256_set1_epi32(r), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define VZERO() _mm256_setzero_ps()
#define VSET1(x) _mm256_set1_ps(x)
#define VMUL(x, y) _mm256_mul_ps(x, y)
#define VFMA(x, y, z) _mm256_fmadd_ps(x, y, z)
#define VLOADM(m, p) _mm256_maskload_ps(p, m)
#define VLOADB(m, p) _mm256_loadu_ps(p)
#define VSTOREM(p, m, v) _mm256_maskstore_ps(p, m, v)
#include "gemm/ukr_narrow.h"

#define T double
#define NAME fnn_ukr_avx2n_f64
#define MR FNN_UKR_AVX2N_MR_F64
#define VL 4
#define NV 2
#define V __m256d
#define M __m256i
#define VMASK(r) _mm256_cmpgt_epi64(_mm256_set1_epi64x(r), _mm256_setr_epi64x(0, 1, 2, 3))
#define VZERO() _mm256_setzero_pd()
#define VSET1(x) _mm256_set1_pd(x)
#define VMUL(x, y) _mm256_mul_pd(x, y)
#define VFMA(x, y, z) _mm256_fmadd_pd(x, y, z)
#define VLOADM(m, p) _mm256_maskload_pd(p, m)
#define VLOADB(m, p) _mm256_loadu_pd(p)
#define VSTOREM(p, m, v) _mm256_maskstore_pd(p, m, v)
#include "gemm/ukr_narrow.h"
