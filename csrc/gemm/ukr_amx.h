/* The AMX bfloat16 micro-kernel, written once over six tile operations that
 * the includer defines: with the real instructions (ukr_amx.c) or with the
 * portable emulation (ukr_amx_emu.c, amx_emu.h).
 *
 *   AMX_LOADCONFIG(cfg)  AMX_RELEASE()  AMX_ZERO(t)
 *   AMX_LOAD(t, base, stride_bytes)  AMX_STORE(t, base, stride_bytes)
 *   AMX_DP(c, a, b)      (tdpbf16ps: c += a . b)
 *
 * plus NAME (the kernel), BEGIN / END (the per-thread tile configuration and
 * release, called by the driver inside its parallel region).
 *
 * One call computes a 32 x 32 block of C held in four 16 x 16 float32 tiles
 * (0: rows 0-15 x cols 0-15, 1: rows 0-15 x cols 16-31, 2 and 3 the same
 * for rows 16-31).  Each step takes 16 units (32 bfloat16 values of k): A
 * as tiles 4 (rows 0-15) and 5 (rows 16-31), 16 rows x 64 bytes of the
 * row-major A panel (pack_amx.inc), and B as tiles 6 (cols 0-15) and 7
 * (cols 16-31), 16 unit rows x 16 pair columns of the pair-interleaved B
 * panel (pack_bf16.inc), which is the layout tdpbf16ps reads.  A k not a
 * multiple of 16 units ends with one step from zero-padded copies: a zero
 * pair adds +0, which leaves every sum as it was. */
#include <stdint.h>
#include <string.h>
#include "gemm/ukr.h"
#include "gemm/amx_emu.h"

#define AMX_STEP (FNN_UKR_AMX_K_STEP / 2) /* units of k per tile step: 64 bytes of a tile row */

_Static_assert(FNN_UKR_AMX_MR_BF16 == 32 && FNN_UKR_AMX_NR_BF16 == 32,
               "the kernel holds C as 2 x 2 tiles of 16 x 16");

/* Every tile 16 rows x 64 bytes, palette 1. */
static void AMX_CAT(tile_config, NAME)(fnn_amx_tilecfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->palette_id = 1;
    for (int t = 0; t < FNN_AMX_TILES; t++) {
        cfg->rows[t] = FNN_AMX_ROWS;
        cfg->colsb[t] = FNN_AMX_COLSB;
    }
}

void BEGIN(void)
{
    fnn_amx_tilecfg cfg;
    AMX_CAT(tile_config, NAME)(&cfg);
    AMX_LOADCONFIG(&cfg);
}

void END(void) { AMX_RELEASE(); }

/* k counts units; a is 32 rows of k units (row stride k), b is k unit rows of
 * ldb units (the packed panel: ldb = 32). */
void NAME(int64_t k, const uint32_t *a, const uint32_t *b, int64_t ldb, float *c, int64_t ldc,
          float alpha, float beta)
{
    float acc[32 * 32] __attribute__((aligned(64)));
    const int64_t a_stride = k * 4, b_stride = ldb * 4, full = k / AMX_STEP * AMX_STEP;
    AMX_ZERO(0);
    AMX_ZERO(1);
    AMX_ZERO(2);
    AMX_ZERO(3);
    /* Software-pipelined: tiles are not renamed, so each is reloaded for the
     * next step right after its last use in this one, and the loads overlap
     * the other products instead of waiting for all four. */
    if (full > 0) {
        AMX_LOAD(4, a, a_stride);
        AMX_LOAD(6, b, b_stride);
        AMX_LOAD(5, a + 16 * k, a_stride);
        AMX_LOAD(7, b + 16, b_stride);
        for (int64_t q = AMX_STEP; q < full; q += AMX_STEP) {
            AMX_DP(0, 4, 6);
            AMX_DP(2, 5, 6);
            AMX_LOAD(6, b + q * ldb, b_stride);
            AMX_DP(1, 4, 7);
            AMX_LOAD(4, a + q, a_stride);
            AMX_DP(3, 5, 7);
            AMX_LOAD(5, a + 16 * k + q, a_stride);
            AMX_LOAD(7, b + q * ldb + 16, b_stride);
        }
        AMX_DP(0, 4, 6);
        AMX_DP(2, 5, 6);
        AMX_DP(1, 4, 7);
        AMX_DP(3, 5, 7);
    }
    if (full < k) { /* the last k units, zero-padded to a whole step */
        uint32_t a_tail[32 * AMX_STEP] __attribute__((aligned(64)));
        uint32_t b_tail[AMX_STEP * 32] __attribute__((aligned(64)));
        const int64_t rem = k - full;
        memset(a_tail, 0, sizeof a_tail);
        memset(b_tail, 0, sizeof b_tail);
        for (int i = 0; i < 32; i++) memcpy(a_tail + i * AMX_STEP, a + i * k + full, rem * 4);
        for (int64_t p = 0; p < rem; p++) memcpy(b_tail + p * 32, b + (full + p) * ldb, 32 * 4);
        AMX_LOAD(4, a_tail, AMX_STEP * 4);
        AMX_LOAD(5, a_tail + 16 * AMX_STEP, AMX_STEP * 4);
        AMX_LOAD(6, b_tail, 32 * 4);
        AMX_LOAD(7, b_tail + 16, 32 * 4);
        AMX_DP(0, 4, 6);
        AMX_DP(1, 4, 7);
        AMX_DP(2, 5, 6);
        AMX_DP(3, 5, 7);
    }
    AMX_STORE(0, acc, 32 * 4);
    AMX_STORE(1, acc + 16, 32 * 4);
    AMX_STORE(2, acc + 16 * 32, 32 * 4);
    AMX_STORE(3, acc + 16 * 32 + 16, 32 * 4);
    if (beta == 0) { /* C write-only: NaN there does not propagate */
        for (int i = 0; i < 32; i++)
            for (int j = 0; j < 32; j++) c[i * ldc + j] = alpha * acc[i * 32 + j];
    } else {
        for (int i = 0; i < 32; i++)
            for (int j = 0; j < 32; j++) c[i * ldc + j] = alpha * acc[i * 32 + j] + beta * c[i * ldc + j];
    }
}
