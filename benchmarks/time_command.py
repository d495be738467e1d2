"""Where the wall time of ``ccsim run W1 -r R --engine fast --json`` goes.

Run from the repository root::

    .venv/bin/python -m benchmarks.time_command            # 5 runs of 1 000 replications
    .venv/bin/python -m benchmarks.time_command -r 200 -n 3

Each run is a fresh process, started in the current folder (so that the ``ccsim``
found there, or on PYTHONPATH, is the one timed), that calls ``ccsim.cli.main`` as the
console script does and splits its wall time into: start-up before the replications (interpreter,
imports, scenario, numba), the replications (the first one also loads numba's
registries and the cached kernel), after them (KPIs, JSON) and the interpreter's exit.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

DRIVER = """
import sys, time
from ccsim.cli import app as cli
from ccsim.engines import fast
run = fast.run_replications
def timed(*args, **kwargs):
    start = time.time()
    result = run(*args, **kwargs)
    sys.stderr.write(f"@run {start} {time.time()}\\n")
    return result
fast.run_replications = timed
sys.argv = ["ccsim", "run", "scenarios/w1-erlang-a.yaml", "-r", sys.argv[1], "--engine", "fast",
            "--json"]
try:
    cli.main()
finally:
    sys.stderr.write(f"@end {time.time()}\\n")
"""


def one_run(replications: int) -> dict[str, float]:
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(replications)],
        cwd=Path.cwd(),
        capture_output=True,
        text=True,
        check=True,
    )
    stop = time.time()
    marks = {}
    for line in done.stderr.splitlines():
        if line.startswith("@"):
            name, *values = line[1:].split()
            marks[name] = [float(v) for v in values]
    run_start, run_stop = marks["run"]
    end = marks["end"][0]
    return {
        "before": run_start - start,
        "replications": run_stop - run_start,
        "after": end - run_stop,
        "exit": stop - end,
        "total": stop - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--replications", type=int, default=1000)
    parser.add_argument("-n", "--runs", type=int, default=5)
    args = parser.parse_args()
    one_run(2)  # warm the compile cache
    runs = [one_run(args.replications) for _ in range(args.runs)]
    for phase in runs[0]:
        values = np.array([r[phase] for r in runs])
        print(
            f"{phase:13s} median {np.median(values):6.3f} s   "
            f"min {values.min():6.3f}   max {values.max():6.3f}"
        )


if __name__ == "__main__":
    main()
