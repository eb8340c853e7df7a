/* SGD (momentum, Nesterov) and Adam/AdamW, float32 and float64 from optim.inc. */
#include <tgmath.h>
#include "fastnn.h"
#include "tmpl.h"
#include "hot.h"

fnn_adam_consts fnn_adam_consts_make(double lr, double beta1, double beta2, double eps,
                                     int64_t t, double l1, double l2, double weight_decay,
                                     int eps_style)
{
    const double c1 = 1 - pow(beta1, (double)t), c2 = 1 - pow(beta2, (double)t);
    /* hat:     p -= lr * (m / c1) / (sqrt(v / c2) + eps)
     * sklearn: p -= lr * sqrt(c2) / c1 * m / (sqrt(v) + eps) */
    fnn_adam_consts k = {
        .lr = lr, .beta1 = beta1, .beta2 = beta2, .eps = eps, .l1 = l1, .l2 = l2,
        .decay = lr * weight_decay,
        .step = eps_style == FNN_ADAM_EPS_SKLEARN ? lr * sqrt(c2) / c1 : lr / c1,
        .inv_c2 = 1 / c2, .sklearn_eps = eps_style == FNN_ADAM_EPS_SKLEARN,
    };
    return k;
}

#define FNN_TEMPLATE "optim.inc"
#include "each_dtype.h"
