"""Tests of the main job (``python -m sklearn_deepnet``, :mod:`sklearn_deepnet.cli`): the
training run on bundled data and on users' files, the sized search, and ``predict``."""

import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from _cli_data import continuous_table, messy_export, write_csv
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_deepnet
from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor
from sklearn_deepnet.cli import DataError, _search, _train, main

ACCURACY_RE = re.compile(r"held-out test accuracy: (\d\.\d{4})")
QUICK = ["--quick", "--no-compare"]


def _one_line_error(capsys, *fragments):
    """Assert that stderr is one ``error:`` line holding every fragment; return it."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture
def messy_csv(tmp_path):
    path = tmp_path / "customers.csv"
    write_csv(messy_export(300, seed=0), path)
    return path


@pytest.fixture
def messy_model(tmp_path, messy_csv, capsys):
    model_path = tmp_path / "customers.deepnet"
    argv = ["--csv", str(messy_csv), "--target", "segment", "--output", str(model_path)]
    assert main(argv + QUICK) == 0
    capsys.readouterr()
    return model_path


# -- the digits job -----------------------------------------------------------------------------


def test_quick_digits_end_to_end(tmp_path, capsys):
    out_path = tmp_path / "model.deepnet"
    assert main(["--quick", "--output", str(out_path)]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert captured.err == ""
    assert "1347 train / 450 test" in out
    assert "task: classification" in out
    assert "BLAS threads=1" in out
    # one progress line per candidate, with the elapsed time and the rest
    progress = re.findall(r"^\[(\d)/2\] accuracy \d\.\d{4} .*elapsed .*(left|done)\)$", out, re.M)
    assert [p[0] for p in progress] == ["1", "2"]
    table_rows = re.findall(r"^\s+(\d)\s+(\d\.\d{4}) \+/- \d\.\d{4}\s+\(16,\)\s+(relu|tanh)", out,
                            re.M)
    assert sorted(r[2] for r in table_rows) == ["relu", "tanh"]
    accuracy = float(ACCURACY_RE.search(out).group(1))
    assert 0.85 <= accuracy <= 1.0
    for name in ("DeepNetClassifier (tuned)", "LogisticRegressionGD", "MLPClassifier"):
        assert name in out
    recipe = re.search(r"^make_tabular_classifier \(recipe\)\s+(\d\.\d{4})\s+[\d.]+\s+"
                       r"(\d+)/1000 \(longest of 5\)$", out, re.M)
    assert recipe and float(recipe.group(1)) > 0.9  # the recommended recipe, fitted and scored
    assert "predict_proba identical" in out

    model = sklearn_deepnet.load(out_path)
    assert isinstance(model, Pipeline)
    assert isinstance(model[0], ColumnTransformer)
    assert isinstance(model[-1], DeepNetClassifier)
    assert list(model.feature_names_in_[:2]) == ["pixel_0_0", "pixel_0_1"]
    data = load_digits(as_frame=True)
    proba = model.predict_proba(data.data)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-10)
    assert np.mean(model.predict(data.data) == data.target) >= accuracy - 0.02


def test_reload_mismatch_exits_1(tmp_path, capsys, monkeypatch):
    real_load = _train.load

    class Perturbed:
        def __init__(self, model):
            self.model = model

        def predict_proba(self, X):
            return self.model.predict_proba(X) + 1e-15

    monkeypatch.setattr(_train, "load", lambda path: Perturbed(real_load(path)))
    assert main(QUICK + ["--output", str(tmp_path / "m.deepnet")]) == 1
    assert "predict_proba DIFFERS" in capsys.readouterr().out


def test_digits_job_without_pandas(tmp_path):
    """The default job needs no pandas; --csv without it says what to install."""
    code = (
        "import sys\n"
        "class NoPandas:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pandas':\n"
        "            raise ImportError('No module named pandas')\n"
        "sys.meta_path.insert(0, NoPandas())\n"
        "from sklearn_deepnet.cli import main\n"
        "rc = main(['--quick', '--no-compare', '--output', 'm.deepnet'])\n"
        "assert rc == 0, rc\n"
        "raise SystemExit(main(['--csv', 'x.csv', '--target', 'y']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "predict_proba identical" in proc.stdout
    assert proc.stderr.strip().splitlines() == [
        "error: reading a data file needs pandas, which is not installed: pip install "
        "'sklearn_deepnet[files]' (pandas; openpyxl for Excel; pyarrow for Parquet)"
    ]


# -- a spreadsheet export -----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_messy_export_trains_and_matches_the_python_pipeline(tmp_path, messy_csv, capsys):
    """Text columns, 5 % empty cells and an ID column: one command, the Python score."""
    model_path = tmp_path / "m.deepnet"
    argv = ["--csv", str(messy_csv), "--target", "segment", "--output", str(model_path)]
    assert main(argv + QUICK) == 0
    out = capsys.readouterr().out
    assert "warning: column 'customer_id' not used: ID-like" in out
    assert "4 numeric ('age', 'income', 'visits', 'tenure_months')" in out
    assert "2 categorical ('city', 'plan')" in out
    assert "task: classification (target 'segment': 3 distinct labels" in out
    cli_accuracy = float(ACCURACY_RE.search(out).group(1))

    model = sklearn_deepnet.load(model_path)
    assert list(model.feature_names_in_) == ["age", "income", "visits", "tenure_months",
                                             "city", "plan"]
    # the same pipeline, built and fitted in Python on the same split, scores the same
    frame = pd.read_csv(messy_csv)
    X, y = frame.drop(columns=["segment", "customer_id"]), frame["segment"].to_numpy()
    X = X[list(model.feature_names_in_)]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        random_state=0)
    from sklearn.base import clone

    python_pipeline = clone(model).fit(X_train, y_train)
    assert python_pipeline.score(X_test, y_test) == pytest.approx(cli_accuracy, abs=5e-5)
    assert cli_accuracy > 0.5


def test_drop_option_and_unknown_column(tmp_path, messy_csv, capsys):
    argv = ["--csv", str(messy_csv), "--target", "segment", "--output", str(tmp_path / "m")]
    assert main(argv + QUICK + ["--drop", "city,visits"]) == 0
    out = capsys.readouterr().out
    assert "column 'city' not used: --drop" in out
    assert "1 categorical ('plan')" in out
    assert main(argv + ["--drop", "cty"]) == 2
    _one_line_error(capsys, "--drop", "'cty'", "did you mean 'city'?")


@pytest.mark.parametrize("sep", [";", "\t"])
def test_separator_decimal_comma_and_r_na_detected(tmp_path, sep, capsys):
    """A semicolon (or tab) file with decimal commas and R's NA, read with no options."""
    path = tmp_path / "export.csv"
    write_csv(messy_export(300, seed=1), path, sep=sep, decimal=",", na_rep="NA")
    assert "NA" in path.read_text() and "," in path.read_text()
    argv = ["--csv", str(path), "--target", "segment", "--output", str(tmp_path / "m")]
    assert main(argv + QUICK) == 0
    out = capsys.readouterr().out
    assert "separator" in out and "detected" in out
    assert "decimal commas read as numbers in 4 column(s)" in out
    assert "4 numeric ('age', 'income', 'visits', 'tenure_months')" in out


def test_tab_delimiter_option_accepted(tmp_path, capsys):
    path = tmp_path / "data.tsv"
    write_csv(messy_export(300, seed=2), path, sep="\t")
    for spelling in ("\\t", "tab", "\t"):
        argv = ["--csv", str(path), "--target", "segment", "--delimiter", spelling]
        assert main(argv + QUICK + ["--output", str(tmp_path / "m")]) == 0
        assert "2 categorical ('city', 'plan')" in capsys.readouterr().out


def test_bom_and_extra_missing_markers(tmp_path, capsys):
    frame = messy_export(300, seed=3)
    frame["income"] = frame["income"].astype(object).where(frame["income"].notna(), "?")
    path = tmp_path / "bom.csv"
    write_csv(frame, tmp_path / "plain.csv")
    path.write_bytes(b"\xef\xbb\xbf" + (tmp_path / "plain.csv").read_bytes())
    argv = ["--csv", str(path), "--target", "segment", "--output", str(tmp_path / "m")]
    assert main(argv + QUICK) == 0
    out = capsys.readouterr().out
    assert "column 'income': " in out and "('?')" in out  # told, read as missing
    assert "'customer_id' not used" in out  # the BOM did not stick to the first name
    assert main(argv + QUICK + ["--na-values", "?"]) == 0
    assert "('?')" not in capsys.readouterr().out


def _sklearn_data_file(name):
    import sklearn.datasets

    return os.path.join(os.path.dirname(sklearn.datasets.__file__), "data", name)


@pytest.mark.parametrize(
    "name, shape, n_classes",
    [("wine_data.csv", (178, 14), 3), ("breast_cancer.csv", (569, 31), 2),
     ("iris.csv", (150, 5), 3)],
)
def test_sklearn_bundled_csv_files_load(name, shape, n_classes):
    """scikit-learn's files open with a metadata line, not a header."""
    import argparse

    from sklearn_deepnet.cli._read import read_table

    options = argparse.Namespace(delimiter=None, decimal=None, skip_rows=None, header=None,
                                 encoding="utf-8-sig", na_values=[], sheet=None)
    frame, notes = read_table(_sklearn_data_file(name), options)
    assert frame.shape == shape
    assert list(frame.columns[:2]) == ["column_1", "column_2"]
    assert all(pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns)
    target = frame.columns[-1]
    assert sorted(frame[target].unique()) == list(range(n_classes))
    assert any("metadata" in n or "skipped" in n for n in notes)


def test_iris_file_trains_with_a_positional_target(tmp_path, capsys):
    argv = ["--csv", _sklearn_data_file("iris.csv"), "--target", "column_5",
            "--output", str(tmp_path / "m"), "--max-iter", "200"]
    assert main(argv + QUICK) == 0
    out = capsys.readouterr().out
    assert "4 numeric ('column_1', 'column_2', 'column_3', 'column_4')" in out
    assert "112 train / 38 test" in out
    assert float(ACCURACY_RE.search(out).group(1)) >= 0.8


@pytest.mark.parametrize("name", ["c.xlsx", "c.parquet"])
def test_excel_and_parquet(tmp_path, capsys, name):
    frame = messy_export(300, seed=4)
    try:
        if name.endswith(".xlsx"):
            frame.to_excel(tmp_path / name, index=False)
        else:
            frame.to_parquet(tmp_path / name, index=False)
    except ImportError as exc:  # e.g. pyarrow built for NumPy 2 next to the oldest NumPy
        pytest.skip(f"the files extra's reader for {name} is not usable here: {exc}")
    argv = ["--file", str(tmp_path / name), "--target", "segment"]
    assert main(argv + QUICK + ["--output", str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "2 categorical ('city', 'plan')" in out
    assert "'customer_id' not used: ID-like" in out


def test_skip_rows_and_no_header(tmp_path, capsys):
    path = tmp_path / "report.csv"
    body = continuous_table(120, seed=5).to_csv(index=False, header=False)
    path.write_text("Sales report, generated 2024-01-01\n" + body)
    argv = ["--csv", str(path), "--target", "column_5", "--output", str(tmp_path / "m")]
    assert main(argv + QUICK + ["--skip-rows", "1", "--no-header"]) == 0
    out = capsys.readouterr().out
    assert "120 rows x 5 columns" in out
    assert main(argv + QUICK) == 0  # the title line and the missing header are detected
    out = capsys.readouterr().out
    assert "skipped the first 1 line(s)" in out and "120 rows x 5 columns" in out


# -- the task ---------------------------------------------------------------------------------


def test_continuous_target_is_regression(tmp_path, capsys):
    path = tmp_path / "reg.csv"
    continuous_table(300, seed=6).to_csv(path, index=False)
    model_path = tmp_path / "reg.deepnet"
    argv = ["--csv", str(path), "--target", "y", "--output", str(model_path), "--quick"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "task: regression (target 'y': numbers with fractional values" in out
    scores = re.search(r"held-out test R2: (-?\d\.\d{4}), MAE: ([\d.]+)", out)
    assert scores and float(scores.group(1)) > 0.3
    assert "Ridge (linear)" in out and "MLPRegressor (best params)" in out
    assert "(recipe)" not in out  # no measured regression recipe: none is shown
    assert "reloaded model: predict identical" in out
    model = sklearn_deepnet.load(model_path)
    assert isinstance(model[-1], TransformedTargetRegressor)
    assert isinstance(model[-1].regressor_, DeepNetRegressor)
    assert isinstance(model[-1].transformer_, StandardScaler)


def test_task_override(tmp_path, capsys):
    path = tmp_path / "reg.csv"
    continuous_table(300, seed=7).to_csv(path, index=False)
    argv = ["--csv", str(path), "--target", "y", "--output", str(tmp_path / "m")]
    assert main(argv + ["--task", "classification"]) == 2
    _one_line_error(capsys, "sample(s)", "--task regression")
    messy = tmp_path / "c.csv"
    write_csv(messy_export(100), messy)
    argv = ["--csv", str(messy), "--target", "segment", "--output", str(tmp_path / "m")]
    assert main(argv + ["--task", "regression"]) == 2
    _one_line_error(capsys, "--task regression needs a numeric target", "'segment'")


def test_whole_number_target_with_few_values_is_classification(tmp_path, capsys):
    frame = continuous_table(300, seed=8)
    frame["y"] = (frame["y"] > 0).astype(int) + (frame["y"] > 2).astype(int)
    frame.to_csv(tmp_path / "c.csv", index=False)
    argv = ["--csv", str(tmp_path / "c.csv"), "--target", "y", "--output", str(tmp_path / "m")]
    assert main(argv + QUICK) == 0
    assert "task: classification (target 'y': 3 distinct whole numbers" in capsys.readouterr().out


# -- sizing and progress ------------------------------------------------------------------------


def test_plan_subsamples_a_big_table_and_keeps_a_small_one():
    from sklearn_deepnet.cli._plan import Costs, plan_search
    from sklearn_deepnet.cli._task import FULL_GRID, SMALL_GRID

    shapes = {s for g in (FULL_GRID, SMALL_GRID) for s in g["hidden_layer_sizes"]}
    costs = Costs({s: 0.01 for s in shapes}, {s: 2e-6 for s in shapes})
    small = plan_search(FULL_GRID, costs, 1500, 200, 1, 120.0, quick=False)
    assert (small.n_rows, small.grid) == (1500, FULL_GRID)
    big = plan_search(FULL_GRID, costs, 150_000, 200, 1, 120.0, quick=False)
    assert big.grid == FULL_GRID and 1000 <= big.n_rows < 150_000
    assert big.estimate <= 120.0
    assert plan_search(FULL_GRID, costs, 150_000, 200, 2, 120.0, quick=False).n_rows > big.n_rows
    tight = plan_search(FULL_GRID, costs, 150_000, 200, 1, 5.0, quick=False)
    assert tight.grid == SMALL_GRID and tight.n_rows >= 1000 and tight.estimate <= 5.0
    over = plan_search(FULL_GRID, costs, 150_000, 200, 1, 0.5, quick=False)
    assert over.n_rows == 1000 and "over the 0.5 s budget" in over.notes[0]


def test_time_budget_stops_the_search(tmp_path, capsys):
    argv = QUICK + ["--output", str(tmp_path / "m"), "--time-budget", "0.001"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "time budget: stopped after 1 of 2 candidates" in out
    assert re.search(r"^\[1/2\]", out, re.M) and not re.search(r"^\[2/2\]", out, re.M)
    assert "best params:" in out and "predict_proba identical" in out


def test_progress_choice(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    assert _search.choose_progress("lines", Tty()) == "lines"
    assert _search.choose_progress("auto", sys.stdout) == "lines"  # captured: not a terminal
    monkeypatch.setattr(_search, "progress_bar_available", lambda: False)
    assert _search.choose_progress("auto", Tty()) == "lines"
    with pytest.raises(DataError, match="--progress bar needs scikit-learn >= 1.9"):
        _search.choose_progress("bar")


def test_progress_bar_search(tmp_path, capsys):
    if not _search.progress_bar_available():
        pytest.skip("scikit-learn < 1.9 or rich missing: no callback ProgressBar")
    assert main(QUICK + ["--progress", "bar", "--output", str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "search time:" in out and "predict_proba identical" in out


# -- predict ------------------------------------------------------------------------------------


def test_predict_round_trip(tmp_path, messy_model, capsys):
    new = messy_export(40, seed=9)
    new.loc[0, "city"] = "Lisbon"  # unseen in training
    write_csv(new, tmp_path / "new.csv")
    preds = tmp_path / "preds.csv"
    argv = ["predict", str(messy_model), str(tmp_path / "new.csv"), "--output", str(preds),
            "--proba"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "ignored 2 column(s) the model does not use: 'customer_id', 'segment'" in err
    assert "categories unseen in training ('Lisbon')" in err
    assert "row(s) have empty cells" in err
    written = pd.read_csv(preds)
    model = sklearn_deepnet.load(messy_model)
    X = pd.read_csv(tmp_path / "new.csv")[list(model.feature_names_in_)]
    assert list(written.columns) == ["prediction", "proba_bronze", "proba_gold", "proba_silver"]
    np.testing.assert_array_equal(written["prediction"], model.predict(X))
    np.testing.assert_allclose(written.iloc[:, 1:], model.predict_proba(X), rtol=1e-12)


def test_predict_to_stdout(tmp_path, messy_model, capsys):
    write_csv(messy_export(10, seed=10).drop(columns=["segment"]), tmp_path / "n.csv")
    assert main(["predict", str(messy_model), str(tmp_path / "n.csv")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "prediction" and len(lines) == 11
    assert set(lines[1:]) <= {"bronze", "silver", "gold"}


def test_predict_missing_columns(tmp_path, messy_model, capsys):
    new = messy_export(10, seed=11).drop(columns=["income"]).rename(columns={"plan": "Plan"})
    write_csv(new, tmp_path / "n.csv")
    assert main(["predict", str(messy_model), str(tmp_path / "n.csv")]) == 2
    _one_line_error(capsys, "the model needs columns the file lacks", "'income'",
                    "'plan' (did you mean 'Plan'?)")


def test_predict_errors(tmp_path, messy_model, capsys):
    assert main(["predict", str(tmp_path / "nope.deepnet"), "x.csv"]) == 2
    _one_line_error(capsys, "model file", "not found")
    (tmp_path / "junk.deepnet").write_bytes(b"not a model")
    assert main(["predict", str(tmp_path / "junk.deepnet"), "x.csv"]) == 2
    _one_line_error(capsys, "cannot load the model")
    path = tmp_path / "reg.csv"
    continuous_table(100, seed=12).to_csv(path, index=False)
    assert main(["--csv", str(path), "--target", "y", "--output", str(tmp_path / "r")]
                + QUICK) == 0
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "r"), str(path), "--proba"]) == 2
    _one_line_error(capsys, "--proba needs a classifier")


# -- arguments and errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--csv", "data.csv"], "--target"),
        (["--target", "y"], "--csv"),
        (["--n-jobs", "0"], "--n-jobs"),
        (["--blas-threads", "-1"], "--blas-threads"),
        (["--time-budget", "0"], "--time-budget"),
        (["--delimiter", ";;"], "--delimiter"),
        (["--output", os.path.join("no", "such", "dir", "m.deepnet")], "does not exist"),
    ],
)
def test_bad_arguments_exit_2(capsys, argv, fragment):
    assert main(argv) == 2
    _one_line_error(capsys, fragment)


@pytest.mark.parametrize(
    "text, target, fragments",
    [
        ("a,b,y\n1,2,u\n", "foo", ["--target", "'foo'", "'a', 'b', 'y'"]),
        ("a,y\n1,u\n2,u\n3,v\n", "y", ["class 'v' has 1 sample(s)"]),
        ("a,y\n1,u\n2,u\n", "y", ["single class"]),
        ("a,b,y\n", "y", ["no data rows"]),
        ("y\nu\nv\n", "y", ["no feature columns"]),
        ("", "y", ["is empty"]),
        ("a,b,y\n1,2\n1,2,3,4,5\n", "y", ["could not be parsed"]),
        ("a,b,y\n\xe9,2,3\n", "y", ["--encoding"]),
    ],
    ids=["missing-target", "tiny-class", "one-class", "no-rows", "no-features", "empty",
         "ragged", "latin-1"],
)
def test_bad_files_exit_2(tmp_path, capsys, text, target, fragments):
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode("latin-1"))
    out_path = tmp_path / "never.deepnet"
    assert main(["--csv", str(path), "--target", target, "--output", str(out_path)]) == 2
    _one_line_error(capsys, *fragments)
    assert not out_path.exists()


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["--csv", str(tmp_path / "nope.csv"), "--target", "y"]) == 2
    _one_line_error(capsys, "not found", "nope.csv")


def test_help_documents_options(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--dataset", "--file", "--csv", "--target", "--task", "--drop", "--delimiter",
                   "--decimal", "--skip-rows", "--no-header", "--encoding", "--na-values",
                   "--sheet", "--quick", "--time-budget", "--progress", "--n-jobs",
                   "--blas-threads", "--output", "predict MODEL FILE"):
        assert option in out, option
    assert main(["predict", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("MODEL", "FILE", "--output", "--proba", "--delimiter"):
        assert option in out


def test_argparse_usage_error_returns_2(capsys):
    assert main(["--dataset", "mnist"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_module_entry_point_bad_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,y\n1,u\n")
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_deepnet", "--csv", str(path), "--target", "nope"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "error: --target: no column 'nope'; the columns are 'a', 'y'"
    ]


def _options(**given):
    import argparse

    defaults = dict(delimiter=None, decimal=None, skip_rows=None, header=None,
                    encoding="utf-8-sig", na_values=[], sheet=None)
    return argparse.Namespace(**{**defaults, **given})


def test_compressed_files(tmp_path):
    from sklearn_deepnet.cli._read import read_table

    frame = messy_export(50, seed=13)
    write_csv(frame, tmp_path / "c.csv.gz", sep=";")
    write_csv(frame, tmp_path / "c.zip")
    for name in ("c.csv.gz", "c.zip"):
        read, _ = read_table(tmp_path / name, _options())
        assert read.shape == (50, 8) and read.columns[0] == "customer_id"


def test_target_error_says_how_the_file_was_read(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("1,2,3\n4,5,6\n7,8,9\n")
    assert main(["--csv", str(path), "--target", "y"]) == 2
    _one_line_error(capsys, "no column 'y'", "'column_1'", "read as data, not column names")


def test_large_data_path_subsample_refit_and_comparison(tmp_path, capsys):
    """A search over budget runs on a subsample, then refits on all rows, timed first."""
    path = tmp_path / "big.csv"
    continuous_table(3000, seed=14).to_csv(path, index=False)
    argv = ["--csv", str(path), "--target", "y", "--quick", "--time-budget", "0.05",
            "--output", str(tmp_path / "m")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "on a subsample of 1000 of the 2250 training rows" in out
    assert "over the 0.05 s budget: it stops at the budget" in out
    assert "time budget: stopped after 1 of 2 candidates" in out
    assert re.search(r"refit on all 2250 training rows: preprocessing [\d.]+ s, then [\d.]+ s "
                     r"per epoch: at most [\d.]+ s for 30 epochs", out)
    assert "MLPRegressor (best params) left out of the comparison" in out
    assert "Ridge (linear)" in out
