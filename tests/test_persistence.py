"""Pickle state: plain data, exact round trips (pickle, joblib, skops), version stamp, checks."""

import copy
import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_deepnet
from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD
from sklearn_deepnet.nn import SOLVERS as REGISTERED_SOLVERS
from sklearn_deepnet.nn.activations import ACTIVATIONS
from sklearn_deepnet.persistence._state import (
    _ENCODED_KEY,
    _FORMAT_KEY,
    _STATE_FORMAT,
    _VERSION_KEY,
    InconsistentDeepNetVersionWarning,
    _is_plain,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SOLVERS = list(REGISTERED_SOLVERS)  # every solver: each keeps its own state


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


KINDS = ["binary", "multiclass", "strings", "multilabel", "logistic", "dropout", "early_stopping",
         "batch_norm", "batch_norm_early_stopping"]
if hasattr(sklearn_deepnet, "DeepNetRegressor"):
    KINDS += ["regressor", "poisson", "batch_norm_regressor"]


def _fitted(kind, iris, **params):
    """A fitted estimator of one configuration, the data to predict on and its targets."""
    X, y = iris
    targets = {
        "binary": (y == 2).astype(int),
        "multiclass": y,
        "strings": np.array(["setosa", "versicolor", "virginica"])[y],
    }
    if kind == "multilabel":
        X, Y = make_multilabel_classification(n_samples=80, n_features=5, random_state=0)
        est = DeepNetClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0, **params)
        return est.fit(X, Y), X, Y
    if kind == "logistic":
        return LogisticRegressionGD(max_iter=50, **params).fit(X, y), X, y
    deterministic = params.get("solver") in ("agd", "lbfgs")  # those solvers refuse dropout
    if kind.startswith("batch_norm"):  # gammas, betas and running statistics to keep
        params = {"batch_normalization": True, "dropout": 0.0 if deterministic else 0.1,
                  **params}
        kind = {"batch_norm_early_stopping": "early_stopping"}.get(kind, kind)
    if kind in ("regressor", "poisson", "batch_norm_regressor"):
        loss = "poisson" if kind == "poisson" else "squared_error"
        est = sklearn_deepnet.DeepNetRegressor(
            hidden_layer_sizes=(8, 5), loss=loss, max_iter=30, random_state=0, **params
        )
        target = np.c_[y, X[:, 0] ** 2]
        return est.fit(X, target), X, target
    if kind == "dropout":
        params = {"dropout": 0.0 if deterministic else 0.2, **params}
    if kind == "early_stopping" and params.get("solver") != "lbfgs":  # lbfgs ignores it
        params = {"early_stopping": True, "n_iter_no_change": 2, **params}
    target = targets.get(kind, y)
    est = DeepNetClassifier(hidden_layer_sizes=(8, 5), max_iter=30, random_state=0, **params)
    return est.fit(X, target), X, target


def _assert_same_model(a, b, X):
    assert type(a) is type(b)
    assert a.get_params() == b.get_params()
    methods = ("predict", "predict_proba", "predict_log_proba", "decision_function")
    for method in methods:
        if hasattr(a, method):
            assert np.array_equal(getattr(a, method)(X), getattr(b, method)(X))
    for left, right in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        assert left.dtype == right.dtype
        assert np.array_equal(left, right)
    if "_network" in vars(a):
        for name in ("gammas_", "betas_", "running_means_", "running_vars_"):
            left, right = getattr(a, name, None), getattr(b, name, None)
            assert (left is None) == (right is None), name
            assert left is None or all(map(np.array_equal, left, right)), name
        assert a._network.n_statistics_updates == b._network.n_statistics_updates
    fitted = [name for name in vars(a) if name.endswith("_") and not name.startswith("_")]
    assert sorted(fitted) == sorted(n for n in vars(b) if n.endswith("_") and n[0] != "_")
    for name in fitted:
        left, right = getattr(a, name), getattr(b, name)
        if isinstance(left, float) and np.isnan(left):
            assert np.isnan(right)
        else:
            assert np.array_equal(left, right), name


def _skops_round_trip(est):
    sio = pytest.importorskip("skops.io", reason="skops.io needs the 'skops' extra")
    data = sio.dumps(est)
    return sio.loads(data, trusted=sio.get_untrusted_types(data=data))


def _joblib_round_trip(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


ROUND_TRIPS = {
    "pickle": lambda est: pickle.loads(pickle.dumps(est)),
    "deepcopy": copy.deepcopy,
    "joblib": _joblib_round_trip,
    "skops": _skops_round_trip,
}


# -- exact round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("how", sorted(ROUND_TRIPS))
@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_is_exact(how, kind, iris):
    est, X, _ = _fitted(kind, iris)
    _assert_same_model(est, ROUND_TRIPS[how](est), X)


@pytest.mark.parametrize("how", sorted(ROUND_TRIPS))
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("kind", [k for k in ("dropout", "regressor", "batch_norm") if k in KINDS])
def test_loaded_model_keeps_training_exactly(kind, how, solver, iris):
    # The optimizer's state (momentum, Adam moments, AGD's step) survives the round trip: the
    # loaded copy continues exactly as the original does.
    est, X, y = _fitted(kind, iris, solver=solver, warm_start=True)
    loaded = ROUND_TRIPS[how](est)
    if solver == "lbfgs":
        est.set_params(max_iter=5).fit(X, y)
        loaded.set_params(max_iter=5).fit(X, y)
    else:
        for _ in range(3):
            est.partial_fit(X, y)
            loaded.partial_fit(X, y)
    _assert_same_model(est, loaded, X)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_round_trip_keeps_activation_and_float32(activation, iris):
    X, y = iris
    X = X.astype(np.float32)
    est = DeepNetClassifier(
        hidden_layer_sizes=(6,), activation=activation, negative_slope=0.2, max_iter=20,
        random_state=0,
    ).fit(X, y)
    loaded = pickle.loads(pickle.dumps(est))
    assert loaded.coefs_[0].dtype == np.float32
    _assert_same_model(est, loaded, X)
    if activation == "leaky_relu":
        assert loaded._network.activation.negative_slope == 0.2


def test_unfitted_estimator_round_trips():
    est = DeepNetClassifier(hidden_layer_sizes=(3, 2), activation="tanh")
    state = est.__getstate__()
    assert state[_ENCODED_KEY] == {}
    loaded = pickle.loads(pickle.dumps(est))
    assert loaded.get_params() == est.get_params()
    assert not hasattr(loaded, "_network")


def test_pickle_of_a_pipeline_round_trips(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), DeepNetClassifier(max_iter=20, random_state=0))
    loaded = pickle.loads(pickle.dumps(pipe.fit(X, y)))
    assert np.array_equal(loaded.predict_proba(X), pipe.predict_proba(X))


# -- the state is plain data ------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("kind", KINDS)
def test_state_is_plain_data(kind, solver, iris):
    est, _, _ = _fitted(kind, iris, solver=solver)
    state = est.__getstate__()
    not_plain = {name: type(value) for name, value in state.items() if not _is_plain(value)}
    assert not_plain == {}
    assert state[_VERSION_KEY] == sklearn_deepnet.__version__
    assert state[_FORMAT_KEY] == _STATE_FORMAT
    assert state[_ENCODED_KEY]["_network"] == "network"
    if hasattr(est, "classes_"):
        assert state[_ENCODED_KEY]["_label_binarizer"] == "label_binarizer"
    assert isinstance(state["_network"]["params"], np.ndarray)


def test_getstate_does_not_touch_the_estimator(iris):
    est, X, _ = _fitted("multiclass", iris)
    network, proba = est._network, est.predict_proba(X)
    est.__getstate__()
    assert est._network is network
    assert np.array_equal(est.predict_proba(X), proba)


# -- skops -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_skops_reports_only_our_estimator_classes(kind, iris):
    sio = pytest.importorskip("skops.io", reason="skops.io needs the 'skops' extra")
    est, X, y = _fitted(kind, iris, solver="adam")
    pipe = make_pipeline(StandardScaler(), est)
    pipe.fit(X, y)
    data = sio.dumps(pipe)
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted == [f"{type(est).__module__}.{type(est).__qualname__}"]
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(data)
    loaded = sio.loads(data, trusted=untrusted)
    assert np.array_equal(loaded.predict(X), pipe.predict(X))


def test_skops_file_round_trip(iris, tmp_path):
    sio = pytest.importorskip("skops.io", reason="skops.io needs the 'skops' extra")
    est, X, _ = _fitted("multiclass", iris)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    loaded = sio.load(path, trusted=["sklearn_deepnet._classifier.DeepNetClassifier"])
    _assert_same_model(est, loaded, X)


# -- the version stamp -------------------------------------------------------------------------


def test_same_version_loads_without_warning(iris):
    est, _, _ = _fitted("binary", iris)
    data = pickle.dumps(est)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(data)


def test_other_version_warns(iris, monkeypatch):
    est, X, _ = _fitted("binary", iris)
    with monkeypatch.context() as patch:
        patch.setattr(sklearn_deepnet.persistence._state, "__version__", "0.0.1")
        data = pickle.dumps(est)
    with pytest.warns(InconsistentDeepNetVersionWarning, match="version 0.0.1") as record:
        loaded = pickle.loads(data)
    warning = record[0].message
    assert warning.original_version == "0.0.1"
    assert warning.current_version == sklearn_deepnet.__version__
    assert warning.estimator_name == "DeepNetClassifier"
    assert issubclass(InconsistentDeepNetVersionWarning, UserWarning)
    assert str(pickle.loads(pickle.dumps(warning))) == str(warning)  # crosses processes
    assert np.array_equal(loaded.predict(X), est.predict(X))


def test_unstamped_state_of_older_versions_loads_with_a_warning(iris):
    # Models pickled before the stamp hold the engine's objects themselves.
    est, X, y = _fitted("multiclass", iris, solver="adam")
    legacy = dict(vars(est))
    clone = DeepNetClassifier.__new__(DeepNetClassifier)
    with pytest.warns(InconsistentDeepNetVersionWarning, match="unknown older version"):
        clone.__setstate__(legacy)
    assert np.array_equal(clone.predict_proba(X), est.predict_proba(X))


def test_newer_state_format_is_refused(iris):
    est, _, _ = _fitted("binary", iris)
    state = est.__getstate__()
    state[_FORMAT_KEY] = _STATE_FORMAT + 1
    with pytest.raises(ValueError, match="reads format"):
        DeepNetClassifier.__new__(DeepNetClassifier).__setstate__(state)


# -- corrupt state -----------------------------------------------------------------------------


def _corrupt_params(state):
    state["_network"]["params"] = state["_network"]["params"][:-3]


def _nan_params(state):
    state["_network"]["params"] = np.full_like(state["_network"]["params"], np.nan)


def _int_params(state):
    state["_network"]["params"] = state["_network"]["params"].astype(np.int64)


def _unknown_activation(state):
    state["_network"]["activation"]["name"] = "elu"


def _unknown_output(state):
    state["_network"]["output"]["name"] = "poisson"


def _bad_slope(state):
    state["_network"]["activation"]["attributes"]["negative_slope"] = 3.0


def _bad_layer_sizes(state):
    state["_network"]["layer_sizes"] = [4, -8, 3]


def _wrong_n_outputs(state):
    state["n_outputs_"] = 7


def _wrong_target_type(state):
    state["_label_binarizer"]["y_type_"] = "continuous"


def _wrong_class_count(state):
    state["_label_binarizer"]["classes_"] = np.arange(5)


def _unknown_kind(state):
    state[_ENCODED_KEY]["_network"] = "mystery"


def _network_not_a_dict(state):
    state["_network"] = "garbage"


def _unknown_optimizer(state):
    state["_optimizer"]["name"] = "newton"


CORRUPTIONS = [
    (_corrupt_params, "weights saved for layer sizes"),
    (_nan_params, "NaN"),
    (_int_params, "float32 or float64"),
    (_unknown_activation, "unknown activation 'elu'"),
    (_unknown_output, "unknown output layer 'poisson'"),
    (_bad_slope, "negative_slope"),
    (_bad_layer_sizes, "invalid layer sizes"),
    (_wrong_n_outputs, "n_outputs_=7"),
    (_wrong_target_type, "unknown target type"),
    (_wrong_class_count, "output unit"),
    (_unknown_kind, "unknown kind 'mystery'"),
    (_network_not_a_dict, "expected a dict"),
    (_unknown_optimizer, "unknown optimizer 'newton'"),
]


@pytest.mark.parametrize("corrupt, message", CORRUPTIONS, ids=[c.__name__ for c, _ in CORRUPTIONS])
def test_corrupt_state_raises_a_clear_error_through_pickle(corrupt, message, iris, monkeypatch):
    est, _, _ = _fitted("multiclass", iris, solver="adam", activation="leaky_relu")
    real_getstate = DeepNetClassifier.__getstate__

    def corrupted_getstate(self):
        state = real_getstate(self)
        corrupt(state)
        return state

    with monkeypatch.context() as patch:
        patch.setattr(DeepNetClassifier, "__getstate__", corrupted_getstate)
        data = pickle.dumps(est)
    with pytest.raises(ValueError, match="corrupt") as info:
        pickle.loads(data)
    assert message in str(info.value)


def _running_wrong_shape(state):
    state["_network"]["running"] = state["_network"]["running"][:-1]


def _negative_variance(state):
    state["_network"]["running"][-1] = -1.0


def _nan_running_mean(state):
    state["_network"]["running"][0] = np.nan


def _no_batch_normalization_in_the_network(state):
    state["_network"]["batch_normalization"] = False


def _batch_normalization_not_a_bool(state):
    state["_network"]["batch_normalization"] = "yes"


def _switched_parameter(state):
    state["batch_normalization"] = False


def _best_running_wrong_shape(state):
    state["_best_running"] = state["_best_running"][:3]


BATCH_NORM_CORRUPTIONS = [
    (_running_wrong_shape, "running statistics are not a float64 array of shape (26,)"),
    (_negative_variance, "a variance < 0"),
    (_nan_running_mean, "not finite"),
    (_no_batch_normalization_in_the_network, "weights saved for layer sizes"),
    (_batch_normalization_not_a_bool, "invalid batch normalization settings"),
    (_switched_parameter, "batch_normalization=False disagrees with the network"),
    (_best_running_wrong_shape, "_best_running is not a float64 array"),
]


@pytest.mark.parametrize("corrupt, message", BATCH_NORM_CORRUPTIONS,
                         ids=[c.__name__ for c, _ in BATCH_NORM_CORRUPTIONS])
def test_corrupt_batch_normalization_state_is_refused(corrupt, message, iris):
    est, _, _ = _fitted("batch_norm_early_stopping", iris, solver="adam")
    state = est.__getstate__()
    corrupt(state)
    with pytest.raises(ValueError, match="corrupt") as info:
        DeepNetClassifier.__new__(DeepNetClassifier).__setstate__(state)
    assert message in str(info.value)


def test_a_state_saved_before_batch_normalization_loads(iris):
    est, X, _ = _fitted("multiclass", iris, solver="adam")
    state = est.__getstate__()
    del state["batch_normalization"]
    for key in ("batch_normalization", "running", "n_statistics_updates"):
        del state["_network"][key]
    loaded = DeepNetClassifier.__new__(DeepNetClassifier)
    loaded.__setstate__(state)
    assert loaded.batch_normalization is False and loaded._network.running is None
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_state_that_is_not_a_dict_is_refused():
    with pytest.raises(ValueError, match="not a dict"):
        DeepNetClassifier.__new__(DeepNetClassifier).__setstate__(["not", "a", "state"])


def test_unpicklable_engine_attribute_fails_at_save_time(iris):
    est, _, _ = _fitted("multiclass", iris, solver="adam")
    est._optimizer.callback = lambda: None
    with pytest.raises(TypeError, match="not plain data"):
        pickle.dumps(est)
