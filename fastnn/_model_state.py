"""fastnn.MLP's persistence: the state fastnn.save writes and reads
(fastnn/io.py), and pickling."""
import numpy as np

from ._feature_names import loaded_column_names
from ._validate import storable_seed


class MLPStateMixin:
    def _fastnn_state(self):
        coefs, intercepts = self._checked_weights()
        arrays = {"coefs_%d" % l: w for l, w in enumerate(coefs)}
        arrays.update({"intercepts_%d" % l: b for l, b in enumerate(intercepts)})
        params = self._json_params()
        params["random_state"] = storable_seed(params["random_state"])
        meta = {"params": params, "n_layers": len(coefs)}
        if getattr(self, "feature_names_in_", None) is not None:
            meta["feature_names_in"] = [str(name) for name in self.feature_names_in_]
        return meta, arrays

    @classmethod
    def _from_fastnn_state(cls, meta, arrays):
        n = meta["n_layers"]
        sizes = meta["params"]["layer_sizes"]
        # Check the file's arrays against layer_sizes before __init__ allocates
        # fresh weights of those sizes (a corrupt file could ask for terabytes).
        shapes = [tuple(np.shape(arrays["coefs_%d" % l])) for l in range(n)]
        if not isinstance(sizes, list) or shapes != list(zip(sizes[:-1], sizes[1:])):
            raise ValueError("layer_sizes %.100r do not match the weight shapes %.100r"
                             % (sizes, shapes))
        model = cls(**meta["params"])
        model.coefs_ = [arrays["coefs_%d" % l] for l in range(n)]
        model.intercepts_ = [arrays["intercepts_%d" % l] for l in range(n)]
        model._drawn = None  # the file's weights, not draws to redo
        model._checked_weights()
        model.feature_names_in_ = loaded_column_names(meta.get("feature_names_in"), sizes[0])
        return model

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_fit_lock", None)  # a threading.Lock: not picklable, made on the next fit
        state["coefs_"] = [np.array(w) for w in self.coefs_]
        state["intercepts_"] = [np.array(b) for b in self.intercepts_]
        return state

