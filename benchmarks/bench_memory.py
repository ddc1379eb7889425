"""Peak memory of ``fit`` above the size of ``X``: no copy of X per epoch or per batch.

``tracemalloc`` (which sees every NumPy array buffer) records the peak of the memory allocated
during ``fit`` beyond what was allocated before it (``X`` and ``y`` already exist), as a fraction
of ``X.nbytes``. Cases: the MNIST-shaped float32 problem with adam (as in
``bench_training.py``, one epoch), the same network with the full-batch solvers lbfgs and agd
(a few iterations), and LogisticRegressionGD on 200000 x 100 float64, each beside
MLPClassifier (or LogisticRegression) on the same data.

Run: ``python benchmarks/bench_memory.py`` (``--quick`` for a seconds-long smoke run).
"""

import gc
import sys
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import scipy.optimize
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line, parser, table  # noqa: E402
from bench_training import BATCH, HIDDEN, make_data  # noqa: E402

from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD  # noqa: E402


def extra_peak(fit):
    """Peak bytes allocated while ``fit()`` runs, above those allocated when it starts."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    fit()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - before


def lbfgs_state(n_params, iterations):
    """Extra peak bytes of SciPy's L-BFGS-B alone on ``n_params`` variables (its own history)."""

    def quadratic(x):
        return 0.5 * float(x @ x), x.copy()

    options = {"maxiter": iterations}
    return extra_peak(
        lambda: scipy.optimize.minimize(
            quadratic, np.ones(n_params), jac=True, method="L-BFGS-B", options=options
        )
    )


def network_cases(quick):
    X, y, _, _ = make_data("mnist", quick)
    X = X.astype(np.float32)
    common = {"hidden_layer_sizes": HIDDEN, "random_state": 0, "tol": 0.0}
    iters = 1 if quick else 3
    yield (
        "MNIST-shaped float32, adam, 1 epoch",
        X,
        y,
        DeepNetClassifier(batch_size=BATCH, max_iter=1, **common),
        MLPClassifier(batch_size=BATCH, max_iter=1, **common),
    )
    yield (
        f"MNIST-shaped float32, lbfgs, {iters} iterations",
        X,
        y,
        DeepNetClassifier(solver="lbfgs", max_iter=iters, **common),
        MLPClassifier(solver="lbfgs", max_iter=iters, **common),
    )
    yield (
        f"MNIST-shaped float32, agd, {iters} iterations",
        X,
        y,
        DeepNetClassifier(solver="agd", max_iter=iters, **common),
        None,
    )


def logistic_case(quick):
    X, y = make_classification(
        n_samples=2000 if quick else 200000, n_features=100, n_informative=20, random_state=0
    )
    iters = 2 if quick else 10
    yield (
        f"LogisticRegressionGD {X.shape[0]} x {X.shape[1]} float64, agd, {iters} iterations",
        X,
        y,
        LogisticRegressionGD(max_iter=iters, tol=0.0),
        LogisticRegression(max_iter=iters, tol=0.0),
    )


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    args = p.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"# bench_memory: {machine_line()}")
    rows, targets, notes = [], [], []
    for name, X, y, ours, reference in [*network_cases(args.quick), *logistic_case(args.quick)]:
        ours_peak = extra_peak(lambda ours=ours, X=X, y=y: ours.fit(X, y))
        if getattr(ours, "solver", None) == "lbfgs":
            state = lbfgs_state(ours._network.params.size, ours.max_iter)
            notes.append(
                f"{name}: {state / 1e6:.1f} MB of the peak ({state / X.nbytes:.3f} x X) is "
                "SciPy's L-BFGS-B state alone (its history of parameter-sized float64 vectors, "
                "measured on a quadratic with as many variables), proportional to the number "
                "of weights, not to X."
            )
        ref_peak = (
            extra_peak(lambda reference=reference, X=X, y=y: reference.fit(X, y))
            if reference is not None
            else None
        )
        rows.append(
            [
                name,
                f"{X.nbytes / 1e6:.1f}",
                f"{ours_peak / 1e6:.1f}",
                f"{ours_peak / X.nbytes:.3f}",
                type(reference).__name__ if reference is not None else "-",
                f"{ref_peak / 1e6:.1f}" if ref_peak is not None else "-",
                f"{ref_peak / X.nbytes:.3f}" if ref_peak is not None else "-",
            ]
        )
        targets.append([name, "<= 0.25", f"{ours_peak / X.nbytes:.3f}",
                        "yes" if ours_peak <= 0.25 * X.nbytes else "no"])
    print()
    print(
        table(
            [
                "case",
                "X MB",
                "ours: extra peak MB",
                "/ X",
                "reference",
                "reference: extra peak MB",
                "/ X",
            ],
            rows,
        )
    )
    print()
    print(table(["target: extra peak memory of fit / size of X", "goal", "measured", "met"],
                targets))
    for note in notes:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
