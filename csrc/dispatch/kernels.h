/* The one dispatch table: every kernel the selected ISA uses, per role.
 *
 * Each ISA's table is filled once, BLIS context-init style: start from the
 * portable row, then let the ISA override what it has (kernels.c).
 * fnn_set_isa switches the selected table; a driver reads it once, at its
 * top, through fnn_kernels_get(), and uses that one snapshot for the whole
 * call.  Every kernel name carries its tile, e.g. "gemm_f32_avx512_12x32".
 *
 * A trace records, per role, the name of the last kernel that really ran
 * (one relaxed store per driver call, never per tile), so tests can tell
 * which micro-kernel a product used. */
#ifndef FASTNN_DISPATCH_KERNELS_H
#define FASTNN_DISPATCH_KERNELS_H
#include <stddef.h>
#include <stdint.h>
#include "fastnn.h"
#include "gemm/ukr.h"
#include "ops/hot.h"

/* The vdpbf16ps engine exists on x86 builds whose compiler takes -mavx512bf16. */
#if !defined(FNN_GENERIC_ONLY) && !defined(FNN_NO_AVX512BF16)
#define FNN_HAVE_BF16_SIMD 1
#else
#define FNN_HAVE_BF16_SIMD 0
#endif
/* The AMX engine exists on x86 builds whose compiler takes -mamx-bf16. */
#if !defined(FNN_GENERIC_ONLY) && !defined(FNN_NO_AMX)
#define FNN_HAVE_AMX 1
#else
#define FNN_HAVE_AMX 0
#endif

/* "gemm_f32_avx2" + tile 6, 16 -> "gemm_f32_avx2_6x16" (tile macros expanded). */
#define FNN_STR_(x) #x
#define FNN_STR(x) FNN_STR_(x)
#define FNN_TILE_NAME(prefix, MR, NR) prefix "_" FNN_STR(MR) "x" FNN_STR(NR)

/* One GEMM kernel with its tile (mr x nr) and block sizes (mc a multiple of
 * mr, nc of nr).  A wide entry has `kernel`; a narrow one (C at most nr
 * wide, A read in place: gemm_impl.h run_narrow) has `narrow` instead, and
 * `masked_b_rows` when it loads B rows through an n-lane mask, so that the
 * driver may leave B in place; 0 (the default) has the driver pack B rows nr
 * wide, zero-padded, for a kernel that loads them whole. */
#define FNN_DECLARE_GEMM_KERNEL(SFX)                                                         \
    typedef struct {                                                                         \
        int mr, nr;                                                                          \
        int64_t mc, kc, nc;                                                                  \
        fnn_ukr_##SFX kernel;                                                                \
        fnn_ukr_narrow_##SFX narrow;                                                         \
        const char *name;                                                                    \
        int masked_b_rows;                                                                   \
    } fnn_gemm_kernel_##SFX;
FNN_DECLARE_GEMM_KERNEL(f32)
FNN_DECLARE_GEMM_KERNEL(f64)
#undef FNN_DECLARE_GEMM_KERNEL

/* A whole bfloat16-compute GEMM (fnn_gemm_f32's signature): each engine has
 * its own driver because its packing is compiled for its instructions. */
typedef int (*fnn_gemm_bf16_driver)(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                                    float alpha, const float *a, int64_t lda, const float *b,
                                    int64_t ldb, float beta, float *c, int64_t ldc,
                                    const fnn_epilogue *epi, void *work, size_t work_bytes,
                                    int n_threads);

/* A driver's packed images of a B (gemm_impl.h, GEMM_IMAGE_TABLE): op(B),
 * k x n, converted and laid out once as its GEMMs would pack it; the
 * trainer keeps one per weight matrix and use. */
typedef struct {
    size_t (*bytes)(int64_t k, int64_t n);
    void (*clear)(int64_t k, int64_t n, uint32_t *image);
    void (*pack)(int trans, const float *b, int64_t ldb, int64_t k, int64_t n, uint32_t *image,
                 int64_t p_lo, int64_t p_hi, int64_t j_lo, int64_t j_hi);
    int (*gemm)(int trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                int64_t lda, const uint32_t *image, float beta, float *c, int64_t ldc,
                const fnn_epilogue *epi, void *work, size_t work_bytes, int n_threads);
} fnn_bf16_image_ops;

#define FNN_DECLARE_BF16_IMAGE(SFX)                                                          \
    size_t fnn_gemm_image_bytes_##SFX(int64_t k, int64_t n);                                 \
    void fnn_gemm_image_clear_##SFX(int64_t k, int64_t n, uint32_t *image);                  \
    void fnn_gemm_image_pack_##SFX(int trans, const float *b, int64_t ldb, int64_t k,        \
                                   int64_t n, uint32_t *image, int64_t p_lo, int64_t p_hi,   \
                                   int64_t j_lo, int64_t j_hi);                              \
    int fnn_gemm_image_##SFX(int trans_a, int64_t m, int64_t n, int64_t k, float alpha,      \
                             const float *a, int64_t lda, const uint32_t *image, float beta, \
                             float *c, int64_t ldc, const fnn_epilogue *epi, void *work,     \
                             size_t work_bytes, int n_threads);
#define FNN_BF16_IMAGE(SFX)                                                                  \
    {fnn_gemm_image_bytes_##SFX, fnn_gemm_image_clear_##SFX, fnn_gemm_image_pack_##SFX,      \
     fnn_gemm_image_##SFX}

/* A bfloat16 engine (dispatch/bf16_engines.c). */
typedef struct {
    fnn_gemm_bf16_driver driver;
    const char *engine; /* "amx", "avx512bf16", "portable" or "amx-emulated" */
    const char *name;   /* the driver's micro-kernel, with its tile */
    int native;         /* 1: hardware bfloat16 instructions */
    fnn_bf16_image_ops image;
} fnn_bf16_entry;

typedef struct {
    fnn_gemm_kernel_f32 gemm_f32, gemm_f32_narrow; /* narrow.narrow NULL: none */
    fnn_gemm_kernel_f64 gemm_f64, gemm_f64_narrow;
    /* bfloat16 compute, chosen apart from the float32 ISA (from the ISA and
     * the CPU's bfloat16 instructions): the ISA's default engine, which
     * fnn_set_bf16_engine can override for the process. */
    fnn_bf16_entry bf16;
    struct { const fnn_hot_f32 *table; const char *name; } hot_f32;
    struct { const fnn_hot_f64 *table; const char *name; } hot_f64;
    struct { float (*fn)(int64_t iters); int lanes; const char *name; } fma_probe;
} fnn_kernels;

/* The selected ISA's table (never NULL). */
const fnn_kernels *fnn_kernels_get(void);
/* The table of any ISA this build has (its CPU may lack it: read sizes
 * only), or NULL.  fnn_kernels_row(i) for i = 0, 1, ... lists every one,
 * then NULL (for scratch sizes that must fit any kernel). */
const fnn_kernels *fnn_kernels_for_isa(fnn_isa isa);
const fnn_kernels *fnn_kernels_row(int i);
/* Called by fnn_set_isa (dispatch.c) once the ISA is known to be supported. */
void fnn_kernels_select(fnn_isa isa);

/* Roles, for names and the trace.  A narrow GEMM's trace goes to its dtype's
 * role (the narrow roles only name the selected narrow kernel). */
typedef enum {
    FNN_ROLE_GEMM_F32,
    FNN_ROLE_GEMM_F32_NARROW,
    FNN_ROLE_GEMM_F64,
    FNN_ROLE_GEMM_F64_NARROW,
    FNN_ROLE_BF16,
    FNN_ROLE_HOT_F32,
    FNN_ROLE_HOT_F64,
    FNN_ROLE_FMA_PROBE,
    FNN_ROLE_COUNT
} fnn_kernel_role;

/* "gemm_f32", "gemm_f32_narrow", ..., "bf16", "elementwise_f32", "fma_probe". */
const char *fnn_kernel_role_name(int role);
/* The kernel the selected table holds for a role, NULL if none. */
const char *fnn_kernel_selected(int role);
/* The bfloat16 engine in use (forced, else the selected ISA's default). */
const char *fnn_bf16_engine(void);
const fnn_bf16_entry *fnn_bf16_current(void);
/* An ISA's default engine: amx if usable, else avx512bf16 on the avx512 ISA
 * of a CPU with AVX512-BF16, else portable. */
fnn_bf16_entry fnn_bf16_default(fnn_isa isa);
/* The engine of that name if this CPU and build run it, else NULL and
 * *why_not (if why_not is not NULL) says why. */
const fnn_bf16_entry *fnn_bf16_engine_named(const char *name, const char **why_not);
/* Force an engine for the process (NULL or "": back to the ISA's default);
 * FNN_EINVAL if unknown or unusable here. */
fnn_status fnn_set_bf16_engine(const char *name);
/* NULL if AMX is usable by this process, else why not (dispatch/amx.c). */
const char *fnn_amx_unusable_reason(void);
/* The last kernel that ran in a role since the last reset, NULL if none. */
const char *fnn_kernel_trace(int role);
void fnn_kernel_trace_reset(void);

extern const char *fnn_kernel_trace_slots[FNN_ROLE_COUNT];
static inline void fnn_kernel_trace_set(fnn_kernel_role role, const char *name)
{
    __atomic_store_n(&fnn_kernel_trace_slots[role], name, __ATOMIC_RELAXED);
}

/* Tile and block sizes of a GEMM kernel for elem_size-byte elements (4 or 8)
 * of an ISA this build has: out = {mr, nr, mc, kc, nc}.  FNN_EINVAL if the
 * build lacks the ISA, or it has no narrow kernel and narrow is set. */
fnn_status fnn_gemm_blocking(fnn_isa isa, int elem_size, int narrow, int64_t out[5]);
/* Where the wide kernels' mc and nc came from: "sysfs" (this machine's
 * caches) or "default" (the constants of kernels.c). */
const char *fnn_gemm_blocking_source(void);
/* Tests: mc and nc (out) that the caches under dir (a sysfs cache directory)
 * give a kc-deep mr x nr tile; FNN_EINVAL if dir has no usable caches. */
fnn_status fnn_cache_blocking_from(const char *dir, int elem_size, int mr, int nr, int64_t kc,
                                   int64_t out[2]);

/* The bfloat16 drivers (bf16_driver.h instantiations) and their kernel names. */
int fnn_gemm_bf16_generic(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                          const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                          float *c, int64_t ldc, const fnn_epilogue *epi, void *work,
                          size_t work_bytes, int n_threads);
size_t fnn_gemm_work_bytes_bf16_generic(int64_t m, int64_t n, int64_t k, int n_threads);
extern const char fnn_gemm_name_bf16_generic[];
FNN_DECLARE_BF16_IMAGE(bf16_generic)
#if FNN_HAVE_BF16_SIMD
int fnn_gemm_bf16_avx512(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                         float *c, int64_t ldc, const fnn_epilogue *epi, void *work,
                         size_t work_bytes, int n_threads);
size_t fnn_gemm_work_bytes_bf16_avx512(int64_t m, int64_t n, int64_t k, int n_threads);
extern const char fnn_gemm_name_bf16_avx512[];
FNN_DECLARE_BF16_IMAGE(bf16_avx512)
#endif
int fnn_gemm_bf16_amx_emu(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                          const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                          float *c, int64_t ldc, const fnn_epilogue *epi, void *work,
                          size_t work_bytes, int n_threads);
size_t fnn_gemm_work_bytes_bf16_amx_emu(int64_t m, int64_t n, int64_t k, int n_threads);
extern const char fnn_gemm_name_bf16_amx_emu[];
FNN_DECLARE_BF16_IMAGE(bf16_amx_emu)
#if FNN_HAVE_AMX
int fnn_gemm_bf16_amx(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                      float *c, int64_t ldc, const fnn_epilogue *epi, void *work,
                      size_t work_bytes, int n_threads);
size_t fnn_gemm_work_bytes_bf16_amx(int64_t m, int64_t n, int64_t k, int n_threads);
extern const char fnn_gemm_name_bf16_amx[];
FNN_DECLARE_BF16_IMAGE(bf16_amx)
#endif

/* The FMA throughput probes (peak*.c): chains of the ISA's widest FMA. */
float fnn_fma_probe_generic(int64_t iters);
#ifndef FNN_GENERIC_ONLY
float fnn_fma_probe_avx2(int64_t iters);
float fnn_fma_probe_avx512(int64_t iters);
#endif
#if FNN_HAVE_BF16_SIMD
float fnn_bf16_probe_avx512bf16(int64_t iters);
#endif
#if FNN_HAVE_AMX
float fnn_amx_probe(int64_t iters); /* peak_amx.c: 4 tdpbf16ps per iteration */
#endif
/* vdpbf16ps multiply-adds per second over float32 FMA ones on one core
 * (peak_bf16.c), measured once; -1 where avx512bf16 cannot run. */
double fnn_bf16_vs_fma_rate(void);
#endif
