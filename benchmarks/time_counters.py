"""Time the fast engine's KPI counters (``ccsim.engines.counters.accumulate_day``) alone.

Run from the repository root::

    .venv/bin/python -m benchmarks.time_counters
    .venv/bin/python -m benchmarks.time_counters --against OLD/ccsim/counters.py

Each workload's first 20 replications (seed 1) are simulated once and kept; then the
counters of all 20 are added up, 15 rounds, and the time per replication is printed
(min and median of the rounds). With ``--against`` another version of
``counters.py`` (e.g. from ``git archive``) runs alternately with this one, and both
must give the same counters, bit for bit, on every scenario and corpus file (a
version from before the waiting-time histograms of issue 15 runs without them: the
difference in time is their cost).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import ccsim
from ccsim.engines import counters, fast
from ccsim.plan import compile_plan
from ccsim.results.kpis import WAIT_EDGES
from ccsim.streams import day_roster, draw_contacts, followup_pool

REPO = Path(__file__).resolve().parent.parent
WORKLOADS = ("w1-erlang-a", "w2-daily-load", "multiskill-day")


def _arguments(plan, seed: int, replications: int) -> list[tuple]:
    """accumulate_day's arguments (less its outputs) for each replication, copied."""
    tables = fast._tables(plan)
    kept = []
    for rep in range(replications):
        contacts = draw_contacts(plan, seed, rep)
        pool = followup_pool(plan, seed, rep, contacts)
        out, n_log, n = fast._run(plan, contacts, day_roster(plan, seed, rep), pool, tables)
        args = counters.day_arguments(plan, out, n, n_log)
        kept.append(tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args))
    return kept


def _accumulate(module, plan, kept: list[tuple]) -> tuple[np.ndarray, ...]:
    """The counters of every kept replication (and the waiting-time histograms, if counted).

    A ``counters.py`` from before the histograms (issue 15) takes neither the bins nor
    a histogram: it is called without them.
    """
    histograms = "wait_hist" in inspect.signature(module.accumulate_day.py_func).parameters
    type_acc = np.zeros((len(kept), plan.n_types, plan.n_intervals, counters.N_TYPE_FIELDS))
    group_acc = np.zeros((len(kept), plan.n_groups, plan.n_intervals, counters.N_GROUP_FIELDS))
    hist = np.zeros((len(kept), plan.n_types, 2, len(WAIT_EDGES)), np.int64)
    for i, args in enumerate(kept):
        if histograms:
            module.accumulate_day(*args, type_acc[i], group_acc[i], hist[i])
        else:
            module.accumulate_day(*args[:-2], type_acc[i], group_acc[i])
    return type_acc, group_acc


def _load(path: Path):
    spec = importlib.util.spec_from_file_location("counters_against", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # numba's cache needs to find it again
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another counters.py to compare with")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    versions = {"this": counters}
    if args.against is not None:
        versions = {"against": _load(args.against), **versions}
        paths = sorted((REPO / "scenarios").glob("*.yaml"))
        paths += sorted((REPO / "tests" / "corpus").glob("*.yaml"))
        for path in paths:
            plan = compile_plan(ccsim.load_scenario(path))
            kept = _arguments(plan, 11, 3 if "multisite" in path.stem else 12)
            a, b = (_accumulate(m, plan, kept) for m in versions.values())
            same = all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b, strict=True))
            print(f"{path.stem:24s} {'same counters' if same else 'DIFFERENT COUNTERS'}")
    for workload in WORKLOADS:
        plan = compile_plan(ccsim.load_scenario(REPO / "scenarios" / f"{workload}.yaml"))
        kept = _arguments(plan, 1, 20)
        times: dict[str, list[float]] = {name: [] for name in versions}
        for module in versions.values():
            _accumulate(module, plan, kept)  # load the compiled code
        for _ in range(args.rounds):
            for name, module in versions.items():
                start = time.perf_counter()
                _accumulate(module, plan, kept)
                times[name].append((time.perf_counter() - start) / len(kept) * 1e3)
        line = " | ".join(
            f"{name} min {min(t):.3f} median {np.median(t):.3f}" for name, t in times.items()
        )
        print(f"{workload:16s} ms per replication: {line}")


if __name__ == "__main__":
    main()
