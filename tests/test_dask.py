"""Scale-out with Dask: grid search on a cluster, block-wise partial_fit, parallel prediction.

Each result must equal the one computed on this machine alone. The cluster is a
``dask.distributed.LocalCluster`` on 127.0.0.1 (TCP, one in-process worker) so that tasks and
models really travel through the scheduler, serialized, as they do on a real cluster.
"""

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier

da = pytest.importorskip("dask.array", reason="the Dask tests need the 'dask' extra")
distributed = pytest.importorskip("distributed", reason="the Dask tests need the 'dask' extra")
wrappers = pytest.importorskip("dask_ml.wrappers", reason="the Dask tests need the 'dask' extra")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

TIMEOUT = 60  # seconds: any step that hangs fails instead


@pytest.fixture(scope="module")
def client():
    import dask

    timeouts = {
        "distributed.comm.timeouts.connect": f"{TIMEOUT}s",
        "distributed.comm.timeouts.tcp": f"{TIMEOUT}s",
    }
    with dask.config.set(timeouts):
        with distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=False,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster, distributed.Client(cluster, timeout=TIMEOUT) as client:
            assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
            yield client


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(n_class=4, return_X_y=True)
    X = StandardScaler().fit_transform(X[:400])
    return X, y[:400]


def test_grid_search_on_the_cluster_equals_local(client, digits):
    X, y = digits
    grid = {
        "hidden_layer_sizes": [(8,), (8, 4)],
        "activation": ["relu", "tanh"],
        "learning_rate_init": [1e-2],
    }
    net = DeepNetClassifier(max_iter=15, random_state=0)
    local = GridSearchCV(net, grid, cv=3, n_jobs=1).fit(X, y)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_config(backend="dask"):
            remote = GridSearchCV(net, grid, cv=3, n_jobs=-1).fit(X, y)
    assert len(tasks.data) > 0  # the fits ran on the cluster
    assert remote.best_params_ == local.best_params_
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        assert np.array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert np.array_equal(
        remote.best_estimator_.predict_proba(X), local.best_estimator_.predict_proba(X)
    )


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_incremental_partial_fit_block_by_block_equals_local(client, digits, solver):
    X, y = digits
    classes = np.unique(y)
    X_dask = da.from_array(X, chunks=(100, X.shape[1]))
    y_dask = da.from_array(y, chunks=100)
    assert X_dask.numblocks[0] == 4  # larger than one block

    net = DeepNetClassifier(hidden_layer_sizes=(16,), solver=solver, random_state=0)
    incremental = wrappers.Incremental(net, shuffle_blocks=False)
    incremental.fit(X_dask, y_dask, classes=classes)

    local = DeepNetClassifier(hidden_layer_sizes=(16,), solver=solver, random_state=0)
    for start in range(0, X.shape[0], 100):
        local.partial_fit(X[start : start + 100], y[start : start + 100], classes=classes)

    fitted = incremental.estimator_
    assert fitted.t_ == local.t_ == X.shape[0]
    fitted_params = fitted.coefs_ + fitted.intercepts_
    for a, b in zip(fitted_params, local.coefs_ + local.intercepts_, strict=True):
        assert np.array_equal(a, b)
    predicted = client.compute(incremental.predict(X_dask)).result(timeout=TIMEOUT)
    assert np.array_equal(predicted, local.predict(X))


def test_parallel_post_fit_predicts_like_local(client, digits):
    X, y = digits
    net = DeepNetClassifier(hidden_layer_sizes=(16,), max_iter=20, random_state=0).fit(X, y)
    model = wrappers.ParallelPostFit(estimator=net)
    X_dask = da.from_array(X, chunks=(50, X.shape[1]))
    label = client.compute(model.predict(X_dask)).result(timeout=TIMEOUT)
    proba = client.compute(model.predict_proba(X_dask)).result(timeout=TIMEOUT)
    assert np.array_equal(label, net.predict(X))
    assert np.array_equal(proba, net.predict_proba(X))
    assert model.score(X, y) == net.score(X, y)
