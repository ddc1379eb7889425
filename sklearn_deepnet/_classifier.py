"""DeepNetClassifier: the L-layer fully connected network classifier and its public parameters."""

from . import _docs
from ._base import BatchNormalizationMixin
from ._base_classifier import BaseDeepNetClassifier


class DeepNetClassifier(BatchNormalizationMixin, BaseDeepNetClassifier):
    __doc__ = _docs.compose(
        """Fully connected L-layer network classifier trained by vectorized backpropagation.

    A drop-in superset of :class:`sklearn.neural_network.MLPClassifier`: every parameter of it
    with the same name, meaning and default, the same fitted attributes and methods, plus
    dropout, batch normalization, class weights, a validation set of your own
    (``fit(..., X_val=, y_val=)``) with any scorer, step and exponential learning-rate decay, the
    ``init`` and ``negative_slope`` parameters, and more activations and solvers (see
    ``activation`` and ``solver``).

    The output layer follows the target: one sigmoid unit for binary ``y``, a softmax for
    multiclass ``y``, one sigmoid per label for a multilabel indicator matrix. The training
    objective on a batch with sample weights ``s`` (times the class weights) is::

        (sum_i s_i * cross_entropy_i + alpha / 2 * sum_l ||W_l||^2) / sum_i s_i

""",
        _docs.parameters(
            *_docs.NETWORK_PARAMETERS, "class_weight", "label_smoothing",
            *_docs.TRAINING_PARAMETERS,
        ),
        _docs.attributes(
            "classes_",
            *_docs.NETWORK_ATTRIBUTES,
            out_activation_="""\
    out_activation_ : str
        ``'logistic'`` (binary, multilabel) or ``'softmax'`` (multiclass).
""",
        ),
        """\
    See Also
    --------
    LogisticRegressionGD : The same engine with no hidden layer.
    DeepNetRegressor : The regression counterpart.
    sklearn.neural_network.MLPClassifier : The estimator this one extends.

    Notes
    -----
    With its defaults it trains as ``MLPClassifier`` does: the same initial weights for the same
    ``random_state``, the same early-stopping rule (validation accuracy), the same errors.
    Deliberate differences (the user guide's migration page lists them all):
    ``predict_log_proba`` is finite where ``MLPClassifier``'s is ``-inf``; the early-stopping
    split is stratified for multiclass targets too, when it can be; ``validation_fraction``
    must be strictly between 0 and 1; schedules are honoured by Adam and rejected by solvers
    that cannot use them instead of being ignored; lbfgs warns that it ignores
    ``early_stopping``; a diverging loss stops training at once with a ``ConvergenceWarning``
    and restores the last finite weights; a model fitted on a single class gives it
    probability 1 in one column.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_deepnet import DeepNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DeepNetClassifier((16,), solver="lbfgs", max_iter=500, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
""",
    )

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
        batch_normalization=False,
        class_weight=None,
        label_smoothing=0.0,
        scoring=None,
        decay_rate=0.5,
        decay_steps=10,
        warmup_iter=0,
        weight_decay=0.0,
        restore_best_weights=False,
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
        self.batch_normalization = batch_normalization
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        self.scoring = scoring
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
        self.warmup_iter = warmup_iter
        self.weight_decay = weight_decay
        self.restore_best_weights = restore_best_weights
