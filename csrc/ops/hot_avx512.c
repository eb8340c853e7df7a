/* The hot kernels (hot.inc) compiled for avx512; setup.py sets the ISA flags
 * from this file's name. */
#include <tgmath.h>
#include "fastnn.h"
#include "hot.h"
#include "rng.h"
#include "tmpl.h"

#define ISA avx512

#define T float
#define SFX f32
#include "hot.inc"
#undef T
#undef SFX

#define T double
#define SFX f64
#include "hot.inc"
#undef T
#undef SFX
