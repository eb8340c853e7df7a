"""Training on data larger than memory: MLP.fit over a NumPy memmap (or any
array-like that slices, such as an h5py or zarr dataset) or over an iterable
of (X, y) batches, one chunk in memory at a time.

An epoch over a large array reads contiguous chunks of about CHUNK_BYTES into
one reused buffer, in a shuffled chunk order, and trains each chunk in the
compiled epoch with its rows shuffled (both orders drawn from the fit's seed
and the epoch number, so a run is reproducible).  That is not the global
shuffle of an in-memory fit; with chunks of many batches it trains as well.

Reading a memmap maps the file's pages into the process, and they would count
towards its resident memory until the whole file was; after copying a chunk
out, its pages are dropped from the mapping (madvise MADV_DONTNEED: the data
stays in the page cache, the process stops holding it), so resident memory
stays at about one chunk plus the model.
"""
import mmap

import numpy as np

from ._feature_names import check_column_names, column_names
from ._validate import as_features
from ._values import csr_parts, dense, is_sparse

CHUNK_BYTES = 64 << 20        # one chunk: many batches, yet small next to any RAM
STREAM_MIN_BYTES = 128 << 20  # a memmap or array-like larger than this streams
PIECE_BYTES = 4 << 20         # memmap pages mapped at once while copying a chunk


class InMemory:
    """Arrays already in memory (and a weight per row, or None): one
    compiled epoch over all rows."""

    def __init__(self, X, Y, labels, sample_weight=None):
        self.X, self.Y, self.labels, self.sample_weight = X, Y, labels, sample_weight
        self.n_rows = X.shape[0]
        self._as_read = None  # a sparse X as the epochs read it, made once

    def batches(self, batch_size):
        return _batches(self.n_rows, batch_size)

    def epoch(self, session, **settings):
        X = self.X
        if is_sparse(X):  # its nonzeros (fit made X dense where the epoch cannot read them)
            if self._as_read is None:
                self._as_read = csr_parts(X, X.dtype)
            X = self._as_read
        return session.epoch(X, self.Y, self.labels, sample_weight=self.sample_weight,
                             **settings)


def open_stream(model, X, Y, epochs, sparse_rows=False):
    """A stream over X (and Y) for model.fit, or None when X is an in-memory
    array (or a small memmap) that fit converts whole, or a sparse X the
    epoch reads as CSR rows (sparse_rows)."""
    if Y is None:
        if hasattr(X, "shape"):
            raise ValueError("Y is required when X is an array; pass an iterable of (X, y) "
                             "batches as X alone to stream")
        return BatchStream(model, X, epochs)
    # in memory already: an array, or a DataFrame (pandas, polars: columns of
    # their own dtypes, no row slicing by [a:b]), converted whole
    if (isinstance(X, np.ndarray) and not isinstance(X, np.memmap)) or hasattr(X, "columns"):
        return None
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) != 2 or not hasattr(X, "__getitem__"):
        return None
    itemsize = np.dtype(getattr(X, "dtype", model._dtype)).itemsize
    if shape[0] * shape[1] * itemsize <= STREAM_MIN_BYTES:
        return None
    if sparse_rows:  # its nonzeros are in memory: trained whole
        return None
    # any sparse format slices as CSR (COO and BSR do not slice rows)
    return ArrayStream(model, X.tocsr() if is_sparse(X) else X, Y)


def _batches(rows, batch_size):
    """Batches of batch_size in rows trained as one run (the last one short)."""
    return -(-int(rows) // batch_size)


def _drop_pages(view):
    """Unmap the pages of a memmap view from this process (see the module doc)."""
    mm = getattr(view, "_mmap", None)
    dontneed = getattr(mmap, "MADV_DONTNEED", None)  # POSIX; not on Windows
    if (mm is None or dontneed is None or not hasattr(mm, "madvise")
            or not view.flags.c_contiguous or getattr(view, "mode", "c") == "c"):
        return  # (copy-on-write mappings would lose their private changes)
    base = np.frombuffer(mm, dtype=np.uint8).ctypes.data
    start = view.ctypes.data - base
    aligned = start - start % mmap.PAGESIZE
    length = view.nbytes + (start - aligned)
    if length > 0:
        mm.madvise(dontneed, aligned, min(length, len(mm) - aligned))


def _read(source, start, stop, out=None):
    """Rows [start, stop) of an array-like as an in-memory array (into `out`),
    copied PIECE_BYTES at a time so that at most one piece of a memmap is
    mapped at once."""
    if out is None:
        out = np.empty((stop - start,) + tuple(source.shape[1:]), dtype=source.dtype)
    row_bytes = max(1, out[:1].nbytes)
    step = max(1, PIECE_BYTES // row_bytes)
    for a in range(start, stop, step):
        b = min(a + step, stop)
        view = source[a:b]
        with np.errstate(over="ignore"):  # a value past out's dtype: the caller says so
            out[a - start:b - start] = dense(view)
        if isinstance(view, np.memmap):
            _drop_pages(view)
    return out


def _piece_rows(X):
    """Rows of a 2-D X (dense or sparse) in one piece of PIECE_BYTES, at least one."""
    return max(1, PIECE_BYTES // max(1, X.shape[1] * np.dtype(X.dtype).itemsize))


def _all_finite(X):
    """np.isfinite(X).all() with a temporary of one piece, not of X's size."""
    step = _piece_rows(X)
    return all(np.isfinite(X[a:a + step]).all() for a in range(0, X.shape[0], step))


def _not_finite(source, start, stop, dtype):
    """Why rows [start, stop) of `source` are not all finite once read as
    `dtype`: NaN or infinity in the source, or values past a narrower dtype."""
    largest = 0.0
    step = _piece_rows(source)
    for a in range(start, stop, step):
        piece = np.asarray(dense(source[a:min(a + step, stop)]), dtype=np.float64)
        if not np.isfinite(piece).all():
            return "X contains NaN or infinity in rows [%d, %d)" % (start, stop)
        largest = max(largest, float(np.abs(piece).max(initial=0.0)))
    return ("X has values beyond the range of %s (largest magnitude %g) in rows [%d, %d): "
            "scale them" % (dtype, largest, start, stop))


class ArrayStream:
    """Chunks of an array-like X (and Y) with shape and row slicing."""

    def __init__(self, model, X, Y):
        self.model, self.X = model, X
        n, n_features = X.shape
        if np.dtype(X.dtype).kind not in "fiub":
            raise TypeError("X must be numeric, got dtype %s" % X.dtype)
        if n_features != model.layer_sizes[0]:
            raise ValueError("X has %d features but the model expects %d"
                             % (n_features, model.layer_sizes[0]))
        if n == 0:
            raise ValueError("X has no samples")
        if not hasattr(Y, "shape") or not hasattr(Y, "__getitem__"):
            Y = np.asarray(Y)
        if Y.shape[:1] != (n,):
            raise ValueError("X has %d samples but Y has %s" % (n, Y.shape[:1] or "none"))
        self.Y = Y
        self.n_rows = n
        self.rows = max(1, CHUNK_BYTES // (n_features * model._dtype.itemsize))
        self.buffer = np.empty((min(self.rows, n), n_features), dtype=model._dtype)

    def batches(self, batch_size):
        """Each chunk trains as its own run of batches."""
        full, last = divmod(self.n_rows, self.rows)
        return full * _batches(self.rows, batch_size) + _batches(last, batch_size)

    def validation(self, validation_data, validation_split, early_stopping):
        return _validation(self.model, validation_data, validation_split, early_stopping)

    def epoch(self, session, *, epoch, shuffle, progress=None, **settings):
        rng = np.random.default_rng([session.config["seed"], int(epoch)])
        starts = np.arange(0, self.n_rows, self.rows)
        if shuffle:
            rng.shuffle(starts)
        total, done = 0.0, 0
        for start in starts:
            stop = min(start + self.rows, self.n_rows)
            X = _read(self.X, start, stop, self.buffer[:stop - start])
            if not _all_finite(X):
                raise ValueError(_not_finite(self.X, start, stop, X.dtype))
            Y, labels = self.model._targets(_read(self.Y, start, stop), stop - start)
            total += _train(session, X, Y, labels, rng, epoch, shuffle, progress, done, settings)
            done += stop - start
        return float(total / done)


class BatchStream:
    """(X, y) items from an iterable (one pass = one epoch) or from a function
    returning a fresh iterable for each epoch."""

    def __init__(self, model, source, epochs):
        self.model = model
        # a first fit takes feature_names_in_ from its first batch, if a DataFrame,
        # and then checks the validation X against them (validation() keeps it)
        self.names_open = model._fits == 0 and getattr(model, "feature_names_in_", None) is None
        self.validation_X = None
        if callable(source):
            self.make = source
        else:
            try:
                it = iter(source)
            except TypeError:
                raise TypeError("X must be an array, an iterable of (X, y) batches or a "
                                "function returning one, got %r" % type(source)) from None
            if it is source and epochs > 1:
                raise ValueError("an iterator of batches can be read once, which is one "
                                 "epoch; for epochs > 1 pass a list or a function returning "
                                 "a fresh iterator for each epoch")
            self.make = lambda: source
        self.n_rows = None  # known after the first epoch
        # a list or tuple of batches says how many batches an epoch has before
        # it runs (a warm-up needs it); a function or iterator does not
        self.batch_rows = None  # any malformed item is left for the epoch to name
        if isinstance(source, (list, tuple)) and all(
                isinstance(item, (list, tuple)) and len(item) == 2
                and len(getattr(item[0], "shape", ())) == 2 for item in source):
            self.batch_rows = [item[0].shape[0] for item in source]

    def batches(self, batch_size):
        """Batches in one epoch, or None when unknown before it runs."""
        if self.batch_rows is None:
            return None
        return sum(_batches(rows, batch_size) for rows in self.batch_rows)

    def validation(self, validation_data, validation_split, early_stopping):
        val = _validation(self.model, validation_data, validation_split, early_stopping)
        if val is not None and self.names_open:
            self.validation_X = validation_data[0]  # its names, checked at the first batch
        return val

    def epoch(self, session, *, epoch, shuffle, progress=None, **settings):
        rng = np.random.default_rng([session.config["seed"], int(epoch)])
        total, done = 0.0, 0
        items = self.make()
        if items is None or not hasattr(items, "__iter__"):
            raise TypeError("the function passed as X must return an iterable of (X, y) "
                            "batches, got %r" % (items,))
        for i, item in enumerate(items):
            try:
                X, Y = item
            except (TypeError, ValueError):
                raise ValueError("batch %d is not an (X, y) pair" % i) from None
            self._check_columns(X)
            X = as_features(X, self.model.layer_sizes[0], self.model._dtype,
                            "X of batch %d" % i)
            if X.shape[0] == 0:
                continue
            Y, labels = self.model._targets(Y, X.shape[0])
            total += _train(session, X, Y, labels, rng, epoch, shuffle, progress, done, settings)
            done += X.shape[0]
        if done == 0:
            raise ValueError("the batches of an epoch held no samples (an iterator already "
                             "read? pass a function returning a fresh one)")
        self.n_rows = done
        return float(total / done)

    def _check_columns(self, X):
        """A DataFrame batch's column names: the first batch of a first fit
        sets feature_names_in_, every later batch must have them in order
        (a model fitted on arrays checks none); so must the validation X, as
        in a fit on arrays."""
        names = self.model.feature_names_in_
        if names is None and self.names_open:
            names = self.model.feature_names_in_ = column_names(X)
            if names is not None and self.validation_X is not None:
                check_column_names(names, self.validation_X, "MLP")
            self.validation_X = None
        elif names is not None:
            check_column_names(names, X, "MLP")
        self.names_open = False


def _train(session, X, Y, labels, rng, epoch, shuffle, progress, done, settings):
    """One compiled pass over one chunk; returns its summed loss."""
    order = rng.permutation(X.shape[0]) if shuffle else None
    report = None if progress is None else (lambda rows: progress(done + rows))
    loss = session.epoch(X, Y, labels, epoch=epoch, shuffle=False, order=order,
                         progress=report, **settings)
    return loss * X.shape[0]


def _validation(model, validation_data, validation_split, early_stopping):
    if validation_split > 0 or (early_stopping and validation_data is None):
        raise ValueError("validation_split cannot split streamed data: pass validation_data "
                         "(in memory) for validation and early stopping")
    return None if validation_data is None else model._validation(validation_data)
