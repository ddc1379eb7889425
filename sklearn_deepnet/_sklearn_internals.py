"""The one module that relies on scikit-learn internals: private imports and the callback API.

Everything here may change in a scikit-learn release without notice, so nothing else in the
package imports a private scikit-learn name, calls a private scikit-learn method or touches a
callback context:

- :func:`fit_context` (``sklearn.base._fit_context``) wraps ``fit`` and ``partial_fit``;
- :class:`Interval`, :class:`Options`, :class:`StrOptions` (``sklearn.utils._param_validation``)
  declare the parameter constraints;
- :func:`validate_params` runs an estimator's parameter validation outside ``fit``, and
  :func:`parameter_names` lists a class's constructor parameters;
- :func:`input_feature_names` checks ``get_feature_names_out``'s ``input_features`` as
  scikit-learn's own transformers do;
- :func:`rebuild_one_hot_encoder`, :func:`one_hot_encoder_width` and
  :func:`rebuild_column_transformer` restore the private bookkeeping of the scikit-learn
  transformers a model file may hold, with the installed version's own methods (the other
  fitted attributes those files restore are named in the codec tables of
  ``persistence/_classes.py``, and round-tripped on the oldest and newest supported versions in
  CI);
- the glue between the training loop and the experimental callback API, below.

scikit-learn 1.9 ships :mod:`sklearn.callback` (experimental upstream: its names and hooks may
change without deprecation). An estimator that inherits its ``CallbackSupportMixin`` gains
``set_callbacks(*callbacks)``; during ``fit`` it opens a *root task* and, here, one *subtask per
epoch* (per iteration for ``solver='lbfgs'``), so that

- ``sklearn.callback.ProgressBar()`` draws a bar for a long fit, and nested bars when the
  estimator is fitted inside ``Pipeline`` or ``GridSearchCV``;
- ``sklearn.callback.ScoringMonitor(scoring=...)`` scores a snapshot of the model after every
  epoch;
- any callback's ``on_fit_task_end`` returning ``True`` after an epoch stops training there.

The training loop talks to the callbacks through three calls only::

    callbacks = begin_fit(self, X, y, sample_weight, max_epochs=self.max_iter)
    for epoch in ...:
        callbacks.epoch_begin()
        ...  # one epoch
        if callbacks.epoch_end():
            break  # a callback asked to stop
    callbacks.end()

Where :mod:`sklearn.callback` does not exist (scikit-learn < 1.9), :class:`CallbackSupportMixin`
gives no ``set_callbacks`` (``hasattr(estimator, "set_callbacks")`` is ``False``, which is how
scikit-learn's meta-estimators tell that an estimator takes no callbacks; calling it raises an
``AttributeError`` saying which scikit-learn is needed) and :func:`begin_fit` returns an object
whose methods do nothing.
"""

import copy

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_feature_names_in

__all__ = [
    "CALLBACKS_AVAILABLE",
    "CallbackSupportMixin",
    "Interval",
    "Options",
    "StrOptions",
    "begin_fit",
    "fit_context",
    "input_feature_names",
    "one_hot_encoder_width",
    "parameter_names",
    "rebuild_column_transformer",
    "rebuild_one_hot_encoder",
    "validate_params",
]


def fit_context(method):
    """Decorate ``fit`` or ``partial_fit``: validate the parameters once, tear callbacks down.

    Parameters
    ----------
    method : callable
        The fitting method.

    Returns
    -------
    wrapped : callable
        ``method`` inside scikit-learn's fit context (nested estimators skip re-validation).
    """
    return _fit_context(prefer_skip_nested_validation=True)(method)


def validate_params(estimator):
    """Validate ``estimator``'s parameters against its ``_parameter_constraints``, as ``fit`` does.

    Parameters
    ----------
    estimator : estimator instance
        A scikit-learn estimator.
    """
    estimator._validate_params()


def parameter_names(cls):
    """The constructor parameter names of an estimator class, as ``get_params`` lists them.

    Parameters
    ----------
    cls : type
        A scikit-learn estimator class.

    Returns
    -------
    names : list of str
    """
    return cls._get_param_names()


def input_feature_names(estimator, input_features=None):
    """The input feature names a fitted transformer's ``get_feature_names_out`` builds on.

    Parameters
    ----------
    estimator : estimator instance
        A fitted transformer (``n_features_in_`` set, ``feature_names_in_`` when fitted on
        named columns).
    input_features : array-like of str or None, default=None
        ``None``: ``feature_names_in_``, else ``x0``, ``x1``, ...; otherwise checked against
        ``n_features_in_`` and ``feature_names_in_`` (a ``ValueError`` when they disagree).

    Returns
    -------
    names : ndarray of str objects
    """
    return _check_feature_names_in(estimator, input_features)


def rebuild_one_hot_encoder(encoder):
    """Derive a ``OneHotEncoder``'s private state from its parameters and ``categories_``.

    Infrequent categories are not supported (``min_frequency`` and ``max_categories`` unset).

    Parameters
    ----------
    encoder : OneHotEncoder
        An encoder whose parameters and ``categories_`` are set.
    """
    encoder._infrequent_enabled = False
    encoder._set_drop_idx()
    encoder._n_features_outs = encoder._compute_n_features_outs()


def one_hot_encoder_width(encoder):
    """The number of output columns of a fitted (rebuilt) ``OneHotEncoder``."""
    return int(sum(encoder._n_features_outs))


def rebuild_column_transformer(transformer, columns, input_indices):
    """Restore a ``ColumnTransformer``'s column bookkeeping; return its remainder triple.

    Parameters
    ----------
    transformer : ColumnTransformer
        Its parameters, ``n_features_in_`` (and ``feature_names_in_``) set.
    columns : list
        Each transformer's column selection, in order.
    input_indices : dict
        Transformer name -> the input column indices it selects.

    Returns
    -------
    remainder : tuple
        ``("remainder", transformer or 'drop' or 'passthrough', remainder columns)``.
    """
    transformer._columns = columns
    transformer._transformer_to_input_indices = dict(input_indices)
    transformer._validate_remainder(None)
    return transformer._remainder

try:
    from sklearn.callback import CallbackSupportMixin as _SklearnCallbackSupportMixin
except ImportError:  # scikit-learn < 1.9
    _SklearnCallbackSupportMixin = None

#: Whether the installed scikit-learn has the (experimental) :mod:`sklearn.callback` module.
CALLBACKS_AVAILABLE = _SklearnCallbackSupportMixin is not None

# Mutable fitted attributes copied into the ``fitted_estimator`` snapshot handed to callbacks,
# so that a callback that keeps it sees the model of that epoch, not the one trained further.
_SNAPSHOT_ATTRIBUTES = (
    "_network",
    "loss_curve_",
    "validation_scores_",
    "validation_loss_curve_",
)


def _callbacks_unavailable(estimator):
    """``available_if`` check: explain that the installed scikit-learn has no callback API."""
    import sklearn

    raise AttributeError(
        f"{type(estimator).__name__}.set_callbacks needs scikit-learn >= 1.9, whose "
        f"experimental sklearn.callback module it uses; scikit-learn {sklearn.__version__} is "
        "installed. Upgrade scikit-learn, or use verbose=True for per-epoch progress lines."
    )


if CALLBACKS_AVAILABLE:

    class CallbackSupportMixin(_SklearnCallbackSupportMixin):
        """Give an estimator ``set_callbacks`` (scikit-learn's experimental callback API).

        A thin subclass of :class:`sklearn.callback.CallbackSupportMixin`; it exists so that
        the estimators inherit the same name whether or not the installed scikit-learn has
        the callback API.
        """

else:

    class CallbackSupportMixin:
        """Stand-in for :class:`sklearn.callback.CallbackSupportMixin` on scikit-learn < 1.9.

        ``set_callbacks`` is unavailable: ``hasattr(estimator, "set_callbacks")`` is
        ``False`` and calling it raises an ``AttributeError`` that names the scikit-learn
        version needed.
        """

        @available_if(_callbacks_unavailable)
        def set_callbacks(self, *callbacks):  # pragma: no cover - never reachable
            """Unavailable: scikit-learn >= 1.9 is needed for callbacks.

            Parameters
            ----------
            *callbacks : callback instances
                Ignored.

            Returns
            -------
            self : object
                Never returned.
            """
            return self


class _NoCallbacks:
    """What :func:`begin_fit` returns when there is nothing to notify: every call is a no-op."""

    def epoch_begin(self):
        """Do nothing."""

    def epoch_end(self):
        """Do nothing; never ask to stop.

        Returns
        -------
        stop : bool
            Always ``False``.
        """
        return False

    def end(self):
        """Do nothing."""


_NO_CALLBACKS = _NoCallbacks()


class _FitCallbacks:
    """The callback tasks of one call to ``fit`` or ``partial_fit``: a root task, epoch subtasks.

    Built by :func:`begin_fit`; see the module docstring for the calling protocol.
    """

    def __init__(self, estimator, X, y, sample_weight, max_epochs, task_name):
        self._estimator = estimator
        self._X = X
        self._y = y
        self._metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        self._max_epochs = max_epochs
        self._n_epochs = 0
        self._epoch_ctx = None
        self._root_ctx = estimator._init_callback_context(
            task_name=task_name, max_subtasks=max_epochs
        )
        self._root_ctx.call_on_fit_task_begin(
            estimator=estimator, X=X, y=y, metadata=self._metadata
        )

    def _snapshot(self):
        """Fitted attributes that make a copy of the estimator predict as it does now."""
        return {
            name: copy.deepcopy(self._estimator.__dict__[name])
            for name in _SNAPSHOT_ATTRIBUTES
            if name in self._estimator.__dict__
        }

    def epoch_begin(self):
        """Open the next epoch's task and call the callbacks' ``on_fit_task_begin``."""
        if self._epoch_ctx is not None or self._n_epochs >= self._max_epochs:
            return
        self._n_epochs += 1
        self._epoch_ctx = self._root_ctx.subcontext(task_name="epoch")
        self._epoch_ctx.call_on_fit_task_begin(
            estimator=self._estimator, X=self._X, y=self._y, metadata=self._metadata
        )

    def epoch_end(self):
        """Close the current epoch's task (opening it first if needed).

        The callbacks' ``on_fit_task_end`` receives the training data and, when it asks for
        ``fitted_estimator``, a copy of the estimator holding this epoch's weights.

        Returns
        -------
        stop : bool
            Whether a callback asked to stop training after this epoch.
        """
        self.epoch_begin()
        ctx, self._epoch_ctx = self._epoch_ctx, None
        if ctx is None:  # more epochs than announced: nothing left to notify
            return False
        return bool(
            ctx.call_on_fit_task_end(
                estimator=self._estimator,
                X=self._X,
                y=self._y,
                metadata=self._metadata,
                reconstruction_attributes=self._snapshot,
            )
        )

    def end(self):
        """Close an epoch task left open (empty, as training stopped) and the root task."""
        if self._epoch_ctx is not None:
            self._epoch_ctx.call_on_fit_task_end(estimator=self._estimator)
            self._epoch_ctx = None
        self._root_ctx.call_on_fit_task_end(
            estimator=self._estimator,
            X=self._X,
            y=self._y,
            metadata=self._metadata,
            reconstruction_attributes=self._snapshot,
        )


def begin_fit(estimator, X, y, sample_weight=None, *, max_epochs, task_name="fit"):
    """Open the callback tasks of one call to ``fit`` or ``partial_fit``.

    Call it once the data are validated and the network is initialized, before the first
    epoch. The ``fit`` method must be decorated with :func:`fit_context` (or
    ``sklearn.callback.with_callbacks``), which tears the callbacks down when ``fit`` exits.

    Parameters
    ----------
    estimator : estimator instance
        The estimator being fitted.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The training data, as the user passed them (so that a callback's scorer sees the
        feature names the model was fitted with).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The training targets, as the user passed them.
    sample_weight : array-like of shape (n_samples,), default=None
        Passed to the callbacks as ``metadata={"sample_weight": sample_weight}``.
    max_epochs : int
        Most epochs (or L-BFGS iterations) this call can run: the length of a progress bar.
    task_name : str, default="fit"
        Name of the root task (``"partial_fit"`` for one incremental epoch).

    Returns
    -------
    callbacks : object
        With ``epoch_begin()``, ``epoch_end() -> bool`` (``True``: a callback asks to stop)
        and ``end()``. Every call is a no-op when no callback is set on the estimator or
        propagated to it by a meta-estimator.
    """
    if not CALLBACKS_AVAILABLE or not isinstance(estimator, _SklearnCallbackSupportMixin):
        return _NO_CALLBACKS
    if not getattr(estimator, "_skl_callbacks", None) and not hasattr(
        estimator, "_parent_callback_ctx"
    ):
        return _NO_CALLBACKS
    return _FitCallbacks(estimator, X, y, sample_weight, max_epochs, task_name)
