"""The network an estimator's parameters describe: its layers, dropout rates and starting weights.

Also the lists ``coefs_`` and ``intercepts_`` hand out: views of the network's one flat
parameter buffer, which write through when an item is assigned.
"""

import functools
from numbers import Integral, Real

import numpy as np

from .nn import INITIALIZERS, OUTPUTS, Network
from .nn._namespace import asarray, device, get_namespace, numpy_dtype
from .nn.activations import ACTIVATIONS


class ParameterList(list):
    """A list of views into the flat parameter buffer; assigning an item writes into the view.

    ``clf.coefs_[0] = W`` thus changes the weights the model trains and predicts with, as it
    does for ``MLPClassifier``, instead of detaching one layer from the buffer.
    """

    def __setitem__(self, index, value):
        views = list.__getitem__(self, index)
        values = value if isinstance(index, slice) else [value]
        views = views if isinstance(index, slice) else [views]
        if len(values) != len(views):
            raise ValueError(f"expected {len(views)} arrays, got {len(values)}.")
        for view, new in zip(views, values, strict=True):
            if tuple(np.shape(new)) != tuple(view.shape):
                raise ValueError(
                    f"a parameter array of shape {view.shape} cannot take shape {np.shape(new)}."
                )
            if not isinstance(view, np.ndarray):  # another namespace: put new where view is
                new = asarray(new, get_namespace(view), device(view), view.dtype)
            view[...] = new


def parameter_getter(estimator):
    """``name -> value`` of the estimator's parameters (class-level fixed ones included)."""
    return functools.partial(getattr, estimator)


def hidden_layer_sizes(estimator):
    """Validated hidden layer sizes as a tuple of positive ints."""
    sizes = estimator.hidden_layer_sizes
    if isinstance(sizes, Integral | Real | np.number):
        sizes = [sizes]
    sizes = list(sizes)
    for size in sizes:
        if (
            isinstance(size, bool | np.bool_)
            or not isinstance(size, Integral | np.integer)
            or size <= 0
        ):
            raise ValueError(
                f"hidden_layer_sizes must be > 0, got {estimator.hidden_layer_sizes!r}. It holds "
                "the number of units of each hidden layer: positive integers."
            )
    return tuple(int(size) for size in sizes)


def dropout_rates(estimator):
    """One dropout rate per hidden layer, each in ``[0, 1)``."""
    n_hidden = len(hidden_layer_sizes(estimator))
    dropout = estimator.dropout
    if isinstance(dropout, Real | np.number) and not isinstance(dropout, bool | np.bool_):
        rates = [float(dropout)] * n_hidden
    else:
        rates = [float(rate) for rate in dropout]
        if len(rates) != n_hidden:
            raise ValueError(
                f"dropout holds {len(rates)} rate(s) but the network has {n_hidden} hidden "
                "layer(s): give one rate per hidden layer, or a single float for all."
            )
    if not all(0 <= rate < 1 for rate in rates):
        raise ValueError(
            f"dropout rates must be in [0, 1) (the probability of dropping a unit), got "
            f"{estimator.dropout!r}."
        )
    return rates


def activation(estimator):
    """The hidden activation ``activation`` names, built from the estimator's parameters."""
    return ACTIVATIONS[estimator.activation].from_params(parameter_getter(estimator))


def layer_initializers(estimator, n_layers):
    """One initializer per weight layer; ``init='auto'`` takes the activation's own.

    The activation's own is ``MLPClassifier``'s initialization for the activations it has,
    drawn for every layer (the output layer included), as it does.
    """
    if estimator.init == "auto":
        return [ACTIVATIONS[estimator.activation].default_init] * n_layers
    return [INITIALIZERS[estimator.init]] * n_layers


def build_network(estimator, X, n_outputs, rng, hand_set=None):
    """The network for ``X``'s features and ``n_outputs`` outputs, with its first weights.

    It computes in ``X``'s dtype, array namespace and device. The weights are drawn from ``rng``
    with the estimator's initializers, or copied from ``hand_set``, a pair of lists
    ``(coefs, intercepts)`` assigned by hand before the first fit.
    """
    n_features, dtype, itemsize = X.shape[1], X.dtype, numpy_dtype(X).itemsize
    sizes = (n_features, *hidden_layer_sizes(estimator), n_outputs)
    fans = zip(sizes[:-1], sizes[1:], strict=True)
    normalize = bool(estimator.batch_normalization)
    n_params = sum(fan_in * fan_out + fan_out for fan_in, fan_out in fans)
    n_params += 2 * sum(sizes[1:-1]) if normalize else 0  # gammas and betas
    output = OUTPUTS[estimator._output_name()]()
    try:
        if n_params > np.iinfo(np.intp).max // itemsize:
            raise MemoryError("more bytes than the address space holds")
        xp = get_namespace(X)
        network = Network(
            sizes, activation(estimator), output, dtype, xp, device(X), normalize
        )
    except MemoryError as exc:
        raise MemoryError(
            f"hidden_layer_sizes={estimator.hidden_layer_sizes!r} gives a network of "
            f"{n_params:,} parameters ({n_params * itemsize / 2**30:,.4g} GiB "
            f"as {numpy_dtype(X).name}), more than can be allocated. Use fewer or smaller "
            "hidden layers."
        ) from exc
    if hand_set is None:
        network.initialize(estimator._layer_initializers(network.n_layers), rng)
    else:
        ParameterList(network.coefs)[:] = _check_hand_set(hand_set[0], network.coefs, "coefs_")
        ParameterList(network.intercepts)[:] = _check_hand_set(
            hand_set[1], network.intercepts, "intercepts_"
        )
    return network


def hand_set_parameters(estimator):
    """``(coefs, intercepts)`` assigned by hand to a model without weights, else ``None``."""
    coefs = estimator.__dict__.get("_hand_set_coefs")
    intercepts = estimator.__dict__.get("_hand_set_intercepts")
    if coefs is None and intercepts is None:
        return None
    if coefs is None or intercepts is None:
        missing = "intercepts_" if intercepts is None else "coefs_"
        raise ValueError(
            f"Only one of coefs_ and intercepts_ was assigned before fitting; assign {missing} "
            "too, to start training from weights of your own."
        )
    return coefs, intercepts


def _check_hand_set(values, views, name):
    """Hand-assigned parameter arrays, checked against the network's layer shapes."""
    shapes = [view.shape for view in views]
    given = [tuple(np.shape(value)) for value in values]
    if given != shapes:
        raise ValueError(
            f"{name} was assigned arrays of shapes {given} before fitting, but the network "
            f"(hidden_layer_sizes and the data) has layers of shapes {shapes}. Assign arrays "
            "of those shapes, or fit without assigning weights."
        )
    return list(values)
