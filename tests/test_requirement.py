"""The Erlang requirement counts the answering group's own handle time and speed.

A group's ``handle_time`` for a type (a multiplier, or a distribution of its own) is what
its agents take, so the requirement on it, the plausibility check's load and the
scheduler's offered load must use it: written two ways, the same centre needs the same.
"""

from __future__ import annotations

import numpy as np

from ccsim.erlang import erlang_a_agents
from ccsim.plan import compile_plan
from ccsim.plausibility import _offered_load
from ccsim.scenario.loader import scenario_from_dict
from ccsim.whatif.requirement import type_requirement


def _centre(handle_mean: str, own: dict | None = None, speed: float = 1.0) -> dict:
    group = {"name": "team", "skills": ["calls"], "staffing": 10, "speed": speed}
    if own is not None:
        group["handle_time"] = {"calls": own}
    return {
        "name": "req",
        "horizon": {"start": "08:00", "intervals": 3, "interval": "1h"},
        "contact_types": [
            {
                "name": "calls",
                "arrivals": {"rate_per_hour": [60, 120, 90]},
                "handle_time": {"dist": "exponential", "mean": handle_mean},
                "patience": {"dist": "exponential", "mean": "3min"},
            }
        ],
        "agent_groups": [group],
    }


def _need(data: dict) -> tuple[np.ndarray, np.ndarray]:
    plan = compile_plan(scenario_from_dict(data))
    return type_requirement(plan), _offered_load(plan)


def test_a_groups_multiplier_and_own_distribution_count_as_its_handle_time() -> None:
    plain_need, plain_load = _need(_centre("4min"))
    for written in (
        _centre("8min", {"multiplier": 0.5}),
        _centre("2min", {"dist": "exponential", "mean": "4min"}),
        _centre("6min", {"multiplier": 1.0}, speed=1.5),
    ):
        need, load = _need(written)
        np.testing.assert_array_equal(need, plain_need)
        np.testing.assert_allclose(load, plain_load)
    # and the plain one is Erlang A's, interval by interval
    plan = compile_plan(scenario_from_dict(_centre("4min")))
    threshold, target = float(plan.sl_threshold[0]), float(plan.sl_target[0])
    expected = [
        erlang_a_agents(rate / 3600, 240.0, 180.0, threshold, target) for rate in (60, 120, 90)
    ]
    assert plain_need[0].tolist() == expected
    np.testing.assert_allclose(plain_load[0], np.array([60, 120, 90]) / 3600 * 240.0)
