"""What can run: the bounds every scenario, options and sweep file is held to.

A planner's file describes a centre, and a centre has limits a computer must respect:
a day of 10 000 agents is large, one of 10^30 is a typo that would ask for more memory
than the machine has. Every number is therefore bounded by what ccsim can simulate,
checked when the file loads, so that a file either loads and runs or is refused with
its key named: never a crash half-way through a run. The bounds are generous (ten to a
thousand times the largest centre a planner models) and listed in
docs/scenario-reference.md ("What is validated"). :func:`size_problems` checks what
no single key decides: the contacts a replication simulates, the per-interval cells
every replication counts, the agents joining a group over the run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccsim.scenario.model import Scenario

__all__ = [
    "KERNEL_MAX_CONTACTS",
    "MAX_AGENTS",
    "MAX_AGENT_ARRIVALS",
    "MAX_AMOUNT",
    "MAX_BREAKS",
    "MAX_CELLS",
    "MAX_CHAT_AGENTS",
    "MAX_CONTACTS",
    "MAX_CV",
    "MAX_DAYS",
    "MAX_DAY_FACTOR_CV",
    "MAX_DEPTH",
    "MAX_DURATION",
    "MAX_FACTOR",
    "MAX_FILE_BYTES",
    "MAX_FOLLOW_UPS",
    "MAX_INTERVALS",
    "MAX_ITEMS",
    "MAX_LINES",
    "MAX_NAMED",
    "MAX_NODES",
    "MAX_OPTIONS",
    "MAX_PHASES",
    "MAX_POINTS",
    "MAX_PROBLEMS",
    "MAX_RATE",
    "MAX_REPLICATIONS",
    "MAX_SPEED",
    "MAX_VOLUME",
    "MIN_SPEED",
    "size_problems",
]

#: The fast engine's hard limit of contacts in one replication, first contacts and room
#: for follow-ups together (``ccsim.engines.kernel.MAX_CONTACTS``; scenario code does
#: not import the engines, and tests/test_fuzz.py checks that the two agree).
KERNEL_MAX_CONTACTS = 1 << 25
#: Expected contacts of one replication (follow-ups at their most, times a margin for
#: the day factors' spread), at most an eighth of the kernel's limit, far from it on any
#: draw. Measured at the bound: 4.08 million contacts a replication, 2 replications on
#: the fast engine in 9 s and 0.9 GB.
MAX_CONTACTS = KERNEL_MAX_CONTACTS // 8
#: Contact types (or agent groups) x intervals over the run: every replication keeps
#: 26 counters per type and interval (208 bytes), so 50 000 cells are 10 MB each.
MAX_CELLS = 50_000
#: ``horizon.intervals``: a week of one-minute intervals.
MAX_INTERVALS = 10_080
#: ``days``: a year.
MAX_DAYS = 366
#: Any duration (and the horizon, intervals x interval): a year, in seconds.
MAX_DURATION = 366 * 86_400.0
#: One staffing value, a shift's or an activity's agents.
MAX_AGENTS = 100_000
#: Agents joining one group over the run (shift agents, staffing increases, every day).
MAX_AGENT_ARRIVALS = 1_000_000
#: The same for a chat group (``concurrency`` > 1), whose agents are tracked one by one:
#: the reference engine takes about 0.1 ms per agent and contact.
MAX_CHAT_AGENTS = 20_000
#: ``lines``, ``ivr.ports`` and the contacts already waiting per type.
MAX_LINES = 1_000_000
#: An arrival rate, contacts per hour.
MAX_RATE = 1_000_000.0
#: A day's (or a week's) volume, contacts.
MAX_VOLUME = 100_000_000.0
#: A multiplier: ``days[].volume``, ``stretch``, ``costs.*.overhead``.
MAX_FACTOR = 1_000.0
#: A distribution's coefficient of variation.
MAX_CV = 10.0
#: A day factor's coefficient of variation (``forecast``, ``arrivals``).
MAX_DAY_FACTOR_CV = 2.0
#: Erlang phases ``k``.
MAX_PHASES = 10_000
#: An agent group's ``speed``.
MIN_SPEED, MAX_SPEED = 0.01, 100.0
#: ``redial.max`` and ``repeat.max``.
MAX_FOLLOW_UPS = 1_000
#: Any amount of money (costs, option costs), in currency units.
MAX_AMOUNT = 1e12
#: Contact types, agent groups, skills, names in a routing order.
MAX_NAMED = 1_000
#: Shifts and activities of a group.
MAX_ITEMS = 10_000  # a month of one shift per agent and day, as WFM exports them
#: Breaks of one shift.
MAX_BREAKS = 100
#: Options of an options file.
MAX_OPTIONS = 1_000
#: Points of a sweep (the grid's combinations).
MAX_POINTS = 10_000
#: Replications a sweep file may ask for per point.
MAX_REPLICATIONS = 1_000_000
#: A scenario, options or sweep file, in bytes: 100 times the largest example (4 MB of
#: numbers read in about 10 s on a busy 2-core machine).
MAX_FILE_BYTES = 5_000_000
#: Mappings and lists inside one another (a scenario needs 6).
MAX_DEPTH = 64
#: Values in a file once YAML aliases (``*name``) are expanded.
MAX_NODES = 1_000_000
#: Problems reported for one file (the rest are counted).
MAX_PROBLEMS = 50

Path_ = tuple[str | int, ...]


def size_problems(s: Scenario) -> list[tuple[Path_, str]]:
    """Check what no single key decides: is this run small enough to simulate.

    Run on a scenario whose other checks passed (lists have their lengths).

    * the horizon (``intervals`` x ``interval``) lasts at most :data:`MAX_DURATION`;
    * contact types x intervals over the run, and agent groups x intervals, at most
      :data:`MAX_CELLS` each;
    * expected contacts of one replication at most :data:`MAX_CONTACTS`: first
      contacts (rates x interval lengths x day volumes, plus ``start_state``), times
      each type's most follow-ups (every contact redialled with the redial
      probability up to ``redial.max``; unresolved with 1 - ``fcr`` up to
      ``repeat.max``; transferred with the transfer probability), times 1 + 3 x the
      day factors' coefficient of variation;
    * agents joining each group over the run at most :data:`MAX_AGENT_ARRIVALS`
      (:data:`MAX_CHAT_AGENTS` for a chat group).

    Returns
    -------
    list of (path, message)
        Empty when the run is small enough.
    """
    problems: list[tuple[Path_, str]] = []
    n_days = len(s.days) if s.days else 1
    intervals = s.horizon.intervals * n_days
    if s.horizon.length > MAX_DURATION:
        days = s.horizon.length / 86400
        problems.append(
            (("horizon",), f"the horizon (intervals x interval) lasts {days:,.0f} days: at "
             f"most {MAX_DURATION / 86400:.0f} (use days: for a run of several days)")
        )  # fmt: skip
        return problems
    for key in ("contact_types", "agent_groups"):
        count = len(getattr(s, key))
        if count * intervals > MAX_CELLS:
            what = key.replace("_", " ")
            days = f" x {n_days} days" if s.days else ""
            problems.append(
                (("horizon", "intervals"), f"{count} {what} x {s.horizon.intervals} intervals"
                 f"{days} = {count * intervals:,} per-interval cells: at most {MAX_CELLS:,} "
                 "(every replication counts each one)")
            )  # fmt: skip
    if problems:
        return problems
    problems += _contact_problems(s)
    problems += _roster_problems(s)
    return problems


def _contact_problems(s: Scenario) -> list[tuple[Path_, str]]:
    hours = s.horizon.interval / 3600.0
    shared = s.forecast.day_factor_cv
    expected = []
    for t in s.contact_types:
        per_day = t.arrivals.hourly_rates(s.horizon.intervals, s.horizon.interval, s.days)
        first = sum(
            sum(day) * hours * (d.volume_of(t.name) if s.days else 1.0)
            for day, d in zip(per_day, s.days or [None] * len(per_day), strict=True)
        )
        if s.start_state is not None:
            first += s.start_state.waiting.get(t.name, 0)
        cv = math.sqrt((1 + shared**2) * (1 + t.arrivals.day_factor_cv**2) - 1)
        expected.append(first * _follow_up_factor(t) * (1 + 3 * cv))
    total = sum(expected)
    if total <= MAX_CONTACTS:
        return []
    i = max(range(len(expected)), key=expected.__getitem__)
    return [
        (("contact_types", i, "arrivals"), f"about {total:,.0f} contacts a replication (every "
         "type, follow-ups at their most, with the day factors' spread): at most "
         f"{MAX_CONTACTS:,} can be simulated; shorten the horizon or lower the volumes")
    ]  # fmt: skip


def _follow_up_factor(t: object) -> float:
    """Contacts per first contact, follow-ups at their most (every one could redial)."""
    factor = 1.0
    redial = getattr(t, "redial", None)
    if redial is not None:
        factor *= sum(redial.probability**j for j in range(redial.max + 1))
    repeat = getattr(t, "repeat", None)
    if repeat is not None:
        factor *= sum((1 - repeat.fcr) ** j for j in range(repeat.max + 1))
    transfer = getattr(t, "transfer", None)
    if transfer is not None:  # each contact may go on as one more
        factor *= 1 + transfer.probability
    return factor


def _roster_problems(s: Scenario) -> list[tuple[Path_, str]]:
    problems: list[tuple[Path_, str]] = []
    days = s.days or [None]
    for g, group in enumerate(s.agent_groups):
        joining = 0
        for day in days:
            staff = group.staffing
            if day is not None and group.name in day.staffing:
                staff = day.staffing[group.name]
            if group.shifts is not None:
                joining += sum(shift.agents for shift in group.shifts)
            elif isinstance(staff, list):
                joining += sum(max(b - a, 0) for a, b in zip([0, *staff], staff, strict=False))
            elif staff is not None:
                joining += staff
        chat = group.concurrency > 1  # (its agents are tracked one by one)
        most = MAX_CHAT_AGENTS if chat else MAX_AGENT_ARRIVALS
        if joining > most:
            key = "shifts" if group.shifts is not None else "staffing"
            what = "chat group" if chat else "group"
            problems.append(
                (("agent_groups", g, key), f"{joining:,} agents join {what} {group.name!r} over "
                 f"the run: at most {most:,} can be simulated")
            )  # fmt: skip
    return problems
