"""The recommended tabular pipeline: its steps, its parameters, and its life in scikit-learn."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.ensemble import BaggingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_deepnet import DeepNetClassifier, dump, load
from sklearn_deepnet.preprocessing import PiecewiseLinearEncoder, SmoothClipScaler
from sklearn_deepnet.recipes import TABULAR_CLASSIFIER_PARAMS, make_tabular_classifier


def _mixed_frame(n=300, seed=0):
    """Numbers with a heavy tail and missing values, a category with a missing value, a label."""
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame({
        "size": rng.lognormal(0, 1.5, n),
        "age": rng.uniform(18, 90, n),
        "colour": rng.choice(["red", "green", "blue"], n).astype(object),
    })
    y = ((np.log(frame["size"]) > 0) ^ (frame["colour"] == "red")).astype(int).to_numpy()
    frame.loc[::11, "size"] = np.nan
    frame.loc[::13, "colour"] = np.nan
    return frame, y


def test_the_numeric_recipe_by_default():
    model = make_tabular_classifier()
    assert [name for name, _ in model.steps] == ["features", "net"]
    features, net = model.named_steps["features"], model.named_steps["net"]
    assert [name for name, _ in features.steps] == ["impute", "scale", "encode"]
    assert isinstance(features.named_steps["scale"], SmoothClipScaler)
    assert isinstance(features.named_steps["encode"], PiecewiseLinearEncoder)
    assert isinstance(net, BaggingClassifier)
    assert net.n_estimators == 5 and net.bootstrap is False and net.max_samples == 1.0
    assert isinstance(net.estimator, DeepNetClassifier)
    for key, value in TABULAR_CLASSIFIER_PARAMS.items():
        assert net.estimator.get_params()[key] == value
    assert net.estimator.hidden_layer_sizes == (100,)  # the rest: MLPClassifier's defaults


def test_options_reach_their_steps():
    model = make_tabular_classifier(n_bins=4, bound=None, random_state=7, alpha=1.0,
                                    hidden_layer_sizes=(16,), n_estimators=3, n_jobs=2)
    params = model.get_params()
    assert params["features__encode__n_bins"] == 4
    assert params["features__scale__bound"] is None
    assert params["features__encode__random_state"] == 7
    assert params["net__random_state"] == 7
    assert params["net__n_estimators"] == 3 and params["net__n_jobs"] == 2
    assert params["net__estimator__alpha"] == 1.0
    assert params["net__estimator__hidden_layer_sizes"] == (16,)
    assert params["net__estimator__early_stopping"] is True  # the other settings stay


def test_a_single_network_on_request():
    model = make_tabular_classifier(n_estimators=1, random_state=3, alpha=0.5)
    net = model.named_steps["net"]
    assert isinstance(net, DeepNetClassifier)
    assert net.random_state == 3 and net.alpha == 0.5 and net.early_stopping is True


def test_members_learn_from_their_own_seeds_and_are_averaged():
    X, y = load_iris(return_X_y=True)
    model = make_tabular_classifier(n_estimators=3, random_state=0).fit(X, y)
    members = model.named_steps["net"].estimators_
    assert len({m.random_state for m in members}) == 3
    assert len({m.n_iter_ for m in members} | {m.loss_ for m in members}) > 1
    features = model.named_steps["features"].transform(X)
    average = sum(m.predict_proba(features) for m in members) / 3
    np.testing.assert_allclose(model.predict_proba(X), average)


def test_mixed_columns_with_missing_values_and_unseen_categories():
    X, y = _mixed_frame()
    model = make_tabular_classifier(categorical_features=["colour"], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the recipe stops on its own
        model.fit(X, y)
    features = model.named_steps["features"]
    assert isinstance(features, ColumnTransformer)
    assert {name for name, _, _ in features.transformers_} >= {"cat", "remainder"}
    assert model.score(X, y) > 0.9
    unseen = X.head(5).assign(colour="purple")
    assert model.predict_proba(unseen).shape == (5, 2)


def test_the_documented_one_liner_finds_a_frames_categories():
    X, y = _mixed_frame()
    X["plan"] = pd.Categorical(np.where(X["age"] > 50, "gold", "basic"))
    categorical = list(X.select_dtypes(exclude="number").columns)
    assert categorical == ["colour", "plan"]
    model = make_tabular_classifier(categorical_features=categorical, random_state=0,
                                    n_estimators=1).fit(X, y)
    assert {"cat__colour_red", "cat__plan_gold"} <= set(
        model.named_steps["features"].get_feature_names_out()
    )


def test_numeric_features_drop_the_other_columns():
    X, y = _mixed_frame()
    model = make_tabular_classifier(numeric_features=["size"], random_state=0,
                                    max_iter=20, early_stopping=False, n_estimators=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    # "size" alone: its raw value plus its bins (fewer than 8 if edges coincide)
    n_in = model.named_steps["net"].n_features_in_
    assert 2 <= n_in <= 9
    assert model.named_steps["features"].get_feature_names_out()[0] == "num__size"


def test_a_string_column_not_named_categorical_is_a_clear_error():
    X, y = _mixed_frame()
    with pytest.raises(ValueError, match="median"):
        make_tabular_classifier().fit(X, y)


def test_grid_search_tunes_the_recipe():
    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(
        make_tabular_classifier(random_state=0, n_estimators=2),
        {"net__estimator__alpha": [0.01, 0.1], "features__encode__n_bins": [4, 8]},
        cv=3,
    )
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.9


def test_model_files_keep_the_recipe(tmp_path):
    X, y = _mixed_frame()
    model = make_tabular_classifier(categorical_features=["colour"], random_state=0).fit(X, y)
    dump(model, tmp_path / "recipe.skdn")
    loaded = load(tmp_path / "recipe.skdn")
    assert isinstance(loaded, Pipeline)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_the_recipe_learns_a_real_table():
    X, y = load_breast_cancer(return_X_y=True)
    model = make_tabular_classifier(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X[::2], y[::2])
    for net in model.named_steps["net"].estimators_:
        assert net.n_iter_ < TABULAR_CLASSIFIER_PARAMS["max_iter"]  # stopped on its own
        assert net.best_validation_score_ == max(net.validation_scores_) < 0  # a negated loss
    assert model.score(X[1::2], y[1::2]) > 0.94
