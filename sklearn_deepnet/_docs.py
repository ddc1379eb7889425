"""Shared numpydoc text of the estimators' parameters and fitted attributes.

The estimators assemble their docstrings from these entries, so a parameter that several
estimators share is described once.
"""
PARAMETERS = {
    "hidden_layer_sizes": """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Number of units of each hidden layer; ``()`` gives logistic regression.
""",
    "activation": """\
    activation : {'identity', 'logistic', 'sigmoid', 'tanh', 'relu', 'leaky_relu'}, \
            default='relu'
        Activation of the hidden layers (``'sigmoid'`` is another name for ``'logistic'``).
""",
    "solver": """\
    solver : {'adam', 'sgd', 'gd', 'agd', 'lbfgs'}, default='adam'
        - ``'adam'``: Adam on mini-batches.
        - ``'sgd'``: mini-batch stochastic gradient descent with (Nesterov) momentum.
        - ``'gd'``: full-batch gradient descent with a fixed step, the course's algorithm:
          one step per epoch.
        - ``'agd'``: full-batch Nesterov-accelerated gradient descent with a backtracking line
          search and adaptive restart; it needs no learning rate.
        - ``'lbfgs'``: SciPy's L-BFGS-B on the full objective.
""",
    "alpha": """\
    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights (not the biases).
""",
    "batch_size": """\
    batch_size : int or 'auto', default='auto'
        Mini-batch size of ``'sgd'`` and ``'adam'``; ``'auto'`` means ``min(200, n_samples)``.
        Full-batch solvers use every sample in each step.
""",
    "learning_rate": """\
    learning_rate : {'constant', 'invscaling', 'adaptive', 'step', 'exponential'}, \
            default='constant'
        Learning-rate schedule of ``'gd'``, ``'sgd'`` and ``'adam'`` (for Adam it scales the
        base step size). As for ``MLPClassifier``, every ``fit`` starts at
        ``learning_rate_init`` (warm-started or not) and the schedule sets the next epoch's
        rate after each epoch; ``partial_fit`` continues from the previous call's rate.
        ``epoch`` counts the epochs run since the weights were initialized:

        - ``'constant'``: ``learning_rate_init`` throughout.
        - ``'invscaling'``: ``learning_rate_init / (t_ + 1) ** power_t`` where ``t_`` counts
          the training samples seen.
        - ``'adaptive'``: constant while the training loss (the validation score with
          ``early_stopping``) keeps improving by ``tol``; after more than
          ``n_iter_no_change`` epochs without improvement it is divided by 5, and training
          stops once it would fall to 1e-6 or below.
        - ``'step'``: ``learning_rate_init * decay_rate ** floor(epoch / decay_steps)``, the
          course's discrete staircase.
        - ``'exponential'``: ``learning_rate_init * decay_rate ** (epoch / decay_steps)``, the
          course's exponential decay.

        ``'agd'`` and ``'lbfgs'`` choose their own steps: any schedule other than
        ``'constant'`` raises a ``ValueError`` with them.
""",
    "learning_rate_init": """\
    learning_rate_init : float, default=0.001
        Initial step size of ``'gd'``, ``'sgd'`` and ``'adam'``; for ``'agd'`` only the length
        of the probe step of its first Lipschitz estimate. Unused by ``'lbfgs'``.
""",
    "power_t": """\
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
""",
    "max_iter": """\
    max_iter : int, default=200
        Maximum number of epochs (iterations for ``'lbfgs'``).
""",
    "shuffle": """\
    shuffle : bool, default=True
        Shuffle the samples before each epoch of the mini-batch solvers.
""",
    "random_state": """\
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialization, the shuffling and the early-stopping split.
""",
    "tol": """\
    tol : float, default=1e-4
        Convergence threshold. Full-batch solvers (``'gd'``, ``'agd'``, ``'lbfgs'``), which see
        the exact gradient, stop once its largest absolute entry is at most ``tol``. Mini-batch
        solvers (``'sgd'``, ``'adam'``) stop after more than ``n_iter_no_change`` consecutive
        epochs that improve the training loss by less than ``tol``. With ``early_stopping``
        every epoch-based solver also stops after more than ``n_iter_no_change`` epochs that
        improve the validation score by less than ``tol``.
""",
    "verbose": """\
    verbose : bool, default=False
        Print the loss (and validation score) after each epoch.
""",
    "warm_start": """\
    warm_start : bool, default=False
        Start ``fit`` from the previous solution instead of a new initialization.
""",
    "momentum": """\
    momentum : float, default=0.9
        Momentum of ``'sgd'``, in ``[0, 1]``.
""",
    "nesterovs_momentum": """\
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``'sgd'``.
""",
    "early_stopping": """\
    early_stopping : bool, default=False
        Stop when the validation score (see ``scoring``) has not improved by ``tol`` for more
        than ``n_iter_no_change`` epochs, and restore the weights of the best epoch. The
        validation set is ``X_val, y_val`` when given to ``fit``, else ``validation_fraction``
        of the training data held out: stratified by class for binary targets, as
        ``MLPClassifier`` (a class with a single sample is an error), and for multiclass
        targets whenever every class fits on both sides (random otherwise, as
        ``MLPClassifier`` always splits them); random for multilabel targets. Epoch-based
        solvers only: ``'lbfgs'`` ignores it with a warning, never silently. ``partial_fit``
        stops early only on a given ``X_val, y_val`` (without one, ``early_stopping=True``
        makes it raise ``MLPClassifier``'s error).
""",
    "validation_fraction": """\
    validation_fraction : float, default=0.1
        Fraction held out for early stopping when no ``X_val`` is given, in ``(0, 1)``.
""",
    "beta_1": """\
    beta_1 : float, default=0.9
        Decay rate of Adam's first moment estimate, in ``[0, 1)``.
""",
    "beta_2": """\
    beta_2 : float, default=0.999
        Decay rate of Adam's second moment estimate, in ``[0, 1)``.
""",
    "epsilon": """\
    epsilon : float, default=1e-8
        Adam's numerical-stability term.
""",
    "n_iter_no_change": """\
    n_iter_no_change : int, default=10
        Number of epochs without ``tol`` improvement tolerated before stopping.
""",
    "max_fun": """\
    max_fun : int, default=15000
        Maximum number of objective evaluations of ``'lbfgs'``.
""",
    "init": """\
    init : {'auto', 'glorot', 'he', 'lecun', 'normal'}, default='auto'
        Initialization of the weights (never zeros) and biases.

        - ``'auto'``: ``MLPClassifier``'s, so the default network starts from the very
          weights ``MLPClassifier`` would (same ``random_state``, same numbers): weights
          *and* biases ``U(-r, r)`` with ``r = sqrt(6 / (fan_in + fan_out))``
          (``sqrt(2 / (fan_in + fan_out))`` for ``activation='logistic'``), every layer.
        - ``'glorot'``: weights ``U(-r, r)``, ``r = sqrt(6 / (fan_in + fan_out))``, zero
          biases.
        - ``'he'``: weights ``N(0, 2 / fan_in)``, zero biases; for deep ReLU networks.
        - ``'lecun'``: weights ``N(0, 1 / fan_in)``, zero biases.
        - ``'normal'``: the course's ``N(0, 1) * 0.01``, zero biases.
""",
    "negative_slope": """\
    negative_slope : float, default=0.01
        Slope of ``leaky_relu`` for negative inputs, in ``[0, 1)``.
""",
    "dropout": """\
    dropout : float or array-like of shape (n_layers - 2,), default=0.0
        Inverted dropout: during training each unit of a hidden layer is zeroed with this
        probability (one rate for all hidden layers, or one per hidden layer) and the kept
        units are scaled by ``1 / (1 - rate)``. Never applied at prediction time. Fresh masks
        are drawn for every mini-batch from ``random_state``. Rates are in ``[0, 1)``; solvers
        ``'agd'`` and ``'lbfgs'``, which need a deterministic objective, reject a non-zero
        rate.
""",
    "class_weight": """\
    class_weight : dict, list of dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``: ``{label: weight}`` (absent
        classes weigh 1), ``'balanced'`` for ``n_samples / (n_classes * np.bincount(y))``, or
        for multilabel targets a list of ``{0: w, 1: w}`` dicts, one per label. Applied to the
        validation set too. ``partial_fit`` rejects ``'balanced'``, which needs the class
        counts of the whole training set; give it a dict.
""",
    "scoring": """\
    scoring : str, callable or None, default=None
        Validation score recorded in ``validation_scores_`` after each epoch and used by
        ``early_stopping``. ``None``: the estimator's ``score`` (accuracy for classifiers,
        R² for regressors), ``MLPClassifier``'s and ``MLPRegressor``'s rule. ``'loss'``: the
        negated validation loss (the training loss without the L2 penalty). Or any
        scikit-learn scorer name or callable ``scorer(estimator, X, y)``. The validation loss
        is recorded in ``validation_loss_curve_`` whatever the score.
""",
    "decay_rate": """\
    decay_rate : float, default=0.5
        Factor of the ``'step'`` and ``'exponential'`` schedules, in ``(0, 1]``.
""",
    "decay_steps": """\
    decay_steps : int, default=10
        Epochs over which the ``'step'`` and ``'exponential'`` schedules multiply the rate by
        ``decay_rate``.
""",
}

ATTRIBUTES = {
    "classes_": """\
    classes_ : ndarray of shape (n_classes,)
        Class labels.
""",
    "coefs_": """\
    coefs_ : list of ndarray
        ``coefs_[l]`` has shape ``(fan_in, fan_out)`` (row-major: ``Z = A_prev @ W + b``).
""",
    "intercepts_": """\
    intercepts_ : list of ndarray
        ``intercepts_[l]`` has shape ``(fan_out,)``.
""",
    "loss_": """\
    loss_ : float
        Training loss (objective above) of the last epoch.
""",
    "loss_curve_": """\
    loss_curve_ : list of float
        Training loss after each epoch (each iteration for ``'lbfgs'``).
""",
    "best_loss_": """\
    best_loss_ : float or None
        Lowest training loss reached; ``None`` with ``early_stopping``.
""",
    "validation_scores_": """\
    validation_scores_ : list of float or None
        Validation score (``scoring``) after each epoch when a validation set is used
        (``early_stopping`` or ``X_val``), else ``None``.
""",
    "best_validation_score_": """\
    best_validation_score_ : float or None
        Best validation score with ``early_stopping``, else ``None``.
""",
    "n_iter_": """\
    n_iter_ : int
        Number of epochs (``'lbfgs'``: iterations) run.
""",
    "t_": """\
    t_ : int
        Number of training samples seen by the solver.
""",
    "n_layers_": """\
    n_layers_ : int
        Number of layers, input and output included.
""",
    "n_outputs_": """\
    n_outputs_ : int
        Number of output units.
""",
    "out_activation_": """\
    out_activation_ : str
        ``'logistic'`` or ``'softmax'``.
""",
    "n_features_in_": """\
    n_features_in_ : int
        Number of features seen during fit.
""",
    "feature_names_in_": """\
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Feature names, when ``X`` has string column names.
""",
    "validation_loss_curve_": """\
    validation_loss_curve_ : list of float or None
        Validation loss (without the L2 penalty) after each epoch when a validation set is
        used, else ``None``.
""",
}

NETWORK_PARAMETERS = (
    "hidden_layer_sizes",
    "activation",
    "solver",
    "alpha",
    "batch_size",
    "learning_rate",
    "learning_rate_init",
    "power_t",
    "max_iter",
    "shuffle",
    "random_state",
    "tol",
    "verbose",
    "warm_start",
    "momentum",
    "nesterovs_momentum",
    "early_stopping",
    "validation_fraction",
    "beta_1",
    "beta_2",
    "epsilon",
    "n_iter_no_change",
    "max_fun",
    "init",
    "negative_slope",
    "dropout",
)
"""Parameters of every network estimator, in constructor order."""

TRAINING_PARAMETERS = ("scoring", "decay_rate", "decay_steps")
"""Parameters closing every constructor, after the estimator-specific ones."""

NETWORK_ATTRIBUTES = tuple(name for name in ATTRIBUTES if name != "classes_")
"""Fitted attributes of every network estimator."""


def compose(summary, parameters, attributes, rest):
    """Assemble a class docstring from its own text and shared sections.

    Parameters
    ----------
    summary : str
        Docstring opening: summary line and extended description, ending in a blank line.
    parameters, attributes : str
        Sections from :func:`parameters` and :func:`attributes`.
    rest : str
        The remaining sections (See Also, Notes, Examples), indented.

    Returns
    -------
    docstring : str
        The whole docstring.
    """
    return f"{summary}{parameters}\n{attributes}\n{rest}"


def parameters(*names, **overrides):
    """Return the numpydoc ``Parameters`` section listing ``names`` in order.

    Parameters
    ----------
    *names : str
        Parameter names, keys of :data:`PARAMETERS` unless overridden.
    **overrides : str
        Entries replacing (or adding to) the shared text for this estimator.

    Returns
    -------
    section : str
        The section, indented for a class docstring.
    """
    return _section("Parameters", PARAMETERS, names, overrides)


def attributes(*names, **overrides):
    """Return the numpydoc ``Attributes`` section listing ``names`` in order.

    Parameters
    ----------
    *names : str
        Attribute names, keys of :data:`ATTRIBUTES` unless overridden.
    **overrides : str
        Entries replacing (or adding to) the shared text for this estimator.

    Returns
    -------
    section : str
        The section, indented for a class docstring.
    """
    return _section("Attributes", ATTRIBUTES, names, overrides)


def entries(*names):
    """Return the shared text of the parameters ``names``, without a section header.

    Parameters
    ----------
    *names : str
        Keys of :data:`PARAMETERS`.

    Returns
    -------
    text : str
        The entries, indented for a class docstring.
    """
    return "".join(PARAMETERS[name] for name in names)


def _section(title, table, names, overrides):
    body = "".join(overrides.get(name) or table[name] for name in names)
    return f"    {title}\n    {'-' * len(title)}\n{body}"
