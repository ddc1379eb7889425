"""Smoke tests of the benchmark scripts: each runs with ``--quick`` and prints its tables.

Nothing here looks at a time: the scripts measure, these tests only check that they run from a
checkout and report what they should.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run_script(name, *args):
    """Run ``benchmarks/<name> --quick *args`` in a fresh interpreter; return its stdout."""
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), "--quick", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@pytest.mark.parametrize(
    "script, args, expected",
    [
        (
            "bench_training.py",
            ["--no-torch"],
            ["| case", "sklearn_deepnet", "MLPClassifier", "% GEMM peak", "| target"],
        ),
        (
            "bench_logistic.py",
            [],
            ["| solver", "LogisticRegressionGD(lbfgs)", "LogisticRegression(lbfgs)", "J* ="],
        ),
        (
            "bench_predict.py",
            [],
            ["| dtype", "k rows/s", "1-row latency", "| target"],
        ),
        (
            "bench_memory.py",
            [],
            ["| case", "extra peak MB", "SciPy's L-BFGS-B state", "| target"],
        ),
    ],
)
def test_script_prints_its_tables(script, args, expected):
    out = run_script(script, *args)
    assert out.startswith("# bench_")  # the machine line: CPUs, load, BLAS threads
    for text in expected:
        assert text in out, f"{script} did not print {text!r}:\n{out}"


def test_training_without_torch_says_so_or_compares_with_it():
    out = run_script("bench_training.py", "--cases", "small", "--dtypes", "float32")
    try:
        import torch  # noqa: F401
    except ImportError:
        assert "PyTorch is not installed" in out
        assert "| PyTorch " not in out
    else:
        assert "| PyTorch " in out and "epoch vs PyTorch" not in out  # mnist case not run


def test_profile_script_runs():
    out = run_script("profile_epoch.py", "--epochs", "1")
    assert "s/epoch unprofiled" in out and "cProfile" in out
