"""The NumPy engine: activations, initializers, output losses, the network and its optimizers.

Nothing in this sub-package imports scikit-learn; it sees only arrays.
"""

from .activations import ACTIVATIONS, get_activation
from .initializers import INITIALIZERS
from .losses import OUTPUTS
from .network import Network
from .objective import Objective
from .optimizers import SOLVERS

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "OUTPUTS",
    "SOLVERS",
    "Network",
    "Objective",
    "get_activation",
]
