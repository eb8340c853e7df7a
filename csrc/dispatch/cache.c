/* Cache sizes from sysfs and the GEMM blocking made from them (cache.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dispatch/cache.h"

/* Bounds: mc at least 4 tiles tall and at most 1024 rows, nc between 256
 * and 8192 columns, whatever a (virtual) machine reports. */
#define CACHE_MC_TILES_MIN 4
#define CACHE_MC_MAX 1024
#define CACHE_NC_MIN 256
#define CACHE_NC_MAX 8192

/* The first line of dir/index/name into buf; 0 if missing. */
static int read_line(const char *dir, int index, const char *name, char *buf, size_t len)
{
    char path[512];
    if (snprintf(path, sizeof path, "%s/index%d/%s", dir, index, name) >= (int)sizeof path)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (ok) buf[strcspn(buf, "\r\n")] = 0;
    return ok && buf[0] != 0;
}

/* "512K", "8M", "32768" -> bytes; 0 if garbage. */
static int64_t parse_size(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v <= 0 || v > (1LL << 40)) return 0;
    if (*end == 'K' || *end == 'k') v <<= 10, end++;
    else if (*end == 'M' || *end == 'm') v <<= 20, end++;
    else if (*end == 'G' || *end == 'g') v <<= 30, end++;
    return *end == 0 ? (int64_t)v : 0;
}

/* "0-3,8-11" -> 8; 0 if garbage. */
static int64_t count_cpus(const char *s)
{
    int64_t n = 0;
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (end == s || a < 0) return 0;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            if (end == s + 1 || b < a) return 0;
            s = end;
        }
        n += b - a + 1;
        if (*s == ',') s++;
        else if (*s) return 0;
    }
    return n;
}

int fnn_cache_read(const char *dir, fnn_cache_sizes *out)
{
    memset(out, 0, sizeof *out);
    if (dir == NULL) return 0;
    for (int i = 0; i < 16; i++) {
        char level[32], type[32], size[32], shared[256];
        if (!read_line(dir, i, "level", level, sizeof level)) continue;
        if (!read_line(dir, i, "type", type, sizeof type) || strcmp(type, "Instruction") == 0)
            continue;
        if (!read_line(dir, i, "size", size, sizeof size)) continue;
        const int64_t bytes = parse_size(size);
        int64_t sharing = 1;
        if (read_line(dir, i, "shared_cpu_list", shared, sizeof shared)) sharing = count_cpus(shared);
        if (bytes <= 0 || sharing <= 0) continue;
        if (strcmp(level, "1") == 0) out->l1d = bytes;
        else if (strcmp(level, "2") == 0) out->l2 = bytes / sharing;
        else if (strcmp(level, "3") == 0) out->l3_share = bytes / sharing;
    }
    if (out->l2 > 0) return 1;
    memset(out, 0, sizeof *out);
    return 0;
}

int fnn_cache_blocking(const fnn_cache_sizes *c, int64_t elem, int mr, int nr, int64_t kc,
                       int64_t *mc, int64_t *nc)
{
    if (c == NULL || c->l2 <= 0 || elem <= 0 || mr <= 0 || nr <= 0 || kc <= 0) return 0;
    int64_t m = c->l2 / 2 / (kc * elem);
    if (m > CACHE_MC_MAX) m = CACHE_MC_MAX;
    m = m / mr * mr;
    if (m < CACHE_MC_TILES_MIN * mr) m = CACHE_MC_TILES_MIN * mr;
    /* without an L3, the B panel streams from memory: the L2 sizes it */
    const int64_t l3 = c->l3_share > 0 ? c->l3_share : c->l2;
    int64_t n = l3 / 2 / (kc * elem);
    if (n > CACHE_NC_MAX) n = CACHE_NC_MAX;
    if (n < CACHE_NC_MIN) n = CACHE_NC_MIN;
    n = (n + nr - 1) / nr * nr;
    *mc = m;
    *nc = n;
    return 1;
}
