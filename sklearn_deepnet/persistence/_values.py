"""Model files' values: Python and NumPy values as JSON plus numeric arrays, and back, checked.

A model file describes a model as one JSON document and a list of numeric arrays (see
:mod:`sklearn_deepnet.persistence._file`). This module turns the values an estimator holds into that
form and back. JSON's own values stand for themselves (``null``, booleans, strings, integers,
finite floats, lists); every other value is a JSON object tagged by its ``"$"`` key:

=================  ==============================================================================
``"$"``            value
=================  ==============================================================================
``float``          a non-finite float: ``{"value": "nan" | "inf" | "-inf"}``
``tuple``          ``{"items": [...]}``
``dict``           ``{"items": [[key, value], ...]}``, keys being scalars
``scalar``         a NumPy scalar: ``{"dtype": "float64", "value": ...}``
``array``          a numeric array, ``{"tensor": i}`` (the file's ``i``-th array), or an array of
                   strings or Python objects, ``{"dtype": "<U7" | "object", "shape": [...],
                   "items": [...]}``, its items in C order
``dtype``          a NumPy dtype, ``{"name": "float64"}``
``type``           a NumPy scalar type or ``float``, ``int``, ``bool``, ``str``: ``{"name": ...}``
``slice``          ``{"start": ..., "stop": ..., "step": ...}``
``random_state``   a ``numpy.random.RandomState``: its MT19937 state
``estimator``      an object of an allow-listed class (:mod:`sklearn_deepnet.persistence._classes`)
=================  ==============================================================================

Decoding creates nothing else: no class is looked up by a name from the file, dtypes and types
come from fixed tables, every count is checked against the file's own size before anything is
allocated for it, and anything unexpected raises :class:`ModelFileError`.
"""

import math
import re
from numbers import Integral, Real

import numpy as np

from ..nn._namespace import is_device_array, to_numpy

MAX_DEPTH = 64
"""Deepest nesting of values a model file may hold."""

_NUMERIC_DTYPES = {
    name: np.dtype(name)
    for name in (
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64",
    )
}
_BUILTIN_TYPES = {"float": float, "int": int, "bool": bool, "str": str}
_UNICODE = re.compile(r"<U([1-9][0-9]{0,6})")
_SCALAR_ITEM_TYPES = (str, bool, int, float, type(None))


class ModelFileError(ValueError):
    """A model file that is not a valid description of an allow-listed model.

    Parameters
    ----------
    where : str
        Where in the model the problem is, such as ``model.steps[1].fitted.mean_``.
    detail : str
        What is wrong.
    """

    def __init__(self, where, detail):
        self.where = where
        self.detail = detail
        super().__init__(f"{where}: {detail}" if where else detail)


class Budget:
    """Bytes that decoding may still allocate, a fixed multiple of the file's size.

    Parameters
    ----------
    limit : int
        Bytes available.
    """

    def __init__(self, limit):
        self.left = int(limit)

    def charge(self, nbytes, where):
        """Count ``nbytes`` about to be allocated; raise if they exceed what is left."""
        if nbytes > self.left:
            raise ModelFileError(
                where, f"declares {nbytes:,} bytes of data, more than a file of this size can hold"
            )
        self.left -= nbytes


def _float_to_json(value):
    if math.isfinite(value):
        return float(value)
    return {"$": "float", "value": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _type_name(value):
    for name, dtype in _NUMERIC_DTYPES.items():
        if value is dtype.type:
            return name
    for name, builtin in _BUILTIN_TYPES.items():
        if value is builtin:
            return name
    return None


def _dtype_name(dtype):
    if dtype.kind == "U" and dtype.byteorder in ("<", "="):
        return f"<U{dtype.itemsize // 4}"
    if dtype.kind == "O":
        return "object"
    if dtype.isnative or dtype.itemsize == 1:
        for name, known in _NUMERIC_DTYPES.items():
            if dtype == known:
                return name
    return None


class Encoder:
    """Turns values into JSON-ready data and a list of numeric arrays.

    Parameters
    ----------
    encode_object : callable
        ``encode_object(value, encoder, where)`` returns the node of an allow-listed object, or
        raises ``TypeError``.
    """

    def __init__(self, encode_object):
        self.tensors = []
        self._encode_object = encode_object

    def encode(self, value, where):
        """Return the JSON-ready form of ``value``; ``where`` names it in error messages."""
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, np.generic):
            return self._scalar(value, where)
        if isinstance(value, Integral):
            return int(value)
        if isinstance(value, float):
            return _float_to_json(value)
        if isinstance(value, list | tuple | dict):
            return self._container(value, where)
        if isinstance(value, np.ndarray):
            return self._array(value, where)
        if isinstance(value, np.dtype | type | slice | np.random.RandomState):
            return self._described(value, where)
        if is_device_array(value):  # another array library: saved as NumPy
            return self._array(to_numpy(value), where)
        if callable(value) and not hasattr(value, "get_params"):
            raise TypeError(
                f"{where} is a function ({getattr(value, '__name__', type(value).__name__)}): "
                "a model file stores data, never code"
            )
        return self._encode_object(value, self, where)

    def _container(self, value, where):
        """A list as a list; a tuple or a dict (JSON has neither) as a tagged list of items."""
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple):
            items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {"$": "tuple", "items": items}
        items = []
        for key, item in value.items():
            if not isinstance(key, _SCALAR_ITEM_TYPES + (np.generic,)):
                raise TypeError(f"{where}: a dict key of type {type(key).__name__}")
            items.append([self.encode(key, where), self.encode(item, f"{where}[{key!r}]")])
        return {"$": "dict", "items": items}

    def _described(self, value, where):
        """A dtype, a type, a slice or a legacy ``RandomState``, as a tagged description."""
        if isinstance(value, np.dtype):
            name = _dtype_name(value)
            if name is None:
                raise TypeError(f"{where}: the dtype {value} cannot be saved")
            return {"$": "dtype", "name": name}
        if isinstance(value, type):
            name = _type_name(value)
            if name is None:
                raise TypeError(f"{where}: the type {value.__name__} cannot be saved")
            return {"$": "type", "name": name}
        if isinstance(value, slice):
            parts = {}
            for part in ("start", "stop", "step"):
                bound = getattr(value, part)
                if bound is not None and not isinstance(bound, Integral | str):
                    raise TypeError(f"{where}: a slice bound of type {type(bound).__name__}")
                parts[part] = self.encode(bound, where)
            return {"$": "slice", **parts}
        kind, keys, pos, has_gauss, cached = value.get_state(legacy=True)
        return {
            "$": "random_state",
            "keys": self._array(np.asarray(keys, dtype=np.uint32), where),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": _float_to_json(float(cached)),
        }

    def _scalar(self, value, where):
        name = _dtype_name(value.dtype)
        if name not in _NUMERIC_DTYPES:
            raise TypeError(f"{where}: a NumPy scalar of dtype {value.dtype} cannot be saved")
        item = value.item()
        return {"$": "scalar", "dtype": name, "value": self.encode(item, where)}

    def _array(self, array, where):
        name = _dtype_name(array.dtype)
        if name in _NUMERIC_DTYPES:
            self.tensors.append(np.ascontiguousarray(array))
            return {"$": "array", "tensor": len(self.tensors) - 1}
        if name is None:
            raise TypeError(f"{where}: an array of dtype {array.dtype} cannot be saved")
        items = []
        for item in array.ravel(order="C").tolist():
            if isinstance(item, np.generic):
                item = item.item()
            if not isinstance(item, _SCALAR_ITEM_TYPES):
                raise TypeError(
                    f"{where}: an object array holding a {type(item).__name__}; only strings, "
                    "numbers, booleans and None can be saved"
                )
            items.append(_float_to_json(item) if isinstance(item, float) else item)
        return {"$": "array", "dtype": name, "shape": list(array.shape), "items": items}


def _expect(node, keys, where):
    if set(node) != set(keys):
        raise ModelFileError(where, f"expected the fields {sorted(keys)}, found {sorted(node)}")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


class Decoder:
    """Rebuilds values from a document's JSON data and the file's arrays, checking each.

    Parameters
    ----------
    tensors : list of ndarray
        The file's numeric arrays; each must be used exactly once.
    budget : Budget
        Bytes that arrays of strings and objects may allocate.
    decode_object : callable
        ``decode_object(node, decoder, where)`` rebuilds an allow-listed object.
    """

    def __init__(self, tensors, budget, decode_object):
        self._tensors = tensors
        self._used = [False] * len(tensors)
        self.budget = budget
        self._decode_object = decode_object

    def check_all_used(self):
        """Raise if the file holds arrays that no value refers to."""
        unused = [i for i, used in enumerate(self._used) if not used]
        if unused:
            raise ModelFileError("", f"arrays {unused[:5]} are not part of the model")

    def decode(self, node, where, depth=0):
        """Return the value ``node`` describes; raise :class:`ModelFileError` if invalid."""
        if depth > MAX_DEPTH:
            raise ModelFileError(where, f"values nested deeper than {MAX_DEPTH} levels")
        if node is None or isinstance(node, bool | str | int):
            return node
        if isinstance(node, float):
            return node
        if isinstance(node, list):
            return [self.decode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            raise ModelFileError(where, f"unexpected JSON value of type {type(node).__name__}")
        tag = node.get("$")
        method = getattr(self, f"_decode_{tag}", None) if isinstance(tag, str) else None
        if method is None:
            raise ModelFileError(where, f"unknown kind of value {tag!r}")
        return method(node, where, depth + 1)

    def _decode_float(self, node, where, depth):
        _expect(node, ("$", "value"), where)
        values = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
        if not isinstance(node["value"], str) or node["value"] not in values:
            raise ModelFileError(where, f"invalid float {node['value']!r}")
        return values[node["value"]]

    def _decode_tuple(self, node, where, depth):
        _expect(node, ("$", "items"), where)
        items = self.decode(node["items"], where, depth)
        if not isinstance(items, list):
            raise ModelFileError(where, "a tuple's items are not a list")
        return tuple(items)

    def _decode_dict(self, node, where, depth):
        _expect(node, ("$", "items"), where)
        if not isinstance(node["items"], list):
            raise ModelFileError(where, "a dict's items are not a list")
        result = {}
        for pair in node["items"]:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ModelFileError(where, "a dict item is not a [key, value] pair")
            key = self.decode(pair[0], where, depth)
            if not isinstance(key, _SCALAR_ITEM_TYPES + (np.generic,)) or key in result:
                raise ModelFileError(where, f"invalid or repeated dict key {key!r}")
            result[key] = self.decode(pair[1], f"{where}[{key!r}]", depth)
        return result

    def _decode_scalar(self, node, where, depth):
        _expect(node, ("$", "dtype", "value"), where)
        dtype = _NUMERIC_DTYPES.get(node["dtype"]) if isinstance(node["dtype"], str) else None
        if dtype is None:
            raise ModelFileError(where, f"unknown scalar dtype {node['dtype']!r}")
        value = self.decode(node["value"], where, depth)
        if dtype.kind == "b":
            ok = isinstance(value, bool)
        elif dtype.kind in "iu":
            info = np.iinfo(dtype)
            ok = _is_int(value) and info.min <= value <= info.max
        else:
            ok = isinstance(value, float) and (
                not math.isfinite(value) or abs(value) <= float(np.finfo(dtype).max)
            )
        if not ok:
            raise ModelFileError(where, f"{value!r} is not a valid {dtype.name}")
        return dtype.type(value)

    def _decode_array(self, node, where, depth):
        if "tensor" in node:
            _expect(node, ("$", "tensor"), where)
            return self._tensor(node["tensor"], where)
        _expect(node, ("$", "dtype", "shape", "items"), where)
        name, shape, items = node["dtype"], node["shape"], node["items"]
        if (
            not isinstance(shape, list)
            or not all(_is_int(n) and n >= 0 for n in shape)
            or len(shape) > 32
        ):
            raise ModelFileError(where, f"invalid array shape {shape!r}")
        if not isinstance(items, list) or math.prod(shape) != len(items):
            raise ModelFileError(where, f"an array of shape {tuple(shape)} needs as many items")
        if name == "object":
            self.budget.charge(8 * len(items), where)
            array = np.empty(len(items), dtype=object)
            for i, item in enumerate(items):
                value = self.decode(item, where, depth)
                if not isinstance(value, _SCALAR_ITEM_TYPES):
                    raise ModelFileError(where, "an object array item is not a scalar")
                array[i] = value
            return array.reshape(shape)
        match = _UNICODE.fullmatch(name) if isinstance(name, str) else None
        if match is None:
            raise ModelFileError(where, f"unknown array dtype {name!r}")
        width = int(match.group(1))
        if not all(isinstance(item, str) and len(item) <= width for item in items):
            raise ModelFileError(where, f"items of a {name} array must be strings that fit it")
        self.budget.charge(4 * width * len(items), where)
        return np.array(items, dtype=name).reshape(shape)

    def _tensor(self, index, where):
        if not _is_int(index) or not 0 <= index < len(self._tensors):
            raise ModelFileError(where, f"refers to array {index!r}, which the file lacks")
        if self._used[index]:
            raise ModelFileError(where, f"refers to array {index}, already used elsewhere")
        self._used[index] = True
        return self._tensors[index]

    def _decode_dtype(self, node, where, depth):
        _expect(node, ("$", "name"), where)
        name = node["name"] if isinstance(node["name"], str) else None
        if name in _NUMERIC_DTYPES:
            return _NUMERIC_DTYPES[name]
        if name == "object":
            return np.dtype(object)
        if isinstance(name, str) and _UNICODE.fullmatch(name):
            return np.dtype(name)
        raise ModelFileError(where, f"unknown dtype {name!r}")

    def _decode_type(self, node, where, depth):
        _expect(node, ("$", "name"), where)
        name = node["name"] if isinstance(node["name"], str) else None
        if name in _NUMERIC_DTYPES:
            return _NUMERIC_DTYPES[name].type
        if name in _BUILTIN_TYPES:
            return _BUILTIN_TYPES[name]
        raise ModelFileError(where, f"unknown type {name!r}")

    def _decode_slice(self, node, where, depth):
        _expect(node, ("$", "start", "stop", "step"), where)
        bounds = [node[part] for part in ("start", "stop", "step")]
        if not all(b is None or _is_int(b) or isinstance(b, str) for b in bounds):
            raise ModelFileError(where, f"invalid slice bounds {bounds!r}")
        if bounds[2] is not None and (not _is_int(bounds[2]) or bounds[2] == 0):
            raise ModelFileError(where, f"invalid slice step {bounds[2]!r}")
        return slice(*bounds)

    def _decode_random_state(self, node, where, depth):
        _expect(node, ("$", "keys", "pos", "has_gauss", "cached_gaussian"), where)
        keys = self.decode(node["keys"], where, depth)
        cached = self.decode(node["cached_gaussian"], where, depth)
        if (
            not isinstance(keys, np.ndarray)
            or keys.dtype != np.uint32
            or keys.shape != (624,)
            or not _is_int(node["pos"])
            or not 0 <= node["pos"] <= 624
            or node["has_gauss"] not in (0, 1)
            or isinstance(node["has_gauss"], bool)
            or not isinstance(cached, float)
            or not math.isfinite(cached)
        ):
            raise ModelFileError(where, "invalid random state")
        random_state = np.random.RandomState()
        random_state.set_state(("MT19937", keys, node["pos"], node["has_gauss"], cached))
        return random_state

    def _decode_estimator(self, node, where, depth):
        return self._decode_object(node, self, where, depth)


def is_real(value):
    """Whether ``value`` is a real number (not a bool); NaN and infinities included."""
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)
