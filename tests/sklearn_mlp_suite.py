"""A pytest plugin that runs scikit-learn's own MLP test module against our estimators.

Usage (README's test command runs it)::

    python -m pytest -p tests.sklearn_mlp_suite --pyargs sklearn.neural_network.tests.test_mlp

The installed scikit-learn's ``sklearn/neural_network/tests/test_mlp.py`` is imported with
``MLPClassifier`` and ``MLPRegressor`` bound to :class:`~sklearn_deepnet.DeepNetClassifier` and
:class:`~sklearn_deepnet.DeepNetRegressor` (parametrized tests included), then collected and run
as it is: every test of it must pass, except those in :data:`SKIPPED`, each of which calls a
private method of scikit-learn's implementation that no user can call.
"""

import importlib

import pytest

MODULE = "sklearn.neural_network.tests.test_mlp"

SKIPPED = {
    "test_gradient": (
        "calls MLPClassifier._loss_grad_lbfgs, a private method of scikit-learn's "
        "implementation; our backpropagation is checked against finite differences by "
        "sklearn_deepnet.check_gradients in tests/test_gradients.py"
    ),
}
"""Test name -> why it cannot run against our estimators."""


def pytest_configure(config):
    """Import scikit-learn's MLP test module with its estimator names bound to ours."""
    import sklearn.neural_network as neural_network

    from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor

    theirs = neural_network.MLPClassifier, neural_network.MLPRegressor
    neural_network.MLPClassifier, neural_network.MLPRegressor = (
        DeepNetClassifier,
        DeepNetRegressor,
    )
    try:
        importlib.import_module(MODULE)
    finally:
        neural_network.MLPClassifier, neural_network.MLPRegressor = theirs


def pytest_collection_modifyitems(config, items):
    """Skip the tests of :data:`SKIPPED`; refuse to run scikit-learn's own estimators."""
    from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor

    for item in items:
        module = getattr(item, "module", None)
        if module is None or module.__name__ != MODULE:
            continue
        if (module.MLPClassifier, module.MLPRegressor) != (DeepNetClassifier, DeepNetRegressor):
            raise pytest.UsageError(
                f"{MODULE} was imported before this plugin rebound its estimators: it would "
                "test scikit-learn's MLPs, not ours."
            )
        reason = SKIPPED.get(item.originalname)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
