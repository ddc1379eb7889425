"""The tabular-input transformers: scikit-learn checks, hand-computed values, pipelines, errors."""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import RobustScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_deepnet import DeepNetClassifier
from sklearn_deepnet.preprocessing import PiecewiseLinearEncoder, SmoothClipScaler


def _clip(z, bound=3.0):
    return z / np.sqrt(1 + (z / bound) ** 2)


@pytest.fixture
def skewed():
    """Four features: log-normal (heavy right tail), normal, mostly zero, and binary."""
    rng = np.random.RandomState(0)
    n = 200
    mostly_zero = np.where(rng.rand(n) < 0.8, 0.0, rng.exponential(5.0, n))
    return np.c_[rng.lognormal(0, 1.5, n), rng.normal(10, 2, n), mostly_zero,
                 rng.rand(n) < 0.3].astype(np.float64)


# -- scikit-learn's checks ---------------------------------------------------------------------


@parametrize_with_checks(
    [
        SmoothClipScaler(),
        SmoothClipScaler(with_centering=False),  # sparse input accepted
        SmoothClipScaler(bound=None, quantile_range=(10.0, 90.0)),
        PiecewiseLinearEncoder(),
        PiecewiseLinearEncoder(n_bins=3, strategy="uniform", include_original=False),
    ]
)
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)


# -- SmoothClipScaler: values ------------------------------------------------------------------


def test_scaler_hand_computed_values():
    X = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 30.0], [4.0, 50.0], [100.0, 50.0]])
    scaler = SmoothClipScaler().fit(X)
    # column 0: median 3, quartiles 2 and 4; column 1: median 30, quartiles 10 and 50
    assert scaler.center_.tolist() == [3.0, 30.0]
    assert scaler.scale_.tolist() == [2.0, 40.0]
    z = np.array([[-1.0, -0.5], [-0.5, -0.5], [0.0, 0.0], [0.5, 0.5], [48.5, 0.5]])
    expected = z / np.sqrt(1 + (z / 3) ** 2)
    assert np.allclose(scaler.transform(X), expected, rtol=1e-15, atol=0)
    assert scaler.transform([[5.0, 30.0]])[0, 0] == pytest.approx(1 / np.sqrt(1 + 1 / 9))


def test_scaler_quantile_range_and_bound_change_the_values():
    X = np.arange(11.0).reshape(-1, 1)  # percentiles 10 and 90: 1 and 9
    scaler = SmoothClipScaler(quantile_range=(10.0, 90.0), bound=2.0).fit(X)
    assert scaler.center_.tolist() == [5.0] and scaler.scale_.tolist() == [8.0]
    z = (np.arange(11.0) - 5) / 8
    assert np.allclose(scaler.transform(X).ravel(), _clip(z, 2.0), rtol=1e-15, atol=0)


def test_scaler_without_clip_is_robust_scaler_where_the_iqr_is_positive(skewed):
    X = skewed[:, :2]
    ours = SmoothClipScaler(bound=None).fit(X)
    theirs = RobustScaler().fit(X)
    assert np.array_equal(ours.center_, theirs.center_)
    assert np.array_equal(ours.scale_, theirs.scale_)
    assert np.array_equal(ours.transform(X), theirs.transform(X))
    clipped = SmoothClipScaler().fit_transform(X)
    assert np.array_equal(clipped, _clip(theirs.transform(X)))


def test_scaler_zero_iqr_falls_back_to_half_the_range_then_one():
    # eight zeros in ten values: the quartiles (positions 2.25 and 6.75) are both 0
    X = np.c_[np.r_[np.zeros(8), 4, 10], np.r_[np.zeros(8), 1, 1], np.full(10, 7.0)]
    scaler = SmoothClipScaler().fit(X)
    assert scaler.center_.tolist() == [0.0, 0.0, 7.0]
    assert scaler.scale_.tolist() == [5.0, 0.5, 1.0]  # (10 - 0) / 2, (1 - 0) / 2, constant
    out = scaler.transform(X)
    assert np.allclose(out[:, 0], _clip(X[:, 0] / 5), rtol=1e-15)
    assert np.allclose(out[:, 1], _clip(X[:, 1] / 0.5), rtol=1e-15)
    assert np.array_equal(out[:, 2], np.zeros(10))
    assert scaler.transform([[0, 0, 9.0]])[0, 2] == pytest.approx(_clip(2.0))  # x - median


def test_scaler_output_does_not_depend_on_the_unit(skewed):
    """A feature in other units (x 1000, + 50) gives the same output, mostly-zero ones too."""
    X = skewed[:, :3]
    other_units = X * 1000 + 50
    assert np.allclose(
        SmoothClipScaler().fit_transform(X), SmoothClipScaler().fit_transform(other_units),
        rtol=1e-9, atol=1e-12,
    )
    # RobustScaler divides a zero-IQR feature by 1: in large units the clip saturates it
    nonzero = X[:, 2] > 0
    robust = _clip(RobustScaler().fit_transform(other_units))
    ours = SmoothClipScaler().fit_transform(other_units)
    assert np.ptp(robust[nonzero, 2]) < 0.01 and np.ptp(ours[nonzero, 2]) > 1


def test_scaler_bounds_outputs_and_keeps_their_order(skewed):
    out = SmoothClipScaler(bound=2.5).fit_transform(skewed)
    assert (np.abs(out) < 2.5).all()
    for j in range(skewed.shape[1]):
        order = np.argsort(skewed[:, j], kind="stable")
        assert (np.diff(out[order, j]) >= 0).all()


def test_scaler_centering_and_scaling_can_be_switched_off(skewed):
    both = SmoothClipScaler().fit(skewed)
    centering = SmoothClipScaler(with_scaling=False).fit(skewed)
    scaling = SmoothClipScaler(with_centering=False).fit(skewed)
    assert centering.scale_ is None and scaling.center_ is None
    assert np.array_equal(centering.center_, both.center_)
    assert np.array_equal(scaling.scale_, both.scale_)
    assert np.allclose(centering.transform(skewed), _clip(skewed - both.center_), rtol=1e-15)
    assert np.allclose(scaling.transform(skewed), _clip(skewed / both.scale_), rtol=1e-15)
    nothing = SmoothClipScaler(with_centering=False, with_scaling=False, bound=None)
    out = nothing.fit_transform(skewed)
    assert np.array_equal(out, skewed) and out is not skewed


def test_scaler_inverse_transform_round_trips(skewed):
    for scaler in (SmoothClipScaler(), SmoothClipScaler(bound=None),
                   SmoothClipScaler(with_centering=False, bound=1.0)):
        out = scaler.fit_transform(skewed)
        assert np.allclose(scaler.inverse_transform(out), skewed, rtol=1e-9, atol=1e-12)


def test_scaler_inverse_at_and_beyond_the_bound():
    scaler = SmoothClipScaler().fit(np.arange(8.0).reshape(-1, 1))  # center 3.5, scale 3.5
    back = scaler.inverse_transform([[3.0], [-3.0], [0.0]]).ravel()
    assert back.tolist() == [np.inf, -np.inf, 3.5]
    with pytest.raises(ValueError, match=re.escape("outside [-bound, bound] = [-3, 3]")):
        scaler.inverse_transform([[3.5]])
    assert np.array_equal(SmoothClipScaler(bound=None).fit(np.arange(8.0)[:, None])
                          .inverse_transform([[10.0]]), [[38.5]])


def test_scaler_ignores_and_keeps_missing_values(skewed):
    X = skewed.copy()
    X[::7, 0] = np.nan
    X[:, 3] = np.nan  # a feature with no value at all
    scaler = SmoothClipScaler().fit(X)
    observed = ~np.isnan(X[:, 0])
    alone = SmoothClipScaler().fit(X[observed][:, :1])  # the statistics of the other rows
    assert scaler.center_[0] == alone.center_[0] and scaler.scale_[0] == alone.scale_[0]
    assert scaler.center_[0] != np.median(skewed[:, 0])  # the missing rows were left out
    assert (scaler.center_[3], scaler.scale_[3]) == (0.0, 1.0)
    out = scaler.transform(X)
    assert np.array_equal(np.isnan(out), np.isnan(X))
    assert np.array_equal(np.isnan(scaler.inverse_transform(out)), np.isnan(X))


def test_scaler_keeps_float32(skewed):
    X32 = skewed.astype(np.float32)
    scaler = SmoothClipScaler().fit(X32)
    out = scaler.transform(X32)
    assert out.dtype == np.float32 and scaler.inverse_transform(out).dtype == np.float32
    assert np.allclose(out, SmoothClipScaler().fit_transform(skewed), rtol=1e-5, atol=1e-6)
    assert scaler.transform(skewed).dtype == np.float64
    assert scaler.set_params(bound=np.float64(3.0)).transform(X32).dtype == np.float32


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
def test_scaler_on_sparse_input_without_centering(container, skewed):
    X = skewed.copy()
    X[X < 1] = 0
    sparse = container(X)
    scaler = SmoothClipScaler(with_centering=False).fit(sparse)
    dense = SmoothClipScaler(with_centering=False).fit(X)
    assert np.array_equal(scaler.scale_, dense.scale_)  # the implicit zeros count
    out = scaler.transform(sparse)
    assert sp.issparse(out) and out.format == sparse.format and out.nnz == sparse.nnz
    assert np.array_equal(out.toarray(), dense.transform(X))
    assert np.allclose(scaler.inverse_transform(out).toarray(), X, rtol=1e-9)
    assert sparse.toarray().tolist() == X.tolist()  # the input is left alone


def test_scaler_refuses_to_center_sparse_input(skewed):
    with pytest.raises(ValueError, match="cannot center sparse input.*with_centering=False"):
        SmoothClipScaler().fit(sp.csr_matrix(skewed))
    scaler = SmoothClipScaler().fit(skewed)
    with pytest.raises(ValueError, match="cannot center sparse input"):
        scaler.transform(sp.csr_matrix(skewed))


@pytest.mark.parametrize(
    "quantile_range",
    [(75.0, 25.0), (50.0, 50.0), (-1.0, 50.0), (25.0, 101.0), (25.0, 50.0, 75.0), ("a", 50.0),
     (True, 50.0)],
)
def test_scaler_rejects_a_bad_quantile_range(quantile_range, skewed):
    with pytest.raises(ValueError, match="quantile_range must be .q_min, q_max. with 0 <= q_min"):
        SmoothClipScaler(quantile_range=quantile_range).fit(skewed)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"bound": 0.0}, "'bound' parameter .* must be a float in the range \\(0.0, inf\\)"),
        ({"bound": -3.0}, "'bound' parameter"),
        ({"bound": "3"}, "'bound' parameter"),
        ({"quantile_range": [25.0, 75.0]}, "'quantile_range' parameter .* must be an instance"),
        ({"with_centering": "yes"}, "'with_centering' parameter"),
    ],
)
def test_scaler_rejects_bad_parameters(params, message, skewed):
    with pytest.raises(ValueError, match=message):
        SmoothClipScaler(**params).fit(skewed)


def test_scaler_feature_names_and_pandas_output(skewed):
    frame = pd.DataFrame(skewed, columns=["income", "age", "claims", "owner"])
    scaler = SmoothClipScaler().set_output(transform="pandas").fit(frame)
    assert scaler.get_feature_names_out().tolist() == ["income", "age", "claims", "owner"]
    out = scaler.transform(frame)
    assert isinstance(out, pd.DataFrame) and out.columns.tolist() == frame.columns.tolist()
    assert np.array_equal(out.to_numpy(), SmoothClipScaler().fit_transform(skewed))
    assert SmoothClipScaler().fit(skewed).get_feature_names_out().tolist() == [
        "x0", "x1", "x2", "x3"
    ]


def test_scaler_wrong_number_of_features(skewed):
    scaler = SmoothClipScaler().fit(skewed)
    for method in (scaler.transform, scaler.inverse_transform):
        with pytest.raises(ValueError, match="X has 3 features, but SmoothClipScaler is "
                                             "expecting 4 features as input"):
            method(skewed[:, :3])


# -- PiecewiseLinearEncoder: values ------------------------------------------------------------


def test_encoder_hand_computed_values():
    # 0 x 5, then 1, 2, 3, 4: quantiles 0, 1/4, 1/2, 3/4, 1 at positions 0, 2, 4, 6, 8
    # are 0, 0, 0, 2, 4: the edges 0, 2, 4 after removing duplicates, two bins
    X = np.array([[0.0], [0], [0], [0], [0], [1], [2], [3], [4]])
    encoder = PiecewiseLinearEncoder(n_bins=4).fit(X)
    assert [edges.tolist() for edges in encoder.bin_edges_] == [[0.0, 2.0, 4.0]]
    assert encoder.n_bins_.tolist() == [2]
    out = encoder.transform([[1.0], [3.0], [-5.0], [4.0], [7.0], [2.0]])
    assert out.tolist() == [
        [1.0, 0.5, 0.0],
        [3.0, 1.0, 0.5],
        [-5.0, 0.0, 0.0],  # below the first edge: every bin 0
        [4.0, 1.0, 1.0],
        [7.0, 1.0, 1.0],  # above the last edge: every bin 1
        [2.0, 1.0, 0.0],
    ]


def test_encoder_uniform_edges():
    X = np.array([[0.0], [1], [1], [1], [1], [1], [10]])
    encoder = PiecewiseLinearEncoder(n_bins=4, strategy="uniform").fit(X)
    assert encoder.bin_edges_[0].tolist() == [0.0, 2.5, 5.0, 7.5, 10.0]
    assert encoder.transform([[6.0]]).tolist() == [[6.0, 1.0, 1.0, 0.4, 0.0]]


def test_encoder_leaves_few_valued_features_unencoded():
    rng = np.random.RandomState(0)
    n = 22
    X = np.c_[
        rng.normal(size=n),  # encoded: 8 bins
        rng.rand(n) < 0.5,  # binary
        np.full(n, 3.0),  # constant
        np.r_[np.zeros(n - 2), 1.0, 2.0],  # 3 values, but its quantiles leave a single bin
        np.arange(n) % 3,  # 3 values: edges 0, 0.875, 1, 2 (interpolated), 3 bins
    ]
    encoder = PiecewiseLinearEncoder().fit(X)
    assert encoder.n_bins_.tolist() == [8, 0, 0, 0, 3]
    assert encoder.bin_edges_[4].tolist() == [0.0, 0.875, 1.0, 2.0]
    assert [edges.size for edges in encoder.bin_edges_] == [9, 0, 0, 0, 4]
    out = encoder.transform(X)
    assert out.shape == (n, 5 + 8 + 3)
    assert np.array_equal(out[:, :5], X)

    alone = PiecewiseLinearEncoder(include_original=False).fit(X)
    assert alone.get_feature_names_out().tolist() == [
        "x1", "x2", "x3", *(f"x0_ple{t}" for t in range(8)), "x4_ple0", "x4_ple1", "x4_ple2"
    ]
    assert np.array_equal(alone.transform(X), np.c_[X[:, 1:4], out[:, 5:]])


def test_encoder_code_is_a_thermometer_that_gives_the_value_back():
    """Inside the edges, b[0] + sum(e[t] * width[t]) is x; bins fill up from left to right."""
    rng = np.random.RandomState(1)
    X = rng.gamma(2.0, 3.0, size=(300, 2))
    encoder = PiecewiseLinearEncoder(n_bins=6, include_original=False).fit(X)
    codes = encoder.transform(X)
    for j, edges in enumerate(encoder.bin_edges_):
        code = codes[:, 6 * j : 6 * (j + 1)]
        assert ((code >= 0) & (code <= 1)).all()
        assert (np.diff(code, axis=1) <= 0).all()  # 1, ..., 1, fraction, 0, ..., 0
        assert ((code > 0) & (code < 1)).sum(axis=1).max() <= 1
        assert np.allclose(edges[0] + code @ np.diff(edges), X[:, j], rtol=1e-12)


def test_encoder_ignores_and_keeps_missing_values():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    X[::5, 0] = np.nan
    encoder = PiecewiseLinearEncoder(n_bins=4).fit(X)
    observed = ~np.isnan(X[:, 0])
    assert np.array_equal(
        encoder.bin_edges_[0], np.quantile(X[observed, 0], [0, 0.25, 0.5, 0.75, 1])
    )
    out = encoder.transform(X)
    assert np.isnan(out[::5, [0, 2, 3, 4, 5]]).all()
    assert not np.isnan(out[observed]).any() and not np.isnan(out[:, [1, 6, 7, 8, 9]]).any()
    all_missing = PiecewiseLinearEncoder().fit(np.c_[X[:, 1], np.full(60, np.nan)])
    assert all_missing.n_bins_.tolist() == [8, 0]


def test_encoder_subsample_draws_rows_with_the_random_state():
    rng = np.random.RandomState(0)
    X = rng.lognormal(size=(500, 2))
    encoder = PiecewiseLinearEncoder(n_bins=4, subsample=100, random_state=3).fit(X)
    rows = np.random.RandomState(3).choice(500, 100, replace=False)
    expected = PiecewiseLinearEncoder(n_bins=4).fit(X[rows])
    for got, want in zip(encoder.bin_edges_, expected.bin_edges_, strict=True):
        assert np.array_equal(got, want)
    full = PiecewiseLinearEncoder(n_bins=4, subsample=None).fit(X)
    assert not np.array_equal(full.bin_edges_[0], encoder.bin_edges_[0])
    assert np.array_equal(full.bin_edges_[0], np.quantile(X[:, 0], np.linspace(0, 1, 5)))
    other_seed = PiecewiseLinearEncoder(n_bins=4, subsample=100, random_state=4).fit(X)
    assert not np.array_equal(other_seed.bin_edges_[0], encoder.bin_edges_[0])
    # the uniform strategy reads every row: its edges need only the minimum and maximum
    uniform = PiecewiseLinearEncoder(n_bins=4, strategy="uniform", subsample=100).fit(X)
    assert uniform.bin_edges_[0][[0, -1]].tolist() == [X[:, 0].min(), X[:, 0].max()]


def test_encoder_keeps_float32():
    X = np.random.RandomState(0).normal(size=(50, 3))
    out32 = PiecewiseLinearEncoder().fit_transform(X.astype(np.float32))
    assert out32.dtype == np.float32
    assert np.allclose(out32, PiecewiseLinearEncoder().fit_transform(X), atol=1e-5)
    encoder = PiecewiseLinearEncoder().fit(X)
    assert encoder.transform(X.astype(np.float32)).dtype == np.float32


def test_encoder_feature_names_and_pandas_output():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"age": rng.normal(40, 10, 50), "owner": rng.rand(50) < 0.5})
    encoder = PiecewiseLinearEncoder(n_bins=3).set_output(transform="pandas").fit(frame)
    names = ["age", "owner", "age_ple0", "age_ple1", "age_ple2"]
    assert encoder.get_feature_names_out().tolist() == names
    out = encoder.transform(frame)
    assert isinstance(out, pd.DataFrame) and out.columns.tolist() == names
    assert out.index.equals(frame.index)
    with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
        encoder.get_feature_names_out(["a", "b"])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_bins": -3}, "'n_bins' parameter .* must be an int in the range \\[2, inf\\)"),
        ({"n_bins": 1}, "'n_bins' parameter"),
        ({"n_bins": 2.5}, "'n_bins' parameter"),
        ({"strategy": "kmeans"}, "'strategy' parameter .* must be a str among"),
        ({"subsample": 0}, "'subsample' parameter"),
        ({"include_original": 1.0}, "'include_original' parameter"),
    ],
)
def test_encoder_rejects_bad_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        PiecewiseLinearEncoder(**params).fit(np.arange(10.0).reshape(-1, 1))


def test_encoder_rejects_bad_input():
    X = np.random.RandomState(0).normal(size=(30, 3))
    encoder = PiecewiseLinearEncoder().fit(X)
    with pytest.raises(ValueError, match="X has 2 features, but PiecewiseLinearEncoder is "
                                         "expecting 3 features as input"):
        encoder.transform(X[:, :2])
    with pytest.raises(TypeError, match="[Ss]parse"):
        PiecewiseLinearEncoder().fit(sp.csr_matrix(X))
    with pytest.raises(ValueError, match="Input X contains infinity"):
        encoder.transform(np.where(X > 1, np.inf, X))


# -- in pipelines ------------------------------------------------------------------------------


@pytest.fixture
def table():
    rng = np.random.RandomState(0)
    n = 160
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10, 1, n),
            "age": rng.normal(45, 12, n),
            "claims": np.where(rng.rand(n) < 0.7, 0.0, rng.poisson(3, n)),
        }
    )
    target = ((frame["income"] > np.median(frame["income"])) ^ (frame["age"] > 60)).astype(int)
    return frame, target.to_numpy()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_in_a_column_transformer_and_a_pipeline(table):
    frame, y = table
    pre = ColumnTransformer(
        [("scaled", make_pipeline(SmoothClipScaler(), PiecewiseLinearEncoder(n_bins=4)),
          ["income", "age"])],
        remainder="passthrough",
    ).set_output(transform="pandas")
    out = pre.fit_transform(frame)
    assert out.columns.tolist() == [
        "scaled__income", "scaled__age",
        *(f"scaled__income_ple{t}" for t in range(4)), *(f"scaled__age_ple{t}" for t in range(4)),
        "remainder__claims",
    ]
    scaled = SmoothClipScaler().fit_transform(frame[["income", "age"]])
    assert np.array_equal(out.iloc[:, :2].to_numpy(), scaled)
    model = Pipeline([("pre", pre), ("net", DeepNetClassifier(hidden_layer_sizes=(8,),
                                                              max_iter=300, random_state=0))])
    assert model.fit(frame, y).score(frame, y) > 0.8


def test_grid_search_over_bound_and_n_bins(table):
    frame, y = table
    pipe = Pipeline(
        [("scale", SmoothClipScaler()), ("encode", PiecewiseLinearEncoder()),
         ("model", LogisticRegression(max_iter=500))]
    )
    grid = {"scale__bound": [1.0, 3.0, None], "encode__n_bins": [2, 8]}
    search = GridSearchCV(pipe, grid, cv=3).fit(frame, y)
    assert len(search.cv_results_["params"]) == 6
    assert set(search.best_params_) == {"scale__bound", "encode__n_bins"}
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    for n_bins in (2, 8):
        features = pipe.set_params(encode__n_bins=n_bins).fit(frame, y)[:-1].transform(frame)
        assert features.shape[1] == 3 + sum(pipe["encode"].n_bins_)
        assert pipe["encode"].n_bins_[:2].tolist() == [n_bins, n_bins]  # income, age
