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
            "bench_batch_norm.py",
            ["--no-torch"],
            ["## cost", "ours + BN", "/ without BN", "## effect", "covertype-shaped",
             "more accurate for"],
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


def test_gpu_script_dry_run_on_the_cpu(tmp_path):
    """bench_gpu.py's code path, on PyTorch's CPU build: the GPU run must not fail on a typo."""
    pytest.importorskip("torch", reason="bench_gpu.py needs PyTorch")
    out = run_script("bench_gpu.py", "--device", "cpu", "--no-checks", "--out", str(tmp_path))
    assert (tmp_path / "results.json").exists() and (tmp_path / "results.md").exists()
    for text in ("| MNIST-shaped epoch", "hand-written PyTorch", "| agd", "| lbfgs"):
        assert text in out, out


def test_gpu_script_without_a_gpu_says_so():
    pytest.importorskip("torch", reason="bench_gpu.py needs PyTorch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "bench_gpu.py"), "--quick"],
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0 and "no CUDA device" in completed.stdout


def test_tabular_quick_reports_real_scores(tmp_path):
    """``bench_tabular.py --quick`` fits every quick model on each available quick data set."""
    import json

    sys.path.insert(0, str(BENCHMARKS))
    try:
        from _tabular_data import BY_NAME, QUICK
    finally:
        sys.path.remove(str(BENCHMARKS))
    available = [name for name in QUICK if BY_NAME[name].available()]
    assert {"breast_cancer", "digits"} <= set(available)  # bundled with scikit-learn
    out = run_script("bench_tabular.py", "--out", str(tmp_path))
    assert out.startswith("# bench_tabular")
    for text in ("mean accuracy (%)", "mean log loss", "median fit CPU s", "overall, "):
        assert text in out, f"bench_tabular.py did not print {text!r}:\n{out}"
    for name in set(QUICK) - set(available):
        assert f"skipped {name}" in out
    summary = json.loads((tmp_path / "tabular.json").read_text())
    models = {"DeepNet", "recipe", "MLP", "LogReg"}
    assert set(summary["models"]) == models
    assert summary["datasets"] == available
    for name in available:
        rows = summary["per_dataset"][name]
        assert set(rows) == models
        for row in rows.values():
            assert 0.5 < row["accuracy"] <= 1.0  # every model learns these easy sets
            assert 0.0 < row["log_loss"] < 1.0
            assert row["fits"] == 2 and row["fit_cpu_s"] > 0
            assert 1 <= row["rank_accuracy"] <= len(models)
    csv_lines = (tmp_path / "tabular.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + 2 * len(models) * len(available)
    assert (tmp_path / "tabular.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_study_script_runs_and_reports_against_a_chosen_baseline(tmp_path):
    """``study_recipe.py`` fits its variants on a quick split and pairs them with a baseline."""
    out = run_script("study_recipe.py", "--datasets", "breast_cancer", "--variants", "base",
                     "recipe_loss", "recipe_ensemble_3", "--out", str(tmp_path))
    assert out.startswith("# study_recipe")
    assert "| recipe_ensemble_3 " in out and "Δacc vs default" in out
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == [
        "base.csv", "recipe_ensemble_3.csv", "recipe_loss.csv"
    ]
    report = run_script("study_recipe.py", "--report", "--baseline", "recipe_loss",
                        "--variants", "recipe_ensemble_3", "--out", str(tmp_path))
    assert "paired with 'recipe_loss'" in report and "Δacc vs recipe_loss" in report
    rows = [line for line in report.splitlines() if line.startswith("| recipe_loss ")]
    assert rows and "+0.00 ± " in rows[0]  # the baseline against itself
