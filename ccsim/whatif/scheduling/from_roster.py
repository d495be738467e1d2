"""The shift templates a group already works: what ``ccsim staff`` may re-roster.

``ccsim staff`` finds the fewest agents that meet the targets. For a group staffed per
interval that is a number per interval; for a group on shifts it is a number per shift:
the group keeps the shapes it works (each shift's length and its break rules, at the
start times it uses) and the scheduler (:func:`ccsim.whatif.scheduling.schedule`) decides
how many agents start at each of them and where their window breaks fall. This module
turns a group's shifts into that shift-template file.
"""

from __future__ import annotations

from typing import Any

from ccsim.scenario.model import AgentGroup, Scenario
from ccsim.scenario.units import parse_clock

__all__ = ["templates_of"]


def templates_of(
    scenario: Scenario, groups: list[str], max_abandon: float | None = None
) -> dict[str, Any]:
    """A shift-template file (as a mapping) of the shifts ``groups`` work now.

    One template per group and shift shape (length and breaks), with the start times the
    group's shifts of that shape use; the groups are the skill sets (their wages come from
    the scenario's cost model). Targets: the service level in every interval of every
    real-time type the groups serve, and ``max_abandon`` if given.

    Raises
    ------
    ValueError
        If a group named is not on shifts.
    """
    day_start = scenario.day_start()
    templates: dict[tuple[Any, ...], dict[str, Any]] = {}
    for name in groups:
        group = _group(scenario, name)
        for shift in group.shifts or []:
            start = parse_clock(shift.start, day_start)
            length = parse_clock(shift.end, day_start) - start
            breaks = tuple(
                (b.start, tuple(b.window) if b.window else None, b.duration) for b in shift.breaks
            )
            key = (name, length, breaks)
            template = templates.setdefault(
                key,
                {
                    "name": f"{name} {len([k for k in templates if k[0] == name]) + 1}",
                    "length": length,
                    "starts": [],
                    "breaks": [_break(*b) for b in breaks],
                    "skill_sets": [name],
                },
            )
            if start not in template["starts"]:
                template["starts"].append(start)
    served = sorted(
        {t for name in groups for t in _group(scenario, name).skills}
        & {t.name for t in scenario.contact_types if t.channel != "email"}
    )
    # only the types the groups serve: the others are their own groups' business
    targets: dict[str, Any] = {"service_level": "per_interval", "types": served}
    if max_abandon is not None:
        targets["max_abandon"] = max_abandon
    for template in templates.values():
        template["starts"] = [_clock(day_start + s) for s in sorted(template["starts"])]
    return {
        "skill_sets": [{"name": name} for name in groups],
        "templates": list(templates.values()),
        "targets": targets,
    }


def _group(scenario: Scenario, name: str) -> AgentGroup:
    group = scenario.agent_groups[scenario.group_names.index(name)]
    if not group.shifts:
        raise ValueError(f"group {name!r} is not on shifts")
    return group


def _break(start: float | None, window: tuple[float, float] | None, duration: float) -> dict:
    rule: dict[str, Any] = {"duration": duration}
    if window is not None:
        rule["window"] = list(window)
    else:
        rule["start"] = start
    return rule


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}" + (
        f":{seconds % 60:02d}" if seconds % 60 else ""
    )
