"""Documentation generated from the registries: docstring entries and the user guide's tables.

The estimators assemble their docstrings from these entries, so a parameter that several
estimators share is described once. The option lists (activations, solvers, schedules,
initializers), every "which solvers use this" and the user guide's tables of the same registries
(:func:`write_user_guide_tables`, run by the documentation build) are generated, so a new
activation, solver, schedule or initializer is documented by its own class or function, with no
list to update anywhere.
"""

import ast
import inspect
import os
import textwrap

from .nn.activations import activation_classes
from .nn.initializers import INITIALIZERS
from .nn.optimizers import SOLVERS
from .training.schedules import SCHEDULES

_INDENT = " " * 8


def _wrap(text, indent=_INDENT):
    """``text`` filled to 100 columns at ``indent``."""
    return textwrap.fill(
        text, width=100, initial_indent=indent, subsequent_indent=indent,
        break_on_hyphens=False, break_long_words=False,
    ) + "\n"


def _bullets(items):
    """A bullet list (``- ``) of ``(label, text)`` pairs, filled to 100 columns."""
    lines = []
    for label, text in items:
        item = textwrap.fill(
            f"- {label}: {text}", width=100, initial_indent=_INDENT,
            subsequent_indent=_INDENT + "  ", break_on_hyphens=False, break_long_words=False,
        )
        lines.append(item + "\n")
    return "".join(lines)


def _names(names):
    """``'a'``, ``'b'`` and ``'c'``."""
    quoted = [f"``{name!r}``" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def solvers_where(capability, value=True):
    """The solver names whose class declares ``capability == value``, as rst."""
    return _names([name for name, cls in SOLVERS.items() if getattr(cls, capability) == value])


def solvers_reading(parameter):
    """The solver names that read the estimator parameter ``parameter``, as rst."""
    return _names([name for name, cls in SOLVERS.items()
                   if parameter in cls.hyperparameters.values()])


def _choices(name, options, default):
    """The entry's first line: the options as a set, or ``str`` when they are many."""
    line = f"    {name} : {{{', '.join(repr(option) for option in options)}}}, default={default!r}"
    if len(line) > 100:
        line = f"    {name} : str, default={default!r}"
    return line + "\n"


def _activation_label(cls):
    """``'name'`` or ``'alias'``: every name an activation class is registered under."""
    return " or ".join(f"``{name!r}``" for name in (cls.name, *cls.aliases))


def _first_paragraph(obj):
    """The first paragraph of ``obj``'s docstring, on one line, without its final period."""
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split()).rstrip(".")


def initializer_label(init):
    """How the documentation names an initializer: its ``init`` name, else what it draws.

    Parameters
    ----------
    init : callable
        ``init(fan_in, fan_out, rng, dtype) -> (W, b)``: a value of :data:`INITIALIZERS` or
        another initializer (an activation's ``default_init``).

    Returns
    -------
    label : str
        ``'name'`` for a registered initializer; otherwise the first paragraph of its
        docstring (its class's, for an initializer object), with the object's arguments.
    """
    for name, registered in INITIALIZERS.items():
        if init is registered:
            return f"``{name!r}``"
    if inspect.isroutine(init):
        return _first_paragraph(init)
    arguments = ", ".join(f"``{key}={value!r}``" for key, value in vars(init).items())
    summary = _first_paragraph(type(init))
    return f"{summary} with {arguments}" if arguments else summary


def default_inits():
    """Each activation's own initialization (``init='auto'``), grouped.

    Returns
    -------
    groups : dict
        :func:`initializer_label` -> the activation classes that default to it, in registry
        order.
    """
    groups = {}
    for cls in activation_classes():
        groups.setdefault(initializer_label(cls.default_init), []).append(cls)
    return groups


def activation_entry(default="relu"):
    """The ``activation`` entry, one bullet per registered activation."""
    classes = activation_classes()
    names = [name for cls in classes for name in (cls.name, *cls.aliases)]
    bullets = [(_activation_label(cls), cls.summary) for cls in classes]
    return (_choices("activation", names, default)
            + _wrap("Activation of the hidden layers:") + "\n" + _bullets(bullets))


def solver_entry(default="adam"):
    """The ``solver`` entry, one bullet per registered solver."""
    return _choices("solver", list(SOLVERS), default) + _bullets(
        (f"``{name!r}``", cls.summary) for name, cls in SOLVERS.items()
    )


def schedule_entry():
    """The ``learning_rate`` entry, one bullet per schedule of the table."""
    intro = (
        f"Learning-rate schedule of the solvers that step by a learning rate "
        f"({solvers_where('uses_learning_rate')}; it sets the base step size of those that "
        "adapt each parameter's step). As for ``MLPClassifier``, every ``fit`` starts at "
        "``learning_rate_init`` (warm-started or not) and the schedule sets the next epoch's "
        "rate after each epoch (``'cosine'`` and ``'one_cycle'`` plan all ``max_iter`` epochs "
        "of a ``fit`` from its first); "
        "``partial_fit`` continues from the previous call's rate. ``epoch`` counts the epochs "
        "run since the weights were initialized:"
    )
    outro = (
        f"The other solvers ({solvers_where('uses_learning_rate', False)}) choose their own "
        "steps: any schedule other than ``'constant'`` raises a ``ValueError`` with them."
    )
    return (_choices("learning_rate", list(SCHEDULES), "constant") + _wrap(intro) + "\n"
            + _bullets((f"``{name!r}``", cls.summary) for name, cls in SCHEDULES.items())
            + "\n" + _wrap(outro))


def init_entry():
    """The ``init`` entry: ``'auto'`` and one bullet per named initializer."""
    by_activation = "; ".join(
        f"{label} for {_names([cls.name for cls in classes])}"
        for label, classes in default_inits().items()
    )
    auto = (
        "the activation's own, drawn for every layer: " + by_activation + ". For the "
        "activations ``MLPClassifier`` has, the default network thus starts from the very "
        "weights ``MLPClassifier`` would (same ``random_state``, same numbers)."
    )
    named = [(f"``{name!r}``", " ".join(init.__doc__.split())) for name, init in
             INITIALIZERS.items()]
    return (_choices("init", ["auto", *INITIALIZERS], "auto")
            + _wrap("Initialization of the weights (never zeros) and biases.") + "\n"
            + _bullets([("``'auto'``", auto), *named]))


def entry(header, text):
    """A numpydoc entry: ``header``, then ``text`` filled, its ``{lists}`` from the registries.

    Parameters
    ----------
    header : str
        The entry's first line, ``name : type, default=value``.
    text : str
        Its description; ``{mini}``, ``{full}``, ``{lr}``, ``{novalidation}``,
        ``{deterministic}`` and ``{<parameter>}`` (the solvers reading that parameter) are
        replaced by the names of the matching solvers.

    Returns
    -------
    entry : str
        The entry, indented for a class docstring.
    """
    return f"    {header}\n" + _wrap(text.format(**_LISTS))


_LISTS = {
    "mini": solvers_where("full_batch", False),
    "full": solvers_where("full_batch"),
    "lr": solvers_where("uses_learning_rate"),
    "novalidation": solvers_where("supports_validation", False),
    "deterministic": solvers_where("deterministic"),
    **{name: solvers_reading(name)
       for name in ("momentum", "nesterovs_momentum", "beta_1", "beta_2", "epsilon", "max_fun")},
    "decay": solvers_where("supports_weight_decay"),
}

_TEXT = {  # parameter -> (header, text with {lists} from the registries)
    "hidden_layer_sizes": (
        "hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)",
        "Number of units of each hidden layer; ``()`` gives logistic regression."
    ),
    "alpha": (
        "alpha : float, default=0.0001",
        "Strength of the L2 penalty on the weights (not the biases)."
    ),
    "batch_size": (
        "batch_size : int or 'auto', default='auto'",
        "Mini-batch size of the mini-batch solvers ({mini}); ``'auto'`` means ``min(200, "
        "n_samples)``. Full-batch solvers ({full}) use every sample in each step."
    ),
    "learning_rate_init": (
        "learning_rate_init : float, default=0.001",
        "Initial step size of the solvers that step by a learning rate ({lr}). ``'agd'`` uses"
        " it only as the length of the probe step of its first Lipschitz estimate."
    ),
    "power_t": (
        "power_t : float, default=0.5",
        "Exponent of the ``'invscaling'`` schedule."
    ),
    "max_iter": (
        "max_iter : int, default=200",
        "Maximum number of epochs (iterations for ``'lbfgs'``)."
    ),
    "shuffle": (
        "shuffle : bool, default=True",
        "Shuffle the samples before each epoch of the mini-batch solvers ({mini})."
    ),
    "random_state": (
        "random_state : int, RandomState instance or None, default=None",
        "Seeds the weight initialization, the shuffling, the dropout masks and the "
        "early-stopping split."
    ),
    "tol": (
        "tol : float, default=1e-4",
        "Convergence threshold. Full-batch solvers ({full}), which see the exact gradient, "
        "stop once its largest absolute entry is at most ``tol``. Mini-batch solvers ({mini})"
        " stop after more than ``n_iter_no_change`` consecutive epochs that improve the "
        "training loss by less than ``tol``. With ``early_stopping`` every solver that "
        "monitors a validation set also stops after more than ``n_iter_no_change`` epochs "
        "that improve the validation score by less than ``tol``."
    ),
    "verbose": (
        "verbose : bool, default=False",
        "Print the loss (and validation score) after each epoch; lines from parallel fits "
        "(``GridSearchCV(n_jobs=...)``) start with the worker and fit they belong to."
    ),
    "warm_start": (
        "warm_start : bool, default=False",
        "Start ``fit`` from the previous solution (or from weights assigned to ``coefs_`` and"
        " ``intercepts_`` before fitting) instead of a new initialization."
    ),
    "momentum": (
        "momentum : float, default=0.9",
        "Momentum, in ``[0, 1]``. Used by {momentum}."
    ),
    "nesterovs_momentum": (
        "nesterovs_momentum : bool, default=True",
        "Use Nesterov's momentum. Used by {nesterovs_momentum}."
    ),
    "early_stopping": (
        "early_stopping : bool, default=False",
        "Stop when the validation score (see ``scoring``) has not improved by ``tol`` for "
        "more than ``n_iter_no_change`` epochs, and restore the weights of the best epoch. "
        "The validation set is ``X_val, y_val`` when given to ``fit``, else "
        "``validation_fraction`` of the training data held out: stratified by class for "
        "binary targets, as ``MLPClassifier`` (a class with a single sample is an error), and"
        " for multiclass targets whenever every class fits on both sides (random otherwise, "
        "as ``MLPClassifier`` always splits them); random for multilabel targets. The solvers"
        " that cannot monitor a validation set ({novalidation}) ignore it with a warning, "
        "never silently. ``partial_fit`` stops early only on a given ``X_val, y_val`` "
        "(without one, ``early_stopping=True`` makes it raise ``MLPClassifier``'s error)."
    ),
    "validation_fraction": (
        "validation_fraction : float, default=0.1",
        "Fraction held out for early stopping when no ``X_val`` is given, in ``[0, 1)``."
    ),
    "beta_1": (
        "beta_1 : float, default=0.9",
        "Decay rate of the first moment estimate of the gradient, in ``[0, 1)``. Used by "
        "{beta_1}."
    ),
    "beta_2": (
        "beta_2 : float, default=0.999",
        "Decay rate of the second moment (mean square) estimate of the gradient, in ``[0, "
        "1)``. Used by {beta_2}."
    ),
    "epsilon": (
        "epsilon : float, default=1e-8",
        "Numerical-stability term added to the root mean square of the gradient. Used by "
        "{epsilon}."
    ),
    "n_iter_no_change": (
        "n_iter_no_change : int, default=10",
        "Number of epochs without ``tol`` improvement tolerated before stopping."
    ),
    "max_fun": (
        "max_fun : int, default=15000",
        "Maximum number of objective evaluations. Used by {max_fun}."
    ),
    "negative_slope": (
        "negative_slope : float, default=0.01",
        "Slope of ``leaky_relu`` for negative inputs, in ``[0, 1)``."
    ),
    "dropout": (
        "dropout : float or array-like of shape (n_layers - 2,), default=0.0",
        "Inverted dropout: during training each unit of a hidden layer is zeroed with this "
        "probability (one rate for all hidden layers, or one per hidden layer) and the kept "
        "units are scaled by ``1 / (1 - rate)``. Never applied at prediction time. Fresh "
        "masks are drawn for every mini-batch from ``random_state``. Rates are in ``[0, 1)``;"
        " the solvers that need a deterministic objective ({deterministic}) reject a non-zero"
        " rate."
    ),
    "batch_normalization": (
        "batch_normalization : bool, default=False",
        "Batch normalization, from the course's lesson on normalizing activations (course 2, "
        "week 3): in training, each hidden "
        "layer's ``Z = A_prev @ W + b`` is normalized with the mean ``mu`` and the (biased) "
        "variance ``var`` of its batch, each sample counted with its ``sample_weight``, "
        "``Z_hat = (Z - mu) / sqrt(var + 1e-5)``, then scaled and shifted by a learned ``gamma`` "
        "(starting at 1) and ``beta`` (at 0) per unit, ``Z_tilde = gamma * Z_hat + beta``, "
        "before the activation (dropout, if any, still follows the activation). Predictions "
        "and validation scores use running means and variances instead: after each step of "
        "the mini-batch solvers ({mini}), those of its batch enter exponentially weighted "
        "averages (the course's ``beta = 0.9``, bias-corrected); the full-batch solvers "
        "({full}) take those of all the training data at the final weights (``partial_fit``: "
        "of each call's data, averaged across calls). ``alpha`` does not penalize ``gamma`` "
        "and ``beta``; every batch needs at least 2 samples. The fitted ``gammas_``, "
        "``betas_``, ``running_means_`` and ``running_vars_`` hold the state."
    ),
    "class_weight": (
        "class_weight : dict, list of dict, 'balanced' or None, default=None",
        "Weights of the classes, multiplied into ``sample_weight``: ``{{label: weight}}`` "
        "(absent classes weigh 1), ``'balanced'`` for ``n_samples / (n_classes * "
        "np.bincount(y))``, or for multilabel targets a list of ``{{0: w, 1: w}}`` dicts, one"
        " per label. Applied to the validation set too. ``partial_fit`` rejects "
        "``'balanced'``, which needs the class counts of the whole training set; give it a "
        "dict."
    ),
    "scoring": (
        "scoring : str, callable or None, default=None",
        "Validation score recorded in ``validation_scores_`` after each epoch and used by "
        "``early_stopping``. ``None``: the estimator's ``score`` (accuracy for classifiers, "
        "R² for regressors), ``MLPClassifier``'s and ``MLPRegressor``'s rule. ``'loss'``: the"
        " negated validation loss (the training loss without the L2 penalty). Or any "
        "scikit-learn scorer name or callable ``scorer(estimator, X, y)``. The validation "
        "loss is recorded in ``validation_loss_curve_`` whatever the score."
    ),
    "decay_rate": (
        "decay_rate : float, default=0.5",
        "Factor of the ``'step'`` and ``'exponential'`` schedules, in ``(0, 1]``."
    ),
    "decay_steps": (
        "decay_steps : int, default=10",
        "Epochs over which the ``'step'`` and ``'exponential'`` schedules multiply the rate "
        "by ``decay_rate``."
    ),
    "warmup_iter": (
        "warmup_iter : int, default=0",
        "Epochs of warm-up at the start of the ``'cosine'`` schedule (the rate grows linearly "
        "to ``learning_rate_init``) and of the ``'one_cycle'`` schedule (where ``0`` means 30 %"
        " of ``max_iter``). Large first steps from random weights can throw Adam's moment "
        "estimates, or the weights themselves, far off; a warm-up lets them settle first."
    ),
    "weight_decay": (
        "weight_decay : float, default=0.0",
        "Decoupled weight decay (Loshchilov & Hutter, 2019): before each step the weights "
        "(not the biases) are multiplied by ``1 - learning_rate * weight_decay``, where "
        "``learning_rate`` is the current, scheduled rate. With ``solver='adam'`` this is "
        "AdamW. Unlike ``alpha``, whose gradient Adam and RMSprop divide by each weight's "
        "gradient scale, it shrinks every weight alike, and it is not part of the objective "
        "(``loss_curve_``). Applied by {decay}; other solvers raise a ``ValueError`` when it is"
        " non-zero."
    ),
    "restore_best_weights": (
        "restore_best_weights : bool, default=False",
        "End ``fit`` on the weights of its best epoch, whatever stopped it: the epoch with the"
        " best validation score when a validation set is scored (``early_stopping`` or "
        "``X_val``), else the one with the lowest training loss. ``early_stopping`` always "
        "restores the best epoch, as ``MLPClassifier`` does; this adds ``X_val`` without "
        "early stopping (train a fixed budget, keep the best validation epoch) and training "
        "without a validation set. ``partial_fit`` does not restore (each call continues from "
        "the last), except with ``early_stopping`` as described there."
    ),
    "label_smoothing": (
        "label_smoothing : float, default=0.0",
        "Train on smoothed targets, in ``[0, 1)``: ``y * (1 - label_smoothing) + "
        "label_smoothing / K``, with ``K`` the number of classes for a softmax output and 2 "
        "for each sigmoid unit (binary and multilabel targets) (Szegedy et al., 2016). The "
        "network is then never pushed towards infinite logits for a label that may be wrong, "
        "which regularizes it and tempers over-confident probabilities. ``loss_curve_`` is the"
        " loss against the smoothed targets; validation scores and losses use the true ones."
    ),
}

PARAMETERS = {
    name: entry(header, text) for name, (header, text) in _TEXT.items()
}
PARAMETERS.update(
    activation=activation_entry(),
    solver=solver_entry(),
    learning_rate=schedule_entry(),
    init=init_entry(),
)
"""Parameter name -> its numpydoc entry, indented for a class docstring."""

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
        Best validation score with ``early_stopping`` (or ``restore_best_weights`` and
        ``X_val``), else ``None``.
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
    "gammas_": """\
    gammas_ : list of ndarray or None
        With ``batch_normalization``, the learned scales ``gamma``, ``gammas_[l]`` of shape
        ``(n_units,)`` for hidden layer ``l``; else ``None``.
""",
    "betas_": """\
    betas_ : list of ndarray or None
        With ``batch_normalization``, the learned shifts ``beta``, ``betas_[l]`` of shape
        ``(n_units,)``; else ``None``.
""",
    "running_means_": """\
    running_means_ : list of ndarray or None
        With ``batch_normalization``, the running means of each hidden layer's ``Z``, used
        for prediction; else ``None``.
""",
    "running_vars_": """\
    running_vars_ : list of ndarray or None
        With ``batch_normalization``, the running (biased) variances of each hidden layer's
        ``Z``, used for prediction; else ``None``.
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
    "batch_normalization",
)
"""Parameters of every network estimator, in constructor order."""

TRAINING_PARAMETERS = (
    "scoring", "decay_rate", "decay_steps", "warmup_iter", "weight_decay", "restore_best_weights"
)
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


# -- the user guide's tables -------------------------------------------------------------------


def _list_table(header, rows, widths):
    """An rst ``list-table`` with a header row; every cell is one line of rst."""
    lines = [".. list-table::", "   :header-rows: 1",
             f"   :widths: {' '.join(map(str, widths))}", ""]
    for row in (header, *rows):
        lines += [("   * - " if column == 0 else "     - ") + cell
                  for column, cell in enumerate(row)]
    return "\n".join(lines) + "\n"


def _parameters_read(hyperparameters):
    """The estimator parameters a registered class reads, as rst (a dash for none)."""
    names = dict.fromkeys(hyperparameters.values())
    return ", ".join(f"``{name}``" for name in names) or "—"


def _yes(flag, no="no"):
    return "yes" if flag else no


def activation_table():
    """The user guide's table of :data:`~sklearn_deepnet.nn.activations.ACTIVATIONS`.

    Returns
    -------
    table : str
        An rst table: each activation's names, formula, what its derivative is computed from,
        the estimator parameters it reads and its default initialization.
    """
    rows = [
        (
            _activation_label(cls),
            cls.summary,
            "``z`` (kept for these layers)" if cls.needs_input else "the output ``a``",
            _parameters_read(cls.hyperparameters),
            initializer_label(cls.default_init),
        )
        for cls in activation_classes()
    ]
    header = ("``activation``", ":math:`g(z)`", ":math:`g'` computed from", "parameters read",
              "``init='auto'`` draws")
    return _list_table(header, rows, (16, 30, 16, 12, 26))


class _OnnxSpelling:
    """Stands in for the ONNX graph an activation's ``to_onnx`` writes to: it spells the nodes.

    Each node becomes the text ``Op(input, ...)``; a node computed in float32 whatever the
    graph's precision is marked ``Op[float32]``; constants are numbers, or the name of the
    estimator parameter they come from.
    """

    def op(self, op_type, *inputs, **attrs):
        return f"{op_type}({', '.join(inputs)})"

    def float32_op(self, op_type, *inputs):
        return f"{op_type}[float32]({', '.join(inputs)})"

    def constant(self, value):
        return value if isinstance(value, str) else f"{float(value):.6g}"


def onnx_spelling(cls):
    """The ONNX operators an activation class exports, as text (``Z`` is the layer's input).

    Parameters
    ----------
    cls : type
        An activation class of the registry.

    Returns
    -------
    spelling : str
        For instance ``Max(Z, Mul(Z, negative_slope))``: the activation is built with each
        estimator parameter it reads replaced by that parameter's name, when its ``to_onnx``
        only passes the value on to a constant; else with its constructor's defaults.
    """
    try:
        return cls.from_params(lambda name: name).to_onnx(_OnnxSpelling(), "Z")
    except (TypeError, ValueError):
        return cls().to_onnx(_OnnxSpelling(), "Z")


def onnx_table():
    """The user guide's table of the ONNX operators each activation exports.

    Returns
    -------
    table : str
        An rst table: each activation's names and the operators of its ``to_onnx``.
    """
    rows = []
    for cls in activation_classes():
        spelling = onnx_spelling(cls)
        rows.append((_activation_label(cls), "none" if spelling == "Z" else f"``{spelling}``"))
    return _list_table(("``activation``", "ONNX operators applied to ``Z``"), rows, (20, 80))


def solver_table():
    """The user guide's table of :data:`~sklearn_deepnet.nn.optimizers.SOLVERS`.

    Returns
    -------
    table : str
        An rst table: each solver's name, summary and declared capabilities, and the estimator
        parameters it reads.
    """
    rows = [
        (
            f"``{name!r}``",
            cls.summary,
            "full batch" if cls.full_batch else "mini-batches",
            _yes(cls.uses_learning_rate, "no: its own steps"),
            _yes(not cls.deterministic),
            _yes(cls.supports_validation),
            _yes(cls.supports_partial_fit),
            _parameters_read(cls.hyperparameters),
        )
        for name, cls in SOLVERS.items()
    ]
    header = ("``solver``", "what it does", "each step sees", "``learning_rate`` schedules",
              "``dropout``", "``early_stopping``, ``X_val``", "``partial_fit``",
              "parameters read")
    return _list_table(header, rows, (9, 33, 10, 10, 7, 10, 7, 14))


def schedule_table():
    """The user guide's table of :data:`~sklearn_deepnet.training.schedules.SCHEDULES`.

    Returns
    -------
    table : str
        An rst paragraph saying which solvers the schedules apply to, then a table of each
        schedule's name and step size.
    """
    intro = (
        f"The schedules set the step size of the solvers that step by a learning rate "
        f"({solvers_where('uses_learning_rate')}) before each epoch; the other solvers "
        f"({solvers_where('uses_learning_rate', False)}) choose their own steps, and any "
        "schedule but ``'constant'`` raises a ``ValueError`` with them, rather than being "
        "silently ignored as ``MLPClassifier`` ignores schedules with Adam.\n\n"
    )
    rows = [(f"``{name!r}``", cls.summary) for name, cls in SCHEDULES.items()]
    return intro + _list_table(("``learning_rate``", "step size of the epoch"), rows, (18, 82))


def initializer_table():
    """The user guide's table of :data:`~sklearn_deepnet.nn.initializers.INITIALIZERS`.

    Returns
    -------
    table : str
        An rst table: ``'auto'``, then each initializer's name, what it draws and the
        activations whose default (``init='auto'``) it is.
    """
    rows = [("``'auto'`` (default)", "each activation's own: the last column of the table in "
             ":doc:`activations`", "—")]
    for name, init in INITIALIZERS.items():
        users = [cls.name for cls in activation_classes() if cls.default_init is init]
        rows.append((f"``{name!r}``", " ".join(init.__doc__.split()),
                     _names(users) if users else "—"))
    header = ("``init``", "weights and biases", "``init='auto'`` draws it for")
    return _list_table(header, rows, (15, 60, 25))


def module_summaries(package_dir=None):
    """The opening sentence of every module of the package, read from the source files.

    Parameters
    ----------
    package_dir : str or path-like, default=None
        The package's directory; ``None`` for this package's.

    Returns
    -------
    summaries : dict
        Path relative to the package (``'nn/network.py'``) -> the opening sentence (first
        paragraph, on one line) of the module's docstring, ``None`` for a module without one:
        the package's top-level modules first, then each sub-package, its ``__init__.py``
        first. Nothing is imported.
    """
    root = os.path.dirname(os.path.abspath(__file__)) if package_dir is None else package_dir
    paths = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith(("_", ".")))
        paths += [os.path.relpath(os.path.join(directory, name), root)
                  for name in sorted(files) if name.endswith(".py")]
    summaries = {}
    for path in sorted(paths, key=lambda path: (os.path.dirname(path), path)):
        with open(os.path.join(root, path), encoding="utf-8") as file:
            docstring = ast.get_docstring(ast.parse(file.read()))
        opening = " ".join(docstring.split("\n\n")[0].split()) if docstring else None
        summaries[path.replace(os.sep, "/")] = opening
    return summaries


def module_table():
    """The architecture page's table: every module and the sentence saying what it owns.

    Returns
    -------
    table : str
        An rst table built by :func:`module_summaries` (modules without a docstring are left
        out).
    """
    rows = [(f"``{path}``", summary) for path, summary in module_summaries().items() if summary]
    return _list_table(("module", "what it owns"), rows, (28, 72))


USER_GUIDE_TABLES = {
    "modules.inc": module_table,
    "activations.inc": activation_table,
    "activations_onnx.inc": onnx_table,
    "solvers.inc": solver_table,
    "schedules.inc": schedule_table,
    "initializers.inc": initializer_table,
}
"""File name -> the function rendering it, for the user guide's ``.. include::`` directives."""


def write_user_guide_tables(directory):
    """Write every table of :data:`USER_GUIDE_TABLES` into ``directory``.

    The documentation build (``docs/conf.py``) calls it, so the user guide always shows the
    registries as they are. A file whose text has not changed is left untouched.

    Parameters
    ----------
    directory : str or path-like
        Where to write the files; created if missing.

    Returns
    -------
    paths : list of str
        The paths of the table files.
    """
    os.makedirs(directory, exist_ok=True)
    paths = []
    for name, render in USER_GUIDE_TABLES.items():
        path = os.path.join(directory, name)
        text = render()
        if not os.path.exists(path) or _read(path) != text:
            with open(path, "w", encoding="utf-8") as file:
                file.write(text)
        paths.append(path)
    return paths


def _read(path):
    with open(path, encoding="utf-8") as file:
        return file.read()
