"""Options compared at equal service: staffed to the same targets, costs compared.

At fixed staffing an IVR that self-serves more calls saves nothing (agents are paid by
the roster); staffed to the same target it needs fewer agents, and the saving's interval
comes from independent staffing searches (batches), so the search's noise is in it.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import ccsim
from ccsim.cli.app import app

BASE = """\
name: claims-line
horizon: {start: "08:00", intervals: 4, interval: 30min}
ivr:
  time: {dist: exponential, mean: 40s}
  deflection: {status: 0.20}
contact_types:
  - name: status
    arrivals: {rate_per_hour: [160, 220, 220, 160]}
    handle_time: {dist: lognormal, mean: 4min, cv: 0.8}
    patience: {dist: exponential, mean: 3min}
    service_level: {threshold: 20s, target: 0.8}
agent_groups:
  - name: team
    skills: [status]
    staffing: 16
costs:
  agents: {hourly_wage: 24, overhead: 1.3}
"""
OPTIONS = """\
base: base.yaml
options:
  - name: ivr-35
    description: The IVR self-serves 35 % of status calls instead of 20 %.
    changes: {ivr.deflection.status: 0.35}
    costs: {one_off: 20000, monthly: 300}
"""


@pytest.fixture(scope="module")
def options_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("claims")
    (folder / "base.yaml").write_text(BASE)
    (folder / "options.yaml").write_text(OPTIONS)
    return folder / "options.yaml"


@pytest.fixture(scope="module")
def at_target(options_file):
    return ccsim.compare(options_file, replications=20, seed=3, at_target=True, batches=3)


def test_at_fixed_staffing_the_ivr_saves_nothing_on_agents(options_file) -> None:
    fixed = ccsim.compare(options_file, replications=20, seed=3)
    assert fixed.view == "equal staffing"
    saving = fixed.finance().iloc[0]
    assert abs(saving["saving_per_day"]) < 1.0  # only telephony/IVR minutes could move


def test_at_equal_service_the_ivr_needs_fewer_agents_and_saves(at_target) -> None:
    equal = at_target.equal_service
    assert at_target.view == "equal service" and equal.batches == 3
    assert all(equal.met["base"]) and all(equal.met["ivr-35"])
    assert equal.agent_hours("ivr-35").mean() < equal.agent_hours("base").mean()
    case = at_target.finance().iloc[0]
    low, high = case["saving_ci95"]
    assert 0 < low <= case["saving_per_day"] <= high  # a real saving, CI across batches
    assert case["payback_months"] > 0
    # both runs meet the target, so the service level barely differs
    assert abs(at_target.difference("ivr-35", "service_level").mean) < 0.05


def test_the_json_says_which_view_and_keeps_every_batch(at_target) -> None:
    data = json.loads(at_target.to_json())
    assert data["view"] == "equal service"
    batches = data["at_target"]["scenarios"]["ivr-35"]
    assert len(batches["staffing"]) == len(batches["daily_cost"]) == 3
    assert set(batches["staffing"][0]) == {"team"}


def test_the_command_compares_at_target(options_file) -> None:
    result = CliRunner().invoke(
        app, ["compare", str(options_file), "-r", "10", "--at-target", "--batches", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["view"] == "equal service"


def test_at_target_needs_costs_and_something_to_staff(tmp_path) -> None:
    (tmp_path / "base.yaml").write_text(BASE.split("costs:")[0])
    (tmp_path / "options.yaml").write_text(OPTIONS)
    with pytest.raises(ValueError, match="has no costs: section"):
        ccsim.compare(tmp_path / "options.yaml", replications=5, at_target=True)
