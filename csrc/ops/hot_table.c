/* The hot-kernel table of the selected ISA, from the dispatch table
 * (dispatch/kernels.h); each call is one use, recorded in the trace. */
#include "hot.h"
#include "dispatch/kernels.h"

const fnn_hot_f32 *fnn_hot_table_f32(void)
{
    const fnn_kernels *k = fnn_kernels_get();
    fnn_kernel_trace_set(FNN_ROLE_HOT_F32, k->hot_f32.name);
    return k->hot_f32.table;
}

const fnn_hot_f64 *fnn_hot_table_f64(void)
{
    const fnn_kernels *k = fnn_kernels_get();
    fnn_kernel_trace_set(FNN_ROLE_HOT_F64, k->hot_f64.name);
    return k->hot_f64.table;
}
