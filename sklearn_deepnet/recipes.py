"""The recommended configurations: pipelines that prepare a table and train a network on it.

:func:`make_tabular_classifier` is what we recommend for classifying a table of numbers and
categories: its preprocessing and its :class:`~sklearn_deepnet.DeepNetClassifier` settings were
chosen on 18 real data sets (``benchmarks/study_recipe.py``, paired cross-validation) and are
measured against ``MLPClassifier``, logistic regression and gradient boosting by
``benchmarks/bench_tabular.py``. ``DeepNetClassifier()`` itself keeps ``MLPClassifier``'s
defaults, so that it stays a drop-in replacement; the recipe is the one to start new work from.
"""

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import BaggingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from ._classifier import DeepNetClassifier
from .preprocessing import PiecewiseLinearEncoder, SmoothClipScaler

TABULAR_CLASSIFIER_PARAMS = {
    "early_stopping": True,
    "scoring": "loss",
    "n_iter_no_change": 20,
    "max_iter": 1000,
    "alpha": 0.1,
    "batch_size": 64,
}
"""The :class:`~sklearn_deepnet.DeepNetClassifier` parameters of :func:`make_tabular_classifier`.

Each is one lesson of the study (``benchmarks/README.md``, "The recipe study"):

- ``early_stopping=True, scoring='loss'``: hold out 10 % of the rows, and end on the epoch with
  the lowest validation *loss*, a smoother guide than the validation accuracy;
- ``n_iter_no_change=20, max_iter=1000``: patience enough for that loss's noise, and room to
  train until it stops improving (no fit is cut off by ``max_iter``);
- ``alpha=0.1``: a strong L2 penalty, the most consistent single change found;
- ``batch_size=64``: smaller batches, more steps per epoch, before the loss turns.

:func:`make_tabular_classifier` averages five such networks (``n_estimators``).
"""


def make_tabular_classifier(
    *, numeric_features=None, categorical_features=None, n_bins=8, bound=3.0,
    n_estimators=5, n_jobs=None, random_state=None, **params,
):
    """Build the recommended pipeline for classifying tabular data.

    Numeric columns are imputed with their median, scaled by their median and interquartile
    range with a smooth clip of outliers (:class:`~sklearn_deepnet.preprocessing.SmoothClipScaler`),
    and extended with a piecewise-linear encoding over their quantile bins
    (:class:`~sklearn_deepnet.preprocessing.PiecewiseLinearEncoder`); categorical columns are
    imputed with their most frequent value and one-hot encoded (a category unseen in training
    encodes as zeros). ``n_estimators`` :class:`~sklearn_deepnet.DeepNetClassifier` networks
    with :data:`TABULAR_CLASSIFIER_PARAMS` then learn from them, each from its own seed (own
    initial weights, mini-batches and early-stopping split, so that together they learn from
    every row), and their probabilities are averaged: a scikit-learn
    :class:`~sklearn.ensemble.BaggingClassifier` on all rows and features
    (``bootstrap=False``).

    The result is an ordinary scikit-learn :class:`~sklearn.pipeline.Pipeline`: tune it with
    :class:`~sklearn.model_selection.GridSearchCV` through its step names
    (``net__estimator__alpha``, ``features__encode__n_bins``, ...), save it with
    :func:`sklearn_deepnet.dump`.

    Parameters
    ----------
    numeric_features : list of str or int, default=None
        Columns (names for a DataFrame, else indices) to treat as numbers. ``None``: every
        column not in ``categorical_features``.
    categorical_features : list of str or int, default=None
        Columns to one-hot encode. ``None``: none, so every column must be numeric (a column
        of strings then fails in the median imputer: name it here). For a DataFrame whose
        categories are its non-numeric columns:
        ``list(X.select_dtypes(exclude="number").columns)``.
    n_bins : int, default=8
        Quantile bins of the piecewise-linear encoding of each numeric column.
    bound : float or None, default=3.0
        Asymptote of the smooth clip, in interquartile ranges; ``None`` scales without
        clipping.
    n_estimators : int, default=5
        Networks averaged. Each costs one network's fit; ``1`` gives the network alone
        (step ``'net'`` is then the ``DeepNetClassifier`` itself, tuned as ``net__alpha``).
    n_jobs : int or None, default=None
        Networks fitted in parallel (joblib's convention; ``None`` is one at a time).
    random_state : int, RandomState instance or None, default=None
        Seeds the networks (weights, mini-batches, validation splits) and the encoder's
        subsample of very large data.
    **params
        :class:`~sklearn_deepnet.DeepNetClassifier` parameters, overriding
        :data:`TABULAR_CLASSIFIER_PARAMS` and the classifier's defaults (for example
        ``hidden_layer_sizes=(256,)`` or ``verbose=True``).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``'features'`` and ``'net'`` (the ``BaggingClassifier`` of networks, whose
        ``estimator`` parameter is the network's template). ``'features'`` is the numeric
        ``Pipeline`` (steps ``'impute'``, ``'scale'``, ``'encode'``) when no column list is
        given, else a ``ColumnTransformer`` whose part ``'cat'`` holds the categorical steps
        (``'impute'``, ``'onehot'``) and whose part ``'num'`` (given ``numeric_features``) or
        ``remainder`` (the other columns) holds the numeric ones.

    See Also
    --------
    TABULAR_CLASSIFIER_PARAMS : The network's settings, and why.
    sklearn_deepnet.DeepNetClassifier : The network, with ``MLPClassifier``'s defaults.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn_deepnet.recipes import make_tabular_classifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_tabular_classifier(n_estimators=3, random_state=0)
    >>> model.fit(X[::2], y[::2]).score(X[1::2], y[1::2]) > 0.95
    True
    >>> [net.n_iter_ < 1000 for net in model.named_steps["net"].estimators_]
    [True, True, True]
    >>> model.set_params(net__estimator__alpha=1.0).named_steps["net"].estimator.alpha
    1.0
    """
    numeric = Pipeline([
        ("impute", SimpleImputer(strategy="median")),
        ("scale", SmoothClipScaler(bound=bound)),
        ("encode", PiecewiseLinearEncoder(n_bins=n_bins, random_state=random_state)),
    ])
    network = DeepNetClassifier(**{**TABULAR_CLASSIFIER_PARAMS, **params})
    if n_estimators == 1:
        network.set_params(random_state=random_state)
    else:
        network = BaggingClassifier(
            network, n_estimators=n_estimators, max_samples=1.0, bootstrap=False, n_jobs=n_jobs,
            random_state=random_state,
        )
    if numeric_features is None and categorical_features is None:
        return Pipeline([("features", numeric), ("net", network)])
    categories = Pipeline([
        ("impute", SimpleImputer(strategy="most_frequent")),
        ("onehot", OneHotEncoder(handle_unknown="ignore")),
    ])
    parts = []
    if numeric_features is not None:
        parts.append(("num", numeric, list(numeric_features)))
    if categorical_features:
        parts.append(("cat", categories, list(categorical_features)))
    remainder = numeric if numeric_features is None else "drop"
    features = ColumnTransformer(parts, remainder=remainder)
    return Pipeline([("features", features), ("net", network)])
