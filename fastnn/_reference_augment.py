"""Twin of the image augmentation of the compiled epoch's batch gather (part
of fastnn.reference, split out by family; import it from fastnn.reference)."""
import numpy as np

from ._augment import augment_settings, transform_images
from ._reference_random import rng_bits


def augment_images(x, image_shape, *, augment, max_shift=2, seed, counter=0):
    """Twin of fastnn.ops.augment_images: row r drawn from rng_bits(seed, counter + r)."""
    flags, shape, max_shift = augment_settings(augment, image_shape, max_shift, x.shape[1])
    if not flags:
        return x.copy()
    bits = rng_bits(seed, np.uint64(counter) + np.arange(x.shape[0], dtype=np.uint64))
    return transform_images(x, bits, flags, max_shift, shape)
