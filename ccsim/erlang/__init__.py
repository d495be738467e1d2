"""Queueing formulas for contact-centre planning: Erlang B, C and A.

A contact centre is, to a first approximation, a queue with ``n`` identical *agents*
(servers). Contacts arrive at random (Poisson) at ``arrival_rate`` per second and each
keeps an agent busy for an exponentially distributed *handle time* with mean
``mean_handle`` seconds. The *offered load* in Erlangs is

    a = arrival_rate * mean_handle,

the average number of agents that would be busy if every contact were served. With
``n`` agents the *agent occupancy* is the carried load divided by ``n``.

Three classical models cover the usual planning questions:

* **Erlang B** (M/M/n/n, :func:`erlang_b`): no queue at all; a contact that finds every
  agent busy is lost (a busy tone). :func:`mmck_blocking` / :func:`mmck_metrics`
  generalise this to a finite number of lines (M/M/n/K): ``K - n`` contacts can wait,
  further arrivals are blocked.
* **Erlang C** (M/M/n, :func:`erlang_c`): an infinite, infinitely patient queue. It gives
  the probability of waiting, the average speed of answer (ASA) and the service level
  (share of contacts answered within a threshold such as 20 s). It only exists when
  ``a < n``.
* **Erlang A** (M/M/n+M, :func:`erlang_a`): as Erlang C but every waiting contact has an
  exponentially distributed *patience* with mean ``mean_patience``; a contact whose
  patience runs out before an agent picks it up abandons. Abandonment keeps the queue
  stable even when ``a >= n``, and Erlang A is usually far more realistic than Erlang C.

The staffing helpers (:func:`erlang_c_agents`, :func:`erlang_a_agents`) search the
fewest agents that reach a service-level target, and :func:`square_root_staffing` /
:func:`halfin_whitt_beta` give the Halfin-Whitt rule of thumb ``n = a + beta*sqrt(a)``.

This package is the public front: Erlang B and C and the staffing rules live in
:mod:`ccsim.erlang.formulas`, the Erlang A machinery (:class:`ErlangAResult`,
:func:`erlang_a`, :func:`erlang_a_agents`) in :mod:`ccsim.erlang.abandonment`; every
formula is imported from ``ccsim.erlang``.

Everything is computed with recurrences and in log space, never with factorials or
large powers, so the functions stay accurate for thousands of agents and offered loads
of thousands of Erlangs. Besides planning, they serve as exact oracles against which the
simulator is tested.
"""

from ccsim.erlang.abandonment import ErlangAResult, erlang_a, erlang_a_agents
from ccsim.erlang.formulas import (
    erlang_b,
    erlang_c,
    erlang_c_agents,
    erlang_c_asa,
    erlang_c_service_level,
    halfin_whitt_beta,
    mmck_blocking,
    mmck_metrics,
    square_root_staffing,
)

__all__ = [
    "ErlangAResult",
    "erlang_a",
    "erlang_a_agents",
    "erlang_b",
    "erlang_c",
    "erlang_c_agents",
    "erlang_c_asa",
    "erlang_c_service_level",
    "halfin_whitt_beta",
    "mmck_blocking",
    "mmck_metrics",
    "square_root_staffing",
]
