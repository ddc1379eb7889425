"""Test-session settings: SciPy's array API support, one BLAS thread per process.

``SCIPY_ARRAY_API=1`` must be set before SciPy is first imported; scikit-learn's array API
support needs it, and so do the array API tests (PyTorch, array-api-strict, CuPy), which skip
with a reason when a library is not installed. It changes nothing for NumPy arrays.

The suite fits hundreds of tiny networks; on a 2-core machine a multi-threaded BLAS spins its
threads against whatever else runs (pytest itself, GridSearchCV's workers) and a 1-second fit can
take 40. Results do not depend on the thread count; only the time does.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _single_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield
