"""Plausibility: values a scenario may hold but a planner rarely means.

A scenario can be valid and still not be the centre its author had in mind. A bare
number is seconds, so ``handle_time: {mean: 7}`` is a 7-second call, though the
planner surely meant 7 minutes; a patience of three days is a typo for three minutes;
and a roster whose agents could not carry the load even if they never stopped makes
the queue grow all day, whatever the routing. Such a file runs (it is legal), but ccsim
says what looks wrong: :func:`plausibility_warnings` lists it, ``ccsim validate`` prints
it, and :func:`ccsim.simulate` puts it first in ``result.warnings`` (the run's output,
its JSON and its report).

What is checked, each message naming the key path and the value:

* handle times under :data:`SHORT_HANDLE` (20 s) or over :data:`LONG_HANDLE` (2 h);
* patience over :data:`LONG_PATIENCE` (a day);
* staffing that can never meet the load: an interval in which the offered load of a
  contact type (its calls that reach the agents x mean handle time, at the fastest
  speed of its groups, plus wrap-up; in Erlangs), or of a set of types sharing agents,
  exceeds the agents on the phones in the groups that can take it (breaks, activities
  and the expected absence taken off; a chat agent counts ``concurrency`` times);
  for e-mail (deferred work) the whole run's load against the whole run's agents.
  Follow-ups (redials, repeats) only add load, so the check never warns wrongly for
  leaving them out.
"""

from __future__ import annotations

import numpy as np

from ccsim.plan import BREAK, JOIN, LEAVE, Plan, compile_plan
from ccsim.scenario.distributions import Distribution
from ccsim.scenario.model import Scenario, format_path
from ccsim.scenario.units import format_duration

__all__ = ["LONG_HANDLE", "LONG_PATIENCE", "SHORT_HANDLE", "plausibility_warnings"]

#: Handle times below this (seconds) are unusually short for a contact an agent handles.
SHORT_HANDLE = 20.0
#: Handle times above this (seconds) are unusually long.
LONG_HANDLE = 2 * 3600.0
#: Patience above this (seconds) is unusually long: callers hang up within minutes.
LONG_PATIENCE = 86_400.0


def plausibility_warnings(scenario: Scenario, plan: Plan | None = None) -> list[str]:
    """Warnings about values that are valid but implausible, one line each.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    plan : Plan, optional
        Its compiled plan, when the caller has it (compiled here otherwise).

    Returns
    -------
    list of str
        ``key.path: message`` lines, empty for a plausible scenario.

    Examples
    --------
    A handle time of ``mean: 7`` (seconds) gives::

        contact_types[0].handle_time.mean: 7 s is an unusually short handle time; did
        you mean 7min?
    """
    plan = plan if plan is not None else compile_plan(scenario)
    out: list[str] = []
    n = scenario.horizon.intervals
    for i, t in enumerate(scenario.contact_types):
        out += _time_warnings(t.handle_time, ("contact_types", i, "handle_time"), n, "handle")
        if t.patience is not None:
            out += _time_warnings(t.patience, ("contact_types", i, "patience"), n, "patience")
    out += _load_warnings(scenario, plan)
    return out


def _time_warnings(dist: Distribution, path: tuple[str | int, ...], n: int, what: str) -> list[str]:
    """Handle times under 20 s or over 2 h; patience over a day (by its means)."""
    means = dist.means(n)
    key = "values" if dist.dist == "empirical" else "mean" if dist.mean is not None else "low"
    if what == "handle":
        checks = [
            (means < SHORT_HANDLE, "an unusually short handle time"),
            (means > LONG_HANDLE, f"an unusually long handle time (over {_text(LONG_HANDLE)})"),
        ]
    else:
        checks = [(means > LONG_PATIENCE, "an unusually long patience (over a day)")]
    out = []
    for flagged, words in checks:
        if not flagged.any():
            continue
        k = int(np.argmax(flagged))
        where = (*path, key, k) if isinstance(dist.mean, list) else (*path, key)
        value = float(means[k])
        shown = f"a mean of {_text(value)}" if key != "mean" else _text(value)
        more = int(flagged.sum()) - 1 if isinstance(dist.mean, list) else 0
        also = f" (and in {more} more interval{'s' if more > 1 else ''})" if more > 0 else ""
        message = f"{format_path(where)}: {shown} is {words}{also}"
        if what == "handle" and value < SHORT_HANDLE and value > 0:
            message += f"; did you mean {value:g}min?"
        if what == "patience":
            message += "; leave patience out for callers who never hang up"
        out.append(message)
    return out


def _text(seconds: float) -> str:
    return f"{seconds:g} s" if seconds < 60 else format_duration(seconds)


# --------------------------------------------------------------- load and agents
def _load_warnings(s: Scenario, plan: Plan) -> list[str]:
    """Intervals (or, for e-mail, the run) whose load exceeds the agents who can take it."""
    load = _offered_load(plan)  # (types, intervals) Erlangs
    agents = _on_phones(plan) * (1.0 - plan.group_absence[:, None])
    agents *= plan.group_sessions[:, None]  # a chat agent holds concurrency sessions
    routes = [[int(g) for g in row if g >= 0] for row in plan.type_groups]
    realtime = ~plan.type_email
    out: list[str] = []
    flagged = np.zeros((plan.n_types, plan.n_intervals), dtype=bool)
    for t in range(plan.n_types):
        if not realtime[t]:
            continue
        can = agents[routes[t]].sum(axis=0)
        over = load[t] > can + 1e-9
        flagged[t] = over
        if over.any():
            name = f"contact_types[{t}] ({plan.type_names[t]!r})"
            out.append(_over_message(s, name, load[t], can, over))
    for types, groups in _components(plan, routes):
        can = agents[groups].sum(axis=0)
        rt = [t for t in types if realtime[t]]
        if len(rt) > 1:
            together = load[rt].sum(axis=0)
            over = (together > can + 1e-9) & ~flagged[rt].any(axis=0)
            if over.any():
                names = ", ".join(repr(plan.type_names[t]) for t in rt)
                out.append(_over_message(s, f"contact_types {names} together", together, can, over))
        if len(rt) < len(types):  # e-mail: the run's work against the run's agents
            need, have = load[types].sum() * plan.interval, can.sum() * plan.interval
            if need > have + 1e-6:
                names = ", ".join(repr(plan.type_names[t]) for t in types)
                out.append(
                    f"contact_types {names}: the run's load needs {need / 3600:,.1f} agent "
                    f"hours, but the groups that take it have {have / 3600:,.1f} on the "
                    "phones: the backlog can only grow"
                )
    return out


def _over_message(
    s: Scenario, what: str, load: np.ndarray, can: np.ndarray, over: np.ndarray
) -> str:
    k = int(np.argmax(over))
    more = int(over.sum()) - 1
    also = f", and so in {more} more of {len(over)} intervals" if more else ""
    return (
        f"{what}: {load[k]:,.2f} Erlang of load at {_label(s, k)}, more than the "
        f"{can[k]:,.2f} agents on the phones who can take it{also}: staffing can never "
        "meet this load (expect long waits, abandonment or blocking)"
    )


def _offered_load(plan: Plan) -> np.ndarray:
    """Erlangs per (type, interval): the calls that reach agents x their work time.

    Talk at the quickest of the type's groups (own handle times and speeds), plus
    wrap-up: the least work the load can take.
    """
    reach = 1.0 - plan.ivr_deflect - plan.ivr_abandon
    talk = np.array(
        [
            np.min([plan.talk_mean(t, g) for g in row if g >= 0], axis=0)
            for t, row in enumerate(plan.type_groups)
        ]
    )
    work = talk + plan.wrap_up_mean
    return plan.rate * reach[:, None] * work


def _on_phones(plan: Plan) -> np.ndarray:
    """Mean agents on the phones per (group, interval): the roster, breaks taken off."""
    edges = plan.interval_edges()
    out = np.zeros((plan.n_groups, plan.n_intervals))
    t, g, kind, n, d = plan.roster
    for j in range(plan.n_groups):
        join, leave, brk = (
            (g == j) & (kind == JOIN),
            (g == j) & (kind == LEAVE),
            (g == j) & (kind == BREAK),
        )
        times = np.concatenate((t[join], t[leave], t[brk], t[brk] + d[brk]))
        if len(times) == 0:
            continue
        deltas = np.concatenate((n[join], -n[leave], -n[brk], n[brk]))
        order = np.argsort(times, kind="stable")
        times, deltas = times[order], deltas[order]
        # agents after each event; a break of more agents than are there (owed by
        # agents on a call, or running past a shift's end) takes them all, no more
        level = np.maximum(np.cumsum(deltas), 0)
        area = np.concatenate(([0.0], np.cumsum(level[:-1] * np.diff(times))))
        at = np.searchsorted(times, edges, side="right") - 1
        before = np.where(at < 0, 0.0, area[at] + level[at] * (edges - times[np.maximum(at, 0)]))
        out[j] = np.diff(before) / plan.interval
    return out


def _components(plan: Plan, routes: list[list[int]]) -> list[tuple[list[int], list[int]]]:
    """Types and groups that share agents: connected through the routing orders."""
    parent = list(range(plan.n_types + plan.n_groups))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t, groups in enumerate(routes):
        for g in groups:
            parent[root(plan.n_types + g)] = root(t)
    parts: dict[int, tuple[list[int], list[int]]] = {}
    for t in range(plan.n_types):
        parts.setdefault(root(t), ([], []))[0].append(t)
    for g in range(plan.n_groups):
        parts.setdefault(root(plan.n_types + g), ([], []))[1].append(g)
    return [(types, groups) for types, groups in parts.values() if types]


def _label(s: Scenario, k: int) -> str:
    """Interval k of the run as a planner reads it: ``09:30`` or ``Mon 09:30``."""
    day, i = divmod(k, s.horizon.intervals)
    seconds = round(s.day_start() + i * s.horizon.interval)
    hours, rest = divmod(seconds, 3600)
    clock = f"{hours:02d}:{rest // 60:02d}"
    return f"{s.days[day].name} {clock}" if s.days else clock
