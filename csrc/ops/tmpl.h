/* Helpers for the dtype templates: a kernel family lives in name.inc and is
 * included once per dtype by name.c with T and SFX defined, so float32 and
 * float64 come from one source. */
#ifndef FASTNN_TMPL_H
#define FASTNN_TMPL_H
#define FNN_CAT_(a, b) a##_##b
#define FNN_CAT(a, b) FNN_CAT_(a, b)
#define FN(name) FNN_CAT(name, SFX)

/* Run a loop in parallel only when it is big enough to pay for the team, on
 * at most nt threads (the caller's n_threads). */
#define FNN_PAR_MIN 32768
#ifdef FNN_HAVE_OPENMP
#define FNN_PRAGMA(x) _Pragma(#x)
#define FNN_PARALLEL_FOR(cond, nt) \
    FNN_PRAGMA(omp parallel for schedule(static) if(cond) num_threads(nt))
/* The same over a loop of whole chunks (each iteration thousands of elements,
 * computed alike by any thread): handed out one at a time, so a thread whose
 * core another process shares takes fewer instead of holding up the team;
 * one thread while the GEMMs find the team starved (fnn_team_cap). */
#define FNN_PARALLEL_CHUNKS(cond, nt) \
    FNN_PRAGMA(omp parallel for schedule(dynamic, 1) if(cond) num_threads(fnn_team_cap(nt)))
#else
#define FNN_PARALLEL_FOR(cond, nt) (void)(nt);
#define FNN_PARALLEL_CHUNKS(cond, nt) (void)(nt);
#endif
#endif
