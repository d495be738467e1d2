"""What a centre is: the scenario's typed models, its checks, and reading it from YAML.

* :mod:`ccsim.scenario.model`: the pydantic models (contact types, agent groups, shifts,
  IVR, costs, days) and :class:`ScenarioError`.
* :mod:`ccsim.scenario.routing`: routing and behaviour sections (overflow after a delay,
  reservation, a group's own handle time, patience mixtures, transfers).
* :mod:`ccsim.scenario.values`: what a number may be (shares, weights, money, agents).
* :mod:`ccsim.scenario.checks`: what the field types alone cannot check (names, lengths,
  shifts, activities).
* :mod:`ccsim.scenario.limits`: the bounds of what can run, and the checks of a run's size.
* :mod:`ccsim.scenario.yamlfile`: reading a YAML file safely (size, encoding, nesting,
  aliases, keys written twice, clock times).
* :mod:`ccsim.scenario.loader`: YAML in, a validated :class:`Scenario` out, every problem
  with its file, line and key path.
* :mod:`ccsim.scenario.units`: durations and clock times as planners write them.
* :mod:`ccsim.scenario.distributions`: handle-time, patience and IVR-time shapes.

Scenario code is data only: it imports none of the engines, numba, SimPy or matplotlib.
"""

from ccsim.scenario.loader import load_scenario, scenario_from_dict
from ccsim.scenario.model import Scenario, ScenarioError

__all__ = ["Scenario", "ScenarioError", "load_scenario", "scenario_from_dict"]
