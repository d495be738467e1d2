"""Paired comparisons of options on common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import ccsim
from ccsim.whatif.comparison import compare, paired_difference
from tests.helpers import SCENARIOS


def test_paired_difference_by_hand() -> None:
    base = np.array([0.80, 0.75, 0.90, 0.85, 0.70])
    option = np.array([0.86, 0.80, 0.93, 0.92, 0.78])
    d = option - base  # 0.06, 0.05, 0.03, 0.07, 0.08
    mean = 0.058
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / 4)
    half = stats.t.ppf(0.975, 4) * sd / math.sqrt(5)
    got = paired_difference(base, option)
    assert got.mean == pytest.approx(mean, abs=1e-12)
    assert (got.low, got.high) == pytest.approx((mean - half, mean + half), abs=1e-9)
    assert got.significant
    indep = stats.t.ppf(0.975, 4) * math.sqrt((base.var(ddof=1) + option.var(ddof=1)) / 5)
    assert got.independent_half_width == pytest.approx(indep, rel=1e-9)
    assert got.narrowing == pytest.approx(indep / half, rel=1e-9)


def test_undefined_replications_are_dropped_and_zero_is_not_significant() -> None:
    got = paired_difference(np.array([1.0, np.nan, 2.0, 3.0]), np.array([1.5, 2.0, 1.5, 3.0]))
    assert got.n == 3
    assert got.mean == pytest.approx(0.0)
    assert not got.significant


@pytest.fixture(scope="module")
def helpdesk_comparison():
    base = ccsim.load_scenario(SCENARIOS / "small-helpdesk.yaml")
    spec = base.model_dump(mode="json", exclude_none=True)
    spec["agent_groups"][0]["staffing"] = [n + 1 for n in spec["agent_groups"][0]["staffing"]]
    return compare(
        {"base": base, "same": base, "plus-one": ccsim.load_scenario(spec)},
        replications=60,
        seed=4,
        engine="fast",
    )


def test_an_identical_option_differs_by_exactly_nothing(helpdesk_comparison) -> None:
    d = helpdesk_comparison.difference("same", "service_level")
    assert (d.mean, d.low, d.high) == (0.0, 0.0, 0.0)
    assert not d.significant


def test_one_more_agent_per_interval_is_a_real_improvement(helpdesk_comparison) -> None:
    c = helpdesk_comparison
    sl = c.difference("plus-one", "service_level")
    assert sl.significant and sl.low > 0
    assert c.difference("plus-one", "abandon_rate").high < 0
    assert c.difference("plus-one", "occupancy").high < 0
    # common random numbers: the same customers, so offered is identical, replication by replication
    np.testing.assert_array_equal(
        c.results["base"].per_replication("offered"),
        c.results["plus-one"].per_replication("offered"),
    )
    # pairing narrows the interval several-fold compared with independent runs
    assert sl.narrowing > 2


def test_table_and_json(helpdesk_comparison) -> None:
    table = helpdesk_comparison.table()
    assert set(table["option"]) == {"same", "plus-one"}
    row = table[
        (table.option == "plus-one") & (table.type == "ALL") & (table.kpi == "service_level")
    ]
    assert bool(row["significant"].iloc[0])
    data = helpdesk_comparison.to_dict()
    assert data["base"] == "small-helpdesk" and data["replications"] == 60
    assert data["options"]["plus-one"]["difference"]["service_level"]["significant"] is True
