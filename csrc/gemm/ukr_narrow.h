/* Template for the narrow micro-kernels (C at most NV vectors wide, e.g. a
 * 10-class output layer): included by ukr_avx512.c (NV 1) and ukr_avx2.c
 * (NV 2) once per dtype with
 *
 *   T, NAME, MR, VL (lanes per vector; NR = NV * VL), NV (default 1), V,
 *   M (mask type), VMASK(r) (a vector's first min(r, VL) lanes, none for
 *   r <= 0; with NV 1 only 1 <= r <= VL occurs), VZERO(), VSET1(x), VMUL(a, b),
 *   VFMA(a, b, c) = a*b + c,
 *   VLOADM(m, p) (masked, zeroing), VSTOREM(p, m, v), VLOADB(m, p) (a B
 *   row: may ignore the mask, AVX2's masked loads being slow).
 *
 * Each A element of such a product meets a single B vector, so packing A
 * would cost as much as the multiply: this kernel reads A where it lies,
 * a[i*rs_a + p*cs_a] with either cs_a == 1 (row-major, e.g. X @ W) or
 * rs_a == 1 (column-major: X^T dY, or a packed panel with cs_a == MR).  B rows
 * (b + p*ldb) load through VLOADB: n lanes through the mask where it honours
 * it (the table's masked_b_rows; B may then lie in place), else NR whole, for
 * which the driver packs B zero-padded unless n == NR == ldb.  C rows are
 * accessed with an n-lane mask, so the lanes past n are never written and no
 * edge tile is needed.  Otherwise the
 * contract of ukr.h holds: one FMA chain per element in increasing p, beta ==
 * 0 means C is write-only.  Rows: always MR (the caller packs a short tail). */
#ifndef NV
#define NV 1
#endif
#define UKR_NARROW_BODY(A_AT)                                                                \
    for (int64_t p = 0; p < k; p++) {                                                        \
        V bv[NV];                                                                            \
        _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++)                                 \
            bv[v] = VLOADB(mask[v], b + p * ldb + v * VL);                                   \
        _Pragma("GCC unroll 32") for (int i = 0; i < MR; i++) {                              \
            const V ai = VSET1(A_AT(i, p));                                                  \
            _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++)                             \
                acc[i][v] = VFMA(ai, bv[v], acc[i][v]);                                      \
        }                                                                                    \
    }

void NAME(int64_t k, const T *restrict a, int64_t rs_a, int64_t cs_a, const T *restrict b,
          int64_t ldb, int n, T *restrict c, int64_t ldc, T alpha, T beta)
{
    M mask[NV];
    V acc[MR][NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) mask[v] = VMASK(n - v * VL);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) acc[i][v] = VZERO();

    if (cs_a == 1) {
        /* MR row streams; row pointers keep the broadcast a plain load */
        const T *row[MR];
#pragma GCC unroll 32
        for (int i = 0; i < MR; i++) row[i] = a + i * rs_a;
#define UKR_A_ROWS(i, p) row[i][p]
        UKR_NARROW_BODY(UKR_A_ROWS)
#undef UKR_A_ROWS
    } else {
#define UKR_A_COLS(i, p) a[(p) * cs_a + (i)]
        UKR_NARROW_BODY(UKR_A_COLS)
#undef UKR_A_COLS
    }

    V va = VSET1(alpha);
    if (beta == 0) {
#pragma GCC unroll 32
        for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++)
                VSTOREM(c + i * ldc + v * VL, mask[v], VMUL(va, acc[i][v]));
    } else {
        V vb = VSET1(beta);
#pragma GCC unroll 32
        for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++) {
                T *ci = c + i * ldc + v * VL;
                VSTOREM(ci, mask[v], VFMA(vb, VLOADM(mask[v], ci), VMUL(va, acc[i][v])));
            }
    }
}

#undef UKR_NARROW_BODY
#undef T
#undef NAME
#undef MR
#undef VL
#undef NV
#undef V
#undef M
#undef VMASK
#undef VZERO
#undef VSET1
#undef VMUL
#undef VFMA
#undef VLOADM
#undef VLOADB
#undef VSTOREM
