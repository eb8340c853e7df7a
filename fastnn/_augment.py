"""Image augmentation of the compiled epoch: its settings, checked once, and
the pixel work of its NumPy twin (reference.augment_images).

Each input row is an image stored (H, W, C) row-major.  Image r of a batch
gets the random bits b = rng_bits(key, counter0 + r) and from them
  dy = b mod (2 max_shift + 1) - max_shift,
  dx = (b >> 21) mod (2 max_shift + 1) - max_shift   (when shifting),
  flip = b >> 63                                     (when flipping);
the output pixel (i, j) is the input pixel (i - dy, f(j - dx)), f(u) = W - 1 - u
when flipped, and 0 where i - dy or j - dx falls outside the image.  Erasing
then sets a rectangle of it to 0, drawn from e = rng_bits(rng_bits(key, 2^64 - 1),
counter0 + r) (erase_rectangles has the rule).
csrc/ops/augment.c and augment.inc are the compiled version.
"""
import math
from collections.abc import Mapping, Set

import numpy as np

from ._core import AUGMENT_BITS
from ._reference_random import rng_bits
from ._validate import whole_number

AUGMENT_NAMES = tuple(AUGMENT_BITS)


def augment_settings(augment, image_shape, max_shift, n_features):
    """(flags, (H, W, C), max_shift) from the user's augment ("shift", "flip", "erase" or
    a list of them), image_shape ((H, W) or (H, W, C)) and max_shift; flags 0
    when augment is None.  image_shape and max_shift are checked even then (a
    wrong one is a mistake either way).  Errors name the argument."""
    shape = None
    if image_shape is not None:
        shape = _image_shape(image_shape)
        values = math.prod(int(s) for s in shape)  # Python ints: no int64 wrap
        if values != n_features:
            raise ValueError("image_shape %s holds %d values but X has %d features"
                             % (tuple(image_shape), values, n_features))
    max_shift = whole_number(max_shift, "max_shift", high=2 ** 31)  # a C int64 in any case
    if augment is None or (isinstance(augment, (list, tuple)) and not augment):
        return 0, (0, 0, 0), 0
    names = [augment] if isinstance(augment, str) else augment
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise TypeError("augment must be 'shift', 'flip', 'erase' or a list of them, got %r"
                        % (augment,))
    unknown = [n for n in names if n not in AUGMENT_BITS]
    if unknown:
        raise ValueError("augment must be among %s, got %r" % (AUGMENT_NAMES, unknown))
    flags = 0
    for name in names:
        flags |= AUGMENT_BITS[name]
    if shape is None:
        raise ValueError("augment=%r needs image_shape=(H, W) or (H, W, C): the rows are "
                         "images of which size?" % (augment,))
    if flags & AUGMENT_BITS["shift"] and max_shift >= min(shape[:2]):
        raise ValueError("max_shift %d is not smaller than the image (%d x %d)"
                         % (max_shift, shape[0], shape[1]))
    return flags, shape, max_shift


def _image_shape(image_shape):
    if isinstance(image_shape, (Set, Mapping)):  # no order: {4, 9} iterates as (9, 4)
        raise TypeError("image_shape must be an ordered (H, W) or (H, W, C) such as a tuple, "
                        "got %r" % (image_shape,))
    try:
        shape = tuple(image_shape)
    except TypeError:
        raise TypeError("image_shape must be (H, W) or (H, W, C), got %r" % (image_shape,)) \
            from None
    if len(shape) not in (2, 3) or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1
            for s in shape):
        raise ValueError("image_shape must be (H, W) or (H, W, C) of positive ints, got %r"
                         % (image_shape,))
    return tuple(int(s) for s in shape) + ((1,) if len(shape) == 2 else ())


def config_entries(flags, shape, max_shift):
    """The trainer config's augmentation entries (fastnn/_session.py)."""
    return {"augment": flags, "image_shape": shape, "max_shift": max_shift}


def erase_rectangles(bits, h, w):
    """(top, left, height, width) of each row's erased rectangle, height 0 for
    none: random erasing (Zhong et al. 2017) in integer arithmetic.  With
    probability 1/2 (bit 0 clear) an area a in [ceil(0.02 h w), floor(0.4 h w)]
    (bits 1-15), an aspect ratio q / 256 in [77/256, 1] (bits 16-30), tall or
    wide (bit 31); sides isqrt(a 256 / q) and isqrt(a q / 256), cut to the
    image; top and left uniform (bits 32-47, 48-63)."""
    def scaled(field, width, n):
        return (field * n) >> width
    hw = h * w
    lo = max((2 * hw + 99) // 100, 1)
    hi = max(2 * hw // 5, lo)
    out = []
    for b in (int(v) for v in bits):
        if b & 1:
            out.append((0, 0, 0, 0))
            continue
        area = lo + scaled((b >> 1) & 0x7FFF, 15, hi - lo + 1)
        q = 77 + scaled((b >> 16) & 0x7FFF, 15, 256 - 77 + 1)
        long_side, short_side = math.isqrt(area * 256 // q), max(math.isqrt(area * q // 256), 1)
        eh, ew = (long_side, short_side) if (b >> 31) & 1 else (short_side, long_side)
        eh, ew = min(eh, h), min(ew, w)
        out.append((scaled((b >> 32) & 0xFFFF, 16, h - eh + 1),
                    scaled(b >> 48, 16, w - ew + 1), eh, ew))
    return out


def transform_images(x, key, counter0, flags, max_shift, shape):
    """The twin's pixel work: row r of x transformed by the draws of
    (key, counter0 + r)."""
    h, w, c = shape
    counters = np.uint64(counter0) + np.arange(x.shape[0], dtype=np.uint64)
    bits = rng_bits(key, counters)
    span = np.uint64(2 * max_shift + 1)
    shift = bool(flags & AUGMENT_BITS["shift"])
    dy = (bits % span).astype(np.int64) - max_shift if shift else np.zeros(len(bits), np.int64)
    dx = ((bits >> np.uint64(21)) % span).astype(np.int64) - max_shift if shift \
        else np.zeros(len(bits), np.int64)
    flip = (bits >> np.uint64(63)).astype(bool) & bool(flags & AUGMENT_BITS["flip"])
    out = np.zeros_like(x)
    rows, cols = np.arange(h), np.arange(w)
    for r in range(x.shape[0]):
        img = x[r].reshape(h, w, c)
        si, sj = rows - dy[r], cols - dx[r]
        ok_i, ok_j = (si >= 0) & (si < h), (sj >= 0) & (sj < w)
        src_j = np.where(flip[r], w - 1 - sj, sj)
        res = out[r].reshape(h, w, c)
        res[np.ix_(ok_i, ok_j)] = img[np.ix_(si[ok_i], src_j[ok_j])]
    if flags & AUGMENT_BITS["erase"]:
        erase_key = int(rng_bits(key, np.uint64(2 ** 64 - 1)))
        for r, (top, left, eh, ew) in enumerate(erase_rectangles(
                rng_bits(erase_key, counters), h, w)):
            out[r].reshape(h, w, c)[top:top + eh, left:left + ew] = 0
    return out
