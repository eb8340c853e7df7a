/* Training epochs, float32 and float64 from epoch.inc. */
#include <math.h>
#include <string.h>
#include "trainer.h"
#include "../ops/rng.h"
#include "../ops/tmpl.h"
#include "../ops/hot.h"

#define T float
#define SFX f32
#include "epoch.inc"
#undef T
#undef SFX

#define T double
#define SFX f64
#include "epoch.inc"
#undef T
#undef SFX
