"""Repeated and interrupted work: bitwise determinism, thread-safe prediction, Ctrl-C during fit.

Determinism: one ``random_state`` gives the same model bit for bit in another interpreter, with
any ``n_jobs`` in ``GridSearchCV``, and from ``k`` calls of ``partial_fit`` as from
``fit(max_iter=k)`` where the two are equivalent: without shuffling (``shuffle=False``, or a
full-batch solver) and with the ``'constant'`` or ``'invscaling'`` schedule.
"""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD
from sklearn_deepnet.nn import SOLVERS as REGISTERED_SOLVERS
from sklearn_deepnet.nn import Objective

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)
SOLVERS = list(REGISTERED_SOLVERS)


def _net(**params):
    defaults = {"hidden_layer_sizes": (8,), "max_iter": 15, "random_state": 0}
    return DeepNetClassifier(**{**defaults, **params})


def _digest(clf):
    """SHA-256 of the weights and of the predicted probabilities."""
    weights = clf._network.params
    return hashlib.sha256(weights.tobytes() + clf.predict_proba(X_IRIS).tobytes()).hexdigest()


# --------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------


def test_same_random_state_gives_the_same_model_in_a_fresh_interpreter():
    """A new process (another hash seed, a fresh import) reproduces the model bit for bit."""
    script = textwrap.dedent(
        """
        import hashlib, warnings
        import numpy as np
        from sklearn.datasets import load_iris
        from sklearn.preprocessing import StandardScaler
        from sklearn_deepnet import DeepNetClassifier
        from sklearn_deepnet.nn import SOLVERS

        warnings.simplefilter("ignore")
        X, y = load_iris(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        for solver in SOLVERS:
            clf = DeepNetClassifier((8,), solver=solver, max_iter=15, random_state=0).fit(X, y)
            data = clf._network.params.tobytes() + clf.predict_proba(X).tobytes()
            print(hashlib.sha256(data).hexdigest())
        """
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, check=True, timeout=120)
    here = [_digest(_net(solver=solver).fit(X_IRIS, Y_IRIS)) for solver in SOLVERS]
    assert result.stdout.split() == here


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
def test_grid_search_results_do_not_depend_on_n_jobs(Estimator):
    if Estimator is DeepNetClassifier:
        estimator = _net(max_iter=10)
        grid = {"solver": ["adam", "lbfgs"], "activation": ["relu", "tanh"]}
    else:
        estimator = LogisticRegressionGD(max_iter=30)
        grid = {"solver": ["agd", "sgd"], "alpha": [0.1, 1.0]}
    searches = [
        GridSearchCV(clone(estimator), grid, cv=3, scoring="neg_log_loss", n_jobs=n_jobs)
        .fit(X_IRIS, Y_IRIS)
        for n_jobs in (1, 2)
    ]
    serial, parallel = (search.cv_results_ for search in searches)
    for key in [k for k in serial if k.startswith("split") or k == "mean_test_score"]:
        np.testing.assert_array_equal(serial[key], parallel[key], err_msg=key)
    assert _digest(searches[0].best_estimator_) == _digest(searches[1].best_estimator_)


@pytest.mark.parametrize(
    "solver, params",
    [
        ("sgd", {"shuffle": False, "batch_size": 40}),
        ("adam", {"shuffle": False, "batch_size": 40}),
        ("adam", {"shuffle": False, "learning_rate": "invscaling"}),
        ("gd", {}),  # full batch: shuffling has no effect
        ("gd", {"learning_rate": "invscaling", "learning_rate_init": 0.5}),
        ("agd", {}),
    ],
)
def test_partial_fit_calls_equal_fit_epochs_bit_for_bit(solver, params):
    """``k`` calls of ``partial_fit`` are ``fit(max_iter=k)``, where documented as equivalent."""
    k = 6
    fitted = _net(solver=solver, max_iter=k, tol=0.0, **params).fit(X_IRIS, Y_IRIS)
    stepped = _net(solver=solver, tol=0.0, **params)
    for _ in range(k):
        stepped.partial_fit(X_IRIS, Y_IRIS, classes=np.unique(Y_IRIS))
    np.testing.assert_array_equal(stepped._network.params, fitted._network.params)
    assert stepped.loss_curve_ == fitted.loss_curve_
    assert stepped.t_ == fitted.t_
    np.testing.assert_array_equal(stepped.predict_proba(X_IRIS), fitted.predict_proba(X_IRIS))


def test_refitting_one_estimator_gives_the_same_model():
    clf = _net(solver="adam")
    first = _digest(clf.fit(X_IRIS, Y_IRIS))
    clf.fit(X_IRIS[::-1], Y_IRIS[::-1])  # something else in between
    assert _digest(clf.fit(X_IRIS, Y_IRIS)) == first


# --------------------------------------------------------------------------------------
# Thread safety of prediction
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clf",
    [
        _net(solver="lbfgs", hidden_layer_sizes=(16, 8)),
        LogisticRegressionGD(),
        _net(solver="adam", activation="tanh"),
        DeepNetRegressor(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0),
    ],
    ids=["deepnet", "logistic", "deepnet-tanh", "regressor"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_concurrent_predictions_equal_serial_ones(clf, dtype):
    regressor = isinstance(clf, DeepNetRegressor)
    y = X_IRIS[:, 0] if regressor else Y_IRIS
    clf = clone(clf).fit(X_IRIS.astype(dtype), y)
    rng = np.random.RandomState(0)
    batches = [X_IRIS[rng.choice(150, size=int(rng.randint(1, 150)))].astype(dtype)
               for _ in range(32)]
    methods = ["predict"] if regressor else [
        "predict_proba", "predict_log_proba", "decision_function", "predict"]
    jobs = [(m, i) for m in methods for i in range(len(batches))] * 4
    serial = {job: getattr(clf, job[0])(batches[job[1]]) for job in jobs}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: getattr(clf, job[0])(batches[job[1]]), jobs))
    for job, result in zip(jobs, results, strict=True):
        np.testing.assert_array_equal(result, serial[job], err_msg=str(job))


# --------------------------------------------------------------------------------------
# KeyboardInterrupt during fit
# --------------------------------------------------------------------------------------


@pytest.fixture
def interrupt_at(monkeypatch):
    """Make the n-th evaluation of the training objective raise KeyboardInterrupt.

    ``how='raise'`` raises it from the objective, as a callback would; ``how='signal'`` sends
    the process a real SIGINT, which Python's default handler turns into KeyboardInterrupt.
    """
    previous_handler = signal.getsignal(signal.SIGINT)

    def arm(n, how="raise"):
        calls = {"count": 0}
        original = Objective.loss_and_gradient

        def interrupted(self, *args, **kwargs):
            calls["count"] += 1
            if calls["count"] == n:
                if how == "signal":
                    signal.raise_signal(signal.SIGINT)
                else:
                    raise KeyboardInterrupt
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Objective, "loss_and_gradient", interrupted)
        if how == "signal":
            signal.signal(signal.SIGINT, signal.default_int_handler)
        return calls

    yield arm
    signal.signal(signal.SIGINT, previous_handler)


def _fit_interrupted(clf, *args, **kwargs):
    """Fit, expecting the interrupt to be caught, warned about, and the model kept usable."""
    try:
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            clf.fit(*args, **kwargs)
    except KeyboardInterrupt:
        pytest.fail(f"KeyboardInterrupt escaped {type(clf).__name__}.fit")
    proba = clf.predict_proba(X_IRIS)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert np.isfinite(clf._network.params).all()
    return clf


@pytest.mark.parametrize("how", ["raise", "signal"])
@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "agd"])
def test_interrupt_leaves_a_usable_model_and_warns(solver, how, interrupt_at):
    interrupt_at(8, how)
    clf = _fit_interrupted(_net(solver=solver, max_iter=100, batch_size=50), X_IRIS, Y_IRIS)
    assert 0 < clf.n_iter_ < 100
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.loss_ == clf.loss_curve_[-1]


def test_interrupt_in_the_first_epoch_leaves_a_usable_model(interrupt_at):
    interrupt_at(1)
    clf = _fit_interrupted(_net(solver="adam"), X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 0 and clf.loss_curve_ == []
    assert clf.predict(X_IRIS).shape == (150,)


def test_interrupt_with_early_stopping_restores_the_best_validation_epoch(interrupt_at):
    params = {"solver": "adam", "early_stopping": True, "learning_rate_init": 0.01,
              "n_iter_no_change": 1000, "max_iter": 100}
    interrupt_at(3 * 25)  # 135 training samples in batches of 50: 3 per epoch, 25 epochs
    clf = _fit_interrupted(_net(batch_size=50, **params), X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 24
    best_epoch = int(np.argmax(clf.validation_scores_)) + 1
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # the model is the one after the best epoch: a fit that stopped right after it
    best = _net(batch_size=50, **{**params, "max_iter": best_epoch}).fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(clf._network.params, best._network.params)


def test_interrupt_during_partial_fit_warns_and_keeps_the_model(interrupt_at):
    clf = _net(solver="sgd", batch_size=50)
    clf.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    interrupt_at(2)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        clf.partial_fit(X_IRIS, Y_IRIS)
    assert np.isfinite(clf.predict_proba(X_IRIS)).all()


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
def test_interrupt_during_lbfgs_keeps_the_last_iterate(Estimator, interrupt_at):
    """L-BFGS runs inside SciPy: an interrupt there must be caught like in the epoch loop.

    The weights kept are those of the last completed iteration, not a line-search trial point.
    """
    params = {"solver": "lbfgs", "max_iter": 200}
    if Estimator is DeepNetClassifier:
        params.update(hidden_layer_sizes=(8,), random_state=0)
    interrupt_at(12)
    clf = _fit_interrupted(Estimator(**params), X_IRIS, Y_IRIS)
    assert 0 < clf.n_iter_ < 200
    stopped = Estimator(**{**params, "max_iter": clf.n_iter_}).fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(clf._network.params, stopped._network.params)
