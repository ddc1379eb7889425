"""Persistence: an estimator's saved state, and model files that hold it as plain data.

- :mod:`._state`: the pickle state every estimator saves and checks on load (pickle, joblib,
  ``skops.io`` and model files all go through it), stamped with the version;
- :mod:`._file`: :func:`~sklearn_deepnet.dump` and :func:`~sklearn_deepnet.load`, model files
  of a JSON document and numeric arrays;
- :mod:`._values`: values as JSON plus numeric arrays, and back, checked and size-bounded;
- :mod:`._classes`: the allow-list of classes a model file may hold, one codec each.

The estimators' base class needs :mod:`._state`, and :mod:`._classes` needs the estimator
classes; so this package exposes the state only, and ``sklearn_deepnet`` imports ``dump`` and
``load`` from :mod:`._file` once its estimators exist.
"""

from ._state import InconsistentDeepNetVersionWarning, _PersistenceMixin

__all__ = ["InconsistentDeepNetVersionWarning", "_PersistenceMixin"]
