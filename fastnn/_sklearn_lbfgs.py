"""scikit-learn's lbfgs solver for the drop-in estimators: scipy's L-BFGS-B on
the full-batch loss and gradient of fastnn/_sklearn_backprop.py, with
scikit-learn's callbacks bridged per iteration."""
import numpy as np
import scipy.optimize
from sklearn.utils.optimize import _check_optimize_result

from . import _sklearn_backprop as bp
from ._parallel import single_threaded_blas
from ._sklearn_callbacks import LbfgsBridge


def fit_lbfgs(est, X, y, sample_weight, layer_units, n_threads, tasks=None):
    """Full-batch L-BFGS-B (scipy) on fastnn's loss and gradient, as
    scikit-learn's MLP does; the result goes into a fresh session."""
    shapes = [(a, b) for a, b in zip(layer_units[:-1], layer_units[1:])]
    sizes = [a * b for a, b in shapes] + [b for _, b in shapes]
    bounds = np.cumsum([0] + sizes)
    n_w = len(shapes)
    Y = np.ascontiguousarray(y, dtype=X.dtype)
    # scikit-learn minimizes its clipped log loss (with the exact gradient):
    # scipy's line search sees the same values, so it takes the same steps
    clip = bp.probability_clip(est.out_activation_, X.dtype)

    def unpack(packed):
        parts = [np.ascontiguousarray(packed[bounds[i]:bounds[i + 1]], dtype=X.dtype)
                 for i in range(len(sizes))]
        return ([p.reshape(s) for p, s in zip(parts[:n_w], shapes)], parts[n_w:])

    def loss_grad(packed):
        coefs, intercepts = unpack(packed)
        value, gw, gb = bp.loss_grad(X, Y, sample_weight, coefs, intercepts,
                                     est.activation, est.out_activation_, est.alpha,
                                     est.l1, n_threads=n_threads, clip=clip)
        return value, np.concatenate([g.ravel() for g in gw + gb]).astype(np.float64)

    packed = np.hstack([p.ravel() for p in list(est.coefs_) + list(est.intercepts_)])
    iprint = 1 if est.verbose is True or est.verbose >= 1 else -1
    options = {"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol}
    try:
        from sklearn.utils.fixes import _get_additional_lbfgs_options_dict
        options.update(_get_additional_lbfgs_options_dict("iprint", iprint))
    except ImportError:
        pass
    bridge = None if tasks is None else LbfgsBridge(tasks, unpack, packed)
    with single_threaded_blas():  # the solver's vector BLAS calls (fastnn/_parallel.py)
        res = scipy.optimize.minimize(loss_grad, packed.astype(np.float64), method="L-BFGS-B",
                                      jac=True, options=options, callback=bridge)
    if bridge is not None and bridge.stopped:  # a callback's stop: no convergence warning
        est.n_iter_ = int(res.nit)
        est.stop_reason_ = "callback"
    else:
        est.n_iter_ = _check_optimize_result("lbfgs", res, est.max_iter)
        est.stop_reason_ = ("converged" if res.success else
                            "max_iter" if res.status == 1 and res.nit >= est.max_iter else
                            "max_fun" if res.status == 1 else "not_converged")
    est.loss_ = float(res.fun)
    coefs, intercepts = unpack(res.x)
    session = est._new_session(layer_units, [0.0] * (len(layer_units) - 2), X.dtype, 1,
                                n_threads)
    session.load(coefs, intercepts)
    est._session = session
    est.coefs_, est.intercepts_ = session.views()
