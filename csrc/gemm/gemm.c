/* Blocked, packed GEMM (BLIS design), float32 and float64 from one template
 * (gemm_impl.h).  Micro-kernels per ISA live in ukr_*.c; the dispatch table
 * (dispatch/kernels.h) holds the selected one with its tile and block sizes,
 * read once at the top of each call. */
#include <stdint.h>
#include "fastnn.h"
#include "gemm/ukr.h"
#include "gemm/driver_util.h"
#include "dispatch/kernels.h"
#ifdef FNN_HAVE_OPENMP
#include <omp.h>
#endif

/* The driver template's table type and selector for one dtype: the narrow
 * kernel when the selected ISA has one and C is at most its width, else the
 * wide one.  The choice is recorded in the trace (once per call). */
#define DEFINE_GEMM_SELECT(SFX, ROLE)                                                        \
    typedef fnn_gemm_kernel_##SFX gemm_table_##SFX;                                          \
    static const gemm_table_##SFX *select_table_##SFX(int64_t n_cols)                        \
    {                                                                                        \
        const fnn_kernels *k = fnn_kernels_get();                                            \
        const gemm_table_##SFX *narrow = &k->gemm_##SFX##_narrow;                            \
        const gemm_table_##SFX *t =                                                          \
            narrow->narrow && n_cols <= narrow->nr ? narrow : &k->gemm_##SFX;                \
        fnn_kernel_trace_set(ROLE, t->name);                                                 \
        return t;                                                                            \
    }
DEFINE_GEMM_SELECT(f32, FNN_ROLE_GEMM_F32)
DEFINE_GEMM_SELECT(f64, FNN_ROLE_GEMM_F64)

#define GEMM_NARROW 1
#define FNN_TEMPLATE "gemm/gemm_impl.h"
#include "ops/each_dtype.h"

/* Scratch for any kernel this build might select (the ISA can change between
 * this call and the GEMM), wide or narrow, for n_threads threads. */
#define GEMM_WS_FIT(g)                                                                       \
    do {                                                                                     \
        if ((g)->kernel || (g)->narrow) {                                                    \
            size_t s = gemm_ws_layout(m, n, k, 1, elem_size, n_threads, (g)->mr, (g)->nr,    \
                                      (g)->mc, (g)->kc, (g)->nc, 0, &a_stride, &b_bytes,     \
                                      &c_stride);                                            \
            if (s > best) best = s;                                                          \
        }                                                                                    \
    } while (0)

/* What an epilogue that consumes C adds to fnn_gemm_work_bytes: the C
 * scratch of gemm_c_scratch for any kernel (mr and nr at most 32), per
 * thread.  gemm_core checks the sum, so an estimate short of it is an error,
 * never an overrun. */
size_t fnn_gemm_c_scratch_bytes(int64_t n, size_t c_elem, int n_threads)
{
    if (n <= 0 || c_elem == 0) return 0;
    const size_t widest = (size_t)((n + 31) / 32 * 32 + 64 / (int64_t)c_elem) * c_elem * 32;
    const size_t each = round64(widest > GEMM_C_SCRATCH_BYTES ? widest : GEMM_C_SCRATCH_BYTES);
    return each * (size_t)(n_threads < 1 ? 1 : n_threads);
}

size_t fnn_gemm_work_bytes(int64_t m, int64_t n, int64_t k, size_t elem_size, int n_threads)
{
    size_t best = 0, a_stride, b_bytes, c_stride;
    if (m <= 0 || n <= 0 || k <= 0) return 0;
    const fnn_kernels *row;
    for (int i = 0; (row = fnn_kernels_row(i)) != NULL; i++) {
        if (elem_size <= sizeof(float)) {
            GEMM_WS_FIT(&row->gemm_f32);
            GEMM_WS_FIT(&row->gemm_f32_narrow);
        } else {
            GEMM_WS_FIT(&row->gemm_f64);
            GEMM_WS_FIT(&row->gemm_f64_narrow);
        }
    }
    return best;
}
