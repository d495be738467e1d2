"""The cost model, checked by hand on a small day."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ccsim
from ccsim.engines.reference import run_replication
from ccsim.plan import compile_plan
from ccsim.results.confidence import paired_difference
from ccsim.results.kpis import accumulate
from ccsim.results.tables import SimulationResult
from ccsim.scenario.loader import scenario_from_dict
from ccsim.streams import contacts_from_rows
from ccsim.whatif.costs import cost_table, daily_costs, finance, scheduled_hours
from tests.helpers import SCENARIOS

SPEC = {
    "name": "costed",
    "horizon": {"intervals": 2, "interval": "30min"},
    "contact_types": [
        {
            "name": "calls",
            "arrivals": {"rate_per_hour": 10},
            "handle_time": {"dist": "fixed", "mean": 60},
            "service_level": {"threshold": "20s", "target": 0.8},
        }
    ],
    "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": [2, 1]}],
    "costs": {
        "agents": {"hourly_wage": 20, "shrinkage": 0.2, "overhead": 1.5},
        "telephony_per_minute": 0.01,
        "fixed_per_day": 100,
        "abandoned_contact": 5,
        "service_level_penalty": {"per_interval": 10, "per_day": 50},
        "working_days_per_year": 250,
    },
}


def hand_made_result(spec: dict) -> SimulationResult:
    plan = compile_plan(scenario_from_dict(spec))
    contacts = contacts_from_rows(
        plan,
        [
            {"type": "calls", "at": 0, "handle": 600},  # answered at once
            {"type": "calls", "at": 10, "handle": 300},  # answered at once, leaves at 310
            {"type": "calls", "at": 20, "handle": 60, "patience": 60},  # abandons at 80
        ],
    )
    out = run_replication(plan, contacts)
    type_acc, group_acc, _ = accumulate(plan, contacts, out)
    return SimulationResult.from_counters(
        plan, "simpy", 0, type_acc[None], group_acc[None], len(contacts)
    )


def test_a_small_day_by_hand() -> None:
    costs = {k: float(v[0]) for k, v in daily_costs(hand_made_result(SPEC)).items()}
    # 2 agents x 0.5 h + 1 x 0.5 h = 1.5 h scheduled; paid 1.5 / 0.8; x 20 x 1.5
    assert costs["agents"] == pytest.approx(1.5 / 0.8 * 20 * 1.5)
    # lines held 600 + 300 + 60 s = 16 min at 0.01
    assert costs["telephony"] == pytest.approx(0.16)
    assert costs["fixed"] == 100
    assert costs["abandonment"] == 5
    # interval 0: 2 of 3 within 20 s < 80 %: missed (10); the day missed too (50);
    # interval 1 had no contacts: no penalty
    assert costs["penalties"] == 60
    total = 1.5 / 0.8 * 30 + 0.16 + 100 + 5 + 60
    assert costs["total"] == pytest.approx(total)
    assert costs["per_handled_contact"] == pytest.approx(total / 2)


def test_unpaid_breaks_and_group_overrides() -> None:
    spec = {
        **SPEC,
        "agent_groups": [
            {
                "name": "team",
                "skills": ["calls"],
                "shifts": [
                    {
                        "start": 0,
                        "end": "1h",
                        "agents": 2,
                        "breaks": [{"start": "20min", "duration": "10min"}],
                    }
                ],
            },
        ],
    }
    spec["costs"] = {
        **SPEC["costs"],
        "agent_groups": {"team": {"paid_breaks": False, "hourly_wage": 30}},
    }
    plan = compile_plan(scenario_from_dict(spec))
    on_shift, on_break = scheduled_hours(plan)
    assert on_shift[0] == pytest.approx(2.0) and on_break[0] == pytest.approx(2 * 10 / 60)
    costs = daily_costs(hand_made_result(spec))
    # (2 h - 1/3 h) / 0.8 x 30 (override) x 1.5 (overhead kept from the default)
    assert costs["agents"][0] == pytest.approx((2 - 1 / 3) / 0.8 * 30 * 1.5)


def test_cost_table_annualises() -> None:
    table = cost_table(hand_made_result(SPEC)).set_index("component")
    assert table.loc["total", "per_year"] == pytest.approx(table.loc["total", "per_day"] * 250)
    assert math.isnan(table.loc["per_handled_contact", "per_year"])


def test_unknown_names_in_costs_are_errors() -> None:
    spec = {
        **SPEC,
        "costs": {"agent_groups": {"teem": {"hourly_wage": 1}}, "abandoned_contact": {"cals": 1}},
    }
    with pytest.raises(ccsim.ScenarioError) as info:
        scenario_from_dict(spec)
    assert "costs.agent_groups.teem: unknown agent group 'teem'; did you mean 'team'?" in str(
        info.value
    )
    assert "costs.abandoned_contact.cals: unknown contact type 'cals'" in str(info.value)


def test_finance_by_hand() -> None:
    base = np.array([1000.0, 1100.0, 1050.0])
    option = np.array([900.0, 1010.0, 940.0])  # saves 100, 90, 110: mean 100 a day
    f = finance(
        base,
        option,
        working_days=250,
        one_off=10_000,
        per_new_agent=1_000,
        added_agents=2,
        monthly=500,
        per_seat_monthly=10,
        seats=5,
        years=3,
        discount_rate=0.1,
    )
    assert f.saving_per_day == pytest.approx(100)
    assert f.saving_per_year == pytest.approx(25_000)
    assert f.investment == 12_000
    assert f.recurring_per_year == pytest.approx(12 * (500 + 50))
    net = 25_000 - 6_600
    assert f.net_benefit_per_year == pytest.approx(net)
    assert f.payback_months == pytest.approx(12 * 12_000 / net)
    assert f.roi == pytest.approx((3 * net - 12_000) / 12_000)
    assert f.npv == pytest.approx(-12_000 + net / 1.1 + net / 1.21 + net / 1.331)
    assert f.saving_ci95[0] < 100 < f.saving_ci95[1]


def test_an_option_that_saves_nothing_never_pays_back() -> None:
    x = np.array([10.0, 11.0])
    f = finance(x, x, 250, one_off=100)
    assert f.payback_months == math.inf and f.npv == -100


def test_group_overrides_survive_a_round_trip() -> None:
    s = ccsim.load_scenario(SCENARIOS / "multiskill-day.yaml")
    again = scenario_from_dict(s.model_dump(mode="json", exclude_none=True))
    for scenario in (s, again):
        fraud = scenario.costs.group("fraud_desk")
        assert (fraud.hourly_wage, fraud.shrinkage, fraud.overhead) == (30, 0.3, 1.35)


# ------------------------------------------------- when ROI and payback mean something
def test_a_near_zero_investment_has_no_roi_and_no_payback() -> None:
    # An option that costs 50 once and 4 a day more: the old ROI formula gave
    # (3 x -1 000 - 50) / 50 = -6 100 %, a figure about the 50, not about the option.
    base = np.array([1000.0, 1010.0, 990.0])
    f = finance(base, base + 4.0, working_days=250, one_off=50)
    assert f.net_benefit_per_year == pytest.approx(-1000.0)
    assert (3 * f.net_benefit_per_year - f.investment) / f.investment == pytest.approx(-61.0)
    assert not f.material_investment
    assert math.isnan(f.roi) and math.isnan(f.payback_months)
    assert f.net_cost_per_year == pytest.approx(1000.0 + 50 / 3)
    assert f.npv == pytest.approx(-50 - sum(1000 / 1.08**y for y in (1, 2, 3)))


def test_a_normal_investment_keeps_roi_and_payback() -> None:
    base = np.array([1000.0, 1100.0, 1050.0])
    f = finance(base, base - 100.0, working_days=250, one_off=20_000, monthly=500)
    net = 25_000 - 6_000
    assert f.material_investment
    assert f.roi == pytest.approx((3 * net - 20_000) / 20_000)
    assert f.payback_months == pytest.approx(12 * 20_000 / net)
    assert math.isnan(f.cost_per_sl_point)  # it saves money: nothing to pay per point


@pytest.mark.parametrize(
    ("one_off", "material"),
    [(0.0, False), (2_499.0, False), (2_500.0, True), (10_000.0, True)],
)
def test_materiality_is_a_share_of_the_yearly_amounts(one_off: float, material: bool) -> None:
    base = np.array([1000.0, 1100.0])
    f = finance(base, base - 100.0, working_days=250, one_off=one_off)  # saves 25 000 a year
    assert f.material_investment is material
    assert math.isnan(f.roi) is not material
    if one_off > 0:  # recovered investments, material or not, have a payback
        assert f.payback_months == pytest.approx(12 * one_off / 25_000)
    else:
        assert math.isnan(f.payback_months)
    # with a recurring cost larger than the saving, that is the yardstick
    g = finance(base, base - 100.0, working_days=250, one_off=one_off, monthly=2_500)
    assert g.material_investment is (one_off >= 3_000)


def test_a_material_investment_never_recovered_never_pays_back() -> None:
    base = np.array([1000.0, 1100.0])
    f = finance(base, base + 10.0, working_days=250, one_off=5_000)  # loses 2 500 a year
    assert f.material_investment and f.payback_months == math.inf
    assert f.roi == pytest.approx((3 * -2_500 - 5_000) / 5_000)


def test_cost_per_service_level_point_and_per_abandon_avoided() -> None:
    base = np.array([1000.0, 1010.0, 990.0, 1005.0])
    option = base + np.array([40.0, 42.0, 38.0, 40.0])  # costs 40 a day more
    sl = paired_difference(np.array([0.80, 0.82, 0.78, 0.81]), np.array([0.85, 0.86, 0.84, 0.86]))
    abandoned = paired_difference(np.array([50.0, 55, 45, 52]), np.array([40.0, 44, 37, 41]))
    f = finance(
        base, option, 250, one_off=3_000, years=3, service_level=sl, abandoned_per_day=abandoned
    )
    cost = 3_000 / 3 + 40 * 250  # the investment spread over the horizon, plus the loss
    assert f.net_cost_per_year == pytest.approx(cost)
    assert f.cost_per_sl_point == pytest.approx(cost / (100 * sl.mean))
    assert f.cost_per_abandon_avoided == pytest.approx(cost / (-abandoned.mean * 250))
    # a gain that is not significant buys nothing that can be priced
    noise = paired_difference(np.array([0.80, 0.82, 0.78]), np.array([0.81, 0.80, 0.79]))
    assert not noise.significant
    g = finance(base, option, 250, service_level=noise, abandoned_per_day=noise)
    assert math.isnan(g.cost_per_sl_point) and math.isnan(g.cost_per_abandon_avoided)
