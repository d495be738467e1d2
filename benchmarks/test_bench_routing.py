"""pytest-benchmark runs: each routing and behaviour feature (issue 15) on, against none.

Run (from the repository root)::

    .venv/bin/python -m pytest benchmarks/test_bench_routing.py -m benchmark --benchmark-only

Workload: ``scenarios/multiskill-day.yaml`` (3 queues, 3 groups, IVR, lines, shifts
with breaks, a priority group), ``plain`` as written, and one variant per feature
(:data:`VARIANTS`), each the same day with that feature added:

* ``overflow``: service reaches the sales team after 30 s and the fraud desk after
  60 s of waiting (instead of at once);
* ``reserve``: the fraud desk keeps 2 idle agents for fraud;
* ``priority_age``: the sales team takes the waiting contact with the highest
  priority, sales with a 60 s head start;
* ``rich_only``: the service team's policy is ``priority_age`` (one skill: the same
  contacts, the same fates): the kernel compiled with the routing features' code,
  none of them changing anything -- the cost of that code alone;
* ``multiplier``: the sales team talks 20 % longer with service calls;
* ``own_handle``: the fraud desk has its own handle-time distribution for service;
* ``balk``: 20 % of the callers who find no idle agent hang up at once;
* ``mixture``: service's patience is a mixture of two shapes;
* ``transfer``, ``warm_transfer``: 10 % of handled sales calls go on to service,
  the first agent staying on the line until answered in the warm one;
* ``all``: every feature above at once.

Recorded: ``kernel_<variant>`` (the kernel's event loop on pre-drawn contacts, one
core, calls/s per contact simulated) and ``fast_<variant>`` (``simulate(engine="fast",
threads=1)`` end to end). ``benchmarks/time_routing.py`` times the same variants
alternating in one process (paired ratios against ``plain``), for the figures in
docs/performance.md.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

import ccsim
from ccsim.engines import fast
from ccsim.plan import compile_plan
from ccsim.scenario.loader import read_yaml
from ccsim.streams import draw_contacts, followup_pool

pytestmark = pytest.mark.benchmark

REPO = Path(__file__).resolve().parent.parent
DAY = REPO / "scenarios" / "multiskill-day.yaml"
PEDANTIC = {"rounds": 15, "iterations": 1, "warmup_rounds": 2}


def _type(spec: dict, name: str) -> dict:
    return next(t for t in spec["contact_types"] if t["name"] == name)


def _group(spec: dict, name: str) -> dict:
    return next(g for g in spec["agent_groups"] if g["name"] == name)


def _overflow(s: dict) -> None:
    _type(s, "service")["groups"] = [
        "service_team", {"group": "sales_team", "after": "30s"},
        {"group": "fraud_desk", "after": "60s"},
    ]  # fmt: skip


def _reserve(s: dict) -> None:
    _group(s, "fraud_desk")["reserve"] = {"agents": 2, "skill": "fraud"}


def _priority_age(s: dict) -> None:
    _group(s, "sales_team")["policy"] = "priority_age"
    _type(s, "sales")["head_start"] = "60s"


def _rich_only(s: dict) -> None:
    _group(s, "service_team")["policy"] = "priority_age"


def _multiplier(s: dict) -> None:
    _group(s, "sales_team")["handle_time"] = {"service": {"multiplier": 1.2}}


def _own_handle(s: dict) -> None:
    own = {"dist": "lognormal", "mean": "5min", "cv": 1.0}
    _group(s, "fraud_desk")["handle_time"] = {"service": own}


def _balk(s: dict) -> None:
    for t in s["contact_types"]:
        t["balk"] = 0.2


def _mixture(s: dict) -> None:
    _type(s, "service")["patience"] = {"mixture": [
        {"weight": 0.3, "dist": "exponential", "mean": "20s"},
        {"weight": 0.7, "dist": "lognormal", "mean": "4min", "cv": 1.0},
    ]}  # fmt: skip


def _transfer(s: dict, stay: bool = False) -> None:
    _type(s, "sales")["transfer"] = {"probability": 0.1, "to": "service", "stay": stay}


FEATURES: dict[str, Callable[[dict], None]] = {
    "overflow": _overflow,
    "reserve": _reserve,
    "priority_age": _priority_age,
    "rich_only": _rich_only,
    "multiplier": _multiplier,
    "own_handle": _own_handle,
    "balk": _balk,
    "mixture": _mixture,
    "transfer": _transfer,
    "warm_transfer": lambda s: _transfer(s, stay=True),
}


def variant(name: str) -> dict:
    """multiskill-day with one feature added (``plain``: none; ``all``: every one)."""
    spec, _ = read_yaml(DAY, "a scenario file")
    spec = copy.deepcopy(spec)
    chosen = FEATURES.values() if name == "all" else [FEATURES[name]] if name != "plain" else []
    for add in chosen:
        if not (name == "all" and add is _rich_only):
            add(spec)
    if name == "all":
        _transfer(spec, stay=True)
    return spec


VARIANTS = ["plain", *FEATURES, "all"]


@pytest.mark.parametrize("name", VARIANTS)
def test_kernel_event_loop(benchmark, record_throughput, name):
    plan = compile_plan(ccsim.load_scenario(variant(name)))
    contacts = draw_contacts(plan, 1, 0)
    pool = followup_pool(plan, 1, 0, contacts)
    tables = fast._tables(plan)
    out, _, n = fast._run(plan, contacts, None, pool, tables)  # buffers, reused by each round
    benchmark.group = "multiskill-day routing, kernel"
    benchmark.pedantic(fast._run, args=(plan, contacts, None, pool, tables, out), **PEDANTIC)
    record_throughput("multiskill-day routing", f"kernel_{name}", n)


@pytest.mark.parametrize("name", VARIANTS)
def test_fast_engine_one_core(benchmark, record_throughput, name):
    scenario = ccsim.load_scenario(variant(name))
    ccsim.simulate(scenario, replications=1, engine="fast")  # load the compiled kernel
    benchmark.group = "multiskill-day routing, end to end"

    def run():
        return ccsim.simulate(scenario, replications=20, seed=1, engine="fast", threads=1)

    result = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    record_throughput("multiskill-day routing", f"fast_{name}", result.contacts_simulated)
