"""Running statistics: flat memory in replications, the same numbers as from full counters.

A run folds its replications block by block, in replication order, into day totals per
replication and running moments per interval (:mod:`ccsim.results.running`). These tests
check the moments against the plain mean and CI of the full counters, across block
boundaries, for any number of threads, and that a run too big for memory is refused up
front.
"""

from __future__ import annotations

import numpy as np
import pytest

import ccsim
import ccsim.results.running as running
from ccsim.results.confidence import mean_ci
from ccsim.results.running import Moments
from ccsim.results.tables import hidden_kpis
from ccsim.simulation import check_memory
from tests.helpers import SCENARIOS


def test_moments_merge_like_one_pass() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(0.9, 0.05, size=(50, 4))
    values[rng.random((50, 4)) < 0.2] = np.nan  # undefined in some replications
    total = Moments.of(values[:7])
    for start in range(7, 50, 11):
        total.merge(Moments.of(values[start : start + 11]))
    mean, _, _, n = mean_ci(values)
    np.testing.assert_allclose(total.mean, mean, rtol=1e-13)
    np.testing.assert_allclose(total.sd(), np.nanstd(values, axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_array_equal(total.n, n)


@pytest.mark.parametrize("engine", ["fast", "simpy"])
def test_interval_tables_from_moments_equal_those_of_the_full_counters(monkeypatch, engine):
    monkeypatch.setattr(running, "BLOCK", 4)  # several blocks
    monkeypatch.setattr("ccsim.engines.fast.BLOCK", 4)
    monkeypatch.setattr("ccsim.simulation.BLOCK", 4)
    result = ccsim.simulate(SCENARIOS / "multiskill-day.yaml", 11, seed=5, engine=engine)
    assert result.type_acc.shape[0] == 11  # small: the full counters were kept too
    from ccsim.results.running import interval_type_kpis

    values = interval_type_kpis(result.plan, result.type_acc, hidden_kpis(result.plan))
    table = result.by_interval
    for kpi in ("service_level", "asa_s", "abandon_rate", "mean_queue", "offered"):
        mean, low, high, n = mean_ci(values[kpi])
        name = result.plan.type_names[1]
        got = table[(table["type"] == name) & (table["kpi"] == kpi)]
        np.testing.assert_allclose(got["mean"], mean[1], rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(got["ci95_high"], high[1], rtol=1e-9, equal_nan=True)
        np.testing.assert_array_equal(got["n"], n[1])


def test_threads_do_not_change_a_number() -> None:
    path = SCENARIOS / "small-helpdesk.yaml"
    one = ccsim.simulate(path, 600, seed=9, threads=1)  # three blocks
    two = ccsim.simulate(path, 600, seed=9, threads=2)
    assert one.by_interval.equals(two.by_interval)
    assert one.summary.equals(two.summary)


def test_a_large_run_keeps_day_totals_not_its_full_counters(monkeypatch) -> None:
    monkeypatch.setattr("ccsim.results.tables.KEEP_COUNTERS_BYTES", 1)
    result = ccsim.simulate(SCENARIOS / "small-helpdesk.yaml", 5, seed=1)
    assert result.stats.day_type.shape == (5, 1, len(ccsim.results.kpis.TYPE_FIELDS))
    with pytest.raises(AttributeError, match="did not keep its full counters"):
        _ = result.type_acc
    assert 0 < result.kpi("service_level") < 1 and len(result.by_interval) > 0


def test_a_run_that_cannot_fit_is_refused_before_it_starts() -> None:
    plan = ccsim.simulate(SCENARIOS / "small-helpdesk.yaml", 2).plan
    check_memory(plan, 1000, available=2**30)  # fits
    with pytest.raises(MemoryError, match=r"3,000,000,000 replications .* run at most"):
        check_memory(plan, 3_000_000_000, available=2**30)


def test_a_progress_callback_that_raises_stops_the_fast_engine_at_once() -> None:
    class Stop(Exception):
        pass

    seen = []

    def cancel(done: int, total: int) -> None:
        seen.append(done)
        if done == 20:
            raise Stop

    with pytest.raises(Stop):
        ccsim.simulate(SCENARIOS / "small-helpdesk.yaml", 100_000, seed=1, progress=cancel)
    assert max(seen) < 20 + 2 * 8  # each worker finishes at most its current replication


def test_a_run_keeps_its_full_counters_when_asked_and_the_memory_check_counts_them(
    monkeypatch,
) -> None:
    import ccsim.results.tables as tables

    monkeypatch.setattr(tables, "KEEP_COUNTERS_BYTES", 0)  # as if every run were large
    path = SCENARIOS / "small-helpdesk.yaml"
    kept = ccsim.simulate(path, 4, seed=2, keep_counters=True)
    assert kept.type_acc.shape[0] == 4  # kept whatever their size
    with pytest.raises(AttributeError, match="did not keep its full counters"):
        _ = ccsim.simulate(path, 4, seed=2).type_acc
    with pytest.raises(AttributeError):
        _ = ccsim.simulate(path, 4, seed=2, keep_counters=False).type_acc
    plan = kept.plan
    per_rep = running.bytes_per_replication(plan, keep_counters=True)
    assert per_rep == running.bytes_per_replication(plan) + running.counter_bytes(plan)
    fits = 2**30 // 2 // running.bytes_per_replication(plan)
    check_memory(plan, fits, available=2**30)  # the day totals fit...
    with pytest.raises(MemoryError):  # ...but not with every counter kept
        check_memory(plan, fits, available=2**30, keep_counters=True)


def test_a_replay_still_runs_when_its_counters_pass_the_limit(monkeypatch) -> None:
    """The backtest's replay needs every interval's counters: it asks for them
    (``ccsim backtest -r 5000`` failed after simulating)."""
    import pandas as pd
    import yaml

    import ccsim.results.tables as tables
    from ccsim.data.replay import DayInputs, replay
    from ccsim.scenario.loader import scenario_from_dict
    from tests.helpers import GOOD

    monkeypatch.setattr(tables, "KEEP_COUNTERS_BYTES", 0)  # as if the run were large
    agents = np.zeros((2, 48))
    agents[:, 18:22] = 3.0
    volumes = np.zeros((2, 48, 1))
    volumes[:, 18:22, 0] = 20
    inputs = DayInputs(list(pd.date_range("2024-01-01", periods=2)), 1800.0, ["support"],
                       volumes, agents)  # fmt: skip
    counters = replay(scenario_from_dict(yaml.safe_load(GOOD)), inputs, replications=3).counters
    assert counters.shape[:3] == (3, 2, 48) and counters[..., 0].sum() > 0  # calls offered
