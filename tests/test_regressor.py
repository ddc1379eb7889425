"""DeepNetRegressor: an MLPRegressor superset for one or several real-valued targets."""

import inspect
import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetRegressor
from sklearn_deepnet.nn import Objective

X_DIAB, Y_DIAB = load_diabetes(return_X_y=True)
X_DIAB = StandardScaler().fit_transform(X_DIAB)
Y_DIAB_STD = (Y_DIAB - Y_DIAB.mean()) / Y_DIAB.std()


def test_parameters_are_a_superset_of_mlp_regressor_with_the_same_defaults():
    ours = DeepNetRegressor().get_params()
    theirs = MLPRegressor().get_params()
    assert set(theirs) <= set(ours)
    for name, value in theirs.items():
        assert ours[name] == value, name
    # the same positional order: MLPRegressor(loss, hidden_layer_sizes, activation)
    assert list(inspect.signature(DeepNetRegressor).parameters)[:3] == [
        "loss",
        "hidden_layer_sizes",
        "activation",
    ]


def test_fitted_attributes_match_mlp_regressor():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = DeepNetRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        theirs = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        ours.fit(X_DIAB, Y_DIAB_STD), theirs.fit(X_DIAB, Y_DIAB_STD)
    for name in ("n_iter_", "t_", "n_layers_", "n_outputs_", "out_activation_",
                 "n_features_in_"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert len(ours.loss_curve_) == len(theirs.loss_curve_)
    assert ours.predict(X_DIAB).shape == theirs.predict(X_DIAB).shape == (len(X_DIAB),)


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "agd"])
def test_fits_diabetes_as_well_as_mlp_regressor(solver):
    params = dict(hidden_layer_sizes=(16,), alpha=1.0, max_iter=400, random_state=0)
    if solver == "adam":
        params["learning_rate_init"] = 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = DeepNetRegressor(solver=solver, **params).fit(X_DIAB, Y_DIAB_STD)
        theirs = "adam" if solver == "adam" else "lbfgs"  # agd is ours alone
        reference = MLPRegressor(solver=theirs, **params).fit(X_DIAB, Y_DIAB_STD)
    assert ours.score(X_DIAB, Y_DIAB_STD) > reference.score(X_DIAB, Y_DIAB_STD) - 0.03
    assert ours.score(X_DIAB, Y_DIAB_STD) > 0.5


def test_objective_equals_mlp_regressors_loss_at_the_same_weights():
    """Half squared error + alpha/2 ||W||^2, mean over samples: MLPRegressor's loss_ at its
    final weights is our objective at those weights."""
    params = dict(hidden_layer_sizes=(6,), alpha=0.5, solver="lbfgs", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPRegressor(max_iter=50, **params).fit(X_DIAB, Y_DIAB_STD)
        ours = DeepNetRegressor(max_iter=1, **params).fit(X_DIAB, Y_DIAB_STD)
    ours.coefs_, ours.intercepts_ = theirs.coefs_, theirs.intercepts_
    objective = Objective(ours._network, ours.alpha)
    assert objective.loss(X_DIAB, Y_DIAB_STD[:, None]) == pytest.approx(theirs.loss_, rel=1e-10)
    np.testing.assert_allclose(ours.predict(X_DIAB), theirs.predict(X_DIAB), rtol=1e-10)


def test_multi_output_targets_share_the_hidden_layers():
    X, Y = make_regression(n_samples=200, n_features=5, n_targets=3, noise=1.0, random_state=0)
    Y = Y / Y.std(axis=0)
    reg = DeepNetRegressor(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=500,
                           random_state=0).fit(X, Y)
    assert reg.n_outputs_ == 3 and reg.coefs_[-1].shape == (32, 3)
    assert reg.predict(X).shape == (200, 3)
    assert reg.score(X, Y) > 0.95
    # a (n, 1) column target still predicts 1-D, as MLPRegressor does
    column = DeepNetRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=50,
                              random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        column.fit(X, Y[:, :1])
    assert column.predict(X).shape == (200,)


def test_poisson_loss_predicts_positive_means():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1]))
    reg = DeepNetRegressor(loss="poisson", hidden_layer_sizes=(8,), solver="lbfgs",
                           max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    assert reg.out_activation_ == "exp"
    pred = reg.predict(X)
    assert (pred > 0).all()
    # better than the constant mean in Poisson deviance
    from sklearn.metrics import mean_poisson_deviance

    assert mean_poisson_deviance(y, pred) < 0.8 * mean_poisson_deviance(
        y, np.full_like(pred, y.mean())
    )
    with pytest.raises(ValueError, match="negative values, which loss='poisson'"):
        DeepNetRegressor(loss="poisson").fit(X, y - 1.0)


def test_targets_must_be_finite():
    y = Y_DIAB_STD.copy()
    y[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DeepNetRegressor().fit(X_DIAB, y)


def test_partial_fit_and_early_stopping_with_r2_scoring():
    reg = DeepNetRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    for _ in range(5):
        reg.partial_fit(X_DIAB, Y_DIAB_STD)
    assert reg.n_outputs_ == 1 and reg.t_ == 5 * len(X_DIAB)
    with pytest.raises(ValueError, match="2 target column"):
        reg.partial_fit(X_DIAB, np.c_[Y_DIAB_STD, Y_DIAB_STD])
    stopped = DeepNetRegressor(hidden_layer_sizes=(64,), learning_rate_init=0.01,
                               early_stopping=True, scoring="r2", max_iter=500,
                               random_state=0).fit(X_DIAB, Y_DIAB_STD)
    assert stopped.n_iter_ < 500
    assert stopped.best_validation_score_ == max(stopped.validation_scores_)
    assert 0 < stopped.best_validation_score_ < 1  # an R^2, not a loss


def test_given_validation_set_loss_curve():
    X_tr, y_tr, X_val, y_val = X_DIAB[100:], Y_DIAB_STD[100:], X_DIAB[:100], Y_DIAB_STD[:100]
    reg = DeepNetRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X_tr, y_tr, X_val=X_val, y_val=y_val)
    expected = 0.5 * np.mean((reg.predict(X_val) - y_val) ** 2)
    assert reg.validation_loss_curve_[-1] == pytest.approx(expected, rel=1e-10)


def test_in_a_grid_search_pipeline_and_pickled():
    model = make_pipeline(StandardScaler(), DeepNetRegressor(solver="lbfgs", max_iter=200,
                                                             random_state=0))
    grid = GridSearchCV(
        model,
        {"deepnetregressor__hidden_layer_sizes": [(4,), (16,)],
         "deepnetregressor__activation": ["tanh", "relu"]},
        cv=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X_DIAB, Y_DIAB_STD)
    best = grid.best_estimator_
    restored = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(restored.predict(X_DIAB), best.predict(X_DIAB))
