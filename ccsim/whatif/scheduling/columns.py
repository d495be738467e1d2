"""Shifts and break placements: the variables of a schedule, what they cover and cost.

A schedule says how many agents of each skill set start each template at each start
time (the *shifts*), and, for each break whose start the template leaves to a window,
how many of them take it at each possible start (the *break choices*): of 12 agents
starting at 08:00, 5 lunch at 11:30, 4 at 12:00 and 3 at 12:30. Counting break
placements per shift rather than listing every combination of breaks as a shift of its
own (the implicit break model of shift scheduling, Bechtold & Jacobs 1990, Aykin 1996)
keeps the integer programme small: any combination of the chosen placements can be
handed to the agents, because a template's break windows do not overlap (checked).
Placements that cover the planning intervals the same way are one choice (the first).

A shift covers the share of each interval it spans; a break choice takes its break's
share back out. A shift costs what the scenario's cost model charges for it per day:
paid hours (the shift less its unpaid breaks) / (1 - shrinkage) x wage x overhead, plus
the skill set's yearly training cost spread over the working days; break choices cost
nothing.

A schedule is written into the scenario as shifts: each skill set is an agent group (an
existing group whose shifts are replaced, or a new group that joins the routing of the
types it has skills for); each shift entry gets its agents' breaks at the chosen times.
An unpaid break is time off the clock, written as a gap between two shift entries; the
group's cost model then pays every break written (``paid_breaks: true``), so the cost
ccsim's cost model gives the written scenario is the schedule's. In a run over several
days (``days``) every day has the same shifts, unless a template has day patterns
(``templates[].days``): then a shift is a start *and* a pattern of days worked, its
cover spans (groups x days x intervals), it costs its day's cost x days worked / days of
the run (ccsim's costs are those of the run's mean day), and it is written with
``days: [...]`` when its pattern is not every day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ccsim.plan import BREAK, JOIN, LEAVE, Plan
from ccsim.scenario.loader import scenario_from_dict
from ccsim.scenario.model import Costs, Scenario, ScenarioError
from ccsim.scenario.units import format_duration, parse_clock
from ccsim.whatif.scheduling.templates import ShiftFile, Template

__all__ = ["Choice", "Columns", "Shift", "clock", "expand", "on_the_phones"]

Break = tuple[float, float, bool]  # (start, duration, paid), seconds from t = 0


@dataclass(frozen=True)
class Shift:
    """Agents of one skill set on one template from one start (a variable)."""

    skill_set: int  # index into the shift file's skill sets
    template: int  # index into its templates
    start: float  # seconds from t = 0
    end: float
    fixed: tuple[Break, ...]  # breaks at a fixed offset
    days: tuple[int, ...] | None = None  # the days worked (indices of the run's); None: every day


@dataclass(frozen=True)
class Choice:
    """Agents of a shift taking one of its window breaks at one start (a variable)."""

    shift: int  # index into Columns.shifts
    rule: int  # index into the template's breaks
    brk: Break


@dataclass
class Columns:
    """The variables of a shift file against a scenario, and how to write a schedule.

    Variables are the shifts, then the break choices. ``cover`` is (variables, groups x
    cells): agents on the phones each variable adds to each cell (break choices take
    away), a cell being an interval of one day, or, with day patterns (``day_names``),
    an interval of one day of the run (``days`` of them, day by day); ``cost`` per
    variable and day (the run's mean day); ``links`` the rows that tie each shift's
    window breaks to its agents (choices of one break sum to them). ``base`` is the
    scenario's data with the skill-set groups in place and empty.
    """

    shifts_file: ShiftFile
    scenario: Scenario  # as given
    base: dict[str, Any]
    groups: list[str]  # one agent group per skill set, in the shift file's order
    group_index: list[int]  # their positions in base's agent_groups
    intervals: int  # intervals of one day
    interval: float
    shifts: list[Shift]
    choices: list[Choice]
    cover: np.ndarray
    cost: np.ndarray
    paid_hours: np.ndarray  # per shift
    links: list[tuple[int, list[int]]]  # (shift, its choices of one window break)
    day_names: tuple[str, ...] = ()  # the run's days, when shifts have day patterns

    @property
    def n(self) -> int:
        """Number of variables."""
        return len(self.shifts) + len(self.choices)

    @property
    def days(self) -> int:
        """Days the cover spans: the run's with day patterns, else 1 (every day alike)."""
        return max(1, len(self.day_names))

    @property
    def cells(self) -> int:
        """Cells of one skill-set group in the cover: days x intervals."""
        return self.days * self.intervals

    def cell_label(self, cell: int) -> str:
        """A cell as text: "09:30", or "Tue 09:30" with day patterns."""
        day, k = divmod(cell, self.intervals)
        text = clock(self.scenario, k * self.interval)
        return f"{self.day_names[day]} {text}" if self.day_names else text

    def pattern(self, i: int) -> str:
        """The days shift ``i`` is worked, as text ("every day", "Mon Tue Wed Thu Fri")."""
        days = self.shifts[i].days
        return "every day" if days is None else " ".join(self.day_names[d] for d in days)

    def agents(self, v: np.ndarray) -> np.ndarray:
        """Agents per shift of schedule ``v``."""
        return np.asarray(v)[: len(self.shifts)]

    def coverage(self, v: np.ndarray) -> np.ndarray:
        """Agents on the phones per (skill-set group, cell) under schedule ``v``."""
        return (np.asarray(v, float) @ self.cover).reshape(len(self.groups), self.cells)

    def roster(self, v: np.ndarray) -> list[tuple[int, tuple[Break, ...], int]]:
        """The agents of schedule ``v`` as (shift, breaks in time order, agents).

        Agent a of a shift takes the a-th placement of each window break (placements in
        time order): agents starting together take their breaks in the same order.
        """
        v = np.rint(np.asarray(v)).astype(np.int64)
        per_rule: dict[tuple[int, int], list[Break]] = {}
        for c, choice in enumerate(self.choices):
            n = int(v[len(self.shifts) + c])
            if n > 0:
                per_rule.setdefault((choice.shift, choice.rule), []).extend([choice.brk] * n)
        out = []
        for i, shift in enumerate(self.shifts):
            agents = int(v[i])
            if agents <= 0:
                continue
            rules = sorted({r for (j, r) in per_rule if j == i})
            combos: dict[tuple[Break, ...], int] = {}
            for a in range(agents):
                chosen = [sorted(per_rule[(i, r)])[a] for r in rules]
                combo = tuple(sorted((*shift.fixed, *chosen)))
                combos[combo] = combos.get(combo, 0) + 1
            out += [(i, combo, n) for combo, n in combos.items()]
        return out

    def scenario_data(self, v: np.ndarray, extra: list[tuple[int, int]] = ()) -> dict[str, Any]:
        """The scenario's data with schedule ``v`` written out as shifts.

        ``extra`` adds one agent for one cell (:attr:`cells`), as ``(skill set, cell)``
        pairs: the perturbations of the simulation's finite differences (with day
        patterns, on that day only).
        """
        data = _copy(self.base)
        groups = data["agent_groups"]
        for i, breaks, agents in self.roster(v):
            shift = self.shifts[i]
            written = groups[self.group_index[shift.skill_set]]["shifts"]
            for start, end, paid in _segments(shift, breaks):
                entry: dict[str, Any] = {
                    "start": clock(self.scenario, start),
                    "end": clock(self.scenario, end),
                    "agents": agents,
                }
                if paid:
                    entry["breaks"] = [
                        {"start": format_duration(at - start), "duration": format_duration(d)}
                        for at, d in paid
                    ]
                if shift.days is not None:
                    entry["days"] = [self.day_names[d] for d in shift.days]
                written.append(entry)
        for s, cell in extra:
            day, k = divmod(cell, self.intervals)
            entry = {"start": k * self.interval, "end": (k + 1) * self.interval, "agents": 1}
            if self.day_names:
                entry["days"] = [self.day_names[day]]
            groups[self.group_index[s]]["shifts"].append(entry)
        return data

    def write(self, v: np.ndarray, extra: list[tuple[int, int]] = ()) -> Scenario:
        """The scenario with schedule ``v`` (see :meth:`scenario_data`), validated."""
        return scenario_from_dict(self.scenario_data(v, extra))

    def without_one(self, v: np.ndarray, i: int) -> np.ndarray:
        """Schedule ``v`` with one agent fewer on shift ``i`` (its last break placements)."""
        v = np.array(v, dtype=np.int64)
        v[i] -= 1
        for shift, choices in self.links:
            if shift == i:
                last = max((c for c in choices if v[c] > 0), key=lambda c: c)
                v[last] -= 1
        return v


def _segments(shift: Shift, breaks: tuple[Break, ...]) -> list[tuple[float, float, list]]:
    """The shift as written: (start, end, paid breaks) pieces split at unpaid breaks."""
    out, start, paid = [], shift.start, []
    for at, duration, is_paid in breaks:
        if is_paid:
            paid.append((at, duration))
        else:
            out.append((start, at, paid))
            start, paid = at + duration, []
    out.append((start, shift.end, paid))
    return [piece for piece in out if piece[1] > piece[0]]


def clock(scenario: Scenario, seconds: float) -> str:
    """A time of the planning day as a clock time ("09:30", "26:15", "09:30:20")."""
    total = scenario.day_start() + seconds
    h, rest = divmod(round(total), 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def expand(scenario: Scenario, spec: ShiftFile) -> Columns:
    """Every shift and break choice the shift file allows in the scenario.

    Raises
    ------
    ScenarioError
        Naming the shift file's lines: a start outside the planning day, a skill set
        that is neither a group nor has skills, unknown types, overlapping break
        windows, a period that is not a whole number of intervals.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    base = scenario.model_dump(mode="json", exclude_none=True)
    group_index = _skill_set_groups(scenario, spec, base, problems)
    targets = spec.targets
    types = scenario.type_names
    for j, name in enumerate(targets.types or []):
        if name not in types:
            problems.append((("targets", "types", j), f"unknown contact type {name!r}"))
    interval = scenario.horizon.interval
    if targets.period is not None:
        ratio = targets.period / interval
        if abs(ratio - round(ratio)) > 1e-9 or round(ratio) < 1:
            problems.append((("targets", "period"), f"a period must be a whole number of "
                             f"intervals ({format_duration(interval)})"))  # fmt: skip
    starts = _all_starts(scenario, spec, problems)
    day_names = [d.name for d in scenario.days or []]
    for i, template in enumerate(spec.templates):
        if template.days is not None:
            problems += template.days.problems(day_names, ("templates", i, "days"))
    if problems:
        raise spec.problem(problems)
    if scenario.costs is not None:  # skill-set wages; every written break is paid
        overrides = base["costs"].setdefault("agent_groups", {})
        for skill_set in spec.skill_sets:
            mine = overrides.setdefault(skill_set.name, {})
            if skill_set.hourly_wage is not None:
                mine["hourly_wage"] = skill_set.hourly_wage
            mine["paid_breaks"] = True
    return _build(scenario, spec, base, group_index, starts)


def _skill_set_groups(
    scenario: Scenario, spec: ShiftFile, base: dict[str, Any], problems: list
) -> list[int]:
    names, types = scenario.group_names, scenario.type_names
    group_index = []
    for i, skill_set in enumerate(spec.skill_sets):
        path = ("skill_sets", i)
        if skill_set.name in names:
            g = names.index(skill_set.name)
            group = scenario.agent_groups[g]
            if skill_set.skills is not None and skill_set.skills != group.skills:
                problems.append(((*path, "skills"), f"group {group.name!r} exists with "
                                 f"skills {group.skills}: leave skills out"))  # fmt: skip
            if group.activities:
                problems.append(((*path, "name"), f"group {group.name!r} has activities; "
                                 "the scheduler does not place them"))  # fmt: skip
            base["agent_groups"][g].pop("staffing", None)
            base["agent_groups"][g]["shifts"] = []
            for day in base.get("days") or []:  # a day's staffing of the group: now shifts
                day.get("staffing", {}).pop(skill_set.name, None)
            group_index.append(g)
            continue
        if skill_set.skills is None:
            problems.append(((*path, "skills"), f"{skill_set.name!r} is not an agent group of "
                             "the scenario: give the new group's skills"))  # fmt: skip
            group_index.append(-1)
            continue
        for j, skill in enumerate(skill_set.skills):
            if skill not in types:
                problems.append(((*path, "skills", j), f"unknown contact type {skill!r}"))
        base["agent_groups"].append({"name": skill_set.name, "skills": list(skill_set.skills),
                                     "shifts": []})  # fmt: skip
        group_index.append(len(base["agent_groups"]) - 1)
        for t in base["contact_types"]:
            if t["name"] in skill_set.skills and t.get("groups") is not None:
                t["groups"].append(skill_set.name)
    return group_index


def _all_starts(scenario: Scenario, spec: ShiftFile, problems: list) -> list[list[float]]:
    day_start, day = scenario.day_start(), scenario.horizon.length
    out = []
    for i, template in enumerate(spec.templates):
        path = ("templates", i, "starts")
        starts, bad = _starts(template, day_start, path)
        problems += bad
        late = [s for s in starts if s + template.length > day + 1e-9]
        if late:
            problems.append((path, f"a shift starting at {clock(scenario, late[0])} ends after "
                             f"the planning day ({clock(scenario, day)})"))  # fmt: skip
        spans = sorted(
            (r.offsets()[0], r.offsets()[-1] + r.duration, k) for k, r in enumerate(template.breaks)
        )
        for (_, end, _), (start, _, k) in zip(spans, spans[1:], strict=False):
            if start < end - 1e-9:
                message = "break windows overlap: each break must fit between the others"
                problems.append((("templates", i, "breaks", k), message))
        out.append(starts)
    return out


def _starts(
    template: Template, day_start: float, path: tuple[str | int, ...]
) -> tuple[list[float], list[tuple[tuple[str | int, ...], str]]]:
    try:
        if isinstance(template.starts, list):
            return [parse_clock(s, day_start) for s in template.starts], []
        first = parse_clock(template.starts.first, day_start)
        last = parse_clock(template.starts.last, day_start)
    except ValueError as exc:
        return [], [(path, str(exc))]
    if last < first:
        return [], [((*path, "last"), "last is before first")]
    n = int((last - first) // template.starts.every + 1e-9)
    return [first + k * template.starts.every for k in range(n + 1)], []


def _build(
    scenario: Scenario,
    spec: ShiftFile,
    base: dict[str, Any],
    group_index: list[int],
    starts: list[list[float]],
) -> Columns:
    k_one, length = scenario.horizon.intervals, scenario.horizon.interval
    edges = np.arange(k_one + 1) * length
    n_sets = len(spec.skill_sets)
    run = [d.name for d in scenario.days or []]
    by_day = bool(run) and any(t.days is not None for t in spec.templates)
    n_days = len(run) if by_day else 1
    k_n = n_days * k_one  # cells of one skill-set group

    def spread(row: np.ndarray, days: tuple[int, ...] | None) -> np.ndarray:
        """One day's row over the days worked (every day: the cells of all)."""
        out = np.zeros(k_n)
        for d in range(n_days) if days is None else days:
            out[d * k_one : (d + 1) * k_one] = row
        return out

    costs = scenario.costs or Costs()
    names = [s.name for s in spec.skill_sets]
    shifts: list[Shift] = []
    choices: list[Choice] = []
    cover_rows: list[np.ndarray] = []
    choice_rows: list[np.ndarray] = []
    cost, hours = [], []
    links: list[tuple[int, list[int]]] = []
    for i, template in enumerate(spec.templates):
        for s in [names.index(n) for n in (template.skill_sets or names)]:
            paid_default = costs.group(names[s]).paid_breaks
            block = slice(s * k_n, (s + 1) * k_n)
            for start, days in _starts_and_patterns(starts[i], template, run, by_day):
                fixed, windows = [], []
                for r, rule in enumerate(template.breaks):
                    paid = rule.paid if rule.paid is not None else paid_default
                    at = [(start + off, rule.duration, paid) for off in rule.offsets()]
                    (fixed.append(at[0]) if len(at) == 1 else windows.append((r, at)))
                shift = Shift(s, i, start, start + template.length, tuple(fixed), days)
                day = _overlap(edges, shift.start, shift.end)
                for at, d, _ in fixed:
                    day -= _overlap(edges, at, at + d)
                row = np.zeros(n_sets * k_n)
                row[block] = spread(day, days)
                cover_rows.append(row / length)
                unpaid = sum(r.duration for r in template.breaks
                             if not (r.paid if r.paid is not None else paid_default))  # fmt: skip
                paid_hours = (template.length - unpaid) / 3600.0
                hours.append(paid_hours)
                share = 1.0 if days is None else len(days) / n_days
                cost.append(_shift_cost(scenario, spec, s, paid_hours, share))
                shifts.append(shift)
                for r, placements in windows:
                    seen: set[tuple[float, ...]] = set()
                    mine = []
                    for brk in placements:
                        row = np.zeros(n_sets * k_n)
                        row[block] = spread(-_overlap(edges, brk[0], brk[0] + brk[1]), days)
                        row[block] /= length
                        key = tuple(np.round(row[block], 9))
                        if key in seen:
                            continue  # covers the intervals as an earlier placement does
                        seen.add(key)
                        mine.append(len(choices))
                        choices.append(Choice(len(shifts) - 1, r, brk))
                        choice_rows.append(row)
                    links.append((len(shifts) - 1, mine))
    n_shift = len(shifts)
    links = [(i, [n_shift + c for c in mine]) for i, mine in links]
    cover = np.array(cover_rows + choice_rows).reshape(-1, n_sets * k_n)
    return Columns(
        shifts_file=spec,
        scenario=scenario,
        base=base,
        groups=names,
        group_index=group_index,
        intervals=k_one,
        interval=length,
        shifts=shifts,
        choices=choices,
        cover=cover,
        cost=np.concatenate([np.array(cost), np.zeros(len(choices))]),
        paid_hours=np.array(hours),
        links=links,
        day_names=tuple(run) if by_day else (),
    )


def _starts_and_patterns(
    starts: list[float], template: Template, run: list[str], by_day: bool
) -> list[tuple[float, tuple[int, ...] | None]]:
    """A template's (start, days worked) pairs: every pattern at every start."""
    if not by_day or template.days is None:
        return [(start, None) for start in starts]
    patterns = [None if len(p) == len(run) else p for p in template.days.expand(run)]
    return [(start, p) for start in starts for p in patterns]


def _shift_cost(
    scenario: Scenario, spec: ShiftFile, s: int, paid_hours: float, share: float = 1.0
) -> float:
    """Cost per day of one agent on a shift of ``paid_hours`` (module docstring).

    ``share``: the share of the run's days the agent works (wages only: the training
    keeps the agent trained whichever days they work).
    """
    costs = scenario.costs or Costs()
    skill_set = spec.skill_sets[s]
    c = costs.group(skill_set.name)
    if skill_set.hourly_wage is not None:
        wage = skill_set.hourly_wage
    else:
        wage = c.hourly_wage if scenario.costs is not None else 1.0  # no model: paid hours
    cost = paid_hours / (1.0 - c.shrinkage) * wage * c.overhead * share
    if costs.working_days_per_year > 0:
        cost += skill_set.training_per_year / costs.working_days_per_year
    return cost


def _overlap(edges: np.ndarray, start: float, end: float) -> np.ndarray:
    """Seconds of [start, end) inside each interval of ``edges``."""
    return np.clip(np.minimum(edges[1:], end) - np.maximum(edges[:-1], start), 0.0, None)


def on_the_phones(plan: Plan) -> np.ndarray:
    """Agents on the phones per (group, interval) as rostered: breaks out, absence in."""
    edges = plan.interval_edges()
    out = np.zeros((plan.n_groups, plan.n_intervals))
    level = np.zeros(plan.n_groups)
    last = np.zeros(plan.n_groups)

    def add(g: int, start: float, end: float, agents: float) -> None:
        overlap = np.clip(np.minimum(edges[1:], end) - np.maximum(edges[:-1], start), 0, None)
        out[g] += agents * overlap / plan.interval

    for t, g, kind, count, duration in zip(*plan.roster, strict=True):
        g = int(g)
        if kind in (JOIN, LEAVE):
            add(g, last[g], t, level[g])
            last[g] = t
            level[g] += count if kind == JOIN else -count
        elif kind == BREAK:
            add(g, t, t + duration, -count)
    for g in range(plan.n_groups):
        add(g, last[g], plan.end, level[g])
    return np.clip(out, 0.0, None) * (1.0 - plan.group_absence[:, None])


def check_scenario(columns: Columns) -> None:
    """Raise ScenarioError when the scenario with the skill-set groups does not validate."""
    try:
        columns.write(np.zeros(columns.n))
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, "the scenario with the shift file's skill sets") from None
