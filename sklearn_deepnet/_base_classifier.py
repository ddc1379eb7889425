"""BaseDeepNetClassifier: label encoding, class weights and the classifier's predictions."""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_array, validate_data

from ._base import BaseDeepNet
from ._input_checks import check_sample_weight, float_dtypes
from ._sklearn_internals import Interval, StrOptions, fit_context
from ._warnings import warn
from .nn._namespace import asarray, device, get_namespace, numpy_dtype, to_numpy


class BaseDeepNetClassifier(ClassifierMixin, BaseDeepNet):
    """Classification on top of :class:`BaseDeepNet`: label encoding and class predictions.

    Binary targets train one sigmoid unit, multiclass targets a softmax, a multilabel
    indicator matrix one sigmoid per label.
    """

    _parameter_constraints: dict = {
        **BaseDeepNet._parameter_constraints,
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    def _output_name(self):
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _training_targets(self, Y):
        """``Y`` label-smoothed: ``Y * (1 - label_smoothing) + label_smoothing / K``.

        ``K`` is the number of classes for a softmax output, 2 for each sigmoid unit (binary
        and multilabel targets). Only the training targets are smoothed: the validation loss
        and scores measure the predictions against the true labels.
        """
        smoothing = float(self.label_smoothing)
        if not smoothing:
            return Y
        n_choices = Y.shape[1] if self._output_name() == "softmax" else 2
        return (Y * (1 - smoothing) + smoothing / n_choices).astype(Y.dtype, copy=False)

    def _validate_training_data(self, X, y, incremental, reset):
        """Validate ``X`` and ``y``; return ``X``, the one-hot targets and the class indices."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=float_dtypes(X),
            multi_output=True,
            reset=reset,
        )
        if sp.issparse(X) and X.format == "csc":
            X = X.tocsr()  # mini-batches take rows
        y = self._check_class_targets(to_numpy(y), "y")  # labels are encoded on the CPU
        if incremental:  # the classes are those declared by the first call
            self._check_known_labels(
                y,
                "y",
                "Declare every class with partial_fit(..., classes=...) on the first call, or "
                "refit from scratch.",
            )
        elif reset or "classes_" not in self.__dict__:
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:  # a warm start: the same classes as the previous fit
            self._check_same_labels(y)
        Y, strata = self._encode(y)
        return X, Y.astype(numpy_dtype(X), copy=False), strata

    def _check_class_targets(self, y, name):
        """Ravel a column vector (with a warning) and reject non-classification targets."""
        if y.ndim == 2 and y.shape[1] == 1:
            warn(
                f"A column-vector {name} was passed when a 1d array was expected. Please change "
                f"the shape of {name} to (n_samples,), for example using ravel().",
                DataConversionWarning,
            )
            y = y.ravel()
        check_classification_targets(y)
        target_type = type_of_target(y)
        if target_type not in ("binary", "multiclass", "multilabel-indicator"):
            raise ValueError(
                f"{type(self).__name__} handles binary, multiclass and multilabel-indicator "
                f"targets; got {target_type!r} for {name}. For several multiclass outputs, wrap "
                "it in sklearn.multioutput.MultiOutputClassifier."
            )
        return y

    def _check_known_labels(self, y, name, advice):
        """Raise if ``y`` holds labels (or label columns) outside ``classes_``.

        The message starts with ``MLPClassifier``'s.
        """
        if y.ndim == 2:
            if y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"{name} has {y.shape[1]} label columns but the model was fitted on "
                    f"{len(self.classes_)}. {advice}"
                )
            return
        labels = np.unique(y)
        unseen = np.setdiff1d(labels, self.classes_)
        if len(unseen):
            raise ValueError(
                f"`{name}` has classes not in `self.classes_`. `self.classes_` has "
                f"{self.classes_}. '{name}' has {labels}. (Unseen: {unseen.tolist()}.) {advice}"
            )

    def _check_same_labels(self, y):
        """A warm-started ``fit`` needs exactly the classes of the previous fit.

        The message is ``MLPClassifier``'s, then what to do.
        """
        if y.ndim == 2:
            self._check_known_labels(y, "y", "Refit with warm_start=False to change them.")
            return
        labels = np.unique(y)
        if set(labels.tolist()) != set(self.classes_.tolist()):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the "
                f"previous call to fit. Previously got {self.classes_}, `y` has {labels}. "
                "(Set warm_start=False to fit a new model on these classes.)"
            )

    def _encode(self, y):
        """One-hot (or indicator) targets and, except for multilabel, the class indices."""
        Y = self._label_binarizer.transform(y)
        if self._is_multilabel():
            return Y, None
        strata = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(int)
        return Y, strata

    def _encode_validation_targets(self, y_val):
        """Encode ``y_val`` with the training set's classes."""
        y_val = check_array(to_numpy(y_val), ensure_2d=False, dtype=None, input_name="y_val")
        y_val = self._check_class_targets(y_val, "y_val")
        self._check_known_labels(
            y_val, "y_val", "A validation set may only hold classes seen in training."
        )
        return self._encode(y_val)

    def _decode_targets(self, Y):
        """Turn encoded targets back into labels (an indicator matrix for multilabel)."""
        if self._is_multilabel():
            return Y.astype(int)
        if Y.shape[1] > 1:
            return self.classes_[Y.argmax(axis=1)]
        return self.classes_[Y[:, 0].astype(int)]

    def _training_weights(self, sample_weight, X, Y, strata, incremental):
        """``sample_weight`` times the weight of each sample's class (``class_weight``)."""
        sample_weight = check_sample_weight(sample_weight, X.shape[0], numpy_dtype(X))
        if self.class_weight is None:
            return sample_weight
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the class frequencies of the whole training "
                "set, which partial_fit never sees (it gets one batch at a time). Pass a dict "
                "{class: weight} computed from all your labels, for example with "
                "sklearn.utils.class_weight.compute_class_weight('balanced', classes=..., "
                "y=y_all), or use fit."
            )
        if self._is_multilabel():
            class_weights = compute_sample_weight(self.class_weight, Y.astype(int))
        else:
            classes = self.classes_
            if self.class_weight == "balanced":
                per_class = compute_class_weight(
                    "balanced", classes=np.arange(len(classes)), y=strata
                )
            else:
                per_class = self._class_weight_dict(classes)
            class_weights = per_class[strata]
        class_weights = class_weights.astype(numpy_dtype(X))
        if not np.isfinite(class_weights).all() or (class_weights < 0).any():
            raise ValueError(
                f"class_weight must give finite weights >= 0, got {self.class_weight!r}."
            )
        weights = class_weights if sample_weight is None else sample_weight * class_weights
        if not weights.any():
            raise ValueError(
                "class_weight (times sample_weight) gives every sample a weight of zero; at "
                "least one sample must weigh more than zero."
            )
        return weights

    def _class_weight_dict(self, classes):
        """Per-class weights from a ``{class: weight}`` dict; absent classes weigh 1."""
        if not isinstance(self.class_weight, dict):
            raise ValueError(
                "class_weight must be None, 'balanced' or a dict {class: weight} for binary and "
                "multiclass targets (a list of dicts is for multilabel targets), got "
                f"{self.class_weight!r}."
            )
        unknown = [key for key in self.class_weight if key not in set(classes.tolist())]
        if unknown:
            raise ValueError(
                f"class_weight has keys {unknown} that are not classes of y "
                f"(classes_={classes.tolist()}); use the class labels as keys."
            )
        return np.array([float(self.class_weight.get(c, 1.0)) for c in classes.tolist()])

    def _is_multilabel(self):
        return self._label_binarizer.y_type_ == "multilabel-indicator"

    @available_if(BaseDeepNet._partial_fit_available)
    @fit_context
    def partial_fit(
        self,
        X,
        y,
        sample_weight=None,
        classes=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Run one epoch of the solver over ``X``, ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call, ignored later.
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), \
default=None
            A validation set scored after this call's epoch. With ``early_stopping=True``,
            once its score has not improved by ``tol`` for more than ``n_iter_no_change``
            calls, the best call's weights are restored and a warning says to stop. Without
            it, ``partial_fit`` trains and monitors nothing (no split is held out).
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_labels), \
default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The updated estimator.

        Notes
        -----
        ``k`` calls on the same data equal ``fit(X, y)`` with ``max_iter=k`` bit for bit when
        mini-batches are not shuffled (``shuffle=False``, or a full-batch solver), the schedule
        is ``'constant'``, ``'invscaling'``, ``'step'`` or ``'exponential'``, there is no early
        stopping, and ``fit`` runs all ``k`` epochs.
        """
        if not hasattr(self, "_network"):
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: list every label "
                    "that will ever appear, for example classes=np.unique(y_all)."
                )
            classes = np.asarray(classes)
            if classes.ndim != 1 or classes.size < 1:
                raise ValueError(f"classes must list at least 1 label, got {classes!r}.")
            if type_of_target(y) == "multilabel-indicator":
                self._label_binarizer = LabelBinarizer().fit(y)
            else:
                self._label_binarizer = LabelBinarizer().fit(np.unique(classes))
            self.classes_ = self._label_binarizer.classes_
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.asarray(classes).tolist()} differs from the classes of the first "
                f"call ({self.classes_.tolist()})."
            )
        return self._fit(X, y, sample_weight, (X_val, y_val, sample_weight_val), True)

    def decision_function(self, X):
        """Return the output layer's logits (before the sigmoid or softmax).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            1-D for binary targets: positive means ``classes_[1]``.
        """
        logits = self._logits(X, "decision_function")
        return logits[:, 0] if self.n_outputs_ == 1 and not self._is_multilabel() else logits

    def predict(self, X):
        """Predict class labels (an indicator matrix for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Labels from ``classes_``.
        """
        logits = self._logits(X, "predict")
        if isinstance(logits, np.ndarray):  # NumPy: its own methods, the fast path
            if self._is_multilabel():
                return (logits > 0).astype(int)
            if self.out_activation_ == "softmax":
                return self.classes_[logits.argmax(axis=1)]
            if len(self.classes_) == 1:
                return np.repeat(self.classes_, logits.shape[0])
            return self.classes_[(logits[:, 0] > 0).astype(int)]
        xp = get_namespace(logits)
        if self._is_multilabel():
            return xp.astype(logits > 0, xp.int64)
        if self.out_activation_ == "softmax":
            return self._labels(xp.argmax(logits, axis=1))
        if len(self.classes_) == 1:  # trained on a single class: always that class
            return self._labels(xp.zeros(logits.shape[0], dtype=xp.int64, device=device(logits)))
        return self._labels(xp.astype(logits[:, 0] > 0, xp.int64))

    def _labels(self, indices):
        """``classes_[indices]``, where ``indices`` live when the labels are numbers.

        Text labels cannot live on another library's device: they come back as NumPy arrays.
        """
        if isinstance(indices, np.ndarray):
            return self.classes_[indices]
        if not np.issubdtype(self.classes_.dtype, np.number):
            return self.classes_[to_numpy(indices)]
        xp = get_namespace(indices)
        return xp.take(asarray(self.classes_, xp, device(indices)), indices, axis=0)

    def predict_proba(self, X):
        """Return class probabilities computed from the logits.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1 (independent per label for multilabel targets). A model fitted on
            a single class gives that class probability 1.
        """
        return self._probabilities(self._logits(X, "predict_proba"))[0]

    def predict_log_proba(self, X):
        """Return the logarithm of :meth:`predict_proba`, finite even where it underflows.

        Where a probability is positive this is exactly its ``log``, so both methods rank
        the classes alike (ties included); where it underflows to 0 (``MLPClassifier``
        gives ``-inf`` there) the log-probability is computed from the logits.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Logarithm of :meth:`predict_proba`.
        """
        proba, logits = self._probabilities(self._logits(X, "predict_log_proba"))
        positive = proba > 0
        if not isinstance(proba, np.ndarray):
            xp = get_namespace(proba)
            logs = xp.log(xp.where(positive, proba, xp.ones_like(proba)))
            return xp.where(positive, logs, self._log_probabilities(logits))
        log_proba = np.log(proba, out=np.zeros_like(proba), where=positive)
        if not positive.all():
            log_proba[~positive] = self._log_probabilities(logits)[~positive]
        return log_proba

    def _probabilities(self, logits):
        """``(predict_proba, logits)`` from the output logits."""
        if self.n_outputs_ == 1 and not self._is_multilabel():
            if isinstance(logits, np.ndarray):
                if len(self.classes_) == 1:
                    return np.ones_like(logits), logits
                output = self._network.output
                return np.hstack([output.proba(-logits), output.proba(logits)]), logits
            xp = get_namespace(logits)
            if len(self.classes_) == 1:
                return xp.ones_like(logits), logits
            output = self._network.output  # one sigmoid unit: P(classes_[1]) = sigmoid(z)
            return xp.concat([output.proba(-logits), output.proba(logits)], axis=1), logits
        return self._network.output.proba(logits), logits

    def _log_probabilities(self, logits):
        """Log-probabilities computed from the logits without rounding to ``log(0)``."""
        if self.n_outputs_ == 1 and not self._is_multilabel():
            xp, output = get_namespace(logits), self._network.output
            return xp.concat([output.log_proba(-logits), output.log_proba(logits)], axis=1)
        return self._network.output.log_proba(logits)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
