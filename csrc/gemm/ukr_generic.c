/* Portable micro-kernel (any architecture, baseline flags).  Plain C loops
 * over a small accumulator tile that the compiler keeps in registers and
 * vectorises with whatever the baseline offers (SSE2 on x86-64). */
#include "gemm/ukr.h"
#include "gemm/bf16.h"

#define DEFINE_UKR_GENERIC(T, SFX, MR, NR)                                                   \
void fnn_ukr_generic_##SFX(int64_t k, const T *restrict a, const T *restrict b,              \
                           int64_t ldb, T *restrict c, int64_t ldc, T alpha, T beta)                      \
{                                                                                            \
    T acc[MR][NR] = {{0}};                                                                   \
    for (int64_t p = 0; p < k; p++) {                                                        \
        const T *ap = a + p * MR, *bp = b + p * ldb;                                          \
        for (int i = 0; i < MR; i++)                                                         \
            for (int j = 0; j < NR; j++)                                                     \
                acc[i][j] += ap[i] * bp[j];                                                  \
    }                                                                                        \
    if (beta == 0) {                                                                         \
        for (int i = 0; i < MR; i++)                                                         \
            for (int j = 0; j < NR; j++) c[i * ldc + j] = alpha * acc[i][j];                 \
    } else {                                                                                 \
        for (int i = 0; i < MR; i++)                                                         \
            for (int j = 0; j < NR; j++)                                                     \
                c[i * ldc + j] = alpha * acc[i][j] + beta * c[i * ldc + j];                  \
    }                                                                                        \
}

DEFINE_UKR_GENERIC(float, f32, FNN_UKR_GENERIC_MR_F32, FNN_UKR_GENERIC_NR_F32)
DEFINE_UKR_GENERIC(double, f64, FNN_UKR_GENERIC_MR_F64, FNN_UKR_GENERIC_NR_F64)

/* bfloat16 pairs, emulated: each product of two bfloat16 is exact in float32,
 * so a multiply and an add round once, like the hardware's dot product. */
void fnn_ukr_generic_bf16(int64_t k, const uint32_t *restrict a, const uint32_t *restrict b,
                          int64_t ldb, float *restrict c, int64_t ldc, float alpha, float beta)
{
    enum { MR = FNN_UKR_GENERIC_MR_BF16, NR = FNN_UKR_GENERIC_NR_BF16 };
    float acc[MR][NR] = {{0}};
    for (int64_t p = 0; p < k; p++) {
        const uint32_t *ap = a + p * MR, *bp = b + p * ldb;
        for (int i = 0; i < MR; i++) {
            const float a_lo = fnn_bf16_to_float(ap[i] & 0xffffu), a_hi = fnn_bf16_to_float(ap[i] >> 16);
            for (int j = 0; j < NR; j++) {
                acc[i][j] += a_hi * fnn_bf16_to_float(bp[j] >> 16);
                acc[i][j] += a_lo * fnn_bf16_to_float(bp[j] & 0xffffu);
            }
        }
    }
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++)
            c[i * ldc + j] = alpha * acc[i][j] + (beta == 0 ? 0.0f : beta * c[i * ldc + j]);
}
