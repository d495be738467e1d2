"""A staffing sweep on the kernel: 100 points x 1 000 replications of a realistic day.

Run (from the repository root; about 1-2 minutes on this 2-core machine)::

    .venv/bin/python -m pytest benchmarks/test_bench_sweep.py -m benchmark --benchmark-only

The day is ``scenarios/multiskill-day.yaml`` (3 types, 3 groups, IVR, shifts with
breaks). The 100 points are 10 staffing levels of the sales team x 10 of the fraud
desk. ``extra_info`` records points per second and contacts per second.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ccsim
from ccsim.whatif.sweeps import sweep

pytestmark = pytest.mark.benchmark

REPO = Path(__file__).resolve().parent.parent
GRID = {
    "agent_groups.sales_team.staffing": [f"{d:+d}" for d in range(-3, 7)],
    "agent_groups.fraud_desk.staffing": [f"{d:+d}" for d in range(-2, 8)],
}


def test_staffing_sweep_100_points_x_1000_replications(benchmark):
    scenario = ccsim.load_scenario(REPO / "scenarios" / "multiskill-day.yaml")
    ccsim.simulate(scenario, replications=1, engine="fast")  # load the compiled kernel
    benchmark.group = "sweep"
    table = benchmark.pedantic(
        sweep, args=(scenario, GRID), kwargs={"replications": 1000, "seed": 1},
        rounds=1, iterations=1, warmup_rounds=0,
    )  # fmt: skip
    assert len(table) == 100
    seconds = benchmark.stats.stats.median
    benchmark.extra_info["points_per_s"] = 100 / seconds
    benchmark.extra_info["seconds"] = seconds
