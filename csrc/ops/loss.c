/* Losses with gradients, float32 and float64 from loss.inc. */
#include <tgmath.h>
#include "fastnn.h"
#include "tmpl.h"

#define FNN_TEMPLATE "loss.inc"
#include "each_dtype.h"
