"""Time each routing and behaviour feature of issue 15 against none, alternating in one process.

Run from the repository root::

    .venv/bin/python -m benchmarks.time_routing --rounds 40

The variants are those of ``benchmarks/test_bench_routing.py`` (multiskill-day with
one feature added). For each, one replication (seed 1) is drawn; then, in rounds,
every variant's event loop runs once (``fast._run`` on the drawn contacts, buffers
reused, as the kernel benchmarks time it) in an order that alternates from round to
round, and the drawing of its contacts (``draw_contacts`` and the follow-up pool) runs
once too. Printed per variant: contacts simulated, the median CPU time per call of
the event loop and of the drawing, and the median of the per-round ratios to
``plain`` (paired rounds cancel the drift of a shared machine), as a difference in
per cent. Each variant simulates other contacts than ``plain`` where its feature
changes who is answered (a transfer adds contacts, a balker leaves early), so the
event loop is also given per contact.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import ccsim
from benchmarks.test_bench_routing import VARIANTS, variant
from ccsim.engines import fast
from ccsim.plan import compile_plan
from ccsim.streams import draw_contacts, followup_pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--calls", type=int, default=3, help="calls per round and variant")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    jobs = {}
    for name in VARIANTS:
        plan = compile_plan(ccsim.load_scenario(variant(name)))
        contacts = draw_contacts(plan, 1, 0)
        pool = followup_pool(plan, 1, 0, contacts)
        tables = fast._tables(plan)
        out, _, n = fast._run(plan, contacts, None, pool, tables)
        jobs[name] = (plan, (plan, contacts, None, pool, tables, out), n)
    loop = {name: [] for name in VARIANTS}
    drawing = {name: [] for name in VARIANTS}
    for r in range(args.rounds):
        order = VARIANTS if r % 2 == 0 else VARIANTS[::-1]
        for name in order:
            plan, job, _ = jobs[name]
            cpu = time.thread_time()
            for _ in range(args.calls):
                fast._run(*job)
            loop[name].append((time.thread_time() - cpu) / args.calls)
            cpu = time.thread_time()
            for rep in range(args.calls):
                c = draw_contacts(plan, 1, rep)
                followup_pool(plan, 1, rep, c)
            drawing[name].append((time.thread_time() - cpu) / args.calls)
    base_n = jobs["plain"][2]
    print(f"multiskill-day, {args.rounds} rounds x {args.calls} calls; CPU time, medians")
    print(f"{'variant':<15}{'contacts':>9}{'loop ms':>9}{'vs plain':>10}{'per contact':>13}"
          f"{'draw ms':>9}{'vs plain':>10}")  # fmt: skip
    for name in VARIANTS:
        n = jobs[name][2]
        ratio = statistics.median(b / a for a, b in zip(loop["plain"], loop[name], strict=True))
        per = ratio * base_n / n
        d_ratio = statistics.median(
            b / a for a, b in zip(drawing["plain"], drawing[name], strict=True)
        )
        print(
            f"{name:<15}{n:>9}{statistics.median(loop[name]) * 1e3:>9.3f}"
            f"{(ratio - 1) * 100:>+9.1f}%"
            f"{(per - 1) * 100:>+12.1f}%{statistics.median(drawing[name]) * 1e3:>9.3f}"
            f"{(d_ratio - 1) * 100:>+9.1f}%"
        )


if __name__ == "__main__":
    main()
