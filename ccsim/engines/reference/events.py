"""Events on SimPy's queue: how the reference engine makes things happen.

Every happening of a replication (a contact arrives, leaves the IVR, runs out of
patience, ends its talk; a roster event; an agent back from a break) is one
:class:`Event` on SimPy's event queue that calls one rule of the model
(:mod:`~ccsim.engines.reference.centre`, :mod:`~ccsim.engines.reference.agents`) with
one value (a contact, a roster row, a group). SimPy orders the queue by time, then
priority (the tie-break rules, :mod:`ccsim.engines.codes`), then the order events were
scheduled in: the order the kernel's heap copies.

Arrivals and roster events are scheduled at their exact times. SimPy has no public way
to do that, so :meth:`Environment.schedule_at` pushes onto the queue as
:meth:`simpy.Environment.schedule` does, through the private ``_queue`` and ``_eid``;
and an :class:`Event` is made triggered by setting ``_ok`` and ``_value`` (the rules
read ``event._value``), which saves SimPy's checks on every event. pyproject.toml pins
SimPy to the 4.1 series, where these were checked (tests/test_equivalence.py and
tests/test_timelines.py run through them).
"""

from __future__ import annotations

from heapq import heappush

import simpy

__all__ = ["Environment", "Event"]


class Environment(simpy.Environment):
    """SimPy's environment, plus scheduling at an absolute time.

    Arrivals and roster events happen at times fixed in advance; scheduling them as
    ``now + (t - now)`` could miss ``t`` by a rounding error, so they are put on the
    event queue at ``t`` itself, exactly as :meth:`simpy.Environment.schedule` does
    for ``now + delay``.
    """

    def schedule_at(self, event: simpy.Event, priority: int, at: float) -> None:
        """Schedule ``event`` at time ``at`` (SimPy 4.1's ``schedule``, at a given time)."""
        heappush(self._queue, (at, priority, next(self._eid), event))


class Event(simpy.Event):
    """An event that fires ``callback(value)`` after ``delay`` at ``priority``."""

    def __init__(self, env: Environment, delay: float, priority: int, callback, value, at=None):  # noqa: ANN001
        self.env = env
        self.callbacks = [callback]
        self._ok = True
        self._value = value
        if at is None:
            env.schedule(self, priority, delay)
        else:
            env.schedule_at(self, priority, at)
