"""The plan: a scenario compiled to flat arrays that both engines read.

A :class:`Plan` holds, per contact type and interval, the arrival rate and the mean
of every time distribution; per group, its skills in order, speed and routing policy;
and the *roster*: the time-ordered list of staffing events (agents joining, leaving,
going on break) that staffing per interval and shifts both compile to.

Staffing model (the rules both engines follow):

* Agents of one group are interchangeable (same skills, speed and policy), so a group
  is a count of idle agents, a count of busy ones and what it still owes its roster.
* ``JOIN n``: n agents arrive. They first cancel agents still owed a departure (an
  agent who was due to leave after its call simply stays); the rest become available.
* ``LEAVE n``: idle agents leave at once; for the rest, the next agents to finish a
  call (or return from a break) leave instead of taking another contact.
* ``BREAK n, d``: idle agents go on a break of length d at once; for the rest, the next
  agents to finish a call go on a break of length d then.
* Agents owed a break or a leave are the group's, not one shift's: with
  interchangeable agents only the count matters (a break still owed when its shift
  ends is taken by the next agent of the group to finish a call).
* A contact type's routing order (``groups``) says which groups serve it: a group
  left out of it neither receives the type's arrivals nor takes it from the queue.
* Absence: each scheduled agent of a group is absent for the whole day with the
  group's ``absence`` probability, drawn per replication (see
  :func:`ccsim.streams.day_roster`); the roster of that day then has fewer agents.
* Follow-ups: a contact that abandons in the queue or is blocked may be redialled,
  and a handled one may leave its customer unresolved, who then contacts again
  (a repeat, possibly as another type). These are new contacts created while the
  day runs (see :class:`ccsim.followups.FollowUpPool` for their variates).
* Staffing per interval compiles to JOIN/LEAVE at interval boundaries; a shift to a
  JOIN at its start, a LEAVE at its end and BREAKs at their times (breaks in a window
  are spread evenly over the shift's agents). Roster events at or after the end of the
  horizon are dropped: the centre drains with the staff it has then.
* Routing (:mod:`ccsim.engines.reference.routing`): a type's routing order may give a
  group a wait (``{group: g, after: 30s}``): the group gets a contact of the type only
  once it has waited that long (``type_after``, ``group_after``, and each type's
  distinct waits in ``overflow_after``, when a waiting contact is offered again). A
  group with ``reserve`` keeps idle agents for one skill: a contact of another type
  takes one of its agents only while more than that many are idle (``type_keep``,
  ``group_keep``). A group's handle time for a type is the type's times a multiplier
  (``handle_factor``) or a distribution of its own (a *pair*: ``pair_row``).
* Planned activities (``agent_groups[].activities``: meetings, training) compile to a
  BREAK of their agents and length at their start, after the group's staffing and
  shift events of that instant. So agents on a call join after it and stay off the
  phones for the whole length, and time on an activity is not staffed time. An
  activity takes the agents it asks for, or, when the day's roster has fewer (absent
  agents do not attend), as many as are scheduled at its start and not already on
  another activity of the group in progress (activities in start order, file order
  at equal starts). Validation refuses a plan whose schedule lacks them, so only
  absence can shrink an activity.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ccsim.scenario.distributions import Distribution
from ccsim.scenario.model import Activity, AgentGroup, ContactType, Day, Scenario
from ccsim.scenario.units import parse_clock

__all__ = ["BREAK", "CLOSE", "JOIN", "LEAVE", "POLICIES", "Plan", "compile_plan", "roster_arrays"]

JOIN, LEAVE, BREAK, CLOSE = 0, 1, 2, 3
POLICIES = ("longest_waiting", "priority", "priority_age")


@dataclass(frozen=True)
class Plan:
    """Flat, engine-ready arrays of one scenario (see the module docstring)."""

    scenario: Scenario
    n_days: int  # days one after another (``days``; 1 without)
    n_types: int
    n_groups: int
    n_intervals: int
    interval: float
    warmup: float
    end: float  # end of the last interval (no arrivals after)
    max_drain: float
    rate: np.ndarray  # (types, intervals) arrivals per second
    day_factor_cv: float
    type_day_factor_cv: np.ndarray  # (types,)
    handle: tuple[Distribution, ...]
    handle_mean: np.ndarray  # (types, intervals) seconds
    wrap_up: tuple[Distribution | None, ...]
    wrap_up_mean: np.ndarray
    patience: tuple[Distribution | None, ...]
    patience_mean: np.ndarray
    sl_threshold: np.ndarray  # (types,)
    sl_target: np.ndarray
    lines: int  # 0 = unlimited
    ivr: Distribution | None
    ivr_mean: np.ndarray  # (intervals,)
    ivr_deflect: np.ndarray  # (types,)
    ivr_abandon: np.ndarray
    ivr_ports: int  # 0 = unlimited
    type_groups: np.ndarray  # (types, groups) routing order, padded with -1
    group_types: np.ndarray  # (groups, types) skills in order, padded with -1
    group_speed: np.ndarray  # (groups,)
    group_policy: np.ndarray  # (groups,) index into POLICIES
    group_absence: np.ndarray  # (groups,) probability a scheduled agent is absent all day
    # follow-ups (types without them: probability 0, max 0)
    redial_delay: tuple[Distribution | None, ...]
    redial_p: np.ndarray  # (types,)
    redial_max: np.ndarray  # (types,) int64
    redial_mean: np.ndarray  # (types, intervals) seconds
    repeat_delay: tuple[Distribution | None, ...]
    fcr: np.ndarray  # (types, groups) probability a handled contact is resolved
    repeat_type: np.ndarray  # (types,) int64 type of the repeat contact
    repeat_max: np.ndarray  # (types,) int64
    repeat_mean: np.ndarray  # (types, intervals) seconds
    # callbacks (types without: threshold inf)
    callback_threshold: np.ndarray  # (types,) predicted wait above which one is offered
    callback_acceptance: np.ndarray  # (types,)
    callback_no_answer: np.ndarray  # (types,)
    dial_time: tuple[Distribution | None, ...]
    dial_mean: np.ndarray  # (types, intervals) seconds
    # chat: sessions an agent handles at once (1 = one contact at a time), the factor
    # stretching a session started as the agent's m-th (column m - 1), and the most
    # agents a chat group can have (per-agent state is kept for those groups only)
    group_sessions: np.ndarray  # (groups,) int64
    group_stretch: np.ndarray  # (groups, max sessions)
    group_agents: np.ndarray  # (groups,) int64, 0 for groups with one session
    # e-mail: deferred work, taken only when no real-time contact of the group waits;
    # group_types lists a group's real-time skills first, its e-mail skills from
    # group_email_from on
    type_email: np.ndarray  # (types,) bool
    type_voice: np.ndarray  # (types,) bool: holds a trunk line and goes through the IVR
    group_email_from: np.ndarray  # (groups,) int64
    start_waiting: np.ndarray  # (types,) int64 contacts already waiting at t = 0
    # routing: per entry of type_groups (group_types) the wait before that group gets
    # the type and the idle agents it keeps from the type; each type's distinct
    # positive waits, sorted (inf after); the priority_age policy's head start and
    # weight; balking; transfers; handle time per (type, group): a multiplier, or a
    # distribution of its own (pair p of type pair_type[p], group pair_group[p])
    type_after: np.ndarray  # (types, groups)
    type_keep: np.ndarray  # (types, groups) int64
    group_after: np.ndarray  # (groups, types)
    group_keep: np.ndarray  # (groups, types) int64
    overflow_after: np.ndarray  # (types, waits) at least one column
    head_start: np.ndarray  # (types,) seconds
    wait_weight: np.ndarray  # (types,)
    balk: np.ndarray  # (types,) probability of hanging up when no agent is idle
    transfer_p: np.ndarray  # (types,)
    transfer_to: np.ndarray  # (types,) int64
    transfer_stay: np.ndarray  # (types,) bool
    handle_factor: np.ndarray  # (types, groups)
    pair_row: np.ndarray  # (types, groups) int64, -1: no distribution of the group's own
    pair_type: np.ndarray  # (pairs,) int64
    pair_group: np.ndarray  # (pairs,) int64
    pair_handle: tuple[Distribution, ...]
    pair_mean: np.ndarray  # (pairs, intervals) seconds
    roster_time: np.ndarray  # (events,) sorted
    roster_group: np.ndarray
    roster_kind: np.ndarray  # JOIN / LEAVE / BREAK
    roster_count: np.ndarray
    roster_duration: np.ndarray  # break length (0 otherwise)
    type_names: tuple[str, ...] = field(default=())
    group_names: tuple[str, ...] = field(default=())

    @property
    def roster(self) -> tuple[np.ndarray, ...]:
        """The roster columns (time, group, kind, count, duration), in that order."""
        return (
            self.roster_time, self.roster_group, self.roster_kind, self.roster_count,
            self.roster_duration,
        )  # fmt: skip

    @functools.cached_property
    def has_sessions(self) -> bool:
        """Some group handles several chat sessions at once."""
        return bool((self.group_sessions > 1).any())

    @functools.cached_property
    def has_callbacks(self) -> bool:
        """Some contact type offers callbacks (virtual hold)."""
        return bool(np.isfinite(self.callback_threshold).any())

    @functools.cached_property
    def has_followups(self) -> bool:
        """Some contact type has redials, repeat contacts or transfers.

        Each makes new contacts while the day runs, from the follow-up pool.
        """
        return bool(self.redial_max.any() or self.repeat_max.any() or self.has_transfers)

    @functools.cached_property
    def has_transfers(self) -> bool:
        """Some contact type transfers handled contacts on."""
        return bool((self.transfer_p > 0).any())

    @functools.cached_property
    def has_stay(self) -> bool:
        """Some transfer keeps its first agent on the line until it is answered."""
        return bool(((self.transfer_p > 0) & self.transfer_stay).any())

    @functools.cached_property
    def has_balking(self) -> bool:
        """Some contact type may hang up at once when no agent is idle."""
        return bool((self.balk > 0).any())

    @functools.cached_property
    def has_routing(self) -> bool:
        """Some group gets a type only after a wait, or keeps agents for a skill."""
        return bool((self.type_after > 0).any() or (self.type_keep > 0).any())

    @functools.cached_property
    def has_pairs(self) -> bool:
        """Some group has a handle-time distribution of its own for a type."""
        return len(self.pair_type) > 0

    @functools.cached_property
    def scaled(self) -> bool:
        """Some group's handle time for a type differs from the type's own."""
        return self.has_pairs or bool((self.handle_factor != 1.0).any())

    def talk_mean(self, t: int, g: int) -> np.ndarray:
        """Mean talk time (seconds) of type ``t`` answered by group ``g``, per interval.

        The group's own distribution for the type, or the type's times the group's
        multiplier; at the group's ``speed`` (as both engines draw it; wrap-up apart).
        """
        p = int(self.pair_row[t, g])
        if p >= 0:
            days = max(self.n_days, 1)
            own = np.tile(self.pair_handle[p].means(self.n_intervals // days), days)
        else:
            own = self.handle_mean[t] * self.handle_factor[t, g]
        return own / self.group_speed[g]

    def followup_targets(self) -> np.ndarray:
        """Whether each type can receive follow-up contacts (redials, repeats, transfers)."""
        target = self.redial_max > 0
        target[self.repeat_type[self.repeat_max > 0]] = True
        target[self.transfer_to[self.transfer_p > 0]] = True
        return target

    def interval_edges(self) -> np.ndarray:
        """Start times of the intervals and the end of the last one."""
        return np.arange(self.n_intervals + 1) * self.interval


def compile_plan(scenario: Scenario) -> Plan:
    """Compile a validated scenario into a :class:`Plan`.

    Parameters
    ----------
    scenario : Scenario
        A scenario returned by :func:`ccsim.load_scenario`.

    Returns
    -------
    Plan
    """
    s = scenario
    n = s.horizon.intervals
    days = s.days or []
    n_days = max(len(days), 1)
    types, groups = s.type_names, s.group_names

    def means(dists: list[Distribution | None]) -> np.ndarray:
        day = np.array([d.means(n) if d is not None else np.zeros(n) for d in dists])
        return np.tile(day, n_days)  # every day has the same means by clock time

    def rates(t: ContactType) -> np.ndarray:
        # rate_per_hour as written, or a volume spread by its profile (and day shares)
        hourly = t.arrivals.hourly_rates(n, s.horizon.interval, days)
        if not days:
            return np.asarray(hourly[0], dtype=float) / 3600.0
        return np.concatenate(
            [
                np.asarray(r, dtype=float) / 3600.0 * d.volume_of(t.name)
                for r, d in zip(hourly, days, strict=True)
            ]
        )

    handle = [t.handle_time for t in s.contact_types]
    wrap = [t.wrap_up for t in s.contact_types]
    patience = [t.patience for t in s.contact_types]

    type_groups = np.full((len(types), len(groups)), -1, dtype=np.int64)
    type_after = np.zeros((len(types), len(groups)))
    waits: list[list[float]] = []
    for i, t in enumerate(s.contact_types):
        order = t.routing()
        if order is None:
            order = [(g.name, 0.0) for g in s.agent_groups if t.name in g.skills]
        type_groups[i, : len(order)] = [groups.index(g) for g, _ in order]
        type_after[i, : len(order)] = [after for _, after in order]
        waits.append(sorted({after for _, after in order if after > 0}))
    overflow_after = np.full((len(types), max(1, *map(len, waits))), np.inf)
    for i, row in enumerate(waits):
        overflow_after[i, : len(row)] = row
    # A group takes from the queue only the types whose routing order includes it.
    # Real-time skills first, then e-mail (taken only when no real-time contact waits).
    email = np.array([t.channel == "email" for t in s.contact_types])
    voice = np.array([t.channel == "voice" for t in s.contact_types])
    group_types = np.full((len(groups), len(types)), -1, dtype=np.int64)
    email_from = np.zeros(len(groups), dtype=np.int64)
    keep = np.zeros((len(types), len(groups)), dtype=np.int64)  # by (type, group)
    for j, g in enumerate(s.agent_groups):
        serves = [types.index(k) for k in g.skills if j in type_groups[types.index(k)]]
        serves = [k for k in serves if not email[k]] + [k for k in serves if email[k]]
        group_types[j, : len(serves)] = serves
        email_from[j] = sum(1 for k in serves if not email[k])
        if g.reserve is not None:
            own = types.index(g.reserve.skill or g.skills[0])
            keep[[k for k in serves if k != own], j] = g.reserve.agents
    after = np.zeros((len(types), len(groups)))  # by (type, group)
    for i in range(len(types)):
        routed = type_groups[i] >= 0
        after[i, type_groups[i, routed]] = type_after[i, routed]
    type_keep = np.where(
        type_groups >= 0, np.take_along_axis(keep, np.maximum(type_groups, 0), 1), 0
    )
    member = np.maximum(group_types, 0)
    group_after = np.where(group_types >= 0, after.T[np.arange(len(groups))[:, None], member], 0.0)
    group_keep = np.where(group_types >= 0, keep.T[np.arange(len(groups))[:, None], member], 0)
    handle_factor = np.ones((len(types), len(groups)))
    pair_row = np.full((len(types), len(groups)), -1, dtype=np.int64)
    pairs: list[tuple[int, int, Distribution]] = []
    for j, g in enumerate(s.agent_groups):
        for name, own in g.handle_time.items():
            i = types.index(name)
            if isinstance(own, Distribution):
                pair_row[i, j] = len(pairs)
                pairs.append((i, j, own))
            else:
                handle_factor[i, j] = own.multiplier
    transfer = [t.transfer for t in s.contact_types]

    roster = roster_arrays(s)
    ivr = s.ivr
    callback = [t.callback for t in s.contact_types]
    sessions = np.array([g.concurrency for g in s.agent_groups], dtype=np.int64)
    stretch = np.ones((len(groups), int(sessions.max())))
    for j, g in enumerate(s.agent_groups):
        stretch[j, : g.concurrency] = g.stretch_factors()
    redial = [t.redial for t in s.contact_types]
    repeat = [t.repeat for t in s.contact_types]
    fcr = np.ones((len(types), len(groups)))
    for i, t in enumerate(s.contact_types):
        if t.repeat is None:
            continue
        fcr[i] = t.repeat.fcr
        for j, g in enumerate(s.agent_groups):
            own = g.fcr.get(t.name) if isinstance(g.fcr, dict) else g.fcr
            if own is not None:
                fcr[i, j] = own
    return Plan(
        scenario=s,
        n_days=n_days,
        n_types=len(types),
        n_groups=len(groups),
        n_intervals=n * n_days,
        interval=s.horizon.interval,
        warmup=s.horizon.warmup,
        end=s.horizon.length * n_days,
        max_drain=s.horizon.max_drain,
        rate=np.array([rates(t) for t in s.contact_types]),
        day_factor_cv=s.forecast.day_factor_cv,
        type_day_factor_cv=np.array([t.arrivals.day_factor_cv for t in s.contact_types]),
        handle=tuple(handle),
        handle_mean=means(list(handle)),
        wrap_up=tuple(wrap),
        wrap_up_mean=means(wrap),
        patience=tuple(patience),
        patience_mean=means(patience),
        sl_threshold=np.array(
            [t.due if t.due is not None else t.service_level.threshold for t in s.contact_types]
        ),
        sl_target=np.array([t.service_level.target for t in s.contact_types]),
        lines=s.lines or 0,
        ivr=ivr.time if ivr is not None else None,
        ivr_mean=np.tile(ivr.time.means(n) if ivr is not None else np.zeros(n), n_days),
        ivr_deflect=np.array([ivr.probability("deflection", t) if ivr else 0.0 for t in types])
        * voice,  # chat and e-mail skip the IVR
        ivr_abandon=np.array([ivr.probability("abandon", t) if ivr else 0.0 for t in types])
        * voice,
        ivr_ports=(ivr.ports or 0) if ivr is not None else 0,
        type_groups=type_groups,
        group_types=group_types,
        group_speed=np.array([g.speed for g in s.agent_groups]),
        group_policy=np.array([POLICIES.index(g.policy) for g in s.agent_groups], dtype=np.int64),
        group_absence=np.array([g.absence for g in s.agent_groups]),
        redial_delay=tuple(r.delay if r else None for r in redial),
        redial_p=np.array([r.probability if r else 0.0 for r in redial]),
        redial_max=np.array([r.max if r else 0 for r in redial], dtype=np.int64),
        redial_mean=means([r.delay if r else None for r in redial]),
        repeat_delay=tuple(r.delay if r else None for r in repeat),
        fcr=fcr,
        repeat_type=np.array(
            [types.index(r.as_type) if r and r.as_type else i for i, r in enumerate(repeat)],
            dtype=np.int64,
        ),
        repeat_max=np.array([r.max if r else 0 for r in repeat], dtype=np.int64),
        repeat_mean=means([r.delay if r else None for r in repeat]),
        callback_threshold=np.array([b.threshold if b else np.inf for b in callback]),
        callback_acceptance=np.array([b.acceptance if b else 0.0 for b in callback]),
        callback_no_answer=np.array([b.no_answer if b else 0.0 for b in callback]),
        dial_time=tuple(b.dial_time if b else None for b in callback),
        dial_mean=means([b.dial_time if b else None for b in callback]),
        type_email=email,
        type_voice=voice,
        group_email_from=email_from,
        start_waiting=np.array(
            [(s.start_state.waiting.get(t, 0) if s.start_state else 0) for t in types],
            dtype=np.int64,
        ),
        group_sessions=sessions,
        group_stretch=stretch,
        group_agents=np.array(
            [
                int(roster[3][(roster[1] == j) & (roster[2] == JOIN)].sum()) if k > 1 else 0
                for j, k in enumerate(sessions)
            ],
            dtype=np.int64,
        ),
        roster_time=roster[0],
        roster_group=roster[1].astype(np.int64),
        roster_kind=roster[2].astype(np.int64),
        roster_count=roster[3].astype(np.int64),
        roster_duration=roster[4],
        type_after=type_after,
        type_keep=type_keep.astype(np.int64),
        group_after=group_after,
        group_keep=group_keep.astype(np.int64),
        overflow_after=overflow_after,
        head_start=np.array([t.head_start for t in s.contact_types]),
        wait_weight=np.array([t.wait_weight for t in s.contact_types]),
        balk=np.array([t.balk for t in s.contact_types]),
        transfer_p=np.array([x.probability if x else 0.0 for x in transfer]),
        transfer_to=np.array(
            [types.index(x.to) if x else i for i, x in enumerate(transfer)], dtype=np.int64
        ),
        transfer_stay=np.array([bool(x and x.stay) for x in transfer]),
        handle_factor=handle_factor,
        pair_row=pair_row,
        pair_type=np.array([i for i, _, _ in pairs], dtype=np.int64),
        pair_group=np.array([j for _, j, _ in pairs], dtype=np.int64),
        pair_handle=tuple(d for _, _, d in pairs),
        pair_mean=means([d for _, _, d in pairs]).reshape(len(pairs), n * n_days),
        type_names=tuple(types),
        group_names=tuple(groups),
    )


def roster_arrays(
    s: Scenario, present: Callable[[int, int], np.ndarray] | None = None
) -> tuple[np.ndarray, ...]:
    """The roster of the whole run: one day's, or each of ``days`` one after another.

    Day d covers [d x L, (d + 1) x L) with L the day's length (the night is not
    simulated). A day's staffing comes from the scenario, with the day's own
    ``staffing`` for the groups it names. At the end of every day but the last, the
    centre closes: a CLOSE event (waiting real-time contacts are turned away), then
    every agent still scheduled leaves (after its call), before the next day's agents
    join. ``present`` is called day by day (see :func:`day_events`).
    """
    if not s.days:
        return _merged(day_events(s, present))
    length = s.horizon.length
    events: list[tuple[float, int, int, int, float]] = []
    for d, day in enumerate(s.days):
        groups = [_on_day(g, day) for g in s.agent_groups]
        same = all(a is b for a, b in zip(groups, s.agent_groups, strict=True))
        today = s if same else s.model_copy(update={"agent_groups": groups})  # per replication
        mine = day_events(today, present)
        events += [(t + d * length, g, kind, n, dur) for t, g, kind, n, dur in mine]
        if d + 1 < len(s.days):  # closing time
            events.append(((d + 1) * length, 0, CLOSE, 0, 0.0))
            level = np.zeros(len(s.agent_groups), dtype=np.int64)
            for _, g, kind, n, _ in mine:
                level[g] += n if kind == JOIN else -n if kind == LEAVE else 0
            for g in np.flatnonzero(level > 0):
                events.append(((d + 1) * length, int(g), LEAVE, int(level[g]), 0.0))
    return _merged(events)


def _on_day(group: AgentGroup, day: Day) -> AgentGroup:
    """The group as it works on ``day``: the day's own staffing, the shifts worked that day."""
    if group.name in day.staffing:
        return group.model_copy(update={"staffing": day.staffing[group.name]})
    if group.shifts and any(shift.days is not None for shift in group.shifts):
        return group.model_copy(
            update={"shifts": [shift for shift in group.shifts if shift.works_on(day.name)]}
        )
    return group


def day_events(
    s: Scenario, present: Callable[[int, int], np.ndarray] | None = None
) -> list[tuple[float, int, int, int, float]]:
    """Staffing per interval and shifts as time-ordered (time, group, kind, n, d).

    Activities become BREAK events (see the module docstring). ``present(group, n)``,
    when given, says which of ``n`` scheduled agents come to work (a boolean mask): for
    staffing per interval the group's pool is its largest staffing and agent j works
    interval k if j < staffing[k]; for a shift, its agents in order (window breaks are
    spread over the shift's agents by that order). It is called in a fixed order
    (groups, then their shifts; never for activities, which take agents of the day's
    roster), so a random ``present`` stays reproducible.
    """
    end = s.horizon.length
    length = s.horizon.interval
    day_start = s.day_start()
    events: list[tuple[float, int, int, int, float]] = []
    for g, group in enumerate(s.agent_groups):
        if group.staffing is not None:
            staff = group.staffing if isinstance(group.staffing, list) else [group.staffing]
            staff = staff * (s.horizon.intervals if len(staff) == 1 else 1)
            if present is not None:
                here = np.cumsum(np.concatenate(([0], present(g, max(staff)))))
                staff = [int(here[n]) for n in staff]  # present among agents 0..n-1
            previous = 0
            for k, now in enumerate(staff):
                delta = now - previous
                if delta:
                    events.append((k * length, g, JOIN if delta > 0 else LEAVE, abs(delta), 0.0))
                previous = now
        for shift in group.shifts or []:
            start = parse_clock(shift.start, day_start)
            stop = parse_clock(shift.end, day_start)
            here = present(g, shift.agents) if present is not None else np.ones(shift.agents, bool)
            agents = int(np.count_nonzero(here))
            if agents == 0:
                continue
            events.append((start, g, JOIN, agents, 0.0))
            events.append((stop, g, LEAVE, agents, 0.0))
            for brk in shift.breaks:
                if brk.window is None:
                    events.append((start + (brk.start or 0.0), g, BREAK, agents, brk.duration))
                    continue
                lo, hi = brk.window
                for i in range(shift.agents):
                    if here[i]:
                        at = start + lo + (hi - lo) * i / shift.agents
                        events.append((at, g, BREAK, 1, brk.duration))
        if group.activities:
            mine = [e for e in events if e[1] == g]
            events.extend(_activity_breaks(group.activities, g, day_start, mine))
    # Stable sort by time: at equal times, file order (groups: staffing, shifts,
    # activities) decides.
    return sorted((e for e in events if e[0] < end), key=lambda e: e[0])


def _merged(events: list[tuple[float, int, int, int, float]]) -> tuple[np.ndarray, ...]:
    """Time-ordered roster columns; same-time events of one group and kind merged."""
    events = sorted(events, key=lambda e: e[0])  # stable: file order at equal times
    merged: list[list[float]] = []
    for t, g, kind, count, dur in events:
        last = merged[-1] if merged else None
        if last and last[0] == t and last[1] == g and last[2] == kind and last[4] == dur:
            last[3] += count
        else:
            merged.append([t, g, kind, count, dur])
    arr = np.array(merged, dtype=float).reshape(-1, 5)
    return arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(), arr[:, 3].copy(), arr[:, 4].copy()


def _activity_breaks(
    activities: list[Activity],
    g: int,
    day_start: float,
    staff: list[tuple[float, int, int, int, float]],
) -> list[tuple[float, int, int, int, float]]:
    """BREAK events of group ``g``'s activities, given its JOIN/LEAVE events ``staff``.

    Each activity takes its agents, capped by the agents scheduled at its start (events
    at that instant included) less those on the group's activities in progress then.
    """
    out: list[tuple[float, int, int, int, float]] = []
    placed: list[tuple[float, float, int]] = []  # (start, end, agents taken)
    spans = [act.span(day_start) for act in activities]
    for j in sorted(range(len(activities)), key=lambda j: spans[j][0]):
        start, stop = spans[j]
        level = sum(
            n if kind == JOIN else -n
            for t, _, kind, n, _ in staff
            if t <= start and kind in (JOIN, LEAVE)
        )
        busy = sum(n for a, b, n in placed if a <= start < b)
        act = activities[j]
        take = min(act.agents, max(level - busy, 0))
        if take:
            length = act.duration if act.duration is not None else stop - start
            out.append((start, g, BREAK, take, length))
            placed.append((start, stop, take))
    return out
