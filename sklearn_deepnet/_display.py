"""LossCurveDisplay: a fitted network's training loss and validation curves, per epoch."""

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.utils.validation import check_is_fitted

__all__ = ["LossCurveDisplay"]


def _import_pyplot():
    """Import matplotlib's pyplot, or say how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "LossCurveDisplay needs matplotlib. Install it with "
            "`pip install matplotlib` or `pip install 'sklearn_deepnet[plot]'`."
        ) from exc
    return plt


def _epochs(curve):
    """Epoch numbers 1, 2, ... for a curve."""
    return np.arange(1, curve.size + 1)


def _as_curve(values, name):
    """A 1-D float array from a per-epoch list, or None when nothing was recorded."""
    if values is None:
        return None
    curve = np.asarray(values, dtype=float)
    if curve.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of per-epoch values, got {values!r}.")
    return curve if curve.size else None


class LossCurveDisplay:
    """Training loss and, when recorded, validation curves of a network, per epoch.

    The training loss and, when recorded, the validation loss are drawn on the left axis; a
    validation score on a second axis at the right, since a score and a loss have different
    scales. Validation curves are recorded with ``early_stopping=True`` or a validation set
    passed to ``fit(..., X_val=..., y_val=...)``.

    Build it with :meth:`from_estimator`, or directly from recorded curves and call
    :meth:`plot`. All attributes of the plot are stored in the display.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss after each epoch (``loss_curve_``).
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score after each epoch (``validation_scores_``); higher is better.
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation loss after each epoch (``validation_loss_curve_``).
    estimator_name : str, default=None
        Name shown in the title and legend; none if ``None``.
    score_name : str, default=None
        Label of the validation score axis, e.g. ``"accuracy"``. ``"validation score"`` if
        ``None``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes holding the loss curves.
    figure_ : matplotlib Figure
        Figure containing the curves.
    loss_line_ : matplotlib Line2D
        The training loss curve.
    validation_loss_line_ : matplotlib Line2D or None
        The validation loss curve, if one was recorded.
    validation_ax_ : matplotlib Axes or None
        Twin axes (sharing the epoch axis) holding the validation score, if recorded.
    validation_score_line_ : matplotlib Line2D or None
        The validation score curve, if one was recorded.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against the training-set size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_moons
    >>> from sklearn_deepnet import DeepNetClassifier, LossCurveDisplay
    >>> X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    >>> clf = DeepNetClassifier(
    ...     (16,), early_stopping=True, learning_rate_init=0.01, max_iter=300, random_state=0
    ... ).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> display.loss_line_.get_ydata().shape == (clf.n_iter_,)
    True
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_scores=None,
        validation_loss_curve=None,
        estimator_name=None,
        score_name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name
        self.score_name = score_name

    def plot(self, ax=None, *, name=None, loss_kwargs=None, validation_kwargs=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure and axes are created if ``None``.
        name : str, default=None
            Name shown in the title; ``estimator_name`` if ``None``.
        loss_kwargs : dict, default=None
            Keyword arguments for the ``ax.plot`` call of the training loss.
        validation_kwargs : dict, default=None
            Keyword arguments for the ``plot`` calls of the validation curves.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values.
        """
        plt = _import_pyplot()
        loss = _as_curve(self.loss_curve, "loss_curve")
        if loss is None:
            raise ValueError(
                "loss_curve is empty: there is nothing to plot. Fit the estimator first."
            )
        if ax is None:
            _, ax = plt.subplots()
        name = self.estimator_name if name is None else name
        lines = self._plot_losses(ax, loss, loss_kwargs or {}, validation_kwargs or {})
        lines += self._plot_scores(ax, validation_kwargs or {})
        # "best" only avoids the lines of its own axes; with a score axis, losses usually
        # fall to the bottom and scores rise to the top, leaving the middle free.
        legend_ax = ax if self.validation_ax_ is None else self.validation_ax_
        legend_ax.legend(
            lines,
            [line.get_label() for line in lines],
            loc="best" if self.validation_ax_ is None else "center right",
        )
        if name:
            ax.set_title(name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _plot_losses(self, ax, loss, loss_kwargs, validation_kwargs):
        """Draw the training (and validation) loss on ``ax``; return the lines drawn."""
        self.loss_line_ = ax.plot(
            _epochs(loss), loss, **{"label": "training loss", "color": "C0", **loss_kwargs}
        )[0]
        self.validation_loss_line_ = None
        val_loss = _as_curve(self.validation_loss_curve, "validation_loss_curve")
        if val_loss is not None:
            self.validation_loss_line_ = ax.plot(
                _epochs(val_loss),
                val_loss,
                **{"label": "validation loss", "color": "C1", **validation_kwargs},
            )[0]
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        return [line for line in (self.loss_line_, self.validation_loss_line_) if line]

    def _plot_scores(self, ax, validation_kwargs):
        """Draw the validation scores on a second axis of ``ax``; return the lines drawn."""
        self.validation_ax_ = None
        self.validation_score_line_ = None
        scores = _as_curve(self.validation_scores, "validation_scores")
        if scores is None:
            return []
        score_label = self.score_name or "validation score"
        self.validation_ax_ = ax.twinx()
        self.validation_score_line_ = self.validation_ax_.plot(
            _epochs(scores),
            scores,
            **{
                "label": f"validation {self.score_name}" if self.score_name else score_label,
                "color": "C2",
                "linestyle": "--",
                **validation_kwargs,
            },
        )[0]
        self.validation_ax_.set_ylabel(score_label)
        return [self.validation_score_line_]

    @classmethod
    def from_estimator(
        cls, estimator, *, ax=None, name=None, loss_kwargs=None, validation_kwargs=None
    ):
        """Plot the curves recorded by a fitted network.

        Parameters
        ----------
        estimator : estimator instance
            A fitted estimator with a ``loss_curve_`` attribute: ``DeepNetClassifier``,
            ``LogisticRegressionGD``, scikit-learn's ``MLPClassifier``, ... or a ``Pipeline``
            ending in one. ``validation_loss_curve_`` and ``validation_scores_`` are plotted
            when recorded (early stopping or a validation set passed to ``fit``); the scores
            are left out when they are the negated validation loss (``scoring='loss'``).
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure and axes are created if ``None``.
        name : str, default=None
            Name shown in the title; the estimator's class name if ``None``.
        loss_kwargs : dict, default=None
            Keyword arguments for the ``ax.plot`` call of the training loss.
        validation_kwargs : dict, default=None
            Keyword arguments for the ``plot`` calls of the validation curves.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values.
        """
        if hasattr(estimator, "steps"):  # a Pipeline: its final step was trained
            estimator = estimator[-1]
        check_is_fitted(estimator)
        if getattr(estimator, "loss_curve_", None) is None:
            raise ValueError(
                f"{type(estimator).__name__} records no loss_curve_; LossCurveDisplay plots "
                "the per-epoch loss of networks trained by an iterative solver."
            )
        scoring = getattr(estimator, "scoring", None)
        validation_scores = getattr(estimator, "validation_scores_", None)
        validation_loss_curve = getattr(estimator, "validation_loss_curve_", None)
        score_name = None
        if scoring == "loss" and validation_loss_curve:
            validation_scores = None  # the negated validation loss, already drawn
        elif isinstance(scoring, str):
            score_name = scoring
        elif scoring is None and is_classifier(estimator):
            score_name = "accuracy"  # what MLPClassifier's validation_scores_ hold
        elif scoring is None and is_regressor(estimator):
            score_name = "r2"  # what MLPRegressor's validation_scores_ hold
        display = cls(
            loss_curve=estimator.loss_curve_,
            validation_scores=validation_scores,
            validation_loss_curve=validation_loss_curve,
            estimator_name=type(estimator).__name__,
            score_name=score_name,
        )
        return display.plot(
            ax=ax, name=name, loss_kwargs=loss_kwargs, validation_kwargs=validation_kwargs
        )
