/* Per-core cache sizes read from sysfs once, and the GEMM block sizes made
 * from them (cache.c).  Only mc and nc come from the caches: they decide how
 * C is cut into blocks, never the order of the k sum of an element (each
 * tile is one micro-kernel call per k panel, at multiples of mr and nr
 * whatever mc and nc).  kc stays fixed per ISA and dtype, so results are
 * bit-identical across machines of one ISA. */
#ifndef FASTNN_DISPATCH_CACHE_H
#define FASTNN_DISPATCH_CACHE_H
#include <stdint.h>

typedef struct {
    int64_t l1d, l2;  /* bytes per core, 0: unknown */
    int64_t l3_share; /* the L3 over the CPUs that share it (a VM may show the host's whole L3) */
} fnn_cache_sizes;

/* Read dir/index<i>/{level,type,size,shared_cpu_list} (dir: a CPU's sysfs
 * cache directory).  Returns 1 if an L2 was found, else 0 (*out zeroed). */
int fnn_cache_read(const char *dir, fnn_cache_sizes *out);

/* mc and nc for a kc-deep, elem-byte GEMM of tile mr x nr from the caches:
 * the A block (mc x kc) in half the L2, the B panel (kc x nc) in half the L3
 * share, clamped to sane bounds and rounded down to multiples of mr and nr.
 * Returns 0 (mc, nc untouched) when the caches are unknown. */
int fnn_cache_blocking(const fnn_cache_sizes *c, int64_t elem, int mr, int nr, int64_t kc,
                       int64_t *mc, int64_t *nc);
#endif
