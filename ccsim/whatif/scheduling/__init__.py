"""Shift scheduling: how many agents of which skill set start which shift, with which breaks.

Agents are hired and paid in shifts and in skill sets, not per half hour and per queue.
The scheduler takes a scenario and a shift-template file and finds the number of
agents per (skill set, template, start, break placement) that costs least while every
contact type meets its service-level target, with the simulator in the loop (queues
carry over between intervals and cross-trained agents serve several queues, so
service cannot be computed interval by interval).

The modules, in the order the data flows:

* :mod:`~ccsim.whatif.scheduling.templates`: the shift-template file (skill sets,
  templates, breaks, limits, targets), read and checked;
* :mod:`~ccsim.whatif.scheduling.columns`: every shift the templates allow, what it
  covers and costs, and writing a schedule into the scenario as shifts;
* :mod:`~ccsim.whatif.scheduling.cover`: the integer programme (HiGHS);
* :mod:`~ccsim.whatif.scheduling.oracle`: the targets, measured by simulation on common
  random numbers (here or on Dask);
* :mod:`~ccsim.whatif.scheduling.search`: the cutting-plane search;
* :mod:`~ccsim.whatif.scheduling.scheduler`: :func:`schedule`, from the two-step plan
  to the checked result;
* :mod:`~ccsim.whatif.scheduling.result`: :class:`ScheduleResult`.
"""

from ccsim.whatif.scheduling.result import Roster, ScheduleResult
from ccsim.whatif.scheduling.scheduler import InfeasibleSchedule, schedule
from ccsim.whatif.scheduling.templates import ShiftFile, load_shifts

__all__ = ["InfeasibleSchedule", "Roster", "ScheduleResult", "ShiftFile", "load_shifts", "schedule"]
