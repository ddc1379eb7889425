"""Random weight initializers, each a function of ``(fan_in, fan_out, rng, dtype)``.

The course warns never to start from zeros (every hidden unit would stay identical); these draw
small random weights scaled to the layer's fan-in and fan-out.
"""

import numpy as np


def he(fan_in, fan_out, rng, dtype):
    """He et al. (2015): ``N(0, 2 / fan_in)``, suited to the ReLU family."""
    return (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(dtype)


def glorot(fan_in, fan_out, rng, dtype):
    """Glorot & Bengio (2010): ``U(-r, r)`` with ``r = sqrt(6 / (fan_in + fan_out))``."""
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype)


def normal(fan_in, fan_out, rng, dtype):
    """The course's small Gaussian: ``N(0, 1) * 0.01``, whatever the layer's size."""
    return (rng.standard_normal((fan_in, fan_out)) * 0.01).astype(dtype)


INITIALIZERS = {"he": he, "glorot": glorot, "normal": normal}
