"""scikit-learn's estimator checks over every public estimator, with default parameters."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD


@parametrize_with_checks([DeepNetClassifier(), LogisticRegressionGD(), DeepNetRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
