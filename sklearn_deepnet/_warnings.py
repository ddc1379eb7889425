"""Warnings that point at the user's line: the first caller outside this package and scikit-learn.

A warning raised deep in the training loop would otherwise show a line of ours; counting stack
levels by hand breaks whenever the call path changes (a decorator, a meta-estimator).
"""

import os
import sys
import warnings

import sklearn

_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__name__.rpartition(".")[0]], sklearn)
)


def warn(message, category=UserWarning):
    """Issue ``message`` as a warning attributed to the first frame outside the package.

    Parameters
    ----------
    message : str
        The warning's text.
    category : type, default=UserWarning
        The warning class.
    """
    frame, level = sys._getframe(0), 1
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
