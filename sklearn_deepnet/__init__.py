"""Neural-network estimators trained by vectorized NumPy backpropagation, for scikit-learn."""

from ._classifier import DeepNetClassifier
from ._display import LossCurveDisplay
from ._gradient_check import check_gradients
from ._logistic import LogisticRegressionGD
from ._regressor import DeepNetRegressor
from ._version import __version__
from .persistence import InconsistentDeepNetVersionWarning
from .persistence._file import dump, load

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
