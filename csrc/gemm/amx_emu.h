/* A portable emulation of the AMX tile unit, enough for the bfloat16 GEMM:
 * eight tile registers of 16 rows x 64 bytes per thread, the tile
 * configuration (palette 1), tileloadd / tilestored with a row stride,
 * tilezero, tilerelease and tdpbf16ps.  It exists so the AMX driver, its
 * packing, edges and epilogues run and are tested on every CPU; the real
 * instructions replace these calls one for one (ukr_amx.h).
 *
 * tdpbf16ps follows the instruction's definition in Intel's SDM (the
 * revision with a "temp1" of colsb/2 float32 per row): per output element,
 * the products of the low bfloat16 of each pair and those of the high one
 * are summed apart, in pair order, each step an FP32 fused multiply-add
 * rounded to nearest even; then the two sums are added, and the result is
 * added to the accumulator.  bfloat16 and float32 subnormal inputs read as
 * zero and subnormal results are flushed to zero (DAZ/FTZ, MXCSR not
 * consulted).  Hardware may keep more precision inside a pair, so tests hold
 * both to the float32 summation bound, not to each other's bits. */
#ifndef FASTNN_GEMM_AMX_EMU_H
#define FASTNN_GEMM_AMX_EMU_H
#include <stdint.h>

#define FNN_AMX_TILES 8
#define FNN_AMX_ROWS 16
#define FNN_AMX_COLSB 64

/* The 64-byte LDTILECFG operand: palette 1 uses colsb[0..7] and rows[0..7]. */
typedef struct {
    uint8_t palette_id;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} __attribute__((aligned(64))) fnn_amx_tilecfg;

_Static_assert(sizeof(fnn_amx_tilecfg) == 64, "LDTILECFG takes 64 bytes");

/* The calling thread's tile state.  Using a tile that the loaded
 * configuration does not describe aborts, as the instruction faults. */
void fnn_amx_emu_loadconfig(const fnn_amx_tilecfg *cfg);
void fnn_amx_emu_release(void);
void fnn_amx_emu_zero(int tile);
void fnn_amx_emu_load(int tile, const void *base, int64_t stride_bytes);
void fnn_amx_emu_store(int tile, void *base, int64_t stride_bytes);
/* C[m][n] += sum over pairs k of A[m].bf16[2k, 2k+1] * B[k].bf16[2n, 2n+1]. */
void fnn_amx_emu_dpbf16ps(int tile_c, int tile_a, int tile_b);

/* One tdpbf16ps on whole 16x16 tiles, for tests: c (16 x 16 float32) is
 * updated in place from a (16 rows x 32 bfloat16) and b (16 pair rows x 16
 * columns, each a bfloat16 pair).  Runs on this thread's emulated tiles and
 * leaves them released. */
void fnn_amx_emu_dpbf16ps_once(float *c, const uint16_t *a, const uint16_t *b);
#endif
