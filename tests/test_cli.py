"""Tests of the command-line demo in ``sklearn_deepnet._cli`` (``python -m sklearn_deepnet``)."""

import csv
import os
import re
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.pipeline import Pipeline

from sklearn_deepnet import DeepNetClassifier, _cli
from sklearn_deepnet._cli import DataError, load_csv, main

ACCURACY_RE = re.compile(r"held-out test accuracy \(tuned DeepNetClassifier\): (\d\.\d{4})")


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _iris_rows():
    iris = load_iris()
    header = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    rows = [
        [f"{v:.1f}" for v in x] + [str(iris.target_names[t])]
        for x, t in zip(iris.data, iris.target, strict=True)
    ]
    return header, rows


@pytest.fixture
def iris_csv(tmp_path):
    header, rows = _iris_rows()
    return _write_csv(tmp_path / "iris.csv", header, rows)


def _assert_one_line_error(capsys, *fragments):
    captured = capsys.readouterr()
    err = captured.err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    # nothing of the run itself was printed before the error
    assert captured.out == ""
    return lines[0]


def test_quick_digits_end_to_end(tmp_path, capsys):
    out_path = tmp_path / "model.joblib"
    assert main(["--quick", "--output", str(out_path)]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "Traceback" not in captured.err

    assert "digits" in out
    assert "1347 train / 450 test" in out
    assert "BLAS threads=1" in out
    # ranked table: the two quick-grid candidates, ranks 1 and 2 (or 1 and 1 on a tie)
    table_rows = re.findall(
        r"^\s+(\d)\s+(\d\.\d{4}) \+/- (\d\.\d{4})\s+\(16,\)\s+(relu|tanh)", out, re.M
    )
    assert sorted(r[3] for r in table_rows) == ["relu", "tanh"]
    assert table_rows[0][0] == "1"
    assert float(table_rows[0][1]) >= float(table_rows[1][1])
    assert "best params: hidden_layer_sizes=(16,)" in out

    match = ACCURACY_RE.search(out)
    assert match, out
    accuracy = float(match.group(1))
    assert 0.85 <= accuracy <= 1.0
    for name in ("DeepNetClassifier (tuned, refit)", "LogisticRegressionGD", "MLPClassifier"):
        assert name in out
    assert "predict_proba identical" in out
    assert str(out_path) in out

    model = joblib.load(out_path)
    assert isinstance(model, Pipeline)
    assert isinstance(model[-1], DeepNetClassifier)
    assert model[-1].hidden_layer_sizes == (16,)
    X, y = load_digits(return_X_y=True)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-10)
    # trained on 75% of the data, so accuracy on all of it is at least the held-out one, roughly
    assert np.mean(model.predict(X) == y) >= accuracy - 0.02


def test_reload_mismatch_exits_1(tmp_path, capsys, monkeypatch):
    real_load = joblib.load

    class Perturbed:
        def __init__(self, model):
            self.model = model

        def predict_proba(self, X):
            return self.model.predict_proba(X) + 1e-15

    monkeypatch.setattr(_cli.joblib, "load", lambda path: Perturbed(real_load(path)))
    assert main(["--quick", "--output", str(tmp_path / "m.joblib")]) == 1
    assert "predict_proba DIFFERS" in capsys.readouterr().out


def test_csv_round_trip_with_string_target(tmp_path, iris_csv, capsys):
    out_path = tmp_path / "iris_model.joblib"
    argv = ["--csv", str(iris_csv), "--target", "species", "--quick", "--max-iter", "300"]
    assert main(argv + ["--output", str(out_path)]) == 0
    out = capsys.readouterr().out
    assert "max_iter=300" in out
    assert "150 samples, 4 features, 3 classes" in out
    assert "112 train / 38 test" in out
    match = ACCURACY_RE.search(out)
    assert match and float(match.group(1)) >= 0.8
    assert "predict_proba identical" in out

    model = joblib.load(out_path)
    assert list(model.classes_) == ["setosa", "versicolor", "virginica"]
    iris = load_iris()
    pred = model.predict(iris.data)
    assert np.mean(pred == iris.target_names[iris.target]) >= 0.8


def test_load_csv_parses_values(tmp_path):
    path = _write_csv(
        tmp_path / "d.csv",
        [" a ", "label", "b"],
        [["1.5", " x ", "2"], ["-3e-1", "y", " 4 "]],
    )
    X, y, names = load_csv(path, "label")
    assert names == ["a", "b"]
    np.testing.assert_array_equal(X, [[1.5, 2.0], [-0.3, 4.0]])
    assert X.dtype == np.float64
    assert list(y) == ["x", "y"]

    path = _write_csv(tmp_path / "n.csv", ["f", "t"], [["1", "0"], ["2", "1.0"], ["3", "2"]])
    _, y, _ = load_csv(path, "t")
    assert y.dtype.kind == "i" and list(y) == [0, 1, 2]


@pytest.mark.parametrize(
    "header, rows, target, fragments",
    [
        (["a", "b", "y"], [["1", "2", "u"]], "foo", ["'foo'", "not found", "'a', 'b', 'y'"]),
        (
            ["a", "b", "y"],
            [["1", "2", "u"], ["1", "abc", "v"]],
            "y",
            ["column 'b' is not numeric", "line 3", "'abc'"],
        ),
        (
            ["a", "b", "y"],
            [["1", "2", "u"], ["", "2", "v"]],
            "y",
            ["column 'a'", "empty", "line 3"],
        ),
        (
            ["a", "b", "y"],
            [["1", "NaN", "u"], ["1", "2", "v"]],
            "y",
            ["column 'b'", "NaN", "line 2"],
        ),
        (["a", "b", "y"], [["1", "inf", "u"]], "y", ["column 'b'", "infinite"]),
        (["a", "b", "y"], [["1", "2", "u"], ["1", "2"]], "y", ["line 3", "2 fields", "has 3"]),
        (["a", "b", "y"], [["1", "2", "u"], ["1", "2", ""]], "y", ["target column 'y'", "empty"]),
        (["a", "b", "y"], [], "y", ["no data rows"]),
        (["y"], [["u"]], "y", ["no feature columns"]),
    ],
    ids=[
        "missing-column",
        "non-numeric",
        "empty-cell",
        "nan-cell",
        "inf-cell",
        "ragged-row",
        "empty-label",
        "no-rows",
        "no-features",
    ],
)
def test_bad_csv_exits_2_with_one_line(tmp_path, capsys, header, rows, target, fragments):
    path = _write_csv(tmp_path / "bad.csv", header, rows)
    out_path = tmp_path / "never.joblib"
    rc = main(["--csv", str(path), "--target", target, "--output", str(out_path)])
    assert rc == 2
    _assert_one_line_error(capsys, *fragments)
    assert not out_path.exists()
    with pytest.raises(DataError):
        load_csv(path, target)


def test_missing_csv_file_exits_2(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    assert main(["--csv", str(missing), "--target", "y"]) == 2
    _assert_one_line_error(capsys, "not found", "nope.csv")


def test_empty_csv_file_exits_2(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert main(["--csv", str(path), "--target", "y"]) == 2
    _assert_one_line_error(capsys, "empty")


def test_class_too_small_to_stratify_exits_2(tmp_path, capsys):
    rows = [[str(i), "a"] for i in range(10)] + [["99", "rare"]]
    path = _write_csv(tmp_path / "rare.csv", ["x", "label"], rows)
    assert main(["--csv", str(path), "--target", "label"]) == 2
    _assert_one_line_error(capsys, "'rare'", "single sample")


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--csv", "data.csv"], "--target"),
        (["--target", "y"], "--csv"),
        (["--n-jobs", "0"], "--n-jobs"),
        (["--blas-threads", "-1"], "--blas-threads"),
        (["--output", os.path.join("no", "such", "dir", "m.joblib")], "does not exist"),
    ],
)
def test_bad_arguments_exit_2(capsys, argv, fragment):
    assert main(argv) == 2
    _assert_one_line_error(capsys, fragment)


def test_help_documents_options(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in (
        "--dataset",
        "--csv",
        "--target",
        "--random-state",
        "--n-jobs",
        "--max-iter",
        "--blas-threads",
        "--output",
        "--quick",
    ):
        assert option in out
    for dataset in ("digits", "breast_cancer", "iris", "wine"):
        assert dataset in out


def test_argparse_usage_error_returns_2(capsys):
    assert main(["--dataset", "mnist"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_module_entry_point_bad_csv(tmp_path):
    path = _write_csv(tmp_path / "bad.csv", ["a", "y"], [["1", "u"], ["oops", "v"]])
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_deepnet", "--csv", str(path), "--target", "y"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "error: column 'a' is not numeric (line 3: 'oops'); "
        "feature columns must be numeric with no empty or NaN cells"
    ]
