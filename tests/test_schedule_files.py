"""The shift-template file, the ``ccsim schedule`` command and the schedule report.

A planner's shift file is checked like a scenario file: every problem at once, each
with the file, the line and the key path. The command writes what it says (the roster
as CSV, the scenario with the roster that runs as it is, JSON), exits 1 naming the
targets the templates cannot meet, and 2 on a file that is not valid.
"""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml
from typer.testing import CliRunner

import ccsim
from ccsim import ScenarioError
from ccsim.cli.app import app
from ccsim.whatif.scheduling.columns import expand
from ccsim.whatif.scheduling.templates import load_shifts
from tests.helpers import SCENARIOS

SHIFTS = """\
skill_sets:
  - name: service_team
templates:
  - name: full
    length: 8h30min
    starts: {first: "08:00", last: "09:30", every: 30min}
    breaks:
      - {window: [1h30min, 2h30min], duration: 15min}
      - {window: [3h30min, 5h], duration: 30min, paid: false}
"""

SCENARIO = """\
name: small
horizon: {start: "08:00", intervals: 4, interval: 1h}
contact_types:
  - name: calls
    arrivals: {rate_per_hour: [40, 60, 60, 40]}
    handle_time: {dist: exponential, mean: 4min}
    patience: {dist: exponential, mean: 3min}
agent_groups:
  - name: team
    skills: [calls]
    staffing: 4
costs:
  agents: {hourly_wage: 20}
"""

TWO_HOURS = """\
skill_sets:
  - name: team
templates:
  - name: block
    length: 2h
    starts: ["08:00", "10:00"]
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_valid_file_reads_and_expands(tmp_path) -> None:
    spec = load_shifts(write(tmp_path, "s.yaml", SHIFTS))
    scenario = ccsim.load_scenario(SCENARIOS / "multiskill-day.yaml")
    columns = expand(scenario, spec)
    # 4 starts; coffee: 5 starts on a 15-minute grid, 3 distinct in half-hour intervals
    # (09:30 and 09:45 both take a quarter from the 09:30 interval); lunch: all 7 distinct
    assert len(columns.shifts) == 4
    assert [len(c) for _, c in columns.links] == [3, 7] * 4
    assert columns.paid_hours.tolist() == [8.0] * 4  # the unpaid lunch is off the clock


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("length: 8h30min", "length: 2h"), "s.yaml:4: templates[0]: a break of 15min "
         "starting up to 2h30min after the start does not fit in a 2h shift"),
        (("duration: 15min}", "duration: 15min, paied: true}"), "s.yaml:8: "
         "templates[0].breaks[0].paied: unknown key 'paied'; did you mean 'paid'?"),
        (("- name: service_team", "- name: service_team\n    max_agents: -1"), "s.yaml:3: "
         "skill_sets[0].max_agents: Input should be greater than or equal to 0"),
        (("every: 30min}", "every: 30min}\n    skill_sets: [tem]"), "s.yaml:7: "
         "templates[0].skill_sets[0]: unknown skill set 'tem' (known: service_team)"),
        (("window: [1h30min, 2h30min]", "window: [2h30min, 1h30min]"),
         "s.yaml:8: templates[0].breaks[0]: window must be [earliest, latest]"),
    ],
)  # fmt: skip
def test_problems_name_file_line_and_key(tmp_path, edit, expected) -> None:
    path = write(tmp_path, "s.yaml", SHIFTS.replace(*edit))
    with pytest.raises(ScenarioError) as info:
        load_shifts(path)
    assert expected in str(info.value).replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (('last: "09:30"', 'last: "10:00"'), "s.yaml:6: templates[0].starts: a shift "
         "starting at 10:00 ends after the planning day (18:00)"),
        (("window: [3h30min, 5h]", "window: [2h, 5h]"), "s.yaml:9: templates[0].breaks[1]: "
         "break windows overlap"),
        (("- name: service_team", "- name: night"), "s.yaml:2: skill_sets[0].skills: 'night' is not "
         "an agent group of the scenario: give the new group's skills"),
    ],
)  # fmt: skip
def test_problems_against_the_scenario_name_file_line_and_key(tmp_path, edit, expected) -> None:
    spec = load_shifts(write(tmp_path, "s.yaml", SHIFTS.replace(*edit)))
    scenario = ccsim.load_scenario(SCENARIOS / "multiskill-day.yaml")
    with pytest.raises(ScenarioError) as info:
        expand(scenario, spec)
    assert expected in str(info.value).replace(str(tmp_path) + "/", "")


def test_the_command_writes_the_roster_and_a_scenario_that_runs(tmp_path) -> None:
    scenario = write(tmp_path, "c.yaml", SCENARIO)
    shifts = write(tmp_path, "s.yaml", TWO_HOURS)
    out, report = tmp_path / "out", tmp_path / "r" / "schedule.html"
    result = CliRunner().invoke(app, [
        "schedule", str(scenario), "--shifts", str(shifts), "-r", "8", "--max-rounds", "2",
        "--out", str(out), "--report", str(report), "--json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schedule"]["agents"] == sum(r["agents"] for r in data["schedule"]["schedule"])
    files = {"scheduled.yaml", "schedule.csv", "two-step.csv", "coverage.csv", "targets.csv",
             "schedule.json"}  # fmt: skip
    assert files <= {p.name for p in out.iterdir()}
    written = ccsim.load_scenario(out / "scheduled.yaml")
    assert sum(s.agents for s in written.agent_groups[0].shifts) == data["schedule"]["agents"]
    assert (out / "schedule.csv").read_text().splitlines()[0] == (
        "skill_set,template,start,end,agents,breaks,paid_hours,cost_per_agent,cost"
    )
    html = report.read_text()
    for heading in ("Cost and service against the two-step plan", "Coverage", "Schedule"):
        assert f">{heading}</h2>" in html


def test_the_command_names_targets_it_cannot_meet_and_refuses_bad_files(tmp_path) -> None:
    scenario = write(tmp_path, "c.yaml", SCENARIO)
    early = write(tmp_path, "s.yaml", TWO_HOURS.replace('["08:00", "10:00"]', '["08:00"]'))
    result = CliRunner().invoke(app, ["schedule", str(scenario), "--shifts", str(early),
                                      "-r", "4"])  # fmt: skip
    assert result.exit_code == 1
    assert "calls 10:00-11:00" in result.output and "calls 11:00-12:00" in result.output
    bad = write(tmp_path, "b.yaml", TWO_HOURS.replace("length: 2h", "lenght: 2h"))
    result = CliRunner().invoke(app, ["schedule", str(scenario), "--shifts", str(bad)])
    assert result.exit_code == 2
    assert "b.yaml:5: templates[0].lenght: unknown key 'lenght'; did you mean 'length'?" in (
        result.output.replace("\n", "")
    )


def test_the_example_shift_files_fit_their_scenarios() -> None:
    for name in ("ccbaby", "multiskill-day"):
        spec = load_shifts(SCENARIOS / "shifts" / f"{name}.yaml")
        columns = expand(ccsim.load_scenario(SCENARIOS / f"{name}.yaml"), spec)
        assert columns.n > 0
    spec = yaml.safe_load((SCENARIOS / "shifts" / "ccbaby.yaml").read_text())
    assert spec["targets"] == {"service_level": "per_interval", "period": "1h",
                               "measure": "pooled"}  # fmt: skip


def test_ctrl_c_stops_the_command_and_writes_nothing(tmp_path, monkeypatch) -> None:
    import ccsim.whatif.scheduling as scheduling

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scheduling, "schedule", interrupted)
    scenario = write(tmp_path, "c.yaml", SCENARIO)
    shifts = write(tmp_path, "s.yaml", TWO_HOURS)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["schedule", str(scenario), "--shifts", str(shifts),
                                      "--out", str(out)])  # fmt: skip
    assert result.exit_code == 130
    assert "interrupted: the search stopped; nothing was written" in result.output
    assert list(out.iterdir()) == []


def test_the_json_is_strict_json(tmp_path) -> None:
    scenario = write(tmp_path, "c.yaml", SCENARIO)
    shifts = write(tmp_path, "s.yaml", TWO_HOURS)
    result = CliRunner().invoke(app, ["schedule", str(scenario), "--shifts", str(shifts),
                                      "-r", "4", "--max-rounds", "1", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["two_step"]["targets"][0]["search"] is None  # not searched: no value
