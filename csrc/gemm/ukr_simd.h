/* Template for the SIMD micro-kernels: included by ukr_avx2.c and
 * ukr_avx512.c once per dtype with
 *
 *   T, NAME, MR, NR, VL (lanes per vector), V (vector type),
 *   VZERO(), VLOAD(p), VSTORE(p, v), VSET1(x), VFMA(a, b, c) = a*b + c, VMUL(a, b)
 *
 * and, when the packed operands are not T (bfloat16 pairs), AT (their unit
 * type), VB (their vector type), VLOADB(p), VSET1A(x), and VFMA_C, the T
 * multiply-add that applies beta.
 *
 * The MR x (NR/VL) accumulators live in registers (the loops are fully
 * unrolled); per k step one row of the B panel is loaded and each A element is
 * broadcast.  See ukr.h for the contract.  The parameters are undefined at
 * the end, so a file can instantiate the template again.
 */
#define UKR_NV (NR / VL)
#ifndef AT
#define AT T
#define VB V
#define VLOADB(p) VLOAD(p)
#define VSET1A(x) VSET1(x)
#define VFMA_C(a, b, c) VFMA(a, b, c)
#endif

void NAME(int64_t k, const AT *restrict a, const AT *restrict b, int64_t ldb, T *restrict c,
          int64_t ldc,
          T alpha, T beta)
{
    V acc[MR][UKR_NV];
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
#pragma GCC unroll 8
        for (int v = 0; v < UKR_NV; v++) acc[i][v] = VZERO();
    }
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) __builtin_prefetch(c + i * ldc, 1, 3);

#pragma GCC unroll 4
    for (int64_t p = 0; p < k; p++) {
        const AT *ap = a + p * MR, *bp = b + p * ldb;
        VB bv[UKR_NV];
        __builtin_prefetch(bp + 8 * ldb, 0, 3);
#pragma GCC unroll 8
        for (int v = 0; v < UKR_NV; v++) bv[v] = VLOADB(bp + v * VL);
#pragma GCC unroll 32
        for (int i = 0; i < MR; i++) {
            VB ai = VSET1A(ap[i]);
#pragma GCC unroll 8
            for (int v = 0; v < UKR_NV; v++) acc[i][v] = VFMA(ai, bv[v], acc[i][v]);
        }
    }

    V va = VSET1(alpha);
    if (beta == 0) {
#pragma GCC unroll 32
        for (int i = 0; i < MR; i++) {
#pragma GCC unroll 8
            for (int v = 0; v < UKR_NV; v++)
                VSTORE(c + i * ldc + v * VL, VMUL(va, acc[i][v]));
        }
    } else {
        V vb = VSET1(beta);
#pragma GCC unroll 32
        for (int i = 0; i < MR; i++) {
#pragma GCC unroll 8
            for (int v = 0; v < UKR_NV; v++) {
                T *cp = c + i * ldc + v * VL;
                VSTORE(cp, VFMA_C(vb, VLOAD(cp), VMUL(va, acc[i][v])));
            }
        }
    }
}

#undef UKR_NV
#undef AT
#undef VB
#undef VLOADB
#undef VSET1A
#undef VFMA_C
#undef T
#undef NAME
#undef MR
#undef NR
#undef VL
#undef V
#undef VZERO
#undef VLOAD
#undef VSTORE
#undef VSET1
#undef VFMA
#undef VMUL
