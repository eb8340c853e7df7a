/* The hot kernels (hot.inc) compiled for avx2; setup.py sets the ISA flags
 * from this file's name. */
#include <tgmath.h>
#include "fastnn.h"
#include "hot.h"
#include "rng.h"
#include "tmpl.h"

#define ISA avx2

#define FNN_TEMPLATE "hot.inc"
#include "each_dtype.h"
