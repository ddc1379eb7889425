"""Random initializers: each draws one layer's ``(weights, biases)`` from ``(fan_in, fan_out)``.

The course warns never to start from zeros (every hidden unit would stay identical); these draw
small random weights scaled to the layer's fan-in and fan-out. Every initializer is called as
``init(fan_in, fan_out, rng, dtype)`` and returns ``(W, b)``; one layer's weights are drawn
before its biases, so a network's draw depends on ``rng`` alone.
"""

import numpy as np


def he(fan_in, fan_out, rng, dtype):
    """He et al. (2015): weights ``N(0, 2 / fan_in)``, zero biases; suited to the ReLU family."""
    coef = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
    return coef.astype(dtype), np.zeros(fan_out, dtype=dtype)


def glorot(fan_in, fan_out, rng, dtype):
    """Glorot & Bengio (2010): weights ``U(-r, r)``, ``r = sqrt(6 / (fan_in + fan_out))``.

    Biases start at zero.
    """
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    coef = rng.uniform(-bound, bound, (fan_in, fan_out))
    return coef.astype(dtype), np.zeros(fan_out, dtype=dtype)


def lecun(fan_in, fan_out, rng, dtype):
    """LeCun normal: weights ``N(0, 1 / fan_in)``, zero biases; SELU needs it to self-normalize."""
    coef = rng.standard_normal((fan_in, fan_out)) * np.sqrt(1.0 / fan_in)
    return coef.astype(dtype), np.zeros(fan_out, dtype=dtype)


def normal(fan_in, fan_out, rng, dtype):
    """The course's small Gaussian: weights ``N(0, 1) * 0.01`` whatever the layer, zero biases."""
    coef = rng.standard_normal((fan_in, fan_out)) * 0.01
    return coef.astype(dtype), np.zeros(fan_out, dtype=dtype)


def zeros(fan_in, fan_out, rng, dtype):
    """Zero weights and biases: only for a network without hidden layers (a convex objective)."""
    return np.zeros((fan_in, fan_out), dtype=dtype), np.zeros(fan_out, dtype=dtype)


class UniformWeightsAndBiases:
    """``MLPClassifier``'s initialization: weights *and* biases ``U(-r, r)``.

    ``r = sqrt(factor / (fan_in + fan_out))``: Glorot's bound for ``factor=6``; scikit-learn
    uses ``factor=2`` for logistic networks. Drawn in scikit-learn's order (a layer's weights,
    then its biases), so the same ``RandomState`` gives ``MLPClassifier``'s very weights.

    Parameters
    ----------
    factor : float, default=6.0
        Numerator of the squared bound.
    """

    def __init__(self, factor=6.0):
        self.factor = factor

    def __call__(self, fan_in, fan_out, rng, dtype):
        """Return ``(W, b)`` for a layer with ``fan_in`` inputs and ``fan_out`` units."""
        bound = np.sqrt(self.factor / (fan_in + fan_out))
        coef = rng.uniform(-bound, bound, (fan_in, fan_out))
        intercept = rng.uniform(-bound, bound, fan_out)
        return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)


INITIALIZERS = {"he": he, "glorot": glorot, "lecun": lecun, "normal": normal}
"""The initializers a user can name with ``init``; ``'auto'`` takes the activation's own."""
