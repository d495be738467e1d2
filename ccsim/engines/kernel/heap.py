"""The kernel's event list: events waiting for their time, in SimPy's order.

Events wait in a binary heap held in two arrays: the time, and one int64 key that
orders events of equal time as SimPy does (priority, then insertion number) and carries
the event itself::

    priority << 59 | insertion number << 31 | argument << 4 | kind

Insertion numbers are unique, so the argument bits never decide an order. The kind
(:mod:`ccsim.engines.codes`) says what happens; the argument to whom (a contact, a
roster row, a group or an agent of a chat group).
"""

from __future__ import annotations

from numba import njit

from ccsim.engines.kernel.jit import JIT

__all__ = ["MAX_CONTACTS", "event", "heap_capacity"]

#: Contacts per replication, with room for follow-ups: at most 5 events per contact
#: keep insertion numbers below 2**28, and arguments stay below 2**27.
MAX_CONTACTS = 1 << 25


@njit(**JIT)
def heap_capacity(n, breaks, groups):
    """Most events that can wait at once.

    Per contact (``n``: first contacts and room for follow-ups) one end of IVR, talk
    or wrap-up, one patience timer and one follow-up; one return per break; one roster
    event; a margin.
    """
    return 3 * n + breaks + groups + 8


@njit(inline="always", **JIT)
def event(priority, seq, arg, kind):
    """The key of an event: it orders events of equal time and says what happens."""
    return (priority << 59) | (seq << 31) | (arg << 4) | kind
