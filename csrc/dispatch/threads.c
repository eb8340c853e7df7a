/* Threads: no process-wide count.  Every kernel that runs OpenMP takes its
 * thread count as an argument, resolved once per call by fastnn/_parallel.py,
 * so concurrent calls with different counts never share one.  Results never
 * depend on the count (see fastnn.h). */
#include "fastnn.h"
#ifdef FNN_HAVE_OPENMP
#include <omp.h>
#endif

int fnn_omp_max_threads(void)
{
#ifdef FNN_HAVE_OPENMP
    return omp_get_max_threads();
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

/* The widest GEMM team started from the calling OS thread since the last
 * read: thread-local, so two fits in two threads each see only their own. */
static _Thread_local int widest_team = 0;

void fnn_note_team(int size)
{
    if (size > widest_team) widest_team = size;
}

int fnn_widest_team_take(void)
{
    int w = widest_team;
    widest_team = 0;
    return w;
}
