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
#ifdef __AVX512F__
#include <immintrin.h>
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

#define BF16_REFRESH_ROWS 32  /* >= nr: one micro-panel's rows */
#define BF16_REFRESH_UNITS 64 /* units of each row converted at a time */
_Static_assert(BF16_NR <= BF16_REFRESH_ROWS, "a micro-panel's rows must fit the refresh buffer");

/* dst[u * ldd + i] = src[i * BF16_REFRESH_UNITS + u] for i < rows, u < units. */
static void BF16_CAT(transpose_units, SFX)(const uint32_t *src, int64_t rows, int64_t units,
                                           uint32_t *dst, int64_t ldd)
{
    int64_t i0 = 0;
#ifdef __AVX512F__
    /* 16 x 16 blocks: four rounds of unpacks and lane shuffles leave column j
     * of the block in register j */
    for (; i0 + 16 <= rows; i0 += 16) {
        int64_t u0 = 0;
        for (; u0 + 16 <= units; u0 += 16) {
            __m512i r[16], t[16];
            for (int i = 0; i < 16; i++)
                r[i] = _mm512_loadu_si512(src + (i0 + i) * BF16_REFRESH_UNITS + u0);
            for (int i = 0; i < 16; i += 2) {
                t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
                t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
            }
            for (int i = 0; i < 16; i += 4) {
                r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
                r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
                r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
                r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
            }
            for (int i = 0; i < 16; i += 8)
                for (int j = 0; j < 4; j++) {
                    t[i + j] = _mm512_shuffle_i32x4(r[i + j], r[i + j + 4], 0x88);
                    t[i + j + 4] = _mm512_shuffle_i32x4(r[i + j], r[i + j + 4], 0xdd);
                }
            for (int j = 0; j < 8; j++) {
                r[j] = _mm512_shuffle_i32x4(t[j], t[j + 8], 0x88);
                r[j + 8] = _mm512_shuffle_i32x4(t[j], t[j + 8], 0xdd);
            }
            for (int j = 0; j < 16; j++) _mm512_storeu_si512(dst + (u0 + j) * ldd + i0, r[j]);
        }
        for (; u0 < units; u0++)
            for (int64_t i = i0; i < i0 + 16; i++)
                dst[u0 * ldd + i] = src[i * BF16_REFRESH_UNITS + u0];
    }
#endif
    for (int64_t u = 0; u < units; u++)
        for (int64_t i = i0; i < rows; i++) dst[u * ldd + i] = src[i * BF16_REFRESH_UNITS + u];
}

void BF16_CAT(fnn_bf16_refresh, SFX)(const float *w, int64_t ldw, int64_t rows, int64_t cols,
                                     int64_t r0, int64_t r1, int64_t c0, int64_t c1,
                                     uint32_t *fwd, uint32_t *bwd)
{
    const BF16_TABLE *t = &BF16_CAT(table, SFX);
    const int64_t nr = t->nr, kc = t->kc;
    uint32_t tmp[BF16_REFRESH_ROWS * BF16_REFRESH_UNITS] __attribute__((aligned(64)));
    /* fwd: k = row pairs, n = columns; a unit row is a slice of two W rows */
    const int64_t fwd_panels = (cols + nr - 1) / nr;
    const int64_t fwd_stride = nr * (((rows < kc ? rows : kc) + 1) / 2);
    for (int64_t r = r0; fwd && r < r1; r += 2) {
        const float *lo = w + r * ldw, *hi = r + 1 < rows ? lo + ldw : NULL;
        uint32_t *panel = fwd + (r / kc * fwd_panels) * fwd_stride + (r % kc) / 2 * nr;
        for (int64_t c = c0; c < c1;) {
            const int64_t end = (c / nr + 1) * nr < c1 ? (c / nr + 1) * nr : c1;
            BF16_CAT(bf16_pairs, SFX)(lo + c, hi ? hi + c : NULL, end - c,
                                      panel + c / nr * fwd_stride + c % nr);
            c = end;
        }
    }
    /* bwd: k = column pairs, n = rows; a W row gives one column of units.
     * Rows of one micro-panel are converted into tmp side by side, then
     * transposed so each unit row of the panel is written whole. */
    const int64_t bwd_panels = (rows + nr - 1) / nr;
    const int64_t bwd_stride = nr * (((cols < kc ? cols : kc) + 1) / 2);
    for (int64_t r = r0; bwd && r < r1;) {
        const int64_t g1 = (r / nr + 1) * nr < r1 ? (r / nr + 1) * nr : r1, nrows = g1 - r;
        for (int64_t c = c0; c < c1;) {
            int64_t end = (c / kc + 1) * kc < c1 ? (c / kc + 1) * kc : c1;
            if (end - c > 2 * BF16_REFRESH_UNITS) end = c + 2 * BF16_REFRESH_UNITS;
            const int64_t pairs = (end - c) / 2, units = (end - c + 1) / 2;
            for (int64_t i = 0; i < nrows; i++) {
                const float *wr = w + (r + i) * ldw;
                BF16_CAT(bf16_row, SFX)(wr + c, pairs, tmp + i * BF16_REFRESH_UNITS);
                if (units > pairs)
                    tmp[i * BF16_REFRESH_UNITS + pairs] = fnn_bf16_pair(wr[end - 1], 0.0f);
            }
            uint32_t *d = bwd + (c / kc * bwd_panels + r / nr) * bwd_stride + (c % kc) / 2 * nr +
                          r % nr;
            BF16_CAT(transpose_units, SFX)(tmp, nrows, units, d, nr);
            c = end;
        }
        r = g1;
    }
}

#undef BF16_REFRESH_ROWS
#undef BF16_REFRESH_UNITS
#undef BF16_TABLE
#undef BF16_CAT
#undef BF16_CAT_
