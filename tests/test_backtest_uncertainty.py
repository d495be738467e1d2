"""Parameter uncertainty in the backtest: standard errors recorded, parameters drawn.

A tiny known centre (one type, exponential patience, six hourly intervals) is simulated
for 12 days, calibrated on 8 with an availability calibration, and backtested on 4. The
tests check the standard errors the calibration records (and that the scenario file
carries them), the draws (reproducible, spread as the standard errors say), that no
draws is exactly the backtest without them, and that larger standard errors widen the
prediction intervals.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

import ccsim
from ccsim.data import backtest, calibrate
from ccsim.data.intervals import IntervalReport
from ccsim.data.records import records_to_log
from ccsim.data.replay import add_wrap
from ccsim.data.scenario_file import read_settings
from ccsim.data.uncertainty import draw_parameters, drawn, patience_se

STAFF = [4, 5, 6, 6, 5, 4]
CENTRE = {
    "name": "tiny",
    "horizon": {"start": "09:00", "intervals": 6, "interval": "1h"},
    "contact_types": [{
        "name": "support", "arrivals": {"rate_per_hour": [40, 55, 65, 65, 55, 40]},
        "handle_time": {"dist": "lognormal", "mean": "4min", "cv": 0.7},
        "patience": {"dist": "exponential", "mean": "3min"},
    }],
    "agent_groups": [{"name": "team", "skills": ["support"], "staffing": STAFF}],
}  # fmt: skip
UNC = {
    "patience": {"a": {"mean": 100.0, "log_se": 0.1}, "b": {"mean": 50.0, "log_se": 0.3}},
    "capacity": {"kind": "acw", "value": 20.0, "se": 4.0},
}


@pytest.fixture(scope="module")
def loop():
    scenario = ccsim.scenario.loader.scenario_from_dict(CENTRE)
    result = ccsim.simulate(scenario, replications=12, seed=3, records=True)
    log = records_to_log(result.records, start="09:00", first_day="2000-01-03")
    rows = [{"start": d + pd.Timedelta(hours=9 + k), "agents": STAFF[k]}
            for d in log.days for k in range(6)]  # fmt: skip
    report = IntervalReport(pd.DataFrame(rows), 3600.0, "staffing")
    cal = calibrate(
        log, intervals=report, days=log.days[:8], interval="1h", day_types="all",
        capacity="availability", replications=10,
    )  # fmt: skip
    return log, report, cal


def _bt(cal, log, report, **kw):
    return backtest(cal, log, intervals=report, replications=kw.pop("replications", 40), **kw)


def _width(bt, kpi: str) -> float:
    d = bt.hourly[bt.hourly["kpi"] == kpi]
    return float((d["pi_high"] - d["pi_low"]).mean())


def test_draws_are_reproducible_and_spread_as_the_standard_errors_say() -> None:
    a, b = draw_parameters(UNC, 400, seed=7), draw_parameters(UNC, 400, seed=7)
    assert a == b and draw_parameters(UNC, 400, seed=8) != a
    for t, p in UNC["patience"].items():
        logs = np.log([s["patience"][t] for s in a])
        assert abs(logs.mean()) < 0.1 * p["log_se"]
        assert logs.std() == pytest.approx(p["log_se"], rel=0.05)
    cap = np.array([s["capacity"] for s in a])
    assert cap.mean() == pytest.approx(20.0, abs=0.2) and cap.std() == pytest.approx(4.0, rel=0.05)
    # ten stratified draws already spread about as the SE says
    ten = np.log([s["patience"]["b"] for s in draw_parameters(UNC, 10, seed=1)])
    assert ten.std() == pytest.approx(0.3, rel=0.25)
    assert draw_parameters(UNC, 0, seed=1) == []
    floor = {"capacity": {"kind": "acw", "value": 1.0, "se": 5.0}}
    assert min(s["capacity"] for s in draw_parameters(floor, 50, seed=1)) == 0.0


def test_drawn_names_the_parameters_with_a_standard_error() -> None:
    assert drawn(UNC) == {
        "patience.a.log_mean": 0.1,
        "patience.b.log_mean": 0.3,
        "capacity.acw": 4.0,
    }
    assert drawn(None) == {} and drawn({"capacity": {"kind": "none", "se": 0.0}}) == {}


def test_patience_se_comes_from_the_fits_interval() -> None:
    est = type("P", (), {"mean_ci": (math.exp(1.0), math.exp(1.0 + 2 * 1.96 * 0.2))})()
    est.shape, est.mean, est.abandoned = "exponential", 5.0, 30
    out = patience_se({"x": est, "y": None})
    assert list(out) == ["x"] and out["x"]["log_se"] == pytest.approx(0.2, rel=1e-3)


def test_a_negative_extra_wrap_shortens_never_below_zero() -> None:
    assert add_wrap({"dist": "fixed", "mean": 30.0}, -10.0) == {"dist": "fixed", "mean": 20.0}
    assert add_wrap({"dist": "fixed", "mean": 30.0}, -40.0) is None
    assert add_wrap(None, -5.0) is None
    g = add_wrap({"dist": "gamma", "mean": 40.0, "cv": 0.5}, -20.0)
    assert g == {"dist": "gamma", "mean": 20.0, "cv": 1.0}  # the sd (20 s) kept


def test_the_calibration_records_standard_errors_and_the_file_carries_them(loop, tmp_path):
    _, _, cal = loop
    unc = cal.uncertainty
    p = unc["patience"]["support"]
    assert 0 < p["log_se"] < 0.3 and p["abandoned"] > 30
    cap = unc["capacity"]
    assert cap["kind"] == "availability" and 0 < cap["se"] < 0.2
    assert read_settings(cal.write(tmp_path / "c.yaml"))["uncertainty"] == unc
    row = cal.estimates.set_index("parameter").loc["capacity.availability"]
    assert row["ci95_low"] < row["value"] < row["ci95_high"]


def test_no_draws_is_the_backtest_without_uncertainty(loop) -> None:
    log, report, cal = loop
    plain = dataclasses.replace(
        cal, settings={k: v for k, v in cal.settings.items() if k != "uncertainty"}
    )
    a = _bt(cal, log, report, parameter_draws=0)
    b = _bt(plain, log, report)  # nothing to draw: the default is no draws
    pd.testing.assert_frame_equal(a.daily, b.daily)
    pd.testing.assert_frame_equal(a.hourly, b.hourly)
    assert a.settings["parameter_draws"] == 0 and a.settings["drawn"] == {}
    with pytest.raises(ValueError, match="no standard errors"):
        _bt(plain, log, report, parameter_draws=5)
    with pytest.raises(ValueError, match="at most the replications"):
        _bt(cal, log, report, parameter_draws=50)


def test_draws_are_the_default_reproducible_and_reported(loop) -> None:
    log, report, cal = loop
    a, b = _bt(cal, log, report), _bt(cal, log, report)
    pd.testing.assert_frame_equal(a.hourly, b.hourly)
    s = a.settings
    assert s["parameter_draws"] == 10 and set(s["drawn"]) == {
        "patience.support.log_mean",
        "capacity.availability",
    }
    assert sum(d["replications"] for d in s["draws"]) == 40 and len(s["draws"]) == 10
    assert len({d["capacity"] for d in s["draws"]}) == 10
    c = _bt(cal, log, report, seed=99)
    assert not a.hourly["predicted"].equals(c.hourly["predicted"])


def test_the_backtest_report_says_the_intervals_hold_the_draws(loop, tmp_path) -> None:
    from ccsim.report.calibration import backtest_report

    log, report, cal = loop
    page = backtest_report(_bt(cal, log, report), tmp_path / "bt.html").read_text()
    assert "split over 10 draws of the estimates" in page
    assert "capacity.availability" in page
    page = backtest_report(_bt(cal, log, report, parameter_draws=0), tmp_path / "b0.html")
    assert "draws of the estimates" not in page.read_text()


def test_larger_standard_errors_widen_the_prediction_intervals(loop) -> None:
    log, report, cal = loop
    unc = cal.uncertainty
    wide = {
        "patience": {t: {**p, "log_se": 0.7} for t, p in unc["patience"].items()},
        "capacity": {**unc["capacity"], "se": 0.2},
    }
    inflated = dataclasses.replace(cal, settings={**cal.settings, "uncertainty": wide})
    none = _bt(cal, log, report, parameter_draws=0, replications=60)
    big = _bt(inflated, log, report, parameter_draws=10, replications=60)
    for kpi in ("service_level", "abandon_rate", "asa_s"):
        assert _width(big, kpi) > 1.2 * _width(none, kpi), kpi
