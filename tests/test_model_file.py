"""Model files (dump/load): exact round trips, pipelines, safety against crafted files, errors."""

import hashlib
import json
import os
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import load_iris
from sklearn.ensemble import BaggingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    OneHotEncoder,
    RobustScaler,
    StandardScaler,
)
from test_persistence import KINDS, SOLVERS, _assert_same_model, _fitted

import sklearn_deepnet
from sklearn_deepnet import (
    DeepNetClassifier,
    DeepNetRegressor,
    InconsistentDeepNetVersionWarning,
    LogisticRegressionGD,
    dump,
    load,
)
from sklearn_deepnet.nn.activations import ACTIVATIONS
from sklearn_deepnet.persistence._classes import CLASSES
from sklearn_deepnet.persistence._file import _HEADER_SIZE, _MAGIC, UnexpectedModelFileError
from sklearn_deepnet.preprocessing import PiecewiseLinearEncoder, SmoothClipScaler

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _round_trip(model, tmp_path, name="model.deepnet"):
    path = tmp_path / name
    assert dump(model, path) == str(path)
    return load(path)


# -- helpers to read and forge files -----------------------------------------------------------


def read_parts(path):
    """The (format, array table, document, array bytes) of a model file."""
    data = open(path, "rb").read()
    payload = data[_HEADER_SIZE:]
    size = int.from_bytes(payload[:8], "little")
    table = json.loads(payload[8 : 8 + size])
    document = json.loads(table["__metadata__"]["document"])
    return data[len(_MAGIC)], table, document, payload[8 + size :]


def seal(payload, file_format=2):
    """A file around ``payload`` with a valid header, length and checksum, as an attacker can."""
    return (
        _MAGIC
        + bytes([file_format])
        + len(payload).to_bytes(8, "big")
        + hashlib.sha256(payload).digest()
        + payload
    )


def build_payload(table, document, arrays):
    table = dict(table)
    table["__metadata__"] = {"format": "sklearn_deepnet", "document": json.dumps(document)}
    header = json.dumps(table).encode()
    return len(header).to_bytes(8, "little") + header + arrays


def forge(path, table, document, arrays):
    path.write_bytes(seal(build_payload(table, document, arrays)))


# -- exact round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_is_exact(kind, iris, tmp_path):
    est, X, _ = _fitted(kind, iris)
    _assert_same_model(est, _round_trip(est, tmp_path), X)
    assert os.listdir(tmp_path) == ["model.deepnet"]  # no temporary file left behind


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("kind", [k for k in ("dropout", "regressor", "logistic") if k in KINDS])
def test_loaded_model_keeps_training_exactly(kind, solver, iris, tmp_path):
    # The optimizer's state (momentum, Adam moments, AGD's step) survives the file.
    est, X, y = _fitted(kind, iris, solver=solver, warm_start=True)
    loaded = _round_trip(est, tmp_path)
    if solver == "lbfgs":
        est.set_params(max_iter=5).fit(X, y)
        loaded.set_params(max_iter=5).fit(X, y)
    else:
        for _ in range(3):
            est.partial_fit(X, y)
            loaded.partial_fit(X, y)
    _assert_same_model(est, loaded, X)


def test_a_file_saved_before_batch_normalization_loads(iris):
    """``tests/data`` holds a file written by the version before batch normalization."""
    path = os.path.join(os.path.dirname(__file__), "data", "classifier_before_batch_norm.deepnet")
    X, y = iris
    loaded = load(path)
    assert loaded.batch_normalization is False and loaded.gammas_ is None
    refit = DeepNetClassifier((6, 4), max_iter=20, random_state=0).fit(X, y)  # how it was made
    np.testing.assert_allclose(loaded.predict_proba(X), refit.predict_proba(X), rtol=1e-9)
    loaded.set_params(warm_start=True, max_iter=2).fit(X, y)  # and it trains on
    assert len(loaded.loss_curve_) == 22


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_round_trip_keeps_activation_and_float32(activation, iris, tmp_path):
    X, y = iris
    X = X.astype(np.float32)
    est = DeepNetClassifier(
        hidden_layer_sizes=(6,), activation=activation, negative_slope=0.2, max_iter=20,
        random_state=0,
    ).fit(X, y)
    loaded = _round_trip(est, tmp_path)
    assert loaded.coefs_[0].dtype == np.float32
    _assert_same_model(est, loaded, X)


@pytest.mark.parametrize(
    "class_weight", ["balanced", {0: 1.0, 1: 2.0, 2: 0.5}], ids=["balanced", "dict"]
)
def test_round_trip_keeps_class_weights_and_random_state(class_weight, iris, tmp_path):
    X, y = iris
    est = DeepNetClassifier(
        hidden_layer_sizes=(5,), class_weight=class_weight, max_iter=10,
        random_state=np.random.RandomState(3), warm_start=True,
    ).fit(X, y)
    loaded = _round_trip(est, tmp_path)
    assert loaded.class_weight == class_weight
    assert isinstance(loaded.random_state, np.random.RandomState)
    states = zip(est.random_state.get_state(), loaded.random_state.get_state(), strict=True)
    assert all(np.array_equal(a, b) for a, b in states)
    est.fit(X, y)  # continues from the same weights and the same random stream
    loaded.fit(X, y)
    assert np.array_equal(est.predict_proba(X), loaded.predict_proba(X))
    assert np.array_equal(est._network.params, loaded._network.params)


def test_round_trip_keeps_feature_names_and_label_dtypes(iris, tmp_path):
    X, y = iris
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    for labels in (np.array(["a", "bb", "ccc"])[y], np.array(["a", "bb", "ccc"], object)[y]):
        est = DeepNetClassifier(hidden_layer_sizes=(4,), max_iter=10, random_state=0)
        est.fit(frame, labels)
        loaded = _round_trip(est, tmp_path)
        assert loaded.classes_.dtype == est.classes_.dtype
        assert list(loaded.feature_names_in_) == ["sl", "sw", "pl", "pw"]
        assert np.array_equal(loaded.predict(frame), est.predict(frame))


def test_unfitted_estimator_round_trips(tmp_path):
    est = DeepNetClassifier(hidden_layer_sizes=(3, 2), activation="tanh", dropout=[0.1, 0.2])
    loaded = _round_trip(est, tmp_path)
    assert loaded.get_params() == est.get_params()
    assert not hasattr(loaded, "_network")


# -- pipelines ---------------------------------------------------------------------------------


def _table(n=60, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.lognormal(3, 1, n),
            "city": rng.choice(["paris", "lyon", "nice"], n).astype(object),
            "score": rng.normal(0, 1, n),
        }
    )
    frame.loc[[3, 10], "age"] = np.nan
    frame.loc[[5], "city"] = np.nan
    target = frame["income"] / 10 + rng.normal(0, 0.1, n)
    return frame, target.to_numpy()


def _main_job_pipeline(final):
    """A pipeline of the pieces the command line's main job saves."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
    )
    pre = ColumnTransformer(
        [("num", numeric, ["age", "income"]), ("cat", categorical, ["city"])],
        remainder="drop",
    )
    return Pipeline([("pre", pre), ("model", final)])


def test_main_job_regression_pipeline_round_trips(tmp_path):
    frame, target = _table()
    regressor = TransformedTargetRegressor(
        regressor=DeepNetRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0),
        transformer=StandardScaler(),
    )
    pipe = _main_job_pipeline(regressor).fit(frame, target)
    loaded = _round_trip(pipe, tmp_path)
    assert np.array_equal(loaded.predict(frame), pipe.predict(frame))
    unseen = frame.assign(city="marseille")  # handle_unknown='ignore' still works
    assert np.array_equal(loaded.predict(unseen), pipe.predict(unseen))
    final = loaded[-1].regressor_
    final.partial_fit(loaded[0].transform(frame), loaded[-1].transformer_.transform(
        target[:, None]).ravel())  # the network keeps training after loading


def test_main_job_classification_pipeline_round_trips(tmp_path):
    frame, target = _table()
    labels = np.where(target > np.median(target), "high", "low")
    pipe = _main_job_pipeline(
        DeepNetClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0)
    ).fit(frame, labels)
    loaded = _round_trip(pipe, tmp_path)
    assert np.array_equal(loaded.predict_proba(frame), pipe.predict_proba(frame))
    assert np.array_equal(loaded.predict(frame), pipe.predict(frame))


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_pipeline(StandardScaler(), LogisticRegressionGD()),
        lambda: make_pipeline(MinMaxScaler(feature_range=(-1, 1), clip=True), "passthrough",
                              DeepNetClassifier(max_iter=10, random_state=0)),
        lambda: make_pipeline(
            ColumnTransformer(
                [("r", RobustScaler(), [0, 1]), ("p", "passthrough", slice(2, 3)),
                 ("d", "drop", [True, False, False, False])],
                remainder=StandardScaler(),
            ),
            DeepNetClassifier(max_iter=10, random_state=0),
        ),
        lambda: make_pipeline(
            ColumnTransformer([("s", StandardScaler(with_mean=False), [-1, 0])],
                              remainder="passthrough", sparse_threshold=0.0),
            OneHotEncoder(handle_unknown="ignore", sparse_output=False, drop="if_binary")
            if False else StandardScaler(),
            DeepNetClassifier(max_iter=10, random_state=0),
        ),
    ],
    ids=["scaler", "minmax-passthrough", "indices-slice-mask-remainder", "negative-indices"],
)
def test_pipelines_of_allowed_pieces_round_trip(make, iris, tmp_path):
    X, y = iris
    pipe = make().fit(X, y)
    loaded = _round_trip(pipe, tmp_path)
    assert np.array_equal(loaded.predict_proba(X), pipe.predict_proba(X))


def test_one_hot_encoder_options_round_trip(tmp_path):
    frame, _ = _table()
    frame = frame.fillna({"city": "none", "age": 0})
    codes = frame[["city"]].assign(bucket=(frame["age"] > 40).astype(int))
    for drop in (None, "first", "if_binary", ["lyon", 1]):
        encoder = OneHotEncoder(drop=drop, sparse_output=False).fit(codes)
        loaded = _round_trip(encoder, tmp_path)
        assert np.array_equal(loaded.transform(codes), encoder.transform(codes))
        assert [list(c) for c in loaded.categories_] == [list(c) for c in encoder.categories_]


def test_standalone_transformers_round_trip(tmp_path):
    frame, _ = _table()
    numbers = frame[["age", "income"]].to_numpy()
    for transformer in (
        SimpleImputer(strategy="mean").fit(numbers),
        SimpleImputer(strategy="constant", fill_value=-1.0, keep_empty_features=True).fit(
            np.c_[numbers, np.full(len(numbers), np.nan)]
        ),
        SimpleImputer(strategy="most_frequent").fit(frame[["city"]]),
        StandardScaler().fit(numbers),
        RobustScaler(with_centering=False).fit(numbers),
    ):
        loaded = _round_trip(transformer, tmp_path)
        data = frame[["city"]] if transformer.n_features_in_ == 1 else numbers
        if transformer.n_features_in_ == 3:
            data = np.c_[numbers, np.full(len(numbers), np.nan)]
        assert pd.DataFrame(loaded.transform(data)).equals(
            pd.DataFrame(transformer.transform(data))
        )


def _recipe_pipeline():
    """The recipe's feature steps before a network, on numbers with a binary column."""
    return make_pipeline(
        SmoothClipScaler(), PiecewiseLinearEncoder(n_bins=5),
        DeepNetClassifier(hidden_layer_sizes=(6,), max_iter=20, random_state=0),
    )


def _with_binary(X):
    return np.c_[X, (X[:, 0] > 0).astype(float)]


def test_tabular_input_pipeline_round_trips(iris, tmp_path):
    X, y = iris
    X = _with_binary(X)
    pipe = _recipe_pipeline().fit(X, y)
    loaded = _round_trip(pipe, tmp_path)
    assert np.array_equal(loaded[:-1].transform(X), pipe[:-1].transform(X))
    assert np.array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    assert loaded[1].n_bins_.tolist() == pipe[1].n_bins_.tolist() == [5, 5, 5, 5, 0]
    _, _, document, _ = read_parts(tmp_path / "model.deepnet")
    assert "pickle" not in json.dumps(document)


def test_tabular_inputs_in_a_column_transformer_round_trip(tmp_path):
    frame, target = _table()
    pre = ColumnTransformer(
        [("num", make_pipeline(SimpleImputer(strategy="median"), SmoothClipScaler(),
                               PiecewiseLinearEncoder(n_bins=4, include_original=False)),
          ["age", "income"]),
         ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city"])],
    )
    pipe = Pipeline([("pre", pre), ("model", DeepNetRegressor(hidden_layer_sizes=(4,),
                                                               max_iter=20, random_state=0))])
    pipe.fit(frame, target)
    loaded = _round_trip(pipe, tmp_path)
    assert np.array_equal(loaded[0].transform(frame), pipe[0].transform(frame))
    assert np.array_equal(loaded.predict(frame), pipe.predict(frame))
    assert list(loaded[0].get_feature_names_out()) == list(pipe[0].get_feature_names_out())


@pytest.mark.parametrize(
    "transformer",
    [
        SmoothClipScaler(),
        SmoothClipScaler(with_centering=False, quantile_range=(10.0, 90.0), bound=None),
        SmoothClipScaler(with_scaling=False, bound=1.5),
        PiecewiseLinearEncoder(),
        PiecewiseLinearEncoder(n_bins=3, strategy="uniform", include_original=False,
                               subsample=20, random_state=np.random.RandomState(0)),
    ],
    ids=["scaler", "scaler-no-centering", "scaler-no-scaling", "encoder", "encoder-options"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tabular_input_transformers_round_trip(transformer, dtype, tmp_path):
    frame, _ = _table()
    numbers = frame[["age", "income", "score"]].astype(dtype)
    numbers["owner"] = (frame["score"] > 0).astype(dtype)
    numbers.loc[[2, 5], "age"] = np.nan  # both pass missing values through
    fitted = clone(transformer).set_output(transform="pandas").fit(numbers)
    loaded = _round_trip(fitted, tmp_path)
    assert loaded.get_params().keys() == fitted.get_params().keys()
    out, expected = loaded.transform(numbers), fitted.transform(numbers)
    assert out.equals(expected) and out.to_numpy().dtype == dtype
    assert list(loaded.feature_names_in_) == ["age", "income", "score", "owner"]


def _forge_fitted(saved, edit):
    """Rewrite the fitted attributes of the file's PiecewiseLinearEncoder with ``edit``."""
    _, table, document, arrays = read_parts(saved)
    fitted = document["model"]["fitted"]
    changed = edit(fitted, table, bytearray(arrays))
    forge(saved, table, document, bytes(changed) if isinstance(changed, bytearray) else arrays)


def _edit_tensor(node, table, arrays, dtype, change):
    """``arrays`` with the tensor that ``node`` refers to replaced by ``change(values)``."""
    start, stop = table[str(node["tensor"])]["data_offsets"]
    values = np.frombuffer(bytes(arrays[start:stop]), dtype=dtype)
    arrays[start:stop] = np.asarray(change(values), dtype=dtype).tobytes()
    return arrays


def _reverse_edges(fitted, table, arrays):
    return _edit_tensor(fitted["bin_edges_"][0], table, arrays, "<f8", lambda v: v[::-1])


def _overflowing_edges(fitted, table, arrays):
    return _edit_tensor(fitted["bin_edges_"][0], table, arrays, "<f8",
                        lambda v: [-1e308, 1e308, 1.1e308, 1.2e308, 1.3e308, 1.4e308])


def _drop_bins(fitted, table, arrays):
    return _edit_tensor(fitted["n_bins_"], table, arrays, "<i8", lambda v: [5, 5, 5, 0, 0])


@pytest.mark.parametrize(
    "edit, message",
    [
        (_reverse_edges, "bin_edges_\\[0\\] is not increasing"),
        (_overflowing_edges, "bin_edges_\\[0\\] is not increasing with finite bin widths"),
        (lambda f, t, a: f["bin_edges_"].pop(), "bin_edges_ is not a list of 5 arrays"),
        (lambda f, t, a: f["bin_edges_"].reverse(), "bin_edges_\\[0\\] is not a finite float "
                                                     "array of shape \\(6,\\)"),
        (_drop_bins, "bin_edges_\\[3\\] of a feature without bins is not an empty array"),
        (lambda f, t, a: f.update(n_bins_=[5, 5, 5, 5, 0]), "n_bins_ is not an integer array"),
        (lambda f, t, a: f.pop("bin_edges_"), "bin_edges_ is not a list"),
    ],
    ids=["unordered edges", "infinite widths", "missing edges", "edges of another feature",
         "bins disagree", "n_bins_ a list", "no edges"],
)
def test_forged_encoder_is_refused(edit, message, iris, tmp_path):
    X, _ = iris
    path = tmp_path / "encoder.deepnet"
    dump(PiecewiseLinearEncoder(n_bins=5).fit(_with_binary(X)), path)
    _forge_fitted(path, edit)
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    assert not isinstance(info.value, UnexpectedModelFileError)


def test_forged_scaler_is_refused(iris, tmp_path):
    X, _ = iris
    path = tmp_path / "scaler.deepnet"
    dump(SmoothClipScaler().fit(X), path)
    _, table, document, arrays = read_parts(path)
    document["model"]["params"]["bound"] = -1.0
    forge(path, table, document, arrays)
    with pytest.raises(ValueError, match="invalid parameters.*'bound' parameter"):
        load(path)


def _ensemble(iris, **params):
    X, y = iris
    member = DeepNetClassifier((6,), max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return BaggingClassifier(member, n_estimators=3, bootstrap=False, random_state=0,
                                 **params).fit(X, y)


def test_a_seed_ensemble_round_trips(iris, tmp_path):
    """make_tabular_classifier's ensemble: BaggingClassifier of networks on every row."""
    X, _ = iris
    ensemble = _ensemble(iris)
    loaded = _round_trip(ensemble, tmp_path)
    assert np.array_equal(loaded.predict_proba(X), ensemble.predict_proba(X))
    assert [m.random_state for m in loaded.estimators_] == [
        m.random_state for m in ensemble.estimators_
    ]


def test_a_bootstrap_ensemble_is_not_saved(iris, tmp_path):
    with pytest.raises(ValueError, match="only bootstrap=False"):
        _round_trip(_ensemble(iris, max_samples=0.5).set_params(bootstrap=True), tmp_path)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda f: f["estimators_"].pop(), "estimators_ is not a list of 3 fitted estimators"),
        (lambda f: f.update(n_classes_=2), "n_classes_ is not the 3 classes of classes_"),
        (lambda f: f["estimators_features_"].reverse() or f["estimators_features_"].pop(),
         "estimators_features_ must give every member all 4 features"),
        (lambda f: f["estimators_"].insert(0, f["estimators_"].pop()["params"]),
         "estimators_"),
    ],
    ids=["member missing", "classes disagree", "features dropped", "member not an estimator"],
)
def test_forged_ensemble_is_refused(edit, message, iris, tmp_path):
    path = tmp_path / "ensemble.deepnet"
    dump(_ensemble(iris), path)
    _, table, document, arrays = read_parts(path)
    edit(document["model"]["fitted"])
    forge(path, table, document, arrays)
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    assert not isinstance(info.value, UnexpectedModelFileError)


def test_allow_list():
    assert sorted(CLASSES) == [
        "sklearn.compose.ColumnTransformer",
        "sklearn.compose.TransformedTargetRegressor",
        "sklearn.ensemble.BaggingClassifier",
        "sklearn.impute.SimpleImputer",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing.FunctionTransformer",
        "sklearn.preprocessing.MinMaxScaler",
        "sklearn.preprocessing.OneHotEncoder",
        "sklearn.preprocessing.RobustScaler",
        "sklearn.preprocessing.StandardScaler",
        "sklearn_deepnet.DeepNetClassifier",
        "sklearn_deepnet.DeepNetRegressor",
        "sklearn_deepnet.LogisticRegressionGD",
        "sklearn_deepnet.preprocessing.PiecewiseLinearEncoder",
        "sklearn_deepnet.preprocessing.SmoothClipScaler",
    ]


# -- the format --------------------------------------------------------------------------------


def test_file_is_json_and_a_safetensors_payload(iris, tmp_path):
    est, X, _ = _fitted("strings", iris, solver="adam")
    path = tmp_path / "model.deepnet"
    dump(est, path)
    file_format, table, document, _ = read_parts(path)
    assert file_format == 2
    assert document["format"] == 2
    assert document["sklearn_deepnet"] == sklearn_deepnet.__version__
    assert document["scikit-learn"] == sklearn.__version__
    assert document["model"]["class"] == "sklearn_deepnet.DeepNetClassifier"
    classes = document["model"]["fitted"]["classes_"]
    assert classes == {"$": "array", "dtype": "<U10", "shape": [3],
                       "items": ["setosa", "versicolor", "virginica"]}
    assert {entry["dtype"] for name, entry in table.items() if name != "__metadata__"} == {
        "F64"
    }
    safetensors = pytest.importorskip("safetensors.numpy", reason="checks the layout only")
    arrays = safetensors.load(open(path, "rb").read()[_HEADER_SIZE:])
    assert np.array_equal(arrays["0"], est._network.params) or any(
        np.array_equal(a, est._network.params) for a in arrays.values()
    )


def test_other_version_warns(iris, tmp_path, monkeypatch):
    est, X, _ = _fitted("binary", iris)
    path = tmp_path / "model.deepnet"
    with monkeypatch.context() as patch:
        patch.setattr(sklearn_deepnet.persistence._file, "__version__", "0.0.1")
        dump(est, path)
    with pytest.warns(InconsistentDeepNetVersionWarning, match="version 0.0.1"):
        loaded = load(path)
    assert np.array_equal(loaded.predict(X), est.predict(X))


def test_same_version_loads_without_warning(iris, tmp_path):
    est, _, _ = _fitted("multiclass", iris)
    path = tmp_path / "model.deepnet"
    dump(est, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(path)


# -- what dump refuses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, message",
    [
        (KMeans(n_clusters=2), "cannot save"),
        (make_pipeline(StandardScaler(), KMeans(n_clusters=2)), "cannot save"),
        (DeepNetClassifier(scoring=lambda est, X, y: 0.0), "stores data, never code"),
        (make_pipeline(FunctionTransformer(np.log1p), LogisticRegressionGD()), "no function"),
        ({"a": 1}, "cannot save"),
        (OneHotEncoder(min_frequency=2), None),
    ],
    ids=["kmeans", "kmeans-in-pipeline", "callable-scoring", "function", "dict", "infrequent"],
)
def test_dump_refuses_what_a_file_cannot_hold(model, message, iris, tmp_path):
    X, y = iris
    if isinstance(model, OneHotEncoder):
        model.fit(np.round(X[:, :1]))
        message = "does not know how to save"
    path = tmp_path / "model.deepnet"
    with pytest.raises(TypeError, match=message):
        dump(model, path)
    assert os.listdir(tmp_path) == []


def test_failed_dump_leaves_the_existing_file_intact(iris, tmp_path):
    est, X, _ = _fitted("binary", iris)
    path = tmp_path / "model.deepnet"
    dump(est, path)
    before = path.read_bytes()
    broken, _, _ = _fitted("multiclass", iris, solver="adam")
    broken._optimizer.callback = lambda: None  # cannot be saved
    with pytest.raises(TypeError):
        dump(broken, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.deepnet"]
    assert np.array_equal(load(path).predict(X), est.predict(X))


def test_dump_into_a_missing_folder_says_so(iris, tmp_path):
    est, _, _ = _fitted("binary", iris)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        dump(est, tmp_path / "missing" / "model.deepnet")


# -- damaged files -----------------------------------------------------------------------------


@pytest.fixture
def saved(iris, tmp_path):
    est, _, _ = _fitted("multiclass", iris, solver="adam")
    path = tmp_path / "model.deepnet"
    dump(est, path)
    return path


@pytest.mark.parametrize("keep", [0.99, 0.5, 0.02])
def test_truncated_file_raises_a_clear_error(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="truncated"):
        load(saved)


@pytest.mark.parametrize("where", [0.5, -1])
def test_corrupted_byte_raises_a_clear_error(saved, where):
    data = bytearray(saved.read_bytes())
    position = int(len(data) * where) if where > 0 else len(data) - 1
    data[position] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="checksum"):
        load(saved)


def test_trailing_bytes_raise_a_clear_error(saved):
    saved.write_bytes(saved.read_bytes() + b"extra")
    with pytest.raises(ValueError, match="trailing bytes"):
        load(saved)


def test_other_files_are_not_mistaken_for_models(iris, tmp_path):
    est, _, _ = _fitted("binary", iris)
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    with pytest.raises(ValueError, match="joblib.load"):
        load(path)


def test_newer_file_format_is_refused(saved):
    data = bytearray(saved.read_bytes())
    data[len(_MAGIC)] = 99
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="Upgrade sklearn_deepnet"):
        load(saved)


# -- pickle files of the first format ----------------------------------------------------------


class _RunsCode:
    """Unpickling this creates a marker file: the payload of a crafted file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_file_needs_the_opt_in_and_converts(iris, tmp_path):
    est, X, _ = _fitted("strings", iris)
    path = tmp_path / "old.deepnet"
    path.write_bytes(seal(pickle.dumps(est, protocol=5), file_format=1))  # as 0.1 wrote it
    with pytest.raises(ValueError, match=r"runs code.*load\(path, allow_pickle=True\)"):
        load(path)
    old = load(path, allow_pickle=True)
    _assert_same_model(est, old, X)
    dump(old, path)  # converted
    assert read_parts(path)[0] == 2
    _assert_same_model(est, load(path), X)


def test_crafted_pickle_file_runs_no_code(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "crafted.deepnet"
    path.write_bytes(seal(pickle.dumps(_RunsCode(str(marker))), file_format=1))
    with pytest.raises(ValueError, match="as a pickle"):
        load(path)
    assert not marker.exists()
    # what load did before this format, and still does when told to trust the file
    load(path, allow_pickle=True)
    assert marker.exists()


def test_crafted_pickle_payload_in_the_current_format_runs_no_code(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "crafted.deepnet"
    path.write_bytes(seal(pickle.dumps(_RunsCode(str(marker)))))  # format 2, pickle payload
    with pytest.raises(ValueError, match="not a valid model|not valid JSON|header"):
        load(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "class_name",
    ["builtins.eval", "os.system", "posix.system", "subprocess.Popen", "sklearn.cluster.KMeans",
     "DeepNetClassifier", "sklearn_deepnet._classifier.DeepNetClassifier"],
)
def test_file_naming_another_class_is_refused(class_name, saved, tmp_path):
    _, table, document, arrays = read_parts(saved)
    document["model"]["class"] = class_name
    forge(saved, table, document, arrays)
    with pytest.raises(ValueError, match=f"the class '{class_name}' is not allowed"):
        load(saved)


def test_code_hidden_in_values_is_refused(saved):
    _, table, document, arrays = read_parts(saved)
    document["model"]["params"]["scoring"] = {"$": "function", "name": "os.system"}
    forge(saved, table, document, arrays)
    with pytest.raises(ValueError, match="unknown kind of value 'function'"):
        load(saved)


# -- crafted content ---------------------------------------------------------------------------


def _set_tensor(table, index, **changes):
    table[str(index)] = {**table[str(index)], **changes}


def _weights_tensor(document):
    network = dict(document["model"]["fitted"]["_network"]["items"])
    return network["params"]["tensor"]


CRAFTED = {
    "huge shape": (
        lambda t, d: _set_tensor(t, 0, shape=[10**12]),
        "does not fit its byte range",
    ),
    "product overflow": (
        lambda t, d: _set_tensor(t, 0, shape=[2**62, 2**62, 0, 4]),
        "does not fit its byte range",
    ),
    "byte range past the end": (
        lambda t, d: _set_tensor(t, 0, data_offsets=[0, 10**15]),
        "does not fit its byte range",
    ),
    "pickled dtype": (lambda t, d: _set_tensor(t, 0, dtype="O"), "unknown dtype"),
    "swapped dtype": (
        lambda t, d: _set_tensor(t, _weights_tensor(d), dtype="I64"),
        "not a flat float32",
    ),
    "huge string width": (
        lambda t, d: d["model"]["fitted"].update(
            classes_={"$": "array", "dtype": "<U9999999", "shape": [3000],
                      "items": ["a"] * 3000}
        ),
        "more than a file of this size can hold",
    ),
    "string count": (
        lambda t, d: d["model"]["fitted"].update(
            classes_={"$": "array", "dtype": "<U3", "shape": [10**9], "items": ["a"]}
        ),
        "needs as many items",
    ),
    "deep nesting": (
        lambda t, d: d["model"]["params"].update(alpha=json.loads("[" * 200 + "]" * 200)),
        "nested deeper",
    ),
    "unknown field": (
        lambda t, d: d["model"].update(code="print(1)"),
        "needs the fields",
    ),
    "negative n_iter_": (lambda t, d: d["model"]["fitted"].update(n_iter_=-3), "n_iter_"),
    "features disagree": (
        lambda t, d: d["model"]["fitted"].update(n_features_in_=7), "n_features_in_"
    ),
    "invalid parameter": (
        lambda t, d: d["model"]["params"].update(solver="newton"), "invalid parameters"
    ),
    "unknown parameter": (
        lambda t, d: d["model"]["params"].update(evil=1), "no parameter"
    ),
    "hidden sizes disagree": (
        lambda t, d: d["model"]["params"].update(
            hidden_layer_sizes={"$": "tuple", "items": [9]}
        ),
        "disagrees with the network",
    ),
    "unused array": (
        lambda t, d: t.update({str(len(t) - 1): {"dtype": "U8", "shape": [0],
                                                   "data_offsets": [0, 0]}}),
        "not named 0, 1, 2|byte range",
    ),
    "NaN constant": (
        lambda t, d: d["model"]["params"].update(alpha=float("nan")),
        "not JSON",
    ),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_content_is_one_clear_value_error(name, saved):
    _, table, document, arrays = read_parts(saved)
    mutate, message = CRAFTED[name]
    mutate(table, document)
    forge(saved, table, document, arrays)
    with pytest.raises(ValueError, match=message) as info:
        load(saved)
    assert not isinstance(info.value, UnexpectedModelFileError)
    assert str(info.value).startswith(f"Cannot load a model from {str(saved)!r}")
