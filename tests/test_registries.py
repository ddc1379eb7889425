"""The registries keep every list honest: each entry is documented, exported and checked.

Activations, solvers, learning-rate schedules and initializers are each one table
(``ACTIVATIONS``, ``SOLVERS``, ``SCHEDULES``, ``INITIALIZERS``) that the estimators validate
against and the documentation is generated from. These tests fail when an entry lacks what every
entry needs: its name in the estimators' docstrings and the user guide's tables, a summary and a
docstring of its own, hyperparameters that are real estimator parameters, a working default
initialization, an ONNX export that computes its forward pass, and a place in the modules that
check gradients, ONNX export and persistence (which must take their lists from the registries,
not from a hand-kept copy).
"""

import importlib
import inspect
import pathlib

import numpy as np
import pytest
from scipy.special import erf, expit

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD, _docs
from sklearn_deepnet._architecture import parameter_getter
from sklearn_deepnet.nn.activations import ACTIVATIONS, Activation, activation_classes
from sklearn_deepnet.nn.initializers import INITIALIZERS
from sklearn_deepnet.nn.optimizers import SOLVERS
from sklearn_deepnet.training.schedules import SCHEDULES

ESTIMATORS = [DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD]
REGISTRIES = {  # estimator parameter -> the registry of the values it accepts
    "activation": ACTIVATIONS,
    "solver": SOLVERS,
    "learning_rate": SCHEDULES,
    "init": INITIALIZERS,
}
USER_GUIDE_TABLES = {  # the generated tables that must show every name of a registry
    _docs.activation_table: ACTIVATIONS,
    _docs.onnx_table: ACTIVATIONS,
    _docs.solver_table: SOLVERS,
    _docs.schedule_table: SCHEDULES,
    _docs.initializer_table: INITIALIZERS,
}
DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def _constructor_parameters(cls):
    return [name for name in inspect.signature(cls.__init__).parameters if name != "self"]


def _parameters_section(docstring):
    """The numpydoc ``Parameters`` section of a docstring: parameter name -> its entry's text.

    Written here rather than taken from numpydoc, which the test environment may lack: a
    section is a title line underlined with dashes; an entry starts with an unindented line
    ``name : type`` (or ``name1, name2 : type``) and goes on with the indented lines below it.
    """
    lines = inspect.cleandoc(docstring).splitlines()
    start = next(
        i for i, line in enumerate(lines[:-1])
        if line.strip() == "Parameters" and set(lines[i + 1].strip()) == {"-"}
    )
    entries, current = {}, None
    for i in range(start + 2, len(lines)):
        line = lines[i]
        if i + 1 < len(lines) and line.strip() and set(lines[i + 1].strip()) == {"-"}:
            break  # the next section's title
        if line and not line[0].isspace():
            current = [line]
            for name in line.split(" : ")[0].split(","):
                entries[name.strip()] = current
        elif current is not None:
            current.append(line)
    return {name: "\n".join(text) for name, text in entries.items()}


def _takes(Estimator, parameter):
    return parameter in _constructor_parameters(Estimator)


# -- documentation -----------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_documented_parameters_are_the_constructor_signature_in_order(Estimator):
    documented = list(_parameters_section(Estimator.__doc__))
    assert documented == _constructor_parameters(Estimator)


def test_the_docstring_parser_reads_entries_and_stops_at_the_next_section():
    doc = """Summary.

    Parameters
    ----------
    a : int
        First.

        - a bullet
    b, c : float
        Shared.

    Attributes
    ----------
    d : int
        Not a parameter.
    """
    section = _parameters_section(doc)
    assert list(section) == ["a", "b", "c"]
    assert "a bullet" in section["a"] and "Not a parameter" not in section["c"]


@pytest.mark.parametrize(
    "Estimator, parameter",
    [(E, p) for E in ESTIMATORS for p in REGISTRIES if _takes(E, p)],
)
def test_every_registered_name_is_in_the_docstring_entry(Estimator, parameter):
    entry = _parameters_section(Estimator.__doc__)[parameter]
    missing = [name for name in REGISTRIES[parameter] if f"'{name}'" not in entry]
    assert missing == [], f"{Estimator.__name__}'s {parameter} entry does not mention {missing}"


def test_logistic_regression_fixes_activation_and_init():
    """The one estimator without the two parameters: its network is fixed, not undocumented."""
    assert not _takes(LogisticRegressionGD, "activation")
    assert not _takes(LogisticRegressionGD, "init")
    assert LogisticRegressionGD.activation in ACTIVATIONS


@pytest.mark.parametrize("render", list(USER_GUIDE_TABLES), ids=lambda f: f.__name__)
def test_every_registered_name_is_in_its_user_guide_table(render):
    table = render()
    missing = [name for name in USER_GUIDE_TABLES[render] if f"``{name!r}``" not in table]
    assert missing == [], f"{render.__name__}() does not show {missing}"


def test_the_user_guide_includes_every_generated_table(tmp_path):
    paths = _docs.write_user_guide_tables(tmp_path)
    assert sorted(pathlib.Path(path).name for path in paths) == sorted(_docs.USER_GUIDE_TABLES)
    for name, render in _docs.USER_GUIDE_TABLES.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == render()
    if not DOCS.is_dir():
        pytest.skip("the documentation sources are not here (an installed package)")
    pages = "\n".join(path.read_text(encoding="utf-8")
                      for path in (DOCS / "user_guide").glob("*.rst"))
    not_included = [name for name in _docs.USER_GUIDE_TABLES
                    if f".. include:: generated/{name}" not in pages]
    assert not_included == []
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert "write_user_guide_tables(" in conf and '"user_guide"' in conf


# -- each entry declares what every entry needs ------------------------------------------------

CLASS_REGISTRIES = {
    "activation": activation_classes(),
    "solver": list(SOLVERS.values()),
    "schedule": list(SCHEDULES.values()),
}


@pytest.mark.parametrize("kind", sorted(CLASS_REGISTRIES))
def test_each_class_declares_its_own_summary_and_docstring(kind):
    """A class that forgets its ``summary`` inherits another's: duplicates are caught too."""
    classes = CLASS_REGISTRIES[kind]
    for cls in classes:
        assert (cls.__dict__.get("__doc__") or "").strip(), f"{cls.__name__} has no docstring"
        assert isinstance(cls.summary, str) and cls.summary.strip(), f"{cls.__name__}: no summary"
    summaries = [cls.summary for cls in classes]
    shared = {s for s in summaries if summaries.count(s) > 1}
    assert not shared, f"{kind} classes share a summary (one inherited it?): {shared}"


def test_registry_keys_are_the_classes_names():
    for name, cls in ACTIVATIONS.items():
        assert name in (cls.name, *cls.aliases)
    for registry in (SOLVERS, SCHEDULES):
        for name, cls in registry.items():
            assert name == cls.name


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_each_initializer_has_a_docstring(name):
    assert (INITIALIZERS[name].__doc__ or "").strip()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("name", list(SOLVERS))
def test_solver_hyperparameters_are_estimator_parameters(name, Estimator):
    cls = SOLVERS[name]
    arguments = inspect.signature(cls.__init__).parameters
    required = {arg for arg, p in arguments.items()
                if arg != "self" and p.default is inspect.Parameter.empty}
    assert required <= set(cls.hyperparameters) <= set(arguments)
    unknown = set(cls.hyperparameters.values()) - set(_constructor_parameters(Estimator))
    assert not unknown, f"{name} reads {unknown}, which {Estimator.__name__} does not take"
    solver = cls.from_params(parameter_getter(Estimator()))
    assert type(solver) is cls
    for flag in ("full_batch", "uses_learning_rate", "deterministic", "supports_partial_fit",
                 "supports_validation", "loss_before_step"):
        assert isinstance(getattr(cls, flag), bool), f"{name}.{flag} is not declared as a bool"


@pytest.mark.parametrize("Estimator", [E for E in ESTIMATORS if _takes(E, "activation")])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_hyperparameters_are_estimator_parameters(name, Estimator):
    cls = ACTIVATIONS[name]
    assert set(cls.hyperparameters) <= set(inspect.signature(cls.__init__).parameters)
    assert set(cls.hyperparameters.values()) <= set(_constructor_parameters(Estimator))
    assert type(cls.from_params(parameter_getter(Estimator()))) is cls


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedules_build_from_every_estimator(name, Estimator):
    schedule = SCHEDULES[name](Estimator())
    assert callable(schedule.after_epoch) and callable(schedule.on_plateau)


DEFAULT_INITS = {cls.name: cls.default_init for cls in activation_classes()}


@pytest.mark.parametrize(
    "init", [*DEFAULT_INITS.values(), *INITIALIZERS.values()],
    ids=[f"default-of-{name}" for name in DEFAULT_INITS] + list(INITIALIZERS),
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initializers_draw_weights_and_biases_of_the_layer_shape(init, dtype):
    assert callable(init)
    W, b = init(7, 3, np.random.RandomState(0), dtype)
    assert W.shape == (7, 3) and b.shape == (3,)
    assert W.dtype == b.dtype == dtype
    assert np.isfinite(W).all() and np.isfinite(b).all()
    assert np.unique(W).size == W.size  # random: no two units start alike


# -- ONNX export -------------------------------------------------------------------------------

ONNX_OPERATORS = {  # the ONNX operators activations use, evaluated with NumPy
    "Abs": np.abs,
    "Add": np.add,
    "Div": np.divide,
    "Erf": erf,
    "Exp": np.exp,
    "Log": np.log,
    "Max": np.maximum,
    "Min": np.minimum,
    "Mul": np.multiply,
    "Neg": np.negative,
    "Relu": lambda x: np.maximum(x, 0),
    "Sigmoid": expit,
    "Sqrt": np.sqrt,
    "Sub": np.subtract,
    "Tanh": np.tanh,
}


class EvaluatingGraph:
    """A stand-in for the ONNX graph ``to_onnx`` writes to: each node is evaluated at once.

    It offers the interface of :mod:`sklearn_deepnet.onnx`'s graph (``op``, ``float32_op``,
    ``constant``) and checks what a real graph would: known operators, inputs that are names
    of earlier nodes.
    """

    def __init__(self, Z):
        self.values = {"Z": Z}
        self.operators = []

    def _add(self, value):
        name = f"node{len(self.values)}"
        self.values[name] = value
        return name

    def _inputs(self, op_type, inputs):
        assert op_type in ONNX_OPERATORS, (
            f"{op_type} is not an operator this test knows: add it to ONNX_OPERATORS"
        )
        assert all(isinstance(name, str) and name in self.values for name in inputs)
        self.operators.append(op_type)
        return [self.values[name] for name in inputs]

    def op(self, op_type, *inputs, **attrs):
        return self._add(ONNX_OPERATORS[op_type](*self._inputs(op_type, inputs)))

    def float32_op(self, op_type, *inputs):
        single = [value.astype(np.float32) for value in self._inputs(op_type, inputs)]
        return self._add(ONNX_OPERATORS[op_type](*single).astype(np.float64))

    def constant(self, value):
        return self._add(np.asarray(float(value)))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_to_onnx_computes_the_forward_pass(name):
    activation = ACTIVATIONS[name].from_params({"negative_slope": 0.1}.__getitem__)
    Z = np.linspace(-5, 5, 41)
    graph = EvaluatingGraph(Z)
    exported = graph.values[activation.to_onnx(graph, "Z")]
    expected = activation.forward(Z.copy(), np.empty_like(Z))
    np.testing.assert_allclose(exported, expected, rtol=1e-6, atol=1e-6)
    onnx = pytest.importorskip("onnx")
    assert all(onnx.defs.has(op) for op in graph.operators)


def test_the_onnx_check_catches_a_missing_export():
    """An activation that forgets ``to_onnx`` inherits the identity's: the check sees it."""

    class Forgetful(Activation):  # the base class, whose export is the identity's
        def forward(self, Z, out):
            return np.tanh(Z, out=out)

    Z = np.linspace(-5, 5, 41)
    graph = EvaluatingGraph(Z)
    exported = graph.values[Forgetful().to_onnx(graph, "Z")]
    assert not np.allclose(exported, Forgetful().forward(Z.copy(), np.empty_like(Z)))


# -- the test modules take their lists from the registries -------------------------------------


def _parametrized_values(module, argname):
    """``{test name: values}`` of every test in ``module`` parametrized over ``argname``."""
    found = {}
    tests = [(name, obj) for name, obj in vars(module).items() if name.startswith("test")]
    for class_name, cls in vars(module).items():
        if class_name.startswith("Test") and inspect.isclass(cls):
            tests += [(f"{class_name}.{name}", obj) for name, obj in vars(cls).items()
                      if name.startswith("test")]
    for name, test in tests:
        for mark in getattr(test, "pytestmark", []):
            if mark.name == "parametrize" and mark.args[0] == argname:
                found[name] = list(mark.args[1])
    return found


COVERAGE = [  # (test module, parameter, registry): the module must test every entry
    ("test_gradients", "activation", ACTIVATIONS),
    ("test_onnx", "activation", ACTIVATIONS),
    ("test_nn", "name", ACTIVATIONS),
    ("test_persistence", "activation", ACTIVATIONS),
    ("test_persistence", "solver", SOLVERS),
    ("test_model_file", "activation", ACTIVATIONS),
    ("test_model_file", "solver", SOLVERS),
]


@pytest.mark.parametrize("module_name, argname, registry", COVERAGE,
                         ids=[f"{m}-{a}" for m, a, _ in COVERAGE])
def test_checking_modules_cover_every_registered_name(module_name, argname, registry):
    if module_name == "test_onnx":
        pytest.importorskip("skl2onnx")
        pytest.importorskip("onnxruntime")
    module = importlib.import_module(module_name)
    found = _parametrized_values(module, argname)
    assert found, f"no test of {module_name} is parametrized over {argname!r}"
    incomplete = {test: sorted(set(registry) - set(values)) for test, values in found.items()
                  if set(registry) - set(values)}
    assert not incomplete, f"{module_name} leaves out registered names: {incomplete}"
