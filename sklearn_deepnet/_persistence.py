"""Persistence: fitted state as plain data, a version stamp, checks on load, checked model files.

Pickle, joblib and ``skops.io`` all save an estimator through ``__getstate__`` and rebuild it
through ``__setstate__``. :class:`_PersistenceMixin` makes that state plain data: the engine's
objects (the :class:`~sklearn_deepnet.nn.network.Network`, its activation and output layer, the
optimizer, scikit-learn's ``LabelBinarizer``) are written as dictionaries of arrays, numbers and
strings, and rebuilt from the classes of the version that loads them. So

- ``skops.io`` finds no type to distrust but the estimator classes themselves;
- a saved model does not depend on where the engine's classes live or what they are called;
- the state is stamped with the ``sklearn_deepnet`` version that wrote it, and loading it with
  another version warns with :class:`InconsistentDeepNetVersionWarning`;
- the loaded state is checked (weights consistent with the layer sizes, known activation and
  output names, finite weights) and a corrupt state raises a ``ValueError``: no half-built
  estimator is ever returned.

Any other attribute passes through unchanged, so attributes added later need no change here;
only scratch space (a network's batch ``Workspace``, the attributes listed in
``_unsaved_attributes``) is left out.

:func:`dump` and :func:`load` add what pickle cannot: an atomic write (a crash never corrupts an
existing file) and a checksum, so a truncated or corrupted file raises one clear ``ValueError``
instead of unpickling garbage or failing deep inside NumPy.
"""

import hashlib
import os
import pickle
import secrets
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.preprocessing import LabelBinarizer

from .nn import network as _network_module
from .nn.activations import ACTIVATIONS
from .nn.losses import OUTPUTS
from .nn.network import Network
from .nn.optimizers import SOLVERS

_VERSION_KEY = "_sklearn_deepnet_version"
_FORMAT_KEY = "_sklearn_deepnet_state_format"
_ENCODED_KEY = "_sklearn_deepnet_encoded"
_STATE_FORMAT = 1  # bump when the encoded layout changes incompatibly

_FILE_MAGIC = b"sklearn_deepnet model\n"
_FILE_FORMAT = 1
_DIGEST_SIZE = 32  # sha256
_HEADER_SIZE = len(_FILE_MAGIC) + 1 + 8 + _DIGEST_SIZE
_PICKLE_PROTOCOL = 5


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
    from . import __version__  # at call time: the package is fully imported by then

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


def _decode_component(data, table, what, estimator_name):
    data = _require_dict(data, what, estimator_name)
    name = data.get("name")
    if not isinstance(name, str) or name not in table:
        raise _corrupt(estimator_name, f"unknown {what} {name!r}; known: {sorted(table)}")
    attributes = _require_dict(data.get("attributes", {}), f"{what} attributes", estimator_name)
    if not _is_plain(attributes):
        raise _corrupt(estimator_name, f"the {what} attributes are not plain data")
    cls = table[name]
    obj = cls.__new__(cls)
    obj.__dict__.update(attributes)
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
    if not isinstance(params, np.ndarray) or params.dtype not in (np.float32, np.float64):
        raise _corrupt(estimator_name, "the weights are not a float32 or float64 array")
    activation = _decode_component(
        data.pop("activation"), ACTIVATIONS, "activation", estimator_name
    )
    output = _decode_component(data.pop("output"), OUTPUTS, "output layer", estimator_name)
    network = Network(sizes, activation, output, params.dtype)
    if params.shape != network.params.shape:
        raise _corrupt(
            estimator_name,
            f"{params.size} weights saved for layer sizes {tuple(sizes)}, which need "
            f"{network.params.size}",
        )
    network.params[...] = params
    data.pop("n_coef", None)  # derived from the layer sizes
    data.pop("coefs", None)
    data.pop("intercepts", None)
    network.__dict__.update(data)  # attributes added to Network later pass through
    return network


def _encode_label_binarizer(binarizer):
    # its __getstate__ would add scikit-learn's version stamp: the attributes are what we need
    return _plain_attributes(binarizer, "LabelBinarizer", own_state=False)


def _decode_label_binarizer(data, estimator_name):
    data = dict(_require_dict(data, "the label binarizer", estimator_name))
    if not _is_plain(data):
        raise _corrupt(estimator_name, "the label binarizer's state is not plain data")
    binarizer = LabelBinarizer()
    params = set(binarizer.get_params())
    binarizer.set_params(**{k: data.pop(k) for k in list(data) if k in params})
    binarizer.__dict__.update(data)
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


def _check_network(network, estimator_name):
    """The network's weights are finite and its activation's parameters make sense."""
    if not np.isfinite(network.params).all():
        raise _corrupt(estimator_name, "the weights contain NaN or infinity")
    if network.activation.name == "leaky_relu":
        slope = vars(network.activation).get("negative_slope")
        if not isinstance(slope, Real) or isinstance(slope, bool) or not 0 <= slope < 1:
            raise _corrupt(estimator_name, f"invalid leaky_relu negative_slope {slope!r}")


def _check_consistency(state, estimator_name):
    """The fitted attributes agree with the network and the label binarizer they describe."""
    network = state.get("_network")
    if isinstance(network, Network):
        _check_network(network, estimator_name)
        sizes = network.layer_sizes
        expected = {
            "n_features_in_": sizes[0],
            "n_outputs_": sizes[-1],
            "n_layers_": len(sizes),
            "out_activation_": network.output.name,
        }
        for name, value in expected.items():
            if name in state and state[name] != value:
                raise _corrupt(
                    estimator_name, f"{name}={state[name]!r} disagrees with the network ({value!r})"
                )
    binarizer = state.get("_label_binarizer")
    if isinstance(binarizer, LabelBinarizer):
        classes = getattr(binarizer, "classes_", None)
        y_type = getattr(binarizer, "y_type_", None)
        if not isinstance(classes, np.ndarray) or classes.ndim != 1 or classes.size < 1:
            raise _corrupt(estimator_name, "the label binarizer has no valid classes_")
        if y_type not in ("binary", "multiclass", "multilabel-indicator"):
            raise _corrupt(estimator_name, f"unknown target type {y_type!r}")
        if isinstance(network, Network):
            n_outputs = 1 if y_type == "binary" else classes.size
            if network.layer_sizes[-1] != n_outputs:
                raise _corrupt(
                    estimator_name,
                    f"{classes.size} classes ({y_type}) need {n_outputs} output unit(s), the "
                    f"network has {network.layer_sizes[-1]}",
                )


def _is_transient(value):
    """Scratch space rebuilt by the next fit (a network's batch workspace): never saved."""
    workspace = getattr(_network_module, "Workspace", None)
    return workspace is not None and isinstance(value, workspace)


# -- the mixin ---------------------------------------------------------------------------------


class _PersistenceMixin:
    """Pickle support: plain-data fitted state, a version stamp, and checks on load.

    Put it before :class:`sklearn.base.BaseEstimator` in the bases; both methods call ``super()``
    so scikit-learn's own pickling behaviour is kept. Attributes named in ``_unsaved_attributes``
    are scratch space that the next fit recreates: they are left out.
    """

    _unsaved_attributes = ("_grad_buffer",)

    def __getstate__(self):
        state = {
            name: value
            for name, value in super().__getstate__().items()
            if name not in self._unsaved_attributes and not _is_transient(value)
        }
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
        if version != current:
            warnings.warn(
                InconsistentDeepNetVersionWarning(
                    estimator_name=estimator_name,
                    current_version=current,
                    original_version=version,
                ),
                stacklevel=2,
            )
        encoded = _require_dict(encoded, "the list of encoded attributes", estimator_name)
        for name, kind in encoded.items():
            if kind not in _CODECS or name not in state:
                raise _corrupt(estimator_name, f"attribute {name!r} of unknown kind {kind!r}")
            state[name] = _CODECS[kind][2](state[name], estimator_name)
        _check_consistency(state, estimator_name)
        super().__setstate__(state)


# -- model files -------------------------------------------------------------------------------


def dump(estimator, filename):
    """Save a model (any picklable object) to a checked file, atomically.

    The file holds a header, a SHA-256 checksum and the pickled model. It is written to a
    temporary file in the same folder, flushed to disk, then renamed over ``filename``: a crash
    or a full disk leaves any existing ``filename`` intact, never half-written.

    Parameters
    ----------
    estimator : object
        The model, typically a fitted estimator or a pipeline.
    filename : str or path-like
        Where to write. Its folder must exist.

    Returns
    -------
    filename : str
        The path written.

    See Also
    --------
    load : Read the file back.
    """
    filename = os.fspath(filename)
    payload = pickle.dumps(estimator, protocol=_PICKLE_PROTOCOL)
    header = (
        _FILE_MAGIC
        + bytes([_FILE_FORMAT])
        + len(payload).to_bytes(8, "big")
        + hashlib.sha256(payload).digest()
    )
    folder = os.path.dirname(os.path.abspath(filename))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"Cannot save to {filename!r}: the folder {folder!r} does not exist. Create it first."
        )
    temporary = os.path.join(
        folder, f".{os.path.basename(filename)}.{secrets.token_hex(6)}.tmp"
    )
    try:
        with open(temporary, "xb") as file:
            file.write(header)
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, filename)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return filename


def load(filename):
    """Load a model saved by :func:`dump`, checking that the file is complete and intact.

    Unpickling runs code chosen by whoever wrote the file: load only files you trust. For files
    from elsewhere use ``skops.io`` (see the user guide).

    Parameters
    ----------
    filename : str or path-like
        A file written by :func:`dump`.

    Returns
    -------
    estimator : object
        The saved model.

    Raises
    ------
    ValueError
        If the file is not a ``sklearn_deepnet`` model file, is truncated, fails its checksum, or
        holds a model that cannot be rebuilt. Nothing is returned in that case.

    See Also
    --------
    dump : Write the file.
    """
    filename = os.fspath(filename)
    with open(filename, "rb") as file:
        data = file.read()
    where = f"Cannot load a model from {filename!r}"
    if not data.startswith(_FILE_MAGIC):
        raise ValueError(
            f"{where}: it is not a file written by sklearn_deepnet.dump (it does not start with "
            "the expected header). Files written by joblib.dump load with joblib.load."
        )
    if len(data) < _HEADER_SIZE:
        raise ValueError(f"{where}: the file is truncated (its header is incomplete).")
    offset = len(_FILE_MAGIC)
    file_format = data[offset]
    if file_format > _FILE_FORMAT:
        raise ValueError(
            f"{where}: it was written in file format {file_format}, newer than this "
            f"sklearn_deepnet ({_current_version()}) reads. Upgrade sklearn_deepnet."
        )
    size = int.from_bytes(data[offset + 1 : offset + 9], "big")
    digest = data[offset + 9 : _HEADER_SIZE]
    payload = data[_HEADER_SIZE:]
    if len(payload) != size:
        state = "truncated" if len(payload) < size else "corrupt (it has trailing bytes)"
        raise ValueError(
            f"{where}: the file is {state}: {len(payload)} bytes of model data where "
            f"{size} were written. Save the model again."
        )
    if hashlib.sha256(payload).digest() != digest:
        raise ValueError(
            f"{where}: the file is corrupt (its checksum does not match its content). "
            "Save the model again."
        )
    try:
        return pickle.loads(payload)
    except Exception as exc:
        raise ValueError(f"{where}: {exc}") from exc
