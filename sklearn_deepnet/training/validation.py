"""The validation set: a user's own or a held-out split, and its score after every epoch.

The score recorded in ``validation_scores_`` (and watched by early stopping) follows
``scoring``: ``None`` is the estimator's ``score``, accuracy or R² as for ``MLPClassifier`` and
``MLPRegressor``; ``'loss'`` the negated validation loss; anything else a scikit-learn scorer.
The validation loss is recorded in ``validation_loss_curve_`` whatever the score.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import validate_data

from .._input_checks import check_sample_weight, float_dtypes
from ..nn._namespace import asarray, device, get_namespace, numpy_dtype, to_float, to_numpy


class Validation(NamedTuple):
    """A validation set in the engine's terms: inputs, encoded targets, weights."""

    X: object
    Y: np.ndarray
    sample_weight: object


def user_validation_set(estimator, X_val, y_val, sample_weight_val):
    """A user's ``X_val, y_val, sample_weight_val``, checked against the training data.

    ``X_val`` must live where the model does; its targets and weights are returned as NumPy
    arrays, for the caller to move there.
    """
    try:
        X_val = validate_data(
            estimator, X_val, accept_sparse=["csr", "csc"], dtype=float_dtypes(X_val),
            reset=False,
        )
    except ValueError as exc:
        raise ValueError(f"X_val is invalid: {exc}") from exc
    estimator._check_same_place(X_val, "fit")
    dtype = numpy_dtype(X_val)
    Y_val, strata = estimator._encode_validation_targets(y_val)
    if Y_val.shape[0] != X_val.shape[0]:
        raise ValueError(
            f"X_val has {X_val.shape[0]} samples but y_val has {Y_val.shape[0]}; they must "
            "have one target per sample."
        )
    weights = check_sample_weight(sample_weight_val, X_val.shape[0], dtype, "sample_weight_val")
    weights = estimator._training_weights(weights, X_val, Y_val, strata, incremental=False)
    return Validation(X_val, Y_val.astype(dtype), weights)


def split_validation(estimator, X, Y, strata, sample_weight, rng):
    """Hold out ``validation_fraction`` of the data for early stopping.

    As ``MLPClassifier``: binary targets are split stratified (a class with a single sample is
    an error), regression and multilabel targets at random, and a validation set of fewer than
    2 samples is an error. Multiclass targets, which ``MLPClassifier`` splits at random, are
    split stratified whenever every class can be on both sides.

    Returns
    -------
    training : tuple
        ``(X, Y, sample_weight)`` of the samples trained on.
    validation : Validation
        The held-out samples.
    """
    fraction = estimator.validation_fraction
    try:
        train, val = train_test_split(
            np.arange(X.shape[0]),
            test_size=fraction,
            random_state=rng,
            stratify=_stratify_labels(Y, strata, fraction),
        )
    except ValueError as exc:
        raise ValueError(
            f"{exc} (early_stopping holds out validation_fraction={fraction} of the "
            f"{X.shape[0]} samples, stratified by class.) Increase validation_fraction or the "
            "number of samples, pass X_val and y_val, or set early_stopping=False."
        ) from exc
    if val.size < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size of "
            f"your dataset. (It holds {val.size} sample(s); early stopping needs at least 2. "
            "You can also pass X_val and y_val.)"
        )
    train.sort(), val.sort()
    weights = (None, None) if sample_weight is None else (sample_weight[train], sample_weight[val])
    for part, part_weights in zip(("validation", "training"), weights[::-1], strict=True):
        if part_weights is not None and not part_weights.any():
            raise ValueError(
                f"Every sample of the early-stopping {part} split has zero weight, so it cannot "
                "be scored or trained on. Give more samples a positive sample_weight, change "
                "random_state or validation_fraction, or pass X_val and y_val."
            )
    return (_rows(X, train), Y[train], weights[0]), Validation(_rows(X, val), Y[val], weights[1])


def _rows(X, indices):
    """The rows ``indices`` (a NumPy array) of ``X``, in ``X``'s namespace and device."""
    if isinstance(X, np.ndarray) or sp.issparse(X):
        return X[indices]
    xp = get_namespace(X)
    return xp.take(X, asarray(indices, xp, device(X)), axis=0)


def _stratify_labels(Y, strata, fraction):
    """What the early-stopping split is stratified on, or ``None`` for a random split.

    Binary targets: their encoding, as ``MLPClassifier`` does (so its errors are
    ``MLPClassifier``'s). Multiclass: the class indices, when every class has 2 samples and fits
    on both sides of the split. Regression and multilabel (``strata=None``): nothing.
    """
    if strata is None:
        return None
    if Y.shape[1] == 1:
        return Y.astype(bool)
    counts = np.bincount(strata)
    counts = counts[counts > 0]
    n_val = int(np.ceil(fraction * Y.shape[0]))
    if counts.min() >= 2 and counts.size <= min(n_val, Y.shape[0] - n_val):
        return strata
    return None


class ValidationMonitor:
    """Scores the validation set after each epoch into ``validation_scores_`` and its loss curve.

    Parameters
    ----------
    estimator : BaseDeepNet
        The estimator being fitted; its ``scoring`` chooses the score.
    validation : Validation
        The validation set.
    """

    def __init__(self, estimator, validation):
        self.estimator = estimator
        self.validation = validation
        if estimator.validation_scores_ is None:
            estimator.validation_scores_, estimator.validation_loss_curve_ = [], []

    def score(self):
        """Record and return the current weights' validation score (and record its loss)."""
        estimator, validation = self.estimator, self.validation
        network = estimator._network
        logits = network.forward(validation.X, keep_cache=False)[0]
        total = (
            validation.X.shape[0]
            if validation.sample_weight is None
            else to_float(get_namespace(validation.sample_weight).sum(validation.sample_weight))
        )
        loss = network.output.loss_and_gradient(logits, validation.Y, validation.sample_weight)
        loss = to_float(loss[0]) / total
        score = -loss if estimator.scoring == "loss" else float(self._scorer_score())
        self._record(score, loss)
        return score

    def record_divergence(self):
        """The diverged epoch has no score: record ``nan``, as ``MLPClassifier`` does."""
        self._record(np.nan, np.nan)

    def _record(self, score, loss):
        self.estimator.validation_scores_.append(score)
        self.estimator.validation_loss_curve_.append(loss)

    def _scorer_score(self):
        """The ``scoring`` scorer (``None``: the estimator's ``score``) on the validation set."""
        estimator, validation = self.estimator, self.validation
        scorer = check_scoring(estimator, scoring=estimator.scoring)
        y_val = estimator._decode_targets(to_numpy(validation.Y))
        estimator._input_validated = True  # the scorer's predictions skip re-validating X_val
        try:
            if validation.sample_weight is None:
                return scorer(estimator, validation.X, y_val)
            return scorer(estimator, validation.X, y_val, sample_weight=validation.sample_weight)
        finally:
            del estimator._input_validated
