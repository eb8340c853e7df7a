/* One bfloat16-compute GEMM driver: gemm_impl.h with float32 operands packed
 * as bfloat16 pairs (pack_bf16.inc).  The includer defines SFX (the driver's
 * name suffix), BF16_KERNEL, BF16_MR and BF16_NR; the driver is
 * fnn_gemm_<SFX>, with fnn_gemm_f32's signature.  Included by gemm_bf16.c
 * (portable kernel) and gemm_bf16_avx512bf16.c (vdpbf16ps, whose packing is
 * compiled with AVX-512 too). */
#include <stdint.h>
#include "fastnn.h"
#include "gemm/ukr.h"
#include "gemm/driver_util.h"
#ifdef FNN_HAVE_OPENMP
#include <omp.h>
#endif

#define BF16_CAT_(a, b) a##_##b
#define BF16_CAT(a, b) BF16_CAT_(a, b)
#define BF16_TABLE BF16_CAT(gemm_table, SFX)

typedef struct { int mr, nr; int64_t mc, kc, nc; fnn_ukr_bf16 kernel; } BF16_TABLE;

/* kc counts k values: 512 of them are 256 units, the bytes of a float32 kc of 256. */
static const BF16_TABLE BF16_CAT(table, SFX) = {BF16_MR, BF16_NR, 480, 512, 4096, BF16_KERNEL};

static const BF16_TABLE *BF16_CAT(select_table, SFX)(int64_t n_cols)
{
    (void)n_cols;
    return &BF16_CAT(table, SFX);
}

/* The table's sizes, for the caller's scratch estimate. */
size_t BF16_CAT(fnn_gemm_work_bytes, SFX)(int64_t m, int64_t n, int64_t k, int n_threads)
{
    const BF16_TABLE *t = &BF16_CAT(table, SFX);
    size_t a_stride, b_bytes;
    return gemm_ws_layout(m, n, k, sizeof(uint16_t), n_threads, t->mr, t->nr, t->mc, t->kc,
                          t->nc, &a_stride, &b_bytes);
}

#define T float
#define PT uint32_t
#define GEMM_KP 2
#define GEMM_PACK_FILE "gemm/pack_bf16.inc"
#include "gemm/gemm_impl.h"
#undef T

/* A weight matrix W (rows x cols, row stride ldw) kept packed as op(B) for
 * both products of a training step: `fwd` packs W (x W: k = rows) and `bwd`
 * packs W^T (dz W^T: k = cols).  After an update of the block [r0, r1) x
 * [c0, c1) of W, refresh rewrites just the units that hold it (r0 and c0
 * even, r1 and c1 even or the matrix's end, so no unit is shared with
 * another block: threads refresh their own blocks concurrently). */
size_t BF16_CAT(fnn_bf16_packed_units, SFX)(int64_t k, int64_t n)
{
    return (size_t)BF16_CAT(packed_units, SFX)(&BF16_CAT(table, SFX), k, n);
}

void BF16_CAT(fnn_bf16_pack, SFX)(int trans_b, const float *b, int64_t ldb, int64_t k, int64_t n,
                                  uint32_t *dst)
{
    BF16_CAT(pack_b_all, SFX)(&BF16_CAT(table, SFX), trans_b, b, ldb, k, n, dst);
}

void BF16_CAT(fnn_bf16_refresh, SFX)(const float *w, int64_t ldw, int64_t rows, int64_t cols,
                                     int64_t r0, int64_t r1, int64_t c0, int64_t c1,
                                     uint32_t *fwd, uint32_t *bwd)
{
    const BF16_TABLE *t = &BF16_CAT(table, SFX);
    const int64_t nr = t->nr, kc = t->kc;
    uint32_t tmp[256] __attribute__((aligned(64)));
    /* fwd: k = row pairs, n = columns; a unit row is a slice of two W rows */
    const int64_t fwd_panels = (cols + nr - 1) / nr;
    const int64_t fwd_stride = nr * (((rows < kc ? rows : kc) + 1) / 2);
    for (int64_t r = r0; r < r1; r += 2) {
        const float *lo = w + r * ldw, *hi = r + 1 < rows ? lo + ldw : NULL;
        uint32_t *panel = fwd + (r / kc * fwd_panels) * fwd_stride + (r % kc) / 2 * nr;
        for (int64_t c = c0; c < c1;) {
            const int64_t end = (c / nr + 1) * nr < c1 ? (c / nr + 1) * nr : c1;
            BF16_CAT(bf16_pairs, SFX)(lo + c, hi ? hi + c : NULL, end - c,
                                      panel + c / nr * fwd_stride + c % nr);
            c = end;
        }
    }
    /* bwd: k = column pairs, n = rows; a W row gives one column of units */
    const int64_t bwd_panels = (rows + nr - 1) / nr;
    const int64_t bwd_stride = nr * (((cols < kc ? cols : kc) + 1) / 2);
    for (int64_t r = r0; r < r1; r++) {
        const float *wr = w + r * ldw;
        for (int64_t c = c0; c < c1;) {
            /* the units of [c, end) sit in one k panel, nr apart */
            int64_t end = (c / kc + 1) * kc < c1 ? (c / kc + 1) * kc : c1;
            if (end - c > 2 * 256) end = c + 2 * 256;
            const int64_t pairs = (end - c) / 2;
            BF16_CAT(bf16_row, SFX)(wr + c, pairs, tmp);
            if ((end - c) & 1) tmp[pairs] = fnn_bf16_pair(wr[end - 1], 0.0f);
            uint32_t *d = bwd + (c / kc * bwd_panels + r / nr) * bwd_stride + (c % kc) / 2 * nr +
                          r % nr;
            for (int64_t u = 0; u < (end - c + 1) / 2; u++) d[u * nr] = tmp[u];
            c = end;
        }
    }
}

#undef BF16_TABLE
#undef BF16_CAT
#undef BF16_CAT_
