"""Bad scenarios get a clear error naming the file, the line and the key path."""

from __future__ import annotations

import pytest

import ccsim
from ccsim import ScenarioError
from tests.helpers import GOOD, load_text, problems


def test_the_good_scenario_loads(tmp_path) -> None:
    s = load_text(tmp_path, GOOD)
    assert s.contact_types[0].handle_time.mean == 240.0


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # unknown key, with a suggestion
        (
            "rate_per_hour: [10, 20, 30]",
            "rate_per_houre: [10, 20, 30]",
            "centre.yaml:8: contact_types[0].arrivals.rate_per_houre: unknown key 'rate_per_houre'; "
            "did you mean 'rate_per_hour'?",
        ),
        # wrong type
        ("staffing: 2", "staffing: many", "centre.yaml:14: agent_groups[0].staffing:"),
        # negative rate
        (
            "[10, 20, 30]",
            "[10, -20, 30]",
            "centre.yaml:8: contact_types[0].arrivals.rate_per_hour[1]: Input should be greater than or equal to 0",
        ),
        # negative duration
        (
            "mean: 4min",
            "mean: -4min",
            "centre.yaml:9: contact_types[0].handle_time.mean: a duration cannot be negative",
        ),
        # bad unit
        (
            "mean: 4min",
            "mean: 4 parsecs",
            "centre.yaml:9: contact_types[0].handle_time.mean: unknown time unit 'parsecs'",
        ),
        # list of the wrong length
        (
            "[10, 20, 30]",
            "[10, 20]",
            "centre.yaml:8: contact_types[0].arrivals.rate_per_hour: rate_per_hour has 2 values; expected 3",
        ),
        # a skill naming no contact type
        (
            "skills: [support]",
            "skills: [support, suport]",
            "centre.yaml:13: agent_groups[0].skills[1]: unknown contact type 'suport'; did you mean 'support'?",
        ),
        # a type no group can serve
        (
            "skills: [support]\n    staffing: 2",
            "skills: [support]\n    staffing: 2\n  - name: b\n    skills: [support]\n    staffing: 1",
            None,
        ),
        # unknown distribution
        (
            "dist: exponential, mean: 4min",
            "dist: expo, mean: 4min",
            "centre.yaml:9: contact_types[0].handle_time.dist: Input should be 'exponential'",
        ),
    ],
    ids=[
        "unknown-key",
        "wrong-type",
        "negative-rate",
        "negative-duration",
        "bad-unit",
        "list-length",
        "unknown-skill",
        "valid-second-group",
        "unknown-dist",
    ],
)
def test_each_problem_is_named(tmp_path, old: str, new: str, expected: str | None) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new)
    if expected is None:
        load_text(tmp_path, text)  # a valid variation
        return
    message = problems(tmp_path, text)
    assert expected in message, message


def test_probability_outside_unit_interval(tmp_path) -> None:
    text = GOOD + "ivr:\n  time: {dist: fixed, mean: 30s}\n  deflection: {support: 1.5}\n"
    message = problems(tmp_path, text)
    assert (
        "centre.yaml:17: ivr.deflection.support: a share is a number between 0 and 1: "
        "for 1.5 % write 0.015 (got 1.5)" in message
    )
    text = text.replace("1.5}", "150}")
    assert "ivr.deflection.support: Input should be less than or equal to 1" in problems(
        tmp_path, text
    )


def test_a_type_no_group_serves(tmp_path) -> None:
    text = GOOD.replace(
        "agent_groups:",
        "  - name: billing\n    arrivals: {rate_per_hour: 5}\n"
        "    handle_time: {dist: fixed, mean: 1min}\nagent_groups:",
    )
    message = problems(tmp_path, text)
    assert (
        "centre.yaml:11: contact_types[1].name: no agent group has the skill 'billing'" in message
    )


def test_all_problems_are_reported_together(tmp_path) -> None:
    text = GOOD.replace("[10, 20, 30]", "[10, 20]").replace("skills: [support]", "skills: [sales]")
    lines = problems(tmp_path, text).splitlines()
    assert len(lines) == 3, lines  # list length, unknown skill, unserved type


def test_yaml_syntax_error_names_the_line(tmp_path) -> None:
    message = problems(tmp_path, GOOD.replace("interval: 30min", "interval: [30min"))
    assert message.startswith("centre.yaml:") or "/centre.yaml:" in message
    assert "not valid YAML" in message


def test_duplicate_key_is_an_error(tmp_path) -> None:
    message = problems(
        tmp_path, GOOD.replace("    staffing: 2", "    staffing: 2\n    staffing: 3")
    )
    assert "key 'staffing' is written twice" in message


def test_missing_required_key(tmp_path) -> None:
    message = problems(
        tmp_path, GOOD.replace("    handle_time: {dist: exponential, mean: 4min}\n", "")
    )
    assert "contact_types[0].handle_time: required key is missing" in message


def test_staffing_and_shifts_exclusive(tmp_path) -> None:
    text = GOOD.replace(
        "    staffing: 2",
        "    staffing: 2\n    shifts:\n      - {start: '00:00', end: 1h, agents: 2}",
    )
    assert "give either staffing (per interval) or shifts, not both" in problems(tmp_path, text)


def test_shift_and_break_must_fit(tmp_path) -> None:
    text = GOOD.replace(
        "    staffing: 2",
        "    shifts:\n      - start: 1h\n        end: 30min\n        agents: 2\n"
        "      - start: 0s\n        end: 1h\n        agents: 1\n"
        "        breaks: [{start: 50min, duration: 15min}]",
    )
    message = problems(tmp_path, text)
    assert "agent_groups[0].shifts[0].end: a shift must end after it starts" in message
    assert "agent_groups[0].shifts[1].breaks[0]: the break does not fit in the shift" in message


def test_routing_order_must_name_groups_with_the_skill(tmp_path) -> None:
    text = GOOD.replace("    patience:", "    groups: [teem]\n    patience:")
    assert "unknown group 'teem'; did you mean 'team'?" in problems(tmp_path, text)


def test_dict_input_reports_paths_without_lines() -> None:
    with pytest.raises(ScenarioError) as info:
        ccsim.load_scenario({"name": "x", "horizon": {"intervals": 0, "interval": 60}})
    message = str(info.value)
    assert "horizon.intervals: Input should be greater than or equal to 1" in message
    assert "contact_types: required key is missing" in message


def test_nothing_runs_on_a_bad_scenario(tmp_path) -> None:
    path = tmp_path / "centre.yaml"
    path.write_text(GOOD.replace("staffing: 2", "staffing: -1"))
    with pytest.raises(ScenarioError):
        ccsim.simulate(path, replications=1)


def test_t_quantile_matches_scipy() -> None:
    from scipy.special import stdtrit

    from ccsim.results.confidence import t_quantile

    for df in (1, 2, 5, 9, 10, 19, 30, 99, 999, 10**6):
        for p in (0.95, 0.975, 0.995):
            exact = float(stdtrit(df, p))
            assert abs(float(t_quantile(p, df)) - exact) <= 2e-5 * exact, (df, p)


def test_a_group_left_out_of_every_routing_order_is_an_error(tmp_path) -> None:
    text = GOOD.replace("    patience:", "    groups: [team]\n    patience:").replace(
        "    staffing: 2",
        "    staffing: 2\n  - name: idle_team\n    skills: [support]\n    staffing: 1",
    )
    message = problems(tmp_path, text)
    assert "agent_groups[1].skills: group 'idle_team' serves no contact type" in message


def test_an_unquoted_clock_time_is_a_clock_time(tmp_path) -> None:
    text = GOOD.replace("  interval: 30min", "  interval: 30min\n  start: '08:00'").replace(
        "    staffing: 2", "    shifts:\n      - {start: 8:00, end: 9:00, agents: 2}"
    )
    s = load_text(tmp_path, text)
    assert s.agent_groups[0].shifts[0].start == "8:00"  # not 480 (YAML 1.1 base 60)
    from ccsim.plan import compile_plan

    assert compile_plan(s).roster_time.tolist() == [0.0, 3600.0]


def test_an_unquoted_clock_time_is_the_same_time_everywhere(tmp_path) -> None:
    """The reference's promise: 8:00, "8:00" and "08:00" are one time (never 480 s)."""
    from ccsim.plan import compile_plan

    def plan(start: str, shift: str):
        text = GOOD.replace("  interval: 30min", f"  interval: 30min\n  start: {start}").replace(
            "    staffing: 2", f"    shifts:\n      - {{start: {shift}, end: 9:00, agents: 2}}"
        )
        return compile_plan(load_text(tmp_path, text))

    quoted = plan('"08:00"', '"08:30"')
    for start, shift in (("8:00", "8:30"), ("'8:00'", "8:30:00"), ("08:00", "08:30")):
        other = plan(start, shift)
        assert other.roster_time.tolist() == quoted.roster_time.tolist() == [1800.0, 3600.0]
        assert other.scenario.day_start() == 8 * 3600


def test_an_unquoted_sign_in_a_sweep_grid_is_relative(tmp_path) -> None:
    from ccsim.whatif.sweeps import load_sweep

    (tmp_path / "base.yaml").write_text(GOOD)
    grids = []
    for values in ("[+0, +1]", '["+0", "+1"]'):
        path = tmp_path / "s.sweep.yaml"
        path.write_text(f"base: base.yaml\ngrid:\n  agent_groups.team.staffing: {values}\n")
        grids.append(load_sweep(path)[1].grid)
    assert grids[0] == grids[1] == {"agent_groups.team.staffing": ["+0", "+1"]}
