/* Threads: no process-wide count.  Every kernel that runs OpenMP takes its
 * thread count as an argument, resolved once per call by fastnn/_parallel.py,
 * so concurrent calls with different counts never share one.  Results never
 * depend on the count (see fastnn.h). */
#include <time.h>
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

/* Contention (another process on one of our cores): a thread that gets a
 * fraction of its core takes few of the GEMM blocks handed out dynamically,
 * but every barrier still waits for its next time slice.  The GEMM reports
 * how long the calling thread (the team's master) waited for the others;
 * when that is a large part of recent calls, the calls of this OS thread run
 * on one thread for a while, then try the full team again.  Only speed
 * depends on it: results are the same for any team.
 *
 * The cap is a span of time, not a number of calls: a neighbour's load lasts
 * seconds whatever our calls' sizes, and a try costs one call.  A cap needs
 * at least a time slice of evidence: waking a parked worker takes tens of
 * microseconds, which can be most of one small call on a quiet machine (say,
 * right after NumPy's BLAS threads stop spinning), while a starved thread
 * costs the barrier a whole slice, a millisecond or more. */
#define TEAM_STARVED_WAIT 0.35  /* waiting this fraction of recent calls: the team loses */
#define TEAM_MIN_EVIDENCE 1e-3  /* seconds of recent calls before that is believed */
#define TEAM_CAPPED_SECONDS 0.2 /* on one thread this long, then the team again */
static _Thread_local double team_capped_until = 0; /* fnn_clock() time; 0: not capped */
/* Decaying sums of waited and wall seconds: weighted by time, so a GEMM too
 * small to keep a team busy barely counts (nor would it cost a slice). */
static _Thread_local double team_waited = 0, team_wall = 0;

double fnn_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int team_adapt = 1; /* process-wide switch, for tests */

void fnn_team_adapt_set(int on)
{
    __atomic_store_n(&team_adapt, on != 0, __ATOMIC_RELAXED);
    team_capped_until = 0;
    team_waited = team_wall = 0;
}

/* Whether this OS thread's calls run on one thread now: the cap ends by
 * the clock, for GEMMs and elementwise loops alike. */
int fnn_team_capped(void) { return team_capped_until > 0 && fnn_clock() < team_capped_until; }

int fnn_team_size(int n_threads)
{
    if (team_capped_until <= 0 || n_threads <= 1) return n_threads;
    if (fnn_team_capped()) return 1;
    team_capped_until = 0; /* try the team again, judged afresh */
    team_waited = team_wall = 0;
    return n_threads;
}

int fnn_team_cap(int n_threads) { return fnn_team_capped() ? 1 : n_threads; }

void fnn_team_report(int team, double waited, double wall)
{
    if (team < 2 || !(wall > 0) || !(waited >= 0)) return;
    if (!__atomic_load_n(&team_adapt, __ATOMIC_RELAXED)) return;
    team_waited = 0.75 * team_waited + (waited < wall ? waited : wall);
    team_wall = 0.75 * team_wall + wall;
    if (team_wall >= TEAM_MIN_EVIDENCE && team_waited > TEAM_STARVED_WAIT * team_wall)
        team_capped_until = fnn_clock() + TEAM_CAPPED_SECONDS;
}
