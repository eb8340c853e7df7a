/* AVX-512 micro-kernels (compiled with -mavx512f/bw/vl/dq): f32 12x32 and
 * f64 12x16, i.e. 24 zmm accumulators + 2 for the B row + 1 broadcast. */
#include <immintrin.h>
#include "gemm/ukr.h"

#define T float
#define NAME fnn_ukr_avx512_f32
#define MR FNN_UKR_AVX512_MR_F32
#define NR FNN_UKR_AVX512_NR_F32
#define VL 16
#define V __m512
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSET1(x) _mm512_set1_ps(x)
#define VFMA(x, y, z) _mm512_fmadd_ps(x, y, z)
#define VMUL(x, y) _mm512_mul_ps(x, y)
#include "gemm/ukr_simd.h"

#define T double
#define NAME fnn_ukr_avx512_f64
#define MR FNN_UKR_AVX512_MR_F64
#define NR FNN_UKR_AVX512_NR_F64
#define VL 8
#define V __m512d
#define VZERO() _mm512_setzero_pd()
#define VLOAD(p) _mm512_loadu_pd(p)
#define VSTORE(p, v) _mm512_storeu_pd(p, v)
#define VSET1(x) _mm512_set1_pd(x)
#define VFMA(x, y, z) _mm512_fmadd_pd(x, y, z)
#define VMUL(x, y) _mm512_mul_pd(x, y)
#include "gemm/ukr_simd.h"

/* Narrow C: one zmm per row, A read in place (ukr_narrow.h). */
#define T float
#define NAME fnn_ukr_avx512n_f32
#define MR FNN_UKR_AVX512N_MR_F32
#define VL 16
#define V __m512
#define M __mmask16
#define VMASK(r) ((M)((1u << (r)) - 1u))
#define VZERO() _mm512_setzero_ps()
#define VSET1(x) _mm512_set1_ps(x)
#define VMUL(x, y) _mm512_mul_ps(x, y)
#define VFMA(x, y, z) _mm512_fmadd_ps(x, y, z)
#define VLOADM(m, p) _mm512_maskz_loadu_ps(m, p)
#define VLOADB(m, p) VLOADM(m, p)
#define VSTOREM(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#include "gemm/ukr_narrow.h"

#define T double
#define NAME fnn_ukr_avx512n_f64
#define MR FNN_UKR_AVX512N_MR_F64
#define VL 8
#define V __m512d
#define M __mmask8
#define VMASK(r) ((M)((1u << (r)) - 1u))
#define VZERO() _mm512_setzero_pd()
#define VSET1(x) _mm512_set1_pd(x)
#define VMUL(x, y) _mm512_mul_pd(x, y)
#define VFMA(x, y, z) _mm512_fmadd_pd(x, y, z)
#define VLOADM(m, p) _mm512_maskz_loadu_pd(m, p)
#define VLOADB(m, p) VLOADM(m, p)
#define VSTOREM(p, m, v) _mm512_mask_storeu_pd(p, m, v)
#include "gemm/ukr_narrow.h"
