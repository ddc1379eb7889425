"""ONNX export: converted models run in onnxruntime and agree with the estimators."""

import importlib
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_deepnet
from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD
from sklearn_deepnet.nn.activations import ACTIVATIONS as REGISTERED_ACTIVATIONS

skl2onnx = pytest.importorskip("skl2onnx", reason="ONNX export needs the 'onnx' extra")
rt = pytest.importorskip("onnxruntime", reason="running ONNX models needs the 'onnx' extra")
deepnet_onnx = importlib.import_module("sklearn_deepnet.onnx")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ACTIVATIONS = sorted(REGISTERED_ACTIVATIONS)  # every registered name: each must export
TARGETS = ["binary", "multiclass", "strings", "binary-strings", "multilabel"]
PROBA_TOL = 1e-5


@pytest.fixture(scope="module")
def data():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    Xm, Y = make_multilabel_classification(n_samples=120, n_features=6, n_classes=3, random_state=0)
    names = np.array(["setosa", "versicolor", "virginica"])
    return {
        "binary": (X, (y == 2).astype(int)),
        "multiclass": (X, y),
        "strings": (X, names[y]),
        "binary-strings": (X, np.where(y == 1, "yes", "no")),
        "multilabel": (StandardScaler().fit_transform(Xm), Y),
    }


def _run(onx, X):
    options = rt.SessionOptions()
    options.log_severity_level = 3
    session = rt.InferenceSession(
        onx.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


def _assert_agree(model, X, dtype, **options):
    X = X.astype(dtype)
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False, **options})
    label, proba = _run(onx, X)[:2]
    assert proba.dtype == dtype
    assert np.array_equal(label, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=PROBA_TOL)
    return label, proba


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_classifier_matches_onnxruntime(activation, target, dtype, data):
    X, y = data[target]
    X = X.astype(dtype)  # trained in the same precision the graph computes in
    model = DeepNetClassifier(
        hidden_layer_sizes=(7, 5),
        activation=activation,
        negative_slope=0.1,
        max_iter=60,
        random_state=0,
    ).fit(X, y)
    label, _ = _assert_agree(model, X, dtype)
    if target == "multilabel":
        assert label.dtype == np.int64 and label.shape == y.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("target", TARGETS)
def test_logistic_regression_matches_onnxruntime(target, dtype, data):
    X, y = data[target]
    X = X.astype(dtype)
    _assert_agree(LogisticRegressionGD(max_iter=100).fit(X, y), X, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pipeline_converts(dtype, data):
    X, y = load_iris(return_X_y=True)  # unscaled: the pipeline scales
    pipe = make_pipeline(
        StandardScaler(), DeepNetClassifier(hidden_layer_sizes=(8,), max_iter=60, random_state=0)
    ).fit(X.astype(dtype), np.array(["a", "b", "c"])[y])
    options = {DeepNetClassifier: {"zipmap": False}}
    onx = skl2onnx.to_onnx(pipe, X[:1].astype(dtype), options=options)
    label, proba = _run(onx, X.astype(dtype))
    assert np.array_equal(label, pipe.predict(X.astype(dtype)))
    np.testing.assert_allclose(proba, pipe.predict_proba(X.astype(dtype)), atol=PROBA_TOL)


def test_float64_model_with_float32_graph(data):
    # The usual export: a model trained in float64, a float32 graph.
    X, y = data["multiclass"]
    model = DeepNetClassifier(hidden_layer_sizes=(8,), max_iter=60, random_state=0).fit(X, y)
    _assert_agree(model, X, np.float32)


def test_dropout_and_class_weight_models_convert(data):
    # Inverted dropout scales at training time: the prediction graph has no dropout in it.
    X, y = data["multiclass"]
    model = DeepNetClassifier(
        hidden_layer_sizes=(8, 6), dropout=0.3, class_weight="balanced", max_iter=40,
        random_state=0,
    ).fit(X, y)
    _assert_agree(model, X, np.float64)


def test_zipmap_gives_one_dictionary_per_sample(data):
    X, y = data["strings"]
    X = X.astype(np.float32)
    model = DeepNetClassifier(hidden_layer_sizes=(6,), max_iter=40, random_state=0).fit(X, y)
    label, zipped = _run(skl2onnx.to_onnx(model, X[:1]), X)
    assert np.array_equal(label, model.predict(X))
    expected = model.predict_proba(X)
    assert list(zipped[0]) == list(model.classes_)
    got = np.array([[row[c] for c in model.classes_] for row in zipped])
    np.testing.assert_allclose(got, expected, atol=PROBA_TOL)


def test_nocl_outputs_class_indices(data):
    X, y = data["strings"]
    X = X.astype(np.float32)
    model = DeepNetClassifier(hidden_layer_sizes=(6,), max_iter=40, random_state=0).fit(X, y)
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False, "nocl": True})
    label, _ = _run(onx, X)
    assert np.array_equal(label, np.searchsorted(model.classes_, model.predict(X)))


def test_integer_valued_float_and_boolean_labels_become_int64(data):
    X, y = data["binary"]
    X = X.astype(np.float32)
    for labels in (y.astype(float), y.astype(bool)):
        model = LogisticRegressionGD().fit(X, labels)
        label, _ = _assert_agree(model, X, np.float32)
        assert label.dtype == np.int64


def test_integer_input_is_refused_with_advice(data):
    X, y = data["multiclass"]
    model = LogisticRegressionGD().fit(X, y)
    with pytest.raises(TypeError, match="float32 or float64"):
        skl2onnx.to_onnx(model, X[:1].astype(np.int64), options={"zipmap": False})


def test_register_is_idempotent_and_lists_the_estimators():
    first = deepnet_onnx.register()
    assert deepnet_onnx.register() == first
    assert DeepNetClassifier in first and LogisticRegressionGD in first
    if hasattr(sklearn_deepnet, "DeepNetRegressor"):
        assert sklearn_deepnet.DeepNetRegressor in first


def test_missing_extra_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    monkeypatch.delitem(sys.modules, "sklearn_deepnet.onnx")
    with pytest.raises(ImportError, match=r"sklearn_deepnet\[onnx\]"):
        importlib.import_module("sklearn_deepnet.onnx")


if hasattr(sklearn_deepnet, "DeepNetRegressor"):

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    @pytest.mark.parametrize("loss", ["squared_error", "poisson"])
    @pytest.mark.parametrize("activation", ACTIVATIONS)
    def test_regressor_matches_onnxruntime(activation, loss, dtype, data):
        X, y = data["multiclass"]
        X = X.astype(dtype)
        for target in (y, np.c_[y, 2 - y]):  # one output, two outputs
            model = sklearn_deepnet.DeepNetRegressor(
                hidden_layer_sizes=(6,), activation=activation, loss=loss, max_iter=60,
                random_state=0,
            ).fit(X, target.astype(dtype))
            (prediction,) = _run(skl2onnx.to_onnx(model, X[:1]), X)
            assert prediction.dtype == dtype
            assert prediction.shape == (X.shape[0], target.ndim)
            expected = model.predict(X).reshape(prediction.shape)
            np.testing.assert_allclose(prediction, expected, rtol=PROBA_TOL, atol=PROBA_TOL)

    def test_regressor_in_a_pipeline_converts(data):
        X, y = load_iris(return_X_y=True)
        pipe = make_pipeline(
            StandardScaler(),
            sklearn_deepnet.DeepNetRegressor(hidden_layer_sizes=(6,), max_iter=60, random_state=0),
        ).fit(X, y.astype(float))
        X32 = X.astype(np.float32)
        (prediction,) = _run(skl2onnx.to_onnx(pipe, X32[:1]), X32)
        np.testing.assert_allclose(prediction.ravel(), pipe.predict(X32), rtol=1e-5, atol=1e-5)


def test_a_single_class_model_is_refused_with_a_clear_error():
    clf = DeepNetClassifier((3,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(np.random.RandomState(0).normal(size=(10, 2)), np.ones(10))
    with pytest.raises(ValueError, match="fitted on a single class"):
        skl2onnx.to_onnx(clf, np.zeros((1, 2), dtype=np.float32), options={"zipmap": False})


# -- batch normalization, folded into the layers -------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_batch_normalized_classifier_matches_onnxruntime(activation, dtype, data):
    X, y = data["multiclass"]
    X = X.astype(dtype)
    model = DeepNetClassifier(
        hidden_layer_sizes=(7, 5), activation=activation, batch_normalization=True,
        dropout=0.1, max_iter=40, random_state=0,
    ).fit(X, y)
    assert not np.allclose(model.running_vars_[0], 1)  # statistics that matter
    _assert_agree(model, X, dtype)
    # on data unlike the training set too: each row on its own, with the running statistics
    _assert_agree(model, X[::-7] * 3 + 1, dtype)


@pytest.mark.parametrize("solver", ["lbfgs", "sgd"])
@pytest.mark.parametrize("target", ["binary", "multilabel"])
def test_batch_normalized_classifier_folds_to_plain_layers(target, solver, data):
    X, y = data[target]
    model = DeepNetClassifier(
        hidden_layer_sizes=(6, 6, 4), batch_normalization=True, solver=solver, max_iter=30,
        random_state=0,
    ).fit(X, y)
    _assert_agree(model, X, np.float32)
    onx = skl2onnx.to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False})
    operators = [node.op_type for node in onx.graph.node]
    assert operators.count("MatMul") == 4 and operators.count("Add") == 4  # nothing else added


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_normalized_regressor_matches_onnxruntime(dtype, data):
    X, y = data["multiclass"]
    X = X.astype(dtype)
    model = sklearn_deepnet.DeepNetRegressor(
        hidden_layer_sizes=(8, 6), batch_normalization=True, max_iter=60, random_state=0,
    ).fit(X, np.c_[y, 2 - y].astype(dtype))
    (prediction,) = _run(skl2onnx.to_onnx(model, X[:1]), X)
    np.testing.assert_allclose(prediction, model.predict(X), rtol=PROBA_TOL, atol=PROBA_TOL)
