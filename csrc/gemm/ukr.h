/* GEMM micro-kernels: one signature per packed type (float32, float64,
 * bfloat16 pairs), one file per ISA (ukr_generic.c, ukr_avx2.c, ukr_avx512.c
 * with the narrow kernel of ukr_narrow.h, ukr_avx512bf16.c); the dispatch
 * table (dispatch/kernels.h) picks one per call.
 *
 * A kernel computes one full MR x NR tile of C from packed panels:
 *
 *   C[i*ldc + j] = alpha * sum_p a[p*MR + i] * b[p*ldb + j] + beta * C[i*ldc + j]
 *
 * for 0 <= i < MR, 0 <= j < NR, p = 0..k-1 in increasing order (one FMA chain
 * per element, so the result never depends on threads).  beta == 0 means C is
 * write-only: it is not read, so NaN there does not propagate.  k may be 0.
 * ldb is NR for a packed B panel, or the row stride of B itself when a
 * small-m product reads B in place (gemm_impl.h, unpacked B).
 * Edge tiles are handled by the caller (gemm_impl.h) through a local tile.
 */
#ifndef FASTNN_GEMM_UKR_H
#define FASTNN_GEMM_UKR_H

#include <stdint.h>

typedef void (*fnn_ukr_f32)(int64_t k, const float *a, const float *b, int64_t ldb, float *c, int64_t ldc,
                            float alpha, float beta);
typedef void (*fnn_ukr_f64)(int64_t k, const double *a, const double *b, int64_t ldb, double *c,
                            int64_t ldc, double alpha, double beta);

/* bfloat16 compute: a and b hold 32-bit units of two bfloat16 k values
 * (gemm_impl.h, pack_bf16.inc); k and ldb count units.  Per element the
 * sum runs over units in order, the high pair product before the low, each
 * product exact in float32 (as vdpbf16ps does it). */
typedef void (*fnn_ukr_bf16)(int64_t k, const uint32_t *a, const uint32_t *b, int64_t ldb,
                             float *c, int64_t ldc, float alpha, float beta);

/* Narrow kernels (ukr_narrow.h): C at most NR (one or two vectors) wide, A read in
 * place at a[i*rs_a + p*cs_a], B rows at b + p*ldb (n lanes through a mask
 * where the table says masked_b_rows, else NR whole: the driver then packs B
 * zero-padded unless n == NR == ldb), C rows with an n-lane mask; always MR
 * rows. */
typedef void (*fnn_ukr_narrow_f32)(int64_t k, const float *a, int64_t rs_a, int64_t cs_a,
                                   const float *b, int64_t ldb, int n, float *c, int64_t ldc,
                                   float alpha, float beta);
typedef void (*fnn_ukr_narrow_f64)(int64_t k, const double *a, int64_t rs_a, int64_t cs_a,
                                   const double *b, int64_t ldb, int n, double *c, int64_t ldc,
                                   double alpha, double beta);

/* Tile shapes (MR rows x NR columns) per ISA and dtype. */
#define FNN_UKR_GENERIC_MR_F32 4
#define FNN_UKR_GENERIC_NR_F32 8
#define FNN_UKR_GENERIC_MR_F64 4
#define FNN_UKR_GENERIC_NR_F64 4
#define FNN_UKR_AVX2_MR_F32 6
#define FNN_UKR_AVX2_NR_F32 16
#define FNN_UKR_AVX2_MR_F64 6
#define FNN_UKR_AVX2_NR_F64 8
#define FNN_UKR_AVX512_MR_F32 12
#define FNN_UKR_AVX512_NR_F32 32
#define FNN_UKR_AVX512_MR_F64 12
#define FNN_UKR_AVX512_NR_F64 16
/* Narrow C (n <= one vector, e.g. a 10-class output layer): one zmm per row. */
#define FNN_UKR_AVX512N_MR_F32 16
#define FNN_UKR_AVX512N_NR_F32 16
#define FNN_UKR_AVX512N_MR_F64 16
#define FNN_UKR_AVX512N_NR_F64 8
/* ... and on AVX2, two ymm per row: 12 accumulators, 2 B vectors, 1 broadcast. */
#define FNN_UKR_AVX2N_MR_F32 6
#define FNN_UKR_AVX2N_NR_F32 16
#define FNN_UKR_AVX2N_MR_F64 6
#define FNN_UKR_AVX2N_NR_F64 8
#define FNN_UKR_GENERIC_MR_BF16 4
#define FNN_UKR_GENERIC_NR_BF16 8
#define FNN_UKR_AVX512_MR_BF16 12
#define FNN_UKR_AVX512_NR_BF16 32
/* AMX: C as 2 x 2 tiles of 16 x 16 float32 (gemm/ukr_amx.h). */
#define FNN_UKR_AMX_MR_BF16 32
#define FNN_UKR_AMX_NR_BF16 32
/* k values per tile step (64 bytes of a tile row); the driver pads packed
 * panels to whole steps, so the kernel's k tail is only a fallback. */
#define FNN_UKR_AMX_K_STEP 32

/* The largest tile of any kernel (sizes the caller's edge buffer). */
#define FNN_UKR_MAX_TILE (32 * 32)
_Static_assert(FNN_UKR_AMX_MR_BF16 * FNN_UKR_AMX_NR_BF16 <= FNN_UKR_MAX_TILE &&
                   FNN_UKR_AVX512N_MR_F32 * FNN_UKR_AVX512N_NR_F32 <= FNN_UKR_MAX_TILE &&
                   FNN_UKR_AVX512N_MR_F64 * FNN_UKR_AVX512N_NR_F64 <= FNN_UKR_MAX_TILE,
               "edge tile buffer too small");

void fnn_ukr_generic_f32(int64_t k, const float *a, const float *b, int64_t ldb, float *c, int64_t ldc,
                         float alpha, float beta);
void fnn_ukr_generic_f64(int64_t k, const double *a, const double *b, int64_t ldb, double *c, int64_t ldc,
                         double alpha, double beta);
void fnn_ukr_generic_bf16(int64_t k, const uint32_t *a, const uint32_t *b, int64_t ldb, float *c,
                          int64_t ldc, float alpha, float beta);
/* AMX (ukr_amx.h): A is row-major per 32-row panel (row stride k units), and
 * the calling thread must have run the matching thread_begin (tile
 * configuration) and run thread_end after its last call. */
void fnn_ukr_amx_emu_bf16(int64_t k, const uint32_t *a, const uint32_t *b, int64_t ldb, float *c,
                          int64_t ldc, float alpha, float beta);
void fnn_amx_emu_thread_begin(void);
void fnn_amx_emu_thread_end(void);
#if !defined(FNN_GENERIC_ONLY) && !defined(FNN_NO_AMX)
void fnn_ukr_amx_bf16(int64_t k, const uint32_t *a, const uint32_t *b, int64_t ldb, float *c,
                      int64_t ldc, float alpha, float beta);
void fnn_amx_thread_begin(void);
void fnn_amx_thread_end(void);
#endif
#ifndef FNN_GENERIC_ONLY
void fnn_ukr_avx512_bf16(int64_t k, const uint32_t *a, const uint32_t *b, int64_t ldb, float *c,
                         int64_t ldc, float alpha, float beta);
void fnn_ukr_avx2_f32(int64_t k, const float *a, const float *b, int64_t ldb, float *c, int64_t ldc,
                      float alpha, float beta);
void fnn_ukr_avx2_f64(int64_t k, const double *a, const double *b, int64_t ldb, double *c, int64_t ldc,
                      double alpha, double beta);
void fnn_ukr_avx512_f32(int64_t k, const float *a, const float *b, int64_t ldb, float *c, int64_t ldc,
                        float alpha, float beta);
void fnn_ukr_avx512_f64(int64_t k, const double *a, const double *b, int64_t ldb, double *c, int64_t ldc,
                        double alpha, double beta);
void fnn_ukr_avx2n_f32(int64_t k, const float *a, int64_t rs_a, int64_t cs_a, const float *b,
                       int64_t ldb, int n, float *c, int64_t ldc, float alpha, float beta);
void fnn_ukr_avx2n_f64(int64_t k, const double *a, int64_t rs_a, int64_t cs_a, const double *b,
                       int64_t ldb, int n, double *c, int64_t ldc, double alpha, double beta);
void fnn_ukr_avx512n_f32(int64_t k, const float *a, int64_t rs_a, int64_t cs_a, const float *b,
                         int64_t ldb, int n, float *c, int64_t ldc, float alpha, float beta);
void fnn_ukr_avx512n_f64(int64_t k, const double *a, int64_t rs_a, int64_t cs_a, const double *b,
                         int64_t ldb, int n, double *c, int64_t ldc, double alpha, double beta);
#endif

#endif
