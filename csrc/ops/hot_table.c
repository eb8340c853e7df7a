/* The hot-kernel table of the selected ISA (fnn_get_isa). */
#include "hot.h"

const fnn_hot_f32 *fnn_hot_table_f32(void)
{
#ifndef FNN_GENERIC_ONLY
    switch (fnn_get_isa()) {
    case FNN_ISA_AVX512: return &fnn_hot_f32_avx512;
    case FNN_ISA_AVX2: return &fnn_hot_f32_avx2;
    default: break;
    }
#endif
    return &fnn_hot_f32_generic;
}

const fnn_hot_f64 *fnn_hot_table_f64(void)
{
#ifndef FNN_GENERIC_ONLY
    switch (fnn_get_isa()) {
    case FNN_ISA_AVX512: return &fnn_hot_f64_avx512;
    case FNN_ISA_AVX2: return &fnn_hot_f64_avx2;
    default: break;
    }
#endif
    return &fnn_hot_f64_generic;
}
