/* fastnn public C API.
 *
 * Conventions: every array is row-major with an explicit leading dimension;
 * outputs come first, then inputs, then sizes.  Every entry point validates its
 * sizes before touching memory and returns an fnn_status; none prints, exits or
 * asserts on user input.  Sizes are int64_t so products never overflow.
 *
 * Layers (see ARCHITECTURE.md): gemm/ (blocked GEMM), ops/ (elementwise, losses,
 * dropout, optimizers), train/ (whole epochs), dispatch/ (CPU features).
 */
#ifndef FASTNN_H
#define FASTNN_H

#include <stddef.h>
#include <stdint.h>
#include "vocab.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    FNN_OK = 0,
    FNN_EINVAL = 1,      /* bad size, stride or enum value */
    FNN_ENOMEM = 2,      /* an allocation failed */
    FNN_EINTR = 3,       /* interrupted (Ctrl-C seen between batches) */
    FNN_ENONFINITE = 4,  /* the loss became NaN or infinite */
    FNN_EOVERFLOW = 5,   /* a size product does not fit */
    FNN_EZEROWEIGHT = 6  /* the sample weights of a batch sum to zero */
} fnn_status;

/* ---- threads (dispatch/threads.c) ----
 * There is no process-wide count: every entry point that runs OpenMP takes
 * int n_threads (>= 1, else FNN_EINVAL), the most threads it may use.
 * Results never depend on it: each thread owns disjoint outputs and
 * reductions run in a fixed order. */
/* OpenMP's default for the calling thread (OMP_NUM_THREADS, threadpoolctl's
 * limit); 1 in a build without OpenMP. */
int fnn_omp_max_threads(void);
/* Each GEMM driver notes its team size for the calling thread; take returns
 * the widest since the last take (0: none) and clears it.  Lets tests see
 * the count a call actually ran with (a call cut to one thread by contention,
 * fnn_team_size, notes the count it was granted). */
void fnn_note_team(int size);
int fnn_widest_team_take(void);
int fnn_have_openmp(void);
/* Contention (threads.c): fnn_team_size is the team a GEMM of the calling
 * thread runs with (n_threads, or 1 for 0.2 s after its teams' other
 * threads were starved of CPU; the first GEMM after that tries the team
 * again), fnn_team_cap the same for elementwise loops, which never end a
 * cap themselves; fnn_team_report tells it how many of a
 * GEMM's wall seconds the caller's own thread spent waiting for its team. */
int fnn_team_size(int n_threads);
int fnn_team_cap(int n_threads);
void fnn_team_report(int team, double waited, double wall);
double fnn_clock(void); /* monotonic seconds */
/* Tests: adaptation on or off for the process (and this thread's state
 * cleared); whether this thread's calls are on one thread now. */
void fnn_team_adapt_set(int on);
int fnn_team_capped(void);

/* ---- dispatch (dispatch/) ---- */
/* Codes and bits from the tables of vocab.h. */
#define FNN_ISA_ENUM_ROW(ID, name, code) FNN_ISA_##ID = code,
typedef enum { FNN_ISAS(FNN_ISA_ENUM_ROW) } fnn_isa;
#undef FNN_ISA_ENUM_ROW
/* CPU feature bits, read once from CPUID. */
#define FNN_CPU_ENUM_ROW(ID, name, bit) FNN_CPU_##ID = 1u << bit,
enum { FNN_CPU_FEATURES(FNN_CPU_ENUM_ROW) };
#undef FNN_CPU_ENUM_ROW
unsigned fnn_cpu_features(void);
/* The best ISA this CPU and build support. */
fnn_isa fnn_best_isa(void);
/* Select the ISA used by every kernel; FNN_EINVAL if the CPU lacks it. */
fnn_status fnn_set_isa(fnn_isa isa);
fnn_isa fnn_get_isa(void);
const char *fnn_isa_name(fnn_isa isa);
const char *fnn_compiler(void);

/* float32 FMA throughput of n_threads threads running independent chains of
 * the selected ISA for about `seconds` (dispatch/peak.c), in GFLOP/s. */
double fnn_fma_peak_gflops(int n_threads, double seconds);
/* The same for AMX tdpbf16ps (bfloat16 multiply-adds); -1 where AMX is unusable. */
double fnn_amx_peak_gflops(int n_threads, double seconds);

/* ---- aligned memory (dispatch/memory.c): the only malloc in csrc/ ---- */
void *fnn_aligned_alloc(size_t bytes);
void fnn_aligned_free(void *p);

#ifdef __cplusplus
}
#endif

#include "gemm/gemm.h"
#include "gemm/gemm_bf16.h"
#include "ops/ops.h"
#include "train/train.h"

#endif
