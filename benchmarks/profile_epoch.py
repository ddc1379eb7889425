"""Where the MNIST-shaped epoch's time goes: cProfile, and line timings when line_profiler is there.

Fits ``DeepNetClassifier`` (hidden (256, 128), relu, adam, batch 200) for a few epochs on
MNIST-shaped synthetic data and prints (1) cProfile's functions by own time, (2) the time of the
same matrix products alone (the BLAS floor of the epoch), and (3) with ``line_profiler``
installed (``pip install line_profiler``), per-line times of the forward and backward passes, the
objective and the Adam step.

Run: ``python benchmarks/profile_epoch.py [--dtype float32] [--epochs 2]``.
"""

import cProfile
import io
import pstats
import sys
import time
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line, parser  # noqa: E402
from bench_training import (  # noqa: E402
    BATCH,
    batch_gemm_rate,
    fit_ours,
    layer_sizes,
    make_data,
    useful_flops,
)

from sklearn_deepnet.nn import network, objective, optimizers  # noqa: E402


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--dtype", default="float32")
    p.add_argument("--epochs", type=int, default=2)
    args = p.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, _, _ = make_data("mnist", args.quick)
    X = X.astype(args.dtype)
    epochs = 1 if args.quick else args.epochs
    print(f"# profile_epoch: {machine_line()}")
    fit_ours(X[: 5 * BATCH], y[: 5 * BATCH], 1, 0)  # warm up BLAS and imports

    start = time.perf_counter()
    fit_ours(X, y, epochs, 0)
    plain = (time.perf_counter() - start) / epochs
    sizes = layer_sizes(X, y)
    floor = useful_flops(sizes, X.shape[0]) / batch_gemm_rate(sizes, X.dtype) / 1e9
    print(
        f"\n{args.dtype}: {plain:.3f} s/epoch unprofiled; the same matrix products alone take "
        f"{floor:.3f} s/epoch ({100 * floor / plain:.0f}% of the epoch)\n"
    )

    profile = cProfile.Profile()
    profile.enable()
    fit_ours(X, y, epochs, 0)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(12)
    print("cProfile, by own time (forward/backward's own time is mostly their matrix products):")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])

    try:
        from line_profiler import LineProfiler
    except ImportError:
        print("\nline_profiler is not installed: `pip install line_profiler` for line timings.")
        return
    lines = LineProfiler(
        network.Network.forward,
        network.Network.backward,
        objective.Objective.loss_and_gradient,
        optimizers.Adam.step,
    )
    lines.runcall(fit_ours, X, y, epochs, 0)
    out = io.StringIO()
    lines.print_stats(stream=out, stripzeros=True)
    print("\nline_profiler (times per line over the whole fit):")
    print(out.getvalue())


if __name__ == "__main__":
    main()
