"""The shared estimator base: parameters, the path from ``fit`` to the solver, the fitted network.

``BaseDeepNet`` turns scikit-learn data into a training problem for the engine in
:mod:`sklearn_deepnet.nn` and hands it to the solver, inside the training loop of
:mod:`sklearn_deepnet.training`. Its parameter constraints come from the engine's registries
(activations, solvers, initializers) and the schedule table, so a new entry there is accepted
here with no change. ``BaseDeepNetClassifier`` (in ``_base_classifier.py``) adds label encoding
and the classifier's predictions; ``DeepNetRegressor`` adds real-valued targets. The public
estimators are configurations of these: ``DeepNetClassifier`` exposes every parameter,
``LogisticRegressionGD`` fixes the network to have no hidden layer.
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from . import _architecture as architecture
from ._input_checks import (
    check_sample_weight,
    check_validation_args,
    float_dtypes,
    warn_if_badly_scaled,
)
from ._sklearn_internals import (
    CallbackSupportMixin,
    Interval,
    Options,
    StrOptions,
    begin_fit,
    fit_context,
)
from ._warnings import warn
from .nn import INITIALIZERS, SOLVERS, Objective
from .nn._namespace import (
    asarray,
    describe,
    device,
    get_namespace,
    is_array,
    numpy_dtype,
    same_place,
    to_numpy,
)
from .nn.activations import ACTIVATIONS
from .nn.problem import TrainingProblem
from .persistence import _PersistenceMixin
from .training import record
from .training.loop import TrainingLoop
from .training.schedules import SCHEDULES
from .training.validation import Validation, split_validation, user_validation_set


def _solver_names(capability):
    """The names of the solvers with a capability, for messages."""
    return sorted(name for name, cls in SOLVERS.items() if getattr(cls, capability))


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
        "learning_rate": [StrOptions(set(SCHEDULES))],
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
        "batch_normalization": ["boolean"],
        "decay_rate": [Interval(Real, 0, 1, closed="right")],
        "decay_steps": [Interval(Integral, 1, None, closed="left")],
        "scoring": [None, StrOptions({"loss"}), str, callable],
        "warmup_iter": [Interval(Integral, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "restore_best_weights": ["boolean"],
    }

    # -- fitting -------------------------------------------------------------------------------

    @fit_context
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
        """Validate, set up the network on a first pass, then let the solver train.

        As for ``MLPClassifier``, a first pass is a ``fit`` without ``warm_start`` or a call
        on a model without weights; weights assigned by hand to an unfitted model
        (``coefs_``, ``intercepts_``) are the starting point of ``partial_fit`` and of a
        warm-started ``fit``.
        """
        solver = SOLVERS[self.solver]
        has_validation_set = check_validation_args(*validation_data)
        self._check_solver_options(solver, has_validation_set, incremental)
        fresh = not self.warm_start and not incremental
        first_pass = fresh or "_network" not in self.__dict__
        if not first_pass:
            self._check_same_network(incremental)
        X_in, Y, strata = self._validate_training_data(X, y, incremental, reset=first_pass)
        if first_pass:
            warn_if_badly_scaled(X_in)
        else:
            self._check_same_place(X_in, "partial_fit" if incremental else "fit")
        weights = self._training_weights(sample_weight, X_in, Y, strata, incremental)
        rng = check_random_state(self.random_state)
        if first_pass:
            hand_set = None if fresh else architecture.hand_set_parameters(self)
            self._initialize(X_in, Y.shape[1], rng, hand_set)
        callbacks = begin_fit(
            self, X, y, weights, max_epochs=1 if incremental else self.max_iter,
            task_name="partial_fit" if incremental else "fit",
        )
        validation = None
        if solver.supports_validation and has_validation_set:
            validation = user_validation_set(self, *validation_data)
        elif solver.supports_validation and self.early_stopping:
            (X_in, Y, weights), validation = split_validation(self, X_in, Y, strata, weights, rng)
        Y = self._training_targets(Y)
        problem = self._problem(solver, *self._on_network(X_in, Y, weights), rng, incremental)
        validation = None if validation is None else Validation(*self._on_network(*validation))
        with np.errstate(over="ignore", invalid="ignore"):
            loop = TrainingLoop(self, self._solver(solver, incremental), problem, validation,
                                callbacks, incremental)
            loop.run()
        return self

    def _check_solver_options(self, solver, has_validation_set, incremental):
        """Reject parameter combinations the chosen solver cannot honour."""
        if incremental and self.early_stopping and not has_validation_set:
            raise ValueError(
                "partial_fit does not support early_stopping=True without a validation set: "
                "one call sees one batch, from which no split can be held out. Pass "
                "X_val and y_val to partial_fit to stop early across calls, or set "
                "early_stopping=False."
            )
        if not solver.uses_learning_rate and self.learning_rate != "constant":
            raise ValueError(
                f"learning_rate={self.learning_rate!r} is a schedule for the solvers "
                f"{_solver_names('uses_learning_rate')}; solver={self.solver!r} chooses its own "
                "step size. Use learning_rate='constant' with this solver, or pick another."
            )
        if self.weight_decay and not solver.supports_weight_decay:
            raise ValueError(
                f"weight_decay={self.weight_decay} is applied by the solvers "
                f"{_solver_names('supports_weight_decay')} with each step; solver={self.solver!r}"
                " takes no such steps. Use alpha (the L2 penalty in the objective) with this "
                "solver, or pick one of those."
            )
        if solver.deterministic and any(architecture.dropout_rates(self)):
            stochastic = sorted(set(SOLVERS) - set(_solver_names("deterministic")))
            raise ValueError(
                f"dropout makes the objective random, but solver={self.solver!r} needs a fixed "
                f"one (its line search compares losses). Use one of the solvers {stochastic} "
                "with dropout, or set dropout=0."
            )
        if not solver.supports_validation and (self.early_stopping or has_validation_set):
            ignored = " and ".join(
                name for name, given in (("early_stopping=True", self.early_stopping),
                                         ("X_val/y_val", has_validation_set)) if given
            )
            warn(
                f"{ignored} {'are' if ' and ' in ignored else 'is'} ignored by "
                f"solver={self.solver!r}, which cannot stop on or monitor a validation score: "
                f"it trains on all the data. Use one of the solvers "
                f"{_solver_names('supports_validation')} to stop early or monitor X_val."
            )

    def _check_same_network(self, incremental):
        """Raise unless the fitted network has the layers the parameters now ask for.

        ``partial_fit`` and a warm-started ``fit`` continue the fitted network: switching
        ``batch_normalization`` would change its parameters.
        """
        fitted = self._network.batch_normalization
        if fitted == bool(self.batch_normalization):
            return
        method = "partial_fit" if incremental else "a warm-started fit"
        raise ValueError(
            f"batch_normalization={self.batch_normalization!r}, but this model was fitted with "
            f"batch_normalization={fitted!r}: {method} continues the fitted network, whose "
            f"layers cannot change. Set batch_normalization={fitted!r} again, or fit from "
            "scratch (warm_start=False)."
        )

    def _on_network(self, X, Y, sample_weight):
        """Inputs, targets and weights where the network is, in its dtype (float32 stays).

        ``X`` is already in the network's namespace; the targets and weights, checked on the
        CPU, are moved to its device.
        """
        params = self._fitted_network().params
        if isinstance(params, np.ndarray):
            dtype = params.dtype
            if sample_weight is not None:
                sample_weight = sample_weight.astype(dtype, copy=False)
            return X.astype(dtype, copy=False), Y.astype(dtype, copy=False), sample_weight
        xp, where = get_namespace(params), device(params)
        X = X if X.dtype == params.dtype else xp.astype(X, params.dtype)
        Y = asarray(Y, xp, where, params.dtype)
        if sample_weight is not None:
            sample_weight = asarray(sample_weight, xp, where, params.dtype)
        return X, Y, sample_weight

    def _check_same_place(self, X, method):
        """Raise unless ``X`` lives where the fitted network does (scikit-learn's rule)."""
        params = self._fitted_network().params
        if same_place(X, params):
            return
        raise ValueError(
            f"Inputs passed to {type(self).__name__}.{method}() must use the same namespace and "
            f"the same device as those passed to fit(): X is {describe(X)}, the model lives in "
            f"{describe(params)}. Move the model to X's namespace and device with scikit-learn's "
            "move_estimator_to (sklearn.utils._array_api, scikit-learn >= 1.9), or pass X "
            "where the model lives (with sklearn.set_config(array_api_dispatch=True) for a "
            "non-NumPy array)."
        )

    def _problem(self, solver, X, Y, sample_weight, rng, incremental=False):
        """The objective and data the solver minimizes, batched as the solver needs."""
        objective = Objective(self._network, self.alpha)
        batch_size = X.shape[0] if solver.full_batch else self._batch_size(X.shape[0])
        if batch_size < 2 and self._network.running is not None:  # batch normalization
            raise ValueError(
                "batch_normalization=True normalizes each hidden unit with the mean and "
                "variance of its batch, which needs at least 2 samples per batch; got batches "
                f"of {batch_size} sample (batch_size={self.batch_size!r}, {X.shape[0]} training "
                "sample(s)). Use a batch_size of at least 2 and more training samples, or "
                "batch_normalization=False."
            )
        return TrainingProblem(
            objective, X, Y, sample_weight, batch_size, self.shuffle,
            architecture.dropout_rates(self), rng, full_batch=solver.full_batch,
            incremental=incremental,
        )

    def _solver(self, solver, incremental):
        """The solver instance: a new one per ``fit``, kept across ``partial_fit`` calls."""
        current = self.__dict__.get("_optimizer")
        if not incremental or type(current) is not solver:
            self._optimizer = solver.from_params(architecture.parameter_getter(self))
        return self._optimizer

    def _batch_size(self, n_samples):
        """Rows per mini-batch: ``batch_size``, at most all the samples."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be "
                f"clipped (batch_size={self.batch_size} is larger than the {n_samples} "
                "training samples; using full batches)."
            )
        return min(self.batch_size, n_samples)

    def _training_targets(self, Y):
        """The encoded targets the objective trains on (classifiers: label-smoothed)."""
        return Y

    def _training_weights(self, sample_weight, X, Y, strata, incremental):
        """Per-sample weights of the training set: ``sample_weight`` (classifiers: times the
        class weights)."""
        return check_sample_weight(sample_weight, X.shape[0], numpy_dtype(X))

    def _initialize(self, X, n_outputs, rng, hand_set=None):
        """Build the network where ``X`` lives (drawing or copying its weights); new record."""
        network = architecture.build_network(self, X, n_outputs, rng, hand_set)
        self._network = network
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(network.layer_sizes)
        self.out_activation_ = network.output.name
        record.reset(self)
        for stale in ("_hand_set_coefs", "_hand_set_intercepts"):
            self.__dict__.pop(stale, None)

    def _layer_initializers(self, n_layers):
        """One initializer per weight layer (see ``init``)."""
        return architecture.layer_initializers(self, n_layers)

    def _partial_fit_available(self):
        solver = SOLVERS.get(self.solver)  # an unknown name is the parameter check's to refuse
        if solver is not None and not solver.supports_partial_fit:
            raise AttributeError(
                f"partial_fit is not available for solver={self.solver!r}; use one of "
                f"{_solver_names('supports_partial_fit')}."
            )
        return True

    def _training_objective(self, X, y, sample_weight=None, dropout_rng=0):
        """The objective ``fit`` minimizes on ``X, y``, in float64: the gradient check's entry.

        At the fitted weights, or at those ``fit`` would start from. Returns
        ``(objective, X, Y, sample_weight, masks)``, ``masks`` one fixed dropout draw from
        ``dropout_rng`` (``None`` without dropout). The estimator must be one ``check_gradients``
        may modify (a copy).
        """
        fitted = "_network" in self.__dict__
        X, Y, strata = self._validate_training_data(X, y, incremental=fitted, reset=not fitted)
        sample_weight = self._training_weights(sample_weight, X, Y, strata, incremental=False)
        Y = self._training_targets(Y)
        if not fitted:
            self._initialize(X, Y.shape[1], check_random_state(self.random_state))
        network = self._fitted_network().to_numpy(np.float64)
        rates = architecture.dropout_rates(self)
        masks = None
        if any(rates):
            masks = network.dropout_masks(X.shape[0], rates, check_random_state(dropout_rng))
        X, Y, sample_weight = (
            None if a is None else a.astype(np.float64) if sp.issparse(a)
            else to_numpy(a).astype(np.float64)
            for a in (X, Y, sample_weight)
        )
        return Objective(network, self.alpha), X, Y, sample_weight, masks

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
        return architecture.ParameterList(getattr(self._fitted_network(), kind))

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
        architecture.ParameterList(targets)[:] = values

    def _fitted_network(self):
        """The network, its hidden activation synced with the current parameters."""
        try:
            network = self.__dict__["_network"]
        except KeyError:
            raise AttributeError(
                f"This {type(self).__name__} instance is not fitted yet: it has no weights."
            ) from None
        network.activation = architecture.activation(self)
        return network

    def _logits(self, X, method="predict"):
        """Validate ``X`` for prediction (by ``method``) and return the network's output logits."""
        check_is_fitted(self, "n_outputs_")
        network = self._fitted_network()
        if not self.__dict__.get("_input_validated", False) and not self._is_ready_array(X):
            X = validate_data(
                self, X, accept_sparse=["csr", "csc"], dtype=float_dtypes(X), reset=False
            )
        if not isinstance(X, np.ndarray) or not isinstance(network.params, np.ndarray):
            self._check_same_place(X, method)
            if not sp.issparse(X) and X.dtype != network.params.dtype:
                X = get_namespace(X).astype(X, network.params.dtype)
        return network.forward(X, keep_cache=False)[0]

    def _is_ready_array(self, X):
        """Whether ``X`` needs no conversion: ``validate_data`` would return it unchanged.

        True for a finite, non-empty 2-D float32/float64 ndarray with the fitted number of
        features, when the model was fitted without feature names. Such input skips
        scikit-learn's generic validation, which costs most of a one-row prediction; anything
        else goes through it and gets its messages.
        """
        return (
            type(X) is np.ndarray
            and isinstance(self._network.params, np.ndarray)
            and X.ndim == 2
            and X.dtype in (np.float64, np.float32)
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
            and bool(np.isfinite(X).all())
        )

    def __sklearn_array_api_convert__(self, converter):
        """A copy of this model with its arrays moved by ``converter`` (``move_estimator_to``).

        scikit-learn's ``move_estimator_to(estimator, xp, device)`` calls this: the network's
        parameters, the solver's state and the best epoch's weights move; the labels
        (``classes_``) and other NumPy bookkeeping stay where they are.
        """
        moved = type(self).__new__(type(self))  # not copy.copy: pickling would come back here
        moved.__dict__.update(self.__dict__)
        if "_network" in self.__dict__:
            moved._network = self._network.converted(converter)
        if "_optimizer" in self.__dict__:
            moved._optimizer = _converted_object(self._optimizer, converter)
        for name in ("_best_params", "_best_running", "_hand_set_coefs", "_hand_set_intercepts"):
            if name in self.__dict__:
                moved.__dict__[name] = _converted_object(self.__dict__[name], converter)
        return moved

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        return tags


class BatchNormalizationMixin:
    """Batch normalization's fitted state, for the estimators with ``batch_normalization``.

    Each attribute is a list with one array per hidden layer, views into the network (assigning
    an item writes into it, as for ``coefs_``), or ``None`` for a model fitted without batch
    normalization.
    """

    @property
    def gammas_(self):
        """list of ndarray or None: learned scales, ``gammas_[l]`` of shape ``(n_units_l,)``."""
        return self._normalization_state("gammas")

    @property
    def betas_(self):
        """list of ndarray or None: learned shifts, ``betas_[l]`` of shape ``(n_units_l,)``."""
        return self._normalization_state("betas")

    @property
    def running_means_(self):
        """list of ndarray or None: running means of each hidden layer's ``Z``."""
        return self._normalization_state("running_means")

    @property
    def running_vars_(self):
        """list of ndarray or None: running (biased) variances of each hidden layer's ``Z``."""
        return self._normalization_state("running_vars")

    def _normalization_state(self, name):
        network = self._fitted_network()
        if not network.batch_normalization:
            return None
        return architecture.ParameterList(getattr(network, name))


def _converted_object(value, converter):
    """``value`` with its arrays (directly, in a list, or as attributes) passed to ``converter``."""
    if is_array(value):
        return converter(value)
    if isinstance(value, list):
        return [_converted_object(item, converter) for item in value]
    if hasattr(value, "__dict__"):
        moved = type(value).__new__(type(value))
        moved.__dict__ = {
            key: _converted_object(item, converter) for key, item in vars(value).items()
            if key != "_scratch"
        }
        return moved
    return value
