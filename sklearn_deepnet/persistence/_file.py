"""Model files: :func:`dump` and :func:`load` write and read plain data that cannot run code.

Layout of a file (format 2)::

    b"sklearn_deepnet model\\n"      22 bytes, the magic
    format                          1 byte: 2 (format 1 held a pickle; see ``allow_pickle``)
    payload length                  8 bytes, big-endian
    SHA-256 of the payload          32 bytes
    payload                         a safetensors file:
        header length N             8 bytes, little-endian
        header                      N bytes of JSON: for each array "0", "1", ..., its dtype,
                                    shape and byte range; "__metadata__" holds the document
        arrays                      the raw little-endian bytes of each array, in order

The document (JSON) records the format, the ``sklearn_deepnet`` and scikit-learn versions that
wrote the file, and the model: the class names of an allow-list
(:mod:`sklearn_deepnet.persistence._classes`), their parameters and fitted attributes, values
encoded as described in :mod:`sklearn_deepnet.persistence._values`.

The checksum detects damage; it cannot detect tampering, since whoever writes a file writes its
checksum too. Safety comes from the format itself: loading parses JSON and copies numeric arrays,
rebuilds only allow-listed classes, checks every value, and allocates no more than a fixed
multiple of the file's size.
"""

import hashlib
import json
import math
import os
import pickle
import secrets

import numpy as np
import sklearn

from .._version import __version__
from ._classes import CLASSES, CODECS_BY_CLASS, encode_object, make_decode_object
from ._values import Budget, Decoder, Encoder, ModelFileError

_MAGIC = b"sklearn_deepnet model\n"
_FORMAT = 2
_PICKLE_FORMAT = 1
_DIGEST_SIZE = 32  # sha256
_HEADER_SIZE = len(_MAGIC) + 1 + 8 + _DIGEST_SIZE
_FORMAT_NAME = "sklearn_deepnet"

_TENSOR_DTYPES = {
    "BOOL": np.dtype("?"),
    "U8": np.dtype("u1"),
    "I8": np.dtype("i1"),
    "U16": np.dtype("<u2"),
    "I16": np.dtype("<i2"),
    "U32": np.dtype("<u4"),
    "I32": np.dtype("<i4"),
    "U64": np.dtype("<u8"),
    "I64": np.dtype("<i8"),
    "F16": np.dtype("<f2"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
}
_TENSOR_NAMES = {(dtype.kind, dtype.itemsize): name for name, dtype in _TENSOR_DTYPES.items()}

_ALLOCATION_FACTOR = 4
_ALLOCATION_SLACK = 2**20
"""Loading a file of ``n`` bytes allocates at most ``4 n + 1 MiB`` for arrays."""


class UnexpectedModelFileError(ValueError):
    """A model file that failed a check no validation step foresaw (a bug to report)."""


# -- writing -----------------------------------------------------------------------------------


def _payload(document, tensors):
    """The safetensors bytes of the document (as metadata) and the arrays."""
    entries = {}
    buffers = []
    offset = 0
    for i, array in enumerate(tensors):
        name = _TENSOR_NAMES[array.dtype.kind, array.dtype.itemsize]
        data = array.astype(_TENSOR_DTYPES[name], copy=False).tobytes(order="C")
        entries[str(i)] = {
            "dtype": name,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        buffers.append(data)
        offset += len(data)
    metadata = {"format": _FORMAT_NAME, "document": json.dumps(document, allow_nan=False)}
    header = json.dumps({"__metadata__": metadata, **entries}, allow_nan=False).encode()
    header += b" " * (-len(header) % 8)  # safetensors aligns the arrays on 8 bytes
    return b"".join([len(header).to_bytes(8, "little"), header, *buffers])


def dump(estimator, filename):
    """Save a model to a file of plain data that :func:`load` reads without running code.

    The file holds JSON (the class names, parameters and fitted attributes) and the numeric
    arrays (weights, optimizer state, scaler statistics) in safetensors layout, behind a
    SHA-256 checksum. It is written to a temporary file in the same folder, flushed to disk,
    then renamed over ``filename``: a crash or a full disk leaves any existing ``filename``
    intact, never half-written.

    Only these classes can be saved (also nested in one another, as a fitted ``Pipeline``
    of scikit-learn transformers before one of our estimators):

    - ``DeepNetClassifier``, ``DeepNetRegressor``, ``LogisticRegressionGD``;
    - scikit-learn's ``Pipeline``, ``ColumnTransformer`` (column selections by name, index,
      slice of indices or boolean mask; ``'drop'`` and ``'passthrough'``),
      ``TransformedTargetRegressor`` (without ``func``/``inverse_func``), ``SimpleImputer``
      (without ``add_indicator``), ``StandardScaler``, ``MinMaxScaler``, ``RobustScaler``,
      ``OneHotEncoder`` (without infrequent categories) and the identity
      ``FunctionTransformer`` a ``ColumnTransformer`` uses for ``'passthrough'``.

    Parameters
    ----------
    estimator : estimator
        The model: one of the classes above, fitted or not.
    filename : str or path-like
        Where to write. Its folder must exist.

    Returns
    -------
    filename : str
        The path written.

    Raises
    ------
    TypeError
        If the model holds something a model file cannot store: an object of another class,
        a function (a callable ``scoring``, a ``FunctionTransformer`` with a ``func``), an
        unsupported option. Nothing is written then; use ``joblib`` or ``skops.io`` for such
        models.
    FileNotFoundError
        If the folder of ``filename`` does not exist.

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_deepnet import LogisticRegressionGD, dump, load
    >>> from sklearn.preprocessing import scale
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegressionGD().fit(scale(X), y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.deepnet")
    >>> _ = dump(clf, path)
    >>> bool((load(path).predict(scale(X)) == clf.predict(scale(X))).all())
    True
    """
    filename = os.fspath(filename)
    if type(estimator) not in CODECS_BY_CLASS:
        encode_object(estimator, None, "the model")  # raises the TypeError naming the classes
    encoder = Encoder(encode_object)
    model = encoder.encode(estimator, "the model")
    document = {
        "format": _FORMAT,
        "sklearn_deepnet": __version__,
        "scikit-learn": sklearn.__version__,
        "model": model,
    }
    payload = _payload(document, encoder.tensors)
    header = (
        _MAGIC
        + bytes([_FORMAT])
        + len(payload).to_bytes(8, "big")
        + hashlib.sha256(payload).digest()
    )
    _write_atomically(filename, header + payload)
    return filename


def _write_atomically(filename, data):
    folder = os.path.dirname(os.path.abspath(filename))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"Cannot save to {filename!r}: the folder {folder!r} does not exist. Create it first."
        )
    temporary = os.path.join(folder, f".{os.path.basename(filename)}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temporary, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, filename)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


# -- reading -----------------------------------------------------------------------------------


def _reject_constant(name):
    raise ModelFileError("", f"the JSON holds {name}, which is not JSON")


def _unique_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ModelFileError("", f"the JSON repeats the key {key!r}")
        result[key] = value
    return result


def _parse_json(data, what):
    try:
        return json.loads(data, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
    except ModelFileError:
        raise
    except (ValueError, RecursionError) as exc:  # JSON or UTF-8 errors, absurd nesting
        raise ModelFileError("", f"{what} is not valid JSON ({type(exc).__name__})") from None


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _read_payload(payload, budget):
    """The document and the arrays of a format-2 payload, every size checked first."""
    if len(payload) < 8:
        raise ModelFileError("", "the payload is too short to hold a header")
    size = int.from_bytes(payload[:8], "little")
    if size > len(payload) - 8:
        raise ModelFileError("", f"the header claims {size} bytes, the payload has fewer")
    header = _parse_json(payload[8 : 8 + size], "the array table")
    buffer = memoryview(payload)[8 + size :]
    if not isinstance(header, dict) or not isinstance(header.get("__metadata__"), dict):
        raise ModelFileError("", "the array table has no metadata")
    metadata = header.pop("__metadata__")
    if set(metadata) != {"format", "document"} or metadata["format"] != _FORMAT_NAME:
        raise ModelFileError("", "the metadata does not describe a sklearn_deepnet model")
    if not isinstance(metadata["document"], str):
        raise ModelFileError("", "the document is not a string")
    if set(header) != {str(i) for i in range(len(header))}:
        raise ModelFileError("", "the arrays are not named 0, 1, 2, ...")
    tensors = []
    offset = 0
    for i in range(len(header)):
        tensors.append(_read_tensor(header[str(i)], buffer, offset, budget, f"array {i}"))
        offset = header[str(i)]["data_offsets"][1]
    if offset != len(buffer):
        raise ModelFileError("", f"{len(buffer) - offset} bytes follow the last array")
    document = _parse_json(metadata["document"], "the document")
    return document, tensors


def _read_tensor(entry, buffer, offset, budget, where):
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise ModelFileError(where, "not a {dtype, shape, data_offsets} entry")
    dtype = _TENSOR_DTYPES.get(entry["dtype"]) if isinstance(entry["dtype"], str) else None
    shape, offsets = entry["shape"], entry["data_offsets"]
    if dtype is None:
        raise ModelFileError(where, f"unknown dtype {entry['dtype']!r}")
    if (
        not isinstance(shape, list)
        or len(shape) > 32
        or not all(_is_int(n) and n >= 0 for n in shape)
    ):
        raise ModelFileError(where, f"invalid shape {shape!r}")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(map(_is_int, offsets)):
        raise ModelFileError(where, f"invalid byte range {offsets!r}")
    start, stop = offsets
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    if start != offset or not start <= stop <= len(buffer) or stop - start != nbytes:
        raise ModelFileError(
            where,
            f"shape {tuple(shape)} of {entry['dtype']} does not fit its byte range {offsets}",
        )
    budget.charge(stop - start, where)
    array = np.frombuffer(buffer, dtype=dtype, count=count, offset=start).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a native, writable copy


def _check_document(document):
    if not isinstance(document, dict) or set(document) != {
        "format", "sklearn_deepnet", "scikit-learn", "model"
    }:
        raise ModelFileError("", "the document lacks its format, versions or model")
    if document["format"] != _FORMAT:
        raise ModelFileError("", f"unknown document format {document['format']!r}")
    for key in ("sklearn_deepnet", "scikit-learn"):
        if not isinstance(document[key], str) or len(document[key]) > 64:
            raise ModelFileError("", f"invalid {key} version {document[key]!r}")


def _decode_model(payload, file_size):
    budget = Budget(_ALLOCATION_FACTOR * file_size + _ALLOCATION_SLACK)
    document, tensors = _read_payload(payload, budget)
    _check_document(document)
    decoder = Decoder(tensors, budget, make_decode_object(document["sklearn_deepnet"]))
    model = decoder.decode(document["model"], "model")
    decoder.check_all_used()
    if type(model) not in CODECS_BY_CLASS:
        raise ModelFileError("model", f"a {type(model).__name__} is not a model")
    return model


def load(filename, *, allow_pickle=False):
    """Load a model saved by :func:`dump`, without running any code from the file.

    The file is checked (header, length, checksum), its JSON parsed, its arrays copied, and the
    model rebuilt from an allow-list of classes (see :func:`dump`), each parameter and fitted
    attribute checked: types, shapes consistent with the parameters and with each other,
    finite weights, sizes no larger than the file can hold. A file from anyone is safe to load:
    the worst it can do is describe a bad model, refused with a ``ValueError``.

    Parameters
    ----------
    filename : str or path-like
        A file written by :func:`dump`.
    allow_pickle : bool, default=False
        Also load files of the first format, written by ``sklearn_deepnet`` 0.1's ``dump``,
        which hold a pickle. **Unpickling runs code chosen by whoever wrote the file**: set it
        only for files you made yourself, once, to convert them:
        ``dump(load(path, allow_pickle=True), path)``.

    Returns
    -------
    estimator : estimator
        The saved model.

    Raises
    ------
    ValueError
        If the file is not a ``sklearn_deepnet`` model file, is truncated or corrupt, holds a
        pickle (without ``allow_pickle``), names a class outside the allow-list, or describes a
        model that fails a check. The message says which; nothing is returned.

    Warns
    -----
    InconsistentDeepNetVersionWarning
        If another version of ``sklearn_deepnet`` wrote the file.

    See Also
    --------
    dump : Write the file.
    """
    filename = os.fspath(filename)
    with open(filename, "rb") as file:
        data = file.read()
    where = f"Cannot load a model from {filename!r}"
    file_format, payload = _checked_payload(data, where)
    if file_format == _PICKLE_FORMAT:
        return _load_pickle(payload, where, allow_pickle)
    try:
        return _decode_model(payload, len(data))
    except ModelFileError as exc:
        raise ValueError(
            f"{where}: it does not describe a valid model ({exc}). Nothing was loaded."
        ) from None
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    except Exception as exc:  # a check that no validation step foresaw: still refused
        raise UnexpectedModelFileError(
            f"{where}: it does not describe a valid model ({type(exc).__name__}: {exc}). "
            "Nothing was loaded."
        ) from exc


def _checked_payload(data, where):
    """The file's format and payload, once its header, length and checksum are checked."""
    if not data.startswith(_MAGIC):
        raise ValueError(
            f"{where}: it is not a file written by sklearn_deepnet.dump (it does not start with "
            "the expected header). Files written by joblib.dump load with joblib.load."
        )
    if len(data) < _HEADER_SIZE:
        raise ValueError(f"{where}: the file is truncated (its header is incomplete).")
    offset = len(_MAGIC)
    file_format = data[offset]
    if file_format not in (_FORMAT, _PICKLE_FORMAT):
        raise ValueError(
            f"{where}: it was written in file format {file_format}, which sklearn_deepnet "
            f"{__version__} does not read (it reads formats {_PICKLE_FORMAT} and {_FORMAT}). "
            "Upgrade sklearn_deepnet."
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
    return file_format, payload

def _load_pickle(payload, where, allow_pickle):
    if not allow_pickle:
        raise ValueError(
            f"{where}: it was written by an older sklearn_deepnet.dump as a pickle, and "
            "unpickling runs code chosen by whoever wrote the file, so it is not loaded by "
            "default. If you wrote this file yourself, convert it once to the current format, "
            "which runs no code: model = sklearn_deepnet.load(path, allow_pickle=True); "
            "sklearn_deepnet.dump(model, path)."
        )
    try:
        return pickle.loads(payload)
    except Exception as exc:
        raise ValueError(f"{where}: {exc}") from exc


__all__ = ["CLASSES", "dump", "load"]
