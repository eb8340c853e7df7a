/* Instantiate the template named by FNN_TEMPLATE for float32 and float64:
 *
 *   #define FNN_TEMPLATE "act.inc"
 *   #include "each_dtype.h"
 *
 * The template sees T (the element type) and SFX (f32 / f64; FN(name) in
 * tmpl.h appends it).  No include guard: a file may instantiate several. */
#define T float
#define SFX f32
#include FNN_TEMPLATE
#undef T
#undef SFX

#define T double
#define SFX f64
#include FNN_TEMPLATE
#undef T
#undef SFX
#undef FNN_TEMPLATE
