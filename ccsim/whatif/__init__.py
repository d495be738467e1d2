"""What-if analysis: changes to a scenario, options, comparisons, sweeps, staffing, costs.

The layer a planner uses to decide rather than describe:

* :mod:`ccsim.whatif.changes`: changes written as dotted paths
  (``agent_groups.team.staffing: "+2"``).
* :mod:`ccsim.whatif.options`: options files, a base scenario and named variants with their costs.
* :mod:`ccsim.whatif.comparison`: options compared on common random numbers (:func:`ccsim.compare`).
* :mod:`ccsim.whatif.sweeps`: a grid of changes, stored point by point (:func:`ccsim.sweep`).
* :mod:`ccsim.whatif.staffing`: the fewest agents per interval that meet the targets.
* :mod:`ccsim.whatif.costs`: the cost model and the finance view (ROI, payback, NPV).

Modules load on first use: nothing is imported here.
"""
