"""pytest-benchmark runs of W1 and W2: ccsim's SimPy engine against the idiomatic SimPy peer.

Run (from the repository root)::

    .venv/bin/python -m pytest benchmarks -m benchmark --benchmark-only

Each benchmark times one replication per round (5 rounds after 1 warm-up round)
and records ``calls`` and ``calls_per_s`` (calls / median round time) in
``extra_info``; ``benchmarks/conftest.py`` prints the ccsim / peer ratios at the end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.peers import idiomatic_simpy

pytestmark = pytest.mark.benchmark

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "W1": REPO / "scenarios" / "w1-erlang-a.yaml",
    "W2": REPO / "scenarios" / "w2-daily-load.yaml",
}
PEDANTIC = {"rounds": 5, "iterations": 1, "warmup_rounds": 1}
SEED = 1


def _bench_peer(benchmark, record_throughput, workload, run):
    benchmark.group = workload
    stats = benchmark.pedantic(run, args=(SEED,), **PEDANTIC)
    record_throughput(workload, "idiomatic_simpy", stats["calls"])


def _bench_ccsim(benchmark, record_throughput, workload):
    ccsim = pytest.importorskip("ccsim")
    if not hasattr(ccsim, "simulate") or not hasattr(ccsim, "load_scenario"):
        pytest.skip("ccsim.simulate / ccsim.load_scenario not available yet")
    scenario = ccsim.load_scenario(str(SCENARIOS[workload]))
    benchmark.group = workload

    def run():
        return ccsim.simulate(scenario, replications=1, seed=SEED, engine="simpy")

    result = benchmark.pedantic(run, **PEDANTIC)
    record_throughput(workload, "ccsim_simpy", result.contacts_simulated)


def test_w1_idiomatic_simpy(benchmark, record_throughput):
    _bench_peer(benchmark, record_throughput, "W1", idiomatic_simpy.run_w1)


def test_w2_idiomatic_simpy(benchmark, record_throughput):
    _bench_peer(benchmark, record_throughput, "W2", idiomatic_simpy.run_w2)


def test_w1_ccsim_simpy(benchmark, record_throughput):
    _bench_ccsim(benchmark, record_throughput, "W1")


def test_w2_ccsim_simpy(benchmark, record_throughput):
    _bench_ccsim(benchmark, record_throughput, "W2")
