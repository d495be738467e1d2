"""Result tables a pandas user can index in one step, with interval starts as times."""

from __future__ import annotations

import pandas as pd
import pytest

import ccsim
from tests.helpers import SCENARIOS


@pytest.fixture(scope="module")
def result() -> ccsim.SimulationResult:
    return ccsim.simulate(SCENARIOS / "multiskill-day.yaml", replications=3, seed=2)


def test_tables_are_keyed_by_kpi_and_keep_their_columns(result) -> None:
    summary = result.summary
    assert list(summary.columns[:5]) == ["kpi", "mean", "ci95_low", "ci95_high", "n"]
    assert summary.loc["service_level", "mean"] == result.kpi("service_level")
    name = result.plan.type_names[1]
    row = result.by_type.loc[(name, "asa_s")]
    assert row["mean"] == result.kpi("asa_s", type=name)
    abandon = result.by_type.loc[(name, "abandon_rate")]
    assert result.ci("abandon_rate", type=name) == tuple(
        abandon[c] for c in ("mean", "ci95_low", "ci95_high")
    )
    group = result.plan.group_names[0]
    assert result.by_group.loc[(group, "occupancy"), "group"] == group
    # the key columns stay columns: grouping by them is unambiguous
    assert set(result.by_interval.groupby("kpi").size().index) >= {"service_level", "asa_s"}


def test_ci_is_mean_and_interval(result) -> None:
    mean, low, high = result.ci("service_level")
    row = result.summary.loc["service_level"]
    assert (mean, low, high) == (row["mean"], row["ci95_low"], row["ci95_high"])
    assert low <= mean <= high
    with pytest.raises(KeyError, match="no KPI 'nope'"):
        result.ci("nope")


def test_interval_starts_are_times(result) -> None:
    table = result.interval_table()
    assert list(table.columns[:4]) == ["type", "interval", "start", "offered"]
    assert table.columns[-1] == "start_time"  # added last: the documented columns keep their places
    first = table[table["type"] == "ALL"].iloc[:2]
    assert first["start"].tolist() == ["08:00", "08:30"]
    assert first["start_time"].tolist() == [pd.Timedelta(hours=8), pd.Timedelta(hours=8.5)]
    stamps = pd.Timestamp("2026-03-02") + first["start_time"]
    assert stamps.iloc[1] == pd.Timestamp("2026-03-02 08:30")
    by_interval = result.by_interval.loc[("ALL", 1, "service_level")]
    assert by_interval["start_time"] == pd.Timedelta(hours=8.5)
    assert (result.by_group_interval["start_time"] >= pd.Timedelta(hours=8)).all()
