"""The examples in the public docstrings run and print what they claim."""

import doctest
import importlib
import pkgutil

import pytest

import sklearn_deepnet
from sklearn_deepnet import _docs

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


def test_every_module_opens_with_a_sentence_on_what_it_owns():
    """The architecture page's module table is built from these sentences: none may be missing."""
    summaries = _docs.module_summaries()
    assert "nn/network.py" in summaries and "persistence/_state.py" in summaries
    missing = [path for path, summary in summaries.items() if summary is None]
    assert missing == []
    not_sentences = [path for path, summary in summaries.items()
                     if summary is not None and not summary.endswith((".", "..."))]
    assert not_sentences == []
    table = _docs.module_table()
    assert all(f"``{path}``" in table for path in summaries)
