"""Pooled KPIs: the ratio of sums over replications, with a delta-method interval.

Checked against the ratio of sums by hand, against queueing theory (Erlang A is a
long-run ratio, which is what pooling estimates), and for the interval's coverage on
synthetic data whose true ratio is known.
"""

from __future__ import annotations

import numpy as np
import pytest

import ccsim
from ccsim import erlang
from ccsim.results.confidence import pooled_ci, t_quantile
from ccsim.results.kpis import ratio_parts
from tests.helpers import SCENARIOS, stationary

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")


def test_pooled_is_the_ratio_of_sums_by_type_and_by_interval() -> None:
    result = ccsim.simulate(SCENARIOS / "multiskill-day.yaml", replications=8, seed=4)
    acc = result.type_acc  # small run: the full counters are kept
    name = result.plan.type_names[1]
    row = result.by_type.loc[(name, "service_level")]
    t = result.plan.type_names.index(name)
    sums = acc[:, t].sum(axis=(0, 1))
    fields = ccsim.results.kpis.TYPE_FIELDS
    by_hand = sums[fields.index("answered_in_sl")] / sums[fields.index("offered")]
    assert row["pooled"] == pytest.approx(by_hand, rel=1e-12)
    # per interval, from running sums, the same as from the full counters
    k = 6
    cell = result.by_interval.loc[(name, k, "asa_s")]
    num, den = ratio_parts(acc[:, t, k], "asa_s")
    expected = pooled_ci(num, den)
    assert (cell["pooled"], cell["pooled_ci95_low"], cell["pooled_ci95_high"]) == pytest.approx(
        tuple(float(x) for x in expected), rel=1e-9
    )
    # counts are not ratios: nothing to pool
    assert np.isnan(result.summary.loc["offered", "pooled"])


def test_the_delta_method_interval_covers_the_true_ratio() -> None:
    rng = np.random.default_rng(11)
    true, hits, trials = 0.8, 0, 2000
    for _ in range(trials):
        den = rng.poisson(60, size=30).astype(float)  # offered per replication
        num = rng.binomial(den.astype(int), true).astype(float)  # answered within T
        _, low, high = pooled_ci(num, den)
        hits += low <= true <= high
    coverage = hits / trials
    se = np.sqrt(0.95 * 0.05 / trials)
    assert abs(coverage - 0.95) < 4 * se, coverage


@pytest.mark.parametrize("engine", ["fast", "simpy"])
def test_pooled_service_level_matches_erlang_a(engine: str) -> None:
    agents, load, handle, patience = 10, 8.0, 60.0, 30.0
    scenario = ccsim.load_scenario(stationary(agents, load, handle=handle, patience=patience,
                                              hours=12.0))  # fmt: skip
    result = ccsim.simulate(scenario, replications=30, seed=3, engine=engine)
    exact = erlang.erlang_a(agents, load / handle, handle, patience, threshold=20.0)
    for kpi, value in (("service_level", exact.service_level), ("abandon_rate", exact.p_abandon)):
        row = result.summary.loc[kpi]
        se = (row["pooled_ci95_high"] - row["pooled_ci95_low"]) / (2 * t_quantile(0.975, 29))
        assert abs(row["pooled"] - value) <= 4 * se, (kpi, row["pooled"], value, se)


def test_the_new_service_level_counts_short_abandons_as_good() -> None:
    result = ccsim.simulate(SCENARIOS / "small-helpdesk.yaml", replications=5, seed=2)
    acc = result.stats.day_type.sum(axis=1)
    fields = ccsim.results.kpis.TYPE_FIELDS
    good = acc[:, fields.index("answered_in_sl")] + acc[:, fields.index("abandoned_in_sl")]
    per_rep = good / acc[:, fields.index("offered")]
    assert result.kpi("service_level_incl_short_abandons") == pytest.approx(per_rep.mean())
    assert result.kpi("service_level_incl_short_abandons") >= result.kpi("service_level")
