"""DeepNetClassifier: the L-layer fully connected network classifier and its public parameters."""

from ._base import BaseDeepNetClassifier


class DeepNetClassifier(BaseDeepNetClassifier):
    """Fully connected L-layer network classifier trained by vectorized backpropagation.

    A drop-in superset of :class:`sklearn.neural_network.MLPClassifier`: every parameter of it
    with the same name, meaning and default, the same fitted attributes and methods, plus the
    ``init`` and ``negative_slope`` parameters, the ``leaky_relu`` activation and the ``gd``
    and ``agd`` solvers.

    The output layer follows the target: one sigmoid unit for binary ``y``, a softmax for
    multiclass ``y``, one sigmoid per label for a multilabel indicator matrix. The training
    objective on a batch with sample weights ``s`` is::

        (sum_i s_i * cross_entropy_i + alpha / 2 * sum_l ||W_l||^2) / sum_i s_i

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Number of units of each hidden layer; ``()`` gives logistic regression.
    activation : {'identity', 'logistic', 'sigmoid', 'tanh', 'relu', 'leaky_relu'}, \
            default='relu'
        Activation of the hidden layers (``'sigmoid'`` is another name for ``'logistic'``).
    solver : {'adam', 'sgd', 'gd', 'agd', 'lbfgs'}, default='adam'
        - ``'adam'``: Adam on mini-batches.
        - ``'sgd'``: mini-batch stochastic gradient descent with (Nesterov) momentum.
        - ``'gd'``: full-batch gradient descent with a fixed step, the course's algorithm:
          one step per epoch.
        - ``'agd'``: full-batch Nesterov-accelerated gradient descent with a backtracking line
          search and adaptive restart; it needs no learning rate.
        - ``'lbfgs'``: SciPy's L-BFGS-B on the full objective.
    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights (not the biases).
    batch_size : int or 'auto', default='auto'
        Mini-batch size of ``'sgd'`` and ``'adam'``; ``'auto'`` means ``min(200, n_samples)``.
        Full-batch solvers use every sample in each step.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule of ``'gd'``, ``'sgd'`` and ``'adam'`` (for Adam it scales the
        base step size):

        - ``'constant'``: ``learning_rate_init`` throughout.
        - ``'invscaling'``: after each epoch, ``learning_rate_init / (t_ + 1) ** power_t``
          where ``t_`` counts the training samples seen.
        - ``'adaptive'``: constant while the training loss (the validation score with
          ``early_stopping``) keeps improving by ``tol``; after more than
          ``n_iter_no_change`` epochs without improvement it is divided by 5, and training
          stops once it would fall to 1e-6 or below.

        ``'agd'`` and ``'lbfgs'`` choose their own steps: any schedule other than
        ``'constant'`` raises a ``ValueError`` with them.
    learning_rate_init : float, default=0.001
        Initial step size of ``'gd'``, ``'sgd'`` and ``'adam'``; for ``'agd'`` only the length
        of the probe step of its first Lipschitz estimate. Unused by ``'lbfgs'``.
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
    max_iter : int, default=200
        Maximum number of epochs (iterations for ``'lbfgs'``).
    shuffle : bool, default=True
        Shuffle the samples before each epoch of the mini-batch solvers.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialization, the shuffling and the early-stopping split.
    tol : float, default=1e-4
        Convergence threshold. Full-batch solvers (``'gd'``, ``'agd'``, ``'lbfgs'``), which see
        the exact gradient, stop once its largest absolute entry is at most ``tol``. Mini-batch
        solvers (``'sgd'``, ``'adam'``) stop after more than ``n_iter_no_change`` consecutive
        epochs that improve the training loss by less than ``tol``. With ``early_stopping``
        every epoch-based solver also stops after more than ``n_iter_no_change`` epochs that
        improve the validation score by less than ``tol``.
    verbose : bool, default=False
        Print the loss (and validation score) after each epoch.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution instead of a new initialization.
    momentum : float, default=0.9
        Momentum of ``'sgd'``, in ``[0, 1]``.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``'sgd'``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stratified by class (random
        for multilabel targets, and with a warning when a class has a single sample), stop
        when its accuracy stops improving and restore the weights of the best epoch.
        Epoch-based solvers only: ``'lbfgs'`` ignores it with a warning, never silently.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping, in ``(0, 1)``.
    beta_1 : float, default=0.9
        Decay rate of Adam's first moment estimate, in ``[0, 1)``.
    beta_2 : float, default=0.999
        Decay rate of Adam's second moment estimate, in ``[0, 1)``.
    epsilon : float, default=1e-8
        Adam's numerical-stability term.
    n_iter_no_change : int, default=10
        Number of epochs without ``tol`` improvement tolerated before stopping.
    max_fun : int, default=15000
        Maximum number of objective evaluations of ``'lbfgs'``.
    init : {'auto', 'he', 'glorot', 'normal'}, default='auto'
        Weight initialization; biases start at zero, weights never do.

        - ``'auto'``: He for layers feeding ``relu``/``leaky_relu`` units, Glorot otherwise.
        - ``'he'``: ``N(0, 2 / fan_in)``.
        - ``'glorot'``: ``U(-r, r)``, ``r = sqrt(6 / (fan_in + fan_out))``.
        - ``'normal'``: the course's ``N(0, 1) * 0.01``.
    negative_slope : float, default=0.01
        Slope of ``leaky_relu`` for negative inputs, in ``[0, 1)``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coefs_ : list of ndarray
        ``coefs_[l]`` has shape ``(fan_in, fan_out)`` (row-major: ``Z = A_prev @ W + b``).
    intercepts_ : list of ndarray
        ``intercepts_[l]`` has shape ``(fan_out,)``.
    loss_ : float
        Training loss (objective above) of the last epoch.
    loss_curve_ : list of float
        Training loss after each epoch (each iteration for ``'lbfgs'``).
    best_loss_ : float or None
        Lowest training loss reached; ``None`` with ``early_stopping``.
    validation_scores_ : list of float or None
        Validation accuracy after each epoch with ``early_stopping``, else ``None``.
    best_validation_score_ : float or None
        Best validation accuracy with ``early_stopping``, else ``None``.
    n_iter_ : int
        Number of epochs (``'lbfgs'``: iterations) run.
    t_ : int
        Number of training samples seen by the solver.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        ``'logistic'`` or ``'softmax'``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    LogisticRegressionGD : The same engine with no hidden layer.
    sklearn.neural_network.MLPClassifier : The estimator this one extends.

    Notes
    -----
    Deliberate differences from ``MLPClassifier``: ``predict_log_proba`` is computed from the
    logits and stays finite; the early-stopping split is stratified for binary and multiclass
    targets; ``validation_fraction`` must be strictly between 0 and 1; schedules are honoured
    by Adam and rejected by solvers that cannot use them instead of being ignored; lbfgs warns
    that it ignores ``early_stopping``; assigning ``coefs_[l]`` writes into the model; a diverging
    loss raises a ``ValueError`` naming the learning rate after restoring the last finite
    weights; ``decision_function`` returns the output logits.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_deepnet import DeepNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DeepNetClassifier(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """

    def __init__(
        self,
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
        class_weight=None,
        scoring="loss",
        decay_rate=0.5,
        decay_steps=10,
    ):
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
        self.class_weight = class_weight
        self.scoring = scoring
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
