/* The dispatch table (kernels.h): one filled table per ISA this build has,
 * each made by fill_generic and then the ISA's own override, and a pointer
 * to the selected one.  The tables never change once filled, so a driver
 * holding a snapshot stays consistent even if fnn_set_isa runs meanwhile. */
#include "dispatch/kernels.h"
#include "dispatch/cache.h"

/* GEMM block sizes: kc fixed per ISA and dtype (it alone sets the order of
 * a k sum); mc and nc below are the defaults, replaced on every wide kernel
 * by the ones made from this machine's caches when sysfs has them
 * (apply_cache_blocking).  float64 on Zen 4: kc 128 and 192 were slower than 256;
 * mc 120 with kc 512 gained ~3% at 1024^3-2048^3 but lost 5-8% at 256^3-512^3
 * (twice the passes over B), so they stay at mc 240, kc 256. */
#define GEMM_KC 256
#define GEMM_NC_F32 4096
#define GEMM_NC_F64 2048
#define GEMM_MC_GENERIC_F32 256
#define GEMM_MC_GENERIC_F64 128
#define GEMM_MC_SIMD_F32 480
#define GEMM_MC_SIMD_F64 240
/* Narrow kernels: 20 panels of rows per epilogue block. */
#define GEMM_NARROW_PANELS 20

/* A wide (kernel) or narrow (narrow) GEMM entry: dtype SFX/USFX, ISA isa/UISA
 * (the ukr.h spellings); the name is the kernel's with its tile. */
#define GEMM_NAME(SFX, USFX, isa, UISA)                                                      \
    FNN_TILE_NAME("gemm_" #SFX "_" #isa, FNN_UKR_##UISA##_MR_##USFX, FNN_UKR_##UISA##_NR_##USFX)
#define GEMM_WIDE(SFX, USFX, isa, UISA, MC, NC)                                              \
    ((fnn_gemm_kernel_##SFX){FNN_UKR_##UISA##_MR_##USFX, FNN_UKR_##UISA##_NR_##USFX, MC,     \
                             GEMM_KC, NC, fnn_ukr_##isa##_##SFX, NULL,                       \
                             GEMM_NAME(SFX, USFX, isa, UISA), 0})
/* MASKED_B: the kernel loads B rows through a mask (see fnn_gemm_kernel_f32). */
#define GEMM_NARROW(SFX, USFX, isa, UISA, NC, MASKED_B)                                      \
    ((fnn_gemm_kernel_##SFX){FNN_UKR_##UISA##_MR_##USFX, FNN_UKR_##UISA##_NR_##USFX,         \
                             GEMM_NARROW_PANELS * FNN_UKR_##UISA##_MR_##USFX, GEMM_KC, NC,   \
                             NULL, fnn_ukr_##isa##_##SFX, GEMM_NAME(SFX, USFX, isa, UISA),   \
                             MASKED_B})

/* bfloat16 compute: the ISA's default engine (dispatch/bf16_engines.c). */
static void choose_bf16_engine(fnn_kernels *k, fnn_isa isa) { k->bf16 = fnn_bf16_default(isa); }

/* The portable row: every role has a kernel that runs anywhere. */
static void fill_generic(fnn_kernels *k)
{
    k->gemm_f32 = GEMM_WIDE(f32, F32, generic, GENERIC, GEMM_MC_GENERIC_F32, GEMM_NC_F32);
    k->gemm_f64 = GEMM_WIDE(f64, F64, generic, GENERIC, GEMM_MC_GENERIC_F64, GEMM_NC_F64);
    k->gemm_f32_narrow = (fnn_gemm_kernel_f32){0};
    k->gemm_f64_narrow = (fnn_gemm_kernel_f64){0};
    k->hot_f32.table = &fnn_hot_f32_generic;
    k->hot_f32.name = "hot_f32_generic";
    k->hot_f64.table = &fnn_hot_f64_generic;
    k->hot_f64.name = "hot_f64_generic";
    k->fma_probe.fn = fnn_fma_probe_generic;
    k->fma_probe.lanes = 1;
    k->fma_probe.name = "peak_generic";
    choose_bf16_engine(k, FNN_ISA_GENERIC);
}

#ifndef FNN_GENERIC_ONLY
static void fill_avx2(fnn_kernels *k)
{
    k->gemm_f32 = GEMM_WIDE(f32, F32, avx2, AVX2, GEMM_MC_SIMD_F32, GEMM_NC_F32);
    k->gemm_f64 = GEMM_WIDE(f64, F64, avx2, AVX2, GEMM_MC_SIMD_F64, GEMM_NC_F64);
    /* a narrow C (a 10-class layer): two-vector rows, A read in place, B rows
     * loaded whole (vmaskmovps loads are slow), C's masked */
    k->gemm_f32_narrow = GEMM_NARROW(f32, F32, avx2n, AVX2N, GEMM_NC_F32, 0);
    k->gemm_f64_narrow = GEMM_NARROW(f64, F64, avx2n, AVX2N, GEMM_NC_F64, 0);
    k->hot_f32.table = &fnn_hot_f32_avx2;
    k->hot_f32.name = "hot_f32_avx2";
    k->hot_f64.table = &fnn_hot_f64_avx2;
    k->hot_f64.name = "hot_f64_avx2";
    k->fma_probe.fn = fnn_fma_probe_avx2;
    k->fma_probe.lanes = 8;
    k->fma_probe.name = "peak_avx2";
    choose_bf16_engine(k, FNN_ISA_AVX2);
}

/* A narrow C (e.g. a 10-class output layer) would waste most of the wide
 * 12x32 tile: it gets the tall one-vector tile instead, B and C rows through
 * masked loads and stores (B left in place unless transposed). */
static void fill_avx512(fnn_kernels *k)
{
    k->gemm_f32 = GEMM_WIDE(f32, F32, avx512, AVX512, GEMM_MC_SIMD_F32, GEMM_NC_F32);
    k->gemm_f64 = GEMM_WIDE(f64, F64, avx512, AVX512, GEMM_MC_SIMD_F64, GEMM_NC_F64);
    k->gemm_f32_narrow = GEMM_NARROW(f32, F32, avx512n, AVX512N, GEMM_NC_F32, 1);
    k->gemm_f64_narrow = GEMM_NARROW(f64, F64, avx512n, AVX512N, GEMM_NC_F64, 1);
    k->hot_f32.table = &fnn_hot_f32_avx512;
    k->hot_f32.name = "hot_f32_avx512";
    k->hot_f64.table = &fnn_hot_f64_avx512;
    k->hot_f64.name = "hot_f64_avx512";
    k->fma_probe.fn = fnn_fma_probe_avx512;
    k->fma_probe.lanes = 16;
    k->fma_probe.name = "peak_avx512";
    choose_bf16_engine(k, FNN_ISA_AVX512);
}
#endif

static fnn_kernels generic_row;
#ifndef FNN_GENERIC_ONLY
static fnn_kernels avx2_row, avx512_row;
#endif
static fnn_kernels *const all_rows[] = {
    &generic_row,
#ifndef FNN_GENERIC_ONLY
    &avx2_row, &avx512_row,
#endif
};
#define N_ROWS ((int)(sizeof(all_rows) / sizeof(all_rows[0])))

/* Where mc and nc came from: "sysfs" or "default" (set once, with the rows). */
static const char *blocking_source = "default";
#define CACHE_DIR "/sys/devices/system/cpu/cpu0/cache"

static void apply_cache_blocking(fnn_kernels *k, const fnn_cache_sizes *c)
{
    fnn_cache_blocking(c, sizeof(float), k->gemm_f32.mr, k->gemm_f32.nr, k->gemm_f32.kc,
                       &k->gemm_f32.mc, &k->gemm_f32.nc);
    fnn_cache_blocking(c, sizeof(double), k->gemm_f64.mr, k->gemm_f64.nr, k->gemm_f64.kc,
                       &k->gemm_f64.mc, &k->gemm_f64.nc);
}

/* Fill every row exactly once, whichever thread gets here first (the others
 * wait): 0 = empty, 1 = filling, 2 = filled. */
static int rows_state;

static void fill_rows_once(void)
{
    if (__atomic_load_n(&rows_state, __ATOMIC_ACQUIRE) == 2) return;
    int empty = 0;
    if (__atomic_compare_exchange_n(&rows_state, &empty, 1, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        fill_generic(&generic_row);
#ifndef FNN_GENERIC_ONLY
        fill_generic(&avx2_row);
        fill_avx2(&avx2_row);
        fill_generic(&avx512_row);
        fill_avx512(&avx512_row);
#endif
        fnn_cache_sizes caches;
        if (fnn_cache_read(CACHE_DIR, &caches)) {
            for (int i = 0; i < N_ROWS; i++) apply_cache_blocking(all_rows[i], &caches);
            blocking_source = "sysfs";
        }
        __atomic_store_n(&rows_state, 2, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&rows_state, __ATOMIC_ACQUIRE) != 2) {
    }
}

const fnn_kernels *fnn_kernels_for_isa(fnn_isa isa)
{
    fill_rows_once();
    switch (isa) {
    case FNN_ISA_GENERIC: return &generic_row;
#ifndef FNN_GENERIC_ONLY
    case FNN_ISA_AVX2: return &avx2_row;
    case FNN_ISA_AVX512: return &avx512_row;
#endif
    default: return NULL;
    }
}

const fnn_kernels *fnn_kernels_row(int i)
{
    fill_rows_once();
    return i >= 0 && i < N_ROWS ? all_rows[i] : NULL;
}

static const fnn_kernels *selected;

void fnn_kernels_select(fnn_isa isa)
{
    const fnn_kernels *k = fnn_kernels_for_isa(isa);
    if (k) __atomic_store_n(&selected, k, __ATOMIC_RELEASE);
}

const fnn_kernels *fnn_kernels_get(void)
{
    const fnn_kernels *k = __atomic_load_n(&selected, __ATOMIC_ACQUIRE);
    if (k) return k;
    /* First use: the best ISA, unless fnn_set_isa got there meanwhile. */
    const fnn_kernels *first = fnn_kernels_for_isa(fnn_get_isa()), *none = NULL;
    if (first == NULL) first = &generic_row;
    __atomic_compare_exchange_n(&selected, &none, first, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    return __atomic_load_n(&selected, __ATOMIC_ACQUIRE);
}

/* ---- names and trace ---- */

static const char *const role_names[FNN_ROLE_COUNT] = {
    [FNN_ROLE_GEMM_F32] = "gemm_f32",
    [FNN_ROLE_GEMM_F32_NARROW] = "gemm_f32_narrow",
    [FNN_ROLE_GEMM_F64] = "gemm_f64",
    [FNN_ROLE_GEMM_F64_NARROW] = "gemm_f64_narrow",
    [FNN_ROLE_BF16] = "bf16",
    [FNN_ROLE_HOT_F32] = "elementwise_f32",
    [FNN_ROLE_HOT_F64] = "elementwise_f64",
    [FNN_ROLE_FMA_PROBE] = "fma_probe",
};

const char *fnn_kernel_role_name(int role)
{
    return role >= 0 && role < FNN_ROLE_COUNT ? role_names[role] : NULL;
}

const char *fnn_kernel_selected(int role)
{
    const fnn_kernels *k = fnn_kernels_get();
    const int has_narrow_f32 = k->gemm_f32_narrow.narrow != NULL;
    const int has_narrow_f64 = k->gemm_f64_narrow.narrow != NULL;
    switch ((fnn_kernel_role)role) {
    case FNN_ROLE_GEMM_F32: return k->gemm_f32.name;
    case FNN_ROLE_GEMM_F32_NARROW: return has_narrow_f32 ? k->gemm_f32_narrow.name : NULL;
    case FNN_ROLE_GEMM_F64: return k->gemm_f64.name;
    case FNN_ROLE_GEMM_F64_NARROW: return has_narrow_f64 ? k->gemm_f64_narrow.name : NULL;
    case FNN_ROLE_BF16: return fnn_bf16_current()->name;
    case FNN_ROLE_HOT_F32: return k->hot_f32.name;
    case FNN_ROLE_HOT_F64: return k->hot_f64.name;
    case FNN_ROLE_FMA_PROBE: return k->fma_probe.name;
    default: return NULL;
    }
}

const char *fnn_bf16_engine(void) { return fnn_bf16_current()->engine; }

const char *fnn_kernel_trace_slots[FNN_ROLE_COUNT];

const char *fnn_kernel_trace(int role)
{
    if (role < 0 || role >= FNN_ROLE_COUNT) return NULL;
    return __atomic_load_n(&fnn_kernel_trace_slots[role], __ATOMIC_RELAXED);
}

void fnn_kernel_trace_reset(void)
{
    for (int r = 0; r < FNN_ROLE_COUNT; r++)
        __atomic_store_n(&fnn_kernel_trace_slots[r], NULL, __ATOMIC_RELAXED);
}

fnn_status fnn_gemm_blocking(fnn_isa isa, int elem_size, int narrow, int64_t out[5])
{
    const fnn_kernels *k = fnn_kernels_for_isa(isa);
    if (k == NULL || out == NULL) return FNN_EINVAL;
    if (elem_size == (int)sizeof(float)) {
        const fnn_gemm_kernel_f32 *g = narrow ? &k->gemm_f32_narrow : &k->gemm_f32;
        if (narrow && g->narrow == NULL) return FNN_EINVAL;
        out[0] = g->mr, out[1] = g->nr, out[2] = g->mc, out[3] = g->kc, out[4] = g->nc;
    } else if (elem_size == (int)sizeof(double)) {
        const fnn_gemm_kernel_f64 *g = narrow ? &k->gemm_f64_narrow : &k->gemm_f64;
        if (narrow && g->narrow == NULL) return FNN_EINVAL;
        out[0] = g->mr, out[1] = g->nr, out[2] = g->mc, out[3] = g->kc, out[4] = g->nc;
    } else {
        return FNN_EINVAL;
    }
    return FNN_OK;
}

const char *fnn_gemm_blocking_source(void)
{
    fill_rows_once();
    return blocking_source;
}

fnn_status fnn_cache_blocking_from(const char *dir, int elem_size, int mr, int nr, int64_t kc,
                                   int64_t out[2])
{
    fnn_cache_sizes c;
    if (out == NULL || !fnn_cache_read(dir, &c)) return FNN_EINVAL;
    return fnn_cache_blocking(&c, elem_size, mr, nr, kc, &out[0], &out[1]) ? FNN_OK : FNN_EINVAL;
}
