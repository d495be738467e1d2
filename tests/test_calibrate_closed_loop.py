"""The closed loop: a known scenario in, its parameters back out, its days predicted.

A known centre (two types, an IVR with hang-ups, lognormal and gamma handle times,
Weibull patience and a heavily censored exponential one, a day factor) is simulated
for 40 days with contact records; the records are read back as a call log (replication
r = day r) with the staffing as an interval report; the first 30 days are calibrated
and the last 10 backtested.

Tolerances: every true value must lie within twice the half-width of its 95 %
interval (about four standard errors, the project's rule for statistical tests), and
most of them inside the 95 % interval itself. The backtest's prediction intervals must
cover at least their nominal level less four binomial standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import ccsim
from ccsim.data import backtest, calibrate
from ccsim.data.intervals import IntervalReport
from ccsim.data.records import records_to_log

K = 20
SALES = [40, 60, 80, 90, 90, 85, 80, 70, 70, 75, 80, 85, 80, 70, 60, 55, 50, 45, 40, 30]
SERVICE = [20, 30, 40, 45, 45, 40, 40, 35, 35, 40, 45, 45, 40, 35, 30, 30, 25, 20, 20, 15]
STAFF = [6, 8, 10, 11, 11, 11, 10, 10, 9, 10, 11, 11, 10, 9, 8, 8, 7, 6, 6, 5]
TRUTH = {
    ("sales", "handle_time"): ("lognormal", 240.0, 0.8),
    ("service", "handle_time"): ("gamma", 360.0, 1.1),
    ("sales", "patience"): ("weibull", 180.0, 1.2),
    ("service", "patience"): ("exponential", 1200.0, 1.0),  # about 95 % censored
}
CENTRE = {
    "name": "closed-loop",
    "horizon": {"start": "08:00", "intervals": K, "interval": "30min"},
    "ivr": {"time": {"dist": "lognormal", "mean": 15, "cv": 0.5},
            "abandon": {"sales": 0.05, "service": 0.03}},
    "contact_types": [
        {"name": name, "arrivals": {"rate_per_hour": rates, "day_factor_cv": cv},
         **{key: {"dist": TRUTH[(name, key)][0], "mean": TRUTH[(name, key)][1],
                  **({"cv": TRUTH[(name, key)][2]} if TRUTH[(name, key)][0] != "exponential"
                     else {})}
            for key in ("handle_time", "patience")}}
        for name, rates, cv in (("sales", SALES, 0.1), ("service", SERVICE, 0.0))
    ],
    "agent_groups": [{"name": "team", "skills": ["sales", "service"], "staffing": STAFF}],
}  # fmt: skip


def staffing_report(days: list[pd.Timestamp]) -> IntervalReport:
    rows = [{"start": d + pd.Timedelta("8h") + k * pd.Timedelta("30min"), "agents": STAFF[k]}
            for d in days for k in range(K)]  # fmt: skip
    return IntervalReport(pd.DataFrame(rows), 1800.0, "staffing")


@pytest.fixture(scope="module")
def loop():
    scenario = ccsim.scenario.loader.scenario_from_dict(CENTRE)
    result = ccsim.simulate(scenario, replications=40, seed=5, records=True)
    log = records_to_log(result.records, start="08:00", first_day="2000-01-03")
    report = staffing_report(log.days)
    cal = calibrate(log, intervals=report, days=log.days[:30], day_types="all", capacity="none")
    return log, report, cal


def within(truth: float, value: float, ci: tuple[float, float]) -> tuple[bool, bool]:
    """(inside the 95 % interval, within twice its half-width)."""
    half = max(value - ci[0], ci[1] - value)
    return ci[0] <= truth <= ci[1], abs(truth - value) <= 2 * half


def test_the_calibrated_scenario_loads_and_runs(loop, tmp_path) -> None:
    _, _, cal = loop
    path = cal.write(tmp_path / "calibrated.yaml")
    again = ccsim.load_scenario(path)
    assert again.type_names == ["sales", "service"]
    assert again.agent_groups[0].staffing == STAFF
    assert ccsim.simulate(again, replications=3).summary.loc["offered", "mean"] > 0


def test_handle_time_and_patience_are_recovered_within_their_intervals(loop) -> None:
    _, _, cal = loop
    inside = []
    for (name, key), (shape, mean, cv) in TRUTH.items():
        est = (cal.fits.handle if key == "handle_time" else cal.fits.patience)[name]
        assert est.shape == shape, (name, key, est.shape)
        for truth, value, ci in ((mean, est.mean, est.mean_ci), (cv, est.cv, est.cv_ci)):
            if shape == "exponential" and truth == cv:
                continue
            strict, loose = within(truth, value, ci)
            assert loose, (name, key, truth, value, ci)
            inside.append(strict)
    assert np.mean(inside) >= 0.7
    censored = cal.fits.patience["service"]
    assert 1 - censored.abandoned / censored.queued > 0.9  # the heavy censoring is there


def test_arrival_rates_ivr_and_day_factor_are_recovered(loop) -> None:
    _, _, cal = loop
    prof = cal.diagnostics["arrival_profile"]
    covered = []
    for name, truth in (("sales", SALES), ("service", SERVICE)):
        r = prof[prof["type"] == name].sort_values("slot")
        assert len(r) == K and r["clock"].iloc[0] == "08:00"
        covered += list((r["ci95_low"] <= truth) & (np.array(truth) <= r["ci95_high"]))
    n = len(covered)
    assert np.mean(covered) >= 0.95 - 4 * math.sqrt(0.95 * 0.05 / n)
    shares = cal.fits.ivr_shares.set_index("type")
    for name, truth in (("sales", 0.05), ("service", 0.03)):
        assert within(truth, shares.loc[name, "abandon"], shares.loc[name, "abandon_ci"])[1]
    assert within(15.0, cal.fits.ivr_time.mean, cal.fits.ivr_time.mean_ci)[1]
    factor = cal.fits.day_types["all days"].day_factor
    assert factor["sales"]["ci95_low"] <= 0.1 <= factor["sales"]["ci95_high"]
    assert factor["service"]["ci95_low"] == 0.0


def test_the_backtest_covers_held_out_days_at_the_nominal_level(loop) -> None:
    log, report, cal = loop
    for condition in ("interval", "day"):
        bt = backtest(cal, log, intervals=report, condition=condition, replications=60)
        assert bt.settings["days"] == [d.strftime("%Y-%m-%d") for d in log.days[30:]]
        hours = bt.table("hour")
        for kpi in ("service_level", "abandon_rate", "asa_s"):
            n, cover = hours.loc[kpi, "n"], hours.loc[kpi, "coverage"]
            assert cover >= 0.9 - 4 * math.sqrt(0.09 / n), (condition, kpi, cover)


def test_day_level_replays_are_unbiased_in_the_closed_loop(loop) -> None:
    log, report, cal = loop
    bt = backtest(cal, log, intervals=report, condition="day", aht="model", replications=60)
    for kpi in ("service_level", "abandon_rate", "asa_s"):
        rows = bt.daily[bt.daily["kpi"] == kpi]
        err = rows["predicted"] - rows["observed"]
        assert abs(err.mean()) <= 4 * err.std(ddof=1) / math.sqrt(len(err)), kpi
