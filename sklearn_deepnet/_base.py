"""The shared estimator base: parameter validation, the training loop as named steps, prediction.

``BaseDeepNet`` turns scikit-learn data into arrays for the engine in :mod:`sklearn_deepnet.nn` and
runs it. ``BaseDeepNetClassifier`` (in ``_base_classifier.py``) adds label encoding and the
classifier's prediction methods; ``DeepNetRegressor`` adds real-valued targets. The public
estimators are configurations of these: ``DeepNetClassifier`` exposes every parameter,
``LogisticRegressionGD`` fixes the network to have no hidden layer.
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    check_is_fitted,
    check_random_state,
    validate_data,
)

from ._callbacks import CallbackSupportMixin, begin_fit
from ._input_checks import (
    _check_sample_weight,
    _check_validation_args,
    _Validation,
    _warn_if_badly_scaled,
)
from ._persistence import _PersistenceMixin
from .nn import INITIALIZERS, OUTPUTS, SOLVERS, Network, Objective, get_activation
from .nn.activations import ACTIVATIONS

_SCHEDULES = ("constant", "invscaling", "adaptive", "step", "exponential")


class _ParameterList(list):
    """A list of views into the flat parameter buffer; assigning an item writes into the view.

    ``clf.coefs_[0] = W`` thus changes the weights the model trains and predicts with, as it
    does for ``MLPClassifier``, instead of detaching one layer from the buffer.
    """

    def __setitem__(self, index, value):
        views = list.__getitem__(self, index)
        values = value if isinstance(index, slice) else [value]
        views = views if isinstance(index, slice) else [views]
        if len(values) != len(views):
            raise ValueError(f"expected {len(views)} arrays, got {len(values)}.")
        for view, new in zip(views, values, strict=True):
            if np.shape(new) != view.shape:
                raise ValueError(
                    f"a parameter array of shape {view.shape} cannot take shape {np.shape(new)}."
                )
            view[...] = new


def _check_hand_set(values, views, name):
    """Hand-assigned parameter arrays, checked against the network's layer shapes."""
    shapes = [view.shape for view in views]
    given = [np.shape(value) for value in values]
    if given != shapes:
        raise ValueError(
            f"{name} was assigned arrays of shapes {given} before fitting, but the network "
            f"(hidden_layer_sizes and the data) has layers of shapes {shapes}. Assign arrays "
            "of those shapes, or fit without assigning weights."
        )
    return [np.asarray(value) for value in values]


class BaseDeepNet(CallbackSupportMixin, _PersistenceMixin, BaseEstimator):
    """Shared machinery of the networks trained by backpropagation.

    Not for direct use: subclasses define ``__init__`` (the public parameters) and the target
    handling (``_output_name``, ``_validate_training_data``, ``_encode_validation_targets``,
    ``_decode_targets``).
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions(set(_SCHEDULES))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"auto"} | set(INITIALIZERS))],
        "negative_slope": [Interval(Real, 0, 1, closed="left")],
        "dropout": ["array-like", Interval(Real, 0, 1, closed="left")],
        "decay_rate": [Interval(Real, 0, 1, closed="right")],
        "decay_steps": [Interval(Integral, 1, None, closed="left")],
        "scoring": [None, StrOptions({"loss"}), str, callable],
    }

    # -- configuration: what the network looks like -------------------------------------------

    def _hidden_sizes(self):
        """Validated hidden layer sizes as a tuple of positive ints."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, Integral | Real | np.number):
            sizes = [sizes]
        sizes = list(sizes)
        for size in sizes:
            if (
                isinstance(size, bool | np.bool_)
                or not isinstance(size, Integral | np.integer)
                or size <= 0
            ):
                raise ValueError(
                    f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes!r}. It holds "
                    "the number of units of each hidden layer: positive integers."
                )
        return tuple(int(size) for size in sizes)

    def _dropout_rates(self):
        """One dropout rate per hidden layer, each in ``[0, 1)``."""
        n_hidden = len(self._hidden_sizes())
        dropout = self.dropout
        if isinstance(dropout, Real | np.number) and not isinstance(dropout, bool | np.bool_):
            rates = [float(dropout)] * n_hidden
        else:
            rates = [float(rate) for rate in dropout]
            if len(rates) != n_hidden:
                raise ValueError(
                    f"dropout holds {len(rates)} rate(s) but the network has {n_hidden} hidden "
                    "layer(s): give one rate per hidden layer, or a single float for all."
                )
        if not all(0 <= rate < 1 for rate in rates):
            raise ValueError(
                f"dropout rates must be in [0, 1) (the probability of dropping a unit), got "
                f"{self.dropout!r}."
            )
        return rates

    def _layer_initializers(self, n_layers):
        """One initializer per weight layer; ``init='auto'`` takes the activation's own.

        The activation's own is ``MLPClassifier``'s initialization for the activations it has,
        drawn for every layer (the output layer included), as it does.
        """
        if self.init == "auto":
            init = get_activation(self.activation, self.negative_slope).default_init
        else:
            init = INITIALIZERS[self.init]
        return [init] * n_layers

    def _check_solver_options(self, has_validation_set, incremental):
        """Reject parameter combinations the chosen solver cannot honour."""
        if incremental and self.early_stopping and not has_validation_set:
            raise ValueError(
                "partial_fit does not support early_stopping=True without a validation set: "
                "one call sees one batch, from which no split can be held out. Pass "
                "X_val and y_val to partial_fit to stop early across calls, or set "
                "early_stopping=False."
            )
        solver = SOLVERS[self.solver]
        if not solver.uses_learning_rate and self.learning_rate != "constant":
            raise ValueError(
                f"learning_rate={self.learning_rate!r} is a schedule for solver 'gd', 'sgd' or "
                f"'adam'; solver={self.solver!r} chooses its own step size. Use "
                "learning_rate='constant' with this solver, or pick another solver."
            )
        if any(self._dropout_rates()) and self.solver in ("agd", "lbfgs"):
            raise ValueError(
                f"dropout makes the objective random, but solver={self.solver!r} needs a fixed "
                "one (its line search compares losses). Use solver 'adam', 'sgd' or 'gd' with "
                "dropout, or set dropout=0."
            )
        if self.solver == "lbfgs" and (self.early_stopping or has_validation_set):
            warnings.warn(
                "early_stopping=True and X_val/y_val are ignored by solver='lbfgs', which "
                "cannot stop on or monitor a validation score: it trains on all the data. Use "
                "an epoch-based solver ('gd', 'agd', 'sgd' or 'adam') to stop early.",
                UserWarning,
                stacklevel=5,
            )

    # -- fitting -------------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to data ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data. float32 input is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights: the loss is the weighted mean over samples.
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            A validation set of your own, scored after every epoch (``validation_scores_``,
            ``validation_loss_curve_``). With ``early_stopping=True`` it replaces the
            ``validation_fraction`` split: all of ``X`` is trained on. Needs ``y_val``.
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_outputs), \
default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, (X_val, y_val, sample_weight_val), False)

    def _fit(self, X, y, sample_weight, validation_data, incremental):
        """Validate, set up the network on a first pass, then run the solver.

        As for ``MLPClassifier``, a first pass is a ``fit`` without ``warm_start`` or a call
        on a model without weights; weights assigned by hand to an unfitted model
        (``coefs_``, ``intercepts_``) are the starting point of ``partial_fit`` and of a
        warm-started ``fit``.
        """
        has_validation_set = _check_validation_args(*validation_data)
        self._check_solver_options(has_validation_set, incremental)
        X_given, y_given = X, y  # what callbacks score the model on
        fresh = not self.warm_start and not incremental
        first_pass = fresh or "_network" not in self.__dict__
        X, Y, strata = self._validate_training_data(X, y, incremental, reset=first_pass)
        if first_pass:
            _warn_if_badly_scaled(X)
        sample_weight = self._training_weights(sample_weight, X, Y, strata, incremental)
        rng = check_random_state(self.random_state)
        if first_pass:
            hand_set = None if fresh else self._hand_set_parameters()
            self._initialize(X.shape[1], Y.shape[1], X.dtype, rng, hand_set)
        dtype = self._fitted_network().params.dtype
        X, Y = X.astype(dtype, copy=False), Y.astype(dtype, copy=False)
        if sample_weight is not None:
            sample_weight = sample_weight.astype(dtype, copy=False)
        objective = Objective(self._network, self.alpha)
        callbacks = begin_fit(
            self,
            X_given,
            y_given,
            sample_weight,
            max_epochs=1 if incremental else self.max_iter,
            task_name="partial_fit" if incremental else "fit",
        )
        with np.errstate(over="ignore", invalid="ignore"):
            if self.solver == "lbfgs":
                self._fit_lbfgs(objective, X, Y, sample_weight, callbacks)
                callbacks.end()
                return self
            validation = None
            if has_validation_set:
                validation = self._validation_set(*validation_data, dtype, incremental)
            elif self.early_stopping:
                (X, Y, sample_weight), validation = self._split_validation(
                    X, Y, strata, sample_weight, rng
                )
            self._fit_epochs(
                objective, X, Y, sample_weight, validation, rng, incremental, callbacks
            )
        callbacks.end()
        return self

    def _training_weights(self, sample_weight, X, Y, strata, incremental):
        """Per-sample weights of the training set: ``sample_weight`` (classifiers: times the
        class weights)."""
        return _check_sample_weight(sample_weight, X.shape[0], X.dtype)

    def _validation_set(self, X_val, y_val, sample_weight_val, dtype, incremental):
        """Validate a user's validation set against the training data's features and targets."""
        try:
            X_val = validate_data(
                self, X_val, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32),
                reset=False,
            )
        except ValueError as exc:
            raise ValueError(f"X_val is invalid: {exc}") from exc
        Y_val, strata = self._encode_validation_targets(y_val)
        if Y_val.shape[0] != X_val.shape[0]:
            raise ValueError(
                f"X_val has {X_val.shape[0]} samples but y_val has {Y_val.shape[0]}; they must "
                "have one target per sample."
            )
        weights = _check_sample_weight(
            sample_weight_val, X_val.shape[0], dtype, "sample_weight_val"
        )
        weights = self._training_weights(weights, X_val, Y_val, strata, incremental=False)
        return _Validation(X_val.astype(dtype, copy=False), Y_val.astype(dtype), weights)

    def _initialize(self, n_features, n_outputs, dtype, rng, hand_set=None):
        """Build the network and reset every fitted attribute.

        The weights are drawn from ``rng``, or copied from ``hand_set``, a pair of lists
        ``(coefs, intercepts)`` assigned by hand before the first fit.
        """
        sizes = (n_features, *self._hidden_sizes(), n_outputs)
        activation = get_activation(self.activation, self.negative_slope)
        fans = zip(sizes[:-1], sizes[1:], strict=True)
        n_params = sum(fan_in * fan_out + fan_out for fan_in, fan_out in fans)
        try:
            if n_params > np.iinfo(np.intp).max // np.dtype(dtype).itemsize:
                raise MemoryError("more bytes than the address space holds")
            network = Network(sizes, activation, OUTPUTS[self._output_name()](), dtype)
        except MemoryError as exc:
            raise MemoryError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} gives a network of "
                f"{n_params:,} parameters ({n_params * np.dtype(dtype).itemsize / 2**30:,.4g} GiB "
                f"as {np.dtype(dtype).name}), more than can be allocated. Use fewer or smaller "
                "hidden layers."
            ) from exc
        if hand_set is None:
            network.initialize(self._layer_initializers(network.n_layers), rng)
        else:
            _ParameterList(network.coefs)[:] = _check_hand_set(hand_set[0], network.coefs, "coefs_")
            _ParameterList(network.intercepts)[:] = _check_hand_set(
                hand_set[1], network.intercepts, "intercepts_"
            )
        self._network = network
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(sizes)
        self.out_activation_ = network.output.name
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        self.validation_scores_ = None
        self.validation_loss_curve_ = None
        self.best_validation_score_ = None
        self._epochs_total = 0
        self._no_improvement_count = 0
        for stale in ("_optimizer", "_best_params", "_hand_set_coefs", "_hand_set_intercepts"):
            self.__dict__.pop(stale, None)

    def _hand_set_parameters(self):
        """``(coefs, intercepts)`` assigned by hand to a model without weights, else ``None``."""
        coefs = self.__dict__.get("_hand_set_coefs")
        intercepts = self.__dict__.get("_hand_set_intercepts")
        if coefs is None and intercepts is None:
            return None
        if coefs is None or intercepts is None:
            missing = "intercepts_" if intercepts is None else "coefs_"
            raise ValueError(
                f"Only one of coefs_ and intercepts_ was assigned before fitting; assign "
                f"{missing} too, to start training from weights of your own."
            )
        return coefs, intercepts

    def _make_optimizer(self):
        """Instantiate the epoch-based solver from the estimator's parameters."""
        lr = self.learning_rate_init
        if self.solver == "sgd":
            return SOLVERS["sgd"](lr, self.momentum, self.nesterovs_momentum)
        if self.solver == "adam":
            return SOLVERS["adam"](lr, self.beta_1, self.beta_2, self.epsilon)
        return SOLVERS[self.solver](lr)

    def _fit_lbfgs(self, objective, X, Y, sample_weight, callbacks):
        """Run SciPy's L-BFGS-B on the full objective."""
        params = self._network.params
        solver = SOLVERS["lbfgs"](self.max_iter, self.max_fun, self.tol)
        grad = np.empty_like(params)
        start = time.perf_counter()
        accepted = params.copy()  # the last iterate L-BFGS accepted
        n_before = len(self.loss_curve_)

        def record(loss):
            accepted[...] = params  # params hold the point just evaluated: the new iterate
            self.loss_curve_.append(loss)
            self.t_ += X.shape[0]
            if self.verbose:
                self._report(len(self.loss_curve_), loss, None, start)
            if callbacks.epoch_end():
                raise StopIteration  # a callback asked to stop; scipy >= 1.11 ends L-BFGS here

        try:
            result = solver.minimize(
                params, lambda: objective.loss_and_gradient(X, Y, sample_weight, grad), record
            )
        except KeyboardInterrupt:
            params[...] = accepted
            self.n_iter_ = len(self.loss_curve_) - n_before
            self.loss_ = (
                self.loss_curve_[-1] if self.n_iter_ else objective.loss(X, Y, sample_weight)
            )
            self.best_loss_ = min([self.loss_, *self.loss_curve_])
            warnings.warn("Training interrupted by user.", UserWarning, stacklevel=5)
            return
        self.n_iter_ = int(result.nit)
        if not np.all(np.isfinite(params)) or not np.isfinite(result.fun):
            self._recover_from_divergence(
                accepted, result.fun, None, objective, X, Y, sample_weight
            )
            self.loss_ = objective.loss(X, Y, sample_weight)
            self.best_loss_ = min([self.loss_, *self.loss_curve_])
            return
        self.loss_ = float(result.fun)
        self.best_loss_ = min([self.loss_, *self.loss_curve_])
        if result.status == 1:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) (status=1): "
                f"{result.message}. Increase max_iter (max_iter={self.max_iter}) or max_fun "
                f"(max_fun={self.max_fun}), or scale the data.",
                ConvergenceWarning,
                stacklevel=5,
            )

    def _split_validation(self, X, Y, strata, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data for early stopping.

        As ``MLPClassifier``: binary targets are split stratified (a class with a single
        sample is an error), regression and multilabel targets at random, and a validation
        set of fewer than 2 samples is an error. Multiclass targets, which ``MLPClassifier``
        splits at random, are split stratified whenever every class can be on both sides.
        """
        try:
            train, val = train_test_split(
                np.arange(X.shape[0]),
                test_size=self.validation_fraction,
                random_state=rng,
                stratify=self._stratify_labels(Y, strata),
            )
        except ValueError as exc:
            raise ValueError(
                f"{exc} (early_stopping holds out validation_fraction="
                f"{self.validation_fraction} of the {X.shape[0]} samples, stratified by "
                "class.) Increase validation_fraction or the number of samples, pass X_val "
                "and y_val, or set early_stopping=False."
            ) from exc
        if val.size < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size "
                f"of your dataset. (It holds {val.size} sample(s); early stopping needs at "
                "least 2. You can also pass X_val and y_val.)"
            )
        train.sort(), val.sort()
        weights = (
            (None, None) if sample_weight is None else (sample_weight[train], sample_weight[val])
        )
        for part, part_weights in zip(("validation", "training"), weights[::-1], strict=True):
            if part_weights is not None and not part_weights.any():
                raise ValueError(
                    f"Every sample of the early-stopping {part} split has zero weight, so it "
                    "cannot be scored or trained on. Give more samples a positive "
                    "sample_weight, change random_state or validation_fraction, or pass X_val "
                    "and y_val."
                )
        return (X[train], Y[train], weights[0]), _Validation(X[val], Y[val], weights[1])

    def _stratify_labels(self, Y, strata):
        """What the early-stopping split is stratified on, or ``None`` for a random split.

        Binary targets: their encoding, as ``MLPClassifier`` does (so its errors are
        ``MLPClassifier``'s). Multiclass: the class indices, when every class has 2 samples
        and fits on both sides of the split. Regression and multilabel (``strata=None``):
        nothing.
        """
        if strata is None:
            return None
        if Y.shape[1] == 1:
            return Y.astype(bool)
        counts = np.bincount(strata)
        counts = counts[counts > 0]
        n_val = int(np.ceil(self.validation_fraction * Y.shape[0]))
        if counts.min() >= 2 and counts.size <= min(n_val, Y.shape[0] - n_val):
            return strata
        return None

    def _batch_size(self, optimizer, n_samples):
        """Rows per gradient step: all of them for full-batch solvers."""
        if optimizer.full_batch:
            return n_samples
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be "
                f"clipped (batch_size={self.batch_size} is larger than the {n_samples} "
                "training samples; using full batches).",
                UserWarning,
                stacklevel=6,
            )
        return min(self.batch_size, n_samples)

    def _fit_epochs(self, objective, X, Y, sample_weight, validation, rng, incremental, callbacks):
        """The epoch loop of the gd, agd, sgd and adam solvers.

        Each epoch: set the scheduled learning rate, take the solver's steps, check for
        divergence, record the loss and the validation scores, then decide whether to stop.
        """
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
        optimizer = self._optimizer
        stopping = self.early_stopping and validation is not None
        if validation is not None and self.validation_scores_ is None:
            self.validation_scores_, self.validation_loss_curve_ = [], []
        if stopping and self.best_validation_score_ is None:
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None  # as MLPClassifier: the validation score decides
        if not incremental:
            self._no_improvement_count = 0
            self.__dict__.pop("_best_params", None)
        rates = self._dropout_rates()
        batch_size = self._batch_size(optimizer, X.shape[0])
        last_finite = self._network.params.copy()
        # gd measures an epoch's loss at the weights before its step, so when that loss
        # diverges the weights to restore are those the previous epoch started from
        gd = optimizer.full_batch and optimizer.uses_learning_rate
        previous = last_finite.copy() if gd else None
        start = time.perf_counter()
        stop_reason = None
        self.n_iter_ = 0  # counts this call's epochs, as MLPClassifier does
        try:
            for _ in range(self.max_iter):
                if previous is not None:
                    previous[...] = last_finite
                last_finite[...] = self._network.params
                callbacks.epoch_begin()
                loss, last_grad = self._run_epoch(
                    optimizer, objective, X, Y, sample_weight, batch_size, rates, rng
                )
                self._epochs_total += 1
                self.n_iter_ += 1
                self.t_ += X.shape[0]
                self.loss_ = float(loss)
                self.loss_curve_.append(self.loss_)
                if self._diverged(loss):
                    restored = last_finite if previous is None else previous
                    self._recover_from_divergence(
                        restored, loss, validation, objective, X, Y, sample_weight
                    )
                    callbacks.epoch_end()
                    stop_reason = "diverged"
                    break
                score = None if validation is None else self._record_validation(validation)
                if self.verbose:
                    self._report(self.n_iter_, self.loss_, score, start)
                self._set_scheduled_learning_rate(optimizer)
                stop_reason = self._stop_reason(optimizer, last_grad, score if stopping else None)
                if callbacks.epoch_end() and stop_reason is None:
                    stop_reason = "callback"
                if stop_reason is not None:
                    break
                if incremental:
                    stop_reason = "incremental"
                    break
        except KeyboardInterrupt:
            stop_reason = "interrupted"
            warnings.warn("Training interrupted by user.", UserWarning, stacklevel=5)
        first = len(self.loss_curve_) - self.n_iter_
        if (
            not incremental
            and stop_reason not in ("interrupted", "diverged")
            and optimizer.uses_learning_rate
            and self.n_iter_ > 1
            and self.loss_curve_[-1] > self.loss_curve_[first]
        ):
            warnings.warn(
                f"Training ended with a higher loss ({self.loss_curve_[-1]:.4g}) than its first "
                f"epoch's ({self.loss_curve_[first]:.4g}): learning_rate_init="
                f"{self.learning_rate_init} is probably too large. Use a smaller "
                "learning_rate_init (for example ten times smaller).",
                ConvergenceWarning,
                stacklevel=5,
            )
        if stop_reason is None:
            kind = "Full-batch" if optimizer.full_batch else "Stochastic"
            warnings.warn(
                f"{kind} Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                f"optimization hasn't converged yet. (solver={self.solver!r}: increase "
                "max_iter, raise learning_rate_init or scale the data.)",
                ConvergenceWarning,
                stacklevel=5,
            )
        if stopping and hasattr(self, "_best_params"):
            if not incremental:
                self._network.params[...] = self._best_params
            elif stop_reason == "no_improvement":
                self._network.params[...] = self._best_params
                warnings.warn(
                    f"The validation score has not improved by tol={self.tol} for more than "
                    f"n_iter_no_change={self.n_iter_no_change} partial_fit calls: the weights "
                    f"of the best call (score {self.best_validation_score_:.6g}) were restored. "
                    "Stop calling partial_fit, or set early_stopping=False to keep training.",
                    UserWarning,
                    stacklevel=5,
                )

    def _run_epoch(self, optimizer, objective, X, Y, sample_weight, batch_size, rates, rng):
        """One pass over the training data; return the epoch's mean loss and the last gradient.

        Mini-batches are drawn in a fresh random order each epoch (``shuffle``), each with
        fresh dropout masks.
        """
        params = self._network.params
        if optimizer.full_batch and not optimizer.uses_learning_rate:  # agd: no dropout here
            return optimizer.step(
                params,
                lambda: objective.loss_and_gradient(X, Y, sample_weight, self._grad(params)),
                lambda: objective.loss(X, Y, sample_weight),
            )
        n_samples = X.shape[0]
        shuffled = self.shuffle and batch_size < n_samples
        order = rng.permutation(n_samples) if shuffled else None
        dropout = any(rates)
        loss = 0.0
        for batch in gen_batches(n_samples, batch_size):
            rows = order[batch] if shuffled else batch
            weights = None if sample_weight is None else sample_weight[rows]
            if weights is not None and not weights.any():
                continue  # only zero-weight samples: the batch holds no data, take no step
            X_batch = X[rows]
            masks = self._network.dropout_masks(X_batch.shape[0], rates, rng) if dropout else None
            batch_loss, grad = objective.loss_and_gradient(
                X_batch, Y[rows], weights, self._grad(params), masks=masks
            )
            loss += batch_loss * (X_batch.shape[0] if weights is None else weights.sum())
            optimizer.step(params, grad)
        total_weight = n_samples if sample_weight is None else sample_weight.sum()
        return loss / total_weight, grad

    def _grad(self, params):
        """The gradient buffer, reused across steps (one flat array shaped like ``params``)."""
        grad = self.__dict__.get("_grad_buffer")
        if grad is None or grad.shape != params.shape or grad.dtype != params.dtype:
            grad = self._grad_buffer = np.empty_like(params)
        return grad

    def _set_scheduled_learning_rate(self, optimizer):
        """Set the next epoch's step size from ``learning_rate`` (after an epoch has run).

        ``'invscaling'``: ``learning_rate_init / (t_ + 1) ** power_t``; ``'step'``:
        ``learning_rate_init * decay_rate ** floor(epoch / decay_steps)``;
        ``'exponential'``: ``learning_rate_init * decay_rate ** (epoch / decay_steps)``, where
        ``t_`` and ``epoch`` count the samples and epochs run since the weights were
        initialized. ``'constant'`` and ``'adaptive'`` leave the step size alone. As for
        ``MLPClassifier``, every ``fit`` starts a new optimizer at ``learning_rate_init``,
        warm-started or not; ``partial_fit`` keeps the step size of the previous call.
        """
        init, epoch = self.learning_rate_init, self._epochs_total
        if self.learning_rate == "invscaling":
            optimizer.learning_rate = init / (self.t_ + 1) ** self.power_t
        elif self.learning_rate == "step":
            optimizer.learning_rate = init * self.decay_rate ** (epoch // self.decay_steps)
        elif self.learning_rate == "exponential":
            optimizer.learning_rate = init * self.decay_rate ** (epoch / self.decay_steps)

    def _stop_reason(self, optimizer, last_grad, score):
        """Why training stops after this epoch, or ``None`` to go on.

        Full-batch solvers stop once the largest gradient entry is at most ``tol``. Otherwise
        epochs without progress (validation ``score`` when stopping early, else the training
        loss) are counted; past ``n_iter_no_change`` the ``'adaptive'`` schedule divides the
        step by 5 (while it exceeds 1e-6) and every other case stops.
        """
        if optimizer.full_batch and np.max(np.abs(last_grad)) <= self.tol:
            return "gradient"
        self._update_no_improvement(score)
        if self._no_improvement_count <= self.n_iter_no_change:
            return None
        if self.learning_rate == "adaptive" and optimizer.learning_rate > 1e-6:
            optimizer.learning_rate /= 5
            self._no_improvement_count = 0
            if self.verbose:
                print(f"Setting learning rate to {optimizer.learning_rate:f}")
            return None
        if score is not None or not optimizer.full_batch:
            return "no_improvement"
        self._no_improvement_count = 0
        return None

    def _record_validation(self, validation):
        """Score the validation set; append to ``validation_scores_`` and the loss curve."""
        logits = self._network.forward(validation.X, keep_cache=False)[0]
        total = (
            validation.X.shape[0]
            if validation.sample_weight is None
            else float(validation.sample_weight.sum())
        )
        loss = self._network.output.loss_and_gradient(
            logits, validation.Y, validation.sample_weight
        )[0] / total
        if self.scoring == "loss":
            score = -loss
        else:
            score = self._external_score(validation)
        self.validation_loss_curve_.append(float(loss))
        self.validation_scores_.append(float(score))
        return float(score)

    def _external_score(self, validation):
        """Score the validation set with the scikit-learn scorer named by ``scoring``."""
        scorer = check_scoring(self, scoring=self.scoring)
        y_val = self._decode_targets(validation.Y)
        self._input_validated = True  # the scorer's predict calls skip re-validating X_val
        try:
            if validation.sample_weight is None:
                return scorer(self, validation.X, y_val)
            return scorer(self, validation.X, y_val, sample_weight=validation.sample_weight)
        finally:
            del self._input_validated

    def _diverged(self, loss):
        """Whether training diverged: a non-finite loss or weight, or a loss blow-up.

        A blow-up is a loss above ``1e4`` times the lowest epoch loss before it (at least 1):
        the losses are computed from the logits and stay finite long after the weights have
        blown up, so finiteness alone would notice too late.
        """
        reference = max(1.0, min(self.loss_curve_[:-1], default=np.inf))
        return not (
            np.isfinite(loss)
            and loss <= 1e4 * reference
            and np.isfinite(self._network.params).all()
        )

    def _recover_from_divergence(
        self, restored, loss, validation, objective, X, Y, sample_weight
    ):
        """Restore the last weights whose loss was accepted and warn, as a finished fit.

        Those are the weights the diverged epoch started from (for ``'gd'``, whose epoch loss
        is that of its starting weights, those the previous epoch started from; within one
        ``partial_fit`` call, the weights before the call), passed as ``restored``; with
        early stopping the best epoch's weights replace them afterwards. The diverged epoch
        stays in ``loss_curve_``, its validation score is ``nan`` (as ``MLPClassifier``
        records it). If even the restored weights give a non-finite loss, no step size can
        help: the data are the problem, and ``MLPClassifier``'s error is raised.
        """
        self._network.params[...] = restored
        if validation is not None:
            self.validation_scores_.append(np.nan)
            self.validation_loss_curve_.append(np.nan)
        if not np.isfinite(objective.loss(X, Y, sample_weight)):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed. (Even the starting weights give a "
                "non-finite loss, whatever the step size: scale the features, for example "
                "with sklearn.preprocessing.StandardScaler.)"
            )
        if SOLVERS[self.solver].uses_learning_rate:
            step = f"learning_rate_init={self.learning_rate_init}"
            advice = "Use a smaller learning_rate_init (for example ten times smaller) or "
        else:
            step, advice = f"solver={self.solver!r}", "Probably the features are too large: "
        warnings.warn(
            f"Training diverged at epoch {self.n_iter_}: the loss became {loss:.4g} with "
            f"{step}. Training stopped and the weights of the last finite epoch (with "
            f"early_stopping, of the best epoch) were restored. {advice}scale the features "
            "with sklearn.preprocessing.StandardScaler.",
            ConvergenceWarning,
            stacklevel=6,
        )

    def _update_no_improvement(self, score):
        """Count epochs without progress by ``tol``: validation score if given, else loss."""
        if score is not None:
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_params = self._network.params.copy()
        else:
            best = np.inf if self.best_loss_ is None else self.best_loss_
            if self.loss_ > best - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(best, self.loss_)

    def _report(self, iteration, loss, score, start):
        """Print one progress line (``verbose`` only)."""
        line = f"Iteration {iteration}, loss = {loss:.8f}"
        if score is not None:
            line += f", validation score = {score:.6f}"
        print(f"{line}, elapsed = {time.perf_counter() - start:.2f}s")

    def _partial_fit_available(self):
        if self.solver == "lbfgs":
            raise AttributeError(
                f"partial_fit is not available for solver='lbfgs'; use one of "
                f"{sorted(set(SOLVERS) - {'lbfgs'})}."
            )
        return True

    # -- fitted state --------------------------------------------------------------------------

    @property
    def coefs_(self):
        """list of ndarray: weight matrices, ``coefs_[l]`` of shape ``(fan_in, fan_out)``."""
        return self._parameters("coefs")

    @coefs_.setter
    def coefs_(self, coefs):
        self._set_parameters("coefs", coefs)

    @property
    def intercepts_(self):
        """list of ndarray: bias vectors, ``intercepts_[l]`` of shape ``(fan_out,)``."""
        return self._parameters("intercepts")

    @intercepts_.setter
    def intercepts_(self, intercepts):
        self._set_parameters("intercepts", intercepts)

    def _parameters(self, kind):
        """Views of the network's ``kind`` (``'coefs'`` or ``'intercepts'``).

        Before any fit, the list assigned by hand, if any (see :meth:`_set_parameters`).
        """
        if "_network" not in self.__dict__ and f"_hand_set_{kind}" in self.__dict__:
            return self.__dict__[f"_hand_set_{kind}"]
        return _ParameterList(getattr(self._fitted_network(), kind))

    def _set_parameters(self, kind, values):
        """Write ``values`` into the network's ``kind``.

        A model without weights keeps the list as it is: as with ``MLPClassifier``, its items
        may be assigned one by one, and ``partial_fit`` (or a warm-started ``fit``) starts
        from them.
        """
        if "_network" not in self.__dict__:
            kept = values if isinstance(values, list) else list(values)
            self.__dict__[f"_hand_set_{kind}"] = kept
            return
        targets = getattr(self._fitted_network(), kind)
        values = list(values)
        if len(values) != len(targets):
            raise ValueError(f"{kind}_ must hold {len(targets)} arrays, got {len(values)}.")
        _ParameterList(targets)[:] = values

    def _fitted_network(self):
        """The network, its hidden activation synced with the current parameters."""
        try:
            network = self.__dict__["_network"]
        except KeyError:
            raise AttributeError(
                f"This {type(self).__name__} instance is not fitted yet: it has no weights."
            ) from None
        network.activation = get_activation(self.activation, self.negative_slope)
        return network

    def _logits(self, X):
        """Validate ``X`` for prediction and return the network's output logits."""
        check_is_fitted(self, "n_outputs_")
        if not self.__dict__.get("_input_validated", False) and not self._is_ready_array(X):
            X = validate_data(
                self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False
            )
        return self._fitted_network().forward(X, keep_cache=False)[0]

    def _is_ready_array(self, X):
        """Whether ``X`` needs no conversion: ``validate_data`` would return it unchanged.

        True for a finite, non-empty 2-D float32/float64 ndarray with the fitted number of
        features, when the model was fitted without feature names. Such input skips
        scikit-learn's generic validation, which costs most of a one-row prediction; anything
        else goes through it and gets its messages.
        """
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in (np.float64, np.float32)
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
            and bool(np.isfinite(X).all())
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
