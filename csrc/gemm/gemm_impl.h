/* Blocked GEMM driver, templated on the element type: gemm.c includes this
 * file once per dtype with T (element type) and SFX (f32 / f64) defined.
 *
 * BLIS five-loop structure:
 *
 *   jc over n by NC        B panel  (KC x NC) packed into NR-wide micro-panels
 *    pc over k by KC       (shared by all threads, packed cooperatively)
 *     ic over m by MC      A block  (MC x KC) packed into MR-tall micro-panels
 *      jr over NC by NR    macro-kernel
 *       ir over MC by MR   micro-kernel: one MR x NR tile of C
 *
 * Threads split m when m spans several A blocks: whole ic blocks are handed
 * out one at a time (each thread packs its own A block; the B panel is packed
 * cooperatively, with barriers).  When all of m fits one A block (a training
 * batch) they split n: in the first k panel each thread takes its share of
 * chunks of B micro-panels, then helps with the others' (work stealing), and
 * it keeps the chunks it took for the later k panels, so each thread packs
 * the B micro-panels it alone reads and its own copy of the A block, the k
 * loop needs no barrier, and its C columns stay in its cache.
 * Either way a thread that another process slows down takes fewer blocks,
 * and the master reports how long it waited for the team (fnn_team_report,
 * which runs this OS thread's calls on one thread for a while when a member
 * keeps being descheduled).  k is never split and KC does not depend on the
 * thread count, so every element of C sees the same sequence of operations
 * for any number of threads.
 *
 * Epilogue: after the last k panel, epi->fn is called once for every ic
 * block x jc block of C (or chunk of one, with n split), i.e. blocks of at
 * most MC x NC, which together cover each element of C exactly once.
 */

#define GEMM_CAT_(a, b) a##_##b
#define GEMM_CAT(a, b) GEMM_CAT_(a, b)
#define GEMM_FN(name) GEMM_CAT(name, SFX)

/* Packed panels hold PT units of GEMM_KP consecutive k values each (one row of
 * A or column of B): T itself for the native dtypes (pack.inc), or two k
 * values rounded to bfloat16 in a 32-bit unit, the operand of vdpbf16ps
 * (pack_bf16.inc).  The micro-kernel's k and ldb count units; an odd k is
 * padded with a zero. */
#ifndef GEMM_KP
#define GEMM_KP 1
#define PT T
#define GEMM_PACK_FILE "gemm/pack.inc"
#endif
/* A packed panel's depth in k values is rounded up to GEMM_K_PAD (the AMX
 * kernel's whole tile step) with zero units, which add +0 to every sum. */
#ifndef GEMM_K_PAD
#define GEMM_K_PAD GEMM_KP
#endif
#define GEMM_UNITS(kb) (((kb) + GEMM_K_PAD - 1) / GEMM_K_PAD * GEMM_K_PAD / GEMM_KP)

/* The includer defines the type GEMM_FN(gemm_table) (a dispatch-table entry:
 * mr, nr, mc, kc, nc and the wide or narrow kernel; mc a multiple of mr, nc of
 * nr) and GEMM_FN(select_table)(n), which reads the dispatch table once and
 * returns the entry for C's width (gemm.c, bf16_driver.h); driver_util.h
 * supplies gemm_size_overflows, gemm_threads and gemm_ws_layout. */

/* The packed B layout, one for run() and the images: micro-panels sit
 * b_stride units apart, the depth of the deepest k panel whatever the current
 * panel's (so an image's panels and a thread's slots never move), and in an
 * image micro-panel q of the k panel starting at pc sits at image_offset. */
static inline int64_t GEMM_FN(b_stride)(const GEMM_FN(gemm_table) *t, int64_t k)
{
    return (int64_t)t->nr * GEMM_UNITS(k < t->kc ? k : t->kc);
}

static inline int64_t GEMM_FN(image_offset)(const GEMM_FN(gemm_table) *t, int64_t n, int64_t pc,
                                            int64_t q, int64_t bstride)
{
    return ((pc / t->kc) * ((n + t->nr - 1) / t->nr) + q) * bstride;
}

/* Transposing packs copy GEMM_PACK_STEP source elements (one cache line) of
 * each row in turn, so every line read is used whole and the writes stay in a
 * small window. */
#define GEMM_PACK_STEP (64 / (int64_t)sizeof(T))

/* Whether m is too tall for every thread to pack its own copy of A (then
 * threads split m).  float32's copy is cheap next to its multiply-adds: any
 * m that fits one A block.  bfloat16's packing rounds (and, for X^T,
 * transposes) A, which costs as much as the AMX products of the block:
 * copies pay only for batch-sized m (dW at 784x1024x256 ran at half speed). */
#ifndef GEMM_N_SPLIT_PANELS
#define GEMM_N_SPLIT_PANELS 16
#endif
static inline int GEMM_FN(a_spans_blocks)(const GEMM_FN(gemm_table) *t, int64_t m)
{
    if (GEMM_KP == 1) return m > t->mc;
    return (m + t->mr - 1) / t->mr >= GEMM_N_SPLIT_PANELS;
}

/* With n split, this many chunks of B micro-panels per thread (if n has the
 * NR panels; at most GEMM_MAX_CHUNKS in all). */
#ifndef GEMM_CHUNKS_PER_THREAD
#define GEMM_CHUNKS_PER_THREAD 4
#define GEMM_MAX_CHUNKS 256
#endif

/* With m split, at least this many ic blocks per thread (if m has the MR
 * panels), so that the blocks handed out dynamically balance the work when
 * one thread runs slower. */
#ifndef GEMM_BLOCKS_PER_THREAD
#define GEMM_BLOCKS_PER_THREAD 4
#endif
#ifndef GEMM_IN_PLACE_B_PANELS
#define GEMM_IN_PLACE_B_PANELS 6
#endif

#include GEMM_PACK_FILE

/* Per-thread set-up and tear-down around a thread's share of run (e.g. the
 * AMX tile configuration, which each thread must load before its first tile
 * instruction and release after its last). */
#ifndef GEMM_THREAD_BEGIN
#define GEMM_THREAD_BEGIN() ((void)0)
#define GEMM_THREAD_END() ((void)0)
#endif

/* Inside a driver's OpenMP team: this thread's id and the team size, and a
 * barrier (both trivial in a build without OpenMP). */
#ifdef FNN_HAVE_OPENMP
#define GEMM_TEAM_IDS() const int tid = omp_get_thread_num(), nth = omp_get_num_threads(); \
    if (tid == 0) fnn_note_team(nth)
#define GEMM_BARRIER() _Pragma("omp barrier")
#define GEMM_FOR_DYNAMIC() _Pragma("omp for schedule(dynamic, 1) nowait")
#define GEMM_TIMED_BARRIER()                                                                 \
    do {                                                                                     \
        const double t_b = tid == 0 && nth > 1 ? fnn_clock() : 0;                            \
        _Pragma("omp barrier");                                                              \
        if (tid == 0 && nth > 1) waited += fnn_clock() - t_b;                                \
    } while (0)
#else
#define GEMM_TIMED_BARRIER() ((void)0)
#define GEMM_FOR_DYNAMIC()
#define GEMM_TEAM_IDS() const int tid = 0, nth = 1; fnn_note_team(1)
#define GEMM_BARRIER() ((void)0)
#endif

/* Macro-kernel: C[0:mb, q_begin*nr : min(q_end*nr, nb)] of the current block,
 * from the packed A block (kb deep) and micro-panels [q_begin, q_end) of the
 * packed B panel.  With bu (unpacked B: op(B) row-major, row stride ldbu, at
 * the block's first row and column) full-width micro-panels are read in place
 * and only a partial last one comes from bp. */
static void GEMM_FN(macro)(const GEMM_FN(gemm_table) *t, int64_t mb, int64_t nb, int64_t kb,
                           T alpha, const PT *ap, const PT *bp, int64_t bstride, const PT *bu,
                           int64_t ldbu,
                           T beta, T *c, int64_t ldc, int64_t q_begin, int64_t q_end)
{
    const int mr = t->mr, nr = t->nr;
    const int64_t ku = GEMM_UNITS(kb);
    T tile[FNN_UKR_MAX_TILE] __attribute__((aligned(64)));
    for (int64_t q = q_begin; q < q_end; q++) {
        int64_t jb = q * nr, cols = nb - jb < nr ? nb - jb : nr;
        const int in_place = bu != NULL && cols == nr;
        const PT *bq = in_place ? bu + jb : bp + q * bstride;
        const int64_t ldbq = in_place ? ldbu : nr;
        for (int64_t ib = 0; ib < mb; ib += mr) {
            int64_t rows = mb - ib < mr ? mb - ib : mr;
            const PT *ar = ap + ib * ku;
            T *cc = c + ib * ldc + jb;
            if (rows == mr && cols == nr) {
                t->kernel(ku, ar, bq, ldbq, cc, ldc, alpha, beta);
            } else {
                t->kernel(ku, ar, bq, ldbq, tile, nr, alpha, 0);
                for (int64_t i = 0; i < rows; i++) {
                    if (beta == 0)
                        for (int64_t j = 0; j < cols; j++) cc[i * ldc + j] = tile[i * nr + j];
                    else
                        for (int64_t j = 0; j < cols; j++)
                            cc[i * ldc + j] = tile[i * nr + j] + beta * cc[i * ldc + j];
                }
            }
        }
    }
}

static void GEMM_FN(scale_c)(int64_t m, int64_t n, T beta, T *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++) {
        T *ci = c + i * ldc;
        if (beta == 0)
            for (int64_t j = 0; j < n; j++) ci[j] = 0;
        else if (beta != 1)
            for (int64_t j = 0; j < n; j++) ci[j] *= beta;
    }
}

/* b_image, if not NULL, holds op(B) already packed (GEMM_FN(image_pack)):
 * no B panel is packed, and b is not read. */
static void GEMM_FN(run)(const GEMM_FN(gemm_table) *t, int trans_a, int trans_b, int64_t m,
                         int64_t n, int64_t k, T alpha, const T *a, int64_t lda, const T *b,
                         int64_t ldb, T beta, T *c, int64_t ldc, const fnn_epilogue *epi,
                         PT *ws_b, PT *ws_a, size_t a_stride, T *ws_c, size_t c_stride, int nt,
                         const PT *b_image)
{
    const int mr = t->mr, nr = t->nr;
    const int64_t kc = t->kc, nc = t->nc;
    /* The master's time waiting for the team (barriers, the region's end)
     * against the call's, for fnn_team_report. */
    const double t_start = nt > 1 ? fnn_clock() : 0;
    double waited = 0, t_done = 0;
    int reports = 0;
    int64_t ranges[nt]; /* n split: each thread's chunks not yet taken (gemm_range) */
    for (int i = 0; i < nt; i++) ranges[i] = 0;
#ifdef FNN_HAVE_OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
    {
        GEMM_TEAM_IDS();
        GEMM_THREAD_BEGIN();
        /* n split when all of m fits one A block (a training batch) and n
         * has NR panels for every thread: each thread packs the B
         * micro-panels it alone reads and its own copy of the A block, keeps
         * each B micro-panel in L1 across all of m, and runs the k loop
         * without barriers; its C columns stay in its own cache from one k
         * panel to the next.  m split (one shared B panel, blocks of m handed
         * out) when m spans several A blocks, n is too narrow to share, or
         * the epilogue wants whole rows. */
        const int64_t m_panels = (m + mr - 1) / mr, n_panels = (n + nr - 1) / nr;
        const int split_m = nth == 1 || (m_panels >= 4 * nth &&
                                         (n_panels < 4 * nth || GEMM_FN(a_spans_blocks)(t, m) ||
                                          (epi && epi->whole_rows)));
        int64_t mc = t->mc;
        if (split_m && nth > 1) { /* equal ic blocks, GEMM_BLOCKS_PER_THREAD per thread */
            int64_t nblk = (m + mc - 1) / mc;
            if (nblk < GEMM_BLOCKS_PER_THREAD * (int64_t)nth) nblk = GEMM_BLOCKS_PER_THREAD * nth;
            if (nblk > m_panels) nblk = m_panels;
            const int64_t even = (m_panels + nblk - 1) / nblk * mr;
            if (even < mc) mc = even; /* never above the scratch's A block */
        }
        /* An epilogue that consumes C (ws_c: fnn_epilogue.consumes_c), one k
         * panel, whole blocks per thread: each block is computed into this
         * thread's scratch, still in L2 when the epilogue reads it, and C is
         * never written (its lines would go out to memory and come back). */
        T *my_c = NULL;
        int64_t ld_scratch = 0;
        if (ws_c && split_m && beta == 0 && k <= kc) {
            int64_t rows;
            gemm_c_scratch(n, sizeof(T), mr, nr, nc, &rows, &ld_scratch);
            if (rows < mc) mc = rows;
            my_c = (T *)((char *)ws_c + (size_t)tid * c_stride);
        }
        PT *my_a = (PT *)((char *)ws_a + (size_t)tid * a_stride);

        const int64_t bstride = GEMM_FN(b_stride)(t, k);
        int16_t mine[GEMM_MAX_CHUNKS]; /* n split: this thread's chunks of the jc block */
        int n_mine = 0;
        for (int64_t jc = 0; jc < n; jc += nc) {
            const int64_t nb = n - jc < nc ? n - jc : nc;
            const int64_t nq = (nb + nr - 1) / nr;
            int64_t nch = nq < GEMM_CHUNKS_PER_THREAD * nth ? nq : GEMM_CHUNKS_PER_THREAD * nth;
            if (nch > GEMM_MAX_CHUNKS) nch = GEMM_MAX_CHUNKS;
            /* this thread's share of the jc block's chunks: every range was
             * emptied in the previous block (or before the team started), so
             * a thread that looks before the owner sets it finds nothing */
            if (!split_m)
                __atomic_store_n(&ranges[tid], gemm_range(nch * tid / nth, nch * (tid + 1) / nth),
                                 __ATOMIC_RELAXED);
            for (int64_t pc = 0; pc < k; pc += kc) {
                const int64_t kb = k - pc < kc ? k - pc : kc;
                const T beta_p = pc == 0 ? beta : (T)1;
                const int last = pc + kb >= k;
                /* Small m reuses each B micro-panel only a few times: reading B in
                 * place beats copying it, except for a partial last panel. */
                const int in_place_b = GEMM_KP == 1 && !trans_b && m_panels <= GEMM_IN_PLACE_B_PANELS;
                const PT *bp = ws_b;
                if (b_image) { /* its panels, at image_offset */
                    bp = b_image + GEMM_FN(image_offset)(t, n, pc, jc / nr, bstride);
                } else if (split_m && in_place_b) {
                    if (nb % nr != 0 && tid == 0)
                        GEMM_FN(pack_b)(trans_b, b, ldb, pc, kb, jc, nb, nr, ws_b, bstride, nq - 1, nq);
                } else if (split_m) { /* the shared panel: micro-panels to whoever is free */
                    GEMM_FOR_DYNAMIC()
                    for (int64_t q = 0; q < nq; q++)
                        GEMM_FN(pack_b)(trans_b, b, ldb, pc, kb, jc, nb, nr, ws_b, bstride, q, q + 1);
                } /* n split: a chunk's micro-panels are packed by the thread that has it */
                const PT *bu = in_place_b ? (const PT *)(b + pc * ldb + jc) : NULL;
                if (split_m) {
                    if (!b_image) GEMM_TIMED_BARRIER(); /* every thread reads the whole B panel */
                    const int64_t nblk = (m + mc - 1) / mc;
                    /* Whole blocks, handed out one at a time: a thread slowed
                     * by another process on its core takes fewer of them. */
                    GEMM_FOR_DYNAMIC()
                    for (int64_t blk = 0; blk < nblk; blk++) {
                        const int64_t ic = blk * mc, mb = m - ic < mc ? m - ic : mc;
                        GEMM_FN(pack_a)(trans_a, a, lda, ic, mb, pc, kb, mr, my_a, 0,
                                        (mb + mr - 1) / mr);
                        T *cb = my_c ? my_c : c + ic * ldc + jc;
                        const int64_t ldcb = my_c ? ld_scratch : ldc;
                        GEMM_FN(macro)(t, mb, nb, kb, alpha, my_a, bp, bstride, bu, ldb, beta_p, cb,
                                       ldcb, 0, nq);
                        if (last && epi && epi->fn) epi->fn(epi->ctx, ic, jc, mb, nb, cb, ldcb);
                    }
                } else {
                    /* Chunks of B micro-panels: in the first k panel each
                     * thread takes its own, then helps with the others'
                     * (gemm_steal_chunk: a thread slowed by another process
                     * ends up with fewer); it keeps what it took for the later
                     * k panels, so no barrier is needed and its C columns stay
                     * in its cache. */
                    int64_t a_ic = -1; /* the ic block in my_a for this k panel */
                    for (int i = 0;; i++) {
                        int64_t ch;
                        if (pc == 0) {
                            ch = gemm_steal_chunk(ranges, tid, nth);
                            if (ch < 0) break;
                            mine[n_mine++] = (int16_t)ch;
                        } else {
                            if (i >= n_mine) break;
                            ch = mine[i];
                        }
                        const int64_t q0 = nq * ch / nch, q1 = nq * (ch + 1) / nch;
                        if (in_place_b) { /* only a partial last micro-panel is packed */
                            if (nb % nr != 0 && q1 == nq)
                                GEMM_FN(pack_b)(trans_b, b, ldb, pc, kb, jc, nb, nr, ws_b, bstride, nq - 1, nq);
                        } else if (!b_image) {
                            GEMM_FN(pack_b)(trans_b, b, ldb, pc, kb, jc, nb, nr, ws_b, bstride, q0, q1);
                        }
                        for (int64_t ic = 0; ic < m; ic += mc) {
                            const int64_t mb = m - ic < mc ? m - ic : mc;
                            if (a_ic != ic) {
                                GEMM_FN(pack_a)(trans_a, a, lda, ic, mb, pc, kb, mr, my_a, 0,
                                                (mb + mr - 1) / mr);
                                a_ic = ic;
                            }
                            T *cb = c + ic * ldc + jc;
                            GEMM_FN(macro)(t, mb, nb, kb, alpha, my_a, bp, bstride, bu, ldb, beta_p, cb,
                                           ldc, q0, q1);
                            if (last && epi && epi->fn) {
                                const int64_t j0 = q0 * nr, j1 = q1 * nr < nb ? q1 * nr : nb;
                                epi->fn(epi->ctx, ic, jc + j0, mb, j1 - j0, cb + j0, ldc);
                            }
                        }
                    }
                }
                /* m split: the shared B panel is repacked next, and the next
                 * k panel's blocks may go to other threads.  n split: the
                 * next jc block's chunks may go to other threads, which
                 * repack their micro-panels.  (After the last panel, the end
                 * of the parallel region waits anyway.) */
                if ((split_m && pc + kb < k) || (last && jc + nb < n)) {
                    GEMM_TIMED_BARRIER();
                }
            }
            n_mine = 0;
        }
        GEMM_THREAD_END();
        if (tid == 0 && nth > 1) {
            reports = 1;
            t_done = fnn_clock();
        }
    }
    if (reports) {
        const double t_end = fnn_clock();
        fnn_team_report(nt, waited + (t_end - t_done), t_end - t_start);
    }
}

#ifdef GEMM_NARROW
/* C at most nr wide (t->narrow): every A element meets a single B vector, so
 * A is read in place rather than packed (packing would cost as much as the
 * multiply), and B too where the kernel masks its B rows and B is not
 * transposed.  Threads split the MR panels of m; k panels are the same as
 * run's, so the result does not depend on the thread count.  Epilogue blocks
 * are at most mc rows. */
static void GEMM_FN(run_narrow)(const GEMM_FN(gemm_table) *t, int trans_a, int trans_b, int64_t m,
                                int64_t n, int64_t k, T alpha, const T *a, int64_t lda,
                                const T *b, int64_t ldb, T beta, T *c, int64_t ldc,
                                const fnn_epilogue *epi, T *ws_b, T *ws_a, size_t a_stride, int nt)
{
    const int mr = t->mr, nr = t->nr;
    const int64_t kc = t->kc, mc = t->mc;
    const int64_t rs_a = trans_a ? 1 : lda, cs_a = trans_a ? lda : 1;
    const int64_t m_panels = (m + mr - 1) / mr;
    (void)nt;
#ifdef FNN_HAVE_OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
    {
        GEMM_TEAM_IDS();
        T tile[FNN_UKR_MAX_TILE] __attribute__((aligned(64)));
        T *my_a = (T *)((char *)ws_a + (size_t)tid * a_stride);
        const int64_t row_lo = m_panels * tid / nth * mr;
        const int64_t row_hi_p = m_panels * (tid + 1) / nth * mr;
        const int64_t row_hi = row_hi_p < m ? row_hi_p : m;
        /* One thread packs the k x nr panel, zero-padded, when B's columns
         * are strided, or when the kernel loads B rows whole (not
         * masked_b_rows: AVX2, whose masked loads are slow) and they are not
         * exactly nr wide and apart. */
        const int packs_b = trans_b || (!t->masked_b_rows && (ldb != nr || n != nr));
        for (int64_t pc = 0; pc < k; pc += kc) {
            const int64_t kb = k - pc < kc ? k - pc : kc;
            const T beta_p = pc == 0 ? beta : (T)1;
            const int last = pc + kb >= k;
            const T *bq = b + pc * ldb;
            int64_t ldbq = ldb;
            if (packs_b) {
                if (tid == 0) GEMM_FN(pack_b)(trans_b, b, ldb, pc, kb, 0, n, nr, ws_b, 0, 0, 1);
                GEMM_BARRIER();
                bq = ws_b;
                ldbq = nr;
            }
            for (int64_t r0 = row_lo; r0 < row_hi; r0 += mc) {
                const int64_t r1 = r0 + mc < row_hi ? r0 + mc : row_hi;
                int64_t i = r0;
                for (; i + mr <= r1; i += mr)
                    t->narrow(kb, a + i * rs_a + pc * cs_a, rs_a, cs_a, bq, ldbq, (int)n,
                              c + i * ldc, ldc, alpha, beta_p);
                if (i < r1) { /* short last panel: packed with zero rows, through a tile */
                    const int64_t rows = r1 - i;
                    GEMM_FN(pack_a)(trans_a, a, lda, i, rows, pc, kb, mr, my_a, 0, 1);
                    t->narrow(kb, my_a, 1, mr, bq, ldbq, (int)n, tile, nr, alpha, 0);
                    for (int64_t ii = 0; ii < rows; ii++) {
                        T *ci = c + (i + ii) * ldc;
                        const T *ti = tile + ii * nr;
                        if (beta_p == 0)
                            for (int64_t j = 0; j < n; j++) ci[j] = ti[j];
                        else
                            for (int64_t j = 0; j < n; j++) ci[j] = ti[j] + beta_p * ci[j];
                    }
                }
                if (last && epi && epi->fn) epi->fn(epi->ctx, r0, 0, r1 - r0, n, c + r0 * ldc, ldc);
            }
            if (packs_b) {
                GEMM_BARRIER(); /* the shared B panel is repacked next */
            }
        }
    }
}
#endif

static int GEMM_FN(gemm_core)(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, T alpha,
                              const T *a, int64_t lda, const T *b, int64_t ldb, T beta, T *c,
                              int64_t ldc, const fnn_epilogue *epi, void *work,
                              size_t work_bytes, int n_threads, const PT *b_image)
{
    if (m < 0 || n < 0 || k < 0 || n_threads < 1) return FNN_EINVAL;
    if (ldc < (n > 1 ? n : 1)) return FNN_EINVAL;
    const int64_t a_cols = trans_a ? m : k, b_cols = trans_b ? k : n;
    if (lda < (a_cols > 1 ? a_cols : 1)) return FNN_EINVAL;
    if (!b_image && ldb < (b_cols > 1 ? b_cols : 1)) return FNN_EINVAL;
    if (m == 0 || n == 0) return FNN_OK;
    if (k == 0 || alpha == 0) {
        GEMM_FN(scale_c)(m, n, beta, c, ldc);
        if (epi && epi->fn) epi->fn(epi->ctx, 0, 0, m, n, c, ldc);
        return FNN_OK;
    }
    if (gemm_size_overflows(m, n, k)) return FNN_EOVERFLOW;

    const GEMM_FN(gemm_table) *t = GEMM_FN(select_table)(n);
#ifdef GEMM_NARROW
    int nt = gemm_threads(m, n, k, n_threads, t->narrow != NULL);
#else
    int nt = gemm_threads(m, n, k, n_threads, 0);
#endif
    size_t a_stride, b_bytes, c_stride;
    const size_t c_elem = epi && epi->fn && epi->consumes_c ? sizeof(T) : 0;
    const int nt_ws = nt; /* the layout's count (the team granted may be smaller) */
    size_t need = gemm_ws_layout(m, n, k, GEMM_K_PAD, sizeof(PT) / GEMM_KP, nt, t->mr, t->nr, t->mc,
                                 t->kc, t->nc, c_elem, &a_stride, &b_bytes, &c_stride);
    /* A caller's scratch (the training workspace, sized for its count) too
     * small is an error, not a reason to allocate inside a training step. */
    if (work != NULL && (work_bytes < need || ((uintptr_t)work & 63) != 0)) return FNN_EINVAL;
    if (nt > 1) { /* after the check: it never depends on contention */
        const int team = fnn_team_size(nt);
        if (team < nt) fnn_note_team(nt); /* the count granted; the cap is transient */
        nt = team;
    }
    void *mem = NULL;
    if (work == NULL) {
        mem = fnn_aligned_alloc(need);
        if (mem == NULL) return FNN_ENOMEM;
        work = mem;
    }
    PT *ws_b = (PT *)work;
    PT *ws_a = (PT *)((char *)work + b_bytes);
    T *ws_c = c_elem ? (T *)((char *)work + b_bytes + a_stride * (size_t)nt_ws) : NULL;
#ifdef GEMM_NARROW
    if (t->narrow)
        GEMM_FN(run_narrow)(t, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epi,
                            ws_b, ws_a, a_stride, nt);
    else
#endif
        GEMM_FN(run)(t, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epi, ws_b,
                     ws_a, a_stride, ws_c, c_stride, nt, b_image);
    if (mem) fnn_aligned_free(mem);
    return FNN_OK;
}

int GEMM_FN(fnn_gemm)(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, T alpha,
                      const T *a, int64_t lda, const T *b, int64_t ldb, T beta, T *c,
                      int64_t ldc, const fnn_epilogue *epi, void *work, size_t work_bytes,
                      int n_threads)
{
    return GEMM_FN(gemm_core)(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epi,
                              work, work_bytes, n_threads, NULL);
}

#ifdef GEMM_IMAGE_TABLE
/* Packed images of op(B) (k x n): every micro-panel run() would pack, for
 * every k panel and column at once, so a B used by many GEMMs (the weights
 * of a training step) is converted once per change, not once per GEMM.
 * Micro-panels are laid out by b_stride and image_offset; padding (k values
 * past a panel's end, columns past n) stays zero from image_clear. */
size_t GEMM_FN(fnn_gemm_image_bytes)(int64_t k, int64_t n)
{
    if (k <= 0 || n <= 0 || gemm_size_overflows(k, n, 1)) return 0;
    const GEMM_FN(gemm_table) *t = GEMM_IMAGE_TABLE;
    const int64_t panels_end = (k + t->kc - 1) / t->kc * t->kc; /* where a next k panel would start */
    return (size_t)GEMM_FN(image_offset)(t, n, panels_end, 0, GEMM_FN(b_stride)(t, k)) * sizeof(PT);
}

void GEMM_FN(fnn_gemm_image_clear)(int64_t k, int64_t n, PT *image)
{
    memset(image, 0, GEMM_FN(fnn_gemm_image_bytes)(k, n));
}

/* Rows [p_lo, p_hi) (k values; p_lo even, as a unit holds a pair) and
 * columns [j_lo, j_hi) of op(B) into the image: what run() would pack there
 * from the same B.  Threads may write disjoint ranges at once. */
void GEMM_FN(fnn_gemm_image_pack)(int trans, const T *b, int64_t ldb, int64_t k, int64_t n,
                                  PT *image, int64_t p_lo, int64_t p_hi, int64_t j_lo,
                                  int64_t j_hi)
{
    const GEMM_FN(gemm_table) *t = GEMM_IMAGE_TABLE;
    const int nr = t->nr;
    const int64_t kc = t->kc, bstride = GEMM_FN(b_stride)(t, k);
    if (p_hi > k) p_hi = k;
    if (j_hi > n) j_hi = n;
    for (int64_t pc = p_lo / kc * kc; pc < p_hi; pc += kc) {
        const int64_t kb = k - pc < kc ? k - pc : kc;
        const int64_t v0 = (p_lo > pc ? p_lo : pc) - pc, v1 = (p_hi < pc + kb ? p_hi : pc + kb) - pc;
        for (int64_t q = j_lo / nr; q * nr < j_hi; q++) {
            const int64_t c0 = j_lo > q * nr ? j_lo : q * nr;
            const int64_t c1 = j_hi < (q + 1) * nr ? j_hi : (q + 1) * nr;
            PT *d = image + GEMM_FN(image_offset)(t, n, pc, q, bstride) + (c0 - q * nr);
            GEMM_FN(pack_b_units)(trans, b, ldb, pc, kb, v0 / GEMM_KP, (v1 + GEMM_KP - 1) / GEMM_KP,
                                  c0, c1 - c0, nr, d);
        }
    }
}

/* fnn_gemm with op(B) read from an image of it (k x n) instead of packed. */
int GEMM_FN(fnn_gemm_image)(int trans_a, int64_t m, int64_t n, int64_t k, T alpha, const T *a,
                            int64_t lda, const PT *image, T beta, T *c, int64_t ldc,
                            const fnn_epilogue *epi, void *work, size_t work_bytes, int n_threads)
{
    if (!image) return FNN_EINVAL;
    return GEMM_FN(gemm_core)(trans_a, 0, m, n, k, alpha, a, lda, NULL, 1, beta, c, ldc, epi,
                              work, work_bytes, n_threads, image);
}
#endif

#undef GEMM_PACK_STEP
#undef GEMM_THREAD_BEGIN
#undef GEMM_THREAD_END
#undef GEMM_TEAM_IDS
#undef GEMM_BARRIER
#undef GEMM_FOR_DYNAMIC
#undef GEMM_TIMED_BARRIER
#undef GEMM_UNITS
#undef GEMM_K_PAD
#undef GEMM_KP
#undef GEMM_PACK_FILE
#undef PT
#undef GEMM_CAT_
#undef GEMM_CAT
#undef GEMM_FN
