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
them replaces the event just handled at the root (:func:`sift_down`, one pass instead
of a pop and a push), the others go in at a leaf (:func:`sift_up`).

These are small plain ``@njit`` functions: LLVM inlines them into the event loop, where
they compile to the same code as written out (no reference counting of their arrays
is left; ``benchmarks/ab_kernel.py`` counts it).
"""

from __future__ import annotations

from numba import njit

from ccsim.engines.codes import PRIORITY
from ccsim.engines.kernel.jit import JIT

__all__ = ["MAX_CONTACTS", "arg_of", "event", "heap_capacity", "kind_of", "priority_of",
           "schedule", "sift_down", "sift_up"]  # fmt: skip

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


@njit(**JIT)
def sift_up(ht, hk, i, t, k):
    """Put the event (time ``t``, key ``k``) in at leaf ``i``, moving it up to its place."""
    while i > 0:
        parent = (i - 1) >> 1
        if t < ht[parent] or (t == ht[parent] and k < hk[parent]):
            ht[i] = ht[parent]
            hk[i] = hk[parent]
            i = parent
        else:
            break
    ht[i] = t
    hk[i] = k


@njit(**JIT)
def sift_down(ht, hk, size, t, k):
    """Put the event (time ``t``, key ``k``) in at the root of a heap of ``size`` events."""
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        right = child + 1
        if right < size and (
            ht[right] < ht[child] or (ht[right] == ht[child] and hk[right] < hk[child])
        ):
            child = right
        if ht[child] < t or (ht[child] == t and hk[child] < k):
            ht[i] = ht[child]
            hk[i] = hk[child]
            i = child
        else:
            break
    ht[i] = t
    hk[i] = k
