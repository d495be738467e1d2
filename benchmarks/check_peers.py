"""Sanity check: the idiomatic SimPy peer reproduces the exact Erlang-A figures of W1.

Run from the repository root::

    .venv/bin/python -m benchmarks.check_peers            # 3 seeds
    .venv/bin/python -m benchmarks.check_peers --seeds 20

Prints each replication's KPIs, their mean with a 95 % confidence half-width
(Student t over replications) and the exact Erlang-A values from workloads.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

if not __package__:  # run as a plain script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.peers.idiomatic_simpy import kpis, run_w1  # noqa: E402

EXACT = {"service_level": 0.96677, "abandon_rate": 0.007933, "asa_s": 2.336, "occupancy": 0.93985}
# Two-sided 95 % Student t quantiles by degrees of freedom (normal beyond 30).
T95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    14: 2.145,
    19: 2.093,
    29: 2.045,
}


def t95(df: int) -> float:
    if df >= 30:
        return 1.96
    return T95[max(k for k in T95 if k <= df)]  # conservative between tabulated values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="replications (seeds 1..N)")
    args = parser.parse_args(argv)

    names = list(EXACT)
    print(f"W1, idiomatic SimPy peer, {args.seeds} replications")
    print(f"{'seed':>6} {'calls':>7} " + " ".join(f"{n:>14}" for n in names) + f" {'calls/s':>9}")
    rows = []
    for seed in range(1, args.seeds + 1):
        t0 = time.perf_counter()
        stats = run_w1(seed)
        elapsed = time.perf_counter() - t0
        k = kpis(stats)
        rows.append(k)
        print(
            f"{seed:>6} {stats['calls']:>7} "
            + " ".join(f"{k[n]:>14.6f}" for n in names)
            + f" {stats['calls'] / elapsed:>9.0f}"
        )

    means = {n: statistics.fmean(r[n] for r in rows) for n in names}
    print(f"{'mean':>14} " + " ".join(f"{means[n]:>14.6f}" for n in names))
    ok = True
    if len(rows) > 1:
        half = {
            n: t95(len(rows) - 1) * statistics.stdev(r[n] for r in rows) / len(rows) ** 0.5
            for n in names
        }
        print(f"{'± 95 %':>14} " + " ".join(f"{half[n]:>14.6f}" for n in names))
        inside = {n: abs(means[n] - EXACT[n]) <= half[n] for n in names}
        ok = all(inside.values())
    print(f"{'exact':>14} " + " ".join(f"{EXACT[n]:>14.6f}" for n in names))
    if len(rows) > 1:
        print(f"{'in CI?':>14} " + " ".join(f"{'yes' if inside[n] else 'NO':>14}" for n in names))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
