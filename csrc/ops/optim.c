/* SGD (momentum, Nesterov) and Adam/AdamW, float32 and float64 from optim.inc. */
#include <tgmath.h>
#include "fastnn.h"
#include "tmpl.h"
#include "hot.h"

#define T float
#define SFX f32
#include "optim.inc"
#undef T
#undef SFX

#define T double
#define SFX f64
#include "optim.inc"
#undef T
#undef SFX
