"""Pickle state: an estimator's fitted state as checked plain data, stamped with the version.

Pickle, joblib, ``skops.io`` and :func:`sklearn_deepnet.dump` all save an estimator through
``__getstate__`` and rebuild it through ``__setstate__``. :class:`_PersistenceMixin` makes that
state plain data: the engine's objects (the :class:`~sklearn_deepnet.nn.network.Network`, its
activation and output layer, the optimizer, scikit-learn's ``LabelBinarizer``) are written as
dictionaries of arrays, numbers and strings, and rebuilt from the classes of the version that
loads them. So

- ``skops.io`` finds no type to distrust but the estimator classes themselves, and
  :func:`sklearn_deepnet.dump` can write the state without pickle at all;
- a saved model does not depend on where the engine's classes live or what they are called;
- the state is stamped with the ``sklearn_deepnet`` version that wrote it, and loading it with
  another version warns with :class:`InconsistentDeepNetVersionWarning`;
- the loaded state is checked (parameters valid and consistent with the network, weights
  consistent with the layer sizes, optimizer state shaped like the weights, known activation
  and output names, finite weights, batch normalization's running statistics shaped like the
  hidden layers with variances >= 0, fitted attributes of the right types) and a corrupt state
  raises a ``ValueError``: no half-built estimator is ever returned. A state saved before
  batch normalization existed is a network without it.

Any other attribute passes through unchanged, so attributes added later need no change here.
(Scratch space never reaches the estimator: batch workspaces live in the training objective,
and an optimizer leaves its scratch out of its own ``__getstate__``.)
"""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import is_classifier
from sklearn.preprocessing import LabelBinarizer

from .._architecture import hidden_layer_sizes, parameter_getter
from .._sklearn_internals import validate_params
from .._version import __version__
from ..nn._namespace import to_numpy
from ..nn.activations import ACTIVATIONS
from ..nn.losses import OUTPUTS
from ..nn.network import Network
from ..nn.optimizers import SOLVERS

_VERSION_KEY = "_sklearn_deepnet_version"
_FORMAT_KEY = "_sklearn_deepnet_state_format"
_ENCODED_KEY = "_sklearn_deepnet_encoded"
_STATE_FORMAT = 1  # bump when the encoded layout changes incompatibly


class InconsistentDeepNetVersionWarning(UserWarning):
    """Warning raised when a model is loaded by another ``sklearn_deepnet`` version than saved it.

    The counterpart of :class:`sklearn.exceptions.InconsistentVersionWarning` for this package.
    The model is loaded, but it may predict differently; refit it with the installed version, or
    install the version that saved it.

    Parameters
    ----------
    estimator_name : str
        Class name of the loaded estimator.
    current_version : str
        The installed ``sklearn_deepnet`` version.
    original_version : str or None
        The version that saved the model; ``None`` for a model saved before versions were
        recorded.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version
        super().__init__(str(self))

    def __str__(self):
        saved = (
            "an unknown older version"
            if self.original_version is None
            else f"version {self.original_version}"
        )
        return (
            f"Loading {self.estimator_name} saved by sklearn_deepnet {saved} with "
            f"sklearn_deepnet {self.current_version}. The model may predict differently or fail: "
            "refit it with the installed version, or install the version that saved it."
        )

    def __reduce__(self):  # keyword-only __init__: rebuild from the fields, not from args
        return _rebuild_warning, (self.estimator_name, self.current_version, self.original_version)


def _rebuild_warning(estimator_name, current_version, original_version):
    return InconsistentDeepNetVersionWarning(
        estimator_name=estimator_name,
        current_version=current_version,
        original_version=original_version,
    )


def _current_version():
    return __version__


# -- plain data --------------------------------------------------------------------------------


def _is_plain(value):
    """Whether ``value`` is data that needs no class of ours (nor any risky one) to rebuild."""
    if value is None or isinstance(value, bool | str | Integral | Real | np.generic):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype != object or all(isinstance(v, str | Real) for v in value.flat)
    if isinstance(value, list | tuple):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return False


def _plain_attributes(obj, what, own_state=True):
    """The object's attributes as a new dict, numpy scalars as Python numbers, all plain data.

    With ``own_state``, the object's ``__getstate__`` decides what is saved (an engine class
    may leave out scratch buffers); otherwise its ``__dict__``.
    """
    getstate = getattr(obj, "__getstate__", None) if own_state else None
    state = (getstate() if getstate is not None else vars(obj)) or {}
    attributes = {}
    for name, value in state.items():
        if isinstance(value, np.generic):
            value = value.item()
        if not _is_plain(value):
            raise TypeError(
                f"Cannot save {what}: its attribute {name!r} holds a {type(value).__name__}, "
                "which is not plain data (arrays, numbers, strings)."
            )
        attributes[name] = value
    return attributes


class _CorruptState(ValueError):
    """A saved state that does not describe a valid model."""


def _corrupt(estimator_name, detail):
    return _CorruptState(
        f"Cannot load this {estimator_name}: the saved state is corrupt or was not written by "
        f"sklearn_deepnet ({detail}). Nothing was loaded; save the model again from a working "
        "copy, or refit it."
    )


def _require_dict(value, what, estimator_name):
    if not isinstance(value, dict):
        raise _corrupt(estimator_name, f"{what} is a {type(value).__name__}, expected a dict")
    return value


# -- codecs: one per kind of engine object -----------------------------------------------------


def _encode_component(obj, name):
    """An activation, output layer or optimizer as ``{"name": ..., "attributes": {...}}``."""
    return {"name": name, "attributes": _plain_attributes(obj, type(obj).__name__)}


def _set_attributes(obj, attributes, what, estimator_name):
    """Set saved attributes on a new object: plain data only, never over a method or property.

    An attribute named like something of the class (``step``, ``forward``, ``name``...) would
    hide it: such a name is refused, as is anything but plain data.
    """
    for key, value in attributes.items():
        if (
            not isinstance(key, str)
            or not key.isidentifier()
            or key.startswith("__")
            or hasattr(type(obj), key)
        ):
            raise _corrupt(estimator_name, f"the {what} cannot have an attribute {key!r}")
        if not _is_plain(value):
            raise _corrupt(estimator_name, f"the {what} attribute {key!r} is not plain data")
    obj.__dict__.update(attributes)


def _decode_component(data, table, what, estimator_name):
    data = _require_dict(data, what, estimator_name)
    name = data.get("name")
    if not isinstance(name, str) or name not in table:
        raise _corrupt(estimator_name, f"unknown {what} {name!r}; known: {sorted(table)}")
    attributes = _require_dict(data.get("attributes", {}), f"{what} attributes", estimator_name)
    cls = table[name]
    obj = cls.__new__(cls)
    _set_attributes(obj, attributes, f"{what} {name!r}", estimator_name)
    return obj


def _solver_name(optimizer):
    return next(name for name, cls in SOLVERS.items() if type(optimizer) is cls)


def _encode_network(network):
    state = dict(network.__getstate__() or vars(network))
    state.pop("coefs", None)  # views of params, rebuilt on load
    state.pop("intercepts", None)
    state["activation"] = _encode_component(network.activation, network.activation.name)
    state["output"] = _encode_component(network.output, network.output.name)
    return state


def _decode_network(data, estimator_name):
    data = dict(_require_dict(data, "the network", estimator_name))
    missing = {"layer_sizes", "params", "activation", "output"} - set(data)
    if missing:
        raise _corrupt(estimator_name, f"the network lacks {sorted(missing)}")
    sizes = data.pop("layer_sizes")
    if (
        not isinstance(sizes, list | tuple)
        or len(sizes) < 2
        or not all(isinstance(n, Integral) and not isinstance(n, bool) and n > 0 for n in sizes)
    ):
        raise _corrupt(estimator_name, f"invalid layer sizes {sizes!r}")
    params = data.pop("params")
    if (
        not isinstance(params, np.ndarray)
        or params.dtype not in (np.float32, np.float64)
        or params.ndim != 1
    ):
        raise _corrupt(estimator_name, "the weights are not a flat float32 or float64 array")
    normalize = data.pop("batch_normalization", False)  # absent: saved before it existed
    running = data.pop("running", None)
    n_updates = data.pop("n_statistics_updates", 0)
    if not isinstance(normalize, bool) or not _is_int(n_updates):
        raise _corrupt(estimator_name, "invalid batch normalization settings")
    # the size the layer sizes need, counted before anything is allocated for them
    needed = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    n_normalized = sum(sizes[1:-1]) if normalize else 0
    needed += 2 * n_normalized  # gammas and betas
    if params.size != needed:
        raise _corrupt(
            estimator_name,
            f"{params.size} weights saved for layer sizes {tuple(sizes)}, which need {needed}",
        )
    activation = _decode_component(
        data.pop("activation"), ACTIVATIONS, "activation", estimator_name
    )
    output = _decode_component(data.pop("output"), OUTPUTS, "output layer", estimator_name)
    _check_running(running, n_normalized, params.dtype, estimator_name)
    network = Network(sizes, activation, output, params.dtype, batch_normalization=normalize)
    network.params[...] = params
    if running is not None:
        network.running[...] = running
    network.n_statistics_updates = n_updates
    data.pop("n_coef", None)  # derived from the layer sizes
    data.pop("coefs", None)
    data.pop("intercepts", None)
    # attributes added to Network later pass through
    _set_attributes(network, data, "network", estimator_name)
    return network


def _check_running(running, n_normalized, dtype, estimator_name):
    """Batch normalization's running means then variances: finite, variances >= 0."""
    if n_normalized == 0:
        if running is not None:
            raise _corrupt(estimator_name, "running statistics saved for no normalized layer")
        return
    if (
        not isinstance(running, np.ndarray)
        or running.dtype != dtype
        or running.shape != (2 * n_normalized,)
    ):
        raise _corrupt(
            estimator_name,
            f"the running statistics are not a {dtype} array of shape ({2 * n_normalized},)",
        )
    if not np.isfinite(running).all() or (running[n_normalized:] < 0).any():
        raise _corrupt(estimator_name, "the running statistics are not finite, or a variance < 0")


def _encode_label_binarizer(binarizer):
    # its __getstate__ would add scikit-learn's version stamp: the attributes are what we need
    return _plain_attributes(binarizer, "LabelBinarizer", own_state=False)


def _decode_label_binarizer(data, estimator_name):
    data = dict(_require_dict(data, "the label binarizer", estimator_name))
    binarizer = LabelBinarizer()
    params = {k: data.pop(k) for k in list(data) if k in binarizer.get_params()}
    for name in ("neg_label", "pos_label"):
        value = params.get(name, getattr(binarizer, name))
        if not isinstance(value, Integral) or isinstance(value, bool):
            raise _corrupt(estimator_name, f"the label binarizer's {name} is {value!r}")
    if not isinstance(params.get("sparse_output", False), bool):
        raise _corrupt(estimator_name, "the label binarizer's sparse_output is not a bool")
    binarizer.set_params(**params)
    _set_attributes(binarizer, data, "label binarizer", estimator_name)
    return binarizer


# kind -> (is this object of the kind?, encode, decode)
_CODECS = {
    "network": (
        lambda v: isinstance(v, Network),
        _encode_network,
        _decode_network,
    ),
    "label_binarizer": (
        lambda v: type(v) is LabelBinarizer,
        _encode_label_binarizer,
        _decode_label_binarizer,
    ),
    "optimizer": (
        lambda v: type(v) in SOLVERS.values(),
        lambda v: _encode_component(v, _solver_name(v)),
        lambda d, est: _decode_component(d, SOLVERS, "optimizer", est),
    ),
    "activation": (
        lambda v: type(v) in ACTIVATIONS.values(),
        lambda v: _encode_component(v, v.name),
        lambda d, est: _decode_component(d, ACTIVATIONS, "activation", est),
    ),
    "output": (
        lambda v: type(v) in OUTPUTS.values(),
        lambda v: _encode_component(v, v.name),
        lambda d, est: _decode_component(d, OUTPUTS, "output layer", est),
    ),
}


def _kind_of(value):
    return next((kind for kind, (test, _, _) in _CODECS.items() if test(value)), None)


# -- validation of a decoded state -------------------------------------------------------------


def _is_int(value, minimum=0):
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= minimum


def _is_real(value):
    return isinstance(value, Real) and not isinstance(value, bool) and value == value  # not NaN


def _is_real_list(value):
    return isinstance(value, list) and all(_is_real(v) or v != v for v in value)


def _is_name_array(value):
    return (
        isinstance(value, np.ndarray)
        and value.ndim == 1
        and value.dtype == object
        and all(isinstance(v, str) for v in value)
    )


# fitted attribute -> (check, what it must be); checked when present
_FITTED_ATTRIBUTES = {
    "n_iter_": (_is_int, "an int >= 0"),
    "t_": (_is_int, "an int >= 0"),
    "_epochs_total": (_is_int, "an int >= 0"),
    "_no_improvement_count": (_is_int, "an int >= 0"),
    "n_features_in_": (lambda v: _is_int(v, 1), "an int >= 1"),
    "feature_names_in_": (_is_name_array, "a 1-d object array of str"),
    "loss_": (lambda v: _is_real(v) or v != v, "a float"),
    "loss_curve_": (_is_real_list, "a list of floats"),
    "best_loss_": (lambda v: v is None or _is_real(v), "None or a float"),
    "validation_scores_": (lambda v: v is None or _is_real_list(v), "None or a list of floats"),
    "validation_loss_curve_": (
        lambda v: v is None or _is_real_list(v),
        "None or a list of floats",
    ),
    "best_validation_score_": (lambda v: v is None or _is_real(v), "None or a float"),
}

# attributes that exist exactly when the estimator is fitted (has a network)
_FITTED_MARKERS = ("n_outputs_", "n_layers_", "out_activation_", "n_features_in_")


def _check_network(network, estimator_name):
    """The network's weights are finite and its activation's parameters make sense."""
    if not np.isfinite(network.params).all():
        raise _corrupt(estimator_name, "the weights contain NaN or infinity")
    if network.activation.name == "leaky_relu":
        slope = vars(network.activation).get("negative_slope")
        if not isinstance(slope, Real) or isinstance(slope, bool) or not 0 <= slope < 1:
            raise _corrupt(estimator_name, f"invalid leaky_relu negative_slope {slope!r}")


def _check_like_params(value, params, what, estimator_name):
    if (
        not isinstance(value, np.ndarray)
        or value.shape != params.shape
        or value.dtype != params.dtype
    ):
        raise _corrupt(
            estimator_name,
            f"{what} is not a {params.dtype} array of the weights' shape {params.shape}",
        )
    if not np.isfinite(value).all():
        raise _corrupt(estimator_name, f"{what} contains NaN or infinity")


def _saved_attributes(obj):
    getstate = getattr(obj, "__getstate__", None)
    return (getstate() if getstate is not None else None) or vars(obj)


def _check_optimizer(estimator, optimizer, params, estimator_name):
    """The optimizer is the solver's, with the attributes a new one has, of the same kinds."""
    solver = getattr(estimator, "solver", None)
    if SOLVERS.get(solver) is not type(optimizer):
        raise _corrupt(
            estimator_name, f"a {type(optimizer).__name__} optimizer saved for solver={solver!r}"
        )
    saved = _saved_attributes(optimizer)  # scratch space left out, as when saving
    fresh = _saved_attributes(SOLVERS[solver].from_params(parameter_getter(estimator)))
    if set(saved) != set(fresh):
        raise _corrupt(
            estimator_name,
            f"the optimizer has attributes {sorted(saved)}, expected {sorted(fresh)}",
        )
    for name, value in saved.items():
        what = f"the optimizer's {name}"
        new = fresh[name]
        if isinstance(value, np.ndarray):
            if new is not None and not isinstance(new, np.ndarray):
                raise _corrupt(estimator_name, f"{what} is an array, expected a scalar")
            _check_like_params(value, params, what, estimator_name)
        elif isinstance(new, bool):
            if not isinstance(value, bool):
                raise _corrupt(estimator_name, f"{what} is {value!r}, expected a bool")
        elif isinstance(new, Integral):
            if not _is_int(value):
                raise _corrupt(estimator_name, f"{what} is {value!r}, expected an int >= 0")
        elif value is not None and not _is_real(value):
            raise _corrupt(estimator_name, f"{what} is {value!r}, expected a number")
        elif value is None and new is not None:
            raise _corrupt(estimator_name, f"{what} is None, expected a number")


def _check_binarizer(binarizer, network, estimator_name):
    classes = getattr(binarizer, "classes_", None)
    y_type = getattr(binarizer, "y_type_", None)
    if not isinstance(classes, np.ndarray) or classes.ndim != 1 or classes.size < 1:
        raise _corrupt(estimator_name, "the label binarizer has no valid classes_")
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise _corrupt(estimator_name, f"unknown target type {y_type!r}")
    try:
        ordered = np.unique(classes)
    except TypeError:
        ordered = None
    if ordered is None or ordered.size != classes.size or not np.array_equal(ordered, classes):
        raise _corrupt(estimator_name, "the classes are not sorted distinct labels")
    if y_type == "binary" and classes.size > 2:
        raise _corrupt(estimator_name, f"{classes.size} classes for a binary target")
    if y_type == "multilabel-indicator" and not np.array_equal(classes, np.arange(classes.size)):
        raise _corrupt(estimator_name, "multilabel classes are not 0, 1, ..., n_labels - 1")
    if not isinstance(getattr(binarizer, "sparse_input_", False), bool):
        raise _corrupt(estimator_name, "the label binarizer's sparse_input_ is not a bool")
    if network is not None:
        n_outputs = 1 if y_type == "binary" else classes.size
        if network.layer_sizes[-1] != n_outputs:
            raise _corrupt(
                estimator_name,
                f"{classes.size} classes ({y_type}) need {n_outputs} output unit(s), the "
                f"network has {network.layer_sizes[-1]}",
            )


def _check_parameters(estimator, estimator_name):
    """The constructor parameters are valid (scikit-learn's constraints)."""
    try:
        validate_params(estimator)
    except (ValueError, TypeError, AttributeError) as exc:  # InvalidParameterError is both
        raise _corrupt(estimator_name, f"invalid parameters: {exc}") from None


def _check_consistency(estimator, state, estimator_name):
    """The fitted attributes agree with each other, the network and the parameters."""
    network = _check_fitted_attributes(state, estimator_name)
    _check_labels(estimator, state, network, estimator_name)
    if network is None:
        return
    _check_network(network, estimator_name)
    _check_network_fits_estimator(estimator, state, network, estimator_name)
    _check_training_state(estimator, state, network, estimator_name)


def _check_fitted_attributes(state, estimator_name):
    """Each fitted attribute has its type, and all or none are there; return the network."""
    for name, (check, expected) in _FITTED_ATTRIBUTES.items():
        if name in state and not check(state[name]):
            raise _corrupt(estimator_name, f"{name} is {state[name]!r}, expected {expected}")
    network = state.get("_network")
    if network is not None and not isinstance(network, Network):
        raise _corrupt(estimator_name, "_network is not a network")
    fitted = network is not None
    markers = [name for name in _FITTED_MARKERS if (name in state) != fitted]
    if markers:
        raise _corrupt(
            estimator_name,
            f"{'missing' if fitted else 'unexpected'} fitted attributes {markers}",
        )
    return network


def _check_labels(estimator, state, network, estimator_name):
    """A fitted classifier has its label binarizer, and ``classes_`` agrees with it."""
    binarizer = state.get("_label_binarizer")
    if is_classifier(estimator) and network is not None and binarizer is None:
        raise _corrupt(estimator_name, "a fitted classifier without its label binarizer")
    if binarizer is None:
        return
    if not isinstance(binarizer, LabelBinarizer):
        raise _corrupt(estimator_name, "_label_binarizer is not a LabelBinarizer")
    _check_binarizer(binarizer, network, estimator_name)
    classes = state.get("classes_")
    if (
        not isinstance(classes, np.ndarray)
        or classes.dtype != binarizer.classes_.dtype
        or not np.array_equal(classes, binarizer.classes_)
    ):
        raise _corrupt(estimator_name, "classes_ disagrees with the label binarizer")


def _check_network_fits_estimator(estimator, state, network, estimator_name):
    """The network's sizes, activation and output are those the attributes and parameters say."""
    sizes = network.layer_sizes
    expected = {
        "n_features_in_": sizes[0],
        "n_outputs_": sizes[-1],
        "n_layers_": len(sizes),
        "out_activation_": network.output.name,
    }
    for name, value in expected.items():
        if state[name] != value or type(state[name]) is not type(value):
            raise _corrupt(
                estimator_name, f"{name}={state[name]!r} disagrees with the network ({value!r})"
            )
    names = state.get("feature_names_in_")
    if names is not None and names.size != sizes[0]:
        raise _corrupt(estimator_name, f"{names.size} feature names for {sizes[0]} features")
    try:
        hidden = hidden_layer_sizes(estimator)
    except (TypeError, ValueError) as exc:
        raise _corrupt(estimator_name, f"invalid hidden_layer_sizes: {exc}") from None
    if tuple(sizes[1:-1]) != hidden:
        raise _corrupt(
            estimator_name,
            f"hidden_layer_sizes={estimator.hidden_layer_sizes!r} disagrees with the network "
            f"(hidden layers {sizes[1:-1]})",
        )
    normalize = getattr(estimator, "batch_normalization", False)
    if normalize != network.batch_normalization:
        raise _corrupt(
            estimator_name,
            f"batch_normalization={normalize!r} disagrees with the network "
            f"({network.batch_normalization!r})",
        )
    activation = getattr(estimator, "activation", None)
    if activation is not None and ACTIVATIONS[activation].name != network.activation.name:
        raise _corrupt(
            estimator_name,
            f"activation={estimator.activation!r} disagrees with the network "
            f"({network.activation.name!r})",
        )
    if estimator._output_name() != network.output.name:
        raise _corrupt(
            estimator_name,
            f"the network's output layer {network.output.name!r} does not fit the parameters "
            f"and targets (expected {estimator._output_name()!r})",
        )


def _check_training_state(estimator, state, network, estimator_name):
    """Early stopping's best weights and the optimizer's state fit the network."""
    if "_best_params" in state:
        _check_like_params(state["_best_params"], network.params, "_best_params", estimator_name)
    if "_best_running" in state:
        if network.running is None:
            raise _corrupt(estimator_name, "_best_running saved for a network without it")
        _check_like_params(state["_best_running"], network.running, "_best_running",
                           estimator_name)
    optimizer = state.get("_optimizer")
    if optimizer is not None:
        if type(optimizer) not in SOLVERS.values():
            raise _corrupt(estimator_name, "_optimizer is not an optimizer")
        _check_optimizer(estimator, optimizer, network.params, estimator_name)


# -- the mixin ---------------------------------------------------------------------------------


class _PersistenceMixin:
    """Pickle support: plain-data fitted state, a version stamp, and checks on load.

    Put it before :class:`sklearn.base.BaseEstimator` in the bases; both methods call ``super()``
    so scikit-learn's own pickling behaviour is kept.
    """

    def __getstate__(self):
        # a model fitted on another array library (PyTorch, CuPy, ... on any device) is saved
        # as NumPy arrays: it loads anywhere, and scikit-learn's move_estimator_to moves it back
        source = self
        convert = getattr(self, "__sklearn_array_api_convert__", None)
        network = self.__dict__.get("_network")
        if convert is not None and network is not None and not isinstance(
            network.params, np.ndarray
        ):
            source = convert(to_numpy)
        state = dict(super(_PersistenceMixin, source).__getstate__())
        encoded = {}
        for name, value in state.items():
            kind = _kind_of(value)
            if kind is not None:
                encoded[name] = kind
        for name, kind in encoded.items():
            state[name] = _CODECS[kind][1](state[name])
        state[_VERSION_KEY] = _current_version()
        state[_FORMAT_KEY] = _STATE_FORMAT
        state[_ENCODED_KEY] = encoded
        return state

    def __setstate__(self, state):
        estimator_name = type(self).__name__
        if not isinstance(state, dict):
            raise _corrupt(estimator_name, f"the state is a {type(state).__name__}, not a dict")
        state = dict(state)
        version = state.pop(_VERSION_KEY, None)
        state_format = state.pop(_FORMAT_KEY, None)
        encoded = state.pop(_ENCODED_KEY, {})
        current = _current_version()
        if state_format is not None and (
            not isinstance(state_format, Integral) or state_format > _STATE_FORMAT
        ):
            raise ValueError(
                f"This {estimator_name} was saved by sklearn_deepnet {version} in state format "
                f"{state_format!r}; sklearn_deepnet {current} reads format {_STATE_FORMAT} and "
                f"older. Install sklearn_deepnet {version} or newer to load it."
            )
        encoded = _require_dict(encoded, "the list of encoded attributes", estimator_name)
        for name, kind in encoded.items():
            if not isinstance(kind, str) or kind not in _CODECS or name not in state:
                raise _corrupt(estimator_name, f"attribute {name!r} of unknown kind {kind!r}")
            state[name] = _CODECS[kind][2](state[name], estimator_name)
        for name, default in self._parameter_defaults().items():
            state.setdefault(name, default)  # saved before the parameter existed
        super().__setstate__(state)
        _check_parameters(self, estimator_name)
        _check_consistency(self, state, estimator_name)
        if version != current:
            warnings.warn(
                InconsistentDeepNetVersionWarning(
                    estimator_name=estimator_name,
                    current_version=current,
                    original_version=version,
                ),
                stacklevel=2,
            )

    @classmethod
    def _parameter_defaults(cls):
        """Each constructor parameter's default, for states saved before it existed."""
        signature = inspect.signature(cls.__init__)
        return {
            name: parameter.default
            for name, parameter in signature.parameters.items()
            if name != "self" and parameter.default is not inspect.Parameter.empty
        }
