"""Test-session settings: one BLAS thread per process.

The suite fits hundreds of tiny networks; on a 2-core machine a multi-threaded BLAS spins its
threads against whatever else runs (pytest itself, GridSearchCV's workers) and a 1-second fit can
take 40. Results do not depend on the thread count; only the time does.
"""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _single_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield
