"""Epoch time of DeepNetClassifier against MLPClassifier and PyTorch on the CPU, side by side.

Trains the same network (hidden layers (256, 128), relu, adam, batch 200, alpha 1e-4, learning
rate 1e-3) with the three implementations in one process, interleaving the repeats
(A B C A B C ...), and prints seconds per epoch (median, min, max), the ratio to MLPClassifier
paired by repeat, the achieved GFLOP/s of the useful matrix products, their fraction of the GEMM
peak measured in the same run (large square products) and of the rate BLAS reaches on this
batch's own products, and each model's held-out accuracy and last training loss.

PyTorch is optional: ``pip install torch==2.13.0`` (a CPU wheel) adds it; without it the script
says so and goes on.

Run: ``python benchmarks/bench_training.py`` (``--quick`` for a seconds-long smoke run).
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    blas_threads,
    fmt,
    fmt_range,
    gemm_peak,
    interleave,
    machine_line,
    paired_ratio,
    parser,
    summary,
    table,
)

from sklearn_deepnet import DeepNetClassifier  # noqa: E402

HIDDEN = (256, 128)
BATCH = 200
ALPHA = 1e-4
LEARNING_RATE = 1e-3
CASES = {
    "mnist": {"n_samples": 60000, "n_features": 784, "n_classes": 10},
    "small": {"n_samples": 20000, "n_features": 100, "n_classes": 10},
}
QUICK_SAMPLES = 1000
N_TEST = 5000


def make_data(case, quick):
    """Training and held-out data of one case (float64; cast per run)."""
    spec = CASES[case]
    n_train = QUICK_SAMPLES if quick else spec["n_samples"]
    n_test = QUICK_SAMPLES // 5 if quick else N_TEST
    X, y = make_classification(
        n_samples=n_train + n_test,
        n_features=spec["n_features"],
        n_informative=min(64, spec["n_features"] // 2),
        n_redundant=0,
        n_classes=spec["n_classes"],
        class_sep=2.0,
        random_state=0,
    )
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def layer_sizes(X, y):
    return (X.shape[1], *HIDDEN, int(np.unique(y).size))


def useful_flops(sizes, n_samples):
    """Multiply-adds x 2 of one epoch's matrix products: forward, dW, and dA past layer 1."""
    products = [a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return 2 * n_samples * (2 * sum(products) + sum(products[1:]))


def batch_gemm_rate(sizes, dtype, seconds=0.3):
    """GFLOP/s BLAS reaches on exactly one training step's products at this batch size."""
    rng = np.random.default_rng(0)
    fans = zip(sizes[:-1], sizes[1:], strict=True)
    W = [rng.standard_normal(fan).astype(dtype) for fan in fans]
    A = [rng.standard_normal((BATCH, s)).astype(dtype) for s in sizes]
    dW = [np.empty_like(w) for w in W]

    def step():
        for layer, w in enumerate(W):
            np.matmul(A[layer], w, out=A[layer + 1])
        for layer in range(len(W) - 1, -1, -1):
            np.matmul(A[layer].T, A[layer + 1], out=dW[layer])
            if layer:
                np.matmul(A[layer + 1], W[layer].T, out=A[layer])

    step()
    best, spent = np.inf, 0.0
    while spent < seconds:
        start = time.perf_counter()
        for _ in range(10):
            step()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed / 10), spent + elapsed
    return useful_flops(sizes, BATCH) / best / 1e9


def fit_ours(X, y, epochs, seed):
    # init="glorot": MLPClassifier's initialization, so the accuracies compare like with like
    # (init="auto" would pick He's for relu, which starts these data at a higher loss).
    return DeepNetClassifier(init="glorot", **_shared_params(epochs, seed)).fit(X, y)


def fit_mlp(X, y, epochs, seed):
    return MLPClassifier(**_shared_params(epochs, seed)).fit(X, y)


def _shared_params(epochs, seed):
    """The parameters both scikit-learn-style estimators get: exactly ``epochs`` epochs."""
    return dict(
        hidden_layer_sizes=HIDDEN,
        batch_size=BATCH,
        alpha=ALPHA,
        learning_rate_init=LEARNING_RATE,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=seed,
    )


class TorchModel:
    """The same network and training loop in PyTorch (CPU), with the same L2 penalty."""

    def __init__(self, torch, X, y, epochs, seed):
        self.torch = torch
        nn = torch.nn
        torch.manual_seed(seed)
        dtype = torch.float32 if X.dtype == np.float32 else torch.float64
        sizes = layer_sizes(X, y)
        layers = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layers.append(nn.Linear(fan_in, fan_out, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers)
        weights = [p for name, p in self.model.named_parameters() if name.endswith("weight")]
        biases = [p for name, p in self.model.named_parameters() if name.endswith("bias")]
        # MLPClassifier's penalty alpha / (2 * batch) * ||W||^2 adds alpha / batch * W to the
        # weights' gradient: PyTorch's (L2, not decoupled) weight_decay on the weights only.
        optimizer = torch.optim.Adam(
            [{"params": weights, "weight_decay": ALPHA / BATCH}, {"params": biases}],
            lr=LEARNING_RATE,
            betas=(0.9, 0.999),
            eps=1e-8,
        )
        loss_fn = nn.CrossEntropyLoss()
        X_t, y_t = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
        n_samples = X.shape[0]
        self.loss_curve_ = []
        for _ in range(epochs):
            order = torch.randperm(n_samples)
            total = 0.0
            for start in range(0, n_samples, BATCH):
                rows = order[start : start + BATCH]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(self.model(X_t[rows]), y_t[rows])
                loss.backward()
                optimizer.step()
                total += loss.item() * rows.shape[0]
            self.loss_curve_.append(total / n_samples)

    def score(self, X, y):
        with self.torch.no_grad():
            logits = self.model(self.torch.from_numpy(X))
        return float((logits.argmax(dim=1).numpy() == y).mean())


def import_torch():
    """PyTorch if installed (threads set to the BLAS's count), else ``None`` with a message."""
    try:
        import torch
    except ImportError:
        print(
            "PyTorch is not installed: its column is left out. Add it with "
            "`pip install torch==2.13.0` (CPU wheel) to compare."
        )
        return None
    torch.set_num_threads(blas_threads())
    return torch


def run_case(case, dtype, args, torch, epochs, repeats):
    """Interleaved repeats of one case in one dtype; returns the rows of the table."""
    X, y, X_test, y_test = make_data(case, args.quick)
    X, X_test = X.astype(dtype), X_test.astype(dtype)
    sizes = layer_sizes(X, y)
    flops = useful_flops(sizes, X.shape[0])
    models = {}

    def runner(name, fit):
        def run():
            start = time.perf_counter()
            models[name] = fit(X, y, epochs, 0)
            return (time.perf_counter() - start) / epochs

        return run

    runners = {"sklearn_deepnet": runner("sklearn_deepnet", fit_ours)}
    runners["MLPClassifier"] = runner("MLPClassifier", fit_mlp)
    if torch is not None:
        runners["PyTorch"] = runner(
            "PyTorch", lambda X, y, epochs, seed: TorchModel(torch, X, y, epochs, seed)
        )
    peaks = []
    runners["(GEMM peak)"] = lambda: peaks.append(gemm_peak(dtype, args.quick)) or 0.0
    times = interleave(runners, repeats)
    peak = max(peaks)
    batch_rate = batch_gemm_rate(sizes, dtype, 0.02 if args.quick else 0.5)
    rows = []
    for name in [n for n in runners if not n.startswith("(")]:
        per_epoch = summary(times[name])
        rate = flops / per_epoch[0] / 1e9
        model = models[name]
        rows.append(
            {
                "case": case,
                "dtype": np.dtype(dtype).name,
                "implementation": name,
                "s/epoch": per_epoch,
                "ratio": paired_ratio(times[name], times["MLPClassifier"]),
                "ratio_torch": (
                    paired_ratio(times[name], times["PyTorch"]) if "PyTorch" in times else None
                ),
                "gflops": rate,
                "peak": peak,
                "of_peak": rate / peak,
                "of_batch": rate / batch_rate,
                "batch_rate": batch_rate,
                "accuracy": model.score(X_test, y_test),
                "loss": model.loss_curve_[-1],
            }
        )
    return rows


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=None, help="epochs per fit (default 3)")
    p.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    p.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    epochs = args.epochs or (1 if args.quick else 3)
    warnings.simplefilter("ignore", ConvergenceWarning)
    torch = None if args.no_torch else import_torch()
    print(f"# bench_training: {machine_line()}")
    print(
        f"# {repeats} interleaved repeats x {epochs} epochs; network {HIDDEN}, relu, adam, "
        f"batch {BATCH}" + (f"; PyTorch {torch.__version__}" if torch is not None else "")
    )
    rows = []
    for case in args.cases:
        for dtype in args.dtypes:
            rows += run_case(case, np.dtype(dtype).type, args, torch, epochs, repeats)
    headers = [
        "case",
        "dtype",
        "implementation",
        "s/epoch median (min-max)",
        "/ MLPClassifier",
        "/ PyTorch",
        "GFLOP/s",
        "% GEMM peak",
        "% batch GEMM",
        "test acc",
        "last loss",
    ]
    print()
    print(
        table(
            headers,
            [
                [
                    r["case"],
                    r["dtype"],
                    r["implementation"],
                    fmt_range(r["s/epoch"]),
                    fmt_range(r["ratio"]),
                    fmt_range(r["ratio_torch"]) if r["ratio_torch"] else "-",
                    f"{r['gflops']:.0f}",
                    f"{100 * r['of_peak']:.0f}",
                    f"{100 * r['of_batch']:.0f}",
                    f"{100 * r['accuracy']:.2f}",
                    fmt(r["loss"], 4),
                ]
                for r in rows
            ],
        )
    )
    peaks = {(r["case"], r["dtype"]): (r["peak"], r["batch_rate"]) for r in rows}
    print()
    print(
        "GEMM peak (best large square product) / batch GEMM (one step's own products at "
        "batch 200), GFLOP/s: "
        + "; ".join(f"{c} {d}: {p:.0f} / {b:.0f}" for (c, d), (p, b) in peaks.items())
    )
    print_targets(rows)
    return rows


def print_targets(rows):
    """The issue's targets for this script, each with the measured value."""
    ours = {(r["case"], r["dtype"]): r for r in rows if r["implementation"] == "sklearn_deepnet"}
    lines = []
    for dtype in ("float64", "float32"):
        r = ours.get(("mnist", dtype))
        if r:
            lines.append((f"MNIST-shaped {dtype}, epoch vs MLPClassifier", "<= 0.6", r["ratio"][0]))
    r = ours.get(("mnist", "float32"))
    if r and r["ratio_torch"]:
        lines.append(("MNIST-shaped float32, epoch vs PyTorch", "<= 0.9", r["ratio_torch"][0]))
    if r:
        lines.append(("MNIST-shaped float32, useful FLOPs / GEMM peak", ">= 0.70", r["of_peak"]))
    for dtype in ("float64", "float32"):
        r = ours.get(("small", dtype))
        if r:
            lines.append((f"small case {dtype}, epoch vs MLPClassifier", "<= 0.5", r["ratio"][0]))
    if lines:
        print()
        print(
            table(
                ["target", "goal", "measured (median)", "met"],
                [
                    [name, goal, f"{value:.2f}", _met(goal, value)]
                    for name, goal, value in lines
                ],
            )
        )


def _met(goal, value):
    sign, bound = goal.split()
    return "yes" if (value <= float(bound) if sign == "<=" else value >= float(bound)) else "no"


if __name__ == "__main__":
    main()
