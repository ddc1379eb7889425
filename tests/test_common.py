"""scikit-learn's estimator checks over every public estimator, with default parameters.

The networks are checked once more with batch normalization, which changes how they train and
predict (batch statistics in training, running statistics at prediction).
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD


@parametrize_with_checks([
    DeepNetClassifier(),
    LogisticRegressionGD(),
    DeepNetRegressor(),
    DeepNetClassifier(batch_normalization=True),
    DeepNetRegressor(batch_normalization=True),
])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
