"""Array namespaces: which library and device the engine's arrays live in, and moving arrays there.

The engine computes with the namespace of its input (the array API standard, through
``array_api_compat``): NumPy arrays are computed by NumPy itself, with the in-place fast paths
the engine was tuned with; PyTorch, CuPy or any other array API library by the standard's
functions, on the array's device. There is one engine: where a kernel differs, it is because
NumPy can write into a preallocated array (``out=``) and the standard cannot.
"""

import numpy as np
import scipy.sparse as sp

_MAX_PRECISION = {}
_NAMESPACE_OF_TYPE = {}


def get_namespace(*arrays):
    """The array API namespace of ``arrays`` (NumPy's for NumPy arrays, scalars and ``None``).

    Parameters
    ----------
    *arrays : arrays, scalars or None
        Arrays of one namespace.

    Returns
    -------
    xp : module
        The ``array_api_compat`` namespace of the arrays: for NumPy arrays
        ``array_api_compat.numpy``, which offers the standard's functions on every supported
        NumPy (1.24 included); :func:`is_numpy` tells it apart.
    """
    if len(arrays) == 1 and type(arrays[0]) in _NAMESPACE_OF_TYPE:  # the engine's hot path
        return _NAMESPACE_OF_TYPE[type(arrays[0])]
    import array_api_compat
    import array_api_compat.numpy

    others = [
        a for a in arrays
        if a is not None and not isinstance(a, np.ndarray | np.generic) and not sp.issparse(a)
    ]
    others = [a for a in others if not isinstance(a, bool | int | float | complex)]
    if not others:
        xp = array_api_compat.numpy
    else:
        xp = array_api_compat.array_namespace(*others)
    if len(arrays) == 1 and (others or isinstance(arrays[0], np.ndarray)):
        _NAMESPACE_OF_TYPE[type(arrays[0])] = xp  # an array type has one namespace
    return xp


def is_numpy(xp):
    """Whether ``xp`` is NumPy (or its ``array_api_compat`` wrapper): arrays with fast paths."""
    if xp is np:
        return True
    import array_api_compat

    return array_api_compat.is_numpy_namespace(xp)


def is_array(value):
    """Whether ``value`` is an array of any namespace (NumPy's, PyTorch's, CuPy's, ...)."""
    if isinstance(value, np.ndarray):
        return True
    import array_api_compat

    return array_api_compat.is_array_api_obj(value) and not isinstance(value, np.generic)


def is_device_array(value):
    """Whether ``value`` is an array of a namespace other than NumPy (to move or convert)."""
    return not isinstance(value, np.ndarray | np.generic) and is_array(value)


def device(array):
    """The device of ``array`` (``"cpu"`` for NumPy arrays and sparse matrices)."""
    if isinstance(array, np.ndarray | np.generic) or sp.issparse(array):
        return "cpu"
    import array_api_compat

    return array_api_compat.device(array)


def asarray(values, xp, device=None, dtype=None):
    """``values`` (NumPy or Python data) as an array of namespace ``xp`` on ``device``."""
    if is_numpy(xp):
        return np.asarray(values, dtype=dtype)
    return xp.asarray(values, dtype=dtype, device=device)


def copy(array):
    """A copy of ``array`` in its own namespace and device."""
    if isinstance(array, np.ndarray):
        return array.copy()
    return get_namespace(array).asarray(array, copy=True)


def to_numpy(array):
    """``array`` as a NumPy array on the CPU (a copy when it lives elsewhere).

    Parameters
    ----------
    array : array
        An array of any namespace, on any device.

    Returns
    -------
    array : ndarray
    """
    if array is None or isinstance(array, np.ndarray):
        return array
    module = type(array).__module__
    if module.startswith("torch"):
        return array.detach().cpu().numpy()
    if module.startswith("cupy"):
        return array.get()
    try:
        return np.from_dlpack(array, device="cpu")
    except (TypeError, AttributeError, RuntimeError, BufferError):
        return np.asarray(array)


def to_float(value):
    """A 0-d array of any namespace, or a number, as a Python float (one device sync)."""
    if isinstance(value, float | int):
        return float(value)
    return float(to_numpy(value)) if not isinstance(value, np.generic) else float(value)


def max_float_dtype(xp, device):
    """The widest floating dtype ``xp`` has on ``device`` (float32 on some accelerators)."""
    if is_numpy(xp):
        return np.float64
    key = (xp.__name__, str(device))
    if key not in _MAX_PRECISION:
        try:
            dtypes = xp.__array_namespace_info__().dtypes(device=device, kind="real floating")
            _MAX_PRECISION[key] = dtypes.get("float64", xp.float32)
        except (AttributeError, TypeError):  # an older library: float64 everywhere
            _MAX_PRECISION[key] = xp.float64
    return _MAX_PRECISION[key]


def all_finite(array):
    """Whether every entry of ``array`` is finite (one device read off NumPy)."""
    if isinstance(array, np.ndarray):
        return bool(np.isfinite(array).all())
    xp = get_namespace(array)
    return bool(to_numpy(xp.all(xp.isfinite(array))))


def max_abs(array):
    """The largest absolute entry of ``array`` as a Python float."""
    if isinstance(array, np.ndarray):
        return float(np.max(np.abs(array)))
    xp = get_namespace(array)
    return to_float(xp.max(xp.abs(array)))


def same_place(a, b):
    """Whether arrays ``a`` and ``b`` share a namespace and a device."""
    xp_a, xp_b = get_namespace(a), get_namespace(b)
    if is_numpy(xp_a) or is_numpy(xp_b):
        return is_numpy(xp_a) and is_numpy(xp_b)
    return xp_a is xp_b and device(a) == device(b)


def numpy_dtype(array):
    """The NumPy dtype of ``array``'s entries, whatever its namespace (sparse matrices too)."""
    dtype = array.dtype
    if isinstance(dtype, np.dtype):
        return dtype
    return to_numpy(array[:0, ...]).dtype


def describe(array):
    """``'torch array on cuda:0'``: where an array lives, for messages."""
    if isinstance(array, np.ndarray) or sp.issparse(array):
        return "a NumPy array" if isinstance(array, np.ndarray) else "a SciPy sparse matrix"
    return f"a {get_namespace(array).__name__} array on device {device(array)!r}"
