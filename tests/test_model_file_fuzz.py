"""Fuzzing model files: every mutated file is refused with a ValueError or loads a valid model.

Mutations come in two kinds. *Damage* (byte flips, truncations, extensions of the file) must
always be refused: the checksum catches it. *Forgery* rewrites the payload and seals it again
with a valid length and checksum, as anyone writing a file can: byte flips in the payload, and
structured edits of its JSON (values replaced, fields dropped, tags renamed, shapes, dtypes and
byte ranges of arrays forged, string widths inflated). A forged file must be refused with one
``ValueError`` from a check (never the catch-all of :func:`sklearn_deepnet.load`), or load a
model that predicts on the original data without any error but a ``ValueError`` (identically to
the original when the edit changed nothing that matters). No load may allocate more than a small
multiple of the file's size.

The number of mutations per kind is ``SKLEARN_DEEPNET_FUZZ_COUNT`` (default 40, so a few hundred
files in all); set it to thousands for a long run.
"""

import copy
import json
import os
import random
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import load_iris
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from test_model_file import build_payload, read_parts, seal

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, dump, load
from sklearn_deepnet.persistence._file import _HEADER_SIZE, UnexpectedModelFileError
from sklearn_deepnet.preprocessing import PiecewiseLinearEncoder, SmoothClipScaler

COUNT = int(os.environ.get("SKLEARN_DEEPNET_FUZZ_COUNT", "40"))
MEMORY_FACTOR = 64  # peak traced allocation per load, in file sizes (JSON objects included)
MEMORY_SLACK = 4 * 2**20

pytestmark = pytest.mark.filterwarnings("ignore")


def _classifier():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    est = DeepNetClassifier(
        hidden_layer_sizes=(5, 4), solver="adam", early_stopping=True, n_iter_no_change=3,
        max_iter=15, random_state=0, class_weight={"setosa": 2.0},
    )
    return est.fit(X, labels), X


def _pipeline():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "a": rng.randn(50),
            "b": rng.randn(50),
            "c": rng.choice(["x", "y", "z"], 50).astype(object),
        }
    )
    frame.loc[3, "a"] = np.nan
    target = frame["b"].to_numpy() * 2 + rng.randn(50) * 0.1
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["a", "b"]),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                  OneHotEncoder(handle_unknown="ignore")), ["c"]),
        ]
    )
    model = TransformedTargetRegressor(
        regressor=DeepNetRegressor(hidden_layer_sizes=(4,), solver="sgd", max_iter=10,
                                   random_state=0),
        transformer=StandardScaler(),
    )
    return Pipeline([("pre", pre), ("model", model)]).fit(frame, target), frame


def _tabular_inputs():
    """The recipe's feature steps (smooth-clip scaler, piecewise-linear encoder) and a network."""
    X, y = load_iris(return_X_y=True)
    X = np.c_[X, X[:, 0] > 6]  # a binary column: left unencoded
    model = make_pipeline(
        SmoothClipScaler(), PiecewiseLinearEncoder(n_bins=4),
        DeepNetClassifier(hidden_layer_sizes=(4,), max_iter=10, random_state=0),
    )
    return model.fit(X, y), X


MODELS = {"classifier": _classifier, "pipeline": _pipeline, "tabular-inputs": _tabular_inputs}


@pytest.fixture(scope="module", params=sorted(MODELS))
def original(request, tmp_path_factory):
    model, X = MODELS[request.param]()
    path = tmp_path_factory.mktemp("fuzz") / "model.deepnet"
    dump(model, path)
    return path.read_bytes(), model, X


# -- mutations ---------------------------------------------------------------------------------

SPECIAL_VALUES = [
    None, True, False, 0, 1, -1, 2**31, 2**63, 10**30, -(10**30), 0.5, -0.0, 1e308, "", "x",
    "relu", [], [1, 2], {}, {"$": "float", "value": "nan"}, {"$": "float", "value": "inf"},
    {"$": "tuple", "items": []}, {"$": "array", "tensor": 0}, {"$": "array", "tensor": 10**6},
    {"$": "array", "dtype": "<U4", "shape": [2], "items": ["ab", "cd"]},
    {"$": "array", "dtype": "object", "shape": [1], "items": [None]},
    {"$": "dtype", "name": "float64"}, {"$": "type", "name": "int"},
    {"$": "slice", "start": 0, "stop": 10**9, "step": None},
    {"$": "estimator", "class": "sklearn.preprocessing.StandardScaler", "params": {},
     "fitted": {}},
]


def _nodes(value, path=()):
    """Every (path, value) in a JSON tree."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, (*path, index))


def _replace(tree, path, new):
    if not path:
        return new
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return tree


def _edit_document(rng, table, document):
    paths = list(_nodes(document))
    path, value = rng.choice(paths)
    action = rng.randrange(6)
    if action == 0 or not path:
        return table, _replace(document, path, copy.deepcopy(rng.choice(SPECIAL_VALUES)))
    if action == 1 and isinstance(value, int | float) and not isinstance(value, bool):
        return table, _replace(document, path, rng.choice([value + 1, -value, value * 1e6, 0]))
    if action == 2 and isinstance(value, str):
        return table, _replace(document, path, rng.choice([value[:-1], value + "x", value.upper()]))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if action == 3 and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == 4 and isinstance(parent, list):
        parent.insert(path[-1], copy.deepcopy(value)) if rng.random() < 0.5 else parent.pop(
            path[-1]
        )
    else:
        _replace(document, path, copy.deepcopy(rng.choice(SPECIAL_VALUES)))
    return table, document


def _edit_table(rng, table, document):
    names = [name for name in table if name != "__metadata__"]
    name = rng.choice(names)
    entry = table[name]
    action = rng.randrange(6)
    if action == 0:
        entry["dtype"] = rng.choice(["F64", "F32", "F16", "I64", "I8", "U32", "BOOL", "O", "<f8"])
    elif action == 1:
        entry["shape"] = rng.choice(
            [[10**12], [2**62, 2**62], [], [0], [-1], [entry["shape"][0] * 2]
             if entry["shape"] else [3], [1] * 40, "big"]
        )
    elif action == 2:
        start, stop = entry["data_offsets"]
        entry["data_offsets"] = rng.choice(
            [[start, stop + 8], [start + 8, stop], [0, 10**15], [stop, start], [start], None]
        )
    elif action == 3 and len(names) > 1:
        other = rng.choice(names)
        table[name], table[other] = table[other], table[name]
    elif action == 4:
        del table[name]
    else:
        table[str(len(names) + rng.randrange(3))] = copy.deepcopy(entry)
    return table, document


def _inflate_strings(rng, table, document):
    """Declare a huge width or count for a string array (or put one in)."""
    for _, value in _nodes(document):
        dtype = value.get("dtype") if isinstance(value, dict) else None
        if isinstance(dtype, str) and dtype.startswith(("<U", "object")):
            value[rng.choice(["dtype", "shape"])] = rng.choice(
                ["<U9999999", "<U1000000", [10**9], [2**40, 2**40], "<U0", "|S5"]
            )
            return table, document
    document["model"]["params"]["forged"] = {
        "$": "array", "dtype": "<U9999999", "shape": [1000], "items": ["a"] * 1000
    }
    return table, document


def _structured(edit):
    def mutate(rng, data):
        _, table, document, arrays = read_parts_from_bytes(data)
        table, document = edit(rng, table, document)
        try:
            payload = build_payload(table, document, arrays)
        except (TypeError, ValueError):  # the edit made the table unserializable
            return None
        return seal(payload)

    return mutate


def read_parts_from_bytes(data):
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".deepnet", delete=False) as file:
        file.write(data)
    try:
        return read_parts(file.name)
    finally:
        os.unlink(file.name)


def _flip_payload(rng, data):
    payload = bytearray(data[_HEADER_SIZE:])
    for _ in range(rng.randint(1, 8)):
        payload[rng.randrange(len(payload))] ^= 1 << rng.randrange(8)
    return seal(bytes(payload))


def _truncate_payload(rng, data):
    payload = data[_HEADER_SIZE:]
    return seal(payload[: rng.randrange(len(payload))])


def _damage(rng, data):
    data = bytearray(data)
    action = rng.randrange(3)
    if action == 0:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return bytes(data)
    if action == 1:
        return bytes(data[: rng.randrange(len(data))])
    return bytes(data) + bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))


MUTATIONS = {
    "damage": _damage,
    "payload-flips": _flip_payload,
    "payload-truncation": _truncate_payload,
    "document-edit": _structured(_edit_document),
    "array-table-edit": _structured(_edit_table),
    "string-inflation": _structured(_inflate_strings),
}


def _predict(model, X):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return model.predict(X)


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_mutated_files_are_refused_or_load_valid_models(kind, original, tmp_path):
    data, model, X = original
    expected = _predict(model, X)
    rng = random.Random(f"{kind}-{len(data)}")
    path = tmp_path / "mutated.deepnet"
    outcomes = {"refused": 0, "same model": 0, "other valid model": 0, "refused at predict": 0}
    gaps = []
    for _ in range(COUNT):
        mutated = MUTATIONS[kind](rng, data)
        if mutated is None or mutated == data:
            continue
        path.write_bytes(mutated)
        tracemalloc.start()
        try:
            loaded = load(path)
        except UnexpectedModelFileError as exc:  # a gap in the checks: reported below
            gaps.append(str(exc))
            loaded = None
        except ValueError:
            outcomes["refused"] += 1
            loaded = None
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert peak < MEMORY_FACTOR * len(mutated) + MEMORY_SLACK, (kind, peak)
        if loaded is None:
            continue
        assert kind not in ("damage",), "a damaged file loaded"
        assert type(loaded) is type(model)
        try:
            predicted = _predict(loaded, X)
        except ValueError:
            outcomes["refused at predict"] += 1
            continue
        except Exception as exc:  # a model that passed every check but cannot predict
            gaps.append(f"predict: {type(exc).__name__}: {exc}")
            continue
        assert predicted.shape == expected.shape
        same = np.array_equal(predicted, expected)
        outcomes["same model" if same else "other valid model"] += 1
    print(kind, outcomes, "gaps:", len(gaps))
    assert not gaps, f"{len(gaps)} files passed a check they should have failed: {gaps[:5]}"
    if kind == "damage":
        assert outcomes["refused"] == sum(outcomes.values())


def test_fuzz_outcomes_report(original):
    """The fuzzing runs on a classifier, a main-job pipeline and the tabular-input transformers
    before a network (count per kind)."""
    data, model, _ = original
    assert len(data) > _HEADER_SIZE
    assert json.loads(json.dumps(COUNT)) == COUNT
