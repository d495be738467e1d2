"""Waiting-time percentiles and the service level at several thresholds (result.waits).

Checked against queueing theory (Erlang C gives the whole waiting-time distribution of
M/M/c), against the service level the counters compute contact by contact, and on
histograms whose answer is known.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import ccsim
from ccsim import erlang
from ccsim.results.kpis import WAIT_ABANDONED, WAIT_ANSWERED, WAIT_EDGES
from ccsim.results.waits import (
    DEFAULT_THRESHOLDS,
    check_thresholds,
    percentiles,
    service_levels,
    wait_kpi_names,
)
from tests.helpers import SCENARIOS, stationary

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")


def _histogram(waits: np.ndarray) -> np.ndarray:
    return np.bincount(np.searchsorted(WAIT_EDGES, waits, side="right") - 1,
                       minlength=len(WAIT_EDGES)).astype(float)  # fmt: skip


def test_percentiles_read_the_histogram_to_the_second() -> None:
    rng = np.random.default_rng(3)
    waits = rng.exponential(40.0, size=200_000)
    got = percentiles(_histogram(waits))
    exact = np.quantile(waits, (0.5, 0.8, 0.9, 0.95))
    np.testing.assert_allclose(got, exact, atol=0.05)  # linear inside 1 s bins
    # long waits, in the geometric bins beyond ten minutes: within the bin's 2 %
    long = rng.exponential(3000.0, size=200_000)
    np.testing.assert_allclose(percentiles(_histogram(long)), np.quantile(long, (0.5, 0.8, 0.9, 0.95)), rtol=0.005)  # fmt: skip


def test_contacts_answered_at_once_make_a_percentile_of_zero() -> None:
    waits = np.concatenate([np.zeros(800), np.full(200, 45.5)])  # 80 % answered at once
    got = percentiles(_histogram(waits), (0.5, 0.8, 0.9))
    assert got[0] == 0.0 and got[1] == 0.0  # not 0.5 s or 0.6 s: the first second is a point
    assert 45.0 <= got[2] <= 46.0
    assert np.isnan(percentiles(np.zeros(len(WAIT_EDGES)))).all()


def test_service_levels_on_whole_seconds_count_exactly() -> None:
    rng = np.random.default_rng(5)
    waits = rng.exponential(30.0, size=50_000)
    hist = np.zeros((2, len(WAIT_EDGES)))
    hist[WAIT_ANSWERED] = _histogram(waits)
    hist[WAIT_ABANDONED, 7] = 1_000  # abandoned: offered, never within the service level
    offered = np.array(len(waits) + 1_000)
    got = service_levels(hist, offered, (10.0, 20.0, 300.0))
    exact = [np.sum(waits < t) / offered for t in (10.0, 20.0, 300.0)]
    np.testing.assert_allclose(got, exact, rtol=1e-12)
    assert np.isnan(service_levels(hist, np.array(0), (10.0,))).all()


@pytest.mark.parametrize("engine", ["fast", "simpy"])
def test_the_service_level_at_a_types_own_threshold_is_its_service_level(engine: str) -> None:
    result = ccsim.simulate(SCENARIOS / "multiskill-day.yaml", replications=12, seed=8,
                            engine=engine)  # fmt: skip
    for name, threshold in (("sales", 20), ("service", 30)):
        wait_row = result.waits.loc[(name, f"service_level_{threshold}s")]
        row = result.by_type.loc[(name, "service_level")]
        columns = ["mean", "ci95_low", "ci95_high", "pooled", "pooled_ci95_low", "pooled_ci95_high"]
        np.testing.assert_allclose(wait_row[columns].astype(float), row[columns].astype(float),
                                   rtol=1e-9)  # fmt: skip
    # a longer threshold never gives a lower service level
    for what in [*result.plan.type_names, "ALL"]:
        means = [
            result.waits.loc[(what, f"service_level_{t:g}s"), "mean"] for t in DEFAULT_THRESHOLDS
        ]
        assert np.all(np.diff(means) >= 0), (what, means)


def _within(result: ccsim.SimulationResult, kpi: str, exact: float, z: float = 4.0) -> None:
    """The replications' mean of ``kpi`` within z standard errors of ``exact``."""
    moments = result.stats.waits[kpi]
    n, mean, sd = moments.n[-1], moments.mean[-1], moments.sd()[-1]  # centre-wide
    se = sd / math.sqrt(n)
    assert abs(mean - exact) <= max(z * se, 1e-12), (
        f"{kpi}: simulated {mean:.4g} +- {se:.2g} (se, n={n:.0f}) vs exact {exact:.4g}"
    )


@pytest.mark.parametrize(("engine", "reps"), [("fast", 60), ("simpy", 15)])
def test_percentiles_and_service_levels_match_erlang_c(engine: str, reps: int) -> None:
    """M/M/c: P(W > t) = C exp(-(c - a) t / h), so the q-quantile of waits is known.

    The service level at each theoretical quantile must be q (a mean over replications,
    within its standard error), and the pooled percentile (all replications' waits
    together) must sit where the theoretical distribution function is q, within the
    same error. The mean of each replication's percentile is a different quantity (the
    expected percentile of a day, above the steady-state one by Jensen's inequality).
    """
    agents, load, handle = 10, 8.0, 60.0
    c = erlang.erlang_c(agents, load)
    decay = (agents - load) / handle  # P(W > t) = C exp(-decay t) in M/M/c
    qs = (0.8, 0.9, 0.95)
    quantile = {q: math.log(c / (1 - q)) / decay for q in qs}
    scenario = ccsim.load_scenario(stationary(agents, load, handle=handle, hours=8.0))
    result = ccsim.simulate(scenario, replications=reps, seed=21, engine=engine,
                            wait_thresholds=[*quantile.values(), 20, 60])  # fmt: skip
    for t in (20, 60):
        _within(result, f"service_level_{t}s", 1 - c * math.exp(-decay * t))
    for q, t in quantile.items():
        _within(result, f"service_level_{t:g}s", q)
        moments = result.stats.waits[f"service_level_{t:g}s"]
        se = float(moments.sd()[-1] / math.sqrt(moments.n[-1]))
        for who in ("answered", "all"):  # nobody abandons: the same waits
            pooled = result.waits.loc[("ALL", f"wait_{who}_p{round(100 * q)}_s"), "pooled"]
            at_pooled = 1 - c * math.exp(-decay * pooled)
            assert abs(at_pooled - q) <= 4 * se, (q, pooled, t, at_pooled, se)
    # below 1 - C (the share answered at once) every pooled percentile is 0
    assert c < 0.5 and result.waits.loc[("ALL", "wait_answered_p50_s"), "pooled"] == 0.0


def test_waits_in_the_api_and_the_json() -> None:
    result = ccsim.simulate(SCENARIOS / "small-helpdesk.yaml", replications=10, seed=2)
    names = list(wait_kpi_names())
    assert list(result.waits.loc["ALL"]["kpi"]) == names
    mean, low, high = result.ci("wait_answered_p90_s")
    assert low <= mean <= high and mean == result.waits.loc[("ALL", "wait_answered_p90_s"), "mean"]
    some_type = result.plan.type_names[0]
    assert result.kpi("service_level_60s", type=some_type) == pytest.approx(
        result.waits.loc[(some_type, "service_level_60s"), "mean"]
    )
    block = json.loads(result.to_json())["waits"]
    assert set(block) == {*result.plan.type_names, "ALL"}
    p90 = block["ALL"]["wait_answered_p90_s"]
    assert p90["mean"] == pytest.approx(mean) and p90["pooled"]["ci95"] == [None, None]
    sl = block["ALL"]["service_level_20s"]
    assert sl["pooled"]["ci95"][0] <= sl["pooled"]["value"] <= sl["pooled"]["ci95"][1]


def test_thresholds_are_checked_before_running() -> None:
    assert check_thresholds([60, 20, 20.0]) == (20.0, 60.0)
    for bad in ([0], [-5], ["soon"], [], [float("inf")], list(range(1, 30)), "20", 20):
        with pytest.raises(ValueError, match="threshold"):
            ccsim.simulate(SCENARIOS / "small-helpdesk.yaml", replications=2, wait_thresholds=bad)
    # a run to a precision can aim at a waiting-time KPI, of the thresholds it counts
    path = SCENARIOS / "small-helpdesk.yaml"
    with pytest.raises(ValueError, match="no KPI 'service_level_45s'"):
        ccsim.simulate(path, replications=10, precision={"service_level_45s": 0.02})
    result = ccsim.simulate(path, replications=10, seed=3, precision={"service_level_45s": 0.01},
                            wait_thresholds=[45])  # fmt: skip
    low, high = result.ci("service_level_45s")[1:]
    assert result.precision.met and (high - low) / 2 <= 0.01 and result.replications > 10


def test_the_cli_prints_and_writes_the_waits(tmp_path) -> None:
    from typer.testing import CliRunner

    from ccsim.cli.app import app

    path = str(SCENARIOS / "small-helpdesk.yaml")
    args = ["run", path, "-r", "4", "--waits", "--wait-thresholds", "15s,1min", "--out"]
    result = CliRunner().invoke(app, [*args, str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "wait_answered_p90_s" in result.output and "service_level_15s" in result.output
    written = pd.read_csv(tmp_path / "out" / "waits.csv")
    assert set(written["kpi"]) == set(wait_kpi_names((15.0, 60.0)))
    bad = CliRunner().invoke(app, ["run", path, "-r", "2", "--wait-thresholds", "soon"])
    assert bad.exit_code == 2 and "--wait-thresholds 'soon'" in bad.output


def test_the_run_report_shows_the_waiting_times(tmp_path) -> None:
    from ccsim.report.html import run_report

    result = ccsim.simulate(SCENARIOS / "multiskill-day.yaml", replications=6, seed=2)
    run_report(result, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    section = page[page.index("Waiting times") :]
    p90 = result.waits.loc[("sales", "wait_answered_p90_s"), "mean"]
    assert "P90 of waits (answered)" in section and f"{p90:.1f} s" in section
    assert "answered within 1min" in section
