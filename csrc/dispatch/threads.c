/* The process-wide thread count.  Kernels read it once per call and pass it to
 * num_threads(); results never depend on it (see fastnn.h). */
#include "fastnn.h"
#ifdef FNN_HAVE_OPENMP
#include <omp.h>
#endif

static int fnn_threads = 0; /* 0: not set yet, use OpenMP's default */

void fnn_set_num_threads(int n) { fnn_threads = n > 0 ? n : 0; }

int fnn_num_threads_setting(void) { return fnn_threads; }

int fnn_get_num_threads(void)
{
#ifdef FNN_HAVE_OPENMP
    return fnn_threads > 0 ? fnn_threads : omp_get_max_threads();
#else
    return 1;
#endif
}

int fnn_have_openmp(void)
{
#ifdef FNN_HAVE_OPENMP
    return 1;
#else
    return 0;
#endif
}
