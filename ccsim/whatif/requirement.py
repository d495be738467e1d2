"""The Erlang requirement: agents per interval that Erlang A says each queue needs.

Erlang formulas staff each interval as if it stood alone: one queue, Poisson arrivals,
exponential handle times and patience, the interval's rate and means. That is the
classic planner's requirement, the starting point of the staffing search
(:mod:`ccsim.whatif.staffing`) and the line the report's staffing chart compares the
roster with. Only the load that reaches the agents counts: calls self-served or
abandoned in the IVR need no agent.
"""

from __future__ import annotations

import math

import numpy as np

from ccsim.plan import Plan

__all__ = ["erlang_requirement", "type_requirement"]


def erlang_requirement(plan: Plan, max_abandon: float | None = None) -> np.ndarray:
    """Erlang A agents per (group, interval), each type's need on its first group.

    The sum over types of :func:`type_requirement`, each on the first group of its
    routing order.

    Returns
    -------
    numpy.ndarray
        Shape (groups, intervals), integers.
    """
    need = np.zeros((plan.n_groups, plan.n_intervals), dtype=np.int64)
    per_type = type_requirement(plan, max_abandon)
    for t in range(plan.n_types):
        need[int(plan.type_groups[t, 0])] += per_type[t]
    return need


def type_requirement(plan: Plan, max_abandon: float | None = None) -> np.ndarray:
    """Erlang A agents per (contact type, interval), counted on the type's first group.

    The load is what reaches the agents: the arrival rate times the share that neither
    self-serves nor hangs up in the IVR (``ivr.deflection`` and ``ivr.abandon``), with
    the first group's handle time for the type (its own, or the type's times its
    multiplier) at its speed, plus wrap-up. Chat needs are in sessions:
    divided by the group's ``concurrency`` (rounded up). E-mail (deferred work) needs
    its workload, rate x handle time, rounded up.

    Returns
    -------
    numpy.ndarray
        Shape (types, intervals), integers.
    """
    from ccsim.erlang import erlang_a_agents, erlang_c_agents

    need = np.zeros((plan.n_types, plan.n_intervals), dtype=np.int64)
    reach = 1.0 - plan.ivr_deflect - plan.ivr_abandon  # share of calls that reach the queue
    for t in range(plan.n_types):
        g = int(plan.type_groups[t, 0])
        threshold, target = float(plan.sl_threshold[t]), float(plan.sl_target[t])
        talk = plan.talk_mean(t, g)  # the first group's own handle time and speed
        for k in range(plan.n_intervals):
            rate = float(plan.rate[t, k]) * reach[t]
            if rate <= 0:
                continue
            handle = talk[k] + plan.wrap_up_mean[t, k]
            if plan.type_email[t]:  # deferred work: its workload, no queueing target
                n = math.ceil(rate * handle - 1e-9)
            elif plan.patience[t] is None:
                n = erlang_c_agents(rate, handle, threshold, target)
            else:
                patience = float(plan.patience_mean[t, k])
                n = erlang_a_agents(rate, handle, patience, threshold, target, max_abandon)
            need[t, k] = -(-n // int(plan.group_sessions[g]))  # chat: Erlang counts sessions
    return need
