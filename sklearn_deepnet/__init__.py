"""Neural-network estimators trained by vectorized NumPy backpropagation, for scikit-learn."""

from ._classifier import DeepNetClassifier
from ._logistic import LogisticRegressionGD

__version__ = "0.1.0"

__all__ = ["DeepNetClassifier", "LogisticRegressionGD", "__version__"]
