"""The two engines that simulate a day of a contact centre, and the kernel's counters.

Both engines read the same :class:`~ccsim.plan.Plan` and the same pre-drawn contacts
(:mod:`ccsim.streams`) and follow the same written rules, so with the same seed they
give every contact the same fate at the same times:

* :mod:`ccsim.engines.reference`: the SimPy model, readable and general: the reference
  (a package: the life of a contact, the life of an agent, SimPy's events).
* :mod:`ccsim.engines.fast`: the same model through the compiled kernel, replications
  on all cores (threads; the kernel releases the GIL).
* :mod:`ccsim.engines.kernel`: the ``@njit`` event loop of one replication (a package:
  the loop, its event heap, agents, set-up, the arrays it takes, numba's options and
  cache).
* :mod:`ccsim.engines.counters`: the ``@njit`` KPI counters of one replication.
* :mod:`ccsim.engines.codes`: the integer codes (fates, events and their priorities,
  roster kinds, agent states, counter fields) both engines and the kernel share,
  written once.

Nothing is imported here: SimPy loads only with the reference engine, numba only with
the fast one (``import ccsim`` stays quick).
"""
