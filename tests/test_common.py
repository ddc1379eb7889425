"""scikit-learn's estimator checks over every public estimator, with default parameters.

The networks are checked once more with batch normalization, which changes how they train and
predict (batch statistics in training, running statistics at prediction).
"""

import pytest
import sklearn
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD


def _why_no_array_api_dispatch():
    """Why this scikit-learn refuses ``array_api_dispatch=True`` (SciPy < 1.14), or None."""
    try:
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except ImportError as exc:
        return str(exc)
    return None


@parametrize_with_checks([
    DeepNetClassifier(),
    LogisticRegressionGD(),
    DeepNetRegressor(),
    DeepNetClassifier(batch_normalization=True),
    DeepNetRegressor(batch_normalization=True),
])
def test_sklearn_compatible_estimator(estimator, check):
    if getattr(check, "func", check).__name__ == "check_array_api_input":
        reason = _why_no_array_api_dispatch()
        if reason is not None:  # the environment's limit, not the estimator's
            pytest.skip(f"scikit-learn refuses array API dispatch here: {reason}")
    check(estimator)
