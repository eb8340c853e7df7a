"""Twin of the image augmentation of the compiled epoch's batch gather (part
of fastnn.reference, split out by family; import it from fastnn.reference)."""
from ._augment import augment_settings, transform_images


def augment_images(x, image_shape, *, augment, max_shift=2, seed, counter=0):
    """Twin of fastnn.ops.augment_images: row r drawn from rng_bits(seed, counter + r)."""
    flags, shape, max_shift = augment_settings(augment, image_shape, max_shift, x.shape[1])
    if not flags:
        return x.copy()
    return transform_images(x, seed, counter, flags, max_shift, shape)
