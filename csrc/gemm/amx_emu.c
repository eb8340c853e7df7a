/* The AMX tile emulation (amx_emu.h): one register file per thread. */
#include "gemm/amx_emu.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int configured;
    uint8_t rows[FNN_AMX_TILES];
    uint16_t colsb[FNN_AMX_TILES];
    uint8_t data[FNN_AMX_TILES][FNN_AMX_ROWS][FNN_AMX_COLSB] __attribute__((aligned(64)));
} amx_emu_state;

static _Thread_local amx_emu_state amx;

static void amx_fault(const char *what, int tile)
{
    fprintf(stderr, "fastnn: emulated AMX fault: %s (tile %d)\n", what, tile);
    abort();
}

static void check_tile(int tile)
{
    if (!amx.configured) amx_fault("tile used before LDTILECFG", tile);
    if (tile < 0 || tile >= FNN_AMX_TILES) amx_fault("no such tile", tile);
    if (amx.rows[tile] == 0 || amx.colsb[tile] == 0) amx_fault("tile not configured", tile);
}

void fnn_amx_emu_loadconfig(const fnn_amx_tilecfg *cfg)
{
    if (cfg->palette_id != 1) amx_fault("palette other than 1", -1);
    for (int t = 0; t < FNN_AMX_TILES; t++) {
        if (cfg->rows[t] > FNN_AMX_ROWS || cfg->colsb[t] > FNN_AMX_COLSB || (cfg->colsb[t] & 3))
            amx_fault("tile shape beyond palette 1", t);
        amx.rows[t] = cfg->rows[t];
        amx.colsb[t] = cfg->colsb[t];
    }
    memset(amx.data, 0, sizeof amx.data); /* LDTILECFG zeroes every tile */
    amx.configured = 1;
}

void fnn_amx_emu_release(void)
{
    memset(&amx, 0, sizeof amx);
}

void fnn_amx_emu_zero(int tile)
{
    check_tile(tile);
    memset(amx.data[tile], 0, sizeof amx.data[tile]);
}

/* Rows and bytes past the configured shape read as zero. */
void fnn_amx_emu_load(int tile, const void *base, int64_t stride_bytes)
{
    check_tile(tile);
    memset(amx.data[tile], 0, sizeof amx.data[tile]);
    for (int r = 0; r < amx.rows[tile]; r++)
        memcpy(amx.data[tile][r], (const char *)base + r * stride_bytes, amx.colsb[tile]);
}

void fnn_amx_emu_store(int tile, void *base, int64_t stride_bytes)
{
    check_tile(tile);
    for (int r = 0; r < amx.rows[tile]; r++)
        memcpy((char *)base + r * stride_bytes, amx.data[tile][r], amx.colsb[tile]);
}

/* A float32 from its bits, subnormals read as signed zero (DAZ). */
static float daz32(uint32_t u)
{
    if ((u & 0x7f800000u) == 0) u &= 0x80000000u;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static float bf16_daz(uint16_t h) { return daz32((uint32_t)h << 16); }

/* Subnormal results become signed zero (FTZ). */
static float ftz(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return daz32(u);
}

void fnn_amx_emu_dpbf16ps(int tile_c, int tile_a, int tile_b)
{
    check_tile(tile_c);
    check_tile(tile_a);
    check_tile(tile_b);
    const int rows = amx.rows[tile_c], cols = amx.colsb[tile_c] / 4;
    const int pairs = amx.colsb[tile_a] / 4;
    if (amx.rows[tile_a] != rows || amx.rows[tile_b] != pairs || amx.colsb[tile_b] != amx.colsb[tile_c])
        amx_fault("tdpbf16ps tile shapes do not match", tile_c);
    for (int m = 0; m < rows; m++) {
        float even[FNN_AMX_COLSB / 4] = {0}, odd[FNN_AMX_COLSB / 4] = {0};
        for (int k = 0; k < pairs; k++) {
            uint16_t a2[2], b2[2];
            memcpy(a2, &amx.data[tile_a][m][4 * k], sizeof a2);
            const float a_lo = bf16_daz(a2[0]), a_hi = bf16_daz(a2[1]);
            for (int n = 0; n < cols; n++) {
                memcpy(b2, &amx.data[tile_b][k][4 * n], sizeof b2);
                even[n] = ftz(fmaf(a_lo, bf16_daz(b2[0]), even[n]));
                odd[n] = ftz(fmaf(a_hi, bf16_daz(b2[1]), odd[n]));
            }
        }
        for (int n = 0; n < cols; n++) {
            uint32_t u;
            memcpy(&u, &amx.data[tile_c][m][4 * n], sizeof u);
            const float sum = ftz(ftz(even[n] + odd[n]) + daz32(u));
            memcpy(&amx.data[tile_c][m][4 * n], &sum, sizeof sum);
        }
    }
}

void fnn_amx_emu_dpbf16ps_once(float *c, const uint16_t *a, const uint16_t *b)
{
    fnn_amx_tilecfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette_id = 1;
    for (int t = 0; t < 3; t++) cfg.rows[t] = FNN_AMX_ROWS, cfg.colsb[t] = FNN_AMX_COLSB;
    fnn_amx_emu_loadconfig(&cfg);
    fnn_amx_emu_load(0, c, 64);
    fnn_amx_emu_load(1, a, 64);
    fnn_amx_emu_load(2, b, 64);
    fnn_amx_emu_dpbf16ps(0, 1, 2);
    fnn_amx_emu_store(0, c, 64);
    fnn_amx_emu_release();
}
