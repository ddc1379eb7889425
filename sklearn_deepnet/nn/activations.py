"""Hidden-layer activation functions as forward / derivative pairs, and the name -> class table.

Each activation computes ``A = g(Z)`` in place and multiplies an upstream gradient ``dA`` in
place by ``g'(Z)``, expressed through the *output* ``A`` so the forward pass need not keep ``Z``:

========== ======================== =====================================
name       g(z)                     g'(z) written with a = g(z)
========== ======================== =====================================
identity   z                        1
logistic   1 / (1 + exp(-z))        a (1 - a)
tanh       tanh(z)                  1 - a**2
relu       max(0, z)                1 where a > 0, else 0
leaky_relu max(slope z, z)          1 where a > 0, else slope
========== ======================== =====================================

``sigmoid`` is accepted as another name for ``logistic``.

Each activation also names the initialization ``init='auto'`` gives the layers it feeds
(``default_init``): ``MLPClassifier``'s for the activations it has, so that the default network
starts where ``MLPClassifier`` starts.
"""

import numpy as np
from scipy.special import expit

from .initializers import UniformWeightsAndBiases

_MLP_INIT = UniformWeightsAndBiases(6.0)


class Identity:
    """The identity activation ``g(z) = z``."""

    name = "identity"
    default_init = _MLP_INIT

    def forward(self, Z):
        """Return ``g(Z)``; ``Z`` may be overwritten and returned."""
        return Z

    def backward(self, A, dA):
        """Return ``dA * g'(Z)`` given ``A = g(Z)``; ``dA`` may be overwritten and returned."""
        return dA


class Logistic:
    """The logistic sigmoid ``g(z) = 1 / (1 + exp(-z))``, ``g' = a (1 - a)``."""

    name = "logistic"
    default_init = UniformWeightsAndBiases(2.0)  # scikit-learn's narrower bound for logistic

    def forward(self, Z):
        """Return ``g(Z)``, computed in place in ``Z``."""
        return expit(Z, out=Z)

    def backward(self, A, dA):
        """Return ``dA * A * (1 - A)``, computed in place in ``dA``."""
        dA *= A
        dA *= 1 - A
        return dA


class Tanh:
    """The hyperbolic tangent ``g(z) = tanh(z)``, ``g' = 1 - a**2``."""

    name = "tanh"
    default_init = _MLP_INIT

    def forward(self, Z):
        """Return ``tanh(Z)``, computed in place in ``Z``."""
        return np.tanh(Z, out=Z)

    def backward(self, A, dA):
        """Return ``dA * (1 - A**2)``, computed in place in ``dA``."""
        dA *= 1 - A * A
        return dA


class ReLU:
    """The rectified linear unit ``g(z) = max(0, z)``, ``g' = 1[z > 0]``."""

    name = "relu"
    default_init = _MLP_INIT

    def forward(self, Z):
        """Return ``max(Z, 0)``, computed in place in ``Z``."""
        return np.maximum(Z, 0, out=Z)

    def backward(self, A, dA):
        """Zero ``dA`` where the unit is inactive (``A <= 0``), in place."""
        return np.multiply(dA, A > 0, out=dA)


class LeakyReLU:
    """The leaky ReLU ``g(z) = max(slope * z, z)``, ``g' = 1`` if ``z > 0`` else ``slope``.

    Parameters
    ----------
    negative_slope : float, default=0.01
        Slope for negative inputs, in ``[0, 1)``. The course uses 0.01.
    """

    name = "leaky_relu"
    default_init = _MLP_INIT

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def forward(self, Z):
        """Return ``max(slope * Z, Z)``, computed in place in ``Z``."""
        return np.multiply(Z, float(self.negative_slope), out=Z, where=Z < 0)

    def backward(self, A, dA):
        """Scale ``dA`` by ``slope`` where the input was negative (``A < 0``), in place."""
        return np.multiply(dA, float(self.negative_slope), out=dA, where=A <= 0)


ACTIVATIONS = {
    "identity": Identity,
    "logistic": Logistic,
    "sigmoid": Logistic,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
}


def get_activation(name, negative_slope=0.01):
    """Return the activation object registered under ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`ACTIVATIONS`.
    negative_slope : float, default=0.01
        Passed to activations that take it (``leaky_relu``).

    Returns
    -------
    activation : object
        An object with ``forward(Z)`` and ``backward(A, dA)``.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}.")
    cls = ACTIVATIONS[name]
    return cls(negative_slope) if cls is LeakyReLU else cls()
