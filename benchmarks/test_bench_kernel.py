"""pytest-benchmark runs of the fast engine (numba kernel), with peers in the same run.

Run (from the repository root)::

    .venv/bin/python -m pytest benchmarks -m benchmark --benchmark-only

Implementations recorded per workload (calls per second, median round, one core
unless said otherwise):

* ``ccsim_kernel``: the kernel's event loop alone on pre-drawn contacts;
* ``ccsim_fast``: ``simulate(engine="fast", threads=1)`` end to end (drawing the
  contacts, the kernel, the KPI counters);
* ``ccsim_simpy``: the SimPy engine on the same scenario (the ratio fast / simpy);
* ``minimal_kernel``: a minimal single-skill numba kernel (W1 only), the floor.

``test_w1_1000_replications`` times ``ccsim run ... -r 1000 --engine fast`` as a
command (start-up with a warm cache included) on all cores.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import ccsim
from benchmarks.peers import minimal_kernel
from ccsim.engines import fast
from ccsim.plan import compile_plan
from ccsim.streams import draw_contacts, followup_pool

pytestmark = pytest.mark.benchmark

REPO = Path(__file__).resolve().parent.parent
WORKLOADS = {
    "W1": REPO / "scenarios" / "w1-erlang-a.yaml",
    "W2": REPO / "scenarios" / "w2-daily-load.yaml",
    "multiskill": REPO / "scenarios" / "multiskill-day.yaml",
}
PEDANTIC = {"rounds": 7, "iterations": 1, "warmup_rounds": 1}


def _scenario(workload: str):
    return ccsim.load_scenario(WORKLOADS[workload])


@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_kernel_event_loop(benchmark, record_throughput, workload):
    plan = compile_plan(_scenario(workload))
    contacts = draw_contacts(plan, 1, 0)
    pool = followup_pool(plan, 1, 0, contacts)
    tables = fast._tables(plan)
    out, _, n = fast._run(plan, contacts, None, pool, tables)  # buffers, reused by each round
    benchmark.group = workload
    benchmark.pedantic(fast._run, args=(plan, contacts, None, pool, tables, out), **PEDANTIC)
    record_throughput(workload, "ccsim_kernel", n)


@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_fast_engine_one_core(benchmark, record_throughput, workload):
    scenario = _scenario(workload)
    ccsim.simulate(scenario, replications=1, engine="fast")  # load the compiled kernel
    benchmark.group = workload

    def run():
        return ccsim.simulate(scenario, replications=10, seed=1, engine="fast", threads=1)

    result = benchmark.pedantic(run, **PEDANTIC)
    record_throughput(workload, "ccsim_fast", result.contacts_simulated)


def test_multiskill_simpy_engine(benchmark, record_throughput):
    scenario = _scenario("multiskill")
    benchmark.group = "multiskill"

    def run():
        return ccsim.simulate(scenario, replications=1, seed=1, engine="simpy")

    result = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    record_throughput("multiskill", "ccsim_simpy", result.contacts_simulated)


def test_w1_minimal_kernel(benchmark, record_throughput):
    plan = compile_plan(_scenario("W1"))
    c = draw_contacts(plan, 1, 0)
    minimal_kernel.run(c.arrival, c.handle, c.patience, 190)
    benchmark.group = "W1"
    benchmark.pedantic(minimal_kernel.run, args=(c.arrival, c.handle, c.patience, 190), **PEDANTIC)
    record_throughput("W1", "minimal_kernel", len(c))


def test_w1_1000_replications(benchmark, record_seconds):
    """Wall time of the command, start-up with a warm compile cache included."""
    command = [
        sys.executable,
        "-m",
        "ccsim",
        "run",
        str(WORKLOADS["W1"]),
        "-r",
        "1000",
        "--engine",
        "fast",
        "--json",
    ]
    subprocess.run(command, check=True, capture_output=True)  # warm the cache

    def run():
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - start

    benchmark.group = "W1 x 1000"
    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    record_seconds("W1 x 1000")
