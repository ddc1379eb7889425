"""The estimators on arrays of other libraries (array API): everything follows X.

Run against array-api-strict (which also simulates a second device, ``device1``) and PyTorch's
CPU build when they are installed; each namespace skips with its reason otherwise. The GPU runs
of the same checks live in ``benchmarks/bench_gpu.py``. ``SCIPY_ARRAY_API=1`` is set by
``conftest.py``.
"""

import inspect
import pickle
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_array_api_input

from sklearn_deepnet import (
    DeepNetClassifier,
    DeepNetRegressor,
    LogisticRegressionGD,
    check_gradients,
    dump,
    load,
)
from sklearn_deepnet.nn import SOLVERS
from sklearn_deepnet.nn._namespace import device, get_namespace, to_numpy

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)


def _namespace(name):
    """``(xp, device)`` of a test namespace, or skip saying what is missing."""
    if name.startswith("strict"):
        strict = pytest.importorskip("array_api_strict", reason="needs array-api-strict")
        return strict, strict.Device("device1" if name == "strict-device1" else "CPU_DEVICE")
    if name == "cupy":
        cupy = pytest.importorskip("cupy", reason="needs CuPy and a GPU")
        if cupy.cuda.runtime.getDeviceCount() == 0:
            pytest.skip("needs a CUDA device")
        import array_api_compat.cupy as cupy_xp

        return cupy_xp, cupy.cuda.Device(0)
    torch = pytest.importorskip("torch", reason="needs PyTorch (the CPU build is enough)")
    import array_api_compat.torch as torch_xp

    if name == "torch-cuda":
        if not torch.cuda.is_available():
            pytest.skip("needs a CUDA device (benchmarks/bench_gpu.py runs these on one)")
        return torch_xp, torch.device("cuda", 0)
    return torch_xp, "cpu"


# torch-cuda and cupy run where a GPU is (benchmarks/bench_gpu.py), and skip elsewhere
NAMESPACES = ["strict", "strict-device1", "torch", "torch-cuda", "cupy"]


@pytest.fixture(params=NAMESPACES)
def ns(request):
    xp, where = _namespace(request.param)
    return request.param, xp, where


def _to(xp, where, array):
    return None if array is None else xp.asarray(array, device=where)


def _small(Estimator=DeepNetClassifier, **params):
    defaults = {"max_iter": 20, "random_state": 0}
    if Estimator is not LogisticRegressionGD:
        defaults["hidden_layer_sizes"] = (8,)
    return Estimator(**{**defaults, **params})


def _fit(est, *arrays, **kwargs):
    with sklearn.config_context(array_api_dispatch=True), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*arrays, **kwargs)


# -- scikit-learn's own array API check, with value checks ---------------------------------------


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_sklearn_check_array_api_input_with_values(Estimator, dtype, namespace):
    _namespace(namespace)  # skips when the library is missing
    name, device_name = {
        "strict": ("array_api_strict", "CPU_DEVICE"),
        "strict-device1": ("array_api_strict", "device1"),
        "torch": ("torch", "cpu"),
        "torch-cuda": ("torch", "cuda"),
        "cupy": ("cupy", None),
    }[namespace]
    # max_iter=200: the classifier fits the check's 30 samples exactly. scikit-learn's
    # accuracy_score computes in float32 on integer torch labels, so only an accuracy exactly
    # representable there (1.0) compares within the check's float64 tolerance.
    # LogisticRegressionGD with tol=1e-4: its default tol=1e-6 lies below what float32 gradients
    # resolve here, so the solver runs on in rounding noise, where each library's last bits
    # send it down another (equally valid) path, 1e-3 apart in the logits. Stopping where
    # float32 still resolves the gradient, both libraries agree to float32 precision.
    params = {"max_iter": 200}
    if Estimator is LogisticRegressionGD:
        params["tol"] = 1e-4
    options = {"check_values": True, "check_sample_weight": True}
    accepted = inspect.signature(check_array_api_input).parameters  # older: no sample weights
    check_array_api_input(
        Estimator.__name__, _small(Estimator, **params), array_namespace=name,
        device_name=device_name, dtype_name=dtype,
        **{key: value for key, value in options.items() if key in accepted},
    )


# -- everything follows X ------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD])
def test_fitted_arrays_and_predictions_live_where_X_does(Estimator, ns):
    _, xp, where = ns
    y = Y_IRIS if Estimator is not DeepNetRegressor else X_IRIS[:, 0]
    X = X_IRIS if Estimator is not DeepNetRegressor else X_IRIS[:, 1:]
    est = _fit(_small(Estimator), _to(xp, where, X), _to(xp, where, y))
    for array in (*est.coefs_, *est.intercepts_):
        assert get_namespace(array) is xp and str(device(array)) == str(where)
    methods = ["predict"] + (["predict_proba", "predict_log_proba", "decision_function"]
                             if Estimator is not DeepNetRegressor else [])
    reference = _fit(clone(est), X, y)
    with sklearn.config_context(array_api_dispatch=True):
        for method in methods:
            result = getattr(est, method)(_to(xp, where, X))
            assert get_namespace(result) is xp and str(device(result)) == str(where), method
            np.testing.assert_allclose(to_numpy(result), getattr(reference, method)(X),
                                       atol=1e-10, err_msg=method)
        score = est.score(_to(xp, where, X), _to(xp, where, y))
    assert isinstance(score, float)


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_every_solver_trains_on_the_namespace_as_on_numpy(solver, ns):
    _, xp, where = ns
    est = _small(solver=solver, max_iter=15)
    reference = _fit(clone(est), X_IRIS, Y_IRIS)
    fitted = _fit(est, _to(xp, where, X_IRIS), _to(xp, where, Y_IRIS))
    assert fitted.n_iter_ == reference.n_iter_
    np.testing.assert_allclose(fitted.loss_curve_, reference.loss_curve_, rtol=1e-9)
    for mine, theirs in zip(fitted.coefs_, reference.coefs_, strict=True):
        np.testing.assert_allclose(to_numpy(mine), theirs, atol=1e-9)


@pytest.mark.parametrize(
    "params",
    [
        {"dropout": 0.3},
        {"class_weight": "balanced"},
        {"early_stopping": True, "max_iter": 40},
        {"early_stopping": True, "scoring": "loss", "max_iter": 40},
        {"learning_rate": "adaptive", "solver": "sgd", "tol": 1.0},
        {"activation": "tanh", "alpha": 0.5, "batch_size": 32},
        {"activation": "leaky_relu", "negative_slope": 0.1},
        {"activation": "selu"},
        {"activation": "mish"},
        {"learning_rate": "cosine", "warmup_iter": 3, "weight_decay": 0.1},
        {"learning_rate": "one_cycle", "label_smoothing": 0.1, "restore_best_weights": True},
        {"solver": "gd", "learning_rate_init": 2.0, "restore_best_weights": True},
        {"batch_normalization": True, "dropout": 0.3},
        {"batch_normalization": True, "early_stopping": True, "max_iter": 40},
        {"batch_normalization": True, "activation": "silu", "class_weight": "balanced"},
    ],
    ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()),
)
def test_training_features_match_numpy(params, ns):
    _, xp, where = ns
    est = _small(**params)
    reference = _fit(clone(est), X_IRIS, Y_IRIS)
    fitted = _fit(est, _to(xp, where, X_IRIS), _to(xp, where, Y_IRIS))
    assert fitted.n_iter_ == reference.n_iter_
    np.testing.assert_allclose(fitted.loss_curve_, reference.loss_curve_, rtol=1e-9)
    if reference.validation_scores_ is not None:
        np.testing.assert_allclose(fitted.validation_scores_, reference.validation_scores_,
                                   rtol=1e-6)
    with sklearn.config_context(array_api_dispatch=True):
        proba = fitted.predict_proba(_to(xp, where, X_IRIS))
    np.testing.assert_allclose(to_numpy(proba), reference.predict_proba(X_IRIS), atol=1e-9)


def test_sample_weight_and_a_validation_set_follow_x(ns):
    _, xp, where = ns
    weights = np.random.RandomState(0).uniform(0.5, 2, size=150)
    est = _small(early_stopping=True, max_iter=30)
    reference = _fit(clone(est), X_IRIS[:120], Y_IRIS[:120], sample_weight=weights[:120],
                     X_val=X_IRIS[120:], y_val=Y_IRIS[120:])
    fitted = _fit(est, _to(xp, where, X_IRIS[:120]), _to(xp, where, Y_IRIS[:120]),
                  sample_weight=_to(xp, where, weights[:120]), X_val=_to(xp, where, X_IRIS[120:]),
                  y_val=Y_IRIS[120:])  # y_val on the CPU: moved as scikit-learn's rules say
    np.testing.assert_allclose(fitted.validation_scores_, reference.validation_scores_)
    np.testing.assert_allclose(fitted.loss_curve_, reference.loss_curve_, rtol=1e-9)


def test_partial_fit_and_warm_start_continue_on_the_device(ns):
    _, xp, where = ns
    X, y = _to(xp, where, X_IRIS), _to(xp, where, Y_IRIS)
    est = _small(solver="sgd")
    with sklearn.config_context(array_api_dispatch=True):
        for _ in range(3):
            est.partial_fit(X, y, classes=np.arange(3))
    reference = _small(solver="sgd")
    for _ in range(3):
        reference.partial_fit(X_IRIS, Y_IRIS, classes=np.arange(3))
    np.testing.assert_allclose(est.loss_curve_, reference.loss_curve_, rtol=1e-9)
    warm = _fit(_small(warm_start=True, max_iter=5), X, y)
    _fit(warm, X, y)
    assert len(warm.loss_curve_) == 10 and get_namespace(warm.coefs_[0]) is xp


def test_float32_stays_float32(ns):
    _, xp, where = ns
    est = _fit(_small(), _to(xp, where, X_IRIS.astype(np.float32)), _to(xp, where, Y_IRIS))
    assert all(c.dtype == xp.float32 for c in est.coefs_)
    with sklearn.config_context(array_api_dispatch=True):
        assert est.predict_proba(_to(xp, where, X_IRIS.astype(np.float32))).dtype == xp.float32


# -- mixing namespaces -------------------------------------------------------------------------


def test_a_numpy_model_refuses_other_arrays_and_moves_with_move_estimator_to(ns):
    array_api = pytest.importorskip("sklearn.utils._array_api")
    if not hasattr(array_api, "move_estimator_to"):
        pytest.skip("move_estimator_to arrived with scikit-learn 1.9")
    _, xp, where = ns
    est = _fit(_small(), X_IRIS, Y_IRIS)
    X = _to(xp, where, X_IRIS)
    with sklearn.config_context(array_api_dispatch=True):
        with pytest.raises(ValueError, match=r"DeepNetClassifier\.predict_proba\(\) must use the "
                                             "same namespace.*move_estimator_to"):
            est.predict_proba(X)
        moved = array_api.move_estimator_to(est, xp, where)
        proba = moved.predict_proba(X)
        back = array_api.move_estimator_to(moved, np, "cpu")
    assert get_namespace(moved.coefs_[0]) is xp and str(device(moved.coefs_[0])) == str(where)
    np.testing.assert_allclose(to_numpy(proba), est.predict_proba(X_IRIS), rtol=1e-12)
    np.testing.assert_array_equal(back.coefs_[0], est.coefs_[0])  # there and back, bit for bit
    np.testing.assert_allclose(back.predict_proba(X_IRIS), est.predict_proba(X_IRIS), rtol=1e-12)
    assert isinstance(est.coefs_[0], np.ndarray)  # the original did not move


def test_a_device_model_refuses_numpy_without_dispatch(ns):
    _, xp, where = ns
    est = _fit(_small(), _to(xp, where, X_IRIS), _to(xp, where, Y_IRIS))
    with pytest.raises(ValueError, match="must use the same namespace"):
        est.predict(X_IRIS)


# -- what a user does next with a device-fitted model -------------------------------------------


def test_pickle_and_model_files_save_numpy_arrays(ns, tmp_path):
    _, xp, where = ns
    est = _fit(_small(), _to(xp, where, X_IRIS), _to(xp, where, Y_IRIS))
    with sklearn.config_context(array_api_dispatch=True):
        expected = to_numpy(est.predict_proba(_to(xp, where, X_IRIS)))
    for loaded in (pickle.loads(pickle.dumps(est)), _dumped(est, tmp_path)):
        assert isinstance(loaded.coefs_[0], np.ndarray)  # loads on a machine without the library
        np.testing.assert_array_equal(loaded.coefs_[0], to_numpy(est.coefs_[0]))  # the weights
        # the same weights on another processor: equal to the last bits of its arithmetic
        np.testing.assert_allclose(loaded.predict_proba(X_IRIS), expected, rtol=1e-12)
    assert get_namespace(est.coefs_[0]) is xp  # saving did not move the model itself


def _dumped(est, tmp_path):
    dump(est, tmp_path / "model.deepnet")
    return load(tmp_path / "model.deepnet")


def test_check_gradients_on_a_device_model(ns):
    _, xp, where = ns
    est = _fit(_small(activation="tanh", alpha=0.1), _to(xp, where, X_IRIS),
               _to(xp, where, Y_IRIS))
    assert check_gradients(est, X_IRIS[::10], Y_IRIS[::10]) < 1e-6


def test_onnx_export_of_a_device_model(ns):
    _, xp, where = ns
    skl2onnx = pytest.importorskip("skl2onnx", reason="ONNX export needs the 'onnx' extra")
    rt = pytest.importorskip("onnxruntime", reason="running ONNX needs the 'onnx' extra")
    import sklearn_deepnet.onnx  # noqa: F401

    est = _fit(_small(), _to(xp, where, X_IRIS.astype(np.float32)), _to(xp, where, Y_IRIS))
    onx = skl2onnx.to_onnx(est, X_IRIS[:1].astype(np.float32), options={"zipmap": False})
    session = rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    _, proba = session.run(None, {session.get_inputs()[0].name: X_IRIS.astype(np.float32)})
    with sklearn.config_context(array_api_dispatch=True):
        expected = to_numpy(est.predict_proba(_to(xp, where, X_IRIS.astype(np.float32))))
    np.testing.assert_allclose(proba, expected, atol=1e-5)


def test_loss_curve_display_of_a_device_model(ns):
    pytest.importorskip("matplotlib", reason="needs matplotlib (the plot extra)")
    import matplotlib

    matplotlib.use("Agg")
    from sklearn_deepnet import LossCurveDisplay

    _, xp, where = ns
    est = _fit(_small(early_stopping=True), _to(xp, where, X_IRIS), _to(xp, where, Y_IRIS))
    display = LossCurveDisplay.from_estimator(est)
    np.testing.assert_allclose(display.loss_line_.get_ydata(), est.loss_curve_)


def test_grid_search_over_a_pipeline_on_the_device():
    xp, where = _namespace("torch")  # array-api-strict refuses NumPy indices in the CV splits
    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    pipe = make_pipeline(StandardScaler(), _small(max_iter=10))
    search = GridSearchCV(pipe, {"deepnetclassifier__hidden_layer_sizes": [(4,), (8,)]}, cv=3)
    _fit(search, _to(xp, where, X), _to(xp, where, y))
    network = search.best_estimator_[-1]
    assert get_namespace(network.coefs_[0]) is xp
    with sklearn.config_context(array_api_dispatch=True):
        assert get_namespace(search.predict_proba(_to(xp, where, X))) is xp


def _require_dispatch():
    """Skip unless this scikit-learn accepts ``array_api_dispatch=True`` (SciPy >= 1.14)."""
    try:
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except ImportError as exc:
        pytest.skip(f"scikit-learn refuses array API dispatch here: {exc}")


def test_numpy_input_with_dispatch_on_is_todays_engine_bit_for_bit():
    _require_dispatch()
    plain = _small(solver="adam").fit(X_IRIS, Y_IRIS)
    dispatched = _fit(_small(solver="adam"), X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(plain._network.params, dispatched._network.params)
    assert isinstance(dispatched.coefs_[0], np.ndarray)


# -- batch normalization -----------------------------------------------------------------------


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_batch_normalization_trains_on_the_namespace_as_on_numpy(solver, ns):
    _, xp, where = ns
    weights = np.random.RandomState(0).uniform(0.5, 2, size=150)
    est = _small(solver=solver, hidden_layer_sizes=(8, 6), batch_normalization=True,
                 max_iter=10, batch_size=40)
    reference = _fit(clone(est), X_IRIS, Y_IRIS, sample_weight=weights)
    fitted = _fit(est, _to(xp, where, X_IRIS), _to(xp, where, Y_IRIS),
                  sample_weight=_to(xp, where, weights))
    np.testing.assert_allclose(fitted.loss_curve_, reference.loss_curve_, rtol=1e-9)
    for name in ("gammas_", "betas_", "running_means_", "running_vars_"):
        for mine, theirs in zip(getattr(fitted, name), getattr(reference, name), strict=True):
            assert get_namespace(mine) is xp and str(device(mine)) == str(where), name
            np.testing.assert_allclose(to_numpy(mine), theirs, rtol=1e-8, atol=1e-10)
    with sklearn.config_context(array_api_dispatch=True):
        proba = fitted.predict_proba(_to(xp, where, X_IRIS))
    np.testing.assert_allclose(to_numpy(proba), reference.predict_proba(X_IRIS), atol=1e-9)


def test_batch_normalized_model_moves_saves_and_exports_from_the_device(ns, tmp_path):
    _, xp, where = ns
    est = _fit(_small(batch_normalization=True, hidden_layer_sizes=(8, 6)),
               _to(xp, where, X_IRIS), _to(xp, where, Y_IRIS))
    with sklearn.config_context(array_api_dispatch=True):
        expected = to_numpy(est.predict_proba(_to(xp, where, X_IRIS)))
    for loaded in (pickle.loads(pickle.dumps(est)), _dumped(est, tmp_path)):
        assert isinstance(loaded.running_vars_[0], np.ndarray)
        np.testing.assert_array_equal(loaded._network.running, to_numpy(est._network.running))
        np.testing.assert_allclose(loaded.predict_proba(X_IRIS), expected, rtol=1e-12)
    assert check_gradients(est, X_IRIS[::10], Y_IRIS[::10]) < 1e-6
    with sklearn.config_context(array_api_dispatch=True):
        for _ in range(2):
            est.partial_fit(_to(xp, where, X_IRIS), _to(xp, where, Y_IRIS))
    assert get_namespace(est.running_means_[1]) is xp
    array_api = pytest.importorskip("sklearn.utils._array_api")
    if not hasattr(array_api, "move_estimator_to"):
        pytest.skip("move_estimator_to arrived with scikit-learn 1.9")
    with sklearn.config_context(array_api_dispatch=True):
        back = array_api.move_estimator_to(est, np, "cpu")
        proba = to_numpy(est.predict_proba(_to(xp, where, X_IRIS)))
    assert isinstance(back.running_means_[0], np.ndarray)
    np.testing.assert_array_equal(back._network.running, to_numpy(est._network.running))
    np.testing.assert_allclose(back.predict_proba(X_IRIS), proba, rtol=1e-12)
    with sklearn.config_context(array_api_dispatch=True):
        there = array_api.move_estimator_to(back, xp, where)
        np.testing.assert_allclose(to_numpy(there.predict_proba(_to(xp, where, X_IRIS))), proba,
                                   rtol=1e-12)
    assert get_namespace(there.running_vars_[0]) is xp
