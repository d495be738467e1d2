"""The arrays the kernel reads and writes, bundled by what they describe.

One replication of the kernel reads about forty arrays: the day's contacts and their
variates, the centre's routing and channels, the plan of follow-ups and callbacks,
the day's roster, the follow-up pool; and writes the contacts' fates and times and the
staffing log. :func:`ccsim.engines.kernel.simulate_day` takes them as the named
bundles below, by keyword; they cross into the compiled loop as plain tuples and are
named again inside it, where numba compiles a field of a bundle to the same code as a
separate argument. :mod:`ccsim.engines.fast` fills them from the plan and the drawn
contacts: the plan's tables once per run, the others once per replication. Field
order matters only there, and it is this module's.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["CallbackPlan", "Centre", "Channels", "Contacts", "FollowUpPlan", "Outputs",
           "Pool", "Roster", "Work"]  # fmt: skip


class Contacts(NamedTuple):
    """The contacts of one replication, in arrival order, one entry each.

    The columns of :class:`ccsim.streams.Contacts` (times in seconds). The first
    ``n_first`` entries are the day's first contacts; with follow-ups the arrays have
    room for the follow-ups the kernel creates, and the kernel writes them. The
    follow-up columns are empty arrays when the scenario has no follow-ups, the
    callback columns when it offers no callbacks.
    """

    type: np.ndarray
    arrival: np.ndarray
    interval: np.ndarray
    handle: np.ndarray
    wrap_up: np.ndarray
    patience: np.ndarray
    ivr_time: np.ndarray
    ivr_deflect: np.ndarray
    ivr_abandon: np.ndarray
    follow_u: np.ndarray
    redial_delay: np.ndarray
    repeat_delay: np.ndarray
    kind: np.ndarray
    customer: np.ndarray
    redials: np.ndarray
    repeats: np.ndarray
    callback_u: np.ndarray
    no_answer_u: np.ndarray
    dial_time: np.ndarray
    balk_u: np.ndarray  # empty when no type balks
    transfer_u: np.ndarray  # empty when no type transfers
    group_handle: np.ndarray  # (pairs, contacts); (0, 0) when no group has its own


class Outputs(NamedTuple):
    """What the kernel writes: per contact (as :class:`ccsim.results.outcome.Outcome`), the log.

    ``followed`` is empty without follow-ups, ``callback`` and ``callback_at`` without
    callbacks. ``staff_log`` has one row per change of a group's head count on the
    phones: time, group, change. ``n_rows[0]`` receives the number of contacts.
    """

    fate: np.ndarray
    group: np.ndarray
    queued: np.ndarray
    answered: np.ndarray
    left: np.ndarray
    freed: np.ndarray
    followed: np.ndarray
    callback: np.ndarray
    callback_at: np.ndarray
    staff_log: np.ndarray
    n_rows: np.ndarray


class Centre(NamedTuple):
    """Routing, trunk lines and IVR (as :class:`ccsim.plan.Plan`), and when the run stops.

    Routing: per entry of ``type_groups`` (``group_types``) the wait before the group
    gets the type and the idle agents it keeps from the type; each type's distinct
    waits (inf after); the ``priority_age`` policy's head start and weight per type;
    the balking probability per type; a group's handle time for a type: a multiplier,
    or a distribution of its own (row ``pair_row[type, group]`` of the contacts'
    ``group_handle``; -1: none).
    """

    type_groups: np.ndarray  # (types, groups) each type's groups in routing order, -1 after
    group_types: np.ndarray  # (groups, types) each group's skills in order, -1 after
    group_speed: np.ndarray
    group_policy: np.ndarray
    lines: int  # 0: no limit
    ivr_ports: int  # 0: no limit
    use_ivr: bool
    stop_time: float  # the end of the horizon plus the drain limit
    type_after: np.ndarray  # (types, groups)
    type_keep: np.ndarray  # (types, groups)
    group_after: np.ndarray  # (groups, types)
    group_keep: np.ndarray  # (groups, types)
    overflow_after: np.ndarray  # (types, waits)
    head_start: np.ndarray
    wait_weight: np.ndarray
    balk: np.ndarray
    handle_factor: np.ndarray  # (types, groups)
    pair_row: np.ndarray  # (types, groups)
    routed: bool  # some group gets a type after a wait, or keeps agents for a skill
    overflow: bool  # some group gets a type after a wait
    scaled: bool  # some group's handle time for a type is not the type's
    rich: tuple  # () for a plan without the features above, balking, transfers and
    # priority_age; (True,) with some. numba compiles the loop once for each (it
    # specialises on the tuple's length), so a plain plan's loop has none of their code
    # (Channels.chat the same for chat groups).


class FollowUpPlan(NamedTuple):
    """Redials, repeat contacts, transfers, and the means that scale a new contact's variates.

    The means are per (type, interval) (``ivr_mean`` per interval; ``pair_mean`` per
    pair of a group's own handle time and interval), as in the plan. ``interval`` is
    the length of an interval, ``end`` the end of the horizon.
    """

    redial_p: np.ndarray
    redial_max: np.ndarray
    redial_mean: np.ndarray
    fcr: np.ndarray  # (types, groups)
    repeat_type: np.ndarray
    repeat_max: np.ndarray
    repeat_mean: np.ndarray
    handle_mean: np.ndarray
    wrap_up_mean: np.ndarray
    patience_mean: np.ndarray
    ivr_mean: np.ndarray
    ivr_deflect: np.ndarray
    ivr_abandon: np.ndarray
    interval: float
    end: float
    transfer_p: np.ndarray
    transfer_to: np.ndarray
    transfer_stay: np.ndarray
    pair_type: np.ndarray
    pair_mean: np.ndarray
    stay: bool  # some transfer keeps its first agent on the line


class CallbackPlan(NamedTuple):
    """Callbacks (virtual hold), per contact type (the dial time's mean per interval)."""

    threshold: np.ndarray  # inf: never offered
    acceptance: np.ndarray
    no_answer: np.ndarray
    dial_mean: np.ndarray


class Channels(NamedTuple):
    """Chat groups, e-mail and voice types, the start state and the length of a day."""

    group_sessions: np.ndarray  # concurrency of each group (1: voice)
    group_stretch: np.ndarray  # (groups, sessions) handle-time factor by sessions held
    group_agents: np.ndarray  # most agents of each group at once (chat groups)
    type_email: np.ndarray
    type_voice: np.ndarray
    group_email_from: np.ndarray  # where each group's e-mail skills start
    n_start: int  # the first contacts, already waiting when the run starts
    day_len: float  # the length of a day when the run has several, else 0
    chat: tuple  # () without chat groups, (True,) with some: as ``Centre.rich``


class Roster(NamedTuple):
    """The day's roster events (as ``Plan.roster``): JOIN, LEAVE, BREAK, CLOSE."""

    time: np.ndarray
    group: np.ndarray
    kind: np.ndarray
    count: np.ndarray
    duration: np.ndarray


class Pool(NamedTuple):
    """The follow-up pool (:class:`ccsim.followups.FollowUpPool`)."""

    data: np.ndarray  # (len(FollowUpPool.COLUMNS), entries)
    offsets: np.ndarray  # where each type's entries start (types + 1)
    size: int  # entries per type
    group_handle: np.ndarray  # (pairs, entries) unit draws of groups' own handle times


class Work(NamedTuple):
    """Work space, reused across replications."""

    heap_time: np.ndarray  # heap_capacity(...) entries
    heap_key: np.ndarray
    queue: np.ndarray  # one entry per contact
