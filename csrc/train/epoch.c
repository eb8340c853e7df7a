/* Training epochs, float32 and float64 from epoch.inc. */
#include <math.h>
#include <string.h>
#include "trainer.h"
#include "../ops/rng.h"
#include "../ops/tmpl.h"
#include "../ops/hot.h"

#define FNN_TEMPLATE "train/epoch.inc"
#include "../ops/each_dtype.h"
