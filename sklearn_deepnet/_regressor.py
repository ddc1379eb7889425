"""DeepNetRegressor: the L-layer network for real-valued (or count) targets, one or several."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, validate_data

from . import _docs
from ._base import BaseDeepNet, BatchNormalizationMixin
from ._input_checks import float_dtypes
from ._sklearn_internals import StrOptions, fit_context
from .nn._namespace import numpy_dtype, to_numpy

_LOSS_OUTPUTS = {"squared_error": "identity", "poisson": "exp"}


class DeepNetRegressor(RegressorMixin, BatchNormalizationMixin, BaseDeepNet):
    __doc__ = _docs.compose(
        """Fully connected L-layer network regressor trained by vectorized backpropagation.

    A drop-in superset of :class:`sklearn.neural_network.MLPRegressor`: every parameter of it
    with the same name, meaning and default, the same fitted attributes and methods, plus the
    additions of :class:`DeepNetClassifier` (dropout, batch normalization, a validation set of
    your own with any scorer, step and exponential decay, ``init``, more activations and
    solvers).

    The output layer is the course's for predicting a real number: the identity, with half
    the squared error, so the gradient at the output is again ``dZ = A - Y``. Several targets
    (``y`` of shape ``(n_samples, n_outputs)``) share the hidden layers. The training
    objective on a batch with sample weights ``s`` is::

        (sum_i s_i * 1/2 ||f(x_i) - y_i||^2 + alpha / 2 * sum_l ||W_l||^2) / sum_i s_i

""",
        _docs.parameters(
            "loss",
            *_docs.NETWORK_PARAMETERS,
            *_docs.TRAINING_PARAMETERS,
            loss="""\
    loss : {'squared_error', 'poisson'}, default='squared_error'
        ``'squared_error'``: identity output, half the squared error summed over the
        outputs. ``'poisson'``: exponential output (predictions are ``exp(z) > 0``), half
        the Poisson deviance, for non-negative counts or rates.
""",
            early_stopping=_docs.entry(
                "early_stopping : bool, default=False",
                "Stop when the validation score (see ``scoring``) has not improved by ``tol`` "
                "for more than ``n_iter_no_change`` epochs, and restore the weights of the best "
                "epoch. The validation set is ``X_val, y_val`` when given to ``fit``, else a "
                "random ``validation_fraction`` of the training data. The solvers that cannot "
                "monitor a validation set ({novalidation}) ignore it with a warning. "
                "``partial_fit`` stops early only on a given ``X_val`` (without one, "
                "``early_stopping=True`` makes it raise ``MLPRegressor``'s error).",
            ),
        ),
        _docs.attributes(
            *_docs.NETWORK_ATTRIBUTES,
            out_activation_="""\
    out_activation_ : str
        ``'identity'`` (``loss='squared_error'``) or ``'exp'`` (``loss='poisson'``).
""",
        ),
        """\
    See Also
    --------
    DeepNetClassifier : The classification counterpart.
    sklearn.neural_network.MLPRegressor : The estimator this one extends.

    Notes
    -----
    Deliberate differences from ``MLPRegressor`` (the user guide's migration page lists them
    all): the loss is summed over the outputs, not averaged, so that ``loss_`` is the
    objective whose gradient is trained on (``MLPRegressor`` reports the average but steps
    along the sum's gradient; both are the same for one output); a diverging loss stops
    training at once with a ``ConvergenceWarning`` and restores the last finite weights
    (``MLPRegressor`` trains on with NaN weights).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_deepnet import DeepNetRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> y = y / y.std()  # targets of order 1, as for features: gradient steps like it
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     DeepNetRegressor(
    ...         hidden_layer_sizes=(32,), learning_rate_init=0.01, early_stopping=True,
    ...         max_iter=500, random_state=0,
    ...     ),
    ... )
    >>> model.fit(X, y).score(X, y) > 0.5
    True
""",
    )

    _parameter_constraints: dict = {
        **BaseDeepNet._parameter_constraints,
        "loss": [StrOptions(set(_LOSS_OUTPUTS))],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="auto",
        negative_slope=0.01,
        dropout=0.0,
        batch_normalization=False,
        scoring=None,
        decay_rate=0.5,
        decay_steps=10,
        warmup_iter=0,
        weight_decay=0.0,
        restore_best_weights=False,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.init = init
        self.negative_slope = negative_slope
        self.dropout = dropout
        self.batch_normalization = batch_normalization
        self.scoring = scoring
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
        self.warmup_iter = warmup_iter
        self.weight_decay = weight_decay
        self.restore_best_weights = restore_best_weights

    # -- targets -------------------------------------------------------------------------------

    def _output_name(self):
        return _LOSS_OUTPUTS[self.loss]

    def _validate_training_data(self, X, y, incremental, reset):
        """Validate ``X`` and ``y``; return ``X``, the 2-D targets and no strata."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=float_dtypes(X),
            multi_output=True,
            y_numeric=True,
            reset=reset,
        )
        if sp.issparse(X) and X.format == "csc":
            X = X.tocsr()  # mini-batches take rows
        Y = self._check_targets(to_numpy(y), "y")  # checked on the CPU, moved to X's device
        if not reset and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} target column(s) but the model was fitted on "
                f"{self.n_outputs_}; refit from scratch to change the number of targets."
            )
        return X, Y.astype(numpy_dtype(X), copy=False), None

    def _check_targets(self, y, name):
        """Targets as a finite 2-D array, non-negative for the Poisson loss."""
        Y = np.asarray(y, dtype=np.float64)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if not np.isfinite(Y).all():
            raise ValueError(f"{name} contains NaN or infinity; give finite targets.")
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError(
                f"{name} has negative values, which loss='poisson' (counts or rates) cannot "
                "model; use loss='squared_error' or shift the targets."
            )
        return Y

    def _encode_validation_targets(self, y_val):
        """``y_val`` as a 2-D array with the training set's number of targets."""
        y_val = check_array(to_numpy(y_val), ensure_2d=False, dtype=np.float64, input_name="y_val")
        Y_val = self._check_targets(y_val, "y_val")
        if Y_val.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y_val has {Y_val.shape[1]} target column(s) but y has {self.n_outputs_}."
            )
        return Y_val, None

    def _decode_targets(self, Y):
        """Targets in the shape ``predict`` returns."""
        return Y[:, 0] if Y.shape[1] == 1 else Y

    # -- training and prediction ---------------------------------------------------------------

    @available_if(BaseDeepNet._partial_fit_available)
    @fit_context
    def partial_fit(
        self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None
    ):
        """Run one epoch of the solver over ``X``, ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), \
default=None
            A validation set scored after this call's epoch; with ``early_stopping=True``,
            once its score has not improved by ``tol`` for more than ``n_iter_no_change``
            calls, the best call's weights are restored and a warning says to stop.
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_outputs), \
default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, (X_val, y_val, sample_weight_val), True)

    def predict(self, X):
        """Predict the targets of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions; 1-D when the model has one output, as ``MLPRegressor``'s.
        """
        logits = self._logits(X)
        return self._decode_targets(self._network.output.proba(logits))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
