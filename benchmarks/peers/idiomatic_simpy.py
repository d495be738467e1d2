"""Idiomatic SimPy model of workloads W1 and W2 (see /work/shared/workloads.md).

This is the peer that ccsim's engines are measured against, written the way a
typical SimPy user would write it: a generator process per call, a resource for
the agents, ``request | timeout(patience)`` for abandonment and
``timeout(handle)`` for service.  It is meant to be a fair, ordinary SimPy
program: neither deliberately slow nor hand-optimised.

W2's time-varying staffing uses the standard idiom: a ``PriorityResource`` with
capacity = maximum staffing, and a controller process that holds the surplus
slots with priority -1 "off-duty" requests.  Those are granted before queued
calls (priority 0): at once if agents are idle, otherwise when a busy agent
finishes its call.  When staffing rises the controller releases slots again.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

MEAN_HANDLE = 180.0  # s
MEAN_PATIENCE = 300.0  # s
SL_THRESHOLD = 20.0  # s


def _new_stats() -> dict:
    return {
        "calls": 0,  # every arrival, warm-up included
        "offered": 0,  # arrivals in the measured window
        "answered": 0,
        "abandoned": 0,
        "answered_within_20s": 0,
        "wait_answered": 0.0,  # total wait of answered calls, s
        "wait_abandoned": 0.0,  # total time in queue of abandoned calls, s
        "busy_time": 0.0,  # total handle time of answered calls, s
    }


def call(env, agents, rng, stats, measured):
    """One call: queue for an agent, abandon after its patience, else be served."""
    arrival = env.now
    patience = rng.exponential(MEAN_PATIENCE)
    handle = rng.exponential(MEAN_HANDLE)
    with agents.request() as req:  # priority 0 (the default) on a PriorityResource
        result = yield req | env.timeout(patience)
        wait = env.now - arrival
        if req in result:
            if measured:
                stats["answered"] += 1
                stats["wait_answered"] += wait
                stats["busy_time"] += handle
                if wait <= SL_THRESHOLD:
                    stats["answered_within_20s"] += 1
            yield env.timeout(handle)
        elif measured:
            stats["abandoned"] += 1
            stats["wait_abandoned"] += wait


def source(env, agents, rng, stats, rates, interval, warmup):
    """Poisson arrivals with a rate (calls/s) that is constant within each interval."""
    for k, rate in enumerate(rates):
        end = (k + 1) * interval
        while True:
            # Exponential gaps are memoryless, so redrawing at the boundary is exact.
            gap = rng.exponential(1.0 / rate)
            if env.now + gap >= end:
                break
            yield env.timeout(gap)
            measured = env.now >= warmup
            stats["calls"] += 1
            stats["offered"] += measured
            env.process(call(env, agents, rng, stats, measured))
        yield env.timeout(end - env.now)


def staffing(env, agents, levels, interval):
    """Keep ``capacity - n_k`` agent slots off duty during interval k."""
    off_duty = []
    for n in levels:
        target = agents.capacity - n
        while len(off_duty) < target:
            off_duty.append(agents.request(priority=-1))
        while len(off_duty) > target:
            req = off_duty.pop()  # newest first, so still-pending requests go first
            if req.triggered:
                agents.release(req)
            else:
                req.cancel()
        yield env.timeout(interval)


def run(rates, staffing_levels, interval, warmup, seed):
    """Simulate one replication; rates in calls/s, one staffing level per interval."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    stats = _new_stats()
    if len(set(staffing_levels)) == 1:
        agents = simpy.Resource(env, capacity=staffing_levels[0])
    else:
        agents = simpy.PriorityResource(env, capacity=max(staffing_levels))
        env.process(staffing(env, agents, staffing_levels, interval))
    env.process(source(env, agents, rng, stats, rates, interval, warmup))
    env.run()  # no arrivals after the last interval: run until the centre drains
    stats["measured_time"] = len(rates) * interval - warmup
    stats["staffed_time"] = sum(
        staffing_levels[k] * interval for k in range(len(rates)) if (k + 1) * interval > warmup
    )
    return stats


def kpis(stats: dict) -> dict:
    """Service level, abandon rate, ASA and occupancy from ``run``'s counts."""
    offered = stats["offered"]
    return {
        "service_level": stats["answered_within_20s"] / offered,
        "abandon_rate": stats["abandoned"] / offered,
        "asa_s": stats["wait_answered"] / stats["answered"],
        "occupancy": stats["busy_time"] / stats["staffed_time"],
    }


# Workload definitions ----------------------------------------------------------------

W1_RATES = [1.0] * 9  # 1 call/s for 9 hours
W1_STAFFING = [190] * 9
W1_INTERVAL = 3600.0
W1_WARMUP = 3600.0

W2_RATES = [0.3 + 1.2 * math.sin(math.pi * min(k, 23 - k) / 22) ** 2 for k in range(24)]
W2_STAFFING = [math.ceil(180 * r + math.sqrt(180 * r)) for r in W2_RATES]
W2_INTERVAL = 1800.0
W2_WARMUP = 0.0


def run_w1(seed: int) -> dict:
    """W1 "Erlang-A steady state": 190 agents, 1 call/s, 1 h warm-up + 8 h measured."""
    return run(W1_RATES, W1_STAFFING, W1_INTERVAL, W1_WARMUP, seed)


def run_w2(seed: int) -> dict:
    """W2 "a day with time-varying load": 24 half hours, square-root staffing."""
    return run(W2_RATES, W2_STAFFING, W2_INTERVAL, W2_WARMUP, seed)
