"""What a scenario's field types alone cannot check: names, lengths, shifts, activities.

A scenario is valid only as a whole: a routing list must name groups that exist, a
per-interval list must have one value per interval, a shift must end after it starts
and its breaks must fit in it, a planned activity (a meeting, training) must find the
agents it takes off the phones among those scheduled then. :func:`consistency_problems`
checks all of that after pydantic has checked each field, and returns every problem with
its key path, so that the loader can report them together with file and line; last,
whether the run is small enough to simulate (:func:`ccsim.scenario.limits.size_problems`).
:func:`scheduled_agents` and :func:`activity_needs` answer the same questions for the
staffing search. Every check takes time linear in the size of the file (names are
looked up in dictionaries), so that a file of thousands of names is answered at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccsim.scenario.limits import size_problems
from ccsim.scenario.units import parse_clock, short

if TYPE_CHECKING:
    from ccsim.scenario.model import AgentGroup, Arrivals, Scenario, Shift

__all__ = ["activity_needs", "consistency_problems", "scheduled_agents", "unknown_name"]


def consistency_problems(s: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Check what the field types alone cannot: names, list lengths, shifts.

    Returns
    -------
    list of (path, message)
        Empty when the scenario is consistent.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    n = s.horizon.intervals
    types = s.type_names
    groups = s.group_names
    type_index = {name: i for i, name in reversed(list(enumerate(types)))}  # first wins
    group_index = {name: j for j, name in reversed(list(enumerate(groups)))}
    skills = [set(g.skills) for g in s.agent_groups]
    served = {k for g in skills for k in g}  # types some group has as a skill
    orders = [t.routing() for t in s.contact_types]
    routes = [{g for g, _ in order} if order is not None else None for order in orders]

    def per_interval(path: tuple[str | int, ...], value: object, what: str) -> None:
        if isinstance(value, list) and len(value) != n:
            problems.append(
                (path, f"{what} has {len(value)} values; expected {n} (one per interval) or one")
            )

    if s.horizon.interval <= 0:
        problems.append((("horizon", "interval"), "the interval length must be positive"))
    if s.horizon.warmup >= s.horizon.length:
        problems.append((("horizon", "warmup"), "the warm-up covers the whole horizon"))
    try:
        s.day_start()
    except ValueError as exc:
        problems.append((("horizon", "start"), str(exc)))

    for names, key in ((types, "contact_types"), (groups, "agent_groups")):
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                problems.append(((key, i, "name"), f"duplicate name {short(name)}"))
            seen.add(name)

    for i, t in enumerate(s.contact_types):
        base: tuple[str | int, ...] = ("contact_types", i)
        problems.extend(_arrival_problems(s, t.arrivals, (*base, "arrivals")))
        for key in ("handle_time", "wrap_up", "patience"):
            dist = getattr(t, key)
            if dist is not None:
                per_interval((*base, key, "mean"), dist.mean, "mean")
        if orders[i] is not None:
            listed: set[str] = set()
            for j, (g, _) in enumerate(orders[i]):  # type: ignore[arg-type]
                where = (*base, "groups", j) + (() if isinstance(t.groups[j], str) else ("group",))  # type: ignore[index]
                if g in listed:
                    problems.append((where, f"group {short(g)} is listed twice"))
                elif g not in group_index:
                    problems.append((where, unknown_name("group", g, groups)))
                elif t.name not in skills[group_index[g]]:
                    problems.append((where, f"group {g!r} has no skill {t.name!r}"))
                listed.add(g)
        if t.name not in served:
            problems.append(((*base, "name"), f"no agent group has the skill {short(t.name)}"))
        if t.channel == "email":
            for key in ("patience", "callback", "redial", "transfer"):
                if getattr(t, key) is not None:
                    problems.append(((*base, key), f"an e-mail type takes no {key} (it waits "
                                     "in the backlog until an agent takes it)"))  # fmt: skip
            if t.balk > 0:
                problems.append(((*base, "balk"), "an e-mail type takes no balk (it waits in "
                                 "the backlog until an agent takes it)"))  # fmt: skip
        elif t.channel == "chat" and t.callback is not None:
            problems.append(((*base, "callback"), "callbacks are for calls (channel: voice)"))
        elif t.due is not None:
            problems.append(((*base, "due"), "due is for channel: email; real-time types "
                             "use service_level.threshold"))  # fmt: skip
        if t.callback is not None:
            per_interval(
                (*base, "callback", "dial_time", "mean"), t.callback.dial_time.mean, "mean"
            )
        if t.redial is not None:
            per_interval((*base, "redial", "delay", "mean"), t.redial.delay.mean, "mean")
        if t.repeat is not None:
            per_interval((*base, "repeat", "delay", "mean"), t.repeat.delay.mean, "mean")
            if t.repeat.as_type is not None and t.repeat.as_type not in type_index:
                path = (*base, "repeat", "as_type")
                problems.append((path, unknown_name("contact type", t.repeat.as_type, types)))
        if t.transfer is not None:
            problems.extend(_transfer_problems(s, i, type_index))

    for i, g in enumerate(s.agent_groups):
        base = ("agent_groups", i)
        for j, skill in enumerate(g.skills):
            if skill not in type_index:
                problems.append(((*base, "skills", j), unknown_name("contact type", skill, types)))
        if len(skills[i]) != len(g.skills):
            problems.append(((*base, "skills"), "a skill is listed twice"))
        if (g.staffing is None) == (g.shifts is None):
            problems.append((base, "give either staffing (per interval) or shifts, not both"))
        per_interval((*base, "staffing"), g.staffing, "staffing")
        routed = [
            k
            for k in skills[i]
            if k in type_index
            and (routes[type_index[k]] is None or g.name in routes[type_index[k]])  # type: ignore[operator]
        ]
        if g.skills and all(k in type_index for k in g.skills) and not routed:
            problems.append(
                (
                    (*base, "skills"),
                    f"group {g.name!r} serves no contact type: the routing order "
                    "(groups) of every type in its skills leaves it out",
                )
            )
        for j, shift in enumerate(g.shifts or []):
            problems.extend(_shift_problems(s, shift, (*base, "shifts", j)))
        problems.extend(_activity_problems(s, g, (*base, "activities")))
        if g.concurrency > 1:
            voice = [
                k
                for k in g.skills
                if k in type_index and s.contact_types[type_index[k]].channel != "chat"
            ]
            if voice:
                problems.append(
                    ((*base, "concurrency"), f"a group with concurrency serves chat types only; "
                     f"{', '.join(voice)} {'is' if len(voice) == 1 else 'are'} not channel: chat")
                )  # fmt: skip
        if isinstance(g.stretch, list) and len(g.stretch) != g.concurrency:
            problems.append(
                ((*base, "stretch"), f"stretch has {len(g.stretch)} factors; expected one per "
                 f"session (concurrency {g.concurrency})")
            )  # fmt: skip
        for name, own in g.handle_time.items():
            path = (*base, "handle_time", name)
            if name not in type_index:
                problems.append((path, unknown_name("contact type", name, types)))
            elif name not in skills[i]:
                problems.append((path, f"group {g.name!r} has no skill {name!r}"))
            elif hasattr(own, "dist"):  # a distribution of its own
                per_interval((*path, "mean"), own.mean, "mean")
        if g.reserve is not None:
            problems.extend(_reserve_problems(g, (*base, "reserve"), routed, type_index, types))
        if g.fcr is not None:
            repeating = {t.name for t in s.contact_types if t.repeat is not None}
            named = g.fcr if isinstance(g.fcr, dict) else {}
            for name in named:
                if name not in type_index:
                    problems.append(
                        ((*base, "fcr", name), unknown_name("contact type", name, types))
                    )
                elif name not in repeating:
                    problems.append(
                        ((*base, "fcr", name), f"contact type {name!r} has no repeat (add "
                         "contact_types[].repeat with its fcr and delay)")
                    )  # fmt: skip
            if not named and not any(k in repeating for k in g.skills):
                problems.append(
                    ((*base, "fcr"), "none of the group's skills has a repeat (add "
                     "contact_types[].repeat with its fcr and delay)")
                )  # fmt: skip

    for d, day in enumerate(s.days or []):
        if isinstance(day.volume, dict):
            for name in day.volume:
                if name not in type_index:
                    path = ("days", d, "volume", name)
                    problems.append((path, unknown_name("contact type", name, types)))
        for name, staff in day.staffing.items():
            path = ("days", d, "staffing", name)
            if name not in group_index:
                problems.append((path, unknown_name("agent group", name, groups)))
            elif s.agent_groups[group_index[name]].staffing is None:
                problems.append((path, f"group {name!r} is staffed by shifts; a day can only "
                                 "replace staffing per interval"))  # fmt: skip
            else:
                per_interval(path, staff, "staffing")
    if s.days is not None and len({d.name for d in s.days}) != len(s.days):
        problems.append((("days",), "day names must be unique"))
    if s.start_state is not None:
        for name in s.start_state.waiting:
            if name not in type_index:
                path = ("start_state", "waiting", name)
                problems.append((path, unknown_name("contact type", name, types)))
        calls = sum(
            n for name, n in s.start_state.waiting.items()
            if name in type_index and s.contact_types[type_index[name]].channel == "voice"
        )  # fmt: skip
        if s.lines is not None and calls > s.lines:
            problems.append((("start_state", "waiting"), f"{calls} calls already waiting "
                             f"need {calls} trunk lines; the centre has {s.lines}"))  # fmt: skip

    if s.costs is not None:
        for name in s.costs.agent_groups:
            if name not in group_index:
                problems.append(
                    (("costs", "agent_groups", name), unknown_name("agent group", name, groups))
                )
        if isinstance(s.costs.abandoned_contact, dict):
            for name in s.costs.abandoned_contact:
                if name not in type_index:
                    path = ("costs", "abandoned_contact", name)
                    problems.append((path, unknown_name("contact type", name, types)))

    if s.ivr is not None:
        per_interval(("ivr", "time", "mean"), s.ivr.time.mean, "mean")
        for key in ("deflection", "abandon"):
            value = getattr(s.ivr, key)
            if isinstance(value, dict):
                for name in value:
                    if name not in type_index:
                        problems.append(
                            (("ivr", key, name), unknown_name("contact type", name, types))
                        )
                    elif s.contact_types[type_index[name]].channel != "voice":
                        problems.append((("ivr", key, name), f"{name!r} is not a call: chat and "
                                         "e-mail skip the IVR"))  # fmt: skip
        for name in types:
            if s.ivr.probability("deflection", name) + s.ivr.probability("abandon", name) > 1:
                problems.append((("ivr",), f"deflection + abandon exceed 1 for {name!r}"))
    if not problems:  # (the sizes read lists that have their lengths)
        problems.extend(size_problems(s))
    return problems


def _transfer_problems(
    s: Scenario, i: int, type_index: dict[str, int]
) -> list[tuple[tuple[str | int, ...], str]]:
    """A type's transfer: a known other type of the same channel, no loop of transfers."""
    t = s.contact_types[i]
    transfer = t.transfer
    assert transfer is not None
    path: tuple[str | int, ...] = ("contact_types", i, "transfer")
    if transfer.to not in type_index:
        return [((*path, "to"), unknown_name("contact type", transfer.to, s.type_names))]
    target = s.contact_types[type_index[transfer.to]]
    if target.channel != t.channel:
        return [((*path, "to"), f"a {t.channel} contact is transferred to a {t.channel} type; "
                 f"{transfer.to!r} is channel: {target.channel}")]  # fmt: skip
    if t.callback is not None:
        return [(path, "a type with a callback takes no transfer (a called-back customer "
                 "holds no trunk line to pass on)")]  # fmt: skip
    seen, name = [t.name], transfer.to
    while name in type_index:  # follow the transfers from this type: no loop back
        if name in seen:
            loop = " -> ".join([*seen[seen.index(name) :], name])
            return [((*path, "to"), f"transfers go round in a loop ({loop})")]
        seen.append(name)
        nxt = s.contact_types[type_index[name]].transfer
        name = nxt.to if nxt is not None else ""
    return []


def _reserve_problems(
    g: AgentGroup,
    path: tuple[str | int, ...],
    routed: list[str],
    type_index: dict[str, int],
    types: list[str],
) -> list[tuple[tuple[str | int, ...], str]]:
    """A group's reservation: a skill it serves, agents of a voice-like group."""
    assert g.reserve is not None
    skill = g.reserve.skill
    if g.concurrency > 1:
        return [(path, "reservation is for groups that take one contact at a time "
                 "(concurrency 1)")]  # fmt: skip
    if skill is None:  # the group's first skill
        skill, path = g.skills[0], (*path[:-1], "skills", 0)
    if skill not in type_index:
        return [((*path, "skill"), unknown_name("contact type", skill, types))]
    if skill not in routed:
        return [((*path, "skill"), f"group {g.name!r} does not serve {skill!r} (not in its "
                 "skills, or the type's groups leave it out)")]  # fmt: skip
    return []


def _arrival_problems(
    s: Scenario, arrivals: Arrivals, path: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Per-interval rates, a profile with one share per interval, day shares per day."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    n = s.horizon.intervals
    rate = arrivals.rate_per_hour
    if isinstance(rate, list) and len(rate) != n:
        out.append(((*path, "rate_per_hour"), f"rate_per_hour has {len(rate)} values; "
                    f"expected {n} (one per interval) or one"))  # fmt: skip
    if arrivals.profile is not None and len(arrivals.profile) != n:
        out.append(((*path, "profile"), f"profile has {len(arrivals.profile)} shares; "
                    f"expected {n} (one per interval)"))  # fmt: skip
    if arrivals.weekly_volume is not None and not s.days:
        out.append(((*path, "weekly_volume"), "weekly_volume is the volume of the run's days: "
                    "give days (or give volume, contacts a day)"))  # fmt: skip
    shares = arrivals.day_shares
    if shares is not None and s.days and len(shares) != len(s.days):
        out.append(((*path, "day_shares"), f"day_shares has {len(shares)} shares; expected "
                    f"{len(s.days)} (one per day of days)"))  # fmt: skip
    return out


def _shift_problems(
    s: Scenario, shift: Shift, path: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    try:
        day_start = s.day_start()
    except ValueError:
        return out
    times = {}
    for key in ("start", "end"):
        try:
            times[key] = parse_clock(getattr(shift, key), day_start)
        except ValueError as exc:
            out.append(((*path, key), str(exc)))
    if len(times) == 2 and times["end"] <= times["start"]:
        out.append(((*path, "end"), "a shift must end after it starts"))
    if shift.days is not None:
        names = [d.name for d in s.days or []]
        if not names:
            out.append(((*path, "days"), "a shift's days name days of the scenario's days: "
                        "section, which this scenario does not have"))  # fmt: skip
        for k, day in enumerate(shift.days if names else []):
            if day not in names:
                out.append(((*path, "days", k), unknown_name("day", day, names)))
        if len(set(shift.days)) != len(shift.days):
            out.append(((*path, "days"), "a day is listed twice"))
    length = times.get("end", 0.0) - times.get("start", 0.0)
    for k, brk in enumerate(shift.breaks):
        latest = brk.window[1] if brk.window is not None else (brk.start or 0.0)
        if len(times) == 2 and latest + brk.duration > length:
            out.append(((*path, "breaks", k), "the break does not fit in the shift"))
    return out


def _activity_problems(
    s: Scenario, group: AgentGroup, path: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Times of a group's activities, and whether its schedule has the agents for them."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    try:
        day_start = s.day_start()
    except ValueError:
        return out
    length = s.horizon.length
    spans: dict[int, tuple[float, float]] = {}
    for j, act in enumerate(group.activities):
        key = "duration" if act.duration is not None else "end"
        try:
            start = parse_clock(act.start, day_start)
        except ValueError as exc:
            out.append(((*path, j, "start"), str(exc)))
            continue
        try:
            stop = act.span(day_start)[1]
        except ValueError as exc:
            out.append(((*path, j, key), str(exc)))
            continue
        if stop <= start:
            message = "an activity must end after it starts"
            if key == "duration":
                message = "an activity must last more than 0s"
            out.append(((*path, j, key), message))
        elif start >= length:
            message = f"the activity starts at or after the end of the day ({_clock(length, s)})"
            out.append(((*path, j, "start"), message))
        elif stop > length:
            message = f"the activity ends after the end of the day ({_clock(length, s)})"
            out.append(((*path, j, key), message))
        else:
            spans[j] = (start, stop)
    out.sort(key=lambda problem: problem[0][len(path)])  # by activity
    needs = _in_progress(spans, [a.agents for a in group.activities])
    for j, need in needs.items():
        start = spans[j][0]
        have = scheduled_agents(s, group, start)
        if have is None or need <= have:
            continue
        act = group.activities[j]
        others = need - act.agents
        also = f" ({others} more are on other activities then)" if others else ""
        out.append(
            (
                (*path, j, "agents"),
                f"{act.name!r} needs {_agents(act.agents)} at {_clock(start, s)}{also} but "
                f"group {group.name!r} has {have} scheduled then",
            )
        )
    return out


def _in_progress(spans: dict[int, tuple[float, float]], agents: list[int]) -> dict[int, int]:
    """For each activity (by index), the agents on activities in progress at its start."""
    return {
        j: sum(agents[k] for k, (a, b) in spans.items() if a <= start < b)
        for j, (start, _) in spans.items()
    }


def activity_needs(s: Scenario, g: int) -> list[tuple[float, int]]:
    """``(start, agents)`` per activity of group ``g`` (file order) of a valid scenario.

    ``agents`` counts everyone on an activity of the group at that start (the activity
    itself and others in progress): the agents the group must have scheduled then.
    """
    day_start = s.day_start()
    group = s.agent_groups[g]
    spans = {j: act.span(day_start) for j, act in enumerate(group.activities)}
    needs = _in_progress(spans, [a.agents for a in group.activities])
    return [(spans[j][0], needs[j]) for j in range(len(group.activities))]


def scheduled_agents(s: Scenario, group: AgentGroup, t: float) -> int | None:
    """Agents a group has scheduled at time ``t`` (None if its staffing is not valid).

    Staffing of the interval holding ``t``, or the agents of shifts with
    start <= t < end; agents on a break count, absence does not. With shifts worked on
    some ``days`` only, the fewest of any day (activities happen every day).
    """
    if group.staffing is not None:
        if not isinstance(group.staffing, list):
            return group.staffing
        if len(group.staffing) != s.horizon.intervals or s.horizon.interval <= 0:
            return None
        return group.staffing[min(int(t // s.horizon.interval), s.horizon.intervals - 1)]
    here = []  # the shifts that cover t
    for shift in group.shifts or []:
        try:
            start = parse_clock(shift.start, s.day_start())
            stop = parse_clock(shift.end, s.day_start())
        except ValueError:
            return None
        if start <= t < stop:
            here.append(shift)
    days = [d.name for d in s.days] if s.days else []
    if not days or all(shift.days is None for shift in here):
        return sum(shift.agents for shift in here)
    return min(sum(shift.agents for shift in here if shift.works_on(day)) for day in days)


def _agents(n: int) -> str:
    return f"{n} agent" + ("" if n == 1 else "s")


def _clock(t: float, s: Scenario) -> str:
    """Seconds since t = 0 as the clock time a planner wrote (``14:00``)."""
    seconds = round(t + s.day_start())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def unknown_name(what: str, name: str, known: list[str]) -> str:
    """A message for a name not among ``known``, with the closest one as a hint.

    Examples
    --------
    >>> unknown_name("contact type", "salse", ["sales", "service"])
    "unknown contact type 'salse'; did you mean 'sales'?"
    """
    import difflib

    candidates = known if len(known) <= 200 else []  # (difflib is quadratic)
    close = difflib.get_close_matches(name, candidates, n=1) if len(name) <= 200 else []
    listed = ", ".join(known[:10]) + (f", ... ({len(known)} in all)" if len(known) > 10 else "")
    hint = f"; did you mean {close[0]!r}?" if close else f" (known: {listed})"
    return f"unknown {what} {short(name)}{hint}"
