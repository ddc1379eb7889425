"""predict_proba of DeepNetClassifier against MLPClassifier: throughput and single-row latency.

Both models get the same weights (the MNIST-shaped network of ``bench_training.py``: 784
features, hidden (256, 128), relu, 10 classes; MLPClassifier's weights are copied into ours) and
are checked to give the same probabilities. Throughput is rows per second of ``predict_proba``
on 100000 rows; latency is the median time of a ``predict_proba`` call on one row. Repeats are
interleaved and the ratios paired by repeat.

Run: ``python benchmarks/bench_predict.py`` (``--quick`` for a seconds-long smoke run).
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    fmt,
    fmt_range,
    interleave,
    machine_line,
    paired_ratio,
    parser,
    summary,
    table,
)
from bench_training import HIDDEN, make_data  # noqa: E402

from sklearn_deepnet import DeepNetClassifier  # noqa: E402


def twin_models(X, y):
    """An MLPClassifier and a DeepNetClassifier holding the same weights, in ``X.dtype``."""
    mlp = MLPClassifier(hidden_layer_sizes=HIDDEN, max_iter=1, random_state=0).fit(X, y)
    ours = DeepNetClassifier(hidden_layer_sizes=HIDDEN, max_iter=1, random_state=0).fit(X, y)
    ours.coefs_ = mlp.coefs_
    ours.intercepts_ = mlp.intercepts_
    np.testing.assert_allclose(
        ours.predict_proba(X[:100]), mlp.predict_proba(X[:100]), rtol=1e-4, atol=1e-6
    )
    return {"sklearn_deepnet": ours, "MLPClassifier": mlp}


def throughput_runner(model, X):
    def run():
        start = time.perf_counter()
        model.predict_proba(X)
        return X.shape[0] / (time.perf_counter() - start)

    return run


def latency_runner(model, row, calls):
    def run():
        model.predict_proba(row)
        samples = []
        for _ in range(calls):
            start = time.perf_counter()
            model.predict_proba(row)
            samples.append(time.perf_counter() - start)
        return float(np.median(samples))

    return run


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--n-rows", type=int, default=100000)
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 7)
    n_rows = 500 if args.quick else args.n_rows
    calls = 20 if args.quick else 2000
    warnings.simplefilter("ignore", ConvergenceWarning)
    X_fit, y_fit, _, _ = make_data("mnist", quick=True)
    rng = np.random.default_rng(0)
    X_big = rng.standard_normal((n_rows, X_fit.shape[1]))
    print(f"# bench_predict: {machine_line()}")
    print(f"# {repeats} interleaved repeats; {n_rows} rows for throughput, {calls} 1-row calls")
    rows, targets = [], []
    for dtype in (np.float64, np.float32):
        models = twin_models(X_fit.astype(dtype), y_fit)
        X = X_big.astype(dtype)
        row = X[:1].copy()
        throughput = interleave(
            {name: throughput_runner(model, X) for name, model in models.items()}, repeats
        )
        latency = interleave(
            {name: latency_runner(model, row, calls) for name, model in models.items()},
            repeats,
        )
        for name in models:
            speedup = paired_ratio(throughput[name], throughput["MLPClassifier"])
            slowdown = paired_ratio(latency[name], latency["MLPClassifier"])
            rows.append(
                [
                    np.dtype(dtype).name,
                    name,
                    fmt_range(tuple(v / 1e3 for v in summary(throughput[name]))),
                    fmt_range(speedup),
                    fmt_range(tuple(v * 1e6 for v in summary(latency[name]))),
                    fmt_range(slowdown),
                ]
            )
            if name == "sklearn_deepnet":
                name_dtype = np.dtype(dtype).name
                targets.append(
                    [f"predict_proba throughput vs MLPClassifier, {name_dtype}", ">= 1.5",
                     speedup[0]]
                )
                targets.append(
                    [f"single-row latency vs MLPClassifier, {name_dtype}", "<= 0.5", slowdown[0]]
                )
    print()
    print(
        table(
            [
                "dtype",
                "implementation",
                "k rows/s, median (min-max)",
                "x MLPClassifier",
                "1-row latency us, median (min-max)",
                "/ MLPClassifier",
            ],
            rows,
        )
    )
    print()
    print(
        table(
            ["target", "goal", "measured (median)", "met"],
            [[name, goal, fmt(value), _met(goal, value)] for name, goal, value in targets],
        )
    )


def _met(goal, value):
    sign, bound = goal.split()
    return "yes" if (value <= float(bound) if sign == "<=" else value >= float(bound)) else "no"


if __name__ == "__main__":
    main()
