"""Two versions of the kernel, alternating in one process: event-loop times and refcounts.

Run from the repository root::

    .venv/bin/python -m benchmarks.ab_kernel main .           # main against this tree
    .venv/bin/python -m benchmarks.ab_kernel HEAD~3 HEAD --rounds 80

Each of ``A`` and ``B`` is a git revision (exported with ``git archive``) or a folder
holding a ``ccsim`` package (``.``: the working tree, uncommitted changes included).
Both versions' ``ccsim`` packages are imported into this process one after the other
(the modules of the first are set aside under their own objects before the second is
imported), and numba compiles both afresh into a temporary cache folder, so that
``inspect_llvm`` has their LLVM IR.

For each workload (W1, telco-week, multiskill-day) both versions simulate the same
replication (seed 1, replication 0, each version drawing with its own code) and must
give every contact the same fate and times. Then the event loop alone
(``fast._run`` on drawn contacts, reusing its buffers, as
``benchmarks/test_bench_kernel.py`` times it) runs in rounds, A then B, B then A,
alternating, each round ``--calls`` calls in a row. Printed per workload, for the wall
clock and for the thread's CPU time (which leaves out the time other processes of a
shared machine hold the core): the median time per call of each version and the
median of the per-round ratios B / A (paired rounds, which cancels slow drifts), as a
difference in per cent.

The compiled code is also inspected: call sites of ``NRT_incref`` and ``NRT_decref``
(numba's reference counting) in the LLVM IR of ``simulate_day`` and of
``accumulate_day``, inside the compiled functions (the CPython wrapper, which runs
once per call, counted apart).

Issue 11 accepts a change to the kernel when the refcount calls do not grow and the
median difference is 1 % or less on every workload.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
WORKLOADS = {
    "W1": "scenarios/w1-erlang-a.yaml",
    "telco-week": "scenarios/telco-week.yaml",
    "multiskill-day": "scenarios/multiskill-day.yaml",
}
#: the modules a version is used through (imported while its package is on sys.path)
MODULES = ("ccsim", "ccsim.engines.fast", "ccsim.engines.counters", "ccsim.plan", "ccsim.streams")


def export(rev: str, into: Path) -> Path:
    """The folder holding version ``rev``'s ``ccsim`` package."""
    folder = Path(rev)
    if (folder / "ccsim" / "__init__.py").is_file():
        return folder.resolve()
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "ccsim"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def load(folder: Path) -> dict[str, ModuleType]:
    """Import the ``ccsim`` package in ``folder``; return its modules, unregistered again."""
    sys.path.insert(0, str(folder))
    try:
        for name in MODULES:
            __import__(name)
        modules = {n: m for n, m in sys.modules.items() if n == "ccsim" or n.startswith("ccsim.")}
        origin = Path(modules["ccsim"].__file__).resolve().parent.parent
        assert origin == folder, f"imported {origin}, not {folder}"
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == "ccsim" or n.startswith("ccsim.")]:
            del sys.modules[name]
    return modules


def refcounts(dispatcher) -> str:
    """NRT_incref / NRT_decref call sites in compiled functions, and in the wrappers.

    The wrappers (``cpython.`` and ``cfunc.`` functions) convert the arguments from
    Python objects and back, once per call.
    """
    signatures = dispatcher.inspect_llvm()
    counts = {"incref": 0, "decref": 0, "wrap_incref": 0, "wrap_decref": 0}
    wrapper = False
    for line in "\n".join(signatures.values()).splitlines():
        if line.startswith("define "):
            name = line.partition("@")[2]
            wrapper = name.startswith(("_ZN7cpython", "cfunc.", '"cpython.'))
        found = re.search(r"call .*@NRT_(incref|decref)\(", line)
        if found:
            counts[("wrap_" if wrapper else "") + found.group(1)] += 1
    return (
        f"{counts['incref']} incref + {counts['decref']} decref (wrapper "
        f"{counts['wrap_incref']} + {counts['wrap_decref']}; {len(signatures)} signature(s))"
    )


class Version:
    """One version's modules and, per workload, a replication ready to run again."""

    def __init__(self, label: str, folder: Path) -> None:
        self.label = label
        self.modules = load(folder)
        self.fast = self.modules["ccsim.engines.fast"]
        self.jobs: dict[str, tuple] = {}

    @contextlib.contextmanager
    def active(self):  # noqa: ANN201 - a context manager
        """This version's modules in ``sys.modules`` (for the imports its code makes late)."""
        saved = {n: m for n, m in sys.modules.items() if n == "ccsim" or n.startswith("ccsim.")}
        for name in saved:
            del sys.modules[name]
        sys.modules.update(self.modules)
        try:
            yield
        finally:
            for name in self.modules:
                sys.modules.pop(name, None)
            sys.modules.update(saved)

    def prepare(self, workload: str) -> int:
        with self.active():
            return self._prepare(workload)

    def _prepare(self, workload: str) -> int:
        m = self.modules
        scenario = m["ccsim"].load_scenario(REPO / WORKLOADS[workload])
        plan = m["ccsim.plan"].compile_plan(scenario)
        streams = m["ccsim.streams"]
        contacts = streams.draw_contacts(plan, 1, 0)
        pool = streams.followup_pool(plan, 1, 0, contacts)
        tables = self.fast._tables(plan)
        out, n_log, n = self.fast._run(plan, contacts, None, pool, tables)
        self.jobs[workload] = (plan, contacts, None, pool, tables, out)
        self.fast.run_replications(plan, 1, 1, threads=1)  # compiles the counters too
        return n

    def outcome(self, workload: str):
        """The replication's outcome (fresh buffers, so that the runs do not share them)."""
        plan, contacts, roster, pool, tables, _ = self.jobs[workload]
        with self.active():
            out, n_log, n = self.fast._run(plan, contacts, roster, pool, tables)
            return self.fast._outcome(out, n_log, n)

    def run(self, workload: str, calls: int) -> tuple[float, float]:
        """Seconds per call of the event loop, ``calls`` calls in a row: wall, CPU."""
        job = self.jobs[workload]
        run = self.fast._run
        start, cpu = time.perf_counter(), time.thread_time()
        for _ in range(calls):
            run(*job)
        return (time.perf_counter() - start) / calls, (time.thread_time() - cpu) / calls


def same_outcome(a, b) -> None:
    import numpy as np

    for name in ("fate", "group", "staff_group", "staff_delta"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for name in ("queued", "answered", "left", "freed", "staff_time"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="git revision or folder of version A (the baseline)")
    parser.add_argument("b", help="git revision or folder of version B")
    parser.add_argument("--rounds", type=int, default=60, help="rounds per version")
    parser.add_argument("--calls", type=int, default=5, help="calls per round")
    parser.add_argument("--workloads", nargs="*", default=list(WORKLOADS))
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    with tempfile.TemporaryDirectory(prefix="ab_kernel_") as tmp:
        # numba reads its cache folder when it is first imported: compile afresh
        os.environ["NUMBA_CACHE_DIR"] = str(Path(tmp) / "numba")
        if any(n == "numba" or n.startswith("numba.") for n in sys.modules):
            raise SystemExit("numba was imported before the cache folder was set")
        versions = [
            Version(label, export(rev, Path(tmp) / label))
            for label, rev in (("A", args.a), ("B", args.b))
        ]
        print(f"A = {args.a}, B = {args.b}; {args.rounds} rounds x {args.calls} calls")
        for w in args.workloads:
            counts = [v.prepare(w) for v in versions]
            assert counts[0] == counts[1], (w, counts)
            same_outcome(versions[0].outcome(w), versions[1].outcome(w))

        print("\nrefcount call sites in the LLVM IR")
        for v in versions:
            kernel = v.modules["ccsim.engines.kernel"].simulate_day
            if not hasattr(kernel, "inspect_llvm"):  # a Python wrapper around it
                kernel = kernel.__wrapped__
            counters = v.modules["ccsim.engines.counters"].accumulate_day
            print(f"  {v.label} simulate_day:   {refcounts(kernel)}")
            print(f"  {v.label} accumulate_day: {refcounts(counters)}")

        print(f"\n{'workload':<16}{'clock':>6}{'A ms':>9}{'B ms':>9}{'B/A - 1':>9}  (paired)")
        for w in args.workloads:
            times: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
            for v in versions:  # warm-up
                v.run(w, args.calls)
            for r in range(args.rounds):
                order = versions if r % 2 == 0 else versions[::-1]
                for v in order:
                    times[v.label].append(v.run(w, args.calls))
            for i, clock in enumerate(("wall", "cpu")):
                ta = [t[i] for t in times["A"]]
                tb = [t[i] for t in times["B"]]
                a, b = statistics.median(ta), statistics.median(tb)
                paired = (statistics.median(y / x for x, y in zip(ta, tb, strict=True)) - 1) * 100
                print(
                    f"{w if i == 0 else '':<16}{clock:>6}{a * 1e3:>9.3f}{b * 1e3:>9.3f}"
                    f"{paired:>+8.2f}%  (medians {(b / a - 1) * 100:+.2f}%)"
                )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
