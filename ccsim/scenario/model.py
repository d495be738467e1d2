"""The scenario: a typed description of one contact centre over one planning horizon.

A scenario says what arrives (contact types with a rate per interval, handle time,
patience, a service-level target), what self-serves or filters it first (an IVR and a
number of trunk lines), and who answers it (agent groups with skills, staffed per
interval or by shifts with breaks, and taken off the phones for planned activities
such as meetings and training). It is data only: the models below are validated
once when the scenario is loaded (:func:`ccsim.load_scenario`), and nothing runs on a
scenario that did not validate.

Values given *per interval* are either one scalar (every interval) or a list with one
value per planning interval. Durations carry units ("20s", "5min", "1.5h"); arrival
rates are per hour, or a day's (a week's) volume spread by a profile. Shares and
probabilities are numbers from 0 to 1, or percentages ("20%"). Every number is finite
and bounded by what ccsim can simulate (:mod:`ccsim.scenario.limits`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from ccsim.scenario import limits
from ccsim.scenario.distributions import Distribution
from ccsim.scenario.routing import (
    PATIENCE,
    GroupHandle,
    HandleFactor,
    Mixture,
    MixtureComponent,
    Patience,
    Reserve,
    Route,
    RouteEntry,
    Transfer,
)
from ccsim.scenario.units import Duration, parse_clock
from ccsim.scenario.values import (
    Clock,
    Count,
    DayFactorCV,
    Factor,
    Money,
    Probability,
    Rate,
    Volume,
    Weight,
    share,
)
from ccsim.scenario.values import Section as _Model

__all__ = [
    "Activity",
    "AgentGroup",
    "Arrivals",
    "Break",
    "Callback",
    "ContactType",
    "Costs",
    "Day",
    "StartState",
    "GroupCost",
    "Forecast",
    "HandleFactor",
    "Horizon",
    "IVR",
    "Mixture",
    "MixtureComponent",
    "Redial",
    "Repeat",
    "Reserve",
    "Route",
    "Scenario",
    "ScenarioError",
    "ServiceLevel",
    "Shift",
    "Transfer",
]


class ScenarioError(Exception):
    """A scenario that is not valid.

    ``problems`` is a list of ``(path, message)``; ``path`` is the tuple of keys and
    list indices that leads to the offending value (as pydantic's ``loc``). The loader
    turns paths into file and line numbers.
    """

    def __init__(
        self,
        problems: list[tuple[tuple[str | int, ...], str]],
        source: str = "",
        line_of: Callable[[tuple[str | int, ...]], int | None] | None = None,
    ):
        self.problems = problems
        self.source = source
        self.line_of = line_of
        super().__init__(self.render())

    def render(self) -> str:
        """Return one line per problem: ``file:line: key.path: message``.

        At most :data:`~ccsim.scenario.limits.MAX_PROBLEMS` lines, then how many more.
        """
        out = []
        for path, message in self.problems[: limits.MAX_PROBLEMS]:
            line = self.line_of(path) if self.line_of else None
            where = self.source + (f":{line}" if line else "")
            out.append(f"{where + ': ' if where else ''}{format_path(path)}: {message}")
        more = len(self.problems) - limits.MAX_PROBLEMS
        if more > 0:
            out.append(f"... and {more} more problem{'s' if more > 1 else ''}")
        return "\n".join(out)


def format_path(path: tuple[str | int, ...]) -> str:
    """Write a key path as ``contact_types[0].arrivals.rate_per_hour``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class Horizon(_Model):
    """The planning day: ``intervals`` intervals of length ``interval`` from t = 0.

    Contacts arriving before ``warmup`` are simulated but not counted. After the last
    interval no new contacts arrive; the centre drains with the staff it has at that
    moment (agents owed a leave go after their call, shifts running past the end stay)
    for at most ``max_drain`` (contacts still waiting then are counted as unserved).
    ``start`` is the clock time of t = 0, used for shift times and report labels.
    """

    intervals: int = Field(ge=1, le=limits.MAX_INTERVALS)
    interval: Duration
    warmup: Duration = 0.0
    start: str = "00:00"
    max_drain: Duration = 86400.0

    @property
    def length(self) -> float:
        """Length of the planning day in seconds."""
        return self.intervals * self.interval


class Forecast(_Model):
    """Day-level forecast uncertainty shared by all contact types.

    Each replication draws one gamma factor with mean 1 and coefficient of variation
    ``day_factor_cv`` that multiplies every arrival rate of that day.
    """

    day_factor_cv: DayFactorCV = 0.0


class Arrivals(_Model):
    """Poisson arrivals at a rate per hour, constant within each interval.

    Give the rate of every interval (``rate_per_hour``), or the volume as a planner
    forecasts it: ``volume`` contacts a day, or ``weekly_volume`` contacts over all the
    ``days`` of the run, split between them by ``day_shares``. A volume is spread over
    the day's intervals by ``profile``, one share per interval (shares, percentages or
    counts: they are normalised; default: evenly). So interval k of day d gets
    ``rate_per_hour = day volume x profile[k] / sum(profile) / interval hours``, with
    the day volume ``weekly_volume x day_shares[d] / sum(day_shares)`` (default: equal
    shares). ``days[].volume`` multiplies every form alike.
    """

    rate_per_hour: Rate | list[Rate] | None = None
    volume: Volume | None = None
    weekly_volume: Volume | None = None
    profile: list[Weight] | None = Field(default=None, min_length=1)
    day_shares: list[Weight] | None = Field(default=None, min_length=1)
    day_factor_cv: DayFactorCV = 0.0

    @model_validator(mode="after")
    def _one_form(self) -> Arrivals:
        forms = [
            k for k in ("rate_per_hour", "volume", "weekly_volume") if getattr(self, k) is not None
        ]
        if len(forms) != 1:
            raise ValueError(
                "give one of rate_per_hour (contacts per hour, per interval), volume "
                "(contacts a day) or weekly_volume (contacts over the days)"
                + (f"; not {' and '.join(forms)}" if forms else "")
            )
        if self.profile is not None and self.rate_per_hour is not None:
            raise ValueError("profile spreads a volume over the day: rate_per_hour takes none")
        if self.day_shares is not None and self.weekly_volume is None:
            raise ValueError("day_shares split a weekly_volume between the days")
        for key in ("profile", "day_shares"):
            shares = getattr(self, key)
            if shares is not None and sum(shares) <= 0:
                raise ValueError(f"{key} needs at least one share above 0")
        return self

    def hourly_rates(
        self, intervals: int, interval: float, days: list[Day] | None = None
    ) -> list[list[float]]:
        """Arrivals per hour in each interval of each day (one day without ``days``).

        ``days[].volume`` is not applied here (see :func:`ccsim.plan.compile_plan`).

        Examples
        --------
        >>> Arrivals(volume=1200, profile=[1, 2, 3, 2, 2]).hourly_rates(5, 3600.0)
        [[120.0, 240.0, 360.0, 240.0, 240.0]]
        """
        n_days = len(days) if days else 1
        if self.rate_per_hour is not None:
            rate = self.rate_per_hour
            day = [float(r) for r in rate] if isinstance(rate, list) else [float(rate)] * intervals
            return [day] * n_days
        profile = self.profile or [1.0] * intervals
        total = float(sum(profile))
        hours = interval / 3600.0
        if self.volume is not None:
            volumes = [float(self.volume)] * n_days
        else:
            shares = self.day_shares or [1.0] * n_days
            volumes = [float(self.weekly_volume or 0.0) * s / float(sum(shares)) for s in shares]
        return [[v * w / (total * hours) for w in profile] for v in volumes]


class ServiceLevel(_Model):
    """Service-level objective: ``target`` of contacts answered within ``threshold``."""

    threshold: Duration = 20.0
    target: Probability = 0.8


class Redial(_Model):
    """Customers who abandoned in the queue or were blocked try again.

    After abandoning or being blocked, a contact is redialled with ``probability``,
    ``delay`` later (its mean taken in the interval the contact first arrived in), as
    a new contact of the same type with new handle time, patience and IVR path; at
    most ``max`` redials per contact. Redials due after the end of the horizon are
    not simulated (the customer calls on another day).
    """

    probability: Probability
    delay: Distribution
    max: int = Field(default=3, ge=1, le=limits.MAX_FOLLOW_UPS)


class Repeat(_Model):
    """Repeat contacts: a handled contact leaves the customer's need unresolved.

    A handled contact resolves it with probability ``fcr`` (first-contact resolution;
    agent groups may have their own, ``agent_groups[].fcr``). Otherwise the customer
    contacts the centre again ``delay`` after the end of the talk, as a contact of
    ``as_type`` (default: the same type), at most ``max`` times per customer. Repeats
    due after the end of the horizon are not simulated.
    """

    fcr: Probability
    delay: Distribution
    as_type: str | None = None
    max: int = Field(default=10, ge=1, le=limits.MAX_FOLLOW_UPS)


class Callback(_Model):
    """Virtual hold: a callback offered to a contact facing a long predicted wait.

    When a contact must queue and its predicted wait -- (contacts of its type waiting
    + 1) x the type's mean handle time / agents on the phones in the groups that serve
    it -- exceeds ``threshold``, it is offered a callback and accepts with probability
    ``acceptance``. It then hangs up (freeing its line) but keeps its place in the
    queue, and never abandons. The agent who takes it dials (``dial_time``, agent
    busy); the customer does not answer with probability ``no_answer`` (the agent is
    then free), else they talk as usual.
    """

    threshold: Duration
    acceptance: Probability
    no_answer: Probability = 0.0
    dial_time: Distribution = Distribution(dist="fixed", mean=0.0)


class ContactType(_Model):
    """A kind of contact (a queue): its arrivals, handle time, patience and target.

    ``groups`` is the routing order: the groups, by name, tried for an idle agent when
    a contact of this type arrives (default: every group with the skill, in file
    order). Only these groups serve the type (also from the queue). ``patience``
    omitted means the contact never abandons. ``redial`` and ``repeat`` make
    customers come back (see :class:`Redial`, :class:`Repeat`); ``callback`` offers
    virtual hold (:class:`Callback`). ``channel: chat`` marks a chat type, which
    groups with ``concurrency`` serve several at a time. ``channel: email`` marks
    deferred work: it holds no trunk line, skips the IVR, never abandons, and agents
    take it only when no real-time contact of their skills waits; ``due`` is its
    service-level threshold (answered within the due time).

    Routing and behaviour: an entry of ``groups`` may be ``{group: name, after: 30s}``
    (the group gets the type only after that wait, :class:`Route`); ``balk`` is the
    probability that a contact finding no idle agent hangs up at once; ``patience``
    may be a mixture of shapes (:class:`Mixture`); ``head_start`` and ``wait_weight``
    rank the type's waiting contacts for groups with ``policy: priority_age``
    (priority = head start + weight x wait); ``transfer`` sends a share of handled
    contacts on as another type (:class:`Transfer`).
    """

    name: str = Field(min_length=1)
    arrivals: Arrivals
    handle_time: Distribution
    wrap_up: Distribution | None = None
    patience: Patience = PATIENCE
    service_level: ServiceLevel = ServiceLevel()
    groups: list[RouteEntry] | None = Field(default=None, max_length=limits.MAX_NAMED)
    redial: Redial | None = None
    repeat: Repeat | None = None
    callback: Callback | None = None
    channel: Literal["voice", "chat", "email"] = "voice"
    due: Duration | None = None
    balk: Probability = 0.0
    head_start: Duration = 0.0
    wait_weight: float = Field(default=1.0, gt=0, le=limits.MAX_FACTOR)
    transfer: Transfer | None = None

    def routing(self) -> list[tuple[str, float]] | None:
        """The routing order as written: (group name, wait before it gets the type).

        None when ``groups`` is left out (every group with the skill, at once).
        """
        if self.groups is None:
            return None
        return [(g, 0.0) if isinstance(g, str) else (g.group, g.after) for g in self.groups]


class Break(_Model):
    """A break of ``duration`` in a shift.

    It starts ``start`` after the shift starts, or is spread evenly over ``window``
    (offsets from the shift start) across the shift's agents. An agent on a call when
    the break is due finishes the call first.
    """

    start: Duration | None = None
    window: tuple[Duration, Duration] | None = None
    duration: Duration

    @model_validator(mode="after")
    def _one_of(self) -> Break:
        if (self.start is None) == (self.window is None):
            raise ValueError("a break takes either start or window")
        if self.window is not None and self.window[1] < self.window[0]:
            raise ValueError("window must be [earliest, latest]")
        return self


class Shift(_Model):
    """``agents`` agents working from ``start`` to ``end`` (clock or offset).

    In a run of several ``days``, a shift is worked every day, or only on the days it
    names (``days: [Mon, Tue, Wed, Thu, Fri]``): a week's roster with rest days.
    """

    start: Clock
    end: Clock
    agents: Count
    breaks: list[Break] = Field(default=[], max_length=limits.MAX_BREAKS)
    days: list[str] | None = Field(default=None, min_length=1, max_length=limits.MAX_DAYS)

    def works_on(self, day: str) -> bool:
        """Whether the shift is worked on the day named ``day``."""
        return self.days is None or day in self.days


class Activity(_Model):
    """Planned shrinkage: ``agents`` agents of the group off the phones for a while.

    A team meeting or a training from ``start`` for ``duration``, or until ``end``
    (clock times or offsets from the start of the day, as shift times; give exactly
    one of ``duration`` and ``end``). It compiles to a roster BREAK of ``agents``
    agents of that length at ``start`` (:func:`ccsim.plan.roster_arrays`): idle agents
    leave the phones at once, busy ones when their call ends, each for the whole
    length. The agents must be scheduled then (checked when the scenario loads).
    """

    name: str = Field(min_length=1)
    start: Clock
    duration: Duration | None = None
    end: Clock | None = None
    agents: int = Field(ge=1, le=limits.MAX_AGENTS)

    @model_validator(mode="after")
    def _one_of(self) -> Activity:
        if (self.duration is None) == (self.end is None):
            raise ValueError("an activity takes either duration or end")
        return self

    def span(self, day_start: float) -> tuple[float, float]:
        """Start and end in seconds since t = 0 (``ValueError`` on a bad clock time)."""
        start = parse_clock(self.start, day_start)
        if self.duration is not None:
            return start, start + self.duration
        return start, parse_clock(self.end, day_start)


class AgentGroup(_Model):
    """Agents with the same skills, speed and routing policy.

    Staffing is either ``staffing`` (agents per interval) or ``shifts``. ``speed``
    divides talk times (1.25 = 25 % faster than the type's handle time; wrap-up is
    not affected). ``policy``
    says which queued contact a freed agent takes: ``longest_waiting`` (the contact
    that has waited longest among the agent's skills) or ``priority`` (the first skill
    in ``skills`` order that has a contact waiting). ``absence`` is the probability that
    a scheduled agent does not come in that day (drawn per replication), so the
    staffed count varies from day to day. ``activities`` take agents off the phones
    for meetings and training (planned shrinkage, see :class:`Activity`). ``fcr``
    overrides the first-contact resolution of the types it handles (one number, or by
    type name; only for types with a ``repeat``). ``concurrency`` (chat groups) is
    the number of sessions an agent handles at once; a session's handle time is
    stretched by ``stretch``: 1 + stretch x (sessions - 1) with the session started as
    the agent's m-th, or a list of factors for m = 1..concurrency.

    ``handle_time`` gives the group its own handle time for some of its skills: a
    multiplier of the type's (:class:`HandleFactor`) or a distribution of its own
    (``speed`` still divides it). ``reserve`` keeps idle agents for one skill
    (:class:`Reserve`). ``policy: priority_age`` takes the waiting contact with the
    highest priority, its type's ``head_start`` + ``wait_weight`` x its wait.
    """

    name: str = Field(min_length=1)
    skills: list[str] = Field(min_length=1, max_length=limits.MAX_NAMED)
    staffing: Count | list[Count] | None = None
    shifts: list[Shift] | None = Field(default=None, max_length=limits.MAX_ITEMS)
    speed: float = Field(default=1.0, ge=limits.MIN_SPEED, le=limits.MAX_SPEED)
    policy: Literal["longest_waiting", "priority", "priority_age"] = "longest_waiting"
    absence: Probability = 0.0
    activities: list[Activity] = Field(default=[], max_length=limits.MAX_ITEMS)
    fcr: Probability | dict[str, Probability] | None = None
    concurrency: int = Field(default=1, ge=1, le=16)
    stretch: (
        Annotated[float, Field(ge=0, le=limits.MAX_FACTOR)]
        | list[Annotated[float, Field(ge=1, le=limits.MAX_FACTOR)]]
    ) = 0.0
    handle_time: dict[str, GroupHandle] = Field(default={}, max_length=limits.MAX_NAMED)
    reserve: Reserve | None = None

    def stretch_factors(self) -> list[float]:
        """Handle-time factor of a session started as the agent's m-th, m = 1..concurrency."""
        if isinstance(self.stretch, list):
            return [float(f) for f in self.stretch]
        return [1.0 + self.stretch * m for m in range(self.concurrency)]


class IVR(_Model):
    """The interactive voice response in front of the queues.

    Every contact spends ``time`` in the IVR (holding an IVR port and a line). Then it
    is self-served (``deflection``, probability per type), abandons in the IVR
    (``abandon``), or asks for an agent. A contact finding all ``ports`` busy is
    blocked. Probabilities are one number for every type or a mapping by type name.
    """

    time: Distribution
    deflection: Probability | dict[str, Probability] = 0.0
    abandon: Probability | dict[str, Probability] = 0.0
    ports: int | None = Field(default=None, ge=1, le=limits.MAX_LINES)

    def probability(self, which: str, type_name: str) -> float:
        """Deflection or abandon probability of one contact type."""
        value = getattr(self, which)
        return float(value.get(type_name, 0.0) if isinstance(value, dict) else value)


class GroupCost(_Model):
    """What an agent of a group costs: wage, and how paid hours relate to staffed ones.

    Paid hours = scheduled hours (breaks excluded unless ``paid_breaks``) /
    (1 - ``shrinkage``); cost = paid hours x ``hourly_wage`` x ``overhead`` (employer
    costs, equipment, management as a multiplier).
    """

    hourly_wage: Money = 0.0
    paid_breaks: bool = True
    shrinkage: Annotated[float, BeforeValidator(share), Field(ge=0, lt=1)] = 0.0
    overhead: Factor = 1.0


class GroupCostOverride(_Model):
    """A group's own cost parameters; keys left out inherit the ``agents`` defaults."""

    hourly_wage: Money | None = None
    paid_breaks: bool | None = None
    shrinkage: Annotated[float, BeforeValidator(share), Field(ge=0, lt=1)] | None = None
    overhead: Factor | None = None


class ServiceLevelPenalty(_Model):
    """Penalties when a contact type misses its service-level target."""

    per_interval: Money = 0.0  # each interval (with contacts) below target
    per_day: Money = 0.0  # the day's service level below target


class Costs(_Model):
    """The cost model: per day, annualised with ``working_days_per_year``.

    ``agents`` applies to every group; ``agent_groups`` overrides it per group (only
    the keys given). Telephony is charged per minute a contact holds a trunk line
    (IVR, queue and talk), the IVR per minute in it; ``abandoned_contact`` is the
    revenue lost per abandoned contact (one number, or per type).
    """

    currency: str = "EUR"
    working_days_per_year: float = Field(default=250.0, ge=0, le=366)
    agents: GroupCost = GroupCost()
    agent_groups: dict[str, GroupCostOverride] = {}
    telephony_per_minute: Money = 0.0
    ivr_per_minute: Money = 0.0
    fixed_per_day: Money = 0.0
    abandoned_contact: Money | dict[str, Money] = 0.0
    service_level_penalty: ServiceLevelPenalty = ServiceLevelPenalty()

    def group(self, name: str) -> GroupCost:
        """The cost parameters of one group (defaults with its overrides)."""
        override = self.agent_groups.get(name)
        if override is None:
            return self.agents
        given = {k: v for k, v in override.model_dump().items() if v is not None}
        return self.agents.model_copy(update=given)

    def abandon_cost(self, type_name: str) -> float:
        """Revenue lost per abandoned contact of one type."""
        value = self.abandoned_contact
        return float(value.get(type_name, 0.0) if isinstance(value, dict) else value)


class Day(_Model):
    """One day of a run over several days (``days``).

    Every day has the horizon's intervals; its arrival rates are the contact types'
    times ``volume`` (one number, or by type name, 1 for types left out); ``staffing``
    replaces, for that day, the staffing per interval of the groups it names.
    """

    name: str = Field(min_length=1)
    volume: Factor | dict[str, Factor] = 1.0
    staffing: dict[str, Count | list[Count]] = {}

    def volume_of(self, type_name: str) -> float:
        """The day's volume factor for one contact type."""
        v = self.volume
        return float(v.get(type_name, 1.0) if isinstance(v, dict) else v)


class StartState(_Model):
    """The state the run starts from: contacts already waiting at t = 0, by type."""

    waiting: dict[str, Annotated[int, Field(ge=0, le=limits.MAX_LINES)]] = {}


class Scenario(_Model):
    """A contact centre over one planning horizon (see the module docstring)."""

    name: str = Field(min_length=1)
    description: str = ""
    horizon: Horizon
    lines: int | None = Field(default=None, ge=1, le=limits.MAX_LINES)
    forecast: Forecast = Forecast()
    ivr: IVR | None = None
    contact_types: list[ContactType] = Field(min_length=1, max_length=limits.MAX_NAMED)
    agent_groups: list[AgentGroup] = Field(min_length=1, max_length=limits.MAX_NAMED)
    costs: Costs | None = None
    days: list[Day] | None = Field(default=None, min_length=1, max_length=limits.MAX_DAYS)
    start_state: StartState | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        from ccsim.scenario.checks import consistency_problems  # checks read these models

        problems = consistency_problems(self)
        if problems:
            # Not a ValueError: pydantic would fold it into one error at the top level,
            # losing the key paths; ScenarioError carries them to the loader.
            raise ScenarioError(problems)
        return self

    @property
    def type_names(self) -> list[str]:
        """Contact type names in file order."""
        return [t.name for t in self.contact_types]

    @property
    def group_names(self) -> list[str]:
        """Agent group names in file order."""
        return [g.name for g in self.agent_groups]

    def day_start(self) -> float:
        """Clock time of t = 0 in seconds after midnight."""
        return parse_clock(self.horizon.start)
