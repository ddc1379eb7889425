"""GPU checks and timings in one run: the array API tests on CUDA, then training speed side by side.

Run it where a CUDA GPU and PyTorch are (CuPy optional), from the repository's root::

    SCIPY_ARRAY_API=1 python benchmarks/bench_gpu.py --out gpu_results

1. **Checks**: ``tests/test_array_api.py`` restricted to the CUDA namespaces (PyTorch on
   ``cuda``, CuPy): scikit-learn's ``check_array_api_input`` with value checks for the three
   estimators, every solver and training feature against NumPy, persistence, ONNX, mixing
   namespaces. The tally goes into the results.
2. **Timings**, each measured in this run, on the same machine:

   - the GPU's float32 matrix-multiply rate (the best of a few large square products);
   - MNIST-shaped training (60000 x 784, 10 classes, hidden (256, 128), relu, adam, float32):
     seconds per epoch of ``DeepNetClassifier`` on the GPU (PyTorch arrays, batch 200 and
     2048; CuPy too when installed), of the NumPy engine on this machine's CPU, and of a
     hand-written PyTorch training loop of the same network on the same GPU; an epoch's
     time is the difference between fits of 1 and 4 epochs, divided by 3 (set-up and
     transfers cancel out); at batch 2048 the matrix products' achieved rate against the
     measured peak;
   - full-batch logistic regression (``LogisticRegressionGD``, agd and lbfgs) on
     2,000,000 x 100 float32, on the GPU and on the CPU.

``--quick`` shrinks every size (a smoke run); ``--device cpu`` runs the same code on PyTorch's
CPU build (how the test suite checks this script where no GPU is). Results are printed and
written as ``results.json`` and ``results.md`` under ``--out``.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD  # noqa: E402

HIDDEN = (256, 128)


def _log(*parts):
    print(*parts, flush=True)


def run_checks(out):
    """The CUDA array API tests, as a subprocess; return their tally line and exit code."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
               "tests/test_array_api.py", "-k", "cuda or cupy"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    with open(os.path.join(out, "checks.log"), "w") as log:
        log.write(done.stdout + done.stderr)
    tally = next((line for line in reversed(done.stdout.splitlines()) if " in " in line), "")
    _log(f"checks: {tally} (exit {done.returncode}, {time.perf_counter() - started:.0f} s)")
    return {"tally": tally, "returncode": done.returncode}


def gemm_peak(torch, n, device, sync):
    """The best float32 rate of ``n x n x n`` matrix products on ``device``, in TFLOP/s."""
    torch.backends.cuda.matmul.allow_tf32 = False  # plain float32, as the training runs
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    best = 0.0
    for _ in range(3):
        torch.matmul(a, b)
    for _ in range(5):
        sync()
        start = time.perf_counter()
        for _ in range(5):
            torch.matmul(a, b)
        sync()
        best = max(best, 5 * 2 * n**3 / (time.perf_counter() - start) / 1e12)
    return best


def mnist_like(n, d, classes, seed=0):
    """A learnable MNIST-shaped problem: Gaussian inputs, labels from a random linear map."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X @ rng.normal(size=(d, classes))).argmax(axis=1)
    return X, y


def _fit_seconds(make, X, y, epochs, dispatch):
    est = make(epochs)
    with sklearn.config_context(array_api_dispatch=dispatch), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        est.fit(X, y)
        return time.perf_counter() - start, est


def seconds_per_epoch(make, X, y, dispatch, sync=lambda: None):
    """``(fit(4 epochs) - fit(1 epoch)) / 3``: one epoch, set-up and transfers cancelled."""
    _fit_seconds(make, X, y, 1, dispatch)  # warm-up: kernels, allocator, BLAS threads
    sync()
    one, _ = _fit_seconds(make, X, y, 1, dispatch)
    sync()
    four, est = _fit_seconds(make, X, y, 4, dispatch)
    sync()
    return (four - one) / 3, est


def _network(batch_size):
    def make(epochs):
        return DeepNetClassifier(
            HIDDEN, solver="adam", batch_size=batch_size, max_iter=epochs, tol=0.0,
            n_iter_no_change=10**6, random_state=0,
        )
    return make


def torch_loop_seconds(torch, X, y, batch_size, sync, epochs=4):
    """A hand-written PyTorch loop of the same network: seconds per epoch after one warm-up."""
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(X.shape[1], HIDDEN[0]), nn.ReLU(), nn.Linear(HIDDEN[0], HIDDEN[1]), nn.ReLU(),
        nn.Linear(HIDDEN[1], int(y.max()) + 1),
    ).to(X.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    n = X.shape[0]

    def epoch():
        order = torch.randperm(n, device=X.device)
        total = torch.zeros((), device=X.device)
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[rows]), y[rows])
            loss.backward()
            optimizer.step()
            total += loss.detach() * rows.shape[0]
        return float(total) / n  # one read per epoch, as ours

    epoch()
    sync()
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    sync()
    return (time.perf_counter() - start) / epochs


def training_flops_per_epoch(n_samples, sizes):
    """Matrix-product FLOPs of one epoch: forward, weight gradients, and dA past layer 1."""
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    forward = sum(2 * a * b for a, b in pairs)
    backward = forward + sum(2 * a * b for a, b in pairs[1:])
    return n_samples * (forward + backward)


def logistic_seconds(X, y, solver, dispatch, max_iter):
    est = LogisticRegressionGD(solver=solver, max_iter=max_iter, tol=0.0)
    seconds, est = _fit_seconds(lambda _: est, X, y, max_iter, dispatch)
    return seconds, est.loss_, est.n_iter_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="gpu_results", help="folder for the results")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--no-checks", action="store_true", help="timings only")
    parser.add_argument("--device", default="cuda", help="cuda, or cpu for a dry run")
    parser.add_argument("--profile", action="store_true",
                        help="also write a cProfile of one batch-200 fit (profile.txt)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    try:
        import torch
    except ImportError:
        _log("bench_gpu: PyTorch is not installed: nothing to measure")
        return
    if args.device == "cuda" and not torch.cuda.is_available():
        _log("bench_gpu: no CUDA device: nothing to measure (--device cpu for a dry run)")
        return
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    n, d, n_lr, lr_iter = (600, 784, 5_000, 3) if args.quick else (60000, 784, 2_000_000, 50)
    results = {
        "machine": {
            "gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else "none (dry run)",
            "torch": torch.__version__,
            "numpy": np.__version__, "scikit-learn": sklearn.__version__,
            "cpu_count": os.cpu_count(), "python": platform.python_version(),
        }
    }
    results["machine"]["device"] = str(device)
    _log(json.dumps(results["machine"]))
    if not args.no_checks:
        results["checks"] = run_checks(args.out)
    results["gemm_tflops_float32"] = gemm_peak(torch, 512 if args.quick else 8192, device, sync)
    _log(f"float32 GEMM peak: {results['gemm_tflops_float32']:.1f} TFLOP/s")

    X, y = mnist_like(n, d, 10)
    X_gpu, y_gpu = torch.asarray(X, device=device), torch.asarray(y, device=device)
    timings = {}
    for batch in (200, 2048):
        seconds, est = seconds_per_epoch(_network(batch), X_gpu, y_gpu, True, sync)
        timings[f"ours_gpu_b{batch}"] = seconds
        with sklearn.config_context(array_api_dispatch=True):
            timings[f"ours_gpu_b{batch}_train_accuracy"] = est.score(X_gpu, y_gpu)
        timings[f"torch_loop_b{batch}"] = torch_loop_seconds(torch, X_gpu, y_gpu, batch, sync)
        _log(f"batch {batch}: ours {seconds:.4f} s/epoch, hand-written PyTorch "
             f"{timings[f'torch_loop_b{batch}']:.4f} s/epoch")
    if args.profile:
        _profile(_network(200), X_gpu, y_gpu, sync, os.path.join(args.out, "profile.txt"))
    flops = training_flops_per_epoch(n, (d, *HIDDEN, 10))
    timings["ours_gpu_b2048_tflops"] = flops / timings["ours_gpu_b2048"] / 1e12
    try:
        if device.type != "cuda":
            raise ImportError
        import cupy

        X_cp, y_cp = cupy.asarray(X), cupy.asarray(y)
        timings["ours_cupy_b200"], _ = seconds_per_epoch(
            _network(200), X_cp, y_cp, True, cupy.cuda.Device().synchronize
        )
        _log(f"CuPy, batch 200: ours {timings['ours_cupy_b200']:.4f} s/epoch")
    except ImportError:
        _log("CuPy not installed: its timing is left out")
    timings["ours_numpy_cpu_b200"], _ = seconds_per_epoch(_network(200), X, y, False)
    _log(f"NumPy on this CPU ({os.cpu_count()} cores), batch 200: "
         f"{timings['ours_numpy_cpu_b200']:.4f} s/epoch")
    results["mnist"] = timings

    rng = np.random.RandomState(1)
    X_lr = rng.normal(size=(n_lr, 100)).astype(np.float32)
    y_lr = (X_lr @ rng.normal(size=100) + rng.normal(size=n_lr) > 0).astype(np.int64)
    X_lr_gpu, y_lr_gpu = torch.asarray(X_lr, device=device), torch.asarray(y_lr, device=device)
    logistic = {}
    for solver in ("agd", "lbfgs"):
        logistic_seconds(X_lr_gpu[:1000], y_lr_gpu[:1000], solver, True, 2)  # warm-up
        gpu = logistic_seconds(X_lr_gpu, y_lr_gpu, solver, True, lr_iter)
        cpu = logistic_seconds(X_lr, y_lr, solver, False, lr_iter)
        logistic[solver] = {"gpu_s": gpu[0], "cpu_s": cpu[0], "gpu_loss": gpu[1],
                            "cpu_loss": cpu[1], "iterations": [gpu[2], cpu[2]]}
        _log(f"logistic {solver}: GPU {gpu[0]:.2f} s, CPU {cpu[0]:.2f} s "
             f"({cpu[0] / gpu[0]:.1f}x), loss {gpu[1]:.6f} vs {cpu[1]:.6f}")
    results["logistic_2M_x_100"] = logistic
    _write(results, args.out)


def _profile(make, X, y, sync, path):
    """Where a 2-epoch fit's time goes on the Python side (cProfile), into ``path``."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    _fit_seconds(make, X, y, 2, True)
    sync()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(30)
    with open(path, "w") as file:
        file.write(text.getvalue())


def _write(results, out):
    with open(os.path.join(out, "results.json"), "w") as file:
        json.dump(results, file, indent=2)
    mnist, peak = results["mnist"], results["gemm_tflops_float32"]
    rows = [
        ("ours, GPU, batch 200", mnist["ours_gpu_b200"]),
        ("hand-written PyTorch, GPU, batch 200", mnist["torch_loop_b200"]),
        ("ours, GPU, batch 2048", mnist["ours_gpu_b2048"]),
        ("hand-written PyTorch, GPU, batch 2048", mnist["torch_loop_b2048"]),
        ("ours, NumPy, this machine's CPU, batch 200", mnist["ours_numpy_cpu_b200"]),
    ]
    if "ours_cupy_b200" in mnist:
        rows.insert(2, ("ours, CuPy, batch 200", mnist["ours_cupy_b200"]))
    lines = ["| MNIST-shaped epoch | s/epoch |", "|---|---|"]
    lines += [f"| {name} | {seconds:.4f} |" for name, seconds in rows]
    lines += [
        "",
        "- NumPy CPU / GPU (batch 200): "
        f"{mnist['ours_numpy_cpu_b200'] / mnist['ours_gpu_b200']:.1f}x",
        f"- ours / hand-written PyTorch (batch 200): "
        f"{mnist['ours_gpu_b200'] / mnist['torch_loop_b200']:.2f}",
        f"- batch 2048: matrix products at {mnist['ours_gpu_b2048_tflops']:.1f} TFLOP/s, "
        f"{100 * mnist['ours_gpu_b2048_tflops'] / peak:.0f}% of the {peak:.1f} TFLOP/s "
        "float32 GEMM peak measured in this run",
        "",
        "| logistic regression, 2,000,000 x 100 float32 | GPU s | CPU s | CPU / GPU |",
        "|---|---|---|---|",
    ]
    for solver, row in results["logistic_2M_x_100"].items():
        lines.append(f"| {solver} | {row['gpu_s']:.2f} | {row['cpu_s']:.2f} | "
                     f"{row['cpu_s'] / row['gpu_s']:.1f} |")
    if "checks" in results:
        lines += ["", f"CUDA array API tests: {results['checks']['tally']}"]
    text = "\n".join(lines)
    with open(os.path.join(out, "results.md"), "w") as file:
        file.write(text + "\n")
    _log(text)


if __name__ == "__main__":
    main()
