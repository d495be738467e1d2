"""What a run produced: the contacts' outcomes, the KPIs, and the result tables.

* :mod:`ccsim.results.outcome`: one replication's contacts, their fates and times.
* :mod:`ccsim.results.kpis`: counters per type and interval, KPI definitions, CIs.
* :mod:`ccsim.results.tables`: :class:`SimulationResult`, its tables and JSON.
"""

from ccsim.results.tables import ALL, SimulationResult

__all__ = ["ALL", "SimulationResult"]
