"""Options files: changes to a base scenario, applied as written, and their errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from ccsim.scenario.loader import scenario_from_dict
from ccsim.scenario.model import ScenarioError
from ccsim.whatif.options import (
    Option,
    OptionCosts,
    OptionsError,
    OptionsFile,
    added_agents,
    apply_changes,
    base_scenario,
    load_options,
    option_scenarios,
)
from tests.helpers import ROOT

# Four half hours from 08:00: two queues behind an IVR, three groups (one on a shift).
TINY = {
    "name": "tiny",
    "horizon": {"start": "08:00", "intervals": 4, "interval": "30min"},
    "lines": 40,
    "ivr": {
        "time": {"dist": "fixed", "mean": "30s"},
        "deflection": {"billing": 0.1},
        "abandon": 0.02,
    },
    "contact_types": [
        {
            "name": "billing",
            "arrivals": {"rate_per_hour": [60, 80, 100, 80]},
            "handle_time": {"dist": "exponential", "mean": "4min"},
            "patience": {"dist": "exponential", "mean": "3min"},
        },
        {
            "name": "tech",
            "arrivals": {"rate_per_hour": 40},
            "handle_time": {
                "dist": "lognormal",
                "mean": ["5min", "5min", "6min", "6min"],
                "cv": 0.8,
            },
        },
    ],
    "agent_groups": [
        {"name": "team", "skills": ["billing"], "staffing": [4, 6, 7, 5]},
        {"name": "tech_desk", "skills": ["tech", "billing"], "staffing": 3},
        {
            "name": "late",
            "skills": ["billing"],
            "shifts": [{"start": "08:30", "end": "10:00", "agents": 2}],
        },
    ],
}


@pytest.fixture(scope="module")
def base():
    return scenario_from_dict(TINY)


def group(scenario, name):
    return next(g for g in scenario.agent_groups if g.name == name)


def ctype(scenario, name):
    return next(t for t in scenario.contact_types if t.name == name)


def error_of(base, changes) -> str:
    with pytest.raises(OptionsError) as info:
        apply_changes(base, changes, option="opt")
    return str(info.value)


# ----------------------------------------------------------- each form as written
def test_absolute_values_replace_what_is_there(base) -> None:
    s = apply_changes(
        base,
        {
            "lines": 30,
            "agent_groups.late.shifts": [{"start": "08:00", "end": "09:00", "agents": 5}],
            "contact_types.tech.handle_time": {"dist": "fixed", "mean": "7min"},
        },
    )
    assert s.lines == 30
    assert [(sh.start, sh.end, sh.agents) for sh in group(s, "late").shifts] == [
        ("08:00", "09:00", 5)
    ]
    assert ctype(s, "tech").handle_time.dist == "fixed"
    assert ctype(s, "tech").handle_time.mean == 420.0


def test_a_relative_value_on_a_scalar_stays_a_scalar(base) -> None:
    s = apply_changes(
        base,
        {
            "agent_groups.tech_desk.staffing": "+2",
            "contact_types.tech.arrivals.rate_per_hour": "*1.10",
            "lines": "-5",
        },
    )
    assert group(s, "tech_desk").staffing == 5
    assert ctype(s, "tech").arrivals.rate_per_hour == 44.0
    assert s.lines == 35


def test_a_relative_value_on_a_per_interval_list_changes_every_interval(base) -> None:
    s = apply_changes(
        base,
        {
            "agent_groups.team.staffing": "-1",
            "contact_types.billing.arrivals.rate_per_hour": "*1.5",
        },
    )
    assert group(s, "team").staffing == [3, 5, 6, 4]
    assert ctype(s, "billing").arrivals.rate_per_hour == [90, 120, 150, 120]


def test_agent_counts_are_rounded_to_whole_agents(base) -> None:
    s = apply_changes(base, {"agent_groups.team.staffing": "*1.1"})  # 4.4, 6.6, 7.7, 5.5
    assert group(s, "team").staffing == [4, 7, 8, 6]


def test_a_per_interval_list_mixes_absolute_and_relative_entries(base) -> None:
    s = apply_changes(
        base,
        {
            "agent_groups.team.staffing": [5, "+1", "+0", "-2"],  # base [4, 6, 7, 5]
            "agent_groups.tech_desk.staffing": [3, "+1", "+2", 3],  # base 3 in every interval
        },
    )
    assert group(s, "team").staffing == [5, 7, 7, 3]
    assert group(s, "tech_desk").staffing == [3, 4, 5, 3]


def test_durations_take_units_and_factors(base) -> None:
    s = apply_changes(
        base,
        {
            "contact_types.billing.handle_time.mean": "+30s",  # 4min
            "contact_types.billing.patience.mean": "-1min",  # 3min
            "contact_types.tech.handle_time.mean": "*0.9",  # [5min, 5min, 6min, 6min]
            "ivr.time.mean": "+15",  # a bare number is seconds
            "contact_types.tech.service_level.threshold": "30s",  # absolute, with a unit
        },
    )
    assert ctype(s, "billing").handle_time.mean == 270.0
    assert ctype(s, "billing").patience.mean == 120.0
    assert ctype(s, "tech").handle_time.mean == [270.0, 270.0, 324.0, 324.0]
    assert s.ivr.time.mean == 45.0
    assert ctype(s, "tech").service_level.threshold == 30.0


def test_dict_keys_and_one_number_for_every_type(base) -> None:
    s = apply_changes(
        base,
        {
            "ivr.deflection.tech": 0.2,  # a new key of a mapping by type
            "ivr.deflection.billing": "+0.05",
            "ivr.abandon.tech": 0.05,  # abandon was 0.02 for every type
        },
    )
    assert s.ivr.deflection == {"billing": 0.15, "tech": 0.2}
    assert s.ivr.abandon == {"billing": 0.02, "tech": 0.05}


def test_null_removes_a_key_an_item_or_a_list_entry(base) -> None:
    s = apply_changes(
        base,
        {
            "contact_types.billing.patience": None,
            "lines": None,
            "agent_groups.late": None,
        },
    )
    assert ctype(s, "billing").patience is None
    assert s.lines is None
    assert s.group_names == ["team", "tech_desk"]
    two_shifts = apply_changes(
        base,
        {
            "agent_groups.late.shifts": [
                {"start": "08:00", "end": "09:00", "agents": 1},
                {"start": "09:00", "end": "10:00", "agents": 2},
            ]
        },
    )
    one_shift = apply_changes(two_shifts, {"agent_groups.late.shifts.0": None})
    assert [sh.start for sh in group(one_shift, "late").shifts] == ["09:00"]


def test_a_mapping_at_a_new_name_creates_the_item(base) -> None:
    s = apply_changes(
        base,
        {
            "agent_groups.cross_trained": {"skills": ["tech", "billing"], "staffing": 3},
            "contact_types.tech.groups": ["tech_desk", "cross_trained"],
        },
    )
    assert s.group_names == ["team", "tech_desk", "late", "cross_trained"]
    assert group(s, "cross_trained").skills == ["tech", "billing"]
    assert group(s, "cross_trained").staffing == 3
    assert ctype(s, "tech").groups == ["tech_desk", "cross_trained"]


def test_shifts_and_breaks_are_found_by_position(base) -> None:
    s = apply_changes(base, {"agent_groups.late.shifts.0.agents": "+3"})
    assert group(s, "late").shifts[0].agents == 5


def test_changes_apply_in_order_and_leave_the_base_alone(base) -> None:
    before = base.model_dump()
    s = apply_changes(
        base, {"agent_groups.team.staffing": [2, 2, 2, 2], "agent_groups.team.staffing.1": "+3"}
    )
    assert group(s, "team").staffing == [2, 5, 2, 2]
    assert "agent_groups.team.staffing is 2; it has no '1'" in error_of(
        base, {"agent_groups.team.staffing": 2, "agent_groups.team.staffing.1": "+3"}
    )
    assert base.model_dump() == before


# ------------------------------------------------------------------------- errors
def test_an_unknown_group_is_named_with_a_suggestion(base) -> None:
    assert error_of(base, {"agent_groups.teem.staffing": 3}) == (
        "changes.agent_groups.teem.staffing: unknown agent group 'teem'; did you mean 'team'? "
        "(option 'opt')"
    )


def test_an_unknown_key_is_named_with_a_suggestion(base) -> None:
    message = error_of(base, {"agent_groups.team.staffng": 3})
    assert message.startswith(
        "changes.agent_groups.team.staffng: unknown key 'staffng'; did you mean 'staffing'?"
    )
    assert message.endswith("(option 'opt')")


def test_a_key_the_base_does_not_set_must_be_given_whole(base) -> None:
    assert "contact_types.tech.patience is not set in the base scenario" in error_of(
        base, {"contact_types.tech.patience.mean": "+1min"}
    )


def test_a_relative_value_needs_a_number(base) -> None:
    assert error_of(base, {"agent_groups.team.policy": "+1"}) == (
        "changes.agent_groups.team.policy: a relative value ('+1') needs a number; "
        "this is the text 'longest_waiting' (option 'opt')"
    )
    assert "has a time unit, but this value is not a duration" in error_of(
        base, {"agent_groups.team.staffing": "+30s"}
    )
    assert "a factor is a plain number" in error_of(base, {"lines": "*2min"})


def test_a_per_interval_list_of_the_wrong_length(base) -> None:
    assert error_of(base, {"agent_groups.team.staffing": [5, "+1"]}) == (
        "changes.agent_groups.team.staffing: has 2 values; expected 4 (one per interval) "
        "(option 'opt')"
    )
    # an absolute list is checked by the scenario, and reported at the change
    assert error_of(base, {"agent_groups.team.staffing": [5, 6, 7]}) == (
        "changes.agent_groups.team.staffing: staffing has 3 values; expected 4 "
        "(one per interval) or one (option 'opt')"
    )


def test_a_scenario_that_does_not_validate_names_the_option_and_the_problem(base) -> None:
    assert error_of(base, {"agent_groups.late.staffing": 3}) == (
        "changes.agent_groups.late.staffing: agent_groups.late: give either staffing "
        "(per interval) or shifts, not both (option 'opt')"
    )
    assert error_of(base, {"agent_groups.new": {"skills": ["biling"], "staffing": 1}}) == (
        "changes.agent_groups.new.skills[0]: unknown contact type 'biling'; "
        "did you mean 'billing'? (option 'opt')"
    )
    assert error_of(base, {"agent_groups.tech_desk": None}) == (
        "changes: after the changes, contact_types.tech.name: no agent group has the skill "
        "'tech' (option 'opt')"
    )


def test_every_bad_change_is_reported_at_once(base) -> None:
    message = error_of(base, {"agent_groups.teem.staffing": 3, "lines": "+x"})
    assert len(message.splitlines()) == 2
    assert isinstance(OptionsError([]), ScenarioError)  # the CLI's error handling catches it


# ------------------------------------------------------------------ options files
def write_files(tmp_path: Path, options: str) -> Path:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "tiny.yaml").write_text(yaml.safe_dump(TINY, sort_keys=False))
    (tmp_path / "experiments").mkdir()
    path = tmp_path / "experiments" / "tiny.options.yaml"
    path.write_text(textwrap.dedent(options).lstrip())
    return path


def test_an_options_file_loads_relative_to_itself(tmp_path) -> None:
    path = write_files(
        tmp_path,
        """
        base: ../scenarios/tiny.yaml
        options:
          - name: more-staff
            description: one more agent in every half hour
            changes:
              agent_groups.team.staffing: +1      # unquoted: still relative
              agent_groups.tech_desk.staffing: [3, +1, -1, 3]
            costs: {per_new_agent: 3000, monthly: 500}
    """,
    )
    file = load_options(path)
    assert file.base_path == tmp_path / "scenarios" / "tiny.yaml"
    assert file.options[0].costs == OptionCosts(per_new_agent=3000, monthly=500)
    scenarios = option_scenarios(file)
    assert list(scenarios) == ["base", "more-staff"]
    assert scenarios["base"] == base_scenario(file)
    assert group(scenarios["more-staff"], "team").staffing == [5, 7, 8, 6]
    assert group(scenarios["more-staff"], "tech_desk").staffing == [3, 4, 2, 3]


def test_file_errors_name_the_file_line_option_and_path(tmp_path) -> None:
    path = write_files(
        tmp_path,
        """
        base: ../scenarios/tiny.yaml
        options:
          - name: good
            changes:
              lines: 50
          - name: typo
            changes:
              lines: 45
              agent_groups.teem.staffing: 3
              agent_groups.team.staffing: [4, "+1", "*x", 5]
    """,
    )
    with pytest.raises(OptionsError) as info:
        load_options(path)
    assert str(info.value).splitlines() == [
        f"{path}:9: options[1].changes.agent_groups.teem.staffing: unknown agent group 'teem'; "
        "did you mean 'team'? (option 'typo')",
        f"{path}:10: options[1].changes.agent_groups.team.staffing[2]: a factor is a plain "
        "number, as in '*1.10' (got '*x') (option 'typo')",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "options:\n  - name: a\n    cost: {one_off: 1}\n",
            ":4: options[0].cost: unknown key 'cost'; did you mean 'costs'?",
        ),
        (
            "options:\n  - name: a\n    costs: {one_off: -1}\n",
            ":4: options[0].costs.one_off: Input should be greater than or equal to 0",
        ),
        ("options:\n  - name: a\n  - name: a\n", ":4: options[1].name: duplicate option name 'a'"),
        ("options:\n  - name: base\n", ":3: options[0].name: 'base' names the base scenario"),
        (
            "options:\n  - name: a\n    changes: {lines: *0.9}\n",
            ":4: (top level): not valid YAML: expected alphabetic or numeric character, but found '.' "
            '(while scanning an alias); quote a relative factor: "*0.9"',
        ),
    ],
)
def test_options_file_structure_errors(tmp_path, text, expected) -> None:
    path = write_files(tmp_path, "base: ../scenarios/tiny.yaml\n" + text)
    with pytest.raises(OptionsError) as info:
        load_options(path)
    assert f"{path}{expected}" in str(info.value)


def test_a_missing_base_is_reported_at_base(tmp_path) -> None:
    path = write_files(tmp_path, "base: nowhere.yaml\noptions: [{name: a}]\n")
    with pytest.raises(OptionsError, match=r":1: base: no such scenario file: .*nowhere.yaml"):
        load_options(path)


def test_models_check_their_fields() -> None:
    with pytest.raises(ValueError):
        OptionCosts(monthly=-1)
    with pytest.raises(ValueError):
        OptionsFile(base="x.yaml", options=[])
    assert Option(name="a").changes == {}
    assert OptionsFile(base="x.yaml", options=[Option(name="a")]).base_path == Path("x.yaml")


# -------------------------------------------------------------------- the example
def test_the_example_options_file_loads_and_every_option_validates() -> None:
    file = load_options(ROOT / "experiments" / "ivr-upgrade.options.yaml")
    scenarios = option_scenarios(file)
    assert list(scenarios) == ["base", "hire-5", "cross-train", "ivr-upgrade", "new-crm"]
    base = scenarios["base"]
    assert base.name == "multiskill-day"

    assert scenarios["ivr-upgrade"].ivr.deflection == {"service": 0.25, "sales": 0.02}
    assert file.options[2].costs == OptionCosts(one_off=40000, monthly=2000)

    crm = scenarios["new-crm"]
    assert ctype(crm, "sales").handle_time.mean == pytest.approx(0.92 * 360)
    assert ctype(crm, "service").handle_time.mean == pytest.approx(
        [0.92 * m for m in ctype(base, "service").handle_time.mean]
    )
    assert file.options[3].costs == OptionCosts(one_off=15000, per_seat_monthly=30)

    assert sum(added_agents(base, scenarios["hire-5"]).values()) == 5
    assert added_agents(base, scenarios["cross-train"])["service_sales"] == 3
    # cost overrides keep inheriting what they do not set (no defaults written in)
    for scenario in scenarios.values():
        assert scenario.costs.group("fraud_desk") == base.costs.group("fraud_desk")


# ------------------------------------------------------------------ added agents
def test_added_agents_by_hand(base) -> None:
    changed = apply_changes(
        base,
        {
            "agent_groups.team.staffing": [4, 6, 9, 5],  # peak 7 -> 9
            "agent_groups.tech_desk.staffing": 2,  # fewer: clipped at 0
            "agent_groups.late.shifts": [  # 08:30-10:00 x2 and 09:00-09:30 x3 overlap: 2 -> 5
                {"start": "08:30", "end": "10:00", "agents": 2},
                {"start": "09:00", "end": "09:30", "agents": 3},
            ],
            "agent_groups.cross": {"skills": ["billing"], "staffing": [1, 1, 2, 2]},  # new: 0 -> 2
        },
    )
    assert added_agents(base, changed) == {"team": 2, "tech_desk": 0, "late": 3, "cross": 2}
    assert added_agents(base, base) == {"team": 0, "tech_desk": 0, "late": 0}


def test_relative_changes_reach_into_routing_entries() -> None:
    """Overflow delays, reservations and per-group handle times take relative values too."""
    from ccsim.scenario.loader import load_scenario

    base = load_scenario(ROOT / "tests" / "corpus" / "routing.yaml")
    s = apply_changes(
        base,
        {
            "contact_types.fraud.groups.1.after": "+30s",  # 30s -> 1min
            "contact_types.premium.groups.1.after": "*0.5",  # 1min -> 30s
            "agent_groups.fraud_desk.reserve.agents": "+1",
            "agent_groups.sales_team.handle_time.premium.multiplier": "*1.5",
        },
    )
    assert s.contact_types[0].groups[1].after == 60.0
    assert s.contact_types[2].groups[1].after == 30.0
    assert s.agent_groups[0].reserve.agents == 2
    assert s.agent_groups[1].handle_time["premium"].multiplier == pytest.approx(1.8)
    with pytest.raises(OptionsError, match="groups.0 is the text 'fraud_desk'; it has no 'after'"):
        apply_changes(base, {"contact_types.fraud.groups.0.after": "+30s"})
