/* Losses with gradients, float32 and float64 from loss.inc. */
#include <tgmath.h>
#include "fastnn.h"
#include "tmpl.h"

#define T float
#define SFX f32
#include "loss.inc"
#undef T
#undef SFX

#define T double
#define SFX f64
#include "loss.inc"
#undef T
#undef SFX
