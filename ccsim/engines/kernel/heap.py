"""The kernel's event list: events waiting for their time, in SimPy's order.

Events wait in a binary heap held in two arrays: the time, and one int64 key that
orders events of equal time as SimPy does (priority, then insertion number) and carries
the event itself::

    priority << 59 | insertion number << 31 | argument << 4 | kind

Insertion numbers are unique, so the argument bits never decide an order. The kind
(:mod:`ccsim.engines.codes`) says what happens and gives the priority; the argument
says to whom (a contact, a roster row, a group or an agent of a chat group).

Events scheduled while one event is handled wait on a short pending list
(:func:`schedule`) and go on the heap before the next event is taken: the first of
them replaces the event just handled at the root (one sift-down instead of a pop and a
push), the others go in at a leaf and sift up. The event loop
(:mod:`ccsim.engines.kernel.day`) has those two sifts written out: as helpers, inlined
by LLVM with no reference counting left, they measured 2-3 % slower
(docs/performance.md, "Kernel in readable pieces").

The functions here are small plain ``@njit`` functions that LLVM inlines into the loop.
"""

from __future__ import annotations

from numba import njit

from ccsim.engines.codes import PRIORITY
from ccsim.engines.kernel.jit import JIT

__all__ = ["MAX_CONTACTS", "MAX_INSERTIONS", "arg_of", "event", "heap_capacity", "kind_of",
           "priority_of", "schedule"]  # fmt: skip

#: Contacts per replication, with room for follow-ups: arguments stay below 2**27, and
#: insertion numbers below 2**28 (8 events per contact; the kernel returns -2 when a
#: run inserted more).
MAX_CONTACTS = 1 << 25
#: Insertion numbers stay below this (28 bits of an event's key).
MAX_INSERTIONS = 1 << 28


@njit(**JIT)
def heap_capacity(n, breaks, groups):
    """Most events that can wait at once.

    Per contact (``n``: first contacts and room for follow-ups) one end of IVR, talk,
    wrap-up or dialling, one patience timer, one overflow timer and one follow-up or
    handover; one return per break; one roster event; a margin.
    """
    return 4 * n + breaks + groups + 8


@njit(**JIT)
def event(priority, seq, arg, kind):
    """The key of an event: it orders events of equal time and says what happens."""
    return (priority << 59) | (seq << 31) | (arg << 4) | kind


@njit(**JIT)
def priority_of(key):
    """The priority of the event with ``key``."""
    return key >> 59


@njit(**JIT)
def kind_of(key):
    """What happens at the event with ``key`` (its kind)."""
    return key & 15


@njit(**JIT)
def arg_of(key):
    """To whom it happens: the event's argument."""
    return (key >> 4) & 0x7FFFFFF


@njit(**JIT)
def schedule(pend_t, pend_k, n_pend, seq, at, kind, arg):
    """Add an event of ``kind`` for ``arg`` at time ``at`` to the pending list.

    Returns the new length of the list and the next insertion number.
    """
    pend_t[n_pend] = at
    pend_k[n_pend] = event(PRIORITY[kind], seq, arg, kind)
    return n_pend + 1, seq + 1
