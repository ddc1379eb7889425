"""Neural-network estimators trained by vectorized NumPy backpropagation, for scikit-learn."""

from ._classifier import DeepNetClassifier
from ._display import LossCurveDisplay
from ._gradient_check import check_gradients
from ._logistic import LogisticRegressionGD
from ._persistence import InconsistentDeepNetVersionWarning, dump, load
from ._regressor import DeepNetRegressor

__version__ = "0.1.0"

__all__ = [
    "DeepNetClassifier",
    "DeepNetRegressor",
    "InconsistentDeepNetVersionWarning",
    "LogisticRegressionGD",
    "LossCurveDisplay",
    "__version__",
    "check_gradients",
    "dump",
    "load",
]
