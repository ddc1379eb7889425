"""LogisticRegressionGD: the shared network engine configured with no hidden layer."""


from . import _docs
from ._base_classifier import BaseDeepNetClassifier
from .nn.initializers import zeros

_FIXED = (
    "hidden_layer_sizes", "activation", "init", "negative_slope", "dropout", "label_smoothing",
    "batch_normalization",
)
_LOGISTIC_PARAMETERS = tuple(name for name in _docs.NETWORK_PARAMETERS if name not in _FIXED)


class LogisticRegressionGD(BaseDeepNetClassifier):
    __doc__ = (
        """Logistic regression trained by (accelerated) gradient descent on the network engine.

    A :class:`DeepNetClassifier` with no hidden layer: one sigmoid unit for binary targets
    (``coef_`` of shape ``(1, n_features)``), a softmax over the classes for multiclass targets
    (multinomial, ``coef_`` of shape ``(n_classes, n_features)``), one sigmoid per label for a
    multilabel indicator matrix. The objective is convex, so training starts from zero weights.

    It minimizes ``(sum_i s_i * log_loss_i + alpha / 2 * ||W||^2) / sum_i s_i``, whose
    minimizer is that of ``sklearn.linear_model.LogisticRegression(C=1 / alpha)`` (which
    minimizes ``C * sum_i s_i * log_loss_i + ||W||^2 / 2``): the same model, written with a
    penalty instead of an inverse penalty.

"""
        + _docs.parameters(
            *_LOGISTIC_PARAMETERS,
            "class_weight",
            *_docs.TRAINING_PARAMETERS,
            solver=_docs.solver_entry(default="agd"),
            alpha="""\
    alpha : float, default=1.0
        L2 penalty on the weights (not the intercept); ``alpha = 1 / C``.
""",
            learning_rate_init="""\
    learning_rate_init : float, default=0.1
        Step size of the solvers that step by a learning rate; probe step of ``'agd'``.
""",
            max_iter="""\
    max_iter : int, default=1000
        Maximum number of epochs (full-batch steps for the full-batch solvers, iterations for
        ``'lbfgs'``).
""",
            random_state="""\
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling and the early-stopping split (the weights start at zero).
""",
            tol="""\
    tol : float, default=1e-6
        As in :class:`DeepNetClassifier`. Smaller than its default because the objective is a
        mean over samples, whose gradient is ``1 / n_samples`` of ``LogisticRegression``'s
        summed one.
""",
        )
        + """
    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights; a view of ``coefs_[0].T``.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts; a view of ``intercepts_[0]``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_iter_ : int
        Number of epochs (iterations for ``'lbfgs'``) run.
    loss_ : float
        Final value of the objective.
    loss_curve_ : list of float
        Objective after each epoch or iteration.
    coefs_, intercepts_, best_loss_, validation_scores_, validation_loss_curve_, \
best_validation_score_, t_, n_layers_, n_outputs_, out_activation_ :
        As in :class:`DeepNetClassifier`.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    DeepNetClassifier : The same engine with hidden layers.
    sklearn.linear_model.LogisticRegression : Its optimum, with ``C = 1 / alpha``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_deepnet import LogisticRegressionGD
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), LogisticRegressionGD()).fit(X, y)
    >>> model.score(X, y) > 0.95
    True
"""
    )

    # The engine reads these; they are fixed, not parameters.
    hidden_layer_sizes = ()
    activation = "identity"
    init = "zeros"
    negative_slope = 0.0
    dropout = 0.0
    label_smoothing = 0.0
    batch_normalization = False

    _parameter_constraints = {
        name: constraint
        for name, constraint in BaseDeepNetClassifier._parameter_constraints.items()
        if name not in _FIXED
    }

    def __init__(
        self,
        *,
        solver="agd",
        alpha=1.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.1,
        power_t=0.5,
        max_iter=1000,
        shuffle=True,
        random_state=None,
        tol=1e-6,
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
        class_weight=None,
        scoring=None,
        decay_rate=0.5,
        decay_steps=10,
        warmup_iter=0,
        weight_decay=0.0,
        restore_best_weights=False,
    ):
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
        self.class_weight = class_weight
        self.scoring = scoring
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
        self.warmup_iter = warmup_iter
        self.weight_decay = weight_decay
        self.restore_best_weights = restore_best_weights

    def _layer_initializers(self, n_layers):
        return [zeros] * n_layers

    @property
    def coef_(self):
        """ndarray of shape (n_outputs, n_features): the weights, one row per output unit."""
        return self.coefs_[0].T

    @property
    def intercept_(self):
        """ndarray of shape (n_outputs,): the intercepts."""
        return self.intercepts_[0]
