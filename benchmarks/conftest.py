"""Benchmark session helpers: record each run's throughput, print ccsim / peer ratios.

The guide measures performance as ratios against a peer *in the same run*, since
the machines are shared and absolute times drift.  Each benchmark calls the
``record_throughput`` fixture; at the end of the session a small table of
calls/s and ccsim / idiomatic-SimPy ratios is printed (whatever ran).
"""

from __future__ import annotations

import pytest

# (workload, implementation) -> calls per second (calls / median round time)
_THROUGHPUT: dict[tuple[str, str], float] = {}

PEER = "idiomatic_simpy"


@pytest.fixture
def record_throughput(benchmark):
    """Return ``record(workload, implementation, calls)`` to call after ``benchmark.pedantic``.

    Stores ``calls`` and ``calls_per_s`` in ``benchmark.extra_info`` (so they land in
    ``--benchmark-json`` / ``--benchmark-autosave`` output) and in the session table.
    """

    def record(workload: str, implementation: str, calls: int) -> None:
        benchmark.extra_info["calls"] = int(calls)
        if benchmark.stats is None:  # --benchmark-disable: the function ran once, untimed
            return
        rate = calls / benchmark.stats.stats.median
        benchmark.extra_info["calls_per_s"] = rate
        _THROUGHPUT[(workload, implementation)] = rate

    return record


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _THROUGHPUT:
        return
    workloads = sorted({w for w, _ in _THROUGHPUT})
    others = sorted({i for _, i in _THROUGHPUT if i != PEER})
    tr = terminalreporter
    tr.section("throughput relative to idiomatic SimPy (same run, median round)")
    header = (
        f"{'workload':<11} {'implementation':<18} {'calls/s':>12} {'ratio to peer':>14}"
        f" {'to ccsim_simpy':>15}"
    )
    tr.write_line(header)
    tr.write_line("-" * len(header))
    for w in workloads:
        peer = _THROUGHPUT.get((w, PEER))
        simpy_engine = _THROUGHPUT.get((w, "ccsim_simpy"))
        for impl in [PEER, *others]:
            rate = _THROUGHPUT.get((w, impl))
            if rate is None:
                continue
            ratio = f"{rate / peer:.3f}" if peer else "n/a"
            ratio2 = f"{rate / simpy_engine:.1f}" if simpy_engine else "n/a"
            tr.write_line(f"{w:<11} {impl:<18} {rate:>12,.0f} {ratio:>14} {ratio2:>15}")
