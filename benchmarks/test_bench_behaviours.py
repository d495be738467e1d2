"""pytest-benchmark runs: the fast engine with every behaviour on, against the same
scenario with the behaviours taken out, in the same run.

Run (from the repository root)::

    .venv/bin/python -m pytest benchmarks/test_bench_behaviours.py -m benchmark --benchmark-only

Workload: ``scenarios/telco-week.yaml`` (a week on phone, chat and e-mail with
redials, repeat contacts, callbacks, absence, activities, chat concurrency, an e-mail
backlog and a start state). ``plain`` is the same file without ``redial``,
``repeat``, ``callback``, group ``fcr``, ``absence``, ``activities``, ``start_state``,
with every type on ``channel: voice`` (no ``due``) and ``concurrency: 1``: the same
week, arrivals, handle times and staffing, none of the behaviours. The issue asks
that the kernel with every behaviour stays within a factor of 2 of it, per contact
(calls/s, since follow-ups add contacts). Implementations recorded (calls per second,
median round, one core): ``kernel_all`` / ``kernel_plain`` (the kernel's event loop
on pre-drawn contacts) and ``fast_all`` / ``fast_plain`` (``simulate(engine="fast",
threads=1)`` end to end).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ccsim
from ccsim.engines import fast
from ccsim.plan import compile_plan
from ccsim.scenario.loader import read_yaml
from ccsim.streams import draw_contacts, followup_pool

pytestmark = pytest.mark.benchmark

REPO = Path(__file__).resolve().parent.parent
WEEK = REPO / "scenarios" / "telco-week.yaml"
PEDANTIC = {"rounds": 7, "iterations": 1, "warmup_rounds": 1}
TYPE_KEYS = ("redial", "repeat", "callback", "due")
GROUP_KEYS = ("fcr", "absence", "activities", "concurrency", "stretch")


def plain_week() -> dict:
    """telco-week without its behaviours (see the module docstring)."""
    spec, _ = read_yaml(WEEK, "a scenario file")
    spec = {k: v for k, v in spec.items() if k != "start_state"}
    spec["contact_types"] = [
        {**{k: v for k, v in t.items() if k not in TYPE_KEYS}, "channel": "voice"}
        for t in spec["contact_types"]
    ]
    spec["agent_groups"] = [
        {k: v for k, v in g.items() if k not in GROUP_KEYS} for g in spec["agent_groups"]
    ]
    return spec


SCENARIOS = {
    "all": lambda: ccsim.load_scenario(WEEK),
    "plain": lambda: ccsim.load_scenario(plain_week()),
}


@pytest.mark.parametrize("variant", list(SCENARIOS))
def test_kernel_event_loop(benchmark, record_throughput, variant):
    plan = compile_plan(SCENARIOS[variant]())
    contacts = draw_contacts(plan, 1, 0)
    pool = followup_pool(plan, 1, 0, contacts)
    tables = fast._tables(plan)
    out, _, n = fast._run(plan, contacts, None, pool, tables)  # buffers, reused by each round
    benchmark.group = "telco-week kernel"
    benchmark.pedantic(fast._run, args=(plan, contacts, None, pool, tables, out), **PEDANTIC)
    record_throughput("telco-week", f"kernel_{variant}", n)


@pytest.mark.parametrize("variant", list(SCENARIOS))
def test_fast_engine_one_core(benchmark, record_throughput, variant):
    scenario = SCENARIOS[variant]()
    ccsim.simulate(scenario, replications=1, engine="fast")  # load the compiled kernel
    benchmark.group = "telco-week end to end"

    def run():
        return ccsim.simulate(scenario, replications=5, seed=1, engine="fast", threads=1)

    result = benchmark.pedantic(run, **PEDANTIC)
    record_throughput("telco-week", f"fast_{variant}", result.contacts_simulated)
