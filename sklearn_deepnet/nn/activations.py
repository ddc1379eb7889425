"""Hidden-layer activations: each class holds a function's forward, derivative, defaults and export.

An activation computes ``A = g(Z)`` and multiplies an upstream gradient ``dA`` by ``g'(Z)``, in
place for NumPy arrays; arrays of another namespace (PyTorch, CuPy, ...) come with ``out=None``
and get the array API standard's functions, which return new arrays. Most derivatives are
functions of the output ``A``, so the forward pass may overwrite ``Z`` with ``A`` and keep nothing
else; an activation whose derivative needs ``Z`` itself (GELU, SiLU, Mish) says so with
``needs_input = True``, and the network keeps ``Z`` for those layers only. Beside the two passes
each class declares:

- ``summary``: its formula, for the docstrings and the user guide;
- ``default_init``: the initialization ``init='auto'`` gives the layers it feeds
  (``MLPClassifier``'s for the activations it has, so the default network starts where
  ``MLPClassifier`` starts; LeCun normal for SELU, which needs it to self-normalize);
- ``hyperparameters``: the estimator parameters its constructor reads (``negative_slope``);
- ``to_onnx``: the same function as ONNX operators, for :mod:`sklearn_deepnet.onnx`, written
  through a small graph interface (``op``, ``float32_op``, ``constant``) so that this module
  needs no ONNX package.

:data:`ACTIVATIONS` maps every name (and alias) to its class: it is the list the estimators
accept, document, export and persist. Adding an activation is one class and one entry.
"""

import math

import numpy as np
import scipy.special
from scipy.special import expit, ndtr

from ._namespace import get_namespace
from .initializers import UniformWeightsAndBiases, lecun


def _sigmoid(Z):
    """``1 / (1 + exp(-Z))`` with the standard's functions (no overflow to NaN)."""
    xp = get_namespace(Z)
    return 1 / (1 + xp.exp(-Z))

_MLP_INIT = UniformWeightsAndBiases(6.0)


class Activation:
    """Base class: the identity ``g(z) = z``, and the defaults every activation shares."""

    name = "identity"
    summary = "``z``"
    aliases = ()
    needs_input = False
    default_init = _MLP_INIT
    hyperparameters = {}

    @classmethod
    def from_params(cls, get):
        """Build the activation from an estimator's parameters, ``get(name)`` returning each."""
        return cls(**{arg: get(name) for arg, name in cls.hyperparameters.items()})

    def forward(self, Z, out):
        """Return ``g(Z)``, written into ``out`` (maybe ``Z`` itself) unless ``out`` is None."""
        if out is not None and out is not Z:
            out[...] = Z
        return Z if out is None else out

    def backward(self, dA, A, Z):
        """Return ``dA * g'(Z)``, computed in place in ``dA`` where the namespace allows.

        ``A`` is ``g(Z)``; ``Z`` is ``None`` unless the activation ``needs_input``.
        """
        return dA

    def to_onnx(self, graph, Z):
        """Add ``g(Z)`` to an ONNX graph (see :mod:`sklearn_deepnet.onnx`); return its name."""
        return Z


class Identity(Activation):
    """The identity activation ``g(z) = z`` (a linear layer)."""


class Logistic(Activation):
    """The logistic sigmoid ``g(z) = 1 / (1 + exp(-z))``, ``g' = a (1 - a)``."""

    name = "logistic"
    summary = "``1 / (1 + exp(-z))``"
    aliases = ("sigmoid",)
    default_init = UniformWeightsAndBiases(2.0)  # scikit-learn's narrower bound for logistic

    def forward(self, Z, out):
        """Return ``sigmoid(Z)``, written into ``out`` unless it is None."""
        return _sigmoid(Z) if out is None else expit(Z, out=out)

    def backward(self, dA, A, Z):
        """Return ``dA * A * (1 - A)``, in place in ``dA``."""
        dA *= A
        dA *= 1 - A
        return dA

    def to_onnx(self, graph, Z):
        """``Sigmoid(Z)``."""
        return graph.op("Sigmoid", Z)


class Tanh(Activation):
    """The hyperbolic tangent ``g(z) = tanh(z)``, ``g' = 1 - a**2``."""

    name = "tanh"
    summary = "``tanh(z)``"

    def forward(self, Z, out):
        """Return ``tanh(Z)``, written into ``out`` unless it is None."""
        return get_namespace(Z).tanh(Z) if out is None else np.tanh(Z, out=out)

    def backward(self, dA, A, Z):
        """Return ``dA * (1 - A**2)``, in place in ``dA``."""
        dA *= 1 - A * A
        return dA

    def to_onnx(self, graph, Z):
        """``Tanh(Z)``."""
        return graph.op("Tanh", Z)


class ReLU(Activation):
    """The rectified linear unit ``g(z) = max(0, z)``, ``g' = 1[z > 0]``."""

    name = "relu"
    summary = "``max(0, z)``"

    def forward(self, Z, out):
        """Return ``max(Z, 0)``, written into ``out`` unless it is None."""
        if out is None:
            return get_namespace(Z).clip(Z, min=0)
        return np.maximum(Z, 0, out=out)

    def backward(self, dA, A, Z):
        """Zero ``dA`` where the unit is inactive (``A <= 0``)."""
        if isinstance(dA, np.ndarray):
            return np.multiply(dA, A > 0, out=dA)
        return get_namespace(dA).where(A > 0, dA, 0.0)

    def to_onnx(self, graph, Z):
        """``Relu(Z)``."""
        return graph.op("Relu", Z)


class LeakyReLU(Activation):
    """The leaky ReLU ``g(z) = max(slope * z, z)``, ``g' = 1`` if ``z > 0`` else ``slope``.

    Parameters
    ----------
    negative_slope : float, default=0.01
        Slope for negative inputs, in ``[0, 1)``. The course uses 0.01.
    """

    name = "leaky_relu"
    summary = "``max(negative_slope * z, z)``"
    hyperparameters = {"negative_slope": "negative_slope"}

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def forward(self, Z, out):
        """Return ``max(slope * Z, Z)``, written into ``out`` unless it is None."""
        slope = float(self.negative_slope)
        if out is None:
            return get_namespace(Z).where(Z < 0, Z * slope, Z)
        if out is not Z:
            out[...] = Z
        return np.multiply(out, slope, out=out, where=out < 0)

    def backward(self, dA, A, Z):
        """Scale ``dA`` by ``slope`` where the input was negative (``A <= 0``)."""
        slope = float(self.negative_slope)
        if isinstance(dA, np.ndarray):
            return np.multiply(dA, slope, out=dA, where=A <= 0)
        return get_namespace(dA).where(A <= 0, dA * slope, dA)

    def to_onnx(self, graph, Z):
        """``Max(Z, slope * Z)``: onnxruntime has no float64 ``LeakyRelu``; this runs in both."""
        return graph.op("Max", Z, graph.op("Mul", Z, graph.constant(self.negative_slope)))


_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


class SELU(Activation):
    """The scaled ELU (Klambauer et al., 2017): ``scale * (z if z > 0 else alpha (e^z - 1))``.

    With LeCun-normal weights its activations keep zero mean and unit variance from layer to
    layer. ``g' = scale`` where ``z > 0``, else ``a + scale * alpha``: a function of the output.
    """

    name = "selu"
    summary = "``scale * z`` if ``z > 0`` else ``scale * alpha * (exp(z) - 1)``"
    default_init = staticmethod(lecun)

    def forward(self, Z, out):
        """Return ``selu(Z)``, written into ``out`` unless it is None."""
        xp = get_namespace(Z)
        zero = xp.zeros_like(Z)
        negative = xp.expm1(xp.where(Z < 0, Z, zero)) * (_SELU_SCALE * _SELU_ALPHA)
        positive = xp.where(Z > 0, Z, zero) * _SELU_SCALE
        if out is None:
            return positive + negative
        np.add(positive, negative, out=out)
        return out

    def backward(self, dA, A, Z):
        """Return ``dA * g'``, with ``g' = scale`` where ``A > 0``, else ``A + scale * alpha``."""
        xp = get_namespace(A)
        return dA * xp.where(A > 0, xp.full_like(A, _SELU_SCALE), A + _SELU_SCALE * _SELU_ALPHA)

    def to_onnx(self, graph, Z):
        """``scale * Relu(Z) + scale * alpha * (Exp(Min(Z, 0)) - 1)``."""
        negative = graph.op("Sub", graph.op("Exp", graph.op("Min", Z, graph.constant(0.0))),
                            graph.constant(1.0))
        return graph.op(
            "Add",
            graph.op("Mul", graph.op("Relu", Z), graph.constant(_SELU_SCALE)),
            graph.op("Mul", negative, graph.constant(_SELU_SCALE * _SELU_ALPHA)),
        )


_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class GELU(Activation):
    """The Gaussian error linear unit (Hendrycks & Gimpel, 2016), exact: ``g(z) = z Phi(z)``.

    ``Phi`` is the standard normal distribution function; ``g'(z) = Phi(z) + z phi(z)`` needs
    ``z``, which the network keeps for these layers.
    """

    name = "gelu"
    summary = "``z * Phi(z)``, ``Phi`` the standard normal CDF"
    needs_input = True

    def forward(self, Z, out):
        """Return ``Z * Phi(Z)``, written into ``out`` unless it is None (``Z`` is kept).

        Off NumPy, ``Phi`` is SciPy's ``ndtr``, which follows the array API for the libraries
        it supports (PyTorch, CuPy, JAX) when ``SCIPY_ARRAY_API=1``.
        """
        if out is None:
            return Z * scipy.special.ndtr(Z)
        ndtr(Z, out=out)
        out *= Z
        return out

    def backward(self, dA, A, Z):
        """Return ``dA * (Phi(Z) + Z phi(Z))``."""
        xp = get_namespace(Z)
        slope = Z * xp.exp(Z * Z * -0.5) * _INV_SQRT_2PI + scipy.special.ndtr(Z)
        dA *= slope
        return dA

    def to_onnx(self, graph, Z):
        """``Z * 0.5 * (1 + Erf(Z / sqrt(2)))``, ``Erf`` in float32 (onnxruntime has no other)."""
        erf = graph.float32_op("Erf", graph.op("Mul", Z, graph.constant(1 / math.sqrt(2))))
        half = graph.op("Mul", graph.op("Add", erf, graph.constant(1.0)), graph.constant(0.5))
        return graph.op("Mul", Z, half)


class SiLU(Activation):
    """The sigmoid linear unit, also called swish: ``g(z) = z sigmoid(z)``.

    ``g'(z) = s (1 + z (1 - s))`` with ``s = sigmoid(z)`` needs ``z``, which the network keeps.
    """

    name = "silu"
    summary = "``z * sigmoid(z)`` (also called swish)"
    aliases = ("swish",)
    needs_input = True

    def forward(self, Z, out):
        """Return ``Z * sigmoid(Z)``, written into ``out`` unless it is None (``Z`` is kept)."""
        if out is None:
            return Z * _sigmoid(Z)
        expit(Z, out=out)
        out *= Z
        return out

    def backward(self, dA, A, Z):
        """Return ``dA * s (1 + Z (1 - s))``."""
        s = expit(Z) if isinstance(Z, np.ndarray) else _sigmoid(Z)
        dA *= s * ((1 - s) * Z + 1)
        return dA

    def to_onnx(self, graph, Z):
        """``Z * Sigmoid(Z)``."""
        return graph.op("Mul", Z, graph.op("Sigmoid", Z))


class Mish(Activation):
    """Mish (Misra, 2019): ``g(z) = z tanh(softplus(z))``, ``softplus(z) = log(1 + e^z)``.

    ``g'(z) = t + z (1 - t^2) sigmoid(z)`` with ``t = tanh(softplus(z))`` needs ``z``, which the
    network keeps.
    """

    name = "mish"
    summary = "``z * tanh(log(1 + exp(z)))``"
    needs_input = True

    def forward(self, Z, out):
        """Return ``Z * tanh(softplus(Z))``, written into ``out`` unless it is None."""
        if out is None:
            xp = get_namespace(Z)
            return Z * xp.tanh(xp.logaddexp(xp.zeros_like(Z), Z))
        np.logaddexp(0, Z, out=out)
        np.tanh(out, out=out)
        out *= Z
        return out

    def backward(self, dA, A, Z):
        """Return ``dA * (t + Z (1 - t^2) sigmoid(Z))``."""
        xp = get_namespace(Z)
        t = xp.tanh(xp.logaddexp(xp.zeros_like(Z), Z))
        s = expit(Z) if isinstance(Z, np.ndarray) else _sigmoid(Z)
        dA *= (1 - t * t) * Z * s + t
        return dA

    def to_onnx(self, graph, Z):
        """``Z * Tanh(Relu(Z) + Log(1 + Exp(-|Z|)))``, a softplus that cannot overflow."""
        tail = graph.op("Exp", graph.op("Neg", graph.op("Abs", Z)))
        log1p = graph.op("Log", graph.op("Add", tail, graph.constant(1.0)))
        softplus = graph.op("Add", graph.op("Relu", Z), log1p)
        return graph.op("Mul", Z, graph.op("Tanh", softplus))


def _registry(*classes):
    table = {}
    for cls in classes:
        for name in (cls.name, *cls.aliases):
            table[name] = cls
    return table


ACTIVATIONS = _registry(Identity, Logistic, Tanh, ReLU, LeakyReLU, GELU, SELU, SiLU, Mish)
"""Every accepted ``activation`` name (aliases included) -> its class."""


def activation_classes():
    """The activation classes of :data:`ACTIVATIONS`, each once, in registry order."""
    return list(dict.fromkeys(ACTIVATIONS.values()))


def get_activation(name, negative_slope=0.01):
    """Return the activation object registered under ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`ACTIVATIONS`.
    negative_slope : float, default=0.01
        The estimator parameter of the same name, read by activations that take it.

    Returns
    -------
    activation : Activation
        An object with ``forward(Z, out)`` and ``backward(dA, A, Z)``.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}.")
    return ACTIVATIONS[name].from_params({"negative_slope": negative_slope}.__getitem__)
