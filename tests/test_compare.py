"""Paired comparisons of options on common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import ccsim
from ccsim.whatif.comparison import compare, paired_difference
from tests.helpers import SCENARIOS, mix_options


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


# ------------------------------------------------------------------ mix effects
RATES = ("service_level", "abandon_rate", "asa_s", "p_wait")


@pytest.fixture(scope="module")
def mix_comparison(tmp_path_factory):
    return compare(mix_options(tmp_path_factory.mktemp("mix")), replications=20, seed=7)


def test_more_self_service_of_one_type_is_a_mix_effect(mix_comparison) -> None:
    c = mix_comparison
    table = c.table()
    mine = table[table.option == "status-self-service"]
    for kpi in RATES:
        per_type = mine[(mine.type != "ALL") & (mine.kpi == kpi)]
        assert (per_type["difference"] == 0).all(), kpi  # no queue's service moved
        assert (per_type["ci95_low"] == 0).all() and (per_type["ci95_high"] == 0).all()
        d = c.difference("status-self-service", kpi)
        assert d.significant, kpi  # ... yet the centre's rate did: fewer status calls
        split = c.mix("status-self-service", kpi)
        assert split.within == 0 and split.within_ci95 == (0.0, 0.0)
        assert split.mix == pytest.approx(d.mean, abs=1e-15) and split.mix_effect
        row = mine[(mine.type == "ALL") & (mine.kpi == kpi)].iloc[0]
        assert bool(row["mix_effect"]) and row["within_types"] == 0
    assert c.difference("status-self-service", "service_level").mean < 0
    data = c.to_dict()["options"]["status-self-service"]["difference"]
    assert data["service_level"]["mix_effect"] is True
    assert data["service_level"]["within_types"] == {"mean": 0.0, "ci95": [0.0, 0.0]}
    assert data["answered"]["mix_effect"] is False and data["answered"]["within_types"] is None


def test_a_change_within_a_type_is_not_a_mix_effect(mix_comparison) -> None:
    c = mix_comparison
    d = c.difference("billing-plus-one", "service_level")
    split = c.mix("billing-plus-one", "service_level")
    assert d.significant and d.mean > 0 and not split.mix_effect
    # the same customers are offered in both runs: the weights, and so the mix, are equal
    assert split.within == pytest.approx(d.mean, abs=1e-12)
    assert split.mix == pytest.approx(0.0, abs=1e-12)
    assert split.within_ci95[0] > 0


def test_a_centre_of_one_type_has_no_mix(helpdesk_comparison) -> None:
    assert helpdesk_comparison.mix("plus-one", "service_level") is None
    assert helpdesk_comparison.mix("plus-one", "answered") is None
    assert not helpdesk_comparison.table()["mix_effect"].any()


def test_options_carry_their_description_and_changes(mix_comparison, helpdesk_comparison) -> None:
    c = mix_comparison
    assert c.descriptions == {
        "status-self-service": "The IVR answers half of the status calls itself.",
        "billing-plus-one": "",
    }
    assert c.changes["status-self-service"] == {"ivr.deflection.status": 0.5}
    assert c.changes["billing-plus-one"] == {"agent_groups.billing_team.staffing": "+1"}
    option = c.to_dict()["options"]["billing-plus-one"]
    assert option["changes"] == {"agent_groups.billing_team.staffing": "+1"}
    assert helpdesk_comparison.descriptions == {} and helpdesk_comparison.changes == {}


# ----------------------------------------------------------- the business case
CHEAP_OPTIONS = """\
base: {base}
options:
  - name: ivr-tweak          # 50 once, and sends every sales call to an agent
    changes:
      ivr.deflection.sales: 0.0
    costs: {{one_off: 50}}
  - name: ivr-upgrade
    changes:
      ivr.deflection.service: 0.25
    costs: {{one_off: 40000, monthly: 2000}}
  - name: hire-5
    changes:
      agent_groups.service_team.shifts.0.agents: "+3"
      agent_groups.service_team.shifts.1.agents: "+2"
    costs: {{per_new_agent: 3000, monthly: 225}}
"""


@pytest.fixture(scope="module")
def costed_comparison(tmp_path_factory):
    path = tmp_path_factory.mktemp("cheap") / "cheap.options.yaml"
    path.write_text(CHEAP_OPTIONS.format(base=SCENARIOS / "multiskill-day.yaml"))
    return compare(path, replications=20)


def test_roi_of_a_near_zero_investment_is_not_shown(costed_comparison) -> None:
    finance = costed_comparison.finance().set_index("option")
    tweak = finance.loc["ivr-tweak"]
    assert tweak["net_benefit_per_year"] < 0  # it loses money every year
    old_roi = (3 * tweak["net_benefit_per_year"] - 50) / 50
    assert old_roi < -10  # the old table said less than -1 000 %
    assert not tweak["material_investment"]
    assert math.isnan(tweak["roi"]) and math.isnan(tweak["payback_months"])
    data = costed_comparison.to_dict()["options"]["ivr-tweak"]["finance"]
    assert data["roi"] is None and data["payback_months"] is None
    assert data["material_investment"] is False
    assert data["net_cost_per_year"] == pytest.approx(50 / 3 - tweak["net_benefit_per_year"])


def test_roi_of_a_real_investment_is_shown(costed_comparison) -> None:
    upgrade = costed_comparison.finance().set_index("option").loc["ivr-upgrade"]
    net, investment = upgrade["net_benefit_per_year"], upgrade["investment"]
    assert investment == 40_000 and upgrade["material_investment"] and net > 0
    assert upgrade["roi"] == pytest.approx((3 * net - investment) / investment)
    assert upgrade["payback_months"] == pytest.approx(12 * investment / net)


def test_what_hiring_buys_per_point_and_per_abandon_avoided(costed_comparison) -> None:
    c = costed_comparison
    hire = c.finance().set_index("option").loc["hire-5"]
    sl = c.difference("hire-5", "service_level")
    abandoned = c.difference("hire-5", "abandoned")  # one day: per day
    assert sl.low > 0 and abandoned.high < 0 and hire["net_cost_per_year"] > 0
    assert hire["cost_per_sl_point"] == pytest.approx(hire["net_cost_per_year"] / (100 * sl.mean))
    per_abandon = hire["net_cost_per_year"] / (-abandoned.mean * 250)
    assert hire["cost_per_abandon_avoided"] == pytest.approx(per_abandon)
