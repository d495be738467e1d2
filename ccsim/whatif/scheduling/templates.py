"""The shift-template file: what a planner may roster, and what it costs.

A scenario says what arrives and who answers; a shift-template file says which shifts
the scheduler may hand out. Agents are hired in **skill sets** (an agent group of the
scenario whose shifts the scheduler fills, or a new cross-trained group, with its wage
and yearly training cost) and work **templates**: a shift length, the allowed start
times, and breaks that must fall in windows (a coffee break between 1 h 30 and 2 h 30
after the start, a lunch between 3 h 30 and 5 h), paid or unpaid. A template may be
part-time, and may have a minimum and a maximum number of agents; skill sets may have
a maximum too, and the file may cap the share of part-timers. Its ``targets`` section
says which service levels the schedule must meet: per interval (or per longer period,
such as the hour), per day, or both, and an optional abandonment ceiling. In a run of
several days (a week), a template may say which **day patterns** its agents work
(``days``: five days of seven with the two rest days together, or patterns listed by
name); the scheduler then chooses the rest days too.

The file is read once and checked like a scenario file: every problem is reported
together with the file, the line and the key path. What can only be checked against the
scenario (known contact types, starts inside the planning day) is checked when the two
meet (:func:`ccsim.whatif.scheduling.columns.expand`), with the same file and lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from ccsim.scenario.checks import unknown_name
from ccsim.scenario.model import ScenarioError
from ccsim.scenario.units import Duration, format_duration

__all__ = [
    "BreakRule",
    "DayRule",
    "SkillSet",
    "ShiftFile",
    "Starts",
    "Targets",
    "Template",
    "load_shifts",
]

Clock = str | float


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BreakRule(_Model):
    """A break every agent of a template takes: at ``start``, or anywhere in ``window``.

    Offsets are from the shift's start. In a window the scheduler chooses the start, on
    a grid of ``step`` from the earliest start (so a 30-minute lunch in ``[3h30min,
    5h]`` with a 15-minute step has seven possible starts). ``paid`` defaults to the
    scenario's cost model for the group (``costs.agents.paid_breaks``); an unpaid break
    is time off the clock.
    """

    start: Duration | None = None
    window: tuple[Duration, Duration] | None = None
    duration: Duration = Field(gt=0)
    step: Duration = Field(default=900.0, gt=0)
    paid: bool | None = None

    @model_validator(mode="after")
    def _one_of(self) -> BreakRule:
        if (self.start is None) == (self.window is None):
            raise ValueError("a break takes either start or window")
        if self.window is not None and self.window[1] < self.window[0]:
            raise ValueError("window must be [earliest, latest]")
        return self

    def offsets(self) -> list[float]:
        """The possible starts of the break, in seconds after the shift's start."""
        if self.window is None:
            return [float(self.start or 0.0)]
        lo, hi = self.window
        n = int((hi - lo) // self.step + 1e-9)
        return [lo + i * self.step for i in range(n + 1)]


class DayRule(_Model):
    """Which days of a run of several days the agents of a template work (their patterns).

    ``work``: every pattern of that many days of the scenario's ``days``; with
    ``consecutive_rest`` only those whose rest days follow each other, wrapping around
    the run (Sat and Sun, or Sun and Mon, in a week Mon to Sun). ``patterns``: patterns
    by day name (``[[Mon, Tue, Wed, Thu, Fri], [Sat, Sun, Mon]]``). Both together: the
    patterns of either, each once. Without a ``days`` rule a template is worked every day.
    """

    work: int | None = Field(default=None, ge=1)
    consecutive_rest: bool = False
    patterns: list[Annotated[list[str], Field(min_length=1)]] | None = Field(
        default=None, min_length=1
    )

    @model_validator(mode="after")
    def _some(self) -> DayRule:
        if self.work is None and self.patterns is None:
            raise ValueError("days takes work (days worked), patterns, or both")
        if self.consecutive_rest and self.work is None:
            raise ValueError("consecutive_rest needs work (the days worked)")
        return self

    def expand(self, days: list[str]) -> list[tuple[int, ...]]:
        """The patterns over the run's ``days``: sorted day indices, each once, in order.

        Names must be days of the run (checked by :func:`problems`).
        """
        n = len(days)
        out: list[tuple[int, ...]] = []
        if self.work is not None and self.work <= n:
            rest = n - self.work
            if self.consecutive_rest and 0 < rest:
                for first in range(n):  # the rest days first, first + 1, ... (wrapping)
                    off = {(first + j) % n for j in range(rest)}
                    out.append(tuple(d for d in range(n) if d not in off))
            else:
                out += list(itertools.combinations(range(n), self.work))
        for pattern in self.patterns or []:
            out.append(tuple(sorted({days.index(name) for name in pattern})))
        return list(dict.fromkeys(out))

    def problems(
        self, days: list[str], path: tuple[str | int, ...]
    ) -> list[tuple[tuple[str | int, ...], str]]:
        """What does not fit a run over ``days`` (day names; none: a one-day scenario)."""
        if not days:
            return [(path, "day patterns need a scenario over several days (days:); this "
                     "one plans a single day")]  # fmt: skip
        out = []
        if self.work is not None and self.work > len(days):
            out.append(((*path, "work"), f"more days than the run has ({len(days)})"))
        for i, pattern in enumerate(self.patterns or []):
            for j, name in enumerate(pattern):
                if name not in days:
                    out.append(((*path, "patterns", i, j), unknown_name("day", name, days)))
                elif name in pattern[:j]:
                    out.append(((*path, "patterns", i, j), f"{name!r} is listed twice"))
        return out


class Starts(_Model):
    """Start times from ``first`` to ``last`` (clock times or offsets), ``every`` apart."""

    first: Clock
    last: Clock
    every: Duration = Field(gt=0)


class Template(_Model):
    """A kind of shift: its length (breaks included), start times, breaks and limits."""

    name: str = Field(min_length=1)
    length: Duration = Field(gt=0)
    starts: Annotated[list[Clock], Field(min_length=1)] | Starts
    breaks: list[BreakRule] = []
    min_agents: int = Field(default=0, ge=0)
    max_agents: int | None = Field(default=None, ge=0)
    part_time: bool = False
    skill_sets: list[str] | None = None
    days: DayRule | None = None

    @model_validator(mode="after")
    def _fits(self) -> Template:
        for rule in self.breaks:
            latest = rule.window[1] if rule.window is not None else (rule.start or 0.0)
            if latest + rule.duration > self.length:
                raise ValueError(
                    f"a break of {format_duration(rule.duration)} starting up to "
                    f"{format_duration(latest)} after the start does not fit in a "
                    f"{format_duration(self.length)} shift"
                )
        if self.max_agents is not None and self.max_agents < self.min_agents:
            raise ValueError("max_agents is below min_agents")
        return self


class SkillSet(_Model):
    """Agents hired with these skills: an existing agent group, or a new one.

    ``name`` is an agent group of the scenario (the scheduler fills its shifts; it keeps
    its skills, speed and policy) or a new group (``skills`` required), which joins the
    routing of every contact type it has a skill for, after the groups already there.
    ``hourly_wage`` overrides the scenario's cost model for the group;
    ``training_per_year`` is what keeps one agent trained in these skills, per year.
    """

    name: str = Field(min_length=1)
    skills: list[str] | None = Field(default=None, min_length=1)
    hourly_wage: float | None = Field(default=None, ge=0)
    training_per_year: float = Field(default=0.0, ge=0)
    max_agents: int | None = Field(default=None, ge=0)


class Targets(_Model):
    """Which service levels the schedule must meet, and how they are measured.

    ``service_level``: each type's target in every ``period`` (default: every interval;
    ``1h`` pools two half-hour intervals), over each whole day, or both. ``types``:
    the contact types held to their targets (default: every call and chat type).
    ``measure``: each simulated day's share, averaged over the days (ccsim's tables), or
    ``pooled``, the share of all the simulated contacts (E[S] / E[N]).
    ``max_abandon``: a ceiling on abandoned / offered, measured like the service level.
    """

    service_level: Literal["per_interval", "per_day", "both"] = "per_interval"
    measure: Literal["mean_of_days", "pooled"] = "mean_of_days"
    period: Duration | None = Field(default=None, gt=0)
    types: list[str] | None = Field(default=None, min_length=1)
    max_abandon: float | None = Field(default=None, ge=0, le=1)


class ShiftFile(_Model):
    """A shift-template file (see the module docstring)."""

    skill_sets: list[SkillSet] = Field(min_length=1)
    templates: list[Template] = Field(min_length=1)
    part_time_share: float | None = Field(default=None, ge=0, le=1)
    targets: Targets = Targets()
    _source: str = PrivateAttr(default="")
    _line_of: Callable[[tuple[str | int, ...]], int | None] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _names(self) -> ShiftFile:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        sets = [s.name for s in self.skill_sets]
        for i, name in enumerate(sets):
            if name in sets[:i]:
                problems.append((("skill_sets", i, "name"), f"skill set {name!r} is written twice"))
        names = [t.name for t in self.templates]
        for i, template in enumerate(self.templates):
            if template.name in names[:i]:
                problems.append(
                    (("templates", i, "name"), f"template {template.name!r} is written twice")
                )
            for j, name in enumerate(template.skill_sets or []):
                if name not in sets:
                    problems.append(
                        (("templates", i, "skill_sets", j), f"unknown skill set {name!r} "
                         f"(known: {', '.join(sets)})")
                    )  # fmt: skip
        if problems:
            raise ScenarioError(problems)
        return self

    def problem(self, problems: list[tuple[tuple[str | int, ...], str]]) -> ScenarioError:
        """An error naming this file and the lines of ``problems`` (key paths in it)."""
        return ScenarioError(problems, self._source, self._line_of)

    def with_source(
        self, source: str, line_of: Callable[[tuple[str | int, ...]], int | None] | None
    ) -> ShiftFile:
        """Remember where the file was read (for later errors); return it."""
        self._source, self._line_of = source, line_of
        return self


def load_shifts(source: str | Path | Mapping[str, Any] | ShiftFile) -> ShiftFile:
    """Read and check a shift-template file.

    Parameters
    ----------
    source : str, pathlib.Path, mapping or ShiftFile
        The file's path, its parsed content, or a file already read.

    Returns
    -------
    ShiftFile

    Raises
    ------
    ScenarioError
        One line per problem: ``file:line: key.path: message``.
    FileNotFoundError
        If the file does not exist.
    """
    from ccsim.scenario.loader import _line_of, _problems, read_yaml

    if isinstance(source, ShiftFile):
        return source
    if isinstance(source, Mapping):
        data, name, line_of = dict(source), "", None
    else:
        data, node = read_yaml(source, "a shift-template file")
        name = str(source)

        def line_of(path: tuple[str | int, ...]) -> int | None:
            return _line_of(node, path)

    try:
        spec = ShiftFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, ShiftFile), name, line_of) from None
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, name, line_of) from None
    return spec.with_source(name, line_of)
