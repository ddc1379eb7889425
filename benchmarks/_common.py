"""Shared helpers of the benchmark scripts: interleaved timing, GEMM peak, tables, machine facts."""

import argparse
import os
import platform
import statistics
import time

import numpy as np


def parser(description):
    """An argument parser with the options every benchmark script takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and one repeat: checks that the script runs, measures nothing useful",
    )
    p.add_argument("--repeats", type=int, default=None, help="interleaved repeats per case")
    return p


def machine_line():
    """One line describing the machine, the load and the BLAS threads, for the table's header."""
    import sklearn
    from threadpoolctl import threadpool_info

    blas = [f"{i['internal_api']} {i['version']} x{i['num_threads']}" for i in threadpool_info()]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {load:.2f}; numpy {np.__version__}, scikit-learn {sklearn.__version__}; "
        f"BLAS: {', '.join(sorted(set(blas))) or 'unknown'}"
    )


def blas_threads():
    """The number of threads the BLAS NumPy uses may run (threadpoolctl's view)."""
    from threadpoolctl import threadpool_info

    counts = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    return max(counts) if counts else 1


def timed(function):
    """Run ``function()`` and return ``(seconds, its result)``."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def interleave(runners, repeats):
    """Time each runner once per repeat, in the order A B C A B C ..., and return the times.

    Parameters
    ----------
    runners : dict of str to callable
        ``name -> function`` returning the seconds to report (or ``None`` to use its wall time).
    repeats : int
        Rounds.

    Returns
    -------
    times : dict of str to list of float
        ``times[name][r]`` is repeat ``r``'s measurement, so ratios can be paired by repeat.
    """
    times = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            seconds, reported = timed(run)
            times[name].append(seconds if reported is None else reported)
    return times


def summary(values):
    """``(median, min, max)`` of a list of numbers."""
    return statistics.median(values), min(values), max(values)


def paired_ratio(numerators, denominators):
    """Median, min and max of the per-repeat ratios ``numerators[r] / denominators[r]``."""
    return summary([a / b for a, b in zip(numerators, denominators, strict=True)])


def gemm_rate(m, k, n, dtype, min_seconds=0.2):
    """Best GFLOP/s of ``(m, k) @ (k, n)`` products in ``dtype`` over about ``min_seconds``."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    c = np.empty((m, n), dtype=dtype)
    np.matmul(a, b, out=c)
    best = np.inf
    spent = 0.0
    calls = max(1, int(2e8 / (m * k * n)))
    while spent < min_seconds:
        seconds, _ = timed(lambda: [np.matmul(a, b, out=c) for _ in range(calls)])
        best = min(best, seconds / calls)
        spent += seconds
    return 2 * m * k * n / best / 1e9


def gemm_peak(dtype, quick=False):
    """The machine's GEMM peak in GFLOP/s for ``dtype``: the best of a few large square products."""
    sizes = (256,) if quick else (1024, 2048)
    return max(gemm_rate(s, s, s, dtype, 0.02 if quick else 0.3) for s in sizes)


def memory_bandwidth(X):
    """Read bandwidth in GB/s: the best time of one ``X @ v`` pass over the 2-D array ``X``."""
    v = np.ones(X.shape[1], dtype=X.dtype)
    X @ v
    best = min(timed(lambda: X @ v)[0] for _ in range(5))
    return X.nbytes / best / 1e9


def table(headers, rows):
    """Format rows as a GitHub-flavoured Markdown table (numbers already formatted as text)."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]

    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def fmt(value, digits=3):
    """A number as text with ``digits`` significant digits (``-`` for ``None``)."""
    if value is None:
        return "-"
    return f"{value:.{digits}g}"


def fmt_range(triple, digits=3):
    """``median (min-max)`` of a ``(median, min, max)`` triple."""
    median, low, high = triple
    return f"{median:.{digits}g} ({low:.{digits}g}-{high:.{digits}g})"
