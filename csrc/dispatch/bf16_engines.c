/* The bfloat16-compute engines, chosen apart from the float32 ISA:
 *
 *   amx           tdpbf16ps tiles, where dispatch/amx.c finds AMX usable
 *   avx512bf16    vdpbf16ps, where the CPU has AVX512-BF16
 *   portable      plain C, anywhere
 *   amx-emulated  the AMX driver on emulated tiles (gemm/amx_emu.h): for
 *                 tests and comparisons, much slower than portable
 *
 * By default an ISA's table holds amx where usable, else avx512bf16 when
 * that ISA is avx512 and the CPU has it, else portable (fnn_bf16_default).
 * fnn_set_bf16_engine forces one for the whole process (FASTNN_BF16). */
#include <string.h>
#include "dispatch/kernels.h"

static const fnn_bf16_entry portable = {fnn_gemm_bf16_generic, "portable",
                                        fnn_gemm_name_bf16_generic, 0,
                                        FNN_BF16_IMAGE(bf16_generic)};
static const fnn_bf16_entry amx_emulated = {fnn_gemm_bf16_amx_emu, "amx-emulated",
                                            fnn_gemm_name_bf16_amx_emu, 0,
                                            FNN_BF16_IMAGE(bf16_amx_emu)};
#if FNN_HAVE_BF16_SIMD
static const fnn_bf16_entry avx512bf16 = {fnn_gemm_bf16_avx512, "avx512bf16",
                                          fnn_gemm_name_bf16_avx512, 1,
                                          FNN_BF16_IMAGE(bf16_avx512)};
#endif
#if FNN_HAVE_AMX
static const fnn_bf16_entry amx = {fnn_gemm_bf16_amx, "amx", fnn_gemm_name_bf16_amx, 1,
                                   FNN_BF16_IMAGE(bf16_amx)};
#endif

static const char *avx512bf16_unusable(void)
{
#if FNN_HAVE_BF16_SIMD
    const unsigned need = FNN_CPU_AVX512F | FNN_CPU_AVX512BW | FNN_CPU_AVX512VL |
                          FNN_CPU_AVX512DQ | FNN_CPU_AVX512BF16;
    return (fnn_cpu_features() & need) == need ? NULL : "cpu lacks avx512-bf16";
#else
    return "build without avx512-bf16";
#endif
}

const fnn_bf16_entry *fnn_bf16_engine_named(const char *name, const char **why_not)
{
    const char *scratch;
    if (why_not == NULL) why_not = &scratch;
    *why_not = NULL;
    if (name == NULL) { *why_not = "no engine named"; return NULL; }
    if (strcmp(name, "portable") == 0) return &portable;
    if (strcmp(name, "amx-emulated") == 0) return &amx_emulated;
    if (strcmp(name, "avx512bf16") == 0) {
        *why_not = avx512bf16_unusable();
#if FNN_HAVE_BF16_SIMD
        if (*why_not == NULL) return &avx512bf16;
#endif
        return NULL;
    }
    if (strcmp(name, "amx") == 0) {
        *why_not = fnn_amx_unusable_reason();
#if FNN_HAVE_AMX
        if (*why_not == NULL) return &amx;
#endif
        return NULL;
    }
    *why_not = "no such engine (amx, avx512bf16, portable, amx-emulated)";
    return NULL;
}

fnn_bf16_entry fnn_bf16_default(fnn_isa isa)
{
    const fnn_bf16_entry *e = fnn_bf16_engine_named("amx", NULL);
    if (e == NULL && isa == FNN_ISA_AVX512) e = fnn_bf16_engine_named("avx512bf16", NULL);
    return e ? *e : portable;
}

static const fnn_bf16_entry *forced;

fnn_status fnn_set_bf16_engine(const char *name)
{
    if (name == NULL || name[0] == '\0') {
        __atomic_store_n(&forced, NULL, __ATOMIC_RELEASE);
        return FNN_OK;
    }
    const fnn_bf16_entry *e = fnn_bf16_engine_named(name, NULL);
    if (e == NULL) return FNN_EINVAL;
    __atomic_store_n(&forced, e, __ATOMIC_RELEASE);
    return FNN_OK;
}

const fnn_bf16_entry *fnn_bf16_current(void)
{
    const fnn_bf16_entry *e = __atomic_load_n(&forced, __ATOMIC_ACQUIRE);
    return e ? e : &fnn_kernels_get()->bf16;
}
