"""The numba kernel: the SimPy engine's model, compiled, for large Monte Carlo runs.

The kernel is ``@njit`` code only: arrays in, arrays out. It follows
:mod:`ccsim.engines.reference` rule by rule, so that given the same plan and the same
contacts every contact meets the same fate at the same times.
:mod:`ccsim.engines.fast` is the public wrapper that prepares the arrays and runs
replications in parallel; the KPI counters of a replication are added up by
:mod:`ccsim.engines.counters`. The pieces:

* :mod:`~ccsim.engines.kernel.day`: :func:`simulate_day`, the event loop of one
  replication;
* :mod:`~ccsim.engines.kernel.heap`: the event list, ordered like SimPy's queue;
* :mod:`~ccsim.engines.kernel.agents`: chat agents one by one, and breaks;
* :mod:`~ccsim.engines.kernel.followups`: redials;
* :mod:`~ccsim.engines.kernel.jit`: numba's options, and the guard that keeps its
  on-disk cache from serving code compiled from older sources or codes.

Compiled code is cached on disk. Importing this package checks the cache against the
kernel's sources and codes (:func:`~ccsim.engines.kernel.jit.refresh_stale_caches`).
"""

from __future__ import annotations

from ccsim.engines import codes
from ccsim.engines.kernel import agents, day, followups, heap, jit
from ccsim.engines.kernel.day import simulate_day
from ccsim.engines.kernel.heap import MAX_CONTACTS, heap_capacity

__all__ = ["MAX_CONTACTS", "heap_capacity", "simulate_day"]

#: What the kernel's compiled code is made from: its sources and the codes' values.
STAMP = jit.digest(jit.SOURCES, codes.VALUES)
jit.refresh_stale_caches(__name__, jit.dispatchers_of(agents, day, followups, heap), STAMP)
