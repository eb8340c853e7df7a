/* Which ISA the kernels use.  Chosen once from CPUID (the best available);
 * fastnn/_config.py applies FASTNN_KERNEL through fnn_set_isa, which refuses an
 * ISA the CPU lacks instead of letting it die on an illegal instruction.  The
 * kernels of the selected ISA are in the dispatch table (kernels.h). */
#include "fastnn.h"
#include "dispatch/kernels.h"

static int isa_supported(fnn_isa isa)
{
    unsigned f = fnn_cpu_features();
    const unsigned avx2 = FNN_CPU_AVX2 | FNN_CPU_FMA;
    const unsigned avx512 = avx2 | FNN_CPU_AVX512F | FNN_CPU_AVX512BW | FNN_CPU_AVX512VL
                          | FNN_CPU_AVX512DQ;
    switch (isa) {
    case FNN_ISA_GENERIC: return 1;
#ifndef FNN_GENERIC_ONLY
    case FNN_ISA_AVX2: return (f & avx2) == avx2;
    case FNN_ISA_AVX512: return (f & avx512) == avx512;
#endif
    default: return 0;
    }
}

fnn_isa fnn_best_isa(void)
{
    if (isa_supported(FNN_ISA_AVX512)) return FNN_ISA_AVX512;
    if (isa_supported(FNN_ISA_AVX2)) return FNN_ISA_AVX2;
    return FNN_ISA_GENERIC;
}

static int current_isa = -1;

fnn_status fnn_set_isa(fnn_isa isa)
{
    if (!isa_supported(isa)) return FNN_EINVAL;
    current_isa = (int)isa;
    fnn_kernels_select(isa);
    return FNN_OK;
}

fnn_isa fnn_get_isa(void)
{
    if (current_isa < 0) current_isa = (int)fnn_best_isa();
    return (fnn_isa)current_isa;
}

const char *fnn_isa_name(fnn_isa isa)
{
    switch (isa) {
    case FNN_ISA_GENERIC: return "generic";
    case FNN_ISA_AVX2: return "avx2";
    case FNN_ISA_AVX512: return "avx512";
    }
    return "unknown";
}

#ifndef FNN_COMPILER
#define FNN_COMPILER "cc"
#endif
const char *fnn_compiler(void) { return FNN_COMPILER " " __VERSION__; }
