"""README.md's code runs as written: each Python block alone, in a fresh interpreter, with no
warning; each main-job command parses; its first two commands stay at the top."""

import os
import re
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import sklearn
from packaging.requirements import Requirement
from packaging.version import Version

from sklearn_deepnet.cli._args import build_predict_parser, build_train_parser

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"^```python\n(.*?)^```", TEXT, re.S | re.M)
BASH_BLOCKS = re.findall(r"^```bash\n(.*?)^```", TEXT, re.S | re.M)
EXTRA_RE = re.compile(r'pip install "\.\[([\w,-]+)\]"')


def _missing_requirements(extra):
    """The requirements of ``extra`` that are not installed (names)."""
    missing = []
    for text in metadata.requires("sklearn_deepnet") or []:
        requirement = Requirement(text)
        if requirement.marker is None or not requirement.marker.evaluate({"extra": extra}):
            continue
        if requirement.name.replace("_", "-") == "sklearn-deepnet":
            continue
        try:
            metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(requirement.name)
    return missing


def _skip_reason(block):
    """Why a block cannot run here (an extra it names is absent), or None."""
    comments = "\n".join(line for line in block.splitlines() if line.lstrip().startswith("#"))
    for extras in EXTRA_RE.findall(comments):
        for extra in extras.split(","):
            missing = _missing_requirements(extra)
            if missing:
                return f"the {extra} extra is not installed ({', '.join(missing)})"
    if "scikit-learn >= 1.9" in comments and Version(sklearn.__version__) < Version("1.9"):
        return f"it needs scikit-learn >= 1.9 (installed: {sklearn.__version__})"
    if "needs PyTorch" in comments:
        try:
            metadata.version("torch")
        except metadata.PackageNotFoundError:
            return "it needs PyTorch, which is not installed"
    return None


def _block_id(block):
    first = block.strip().splitlines()[0].lstrip("# ")
    return first[:40]


def test_readme_has_python_blocks():
    assert len(PYTHON_BLOCKS) >= 6


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[_block_id(b) for b in PYTHON_BLOCKS])
def test_python_block_runs_alone_without_warnings(block, tmp_path):
    reason = _skip_reason(block)
    if reason:
        pytest.skip(f"README block not run: {reason}")
    # one BLAS thread, as in the rest of the suite: CI has 2 busy cores (README says why)
    threads = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                       "MKL_NUM_THREADS")}
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="default", **threads)
    proc = subprocess.run(
        [sys.executable, "-c", block], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr  # no warning, no log line


def test_first_two_commands_stay_at_the_top():
    first, second = (block.strip() for block in BASH_BLOCKS[:2])
    assert first == (
        "python3 -m venv .venv && . .venv/bin/activate && pip install . "
        "&& python -m sklearn_deepnet"
    )
    assert second.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install \".[")
    assert "python -m pytest -q tests" in second
    assert TEXT.index(BASH_BLOCKS[1]) < TEXT.index("## Quickstart")


def _main_job_commands():
    commands = []
    for block in BASH_BLOCKS:
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#")[0].strip() if " #" in line else line.strip()
            if "python -m sklearn_deepnet" in line:
                commands.append(line[line.index("python -m sklearn_deepnet"):])
    return commands


@pytest.mark.parametrize("command", _main_job_commands())
def test_main_job_commands_parse(command):
    argv = shlex.split(command)[3:]  # after "python -m sklearn_deepnet"
    if argv[:1] == ["predict"]:
        args = build_predict_parser().parse_args(argv[1:])
        assert args.model and args.file
    else:
        build_train_parser().parse_args(argv)


def test_readme_shows_the_main_job_options():
    for option in ("--quick", "--time-budget", "--delimiter", "--decimal", "--skip-rows",
                   "--na-values", "--drop", "--task", "--sheet", "--no-header", "predict",
                   "--proba"):
        assert option in TEXT, option
