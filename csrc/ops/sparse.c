/* Sparse rows (CSR) times dense weights: the first layer of a model trained
 * or run on a sparse X, at the cost of its nonzeros (sparse.inc). */
#include <string.h>
#include "fastnn.h"
#include "hot.h"
#include "tmpl.h"

int fnn_csr_check(const fnn_csr_view *xs, const int64_t *idx, int64_t m)
{
    if (!xs || m < 0 || xs->rows < 0 || xs->cols < 0 || xs->nnz < 0) return FNN_EINVAL;
    if (m > 0 && (!xs->indptr || (xs->nnz > 0 && (!xs->indices || !xs->data))))
        return FNN_EINVAL;
    if (!idx && m > xs->rows) return FNN_EINVAL;
    for (int64_t r = 0; r < m; r++) {
        const int64_t src = idx ? idx[r] : r;
        if (src < 0 || src >= xs->rows) return FNN_EINVAL;
        const int64_t p0 = xs->indptr[src], p1 = xs->indptr[src + 1];
        if (p0 < 0 || p0 > p1 || p1 > xs->nnz) return FNN_EINVAL;
        for (int64_t p = p0; p < p1; p++)
            if (xs->indices[p] < 0 || xs->indices[p] >= xs->cols) return FNN_EINVAL;
    }
    return FNN_OK;
}

/* Blocks of work per thread: enough for a slowed thread to take fewer. */
#define CSR_TASKS_PER_THREAD 4
/* Fewer elements of the weight gradient than this are one task. */
#define CSR_MIN_PARALLEL (1 << 15)

#define FNN_TEMPLATE "sparse.inc"
#include "each_dtype.h"
