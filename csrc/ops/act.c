/* Activations, softmax, column sums and the fused dense layer, float32 and float64 from act.inc. */
#include <tgmath.h>
#include "fastnn.h"
#include "tmpl.h"
#include "hot.h"

#define T float
#define SFX f32
#include "act.inc"
#include "dense.inc"
#undef T
#undef SFX

#define T double
#define SFX f64
#include "act.inc"
#include "dense.inc"
#undef T
#undef SFX
