/* Template for the narrow AVX-512 micro-kernel (C at most one vector wide,
 * e.g. a 10-class output layer): included by ukr_avx512.c once per dtype with
 *
 *   T, NAME, MR, VL (lanes = NR), V, M (mask type), VZERO(), VSET1(x),
 *   VMUL(a, b), VFMA(a, b, c) = a*b + c, VLOADM(m, p) (masked, zeroing),
 *   VSTOREM(p, m, v).
 *
 * Each A element of such a product meets a single B vector, so packing A
 * would cost as much as the multiply: this kernel reads A where it lies,
 * a[i*rs_a + p*cs_a] with either cs_a == 1 (row-major, e.g. X @ W) or
 * rs_a == 1 (column-major: X^T dY, or a packed panel with cs_a == MR).  B rows
 * (b + p*ldb) and C rows are accessed with an n-lane mask, so the lanes past n
 * are never read or written and no edge tile is needed.  Otherwise the
 * contract of ukr.h holds: one FMA chain per element in increasing p, beta ==
 * 0 means C is write-only.  Rows: always MR (the caller packs a short tail). */
#define UKR_NARROW_BODY(A_AT)                                                                \
    for (int64_t p = 0; p < k; p++) {                                                        \
        V bv = VLOADM(mask, b + p * ldb);                                                    \
        _Pragma("GCC unroll 32") for (int i = 0; i < MR; i++)                                \
            acc[i] = VFMA(VSET1(A_AT(i, p)), bv, acc[i]);                                    \
    }

void NAME(int64_t k, const T *restrict a, int64_t rs_a, int64_t cs_a, const T *restrict b,
          int64_t ldb, int n, T *restrict c, int64_t ldc, T alpha, T beta)
{
    const M mask = (M)((1u << n) - 1u);
    V acc[MR];
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) acc[i] = VZERO();

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
        for (int i = 0; i < MR; i++) VSTOREM(c + i * ldc, mask, VMUL(va, acc[i]));
    } else {
        V vb = VSET1(beta);
#pragma GCC unroll 32
        for (int i = 0; i < MR; i++)
            VSTOREM(c + i * ldc, mask, VFMA(vb, VLOADM(mask, c + i * ldc), VMUL(va, acc[i])));
    }
}

#undef UKR_NARROW_BODY
#undef T
#undef NAME
#undef MR
#undef VL
#undef V
#undef M
#undef VZERO
#undef VSET1
#undef VMUL
#undef VFMA
#undef VLOADM
#undef VSTOREM
