/* Aligned allocation: the one place csrc/ calls malloc.  64 bytes = one cache
 * line = one AVX-512 register, so packed panels never straddle lines. */
#include <stdlib.h>
#include "fastnn.h"

void *fnn_aligned_alloc(size_t bytes)
{
    void *p = NULL;
    if (bytes == 0) bytes = 64;
    if (posix_memalign(&p, 64, bytes) != 0) return NULL;
    return p;
}

void fnn_aligned_free(void *p) { free(p); }
