"""Classification or regression: detecting the task from the target, and each task's network,
grids, comparison models, split and scores."""

from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import Ridge
from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .. import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD
from ..recipes import make_tabular_classifier
from ._columns import check_known
from ._errors import DataError

CLASSIFICATION, REGRESSION = "classification", "regression"
#: A numeric target with whole values is a class label up to this many distinct values.
MAX_AUTO_CLASSES = 20
TEST_SIZE = 0.25
CV_FOLDS = 3
DEFAULT_MAX_ITER = 200
QUICK_MAX_ITER = 30
QUICK_LOGISTIC_MAX_ITER = 100
#: The search grids, as network parameters (prefixed per task by :func:`grid_for`).
FULL_GRID = {
    "hidden_layer_sizes": [(64,), (128,), (64, 32)],
    "activation": ["relu", "tanh"],
    "learning_rate_init": [1e-3, 1e-2],
}
SMALL_GRID = {
    "hidden_layer_sizes": [(64,)],
    "activation": ["relu", "tanh"],
    "learning_rate_init": [1e-3, 1e-2],
}
QUICK_GRID = {
    "hidden_layer_sizes": [(16,)],
    "activation": ["relu", "tanh"],
    "learning_rate_init": [1e-2],
}


@dataclass
class Task:
    """What differs between classification and regression.

    Parameters
    ----------
    name : {"classification", "regression"}
        The task.
    reason : str
        Why it was chosen, for the user.
    """

    name: str
    reason: str

    @property
    def scoring(self):
        """The search's scorer name: ``'accuracy'`` or ``'r2'``."""
        return "accuracy" if self.name == CLASSIFICATION else "r2"

    @property
    def score_label(self):
        """How the search's score is called in the report."""
        return "accuracy" if self.name == CLASSIFICATION else "R2"

    @property
    def prefix(self):
        """Prefix of the network's parameters inside the pipeline."""
        return "net__" if self.name == CLASSIFICATION else "net__regressor__"

    def grid(self, grid):
        """``grid``'s network parameters prefixed for the pipeline."""
        return {self.prefix + key: values for key, values in grid.items()}

    def network(self, max_iter, random_state):
        """The final step of the pipeline: the network (regression: with a scaled target)."""
        if self.name == CLASSIFICATION:
            return DeepNetClassifier(max_iter=max_iter, random_state=random_state)
        return TransformedTargetRegressor(
            regressor=DeepNetRegressor(max_iter=max_iter, random_state=random_state),
            transformer=StandardScaler(),
        )

    def recipe(self, columns, random_state):
        """``(name, pipeline)`` of the recommended recipe for this task, or ``None``.

        Classification: :func:`~sklearn_deepnet.recipes.make_tabular_classifier` on the
        same columns, with its own preprocessing. Regression has no measured recipe yet.
        """
        if self.name != CLASSIFICATION:
            return None
        model = make_tabular_classifier(
            numeric_features=list(columns.numeric),
            categorical_features=list(columns.categorical),
            random_state=random_state,
        )
        return "make_tabular_classifier (recipe)", model

    def comparisons(self, net_params, max_iter, random_state, quick):
        """``[(name, final step)]`` of the models the tuned network is compared with."""
        if self.name == CLASSIFICATION:
            logistic = LogisticRegressionGD(random_state=random_state)
            if quick:
                logistic.set_params(max_iter=QUICK_LOGISTIC_MAX_ITER)
            mlp = MLPClassifier(max_iter=max_iter, random_state=random_state, **net_params)
            return [("LogisticRegressionGD", logistic), ("MLPClassifier (best params)", mlp)]
        mlp = MLPRegressor(max_iter=max_iter, random_state=random_state, **net_params)
        return [
            ("Ridge (linear)", Ridge()),
            ("MLPRegressor (best params)",
             TransformedTargetRegressor(regressor=mlp, transformer=StandardScaler())),
        ]

    def scores(self, model, X, y):
        """``{name: value}``: accuracy, or R² and mean absolute error."""
        pred = model.predict(X)
        if self.name == CLASSIFICATION:
            return {"accuracy": accuracy_score(y, pred)}
        return {"R2": r2_score(y, pred), "MAE": mean_absolute_error(y, pred)}

    def split(self, X, y, random_state):
        """Hold out a quarter of the rows (stratified for classification)."""
        if self.name == CLASSIFICATION:
            check_classes(y, 2, "a stratified train/test split")
        stratify = y if self.name == CLASSIFICATION else None
        return train_test_split(
            X, y, test_size=TEST_SIZE, stratify=stratify, random_state=random_state
        )


def network_of(model):
    """The fitted network at the end of a pipeline (inside a ``TransformedTargetRegressor``)."""
    final = model[-1] if isinstance(model, Pipeline) else model
    return getattr(final, "regressor_", final)


def make_pipeline(preprocessor, final):
    """``Pipeline([('columns', clone(preprocessor)), ('net', final)])``."""
    return Pipeline([("columns", clone(preprocessor)), ("net", final)])


def target_values(pd, frame, target):
    """Take the target out of a table.

    Parameters
    ----------
    pd : module
        pandas.
    frame : pandas.DataFrame
        The whole table.
    target : str
        The target column's name.

    Returns
    -------
    X : pandas.DataFrame
        The other columns, of the rows with a target.
    y : ndarray
        The target: numbers (integers when all are whole) or stripped text.
    notes : list of str
        Rows dropped for a missing target, for the user.
    """
    check_known(list(frame.columns), [target], "--target")
    y = frame[target]
    if y.dtype == object or pd.api.types.is_string_dtype(y):
        y = y.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
        y = y.mask(y == "")
    keep = y.notna().to_numpy()
    notes = []
    if not keep.all():
        notes.append(f"{int((~keep).sum())} row(s) without a {target!r} value are left out")
    if not keep.any():
        raise DataError(f"target column {target!r} has no values")
    X = frame.loc[keep].drop(columns=[target]).reset_index(drop=True)
    if X.shape[1] == 0:
        raise DataError(f"the file has no feature columns besides {target!r}")
    return X, _target_array(pd, y[keep], target), notes


def _target_array(pd, y, target):
    """The target as integers, floats or strings."""
    if y.dtype == object or pd.api.types.is_string_dtype(y):
        numbers = pd.to_numeric(y, errors="coerce")
        n_bad = int(numbers.isna().sum())
        if n_bad == 0:
            y = numbers
        elif n_bad <= (1 - 0.9) * len(y):
            examples = ", ".join(repr(v) for v in y[numbers.isna()].unique()[:3])
            raise DataError(
                f"target column {target!r} holds numbers but {n_bad} cell(s) are not "
                f"({examples}); declare missing-value markers with --na-values, or fix them"
            )
        else:
            return np.asarray(y.astype(str))
    values = y.to_numpy()
    if values.dtype == bool:
        return values
    values = values.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise DataError(f"target column {target!r} has infinite values")
    return values.astype(np.int64) if np.all(values == np.round(values)) else values


def detect_task(y, requested="auto", target="target"):
    """Choose classification or regression from the target.

    Parameters
    ----------
    y : ndarray
        The target values.
    requested : {"auto", "classification", "regression"}, default="auto"
        ``--task``.
    target : str, default="target"
        The target's name, for messages.

    Returns
    -------
    task : Task
        Regression for numbers with fractional values or more than 20 distinct whole values;
        classification for text, booleans and at most 20 distinct whole numbers.
    """
    numeric = y.dtype.kind in "iuf"
    n_distinct = len(np.unique(y))
    if requested == REGRESSION and not numeric:
        raise DataError(
            f"--task regression needs a numeric target; {target!r} holds text "
            f"({', '.join(repr(str(v)) for v in np.unique(y)[:3])}, ...)"
        )
    if requested != "auto":
        return Task(requested, f"--task {requested}")
    if not numeric:
        return Task(CLASSIFICATION, f"{n_distinct} distinct labels")
    if y.dtype.kind == "f":
        return Task(REGRESSION, "numbers with fractional values")
    if n_distinct > MAX_AUTO_CLASSES:
        return Task(REGRESSION, f"{n_distinct} distinct whole numbers (> {MAX_AUTO_CLASSES})")
    return Task(CLASSIFICATION, f"{n_distinct} distinct whole numbers (<= {MAX_AUTO_CLASSES})")


def check_classes(y, minimum, purpose):
    """Raise :class:`DataError` unless there are 2+ classes, each with ``minimum`` rows."""
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise DataError(f"the target has a single class ({_py(classes[0])!r}); need at least two")
    if counts.min() < minimum:
        label = _py(classes[np.argmin(counts)])
        raise DataError(
            f"class {label!r} has {counts.min()} sample(s); {purpose} needs at least {minimum} "
            "per class (for a numeric target with many values, try --task regression)"
        )


def check_regression_target(y, target="target"):
    """Raise :class:`DataError` if a regression target is constant."""
    if np.ptp(y) == 0:
        raise DataError(f"target column {target!r} is constant ({_py(y[0])!r}); nothing to learn")


def _py(value):
    """Plain Python scalar for messages (``np.int64(3)`` -> ``3``)."""
    return value.item() if isinstance(value, np.generic) else value
