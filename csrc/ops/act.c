/* Activations, softmax, column sums and the fused dense layer, float32 and float64 from act.inc. */
#include <tgmath.h>
#include "fastnn.h"
#include "tmpl.h"
#include "hot.h"

#define FNN_TEMPLATE "act.inc"
#include "each_dtype.h"
#define FNN_TEMPLATE "dense.inc"
#include "each_dtype.h"
