"""Helpers of the event loop that count no references: arrays used on every path.

The event loop (:mod:`~ccsim.engines.kernel.day`) calls small helpers that LLVM
inlines into it (``forceinline``). numba reference-counts a helper's array arguments:
it takes a reference when the helper starts and releases it after the array's last
use. When that last use lies on every path through the helper, the two pair up and
numba's pruning removes both; when an array is used on one branch only (a write that
happens only when a chat agent leaves, say), the releases on the other paths stay, and
so do the reference counts, inside the loop, at every call (docs/performance.md,
"Kernel in readable pieces"; a helper writing a new follow-up contact this way made
telco-week 40 % slower). A helper whose arrays are not all used on every path ends
with a call to :func:`alive` on them, at its one exit: their last use is then on
every path, and the counts go.
"""

from __future__ import annotations

from numba import njit

from ccsim.engines.kernel.jit import JIT

__all__ = ["alive"]


@njit(forceinline=True, **JIT)
def alive(*arrays):
    """Nothing: the arrays are in use up to this call (see the module docstring)."""
    return None
