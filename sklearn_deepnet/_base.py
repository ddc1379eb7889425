"""The shared estimator base: parameter validation, the training loop as named steps, prediction.

``BaseDeepNet`` turns scikit-learn data into arrays for the engine in :mod:`sklearn_deepnet.nn` and
runs it; ``BaseDeepNetClassifier`` adds label encoding and the classifier's prediction methods.
The public estimators are configurations of these: ``DeepNetClassifier`` exposes every parameter,
``LogisticRegressionGD`` fixes the network to have no hidden layer.
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from .nn import INITIALIZERS, OUTPUTS, SOLVERS, Network, Objective, get_activation
from .nn.activations import ACTIVATIONS

_SCHEDULES = ("constant", "invscaling", "adaptive")
_RELU_FAMILY = ("relu", "leaky_relu")


def _zeros(fan_in, fan_out, rng, dtype):
    """Zero weights: only for a network without hidden layers, whose objective is convex."""
    return np.zeros((fan_in, fan_out), dtype=dtype)


def _check_sample_weight(sample_weight, n_samples, dtype):
    """Validate ``sample_weight``: finite, non-negative, not all zero, one per sample."""
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight)
    if sample_weight.ndim == 0:
        sample_weight = np.full(n_samples, sample_weight)
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight has shape {sample_weight.shape}; expected ({n_samples},), "
            "one weight per sample of X."
        )
    if not np.issubdtype(sample_weight.dtype, np.number) or np.iscomplexobj(sample_weight):
        raise ValueError("sample_weight must hold real numbers.")
    sample_weight = sample_weight.astype(dtype)
    if not np.isfinite(sample_weight).all():
        raise ValueError("sample_weight contains NaN or infinity; give finite weights.")
    if (sample_weight < 0).any():
        raise ValueError("sample_weight contains negative values; weights must be >= 0.")
    if not sample_weight.any():
        raise ValueError("sample_weight is zero for every sample; at least one must be > 0.")
    return sample_weight


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


class BaseDeepNet(BaseEstimator):
    """Shared machinery of the networks trained by backpropagation.

    Not for direct use: subclasses define ``__init__`` (the public parameters) and the target
    encoding (``_encode_targets``, ``_output_name``, ``_validation_score``).
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
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
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
                    f"hidden_layer_sizes must hold positive integers (units per hidden layer), "
                    f"got {self.hidden_layer_sizes!r}."
                )
        return tuple(int(size) for size in sizes)

    def _layer_initializers(self, n_layers):
        """One initializer per weight layer, resolving ``init='auto'``."""
        if self.init != "auto":
            return [INITIALIZERS[self.init]] * n_layers
        hidden = INITIALIZERS["he" if self.activation in _RELU_FAMILY else "glorot"]
        return [hidden] * (n_layers - 1) + [INITIALIZERS["glorot"]]

    def _check_solver_options(self):
        """Reject parameter combinations the chosen solver cannot honour."""
        solver = SOLVERS[self.solver]
        if not solver.uses_learning_rate and self.learning_rate != "constant":
            raise ValueError(
                f"learning_rate={self.learning_rate!r} is a schedule for solver 'gd', 'sgd' or "
                f"'adam'; solver={self.solver!r} chooses its own step size. Use "
                "learning_rate='constant' with this solver, or pick another solver."
            )
        if self.early_stopping and self.solver == "lbfgs":
            warnings.warn(
                "early_stopping=True is ignored by solver='lbfgs', which cannot stop on a "
                "validation score: it trains on all the data. Use an epoch-based solver "
                "('gd', 'agd', 'sgd' or 'adam') to stop early.",
                UserWarning,
                stacklevel=4,
            )

    def _early_stopping(self):
        """Whether a validation split is held out (never for lbfgs, which warns instead)."""
        return self.early_stopping and self.solver != "lbfgs"

    # -- fitting -------------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data. float32 input is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights: the loss is the weighted mean over samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight, incremental):
        """Validate, set up the network on a first pass, then run the solver."""
        self._check_solver_options()
        first_pass = not hasattr(self, "_network") or (not self.warm_start and not incremental)
        X, Y, y_labels = self._validate_training_data(X, y, incremental, reset=first_pass)
        sample_weight = _check_sample_weight(sample_weight, X.shape[0], X.dtype)
        rng = check_random_state(self.random_state)
        if first_pass:
            self._initialize(X.shape[1], Y.shape[1], X.dtype, rng)
        elif self._fitted_network().params.dtype != X.dtype:
            X = X.astype(self._network.params.dtype)
            Y = Y.astype(self._network.params.dtype)
            if sample_weight is not None:
                sample_weight = sample_weight.astype(X.dtype)
        objective = Objective(self._network, self.alpha)
        with np.errstate(over="ignore", invalid="ignore"):
            if self.solver == "lbfgs":
                self._fit_lbfgs(objective, X, Y, sample_weight)
            else:
                self._fit_epochs(objective, X, Y, y_labels, sample_weight, rng, incremental)
        return self

    def _initialize(self, n_features, n_outputs, dtype, rng):
        """Build the network and reset every fitted attribute."""
        sizes = (n_features, *self._hidden_sizes(), n_outputs)
        activation = get_activation(self.activation, self.negative_slope)
        network = Network(sizes, activation, OUTPUTS[self._output_name()](), dtype)
        network.initialize(self._layer_initializers(network.n_layers), rng)
        self._network = network
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(sizes)
        self.out_activation_ = network.output.name
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self._early_stopping():
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf
        for stale in ("_optimizer", "_best_params"):
            self.__dict__.pop(stale, None)

    def _make_optimizer(self):
        """Instantiate the epoch-based solver from the estimator's parameters."""
        lr = self.learning_rate_init
        if self.solver == "sgd":
            return SOLVERS["sgd"](lr, self.momentum, self.nesterovs_momentum)
        if self.solver == "adam":
            return SOLVERS["adam"](lr, self.beta_1, self.beta_2, self.epsilon)
        return SOLVERS[self.solver](lr)

    def _fit_lbfgs(self, objective, X, Y, sample_weight):
        """Run SciPy's L-BFGS-B on the full objective."""
        params = self._network.params
        solver = SOLVERS["lbfgs"](self.max_iter, self.max_fun, self.tol)
        grad = np.empty_like(params)
        start = time.perf_counter()

        def record(loss):
            self.loss_curve_.append(loss)
            self.t_ += X.shape[0]
            if self.verbose:
                self._report(len(self.loss_curve_), loss, None, start)

        result = solver.minimize(
            params, lambda: objective.loss_and_gradient(X, Y, sample_weight, grad), record
        )
        if not np.all(np.isfinite(params)) or not np.isfinite(result.fun):
            raise ValueError(
                "L-BFGS produced non-finite weights: the input features are probably too large. "
                "Scale them first, for example with sklearn.preprocessing.StandardScaler."
            )
        self.n_iter_ = int(result.nit)
        self.loss_ = float(result.fun)
        self.best_loss_ = min([self.loss_, *self.loss_curve_])
        if result.status == 1:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iterations "
                f"(max_iter={self.max_iter}, max_fun={self.max_fun}): {result.message}. "
                "Increase max_iter or max_fun, or scale the data.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _split_validation(self, X, Y, y_labels, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data, stratified by class when possible.

        Stratifying needs every class twice and room for each class on both sides; otherwise
        (or for multilabel targets) the split is random and, for class labels, a warning says
        why.
        """
        stratify = None
        if y_labels is not None:
            counts = np.bincount(y_labels)
            counts = counts[counts > 0]
            n_val = int(np.ceil(self.validation_fraction * X.shape[0]))
            if counts.min() >= 2 and counts.size <= min(n_val, X.shape[0] - n_val):
                stratify = y_labels
            else:
                warnings.warn(
                    "The early-stopping validation split is not stratified: a class has a "
                    f"single sample or there are more classes ({counts.size}) than validation "
                    f"samples ({n_val}). Some classes may be missing from the validation set.",
                    UserWarning,
                    stacklevel=5,
                )
        try:
            train, val = train_test_split(
                np.arange(X.shape[0]),
                test_size=self.validation_fraction,
                random_state=rng,
                stratify=stratify,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping could not hold out a validation set of "
                f"validation_fraction={self.validation_fraction} from {X.shape[0]} samples: "
                f"{exc} Increase validation_fraction or the number of samples, or set "
                "early_stopping=False."
            ) from exc
        if val.size < 2:
            raise ValueError(
                f"The validation set holds {val.size} sample(s); early stopping needs at least "
                "2. Increase validation_fraction or the number of samples."
            )
        train.sort(), val.sort()
        weights = (
            (None, None) if sample_weight is None else (sample_weight[train], sample_weight[val])
        )
        return (X[train], Y[train], weights[0]), (X[val], Y[val], weights[1])

    def _fit_epochs(self, objective, X, Y, y_labels, sample_weight, rng, incremental):
        """The epoch loop of the gd, agd, sgd and adam solvers."""
        if self._early_stopping() and incremental:
            raise ValueError(
                "partial_fit does not support early_stopping=True: there is no held-out data "
                "to score. Use fit, or set early_stopping=False."
            )
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
        optimizer = self._optimizer
        validation = None
        if self._early_stopping():
            (X, Y, sample_weight), validation = self._split_validation(
                X, Y, y_labels, sample_weight, rng
            )
        n_samples = X.shape[0]
        total_weight = n_samples if sample_weight is None else float(sample_weight.sum())
        if optimizer.full_batch:
            batch_size = n_samples
        elif self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    f"batch_size={self.batch_size} is larger than the {n_samples} training "
                    "samples; using full batches.",
                    UserWarning,
                    stacklevel=4,
                )
            batch_size = min(self.batch_size, n_samples)
        params = self._network.params
        grad = np.empty_like(params)
        order = np.arange(n_samples)
        last_finite = params.copy()
        start = time.perf_counter()
        stop_reason = None
        self.n_iter_ = 0  # counts this call's epochs, as MLPClassifier does
        try:
            for _ in range(self.max_iter):
                last_finite[...] = params
                if optimizer.full_batch and not optimizer.uses_learning_rate:
                    loss, last_grad = optimizer.step(
                        params,
                        lambda: objective.loss_and_gradient(X, Y, sample_weight, grad),
                        lambda: objective.loss(X, Y, sample_weight),
                    )
                else:
                    if self.shuffle and batch_size < n_samples:
                        rng.shuffle(order)
                    loss = 0.0
                    for batch in gen_batches(n_samples, batch_size):
                        rows = order[batch] if self.shuffle and batch_size < n_samples else batch
                        weights = None if sample_weight is None else sample_weight[rows]
                        batch_loss, last_grad = objective.loss_and_gradient(
                            X[rows], Y[rows], weights, grad
                        )
                        size = batch.stop - batch.start
                        batch_weight = size if weights is None else weights.sum()
                        loss += batch_loss * batch_weight
                        optimizer.step(params, last_grad)
                    loss /= total_weight
                self._check_finite(loss, last_finite)
                self.n_iter_ += 1
                self.t_ += n_samples
                self.loss_ = float(loss)
                self.loss_curve_.append(self.loss_)
                score = None if validation is None else self._validation_score(*validation)
                if self.verbose:
                    self._report(self.n_iter_, self.loss_, score, start)
                self._update_no_improvement(score, params)
                if self.learning_rate == "invscaling":
                    optimizer.learning_rate = (
                        self.learning_rate_init / (self.t_ + 1) ** self.power_t
                    )
                if optimizer.full_batch and np.max(np.abs(last_grad)) <= self.tol:
                    stop_reason = "gradient"
                    break
                if self._no_improvement_count > self.n_iter_no_change:
                    self._no_improvement_count = 0
                    if self.learning_rate == "adaptive" and optimizer.learning_rate > 1e-6:
                        optimizer.learning_rate /= 5
                        if self.verbose:
                            print(f"Setting learning rate to {optimizer.learning_rate:f}")
                    elif validation is not None or not optimizer.full_batch:
                        stop_reason = "no_improvement"
                        break
                if incremental:
                    stop_reason = "incremental"
                    break
        except KeyboardInterrupt:
            stop_reason = "interrupted"
            warnings.warn("Training interrupted by user.", UserWarning, stacklevel=4)
        if stop_reason is None:
            warnings.warn(
                f"Solver {self.solver!r}: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet. Increase max_iter, raise "
                "learning_rate_init or scale the data.",
                ConvergenceWarning,
                stacklevel=3,
            )
        if validation is not None and hasattr(self, "_best_params"):
            params[...] = self._best_params

    def _check_finite(self, loss, last_finite):
        """Stop when training diverges: restore the weights the epoch started from and explain.

        Diverging means a non-finite loss or weight, or a loss above ``1e4`` times the lowest
        epoch loss so far (at least 1): the losses are computed from the logits and stay finite
        long after the weights have blown up, so finiteness alone would notice too late.
        """
        reference = max(1.0, min(self.loss_curve_, default=np.inf))
        if (
            np.isfinite(loss)
            and loss <= 1e4 * reference
            and np.isfinite(self._network.params).all()
        ):
            return
        self._network.params[...] = last_finite
        step = (
            f"learning_rate_init={self.learning_rate_init}"
            if SOLVERS[self.solver].uses_learning_rate
            else f"solver={self.solver!r}"
        )
        raise ValueError(
            f"Training diverged at epoch {self.n_iter_ + 1}: the loss became {loss:.4g} with "
            f"{step}. The weights of the last finite epoch were restored. Use a smaller "
            "learning_rate_init (for example ten times smaller) or scale the features with "
            "sklearn.preprocessing.StandardScaler."
        )

    def _update_no_improvement(self, score, params):
        """Count epochs without progress by ``tol``: validation score if held out, else loss."""
        if score is not None:
            self.validation_scores_.append(score)
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_params = params.copy()
        else:
            if self.loss_ > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, self.loss_)

    def _report(self, iteration, loss, score, start):
        """Print one progress line (``verbose`` only)."""
        line = f"Iteration {iteration}, loss = {loss:.8f}"
        if score is not None:
            line += f", validation score = {score:.6f}"
        print(f"{line}, elapsed = {time.perf_counter() - start:.2f}s")

    # -- fitted state --------------------------------------------------------------------------

    @property
    def coefs_(self):
        """list of ndarray: weight matrices, ``coefs_[l]`` of shape ``(fan_in, fan_out)``."""
        return _ParameterList(self._fitted_network().coefs)

    @coefs_.setter
    def coefs_(self, coefs):
        self._assign(self._fitted_network().coefs, coefs, "coefs_")

    @property
    def intercepts_(self):
        """list of ndarray: bias vectors, ``intercepts_[l]`` of shape ``(fan_out,)``."""
        return _ParameterList(self._fitted_network().intercepts)

    @intercepts_.setter
    def intercepts_(self, intercepts):
        self._assign(self._fitted_network().intercepts, intercepts, "intercepts_")

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

    @staticmethod
    def _assign(targets, values, name):
        values = list(values)
        if len(values) != len(targets):
            raise ValueError(f"{name} must hold {len(targets)} arrays, got {len(values)}.")
        _ParameterList(targets)[:] = values

    def _logits(self, X):
        """Validate ``X`` for prediction and return the network's output logits."""
        check_is_fitted(self, "n_outputs_")
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False
        )
        return self._fitted_network().forward(X, keep_cache=False)[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class BaseDeepNetClassifier(ClassifierMixin, BaseDeepNet):
    """Classification on top of :class:`BaseDeepNet`: label encoding and class predictions.

    Binary targets train one sigmoid unit, multiclass targets a softmax, a multilabel
    indicator matrix one sigmoid per label.
    """

    def _output_name(self):
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _validate_training_data(self, X, y, incremental, reset):
        """Validate ``X`` and ``y``; return ``X``, the one-hot targets and the class indices."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            multi_output=True,
            reset=reset,
        )
        if sp.issparse(X) and X.format == "csc":
            X = X.tocsr()  # mini-batches take rows
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change the "
                "shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
                stacklevel=4,
            )
            y = y.ravel()
        check_classification_targets(y)
        target_type = type_of_target(y)
        if target_type not in ("binary", "multiclass", "multilabel-indicator"):
            raise ValueError(
                f"{type(self).__name__} handles binary, multiclass and multilabel-indicator "
                f"targets; got {target_type!r}. For several multiclass outputs, wrap it in "
                "sklearn.multioutput.MultiOutputClassifier."
            )
        if reset and not incremental:
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:  # partial_fit, or a warm start: the classes are those of the first call
            unseen = np.setdiff1d(np.unique(y), self.classes_) if y.ndim == 1 else []
            if len(unseen) or (y.ndim == 2 and y.shape[1] != len(self.classes_)):
                raise ValueError(
                    f"y holds labels {list(unseen) or 'of another shape'} not seen in the first "
                    f"call (classes_={list(self.classes_)}). Declare every class with "
                    "partial_fit(..., classes=...) on the first call, or refit from scratch."
                )
        if reset and len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes, but the data "
                f"contains only one class: {self.classes_[0]!r}."
            )
        Y = self._label_binarizer.transform(y).astype(X.dtype, copy=False)
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return X, Y, None
        labels = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(int)
        return X, Y, labels

    def _validation_score(self, X, Y, sample_weight):
        """Accuracy (subset accuracy for multilabel) on encoded targets."""
        logits = self._network.forward(X, keep_cache=False)[0]
        if self.out_activation_ == "softmax":
            correct = logits.argmax(axis=1) == Y.argmax(axis=1)
        else:
            correct = ((logits > 0) == (Y > 0.5)).all(axis=1)
        return float(np.average(correct, weights=sample_weight))

    def _is_multilabel(self):
        return self._label_binarizer.y_type_ == "multilabel-indicator"

    def _partial_fit_available(self):
        if self.solver == "lbfgs":
            raise AttributeError(
                f"partial_fit is not available for solver='lbfgs'; use one of "
                f"{sorted(set(SOLVERS) - {'lbfgs'})}."
            )
        return True

    @available_if(_partial_fit_available)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
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

        Returns
        -------
        self : object
            The updated estimator.
        """
        if not hasattr(self, "_network"):
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: list every label "
                    "that will ever appear, for example classes=np.unique(y_all)."
                )
            classes = np.asarray(classes)
            if classes.ndim != 1 or classes.size < 2:
                raise ValueError(f"classes must list at least 2 labels, got {classes!r}.")
            if type_of_target(y) == "multilabel-indicator":
                self._label_binarizer = LabelBinarizer().fit(y)
            else:
                self._label_binarizer = LabelBinarizer().fit(np.unique(classes))
            self.classes_ = self._label_binarizer.classes_
            self._fit(X, y, sample_weight, incremental=True)
            return self
        if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={list(classes)} differs from the classes of the first call "
                f"({list(self.classes_)})."
            )
        self._fit(X, y, sample_weight, incremental=True)
        return self

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
        logits = self._logits(X)
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
        logits = self._logits(X)
        if self._is_multilabel():
            return (logits > 0).astype(int)
        if self.out_activation_ == "softmax":
            return self.classes_[logits.argmax(axis=1)]
        return self.classes_[(logits[:, 0] > 0).astype(int)]

    def predict_proba(self, X):
        """Return class probabilities computed from the logits.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1 (independent per label for multilabel targets).
        """
        logits = self._logits(X)
        if self.n_outputs_ == 1 and not self._is_multilabel():
            return np.hstack([expit(-logits), expit(logits)])
        return self._network.output.proba(logits)

    def predict_log_proba(self, X):
        """Return log-probabilities computed from the logits: finite, never ``log(0)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Logarithm of :meth:`predict_proba`.
        """
        logits = self._logits(X)
        if self.n_outputs_ == 1 and not self._is_multilabel():
            return np.hstack([log_expit(-logits), log_expit(logits)])
        return self._network.output.log_proba(logits)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
