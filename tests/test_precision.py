"""Runs to a stated precision, and the control variate that gets there sooner.

A run to a precision adds replications until each requested 95 % half-width is reached
(or the cap), and is exactly a longer run: its replications are the first ones of any
run with the same seed. The control variate (the day's first contacts, whose mean the
forecast gives) is unbiased and narrows the interval of KPIs that move with the volume.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import ccsim
from ccsim.cli.app import app
from ccsim.results.control import controlled, expected_first_contacts, first_contacts
from ccsim.results.precision import next_replications, parse_precision
from tests.helpers import SCENARIOS

HELPDESK = SCENARIOS / "small-helpdesk.yaml"
MULTISKILL = SCENARIOS / "multiskill-day.yaml"
pytestmark = pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")


def test_a_run_to_a_precision_reaches_it_and_is_a_longer_run() -> None:
    run = ccsim.simulate(HELPDESK, replications=20, seed=3, precision={"service_level": 0.005})
    goal = run.precision
    assert goal.met and run.replications > 20
    low, high = run.ci("service_level")[1:]
    assert (high - low) / 2 <= 0.005
    same = ccsim.simulate(HELPDESK, replications=run.replications, seed=3)
    assert run.kpi("service_level") == pytest.approx(same.kpi("service_level"), rel=1e-12)
    np.testing.assert_array_equal(run.stats.day_type, same.stats.day_type)


def test_a_precision_out_of_reach_stops_at_the_cap_and_says_so() -> None:
    with pytest.warns(ccsim.CapacityWarning, match="precision not reached after 60"):
        run = ccsim.simulate(HELPDESK, replications=20, seed=3,
                             precision={"support.asa_s": 0.001}, max_replications=60)  # fmt: skip
    assert run.replications == 60 and not run.precision.met
    data = json.loads(run.to_json())["precision"]
    assert data["kpis"]["support.asa_s"]["met"] is False and data["replications"] == 60


def test_precision_targets_are_checked_before_anything_runs() -> None:
    assert parse_precision(["service_level=0.005"]) == {"service_level": 0.005}
    for bad, message in [
        (["service_level"], "write KPI=HALF_WIDTH"),
        (["service_level=-1"], "must be positive"),
        (["service_level=x"], "is not a number"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_precision(bad)
    for spec, message in [({"servce_level": 0.01}, "did you mean 'service_level'"),
                          ({"salse.asa_s": 1}, "no contact type 'salse'")]:  # fmt: skip
        with pytest.raises(ValueError, match=message):
            ccsim.simulate(HELPDESK, replications=2, precision=spec)


def test_the_next_step_estimates_from_the_half_width_and_at_most_quadruples() -> None:
    assert next_replications(100, {"k": 0.02}, {"k": 0.01}, 10_000) == 400  # 4x: the cap
    assert next_replications(100, {"k": 0.012}, {"k": 0.01}, 10_000) == 159  # 1.1 x 1.44
    assert next_replications(100, {"k": 0.02}, {"k": 0.01}, 250) == 250


def test_compare_runs_to_a_precision_of_the_differences() -> None:
    options = SCENARIOS.parent / "experiments" / "ivr-upgrade.options.yaml"
    comparison = ccsim.compare(options, replications=10, precision={"service_level": 0.004})
    assert comparison.precision.met
    widest = max(comparison.difference(o, "service_level").half_width for o in comparison.options)
    assert widest <= 0.004
    assert json.loads(comparison.to_json())["precision"]["met"] is True


def test_the_control_variate_is_unbiased_and_narrower() -> None:
    result = ccsim.simulate(MULTISKILL, replications=200, seed=5)
    contacts = first_contacts(result.stats.day_type)
    expected = expected_first_contacts(result.plan)
    se = contacts.std(axis=0, ddof=1) / np.sqrt(len(contacts))
    assert (np.abs(contacts.mean(axis=0) - expected) <= 4 * se).all()  # the control's mean
    plain = result.ci("service_level")
    est = result.controlled("service_level")
    assert abs(est.mean - plain[0]) <= 4 * (plain[2] - plain[1]) / 3.92
    assert (est.high - est.low) < 0.6 * (plain[2] - plain[1])  # rho about -0.9 here
    assert est.replications_saved > 2.5


def test_the_controlled_interval_covers_on_synthetic_data() -> None:
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(1000):
        c = rng.poisson(200, 40).astype(float)
        y = 0.8 - 0.002 * (c - 200) + rng.normal(0, 0.01, 40)
        est = controlled(y, c, 200.0)
        hits += est.low <= 0.8 <= est.high
    assert abs(hits / 1000 - 0.95) < 4 * np.sqrt(0.95 * 0.05 / 1000)


def test_the_command_runs_to_a_precision_with_the_control_variate() -> None:
    args = ["run", str(MULTISKILL), "-r", "20", "--precision", "service_level=0.004",
            "--variance-reduction", "control", "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["precision"]["met"] and "service_level" in data["controlled"]
