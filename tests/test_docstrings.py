"""The examples in the public docstrings run and print what they claim."""

import doctest
import importlib
import pkgutil

import pytest

import sklearn_deepnet

MODULES = [
    name
    for _, name, _ in pkgutil.walk_packages(sklearn_deepnet.__path__, "sklearn_deepnet.")
    if name.split(".")[-1] not in ("__main__", "onnx")
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
