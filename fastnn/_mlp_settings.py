"""fastnn.MLP's constructor settings: checked at construction and again
whenever a public attribute was edited since (MLP._checked_weights), turned
into the internal values a fit and a forward pass use, and get_params."""
import numpy as np

from ._fitloop import exclusive_fit
from ._mlp_init import hidden_activations, weights_digest
from ._validate import DROPOUT_MODES, LOSSES, dropout_rates, seed_from
from ._validate import OUTPUTS as _OUTPUT_CODES

# name tuples for the checks and their messages, in code order (csrc/vocab.h)
OUTPUTS = tuple(_OUTPUT_CODES)
PARAM_NAMES = ("layer_sizes", "activation", "output", "loss", "dropout", "dtype",
               "random_state", "dropout_mode")
# poisson is the scikit-learn regressor's (its exp output is not an MLP output)
LOSS_NAMES = tuple(name for name in LOSSES if name != "poisson")


class MLPSettingsMixin:
    def _check_settings(self):
        sizes = self.layer_sizes
        if (isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2
                or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                           and s >= 1 for s in sizes)):
            raise ValueError("layer_sizes must be a list of at least 2 positive ints "
                             "[n_inputs, hidden..., n_outputs], got %r" % (sizes,))
        # layer_sizes stays the object given (scikit-learn's clone checks that
        # get_params returns the constructor's arguments themselves)
        # one canonical name per hidden layer (a single name: the same for all)
        self._act = hidden_activations(self.activation, len(self.layer_sizes) - 2)
        if self.output not in OUTPUTS:
            raise ValueError("output must be one of %s, got %r" % (OUTPUTS, self.output))
        if self.loss not in LOSS_NAMES:
            raise ValueError("loss must be one of %s, got %r" % (LOSS_NAMES, self.loss))
        if self.output == "softmax" and self.layer_sizes[-1] == 1:
            raise ValueError("output='softmax' over a single output is always 1 and learns "
                             "nothing: use output='sigmoid' with loss='binary_cross_entropy' "
                             "for two classes")
        if self.loss == "cross_entropy" and self.output != "softmax":
            raise ValueError("loss='cross_entropy' needs output='softmax'")
        if self.loss == "binary_cross_entropy" and self.output != "sigmoid":
            raise ValueError("loss='binary_cross_entropy' needs output='sigmoid'")
        if str(self.dtype) not in ("float32", "float64", "bfloat16"):
            raise ValueError("dtype must be 'float32', 'float64' or 'bfloat16', got %r"
                             % (self.dtype,))
        if not isinstance(self.dropout_mode, str) or self.dropout_mode not in DROPOUT_MODES:
            raise ValueError("dropout_mode must be 'inverted' or 'classic', got %r"
                             % (self.dropout_mode,))
        # bfloat16: every GEMM of a training step rounds its operands to
        # bfloat16; weights, activations and updates stay float32.
        self._compute = "bfloat16" if str(self.dtype) == "bfloat16" else None
        self._dtype = np.dtype("float32" if self._compute else str(self.dtype))
        self._rates = dropout_rates(self.dropout, len(self.layer_sizes) - 2)
        # a seed is drawn once per random_state object: None or a Generator
        # would give a new one at every check
        if self.__dict__.get("_seed_source", self) is not self.random_state:
            self._seed, self._seed_source = seed_from(self.random_state), self.random_state
        self._checked = self._settings()

    def _settings(self):
        """The public settings as last checked (edits since then are re-checked)."""
        return (repr(self.layer_sizes), repr(self.activation), self.output, self.loss,
                repr(self.dropout), str(self.dtype), repr(self.dropout_mode),
                id(self.random_state))

    def get_params(self, deep=True):
        """The constructor's arguments, as given (scikit-learn's protocol)."""
        return {name: getattr(self, name) for name in PARAM_NAMES}

    def set_params(self, **params):
        """Set constructor arguments (scikit-learn's protocol: GridSearchCV).
        A model whose weights are still reset()'s draws gets new ones for the
        new settings, as if constructed with them; trained, loaded or
        hand-set weights are kept, as after editing the attributes (reset()
        starts over).  ValueError for a name that is not a parameter."""
        unknown = sorted(set(params) - set(PARAM_NAMES))
        if unknown:
            raise ValueError("invalid parameter(s) %s for MLP; valid: %s"
                             % (", ".join(unknown), ", ".join(PARAM_NAMES)))
        with exclusive_fit(self, "call set_params() after that fit returns"):
            drawn = self.__dict__.get("_drawn")
            fresh = drawn is not None and drawn == weights_digest(self.coefs_, self.intercepts_)
            for name, value in params.items():
                setattr(self, name, value)
            if fresh:
                self._redraw()
        return self

    def _fit_keywords(self):
        """fit's keyword arguments, each one a meta-estimator may route."""
        import inspect
        return [name for name, p in inspect.signature(self.fit).parameters.items()
                if p.kind == p.KEYWORD_ONLY]

    def set_fit_request(self, **requests):
        """Whether fit takes each keyword a meta-estimator routes to it
        (sample_weight, epochs, batch_size, ...), as scikit-learn's
        estimators: True, False, None (an error if one is passed), an
        alias, or unchanged; only with metadata routing enabled
        (sklearn.set_config(enable_metadata_routing=True)).  Kept in
        ``_metadata_request``, which sklearn.base.clone copies."""
        import copy
        import sklearn
        from sklearn.utils.metadata_routing import UNCHANGED
        if not sklearn.get_config().get("enable_metadata_routing", False):
            raise RuntimeError("set_fit_request is only available when metadata routing is "
                               "enabled: sklearn.set_config(enable_metadata_routing=True)")
        known = self._fit_keywords()
        unknown = sorted(set(requests) - set(known))
        if unknown:
            raise TypeError("set_fit_request: fit takes no %s; it takes %s"
                            % (", ".join(unknown), ", ".join(known)))
        request = copy.deepcopy(self.get_metadata_routing())  # a copy of a model keeps its own
        for name, alias in requests.items():
            if alias != UNCHANGED:
                request.fit.add_request(param=name, alias=alias)
        self._metadata_request = request
        return self

    def get_metadata_routing(self):
        """The request set_fit_request made (by default every fit keyword
        unrequested, as scikit-learn's estimators do with sample_weight)."""
        from sklearn.utils.metadata_routing import MetadataRequest
        request = self.__dict__.get("_metadata_request")
        if request is None:
            request = MetadataRequest(owner="MLP")
            for name in self._fit_keywords():
                request.fit.add_request(param=name, alias=None)
        return request

    def _json_params(self):
        """get_params as a model file's JSON holds them: lists of plain numbers."""
        params = self.get_params()
        params["layer_sizes"] = [int(s) for s in self.layer_sizes]
        if not isinstance(self.activation, str):
            params["activation"] = [str(a) for a in self.activation]
        params["dropout"] = (float(self.dropout) if np.ndim(self.dropout) == 0
                             else [float(r) for r in self.dropout])
        params["dtype"] = str(self.dtype)
        return params
