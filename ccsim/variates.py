"""A contact's variates beyond its arrival: scaled times and the uniforms of its choices.

Every contact carries, drawn when it arrives, the variates of whatever may happen to it
(common random numbers): its times (a unit draw of the shape times the mean of its
arrival interval, :func:`scaled`), the IVR's verdict (:func:`ivr_outcomes`), whether it
would be followed up and after what delay (:func:`follow_up_draws`), whether it accepts
a callback and how long the agent dials (:func:`callback_draws`), whether it balks on
finding no idle agent and whether it is transferred at the end of its talk
(:func:`behaviour_draws`), and the handle time of each group that has one of its own
for the type (:func:`group_handle_draws`). Each purpose has its own named stream
(:mod:`ccsim.streams`), so adding a behaviour to a scenario moves no other draw. The
follow-up pool (:mod:`ccsim.followups`) draws its entries with the same functions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ccsim.plan import Plan
from ccsim.scenario.distributions import Distribution

__all__ = ["behaviour_draws", "callback_draws", "follow_up_draws", "group_handle_draws",
           "ivr_outcomes", "scaled"]  # fmt: skip

#: Owner suffix of the stream of a group's own handle time for a type (before the
#: group's name).
GROUP = "\x00group\x00"


def follow_up_draws(
    plan: Plan, i: int, n: int, rng: Callable[[str], np.random.Generator]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The follow-up uniform and unit delays of ``n`` contacts of type ``i``."""
    if plan.redial_max[i] == 0 and plan.repeat_max[i] == 0:
        return np.ones(n), np.zeros(n), np.zeros(n)  # u = 1: never followed up

    def unit(dist: Distribution | None, name: str) -> np.ndarray:
        return np.zeros(n) if dist is None else dist.sample_unit(rng(name), n)

    return (
        rng("follow_up").random(n),
        unit(plan.redial_delay[i], "redial_delay"),
        unit(plan.repeat_delay[i], "repeat_delay"),
    )


def callback_draws(
    plan: Plan,
    i: int,
    n: int,
    rng: Callable[[str], np.random.Generator],
    which: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Callback uniforms and dial times of ``n`` contacts of type ``i``.

    Dial times are in seconds for contacts of arrival intervals ``which``, or unit
    draws when ``which`` is None (follow-up pools).
    """
    if plan.dial_time[i] is None:
        return np.ones(n), np.ones(n), np.zeros(n)  # u = 1: never accepts, always answers
    dist = plan.dial_time[i]
    if which is None:
        dial = dist.sample_unit(rng("dial_time"), n)
    else:
        dial = scaled(dist, plan.dial_mean[i], lambda: rng("dial_time"), which, 0.0)
    return rng("callback").random(n), rng("no_answer").random(n), dial


def behaviour_draws(
    plan: Plan, i: int, n: int, rng: Callable[..., np.random.Generator]
) -> dict[str, np.ndarray]:
    """Balking and transfer uniforms of ``n`` contacts of type ``i``, those the plan uses.

    ``balk_u`` when some type balks, ``transfer_u`` when some type transfers (in that
    order); a type that does not gets 1 (never below its probability 0).
    """
    out = {}
    for used, p, name in ((plan.has_balking, plan.balk[i], "balk"),
                          (plan.has_transfers, plan.transfer_p[i], "transfer")):  # fmt: skip
        if used:
            out[name + "_u"] = rng(name).random(n) if p > 0 else np.ones(n)
    return out


def group_handle_draws(
    plan: Plan,
    i: int,
    n: int,
    rng: Callable[..., np.random.Generator],
    which: np.ndarray | None,
) -> np.ndarray:
    """Groups' own handle times of ``n`` contacts of type ``i``: (pairs, n).

    Seconds for contacts of arrival intervals ``which``, unit draws when ``which`` is
    None (follow-up pools); rows of pairs of other types are 0. Each pair draws from
    its own stream (``group_handle``, owner the type and the group).
    """
    out = np.zeros((len(plan.pair_type), n))
    for p in np.flatnonzero(plan.pair_type == i):
        suffix = GROUP + plan.group_names[plan.pair_group[p]]
        dist = plan.pair_handle[p]
        if which is None:
            out[p] = dist.sample_unit(rng("group_handle", suffix), n)
        else:
            out[p] = scaled(dist, plan.pair_mean[p], lambda s=suffix: rng("group_handle", s),
                           which, 0.0)  # fmt: skip
    return out


def scaled(
    dist: Distribution | None,
    mean: np.ndarray,
    rng: Callable[[], np.random.Generator],
    which: np.ndarray,
    default: float,
) -> np.ndarray:
    """One variate per contact: the shape's unit draw times the arrival interval's mean.

    ``default`` for every contact when there is no distribution (``dist`` None).
    """
    if dist is None:
        return np.zeros(len(which)) if default == 0 else np.full(len(which), default)
    unit = dist.sample_unit(rng(), len(which))
    if mean.tobytes() == mean[:1].tobytes() * len(mean):  # (mean == mean[0]).all(), faster
        unit *= mean[0]  # the same mean in every interval (and the same result, faster)
    else:
        unit *= mean[which]
    return unit


def ivr_outcomes(
    plan: Plan, i: int, n: int, rng: Callable[[str], np.random.Generator]
) -> tuple[np.ndarray, np.ndarray]:
    """Who the IVR deflects and who hangs up in it, from one uniform per contact.

    u < deflection: deflected; deflection <= u < deflection + abandon: hangs up. So
    both probabilities are unconditional, and raising the deflection probability
    deflects a superset of the same contacts (common random numbers).
    """
    if plan.ivr is None:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    u = rng("ivr_deflect").random(n)
    p_deflect, p_abandon = plan.ivr_deflect[i], plan.ivr_abandon[i]
    return u < p_deflect, (u >= p_deflect) & (u < p_deflect + p_abandon)
