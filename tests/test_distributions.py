"""Time distributions: unit-mean shapes with the documented cv, means, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from ccsim.scenario.distributions import DIST_NAMES, Distribution, weibull_shape_for_cv
from ccsim.scenario.loader import scenario_from_dict
from ccsim.scenario.model import ScenarioError

N = 200_000
Z = 4.0


def assert_unit_mean_and_cv(x: np.ndarray, cv: float, what: str) -> None:
    """Sample mean within Z se of 1; sample variance within Z se of cv**2.

    The standard error of the sample variance is estimated from the sample's 4th
    central moment: se = sqrt((m4 - s**4) / n).
    """
    n = len(x)
    mean = x.mean()
    var = x.var(ddof=1)
    if cv == 0:
        np.testing.assert_allclose(x, 1.0, rtol=0, atol=1e-12, err_msg=what)
        return
    se_mean = math.sqrt(var / n)
    assert abs(mean - 1.0) <= Z * se_mean, (
        f"{what}: mean {mean:.6g} +- {se_mean:.2g} vs 1: {abs(mean - 1) / se_mean:.1f} se apart"
    )
    m4 = float(np.mean((x - mean) ** 4))
    se_var = math.sqrt(max(m4 - var**2, 0.0) / n)
    assert abs(var - cv**2) <= Z * se_var, (
        f"{what}: variance {var:.6g} +- {se_var:.2g} vs cv^2 = {cv**2:.6g}: "
        f"{abs(var - cv**2) / se_var:.1f} se apart"
    )


# (id, parameters, documented cv of the shape)
SHAPES = [
    ("exponential", {"dist": "exponential", "mean": "4min"}, 1.0),
    ("lognormal-0.6", {"dist": "lognormal", "mean": "4min", "cv": 0.6}, 0.6),
    ("lognormal-0.3", {"dist": "lognormal", "mean": 30, "cv": 0.3}, 0.3),
    ("gamma-0.5", {"dist": "gamma", "mean": "4min", "cv": 0.5}, 0.5),
    ("gamma-1.5", {"dist": "gamma", "mean": "4min", "cv": 1.5}, 1.5),
    ("erlang-k1", {"dist": "erlang", "mean": "4min", "k": 1}, 1.0),
    ("erlang-k3", {"dist": "erlang", "mean": "4min", "k": 3}, 1 / math.sqrt(3)),
    ("erlang-cv0.5", {"dist": "erlang", "mean": "4min", "cv": 0.5}, 0.5),  # k = 4
    ("erlang-cv0.6", {"dist": "erlang", "mean": "4min", "cv": 0.6}, 1 / math.sqrt(3)),  # k = 3
    ("weibull-0.5", {"dist": "weibull", "mean": "4min", "cv": 0.5}, 0.5),
    ("weibull-1.0", {"dist": "weibull", "mean": "4min", "cv": 1.0}, 1.0),
    ("weibull-1.2", {"dist": "weibull", "mean": "4min", "cv": 1.2}, 1.2),
    ("uniform-lowhigh", {"dist": "uniform", "low": "2min", "high": "6min"}, 1 / math.sqrt(12)),
    ("uniform-lowhigh-0", {"dist": "uniform", "low": 0, "high": "1min"}, 1 / math.sqrt(3)),
    ("uniform-meancv", {"dist": "uniform", "mean": "4min", "cv": 0.4}, 0.4),
    ("uniform-meancv-max", {"dist": "uniform", "mean": "4min", "cv": 0.577}, 0.577),
    ("fixed", {"dist": "fixed", "mean": "4min"}, 0.0),
    ("empirical", {"dist": "empirical", "values": [30, "45s", "1min", "2min", "10min"]}, None),
]


def test_every_shape_is_covered() -> None:
    assert {p["dist"] for _, p, _ in SHAPES} == set(DIST_NAMES)


@pytest.mark.parametrize(
    ("params", "cv"), [(p, c) for _, p, c in SHAPES], ids=[i for i, _, _ in SHAPES]
)
def test_shape_cv_is_documented_value(params: dict, cv: float | None) -> None:
    d = Distribution(**params)
    if cv is None:  # empirical: the cv of the sample (population standard deviation)
        v = np.array([30.0, 45.0, 60.0, 120.0, 600.0])
        cv = float(np.sqrt(np.mean((v - v.mean()) ** 2)) / v.mean())
    assert d.shape_cv() == pytest.approx(cv, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("params", [p for _, p, _ in SHAPES], ids=[i for i, _, _ in SHAPES])
def test_sample_unit_has_mean_one_and_documented_cv(params: dict) -> None:
    d = Distribution(**params)
    rng = np.random.default_rng([2024, DIST_NAMES.index(d.dist), int(1000 * d.shape_cv())])
    x = d.sample_unit(rng, N)
    assert x.shape == (N,)
    assert np.all(np.isfinite(x))
    assert np.all(x >= 0), "unit shapes are non-negative"
    assert_unit_mean_and_cv(x, d.shape_cv(), params["dist"])


def test_sample_unit_empirical_draws_only_the_values() -> None:
    values = [30.0, 45.0, 60.0, 120.0, 600.0]
    d = Distribution(dist="empirical", values=values)
    x = d.sample_unit(np.random.default_rng(3), 50_000) * np.mean(values)
    np.testing.assert_allclose(np.unique(x), values, rtol=1e-12)
    # every value equally likely: frequency of each within 4 se of 1/5
    for v in values:
        p = np.mean(np.isclose(x, v))
        assert abs(p - 0.2) <= 4 * math.sqrt(0.2 * 0.8 / len(x)), v


def test_sample_unit_is_deterministic_given_the_stream() -> None:
    d = Distribution(dist="lognormal", mean=60, cv=0.8)
    a = d.sample_unit(np.random.default_rng(11), 1000)
    b = d.sample_unit(np.random.default_rng(11), 1000)
    np.testing.assert_array_equal(a, b)


def test_sample_unit_zero_draws() -> None:
    for _, params, _ in SHAPES:
        assert len(Distribution(**params).sample_unit(np.random.default_rng(0), 0)) == 0


# ----------------------------------------------------------------------- means
def test_means_scalar() -> None:
    np.testing.assert_array_equal(
        Distribution(dist="exponential", mean="4min").means(3), [240.0] * 3
    )
    np.testing.assert_array_equal(Distribution(dist="fixed", mean=30).means(2), [30.0, 30.0])
    np.testing.assert_array_equal(
        Distribution(dist="gamma", mean="1h30min", cv=0.5).means(1), [5400.0]
    )


def test_means_list_per_interval() -> None:
    d = Distribution(dist="lognormal", mean=["1min", "90s", 120, "2.5min"], cv=0.7)
    np.testing.assert_array_equal(d.means(4), [60.0, 90.0, 120.0, 150.0])
    assert d.means(4).dtype == float


def test_means_uniform_low_high_is_midpoint() -> None:
    d = Distribution(dist="uniform", low="2min", high="6min")
    np.testing.assert_array_equal(d.means(3), [240.0] * 3)
    np.testing.assert_array_equal(
        Distribution(dist="uniform", low=10, high=10).means(2), [10.0] * 2
    )


def test_means_uniform_mean_cv() -> None:
    np.testing.assert_array_equal(
        Distribution(dist="uniform", mean="3min", cv=0.2).means(2), [180.0] * 2
    )


def test_means_empirical_is_sample_mean() -> None:
    d = Distribution(dist="empirical", values=["30s", "1min", "2min", 90])
    np.testing.assert_allclose(d.means(5), [75.0] * 5)


def test_mean_times_unit_has_the_planners_mean() -> None:
    d = Distribution(dist="uniform", low="2min", high="6min")
    x = d.sample_unit(np.random.default_rng(5), 100_000) * d.means(1)[0]
    assert x.min() >= 120.0 and x.max() <= 360.0
    se = x.std() / math.sqrt(len(x))
    assert abs(x.mean() - 240.0) <= 4 * se


# --------------------------------------------------------------------- weibull
def weibull_cv(k: float) -> float:
    return math.sqrt(math.gamma(1 + 2 / k) / math.gamma(1 + 1 / k) ** 2 - 1)


def test_weibull_shape_for_cv_one_is_exponential() -> None:
    assert weibull_shape_for_cv(1.0) == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("cv", [0.05, 0.2, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0])
def test_weibull_shape_reproduces_cv(cv: float) -> None:
    k = weibull_shape_for_cv(cv)
    assert weibull_cv(k) == pytest.approx(cv, rel=1e-9)


def test_weibull_shape_decreases_with_cv() -> None:
    ks = [weibull_shape_for_cv(cv) for cv in (0.2, 0.5, 1.0, 2.0)]
    assert ks == sorted(ks, reverse=True)
    assert ks[0] > 1 > ks[-1]


@pytest.mark.parametrize("cv", [0.0, -0.5])
def test_weibull_shape_rejects_non_positive_cv(cv: float) -> None:
    with pytest.raises(ValueError, match="cv must be positive"):
        weibull_shape_for_cv(cv)


def test_erlang_phases() -> None:
    assert Distribution(dist="erlang", mean=60, k=5).phases == 5
    assert Distribution(dist="erlang", mean=60, cv=0.5).phases == 4
    assert Distribution(dist="erlang", mean=60, cv=0.6).phases == 3  # round(2.78)
    assert Distribution(dist="erlang", mean=60, cv=2.0).phases == 1  # at least one phase


# ------------------------------------------------------------------ validation
INVALID = [
    ("lognormal-no-cv", {"dist": "lognormal", "mean": "4min"}, "'lognormal' needs a cv"),
    ("gamma-no-cv", {"dist": "gamma", "mean": "4min"}, "'gamma' needs a cv"),
    ("weibull-no-cv", {"dist": "weibull", "mean": "4min"}, "'weibull' needs a cv"),
    ("gamma-cv-0", {"dist": "gamma", "mean": "4min", "cv": 0}, "needs cv > 0 (use dist: fixed"),
    ("lognormal-cv-0", {"dist": "lognormal", "mean": "4min", "cv": 0}, "needs cv > 0"),
    (
        "cv-negative",
        {"dist": "lognormal", "mean": "4min", "cv": -0.5},
        "greater than or equal to 0",
    ),
    (
        "erlang-k-and-cv",
        {"dist": "erlang", "mean": 60, "k": 2, "cv": 0.5},
        "either k (number of phases) or cv, not both",
    ),
    ("erlang-neither", {"dist": "erlang", "mean": 60}, "either k"),
    ("erlang-cv-0", {"dist": "erlang", "mean": 60, "cv": 0}, "'erlang' needs cv > 0"),
    ("erlang-k-0", {"dist": "erlang", "mean": 60, "k": 0}, "greater than or equal to 1"),
    ("erlang-k-fraction", {"dist": "erlang", "mean": 60, "k": 2.5}, "k"),
    (
        "uniform-cv-too-big",
        {"dist": "uniform", "mean": "4min", "cv": 0.6},
        "cv cannot exceed 1/sqrt(3) = 0.577",
    ),
    ("uniform-mean-no-cv", {"dist": "uniform", "mean": "4min"}, "uniform with a mean needs a cv"),
    ("uniform-low-only", {"dist": "uniform", "low": "2min"}, "either low and high, or mean and cv"),
    (
        "uniform-high-only",
        {"dist": "uniform", "high": "2min"},
        "either low and high, or mean and cv",
    ),
    (
        "uniform-low-high-mean",
        {"dist": "uniform", "low": 1, "high": 3, "mean": 2},
        "either low and high, or mean and cv",
    ),
    (
        "uniform-high-below-low",
        {"dist": "uniform", "low": "6min", "high": "2min"},
        "high must be at least low",
    ),
    (
        "empirical-with-mean",
        {"dist": "empirical", "values": [30, 60], "mean": 45},
        "'empirical' takes values; remove mean",
    ),
    ("empirical-with-cv", {"dist": "empirical", "values": [30, 60], "cv": 0.5}, "remove cv"),
    ("empirical-no-values", {"dist": "empirical"}, "at least one positive value"),
    ("empirical-empty", {"dist": "empirical", "values": []}, "at least 1 item"),
    (
        "empirical-all-zero",
        {"dist": "empirical", "values": [0, "0s"]},
        "at least one positive value",
    ),
    ("empirical-negative", {"dist": "empirical", "values": [30, "-5s"]}, "cannot be negative"),
    (
        "exponential-with-cv",
        {"dist": "exponential", "mean": 60, "cv": 1},
        "'exponential' takes mean; remove cv",
    ),
    ("exponential-with-k", {"dist": "exponential", "mean": 60, "k": 2}, "remove k"),
    ("fixed-with-cv", {"dist": "fixed", "mean": 60, "cv": 0.1}, "'fixed' takes mean; remove cv"),
    (
        "lognormal-with-values",
        {"dist": "lognormal", "mean": 60, "cv": 0.5, "values": [1]},
        "remove values",
    ),
    (
        "gamma-with-low-high",
        {"dist": "gamma", "mean": 60, "cv": 0.5, "low": 1, "high": 2},
        "remove high, low",
    ),
    ("no-mean", {"dist": "exponential"}, "'exponential' needs a mean"),
    ("lognormal-no-mean", {"dist": "lognormal", "cv": 0.5}, "'lognormal' needs a mean"),
    ("unknown-dist", {"dist": "normal", "mean": 60}, "Input should be 'exponential', 'lognormal'"),
    ("no-dist", {"mean": 60}, "dist"),
    (
        "negative-mean-text",
        {"dist": "exponential", "mean": "-4min"},
        "a duration cannot be negative: '-4min'",
    ),
    ("negative-mean-number", {"dist": "exponential", "mean": -240}, "non-negative"),
    (
        "negative-mean-in-list",
        {"dist": "exponential", "mean": ["4min", "-4min"]},
        "cannot be negative: '-4min'",
    ),
    ("bad-unit", {"dist": "exponential", "mean": "4 parsecs"}, "unknown time unit 'parsecs'"),
    ("bool-mean", {"dist": "fixed", "mean": True}, "expected a duration"),
    (
        "unknown-key",
        {"dist": "exponential", "mean": 60, "scale": 2},
        "Extra inputs are not permitted",
    ),
]


@pytest.mark.parametrize(
    ("params", "message"), [(p, m) for _, p, m in INVALID], ids=[i for i, _, _ in INVALID]
)
def test_invalid_parameters_are_rejected_with_a_reason(params: dict, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Distribution(**params)
    assert message in str(info.value)


def test_uniform_low_high_with_cv_is_rejected() -> None:
    # Regression: a cv beside low/high used to be accepted and silently ignored.
    with pytest.raises(ValidationError, match="either low and high, or mean and cv|remove cv"):
        Distribution(dist="uniform", low="2min", high="6min", cv=0.2)


@pytest.mark.parametrize(
    "params",
    [
        {"dist": "uniform", "mean": "4min", "cv": 0.577},
        {"dist": "uniform", "mean": "4min", "cv": 0},
        {"dist": "uniform", "low": "4min", "high": "4min"},
        {"dist": "empirical", "values": [0, 60]},
        {"dist": "fixed", "mean": 0},
        {"dist": "erlang", "mean": 60, "k": 1},
        {"dist": "exponential", "mean": ["1min", 90, "2min"]},
    ],
)
def test_valid_edge_cases_are_accepted(params: dict) -> None:
    Distribution(**params)


def test_distribution_is_frozen() -> None:
    d = Distribution(dist="exponential", mean=60)
    with pytest.raises(ValidationError):
        d.mean = 120  # type: ignore[misc]


def test_scenario_reports_bad_distribution_with_its_key_path() -> None:
    data = {
        "name": "bad",
        "horizon": {"intervals": 1, "interval": "1h"},
        "contact_types": [
            {
                "name": "calls",
                "arrivals": {"rate_per_hour": 10},
                "handle_time": {"dist": "lognormal", "mean": "4min"},
            }
        ],
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 2}],
    }
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    text = str(info.value)
    assert "contact_types[0].handle_time" in text
    assert "'lognormal' needs a cv" in text
