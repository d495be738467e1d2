"""Variance reduction: the control variate cuts the replications a stated precision needs.

Run (from the repository root; about half a minute on this 2-core machine)::

    .venv/bin/python -m pytest benchmarks/test_bench_variance.py -m benchmark --benchmark-only -s

Both benchmarks run ``scenarios/multiskill-day.yaml`` (day factor cv 0.19: the day's
volume moves the service level) to a 95 % half-width of +-0.2 points on the centre-wide
service level, from 20 replications, once plainly and once with the day's first contacts
as a control variate (``variance_reduction="control"``). ``extra_info`` records the
replications each needed; the ratio of the times is the ratio that matters on a shared
machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ccsim

pytestmark = [pytest.mark.benchmark, pytest.mark.filterwarnings("ignore::ccsim.CapacityWarning")]

REPO = Path(__file__).resolve().parent.parent
TARGET = {"service_level": 0.002}
_NEEDED: dict[str, int] = {}


@pytest.mark.parametrize("variance_reduction", [None, "control"], ids=["plain", "control"])
def test_replications_to_a_precision(benchmark, variance_reduction):
    scenario = ccsim.load_scenario(REPO / "scenarios" / "multiskill-day.yaml")
    ccsim.simulate(scenario, replications=1)  # load the compiled kernel
    benchmark.group = "precision"

    def run() -> ccsim.SimulationResult:
        return ccsim.simulate(
            scenario, 20, 1, precision=TARGET, max_replications=5000,
            variance_reduction=variance_reduction,
        )  # fmt: skip

    result = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    assert result.precision.met
    benchmark.extra_info["replications"] = result.replications
    _NEEDED[str(variance_reduction)] = result.replications
    if len(_NEEDED) == 2:
        print(
            f"\nreplications for +-0.2 pt: plain {_NEEDED['None']}, control "
            f"{_NEEDED['control']} ({_NEEDED['None'] / _NEEDED['control']:.1f}x fewer)"
        )
