"""The estimators against oracles: scipy's generic fits, exact timelines, known answers.

Tolerances come from the estimates' own standard errors (four of them) or, for the
same likelihood maximised two ways, from the optimisers' precision.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from ccsim.data import agents, anomalies, arrivals
from ccsim.data.durations import fit_duration
from ccsim.data.fitting import fit_shape, frozen
from ccsim.data.patience import fit_patience, kaplan_meier
from ccsim.data.replay import DayInputs, build
from ccsim.data.scenario_file import read_settings, to_yaml
from ccsim.scenario.loader import scenario_from_dict
from tests.helpers import GOOD

RNG = np.random.default_rng(20261205)


def censored_sample(shape: str, mean: float, cv: float, n: int, wait_mean: float):
    """Patience from a ccsim shape, censored by exponential waits (answered first)."""
    patience = frozen(shape, mean, cv).rvs(n, random_state=RNG)
    answer = RNG.exponential(wait_mean, n)
    wait = np.round(np.minimum(patience, answer), 1)
    return wait, patience <= answer


@pytest.mark.parametrize("shape", ["weibull", "gamma", "lognormal"])
def test_censored_fits_agree_with_scipys_generic_fit(shape: str) -> None:
    wait, abandoned = censored_sample(shape, 200.0, 1.3, 2000, 150.0)
    ours = fit_shape(shape, wait[abandoned], wait[~abandoned], resolution=0.1)
    w = np.maximum(wait, 0.5)
    data = stats.CensoredData(uncensored=w[abandoned], right=w[~abandoned])
    family = {"weibull": stats.weibull_min, "gamma": stats.gamma, "lognormal": stats.lognorm}
    theirs = family[shape].fit(data, floc=0)
    assert ours.params[0] == pytest.approx(theirs[0], rel=2e-3)
    assert ours.params[-1] == pytest.approx(theirs[-1], rel=2e-3)


def test_the_censored_exponential_is_total_time_over_events() -> None:
    wait, abandoned = censored_sample("exponential", 300.0, 1.0, 5000, 100.0)
    fit = fit_shape("exponential", wait[abandoned], wait[~abandoned])
    assert fit.mean == pytest.approx(np.maximum(wait, 0.5).sum() / abandoned.sum())
    assert fit.mean_ci[0] < 300.0 < fit.mean_ci[1]


def test_heavy_censoring_still_recovers_the_mean_within_its_interval() -> None:
    # 95 % of the callers are answered before they would hang up
    wait, abandoned = censored_sample("weibull", 600.0, 1.2, 20000, 40.0)
    assert abandoned.mean() < 0.1
    est = fit_patience(wait, abandoned)
    assert est.shape == "weibull" and est.extrapolated  # longer than any wait seen
    half = (est.mean_ci[1] - est.mean_ci[0]) / 2
    assert abs(est.mean - 600.0) < 2 * half  # about four standard errors
    assert est.cv_ci[0] < 1.2 < est.cv_ci[1]


def test_kaplan_meier_matches_the_survival_of_uncensored_data() -> None:
    x = RNG.exponential(100.0, 3000)
    steps, median = kaplan_meier(x, np.ones(x.size, bool))
    t = np.array([50.0, 100.0, 200.0])
    km = steps["S"].to_numpy()[np.searchsorted(steps["t"].to_numpy(), t, side="right") - 1]
    assert km == pytest.approx([(x > v).mean() for v in t])
    assert median == pytest.approx(np.median(x), rel=0.01)


def test_the_talk_shape_is_chosen_without_the_short_call_spike() -> None:
    bulk = frozen("lognormal", 200.0, 0.9).rvs(8000, random_state=RNG)
    short = RNG.uniform(1, 8, 600)  # 7 % hang-ups on pick-up
    est = fit_duration(np.round(np.r_[bulk, short]), short_cut=10.0)
    assert est.shape == "lognormal"
    x = np.round(np.r_[bulk, short])
    assert est.mean == pytest.approx(x[x > 0].mean())  # the load of every call is kept
    assert est.short_share == pytest.approx(np.mean(x[x > 0] <= 10))


def test_hourly_means_are_used_only_when_the_hours_differ() -> None:
    hours = RNG.integers(8, 18, 6000)
    flat = fit_duration(RNG.exponential(180.0, 6000), hours)
    assert not flat.per_hour or flat.kruskal_p < 0.01
    busy = fit_duration(RNG.exponential(1.0, 6000) * np.where(hours < 12, 120.0, 240.0), hours)
    assert busy.per_hour
    means = busy.distribution([9, 15])["mean"]
    assert means[0] < 150 < means[1]


def test_the_day_factor_cv_of_a_poisson_day_is_near_zero() -> None:
    days = list(pd.date_range("2024-01-01", periods=60))
    est = arrivals.day_factor(RNG.poisson(2000, 60), days)
    assert est["ci95_low"] == 0.0 or est["cv"] < 0.03
    assert est["dispersion"] == pytest.approx(1.0, abs=0.5)


def test_day_types_group_weekdays_by_shape_and_volume() -> None:
    days = list(pd.date_range("2024-01-01", periods=28))  # Monday first
    shape_week = np.r_[np.zeros(8), np.full(10, 50.0), np.zeros(6)]
    shape_sat = np.r_[np.zeros(8), np.full(4, 30.0), np.zeros(12)]
    hourly = np.array([RNG.poisson(shape_sat if d.day_of_week == 5 else
                                   np.zeros(24) if d.day_of_week == 6 else shape_week)
                       for d in days], float)  # fmt: skip
    hourly[[d.day_of_week == 6 for d in days], 10] = 3  # a few Sunday calls
    day_type, table = arrivals.assign_day_types(days, hourly, "auto")
    assert sorted(set(day_type.values())) == ["Mon-Fri", "Sat", "Sun"]
    given, _ = arrivals.assign_day_types(days, hourly, "Mon-Fri,Sat+Sun")
    assert given[days[5]] == given[days[6]] == "Sat+Sun"
    with pytest.raises(ValueError, match="leave out Sat, Sun"):
        arrivals.assign_day_types(days, hourly, "Mon-Fri")
    with pytest.raises(ValueError, match="unknown weekday 'Fry'"):
        arrivals.parse_day_types("Mon-Thu,Fry")


def _answered(rows):
    """A tiny log of answered calls: (agent, answer, talk end) clock times on one day."""
    day = pd.Timestamp("2024-03-04")
    return pd.DataFrame({
        "agent": [r[0] for r in rows], "outcome": "answered",
        "answered_at": [day + pd.Timedelta(r[1]) for r in rows],
        "talk_end": [day + pd.Timedelta(r[2]) for r in rows],
        "talk": [(pd.Timedelta(r[2]) - pd.Timedelta(r[1])).total_seconds() for r in rows],
        "day": day, "waited": False, "asked": pd.NaT, "wait": np.nan, "type": "a",
    })  # fmt: skip


def test_work_sessions_and_agents_per_interval_follow_the_timeline() -> None:
    calls = _answered([("ann", "9h", "9h10min"), ("ann", "9h20min", "9h30min"),
                       ("ann", "10h15min", "10h30min"), ("bob", "9h", "9h45min")])  # fmt: skip
    ses = agents.sessions(calls, gap=1200.0)
    assert list(zip(ses["agent"], ses["calls"], strict=True)) == [
        ("ann", 2),
        ("ann", 1),
        ("bob", 1),
    ]
    present, talking = agents.staffing(calls, [pd.Timestamp("2024-03-04")], 1800.0)
    # 09:00-09:30: ann's session and bob: 2 agents; 09:30-10:00: bob for 15 min
    assert present[0, 18:21].tolist() == [2.0, 0.5, 0.5]
    assert talking[0, 18] == pytest.approx((20 + 30) / 30)


def test_post_call_gaps_are_measured_only_while_callers_wait() -> None:
    calls = _answered([("ann", "9h", "9h05min"), ("ann", "9h06min", "9h10min"),
                       ("ann", "9h30min", "9h35min")])  # fmt: skip
    day = pd.Timestamp("2024-03-04")
    waiting = pd.DataFrame({"agent": None, "outcome": "abandoned", "answered_at": pd.NaT,
                            "talk_end": pd.NaT, "talk": np.nan, "day": day, "waited": True,
                            "asked": [day + pd.Timedelta("9h04min")], "wait": [90.0],
                            "type": "a"})  # fmt: skip
    gaps = agents.post_call_gaps(pd.concat([calls, waiting], ignore_index=True))
    assert gaps["gap"].tolist() == [60.0]  # the 9:05 end had a caller waiting; 9:10 did not


def test_an_outage_burst_and_stall_are_flagged_but_a_normal_day_is_not() -> None:
    n_days, slots = 10, 48
    arrivals_ = np.full((n_days, slots), 0.0)
    arrivals_[:, 16:46] = 40
    ivr = np.full((n_days, slots), 1.0)
    answered = np.where(arrivals_ > 0, 35.0, 0.0)
    ivr[3, 26], answered[3, 26] = 60, 0  # day 3, 13:00: callers hang up, nobody answers
    flags = anomalies.flag_intervals(list(pd.date_range("2024-01-01", periods=n_days)),
                                     ["all"] * n_days, arrivals_, ivr, arrivals_, answered,
                                     1800.0)  # fmt: skip
    hit = flags[flags["anomalous"]]
    assert list(zip(hit["day"].dt.day, hit["slot"], strict=True)) == [(4, 26)]
    assert bool(hit["burst"].iloc[0]) and bool(hit["stall"].iloc[0])
    ep = anomalies.episodes(flags, 1800.0)
    assert ep[["start", "end"]].values.tolist() == [["13:00", "13:30"]]


def test_a_replay_staffs_fractional_agents_exactly() -> None:
    import ccsim

    scenario = scenario_from_dict(yaml.safe_load(GOOD))
    agents_ = np.zeros((2, 48))
    agents_[0, 18:22] = [2.5, 3.25, 1.0, 0.4]
    agents_[1, 20:24] = 1.75
    volumes = np.zeros((2, 48, 1))
    volumes[0, 18:22, 0] = 5
    inputs = DayInputs(list(pd.date_range("2024-01-01", periods=2)), 1800.0, ["support"],
                       volumes, agents_)  # fmt: skip
    for availability in (1.0, 0.8):
        sc, day_of, slot_of = build(scenario, inputs, availability=availability)
        result = ccsim.simulate(sc, replications=2)
        staffed = result.group_acc[0, 0, :, 1].sum()  # agent-seconds on the phones
        closing = [k for k in range(len(slot_of)) if slot_of[k] < 0]
        expected = availability * (agents_.sum() + agents_[0, 21] + agents_[1, 23]) * 1800.0
        assert len(closing) == 2 and staffed == pytest.approx(expected)


def test_the_scenario_file_writer_gives_valid_yaml_with_its_settings(tmp_path) -> None:
    data = {"name": "x y", "horizon": {"start": "08:00", "intervals": 2, "interval": "30min"},
            "contact_types": [{"name": "a", "arrivals": {"rate_per_hour": list(range(2))},
                               "handle_time": {"dist": "lognormal", "mean": 180.0, "cv": 1.1}}],
            "agent_groups": [{"name": "g", "skills": ["a"], "staffing": [1, 2]}]}  # fmt: skip
    text = to_yaml(data, {("contact_types", "a", "handle_time"): "n=10"},
                   {("contact_types", "a", "arrivals"): "two lines\nof comment"}, ["head"],
                   {"capacity": {"kind": "acw", "value": 4.5}})  # fmt: skip
    path = tmp_path / "s.yaml"
    path.write_text(text)
    import ccsim

    assert ccsim.load_scenario(path).contact_types[0].handle_time.cv == 1.1
    assert "# n=10" in text and "    # of comment" in text
    assert read_settings(path)["capacity"]["value"] == 4.5
    assert math.isclose(frozen("gamma", 10.0, 0.5).std(), 5.0)
