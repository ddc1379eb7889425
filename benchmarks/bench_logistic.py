"""LogisticRegressionGD against LogisticRegression(lbfgs) and SGDClassifier: time to the optimum.

On a binary problem of 200000 x 100 (float64) with the L2 penalty ``alpha = 1`` (``C = 1``), the
exact optimum of ``J(w, b) = mean log-loss + alpha / (2 n) ||w||^2`` is computed once with a
second-order solver (``LogisticRegression(solver='newton-cholesky')`` at a tight tolerance).
Each contender's *time to optimum* is the wall time of one fit stopped at the first iteration
whose ``J`` is within ``1e-6`` of it: found from the loss curve for our solvers and by raising
``max_iter`` for scikit-learn's, then timed again in interleaved repeats. The time per iteration
is compared with the memory-bandwidth floor measured in the same run (one read of ``X``).

Run: ``python benchmarks/bench_logistic.py`` (``--quick`` for a seconds-long smoke run).
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    fmt,
    fmt_range,
    interleave,
    machine_line,
    memory_bandwidth,
    paired_ratio,
    parser,
    summary,
    table,
)

from sklearn_deepnet import LogisticRegressionGD  # noqa: E402

ALPHA = 1.0
GAP = 1e-6


def objective(X, y, coef, intercept):
    """``mean log-loss + alpha / (2 n) ||w||^2`` in float64, the same for every contender."""
    z = X @ np.ravel(coef).astype(np.float64) + float(np.ravel(intercept)[0])
    loss = np.logaddexp(0, z) - y * z
    w = np.ravel(coef)
    return float(loss.mean() + ALPHA / (2 * X.shape[0]) * (w @ w))


def optimum(X, y):
    """``J`` at the exact optimum (Newton's method, then checked against a long L-BFGS run)."""
    newton = LogisticRegression(C=1 / ALPHA, solver="newton-cholesky", tol=1e-12, max_iter=100)
    newton.fit(X, y)
    return objective(X, y, newton.coef_, newton.intercept_)


def ours(solver):
    def make(max_iter):
        return LogisticRegressionGD(solver=solver, alpha=ALPHA, max_iter=max_iter, tol=0.0)

    return make


def sklearn_lbfgs(max_iter):
    return LogisticRegression(C=1 / ALPHA, solver="lbfgs", max_iter=max_iter, tol=0.0)


def sgd(n_samples):
    def make(max_iter):
        return SGDClassifier(
            loss="log_loss", alpha=ALPHA / n_samples, max_iter=max_iter, tol=None, random_state=0
        )

    return make


def iterations_from_curve(make, X, y, target, limit):
    """First iteration whose recorded ``J`` reaches ``target``, from a loss curve.

    Fits with ``max_iter`` 32, 64, ... (the solvers are deterministic, so a longer fit's curve
    extends a shorter one's) until the curve reaches ``target`` or ``limit`` iterations.
    """
    max_iter = min(32, limit)
    while True:
        curve = np.asarray(make(max_iter).fit(X, y).loss_curve_)
        reached = np.flatnonzero(curve <= target)
        if reached.size:
            return int(reached[0]) + 1
        if max_iter >= limit or curve.size < max_iter:  # the limit, or stopped on its own
            return None
        max_iter = min(2 * max_iter, limit)


def iterations_by_search(make, X, y, target, limit):
    """Fewest ``max_iter`` whose fit reaches ``target`` (scikit-learn keeps no loss curve).

    Doubles ``max_iter`` until a fit reaches ``target``, then bisects between the last two.
    """

    def reaches(max_iter):
        model = make(max_iter).fit(X, y)
        return objective(X, y, model.coef_, model.intercept_) <= target

    low, high = 0, 1
    while not reaches(high):
        if high >= limit:
            return None
        low, high = high, min(2 * high, limit)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if reaches(middle) else (middle, high)
    return high


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--n-samples", type=int, default=200000)
    p.add_argument("--n-features", type=int, default=100)
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    n_samples = 2000 if args.quick else args.n_samples
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_classification(
        n_samples=n_samples,
        n_features=args.n_features,
        n_informative=args.n_features // 5,
        random_state=0,
    )
    print(f"# bench_logistic: {machine_line()}")
    print(f"# X {X.shape} float64 ({X.nbytes / 1e6:.0f} MB), alpha={ALPHA}; {repeats} repeats")
    best = optimum(X, y)
    target = best + GAP
    limit = 64 if args.quick else 4096
    contenders = {
        "LogisticRegressionGD(agd)": (ours("agd"), iterations_from_curve),
        "LogisticRegressionGD(lbfgs)": (ours("lbfgs"), iterations_from_curve),
        "LogisticRegression(lbfgs)": (sklearn_lbfgs, iterations_by_search),
    }
    iterations = {}
    for name, (make, find) in contenders.items():
        iterations[name] = find(make, X, y, target, limit)
    runners = {}
    results = {}
    for name, (make, _) in contenders.items():
        if iterations[name] is None:
            continue

        def run(make=make, name=name):
            model = make(iterations[name])
            start = time.perf_counter()
            model.fit(X, y)
            seconds = time.perf_counter() - start
            results[name] = objective(X, y, model.coef_, model.intercept_)
            return seconds

        runners[name] = run
    bandwidths = []
    runners["(bandwidth)"] = lambda: bandwidths.append(memory_bandwidth(X)) or 0.0
    times = interleave(runners, repeats)
    floor = X.nbytes / (max(bandwidths) * 1e9)

    sgd_rows = []
    for epochs in (1, 5) if args.quick else (1, 5, 20):
        start = time.perf_counter()
        model = sgd(n_samples)(epochs).fit(X, y)
        seconds = time.perf_counter() - start
        sgd_rows.append((epochs, seconds, objective(X, y, model.coef_, model.intercept_) - best))

    reference = "LogisticRegression(lbfgs)"
    rows = []
    for name in contenders:
        if name not in times:
            rows.append([name, "not reached", "-", "-", "-", "-", "-"])
            continue
        total = summary(times[name])
        per_iteration = total[0] / iterations[name]
        ratio = paired_ratio(times[name], times[reference]) if reference in times else None
        rows.append(
            [
                name,
                fmt_range(total),
                fmt_range(ratio) if ratio else "-",
                str(iterations[name]),
                f"{1e3 * per_iteration:.1f}",
                f"{per_iteration / floor:.1f}",
                f"{results[name] - best:.1e}",
            ]
        )
    for epochs, seconds, gap in sgd_rows:
        rows.append(
            [
                f"SGDClassifier(log_loss), {epochs} epochs",
                f"{seconds:.3g} (gap {gap:.1e})" if gap > GAP else f"{seconds:.3g}",
                "-",
                str(epochs),
                f"{1e3 * seconds / epochs:.1f}",
                f"{seconds / epochs / floor:.1f}",
                f"{gap:.1e}",
            ]
        )
    print()
    print(
        table(
            [
                "solver",
                "s to optimum + 1e-6, median (min-max)",
                "/ LogisticRegression",
                "iterations",
                "ms/iteration",
                "/ one read of X",
                "J - J*",
            ],
            rows,
        )
    )
    print(
        f"\nJ* = {best:.10f}; bandwidth {max(bandwidths):.1f} GB/s, so one read of X takes "
        f"{1e3 * floor:.3g} ms (the floor of an iteration that reads X once)."
    )
    ours_time = times.get("LogisticRegressionGD(agd)")
    if ours_time and reference in times:
        ratio = paired_ratio(ours_time, times[reference])[0]
        print()
        print(
            table(
                ["target", "goal", "measured (median)", "met"],
                [
                    [
                        "LogisticRegressionGD time to optimum vs lbfgs",
                        "<= 2.0",
                        fmt(ratio),
                        "yes" if ratio <= 2.0 else "no",
                    ]
                ],
            )
        )


if __name__ == "__main__":
    main()
